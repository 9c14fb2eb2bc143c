/*
 * Allocation wrappers. All of phial allocates through these so that tests can
 * make the Nth allocation fail (ph__alloc_fail_after) and check that every
 * path reports PH_ENOMEM instead of crashing or leaking.
 */
#ifndef PH_UTIL_ALLOC_H
#define PH_UTIL_ALLOC_H

#include <stddef.h>

void *ph__malloc(size_t n);
void *ph__calloc(size_t count, size_t size);
void *ph__realloc(void *p, size_t n);
void ph__free(void *p);
char *ph__strdup(const char *s);
char *ph__strndup(const char *s, size_t n);

/*
 * Room for element n of a heap array of `size`-byte elements with room for
 * *cap: `arr` itself while n < *cap, else the array moved (realloc) to twice
 * the room, or `first` elements when it has none yet, with *cap updated.
 * NULL when out of memory or when the bytes would overflow a size_t; the
 * array and *cap are then unchanged and still the caller's.
 */
void *ph__grow(void *arr, size_t *cap, size_t n, size_t size, size_t first);

/* The room after `cap` that ph__grow and ph__arena_grow give: doubled, or
 * `first`; 0 when cap * 2 * size would overflow. */
size_t ph__grown_cap(size_t cap, size_t size, size_t first);

/*
 * Test hook: after `n` more successful allocations, every allocation fails
 * until the hook is reset with a negative `n`. Thread-safe (atomic counter),
 * so allocations made on the thread pool count too.
 */
void ph__alloc_fail_after(long n);

/*
 * Test hook: after `n` more successful allocations, the next one fails and
 * later ones succeed again (a transient shortage, so error paths that
 * allocate can still answer). A negative `n` disarms it. Thread-safe.
 */
void ph__alloc_fail_once(long n);

/* Number of allocations that failed on purpose since the last reset. */
long ph__alloc_failures(void);

#endif
