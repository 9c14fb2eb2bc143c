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
#include <stdint.h>

/* Whether s[0..n) is well-formed UTF-8 (no surrogates, no overlongs). */
bool ph__utf8_valid(const char *s, size_t n);

/*
 * Checking text that arrives in pieces (a websocket message, frame by
 * frame): the state carries a character split between two pieces. Zero it
 * before the first piece.
 */
typedef struct ph__utf8_stream {
    uint8_t need;   /* continuation bytes still expected */
    uint8_t lo, hi; /* the range the next continuation byte must fall in */
} ph__utf8_stream;

/*
 * Check the next piece s[0..n). A piece that ends inside a character is
 * fine: the next piece must complete it. Fails as soon as a byte cannot
 * belong to well-formed UTF-8, so a sender of bad text is found early.
 *
 * Returns:  true while everything fed so far can be the start of
 *           well-formed text; false at the first byte that cannot.
 * Suspends: no.
 */
bool ph__utf8_stream_feed(ph__utf8_stream *st, const char *s, size_t n);

/* Whether the text fed so far ends on a character boundary. Suspends: no. */
static inline bool ph__utf8_stream_complete(const ph__utf8_stream *st) { return st->need == 0; }

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
