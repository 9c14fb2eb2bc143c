/*
 * libFuzzer target for the template engine: lexer, parser and renderer.
 * The first byte picks options (trim_blocks, lstrip_blocks, strict mode,
 * autoescape, keep_trailing_newline); the rest is a template rendered with a
 * small fixed context and two helper templates it may include, import or
 * extend. Any outcome but a crash, a sanitizer report or a leak is fine,
 * except one: a page that renders must stream, in small chunks, to the same
 * bytes (unless it asks for random output).
 */
#include "phial.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ctx_json =
    "{\"s\": \"<b>&'\\\"\", \"n\": 3, \"f\": 2.5, \"l\": [1, \"a\", null, true, [2]], "
    "\"d\": {\"k\": \"v\", \"n\": {\"x\": 1}}, \"rows\": [{\"id\": 1, \"g\": \"a\"}, "
    "{\"id\": 2, \"g\": \"b\"}], \"e\": []}";

typedef struct collected {
    char *data;
    size_t len;
} collected;

static int collect(void *ud, const char *p, size_t n) {
    collected *c = ud;
    char *d = realloc(c->data, c->len + n);
    if (!d)
        return PH_ENOMEM;
    memcpy(d + c->len, p, n);
    c->data = d;
    c->len += n;
    return 0;
}

/* The same render, streamed through a 64-byte buffer. */
static void check_streamed(ph_tmpl_env *env, const char *src, int rc, const char *out,
                           size_t len) {
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(env, src, json_loads(ctx_json, 0, NULL), NULL,
                                                   NULL);
    collected c = {NULL, 0};
    int src_rc = ts ? ph_tmpl_stream_run(ts, collect, &c, 64, NULL) : PH_ENOMEM;
    if (rc == 0 && !strstr(src, "random") && !strstr(src, "lipsum") &&
        (src_rc != 0 || c.len != len || (len && memcmp(c.data, out, len) != 0))) {
        fprintf(stderr, "streamed output differs (rc %d, %zu bytes, not %zu)\n", src_rc, c.len,
                len);
        abort();
    }
    free(c.data);
    ph_tmpl_stream_free(ts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0 || size > 8192)
        return 0;
    uint8_t flags = data[0];
    ph_tmpl_env *env = ph_tmpl_env_new(.trim_blocks = flags & 1, .lstrip_blocks = (flags >> 1) & 1,
                                       .strict_undefined = (flags >> 2) & 1,
                                       .keep_trailing_newline = (flags >> 3) & 1,
                                       .autoescape = (flags >> 4) % 3, .max_output = 1 << 20);
    if (!env)
        return 0;
    ph_tmpl_env_add_string(env, "lib.html",
                           "{% macro m(x, y=2) %}[{{ x }}{{ y }}{{ caller() if caller }}]"
                           "{% endmacro %}{% set v = 'lib' %}");
    ph_tmpl_env_add_string(env, "base.html",
                           "<{% block a %}A{% endblock %}|{% block b %}B{% endblock %}>");
    char *src = malloc(size);
    if (!src) {
        ph_tmpl_env_free(env);
        return 0;
    }
    memcpy(src, data + 1, size - 1);
    src[size - 1] = '\0';
    char *out = NULL;
    size_t len = 0;
    ph_tmpl_error err;
    int rc = ph_tmpl_render_string(env, src, json_loads(ctx_json, 0, NULL), NULL, &out, &len, &err);
    check_streamed(env, src, rc, out, len);
    ph_tmpl_free(out);
    free(src);
    ph_tmpl_env_free(env);
    return 0;
}
