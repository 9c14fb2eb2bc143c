/*
 * Content negotiation as Werkzeug 2.2 does it: Accept-* headers parsed by
 * its regular expression (values and q weights, clamped to [0, 1]; a
 * weight that is not a number weighs 1), sorted by specificity then
 * weight, and matched against what the app offers by MIMEAccept,
 * LanguageAccept or plain Accept rules (best_match, quality, "in").
 * Case is folded in ASCII only; anything else compares as bytes.
 */
#ifndef PH_UTIL_ACCEPT_H
#define PH_UTIL_ACCEPT_H

#include "arena.h"
#include "phial/common.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum ph__accept_rules {
    PH__ACCEPT_PLAIN, /* Accept-Encoding: "*" or equal ignoring case */
    PH__ACCEPT_MIME,  /* Accept: type/subtype with wildcards and parameters */
    PH__ACCEPT_LANG,  /* Accept-Language: "-" and "_" alike, primary-tag fallbacks */
} ph__accept_rules;

typedef struct ph__accept_item {
    const char *value; /* NUL-terminated, in the arena */
    double quality;
} ph__accept_item;

typedef struct ph__accept {
    ph__accept_rules rules;
    ph__accept_item *items; /* most specific, then heaviest, first */
    size_t n;
} ph__accept;

/*
 * Parse the header value s[0..len) (NULL or empty: no items, as for an
 * absent header) into *out.
 *
 * Returns:  0; PH_ENOMEM.
 * Suspends: no.
 */
int ph__accept_parse(ph_arena *a, ph__accept_rules rules, const char *s, size_t len,
                     ph__accept *out);

/* The first of the n offers that suits the client best (Werkzeug's
 * best_match), or `fallback`. Offers that are not media types where the
 * rules want one (no '/', or "*" before a concrete subtype) are skipped. */
const char *ph__accept_best(const ph__accept *acc, const char *const *offers, size_t n,
                            const char *fallback);

/* The weight the client gives `value` (0 when no item matches it). */
double ph__accept_quality(const ph__accept *acc, const char *value);

#endif
