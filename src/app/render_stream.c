/*
 * stream_template for the framework (Flask 2.2's stream_template and
 * stream_template_string, which wrap the render in stream_with_context).
 * The template is found and compiled, and the context built, in the view's
 * call, so a missing template or a syntax error is the usual 500 page. The
 * page renders as the response's body is sent, in the request's task,
 * where the request, its session, g and the app context are still current
 * (a response is sent before the teardown hooks run).
 *
 * An error once the headers have gone out can only cut the body short: it
 * is logged as a render error is, the teardown hooks see it, and the server
 * ends the response without its last chunk (or closes a response of known
 * length early), which is how an HTTP client tells it is incomplete.
 * Reference: Flask 2.2 "Streaming Contents", stream_template.
 */
#include "app/render.h"

#include "util/log.h"

#include <string.h>

typedef struct page {
    ph_tmpl_stream *ts;
    const char *name; /* NULL for a string template */
} page;

static int write_piece(void *ud, const char *data, size_t len) {
    return ph_stream_write(ud, data, len);
}

static void free_page(void *arg) { ph_tmpl_stream_free(arg); }

static const ph_error_kind *kind_of(int rc) {
    return rc == PH_ENOTFOUND ? &PH_TEMPLATE_NOT_FOUND : &PH_TEMPLATE_ERROR;
}

/* Logged as errors.c logs a render error, saying what became of the
 * response; the error goes where teardown hooks find a view's. */
static void report(ph_request *req, const page *p, int rc, const ph_tmpl_error *err) {
    char msg[1024];
    ph__render_message(rc, p->name, err, msg, sizeof(msg));
    PH_LOG_ERR("%s: exception on %s %s [%s]: %s %s (while streaming: the response is cut short)",
               req->app->name, ph_request_method(req), ph_request_path(req), kind_of(rc)->name,
               msg, ph_err_name(rc));
    ph_error *before = req->error;
    req->error = NULL;
    ph_error *e = ph__error_set(req, 500, kind_of(rc), rc, msg);
    req->error = before;
    if (!req->unhandled)
        req->unhandled = e;
}

static int produce(ph_stream *s, void *arg) {
    page *p = arg;
    ph_tmpl_error err;
    int rc = ph_tmpl_stream_run(p->ts, write_piece, s, 0, &err);
    /* a client that left, or a shutdown that gave up on the request, is
     * no failure of the page */
    if (rc < 0 && !s->error && rc != PH_ECANCELED && !ph_cancelled(NULL))
        report(s->req, p, rc, &err);
    return rc;
}

static ph_response *stream_page(ph_request *req, const char *name, const char *source,
                                json_t *context) {
    ph_tmpl_env *env = ph__render_env(req, name, source, context);
    if (!env)
        return NULL;
    ph_tmpl_error err;
    ph_tmpl_stream *ts = name ? ph_tmpl_stream_new(env, name, context, req, &err)
                              : ph_tmpl_stream_new_string(env, source, context, req, &err);
    if (!ts) {
        char msg[1024];
        ph__render_message(err.code, name, &err, msg, sizeof(msg));
        ph__error_set(req, 500, kind_of(err.code), err.code, msg);
        return NULL;
    }
    /* freed with the request's arena, whether or not the body was sent
     * (an after_request hook may answer with another response); on
     * failure it is freed at once */
    if (ph__arena_on_release(req->arena, free_page, ts) < 0) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_ENOMEM, "out of memory");
        return NULL;
    }
    page *p = ph__arena_alloc(req->arena, sizeof(*p));
    if (p)
        *p = (page){ts, name ? ph__arena_strdup(req->arena, name) : NULL};
    ph_response *r = p && (!name || p->name) ? ph_response_stream(req, 200,
                                                                  "text/html; charset=utf-8",
                                                                  produce, p)
                                             : NULL;
    if (!r)
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_ENOMEM, "out of memory");
    return r;
}

ph_response *ph_stream_template(ph_request *req, const char *name, json_t *context) {
    return stream_page(req, name, NULL, context);
}

ph_response *ph_stream_template_string(ph_request *req, const char *source, json_t *context) {
    return stream_page(req, NULL, source, context);
}
