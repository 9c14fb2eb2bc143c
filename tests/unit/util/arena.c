/* Arena allocator. */
#include "phial/common.h"
#include "util/alloc.h"
#include "util/arena.h"

#include <criterion/criterion.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

Test(arena, allocations_are_aligned_and_distinct) {
    ph_arena a;
    ph__arena_init(&a, 256, 0);
    char *prev = NULL;
    for (int i = 1; i < 200; i++) {
        char *p = ph__arena_alloc(&a, (size_t)(i % 37) + 1);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0);
        cr_assert_neq(p, prev);
        memset(p, 0xAB, (size_t)(i % 37) + 1);
        prev = p;
    }
    ph__arena_close(&a);
}

Test(arena, large_allocation_gets_own_chunk) {
    ph_arena a;
    ph__arena_init(&a, 1024, 0);
    char *small = ph__arena_alloc(&a, 16);
    char *big = ph__arena_alloc(&a, 100000);
    char *small2 = ph__arena_alloc(&a, 16);
    cr_assert_not_null(big);
    cr_assert_eq(small2, small + 16, "small allocations keep filling the current chunk");
    memset(big, 1, 100000);
    ph__arena_close(&a);
}

Test(arena, reset_keeps_first_chunk_and_reuses_memory) {
    ph_arena a;
    ph__arena_init(&a, 512, 0);
    char *first = ph__arena_alloc(&a, 8);
    for (int i = 0; i < 100; i++)
        ph__arena_alloc(&a, 100);
    ph__arena_reset(&a);
    cr_assert_eq(a.total, 512);
    char *again = ph__arena_alloc(&a, 8);
    cr_assert_eq(again, first);
    ph__arena_close(&a);
}

Test(arena, cap_refuses_growth) {
    ph_arena a;
    ph__arena_init(&a, 1024, 2048);
    cr_assert_not_null(ph__arena_alloc(&a, 1000));
    cr_assert_not_null(ph__arena_alloc(&a, 1000));
    cr_assert_null(ph__arena_alloc(&a, 1000), "a third chunk would pass the cap");
    ph__arena_close(&a);
}

Test(arena, strdup_and_printf) {
    ph_arena a;
    ph__arena_init(&a, 0, 0);
    cr_assert_str_eq(ph__arena_strndup(&a, "hello world", 5), "hello");
    cr_assert_str_eq(ph__arena_strdup(&a, "x"), "x");
    cr_assert_str_eq(ph__arena_printf(&a, "%d-%s", 42, "y"), "42-y");
    char *z = ph__arena_calloc(&a, 64);
    for (int i = 0; i < 64; i++)
        cr_assert_eq(z[i], 0);
    ph__arena_close(&a);
}

Test(arena, allocation_failure_returns_null) {
    ph_arena a;
    ph__arena_init(&a, 256, 0);
    ph__alloc_fail_after(0);
    cr_assert_null(ph__arena_alloc(&a, 10));
    cr_assert_null(ph__arena_strdup(&a, "abc"));
    ph__alloc_fail_after(-1);
    cr_assert_not_null(ph__arena_alloc(&a, 10));
    ph__arena_close(&a);
}

Test(arena, close_of_empty_arena_is_harmless) {
    ph_arena a;
    ph__arena_init(&a, 0, 0);
    ph__arena_reset(&a);
    ph__arena_close(&a);
    ph__arena_close(&a);
}

/* Adopted heap blocks live as long as the arena's own memory: reset and
 * close free them (the leak checkers of `make asan` and `make valgrind`
 * see any that stay), and the arena keeps serving around them. */
Test(arena, adopted_blocks_are_freed_with_the_arena) {
    ph_arena a;
    ph__arena_init(&a, 256, 0);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5; i++) {
            char *p = ph__malloc(1000);
            cr_assert_not_null(p);
            memset(p, 'x', 1000);
            cr_assert_eq(ph__arena_adopt(&a, p), 0);
            cr_assert_not_null(ph__arena_strdup(&a, "between"));
        }
        cr_assert_eq(ph__arena_adopt(&a, NULL), 0);
        ph__arena_reset(&a);
        cr_assert_null(a.owned);
    }
    cr_assert_eq(ph__arena_adopt(&a, ph__malloc(10)), 0);
    ph__arena_close(&a);
    cr_assert_null(a.owned);
}

/* When the arena cannot record the block, the block is freed at once. */
Test(arena, adopt_without_memory_frees_the_block) {
    ph_arena a;
    ph__arena_init(&a, 64, 64); /* capped: the record cannot get a chunk */
    cr_assert_not_null(ph__arena_alloc(&a, 64));
    char *p = ph__malloc(100);
    cr_assert_not_null(p);
    cr_assert_eq(ph__arena_adopt(&a, p), PH_ENOMEM);
    cr_assert_null(a.owned);
    ph__arena_close(&a);
}

/* Release functions run once each, newest first, at reset and at close;
 * one that cannot be recorded runs at once. */
static int released[8];
static int nreleased;

static void note_release(void *p) { released[nreleased++] = *(int *)p; }

Test(arena, release_functions_run_newest_first_at_reset_and_close) {
    static int one = 1, two = 2, three = 3;
    ph_arena a;
    ph__arena_init(&a, 64, 0);
    nreleased = 0;
    cr_assert_eq(ph__arena_on_release(&a, note_release, &one), 0);
    cr_assert_eq(ph__arena_on_release(&a, note_release, &two), 0);
    cr_assert_eq(ph__arena_on_release(&a, note_release, NULL), 0);
    cr_expect_eq(nreleased, 0);
    ph__arena_reset(&a);
    cr_assert_eq(nreleased, 2);
    cr_expect_eq(released[0], 2);
    cr_expect_eq(released[1], 1);
    cr_assert_eq(ph__arena_on_release(&a, note_release, &three), 0);
    ph__arena_close(&a);
    cr_assert_eq(nreleased, 3);
    cr_expect_eq(released[2], 3);
    ph__arena_init(&a, 64, 64); /* capped: the record cannot get a chunk */
    cr_assert_not_null(ph__arena_alloc(&a, 64));
    cr_expect_eq(ph__arena_on_release(&a, note_release, &one), PH_ENOMEM);
    cr_expect_eq(nreleased, 4);
    cr_expect_eq(released[3], 1);
    ph__arena_close(&a);
    cr_expect_eq(nreleased, 4);
}

/* ph__grow keeps the array while there is room, doubles it when full, keeps
 * the elements, and refuses a size that would overflow without touching the
 * array or its room. */
Test(arena, grow_heap_array_doubles_and_refuses_overflow) {
    int *v = NULL;
    size_t cap = 0;
    for (int i = 0; i < 100; i++) {
        int *nv = ph__grow(v, &cap, (size_t)i, sizeof(*nv), 4);
        cr_assert_not_null(nv);
        if ((size_t)i < 4)
            cr_assert_eq(cap, 4);
        v = nv;
        v[i] = i * 3;
    }
    cr_assert_eq(cap, 128);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(v[i], i * 3);
    cr_assert_eq(ph__grow(v, &cap, 50, sizeof(*v), 4), v); /* room left: the same array */
    size_t huge = SIZE_MAX / 8 + 1;
    cr_assert_null(ph__grow(v, &huge, huge, 8, 4));
    cr_assert_eq(huge, SIZE_MAX / 8 + 1);
    size_t big = SIZE_MAX / 2 + 1; /* doubling it wraps */
    cr_assert_null(ph__grow(v, &big, big, 1, 4));
    cr_assert_eq(big, SIZE_MAX / 2 + 1);
    ph__free(v);
}

/* The arena's form copies the elements to a block twice the size, and
 * reports the cap of the arena as a failure with the array unchanged. */
Test(arena, grow_arena_array_copies_and_fails_cleanly) {
    ph_arena a;
    ph__arena_init(&a, 256, 1024);
    long *v = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        long *nv = ph__arena_grow(&a, v, &cap, n, sizeof(*nv), 2);
        if (!nv)
            break;
        v = nv;
        v[n] = (long)n * 7;
        n++;
    }
    cr_assert_geq(n, 16); /* 2, 4, 8, 16 elements fit under 1,024 bytes */
    cr_assert_eq(n, cap);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i], (long)i * 7);
    ph__arena_close(&a);
}
