/*
 * Allocation wrappers with failure injection for tests.
 *
 * The injection counter is a single atomic, checked before each allocation;
 * the cost in production is one relaxed load that is almost always negative.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_after = -1;
static atomic_long failures = 0;

static atomic_long fail_once = -1;

/* The one-shot countdown (ph__alloc_fail_once): true for the one call that
 * takes it from 0 to disarmed. */
static int once_fails(void) {
    long n = atomic_load_explicit(&fail_once, memory_order_relaxed);
    while (n >= 0) {
        if (atomic_compare_exchange_weak(&fail_once, &n, n - 1)) {
            if (n > 0)
                return 0;
            atomic_fetch_add(&failures, 1);
            return 1;
        }
    }
    return 0;
}

static int should_fail(void) {
    if (once_fails())
        return 1;
    long n = atomic_load_explicit(&fail_after, memory_order_relaxed);
    if (n < 0)
        return 0;
    /* Count down to zero, then fail every call until reset. */
    while (n > 0) {
        if (atomic_compare_exchange_weak(&fail_after, &n, n - 1))
            return 0;
        if (n < 0)
            return 0;
    }
    atomic_fetch_add(&failures, 1);
    return 1;
}

void ph__alloc_fail_after(long n) {
    atomic_store(&failures, 0);
    atomic_store(&fail_after, n);
}

void ph__alloc_fail_once(long n) {
    atomic_store(&failures, 0);
    atomic_store(&fail_once, n);
}

long ph__alloc_failures(void) { return atomic_load(&failures); }

void *ph__malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }

void *ph__calloc(size_t count, size_t size) {
    return should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1);
}

void *ph__realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }

void ph__free(void *p) { free(p); }

size_t ph__grown_cap(size_t cap, size_t size, size_t first) {
    size_t ncap = cap ? cap * 2 : first;
    if (ncap < cap || size == 0 || ncap > SIZE_MAX / size)
        return 0;
    return ncap;
}

void *ph__grow(void *arr, size_t *cap, size_t n, size_t size, size_t first) {
    if (n < *cap)
        return arr;
    size_t ncap = ph__grown_cap(*cap, size, first);
    void *na = ncap ? ph__realloc(arr, ncap * size) : NULL;
    if (na)
        *cap = ncap;
    return na;
}

char *ph__strndup(const char *s, size_t n) {
    char *d = ph__malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *ph__strdup(const char *s) { return ph__strndup(s, strlen(s)); }
