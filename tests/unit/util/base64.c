/*
 * Tests for src/util/base64.c: RFC 4648 vectors in both alphabets, and the
 * strict decoder refusing every non-canonical text.
 */
#include "util/base64.h"

#include "phial/common.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const std_text[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const url_text[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

static long dec(const char *s, ph_base64_alphabet a, char *out) {
    return ph__base64_decode(out, s, strlen(s), a);
}

Test(base64, std_encodes_rfc4648_vectors) {
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        size_t n = ph__base64_encode(out, plain[i], strlen(plain[i]), PH_BASE64_STD);
        cr_assert_eq(n, strlen(std_text[i]));
        cr_assert_eq(n, ph__base64_encoded_len(strlen(plain[i]), PH_BASE64_STD));
        cr_assert(memcmp(out, std_text[i], n) == 0, "vector %zu", i);
    }
}

Test(base64, url_encodes_without_padding) {
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        size_t n = ph__base64_encode(out, plain[i], strlen(plain[i]), PH_BASE64_URL);
        cr_assert_eq(n, strlen(url_text[i]));
        cr_assert_eq(n, ph__base64_encoded_len(strlen(plain[i]), PH_BASE64_URL));
        cr_assert(memcmp(out, url_text[i], n) == 0, "vector %zu", i);
    }
}

Test(base64, both_alphabets_decode_their_vectors) {
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        cr_assert_eq(dec(std_text[i], PH_BASE64_STD, out), (long)strlen(plain[i]));
        cr_assert(memcmp(out, plain[i], strlen(plain[i])) == 0);
        cr_assert_eq(dec(url_text[i], PH_BASE64_URL, out), (long)strlen(plain[i]));
        cr_assert(memcmp(out, plain[i], strlen(plain[i])) == 0);
        cr_assert_geq(ph__base64_decoded_max(strlen(url_text[i])), strlen(plain[i]));
    }
}

Test(base64, url_alphabet_uses_dash_and_underscore) {
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    char out[8];
    cr_assert_eq(ph__base64_encode(out, bytes, 3, PH_BASE64_URL), 4);
    cr_assert(memcmp(out, "-_-_", 4) == 0);
    cr_assert_eq(ph__base64_encode(out, bytes, 3, PH_BASE64_STD), 4);
    cr_assert(memcmp(out, "+/+/", 4) == 0);
}

Test(base64, decode_refuses_the_other_alphabet) {
    char out[8];
    cr_assert_eq(dec("-_-_", PH_BASE64_STD, out), PH_EPARSE);
    cr_assert_eq(dec("+/+/", PH_BASE64_URL, out), PH_EPARSE);
}

Test(base64, url_decode_refuses_padding_and_whitespace) {
    char out[8];
    cr_assert_eq(dec("Zg==", PH_BASE64_URL, out), PH_EPARSE);
    cr_assert_eq(dec("Zm 9v", PH_BASE64_URL, out), PH_EPARSE);
    cr_assert_eq(dec("Zm9v\n", PH_BASE64_URL, out), PH_EPARSE);
}

Test(base64, decode_refuses_a_lone_trailing_character) {
    char out[8];
    cr_assert_eq(dec("Zm9vY", PH_BASE64_URL, out), PH_EPARSE);
}

Test(base64, decode_refuses_nonzero_leftover_bits) {
    char out[8];
    /* "Zg" is 'f'; "Zh" encodes the same byte with a stray low bit. */
    cr_assert_eq(dec("Zh", PH_BASE64_URL, out), PH_EPARSE);
    cr_assert_eq(dec("Zm9=", PH_BASE64_STD, out), PH_EPARSE);
}

Test(base64, std_decode_refuses_bad_padding) {
    char out[8];
    cr_assert_eq(dec("Zg", PH_BASE64_STD, out), PH_EPARSE);
    cr_assert_eq(dec("Z===", PH_BASE64_STD, out), PH_EPARSE);
    cr_assert_eq(dec("Zg=a", PH_BASE64_STD, out), PH_EPARSE);
    cr_assert_eq(dec("=Zg=", PH_BASE64_STD, out), PH_EPARSE);
}

Test(base64, decode_never_reads_past_len) {
    char out[8];
    /* Only the first 2 characters count; the rest would be invalid. */
    cr_assert_eq(ph__base64_decode(out, "Zg!!", 2, PH_BASE64_URL), 1);
    cr_assert_eq(out[0], 'f');
}

Test(base64, all_byte_values_round_trip) {
    unsigned char in[256], back[256];
    char text[400];
    for (int i = 0; i < 256; i++)
        in[i] = (unsigned char)i;
    for (int a = 0; a < 2; a++) {
        size_t n = ph__base64_encode(text, in, 256, (ph_base64_alphabet)a);
        cr_assert_eq(ph__base64_decode(back, text, n, (ph_base64_alphabet)a), 256);
        cr_assert(memcmp(in, back, 256) == 0);
    }
}

/* The lenient decoder reads as Python's base64.b64decode() (the answers
 * below are Python 3.11's for the same text). */
Test(base64, lenient_decode_reads_as_python) {
    static const struct {
        const char *in;
        long n;
        const char *out;
    } cases[] = {
        {"YWxpY2U6c2VjcmV0", 12, "alice:secret"},
        {"YWxp Y2U6 c2Vj cmV0", 12, "alice:secret"},    /* outside the alphabet: skipped */
        {"YWxpY2U6c2VjcmV0==junk", 15, "alice:secret\x8e\xe9\xe4"}, /* '=' alone: skipped */
        {"YQ=:Yg==", 3, "a\x06 "},                        /* one '=' does not end a group */
        {"YWJj=ZGVm", 6, "abcdef"},
        {"=YWxpY2U6eA==", 7, "alice:x"},
        {"YR==", 1, "a"},                                 /* leftover bits dropped */
        {"YR==QUJD", 1, "a"},                             /* padding ends the input */
        {"!!!", 0, ""},
        {"", 0, ""},
        {"YWxpY2U6c2VjcmV", PH_EPARSE, NULL}, /* "Incorrect padding" */
        {"YQ", PH_EPARSE, NULL},
        {"YQ=", PH_EPARSE, NULL},
        {"Y", PH_EPARSE, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char out[32];
        long n = ph__base64_decode_lenient(out, cases[i].in, strlen(cases[i].in));
        cr_expect_eq(n, cases[i].n, "%s: %ld", cases[i].in, n);
        if (n > 0 && n == cases[i].n)
            cr_expect(memcmp(out, cases[i].out, (size_t)n) == 0, "%s", cases[i].in);
    }
}
