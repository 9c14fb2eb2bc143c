/*
 * itsdangerous's Signer and TimestampSigner, byte for byte: sign a value as
 * `value SEP signature` or `value SEP timestamp SEP signature`, and verify it
 * back, against one secret key or several (key rotation: the newest signs,
 * any verifies).
 *
 *   signature = base64url(HMAC(derived_key, signed_part)), no padding
 *   timestamp = base64url(big-endian seconds, leading zero bytes stripped)
 *
 * Flask's cookie sessions use salt "cookie-session", key derivation HMAC and
 * digest SHA1 (see src/app/session_codec.h).
 */
#ifndef PH_UTIL_SIGNER_H
#define PH_UTIL_SIGNER_H

#include "buf.h"
#include "hmac.h"
#include "phial/common.h"

#include <stdint.h>

/* How the signing key is derived from a secret key and the salt. */
typedef enum ph_signer_kdf {
    PH_SIGNER_KDF_DJANGO_CONCAT = 0, /* H(salt + "signer" + secret): itsdangerous default */
    PH_SIGNER_KDF_CONCAT = 1,        /* H(salt + secret) */
    PH_SIGNER_KDF_HMAC = 2,          /* HMAC(secret, salt): what Flask sessions use */
    PH_SIGNER_KDF_NONE = 3,          /* the secret itself */
} ph_signer_kdf;

/* Options; zero in every field gives itsdangerous's Signer defaults. */
typedef struct ph_signer_opts {
    ph_slice salt;      /* salt.ptr == NULL: "itsdangerous.Signer" */
    ph_hash_alg digest; /* HMAC and derivation hash; 0 = SHA1 */
    ph_signer_kdf kdf;  /* 0 = django-concat */
    char sep;           /* separator; 0 = '.'. Not a base64url character nor '=' */
} ph_signer_opts;

typedef struct ph_signer ph_signer;

/*
 * A signer for `nkeys` secret keys, oldest first; the last one signs and
 * every one verifies. Keys are derived once, here.
 *
 * Returns:  the signer; NULL when out of memory, when nkeys is 0, or when
 *           `opts` is invalid (unknown digest or kdf, a separator from the
 *           base64url alphabet).
 * Owns:     copies what it keeps; `opts` may be NULL for the defaults.
 *           Free with ph__signer_free.
 * Suspends: no.
 */
ph_signer *ph__signer_new(const ph_slice *keys, size_t nkeys, const ph_signer_opts *opts);

/* Free the signer and wipe its derived keys. NULL does nothing. */
void ph__signer_free(ph_signer *s);

/*
 * Append `value SEP signature` to `out`.
 *
 * Returns:  0; PH_ENOMEM; PH_ETOOBIG when `out` would pass its maximum.
 * Owns:     nothing. On failure `out` may hold a partial append: truncate it.
 * Suspends: no.
 */
int ph__signer_sign(const ph_signer *s, ph_slice value, ph_buf *out);

/*
 * Append `value SEP timestamp SEP signature` to `out`, the timestamp being
 * `ts` (seconds since the epoch), as TimestampSigner.sign does.
 *
 * Returns:  0; PH_ENOMEM; PH_ETOOBIG.
 * Owns:     nothing. On failure `out` may hold a partial append.
 * Suspends: no.
 */
int ph__signer_sign_ts(const ph_signer *s, ph_slice value, uint64_t ts, ph_buf *out);

/*
 * Verify `signed_value` (`value SEP signature`) in constant time.
 *
 * Returns:  0 and `*value` pointing into `signed_value`; PH_EBADSIG when there
 *           is no separator or the signature does not match any key;
 *           PH_ENOMEM when libcrypto fails.
 * Owns:     nothing; `*value` borrows `signed_value`.
 * Suspends: no.
 */
int ph__signer_unsign(const ph_signer *s, ph_slice signed_value, ph_slice *value);

/*
 * Verify `value SEP timestamp SEP signature` and, when `max_age` >= 0, that
 * the timestamp is neither older than `max_age` seconds nor in the future
 * relative to `now`. Checks run in itsdangerous's order: signature, then
 * timestamp form, then age.
 *
 * Returns:  0, with `*value` pointing into `signed_value` and `*ts` (may be
 *           NULL) the timestamp; PH_EBADSIG bad or missing signature;
 *           PH_EPARSE signature good but the timestamp missing or malformed;
 *           PH_EEXPIRED too old or in the future; PH_ENOMEM.
 * Owns:     nothing; `*value` borrows `signed_value`.
 * Suspends: no.
 */
int ph__signer_unsign_ts(const ph_signer *s, ph_slice signed_value, int64_t max_age, uint64_t now,
                         ph_slice *value, uint64_t *ts);

#endif
