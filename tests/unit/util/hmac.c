/*
 * Tests for src/util/hmac.c: RFC 2202 / RFC 4231 vectors, digests, and the
 * constant-time comparison's results.
 */
#include "util/hmac.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void hex(const unsigned char *b, size_t n, char *out) {
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

Test(hmac, sha1_matches_rfc2202_case1) {
    unsigned char key[20], mac[PH_HASH_MAX_LEN];
    char text[80];
    memset(key, 0x0b, sizeof(key));
    cr_assert_eq(ph__hmac(PH_HASH_SHA1, key, 20, "Hi There", 8, mac), 20);
    hex(mac, 20, text);
    cr_assert_str_eq(text, "b617318655057264e28bc0b6fb378c8ef146be00");
}

Test(hmac, sha1_matches_rfc2202_case2) {
    unsigned char mac[PH_HASH_MAX_LEN];
    char text[80];
    const char *msg = "what do ya want for nothing?";
    cr_assert_eq(ph__hmac(PH_HASH_SHA1, "Jefe", 4, msg, strlen(msg), mac), 20);
    hex(mac, 20, text);
    cr_assert_str_eq(text, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

Test(hmac, sha256_matches_rfc4231_case1) {
    unsigned char key[20], mac[PH_HASH_MAX_LEN];
    char text[80];
    memset(key, 0x0b, sizeof(key));
    cr_assert_eq(ph__hmac(PH_HASH_SHA256, key, 20, "Hi There", 8, mac), 32);
    hex(mac, 32, text);
    cr_assert_str_eq(text, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

Test(hmac, empty_key_and_message_are_allowed) {
    unsigned char mac[PH_HASH_MAX_LEN];
    char text[80];
    /* HMAC-SHA1("", "") — a well-known value. */
    cr_assert_eq(ph__hmac(PH_HASH_SHA1, NULL, 0, NULL, 0, mac), 20);
    hex(mac, 20, text);
    cr_assert_str_eq(text, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

Test(hmac, unknown_algorithm_is_einval) {
    unsigned char mac[PH_HASH_MAX_LEN];
    cr_assert_eq(ph__hmac((ph_hash_alg)7, "k", 1, "m", 1, mac), PH_EINVAL);
    cr_assert_eq(ph__hash_len((ph_hash_alg)7), 0);
}

Test(hmac, hash_concatenates_parts) {
    unsigned char a[PH_HASH_MAX_LEN], b[PH_HASH_MAX_LEN];
    char text[80];
    ph_slice parts[3] = {PH_SLICE_LIT("a"), PH_SLICE_LIT(""), PH_SLICE_LIT("bc")};
    ph_slice whole = PH_SLICE_LIT("abc");
    cr_assert_eq(ph__hash(PH_HASH_SHA1, parts, 3, a), 20);
    cr_assert_eq(ph__hash(PH_HASH_SHA1, &whole, 1, b), 20);
    cr_assert(memcmp(a, b, 20) == 0);
    hex(a, 20, text);
    cr_assert_str_eq(text, "a9993e364706816aba3e25717850c26c9cd0d89d"); /* FIPS 180 "abc" */
}

Test(hmac, ct_equal_compares_bytes_and_lengths) {
    cr_assert_eq(ph__ct_equal("abc", 3, "abc", 3), 1);
    cr_assert_eq(ph__ct_equal("abc", 3, "abd", 3), 0);
    cr_assert_eq(ph__ct_equal("abc", 3, "ab", 2), 0);
    cr_assert_eq(ph__ct_equal("", 0, "", 0), 1);
}
