/*
 * Tests for src/util/query.c, with Werkzeug 2.2's url_decode as the oracle.
 */
#include "util/query.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static ph_arena arena;
static ph_multidict d;

static void setup(void) {
    ph__arena_init(&arena, 1024, 0);
    ph__multidict_init(&d, &arena);
}

static void teardown(void) {
    ph__alloc_fail_after(-1);
    ph__arena_close(&arena);
}

TestSuite(query, .init = setup, .fini = teardown);

static ptrdiff_t parse(const char *s) { return ph__query_parse(&d, s, strlen(s), NULL); }

static void expect_item(size_t i, const char *n, size_t nl, const char *v, size_t vl) {
    cr_assert_lt(i, d.len);
    cr_expect_eq(d.items[i].name.len, nl, "item %zu name", i);
    cr_expect(memcmp(d.items[i].name.ptr, n, nl) == 0, "item %zu name", i);
    cr_expect_eq(d.items[i].value.len, vl, "item %zu value", i);
    cr_expect(memcmp(d.items[i].value.ptr, v, vl) == 0, "item %zu value", i);
}

#define ITEM(i, n, v) expect_item(i, n, sizeof(n) - 1, v, sizeof(v) - 1)

Test(query, simple_pairs_in_order) {
    cr_assert_eq(parse("a=1&b=2&a=3"), 11);
    cr_assert_eq(d.len, 3);
    ITEM(0, "a", "1");
    ITEM(1, "b", "2");
    ITEM(2, "a", "3");
}

Test(query, matches_werkzeug_url_decode) {
    /* werkzeug.urls.url_decode(..., charset=None), in insertion order. */
    parse("a=1&b=2&a=3&&c&=x&d=&e=f=g&h;i=2&%zz=%41+b");
    cr_assert_eq(d.len, 9);
    ITEM(0, "a", "1");
    ITEM(1, "b", "2");
    ITEM(2, "a", "3");
    ITEM(3, "c", "");
    ITEM(4, "", "x");
    ITEM(5, "d", "");
    ITEM(6, "e", "f=g");
    ITEM(7, "h;i", "2");
    ITEM(8, "%zz", "A b");
}

Test(query, semicolon_is_not_a_separator) {
    parse("a=1;b=2");
    cr_assert_eq(d.len, 1);
    ITEM(0, "a", "1;b=2");
}

Test(query, empty_input_gives_nothing) {
    cr_assert_eq(parse(""), 0);
    cr_assert_eq(d.len, 0);
    cr_assert_eq(parse("&&&"), 3);
    cr_assert_eq(d.len, 0);
}

Test(query, key_without_equals_has_empty_value) {
    parse("flag");
    ITEM(0, "flag", "");
}

Test(query, plus_and_escapes_decode_in_names_and_values) {
    parse("a+b%3D=c+d%26");
    ITEM(0, "a b=", "c d&");
}

Test(query, encoded_nul_is_kept) {
    parse("k=%00v");
    ITEM(0, "k", "\0v");
}

Test(query, too_many_fields_is_toobig) {
    ph_query_limits lim = {.max_fields = 2};
    cr_assert_eq(ph__query_parse(&d, "a&b", 3, &lim), 3);
    cr_assert_eq(ph__query_parse(&d, "a&b&c", 5, &lim), PH_ETOOBIG);
    cr_assert_eq(d.len, 2, "the failed call leaves the dict as it was");
}

Test(query, empty_pairs_do_not_count_toward_the_limit) {
    ph_query_limits lim = {.max_fields = 1};
    cr_assert_eq(ph__query_parse(&d, "&&a=1&&", 7, &lim), 7);
}

Test(query, too_long_is_toobig) {
    ph_query_limits lim = {.max_size = 4};
    cr_assert_eq(ph__query_parse(&d, "a=12", 4, &lim), 4);
    cr_assert_eq(ph__query_parse(&d, "a=123", 5, &lim), PH_ETOOBIG);
}

Test(query, default_field_limit_applies) {
    static char big[4 * (PH_QUERY_DEFAULT_MAX_FIELDS + 1)];
    size_t n = 0;
    for (int i = 0; i <= PH_QUERY_DEFAULT_MAX_FIELDS; i++) {
        memcpy(big + n, "a=1&", 4);
        n += 4;
    }
    cr_assert_eq(ph__query_parse(&d, big, n, NULL), PH_ETOOBIG);
    ph_query_limits none = {.max_fields = SIZE_MAX};
    cr_assert_eq(ph__query_parse(&d, big, n, &none), (ptrdiff_t)n);
}

Test(query, never_reads_past_len) {
    cr_assert_eq(ph__query_parse(&d, "a=1&b=2", 3, NULL), 3);
    cr_assert_eq(d.len, 1);
    ITEM(0, "a", "1");
}

Test(query, allocation_failure_sweep) {
    const char *q = "alpha=1&beta=two+words&gamma=%41%42&alpha=4&delta&epsilon=5";
    int succeeded = 0;
    for (long n = 0; n < 30 && !succeeded; n++) {
        ph__arena_close(&arena);
        ph__arena_init(&arena, 64, 0);
        ph__multidict_init(&d, &arena);
        ph__alloc_fail_after(n);
        ptrdiff_t rc = ph__query_parse(&d, q, strlen(q), NULL);
        ph__alloc_fail_after(-1);
        if (rc == PH_ENOMEM) {
            cr_assert_eq(d.len, 0);
        } else {
            cr_assert_eq(rc, (ptrdiff_t)strlen(q));
            cr_assert_eq(d.len, 6);
            succeeded = 1;
        }
    }
    cr_assert(succeeded);
}
