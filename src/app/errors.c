/*
 * Errors: ph_abort() and friends record an error on the request; the
 * dispatcher finds a handler for it (by error kind, walking up the kind's
 * parents, and by status), and failing that sends Werkzeug's default error
 * page for the status. The page texts are Werkzeug 2.2's, so clients and
 * tests see what a Flask app would send.
 */
#include "app/core.h"

#include "util/html.h"
#include "util/log.h"

#include <execinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct status_text {
    int status;
    const char *name;
    const char *description;
} status_text;

static const status_text texts[] = {
    {400, "Bad Request",
     "The browser (or proxy) sent a request that this server could not understand."},
    {401, "Unauthorized",
     "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required."},
    {403, "Forbidden",
     "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."},
    {404, "Not Found",
     "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."},
    {405, "Method Not Allowed",
     "The method is not allowed for the requested URL."},
    {406, "Not Acceptable",
     "The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request."},
    {408, "Request Timeout",
     "The server closed the network connection because the browser didn't finish the request within the specified time."},
    {409, "Conflict",
     "A conflict happened while processing the request. The resource might have been modified while the request was being processed."},
    {410, "Gone",
     "The requested URL is no longer available on this server and there is no forwarding address. If you followed a link from a foreign page, please contact the author of this page."},
    {411, "Length Required",
     "A request with this method requires a valid <code>Content-Length</code> header."},
    {412, "Precondition Failed",
     "The precondition on the request for the URL failed positive evaluation."},
    {413, "Request Entity Too Large",
     "The data value transmitted exceeds the capacity limit."},
    {414, "Request URI Too Long",
     "The length of the requested URL exceeds the capacity limit for this server. The request cannot be processed."},
    {415, "Unsupported Media Type",
     "The server does not support the media type transmitted in the request."},
    {416, "Requested Range Not Satisfiable",
     "The server cannot provide the requested range."},
    {417, "Expectation Failed",
     "The server could not meet the requirements of the Expect header"},
    {418, "I'm a teapot",
     "This server is a teapot, not a coffee machine"},
    {422, "Unprocessable Entity",
     "The request was well-formed but was unable to be followed due to semantic errors."},
    {423, "Locked",
     "The resource that is being accessed is locked."},
    {424, "Failed Dependency",
     "The method could not be performed on the resource because the requested action depended on another action and that action failed."},
    {428, "Precondition Required",
     "This request is required to be conditional; try using \"If-Match\" or \"If-Unmodified-Since\"."},
    {429, "Too Many Requests",
     "This user has exceeded an allotted request count. Try again later."},
    {431, "Request Header Fields Too Large",
     "One or more header fields exceeds the maximum size."},
    {451, "Unavailable For Legal Reasons",
     "Unavailable for legal reasons."},
    {500, "Internal Server Error",
     "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application."},
    {501, "Not Implemented",
     "The server does not support the action requested by the browser."},
    {502, "Bad Gateway",
     "The proxy server received an invalid response from an upstream server."},
    {503, "Service Unavailable",
     "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later."},
    {504, "Gateway Timeout",
     "The connection to an upstream server timed out."},
    {505, "HTTP Version Not Supported",
     "The server does not support the HTTP protocol version used in the request."},
};

static const status_text *text_for(int status) {
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        if (texts[i].status == status)
            return &texts[i];
    return NULL;
}

const char *ph__http_status_name(int status) {
    const status_text *t = text_for(status);
    if (t)
        return t->name;
    const char *reason = ph_status_reason(status);
    return strcmp(reason, "Unknown") ? reason : "Unknown Error"; /* HTTPException's name */
}

ph_error *ph__error_set(ph_request *req, int status, const ph_error_kind *kind, int code,
                        const char *message) {
    /* The first error wins: later ones are consequences of it. */
    if (req->error)
        return req->error;
    ph_error *e = ph__arena_calloc(req->arena, sizeof(*e));
    if (!e) {
        static ph_error oom = {500, &PH_INTERNAL_ERROR, "out of memory", PH_ENOMEM, NULL};
        req->error = &oom;
        return &oom;
    }
    e->status = status;
    e->kind = kind ? kind : &PH_INTERNAL_ERROR;
    e->code = code;
    e->message = message ? ph__arena_strdup(req->arena, message) : NULL;
    req->error = e;
    /* Where it happened, for the debug page; only worth the cost in debug. */
    if (e->kind != &PH_HTTP_ERROR && ph_config_bool(req->app, "DEBUG", false))
        req->ntrace = backtrace(req->trace, 32);
    return e;
}

const ph_error *ph_request_error(const ph_request *req) { return req ? req->error : NULL; }

static ph_response *marker(ph_request *req) {
    if (req && !req->marker) {
        req->marker = ph__arena_calloc(req->arena, sizeof(ph_response));
        if (req->marker) {
            req->marker->req = req;
            req->marker->is_marker = 1;
            req->marker->status = req->error ? req->error->status : 500;
        }
    }
    /* Never NULL: a static marker stands in when memory ran out (or there is no request). */
    static ph_response fallback = {.is_marker = 1, .status = 500};
    return req && req->marker ? req->marker : &fallback;
}

ph_response *ph_abort(ph_request *req, int status) {
    if (status < 400 || status > 599)
        status = 500;
    if (req)
        ph__error_set(req, status, &PH_HTTP_ERROR, 0, NULL);
    return marker(req);
}

static char *vformat(ph_request *req, const char *fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    return ph__arena_strdup(req->arena, buf);
}

ph_response *ph_abort_msg(ph_request *req, int status, const char *fmt, ...) {
    if (!req)
        return marker(NULL);
    if (status < 400 || status > 599)
        status = 500;
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(req, fmt, ap);
    va_end(ap);
    ph__error_set(req, status, &PH_HTTP_ERROR, 0, msg);
    return marker(req);
}

ph_response *ph_fail(ph_request *req, const ph_error_kind *kind, const char *fmt, ...) {
    if (!req)
        return marker(NULL);
    char *msg = NULL;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        msg = vformat(req, fmt, ap);
        va_end(ap);
    }
    int status = kind && kind->status ? kind->status : 500;
    ph__error_set(req, status, kind, 0, msg);
    return marker(req);
}

/* Werkzeug's HTTPException body: the status, its name, the description. */
ph_response *ph__default_error_page(ph_request *req, int status, const char *message) {
    const status_text *t = text_for(status);
    const char *name = ph__http_status_name(status);
    const char *desc = message ? message : t ? t->description : "";
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__buf_printf(&b, "<!doctype html>\n<html lang=en>\n<title>%d ", status);
    if (rc == 0)
        rc = ph__html_escape(&b, name, 0);
    if (rc == 0)
        rc = ph__buf_append_str(&b, "</title>\n<h1>");
    if (rc == 0)
        rc = ph__html_escape(&b, name, 0);
    if (rc == 0)
        rc = ph__buf_append_str(&b, "</h1>\n<p>");
    /* Escaped as Werkzeug escapes them (its own texts too), newlines as <br>. */
    if (rc == 0)
        rc = ph__html_escape(&b, desc, 1);
    if (rc == 0)
        rc = ph__buf_append_str(&b, "</p>\n");
    ph_response *r = rc == 0 ? ph_response_new(req, status, b.data, b.len, NULL) : NULL;
    ph__buf_close(&b);
    return r;
}

/* Handlers are looked up in the request's blueprints, innermost first, then
 * the app's (Flask's _find_error_handler). */
static ph_errorhandler_fn status_handler(ph_request *req, int status) {
    const ph_app *app = req->app;
    const char *scopes[9];
    size_t ns = ph__request_scopes(req, scopes, 9, 0);
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < app->nstatus; i++)
            if (app->status_handlers[i].status == status && app->status_handlers[i].bp == scopes[k])
                return app->status_handlers[i].fn;
    return NULL;
}

static ph_errorhandler_fn kind_handler(ph_request *req, const ph_error_kind *kind) {
    const ph_app *app = req->app;
    const char *scopes[9];
    size_t ns = ph__request_scopes(req, scopes, 9, 0);
    for (size_t k = 0; k < ns; k++)
        for (const ph_error_kind *kk = kind; kk; kk = kk->parent)
            for (size_t i = 0; i < app->nkind; i++)
                if (app->kind_handlers[i].kind == kk && app->kind_handlers[i].bp == scopes[k])
                    return app->kind_handlers[i].fn;
    return NULL;
}

/* The response for the error recorded on the request (Flask's
 * handle_user_exception / handle_http_exception / handle_exception). */
ph_response *ph__error_response(ph_request *req) {
    ph_app *app = req->app;
    ph_error *e = req->error;
    /* The request was cancelled (its client went away, or shutdown gave up
     * on it): nothing will be delivered, so no handler runs (it would be
     * cancelled in its turn) and nothing is logged as a failure. */
    if (ph_cancelled(NULL))
        return e->response ? e->response : ph__default_error_page(req, e->status, e->message);
    int http = e->kind == &PH_HTTP_ERROR;
    /* An HTTP error is handled by its status's handler, then by a kind
     * handler (a handler for PH_HTTP_ERROR catches them all). Any other
     * kind is handled only by a handler for it or a parent; unhandled, it
     * is logged, teardown sees it, and the 500 handler or page answers
     * (Flask's handle_exception). */
    ph_errorhandler_fn fn = http ? status_handler(req, e->status) : kind_handler(req, e->kind);
    if (!fn && http)
        fn = kind_handler(req, e->kind);
    int unhandled = !fn && !http && e->status >= 500;
    if (unhandled) {
        PH_LOG_ERR("%s: exception on %s %s [%s]: %s%s%s", app->name, ph_request_method(req),
                   ph_request_path(req), e->kind->name, e->message ? e->message : "",
                   e->code ? " " : "", e->code ? ph_err_name(e->code) : "");
        req->unhandled = e;
        fn = status_handler(req, 500);
    } else if (!fn && !http) {
        fn = status_handler(req, e->status); /* an app kind with a 4xx status */
    }
    if (!fn && unhandled) {
        /* Internal details reach the client only in debug mode. */
        if (ph_config_bool(app, "DEBUG", false))
            return ph__debug_page(req, e);
        return ph__default_error_page(req, 500, NULL);
    }
    if (!fn)
        return e->response ? e->response : ph__default_error_page(req, e->status, e->message);
    /* The handler runs with the error cleared, so it can fail in its turn. */
    req->error = NULL;
    ph_response *r = fn(req, e);
    if (!r || r->is_marker || req->error) {
        char what[64];
        snprintf(what, sizeof(what), "the error handler for %d", e->status);
        r = ph__failure_response(req, what, fn, req->error);
        req->error = e;
        return r;
    }
    req->error = e;
    return r;
}

ph_response *ph__failure_response(ph_request *req, const char *what, ph_errorhandler_fn tried,
                                  ph_error *failure) {
    ph_app *app = req->app;
    PH_LOG_ERR("%s: %s failed on %s %s", app->name, what, ph_request_method(req),
               ph_request_path(req));
    ph_error *entry = req->error;
    if (failure && !req->unhandled)
        req->unhandled = failure; /* teardown sees what went wrong, as in Flask */
    /* Flask's handle_exception: an InternalServerError for the 500 handler,
     * unless that is the handler that just failed. */
    ph_errorhandler_fn h500 = ph_cancelled(NULL) ? NULL : status_handler(req, 500);
    if (h500 && h500 != tried) {
        req->error = NULL;
        ph_error *ise = ph__error_set(req, 500, &PH_INTERNAL_ERROR, failure ? failure->code : 0,
                                      what);
        req->error = NULL;
        ph_response *r = h500(req, ise);
        int ok = r && !r->is_marker && !req->error;
        req->error = entry;
        if (ok)
            return r;
        PH_LOG_ERR("%s: the error handler for 500 failed on %s %s", app->name,
                   ph_request_method(req), ph_request_path(req));
    }
    return ph__default_error_page(req, 500, NULL);
}
