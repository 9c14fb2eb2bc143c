/*
 * The urlize filter: turns URLs and e-mail addresses in text into links,
 * following Jinja2 3.1's utils.urlize: the text is escaped, split on
 * whitespace, leading "(" "<" and trailing ")" ">" "." "," are peeled off
 * each word (rebalancing parentheses), and what remains is linked when it
 * looks like an http(s) URL, a www. or bare .com/.net/.org/... host, a
 * mailto: address or an e-mail address. rel defaults to "noopener".
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
    size_t h = i, labels = 0, last_label = 0, last_len = 0;
    while (h < n) {
        size_t b = h;
        while (h < n && host_char((unsigned char)s[h]))
            h++;
        if (h == b)
            break;
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
    } else {
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

static int link_word(ph_buf *b, const char *w, size_t n, const char *rel) {
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
        rc = ph__buf_printf(b, "<a href=\"%s%.*s\"%s%s%s>%.*s</a>", has_scheme ? "" : "https://",
                            (int)mn, m, rel ? " rel=\"" : "", rel ? rel : "", rel ? "\"" : "",
                            (int)mn, m);
    } else if (rc == 0 && starts(m, mn, "mailto:") && looks_like_email(m + 7, mn - 7)) {
        rc = ph__buf_printf(b, "<a href=\"%.*s\">%.*s</a>", (int)mn, m, (int)mn - 7, m + 7);
    } else if (rc == 0 && memchr(m, '@', mn) && !starts(m, mn, "www.") && !memchr(m, ':', mn) &&
               looks_like_email(m, mn)) {
        rc = ph__buf_printf(b, "<a href=\"mailto:%.*s\">%.*s</a>", (int)mn, m, (int)mn, m);
    } else if (rc == 0) {
        rc = ph__buf_append(b, m, mn);
    }
    return rc ? rc : ph__buf_append(b, w + me, n - me);
}

int ph__tmpl_urlize(rctx *r, const node *n, tv v, targs *a, tv *out);
int ph__tmpl_urlize(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s, relv;
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    if (rc < 0)
        return rc;
    const char *rel = "noopener";
    if (ph__tmpl_arg(a, 2, "rel", &relv) && relv.k == TV_STR)
        rel = ph__arena_strndup(r->a, relv.s, relv.n);
    ph_buf esc, b;
    ph__buf_init(&esc, 0);
    ph__buf_init(&b, 0);
    rc = s.safe ? ph__buf_append(&esc, s.s, s.n) : ph__html_escape_n(&esc, s.s, s.n);
    const char *t = esc.data ? esc.data : "";
    for (size_t i = 0; rc == 0 && i < esc.len;) {
        size_t j = i;
        int sp = isspace((unsigned char)t[i]);
        while (j < esc.len && (isspace((unsigned char)t[j]) != 0) == (sp != 0))
            j++;
        rc = sp ? ph__buf_append(&b, t + i, j - i) : link_word(&b, t + i, j - i, rel);
        i = j;
    }
    ph__buf_close(&esc);
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, r->autoescape);
    ph__buf_close(&b);
    return rc;
}
