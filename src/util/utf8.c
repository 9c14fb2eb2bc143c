/*
 * UTF-8 well-formedness after Unicode's table 3-7, and the replacement of
 * ill-formed input the way Python's "replace" error handler does it: one
 * U+FFFD for each maximal subpart (a valid lead byte and the continuation
 * bytes that fit it, up to the first that does not), one for any other
 * byte.
 */
#include "utf8.h"

#include <stdint.h>
#include <string.h>

/* The length of the well-formed character at s, or 0 with *bad the length
 * of the maximal subpart to replace. */
static size_t char_at(const unsigned char *s, size_t n, size_t *bad) {
    unsigned char b = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (b < 0x80)
        return 1;
    if (b >= 0xC2 && b <= 0xDF)
        need = 2;
    else if (b >= 0xE0 && b <= 0xEF) {
        need = 3;
        if (b == 0xE0)
            lo = 0xA0; /* overlong below */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates above */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4;
        if (b == 0xF0)
            lo = 0x90; /* overlong below */
        else if (b == 0xF4)
            hi = 0x8F; /* past U+10FFFF above */
    } else {
        *bad = 1; /* a continuation byte alone, C0, C1, F5-FF */
        return 0;
    }
    size_t i = 1;
    if (i < n && s[i] >= lo && s[i] <= hi) {
        for (i = 2; i < need && i < n && (s[i] & 0xC0) == 0x80; i++)
            ;
    }
    if (i == need)
        return need;
    *bad = i;
    return 0;
}

/* Bytes at the front of s that are ASCII, eight at a time. */
static size_t ascii_run(const char *s, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    while (i < n && !((unsigned char)s[i] & 0x80))
        i++;
    return i;
}

bool ph__utf8_valid(const char *s, size_t n) {
    size_t i = 0, bad;
    while ((i += ascii_run(s + i, n - i)) < n) {
        size_t k = char_at((const unsigned char *)s + i, n - i, &bad);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

bool ph__utf8_stream_feed(ph__utf8_stream *st, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (st->need == 0) {
            i += ascii_run(s + i, n - i);
            if (i == n)
                break;
            unsigned char b = p[i++];
            st->lo = 0x80;
            st->hi = 0xBF;
            if (b >= 0xC2 && b <= 0xDF)
                st->need = 1;
            else if (b >= 0xE0 && b <= 0xEF)
                st->need = 2;
            else if (b >= 0xF0 && b <= 0xF4)
                st->need = 3;
            else
                return false;
            /* The same narrowed second-byte ranges as char_at(). */
            if (b == 0xE0)
                st->lo = 0xA0;
            else if (b == 0xED)
                st->hi = 0x9F;
            else if (b == 0xF0)
                st->lo = 0x90;
            else if (b == 0xF4)
                st->hi = 0x8F;
            continue;
        }
        unsigned char b = p[i++];
        if (b < st->lo || b > st->hi)
            return false;
        st->need--;
        st->lo = 0x80;
        st->hi = 0xBF;
    }
    return true;
}

const char *ph__utf8_text(ph_arena *a, const char *s, size_t n, size_t *outlen) {
    if (ph__utf8_valid(s, n)) {
        *outlen = n;
        return s;
    }
    /* each replaced byte becomes at most three */
    if (n > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = ph__arena_alloc(a, n * 3 + 1), *d = out;
    if (!out)
        return NULL;
    size_t i = 0, bad;
    while (i < n) {
        size_t k = char_at((const unsigned char *)s + i, n - i, &bad);
        if (k) {
            memcpy(d, s + i, k);
            d += k;
            i += k;
        } else {
            memcpy(d, "\xEF\xBF\xBD", 3);
            d += 3;
            i += bad;
        }
    }
    *d = '\0';
    *outlen = (size_t)(d - out);
    return out;
}
