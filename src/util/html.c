/*
 * HTML escaping, one escaper for the whole library: the template engine's
 * autoescaping (the hot path of a rendered page) and the pages the framework
 * writes itself (error pages, redirects, the debug page).
 */
#include "html.h"
#include "copy_small.h"

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

#ifdef __SSE2__
/* One bit per byte of v that is one of the five special bytes. */
static inline unsigned special_bytes(__m128i v, __m128i amp, __m128i lt, __m128i gt, __m128i dq,
                                     __m128i sq) {
    __m128i hit = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, dq))),
        _mm_cmpeq_epi8(v, sq));
    return (unsigned)_mm_movemask_epi8(hit);
}

/* w (4 or 8) bytes at s in the low lane of a vector, the rest zero. */
static inline __m128i load_low(const char *s, int w) {
    if (w == 8) {
        uint64_t x;
        memcpy(&x, s, 8);
        return _mm_cvtsi64_si128((long long)x);
    }
    uint32_t x;
    memcpy(&x, s, 4);
    return _mm_cvtsi32_si128((int)x);
}

/* The len <= 16 bytes at s, whose special bytes are the set bits of mask,
 * escaped to d without reading past s + len; returns the new end of d. */
static inline char *escape_hits(char *d, const char *s, unsigned mask, unsigned len) {
    unsigned pos = 0;
    while (mask) {
        unsigned at = (unsigned)__builtin_ctz(mask);
        mask &= mask - 1;
        ph__copy_small(d, s + pos, at - pos);
        d += at - pos;
        unsigned k = escape_index[(unsigned char)s[at]];
        memcpy(d, entity[k], 8);
        d += entity_len[k];
        pos = at + 1;
    }
    ph__copy_small(d, s + pos, len - pos);
    return d + (len - pos);
}
#endif

/*
 * Escape into the buffer: reserve the worst case (every byte becomes five,
 * plus slack for the fixed-size stores) and write directly; near the
 * buffer's limit fall back to piecewise appends. Entities are written by
 * table, not by a branch per character: markup-dense text (short fields
 * full of quotes and brackets) would otherwise mispredict on every one.
 * The special bytes are found sixteen at a time, the last few of a string
 * and short strings (a field of a table row) included: only strings of
 * fewer than four bytes, and builds without SSE2, go a byte at a time.
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
        unsigned mask = special_bytes(v, amp, lt, gt, dq, sq);
        _mm_storeu_si128((__m128i *)(void *)d, v);
        if (!mask) {
            d += 16;
            i += 16;
            continue;
        }
        if (i + 32 > n) {
            /* the input may end within sixteen bytes: copy exactly */
            d = escape_hits(d, s + i, mask, 16);
            i += 16;
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
    if (i < n && n >= 4) {
        /* the last n - i < 16 bytes, without a loop per byte: from the
         * string's last sixteen bytes (leaving out those already written),
         * or for a short string from two loads that overlap in its middle */
        size_t rest = n - i;
        unsigned mask;
        if (n >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
            mask = special_bytes(v, amp, lt, gt, dq, sq) >> (16 - rest);
        } else {
            int w = n >= 8 ? 8 : 4;
            __m128i v = w == 8 ? _mm_unpacklo_epi64(load_low(s, 8), load_low(s + n - 8, 8))
                               : _mm_unpacklo_epi32(load_low(s, 4), load_low(s + n - 4, 4));
            unsigned m = special_bytes(v, amp, lt, gt, dq, sq);
            mask = (m & ((1u << w) - 1)) | ((m >> w) & ((1u << w) - 1)) << (n - (size_t)w);
        }
        d = escape_hits(d, s + i, mask, (unsigned)rest);
        i = n;
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
