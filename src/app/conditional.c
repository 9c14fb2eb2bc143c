/*
 * Conditional and range requests for file responses: the decision Werkzeug
 * 2.2's Response.make_conditional(accept_ranges=True, complete_length=size)
 * takes, ported rule by rule so a phial app answers as a Flask app does:
 * parse_range_header and Range.range_for_length (one range only; several
 * give 416, as Werkzeug does), parse_etags (its regular expression emulated
 * here, quirks included), parse_if_range_header, and is_resource_modified
 * (If-None-Match with weak comparison, If-Match with strong comparison,
 * If-Modified-Since and the date or entity-tag of If-Range).
 *
 * Two deliberate differences, both in docs/static.md: dates are read with
 * ph__httpdate_parse (the three HTTP-date forms, strictly) where Werkzeug
 * accepts anything email.utils does, and "If-Match: *" matches any file
 * (RFC 9110 13.1.1) where Werkzeug 2.2 answers 412.
 *
 * It only decides: no I/O, no allocation. References: RFC 9110 sections 13
 * and 14; Werkzeug http.py, sansio/http.py, datastructures.py (Range, ETags).
 */
#include "app/send_file.h"

#include "util/httpdate.h"

#include <string.h>
#include <strings.h>

/* Python's str.strip() and re's \s for ASCII text. */
static int py_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static void strip(const char **s, size_t *len) {
    while (*len && py_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && py_space((*s)[*len - 1]))
        (*len)--;
}

/* Saturation for numbers past any file size, so the arithmetic never wraps. */
#define BIG ((int64_t)1 << 60)

/*
 * Python's int(text) for base 10 on ASCII: surrounding whitespace, a sign,
 * digits with single underscores between them. Larger values saturate.
 */
static int py_int(const char *s, size_t len, int64_t *out) {
    strip(&s, &len);
    int neg = 0;
    if (len && (*s == '+' || *s == '-')) {
        neg = *s == '-';
        s++;
        len--;
    }
    if (len == 0)
        return PH_EPARSE;
    int64_t v = 0;
    int prev_digit = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '_' && prev_digit && i + 1 < len) {
            prev_digit = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return PH_EPARSE;
        v = v >= BIG / 10 ? BIG : v * 10 + (c - '0');
        prev_digit = 1;
    }
    if (!prev_digit)
        return PH_EPARSE;
    *out = neg ? -v : v;
    return 0;
}

int ph__range_parse(const char *s, size_t len, ph__range *r) {
    memset(r, 0, sizeof(*r));
    const char *eq = s ? memchr(s, '=', len) : NULL;
    if (!eq)
        return PH_EPARSE;
    const char *units = s;
    size_t ulen = (size_t)(eq - s);
    strip(&units, &ulen);
    r->bytes_unit = ulen == 5 && strncasecmp(units, "bytes", 5) == 0;
    const char *p = eq + 1, *end = s + len;
    int64_t last_end = 0;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *iend = comma ? comma : end;
        const char *item = p;
        size_t ilen = (size_t)(iend - p);
        strip(&item, &ilen);
        const char *dash = memchr(item, '-', ilen);
        if (!dash)
            return PH_EPARSE;
        int64_t begin, stop = -1;
        if (dash == item) {
            if (last_end < 0 || py_int(item, ilen, &begin) < 0)
                return PH_EPARSE;
            last_end = -1;
        } else {
            if (py_int(item, (size_t)(dash - item), &begin) < 0)
                return PH_EPARSE;
            if (begin < last_end || last_end < 0)
                return PH_EPARSE;
            const char *es = dash + 1;
            size_t elen = (size_t)(item + ilen - es);
            strip(&es, &elen);
            if (elen) {
                if (py_int(es, elen, &stop) < 0)
                    return PH_EPARSE;
                stop = stop >= BIG ? BIG : stop + 1;
                if (begin >= stop)
                    return PH_EPARSE;
            }
            last_end = stop;
        }
        if (r->nranges++ == 0) {
            r->begin = begin;
            r->end = stop;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

/* Werkzeug's Range.range_for_length: the (start, stop) to send, or -1. */
static int range_for_length(const ph__range *r, uint64_t length, uint64_t *start, uint64_t *stop) {
    if (!r->bytes_unit || r->nranges != 1 || length >= (uint64_t)BIG)
        return -1;
    int64_t len = (int64_t)length, b = r->begin, e = r->end;
    if (e < 0) {
        e = len;
        if (b < 0)
            b += len;
    }
    if (b >= e || b < 0 || b >= len) /* is_byte_range_valid */
        return -1;
    *start = (uint64_t)b;
    *stop = (uint64_t)(e < len ? e : len);
    return 0;
}

/* ---- entity-tags ------------------------------------------------------------- */

/*
 * Where the separator (?:\s*,\s*|$) of Werkzeug's _etag_re ends when it
 * starts at k; -1 when it does not match there.
 */
static ptrdiff_t sep_end(const char *s, size_t n, size_t k) {
    size_t j = k;
    while (j < n && py_space(s[j]))
        j++;
    if (j < n && s[j] == ',') {
        j++;
        while (j < n && py_space(s[j]))
            j++;
        return (ptrdiff_t)j;
    }
    return k == n ? (ptrdiff_t)n : -1;
}

/*
 * One match of ([Ww]/)?(?:"(.*?)"|(.*?))(?:\s*,\s*|$) at *pos, as Python's
 * backtracking engine finds it: the quoted form takes the first closing
 * quote that a separator follows, else the bare form runs lazily to the
 * first separator. `is_none` is set for an empty quoted tag (Werkzeug then
 * stores None, which matches nothing).
 *
 * `*closing` carries the search for that closing quote from one call to the
 * next (SIZE_MAX before the first): the first quote followed by a separator
 * at or after where the last search began, n for none. Tags only move
 * forward, so it stays the answer until a tag starts past it; searching
 * again from every tag's start made a list of unclosed quotes ("a,"a,...)
 * quadratic.
 */
static void etag_next(const char *s, size_t n, size_t *pos, ph_slice *tag, bool *weak,
                      bool *is_none, size_t *closing) {
    size_t p = *pos;
    *weak = false;
    *is_none = false;
    if (p + 1 < n && (s[p] == 'W' || s[p] == 'w') && s[p + 1] == '/') {
        *weak = true;
        p += 2;
    }
    if (p < n && s[p] == '"') {
        if (*closing == SIZE_MAX || *closing < p + 1) {
            size_t q = p + 1;
            while (q < n && !(s[q] == '"' && sep_end(s, n, q + 1) >= 0))
                q++;
            *closing = q;
        }
        size_t q = *closing;
        if (q < n) {
            *tag = (ph_slice){s + p + 1, q - p - 1};
            *is_none = q == p + 1;
            *pos = (size_t)sep_end(s, n, q + 1);
            return;
        }
    }
    for (size_t k = p;; k++) {
        ptrdiff_t e = sep_end(s, n, k);
        if (e >= 0) {
            *tag = (ph_slice){s + p, k - p};
            *pos = (size_t)e;
            return;
        }
        /* No comma after this run of spaces: every later start inside it
         * fails the same way, so go to its last byte at once (else a long
         * run costs its length squared). */
        while (k + 1 < n && py_space(s[k]) && py_space(s[k + 1]))
            k++;
    }
}

ph__etag_match ph__etags_match(const char *s, size_t len, const char *tag, size_t tlen) {
    ph__etag_match m = {0};
    size_t pos = 0, closing = SIZE_MAX;
    while (s && pos < len) {
        ph_slice t;
        bool weak, is_none;
        etag_next(s, len, &pos, &t, &weak, &is_none, &closing);
        m.nonempty = true;
        if (!is_none && t.len == 1 && t.ptr[0] == '*')
            return (ph__etag_match){.nonempty = true, .star = true};
        if (is_none || t.len != tlen || memcmp(t.ptr, tag, tlen) != 0)
            continue;
        if (weak)
            m.weak = true;
        else
            m.strong = true;
    }
    return m;
}

/* Werkzeug's unquote_etag: strip, drop W/, drop the quotes around. */
static ph_slice unquote_etag(const char *s) {
    size_t n = strlen(s);
    strip(&s, &n);
    if (n >= 2 && (s[0] == 'W' || s[0] == 'w') && s[1] == '/') {
        s += 2;
        n -= 2;
    }
    if (n >= 1 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n = n >= 2 ? n - 2 : 0;
    }
    return (ph_slice){s, n};
}

static int parse_date(const char *s, int64_t *t) {
    if (!s)
        return -1;
    size_t n = strlen(s);
    strip(&s, &n);
    return ph__httpdate_parse(s, n, t) == 0 ? 0 : -1;
}

/* Werkzeug's is_resource_modified for this response. */
static bool modified(const ph__cond *c, bool ignore_if_range) {
    bool unmodified = false;
    bool ir_date = false, ir_etag = false;
    int64_t since = 0;
    ph_slice ir_tag = {0};
    if (!ignore_if_range && c->range && c->if_range && c->if_range[0]) {
        if (parse_date(c->if_range, &since) == 0) {
            ir_date = true;
        } else {
            ir_etag = true;
            ir_tag = unquote_etag(c->if_range);
        }
    }
    bool has_since = ir_date || parse_date(c->if_modified_since, &since) == 0;
    if (has_since && c->has_last_modified && c->last_modified <= since)
        unmodified = true;
    if (c->etag && c->etag[0]) {
        ph_slice mine = unquote_etag(c->etag);
        if (ir_etag) {
            ph__etag_match m = ph__etags_match(ir_tag.ptr, ir_tag.len, mine.ptr, mine.len);
            unmodified = m.star || m.strong;
        } else {
            const char *inm = c->if_none_match;
            ph__etag_match m = ph__etags_match(inm, inm ? strlen(inm) : 0, mine.ptr, mine.len);
            if (m.nonempty)
                unmodified = m.weak || m.star || m.strong;
            const char *im = c->if_match;
            m = ph__etags_match(im, im ? strlen(im) : 0, mine.ptr, mine.len);
            /* Werkzeug 2.2 fails "If-Match: *" (its star tag is not strong);
             * RFC 9110 13.1.1 says it matches any current representation. */
            if (m.nonempty)
                unmodified = !(m.strong || m.star);
        }
    }
    return !unmodified;
}

int ph__conditional_eval(const ph__cond *c, uint64_t *start, uint64_t *len) {
    *start = 0;
    *len = c->size;
    if (!c->get_or_head)
        return 200;
    if (c->accept_ranges && c->size > 0 && c->range && (!c->if_range || !modified(c, false))) {
        ph__range r;
        uint64_t b, e;
        if (ph__range_parse(c->range, strlen(c->range), &r) < 0 ||
            range_for_length(&r, c->size, &b, &e) < 0)
            return 416;
        *start = b;
        *len = e - b;
        return 206;
    }
    if (!modified(c, true)) {
        const char *im = c->if_match;
        return ph__etags_match(im, im ? strlen(im) : 0, "", 0).nonempty ? 412 : 304;
    }
    return 200;
}
