/*
 * The urlize filter: turns URLs and e-mail addresses in text into links,
 * following Jinja2 3.1's utils.urlize: the text is escaped, split on
 * whitespace, leading "(" "<" and trailing ")" ">" "." "," are peeled off
 * each word (rebalancing parentheses), and what remains is linked when it
 * looks like an http(s) URL, a www. or bare .com/.net/.org/... host, a
 * mailto: address or an e-mail address. The arguments are Jinja2's:
 * trim_url_limit (characters of a URL shown), nofollow, target, rel (its
 * words joined with "nofollow" and the default "noopener", sorted) and
 * extra_schemes (prefixes such as "ftp://" that link a word too).
 *
 * The host check is a close approximation of Jinja2's _http_re, not a copy.
 * Reference: Jinja2 3.1 "urlize" filter documentation.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int starts(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    return n >= k && strncasecmp(s, p, k) == 0;
}

static int ends(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    return n >= k && memcmp(s + n - k, p, k) == 0;
}

static int host_char(unsigned char c) {
    return isalnum(c) || c == '-' || c == '%' || c == '_' || c >= 0x80;
}

/* The host part (after an optional scheme or www.) up to an optional :port and path. */
static int looks_like_url(const char *s, size_t n) {
    size_t i = 0;
    int scheme = 0, www = 0;
    if (starts(s, n, "https://"))
        i = 8, scheme = 1;
    else if (starts(s, n, "http://"))
        i = 7, scheme = 1;
    if (starts(s + i, n - i, "www."))
        www = 1;
    /* shortest and longest of the labels before the last one */
    size_t h = i, labels = 0, last_label = 0, last_len = 0, shortest = SIZE_MAX, longest = 0;
    while (h < n) {
        size_t b = h;
        while (h < n && host_char((unsigned char)s[h]))
            h++;
        if (h == b)
            break;
        if (labels) {
            shortest = last_len < shortest ? last_len : shortest;
            longest = last_len > longest ? last_len : longest;
        }
        labels++;
        last_label = b;
        last_len = h - b;
        if (h < n && s[h] == '.' && h + 1 < n && host_char((unsigned char)s[h + 1]))
            h++;
        else
            break;
    }
    if (!labels)
        return 0;
    int ok = 0;
    if (scheme || www) {
        int alpha = 1;
        for (size_t k = 0; k < last_len; k++)
            alpha &= isalpha((unsigned char)s[last_label + k]) != 0;
        ok = labels >= (www ? 2u : 1u) &&
             ((alpha && last_len >= 2 && last_len <= 63) ||
              (last_len > 4 && starts(s + last_label, last_len, "xn--")));
        if (scheme && labels == 1 && !www)
            ok = alpha && last_len >= 2;
    } else if (shortest >= 2 && longest <= 63) { /* a bare domain's labels: 2 to 63 long */
        static const char *const tlds[] = {"com", "net", "int", "edu", "gov", "org", "info", "mil"};
        for (size_t k = 0; k < 8 && labels >= 2; k++)
            if (last_len == strlen(tlds[k]) && strncasecmp(s + last_label, tlds[k], last_len) == 0)
                ok = 1;
    }
    if (!ok)
        return 0;
    if (h < n && s[h] == ':') {
        size_t p = ++h;
        while (h < n && isdigit((unsigned char)s[h]) && h - p < 5)
            h++;
        if (h == p)
            return 0;
    }
    if (h < n && !strchr("/?#", s[h]))
        return 0;
    return 1;
}

static int looks_like_email(const char *s, size_t n) {
    const char *at = memchr(s, '@', n);
    if (!at || at == s)
        return 0;
    size_t d = (size_t)(at - s) + 1;
    if (d >= n || !(isalnum((unsigned char)s[d]) || s[d] == '_'))
        return 0;
    const char *dot = NULL;
    for (size_t i = d; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '_' || c == '.' || c == '-' || c >= 0x80))
            return 0;
        if (c == '.')
            dot = s + i;
    }
    return dot && dot > s + d && (size_t)(dot - s) + 1 < n;
}

static size_t count_of(const char *s, size_t n, const char *p) {
    size_t k = strlen(p), c = 0;
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(s + i, p, k) == 0)
            c++, i += k - 1;
    return c;
}

typedef struct uopts {
    const char *attrs; /* ' rel="..."' and ' target="..."', escaped, or "" */
    int64_t trim;      /* characters of a URL's text shown, or -1 for all */
    const tv *schemes; /* extra_schemes */
    size_t nschemes;
} uopts;

/* A URL's text, cut to trim characters and "..." when longer */
static int url_text(ph_buf *b, const char *m, size_t mn, int64_t trim) {
    if (trim < 0 || ph__utf8_len(m, mn) <= (size_t)trim)
        return ph__buf_append(b, m, mn);
    int rc = ph__buf_append(b, m, ph__utf8_offset(m, mn, (size_t)trim));
    return rc ? rc : ph__buf_append(b, "...", 3);
}

static int link_word(ph_buf *b, const char *w, size_t n, const uopts *o) {
    size_t hb = 0;
    for (;;) {
        if (hb < n && (w[hb] == '(' || w[hb] == '<'))
            hb++;
        else if (starts(w + hb, n - hb, "&lt;"))
            hb += 4;
        else
            break;
    }
    size_t me = n;
    for (;;) {
        if (me > hb && strchr(")>.,\n", w[me - 1]))
            me--;
        else if (me >= hb + 4 && ends(w + hb, me - hb, "&gt;"))
            me -= 4;
        else
            break;
    }
    static const char *const pairs[3][2] = {{"(", ")"}, {"<", ">"}, {"&lt;", "&gt;"}};
    for (int p = 0; p < 3; p++) {
        size_t sc = count_of(w + hb, me - hb, pairs[p][0]);
        if (sc <= count_of(w + hb, me - hb, pairs[p][1]))
            continue;
        size_t moves = count_of(w + me, n - me, pairs[p][1]);
        for (size_t k = 0; k < sc && k < moves; k++) {
            const char *t = memmem(w + me, n - me, pairs[p][1], strlen(pairs[p][1]));
            if (!t)
                break;
            me = (size_t)(t - w) + strlen(pairs[p][1]);
        }
    }
    const char *m = w + hb;
    size_t mn = me - hb;
    int rc = ph__buf_append(b, w, hb);
    if (rc == 0 && looks_like_url(m, mn)) {
        int has_scheme = starts(m, mn, "https://") || starts(m, mn, "http://");
        rc = ph__buf_printf(b, "<a href=\"%s%.*s\"%s>", has_scheme ? "" : "https://", (int)mn, m,
                            o->attrs);
        if (rc == 0)
            rc = url_text(b, m, mn, o->trim);
        if (rc == 0)
            rc = ph__buf_append(b, "</a>", 4);
    } else if (rc == 0 && starts(m, mn, "mailto:") && looks_like_email(m + 7, mn - 7)) {
        rc = ph__buf_printf(b, "<a href=\"%.*s\">%.*s</a>", (int)mn, m, (int)mn - 7, m + 7);
    } else if (rc == 0 && memchr(m, '@', mn) && !starts(m, mn, "www.") && !memchr(m, ':', mn) &&
               looks_like_email(m, mn)) {
        rc = ph__buf_printf(b, "<a href=\"mailto:%.*s\">%.*s</a>", (int)mn, m, (int)mn, m);
    } else if (rc == 0) {
        size_t k = 0;
        while (k < o->nschemes && !(mn > o->schemes[k].n &&
                                    memcmp(m, o->schemes[k].s, o->schemes[k].n) == 0))
            k++;
        rc = k < o->nschemes ? ph__buf_printf(b, "<a href=\"%.*s\"%s>%.*s</a>", (int)mn, m,
                                              o->attrs, (int)mn, m)
                             : ph__buf_append(b, m, mn);
    }
    return rc ? rc : ph__buf_append(b, w + me, n - me);
}

static int word_cmp(const void *x, const void *y) {
    const tv *a = x, *b = y;
    int c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
    return c ? c : (a->n > b->n) - (a->n < b->n);
}

/* Jinja2's extra_schemes check: two or more word characters, '.', '+' or
 * '-', then ':' and at most two slashes */
static int valid_scheme(tv s) {
    size_t i = 0;
    while (i < s.n && (isalnum((unsigned char)s.s[i]) || (s.s[i] && strchr("_.+-", s.s[i])) ||
                       (unsigned char)s.s[i] >= 0x80))
        i++;
    if (i < 2 || i >= s.n || s.s[i] != ':')
        return 0;
    size_t slashes = s.n - i - 1;
    return slashes <= 2 && memcmp(s.s + i + 1, "//", slashes) == 0;
}

/* ' rel="..."' (rel's words, "nofollow", "noopener": each once, sorted) and
 * ' target="..."', escaped */
static int link_attrs(rctx *r, const node *n, targs *a, const char **out) {
    tv relv, target, nofollow = tv_bool(0), words[64];
    size_t nw = 0;
    ph__tmpl_arg(a, 1, "nofollow", &nofollow);
    if (ph__tmpl_arg(a, 3, "rel", &relv) && relv.k != TV_NONE) {
        int rc = ph__tmpl_soft_str(r, n, relv, &relv);
        if (rc < 0)
            return rc;
        for (size_t i = 0, k; i < relv.n && nw < 62;) {
            if ((k = ph__cp_space_len(relv.s + i, relv.n - i))) {
                i += k;
                continue;
            }
            size_t e = i;
            while (e < relv.n && !ph__cp_space_len(relv.s + e, relv.n - e))
                e += ph__utf8_offset(relv.s + e, relv.n - e, 1);
            words[nw++] = tv_str(relv.s + i, e - i, 0);
            i = e;
        }
    }
    if (ph__tv_truthy(nofollow))
        words[nw++] = tv_str("nofollow", 8, 0);
    words[nw++] = tv_str("noopener", 8, 0);
    qsort(words, nw, sizeof(tv), word_cmp);
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__buf_append_str(&b, " rel=\"");
    for (size_t i = 0; rc == 0 && i < nw; i++) {
        if (i && word_cmp(&words[i], &words[i - 1]) == 0)
            continue;
        if (i)
            rc = ph__buf_append_char(&b, ' ');
        if (rc == 0)
            rc = ph__html_escape_n(&b, words[i].s, words[i].n);
    }
    if (rc == 0)
        rc = ph__buf_append_char(&b, '"');
    if (rc == 0 && ph__tmpl_arg(a, 2, "target", &target) && ph__tv_truthy(target)) {
        if ((rc = ph__tmpl_soft_str(r, n, target, &target)) == 0 &&
            (rc = ph__buf_append_str(&b, " target=\"")) == 0 &&
            (rc = ph__html_escape_n(&b, target.s, target.n)) == 0)
            rc = ph__buf_append_char(&b, '"');
    }
    if (rc == 0 && !(*out = ph__arena_strndup(r->a, b.data, b.len)))
        rc = PH_ENOMEM;
    ph__buf_close(&b);
    return rc;
}

int ph__tmpl_urlize(rctx *r, const node *n, tv v, targs *a, tv *out);
int ph__tmpl_urlize(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s, lim, schemes;
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    if (rc < 0)
        return rc;
    uopts o = {.trim = -1};
    if (ph__tmpl_arg(a, 0, "trim_url_limit", &lim) && lim.k != TV_NONE) {
        if (lim.k != TV_INT && lim.k != TV_BOOL)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "trim_url_limit must be an integer");
        o.trim = lim.i < 0 ? 0 : lim.i;
    }
    if ((rc = link_attrs(r, n, a, &o.attrs)) < 0)
        return rc;
    if (ph__tmpl_arg(a, 4, "extra_schemes", &schemes) && schemes.k != TV_NONE) {
        tv *items;
        if ((rc = ph__tv_items(r, n, schemes, &items, &o.nschemes)) < 0)
            return rc;
        for (size_t i = 0; i < o.nschemes; i++)
            if (items[i].k != TV_STR || !valid_scheme(items[i])) {
                ph_buf q;
                ph__buf_init(&q, 0);
                rc = ph__tv_repr(r, items[i], &q);
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "%.*s is not a valid URI scheme prefix.",
                                   (int)q.len, q.data ? q.data : "");
                ph__buf_close(&q);
                return rc;
            }
        o.schemes = items;
    }
    ph_buf esc, b;
    ph__buf_init(&esc, 0);
    ph__buf_init(&b, 0);
    rc = s.safe ? ph__buf_append(&esc, s.s, s.n) : ph__html_escape_n(&esc, s.s, s.n);
    const char *t = esc.data ? esc.data : "";
    for (size_t i = 0; rc == 0 && i < esc.len;) {
        /* a run of whitespace (Unicode's too, as Python's \s) or of the rest */
        size_t j = i, k;
        int sp = ph__cp_space_len(t + i, esc.len - i) != 0;
        while (j < esc.len && ((k = ph__cp_space_len(t + j, esc.len - j)) != 0) == sp)
            j += k ? k : ph__utf8_offset(t + j, esc.len - j, 1);
        rc = sp ? ph__buf_append(&b, t + i, j - i) : link_word(&b, t + i, j - i, &o);
        i = j;
    }
    ph__buf_close(&esc);
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, r->autoescape);
    ph__buf_close(&b);
    return rc;
}
