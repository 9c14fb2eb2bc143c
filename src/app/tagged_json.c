/*
 * Flask's TaggedJSONSerializer: the JSON text inside a Flask session cookie.
 *
 * Dumping writes JSON ourselves rather than through json_dumps, because the
 * bytes must equal Python's json.dumps(tagged, separators=(",", ":"),
 * sort_keys=True, ensure_ascii=True) — what flask.json.dumps does inside an
 * app context, which is where Flask saves sessions: keys sorted by code point
 * (UTF-8 byte order is the same order), every character outside ' '..'~'
 * escaped as \uXXXX in lowercase hex (surrogate pairs above U+FFFF), and
 * floats in Python's repr form (shortest text that reads back the same
 * double: "0.1", "1e+16", "1e-05", "1.0"). Loading parses with jansson and then
 * walks the tree bottom-up, as json.loads's object_hook does, untagging (or,
 * in keep mode, only checking) each one-key object whose key is a tag.
 *
 * This module does not sign, compress or base64 the text; see session_codec.c.
 *
 * References: flask/json/tag.py and flask/json/provider.py (Flask 2.2.2),
 * Python's json/encoder.py (ESCAPE_ASCII, float.__repr__), RFC 8259,
 * uuid.UUID's constructor (for the " u" forms accepted).
 */
#include "tagged_json.h"

#include "phial/common.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/json_depth.h"
#include "util/json_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const tags[] = {" di", " t", " b", " m", " u", " d"};

int ph__tagged_json_is_tag(const char *key, size_t len) {
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (strlen(tags[i]) == len && memcmp(tags[i], key, len) == 0)
            return 1;
    return 0;
}

/* ---- Writing ---------------------------------------------------------- */

/* Decode one UTF-8 sequence (jansson guarantees valid UTF-8). */
static unsigned utf8_next(const unsigned char *s, size_t len, size_t *i) {
    unsigned c = s[*i];
    int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
    c &= extra == 3 ? 0x07 : extra == 2 ? 0x0f : extra == 1 ? 0x1f : 0x7f;
    (*i)++;
    for (; extra > 0 && *i < len; extra--, (*i)++)
        c = c << 6 | (s[*i] & 0x3f);
    return c;
}

static int put_u16(ph_buf *b, unsigned u) { return ph__buf_printf(b, "\\u%04x", u); }

/* A JSON string the way Python writes it with ensure_ascii=True. */
static int put_string(ph_buf *b, const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    int rc = ph__buf_append_char(b, '"');
    size_t i = 0;
    while (rc == 0 && i < len) {
        size_t run = i;
        while (run < len && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            rc = ph__buf_append(b, s + i, run - i);
            i = run;
            continue;
        }
        unsigned c = utf8_next(s, len, &i);
        const char *esc = c == '"'    ? "\\\""
                          : c == '\\' ? "\\\\"
                          : c == '\n' ? "\\n"
                          : c == '\r' ? "\\r"
                          : c == '\t' ? "\\t"
                          : c == '\b' ? "\\b"
                          : c == '\f' ? "\\f"
                                      : NULL;
        if (esc) {
            rc = ph__buf_append_str(b, esc);
        } else if (c > 0xffff) {
            c -= 0x10000;
            rc = put_u16(b, 0xd800 | (c >> 10));
            if (rc == 0)
                rc = put_u16(b, 0xdc00 | (c & 0x3ff));
        } else {
            rc = put_u16(b, c);
        }
    }
    return rc ? rc : ph__buf_append_char(b, '"');
}

static int put_zeros(ph_buf *b, int n) {
    int rc = 0;
    while (rc == 0 && n-- > 0)
        rc = ph__buf_append_char(b, '0');
    return rc;
}

/* Decimal digits and exponent of a positive double: d = 0.DIGITS * 10^(exp+1). */
typedef struct real_digits {
    char d[24];
    int n;
    int exp;
} real_digits;

/* Whether the digits, read back by strtod, give `x`. */
static int reads_back(const real_digits *r, double x) {
    char text[48];
    snprintf(text, sizeof(text), "%c.%.*se%d", r->d[0], r->n - 1, r->d + 1, r->exp);
    return strtod(text, NULL) == x;
}

/* Add `delta` (+1 or -1) to the last digit, carrying; keeps r->n digits. */
static void bump(real_digits *r, int delta) {
    int i = r->n - 1;
    while (i >= 0) {
        int v = r->d[i] - '0' + delta;
        if (v >= 0 && v <= 9) {
            r->d[i] = (char)('0' + v);
            break;
        }
        r->d[i--] = delta > 0 ? '0' : '9';
    }
    if (i < 0 && delta > 0) { /* 999 -> 1000: one more power of ten */
        r->d[0] = '1';
        r->exp++;
    } else if (r->d[0] == '0') { /* 1000 -> 0999: one fewer */
        memmove(r->d, r->d + 1, (size_t)r->n - 1);
        r->d[r->n - 1] = '9';
        r->exp--;
    }
}

/*
 * The shortest digits that read back as `x` (> 0), and among those the
 * closest to `x`: what Python's repr uses (David Gay's shortest mode). For
 * each length, the correctly rounded %e digits are the closest candidate;
 * when they miss (just above a power of two the interval of doubles that
 * round to `x` is narrower below than above), a neighbour one unit away in
 * the last digit may still hit.
 */
static void shortest_digits(double x, real_digits *r) {
    for (int n = 1; n <= 17; n++) {
        char tmp[40];
        snprintf(tmp, sizeof(tmp), "%.*e", n - 1, x);
        r->n = 0;
        const char *p = tmp;
        for (; *p && *p != 'e'; p++)
            if (*p != '.')
                r->d[r->n++] = *p;
        r->exp = (int)strtol(p + 1, NULL, 10);
        if (n == 17 || reads_back(r, x))
            break;
        real_digits up = *r, down = *r;
        bump(&up, +1);
        bump(&down, -1);
        if (reads_back(&up, x)) {
            *r = up;
            break;
        }
        if (reads_back(&down, x)) {
            *r = down;
            break;
        }
    }
    while (r->n > 1 && r->d[r->n - 1] == '0')
        r->n--;
}

/*
 * Python's repr(float): the shortest round-tripping digits, laid out in fixed
 * notation when the decimal exponent is in [-4, 16), else as d.ddde+XX with
 * at least two exponent digits.
 */
static int put_real(ph_buf *b, double d) {
    if (d == 0)
        return ph__buf_append_str(b, signbit(d) ? "-0.0" : "0.0");
    if (!isfinite(d)) /* jansson never holds these; Python would write NaN. */
        return PH_EINVAL;
    int neg = d < 0;
    real_digits r;
    shortest_digits(fabs(d), &r);
    const char *digits = r.d;
    size_t nd = (size_t)r.n;
    int exp = r.exp;
    int rc = neg ? ph__buf_append_char(b, '-') : 0;
    if (rc == 0 && (exp < -4 || exp >= 16)) {
        rc = ph__buf_append(b, digits, 1);
        if (rc == 0 && nd > 1)
            rc = ph__buf_printf(b, ".%.*s", (int)nd - 1, digits + 1);
        return rc ? rc : ph__buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    }
    int point = exp + 1; /* digits before the decimal point */
    if (rc == 0 && point <= 0) {
        rc = ph__buf_append_str(b, "0.");
        if (rc == 0)
            rc = put_zeros(b, -point);
        if (rc == 0)
            rc = ph__buf_append(b, digits, nd);
    } else if (rc == 0 && (size_t)point >= nd) {
        rc = ph__buf_append(b, digits, nd);
        if (rc == 0)
            rc = put_zeros(b, point - (int)nd);
        if (rc == 0)
            rc = ph__buf_append_str(b, ".0");
    } else if (rc == 0) {
        rc = ph__buf_printf(b, "%.*s.%.*s", point, digits, (int)nd - point, digits + point);
    }
    return rc;
}

static int put_value(ph_buf *b, const json_t *v, int flags, int depth);

static int cmp_keys(const void *a, const void *b) {
    const ph_slice *x = a, *y = b;
    int c = memcmp(x->ptr, y->ptr, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* {" di":{"<key>__":<value>}}: TagDict's escape of a colliding one-key object. */
static int put_escaped_dict(ph_buf *b, const char *key, size_t klen, const json_t *v, int flags,
                            int depth) {
    if (depth + 2 > PH_TAGGED_JSON_MAX_DEPTH)
        return PH_ETOOBIG;
    int rc = ph__buf_append_str(b, "{\" di\":{");
    if (rc == 0)
        rc = put_string(b, key, klen);
    if (rc == 0) {
        b->len--; /* reopen the string to add the suffix */
        rc = ph__buf_append_str(b, "__\":");
    }
    if (rc == 0)
        rc = put_value(b, v, flags, depth + 2);
    return rc ? rc : ph__buf_append_str(b, "}}");
}

static int put_object(ph_buf *b, const json_t *obj, int flags, int depth) {
    size_t n = json_object_size(obj);
    if (n == 0)
        return ph__buf_append_str(b, "{}");
    const char *key;
    size_t klen;
    json_t *v;
    if (n == 1 && !(flags & PH_TAGGED_JSON_KEEP)) {
        json_object_keylen_foreach((json_t *)obj, key, klen, v) {
            if (ph__tagged_json_is_tag(key, klen))
                return put_escaped_dict(b, key, klen, v, flags, depth);
        }
    }
    ph_slice *keys = ph__malloc(n * sizeof(*keys));
    if (!keys)
        return PH_ENOMEM;
    size_t i = 0;
    json_object_keylen_foreach((json_t *)obj, key, klen, v) { keys[i++] = (ph_slice){key, klen}; }
    qsort(keys, n, sizeof(*keys), cmp_keys);
    int rc = ph__buf_append_char(b, '{');
    for (i = 0; rc == 0 && i < n; i++) {
        if (i)
            rc = ph__buf_append_char(b, ',');
        if (rc == 0)
            rc = put_string(b, keys[i].ptr, keys[i].len);
        if (rc == 0)
            rc = ph__buf_append_char(b, ':');
        if (rc == 0)
            rc = put_value(b, json_object_getn(obj, keys[i].ptr, keys[i].len), flags, depth);
    }
    ph__free(keys);
    return rc ? rc : ph__buf_append_char(b, '}');
}

/* `depth` counts the containers already open around `v`. */
static int put_value(ph_buf *b, const json_t *v, int flags, int depth) {
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (depth + 1 > PH_TAGGED_JSON_MAX_DEPTH)
            return PH_ETOOBIG;
        return put_object(b, v, flags, depth + 1);
    case JSON_ARRAY: {
        if (depth + 1 > PH_TAGGED_JSON_MAX_DEPTH)
            return PH_ETOOBIG;
        int rc = ph__buf_append_char(b, '[');
        for (size_t i = 0; rc == 0 && i < json_array_size(v); i++) {
            if (i)
                rc = ph__buf_append_char(b, ',');
            if (rc == 0)
                rc = put_value(b, json_array_get(v, i), flags, depth + 1);
        }
        return rc ? rc : ph__buf_append_char(b, ']');
    }
    case JSON_STRING:
        return put_string(b, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        return ph__buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    case JSON_REAL:
        return put_real(b, json_real_value(v));
    case JSON_TRUE:
        return ph__buf_append_str(b, "true");
    case JSON_FALSE:
        return ph__buf_append_str(b, "false");
    case JSON_NULL:
        return ph__buf_append_str(b, "null");
    }
    return PH_EINVAL;
}

int ph__tagged_json_dumps(const json_t *value, int flags, ph_buf *out) {
    if (!value)
        return PH_EINVAL;
    return put_value(out, value, flags, 0);
}

/* ---- Reading ---------------------------------------------------------- */


/* tuple(value): an array stays; a string gives its characters; an object its keys. */
static json_t *as_tuple(json_t *p) {
    if (json_is_array(p))
        return json_incref(p);
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    if (json_is_string(p)) {
        const char *s = json_string_value(p);
        size_t len = json_string_length(p);
        for (size_t i = 0; i < len;) {
            size_t start = i;
            utf8_next((const unsigned char *)s, len, &i);
            if (json_array_append_new(arr, json_stringn(s + start, i - start)) < 0)
                goto fail;
        }
        return arr;
    }
    const char *key;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(p, key, klen, v) {
        if (json_array_append_new(arr, json_stringn(key, klen)) < 0)
            goto fail;
    }
    return arr;
fail:
    json_decref(arr);
    return NULL;
}

/* UUID(value) for the forms Python accepts in practice, as "8-4-4-4-12". */
static json_t *as_uuid(const char *s, size_t len, int *err) {
    char hex[33];
    size_t n = 0;
    /* Strip "urn:uuid:" and braces at the ends; hyphens anywhere. */
    if (len >= 9 && memcmp(s, "urn:uuid:", 9) == 0)
        s += 9, len -= 9;
    while (len && (*s == '{' || *s == '}'))
        s++, len--;
    while (len && (s[len - 1] == '{' || s[len - 1] == '}'))
        len--;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '-')
            continue;
        if (n == 32 ||
            !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return *err = PH_EPARSE, NULL;
        hex[n++] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    if (n != 32)
        return *err = PH_EPARSE, NULL;
    char out[37];
    snprintf(out, sizeof(out), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    json_t *r = json_string(out);
    if (!r)
        *err = PH_ENOMEM;
    return r;
}

/* {key[:-2]: value[key]} for the first key of `p`, as TagDict.to_python does. */
static json_t *as_dict(json_t *p, int *err) {
    void *it = json_is_object(p) ? json_object_iter(p) : NULL;
    if (!it)
        return *err = PH_EPARSE, NULL;
    const char *key = json_object_iter_key(it);
    size_t klen = json_object_iter_key_len(it);
    /* Drop the last two characters (code points, not bytes). */
    for (int k = 0; k < 2 && klen; k++) {
        klen--;
        while (klen && ((unsigned char)key[klen] & 0xc0) == 0x80)
            klen--;
    }
    json_t *obj = json_object();
    if (!obj || json_object_setn(obj, key, klen, json_object_iter_value(it)) < 0) {
        json_decref(obj);
        return *err = PH_ENOMEM, NULL;
    }
    return obj;
}

/* The value the tagged object {tag: p} stands for; NULL and *err on failure. */
static json_t *convert(const char *tag, json_t *p, int *err) {
    if (strcmp(tag, " di") == 0)
        return as_dict(p, err);
    if (strcmp(tag, " t") == 0) {
        if (!json_is_array(p) && !json_is_string(p) && !json_is_object(p))
            return *err = PH_EPARSE, NULL;
        json_t *r = as_tuple(p);
        if (!r)
            *err = PH_ENOMEM;
        return r;
    }
    if (!json_is_string(p))
        return *err = PH_EPARSE, NULL;
    const char *s = json_string_value(p);
    size_t len = json_string_length(p);
    if (strcmp(tag, " u") == 0)
        return as_uuid(s, len, err);
    if (strcmp(tag, " b") == 0) {
        char *tmp = ph__malloc(ph__base64_decoded_max(len));
        if (!tmp)
            return *err = PH_ENOMEM, NULL;
        long n = ph__base64_decode(tmp, s, len, PH_BASE64_STD);
        ph__free(tmp);
        if (n < 0)
            return *err = PH_EPARSE, NULL;
    }
    return json_incref(p); /* " b", " m", " d": the string itself */
}

/* Untag `v` bottom-up; takes the reference and returns the replacement. */
static json_t *walk(json_t *v, int flags, int *err) {
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            json_t *r = walk(json_incref(json_array_get(v, i)), flags, err);
            if (!r || json_array_set_new(v, i, r) < 0)
                goto fail;
        }
        return v;
    }
    if (!json_is_object(v))
        return v;
    for (void *it = json_object_iter(v); it; it = json_object_iter_next(v, it)) {
        json_t *r = walk(json_incref(json_object_iter_value(it)), flags, err);
        if (!r || json_object_iter_set_new(v, it, r) < 0)
            goto fail;
    }
    void *it = json_object_iter(v);
    if (json_object_size(v) != 1 ||
        !ph__tagged_json_is_tag(json_object_iter_key(it), json_object_iter_key_len(it)))
        return v;
    json_t *r = convert(json_object_iter_key(it), json_object_iter_value(it), err);
    if (!r)
        goto fail;
    if (flags & PH_TAGGED_JSON_KEEP) {
        json_decref(r);
        return v;
    }
    json_decref(v);
    return r;
fail:
    if (*err == 0)
        *err = PH_ENOMEM;
    json_decref(v);
    return NULL;
}

json_t *ph__tagged_json_loads(const char *text, size_t len, int flags, int *err) {
    int dummy;
    if (!err)
        err = &dummy;
    *err = 0;
    if (!ph__json_depth_ok(text, len, PH_TAGGED_JSON_MAX_DEPTH))
        return *err = PH_ETOOBIG, NULL;
    json_t *v = ph__json_load(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL, err);
    if (!v)
        return NULL;
    return walk(v, flags, err);
}
