/*
 * Streaming renders (Jinja2's Template.stream()): the same render as
 * ph_tmpl_render, into a buffer of one chunk whose sink sends it to the
 * caller's writer instead of letting it grow. The renderer itself does not
 * know it streams, but at three points: captures and %-formats, which build
 * at the end of the buffer, hold it while they run (tmpl.h, tstream); a
 * call into the app's C code flushes it first (ph__tmpl_before_app), so a
 * function that suspends does not keep the page so far from the reader;
 * and the end of the render sends what is left.
 *
 * The template is found and compiled, and the context built, when the
 * stream is made, so those errors come before any output, as in Flask's
 * stream_template. It does not send anything itself: the writer does.
 * Reference: Jinja2 3.1 API, Template.generate() and Template.stream().
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <stddef.h>

/* Room of the buffer: what is sent at once when nothing else flushes it. */
#define DEFAULT_CHUNK (16u * 1024)

struct ph_tmpl_stream {
    ph_tmpl_env *env;
    ptmpl *t;
    int owns_t; /* a string template, compiled for this stream */
    json_t *ctx;
    void *user;
    int ran;
};

int ph__tmpl_stream_flush(tstream *ts) {
    if (ts->failed)
        return ts->failed;
    ph_buf *b = ts->buf;
    if (ts->hold || b->len == 0)
        return 0;
    int rc = ts->write(ts->ud, b->data, b->len);
    if (rc < 0)
        return ts->failed = rc;
    b->len = 0;
    b->data[0] = '\0';
    return 0;
}

static int drain(ph_buf_sink *sink, ph_buf *b) {
    (void)b; /* it is the stream's own buffer */
    return ph__tmpl_stream_flush((tstream *)((char *)sink - offsetof(tstream, sink)));
}

static ph_tmpl_stream *stream_new(ph_tmpl_env *env, ptmpl *t, int owns_t, json_t *context,
                                  void *user, ph_tmpl_error *err) {
    ph_tmpl_stream *s = ph__calloc(1, sizeof(*s));
    json_t *ctx = NULL;
    if (!s) {
        json_decref(context);
        ph__tmpl_set_error(err, t->name, 0, 0, PH_ENOMEM, "%s", ph_strerror(PH_ENOMEM));
    } else if (ph__tmpl_make_context(env, t, context, user, &ctx, err) == 0) {
        *s = (ph_tmpl_stream){.env = env, .t = t, .owns_t = owns_t, .ctx = ctx, .user = user};
        return s;
    }
    ph__free(s);
    if (owns_t)
        ph__tmpl_destroy(t);
    return NULL;
}

/* A stream of the template `name` found on the search path, or else of
 * `source` compiled for this stream alone. */
static ph_tmpl_stream *stream_open(ph_tmpl_env *env, const char *name, const char *source,
                                   json_t *context, void *user, ph_tmpl_error *err) {
    ph_tmpl_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    if (!env || (!name && !source)) {
        json_decref(context);
        ph__tmpl_set_error(err, name, 0, 0, PH_EINVAL, "%s", ph_strerror(PH_EINVAL));
        return NULL;
    }
    ptmpl *t = name ? ph__tmpl_get(env, name, err)
                    : ph__tmpl_compile(env, NULL, source, strlen(source), err);
    if (!t) {
        json_decref(context);
        if (!err->code)
            ph__tmpl_set_error(err, name, 0, 0, PH_ETEMPLATE, "%s", ph_strerror(PH_ETEMPLATE));
        return NULL;
    }
    return stream_new(env, t, !name, context, user, err);
}

ph_tmpl_stream *ph_tmpl_stream_new(ph_tmpl_env *env, const char *name, json_t *context,
                                   void *user, ph_tmpl_error *err) {
    return stream_open(env, name, NULL, context, user, err);
}

ph_tmpl_stream *ph_tmpl_stream_new_string(ph_tmpl_env *env, const char *source, json_t *context,
                                          void *user, ph_tmpl_error *err) {
    return stream_open(env, NULL, source, context, user, err);
}

int ph_tmpl_stream_run(ph_tmpl_stream *s, ph_tmpl_write_fn write, void *ud, size_t chunk,
                       ph_tmpl_error *err) {
    ph_tmpl_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    if (!s || !write || s->ran)
        return PH_EINVAL;
    s->ran = 1;
    size_t max = s->env->opts.max_output;
    if (!chunk)
        chunk = DEFAULT_CHUNK;
    if (chunk > max)
        chunk = max;
    ph_buf buf;
    ph__buf_init(&buf, max);
    tstream ts = {.sink = {drain}, .buf = &buf, .write = write, .ud = ud};
    /* the chunk's room up front: the sink is drained when it is full, not
     * each time a smaller buffer would have grown */
    int rc = ph__buf_reserve(&buf, chunk - 1);
    if (rc == 0) {
        buf.sink = &ts.sink;
        rc = ph__tmpl_run(s->env, s->t, s->ctx, s->user, &buf, &ts, err);
    } else {
        ph__tmpl_set_error(err, s->t->name, 0, 0, rc, "%s", ph_strerror(rc));
    }
    if (rc == 0)
        rc = ph__tmpl_stream_flush(&ts);
    if (ts.failed) {
        /* the writer's refusal, not whatever the render made of it */
        memset(err, 0, sizeof(*err));
        ph__tmpl_set_error(err, s->t->name, 0, 0, ts.failed, "the output could not be written: %s",
                           ph_strerror(ts.failed));
        rc = ts.failed;
    }
    ph__buf_close(&buf);
    return rc;
}

void ph_tmpl_stream_free(ph_tmpl_stream *s) {
    if (!s)
        return;
    json_decref(s->ctx);
    if (s->owns_t)
        ph__tmpl_destroy(s->t);
    ph__free(s);
}
