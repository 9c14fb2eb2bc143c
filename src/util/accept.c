/*
 * Accept-* headers after Werkzeug 2.2 (parse_accept_header, Accept,
 * MIMEAccept, LanguageAccept), step for step, so that an app negotiates
 * as a Flask app would. The header is parsed the way Werkzeug's regular
 * expression finds its items; whitespace is Python's for a latin-1 string,
 * as a WSGI header is one.
 */
#include "accept.h"
#include "py_space.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Python's \s for a latin-1 string. */
static int py_space(unsigned char c) { return ph__py_space(c, 1); }

/* [^\s;,] */
static int tok(unsigned char c) { return !py_space(c) && c != ';' && c != ','; }

static int digit(char c) { return c >= '0' && c <= '9'; }

static size_t blanks(const char *s, size_t len, size_t p) {
    while (p < len && (s[p] == ' ' || s[p] == '\t'))
        p++;
    return p;
}

static size_t token_end(const char *s, size_t len, size_t p) {
    while (p < len && tok((unsigned char)s[p]))
        p++;
    return p;
}

/* One match of Werkzeug's _accept_re at s[start] (a token character): the
 * media range with its parameters, then an optional ";q=" weight; returns
 * where the match ends. */
static size_t match_item(const char *s, size_t len, size_t start, size_t *vend, double *q) {
    size_t pos = token_end(s, len, start);
    for (;;) { /* [ \t]*;[ \t]* then a parameter that is not the weight */
        size_t p = blanks(s, len, pos);
        if (p >= len || s[p] != ';')
            break;
        p = blanks(s, len, p + 1);
        if (p < len && tok((unsigned char)s[p]) && s[p] != 'q')
            pos = token_end(s, len, p + 1);
        else if (p + 1 < len && s[p] == 'q' && tok((unsigned char)s[p + 1]) && s[p + 1] != '=')
            pos = token_end(s, len, p + 2);
        else
            break;
    }
    *vend = pos;
    *q = 1;
    size_t p = blanks(s, len, pos);
    if (p >= len || s[p] != ';')
        return pos;
    p = blanks(s, len, p + 1);
    if (p + 1 >= len || s[p] != 'q' || s[p + 1] != '=')
        return pos;
    size_t qs = p + 2, qe = qs;
    while (qe < len && digit(s[qe]))
        qe++;
    if (qe + 1 < len && s[qe] == '.' && digit(s[qe + 1]))
        for (qe += 1; qe < len && digit(s[qe]); qe++)
            ;
    if (qe > qs) { /* an empty weight ("q=x") weighs 1 */
        char buf[64];
        size_t n = qe - qs < sizeof(buf) - 1 ? qe - qs : sizeof(buf) - 1;
        memcpy(buf, s + qs, n);
        buf[n] = '\0';
        /* a weight of more than 63 characters is over 1 or all zeros: the
         * clamp below gives the same answer for the first 63 */
        double v = strtod(buf, NULL);
        *q = v > 1 ? 1 : v < 0 ? 0 : v;
    }
    while (qe < len && s[qe] != ',') /* "extension" parameters */
        qe++;
    return qe;
}

/* ---- splitting and specificity ------------------------------------------- */

typedef struct part {
    const char *p;
    size_t n;
} part;

/* Werkzeug's _mime_split_re.split(): at '/' and at ';' with the whitespace
 * around it. Returns the number of parts (at most max; the rest are
 * counted but not stored). */
static size_t mime_split(const char *s, part *out, size_t max) {
    size_t n = 0, len = strlen(s), start = 0;
    for (size_t i = 0; i <= len; i++) {
        size_t end = i, next = i + 1;
        if (i < len && s[i] != '/') {
            if (!py_space((unsigned char)s[i]) && s[i] != ';')
                continue;
            size_t j = i; /* \s*;\s* */
            while (j < len && py_space((unsigned char)s[j]))
                j++;
            if (j >= len || s[j] != ';')
                continue;
            for (next = j + 1; next < len && py_space((unsigned char)s[next]); next++)
                ;
        }
        if (n < max)
            out[n] = (part){s + start, end - start};
        n++;
        start = next;
        i = next - 1;
    }
    return n;
}

#define MAX_PARTS 16

/* The specificity tuple of a client's value: for media types one flag per
 * part (is it not "*"), else one flag. */
static size_t specificity(ph__accept_rules rules, const char *v, int *out) {
    if (rules != PH__ACCEPT_MIME) {
        out[0] = strcmp(v, "*") != 0;
        return 1;
    }
    part parts[MAX_PARTS];
    size_t n = mime_split(v, parts, MAX_PARTS);
    if (n > MAX_PARTS)
        n = MAX_PARTS; /* deeper parts never decide between real types */
    for (size_t i = 0; i < n; i++)
        out[i] = !(parts[i].n == 1 && parts[i].p[0] == '*');
    return n;
}

/* Python's tuple comparison. */
static int spec_cmp(const int *a, size_t na, const int *b, size_t nb) {
    for (size_t i = 0; i < na && i < nb; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return na < nb ? -1 : na > nb;
}

/* An item with its specificity, worked out once for sorting. */
typedef struct keyed {
    ph__accept_item item;
    int spec[MAX_PARTS];
    size_t nspec;
} keyed;

/* Which goes first: the more specific, then the heavier (> 0: x). */
static int keyed_cmp(const keyed *x, const keyed *y) {
    int c = spec_cmp(x->spec, x->nspec, y->spec, y->nspec);
    if (c)
        return c;
    return x->item.quality < y->item.quality ? -1 : x->item.quality > y->item.quality;
}

/* Merge sort, descending and stable (equal items keep the client's order),
 * as sorted(..., reverse=True): O(n log n), for a header may hold thousands. */
static void merge_sort(keyed *a, keyed *tmp, size_t n) {
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(a, tmp, h);
    merge_sort(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = keyed_cmp(&a[j], &a[i]) > 0 ? a[j++] : a[i++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof(*a));
}

/* sorted(key=(specificity, quality), reverse=True) with `scratch` room for
 * 2n keyed items. */
static void sort_items(ph__accept_rules rules, ph__accept_item *it, size_t n, keyed *scratch) {
    for (size_t i = 0; i < n; i++) {
        scratch[i].item = it[i];
        scratch[i].nspec = specificity(rules, it[i].value, scratch[i].spec);
    }
    merge_sort(scratch, scratch + n, n);
    for (size_t i = 0; i < n; i++)
        it[i] = scratch[i].item;
}

int ph__accept_parse(ph_arena *a, ph__accept_rules rules, const char *s, size_t len,
                     ph__accept *out) {
    *out = (ph__accept){.rules = rules};
    if (!s || !len)
        return 0;
    size_t cap = 1; /* items are apart by at least one byte that is not a token's */
    for (size_t i = 0; i < len; i++)
        cap += !tok((unsigned char)s[i]);
    ph__accept_item *items = ph__arena_alloc(a, cap * sizeof(*items));
    if (!items)
        return PH_ENOMEM;
    size_t n = 0;
    for (size_t pos = 0; pos < len;) {
        if (!tok((unsigned char)s[pos])) {
            pos++;
            continue;
        }
        size_t vend;
        double q;
        size_t end = match_item(s, len, pos, &vend, &q);
        char *v = ph__arena_strndup(a, s + pos, vend - pos);
        if (!v)
            return PH_ENOMEM;
        items[n++] = (ph__accept_item){v, q};
        pos = end;
    }
    if (n > 1) {
        keyed *scratch = ph__arena_alloc(a, 2 * n * sizeof(*scratch));
        if (!scratch)
            return PH_ENOMEM;
        sort_items(rules, items, n, scratch);
    }
    out->items = items;
    out->n = n;
    return 0;
}

/* ---- matching ------------------------------------------------------------ */

/* Language tags: equal ignoring case, '-' and '_' alike. */
static int lang_eq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (*a != *b && !((*a == '_' || *a == '-') && (*b == '_' || *b == '-')) &&
            strncasecmp(a, b, 1))
            return 0;
    return *a == *b;
}

static int is_star(part p) { return p.n == 1 && p.p[0] == '*'; }

static int part_cmp(const void *x, const void *y) {
    const part *a = x, *b = y;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->p, b->p, n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* A media type split into type, subtype and sorted parameters, in lowercase
 * (copied into buf); returns the number of parts, 0 if it has no '/'. */
static size_t mime_parts(const char *v, char *buf, size_t cap, part *parts) {
    size_t n = strlen(v);
    if (!memchr(v, '/', n) || n >= cap)
        return 0;
    for (size_t i = 0; i <= n; i++)
        buf[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') : v[i];
    size_t np = mime_split(buf, parts, MAX_PARTS);
    if (np > MAX_PARTS)
        return 0;
    qsort(parts + 2, np - 2, sizeof(part), part_cmp);
    return np;
}

/* Whether the app's `value` is matched by the client's `item`; -1 when
 * `value` is not a media type the rules allow (Werkzeug raises). */
static int value_matches(ph__accept_rules rules, const char *value, const char *item) {
    if (rules == PH__ACCEPT_PLAIN)
        return !strcmp(item, "*") || !strcasecmp(item, value);
    if (rules == PH__ACCEPT_LANG)
        return !strcmp(item, "*") || lang_eq(value, item);
    if (!strchr(item, '/'))
        return 0;
    char vb[512], ib[512];
    part vp[MAX_PARTS], ip[MAX_PARTS];
    size_t nv = mime_parts(value, vb, sizeof(vb), vp);
    if (!nv || (is_star(vp[0]) && !is_star(vp[1])))
        return -1;
    size_t ni = mime_parts(item, ib, sizeof(ib), ip);
    if (!ni || (is_star(ip[0]) && !is_star(ip[1])))
        return 0;
    if ((is_star(ip[0]) && is_star(ip[1])) || (is_star(vp[0]) && is_star(vp[1])))
        return 1;
    if (part_cmp(&ip[0], &vp[0]))
        return 0;
    if (is_star(ip[1]) || is_star(vp[1]))
        return 1;
    if (part_cmp(&ip[1], &vp[1]) || ni != nv)
        return 0;
    for (size_t i = 2; i < ni; i++)
        if (part_cmp(&ip[i], &vp[i]))
            return 0;
    return 1;
}

/* Accept.best_match over `acc`'s items with `rules`. */
static const char *best_of(const ph__accept *acc, ph__accept_rules rules,
                           const char *const *offers, size_t n, const char *fallback) {
    const char *result = fallback;
    double best_q = -1;
    int best_spec[MAX_PARTS] = {-1};
    size_t best_n = 1;
    for (size_t o = 0; o < n; o++) {
        if (!offers[o])
            continue;
        const ph__accept_item *hit = NULL;
        for (size_t i = 0; i < acc->n && !hit; i++) {
            int m = value_matches(rules, offers[o], acc->items[i].value);
            if (m < 0)
                break; /* not a media type: never offered */
            if (m)
                hit = &acc->items[i];
        }
        if (!hit || hit->quality <= 0 || hit->quality < best_q)
            continue;
        int spec[MAX_PARTS];
        size_t ns = specificity(acc->rules, hit->value, spec);
        if (hit->quality > best_q || spec_cmp(spec, ns, best_spec, best_n) > 0) {
            result = offers[o];
            best_q = hit->quality;
            memcpy(best_spec, spec, ns * sizeof(int));
            best_n = ns;
        }
    }
    return result;
}

/* The primary subtag: up to the first '-' or '_'. */
static size_t primary_len(const char *s) { return strcspn(s, "-_"); }

const char *ph__accept_best(const ph__accept *acc, const char *const *offers, size_t n,
                            const char *fallback) {
    if (acc->rules != PH__ACCEPT_LANG || !n)
        return best_of(acc, acc->rules, offers, n, fallback);
    const char *r = best_of(acc, PH__ACCEPT_LANG, offers, n, NULL);
    if (r)
        return r;
    /* The client's "en-US" accepts the offer "en": its primary tags, with
     * the same weights, re-sorted, matched as plain values. */
    ph__accept_item prim[64];
    char pbuf[64][64];
    ph__accept fb = {.rules = PH__ACCEPT_PLAIN, .items = prim};
    for (size_t i = 0; i < acc->n && fb.n < 64; i++) {
        size_t k = primary_len(acc->items[i].value);
        if (k >= sizeof(pbuf[0]))
            continue;
        memcpy(pbuf[fb.n], acc->items[i].value, k);
        pbuf[fb.n][k] = '\0';
        prim[fb.n] = (ph__accept_item){pbuf[fb.n], acc->items[i].quality};
        fb.n++;
    }
    keyed scratch[128];
    sort_items(PH__ACCEPT_PLAIN, prim, fb.n, scratch);
    if ((r = best_of(&fb, PH__ACCEPT_PLAIN, offers, n, NULL)))
        return r;
    /* The client's "en" accepts the offer "en-US": the offers' primary tags,
     * and the first offer that starts with the one that wins. */
    char obuf[64][64];
    const char *po[64];
    size_t np = 0;
    for (size_t o = 0; o < n && np < 64; o++) {
        size_t k = offers[o] ? primary_len(offers[o]) : 0;
        if (!offers[o] || k >= sizeof(obuf[0]))
            continue;
        memcpy(obuf[np], offers[o], k);
        obuf[np][k] = '\0';
        po[np] = obuf[np];
        np++;
    }
    if (!(r = best_of(acc, PH__ACCEPT_LANG, po, np, NULL)))
        return fallback;
    for (size_t o = 0; o < n; o++)
        if (offers[o] && !strncmp(offers[o], r, strlen(r)))
            return offers[o];
    return fallback;
}

double ph__accept_quality(const ph__accept *acc, const char *value) {
    for (size_t i = 0; value && i < acc->n; i++) {
        int m = value_matches(acc->rules, value, acc->items[i].value);
        if (m < 0)
            return 0;
        if (m)
            return acc->items[i].quality;
    }
    return 0;
}
