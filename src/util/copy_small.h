/*
 * Copying a few bytes without a library call: most pieces of a page (a
 * number, a tag between two prints, the clean run between two escaped
 * characters) are a handful of bytes, for which a call to memcpy costs more
 * than the copy.
 */
#ifndef PH_UTIL_COPY_SMALL_H
#define PH_UTIL_COPY_SMALL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Copy n <= 16 bytes with a few fixed-size moves (overlapping when n is not
 * a power of two). Reads and writes stay within the n bytes. */
static inline void ph__copy_small(char *d, const char *s, size_t n) {
    if (n >= 8) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &z, 8);
    } else if (n >= 4) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &z, 4);
    } else if (n) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

#endif
