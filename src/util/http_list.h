/*
 * Comma-separated header lists as Werkzeug 2.2 reads them
 * (parse_list_header and parse_dict_header over Python's
 * urllib.request.parse_http_list): X-Forwarded-For, the parameters of a
 * Digest Authorization header. A quoted string may hold commas and
 * backslash escapes; each item is stripped of whitespace, and an item (or a
 * dict value) in quotes loses them.
 */
#ifndef PH_UTIL_HTTP_LIST_H
#define PH_UTIL_HTTP_LIST_H

#include "arena.h"
#include "phial/common.h"

#include <stddef.h>

/*
 * The items of the list s[0..n) (parse_list_header): empty items in the
 * middle count ("a,,b" is three), a trailing empty one does not.
 *
 * Returns:  the number of items, written to *items (an array from `a`,
 *           each item NUL-terminated); PH_ENOMEM.
 * Suspends: no.
 */
long ph__http_list_parse(ph_arena *a, const char *s, size_t n, ph_slice **items);

/*
 * The key=value pairs of the list s[0..n) (parse_dict_header), in order; a
 * key given twice keeps its last value, and a key without '=' has a NULL
 * value. Keys are kept as written (not stripped around '=').
 *
 * Returns:  the number of pairs, written to *keys and *values (arrays from
 *           `a`); PH_ENOMEM.
 * Suspends: no.
 */
long ph__http_dict_parse(ph_arena *a, const char *s, size_t n, ph_slice **keys,
                         ph_slice **values);

#endif
