/*
 * HMAC, digests and constant-time comparison on OpenSSL 3 libcrypto.
 *
 * We use the one-shot HMAC() and the EVP digest interface, neither of which
 * is deprecated in OpenSSL 3 (HMAC_CTX is). libcrypto allocates with its own
 * allocator, so ph__alloc_fail_after does not reach inside it; a libcrypto
 * failure is reported as PH_ENOMEM, its only plausible cause here. This module
 * signs nothing by itself: the itsdangerous logic lives in signer.c.
 *
 * References: RFC 2104 (HMAC), FIPS 180-4 (SHA), OpenSSL HMAC(3), EVP_DigestInit(3),
 * CRYPTO_memcmp(3).
 */
#include "hmac.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const EVP_MD *md_of(ph_hash_alg alg) {
    switch (alg) {
    case PH_HASH_SHA1:
        return EVP_sha1();
    case PH_HASH_SHA256:
        return EVP_sha256();
    }
    return NULL;
}

size_t ph__hash_len(ph_hash_alg alg) {
    switch (alg) {
    case PH_HASH_SHA1:
        return 20;
    case PH_HASH_SHA256:
        return 32;
    }
    return 0;
}

int ph__hmac(ph_hash_alg alg, const void *key, size_t key_len, const void *msg, size_t msg_len,
             unsigned char *out) {
    /* OpenSSL rejects a NULL key even when its length is 0. */
    static const unsigned char empty[1] = {0};
    const EVP_MD *md = md_of(alg);
    if (!md || key_len > INT_MAX)
        return PH_EINVAL;
    unsigned int len = 0;
    if (!HMAC(md, key_len ? key : empty, (int)key_len, msg_len ? msg : empty, msg_len, out, &len))
        return PH_ENOMEM;
    return (int)len;
}

int ph__hash(ph_hash_alg alg, const ph_slice *parts, size_t nparts, unsigned char *out) {
    const EVP_MD *md = md_of(alg);
    if (!md)
        return PH_EINVAL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return PH_ENOMEM;
    int rc = PH_ENOMEM;
    unsigned int len = 0;
    if (!EVP_DigestInit_ex(ctx, md, NULL))
        goto done;
    for (size_t i = 0; i < nparts; i++)
        if (parts[i].len && !EVP_DigestUpdate(ctx, parts[i].ptr, parts[i].len))
            goto done;
    if (!EVP_DigestFinal_ex(ctx, out, &len))
        goto done;
    rc = (int)len;
done:
    EVP_MD_CTX_free(ctx);
    return rc;
}

int ph__ct_equal(const void *a, size_t a_len, const void *b, size_t b_len) {
    /* Lengths are public (a MAC's length is fixed by its algorithm), so
     * returning early on a length mismatch leaks nothing secret. */
    if (a_len != b_len)
        return 0;
    if (a_len == 0)
        return 1;
    return CRYPTO_memcmp(a, b, a_len) == 0;
}
