/*
 * Task stacks: mmap'd with a guard page below, pooled per loop for reuse.
 */
#ifndef PH_RUNTIME_STACK_H
#define PH_RUNTIME_STACK_H

#include <stddef.h>

typedef struct ph__stack {
    char *map;       /* start of the mapping (the guard page, when there is one) */
    size_t map_size; /* whole mapping */
    char *base;      /* lowest usable byte */
    size_t size;     /* usable bytes */
    unsigned vg_id;  /* Valgrind stack id */
    int guarded;     /* the page below `base` is PROT_NONE */
    int slab;        /* carved from a shared mapping; never unmapped alone */
    struct ph__stack *next; /* free list */
} ph__stack;

typedef struct ph__stack_pool {
    ph__stack *free;
    size_t nfree;
    size_t max_free;
    size_t size; /* usable size of the stacks this pool hands out */
} ph__stack_pool;

/* Default usable stack size; see docs/runtime.md for how it was chosen. */
#define PH__STACK_DEFAULT (256u * 1024u)

void ph__stack_pool_init(ph__stack_pool *p, size_t size, size_t max_free);
void ph__stack_pool_close(ph__stack_pool *p);

/*
 * A stack of the pool's size (or `size` bytes when nonzero and different);
 * NULL when out of memory. The descriptor lives at the top of the stack.
 */
ph__stack *ph__stack_get(ph__stack_pool *p, size_t size);
void ph__stack_put(ph__stack_pool *p, ph__stack *s);

/* The system page size. */
size_t ph__page_size(void);

/*
 * Install the stack-overflow reporter (once per process) and an alternate
 * signal stack for the calling thread. The reporter finds the running task
 * through the thread's loop.
 */
void ph__stack_overflow_init_thread(void);
void ph__stack_overflow_fini_thread(void);

#endif
