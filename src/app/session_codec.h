/*
 * The session cookie codec: a session (a JSON object) to and from the value
 * of Flask's "session" cookie, byte-compatible with Flask 2.2's
 * SecureCookieSessionInterface on itsdangerous 2.1:
 *
 *   cookie  = payload "." timestamp "." signature
 *   payload = base64url(json)  or  "." base64url(zlib(json)) when that is
 *             shorter (zlib level 6, itsdangerous's rule: compressed length
 *             < json length - 1); base64url has no padding
 *   json    = Flask's tagged JSON (tagged_json.h)
 *   signer  = TimestampSigner, salt "cookie-session", key derivation HMAC,
 *             digest SHA1 (signer.h)
 *
 * A cookie Flask wrote decodes here to the same data, and a session encoded
 * here with the same timestamp is the same string Flask writes. Every way a
 * cookie can be bad has its own code, so the framework can treat them all
 * as "no session" (never as an error page) and still log which it was.
 * See docs/internals/sessions.md.
 */
#ifndef PH_APP_SESSION_CODEC_H
#define PH_APP_SESSION_CODEC_H

#include "phial/common.h"
#include "util/buf.h"

#include <jansson.h>
#include <stdint.h>

/* Defaults: Flask's salt, and a cap on the inflated payload. A browser
 * keeps a cookie to about 4 KB, so a session of more than 64 KiB of JSON
 * (16 times that) is a zip bomb, or a repetitive value the app stored from
 * a client: a signed cookie of under 1 KB can inflate to 1 MiB of `[]`s,
 * whose decode would hold the loop a tenth of a second on every request. */
#define PH_SESSION_SALT "cookie-session"
#define PH_SESSION_MAX_JSON (64 * 1024)

typedef struct ph_session_opts {
    const ph_slice *keys; /* secret keys, oldest first; the last one signs. Required */
    size_t nkeys;         /* number of keys; at least 1 */
    ph_slice salt;        /* salt.ptr == NULL: "cookie-session" */
    size_t max_json;      /* cap on the decoded JSON text; 0 = PH_SESSION_MAX_JSON */
    int tagged_flags;     /* 0, or PH_TAGGED_JSON_KEEP for the lossless tagged form */
} ph_session_opts;

typedef struct ph_session_codec ph_session_codec;

/*
 * A codec for one app's secret keys.
 *
 * Returns:  the codec; NULL when out of memory or when there is no key (a
 *           Flask app without SECRET_KEY has no sessions either).
 * Owns:     copies nothing it does not need: derives the signing keys and
 *           keeps those; `opts` and its slices may be freed after the call.
 *           Free with ph__session_codec_free.
 * Suspends: no.
 * Thread:   a codec is immutable once made; share it freely.
 */
ph_session_codec *ph__session_codec_new(const ph_session_opts *opts);

/* Free the codec and wipe its keys. NULL does nothing. */
void ph__session_codec_free(ph_session_codec *c);

/*
 * Append the cookie value for `session` (a JSON object), stamped with time
 * `now` (seconds since the epoch), to `out`.
 *
 * Returns:  0; PH_EINVAL `session` is not an object; PH_ETOOBIG nesting too
 *           deep, or `out` would pass its maximum; PH_ENOMEM.
 * Owns:     borrows `session`. On failure `out` is left as it was.
 * Suspends: no.
 */
int ph__session_encode(const ph_session_codec *c, const json_t *session, uint64_t now, ph_buf *out);

/*
 * Verify and decode a cookie value. `max_age` >= 0 refuses cookies stamped
 * more than `max_age` seconds before `now`, or after `now` (Flask passes
 * PERMANENT_SESSION_LIFETIME, 31 days by default); a negative `max_age`
 * checks no age.
 *
 * Returns:  0 and `*session` a new object reference. Else `*session` is NULL
 *           and the code says why:
 *             PH_EBADSIG  tampered, truncated, wrong key, no signature
 *             PH_EEXPIRED older than max_age or stamped in the future
 *             PH_EPARSE   signature good but the timestamp, base64, zlib
 *                         stream or tagged JSON is malformed, or the JSON is
 *                         not an object
 *             PH_ETOOBIG  the JSON inflates past max_json, or nests too deep
 *             PH_ENOMEM   out of memory (the only code not about the cookie)
 * Owns:     borrows `cookie`; the caller owns `*session`.
 * Suspends: no.
 */
int ph__session_decode(const ph_session_codec *c, const char *cookie, size_t len, int64_t max_age,
                       uint64_t now, json_t **session);

/*
 * The payload half of decoding, without the signature: base64url, optional
 * zlib (when the payload starts with '.'), tagged JSON. For the fuzzer and
 * for debugging tools; never call it on a value whose signature was not
 * checked.
 *
 * Returns:  as ph__session_decode, without PH_EBADSIG and PH_EEXPIRED.
 * Owns:     borrows `payload`; the caller owns `*value` (any JSON type).
 * Suspends: no.
 */
int ph__session_load_payload(const ph_session_codec *c, const char *payload, size_t len,
                             json_t **value);

#endif
