/*
 * Handling one request in Flask's order (Flask.full_dispatch_request and
 * finalize_request):
 *
 *   before_first_request (once per process) -> match ->
 *   url_value_preprocessors -> before_request hooks (the first response
 *   short-circuits) -> view -> error handlers for any recorded error ->
 *   after_this_request functions, in order -> after_request hooks, newest
 *   first -> send.
 *
 * The app call (app.c) wraps this in the app and request contexts and runs
 * the teardown hooks afterwards, whatever happened.
 */
#include "app/core.h"

#include "util/log.h"

#include <stdio.h>
#include <string.h>

static const char *const method_order[] = {"CONNECT", "DELETE", "GET",   "HEAD", "OPTIONS",
                                           "PATCH",   "POST",   "PUT",   "TRACE"};

/* "GET, HEAD, OPTIONS, POST": the Allow header for a set of method bits. */
static const char *allow_header(ph_request *req, unsigned methods) {
    char buf[128] = "";
    size_t len = 0;
    for (size_t i = 0; i < sizeof(method_order) / sizeof(method_order[0]); i++) {
        const char *m = method_order[i];
        if (methods & ph_method_from_name(m, strlen(m)))
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? ", " : "", m);
    }
    return ph__arena_strdup(req->arena, buf);
}

static int run_before_first(ph_request *req) {
    ph_app *app = req->app;
    while (app->first_state != 2) {
        if (app->first_state == 1) {
            /* Requests that arrive while it runs wait for it (Flask holds a
             * lock); when it ends they look again: done, or failed, and
             * then the first of them runs it anew. */
            if (!app->first_done && !(app->first_done = ph_event_new()))
                return PH_ENOMEM;
            int rc = ph_event_wait(app->first_done);
            if (rc < 0)
                return rc;
            continue;
        }
        app->first_state = 1;
        ph_event_clear(app->first_done);
        int rc = 0;
        for (size_t i = 0; i < app->first.n && rc >= 0; i++)
            rc = ((ph_before_first_request_fn)app->first.items[i].fn)(app);
        app->first_state = rc < 0 ? 0 : 2;
        ph_event_set(app->first_done);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static ph_response *options_response(ph_request *req, unsigned allowed) {
    ph_response *r = ph_response_new(req, 200, "", 0, NULL);
    if (r)
        ph_response_set_header(r, "Allow", allow_header(req, allowed));
    return r;
}

/* Match the request against the URL map (Flask does it when the request
 * context is pushed) and note its blueprints, so scoped hooks can run. */
static void match_request(ph_request *req) {
    ph_app *app = req->app;
    ph_slice path = ph__request_text_path(req);
    /* A view gets its path and view arguments as C strings: one holding a
     * NUL (%00) would read shorter than what the router matched, so no
     * route has such a path: 404, as Flask answers for a static file. */
    if (memchr(path.ptr, '\0', path.len)) {
        ph__error_set(req, 404, &PH_HTTP_ERROR, 0, NULL);
        return;
    }
    unsigned method = req->ws ? PH__ROUTE_WEBSOCKET : req->scope->method_bit;
    int rc = ph__router_match(app->router, path.ptr, path.len, method, req->arena, &req->match);
    req->matched = rc == 0;
    if (rc < 0) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, rc, "routing failed");
        return;
    }
    if (req->match.status != PH__ROUTE_FOUND)
        return;
    /* "a.b.view" belongs to blueprints "a.b" and "a", innermost first. */
    const char *ep = req->match.route->endpoint;
    const char *dot = strrchr(ep, '.');
    while (dot && req->nbps < sizeof(req->bps) / sizeof(req->bps[0])) {
        size_t n = (size_t)(dot - ep);
        const char *name = NULL;
        for (size_t i = 0; i < app->nbp && !name; i++)
            if (strlen(app->bp_names[i]) == n && memcmp(app->bp_names[i], ep, n) == 0)
                name = app->bp_names[i];
        if (name)
            req->bps[req->nbps++] = name; /* interned: hooks compare pointers */
        dot = n ? memrchr(ep, '.', n) : NULL;
    }
}

size_t ph__request_scopes(ph_request *req, const char **out, size_t max, int app_first) {
    size_t n = 0;
    if (app_first && n < max)
        out[n++] = NULL;
    for (size_t i = 0; i < req->nbps && n < max; i++)
        out[n++] = app_first ? req->bps[req->nbps - 1 - i] : req->bps[i];
    if (!app_first && n < max)
        out[n++] = NULL;
    return n;
}

size_t ph_request_blueprints(ph_request *req, const char **out, size_t max) {
    if (!req)
        return 0;
    for (size_t i = 0; out && i < req->nbps && i < max; i++)
        out[i] = req->bps[i];
    return req->nbps;
}

static ph_response *dispatch_request(ph_request *req) {
    if (!req->matched)
        return NULL; /* the error is recorded */
    switch (req->match.status) {
    case PH__ROUTE_NOT_FOUND:
        ph_abort(req, 404);
        return NULL;
    case PH__ROUTE_METHOD_NOT_ALLOWED: {
        unsigned http = req->match.allowed & ~PH__ROUTE_WEBSOCKET;
        if (req->ws || !http) {
            /* Only routes of the other kind have this path: Werkzeug's
             * WebsocketMismatch, a 400. */
            ph_abort(req, 400);
            return NULL;
        }
        ph_abort(req, 405);
        ph_response *page = ph__default_error_page(req, 405, NULL);
        if (page)
            ph_response_set_header(page, "Allow", allow_header(req, http));
        req->error->response = page;
        return NULL;
    }
    case PH__ROUTE_REDIRECT: {
        /* Werkzeug's RequestRedirect is a routing action, not an error; its
         * Location is absolute, made from the request's scheme and host. */
        const char *q = ph_request_query_string(req);
        const char *loc = ph_request_printf(
            req, "%s://%s%s%s%s%s", ph_request_scheme(req), ph__request_url_host(req),
            ph_request_script_root(req), req->match.redirect, q[0] ? "?" : "", q);
        return loc ? ph_redirect(req, loc, 308) : NULL;
    }
    case PH__ROUTE_FOUND:
        break;
    }
    if (req->ws)
        return ph__ws_run(req);
    if (req->match.auto_options)
        return options_response(req, req->match.allowed & ~PH__ROUTE_WEBSOCKET);
    ph_view_fn view = (ph_view_fn)req->match.route->data;
    ph_response *r = view(req);
    if (req->error)
        return NULL;
    if (!r || r->is_marker) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, 0,
                      "the view function did not return a response");
        return NULL;
    }
    return r;
}

/* Run one after-request function over resp: `fn` with its `arg`, or the
 * app's hook `hook`. One that fails (no response, an abort, a recorded
 * error) is answered by ph__failure_response and sets *failed, which stops
 * the rest. */
static ph_response *after_one(ph_request *req, ph_response *resp, const char *what,
                              ph_after_this_request_fn fn, void *arg, ph_after_request_fn hook,
                              int *failed) {
    ph_error *before = req->error;
    ph_response *r = fn ? fn(req, resp, arg) : hook(req, resp);
    if (!r || r->is_marker || req->error != before) {
        *failed = 1;
        return ph__failure_response(req, what, NULL, req->error != before ? req->error : NULL);
    }
    return r;
}

int ph_after_this_request(ph_request *req, ph_after_this_request_fn fn, void *arg) {
    if (!req || !fn)
        return PH_EINVAL;
    ph__after_this *a = ph__arena_alloc(req->arena, sizeof(*a));
    if (!a)
        return PH_ENOMEM;
    *a = (ph__after_this){.fn = fn, .arg = arg};
    if (req->after_this_last)
        req->after_this_last->next = a;
    else
        req->after_this = a;
    req->after_this_last = a;
    return 0;
}

ph_response *ph__full_dispatch(ph_request *req) {
    ph_app *app = req->app;
    ph_response *resp = NULL;
    const char *scopes[9];
    int rc = run_before_first(req);
    if (rc < 0)
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, rc, "a before_first_request hook failed");
    if (!req->error)
        match_request(req);
    if (!req->error)
        ph__url_preprocess(req);
    size_t ns = ph__request_scopes(req, scopes, 9, 1);
    for (size_t k = 0; k < ns && !req->error && !resp; k++)
        for (size_t i = 0; !req->error && !resp && i < app->before.n; i++)
            if (app->before.items[i].bp == scopes[k])
                resp = ((ph_before_request_fn)app->before.items[i].fn)(req);
    if (!req->error && !resp)
        resp = dispatch_request(req);
    if (ph__ws_answered(req))
        return NULL; /* a websocket ran: there is no response */
    if (req->error || !resp || resp->is_marker) {
        if (!req->error)
            ph__error_set(req, 500, &PH_INTERNAL_ERROR, 0, "no response");
        resp = ph__error_response(req);
    }
    /* after_this_request functions first, in registration order (one may
     * register another, which runs too), then the after_request hooks, on
     * error responses as well: innermost blueprint first, the app's last,
     * each newest first. */
    int failed = 0;
    for (ph__after_this *a = req->after_this; a && resp && !failed; a = a->next)
        resp = after_one(req, resp, "an after_this_request function", a->fn, a->arg, NULL,
                         &failed);
    ns = ph__request_scopes(req, scopes, 9, 0);
    for (size_t k = 0; k < ns && resp && !failed; k++)
        for (size_t i = app->after.n; resp && !failed && i-- > 0;)
            if (app->after.items[i].bp == scopes[k])
                resp = after_one(req, resp, "an after_request hook", NULL, NULL,
                                 (ph_after_request_fn)app->after.items[i].fn, &failed);
    if (resp)
        ph__session_save(req, resp);
    return resp;
}

/* ---- sending -------------------------------------------------------------- */

int ph__send_response(ph_request *req, ph_response *resp) {
    if (!resp)
        resp = ph__default_error_page(req, 500, NULL);
    if (!resp)
        return PH_ENOMEM;
    ph_header stack_headers[16];
    ph_header *h = stack_headers;
    if (resp->nheaders > 16) {
        h = ph__arena_alloc(req->arena, resp->nheaders * sizeof(*h));
        if (!h)
            return PH_ENOMEM;
    }
    for (size_t i = 0; i < resp->nheaders; i++)
        h[i] = (ph_header){{resp->headers[i].name, strlen(resp->headers[i].name)},
                           {resp->headers[i].value, strlen(resp->headers[i].value)}};
    ph_message start = {.type = PH_MSG_HTTP_RESPONSE_START, .status = resp->status,
                        .headers = h, .nheaders = resp->nheaders};
    int rc = ph_send(req->ch, &start);
    if (rc < 0)
        return rc;
    if (resp->stream) {
        ph_stream s = {.req = req, .ch = req->ch};
        const ph_error *reported = req->unhandled;
        int src = resp->stream(&s, resp->stream_arg);
        /* a producer that recorded its failure as the request's error
         * (a streamed template) has logged it already */
        if (src < 0 && !s.error && src != PH_ECANCELED && !ph_cancelled(NULL) &&
            req->unhandled == reported)
            PH_LOG_ERR("%s: the streaming body of %s %s failed: %s", req->app->name,
                       ph_request_method(req), ph_request_path(req), ph_err_name(src));
        if (s.error)
            return s.error;
        ph_message end = {.type = PH_MSG_HTTP_RESPONSE_BODY};
        /* A failed producer ends the body short: the server then closes. */
        return src < 0 ? src : ph_send(req->ch, &end);
    }
    ph_message body = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = {resp->body, resp->len}};
    return ph_send(req->ch, &body);
}
