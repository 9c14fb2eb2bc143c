/*
 * Password hashes for the notes app: PBKDF2-HMAC-SHA256 (RFC 8018) with a
 * random 16-byte salt, stored as "pbkdf2_sha256$<iterations>$<salt>$<hash>"
 * (hex), the shape Django and Werkzeug use, so the cost can be raised later
 * without breaking stored hashes.
 *
 * Hashing is deliberately slow (tens of milliseconds), which is why these
 * functions are only called from jobs on the thread pool (db.c): on the loop
 * they would stall every other request of the worker.
 */
#include "notes.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITERATIONS 100000
#define SALT_LEN 16
#define HASH_LEN 32

static void to_hex(const unsigned char *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Decode the `len` hex digits at `in` into at most `max` bytes: the byte count, or -1. */
static int from_hex(const char *in, size_t len, unsigned char *out, size_t max) {
    if (len % 2 || len / 2 > max)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0)
            return -1;
        out[i / 2] = (unsigned char)(i % 2 ? (out[i / 2] << 4) | v : v);
    }
    return (int)(len / 2);
}

static int derive(const char *password, const unsigned char *salt, int saltlen, int iterations,
                  unsigned char *out) {
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, saltlen, iterations,
                             EVP_sha256(), HASH_LEN, out) == 1
               ? 0
               : PH_EIO;
}

int notes_password_hash(const char *password, char *out, size_t outlen) {
    unsigned char salt[SALT_LEN], hash[HASH_LEN];
    char salt_hex[2 * SALT_LEN + 1], hash_hex[2 * HASH_LEN + 1];
    if (RAND_bytes(salt, sizeof(salt)) != 1 || derive(password, salt, SALT_LEN, ITERATIONS, hash))
        return PH_EIO;
    to_hex(salt, SALT_LEN, salt_hex);
    to_hex(hash, HASH_LEN, hash_hex);
    int n = snprintf(out, outlen, "pbkdf2_sha256$%d$%s$%s", ITERATIONS, salt_hex, hash_hex);
    return n > 0 && (size_t)n < outlen ? 0 : PH_EIO;
}

int notes_password_check(const char *password, const char *stored) {
    const char *prefix = "pbkdf2_sha256$";
    if (!stored || strncmp(stored, prefix, strlen(prefix)) != 0)
        return 0;
    char *end;
    long iterations = strtol(stored + strlen(prefix), &end, 10);
    if (*end != '$' || iterations < 1 || iterations > 10000000)
        return 0;
    const char *salt_hex = end + 1, *dollar = strchr(salt_hex, '$');
    if (!dollar)
        return 0;
    unsigned char salt[64], want[HASH_LEN], got[HASH_LEN];
    int saltlen = from_hex(salt_hex, (size_t)(dollar - salt_hex), salt, sizeof(salt));
    int hashlen = from_hex(dollar + 1, strlen(dollar + 1), want, sizeof(want));
    if (saltlen < 0 || derive(password, salt, saltlen, (int)iterations, got) < 0)
        return 0;
    /* Compare in constant time; a malformed hash still costs one derivation. */
    return hashlen == HASH_LEN && CRYPTO_memcmp(got, want, HASH_LEN) == 0;
}
