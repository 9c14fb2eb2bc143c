/*
 * HTML escaping, one escaper for the whole library: the template engine's
 * autoescaping (the hot path of a rendered page) and the pages the framework
 * writes itself (error pages, redirects, the debug page).
 */
#include "html.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Markup escaping as markupsafe does it: the five special bytes and what
 * they become (entries padded to eight bytes, so one fixed-size copy writes
 * any of them and the length says how far to advance). */
static const unsigned char escape_index[256] = {
    ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4, ['\''] = 5,
};
static const char entity[6][8] = {"", "&amp;", "&lt;", "&gt;", "&#34;", "&#39;"};
static const unsigned char entity_len[6] = {0, 5, 4, 4, 5, 5};

static int escape_slow(ph_buf *b, const char *s, size_t n) {
    size_t start = 0;
    int rc;
    for (size_t i = 0; i < n; i++) {
        unsigned k = escape_index[(unsigned char)s[i]];
        if (!k)
            continue;
        if ((rc = ph__buf_append(b, s + start, i - start)) < 0 ||
            (rc = ph__buf_append(b, entity[k], entity_len[k])) < 0)
            return rc;
        start = i + 1;
    }
    return ph__buf_append(b, s + start, n - start);
}

/*
 * Escape into the buffer: reserve the worst case (every byte becomes five,
 * plus slack for the fixed-size stores) and write directly; near the
 * buffer's limit fall back to piecewise appends. Entities are written by
 * table, not by a branch per character: markup-dense text (short fields
 * full of quotes and brackets) would otherwise mispredict on every one.
 */
int ph__html_escape_n(ph_buf *b, const char *s, size_t n) {
    if (n > (SIZE_MAX / 8) || ph__buf_reserve(b, n * 5 + 16) < 0)
        return escape_slow(b, s, n);
    char *d = b->data + b->len;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                  dq = _mm_set1_epi8('"'), sq = _mm_set1_epi8('\'');
    /* sixteen bytes at a time: store them all (there is room), keep the
     * clean run up to the first special byte, write its entity, go on after it */
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, dq))),
            _mm_cmpeq_epi8(v, sq));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        _mm_storeu_si128((__m128i *)(void *)d, v);
        if (!mask) {
            d += 16;
            i += 16;
            continue;
        }
        if (i + 32 > n) {
            /* near the end: only the first hit, then look again after it */
            unsigned clean = (unsigned)__builtin_ctz(mask);
            d += clean;
            i += clean;
            unsigned k = escape_index[(unsigned char)s[i++]];
            memcpy(d, entity[k], 8);
            d += entity_len[k];
            continue;
        }
        /* every hit of the block from its mask, without looking again: each
         * clean run is copied sixteen bytes at a time (the input goes on for
         * at least sixteen more bytes, and the output has room) */
        unsigned pos = 0;
        do {
            unsigned at = (unsigned)__builtin_ctz(mask);
            mask &= mask - 1;
            _mm_storeu_si128((__m128i *)(void *)d,
                             _mm_loadu_si128((const __m128i *)(const void *)(s + i + pos)));
            d += at - pos;
            unsigned k = escape_index[(unsigned char)s[i + at]];
            memcpy(d, entity[k], 8);
            d += entity_len[k];
            pos = at + 1;
        } while (mask);
        _mm_storeu_si128((__m128i *)(void *)d,
                         _mm_loadu_si128((const __m128i *)(const void *)(s + i + pos)));
        d += 16 - pos;
        i += 16;
    }
#endif
    while (i < n) {
        unsigned char c = (unsigned char)s[i++];
        unsigned k = escape_index[c];
        if (!k) {
            *d++ = (char)c;
            continue;
        }
        memcpy(d, entity[k], 8);
        d += entity_len[k];
    }
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
    return 0;
}

int ph__html_escape(ph_buf *b, const char *s, int br) {
    if (!br)
        return ph__html_escape_n(b, s, strlen(s));
    int rc = 0;
    for (const char *nl; rc == 0 && (nl = strchr(s, '\n')); s = nl + 1)
        if ((rc = ph__html_escape_n(b, s, (size_t)(nl - s))) == 0)
            rc = ph__buf_append(b, "<br>", 4);
    return rc ? rc : ph__html_escape_n(b, s, strlen(s));
}
