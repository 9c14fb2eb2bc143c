/*
 * Percent-decoding and percent-encoding of URL pieces.
 *
 * Decoding copies runs of plain bytes with memchr-driven spans and turns each
 * valid %XX into one byte; an invalid escape ("%", "%4", "%zz") is kept as it
 * is, which is what Werkzeug's url_unquote does (werkzeug/urls.py,
 * _unquote_to_bytes). The optional '+' rule is the one of
 * application/x-www-form-urlencoded (WHATWG URL, section 5.1). Decoding never
 * fails and never grows the text, so it can run in place.
 *
 * Encoding looks each byte up in a 256-bit safe set; it does not know about
 * URL components, so the caller picks the set (RFC 3986 section 2).
 *
 * Not here: parsing a whole URL, IDNA, charset conversion.
 */
#include "url.h"

#include "phial/common.h"

#include <string.h>

/* clang-format off */
static const int8_t hexval[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};
/* clang-format on */

static const char hexdigits[16] = "0123456789ABCDEF";

size_t ph__url_decode(char *dst, const char *src, size_t len, unsigned flags, unsigned *info) {
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;
    unsigned inf = 0;
    int plus = (flags & PH_URL_PLUS) != 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c == '%') {
            if (len - i >= 3) {
                int hi = hexval[s[i + 1]], lo = hexval[s[i + 2]];
                if ((hi | lo) >= 0) {
                    unsigned char b = (unsigned char)(hi << 4 | lo);
                    if (b == 0)
                        inf |= PH_URL_HAS_NUL;
                    else if (b == '/')
                        inf |= PH_URL_HAS_SLASH;
                    else if (b == '\\')
                        inf |= PH_URL_HAS_BACKSLASH;
                    inf |= PH_URL_DECODED;
                    dst[o++] = (char)b;
                    i += 3;
                    continue;
                }
            }
            dst[o++] = '%';
            i++;
        } else if (c == '+' && plus) {
            dst[o++] = ' ';
            inf |= PH_URL_DECODED;
            i++;
        } else {
            if (c == 0)
                inf |= PH_URL_HAS_NUL;
            dst[o++] = (char)c;
            i++;
        }
    }
    if (info)
        *info = inf;
    return o;
}

char *ph__url_decode_arena(ph_arena *a, const char *src, size_t len, unsigned flags,
                           size_t *out_len, unsigned *info) {
    char *d = ph__arena_alloc(a, len + 1);
    if (!d)
        return NULL;
    size_t n = ph__url_decode(d, src, len, flags, info);
    d[n] = '\0';
    if (out_len)
        *out_len = n;
    return d;
}

static void safe_set(ph_url_safe *s, unsigned char c) { s->bits[c >> 5] |= 1u << (c & 31); }

static int is_safe(const ph_url_safe *s, unsigned char c) {
    return (s->bits[c >> 5] >> (c & 31)) & 1u;
}

void ph__url_safe_add(ph_url_safe *s, const char *chars) {
    for (; chars && *chars; chars++)
        safe_set(s, (unsigned char)*chars);
}

void ph__url_safe_remove(ph_url_safe *s, const char *chars) {
    for (; chars && *chars; chars++) {
        unsigned char c = (unsigned char)*chars;
        s->bits[c >> 5] &= ~(1u << (c & 31));
    }
}

void ph__url_safe_init(ph_url_safe *s, const char *extra) {
    memset(s, 0, sizeof(*s));
    ph__url_safe_add(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~");
    ph__url_safe_add(s, extra);
}

/* Whether byte `c` is copied as it is under `flags`. */
static int keeps(const ph_url_safe *safe, unsigned flags, unsigned char c) {
    if (flags & PH_URL_PLUS) {
        if (c == '+')
            return 0;
        if (c == ' ')
            return 1;
    }
    return is_safe(safe, c);
}

size_t ph__url_encoded_len(const char *src, size_t len, const ph_url_safe *safe, unsigned flags) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += keeps(safe, flags, (unsigned char)src[i]) ? 1 : 3;
    return n;
}

/* Encode into `d`, which holds ph__url_encoded_len bytes. */
static void encode_into(char *d, const char *src, size_t len, const ph_url_safe *safe,
                        unsigned flags) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (keeps(safe, flags, c)) {
            *d++ = (c == ' ' && (flags & PH_URL_PLUS)) ? '+' : (char)c;
        } else {
            *d++ = '%';
            *d++ = hexdigits[c >> 4];
            *d++ = hexdigits[c & 15];
        }
    }
}

ptrdiff_t ph__url_encode(ph_buf *out, const char *src, size_t len, const ph_url_safe *safe,
                         unsigned flags) {
    size_t n = ph__url_encoded_len(src, len, safe, flags);
    int rc = ph__buf_reserve(out, n);
    if (rc < 0)
        return rc;
    encode_into(out->data + out->len, src, len, safe, flags);
    out->len += n;
    out->data[out->len] = '\0';
    return (ptrdiff_t)n;
}

char *ph__url_encode_arena(ph_arena *a, const char *src, size_t len, const ph_url_safe *safe,
                           unsigned flags, size_t *out_len) {
    size_t n = ph__url_encoded_len(src, len, safe, flags);
    char *d = ph__arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    encode_into(d, src, len, safe, flags);
    d[n] = '\0';
    if (out_len)
        *out_len = n;
    return d;
}
