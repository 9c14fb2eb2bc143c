/*
 * Expression evaluation: names (locals, the template's top-level variables,
 * the render context, app globals, builtin globals), attribute and item
 * access with Jinja2's getattr/getitem order, slices, arithmetic with
 * Python's semantics (true division, floor division and modulo, int/float
 * promotion), comparisons, `in`, `and`/`or` returning operands, `~` with
 * markup-aware joining, conditional expressions, calls, filters and tests.
 * It does not run statements (render.c) or implement filters (filters*.c).
 *
 * Reference: Jinja2 3.1 "Template Designer Documentation", Expressions.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int undef_error(rctx *r, const node *n, tv v);

int ph__tmpl_check_undef(rctx *r, const node *n, tv v) {
    if (v.k != TV_UNDEF || (!r->env->opts.strict_undefined && !(v.flags & TVF_FAIL)))
        return 0;
    return undef_error(r, n, v);
}

/* Raise the UndefinedError for `v` (used when Undefined is really used). */
static int undef_error(rctx *r, const node *n, tv v) {
    if (v.flags & TVF_HINT)
        return ph__tmpl_rerr(r, n, PH_EUNDEFINED, "%.*s", (int)v.n, v.s);
    if (v.flags & TVF_ATTR) {
        tv owner = {.k = v.owner};
        if (v.owner == TV_NONE)
            return ph__tmpl_rerr(r, n, PH_EUNDEFINED, "'None' has no attribute '%.*s'", (int)v.n,
                                 v.s);
        return ph__tmpl_rerr(r, n, PH_EUNDEFINED, "'%s object' has no attribute '%.*s'",
                             ph__tv_typename(owner), (int)v.n, v.s);
    }
    return ph__tmpl_rerr(r, n, PH_EUNDEFINED, "'%.*s' is undefined", (int)v.n, v.s);
}

int ph__tmpl_undef_error(rctx *r, const node *n, tv v) { return undef_error(r, n, v); }

/* ------------------------------------------------------------------------ */
/* Names                                                                    */
/* ------------------------------------------------------------------------ */

/* The lazy context variable `name`, made on its first use in this render:
 * 1 with *out set, 0 when there is none, or a negative PH_E*. */
static int lazy_context(rctx *r, const char *name, size_t len, tv *out) {
    cfilter *lz = r->env->lazies;
    size_t i = r->nlazy; /* one registered during this render waits for the next */
    for (; i > 0; i--) /* the last registration wins */
        if (ph__name_is(lz[i - 1].name, name, len))
            break;
    if (i-- == 0)
        return 0;
    if (!r->lazy && !(r->lazy = ph__arena_calloc(r->a, r->nlazy * sizeof(json_t *))))
        return PH_ENOMEM;
    if (!r->lazy[i]) {
        json_t *v = lz[i].lazy(lz[i].ud, r->user);
        if (!v)
            return ph__tmpl_rerr(r, NULL, PH_ENOMEM,
                                 "the render context could not be built ('%s' could not be made)",
                                 lz[i].name);
        if (ph__tmpl_keep(r, v) < 0) /* it is freed when it cannot be kept */
            return PH_ENOMEM;
        r->lazy[i] = v;
    }
    *out = ph__tv_from_json(r->lazy[i]);
    return 1;
}

int ph__tmpl_lookup(rctx *r, frame *f, tctx *tc, const char *name, size_t len, tv *out) {
    for (; f; f = f->parent) {
        for (size_t i = f->n; i-- > 0;)
            if (f->vars[i].name == name ||
                (f->vars[i].len == len && f->vars[i].name[0] == name[0] &&
                 memcmp(f->vars[i].name, name, len) == 0)) {
                *out = f->vars[i].v;
                return 0;
            }
        if (f->stop)
            break;
    }
    json_t *ctx = tc ? tc->ctx : NULL;
    if (ctx) {
        json_t *j = json_object_getn(ctx, name, len);
        if (j) {
            *out = ph__tv_from_json(j);
            return 0;
        }
        int rc = r->nlazy ? lazy_context(r, name, len, out) : 0;
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    ph_tmpl_env *env = r->env;
    for (size_t i = env->nfuncs; i-- > 0;) {
        if (ph__name_is(env->funcs[i].name, name, len)) {
            tfunc *fn = ph__arena_calloc(r->a, sizeof(tfunc));
            if (!fn)
                return PH_ENOMEM;
            fn->name = env->funcs[i].name;
            fn->ud = &env->funcs[i];
            fn->fn = ph__tmpl_call_cfunc;
            *out = (tv){.k = TV_FUNC};
            out->fn = fn;
            return 0;
        }
    }
    json_t *g = json_object_getn(env->globals, name, len);
    if (g) {
        *out = ph__tv_from_json(g);
        return 0;
    }
    if (ph__tmpl_builtin_global(r, name, len, out) == 1)
        return 0;
    *out = tv_undef(name, len);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Attribute and item access                                                */
/* ------------------------------------------------------------------------ */

static tv missing_attr(tv obj, const char *name, size_t len) {
    tv u = tv_undef(name, len);
    u.flags = TVF_ATTR;
    u.owner = obj.k == TV_JOBJ ? TV_DICT : obj.k == TV_JARR ? TV_LIST : obj.k;
    return u;
}

int ph__tmpl_getattr(rctx *r, const node *n, tv obj, const char *name, size_t len, tv *out) {
    if (obj.k == TV_UNDEF)
        return undef_error(r, n, obj);
    if (obj.k == TV_JOBJ && n && n->kind == E_GETATTR && !(n->flags & NF_DICTMETHOD)) {
        /* `row.field` on app data: no method can have this name */
        json_t *j = json_object_getn(obj.j, name, len);
        *out = j ? ph__tv_from_json(j) : missing_attr(obj, name, len);
        return 0;
    }
    /* methods win over keys for dicts, as Python's getattr does */
    int rc = ph__tmpl_method(r, n, obj, name, len, out);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if (obj.k == TV_JOBJ || obj.k == TV_DICT) {
        if (ph__tdict_get(obj, tv_str(name, len, 0), out))
            return 0;
    }
    if ((obj.flags & TVF_GROUP) && obj.k == TV_LIST) {
        if (len == 7 && memcmp(name, "grouper", 7) == 0) {
            *out = obj.l->v[0];
            return 0;
        }
        if (len == 4 && memcmp(name, "list", 4) == 0) {
            *out = obj.l->v[1];
            return 0;
        }
    }
    *out = missing_attr(obj, name, len);
    return 0;
}

/* A Python index (negative counts from the end) into n items; 0 when out of range. */
static int norm_index(int64_t i, size_t n, size_t *out) {
    if (i < 0)
        i += (int64_t)n;
    if (i < 0 || (uint64_t)i >= n)
        return 0;
    *out = (size_t)i;
    return 1;
}

int ph__tmpl_getitem(rctx *r, const node *n, tv obj, tv key, tv *out) {
    if (obj.k == TV_UNDEF)
        return undef_error(r, n, obj);
    /* Jinja2 catches the TypeError of indexing what takes no index (a
     * generator, a dict view): undefined, as a missing item is */
    int indexable = !tv_is_gen(obj) && !tv_is_view(obj);
    if (indexable && (obj.k == TV_JOBJ || obj.k == TV_DICT)) {
        if (ph__tdict_get(obj, key, out))
            return 0;
    } else if (indexable && (key.k == TV_INT || key.k == TV_BOOL) &&
               (ph__tv_is_seq(obj) || obj.k == TV_STR)) {
        size_t len = ph__tv_len(obj), i;
        if (norm_index(key.i, len, &i)) {
            if (obj.k == TV_STR) {
                size_t b = ph__utf8_offset(obj.s, obj.n, i);
                size_t e = ph__utf8_offset(obj.s + b, obj.n - b, 1) + b;
                *out = tv_str(obj.s + b, e - b, obj.safe);
            } else {
                *out = ph__tv_at(obj, i);
            }
            return 0;
        }
    }
    if (key.k == TV_STR)
        return ph__tmpl_getattr(r, n, obj, key.s, key.n, out);
    tv u = missing_attr(obj, "", 0);
    char *s = ph__tv_cstr(r, key);
    u.s = s ? s : "?";
    u.n = strlen(u.s);
    *out = u;
    return 0;
}

static int slice_bound(tv v, int64_t def, int64_t *out) {
    if (v.k == TV_NONE || v.k == TV_UNDEF) {
        *out = def;
        return 0;
    }
    if (v.k != TV_INT && v.k != TV_BOOL)
        return -1;
    *out = v.i;
    return 0;
}

/* Python's slice.indices(len) for one bound (PySlice_AdjustIndices). */
static int64_t adjust_index(int64_t i, int64_t len, int64_t step) {
    if (i < 0)
        return i + len < 0 ? (step < 0 ? -1 : 0) : i + len;
    return i >= len ? (step < 0 ? len - 1 : len) : i;
}

/* A slice of a range is a range, and prints as one: range(2, 8)[1::2] is
 * range(3, 8, 2). Makes the sliced list l that range, from the slice's
 * adjusted bounds. */
static void slice_range(const tlist *of, int64_t start, int64_t stop, int64_t step, tlist *l) {
    int64_t t;
    if (__builtin_mul_overflow(start, of->step, &t) ||
        __builtin_add_overflow(of->start, t, &l->start) ||
        __builtin_mul_overflow(stop, of->step, &t) ||
        __builtin_add_overflow(of->start, t, &l->stop) ||
        __builtin_mul_overflow(of->step, step, &l->step))
        return; /* past 64 bits: it stays a list, and prints as its numbers */
    l->kind = TL_RANGE;
}

static int do_slice(rctx *r, const node *n, tv obj, tv s0, tv s1, tv s2, tv *out) {
    int64_t step, start, stop;
    if (slice_bound(s2, 1, &step) < 0 || step == 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "slice step cannot be zero");
    if (obj.k == TV_UNDEF)
        return undef_error(r, n, obj);
    int is_str = obj.k == TV_STR;
    /* a slice is Python's own subscript, which Jinja2 does not catch */
    if ((!is_str && !ph__tv_is_seq(obj)) || tv_is_gen(obj) || tv_is_view(obj))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object is not subscriptable",
                             ph__tv_typename(obj));
    int64_t len = (int64_t)ph__tv_len(obj);
    if (slice_bound(s0, step < 0 ? len - 1 : 0, &start) < 0 ||
        slice_bound(s1, step < 0 ? -len - 1 : len, &stop) < 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "slice indices must be integers or None");
    start = adjust_index(start, len, step);
    stop = adjust_index(stop, len, step);
    if (is_str && step == 1) {
        size_t b = start < stop ? ph__utf8_offset(obj.s, obj.n, (size_t)start) : 0;
        size_t e = start < stop ? ph__utf8_offset(obj.s, obj.n, (size_t)stop) : 0;
        *out = tv_str(obj.s + b, e - b, obj.safe);
        return 0;
    }
    tlist *l = ph__tlist_new(r, 8);
    ph_buf sb;
    ph__buf_init(&sb, r->out->max);
    int rc = l ? 0 : PH_ENOMEM;
    for (int64_t i = start; rc == 0 && (step > 0 ? i < stop : i > stop); i += step) {
        if (is_str) {
            size_t b = ph__utf8_offset(obj.s, obj.n, (size_t)i);
            size_t e = b + ph__utf8_offset(obj.s + b, obj.n - b, 1);
            rc = ph__buf_append(&sb, obj.s + b, e - b);
        } else {
            rc = ph__tlist_push(r, l, ph__tv_at(obj, (size_t)i));
        }
    }
    if (rc == 0 && tl_kind(obj) == TL_RANGE)
        slice_range(obj.l, start, stop, step, l);
    if (rc == 0 && is_str)
        *out = ph__tv_strdup(r, sb.data ? sb.data : "", sb.len, obj.safe);
    else if (rc == 0) {
        *out = (tv){.k = TV_LIST, .flags = obj.flags & TVF_TUPLE};
        out->l = l;
    }
    ph__buf_close(&sb);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Arithmetic                                                               */
/* ------------------------------------------------------------------------ */

static int is_num(tv v) { return v.k == TV_INT || v.k == TV_BOOL || v.k == TV_FLOAT; }
static double num(tv v) { return v.k == TV_FLOAT ? v.f : (double)v.i; }

static const char *opname(int op) {
    switch (op) {
    case OP_FLOORDIV:
        return "//";
    case OP_POW:
        return "** or pow()";
    case '+':
        return "+";
    case '-':
        return "-";
    case '*':
        return "*";
    case '/':
        return "/";
    default:
        return "%";
    }
}

static int type_error(rctx *r, const node *n, int op, tv a, tv b) {
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "unsupported operand type(s) for %s: '%s' and '%s'",
                         opname(op), ph__tv_typename(a), ph__tv_typename(b));
}

static int concat_two(rctx *r, tv a, tv b, tv *out) {
    int safe = a.safe || b.safe;
    ph_buf buf;
    ph__buf_init(&buf, r->out->max);
    int rc = 0;
    tv parts[2] = {a, b};
    for (int i = 0; rc == 0 && i < 2; i++)
        rc = safe && !parts[i].safe ? ph__html_escape_n(&buf, parts[i].s, parts[i].n)
                                    : ph__buf_append(&buf, parts[i].s, parts[i].n);
    if (rc == 0)
        *out = ph__tv_strdup(r, buf.data ? buf.data : "", buf.len, safe);
    ph__buf_close(&buf);
    return rc;
}

static int repeat(rctx *r, const node *n, tv s, int64_t k, tv *out) {
    /* Nothing repeated any number of times is nothing: without this, '' * 10**15
     * ran its empty copy loop 10**15 times, the bounds below being per byte. */
    if (k < 0 || (s.k == TV_STR ? s.n == 0 : ph__tv_len(s) == 0))
        k = 0;
    if (s.k == TV_STR) {
        if (s.n && (uint64_t)k > (64u << 20) / s.n)
            return ph__tmpl_rerr(r, n, PH_ETOOBIG, "repeated string too large");
        char *d = ph__arena_alloc(r->a, s.n * (size_t)k + 1);
        if (!d)
            return PH_ENOMEM;
        for (int64_t i = 0; i < k; i++)
            memcpy(d + (size_t)i * s.n, s.s, s.n);
        d[s.n * (size_t)k] = 0;
        *out = tv_str(d, s.n * (size_t)k, s.safe);
        return 0;
    }
    size_t len = ph__tv_len(s);
    if (len && (uint64_t)k > (1u << 20) / len)
        return ph__tmpl_rerr(r, n, PH_ETOOBIG, "repeated list too large");
    tlist *l = ph__tlist_new(r, len * (size_t)k + 1);
    if (!l)
        return PH_ENOMEM;
    for (int64_t i = 0; i < k; i++)
        for (size_t j = 0; j < len; j++)
            l->v[l->n++] = ph__tv_at(s, j);
    *out = (tv){.k = TV_LIST, .flags = s.flags & TVF_TUPLE};
    out->l = l;
    return 0;
}

/* Floor division and modulo with Python's signs (CPython's int and float divmod). */
static int py_divmod(rctx *r, const node *n, int op, tv a, tv b, tv *out) {
    int ints = a.k != TV_FLOAT && b.k != TV_FLOAT;
    int64_t x = a.i, y = b.i;
    double fx = num(a), fy = num(b);
    if (fy == 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             ints ? "integer division or modulo by zero" : "float modulo");
    if (ints) {
        if (x == INT64_MIN && y == -1) {
            *out = op == '%' ? tv_int(0) : tv_float(-(double)x);
            return 0;
        }
        int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
            q--;
            m += y;
        }
        *out = tv_int(op == '%' ? m : q);
    } else {
        /* CPython's float_divmod */
        double m = fmod(fx, fy), d = (fx - m) / fy;
        if (m != 0 && ((m < 0) != (fy < 0))) {
            m += fy;
            d -= 1.0;
        }
        if (m == 0)
            m = copysign(0.0, fy);
        double fd = d != 0 ? floor(d) : copysign(0.0, fx / fy);
        if (d != 0 && d - fd > 0.5)
            fd += 1.0;
        *out = tv_float(op == '%' ? m : fd);
    }
    return 0;
}

/* Arithmetic on two numbers with Python's rules (bool counts as int). */
static int num_binop(rctx *r, const node *n, int op, tv a, tv b, tv *out) {
    int ints = a.k != TV_FLOAT && b.k != TV_FLOAT;
    int64_t x = a.i, y = b.i, z;
    double fx = num(a), fy = num(b);
    switch (op) {
    case '+':
        if (ints && !__builtin_add_overflow(x, y, &z)) {
            *out = tv_int(z);
            return 0;
        }
        *out = tv_float(fx + fy);
        return 0;
    case '-':
        if (ints && !__builtin_sub_overflow(x, y, &z)) {
            *out = tv_int(z);
            return 0;
        }
        *out = tv_float(fx - fy);
        return 0;
    case '*':
        if (ints && !__builtin_mul_overflow(x, y, &z)) {
            *out = tv_int(z);
            return 0;
        }
        *out = tv_float(fx * fy);
        return 0;
    case '/':
        if (fy == 0)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "division by zero");
        *out = tv_float(fx / fy);
        return 0;
    case OP_FLOORDIV:
    case '%':
        return py_divmod(r, n, op, a, b, out);
    case OP_POW:
        if (ints && y >= 0) {
            int64_t res = 1, base = x;
            int ovf = 0;
            for (int64_t e = y; e > 0 && !ovf; e >>= 1) {
                if (e & 1)
                    ovf |= __builtin_mul_overflow(res, base, &res);
                if (e > 1)
                    ovf |= __builtin_mul_overflow(base, base, &base);
            }
            *out = ovf ? tv_float(pow(fx, fy)) : tv_int(res);
            return 0;
        }
        if (fx == 0 && fy < 0)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                 "0.0 cannot be raised to a negative power");
        *out = tv_float(pow(fx, fy));
        if (isinf(out->f) && isfinite(fx) && isfinite(fy)) /* Python's float pow raises */
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "(34, 'Numerical result out of range')");
        return 0;
    }
    return type_error(r, n, op, a, b);
}

int ph__tmpl_binop(rctx *r, const node *n, int op, tv a, tv b, tv *out) {
    if (a.k == TV_UNDEF)
        return undef_error(r, n, a);
    /* `'text' % undefined` is Python's str % object, which never asks the
     * Undefined to do arithmetic: it formats as an empty string */
    if (b.k == TV_UNDEF && !(op == '%' && a.k == TV_STR && !r->env->opts.strict_undefined))
        return undef_error(r, n, b);
    if (is_num(a) && is_num(b))
        return num_binop(r, n, op, a, b, out);
    if (op == '+' && a.k == TV_STR && b.k == TV_STR)
        return concat_two(r, a, b, out);
    if ((op == '+' || op == '*') && (tv_is_gen(a) ||
                                     (op == '*' && tv_is_gen(b))))
        return type_error(r, n, op, a, b);
    if (op == '+' && ph__tv_is_seq(a) && ph__tv_is_seq(b)) {
        /* list + list and tuple + tuple only, as in Python */
        const char *ta = ph__tv_typename(a), *tb = ph__tv_typename(b);
        if (strcmp(ta, tb) != 0)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "can only concatenate %s (not \"%s\") to %s",
                                 ta, tb, ta);
        size_t na = ph__tv_len(a), nb = ph__tv_len(b);
        tlist *l = ph__tlist_new(r, na + nb + 1);
        if (!l)
            return PH_ENOMEM;
        for (size_t i = 0; i < na; i++)
            l->v[l->n++] = ph__tv_at(a, i);
        for (size_t i = 0; i < nb; i++)
            l->v[l->n++] = ph__tv_at(b, i);
        *out = (tv){.k = TV_LIST, .flags = a.flags & TVF_TUPLE};
        out->l = l;
        return 0;
    }
    if (op == '*' && (a.k == TV_STR || ph__tv_is_seq(a)) && (b.k == TV_INT || b.k == TV_BOOL))
        return repeat(r, n, a, b.i, out);
    if (op == '*' && (b.k == TV_STR || ph__tv_is_seq(b)) && (a.k == TV_INT || a.k == TV_BOOL))
        return repeat(r, n, b, a.i, out);
    if (op == '%' && a.k == TV_STR) {
        if (ph__tv_is_seq(b) && (b.flags & TVF_TUPLE)) {
            size_t nb = ph__tv_len(b);
            tv *args = ph__arena_alloc(r->a, (nb + 1) * sizeof(tv));
            if (!args)
                return PH_ENOMEM;
            for (size_t i = 0; i < nb; i++)
                args[i] = ph__tv_at(b, i);
            return ph__tmpl_pyformat(r, n, a, args, nb, TV_MK(TV_NONE), out);
        }
        /* the operand is also the mapping when Python could index it by key */
        if (b.k == TV_JOBJ || b.k == TV_DICT || b.k == TV_JARR || b.k == TV_UNDEF ||
            (b.k == TV_LIST && !(b.flags & TVF_GEN)))
            return ph__tmpl_pyformat(r, n, a, &b, 1, b, out);
        return ph__tmpl_pyformat(r, n, a, &b, 1, TV_MK(TV_NONE), out);
    }
    return type_error(r, n, op, a, b);
}

/* `needle in hay` */
static int contains(rctx *r, const node *n, tv hay, tv needle, int *res) {
    if (hay.k == TV_STR) {
        if (needle.k != TV_STR)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                 "'in <string>' requires string as left operand, not %s",
                                 ph__tv_typename(needle));
        *res = needle.n == 0 || memmem(hay.s, hay.n, needle.s, needle.n) != NULL;
        return 0;
    }
    if (hay.k == TV_JOBJ || hay.k == TV_DICT) {
        tv x;
        const char *bad = ph__tv_unhashable(needle);
        if (bad)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "unhashable type: '%s'", bad);
        *res = ph__tdict_get(hay, needle, &x);
        return 0;
    }
    if (tv_is_gen(hay)) {
        /* read up to the match, as Python's `in` reads a generator */
        tv *items;
        size_t count, i = 0;
        int rc = ph__tv_items(r, n, hay, &items, &count);
        if (rc < 0)
            return rc;
        *res = 0;
        while (i < count && !*res)
            *res = ph__tv_eq(items[i++], needle);
        ph__tmpl_unread(hay, items + i, count - i);
        return 0;
    }
    if (ph__tv_is_seq(hay)) {
        size_t len = ph__tv_len(hay);
        *res = 0;
        for (size_t i = 0; i < len && !*res; i++)
            *res = ph__tv_eq(ph__tv_at(hay, i), needle);
        return 0;
    }
    if (hay.k == TV_UNDEF) {
        if (r->env->opts.strict_undefined)
            return undef_error(r, n, hay);
        *res = 0;
        return 0;
    }
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "argument of type '%s' is not iterable",
                         ph__tv_typename(hay));
}

static int compare(rctx *r, const node *n, int op, tv a, tv b, int *res) {
    int rc, c;
    if (r->env->opts.strict_undefined && (a.k == TV_UNDEF || b.k == TV_UNDEF))
        return undef_error(r, n, a.k == TV_UNDEF ? a : b);
    switch (op) {
    case OP_EQ:
        *res = ph__tv_eq(a, b);
        return 0;
    case OP_NE:
        *res = !ph__tv_eq(a, b);
        return 0;
    case OP_IN:
        return contains(r, n, b, a, res);
    case OP_NOTIN:
        rc = contains(r, n, b, a, res);
        *res = !*res;
        return rc;
    }
    if (a.k == TV_UNDEF || b.k == TV_UNDEF)
        return undef_error(r, n, a.k == TV_UNDEF ? a : b);
    if ((rc = ph__tv_cmp(r, n, a, b, &c)) < 0)
        return rc;
    switch (op) {
    case '<':
        *res = c < 0;
        break;
    case '>':
        *res = c > 0;
        break;
    case OP_LE:
        *res = c <= 0;
        break;
    default:
        *res = c >= 0;
        break;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Calls                                                                    */
/* ------------------------------------------------------------------------ */

int ph__tmpl_arg(targs *a, size_t pos, const char *kw, tv *out) {
    if (pos < a->npos) {
        *out = a->pos[pos];
        return 1;
    }
    for (size_t i = 0; kw && i < a->nkw; i++)
        if (strcmp(a->kwn[i], kw) == 0) {
            *out = a->kwv[i];
            return 1;
        }
    return 0;
}

/*
 * `f(..., *args, **kwargs)`: the items of args after the positional
 * arguments, the pairs of kwargs after the keywords, as Python calls do
 * (a name given twice is an error).
 */
static int spread_args(rctx *r, const node *n, frame *f, tctx *tc, targs *a) {
    tv extra = TV_MK(TV_NONE), kw = TV_MK(TV_NONE);
    tv *items = NULL;
    size_t nitems = 0, nkw = 0;
    int rc;
    if (n->b) {
        if ((rc = ph__tmpl_eval(r, n->b, f, tc, &extra)) < 0)
            return rc;
        if (extra.k == TV_UNDEF) { /* iterates as nothing, unless strict */
            if ((rc = ph__tmpl_check_undef(r, n->b, extra)) < 0)
                return rc;
            extra = TV_MK(TV_LIST);
            extra.l = ph__tlist_new(r, 1);
            if (!extra.l)
                return PH_ENOMEM;
        }
        if (!ph__tv_is_seq(extra) && extra.k != TV_STR && extra.k != TV_DICT &&
            extra.k != TV_JOBJ)
            return ph__tmpl_rerr(r, n->b, PH_ETEMPLATE,
                                 "argument after * must be an iterable, not %s",
                                 ph__tv_typename(extra));
        if ((rc = ph__tv_items(r, n->b, extra, &items, &nitems)) < 0)
            return rc;
    }
    if (n->c) {
        if ((rc = ph__tmpl_eval(r, n->c, f, tc, &kw)) < 0)
            return rc;
        if (kw.k == TV_UNDEF)
            return undef_error(r, n->c, kw);
        if (kw.k != TV_DICT && kw.k != TV_JOBJ)
            return ph__tmpl_rerr(r, n->c, PH_ETEMPLATE,
                                 "argument after ** must be a mapping, not %s",
                                 ph__tv_typename(kw));
        nkw = ph__tv_len(kw);
    }
    tv *pos = ph__arena_alloc(r->a, (a->npos + nitems + 1) * sizeof(tv));
    tv *kwv = ph__arena_alloc(r->a, (a->nkw + nkw + 1) * sizeof(tv));
    const char **kwn = ph__arena_alloc(r->a, (a->nkw + nkw + 1) * sizeof(char *));
    if (!pos || !kwv || !kwn)
        return PH_ENOMEM;
    /* (the arrays may be NULL when empty, which memcpy may not be given) */
    if (a->npos)
        memcpy(pos, a->pos, a->npos * sizeof(tv));
    if (nitems)
        memcpy(pos + a->npos, items, nitems * sizeof(tv));
    if (a->nkw) {
        memcpy(kwv, a->kwv, a->nkw * sizeof(tv));
        memcpy(kwn, a->kwn, a->nkw * sizeof(char *));
    }
    size_t k = a->nkw;
    if (nkw) {
        tv pairs;
        if ((rc = ph__tmpl_dict_items(r, kw, &pairs)) < 0)
            return rc;
        for (size_t i = 0; i < pairs.l->n; i++) {
            tv key = pairs.l->v[i].l->v[0];
            if (key.k != TV_STR)
                return ph__tmpl_rerr(r, n->c, PH_ETEMPLATE, "keywords must be strings");
            char *name = ph__tv_cstr(r, key);
            if (!name)
                return PH_ENOMEM;
            /* a mapping's own keys are distinct: only the call's keywords
             * can repeat one (and this stays linear in the mapping's size) */
            for (size_t j = 0; j < a->nkw; j++)
                if (strcmp(kwn[j], name) == 0)
                    return ph__tmpl_rerr(r, n->c, PH_ETEMPLATE,
                                         "got multiple values for keyword argument '%s'", name);
            kwn[k] = name;
            kwv[k++] = pairs.l->v[i].l->v[1];
        }
    }
    a->pos = pos;
    a->npos += nitems;
    a->kwv = kwv;
    a->kwn = kwn;
    a->nkw = k;
    return 0;
}

int ph__tmpl_eval_args(rctx *r, const node *n, frame *f, tctx *tc, targs *a) {
    int rc;
    a->npos = n->nv;
    a->nkw = n->nw;
    if (n->nv + n->nw <= 3) {
        a->pos = a->inl;
        a->kwv = a->inl + n->nv;
    } else {
        a->pos = n->nv ? ph__arena_alloc(r->a, n->nv * sizeof(tv)) : NULL;
        a->kwv = n->nw ? ph__arena_alloc(r->a, n->nw * sizeof(tv)) : NULL;
    }
    a->kwn = n->kw;
    if ((n->nv && !a->pos) || (n->nw && !a->kwv))
        return PH_ENOMEM;
    for (size_t i = 0; i < n->nv; i++)
        if ((rc = ph__tmpl_eval(r, n->v[i], f, tc, &a->pos[i])) < 0)
            return rc;
    for (size_t i = 0; i < n->nw; i++)
        if ((rc = ph__tmpl_eval(r, n->w[i], f, tc, &a->kwv[i])) < 0)
            return rc;
    return n->b || n->c ? spread_args(r, n, f, tc, a) : 0;
}

int ph__tmpl_call(rctx *r, const node *n, tv fn, targs *a, tv *out) {
    switch (fn.k) {
    case TV_MACRO:
        return ph__tmpl_call_macro(r, fn.m, a, out);
    case TV_FUNC: {
        int had_error = r->err && r->err->code != 0;
        int rc = fn.fn->fn(r, fn.fn, a, out);
        /* builtins (methods, globals) report without a node: their error
         * is at the call */
        if (rc < 0 && n && !had_error && r->err && r->err->code && r->err->line == 0) {
            r->err->line = n->line;
            r->err->column = n->col;
        }
        return rc;
    }
    case TV_LOOP:
        return ph__tmpl_call_loop(r, fn.lp, a, out);
    case TV_UNDEF:
        return undef_error(r, n, fn);
    default:
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object is not callable",
                             ph__tv_typename(fn));
    }
}

/* ------------------------------------------------------------------------ */
/* The evaluator                                                            */
/* ------------------------------------------------------------------------ */

static int eval_concat(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    tv parts[2];
    int rc;
    if ((rc = ph__tmpl_eval(r, n->a, f, tc, &parts[0])) < 0 ||
        (rc = ph__tmpl_eval(r, n->b, f, tc, &parts[1])) < 0)
        return rc;
    for (int i = 0; i < 2; i++) {
        if ((rc = ph__tmpl_check_undef(r, n, parts[i])) < 0 ||
            (rc = ph__tv_tostr(r, parts[i], &parts[i])) < 0)
            return rc;
    }
    if (!r->autoescape) {
        parts[0].safe = parts[1].safe = 0;
    }
    return concat_two(r, parts[0], parts[1], out);
}

static int eval_seq(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    tlist *l = ph__tlist_new(r, n->nv);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < n->nv; i++) {
        int rc = ph__tmpl_eval(r, n->v[i], f, tc, &l->v[i]);
        if (rc < 0)
            return rc;
    }
    l->n = n->nv;
    *out = (tv){.k = TV_LIST, .flags = n->kind == E_TUPLE ? TVF_TUPLE : 0};
    out->l = l;
    return 0;
}

static int eval_dict(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    tdict *d = ph__tdict_new(r, n->nv);
    if (!d)
        return PH_ENOMEM;
    for (size_t i = 0; i < n->nv; i++) {
        tv k, v;
        int rc;
        if ((rc = ph__tmpl_eval(r, n->v[i], f, tc, &k)) < 0 ||
            (rc = ph__tmpl_eval(r, n->w[i], f, tc, &v)) < 0)
            return rc;
        const char *bad = ph__tv_unhashable(k);
        if (bad)
            return ph__tmpl_rerr(r, n->v[i], PH_ETEMPLATE, "unhashable type: '%s'", bad);
        if ((rc = ph__tdict_set(r, d, k, v)) < 0)
            return rc;
    }
    *out = (tv){.k = TV_DICT};
    out->d = d;
    return 0;
}

static int eval_compare(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    tv left, right;
    int rc = ph__tmpl_eval(r, n->a, f, tc, &left), res = 1;
    for (size_t i = 0; rc == 0 && i < n->nv && res; i++) {
        if ((rc = ph__tmpl_eval(r, n->v[i], f, tc, &right)) < 0)
            break;
        rc = compare(r, n, n->ops[i], left, right, &res);
        left = right;
    }
    *out = tv_bool(res);
    return rc;
}

static int eval_filter(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    tv v;
    targs a;
    int rc;
    if (n->a) {
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &v)) < 0)
            return rc;
    } else {
        v = r->filter_input; /* filter blocks: the body's output */
    }
    if ((rc = ph__tmpl_eval_args(r, n, f, tc, &a)) < 0)
        return rc;
    return ph__tmpl_apply_filter(r, n, n->name, n->nlen, v, &a, out);
}

static int truthy(rctx *r, const node *n, tv v, int *res) {
    int rc = ph__tmpl_check_undef(r, n, v);
    *res = ph__tv_truthy(v);
    return rc;
}

int ph__tmpl_eval_node(rctx *r, node *n, frame *f, tctx *tc, tv *out) {
    tv a, b;
    targs args;
    int rc = 0, t;
    if (stack_exhausted(r->stack_base))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "expression nested too deeply");
    switch (n->kind) {
    case E_CONST:
        *out = n->val;
        return 0;
    case E_NAME:
        return ph__tmpl_lookup(r, f, tc, n->name, n->nlen, out);
    case E_GETATTR:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0)
            return rc;
        return ph__tmpl_getattr(r, n, a, n->name, n->nlen, out);
    case E_GETITEM:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0 ||
            (rc = ph__tmpl_eval(r, n->b, f, tc, &b)) < 0)
            return rc;
        return ph__tmpl_getitem(r, n, a, b, out);
    case E_SLICE: {
        tv s[3] = {TV_MK(TV_NONE), TV_MK(TV_NONE), TV_MK(TV_NONE)};
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0)
            return rc;
        for (int i = 0; i < 3; i++)
            if (n->v[i] && (rc = ph__tmpl_eval(r, n->v[i], f, tc, &s[i])) < 0)
                return rc;
        return do_slice(r, n, a, s[0], s[1], s[2], out);
    }
    case E_BINOP:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0 ||
            (rc = ph__tmpl_eval(r, n->b, f, tc, &b)) < 0)
            return rc;
        return ph__tmpl_binop(r, n, n->op, a, b, out);
    case E_NEG:
    case E_POS:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0)
            return rc;
        if (a.k == TV_UNDEF)
            return undef_error(r, n, a);
        if (!is_num(a))
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "bad operand type for unary %c: '%s'",
                                 n->kind == E_NEG ? '-' : '+', ph__tv_typename(a));
        if (n->kind == E_POS)
            *out = a.k == TV_BOOL ? tv_int(a.i) : a;
        else
            *out = a.k == TV_FLOAT    ? tv_float(-a.f)
                   : a.i == INT64_MIN ? tv_float(-(double)a.i)
                                      : tv_int(-a.i);
        return 0;
    case E_NOT:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0 || (rc = truthy(r, n, a, &t)) < 0)
            return rc;
        *out = tv_bool(!t);
        return 0;
    case E_AND:
    case E_OR:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0 || (rc = truthy(r, n, a, &t)) < 0)
            return rc;
        if (t == (n->kind == E_OR)) {
            *out = a;
            return 0;
        }
        return ph__tmpl_eval(r, n->b, f, tc, out);
    case E_COMPARE:
        return eval_compare(r, n, f, tc, out);
    case E_CONCAT:
        return eval_concat(r, n, f, tc, out);
    case E_COND:
        if ((rc = ph__tmpl_eval(r, n->b, f, tc, &a)) < 0 || (rc = truthy(r, n, a, &t)) < 0)
            return rc;
        if (t)
            return ph__tmpl_eval(r, n->a, f, tc, out);
        if (n->c)
            return ph__tmpl_eval(r, n->c, f, tc, out);
        *out = tv_undef("", 0);
        return 0;
    case E_FILTER:
        return eval_filter(r, n, f, tc, out);
    case E_TEST:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0 ||
            (rc = ph__tmpl_eval_args(r, n, f, tc, &args)) < 0 ||
            (rc = ph__tmpl_apply_test(r, n, n->name, n->nlen, a, &args, &t)) < 0)
            return rc;
        *out = tv_bool((n->flags & NF_NEGATE) ? !t : t);
        return 0;
    case E_CALL:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &a)) < 0 ||
            (rc = ph__tmpl_eval_args(r, n, f, tc, &args)) < 0)
            return rc;
        return ph__tmpl_call(r, n, a, &args, out);
    case E_LIST:
    case E_TUPLE:
        return eval_seq(r, n, f, tc, out);
    case E_DICT:
        return eval_dict(r, n, f, tc, out);
    default:
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "cannot evaluate this node");
    }
}

/* ------------------------------------------------------------------------ */
/* Iteration                                                                */
/* ------------------------------------------------------------------------ */

int ph__tmpl_lazily(rctx *r, const node *n, bfilter_fn fn, const char *func, tv v, targs *a,
                    tv *out) {
    int clean = r->err && r->err->code == 0;
    int rc = fn(r, n, v, a, out);
    if (rc < 0) {
        if (!clean || rc != r->err->code || (rc != PH_ETEMPLATE && rc != PH_EUNDEFINED))
            return rc;
        ph_tmpl_error *e = ph__arena_alloc(r->a, sizeof(*e));
        tlist *l = e ? ph__tlist_new(r, 1) : NULL;
        if (!l)
            return rc; /* no room to keep it: raised now */
        *e = *r->err;
        r->err->code = 0;
        r->err->message[0] = '\0';
        l->pending = e;
        *out = (tv){.k = TV_LIST};
        out->l = l;
    }
    if (out->k == TV_LIST) {
        out->flags |= TVF_GEN;
        out->l->gen_type = "generator";
        out->l->gen_func = func;
    }
    return 0;
}

int ph__tmpl_pending(rctx *r, tv v) {
    if (v.k != TV_LIST || !v.l->pending)
        return 0;
    const ph_tmpl_error *e = v.l->pending;
    v.l->pending = NULL; /* a generator that raised is finished */
    if (r->err && r->err->code == 0)
        *r->err = *e;
    return e->code;
}

void ph__tmpl_unread(tv v, tv *rest, size_t nrest) {
    if (tv_is_gen(v)) {
        v.l->v = rest;
        v.l->n = v.l->cap = nrest;
    }
}

/*
 * The items of an iterable as an array: a list's own array (no copy), or an
 * arena array for JSON arrays, strings (characters) and dicts (keys).
 */
int ph__tv_items(rctx *r, const node *n, tv v, tv **items, size_t *count) {
    size_t len;
    switch (v.k) {
    case TV_LIST:
        *items = v.l->v;
        *count = v.l->n;
        if ((v.flags & TVF_GEN) && v.l->n) { /* runs once: whatever reads it empties it */
            v.l->v += v.l->n;
            v.l->n = v.l->cap = 0;
        }
        return ph__tmpl_pending(r, v);
    case TV_UNDEF:
        *items = NULL;
        *count = 0;
        return ph__tmpl_check_undef(r, n, v);
    case TV_JARR:
    case TV_STR:
    case TV_JOBJ:
    case TV_DICT:
        break;
    default:
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object is not iterable", ph__tv_typename(v));
    }
    len = v.k == TV_STR ? ph__utf8_len(v.s, v.n) : ph__tv_len(v);
    *count = len;
    *items = ph__arena_alloc(r->a, (len ? len : 1) * sizeof(tv));
    if (!*items)
        return PH_ENOMEM;
    if (v.k == TV_JARR) {
        for (size_t i = 0; i < len; i++)
            (*items)[i] = ph__tv_from_json(json_array_get(v.j, i));
    } else if (v.k == TV_STR) {
        size_t p = 0;
        for (size_t i = 0; i < len; i++) {
            size_t e = p + ph__utf8_offset(v.s + p, v.n - p, 1);
            (*items)[i] = tv_str(v.s + p, e - p, 0); /* iterating Markup yields str */
            p = e;
        }
    } else if (v.k == TV_DICT) {
        memcpy(*items, v.d->k, len * sizeof(tv));
    } else {
        const char *key;
        json_t *val;
        size_t i = 0;
        json_object_foreach(v.j, key, val) { (*items)[i++] = tv_str(key, strlen(key), 0); }
    }
    return 0;
}
