/*
 * Message authentication and hashing over OpenSSL libcrypto: HMAC-SHA1 and
 * HMAC-SHA256 (RFC 2104), the plain digests for itsdangerous's "concat" key
 * derivations, and a constant-time comparison for checking MACs.
 */
#ifndef PH_UTIL_HMAC_H
#define PH_UTIL_HMAC_H

#include "phial/common.h"

#include <stddef.h>

typedef enum ph_hash_alg {
    PH_HASH_SHA1 = 0,   /* 20-byte digest; Flask's session default */
    PH_HASH_SHA256 = 1, /* 32-byte digest */
} ph_hash_alg;

/* The largest digest any ph_hash_alg produces, for stack buffers. */
#define PH_HASH_MAX_LEN 32

/*
 * Digest length of `alg` in bytes.
 *
 * Returns:  20 or 32; 0 for an unknown `alg`.
 * Suspends: no.
 */
size_t ph__hash_len(ph_hash_alg alg);

/*
 * HMAC of `msg` under `key` into `out`, which must hold ph__hash_len(alg)
 * bytes. An empty key is allowed (it is zero-padded like any short key).
 *
 * Returns:  the MAC length; PH_EINVAL unknown `alg` or a key over INT_MAX
 *           bytes; PH_ENOMEM when libcrypto fails.
 * Owns:     nothing.
 * Suspends: no.
 * Thread:   safe.
 */
int ph__hmac(ph_hash_alg alg, const void *key, size_t key_len, const void *msg, size_t msg_len,
             unsigned char *out);

/*
 * Plain digest of the concatenation of `nparts` slices into `out`, which
 * must hold ph__hash_len(alg) bytes.
 *
 * Returns:  the digest length; PH_EINVAL unknown `alg`; PH_ENOMEM when
 *           libcrypto fails.
 * Owns:     nothing.
 * Suspends: no.
 * Thread:   safe.
 */
int ph__hash(ph_hash_alg alg, const ph_slice *parts, size_t nparts, unsigned char *out);

/*
 * Compare two byte strings in time that depends only on their lengths, never
 * on where they differ, so a forger learns nothing from timing.
 *
 * Returns:  1 when equal (same length, same bytes), else 0.
 * Suspends: no.
 */
int ph__ct_equal(const void *a, size_t a_len, const void *b, size_t b_len);

#endif
