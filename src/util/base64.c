/*
 * Base64 encoding and strict decoding in the standard and URL-safe alphabets.
 *
 * This module converts bytes to text and back; it does not allocate, and it
 * knows nothing of what the bytes mean (signatures, compressed payloads).
 * The URL-safe form drops the padding, exactly as itsdangerous's
 * base64_encode does (urlsafe_b64encode(...).rstrip(b"=")).
 *
 * References: RFC 4648 sections 4 and 5; itsdangerous encoding.py.
 */
#include "base64.h"

#include "phial/common.h"

#include <stdint.h>

static const char std_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t ph__base64_encoded_len(size_t n, ph_base64_alphabet alpha) {
    if (n > (SIZE_MAX / 4) * 3 - 3)
        return SIZE_MAX;
    if (alpha == PH_BASE64_STD)
        return (n + 2) / 3 * 4;
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t ph__base64_encode(char *dst, const void *src, size_t n, ph_base64_alphabet alpha) {
    const char *chars = alpha == PH_BASE64_STD ? std_chars : url_chars;
    const unsigned char *s = src;
    char *d = dst;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        *d++ = chars[v >> 18];
        *d++ = chars[(v >> 12) & 63];
        *d++ = chars[(v >> 6) & 63];
        *d++ = chars[v & 63];
    }
    size_t rest = n - i;
    if (rest) {
        uint32_t v = (uint32_t)s[i] << 16 | (rest == 2 ? (uint32_t)s[i + 1] << 8 : 0);
        *d++ = chars[v >> 18];
        *d++ = chars[(v >> 12) & 63];
        if (rest == 2)
            *d++ = chars[(v >> 6) & 63];
        if (alpha == PH_BASE64_STD) {
            if (rest == 1)
                *d++ = '=';
            *d++ = '=';
        }
    }
    return (size_t)(d - dst);
}

size_t ph__base64_decoded_max(size_t n) { return n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0); }

/* The 6-bit value of `c`, or -1 when `c` is not in the alphabet. */
static int sextet(unsigned char c, ph_base64_alphabet alpha) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (alpha == PH_BASE64_STD)
        return c == '+' ? 62 : c == '/' ? 63 : -1;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

long ph__base64_decode(void *dst, const char *src, size_t n, ph_base64_alphabet alpha) {
    if (alpha == PH_BASE64_STD) {
        /* Padding: a multiple of 4, with at most two '=' at the very end. */
        if (n % 4)
            return PH_EPARSE;
        if (n && src[n - 1] == '=')
            n -= src[n - 2] == '=' ? 2 : 1;
    }
    if (n % 4 == 1)
        return PH_EPARSE;
    unsigned char *d = dst;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = sextet((unsigned char)src[i], alpha);
        if (v < 0)
            return PH_EPARSE;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *d++ = (unsigned char)(acc >> bits);
        }
    }
    /* Leftover bits (2 or 4) must be zero, or two texts would decode alike. */
    if (bits && (acc & ((1u << bits) - 1)))
        return PH_EPARSE;
    return (long)(d - (unsigned char *)dst);
}

long ph__base64_decode_lenient(void *dst, const char *src, size_t n) {
    unsigned char *d = dst;
    uint32_t acc = 0;
    int quad = 0, pads = 0; /* characters of the group so far; '=' after two or more */
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '=') {
            if (quad >= 2 && quad + ++pads >= 4) {
                /* the group's whole bytes (its last bits are dropped) */
                if (quad == 2) {
                    *d++ = (unsigned char)(acc >> 4);
                } else {
                    *d++ = (unsigned char)(acc >> 10);
                    *d++ = (unsigned char)(acc >> 2);
                }
                return (long)(d - (unsigned char *)dst);
            }
            continue;
        }
        int v = sextet((unsigned char)src[i], PH_BASE64_STD);
        if (v < 0)
            continue;
        pads = 0;
        acc = acc << 6 | (uint32_t)v;
        if (++quad == 4) {
            *d++ = (unsigned char)(acc >> 16);
            *d++ = (unsigned char)(acc >> 8);
            *d++ = (unsigned char)acc;
            acc = 0;
            quad = 0;
        }
    }
    if (quad)
        return PH_EPARSE;
    return (long)(d - (unsigned char *)dst);
}
