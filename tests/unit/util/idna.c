/*
 * Tests for src/util/idna.c: host names as Python's "idna" codec writes
 * them label by label (the expected forms below are its output), and the
 * names it refuses.
 */
#include "util/idna.h"

#include <criterion/criterion.h>
#include <string.h>

static ph_arena arena;

static void setup(void) { ph__arena_init(&arena, 4096, 0); }
static void teardown(void) { ph__arena_close(&arena); }

TestSuite(idna, .init = setup, .fini = teardown);

static const char *encode(const char *host) {
    size_t n;
    return ph__idna_encode(&arena, host, strlen(host), &n);
}

Test(idna, labels_outside_ascii_take_punycode) {
    cr_expect_str_eq(encode("b\xc3\xbc" "cher.de"), "xn--bcher-kva.de");
    cr_expect_str_eq(encode("m\xc3\xbcnchen.de"), "xn--mnchen-3ya.de");
    cr_expect_str_eq(encode("\xc3\xa9x.com"), "xn--x-9fa.com");
    cr_expect_str_eq(encode("a.b.\xc3\xbc"), "a.b.xn--tda");
    cr_expect_str_eq(encode("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp"), "xn--wgv71a119e.jp");
    cr_expect_str_eq(encode("\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4"
                            "\xb8\x8d\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87.cn"),
                     "xn--ihqwcrb4cv8a8dqg056pqjye.cn");
}

Test(idna, letters_are_lowercased_as_nameprep_does) {
    cr_expect_str_eq(encode("\xc3\x89X.com"), "xn--x-9fa.com");
    cr_expect_str_eq(encode("Example.COM"), "Example.COM", "ASCII names are kept as they are");
}

Test(idna, names_without_a_form_are_refused) {
    char long_label[128];
    memset(long_label, 'x', 60);
    strcpy(long_label + 60, "\xc3\xbc");
    cr_expect_null(encode(long_label), "xn-- and 61 characters is over 63");
    cr_expect_null(encode("\xff.com"), "not UTF-8");
}
