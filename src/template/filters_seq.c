/*
 * Sequence filters: first, last, join, sort, dictsort, groupby, batch,
 * slice, map, select, reject, selectattr, rejectattr, sum, min, max, unique,
 * reverse. Where Jinja2 returns a generator these return a list, which
 * prints and iterates the same way in every template that does not print
 * the generator object itself. Sorting is stable and case-insensitive by
 * default, as Jinja2's is.
 *
 * Reference: Jinja2 3.1 "List of Builtin Filters".
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static tv mklist(tlist *l, int flags) {
    tv v = {.k = TV_LIST, .flags = (uint8_t)flags};
    v.l = l;
    return v;
}

static int list_of(rctx *r, const node *n, tv v, tlist **out) {
    tv *items;
    size_t count;
    int rc = ph__tv_items(r, n, v, &items, &count);
    if (rc < 0)
        return rc;
    tlist *l = ph__tlist_new(r, count);
    if (!l)
        return PH_ENOMEM;
    if (count)
        memcpy(l->v, items, count * sizeof(tv));
    l->n = count;
    *out = l;
    return 0;
}

int ph__tmpl_attr_path(rctx *r, const node *n, tv v, tv path, tv *out) {
    if (path.k != TV_STR)
        return ph__tmpl_getitem(r, n, v, path, out);
    size_t i = 0;
    int rc = 0;
    while (rc == 0 && i <= path.n) {
        size_t e = i;
        while (e < path.n && path.s[e] != '.')
            e++;
        tv key = tv_str(path.s + i, e - i, 0);
        int digits = e > i;
        for (size_t k = i; k < e; k++)
            digits &= isdigit((unsigned char)path.s[k]) != 0;
        if (digits)
            key = tv_int(strtoll(path.s + i, NULL, 10));
        if (v.k == TV_UNDEF)
            return ph__tmpl_undef_error(r, n, v);
        rc = ph__tmpl_getitem(r, n, v, key, &v);
        i = e + 1;
    }
    *out = v;
    return rc;
}

/* The key of an item under `attribute` (may be a comma list), lowercased unless case_sensitive. */
typedef struct keyspec {
    tv attr;
    int have_attr;
    int case_sensitive;
    tv def;
    int have_def;
} keyspec;

static int key_of(rctx *r, const node *n, keyspec *ks, tv item, tv *out) {
    int rc = 0;
    tv k = item;
    if (ks->have_attr) {
        if (ks->attr.k == TV_STR && memchr(ks->attr.s, ',', ks->attr.n)) {
            tlist *l = ph__tlist_new(r, 4);
            if (!l)
                return PH_ENOMEM;
            for (size_t i = 0; rc == 0 && i <= ks->attr.n;) {
                size_t e = i;
                while (e < ks->attr.n && ks->attr.s[e] != ',')
                    e++;
                tv part;
                rc = ph__tmpl_attr_path(r, n, item, tv_str(ks->attr.s + i, e - i, 0), &part);
                if (rc == 0 && part.k == TV_STR && !ks->case_sensitive)
                    rc = ph__tmpl_casemap(r, part, C_LOWER, &part);
                if (rc == 0)
                    rc = ph__tlist_push(r, l, part);
                i = e + 1;
            }
            *out = mklist(l, TVF_TUPLE);
            return rc;
        }
        if ((rc = ph__tmpl_attr_path(r, n, item, ks->attr, &k)) < 0)
            return rc;
        if (k.k == TV_UNDEF && ks->have_def)
            k = ks->def;
    }
    if (k.k == TV_STR && !ks->case_sensitive)
        return ph__tmpl_casemap(r, k, C_LOWER, out);
    *out = k;
    return 0;
}

typedef struct sitem {
    tv key, val;
    size_t idx;
} sitem;

typedef struct sortctx {
    rctx *r;
    const node *n;
    int err;
} sortctx;

/* Ties keep their original order (Python's sort is stable; qsort is not). */
static int sitem_cmp(const void *x, const void *y, void *arg) {
    const sitem *a = x, *b = y;
    sortctx *sc = arg;
    int c = 0;
    if (!sc->err && !ph__tv_eq(a->key, b->key) && ph__tv_cmp(sc->r, sc->n, a->key, b->key, &c) < 0)
        sc->err = 1;
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static int sort_items(rctx *r, const node *n, sitem *v, size_t count, int reverse) {
    sortctx sc = {r, n, 0};
    qsort_r(v, count, sizeof(sitem), sitem_cmp, &sc);
    if (sc.err)
        return PH_ETEMPLATE;
    if (reverse) {
        /* Python's reverse sort is stable too: reverse runs of equal keys back */
        for (size_t i = 0, j = count; i + 1 < j; i++, j--) {
            sitem t = v[i];
            v[i] = v[j - 1];
            v[j - 1] = t;
        }
        for (size_t i = 0; i < count;) {
            size_t j = i + 1;
            while (j < count && ph__tv_eq(v[j].key, v[i].key))
                j++;
            for (size_t a = i, b = j; a + 1 < b; a++, b--) {
                sitem t = v[a];
                v[a] = v[b - 1];
                v[b - 1] = t;
            }
            i = j;
        }
    }
    return 0;
}

static int keyed(rctx *r, const node *n, tv v, keyspec *ks, sitem **out, size_t *count) {
    tv *items;
    int rc = ph__tv_items(r, n, v, &items, count);
    if (rc < 0)
        return rc;
    sitem *s = ph__arena_alloc(r->a, (*count + 1) * sizeof(sitem));
    if (!s)
        return PH_ENOMEM;
    for (size_t i = 0; i < *count; i++) {
        s[i].val = items[i];
        s[i].idx = i;
        if ((rc = key_of(r, n, ks, items[i], &s[i].key)) < 0)
            return rc;
    }
    *out = s;
    return 0;
}

static int f_sort(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv rev = tv_bool(0), cs = tv_bool(0);
    keyspec ks = {0};
    ph__tmpl_arg(a, 0, "reverse", &rev);
    ph__tmpl_arg(a, 1, "case_sensitive", &cs);
    ks.have_attr = ph__tmpl_arg(a, 2, "attribute", &ks.attr) && ks.attr.k != TV_NONE;
    ks.case_sensitive = ph__tv_truthy(cs);
    sitem *s;
    size_t count;
    int rc = keyed(r, n, v, &ks, &s, &count);
    if (rc < 0 || (rc = sort_items(r, n, s, count, ph__tv_truthy(rev))) < 0)
        return rc;
    tlist *l = ph__tlist_new(r, count);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < count; i++)
        l->v[l->n++] = s[i].val;
    *out = mklist(l, 0);
    return 0;
}

static int f_dictsort(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv cs = tv_bool(0), by = tv_str("key", 3, 0), rev = tv_bool(0), items;
    ph__tmpl_arg(a, 0, "case_sensitive", &cs);
    ph__tmpl_arg(a, 1, "by", &by);
    ph__tmpl_arg(a, 2, "reverse", &rev);
    if (v.k != TV_JOBJ && v.k != TV_DICT)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object has no attribute 'items'",
                             ph__tv_typename(v));
    int pos = by.k == TV_STR && by.n == 5 && !memcmp(by.s, "value", 5);
    if (!pos && !(by.k == TV_STR && by.n == 3 && !memcmp(by.s, "key", 3)))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             "You can only sort by either \"key\" or \"value\"");
    int rc = ph__tmpl_dict_items(r, v, &items);
    if (rc < 0)
        return rc;
    keyspec ks = {.have_attr = 1, .attr = tv_int(pos), .case_sensitive = ph__tv_truthy(cs)};
    sitem *s;
    size_t count;
    if ((rc = keyed(r, n, items, &ks, &s, &count)) < 0 ||
        (rc = sort_items(r, n, s, count, ph__tv_truthy(rev))) < 0)
        return rc;
    tlist *l = ph__tlist_new(r, count);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < count; i++)
        l->v[l->n++] = s[i].val;
    *out = mklist(l, 0);
    return 0;
}

static int f_groupby(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv cs = tv_bool(0);
    keyspec ks = {0};
    if (!ph__tmpl_arg(a, 0, "attribute", &ks.attr))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "groupby() missing required argument 'attribute'");
    ks.have_attr = 1;
    ks.have_def = ph__tmpl_arg(a, 1, "default", &ks.def) && ks.def.k != TV_NONE;
    ph__tmpl_arg(a, 2, "case_sensitive", &cs);
    ks.case_sensitive = ph__tv_truthy(cs);
    sitem *s;
    size_t count;
    int rc = keyed(r, n, v, &ks, &s, &count);
    if (rc < 0 || (rc = sort_items(r, n, s, count, 0)) < 0)
        return rc;
    tlist *groups = ph__tlist_new(r, 8);
    if (!groups)
        return PH_ENOMEM;
    keyspec real = ks;
    real.case_sensitive = 1;
    for (size_t i = 0; i < count;) {
        size_t j = i + 1;
        while (j < count && ph__tv_eq(s[j].key, s[i].key))
            j++;
        tlist *members = ph__tlist_new(r, j - i), *pair = ph__tlist_new(r, 2);
        if (!members || !pair)
            return PH_ENOMEM;
        for (size_t k = i; k < j; k++)
            members->v[members->n++] = s[k].val;
        tv grouper = s[i].key;
        if (!ks.case_sensitive && (rc = key_of(r, n, &real, s[i].val, &grouper)) < 0)
            return rc;
        pair->v[0] = grouper;
        pair->v[1] = mklist(members, 0);
        pair->n = 2;
        if ((rc = ph__tlist_push(r, groups, mklist(pair, TVF_TUPLE | TVF_GROUP))) < 0)
            return rc;
        i = j;
    }
    *out = mklist(groups, 0);
    return 0;
}

static int batch_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv cnt, fill = TV_MK(TV_NONE);
    if (!ph__tmpl_arg(a, 0, "linecount", &cnt))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             "do_batch() missing 1 required positional argument: 'linecount'");
    ph__tmpl_arg(a, 1, "fill_with", &fill);
    /* Python compares a row's length to linecount with ==: a count that is
     * not a whole number never matches, so everything lands in one row */
    tv given = cnt;
    if (cnt.k == TV_FLOAT && fabs(cnt.f) < 0x1p62 && cnt.f == (double)(int64_t)cnt.f)
        cnt = tv_int((int64_t)cnt.f);
    else if (cnt.k != TV_INT && cnt.k != TV_BOOL)
        cnt = tv_int(-1);
    tlist *src, *row = NULL, *res = ph__tlist_new(r, 8);
    int rc = list_of(r, n, v, &src);
    if (rc < 0 || !res)
        return rc < 0 ? rc : PH_ENOMEM;
    /* Jinja2's loop, quirks included: a linecount of 0 yields [] first */
    for (size_t i = 0; i <= src->n; i++) {
        if (!row && !(row = ph__tlist_new(r, 4)))
            return PH_ENOMEM;
        if (i == src->n)
            break;
        if (cnt.i >= 0 && row->n == (size_t)cnt.i) {
            if ((rc = ph__tlist_push(r, res, mklist(row, 0))) < 0 || !(row = ph__tlist_new(r, 4)))
                return rc < 0 ? rc : PH_ENOMEM;
        }
        if ((rc = ph__tlist_push(r, row, src->v[i])) < 0)
            return rc;
    }
    if (row && row->n && fill.k != TV_NONE && cnt.i < 0 && given.k != TV_INT) {
        /* the last row's padding: len(row) < linecount, [fill] * the rest */
        if (given.k != TV_FLOAT)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                 "'<' not supported between instances of 'int' and '%s'",
                                 ph__tv_typename(given));
        if ((double)row->n < given.f)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                 "can't multiply sequence by non-int of type 'float'");
    }
    if (row && row->n) {
        while (fill.k != TV_NONE && cnt.i > 0 && row->n < (size_t)cnt.i)
            if ((rc = ph__tlist_push(r, row, fill)) < 0)
                return rc;
        if ((rc = ph__tlist_push(r, res, mklist(row, 0))) < 0)
            return rc;
    }
    *out = mklist(res, TVF_GEN);
    return 0;
}

static int slice_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv sl, fill = TV_MK(TV_NONE);
    if (!ph__tmpl_arg(a, 0, "slices", &sl) || sl.k != TV_INT || sl.i <= 0 || sl.i > 100000)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "slice() needs a positive integer");
    ph__tmpl_arg(a, 1, "fill_with", &fill);
    tlist *seq;
    int rc = list_of(r, n, v, &seq);
    if (rc < 0)
        return rc;
    size_t slices = (size_t)sl.i, per = seq->n / slices, extra = seq->n % slices, offset = 0;
    tlist *res = ph__tlist_new(r, slices);
    if (!res)
        return PH_ENOMEM;
    for (size_t k = 0; k < slices; k++) {
        size_t start = offset + k * per;
        if (k < extra)
            offset++;
        size_t end = offset + (k + 1) * per;
        tlist *part = ph__tlist_new(r, end - start + 1);
        if (!part)
            return PH_ENOMEM;
        for (size_t i = start; i < end && i < seq->n; i++)
            part->v[part->n++] = seq->v[i];
        if (fill.k != TV_NONE && k >= extra)
            part->v[part->n++] = fill;
        res->v[res->n++] = mklist(part, 0);
    }
    *out = mklist(res, TVF_GEN);
    return 0;
}

static int f_batch(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, batch_now, "do_batch", v, a, out);
}
static int f_slice(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, slice_now, "sync_do_slice", v, a, out);
}

/* map/select/reject/selectattr/rejectattr share argument handling. */
static int shift_args(targs *a, size_t k, targs *rest) {
    *rest = *a;
    if (a->npos < k)
        return -1;
    rest->pos = a->pos + k;
    rest->npos = a->npos - k;
    return 0;
}

/* map and the select family yield nothing from a false value (none, 0, an
 * empty sequence) without looking at it or at their arguments, as Jinja2's
 * `if value:` does */
static int empty_generator(rctx *r, tv *out) {
    tlist *l = ph__tlist_new(r, 1);
    if (!l)
        return PH_ENOMEM;
    *out = mklist(l, TVF_GEN);
    return 0;
}

static int map_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (!ph__tv_truthy(v))
        return empty_generator(r, out);
    tv *items;
    size_t count;
    int rc = ph__tv_items(r, n, v, &items, &count);
    tlist *l = rc == 0 ? ph__tlist_new(r, count) : NULL;
    if (rc < 0 || !l)
        return rc < 0 ? rc : PH_ENOMEM;
    tv attr, def;
    int have_def = ph__tmpl_arg(a, 99, "default", &def);
    int by_attr = a->npos == 0 && ph__tmpl_arg(a, 99, "attribute", &attr);
    if (!by_attr && a->npos == 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "map requires a filter argument");
    for (size_t i = 0; i < count; i++) {
        tv x;
        if (by_attr) {
            if ((rc = ph__tmpl_attr_path(r, n, items[i], attr, &x)) < 0)
                return rc;
            if (x.k == TV_UNDEF && have_def)
                x = def;
        } else {
            targs rest;
            shift_args(a, 1, &rest);
            if (a->pos[0].k != TV_STR)
                return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "map filter name must be a string");
            if ((rc = ph__tmpl_apply_filter(r, n, a->pos[0].s, a->pos[0].n, items[i], &rest, &x)) <
                0)
                return rc;
        }
        l->v[l->n++] = x;
    }
    *out = mklist(l, TVF_GEN);
    return 0;
}

static int f_map(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, map_now, "sync_do_map", v, a, out);
}

static int select_common(rctx *r, const node *n, tv v, targs *a, tv *out, int attr, int want) {
    if (!ph__tv_truthy(v))
        return empty_generator(r, out);
    tv *items;
    size_t count;
    int rc = ph__tv_items(r, n, v, &items, &count);
    tlist *l = rc == 0 ? ph__tlist_new(r, count) : NULL;
    if (rc < 0 || !l)
        return rc < 0 ? rc : PH_ENOMEM;
    tv attrname = TV_MK(TV_NONE);
    if (attr && (!ph__tmpl_arg(a, 0, NULL, &attrname)))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Missing parameter for attribute name");
    targs rest;
    shift_args(a, (size_t)attr + 1, &rest);
    tv test;
    int have_test = ph__tmpl_arg(a, (size_t)attr, NULL, &test);
    if (have_test && test.k != TV_STR)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "test name must be a string");
    for (size_t i = 0; i < count; i++) {
        tv x = items[i];
        int res;
        if (attr && (rc = ph__tmpl_attr_path(r, n, x, attrname, &x)) < 0)
            return rc;
        if (have_test) {
            if ((rc = ph__tmpl_apply_test(r, n, test.s, test.n, x, &rest, &res)) < 0)
                return rc;
        } else {
            res = ph__tv_truthy(x);
        }
        if ((res != 0) == want)
            l->v[l->n++] = items[i];
    }
    *out = mklist(l, TVF_GEN);
    return 0;
}

static int select_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return select_common(r, n, v, a, out, 0, 1);
}
static int reject_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return select_common(r, n, v, a, out, 0, 0);
}
static int selectattr_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return select_common(r, n, v, a, out, 1, 1);
}
static int rejectattr_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return select_common(r, n, v, a, out, 1, 0);
}
static int f_select(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, select_now, "select_or_reject", v, a, out);
}
static int f_reject(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, reject_now, "select_or_reject", v, a, out);
}
static int f_selectattr(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, selectattr_now, "select_or_reject", v, a, out);
}
static int f_rejectattr(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, rejectattr_now, "select_or_reject", v, a, out);
}

static int f_first(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv *items;
    size_t count;
    int rc = ph__tv_items(r, n, v, &items, &count);
    if (rc < 0)
        return rc;
    *out = count ? items[0] : tv_undef("No first item, sequence was empty.", 34);
    out->flags |= count ? 0 : TVF_HINT;
    if (count)
        ph__tmpl_unread(v, items + 1, count - 1);
    return 0;
}

static int f_last(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (tv_is_gen(v))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object is not reversible",
                             ph__tv_typename(v));
    tv *items;
    size_t count;
    int rc = ph__tv_items(r, n, v, &items, &count);
    if (rc < 0)
        return rc;
    *out = count ? items[count - 1] : tv_undef("No last item, sequence was empty.", 33);
    out->flags |= count ? 0 : TVF_HINT;
    /* Jinja2 takes it with reversed(), which indexes, and a character
     * indexed out of Markup is Markup (iterating it gives plain str) */
    if (count && v.k == TV_STR && v.safe)
        out->safe = 1;
    return 0;
}

static int f_join(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv d = tv_str("", 0, 0), attr, *items;
    size_t count;
    ph__tmpl_arg(a, 0, "d", &d);
    int have_attr = ph__tmpl_arg(a, 1, "attribute", &attr) && attr.k != TV_NONE;
    int rc = ph__tv_items(r, n, v, &items, &count);
    if (rc < 0 || (rc = ph__tmpl_soft_str(r, n, d, &d)) < 0)
        return rc;
    tv *strs = ph__arena_alloc(r->a, (count + 1) * sizeof(tv));
    if (!strs)
        return PH_ENOMEM;
    int any_safe = d.safe;
    for (size_t i = 0; i < count; i++) {
        tv x = items[i];
        if (have_attr && (rc = ph__tmpl_attr_path(r, n, x, attr, &x)) < 0)
            return rc;
        if ((rc = ph__tmpl_soft_str(r, n, x, &strs[i])) < 0)
            return rc;
        any_safe |= strs[i].safe;
    }
    int safe = r->autoescape && any_safe;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        if (i)
            rc = safe && !d.safe ? ph__html_escape_n(&b, d.s, d.n) : ph__buf_append(&b, d.s, d.n);
        if (rc == 0)
            rc = safe && !strs[i].safe ? ph__html_escape_n(&b, strs[i].s, strs[i].n)
                                       : ph__buf_append(&b, strs[i].s, strs[i].n);
    }
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, safe);
    ph__buf_close(&b);
    return rc;
}

static int f_sum(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv attr, start = tv_int(0), *items;
    size_t count;
    int have_attr = ph__tmpl_arg(a, 0, "attribute", &attr) && attr.k != TV_NONE;
    ph__tmpl_arg(a, 1, "start", &start);
    int rc = ph__tv_items(r, n, v, &items, &count);
    tv acc = start;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        tv x = items[i];
        if (have_attr && (rc = ph__tmpl_attr_path(r, n, x, attr, &x)) < 0)
            break;
        rc = ph__tmpl_binop(r, n, '+', acc, x, &acc);
    }
    *out = acc;
    return rc;
}

static int minmax(rctx *r, const node *n, tv v, targs *a, tv *out, int want_max) {
    tv cs = tv_bool(0);
    keyspec ks = {0};
    ph__tmpl_arg(a, 0, "case_sensitive", &cs);
    ks.have_attr = ph__tmpl_arg(a, 1, "attribute", &ks.attr) && ks.attr.k != TV_NONE;
    ks.case_sensitive = ph__tv_truthy(cs);
    sitem *s;
    size_t count;
    int rc = keyed(r, n, v, &ks, &s, &count);
    if (rc < 0)
        return rc;
    if (!count) {
        *out = tv_undef("No aggregated item, sequence was empty.", 39);
        out->flags = TVF_HINT;
        return 0;
    }
    size_t best = 0;
    for (size_t i = 1; i < count; i++) {
        int c;
        if ((rc = ph__tv_cmp(r, n, s[i].key, s[best].key, &c)) < 0)
            return rc;
        if (want_max ? c > 0 : c < 0)
            best = i;
    }
    *out = s[best].val;
    return 0;
}

static int f_min(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return minmax(r, n, v, a, out, 0);
}
static int f_max(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return minmax(r, n, v, a, out, 1);
}

static int unique_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv cs = tv_bool(0);
    keyspec ks = {0};
    ph__tmpl_arg(a, 0, "case_sensitive", &cs);
    ks.have_attr = ph__tmpl_arg(a, 1, "attribute", &ks.attr) && ks.attr.k != TV_NONE;
    ks.case_sensitive = ph__tv_truthy(cs);
    sitem *s;
    size_t count;
    int rc = keyed(r, n, v, &ks, &s, &count);
    tlist *l = rc == 0 ? ph__tlist_new(r, count) : NULL;
    if (rc < 0 || !l)
        return rc < 0 ? rc : PH_ENOMEM;
    /* Jinja2 keeps a set of the keys seen: a hash table of indexes into s
     * (0: empty), open addressing, at most half full */
    size_t size = 16;
    while (size < 2 * count)
        size *= 2;
    size_t *seen = ph__arena_calloc(r->a, size * sizeof(*seen));
    if (!seen)
        return PH_ENOMEM;
    for (size_t i = 0; i < count; i++) {
        const char *bad = ph__tv_unhashable(s[i].key);
        if (bad)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "unhashable type: '%s'", bad);
        size_t h = (size_t)ph__tv_hash(s[i].key) & (size - 1);
        while (seen[h] && !ph__tv_eq(s[seen[h] - 1].key, s[i].key))
            h = (h + 1) & (size - 1);
        if (!seen[h]) {
            seen[h] = i + 1;
            l->v[l->n++] = s[i].val;
        }
    }
    *out = mklist(l, TVF_GEN);
    return 0;
}

static int f_unique(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, unique_now, "do_unique", v, a, out);
}

static int f_reverse(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (v.k == TV_STR) {
        char *d = ph__arena_alloc(r->a, v.n + 1);
        if (!d)
            return PH_ENOMEM;
        size_t k = v.n;
        for (size_t i = 0; i < v.n;) {
            size_t step = ph__utf8_offset(v.s + i, v.n - i, 1);
            k -= step;
            memcpy(d + k, v.s + i, step);
            i += step;
        }
        d[v.n] = 0;
        *out = tv_str(d, v.n, v.safe);
        return 0;
    }
    tlist *l;
    int rc = list_of(r, n, v, &l);
    if (rc < 0)
        return rc;
    ph__tlist_reverse(l);
    /* Python's reversed() iterator over a sequence or dict; a generator or
     * other iterable becomes a reversed list */
    const char *it = v.k == TV_UNDEF                                   ? "reversed"
                     : v.k == TV_JOBJ || v.k == TV_DICT                  ? "dict_reversekeyiterator"
                     : tv_is_gen(v)         ? NULL
                     : tl_kind(v) == TL_RANGE                           ? "range_iterator"
                     : v.k == TV_JARR || (v.k == TV_LIST && !(v.flags & TVF_TUPLE)) ? "list_reverseiterator"
                     : v.k == TV_LIST                                   ? "reversed"
                                                                        : NULL;
    *out = mklist(l, it ? TVF_GEN : 0);
    l->gen_type = it;
    return 0;
}

const bfilter_entry ph__tmpl_filters_seq[] = {
    {"first", f_first},
    {"last", f_last},
    {"join", f_join},
    {"sort", f_sort},
    {"dictsort", f_dictsort},
    {"groupby", f_groupby},
    {"batch", f_batch},
    {"slice", f_slice},
    {"map", f_map},
    {"select", f_select},
    {"reject", f_reject},
    {"selectattr", f_selectattr},
    {"rejectattr", f_rejectattr},
    {"sum", f_sum},
    {"min", f_min},
    {"max", f_max},
    {"unique", f_unique},
    {"reverse", f_reverse},
    {"random", ph__tmpl_f_random},
    {NULL, NULL},
};
