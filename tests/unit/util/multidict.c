/*
 * Tests for src/util/multidict.c: order, duplicates, the two lookup
 * flavours, NUL bytes, and allocation failure.
 */
#include "util/multidict.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdio.h>
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

TestSuite(multidict, .init = setup, .fini = teardown);

static void add(const char *n, const char *v) {
    cr_assert_eq(ph__multidict_add(&d, n, strlen(n), v, strlen(v)), 0);
}

Test(multidict, empty_dict_has_nothing) {
    cr_assert_eq(d.len, 0);
    cr_assert_null(ph__multidict_get(&d, "a", 1));
    cr_assert_eq(ph__multidict_count(&d, "a", 1), 0);
}

Test(multidict, keeps_insertion_order_and_duplicates) {
    add("a", "1");
    add("b", "2");
    add("a", "3");
    cr_assert_eq(d.len, 3);
    cr_assert_str_eq(d.items[0].name.ptr, "a");
    cr_assert_str_eq(d.items[1].name.ptr, "b");
    cr_assert_str_eq(d.items[2].value.ptr, "3");
}

Test(multidict, get_returns_first_value) {
    add("a", "1");
    add("a", "2");
    const ph_slice *v = ph__multidict_get(&d, "a", 1);
    cr_assert_not_null(v);
    cr_assert_eq(v->len, 1);
    cr_assert_eq(v->ptr[0], '1');
}

Test(multidict, get_is_case_sensitive) {
    add("Name", "x");
    cr_assert_null(ph__multidict_get(&d, "name", 4));
    cr_assert_not_null(ph__multidict_get(&d, "Name", 4));
}

Test(multidict, get_ci_ignores_ascii_case) {
    add("Content-Type", "text/plain");
    const ph_slice *v = ph__multidict_get_ci(&d, "content-TYPE", 12);
    cr_assert_not_null(v);
    cr_assert_str_eq(v->ptr, "text/plain");
    cr_assert_eq(ph__multidict_count_ci(&d, "CONTENT-type", 12), 1);
}

Test(multidict, count_and_get_all) {
    add("a", "1");
    add("b", "x");
    add("a", "2");
    add("a", "3");
    cr_assert_eq(ph__multidict_count(&d, "a", 1), 3);
    ph_slice out[2];
    cr_assert_eq(ph__multidict_get_all(&d, "a", 1, out, 2), 3, "total beyond max");
    cr_assert_str_eq(out[0].ptr, "1");
    cr_assert_str_eq(out[1].ptr, "2");
}

Test(multidict, get_all_ci_collects_every_spelling) {
    add("Set-Cookie", "a=1");
    add("X", "y");
    add("set-cookie", "b=2");
    ph_slice out[4];
    cr_assert_eq(ph__multidict_get_all_ci(&d, "SET-COOKIE", 10, out, 4), 2);
    cr_assert_str_eq(out[0].ptr, "a=1");
    cr_assert_str_eq(out[1].ptr, "b=2");
    cr_assert_eq(ph__multidict_get_all(&d, "SET-COOKIE", 10, out, 4), 0);
}

Test(multidict, find_walks_every_value) {
    add("a", "1");
    add("b", "x");
    add("a", "2");
    int n = 0;
    for (ptrdiff_t i = ph__multidict_find(&d, "a", 1, 0); i >= 0;
         i = ph__multidict_find(&d, "a", 1, (size_t)i + 1))
        n++;
    cr_assert_eq(n, 2);
    cr_assert_eq(ph__multidict_find_ci(&d, "B", 1, 0), 1);
}

Test(multidict, values_may_hold_nul) {
    cr_assert_eq(ph__multidict_add(&d, "k\0x", 3, "a\0b", 3), 0);
    const ph_slice *v = ph__multidict_get(&d, "k\0x", 3);
    cr_assert_not_null(v);
    cr_assert_eq(v->len, 3);
    cr_assert(memcmp(v->ptr, "a\0b", 3) == 0);
    cr_assert_null(ph__multidict_get(&d, "k", 1), "the NUL is part of the name");
}

Test(multidict, empty_name_and_value) {
    cr_assert_eq(ph__multidict_add(&d, "", 0, "", 0), 0);
    const ph_slice *v = ph__multidict_get(&d, "", 0);
    cr_assert_not_null(v);
    cr_assert_eq(v->len, 0);
    cr_assert_str_eq(v->ptr, "");
}

Test(multidict, grows_past_initial_capacity) {
    char k[8];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(k, sizeof(k), "k%d", i);
        cr_assert_eq(ph__multidict_add(&d, k, (size_t)n, k, (size_t)n), 0);
    }
    cr_assert_eq(d.len, 100);
    cr_assert_str_eq(ph__multidict_get(&d, "k77", 3)->ptr, "k77");
}

Test(multidict, nocopy_borrows) {
    static const char name[] = "n", value[] = "v";
    cr_assert_eq(ph__multidict_add_nocopy(&d, (ph_slice){name, 1}, (ph_slice){value, 1}), 0);
    cr_assert_eq(ph__multidict_get(&d, "n", 1)->ptr, value);
}

Test(multidict, allocation_failure_sweep) {
    /* Fail the Nth allocation for growing N: every add either succeeds or
     * reports PH_ENOMEM and leaves the dict as it was. */
    for (long n = 0; n < 20; n++) {
        ph__arena_close(&arena);
        ph__arena_init(&arena, 64, 0);
        ph__multidict_init(&d, &arena);
        ph__alloc_fail_after(n);
        size_t ok = 0;
        for (int i = 0; i < 40; i++) {
            size_t before = d.len;
            int rc = ph__multidict_add(&d, "name", 4, "value-value-value", 17);
            if (rc == 0)
                ok++;
            else
                cr_assert(rc == PH_ENOMEM && d.len == before);
        }
        ph__alloc_fail_after(-1);
        cr_assert_eq(d.len, ok);
        for (size_t i = 0; i < d.len; i++)
            cr_assert_str_eq(d.items[i].value.ptr, "value-value-value");
    }
}
