/*
 * Tests for src/util/utf8.c: well-formedness after Unicode's table 3-7 and
 * replacement as Python 3.11's bytes.decode("utf-8", "replace") (the
 * expected bytes below are its output), and that replacing always yields
 * well-formed text and leaves well-formed text alone.
 */
#include "util/utf8.h"

#include <criterion/criterion.h>
#include <string.h>

static ph_arena arena;

static void setup(void) { ph__arena_init(&arena, 4096, 0); }
static void teardown(void) { ph__arena_close(&arena); }

TestSuite(utf8, .init = setup, .fini = teardown);

static const struct {
    const char *in;
    size_t inlen;
    const char *out;
    size_t outlen;
} cases[] = {
    {"", 0, "", 0},
    {"\x61\x62\x63", 3, "\x61\x62\x63", 3},
    {"\xc3\xa9", 2, "\xc3\xa9", 2},
    {"\xff", 1, "\xef\xbf\xbd", 3},
    {"\x61\xff\x62", 3, "\x61\xef\xbf\xbd\x62", 5},
    {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9},
    {"\xc0\xaf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6},
    {"\xc3", 1, "\xef\xbf\xbd", 3},
    {"\xe2\x82", 2, "\xef\xbf\xbd", 3},
    {"\xe2\x82\xac", 3, "\xe2\x82\xac", 3},
    {"\xe2\x82\x61", 3, "\xef\xbf\xbd\x61", 4},
    {"\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80", 4},
    {"\xf0\x9f\x98", 3, "\xef\xbf\xbd", 3},
    {"\xf0\x9f\x98\x61", 4, "\xef\xbf\xbd\x61", 4},
    {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12},
    {"\xf5\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6},
    {"\xe0\x80\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 9},
    {"\xe0\xa0\x80", 3, "\xe0\xa0\x80", 3},
    {"\xf0\x80\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 12},
    {"\x80\xbf", 2, "\xef\xbf\xbd\xef\xbf\xbd", 6},
    {"\xc2\x80", 2, "\xc2\x80", 2},
    {"\xdf\xbf", 2, "\xdf\xbf", 2},
    {"\xef\xbf\xbf", 3, "\xef\xbf\xbf", 3},
    {"\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf", 4},
    {"\xed\x9f\xbf", 3, "\xed\x9f\xbf", 3},
    {"\xee\x80\x80", 3, "\xee\x80\x80", 3},
    {"\x61\x62\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xff\xfe", 13, "\x61\x62\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbd", 17},
    {"\x00\xc3", 2, "\x00\xef\xbf\xbd", 4},
    {"\x31\x32\x33\x34\x35\x36\x37\x38\xc3\xa9\x61\x62\x63\x64\x65\x66\x67\x68\xff\x78\x79\x7a", 22, "\x31\x32\x33\x34\x35\x36\x37\x38\xc3\xa9\x61\x62\x63\x64\x65\x66\x67\x68\xef\xbf\xbd\x78\x79\x7a", 24},
};

Test(utf8, replaces_as_python_does) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t n = 0;
        const char *t = ph__utf8_text(&arena, cases[i].in, cases[i].inlen, &n);
        cr_assert_not_null(t);
        cr_expect_eq(n, cases[i].outlen, "case %zu: length %zu", i, n);
        cr_expect(n == cases[i].outlen && memcmp(t, cases[i].out, n) == 0, "case %zu", i);
        int same = cases[i].inlen == cases[i].outlen &&
                   memcmp(cases[i].in, cases[i].out, cases[i].inlen) == 0;
        cr_expect_eq(ph__utf8_valid(cases[i].in, cases[i].inlen), same, "case %zu", i);
        if (same)
            cr_expect_eq(t, cases[i].in, "case %zu: well-formed text is not copied", i);
        else
            cr_expect_eq(t[n], '\0', "case %zu: a copy is NUL-terminated", i);
    }
}

/* Every two- and three-byte input: replacing gives well-formed text, and
 * well-formed input comes back as it is. */
Test(utf8, every_short_input_becomes_well_formed) {
    unsigned char s[3];
    for (unsigned len = 2; len <= 3; len++) {
        for (unsigned v = 0; v < (1u << (8 * len)); v += len == 3 ? 7 : 1) {
            for (unsigned k = 0; k < len; k++)
                s[k] = (unsigned char)(v >> (8 * k));
            size_t n;
            const char *t = ph__utf8_text(&arena, (const char *)s, len, &n);
            cr_assert_not_null(t);
            cr_assert(ph__utf8_valid(t, n), "%02x %02x %02x", s[0], s[1], s[2]);
            if (ph__utf8_valid((const char *)s, len))
                cr_assert(t == (const char *)s && n == len);
            else
                cr_assert(t != (const char *)s && n >= 3 && n <= 3 * len);
        }
        ph__arena_reset(&arena);
    }
}

/* Fed whole or split at every point, the stream agrees with ph__utf8_valid
 * on every case above: a character cut between two pieces is carried over. */
Test(utf8, stream_agrees_with_whole_check_at_every_split) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *s = cases[i].in;
        size_t n = cases[i].inlen;
        bool whole = ph__utf8_valid(s, n);
        for (size_t cut = 0; cut <= n; cut++) {
            ph__utf8_stream st = {0};
            bool ok = ph__utf8_stream_feed(&st, s, cut) && ph__utf8_stream_feed(&st, s + cut, n - cut) &&
                      ph__utf8_stream_complete(&st);
            cr_expect_eq(ok, whole, "case %zu cut %zu", i, cut);
        }
    }
}

Test(utf8, stream_fails_at_the_first_impossible_byte) {
    ph__utf8_stream st = {0};
    cr_expect(ph__utf8_stream_feed(&st, "ab\xE2\x82", 4));
    cr_expect_not(ph__utf8_stream_complete(&st));
    cr_expect(ph__utf8_stream_feed(&st, "\xAC", 1));
    cr_expect(ph__utf8_stream_complete(&st));
    cr_expect_not(ph__utf8_stream_feed(&st, "\xED\xA0", 2), "a surrogate fails at its second byte");
    ph__utf8_stream st2 = {0};
    cr_expect_not(ph__utf8_stream_feed(&st2, "\xC0", 1), "an overlong lead fails at once");
}
