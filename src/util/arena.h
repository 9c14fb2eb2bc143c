/*
 * Arena (region) allocator: many small allocations, one release.
 *
 * Each request owns one; everything request-scoped comes from it and dies with
 * it. Reset keeps the first chunk, so a connection that serves many requests
 * allocates nothing on the hot path once warm.
 */
#ifndef PH_UTIL_ARENA_H
#define PH_UTIL_ARENA_H

#include <stddef.h>

typedef struct ph__arena_chunk ph__arena_chunk;

typedef struct ph__arena_owned ph__arena_owned;

typedef struct ph_arena {
    ph__arena_chunk *head; /* chunk being filled; older ones follow */
    ph__arena_owned *owned; /* heap blocks freed with the arena (ph__arena_adopt) */
    char *cur;             /* next free byte in head */
    char *end;             /* one past head's last byte */
    size_t chunk_size;     /* default size of a new chunk */
    size_t total;          /* bytes held in all chunks */
    size_t max;            /* hard cap on total; 0 = none */
} ph_arena;

/* Set up an empty arena; nothing is allocated until the first use. */
void ph__arena_init(ph_arena *a, size_t chunk_size, size_t max);

/* Free every chunk. The arena may be reused after ph__arena_init. */
void ph__arena_close(ph_arena *a);

/* Release everything but keep the first (oldest) chunk for reuse. */
void ph__arena_reset(ph_arena *a);

/* `n` bytes aligned for any type; NULL when out of memory or over the cap. */
void *ph__arena_alloc(ph_arena *a, size_t n);

/* ph__grow for an array in the arena: when full, its elements are copied to
 * a block with twice the room (the old block stays until the arena is reset).
 * NULL when out of memory or over the cap; the array and *cap unchanged. */
void *ph__arena_grow(ph_arena *a, void *arr, size_t *cap, size_t n, size_t size, size_t first);

/* Zeroed `n` bytes. */
void *ph__arena_calloc(ph_arena *a, size_t n);

/* Free `p` (from ph__malloc) when the arena is reset or closed, so a big
 * block made elsewhere (a rendered page) joins the arena without a copy.
 * Returns 0, or PH_ENOMEM with `p` freed at once. */
int ph__arena_adopt(ph_arena *a, void *p);

/* Call release(p) when the arena is reset or closed, so an object with a
 * release function of its own (a reference-counted JSON value) can die with
 * the arena. Returns 0 (NULL `p`: nothing to do), or PH_ENOMEM with
 * release(p) called at once. */
int ph__arena_on_release(ph_arena *a, void (*release)(void *), void *p);

/* A NUL-terminated copy of `n` bytes of `s`. */
char *ph__arena_strndup(ph_arena *a, const char *s, size_t n);

/* A NUL-terminated copy of `s`. */
char *ph__arena_strdup(ph_arena *a, const char *s);

/* printf into the arena. NULL on failure. */
char *ph__arena_printf(ph_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
