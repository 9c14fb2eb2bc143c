/*
 * Fuzz target for the URL map: parses arbitrary rules, matches arbitrary
 * decoded paths (any bytes) against them, and builds URLs back from what
 * matched.
 *
 * Input: lines separated by '\n'. The first byte picks the method. Lines up
 * to the first empty line are rules (at most 16; bad ones are fine: they
 * must be refused cleanly); the lines after it are paths (at most 16). Each
 * rule gets a defaults object for its first line number parity, to reach the
 * defaults paths of matching and building.
 *
 * Two app converters are registered, so rules may use them: `c` takes one
 * segment, refuses text starting with 'x' and makes a list of the
 * comma-separated items (to_url joins them again); `cs` spans slashes,
 * weighs 150 and takes arguments (create refuses a keyword `bad`, and
 * what it makes is freed by destroy), and makes the length of the text.
 */
#include "app/router.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int c_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    if (len && text[0] == 'x')
        return PH_EINVAL;
    json_t *a = json_array();
    const char *p = text, *end = text + len;
    for (;;) {
        const char *q = memchr(p, ',', (size_t)(end - p));
        json_array_append_new(a, json_stringn(p, q ? (size_t)(q - p) : (size_t)(end - p)));
        if (!q)
            break;
        p = q + 1;
    }
    *value = a;
    return 0;
}

static int c_to_url(void *self, json_t *value, ph_url_text *out) {
    (void)self;
    if (!json_is_array(value))
        return ph_url_append_quoted(out, value);
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item) {
        int rc = i ? ph_url_append(out, ",", 1) : 0;
        if (rc || (rc = ph_url_append_quoted(out, item)))
            return rc;
    }
    return 0;
}

static int cs_create(void *arg, json_t *args, json_t *kwargs, void **self, char *err,
                     size_t errlen) {
    (void)arg;
    if (json_object_get(kwargs, "bad")) {
        snprintf(err, errlen, "bad argument");
        return PH_EINVAL;
    }
    size_t *n = malloc(sizeof(*n));
    if (!n)
        return PH_ENOMEM;
    *n = json_array_size(args);
    *self = n;
    return 0;
}

static int cs_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)text;
    *value = json_integer((json_int_t)(len + *(size_t *)self));
    return 0;
}

static const ph_converter C = {.to_python = c_to_python, .to_url = c_to_url};
static const ph_converter CS = {.to_python = cs_to_python,
                                .create = cs_create,
                                .destroy = free,
                                .slashes = true,
                                .weight = 150};

static json_t *values_json(const ph__route_match *m) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->nvalues; i++)
        json_object_set_new(o, m->values[i].name, ph__route_value_json(&m->values[i]));
    return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    static const unsigned methods[] = {PH_GET, PH_POST, PH_HEAD, PH_OPTIONS, PH_PUT, 0};
    unsigned method = methods[data[0] % 6];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    ph__router *r = ph__router_new();
    if (!r)
        return 0;
    if (ph__router_add_converter(r, "c", &C, NULL) ||
        ph__router_add_converter(r, "cs", &CS, NULL)) {
        ph__router_free(r);
        return 0;
    }
    int nrules = 0;
    char text[1024];
    /* Rules. */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n == 0) {
            p = nl ? nl + 1 : end;
            break;
        }
        if (nrules < 16 && n < sizeof(text)) {
            memcpy(text, p, n);
            text[n] = '\0';
            json_t *d = (nrules & 1) ? json_pack("{s:i,s:s}", "page", 1, "x", "y") : NULL;
            ph__route_spec s = {.rule = text,
                                .endpoint = (nrules & 2) ? "a.b" : "c",
                                .methods = (nrules & 4) ? PH_POST : 0,
                                .strict_slashes = (nrules & 8) ? -1 : 0,
                                .defaults = d};
            ph__rule_error err;
            ph__router_add(r, &s, NULL, &err);
            json_decref(d);
            nrules++;
        }
        p = nl ? nl + 1 : end;
    }
    /* Paths. */
    ph_arena a;
    ph__arena_init(&a, 1024, 1 << 20);
    for (int k = 0; k < 16 && p < end; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        ph__route_match m;
        if (ph__router_match(r, p, n, method, &a, &m) == 0 && m.status == PH__ROUTE_FOUND) {
            json_t *vals = values_json(&m);
            ph_buf b;
            ph__buf_init(&b, 1 << 16);
            char err[256];
            ph__url_opts o = {.anchor = "x y", .script_root = "/r"};
            ph__router_build(r, m.route->endpoint, vals, &o, &b, err, sizeof(err));
            ph__buf_close(&b);
            json_decref(vals);
        }
        ph__router_allowed(r, p, n);
        ph__arena_reset(&a);
        p = nl ? nl + 1 : end;
    }
    ph__arena_close(&a);
    ph__router_free(r);
    return 0;
}
