/*
 * Decimal digits of an integer without printf: the server writes a status
 * code and a Content-Length into every response head, and the template
 * engine prints integers in the rows of a page. Two digits per division,
 * from a table.
 */
#ifndef PH_UTIL_DIGITS_H
#define PH_UTIL_DIGITS_H

#include <stdint.h>

/* "00" "01" ... "99" */
extern const char ph__digit_pairs[201];

/* The longest run ph__u64_digits writes. */
#define PH_U64_DIGITS 20

/* Write the decimal digits of u so that they end just before `end` (at
 * most PH_U64_DIGITS bytes before it); returns where they begin. */
static inline char *ph__u64_digits(char *end, uint64_t u) {
    char *p = end;
    while (u >= 100) {
        unsigned k = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = ph__digit_pairs[k + 1];
        *--p = ph__digit_pairs[k];
    }
    if (u >= 10) {
        *--p = ph__digit_pairs[u * 2 + 1];
        *--p = ph__digit_pairs[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    return p;
}

#endif
