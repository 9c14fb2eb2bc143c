/*
 * Tests for src/util/url.c: percent-decoding (Werkzeug url_unquote and
 * url_unquote_plus as the oracle) and percent-encoding (url_quote,
 * url_quote_plus).
 */
#include "util/url.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct decode_case {
    const char *in;
    const char *path; /* expected without the '+' rule */
    size_t path_len;
    const char *form; /* expected with it */
    size_t form_len;
} decode_case;

#define S(x) x, sizeof(x) - 1

/* Expected values come from werkzeug.urls.url_unquote / url_unquote_plus
 * (Werkzeug 2.2.2, charset=None). */
static const decode_case decode_cases[] = {
    {"a%20b", S("a b"), S("a b")},
    {"%", S("%"), S("%")},
    {"%4", S("%4"), S("%4")},
    {"%zz41", S("%zz41"), S("%zz41")},
    {"%%41", S("%A"), S("%A")},
    {"a+b", S("a+b"), S("a b")},
    {"%2Fetc%2fpasswd", S("/etc/passwd"), S("/etc/passwd")},
    {"%00x", S("\0x"), S("\0x")},
    {"%C3%A9", S("\xc3\xa9"), S("\xc3\xa9")},
    {"100%", S("100%"), S("100%")},
    {"%e2%82%ac+%2B", S("\xe2\x82\xac++"), S("\xe2\x82\xac +")},
    {"", S(""), S("")},
};

Test(url, decode_matches_werkzeug_table) {
    for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
        const decode_case *c = &decode_cases[i];
        char out[64];
        size_t n = ph__url_decode(out, c->in, strlen(c->in), 0, NULL);
        cr_expect_eq(n, c->path_len, "path case %zu (%s)", i, c->in);
        cr_expect(memcmp(out, c->path, n) == 0, "path case %zu (%s)", i, c->in);
        n = ph__url_decode(out, c->in, strlen(c->in), PH_URL_PLUS, NULL);
        cr_expect_eq(n, c->form_len, "form case %zu (%s)", i, c->in);
        cr_expect(memcmp(out, c->form, n) == 0, "form case %zu (%s)", i, c->in);
    }
}

Test(url, decode_in_place) {
    char buf[] = "a%2Bb+c%";
    size_t n = ph__url_decode(buf, buf, strlen(buf), PH_URL_PLUS, NULL);
    cr_assert_eq(n, 6);
    cr_assert(memcmp(buf, "a+b c%", 6) == 0);
}

Test(url, decode_reports_nul) {
    unsigned info = 0;
    char out[8];
    ph__url_decode(out, "a%00", 4, 0, &info);
    cr_assert(info & PH_URL_HAS_NUL);
    ph__url_decode(out, "a\0b", 3, 0, &info);
    cr_assert(info & PH_URL_HAS_NUL, "a raw NUL counts too");
}

Test(url, decode_reports_encoded_slash_and_backslash) {
    unsigned info = 0;
    char out[16];
    ph__url_decode(out, "a%2fb", 5, 0, &info);
    cr_assert_eq(info & (PH_URL_HAS_SLASH | PH_URL_HAS_NUL), PH_URL_HAS_SLASH);
    ph__url_decode(out, "..%5C..", 7, 0, &info);
    cr_assert(info & PH_URL_HAS_BACKSLASH);
}

Test(url, plain_slash_is_not_reported) {
    unsigned info = 99;
    char out[16];
    ph__url_decode(out, "/a/b", 4, 0, &info);
    cr_assert_eq(info, 0);
}

Test(url, decoded_flag_tracks_changes) {
    unsigned info;
    char out[16];
    ph__url_decode(out, "abc%", 4, 0, &info);
    cr_assert_eq(info & PH_URL_DECODED, 0);
    ph__url_decode(out, "a+c", 3, PH_URL_PLUS, &info);
    cr_assert(info & PH_URL_DECODED);
}

Test(url, decode_never_reads_past_len) {
    /* "%4" followed by a byte outside len must not be taken as an escape. */
    char out[8];
    size_t n = ph__url_decode(out, "%41", 2, 0, NULL);
    cr_assert_eq(n, 2);
    cr_assert(memcmp(out, "%4", 2) == 0);
}

Test(url, decode_arena_terminates) {
    ph_arena a;
    ph__arena_init(&a, 256, 0);
    size_t n;
    char *d = ph__url_decode_arena(&a, "x%3Dy", 5, 0, &n, NULL);
    cr_assert_not_null(d);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(d, "x=y");
    ph__arena_close(&a);
}

Test(url, decode_arena_out_of_memory) {
    ph_arena a;
    ph__arena_init(&a, 256, 0);
    ph__alloc_fail_after(0);
    char *d = ph__url_decode_arena(&a, "x", 1, 0, NULL, NULL);
    ph__alloc_fail_after(-1);
    cr_assert_null(d);
    ph__arena_close(&a);
}

typedef struct encode_case {
    const char *in;
    const char *quote;      /* url_quote(s) (safe "/:") */
    const char *quote_plus; /* url_quote_plus(s) */
    const char *quote_none; /* url_quote(s, safe="") */
} encode_case;

/* Expected values from werkzeug.urls (2.2.2). */
static const encode_case encode_cases[] = {
    {"a b/c:d", "a%20b/c:d", "a+b%2Fc%3Ad", "a%20b%2Fc%3Ad"},
    {"\xc3\xa4&=?#+", "%C3%A4%26%3D%3F%23+", "%C3%A4%26%3D%3F%23%2B", "%C3%A4%26%3D%3F%23+"},
    {"$!'()*+,;~-._", "$!'()*+,;~-._", "$!'()*%2B,;~-._", "$!'()*+,;~-._"},
};

Test(url, encode_matches_werkzeug_table) {
    ph_url_safe quote, none;
    ph__url_safe_init(&quote, PH_URL_WERKZEUG_SAFE "/:");
    ph__url_safe_init(&none, PH_URL_WERKZEUG_SAFE);
    for (size_t i = 0; i < sizeof(encode_cases) / sizeof(encode_cases[0]); i++) {
        const encode_case *c = &encode_cases[i];
        ph_buf b;
        ph__buf_init(&b, 0);
        cr_assert(ph__url_encode(&b, c->in, strlen(c->in), &quote, 0) >= 0);
        cr_expect_str_eq(b.data, c->quote, "case %zu", i);
        b.len = 0;
        cr_assert(ph__url_encode(&b, c->in, strlen(c->in), &none, PH_URL_PLUS) >= 0);
        cr_expect_str_eq(b.data, c->quote_plus, "case %zu", i);
        b.len = 0;
        cr_assert(ph__url_encode(&b, c->in, strlen(c->in), &none, 0) >= 0);
        cr_expect_str_eq(b.data, c->quote_none, "case %zu", i);
        ph__buf_close(&b);
    }
}

Test(url, encode_nul_and_high_bytes) {
    ph_url_safe s;
    ph__url_safe_init(&s, NULL);
    ph_arena a;
    ph__arena_init(&a, 256, 0);
    size_t n;
    char *e = ph__url_encode_arena(&a, "\0\xff", 2, &s, 0, &n);
    cr_assert_str_eq(e, "%00%FF");
    cr_assert_eq(n, 6);
    ph__arena_close(&a);
}

Test(url, safe_remove_forces_encoding) {
    ph_url_safe s;
    ph__url_safe_init(&s, "/");
    ph__url_safe_remove(&s, "/~");
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__url_encode(&b, "a/~", 3, &s, 0), 7);
    cr_assert_str_eq(b.data, "a%2F%7E");
    ph__buf_close(&b);
}

Test(url, encode_past_buffer_limit_fails) {
    ph_url_safe s;
    ph__url_safe_init(&s, NULL);
    ph_buf b;
    ph__buf_init(&b, 8);
    cr_assert_eq(ph__url_encode(&b, "   ", 3, &s, 0), PH_ETOOBIG);
    cr_assert_eq(b.len, 0);
    ph__buf_close(&b);
}

Test(url, encoded_len_matches_output) {
    ph_url_safe s;
    ph__url_safe_init(&s, NULL);
    cr_assert_eq(ph__url_encoded_len("a b+", 4, &s, PH_URL_PLUS), 6);
    cr_assert_eq(ph__url_encoded_len("a b+", 4, &s, 0), 8);
}

Test(url, encode_then_decode_round_trips_every_byte) {
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    ph_url_safe s;
    ph__url_safe_init(&s, PH_URL_WERKZEUG_SAFE);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert(ph__url_encode(&b, all, 256, &s, PH_URL_PLUS) > 0);
    char out[256];
    size_t n = ph__url_decode(out, b.data, b.len, PH_URL_PLUS, NULL);
    cr_assert_eq(n, 256);
    cr_assert(memcmp(out, all, 256) == 0);
    ph__buf_close(&b);
}
