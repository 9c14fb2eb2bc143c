/*
 * Multi-dict over an arena: a growable array of (name, value) slices.
 *
 * Growth allocates a twice-as-large array from the arena and copies; the old
 * array stays in the arena until it is reset, which costs at most as much
 * again as the final array. Case-insensitive comparison uses a lower-case
 * table (ASCII only, as header names are ASCII tokens; RFC 9110 section 5.1).
 *
 * Not here: hashing, removal, charset decoding (values are raw bytes).
 */
#include "multidict.h"
#include "utf8.h"

#include <string.h>

void ph__multidict_init(ph_multidict *d, ph_arena *a) {
    d->items = NULL;
    d->len = d->cap = 0;
    d->arena = a;
}

static int grow(ph_multidict *d) {
    ph_multidict_item *items = ph__arena_grow(d->arena, d->items, &d->cap, d->len, sizeof(*items), 8);
    if (!items)
        return PH_ENOMEM;
    d->items = items;
    return 0;
}

int ph__multidict_add_nocopy(ph_multidict *d, ph_slice name, ph_slice value) {
    if (d->len == d->cap && grow(d) < 0)
        return PH_ENOMEM;
    d->items[d->len].name = name;
    d->items[d->len].value = value;
    d->len++;
    return 0;
}

int ph__multidict_add(ph_multidict *d, const char *name, size_t nlen, const char *value,
                      size_t vlen) {
    if (d->len == d->cap && grow(d) < 0)
        return PH_ENOMEM;
    /* One allocation for both copies keeps the arena compact. */
    char *p = ph__arena_alloc(d->arena, nlen + vlen + 2);
    if (!p)
        return PH_ENOMEM;
    if (nlen)
        memcpy(p, name, nlen);
    p[nlen] = '\0';
    if (vlen)
        memcpy(p + nlen + 1, value, vlen);
    p[nlen + 1 + vlen] = '\0';
    return ph__multidict_add_nocopy(d, (ph_slice){p, nlen}, (ph_slice){p + nlen + 1, vlen});
}

static const unsigned char lower[256] = {
#define L4(b) L1(b), L1(b + 1), L1(b + 2), L1(b + 3)
#define L1(c) (unsigned char)((c) >= 'A' && (c) <= 'Z' ? (c) + 32 : (c))
#define L16(b) L4(b), L4(b + 4), L4(b + 8), L4(b + 12)
    L16(0),   L16(16),  L16(32),  L16(48),  L16(64),  L16(80),  L16(96),  L16(112),
    L16(128), L16(144), L16(160), L16(176), L16(192), L16(208), L16(224), L16(240),
#undef L16
#undef L1
#undef L4
};

static int eq_ci(const char *a, const char *b, size_t n) {
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    for (size_t i = 0; i < n; i++)
        if (lower[x[i]] != lower[y[i]])
            return 0;
    return 1;
}

static int name_eq(const ph_slice *s, const char *name, size_t nlen, int ci) {
    if (s->len != nlen)
        return 0;
    if (nlen == 0)
        return 1;
    return ci ? eq_ci(s->ptr, name, nlen) : memcmp(s->ptr, name, nlen) == 0;
}

static ptrdiff_t find(const ph_multidict *d, const char *name, size_t nlen, size_t from, int ci) {
    for (size_t i = from; i < d->len; i++)
        if (name_eq(&d->items[i].name, name, nlen, ci))
            return (ptrdiff_t)i;
    return -1;
}

ptrdiff_t ph__multidict_find(const ph_multidict *d, const char *name, size_t nlen, size_t from) {
    return find(d, name, nlen, from, 0);
}

ptrdiff_t ph__multidict_find_ci(const ph_multidict *d, const char *name, size_t nlen, size_t from) {
    return find(d, name, nlen, from, 1);
}

const ph_slice *ph__multidict_get(const ph_multidict *d, const char *name, size_t nlen) {
    ptrdiff_t i = find(d, name, nlen, 0, 0);
    return i < 0 ? NULL : &d->items[i].value;
}

const ph_slice *ph__multidict_get_ci(const ph_multidict *d, const char *name, size_t nlen) {
    ptrdiff_t i = find(d, name, nlen, 0, 1);
    return i < 0 ? NULL : &d->items[i].value;
}

static size_t count(const ph_multidict *d, const char *name, size_t nlen, int ci) {
    size_t n = 0;
    for (size_t i = 0; i < d->len; i++)
        n += (size_t)name_eq(&d->items[i].name, name, nlen, ci);
    return n;
}

size_t ph__multidict_count(const ph_multidict *d, const char *name, size_t nlen) {
    return count(d, name, nlen, 0);
}

size_t ph__multidict_count_ci(const ph_multidict *d, const char *name, size_t nlen) {
    return count(d, name, nlen, 1);
}

static size_t get_all(const ph_multidict *d, const char *name, size_t nlen, ph_slice *out,
                      size_t max, int ci) {
    size_t n = 0;
    for (size_t i = 0; i < d->len; i++) {
        if (!name_eq(&d->items[i].name, name, nlen, ci))
            continue;
        if (n < max)
            out[n] = d->items[i].value;
        n++;
    }
    return n;
}

size_t ph__multidict_get_all(const ph_multidict *d, const char *name, size_t nlen, ph_slice *out,
                             size_t max) {
    return get_all(d, name, nlen, out, max, 0);
}

size_t ph__multidict_get_all_ci(const ph_multidict *d, const char *name, size_t nlen, ph_slice *out,
                                size_t max) {
    return get_all(d, name, nlen, out, max, 1);
}

static int slice_to_text(ph_arena *a, ph_slice *s) {
    size_t n;
    const char *t = ph__utf8_text(a, s->ptr, s->len, &n);
    if (!t)
        return PH_ENOMEM;
    *s = (ph_slice){t, n};
    return 0;
}

int ph__multidict_to_text(ph_multidict *d, size_t from) {
    for (size_t i = from; i < d->len; i++)
        if (slice_to_text(d->arena, &d->items[i].name) < 0 ||
            slice_to_text(d->arena, &d->items[i].value) < 0)
            return PH_ENOMEM;
    return 0;
}
