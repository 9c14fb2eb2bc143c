/*
 * The pprint filter: Python's pprint.pformat() of a value (width 80, indent
 * 1, dicts sorted by key), which is what Jinja2's filter returns. A value
 * whose repr fits the line is its repr; a dict, list, tuple or string that
 * does not is broken over lines, one item per line, nested items indented
 * under their opening bracket, long strings split at whitespace into
 * adjacent literals (parenthesised at the top level).
 *
 * Reference: the pprint module's documented output (Python 3.11).
 */
#include "tmpl.h"

#define WIDTH 80

/* ---- dicts sorted, all the way down -------------------------------------- */

/* Python sorts keys of one type by value; keys of mixed types by type name,
 * then as they came. */
static int key_less(rctx *r, tv a, tv b, int *less) {
    int sa = a.k == TV_STR, sb = b.k == TV_STR;
    int na = a.k == TV_INT || a.k == TV_FLOAT || a.k == TV_BOOL;
    int nb = b.k == TV_INT || b.k == TV_FLOAT || b.k == TV_BOOL;
    if ((sa && sb) || (na && nb)) {
        int c;
        int rc = ph__tv_cmp(r, NULL, a, b, &c);
        *less = c < 0;
        return rc;
    }
    *less = strcmp(ph__tv_typename(a), ph__tv_typename(b)) < 0;
    return 0;
}

/* A copy of v whose dicts list their items sorted by key. */
static int sorted_copy(rctx *r, tv v, tv *out) {
    if (stack_exhausted(r->stack_base))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "value nested too deeply to print");
    int rc;
    if ((v.k == TV_DICT && !(v.flags & (TVF_NS | TVF_MODULE))) || v.k == TV_JOBJ) {
        tv pairs;
        if ((rc = ph__tmpl_dict_items(r, v, &pairs)) < 0)
            return rc;
        size_t n = pairs.l->n;
        tv *p = pairs.l->v;
        for (size_t i = 1; i < n; i++) { /* insertion sort: stable, dicts are small */
            tv x = p[i];
            size_t j = i;
            while (j > 0) {
                int less;
                if ((rc = key_less(r, x.l->v[0], p[j - 1].l->v[0], &less)) < 0)
                    return rc;
                if (!less)
                    break;
                p[j] = p[j - 1];
                j--;
            }
            p[j] = x;
        }
        tdict *d = ph__tdict_new(r, n);
        if (!d)
            return PH_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            tv val;
            if ((rc = sorted_copy(r, p[i].l->v[1], &val)) < 0 ||
                (rc = ph__tdict_set(r, d, p[i].l->v[0], val)) < 0)
                return rc;
        }
        *out = (tv){.k = TV_DICT};
        out->d = d;
        return 0;
    }
    if ((v.k == TV_LIST && !(v.flags & TVF_GEN)) || v.k == TV_JARR) {
        size_t n = ph__tv_len(v);
        tlist *l = ph__tlist_new(r, n);
        if (!l)
            return PH_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if ((rc = sorted_copy(r, ph__tv_at(v, i), &l->v[l->n++])) < 0)
                return rc;
        *out = (tv){.k = TV_LIST, .flags = (uint8_t)(v.flags & TVF_TUPLE)};
        out->l = l;
        return 0;
    }
    *out = v;
    return 0;
}

/* ---- layout --------------------------------------------------------------- */

typedef struct pp {
    rctx *r;
    ph_buf *b;
} pp;

static int spaces(pp *p, size_t n) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ph__buf_append_char(p->b, ' ');
    return rc;
}

/* repr(v) into a scratch buffer; *chars is its length in characters. */
static int rep_of(pp *p, tv v, ph_buf *tmp, size_t *chars) {
    ph__buf_init(tmp, 0);
    int rc = ph__tv_repr(p->r, v, tmp);
    *chars = rc == 0 && tmp->data ? ph__utf8_len(tmp->data, tmp->len) : 0;
    return rc;
}

static int format(pp *p, tv v, size_t indent, size_t allowance, int level);

static int format_items(pp *p, const tlist *l, size_t indent, size_t allowance, int level) {
    indent += 1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < l->n; i++) {
        int last = i + 1 == l->n;
        if (i && (rc = ph__buf_append(p->b, ",\n", 2)) == 0)
            rc = spaces(p, indent);
        if (rc == 0)
            rc = format(p, l->v[i], indent, last ? allowance : 1, level);
    }
    return rc;
}

static int format_dict(pp *p, const tdict *d, size_t indent, size_t allowance, int level) {
    int rc = ph__buf_append_char(p->b, '{');
    indent += 1;
    allowance += 1;
    for (size_t i = 0; rc == 0 && i < d->n; i++) {
        int last = i + 1 == d->n;
        ph_buf key;
        size_t kchars;
        if ((rc = rep_of(p, d->k[i], &key, &kchars)) == 0 &&
            (rc = ph__buf_append(p->b, key.data, key.len)) == 0 &&
            (rc = ph__buf_append(p->b, ": ", 2)) == 0)
            rc = format(p, d->v[i], indent + kchars + 2, last ? allowance : 1, level);
        ph__buf_close(&key);
        if (rc == 0 && !last && (rc = ph__buf_append(p->b, ",\n", 2)) == 0)
            rc = spaces(p, indent);
    }
    return rc ? rc : ph__buf_append_char(p->b, '}');
}

/* Python's str.isspace() for one code point (\s in the split below). */
static int is_space(uint32_t c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
           c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Length in characters of repr(s[a, b)). */
static int rep_len(pp *p, const char *s, size_t a, size_t b, size_t *chars) {
    ph_buf tmp;
    ph__buf_init(&tmp, p->b->max);
    int rc = ph__fmt_repr_str(&tmp, s + a, b - a);
    *chars = rc == 0 && tmp.data ? ph__utf8_len(tmp.data, tmp.len) : 0;
    ph__buf_close(&tmp);
    return rc;
}

/* A chunk [a, b) of the string: written as a literal, one per line. */
typedef struct chunk {
    size_t a, b;
} chunk;

static int format_str(pp *p, tv v, size_t indent, size_t allowance, int level) {
    if (level == 1) {
        indent += 1;
        allowance += 1;
    }
    size_t max_width = WIDTH > indent ? WIDTH - indent : 0;
    chunk *chunks = ph__arena_alloc(p->r->a, (v.n + 1) * sizeof(chunk));
    if (!chunks)
        return PH_ENOMEM;
    size_t nchunks = 0;
    int rc = 0;
    for (size_t ls = 0; rc == 0 && ls < v.n;) {
        size_t le = ls, brk = 0;
        while (le < v.n && !(brk = ph__cp_line_break(v.s, v.n, le))) {
            size_t adv;
            ph__utf8_next(v.s + le, v.n - le, &adv);
            le += adv;
        }
        le += brk; /* the line keeps its break */
        int last_line = le >= v.n;
        size_t chars, max1 = max_width - (last_line && allowance <= max_width ? allowance : 0);
        if ((rc = rep_len(p, v.s, ls, le, &chars)) < 0)
            break;
        if (chars <= max1) {
            chunks[nchunks++] = (chunk){ls, le};
        } else {
            /* parts: a run of non-space then a run of space; fill each
             * chunk with as many parts as fit */
            size_t cur = ls, pe = ls;
            while (rc == 0 && pe < le) {
                size_t q = pe, adv;
                while (q < le && !is_space(ph__utf8_next(v.s + q, le - q, &adv)))
                    q += adv;
                while (q < le && is_space(ph__utf8_next(v.s + q, le - q, &adv)))
                    q += adv;
                size_t max2 = max_width;
                if (q >= le && last_line)
                    max2 = allowance <= max_width ? max_width - allowance : 0;
                if ((rc = rep_len(p, v.s, cur, q, &chars)) < 0)
                    break;
                if (chars > max2) {
                    if (pe > cur)
                        chunks[nchunks++] = (chunk){cur, pe};
                    cur = pe;
                }
                pe = q;
            }
            if (rc == 0 && pe > cur)
                chunks[nchunks++] = (chunk){cur, pe};
        }
        ls = le;
    }
    if (rc < 0)
        return rc;
    if (nchunks <= 1)
        return ph__fmt_repr_str(p->b, v.s, v.n);
    if (level == 1 && (rc = ph__buf_append_char(p->b, '(')) < 0)
        return rc;
    for (size_t i = 0; rc == 0 && i < nchunks; i++) {
        if (i && (rc = ph__buf_append_char(p->b, '\n')) == 0)
            rc = spaces(p, indent);
        if (rc == 0)
            rc = ph__fmt_repr_str(p->b, v.s + chunks[i].a, chunks[i].b - chunks[i].a);
    }
    if (rc == 0 && level == 1)
        rc = ph__buf_append_char(p->b, ')');
    return rc;
}

/* Python's PrettyPrinter._format: the repr when it fits, else the layout of
 * its type (dict, list, tuple, str); `level` counts enclosing containers. */
static int format(pp *p, tv v, size_t indent, size_t allowance, int level) {
    if (stack_exhausted(p->r->stack_base))
        return ph__tmpl_rerr(p->r, NULL, PH_ETEMPLATE, "value nested too deeply to print");
    ph_buf rep;
    size_t chars;
    int rc = rep_of(p, v, &rep, &chars);
    size_t max_width = WIDTH > indent + allowance ? WIDTH - indent - allowance : 0;
    int wide = rc == 0 && chars > max_width;
    if (rc == 0 && wide && v.k == TV_DICT && !(v.flags & (TVF_NS | TVF_MODULE))) {
        rc = format_dict(p, v.d, indent, allowance, level + 1);
    } else if (rc == 0 && wide && v.k == TV_LIST && (v.flags & TVF_TUPLE)) {
        const char *end = v.l->n == 1 ? ",)" : ")";
        if ((rc = ph__buf_append_char(p->b, '(')) == 0 &&
            (rc = format_items(p, v.l, indent, allowance + strlen(end), level + 1)) == 0)
            rc = ph__buf_append_str(p->b, end);
    } else if (rc == 0 && wide && v.k == TV_LIST) {
        if ((rc = ph__buf_append_char(p->b, '[')) == 0 &&
            (rc = format_items(p, v.l, indent, allowance + 1, level + 1)) == 0)
            rc = ph__buf_append_char(p->b, ']');
    } else if (rc == 0 && wide && v.k == TV_STR && !v.safe && v.n) {
        rc = format_str(p, v, indent, allowance, level + 1);
    } else if (rc == 0) {
        rc = ph__buf_append(p->b, rep.data ? rep.data : "", rep.len);
    }
    ph__buf_close(&rep);
    return rc;
}

int ph__tmpl_f_pprint(rctx *r, const node *n, tv v, targs *a, tv *out) {
    (void)n;
    (void)a;
    tv s;
    int rc = sorted_copy(r, v, &s);
    if (rc < 0)
        return rc;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    pp p = {r, &b};
    rc = format(&p, s, 0, 0, 0);
    if (rc == 0) {
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, 0);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(&b);
    return rc;
}
