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
