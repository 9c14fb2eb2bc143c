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
 */
#include "app/router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static json_t *values_json(const ph__route_match *m) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->nvalues; i++) {
        const ph__route_value *v = &m->values[i];
        json_t *j;
        switch (v->type) {
        case PH__RV_INT:
            j = json_integer(v->v.i);
            break;
        case PH__RV_FLOAT:
            j = json_real(v->v.d);
            break;
        case PH__RV_BOOL:
            j = json_boolean(v->v.b);
            break;
        default:
            j = json_stringn(v->raw.ptr, v->raw.len);
            break;
        }
        json_object_set_new(o, v->name, j);
    }
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
