/*
 * Multi-dict: an ordered list of (name, value) byte strings that keeps
 * duplicates, as Werkzeug's MultiDict backs request.args, request.form and
 * request.cookies. Lookups come in a case-sensitive flavour (args, form,
 * cookies) and an ASCII case-insensitive one (headers). Everything lives in
 * an arena and dies with it; names and values carry lengths, so they may hold
 * NUL bytes, and each copy is also NUL-terminated for convenience.
 *
 * Lookups scan linearly: request dicts are small, and a scan over a packed
 * array beats hashing for the usual dozen entries.
 */
#ifndef PH_UTIL_MULTIDICT_H
#define PH_UTIL_MULTIDICT_H

#include "arena.h"
#include "phial/common.h"

#include <stddef.h>

typedef struct ph_multidict_item {
    ph_slice name;  /* NUL-terminated after len; may hold NULs */
    ph_slice value; /* NUL-terminated after len; may hold NULs */
} ph_multidict_item;

typedef struct ph_multidict {
    /* read-only */
    ph_multidict_item *items; /* in insertion order */
    size_t len;               /* number of items */
    /* private */
    size_t cap;
    ph_arena *arena;
} ph_multidict;

/* Set up an empty dict that allocates from `a`. Nothing is allocated yet. */
void ph__multidict_init(ph_multidict *d, ph_arena *a);

/*
 * Append a pair, copying both strings into the arena.
 *
 * Returns:  0; PH_ENOMEM (the dict is unchanged).
 * Owns:     copies `name` and `value`.
 * Suspends: no.
 */
int ph__multidict_add(ph_multidict *d, const char *name, size_t nlen, const char *value,
                      size_t vlen);

/*
 * Append a pair without copying: the caller's strings must live as long as
 * the arena (typically they already come from it).
 *
 * Returns:  0; PH_ENOMEM (the dict is unchanged).
 * Owns:     borrows `name` and `value`.
 * Suspends: no.
 */
int ph__multidict_add_nocopy(ph_multidict *d, ph_slice name, ph_slice value);

/*
 * The first value stored under `name` (exact bytes), or under `name` compared
 * ASCII case-insensitively for the _ci variant.
 *
 * Returns:  a pointer to the value slice, valid until the next add or the
 *           arena's end; NULL when the name is absent.
 * Owns:     nothing.
 * Suspends: no.
 */
const ph_slice *ph__multidict_get(const ph_multidict *d, const char *name, size_t nlen);
const ph_slice *ph__multidict_get_ci(const ph_multidict *d, const char *name, size_t nlen);

/* How many values `name` has. */
size_t ph__multidict_count(const ph_multidict *d, const char *name, size_t nlen);
size_t ph__multidict_count_ci(const ph_multidict *d, const char *name, size_t nlen);

/*
 * Index of the next item at or after `from` whose name matches, for walking
 * all values of one name: for (i = find(d, n, l, 0); i >= 0; i = find(d, n,
 * l, i + 1)).
 *
 * Returns:  an index into d->items; -1 when there is none.
 * Suspends: no.
 */
ptrdiff_t ph__multidict_find(const ph_multidict *d, const char *name, size_t nlen, size_t from);
ptrdiff_t ph__multidict_find_ci(const ph_multidict *d, const char *name, size_t nlen, size_t from);

/*
 * Copy up to `max` values of `name` into `out`, in order.
 *
 * Returns:  how many values `name` has in all (may exceed `max`).
 * Suspends: no.
 */
size_t ph__multidict_get_all(const ph_multidict *d, const char *name, size_t nlen, ph_slice *out,
                             size_t max);
size_t ph__multidict_get_all_ci(const ph_multidict *d, const char *name, size_t nlen, ph_slice *out,
                                size_t max);

/*
 * Make every name and value from item `from` on well-formed UTF-8, as
 * Werkzeug decodes args, form fields and cookies (ph__utf8_text: invalid
 * bytes become U+FFFD). Items already well-formed are left as they are.
 *
 * Returns:  0; PH_ENOMEM (items before the failing one are converted).
 * Suspends: no.
 */
int ph__multidict_to_text(ph_multidict *d, size_t from);

#endif
