/*
 * Query strings and application/x-www-form-urlencoded bodies.
 *
 * The syntax is Werkzeug 2.2's url_decode: pairs split on '&' only (';' is
 * an ordinary byte), empty pairs are skipped, a pair without '=' has an empty
 * value, names and values are percent-decoded with '+' as a space and
 * invalid escapes kept literally. Both are kept as raw bytes (no charset
 * decoding); the framework decides what to do with invalid UTF-8.
 */
#ifndef PH_UTIL_QUERY_H
#define PH_UTIL_QUERY_H

#include "multidict.h"

#include <stddef.h>

#define PH_QUERY_DEFAULT_MAX_FIELDS 1000
#define PH_QUERY_DEFAULT_MAX_SIZE (1024 * 1024)

/* Limits; zero means the default above, SIZE_MAX means none. */
typedef struct ph_query_limits {
    size_t max_fields; /* most (name, value) pairs */
    size_t max_size;   /* most input bytes */
} ph_query_limits;

/*
 * Parse `len` bytes of `s` (without the leading '?') and append each pair,
 * decoded, to `out` (whose arena holds the copies). `lim` may be NULL for the
 * defaults.
 *
 * Returns:  `len` (bytes consumed: the input is always complete);
 *           PH_ETOOBIG over a limit (the framework answers 413);
 *           PH_ENOMEM. On failure `out` is as it was before the call.
 * Owns:     copies what it keeps into out's arena.
 * Suspends: no.
 */
ptrdiff_t ph__query_parse(ph_multidict *out, const char *s, size_t len, const ph_query_limits *lim);

#endif
