/*
 * Arena allocator. Chunks form a singly linked list, newest first; an
 * allocation larger than a quarter of the chunk size gets a chunk of its own
 * so that big pieces do not waste the rest of a shared chunk.
 */
#include "arena.h"

#include "alloc.h"
#include "phial/common.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdalign.h>
#include <stdio.h>
#include <string.h>

struct ph__arena_chunk {
    ph__arena_chunk *next;
    size_t size; /* usable bytes after the header */
    alignas(max_align_t) char data[];
};

struct ph__arena_owned {
    ph__arena_owned *next;
    void *p;
    void (*release)(void *); /* ph__free for adopted blocks */
};

#define ALIGN (alignof(max_align_t))

/* The adopted blocks go before the chunks that hold their records, newest
 * first: a value released later may still be used by one released sooner. */
static void free_owned(ph_arena *a) {
    for (ph__arena_owned *o = a->owned; o; o = o->next)
        o->release(o->p);
    a->owned = NULL;
}

void ph__arena_init(ph_arena *a, size_t chunk_size, size_t max) {
    memset(a, 0, sizeof(*a));
    a->chunk_size = chunk_size ? chunk_size : 4096;
    a->max = max;
}

void ph__arena_close(ph_arena *a) {
    free_owned(a);
    ph__arena_chunk *c = a->head;
    while (c) {
        ph__arena_chunk *next = c->next;
        ph__free(c);
        c = next;
    }
    a->head = NULL;
    a->cur = a->end = NULL;
    a->total = 0;
}

void ph__arena_reset(ph_arena *a) {
    free_owned(a);
    ph__arena_chunk *c = a->head, *keep = NULL;
    while (c) {
        ph__arena_chunk *next = c->next;
        if (next == NULL)
            keep = c;
        else
            ph__free(c);
        c = next;
    }
    a->head = keep;
    if (keep) {
        a->cur = keep->data;
        a->end = keep->data + keep->size;
        a->total = keep->size;
    } else {
        a->cur = a->end = NULL;
        a->total = 0;
    }
}

static void *alloc_chunk(ph_arena *a, size_t n) {
    int own = n > a->chunk_size / 4;
    size_t size = own ? n : a->chunk_size;
    if (a->max && a->total + size > a->max)
        return NULL;
    ph__arena_chunk *c = ph__malloc(sizeof(*c) + size);
    if (!c)
        return NULL;
    c->size = size;
    a->total += size;
    if (own && a->head) {
        /* Keep filling the current chunk: slot the big one in behind it. */
        c->next = a->head->next;
        a->head->next = c;
        return c->data;
    }
    c->next = a->head;
    a->head = c;
    a->cur = c->data + n;
    a->end = c->data + size;
    return c->data;
}

void *ph__arena_alloc(ph_arena *a, size_t n) {
    if (n == 0)
        n = 1;
    size_t pad = (ALIGN - ((uintptr_t)a->cur & (ALIGN - 1))) & (ALIGN - 1);
    if (a->cur && (size_t)(a->end - a->cur) >= n + pad) {
        void *p = a->cur + pad;
        a->cur += pad + n;
        return p;
    }
    if (n > SIZE_MAX / 2)
        return NULL;
    return alloc_chunk(a, n);
}

void *ph__arena_grow(ph_arena *a, void *arr, size_t *cap, size_t n, size_t size, size_t first) {
    if (n < *cap)
        return arr;
    size_t ncap = ph__grown_cap(*cap, size, first);
    void *na = ncap ? ph__arena_alloc(a, ncap * size) : NULL;
    if (!na)
        return NULL;
    if (n)
        memcpy(na, arr, n * size);
    *cap = ncap;
    return na;
}

void *ph__arena_calloc(ph_arena *a, size_t n) {
    void *p = ph__arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

int ph__arena_on_release(ph_arena *a, void (*release)(void *), void *p) {
    if (!p)
        return 0;
    ph__arena_owned *o = ph__arena_alloc(a, sizeof(*o));
    if (!o) {
        release(p);
        return PH_ENOMEM;
    }
    o->p = p;
    o->release = release;
    o->next = a->owned;
    a->owned = o;
    return 0;
}

int ph__arena_adopt(ph_arena *a, void *p) { return ph__arena_on_release(a, ph__free, p); }

char *ph__arena_strndup(ph_arena *a, const char *s, size_t n) {
    char *d = ph__arena_alloc(a, n + 1);
    if (d) {
        if (n)
            memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *ph__arena_strdup(ph_arena *a, const char *s) { return ph__arena_strndup(a, s, strlen(s)); }

char *ph__arena_printf(ph_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = ph__arena_alloc(a, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}
