/*
 * Bytes from the client as text. Werkzeug decodes the path, query
 * arguments, form fields and cookies as UTF-8 with errors="replace", so a
 * Flask view always holds a valid str; phial's views get the same bytes
 * that str would encode to, valid UTF-8 that jansson and templates take.
 */
#ifndef PH_UTIL_UTF8_H
#define PH_UTIL_UTF8_H

#include "arena.h"

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..n) is well-formed UTF-8 (no surrogates, no overlongs). */
bool ph__utf8_valid(const char *s, size_t n);

/*
 * s[0..n) with every maximal ill-formed subsequence replaced by U+FFFD, as
 * Python's bytes.decode("utf-8", "replace") does (so "\xED\xA0\x80", a
 * surrogate, is three of them; a truncated "\xE2\x82" is one).
 *
 * Returns:  s itself when it is well-formed (no copy), else a
 *           NUL-terminated copy from `a`; *outlen is its length. NULL when
 *           out of memory.
 * Suspends: no.
 */
const char *ph__utf8_text(ph_arena *a, const char *s, size_t n, size_t *outlen);

#endif
