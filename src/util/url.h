/*
 * Percent-decoding and percent-encoding (RFC 3986 section 2.1).
 *
 * Decoding follows Werkzeug's url_unquote: a '%' that is not followed by two
 * hex digits is kept literally, never an error. Paths decode without the
 * '+' rule; query strings and form bodies (application/x-www-form-urlencoded)
 * decode '+' to a space. Decoding reports whether the result holds a NUL byte
 * or a '/' or '\' that was percent-encoded, so the static-file layer can
 * refuse such paths.
 *
 * Encoding takes a caller-built set of bytes that stay as they are; every
 * other byte becomes %XX with upper-case hex, as Werkzeug's url_quote writes.
 */
#ifndef PH_UTIL_URL_H
#define PH_UTIL_URL_H

#include "arena.h"
#include "buf.h"
#include "phial/common.h"

#include <stddef.h>
#include <stdint.h>

/* Decoding flag: decode '+' to ' ' (query strings and form bodies). */
#define PH_URL_PLUS 1u

/* Decoding info bits (set in *info). */
#define PH_URL_HAS_NUL 1u       /* the result holds a NUL byte (raw or %00) */
#define PH_URL_HAS_SLASH 2u     /* an encoded '/' (%2F) was decoded */
#define PH_URL_HAS_BACKSLASH 4u /* an encoded '\' (%5C) was decoded */
#define PH_URL_DECODED 8u       /* at least one escape or '+' was decoded */

/*
 * Decode `len` bytes of `src` into `dst`, which must hold `len` bytes; `dst`
 * may equal `src` (decoding in place never grows the text). No terminator is
 * written. `flags` is 0 or PH_URL_PLUS. `info` may be NULL.
 *
 * Returns:  the decoded length (<= len).
 * Owns:     nothing.
 * Suspends: no.
 */
size_t ph__url_decode(char *dst, const char *src, size_t len, unsigned flags, unsigned *info);

/*
 * Decode into the arena: a NUL-terminated copy (the decoded bytes may hold
 * NULs themselves; use *out_len). `out_len` and `info` may be NULL.
 *
 * Returns:  the copy; NULL when the arena is out of memory.
 * Owns:     the copy belongs to the arena.
 * Suspends: no.
 */
char *ph__url_decode_arena(ph_arena *a, const char *src, size_t len, unsigned flags,
                           size_t *out_len, unsigned *info);

/* A set of bytes that encoding leaves as they are: one bit per byte value. */
typedef struct ph_url_safe {
    uint32_t bits[8];
} ph_url_safe;

/* The RFC 3986 sub-delimiters that Werkzeug's url_quote always keeps. */
#define PH_URL_WERKZEUG_SAFE "$!'()*+,;"

/*
 * Start a safe set with the unreserved bytes (ALPHA DIGIT - . _ ~) plus
 * every byte of the NUL-terminated `extra` (may be NULL). Werkzeug's
 * url_quote(s, safe="/:") is ph__url_safe_init(&s, PH_URL_WERKZEUG_SAFE "/:").
 */
void ph__url_safe_init(ph_url_safe *s, const char *extra);

/* Add or remove the bytes of the NUL-terminated `chars`. */
void ph__url_safe_add(ph_url_safe *s, const char *chars);
void ph__url_safe_remove(ph_url_safe *s, const char *chars);

/*
 * Percent-encode `len` bytes of `src`, appending to `out`. Bytes in `safe`
 * are copied; the rest become %XX. With PH_URL_PLUS a space becomes '+' and
 * '+' is always encoded (Werkzeug's url_quote_plus / url_encode).
 *
 * Returns:  the number of bytes appended; PH_ENOMEM; PH_ETOOBIG when `out`
 *           would pass its maximum (then `out` is unchanged).
 * Owns:     nothing.
 * Suspends: no.
 */
ptrdiff_t ph__url_encode(ph_buf *out, const char *src, size_t len, const ph_url_safe *safe,
                         unsigned flags);

/* The length ph__url_encode would produce. */
size_t ph__url_encoded_len(const char *src, size_t len, const ph_url_safe *safe, unsigned flags);

/*
 * Percent-encode into the arena: a NUL-terminated copy. `out_len` may be NULL.
 *
 * Returns:  the copy; NULL when the arena is out of memory.
 * Owns:     the copy belongs to the arena.
 * Suspends: no.
 */
char *ph__url_encode_arena(ph_arena *a, const char *src, size_t len, const ph_url_safe *safe,
                           unsigned flags, size_t *out_len);

#endif
