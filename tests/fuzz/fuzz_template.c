/*
 * libFuzzer target for the template engine: lexer, parser and renderer.
 * The first byte picks options (trim_blocks, lstrip_blocks, strict mode,
 * autoescape, keep_trailing_newline); the rest is a template rendered with a
 * small fixed context and two helper templates it may include, import or
 * extend. Any outcome but a crash, a sanitizer report or a leak is fine.
 */
#include "phial.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const ctx_json =
    "{\"s\": \"<b>&'\\\"\", \"n\": 3, \"f\": 2.5, \"l\": [1, \"a\", null, true, [2]], "
    "\"d\": {\"k\": \"v\", \"n\": {\"x\": 1}}, \"rows\": [{\"id\": 1, \"g\": \"a\"}, "
    "{\"id\": 2, \"g\": \"b\"}], \"e\": []}";

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
    ph_tmpl_render_string(env, src, json_loads(ctx_json, 0, NULL), NULL, &out, &len, &err);
    ph_tmpl_free(out);
    free(src);
    ph_tmpl_env_free(env);
    return 0;
}
