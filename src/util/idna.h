/*
 * Domain names with letters outside ASCII, as Werkzeug puts them into a
 * redirect's Location (Python's "idna" codec, IDNA 2003): each label that
 * is not ASCII becomes "xn--" and its Punycode (RFC 3492). Of nameprep's
 * mappings only lowercasing ASCII and Latin-1 letters is done: write other
 * hosts in lowercase NFC, as domain names are registered.
 */
#ifndef PH_UTIL_IDNA_H
#define PH_UTIL_IDNA_H

#include "arena.h"

#include <stddef.h>

/*
 * The ASCII form of the host name s[0..n) (UTF-8), labels split at '.'.
 *
 * Returns:  a NUL-terminated string from `a` (s copied when all ASCII), its
 *           length in *outlen; NULL for ill-formed UTF-8, a label whose
 *           ASCII form is over 63 bytes (Python raises UnicodeError), or
 *           when out of memory.
 * Suspends: no.
 */
char *ph__idna_encode(ph_arena *a, const char *s, size_t n, size_t *outlen);

#endif
