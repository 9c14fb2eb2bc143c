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
 * The host and address checks follow Jinja2's _http_re and _email_re,
 * Unicode word characters included.
 * Reference: Jinja2 3.1 "urlize" filter documentation.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* s begins with p, in any case (Jinja2's patterns ignore case) */
static int starts(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    return n >= k && strncasecmp(s, p, k) == 0;
}

/* The same, with the case as written (Jinja2 tests some prefixes so) */
static int starts_exactly(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    return n >= k && memcmp(s, p, k) == 0;
}

static int ends(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    return n >= k && memcmp(s + n - k, p, k) == 0;
}

/* The code point at s[i], and its length */
static uint32_t cp_at(const char *s, size_t n, size_t i, size_t *len) {
    return ph__utf8_next(s + i, n - i, len);
}

/* What may follow a host: (?::\d{1,5})?(?:[/?#]\S*)?$ (a word holds no
 * whitespace, so a path runs to the end). */
static int after_host(const char *s, size_t n, size_t h) {
    if (h < n && s[h] == ':') {
        size_t p = ++h;
        while (h < n && isdigit((unsigned char)s[h]) && h - p < 5)
            h++;
        if (h == p)
            return 0;
    }
    return h == n || (s[h] && strchr("/?#", s[h]));
}

/*
 * A host's labels from byte i: runs of [\w%-] joined by single dots. Sets
 * the end, the last label's start, the count and the shortest and longest
 * of the others (in characters).
 */
typedef struct labels {
    size_t end, last, count, shortest, longest;
} labels;

static labels scan_labels(const char *s, size_t n, size_t i) {
    labels l = {i, i, 0, SIZE_MAX, 0};
    size_t h = i, prev_chars = 0;
    for (;;) {
        size_t b = h, chars = 0, k;
        while (h < n) {
            uint32_t c = cp_at(s, n, h, &k);
            if (!(ph__cp_word(c) || c == '%' || c == '-'))
                break;
            h += k;
            chars++;
        }
        if (h == b)
            break;
        if (l.count) {
            l.shortest = prev_chars < l.shortest ? prev_chars : l.shortest;
            l.longest = prev_chars > l.longest ? prev_chars : l.longest;
        }
        l.count++;
        l.last = b;
        l.end = h;
        prev_chars = chars;
        if (h + 1 < n && s[h] == '.')
            h++;
        else
            break;
    }
    return l;
}

/* \d{1,3}(\.\d{1,3}){3} from i; the end, or 0 */
static size_t ipv4(const char *s, size_t n, size_t i) {
    for (int g = 0; g < 4; g++) {
        if (g && (i >= n || s[i++] != '.'))
            return 0;
        size_t p = i;
        while (i < n && isdigit((unsigned char)s[i]) && i - p < 3)
            i++;
        if (i == p)
            return 0;
    }
    return i;
}

/* \[([\da-f]{0,4}:){2}([\da-f]{0,4}:?){1,6}] from i; the end, or 0 */
static size_t ipv6(const char *s, size_t n, size_t i) {
    if (i >= n || s[i++] != '[')
        return 0;
    for (int g = 0; g < 2; g++) {
        size_t p = i;
        while (i < n && isxdigit((unsigned char)s[i]) && i - p < 4)
            i++;
        if (i >= n || s[i++] != ':')
            return 0;
    }
    for (int g = 0; g < 6; g++) { /* fewest groups first: each takes what it can */
        size_t p = i;
        while (i < n && isxdigit((unsigned char)s[i]) && i - p < 4)
            i++;
        i += i < n && s[i] == ':';
        if (i < n && s[i] == ']')
            return i + 1;
    }
    return 0;
}

/* Jinja2's _http_re (case-insensitive): a scheme or www. and a host whose
 * last label is 2 to 63 letters (or xn--...), or a bare host of labels of 2
 * to 63 characters under com/net/int/edu/gov/org/info/mil, or a scheme and
 * an IP address; then an optional port and path. */
static int looks_like_url(const char *s, size_t n) {
    size_t i = starts(s, n, "https://") ? 8 : starts(s, n, "http://") ? 7 : 0;
    int scheme = i > 0;
    if (scheme || starts(s, n, "www.")) {
        labels l = scan_labels(s, n, scheme ? i : 4);
        const char *t = s + l.last;
        size_t tn = l.end - l.last, k = 0;
        while (k < tn && isalpha((unsigned char)t[k]))
            k++;
        size_t puny = tn > 4 && starts(t, tn, "xn--") ? ph__utf8_len(t + 4, tn - 4) : 0;
        int tld = l.count && ((k == tn && tn >= 2 && tn <= 63) ||
                              (puny >= 2 && puny <= 59 && !memchr(t + 4, '-', tn - 4)));
        if (tld && after_host(s, n, l.end))
            return 1;
    }
    if (!scheme) {
        static const char *const tlds[] = {"com", "net", "int", "edu", "gov", "org", "info", "mil"};
        labels l = scan_labels(s, n, 0);
        size_t tn = l.end - l.last;
        for (size_t k = 0; k < 8 && l.count >= 2 && l.shortest >= 2 && l.longest <= 63; k++)
            if (tn == strlen(tlds[k]) && strncasecmp(s + l.last, tlds[k], tn) == 0)
                return after_host(s, n, l.end);
        return 0;
    }
    size_t e = ipv4(s, n, i);
    if (!e)
        e = ipv6(s, n, i);
    return e && after_host(s, n, e);
}

/* Jinja2's _email_re, ^\S+@\w[\w.-]*\.\w+$: the domain (after the last '@')
 * starts with a word character and ends with a dot and word characters. */
static int looks_like_email(const char *s, size_t n) {
    size_t at = n;
    while (at > 0 && s[at - 1] != '@')
        at--;
    if (at < 2 || at >= n) /* no '@', nothing before it, or nothing after */
        return 0;
    size_t k, dot = 0;
    if (!ph__cp_word(cp_at(s, n, at, &k)))
        return 0;
    for (size_t i = at + k; i < n; i += k) {
        uint32_t c = cp_at(s, n, i, &k);
        if (c == '.')
            dot = i;
        else if (!(ph__cp_word(c) || c == '-'))
            return 0;
    }
    if (!dot || dot + 1 >= n)
        return 0;
    for (size_t i = dot + 1; i < n; i += k)
        if (!ph__cp_word(cp_at(s, n, i, &k)))
            return 0;
    return 1;
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
        /* Jinja2 tests the scheme case-sensitively here (HTTP://x.com gets
         * https:// put before it) */
        int has_scheme = starts_exactly(m, mn, "https://") || starts_exactly(m, mn, "http://");
        rc = ph__buf_printf(b, "<a href=\"%s%.*s\"%s>", has_scheme ? "" : "https://", (int)mn, m,
                            o->attrs);
        if (rc == 0)
            rc = url_text(b, m, mn, o->trim);
        if (rc == 0)
            rc = ph__buf_append(b, "</a>", 4);
    } else if (rc == 0 && starts_exactly(m, mn, "mailto:") && looks_like_email(m + 7, mn - 7)) {
        rc = ph__buf_printf(b, "<a href=\"%.*s\">%.*s</a>", (int)mn, m, (int)mn - 7, m + 7);
    } else if (rc == 0 && memchr(m, '@', mn) && !starts_exactly(m, mn, "www.") &&
               !memchr(m, ':', mn) && looks_like_email(m, mn)) {
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
    ph__buf_init(&b, r->out->max);
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
                ph__buf_init(&q, r->out->max);
                rc = ph__tv_repr(r, items[i], &q);
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "%.*s is not a valid URI scheme prefix.",
                                   (int)q.len, q.data ? q.data : "");
                ph__buf_close(&q);
                return rc;
            }
        o.schemes = items;
    }
    ph_buf esc, b;
    ph__buf_init(&esc, r->out->max);
    ph__buf_init(&b, r->out->max);
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
