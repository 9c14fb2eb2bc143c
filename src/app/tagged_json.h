/*
 * Flask's TaggedJSONSerializer (flask/json/tag.py, Flask 2.2), the payload
 * format of Flask's cookie sessions: compact JSON, keys sorted, non-ASCII
 * escaped, with one-key objects " t" (tuple), " b" (bytes), " m" (Markup),
 * " u" (UUID), " d" (datetime) marking Python types that JSON lacks, and
 * " di" escaping a plain one-key object whose key collides with a tag.
 *
 * Two modes:
 *
 *  - plain (flags 0): values are ordinary JSON. Dumping writes exactly the
 *    bytes Flask writes for the same dict/list/str/int/float/bool/None,
 *    escaping colliding keys with " di". Loading maps each tagged value to
 *    the nearest JSON type:
 *        " t" tuple     -> array
 *        " b" bytes     -> string: the base64 text as Flask stored it
 *                          (standard alphabet, padded), checked to decode
 *        " m" Markup    -> string: the markup text
 *        " u" UUID      -> string: canonical "8-4-4-4-12" lowercase hex
 *        " d" datetime  -> string: the HTTP date text as stored
 *                          ("Wed, 21 Oct 2015 07:28:00 GMT")
 *        " di" escaped  -> the one-key object it stands for
 *    so a plain JSON value survives a round trip exactly, and a Python-only
 *    type arrives as its string or array form.
 *
 *  - PH_TAGGED_JSON_KEEP: values are the tagged wire form itself. Loading
 *    checks every tag as plain mode does but returns the structure untouched
 *    ({" t": [1, 2]} stays an object), and dumping writes the value as given
 *    (sorted, compact, ASCII) without adding " di" escapes. This is how to
 *    tell the types apart, to carry them through unchanged, or to create a
 *    tuple or bytes value that Flask will load as such.
 *
 * Limits: nesting deeper than PH_TAGGED_JSON_MAX_DEPTH is refused both ways
 * (views run on coroutine stacks). Not representable here, hence refused
 * when loading: NaN and Infinity, integers outside int64, lone surrogates.
 */
#ifndef PH_APP_TAGGED_JSON_H
#define PH_APP_TAGGED_JSON_H

#include "util/buf.h"

#include <jansson.h>
#include <stddef.h>

#define PH_TAGGED_JSON_KEEP 1
#define PH_TAGGED_JSON_MAX_DEPTH 128

/*
 * Append Flask's tagged JSON text for `value` to `out`.
 *
 * Returns:  0; PH_EINVAL `value` is NULL; PH_ETOOBIG nesting deeper than
 *           PH_TAGGED_JSON_MAX_DEPTH or `out` past its maximum; PH_ENOMEM.
 * Owns:     borrows `value`. On failure `out` may hold a partial append.
 * Suspends: no.
 */
int ph__tagged_json_dumps(const json_t *value, int flags, ph_buf *out);

/*
 * Parse tagged JSON text (any JSON value at the top) and untag it as the
 * mode says. `text` need not be NUL-terminated; it must be UTF-8.
 *
 * Returns:  a new reference; NULL with `*err` set to PH_EPARSE (not JSON, not
 *           UTF-8, a tag whose payload has the wrong type or form, or a value
 *           this side cannot represent), PH_ETOOBIG (too deep) or PH_ENOMEM.
 * Owns:     the caller owns the result (json_decref).
 * Suspends: no.
 */
json_t *ph__tagged_json_loads(const char *text, size_t len, int flags, int *err);

/*
 * Whether `key` (of `len` bytes) is one of the tags that make a one-key
 * object tagged: " di", " t", " b", " m", " u", " d".
 *
 * Suspends: no.
 */
int ph__tagged_json_is_tag(const char *key, size_t len);

#endif
