/*
 * String filters and Python's string formatting: upper, lower, capitalize,
 * title, trim, center, indent, replace, truncate, wordcount, wordwrap,
 * striptags, escape/e, forceescape, safe, string, format, urlize; the `%`
 * operator's printf-style formatting; and the str methods templates call.
 * Case mapping is ASCII only; other characters pass through unchanged.
 * Markup (safe strings) stays safe where markupsafe's Markup methods keep it
 * safe, and arguments mixed into Markup are escaped first.
 *
 * References: Jinja2 3.1 "List of Builtin Filters"; Python's printf-style
 * String Formatting and textwrap; markupsafe's Markup.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ph__tmpl_soft_str(rctx *r, const node *n, tv v, tv *out) {
    if (v.k == TV_UNDEF) {
        int rc = ph__tmpl_check_undef(r, n, v);
        *out = tv_str("", 0, 0);
        return rc;
    }
    return ph__tv_tostr(r, v, out);
}

static int py_space(unsigned char c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
}

static int finish(rctx *r, ph_buf *b, int safe, tv *out, int rc) {
    if (rc == 0) {
        *out = ph__tv_strdup(r, b->data ? b->data : "", b->len, safe);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(b);
    return rc;
}

static int arg_int(rctx *r, const node *n, targs *a, size_t pos, const char *kw, int64_t def,
                   int64_t *out) {
    tv v;
    *out = def;
    if (!ph__tmpl_arg(a, pos, kw, &v))
        return 0;
    if (v.k == TV_INT || v.k == TV_BOOL) {
        *out = v.i;
        return 0;
    }
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object cannot be interpreted as an integer",
                         ph__tv_typename(v));
}

static int arg_str(rctx *r, const node *n, targs *a, size_t pos, const char *kw, tv *out) {
    tv v;
    if (!ph__tmpl_arg(a, pos, kw, &v))
        return 0;
    int rc = ph__tmpl_soft_str(r, n, v, out);
    return rc < 0 ? rc : 1;
}

/* ------------------------------------------------------------------------ */
/* Case                                                                     */
/* ------------------------------------------------------------------------ */

static int casemap(rctx *r, const node *n, tv v, int mode, tv *out) {
    tv s;
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    return rc < 0 ? rc : ph__tmpl_casemap(r, s, mode, out);
}

static int f_upper(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return casemap(r, n, v, C_UPPER, out);
}
static int f_lower(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return casemap(r, n, v, C_LOWER, out);
}
static int f_capitalize(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return casemap(r, n, v, C_CAPITALIZE, out);
}
static int f_title(rctx *r, const node *n, tv v, targs *a, tv *out) {
    /* Jinja2 joins the words with "".join, which makes markup plain text */
    int rc = casemap(r, n, v, C_TITLE, out);
    out->safe = 0;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Whitespace and layout                                                    */
/* ------------------------------------------------------------------------ */

static int f_trim(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s, chars = {0};
    int rc = ph__tmpl_soft_str(r, n, v, &s), have = 0;
    tv c;
    if (rc == 0 && ph__tmpl_arg(a, 0, "chars", &c) && c.k != TV_NONE) {
        if ((rc = ph__tmpl_soft_str(r, n, c, &chars)) < 0)
            return rc;
        have = 1;
    }
    if (rc == 0)
        *out = ph__tmpl_strip(s, have ? &chars : NULL, 1, 1);
    return rc;
}

/* Python's str.center: the extra space goes left when the margin and width are odd. */
static int pad(rctx *r, tv s, int64_t width, char fill, int mode, tv *out) {
    int64_t len = (int64_t)ph__utf8_len(s.s, s.n);
    if (width <= len) {
        *out = s;
        return 0;
    }
    int64_t marg = width - len, left;
    if (mode == 0)
        left = marg / 2 + (marg & width & 1);
    else
        left = mode == 1 ? 0 : marg;
    if (width > (1 << 24))
        return PH_ETOOBIG;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = 0;
    for (int64_t i = 0; rc == 0 && i < left; i++)
        rc = ph__buf_append_char(&b, fill);
    if (rc == 0)
        rc = ph__buf_append(&b, s.s, s.n);
    for (int64_t i = 0; rc == 0 && i < marg - left; i++)
        rc = ph__buf_append_char(&b, fill);
    return finish(r, &b, s.safe, out, rc);
}

static int f_center(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s;
    int64_t width;
    int rc;
    if ((rc = ph__tmpl_soft_str(r, n, v, &s)) < 0 ||
        (rc = arg_int(r, n, a, 0, "width", 80, &width)) < 0)
        return rc;
    return pad(r, s, width, ' ', 0, out);
}

/* The end of the line from i (str.splitlines), and where the next begins. */
static size_t line_end(const char *s, size_t n, size_t i, size_t *next) {
    for (size_t k; i < n; i++)
        if ((k = ph__cp_line_break(s, n, i))) {
            *next = i + k;
            return i;
        }
    *next = n;
    return n;
}

/* Filters that call str methods on their value fail for other types, as in Jinja2. */
static int need_str(rctx *r, const node *n, tv v, const char *what) {
    if (v.k == TV_STR)
        return 0;
    if (v.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v);
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, what, ph__tv_typename(v));
}

static int f_indent(rctx *r, const node *n, tv v, targs *a, tv *out) {
    int rc0 = need_str(r, n, v, "unsupported operand type(s) for +=: '%s' and 'str'");
    if (rc0 < 0)
        return rc0;
    tv s, w, ind = tv_str("    ", 4, 0);
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    if (rc < 0)
        return rc;
    if (ph__tmpl_arg(a, 0, "width", &w)) {
        if (w.k == TV_STR)
            ind = w;
        else if (w.k == TV_INT && w.i >= 0 && w.i < 10000) {
            char *d = ph__arena_alloc(r->a, (size_t)w.i + 1);
            if (!d)
                return PH_ENOMEM;
            memset(d, ' ', (size_t)w.i);
            ind = tv_str(d, (size_t)w.i, 0);
        } else if (w.k == TV_INT)
            ind = tv_str("", 0, 0);
    }
    tv first = tv_bool(0), blank = tv_bool(0);
    ph__tmpl_arg(a, 1, "first", &first);
    ph__tmpl_arg(a, 2, "blank", &blank);
    /* Jinja2: s += "\n"; lines = s.splitlines(); indent all but the first */
    char *s2 = ph__arena_alloc(r->a, s.n + 2);
    if (!s2)
        return PH_ENOMEM;
    memcpy(s2, s.s, s.n);
    s2[s.n] = '\n';
    size_t n2 = s.n + 1, i = 0, idx = 0;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    if (ph__tv_truthy(first))
        rc = ph__buf_append(&b, ind.s, ind.n);
    while (rc == 0 && i < n2) {
        size_t next, e = line_end(s2, n2, i, &next);
        if (idx++ > 0) {
            rc = ph__buf_append_char(&b, '\n');
            if (rc == 0 && (e > i || ph__tv_truthy(blank)))
                rc = ph__buf_append(&b, ind.s, ind.n);
        }
        if (rc == 0)
            rc = ph__buf_append(&b, s2 + i, e - i);
        i = next;
    }
    return finish(r, &b, s.safe, out, rc);
}

static int f_replace(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s, old, new_, ov, nv_;
    int64_t count;
    int rc;
    if (!ph__tmpl_arg(a, 0, "old", &ov) || !ph__tmpl_arg(a, 1, "new", &nv_))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "replace() needs old and new");
    if ((rc = ph__tmpl_soft_str(r, n, v, &s)) < 0 || (rc = ph__tmpl_soft_str(r, n, ov, &old)) < 0 ||
        (rc = ph__tmpl_soft_str(r, n, nv_, &new_)) < 0 ||
        (rc = arg_int(r, n, a, 2, "count", -1, &count)) < 0)
        return rc;
    int safe = 0;
    ph_buf eo, en;
    ph__buf_init(&eo, r->out->max);
    ph__buf_init(&en, r->out->max);
    if (r->autoescape) {
        if ((old.safe || new_.safe) && !s.safe) {
            ph_buf es;
            ph__buf_init(&es, r->out->max);
            rc = ph__html_escape_n(&es, s.s, s.n);
            if (rc == 0)
                s = ph__tv_strdup(r, es.data ? es.data : "", es.len, 1);
            ph__buf_close(&es);
        }
        if (s.safe) {
            safe = 1;
            if (!old.safe && rc == 0 && (rc = ph__html_escape_n(&eo, old.s, old.n)) == 0)
                old = tv_str(eo.data ? eo.data : "", eo.len, 1);
            if (!new_.safe && rc == 0 && (rc = ph__html_escape_n(&en, new_.s, new_.n)) == 0)
                new_ = tv_str(en.data ? en.data : "", en.len, 1);
        }
    }
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    size_t i = 0;
    int64_t done = 0;
    while (rc == 0 && i <= s.n && (count < 0 || done < count)) {
        const char *hit =
            old.n ? memmem(s.s + i, s.n - i, old.s, old.n) : (i <= s.n ? s.s + i : NULL);
        if (!hit)
            break;
        size_t at = (size_t)(hit - s.s);
        rc = ph__buf_append(&b, s.s + i, at - i);
        if (rc == 0)
            rc = ph__buf_append(&b, new_.s, new_.n);
        done++;
        if (old.n == 0) {
            if (at < s.n) {
                size_t step = ph__utf8_offset(s.s + at, s.n - at, 1);
                rc = rc ? rc : ph__buf_append(&b, s.s + at, step);
                i = at + step;
            } else {
                i = s.n + 1;
            }
        } else {
            i = at + old.n;
        }
    }
    if (rc == 0 && i < s.n)
        rc = ph__buf_append(&b, s.s + i, s.n - i);
    ph__buf_close(&eo);
    ph__buf_close(&en);
    return finish(r, &b, safe || s.safe, out, rc);
}

static int f_truncate(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (tv_is_gen(v))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "object of type '%s' has no len()",
                             ph__tv_typename(v));
    if (v.k == TV_UNDEF || v.k == TV_LIST || v.k == TV_JARR || v.k == TV_DICT || v.k == TV_JOBJ) {
        /* len(value) <= length + leeway: the value comes back as it is */
        int64_t l = 255, lw = 5;
        tv x;
        if (ph__tmpl_arg(a, 0, "length", &x) && x.k == TV_INT)
            l = x.i;
        if (ph__tmpl_arg(a, 3, "leeway", &x) && x.k == TV_INT)
            lw = x.i;
        if ((int64_t)ph__tv_len(v) <= l + lw) {
            *out = v;
            return 0;
        }
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "cannot truncate a %s", ph__tv_typename(v));
    }
    if (v.k != TV_STR)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "object of type '%s' has no len()",
                             ph__tv_typename(v));
    tv s, end = tv_str("...", 3, 0), kw = tv_bool(0);
    int64_t length, leeway;
    int rc;
    if ((rc = ph__tmpl_soft_str(r, n, v, &s)) < 0 ||
        (rc = arg_int(r, n, a, 0, "length", 255, &length)) < 0 ||
        (rc = arg_str(r, n, a, 2, "end", &end)) < 0 ||
        (rc = arg_int(r, n, a, 3, "leeway", 5, &leeway)) < 0)
        return rc;
    ph__tmpl_arg(a, 1, "killwords", &kw);
    if (length >= 0 && leeway >= 0 && (uint64_t)s.n <= (uint64_t)length + (uint64_t)leeway &&
        end.n <= (uint64_t)length) {
        *out = s; /* fewer bytes than the limit: fewer characters too */
        return 0;
    }
    int64_t endlen = (int64_t)ph__utf8_len(end.s, end.n), len = 0;
    if (length >= 0 && leeway >= 0) {
        /* count characters only as far as the limit: limit + 1 characters
         * take at most four times as many bytes */
        uint64_t need = (uint64_t)length + (uint64_t)leeway + 1;
        size_t scan = need < s.n / 4 ? (size_t)need * 4 : s.n;
        len = (int64_t)ph__utf8_len(s.s, scan);
    }
    if (length < endlen)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "expected length >= %lld, got %lld",
                             (long long)endlen, (long long)length);
    if (leeway < 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "expected leeway >= 0, got %lld",
                             (long long)leeway);
    if (len <= length + leeway) {
        *out = s;
        return 0;
    }
    size_t cut = ph__utf8_offset(s.s, s.n, (size_t)(length - endlen));
    if (!ph__tv_truthy(kw)) {
        for (size_t i = cut; i-- > 0;)
            if (s.s[i] == ' ') {
                cut = i;
                break;
            }
    }
    if (s.safe && !end.safe) { /* Markup + str escapes the str */
        ph_buf b;
        ph__buf_init(&b, r->out->max);
        rc = ph__buf_append(&b, s.s, cut);
        if (rc == 0)
            rc = ph__html_escape_n(&b, end.s, end.n);
        return finish(r, &b, 1, out, rc);
    }
    char *d = ph__arena_alloc(r->a, cut + end.n + 1);
    if (!d)
        return PH_ENOMEM;
    memcpy(d, s.s, cut);
    memcpy(d + cut, end.s, end.n);
    d[cut + end.n] = '\0';
    *out = tv_str(d, cut + end.n, s.safe);
    return 0;
}

/* Jinja2 counts the matches of \w+: runs of alphanumeric characters and '_' */
static int f_wordcount(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s;
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    int64_t count = 0;
    int in_word = 0;
    for (size_t i = 0, adv; rc == 0 && i < s.n; i += adv) {
        uint32_t c = ph__utf8_next(s.s + i, s.n - i, &adv);
        int word = ph__cp_word(c);
        count += word && !in_word;
        in_word = word;
    }
    *out = tv_int(count);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* wordwrap: Python's textwrap.wrap per line, joined by wrapstring          */
/* ------------------------------------------------------------------------ */

typedef struct chunk {
    const char *s;
    size_t n; /* bytes */
    size_t w; /* characters */
    int space; /* a run of ASCII whitespace, which is what separates chunks */
} chunk;

/* Whether str.strip() leaves nothing: what textwrap drops at line ends is
 * any whitespace, a no-break space too, though only ASCII separates chunks. */
static int blank(const char *s, size_t n) {
    for (size_t i = 0, l; i < n; i += l)
        if (!(l = ph__cp_space_len(s + i, n - i)))
            return 0;
    return 1;
}

/* Python's [^\d\W], the letters of textwrap's hyphen rule */
static int py_letter(uint32_t c) { return c == '_' || (ph__cp_classes(c) & CP_ALPHA); }

/* The code point that ends at byte p (p > 0), and the byte it starts at. */
static uint32_t cp_before(const char *s, size_t p, size_t *start) {
    size_t b = p - 1, adv;
    while (b > 0 && ((unsigned char)s[b] & 0xC0) == 0x80)
        b--;
    *start = b;
    return ph__utf8_next(s + b, p - b, &adv);
}

/*
 * textwrap's break_on_hyphens: a word splits after the hyphen at byte h when
 * two letters, or a letter, a hyphen and a letter, come before it, and a
 * letter, maybe a hyphen, and a letter after it ("well-known" splits,
 * "1e-07" and "x-1" do not).
 */
static int hyphen_break(const char *s, size_t n, size_t h) {
    size_t p1, p2, p3, q = h + 1, adv;
    if (h == 0 || !py_letter(cp_before(s, h, &p1)) || p1 == 0)
        return 0;
    uint32_t c = cp_before(s, p1, &p2);
    if (!py_letter(c) && !(c == '-' && p2 > 0 && py_letter(cp_before(s, p2, &p3))))
        return 0;
    if (q >= n || !py_letter(ph__utf8_next(s + q, n - q, &adv)) || (q += adv) >= n)
        return 0;
    c = ph__utf8_next(s + q, n - q, &adv);
    if (py_letter(c))
        return 1;
    q += adv;
    return c == '-' && q < n && py_letter(ph__utf8_next(s + q, n - q, &adv));
}

/* textwrap's word_punct: [\w!"'&.,?] */
static int py_word_punct(uint32_t c) { return ph__cp_word(c) || (c < 128 && c && strchr("!\"'&.,?", (int)c)); }

/* The length of an em-dash at byte p: two hyphens or more that a word
 * character follows and a word or punctuation character precedes; 0 if none. */
static size_t em_dash(const char *s, size_t n, size_t p) {
    size_t e = p, adv, start;
    while (e < n && s[e] == '-')
        e++;
    if (e - p < 2 || e == n || p == 0 || !ph__cp_word(ph__utf8_next(s + e, n - e, &adv)) ||
        !py_word_punct(cp_before(s, p, &start)))
        return 0;
    return e - p;
}

/*
 * textwrap's chunks: runs of whitespace and words. With break_on_hyphens a
 * word also ends after a hyphen that joins letters (hyphen_break) and
 * before an em-dash, which is a chunk of its own.
 */
/* The chunks of one line into *out, an array of *cap the caller keeps from
 * line to line (a text of many short lines would otherwise take an array
 * from the render's arena per line). */
static int split_chunks(rctx *r, const char *s, size_t n, int hyphens, chunk **out, size_t *cap_io,
                        size_t *count) {
    size_t cap = *cap_io, k = 0;
    chunk *v = *out;
    for (size_t i = 0; i < n;) {
        size_t j = i, dash;
        int sp = py_space((unsigned char)s[i]);
        if (!sp && hyphens && (dash = em_dash(s, n, i)) > 0)
            j = i + dash;
        else
            while (j < n && py_space((unsigned char)s[j]) == sp) {
                j++;
                if (!sp && hyphens &&
                    ((s[j - 1] == '-' && j - 1 > i && hyphen_break(s, n, j - 1)) ||
                     (j < n && s[j] == '-' && em_dash(s, n, j))))
                    break;
            }
        if (k == cap) {
            chunk *nv = ph__arena_grow(r->a, v, &cap, k, sizeof(chunk), 16);
            if (!nv)
                return PH_ENOMEM;
            v = *out = nv;
            *cap_io = cap;
        }
        v[k++] = (chunk){s + i, j - i, ph__utf8_len(s + i, j - i), sp};
        i = j;
    }
    *count = k;
    return 0;
}

static int wrap_line(rctx *r, ph_buf *b, const char *s, size_t n, size_t width, int blw, int hyph,
                     tv wrapstring, int *first_line, chunk **chunks, size_t *cap) {
    size_t nc, ci = 0;
    int rc = split_chunks(r, s, n, hyph, chunks, cap, &nc), lines = 0;
    chunk *ch = *chunks;
    while (rc == 0 && ci < nc) {
        if (lines && blank(ch[ci].s, ch[ci].n))
            ci++;
        size_t cur = 0, start = ci, cut = 0; /* cut: bytes taken from ch[ci] */
        while (ci < nc && cur + ch[ci].w <= width)
            cur += ch[ci++].w;
        int piece = 0; /* textwrap put a (maybe empty) piece of a long word last */
        if (ci < nc && ch[ci].w > width) {
            size_t left = width < 1 ? 1 : width - cur;
            if (blw) {
                cut = ph__utf8_offset(ch[ci].s, ch[ci].n, left);
                /* textwrap cuts a long word after its last hyphen that fits,
                 * when something other than hyphens comes before it */
                for (size_t h = cut; hyph && h-- > 1;)
                    if (ch[ci].s[h] == '-') {
                        size_t k = 0;
                        while (k < h && ch[ci].s[k] == '-')
                            k++;
                        if (k < h)
                            cut = h + 1;
                        break;
                    }
                piece = 1;
            } else if (ci == start) {
                ci++;
            }
        }
        size_t end = ci;
        /* textwrap drops the line's last piece when it is whitespace: the
         * piece of a long word (dropped when empty or cut from a long run of
         * whitespace), or else the last whole chunk */
        int keep_cut = cut && !blank(ch[ci].s, cut);
        if (!piece && end > start && blank(ch[end - 1].s, ch[end - 1].n))
            end--;
        if (end > start || keep_cut) {
            if (!*first_line)
                rc = ph__buf_append(b, wrapstring.s, wrapstring.n);
            *first_line = 0;
            for (size_t i = start; rc == 0 && i < end; i++)
                rc = ph__buf_append(b, ch[i].s, ch[i].n);
            if (rc == 0 && keep_cut)
                rc = ph__buf_append(b, ch[ci].s, cut);
            lines++;
        }
        if (cut) {
            /* what is left of a long word is its width less the piece's:
             * measuring the rest again would make a long word quadratic */
            ch[ci].w -= ph__utf8_len(ch[ci].s, cut);
            ch[ci].s += cut;
            ch[ci].n -= cut;
        }
        if (end == start && !cut && ci == start)
            break; /* nothing fits and nothing can be broken */
    }
    return rc;
}

static int f_wordwrap(rctx *r, const node *n, tv v, targs *a, tv *out) {
    int rc0 = need_str(r, n, v, "'%s' object has no attribute 'splitlines'");
    if (rc0 < 0)
        return rc0;
    tv s, ws = tv_str("\n", 1, 0), blw = tv_bool(1), hy = tv_bool(1), w;
    int64_t width;
    int rc;
    if ((rc = ph__tmpl_soft_str(r, n, v, &s)) < 0 ||
        (rc = arg_int(r, n, a, 0, "width", 79, &width)) < 0)
        return rc;
    ph__tmpl_arg(a, 1, "break_long_words", &blw);
    if (ph__tmpl_arg(a, 2, "wrapstring", &w) && w.k != TV_NONE &&
        (rc = ph__tmpl_soft_str(r, n, w, &ws)) < 0)
        return rc;
    ph__tmpl_arg(a, 3, "break_on_hyphens", &hy);
    if (width <= 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "invalid width %lld (must be > 0)",
                             (long long)width);
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int first = 1;
    chunk *chunks = NULL;
    size_t cap = 0;
    for (size_t i = 0; rc == 0 && i < s.n;) {
        size_t next, e = line_end(s.s, s.n, i, &next);
        int line_first = 1;
        if (!first)
            rc = ph__buf_append(&b, ws.s, ws.n);
        first = 0;
        if (rc == 0)
            rc = wrap_line(r, &b, s.s + i, e - i, (size_t)width, ph__tv_truthy(blw),
                           ph__tv_truthy(hy), ws, &line_first, &chunks, &cap);
        i = next;
    }
    return finish(r, &b, 0, out, rc);
}

/* ------------------------------------------------------------------------ */
/* Markup                                                                   */
/* ------------------------------------------------------------------------ */

static int f_escape(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (v.k == TV_STR && v.safe) {
        *out = v;
        return 0;
    }
    tv s;
    int rc = ph__tv_tostr(r, v, &s);
    if (rc < 0)
        return rc;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    return finish(r, &b, 1, out, ph__html_escape_n(&b, s.s, s.n));
}

static int f_forceescape(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (v.k == TV_STR)
        v.safe = 0;
    return f_escape(r, n, v, a, out);
}

static int f_safe(rctx *r, const node *n, tv v, targs *a, tv *out) {
    int rc = ph__tmpl_soft_str(r, n, v, out);
    out->safe = 1;
    return rc;
}

static int f_string(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_soft_str(r, n, v, out);
}


/* markupsafe 2.1: drop comments and tags, collapse whitespace, unescape. */
static int f_striptags(rctx *r, const node *n, tv v, targs *a, tv *out) {
    (void)a;
    return ph__tmpl_striptags(r, n, v, out);
}

int ph__tmpl_striptags(rctx *r, const node *n, tv v, tv *out) {
    tv s;
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    if (rc < 0)
        return rc;
    /* as markupsafe: comments out first (<!--.*?-->), then tags (<.*?>)
     * from what is left, so `<<!-- c -->` keeps its first `<` */
    ph_buf nc, t, c;
    ph__buf_init(&nc, r->out->max);
    ph__buf_init(&t, r->out->max);
    ph__buf_init(&c, r->out->max);
    size_t i = 0;
    for (const char *open; rc == 0 && (open = memmem(s.s + i, s.n - i, "<!--", 4));) {
        size_t at = (size_t)(open - s.s);
        const char *close = memmem(open + 4, s.n - at - 4, "-->", 3);
        if (!close)
            break;
        rc = ph__buf_append(&nc, s.s + i, at - i);
        i = (size_t)(close - s.s) + 3;
    }
    if (rc == 0)
        rc = ph__buf_append(&nc, s.s + i, s.n - i);
    const char *p = nc.data ? nc.data : "";
    i = 0;
    for (const char *open; rc == 0 && (open = memchr(p + i, '<', nc.len - i));) {
        const char *close = memchr(open + 1, '>', nc.len - (size_t)(open + 1 - p));
        if (!close)
            break;
        rc = ph__buf_append(&t, p + i, (size_t)(open - p) - i);
        i = (size_t)(close - p) + 1;
    }
    if (rc == 0)
        rc = ph__buf_append(&t, p + i, nc.len - i);
    ph__buf_close(&nc);
    /* " ".join(text.split()), Unicode's whitespace included */
    int need_space = 0;
    for (size_t i = 0, k; rc == 0 && i < t.len;) {
        if ((k = ph__cp_space_len(t.data + i, t.len - i))) {
            need_space = c.len > 0;
            i += k;
            continue;
        }
        if (need_space)
            rc = ph__buf_append_char(&c, ' ');
        need_space = 0;
        if (rc == 0)
            rc = ph__buf_append_char(&c, t.data[i++]);
    }
    ph__buf_close(&t);
    ph_buf u;
    ph__buf_init(&u, r->out->max);
    if (rc == 0)
        rc = ph__tmpl_html_unescape(&u, c.data ? c.data : "", c.len);
    ph__buf_close(&c);
    return finish(r, &u, 0, out, rc);
}

static int f_format(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv s;
    int rc = ph__tmpl_soft_str(r, n, v, &s);
    if (rc < 0)
        return rc;
    if (a->npos && a->nkw)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             "can't handle positional and keyword arguments at the same time");
    if (a->nkw) {
        tdict *d = ph__tdict_new(r, a->nkw);
        if (!d)
            return PH_ENOMEM;
        for (size_t i = 0; i < a->nkw; i++)
            if ((rc = ph__tdict_set(r, d, tv_str(a->kwn[i], strlen(a->kwn[i]), 0), a->kwv[i])) < 0)
                return rc;
        tv dv = {.k = TV_DICT};
        dv.d = d;
        return ph__tmpl_pyformat(r, n, s, &dv, 1, dv, out);
    }
    return ph__tmpl_pyformat(r, n, s, a->pos, a->npos, TV_MK(TV_NONE), out);
}

const bfilter_entry ph__tmpl_filters_str[] = {
    {"upper", f_upper},
    {"lower", f_lower},
    {"capitalize", f_capitalize},
    {"title", f_title},
    {"trim", f_trim},
    {"center", f_center},
    {"indent", f_indent},
    {"replace", f_replace},
    {"truncate", f_truncate},
    {"wordcount", f_wordcount},
    {"wordwrap", f_wordwrap},
    {"escape", f_escape},
    {"e", f_escape},
    {"forceescape", f_forceescape},
    {"safe", f_safe},
    {"string", f_string},
    {"striptags", f_striptags},
    {"format", f_format},
    {NULL, NULL},
};
