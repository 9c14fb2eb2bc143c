/*
 * Custom URL converters (ph_app_add_converter, Flask's
 * app.url_map.converters): the registry of an app's converters, and the
 * calls into their callbacks with what the router needs around them.
 *
 * A custom converter has no regular expression: its pattern is one of two
 * that the matcher already knows (rule_conv.c), a non-empty segment as the
 * string converter's or a run that may span slashes as path's. So the
 * pattern alone decides how a path splits, and to_python then says whether
 * the route matches at all, once the whole path has matched, as the
 * builtin converters' bounds do (docs/internals/router.md). The default
 * to_url is Werkzeug's BaseConverter.to_url: str() of the value,
 * percent-encoded with "/" and ":" kept.
 *
 * This file neither parses rules (rule.c turns a rule's arguments into
 * JSON for create) nor matches paths.
 */
#include "rule.h"

#include "util/alloc.h"

#include <string.h>

/* What a converter's to_url writes into: the URL being built. */
struct ph_url_text {
    ph_buf *buf;
};

int ph__custom_conv_add(ph__custom_conv **list, const char *name, const ph_converter *cb,
                        void *arg) {
    if (!list || !name || !cb || !ph__rule_ident_start((unsigned char)name[0]))
        return PH_EINVAL;
    for (const char *p = name; *p; p++)
        if (!ph__rule_ident((unsigned char)*p))
            return PH_EINVAL;
    ph__custom_conv *c = ph__calloc(1, sizeof(*c));
    if (!c)
        return PH_ENOMEM;
    c->name = ph__strdup(name);
    if (!c->name) {
        ph__free(c);
        return PH_ENOMEM;
    }
    c->cb = *cb;
    if (!c->cb.weight)
        c->cb.weight = 100;
    c->arg = arg;
    c->next = *list;
    *list = c;
    return 0;
}

void ph__custom_conv_free(ph__custom_conv *list) {
    while (list) {
        ph__custom_conv *next = list->next;
        ph__free(list->name);
        ph__free(list);
        list = next;
    }
}

const ph__custom_conv *ph__custom_conv_find(const ph__custom_conv *list, const char *name,
                                            size_t n) {
    for (; list; list = list->next)
        if (strlen(list->name) == n && memcmp(list->name, name, n) == 0)
            return list;
    return NULL;
}

void ph__custom_conv_close(ph__conv *c) {
    /* Without create, self is the app's arg: not ours to free. */
    if (c->custom && c->custom->cb.create && c->custom->cb.destroy)
        c->custom->cb.destroy(c->self);
    c->custom = NULL;
    c->self = NULL;
}

static void release_json(void *v) { json_decref(v); }

int ph__custom_conv_to_python(const ph__conv *c, ph_arena *a, const char *s, size_t len,
                              json_t **value) {
    *value = NULL;
    /* A copy: the callback gets a C string, and the path is not one. */
    char *text = ph__arena_strndup(a, s, len);
    if (!text)
        return PH_ENOMEM;
    json_t *v = NULL;
    if (c->custom->cb.to_python) {
        int rc = c->custom->cb.to_python(c->self, text, len, &v);
        if (rc == PH_EINVAL) {
            json_decref(v);
            return 0;
        }
        if (rc < 0) {
            json_decref(v);
            return rc;
        }
    }
    if (!v && !(v = json_stringn(text, len)))
        return PH_ENOMEM;
    if (ph__arena_on_release(a, release_json, v))
        return PH_ENOMEM;
    *value = v;
    return 1;
}

int ph__custom_conv_to_url(const ph__conv *c, json_t *v, ph_buf *out) {
    ph_url_text text = {out};
    size_t old = out->len;
    int rc = c->custom->cb.to_url ? c->custom->cb.to_url(c->self, v, &text)
                                  : ph_url_append_quoted(&text, v);
    if (rc > 0) /* the contract is 0 or a PH_E* code; a count means success */
        rc = 0;
    if (rc) {
        out->len = old;
        if (out->data)
            out->data[old] = '\0';
    }
    return rc;
}

/* ---- the public helpers for to_url ------------------------------------- */

int ph_url_append(ph_url_text *out, const char *s, size_t len) {
    if (!out || (!s && len))
        return PH_EINVAL;
    return len ? ph__buf_append(out->buf, s, len) : 0;
}

int ph_url_append_quoted(ph_url_text *out, json_t *value) {
    if (!out || !value)
        return PH_EINVAL;
    if (json_is_string(value))
        return ph__rule_quote(out->buf, json_string_value(value), json_string_length(value),
                              "/:", 0);
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__rule_pystr(value, &b);
    if (!rc)
        rc = ph__rule_quote(out->buf, b.data ? b.data : "", b.len, "/:", 0);
    ph__buf_close(&b);
    return rc;
}
