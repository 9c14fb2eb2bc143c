/*
 * Tests for src/util/signer.c. The expected strings were produced by
 * itsdangerous 2.1.2 (Signer / TimestampSigner) with the same inputs.
 */
#include "util/signer.h"

#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static ph_slice S(const char *s) { return (ph_slice){s, strlen(s)}; }

static char *sign_with(ph_slice key, const ph_signer_opts *o, const char *value) {
    static char text[256];
    ph_signer *s = ph__signer_new(&key, 1, o);
    cr_assert_not_null(s);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__signer_sign(s, S(value), &b), 0);
    snprintf(text, sizeof(text), "%s", b.data);
    ph__buf_close(&b);
    ph__signer_free(s);
    return text;
}

Test(signer, defaults_match_itsdangerous_signer) {
    cr_assert_str_eq(sign_with(S("secret"), NULL, "hello"), "hello.7KTthSs1fJgtbigPvFpQH1bpoGA");
}

Test(signer, hmac_derivation_matches) {
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_HMAC};
    cr_assert_str_eq(sign_with(S("secret"), &o, "hello"), "hello.UFJ-ZZK6KzX3iJOeWSFlpUJiRtk");
}

Test(signer, concat_derivation_matches) {
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_CONCAT};
    cr_assert_str_eq(sign_with(S("secret"), &o, "hello"), "hello.iJ0v4kLu865K39xYDcFmzWoL6Ns");
}

Test(signer, no_derivation_matches) {
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_NONE};
    cr_assert_str_eq(sign_with(S("secret"), &o, "hello"), "hello.URIFXAX5RPhXVe_FzYlw4ZTp9Fs");
}

Test(signer, sha256_digest_matches) {
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_HMAC, .digest = PH_HASH_SHA256};
    cr_assert_str_eq(sign_with(S("secret"), &o, "hello"),
                     "hello.TKxAjVV_pO0YaiLbvm3kvUYhqa0msSNnDOFho1jYB8c");
}

Test(signer, flask_session_salt_matches) {
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_HMAC, .salt = PH_SLICE_LIT("cookie-session")};
    cr_assert_str_eq(sign_with(S("secret"), &o, "hello"), "hello.Tifwt9zxvjFC9xeD2SyHUb1DQUQ");
}

Test(signer, custom_separator_matches) {
    ph_signer_opts o = {.sep = '|'};
    cr_assert_str_eq(sign_with(S("secret"), &o, "a.b"), "a.b|rcGPjH7dL00iuuxyO14b3zRDWLI");
}

Test(signer, separator_from_base64_alphabet_is_refused) {
    ph_slice key = S("k");
    ph_signer_opts o = {.sep = '-'};
    cr_assert_null(ph__signer_new(&key, 1, &o));
    o.sep = '=';
    cr_assert_null(ph__signer_new(&key, 1, &o));
    cr_assert_null(ph__signer_new(&key, 0, NULL));
}

Test(signer, newest_key_signs_and_old_keys_verify) {
    ph_slice keys[2] = {S("old"), S("new")};
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_HMAC};
    ph_signer *s = ph__signer_new(keys, 2, &o);
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__signer_sign(s, S("hello"), &b);
    cr_assert_str_eq(b.data, "hello.aIMubUxc1myRO3fhmO4ml1agI10");
    ph_slice v;
    cr_assert_eq(ph__signer_unsign(s, S("hello.86voLsEt2W91CmU8UJip7jvu9N8"), &v), 0);
    cr_assert_eq(v.len, 5);
    ph__buf_close(&b);
    ph__signer_free(s);
}

Test(signer, unsign_refuses_tampering) {
    ph_slice key = S("secret");
    ph_signer *s = ph__signer_new(&key, 1, NULL);
    ph_slice v;
    cr_assert_eq(ph__signer_unsign(s, S("hello.7KTthSs1fJgtbigPvFpQH1bpoGA"), &v), 0);
    cr_assert_eq(ph__signer_unsign(s, S("hellO.7KTthSs1fJgtbigPvFpQH1bpoGA"), &v), PH_EBADSIG);
    cr_assert_eq(ph__signer_unsign(s, S("hello.7KTthSs1fJgtbigPvFpQH1bpoGB"), &v), PH_EBADSIG);
    cr_assert_eq(ph__signer_unsign(s, S("hello.7KTthSs1fJgtbigPvFpQH1bpoG"), &v), PH_EBADSIG);
    cr_assert_eq(ph__signer_unsign(s, S("hello"), &v), PH_EBADSIG);
    cr_assert_eq(ph__signer_unsign(s, S(""), &v), PH_EBADSIG);
    ph__signer_free(s);
}

Test(signer, unsign_refuses_wrong_key) {
    ph_slice key = S("other");
    ph_signer *s = ph__signer_new(&key, 1, NULL);
    ph_slice v;
    cr_assert_eq(ph__signer_unsign(s, S("hello.7KTthSs1fJgtbigPvFpQH1bpoGA"), &v), PH_EBADSIG);
    ph__signer_free(s);
}

Test(signer, timestamp_signature_matches) {
    ph_slice key = S("secret");
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_HMAC};
    ph_signer *s = ph__signer_new(&key, 1, &o);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__signer_sign_ts(s, S("hello"), 1700000000, &b), 0);
    cr_assert_str_eq(b.data, "hello.ZVPxAA.Vv8IUH4gy9omTAYq8z6FFaf8KoU");
    b.len = 0;
    cr_assert_eq(ph__signer_sign_ts(s, S("hello"), 0, &b), 0);
    cr_assert_str_eq(b.data, "hello..w1x3XopMANW7e63REW3FD9Gzg8s");
    ph__buf_close(&b);
    ph__signer_free(s);
}

static ph_signer *ts_signer(void) {
    static ph_slice key = {"secret", 6};
    ph_signer_opts o = {.kdf = PH_SIGNER_KDF_HMAC};
    return ph__signer_new(&key, 1, &o);
}

Test(signer, timestamp_unsign_returns_value_and_time) {
    ph_signer *s = ts_signer();
    ph_slice v;
    uint64_t ts = 0;
    cr_assert_eq(ph__signer_unsign_ts(s, S("hello.ZVPxAA.Vv8IUH4gy9omTAYq8z6FFaf8KoU"), 10,
                                      1700000005, &v, &ts),
                 0);
    cr_assert_eq(v.len, 5);
    cr_assert(memcmp(v.ptr, "hello", 5) == 0);
    cr_assert_eq(ts, 1700000000);
    ph__signer_free(s);
}

Test(signer, timestamp_older_than_max_age_expires) {
    ph_signer *s = ts_signer();
    ph_slice v;
    const char *c = "hello.ZVPxAA.Vv8IUH4gy9omTAYq8z6FFaf8KoU";
    cr_assert_eq(ph__signer_unsign_ts(s, S(c), 10, 1700000010, &v, NULL), 0);
    cr_assert_eq(ph__signer_unsign_ts(s, S(c), 10, 1700000011, &v, NULL), PH_EEXPIRED);
    cr_assert_eq(ph__signer_unsign_ts(s, S(c), -1, 1900000000, &v, NULL), 0);
    ph__signer_free(s);
}

Test(signer, timestamp_in_the_future_expires) {
    ph_signer *s = ts_signer();
    ph_slice v;
    cr_assert_eq(ph__signer_unsign_ts(s, S("hello.ZVPxAA.Vv8IUH4gy9omTAYq8z6FFaf8KoU"), 10,
                                      1699999999, &v, NULL),
                 PH_EEXPIRED);
    ph__signer_free(s);
}

Test(signer, signed_value_without_timestamp_is_eparse) {
    ph_signer *s = ts_signer();
    ph_slice v;
    /* A good plain signature ("hello" signed without a timestamp). */
    cr_assert_eq(ph__signer_unsign_ts(s, S("hello.UFJ-ZZK6KzX3iJOeWSFlpUJiRtk"), -1, 0, &v, NULL),
                 PH_EPARSE);
    ph__signer_free(s);
}

Test(signer, bad_signature_wins_over_expiry) {
    ph_signer *s = ts_signer();
    ph_slice v;
    cr_assert_eq(ph__signer_unsign_ts(s, S("hellp.ZVPxAA.Vv8IUH4gy9omTAYq8z6FFaf8KoU"), 10,
                                      1900000000, &v, NULL),
                 PH_EBADSIG);
    ph__signer_free(s);
}

Test(signer, malformed_timestamp_with_good_signature_is_eparse) {
    ph_signer *s = ts_signer();
    ph_buf b;
    ph__buf_init(&b, 0);
    ph_slice v;
    /* Sign "v.!!" plainly: the "timestamp" part is not base64url. */
    ph__signer_sign(s, S("v.!!"), &b);
    cr_assert_eq(ph__signer_unsign_ts(s, (ph_slice){b.data, b.len}, -1, 0, &v, NULL), PH_EPARSE);
    /* Nine bytes of timestamp cannot be a 64-bit integer. */
    b.len = 0;
    ph__signer_sign(s, S("v.AAAAAAAAAAAA"), &b);
    cr_assert_eq(ph__signer_unsign_ts(s, (ph_slice){b.data, b.len}, -1, 0, &v, NULL), PH_EPARSE);
    ph__buf_close(&b);
    ph__signer_free(s);
}

Test(signer, sign_past_buffer_max_is_etoobig) {
    ph_signer *s = ts_signer();
    ph_buf b;
    ph__buf_init(&b, 20);
    cr_assert_eq(ph__signer_sign_ts(s, S("hello"), 1700000000, &b), PH_ETOOBIG);
    ph__buf_close(&b);
    ph__signer_free(s);
}

Test(signer, new_survives_allocation_failures) {
    ph_slice keys[2] = {S("a"), S("b")};
    for (long n = 0;; n++) {
        ph__alloc_fail_after(n);
        ph_signer *s = ph__signer_new(keys, 2, NULL);
        long failed = ph__alloc_failures();
        ph__alloc_fail_after(-1);
        if (s) {
            cr_assert_eq(failed, 0);
            ph__signer_free(s);
            break;
        }
        cr_assert_gt(failed, 0, "NULL without an allocation failure at step %ld", n);
    }
}
