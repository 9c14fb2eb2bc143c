/*
 * Header lists after Python's parse_http_list and Werkzeug 2.2's
 * unquoting, step for step, so that a list reads as a Flask app reads it.
 */
#include "http_list.h"
#include "py_space.h"

#include <string.h>

/* Python's str.strip(), over ASCII's white space. */
static ph_slice strip(ph_slice s) {
    while (s.len && ph__py_space((unsigned char)s.ptr[0], 0)) {
        s.ptr++;
        s.len--;
    }
    while (s.len && ph__py_space((unsigned char)s.ptr[s.len - 1], 0))
        s.len--;
    return s;
}

static int quoted(ph_slice s) { return s.len && s.ptr[0] == '"' && s.ptr[s.len - 1] == '"'; }

/* Werkzeug's unquote_header_value over the text inside a pair of quotes:
 * a second pair of quotes goes too, and with it \\ and \" escapes. Writes
 * in place (the text only shrinks). */
static ph_slice unquote(ph_slice s) {
    if (s.len < 2)
        return s.len == 1 && s.ptr[0] == '"' ? (ph_slice){s.ptr, 0} : s;
    if (!quoted(s))
        return s;
    char *p = (char *)s.ptr + 1;
    size_t n = s.len - 2, w = 0;
    /* replace("\\\\", "\\") over the whole text, then replace("\\\"", "\"") */
    for (size_t i = 0; i < n; i++, w++) {
        p[w] = p[i];
        if (p[i] == '\\' && i + 1 < n && p[i + 1] == '\\')
            i++;
    }
    n = w;
    w = 0;
    for (size_t i = 0; i < n; i++, w++) {
        p[w] = p[i];
        if (p[i] == '\\' && i + 1 < n && p[i + 1] == '"')
            p[w] = p[++i];
    }
    return (ph_slice){p, w};
}

/* parse_http_list: the stripped parts, quotes kept, escapes inside quotes
 * resolved. Parts are copied to one buffer from the arena (they only
 * shrink), each NUL-terminated. */
static long split(ph_arena *a, const char *s, size_t n, ph_slice **out) {
    size_t cap = 1;
    for (size_t i = 0; i < n; i++)
        cap += s[i] == ',';
    char *buf = ph__arena_alloc(a, n + cap);
    ph_slice *parts = ph__arena_alloc(a, cap * sizeof(*parts));
    if (!buf || !parts)
        return PH_ENOMEM;
    size_t np = 0, w = 0, start = 0;
    int quote = 0, escape = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (escape) {
            escape = 0;
        } else if (quote) {
            if (c == '\\') {
                escape = 1;
                continue;
            }
            quote = c != '"';
        } else if (c == ',') {
            parts[np++] = strip((ph_slice){buf + start, w - start});
            buf[w++] = '\0';
            start = w;
            continue;
        } else if (c == '"') {
            quote = 1;
        }
        buf[w++] = c;
    }
    if (w > start)
        parts[np++] = strip((ph_slice){buf + start, w - start});
    buf[w] = '\0';
    *out = parts;
    return (long)np;
}

/* NUL-terminate a slice that lies in a writable buffer of the arena. */
static ph_slice terminated(ph_slice s) {
    ((char *)s.ptr)[s.len] = '\0';
    return s;
}

long ph__http_list_parse(ph_arena *a, const char *s, size_t n, ph_slice **items) {
    long np = split(a, s, n, items);
    for (long i = 0; i < np; i++) {
        ph_slice it = (*items)[i];
        if (quoted(it))
            it = unquote((ph_slice){it.ptr + 1, it.len >= 2 ? it.len - 2 : 0});
        (*items)[i] = terminated(it);
    }
    return np;
}

long ph__http_dict_parse(ph_arena *a, const char *s, size_t n, ph_slice **keys,
                         ph_slice **values) {
    ph_slice *items;
    long np = split(a, s, n, &items);
    if (np < 0)
        return np;
    ph_slice *k = ph__arena_alloc(a, ((size_t)np + 1) * sizeof(*k));
    ph_slice *v = ph__arena_alloc(a, ((size_t)np + 1) * sizeof(*v));
    if (!k || !v)
        return PH_ENOMEM;
    long nk = 0;
    for (long i = 0; i < np; i++) {
        ph_slice it = items[i], key = it, val = {NULL, 0};
        const char *eq = memchr(it.ptr, '=', it.len);
        if (eq) {
            key = (ph_slice){it.ptr, (size_t)(eq - it.ptr)};
            val = (ph_slice){eq + 1, it.len - key.len - 1};
            if (quoted(val))
                val = unquote((ph_slice){val.ptr + 1, val.len >= 2 ? val.len - 2 : 0});
            val = terminated(val);
        }
        key = terminated(key); /* over the '=' or past the item's end */
        long at = 0;
        while (at < nk && !(k[at].len == key.len && memcmp(k[at].ptr, key.ptr, key.len) == 0))
            at++;
        if (at == nk)
            k[nk++] = key;
        v[at] = val;
    }
    *keys = k;
    *values = v;
    return nk;
}
