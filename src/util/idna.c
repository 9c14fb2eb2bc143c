/*
 * Punycode after RFC 3492 section 6.3, with its parameters for IDNA
 * (section 5), applied label by label.
 */
#include "idna.h"
#include "utf8.h"

#include <stdint.h>
#include <string.h>

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700, INITIAL_BIAS = 72,
       INITIAL_N = 128, MAX_LABEL = 63 };

static uint32_t adapt(uint32_t delta, uint32_t points, int first) {
    delta = first ? delta / DAMP : delta / 2;
    delta += delta / points;
    uint32_t k = 0;
    while (delta > ((BASE - TMIN) * TMAX) / 2) {
        delta /= BASE - TMIN;
        k += BASE;
    }
    return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static char digit(uint32_t d) { return (char)(d < 26 ? 'a' + d : '0' + d - 26); }

/* The code points of a well-formed UTF-8 label (at most cap of them);
 * returns the count, or cap + 1 when there are more. */
static size_t code_points(const unsigned char *s, size_t n, uint32_t *cp, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; i < n; k++) {
        unsigned char b = s[i];
        size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        uint32_t c = len == 1 ? b : b & (0x7F >> len);
        for (size_t j = 1; j < len; j++)
            c = c << 6 | (s[i + j] & 0x3F);
        if (k == cap)
            return cap + 1;
        /* nameprep's case folding, for ASCII and Latin-1 letters */
        cp[k] = (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ? c + 0x20 : c;
        i += len;
    }
    return k;
}

/* "xn--" and the Punycode of one label into out (room for MAX_LABEL + 1);
 * returns its length, 0 when it would be over MAX_LABEL bytes. */
static size_t punycode(const uint32_t *cp, size_t n, char *out) {
    size_t o = 0;
    memcpy(out, "xn--", 4);
    o = 4;
    for (size_t i = 0; i < n; i++)
        if (cp[i] < 0x80) {
            if (o >= MAX_LABEL)
                return 0;
            out[o++] = (char)cp[i];
        }
    size_t b = o - 4, h = b;
    if (b) {
        if (o >= MAX_LABEL)
            return 0;
        out[o++] = '-';
    }
    uint32_t next = INITIAL_N, delta = 0, bias = INITIAL_BIAS;
    while (h < n) {
        uint32_t m = UINT32_MAX;
        for (size_t i = 0; i < n; i++)
            if (cp[i] >= next && cp[i] < m)
                m = cp[i];
        /* a label of at most 63 bytes keeps delta far from overflowing */
        delta += (m - next) * (uint32_t)(h + 1);
        next = m;
        for (size_t i = 0; i < n; i++) {
            if (cp[i] < next)
                delta++;
            if (cp[i] != next)
                continue;
            uint32_t q = delta;
            for (uint32_t k = BASE;; k += BASE) {
                uint32_t t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias;
                if (q < t)
                    break;
                if (o >= MAX_LABEL)
                    return 0;
                out[o++] = digit(t + (q - t) % (BASE - t));
                q = (q - t) / (BASE - t);
            }
            if (o >= MAX_LABEL)
                return 0;
            out[o++] = digit(q);
            bias = adapt(delta, (uint32_t)(h + 1), h == b);
            delta = 0;
            h++;
        }
        delta++;
        next++;
    }
    return o;
}

char *ph__idna_encode(ph_arena *a, const char *s, size_t n, size_t *outlen) {
    if (!ph__utf8_valid(s, n))
        return NULL;
    /* each label grows to at most 63 bytes, each '.' stays */
    char *out = ph__arena_alloc(a, n * (MAX_LABEL + 1) + 1), *w = out;
    if (!out)
        return NULL;
    for (size_t start = 0; start <= n;) {
        const char *dot = memchr(s + start, '.', n - start);
        size_t end = dot ? (size_t)(dot - s) : n, len = end - start;
        int ascii = 1;
        for (size_t i = start; i < end; i++)
            ascii &= (unsigned char)s[i] < 0x80;
        if (ascii) {
            if (len > MAX_LABEL)
                return NULL; /* the codec checks ASCII labels of such a name too */
            memcpy(w, s + start, len);
            w += len;
        } else {
            uint32_t cp[MAX_LABEL + 1];
            size_t k = code_points((const unsigned char *)s + start, len, cp, MAX_LABEL);
            size_t m = k > MAX_LABEL ? 0 : punycode(cp, k, w);
            if (!m)
                return NULL;
            w += m;
        }
        if (!dot)
            break;
        *w++ = '.';
        start = end + 1;
    }
    *w = '\0';
    *outlen = (size_t)(w - out);
    return out;
}
