/*
 * Method views (Flask's MethodView): one endpoint whose methods each have
 * a function. The rule's view is a shared dispatcher; the functions live in
 * a table per endpoint, found again from the matched endpoint, so the
 * router and the dispatch path stay those of any view.
 */
#include "app/core.h"

#include "util/alloc.h"
#include "util/log.h"

#include <string.h>

struct ph__method_view {
    char *endpoint;
    ph_method_views views;
};

static const ph_method_views *views_of(const ph_app *app, const char *endpoint) {
    for (size_t i = 0; endpoint && i < app->nmethod_views; i++)
        if (strcmp(app->method_views[i].endpoint, endpoint) == 0)
            return &app->method_views[i].views;
    return NULL;
}

/* The function for one method; HEAD falls back to GET's, as in Flask. */
static ph_view_fn view_for(const ph_method_views *v, unsigned method) {
    switch (method) {
    case PH_GET:
        return v->get;
    case PH_HEAD:
        return v->head ? v->head : v->get;
    case PH_POST:
        return v->post;
    case PH_PUT:
        return v->put;
    case PH_PATCH:
        return v->patch;
    case PH_DELETE:
        return v->delete_;
    case PH_OPTIONS:
        return v->options;
    }
    return NULL;
}

static ph_response *method_dispatch(ph_request *req) {
    const ph_method_views *v = views_of(req->app, ph_request_endpoint(req));
    ph_view_fn fn = v ? view_for(v, req->scope->method_bit) : NULL;
    /* The rule answers only methods with a function: the router said 405
     * to the others. */
    return fn ? fn(req) : ph_abort(req, 405);
}

static unsigned methods_of(const ph_method_views *v) {
    static const unsigned all[] = {PH_GET, PH_POST, PH_PUT, PH_PATCH, PH_DELETE, PH_OPTIONS};
    unsigned m = 0;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (view_for(v, all[i]))
            m |= all[i];
    if (v->head)
        m |= PH_HEAD;
    return m;
}

int ph__add_method_view(ph_app *app, const char *rule, const ph_method_views *views,
                        const ph_route_opts *opts, const char *endpoint) {
    static const ph_route_opts defaults;
    if (!opts)
        opts = &defaults;
    if (!app || !rule || !views || !endpoint)
        return PH_EINVAL;
    unsigned have = methods_of(views);
    unsigned methods = opts->methods ? opts->methods : have;
    /* A method named without its function would answer 405 from its own
     * rule: refused here, where Flask fails only when it is requested. */
    if (!methods || (methods & ~have & ~(unsigned)PH_HEAD) ||
        ((methods & PH_HEAD) && !views->head && !views->get)) {
        PH_LOG_ERR("%s: method view '%s' has no function for a method of '%s'", app->name,
                   endpoint, rule);
        return PH_EINVAL;
    }
    const ph_method_views *known = views_of(app, endpoint);
    if (known && memcmp(known, views, sizeof(*views)) != 0) {
        PH_LOG_ERR("%s: endpoint '%s' is already mapped to another method view", app->name,
                   endpoint);
        return PH_EEXIST;
    }
    ph_route_opts o = *opts;
    o.methods = methods;
    int rc = ph__add_route(app, rule, method_dispatch, &o, endpoint);
    if (rc < 0 || known)
        return rc;
    struct ph__method_view *mv = ph__grow(app->method_views, &app->cap_method_views,
                                          app->nmethod_views, sizeof(*mv), 4);
    if (!mv)
        return PH_ENOMEM;
    app->method_views = mv;
    char *ep = ph__strdup(endpoint);
    if (!ep)
        return PH_ENOMEM;
    mv[app->nmethod_views++] = (struct ph__method_view){ep, *views};
    return 0;
}

int ph_method_view_(ph_app *app, const char *rule, const ph_method_views *views,
                    const ph_route_opts *opts) {
    return ph__add_method_view(app, rule, views, opts, opts ? opts->endpoint : NULL);
}

void ph__method_views_free(ph_app *app) {
    for (size_t i = 0; i < app->nmethod_views; i++)
        ph__free(app->method_views[i].endpoint);
    ph__free(app->method_views);
}
