/*
 * URL processors (Flask's url_value_preprocessor and url_defaults): the
 * functions that take a value out of the matched URL before the view runs,
 * and put it back into the URLs url_for builds, plus the URL-map question
 * the latter ask (is_endpoint_expecting).
 *
 * Scoped functions carry their blueprint's interned full name, as hooks do.
 * For a request the scopes are those routing found; for url_for they are
 * read off the endpoint ("a.b.view" belongs to "a" and "a.b"), whether or
 * not such blueprints exist, as Flask's inject_url_defaults reads them.
 */
#include "app/core.h"
#include "app/router.h"

#include <string.h>

void ph__url_preprocess(ph_request *req) {
    ph_app *app = req->app;
    if (!app->url_pre.n)
        return;
    const char *endpoint =
        req->matched && req->match.status == PH__ROUTE_FOUND ? req->match.route->endpoint : NULL;
    const char *scopes[9];
    size_t ns = ph__request_scopes(req, scopes, 9, 1);
    for (size_t k = 0; k < ns && !req->error; k++)
        for (size_t i = 0; i < app->url_pre.n && !req->error; i++)
            if (app->url_pre.items[i].bp == scopes[k])
                ((ph_url_value_preprocessor_fn)app->url_pre.items[i].fn)(req, endpoint);
}

/* Whether scope `bp` (NULL: the app) is `endpoint`'s blueprint prefix ending at `len`. */
static int scope_is(const char *bp, const char *endpoint, size_t len) {
    if (!bp)
        return len == 0;
    return len && strlen(bp) == len && memcmp(bp, endpoint, len) == 0;
}

int ph__url_inject_defaults(ph_app *app, ph_request *req, const char *endpoint, json_t **values) {
    if (!app->url_defaults.n)
        return 0;
    /* The values were the caller's: they change a copy of their own, as
     * Flask's functions get a fresh dict. */
    json_t *own = *values ? json_copy(*values) : json_object();
    if (!own)
        return PH_ENOMEM;
    json_decref(*values);
    *values = own;
    if (!json_is_object(own))
        return 0; /* building refuses it with its own message */
    /* The app's scope (length 0), then each prefix before a dot, outermost first. */
    const char *last_dot = strrchr(endpoint, '.');
    size_t end = last_dot ? (size_t)(last_dot - endpoint) : 0;
    size_t len = 0;
    for (;;) {
        for (size_t i = 0; i < app->url_defaults.n; i++)
            if (scope_is(app->url_defaults.items[i].bp, endpoint, len))
                ((ph_url_defaults_fn)app->url_defaults.items[i].fn)(req, endpoint, own);
        if (len >= end)
            break;
        size_t from = len ? len + 1 : 0;
        const char *next = memchr(endpoint + from, '.', end - from);
        len = next ? (size_t)(next - endpoint) : end;
    }
    return 0;
}

bool ph_app_endpoint_expects(ph_app *app, const char *endpoint, const char *name) {
    if (!app || !endpoint || !name)
        return false;
    const ph__router_ep *ep = ph__router_endpoint(app->router, endpoint);
    for (size_t i = 0; ep && i < ep->n; i++) {
        const ph__route *rt = ep->routes[i];
        if (ph__rule_var_index(rt->rule, name) >= 0 ||
            (rt->defaults && json_object_get(rt->defaults, name)))
            return true;
    }
    return false;
}
