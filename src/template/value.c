/*
 * Template values: conversion from and to jansson, truthiness, equality and
 * ordering, and printing exactly as Python does (str() and repr() of ints,
 * floats, strings, lists, tuples and dicts, True/False/None), because a
 * template must render byte for byte as it does under Jinja2. HTML escaping
 * (markupsafe's five characters) lives here too. It does not evaluate
 * anything (eval.c) nor render statements (render.c).
 *
 * References: Python's float repr (shortest round-trip digits, exponent form
 * below 1e-4 and from 1e16), markupsafe.escape.
 */
#include "tmpl.h"
#include "util/alloc.h"
#include "util/digits.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Built field by field in the returned value itself: a compound literal is
 * zeroed and patched on the stack, then copied out with 16-byte loads that
 * cannot be forwarded from the narrow stores just made, a stall on every
 * JSON value a template reads.
 */
tv ph__tv_from_json(json_t *j) {
    tv v;
    v.safe = 0;
    v.flags = 0;
    v.owner = 0;
    v.n = 0;
    switch (j ? json_typeof(j) : JSON_NULL) {
    case JSON_STRING: {
        size_t n = json_string_length(j);
        v.k = TV_STR;
        v.s = json_string_value(j);
        if (n > TV_MAX_LEN) {
            /* past what a value holds, and past anything a render may
             * print: using it is an error, not a truncated string */
            v.k = TV_UNDEF;
            v.flags = TVF_HINT | TVF_FAIL;
            v.s = "a string longer than 4 GiB";
            v.n = (uint32_t)strlen(v.s);
            break;
        }
        v.n = (uint32_t)n;
        break;
    }
    case JSON_INTEGER:
        v.k = TV_INT;
        v.i = (int64_t)json_integer_value(j);
        break;
    case JSON_REAL:
        v.k = TV_FLOAT;
        v.f = json_real_value(j);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        v.k = TV_BOOL;
        v.i = json_is_true(j);
        break;
    case JSON_ARRAY:
        v.k = TV_JARR;
        v.j = j;
        break;
    case JSON_OBJECT:
        v.k = TV_JOBJ;
        v.j = j;
        break;
    default:
        v.k = TV_NONE;
        v.i = 0;
        break;
    }
    return v;
}

json_t *ph__tv_to_json(rctx *r, tv v) {
    switch (v.k) {
    case TV_NONE:
    case TV_UNDEF:
        return json_null();
    case TV_BOOL:
        return json_boolean(v.i);
    case TV_INT:
        return json_integer((json_int_t)v.i);
    case TV_FLOAT:
        return json_real(v.f);
    case TV_STR:
        return json_stringn_nocheck(v.s, v.n);
    case TV_JARR:
    case TV_JOBJ:
        return json_incref(v.j);
    case TV_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < v.l->n; i++)
            if (json_array_append_new(a, ph__tv_to_json(r, v.l->v[i])) < 0) {
                json_decref(a);
                return NULL;
            }
        return a;
    }
    case TV_DICT: {
        json_t *o = json_object();
        for (size_t i = 0; o && i < v.d->n; i++) {
            char *k = ph__tv_cstr(r, v.d->k[i]);
            if (!k || json_object_set_new(o, k, ph__tv_to_json(r, v.d->v[i])) < 0) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    default:
        return json_null();
    }
}

int ph__tmpl_args_pending(rctx *r, tv v, const targs *a) {
    int rc = ph__tmpl_pending(r, v);
    for (size_t i = 0; rc == 0 && i < a->npos; i++)
        rc = ph__tmpl_pending(r, a->pos[i]);
    for (size_t i = 0; rc == 0 && i < a->nkw; i++)
        rc = ph__tmpl_pending(r, a->kwv[i]);
    return rc;
}

json_t *ph__tmpl_args_json(rctx *r, const targs *a) {
    json_t *args = json_array();
    int rc = args ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < a->npos; i++)
        rc = json_array_append_new(args, ph__tv_to_json(r, a->pos[i]));
    if (rc == 0 && a->nkw) {
        json_t *kw = json_object();
        rc = kw ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < a->nkw; i++)
            rc = json_object_set_new(kw, a->kwn[i], ph__tv_to_json(r, a->kwv[i]));
        if (rc == 0)
            rc = json_array_append_new(args, kw);
        else
            json_decref(kw);
    }
    if (rc < 0) {
        json_decref(args);
        return NULL;
    }
    return args;
}

int ph__tv_truthy(tv v) {
    switch (v.k) {
    case TV_UNDEF:
    case TV_NONE:
        return 0;
    case TV_BOOL:
    case TV_INT:
        return v.i != 0;
    case TV_FLOAT:
        return v.f != 0.0;
    case TV_STR:
        return v.n != 0;
    case TV_LIST:
        return (v.flags & TVF_GEN) || v.l->n != 0;
    case TV_DICT:
        return v.d->n != 0;
    case TV_JARR:
        return json_array_size(v.j) != 0;
    case TV_JOBJ:
        return json_object_size(v.j) != 0;
    default:
        return 1;
    }
}

/* Python's name of each list kind (tl_kind) */
static const char *const list_kind_name[] = {
    [TL_LIST] = "list", [TL_RANGE] = "range", [TL_KEYS] = "dict_keys",
    [TL_VALUES] = "dict_values", [TL_ITEMS] = "dict_items",
};

const char *ph__tv_typename(tv v) {
    switch (v.k) {
    case TV_UNDEF:
        return "Undefined";
    case TV_NONE:
        return "NoneType";
    case TV_BOOL:
        return "bool";
    case TV_INT:
        return "int";
    case TV_FLOAT:
        return "float";
    case TV_STR:
        return v.safe ? "Markup" : "str";
    case TV_LIST:
    case TV_JARR:
        if (tv_is_gen(v))
            return v.l->gen_type ? v.l->gen_type : "generator";
        if (v.k == TV_LIST && v.l && v.l->kind != TL_LIST) /* l is NULL for a type named alone */
            return list_kind_name[v.l->kind];
        return (v.flags & TVF_TUPLE) ? "tuple" : "list";
    case TV_DICT:
        return (v.flags & TVF_NS)       ? "Namespace"
               : (v.flags & TVF_MODULE) ? "TemplateModule"
                                        : "dict";
    case TV_JOBJ:
        return "dict";
    case TV_MACRO:
        return "Macro";
    case TV_LOOP:
        return "LoopContext";
    default:
        return "builtin_function_or_method";
    }
}

/* ------------------------------------------------------------------------ */
/* Printing                                                                 */
/* ------------------------------------------------------------------------ */

int ph__fmt_int(ph_buf *b, int64_t i) {
    char tmp[PH_U64_DIGITS + 1], *end = tmp + sizeof(tmp);
    char *p = ph__u64_digits(end, i < 0 ? 0 - (uint64_t)i : (uint64_t)i);
    if (i < 0)
        *--p = '-';
    return out_put(b, p, (size_t)(end - p));
}

/*
 * The shortest decimal digits that read back as `a` (finite, >= 0) into
 * mant, with exp the power of ten of the first digit; returns the count.
 *
 * Everyday values (amounts, measures: a few decimals) are found by scaling:
 * m / 10^k is correctly rounded (m and 10^k are exact doubles), so it equals
 * `a` exactly when the decimal m*10^-k reads back as `a`. While a*10^k is
 * under 2^52, a's rounding interval is narrower than 10^-k, so at most one
 * decimal with k places reads back as `a`, and the first k that works gives
 * the shortest digits, as Python's repr finds them. Anything else (more
 * than 17 significant digits' worth of scale, huge or tiny values) takes the
 * C library's correctly rounded digits, trying 15, 16 then 17.
 */
static size_t shortest_digits(double a, char *mant, int *exp) {
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
    size_t nm = 0;
    if (a == 0) {
        mant[nm++] = '0';
        *exp = 0;
        return nm;
    }
    for (int k = 0; k < (int)(sizeof(p10) / sizeof(p10[0])); k++) {
        double s = a * p10[k];
        if (s >= 4503599627370496.0) /* 2^52 */
            break;
        uint64_t m = (uint64_t)(s + 0.5); /* exact: s + 0.5 is representable */
        if ((double)m / p10[k] != a)
            continue;
        char tmp[24], *p = tmp + sizeof(tmp);
        for (uint64_t u = m; u; u /= 10)
            *--p = (char)('0' + (int)(u % 10));
        nm = (size_t)(tmp + sizeof(tmp) - p);
        memcpy(mant, p, nm);
        *exp = (int)nm - 1 - k;
        return nm;
    }
    char digits[40];
    /* 15 significant digits always suffice when any k <= 15 does (a normal
     * double is finer than 15 digits), and trailing zeros are dropped by
     * the caller; so the shortest form is found in at most three tries.
     * Subnormals are coarser: every length is tried. */
    for (int prec = a < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
        snprintf(digits, sizeof(digits), "%.*e", prec - 1, a);
        if (strtod(digits, NULL) == a)
            break;
    }
    /* digits looks like "d.ddde+XX" */
    const char *p = digits;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            mant[nm++] = *p;
    *exp = (int)strtol(p + 1, NULL, 10);
    return nm;
}

/* Python's repr(float): the shortest digits that round-trip. */
int ph__fmt_float(ph_buf *b, double f) {
    if (isnan(f))
        return ph__buf_append_str(b, "nan");
    if (isinf(f))
        return ph__buf_append_str(b, f < 0 ? "-inf" : "inf");
    char mant[32];
    int exp, neg = signbit(f) != 0;
    size_t nm = shortest_digits(fabs(f), mant, &exp);
    mant[nm] = 0;
    while (nm > 1 && mant[nm - 1] == '0')
        mant[--nm] = 0;
    char out[64];
    size_t k = 0;
    if (neg)
        out[k++] = '-';
    if (exp < -4 || exp >= 16) {
        out[k++] = mant[0];
        if (nm > 1) {
            out[k++] = '.';
            for (size_t i = 1; i < nm; i++)
                out[k++] = mant[i];
        }
        k += (size_t)snprintf(out + k, sizeof(out) - k, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        out[k++] = '0';
        out[k++] = '.';
        for (int i = 0; i < -exp - 1; i++)
            out[k++] = '0';
        for (size_t i = 0; i < nm; i++)
            out[k++] = mant[i];
    } else {
        for (int i = 0; i <= exp; i++)
            out[k++] = (size_t)i < nm ? mant[i] : '0';
        out[k++] = '.';
        if ((size_t)exp + 1 < nm)
            for (size_t i = (size_t)exp + 1; i < nm; i++)
                out[k++] = mant[i];
        else
            out[k++] = '0';
    }
    return ph__buf_append(b, out, k);
}

static int utf8_decode(const unsigned char *s, size_t n, size_t *adv) {
    unsigned c = s[0];
    int cp;
    size_t len;
    if (c < 0x80) {
        *adv = 1;
        return (int)c;
    }
    if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = (int)(c & 0x1F);
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = (int)(c & 0x0F);
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = (int)(c & 0x07);
    } else {
        *adv = 1;
        return -1;
    }
    if (len > n) {
        *adv = 1;
        return -1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *adv = 1;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *adv = len;
    return cp;
}

/* Python's repr(str): single quotes unless the text has ' and no ". */
int ph__fmt_repr_str(ph_buf *b, const char *s, size_t n) {
    int has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    int rc = ph__buf_append_char(b, q);
    for (size_t i = 0; rc == 0 && i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t adv = 1;
        if (c == (unsigned char)q || c == '\\') {
            char e[2] = {'\\', (char)c};
            rc = ph__buf_append(b, e, 2);
        } else if (c == '\n') {
            rc = ph__buf_append(b, "\\n", 2);
        } else if (c == '\r') {
            rc = ph__buf_append(b, "\\r", 2);
        } else if (c == '\t') {
            rc = ph__buf_append(b, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            rc = ph__buf_printf(b, "\\x%02x", c);
        } else if (c >= 0x80) {
            /* what Python cannot print it escapes: \xhh, \uhhhh, \Uhhhhhhhh */
            int cp = utf8_decode((const unsigned char *)s + i, n - i, &adv);
            if (cp < 0 || ph__cp_printable((uint32_t)cp))
                rc = ph__buf_append(b, s + i, adv);
            else if (cp < 0x100)
                rc = ph__buf_printf(b, "\\x%02x", cp);
            else if (cp < 0x10000)
                rc = ph__buf_printf(b, "\\u%04x", cp);
            else
                rc = ph__buf_printf(b, "\\U%08x", cp);
        } else {
            rc = ph__buf_append_char(b, (char)c);
        }
        i += adv;
    }
    return rc ? rc : ph__buf_append_char(b, q);
}

static int repr_seq(rctx *r, tv v, ph_buf *b) {
    if (tv_is_gen(v)) {
        /* Python prints an iterator, not its items (so printing one never
         * runs it); the address is the value's own */
        const tlist *l = v.l;
        return ph__buf_printf(b, "<%s object%s%s at %p>", ph__tv_typename(v),
                              l->gen_func ? " " : "", l->gen_func ? l->gen_func : "",
                              (const void *)l);
    }
    if (tl_kind(v) == TL_RANGE) {
        const tlist *l = v.l;
        return l->step == 1 ? ph__buf_printf(b, "range(%lld, %lld)", (long long)l->start,
                                             (long long)l->stop)
                            : ph__buf_printf(b, "range(%lld, %lld, %lld)", (long long)l->start,
                                             (long long)l->stop, (long long)l->step);
    }
    if (tv_is_view(v)) { /* dict_items([...]) */
        tlist items = *v.l;
        items.kind = TL_LIST;
        tv inner = v;
        inner.l = &items;
        int rc = ph__buf_printf(b, "%s(", list_kind_name[v.l->kind]);
        if (rc == 0)
            rc = repr_seq(r, inner, b);
        return rc ? rc : ph__buf_append_char(b, ')');
    }
    int tuple = (v.flags & TVF_TUPLE) != 0;
    size_t n = ph__tv_len(v);
    int rc = ph__buf_append_char(b, tuple ? '(' : '[');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i)
            rc = ph__buf_append(b, ", ", 2);
        if (rc == 0)
            rc = ph__tv_repr(r, ph__tv_at(v, i), b);
    }
    if (rc == 0 && tuple && n == 1)
        rc = ph__buf_append_char(b, ',');
    return rc ? rc : ph__buf_append_char(b, tuple ? ')' : ']');
}

static int repr_dict(rctx *r, tv v, ph_buf *b) {
    int rc = ph__buf_append_char(b, '{');
    size_t i = 0;
    if (v.k == TV_JOBJ) {
        const char *key;
        json_t *val;
        json_object_foreach(v.j, key, val) {
            if (rc == 0 && i++)
                rc = ph__buf_append(b, ", ", 2);
            if (rc == 0)
                rc = ph__fmt_repr_str(b, key, strlen(key));
            if (rc == 0)
                rc = ph__buf_append(b, ": ", 2);
            if (rc == 0)
                rc = ph__tv_repr(r, ph__tv_from_json(val), b);
        }
    } else {
        for (i = 0; rc == 0 && i < v.d->n; i++) {
            if (i)
                rc = ph__buf_append(b, ", ", 2);
            if (rc == 0)
                rc = ph__tv_repr(r, v.d->k[i], b);
            if (rc == 0)
                rc = ph__buf_append(b, ": ", 2);
            if (rc == 0)
                rc = ph__tv_repr(r, v.d->v[i], b);
        }
    }
    return rc ? rc : ph__buf_append_char(b, '}');
}

static int repr_value(rctx *r, tv v, ph_buf *b);

int ph__tv_repr(rctx *r, tv v, ph_buf *b) {
    if ((v.k == TV_LIST || v.k == TV_JARR || v.k == TV_DICT || v.k == TV_JOBJ) &&
        (r->repr_depth >= 200 || stack_exhausted(r->stack_base)))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "value nested too deeply to print");
    r->repr_depth++;
    int rc = repr_value(r, v, b);
    r->repr_depth--;
    return rc;
}

static int repr_value(rctx *r, tv v, ph_buf *b) {
    switch (v.k) {
    case TV_STR:
        if (v.safe) {
            int rc = ph__buf_append_str(b, "Markup(");
            if (rc == 0)
                rc = ph__fmt_repr_str(b, v.s, v.n);
            return rc ? rc : ph__buf_append_char(b, ')');
        }
        return ph__fmt_repr_str(b, v.s, v.n);
    case TV_LIST:
    case TV_JARR:
        return repr_seq(r, v, b);
    case TV_JOBJ:
        return repr_dict(r, v, b);
    case TV_DICT:
        if (v.flags & TVF_NS) {
            int rc = ph__buf_append_str(b, "<Namespace ");
            if (rc == 0)
                rc = repr_dict(r, v, b);
            return rc ? rc : ph__buf_append_char(b, '>');
        }
        return repr_dict(r, v, b);
    case TV_UNDEF:
        return ph__buf_append(b, "Undefined", 9);
    default:
        return ph__tv_str(r, v, b);
    }
}

int ph__tv_str(rctx *r, tv v, ph_buf *b) {
    switch (v.k) {
    case TV_UNDEF:
        return 0;
    case TV_NONE:
        return ph__buf_append(b, "None", 4);
    case TV_BOOL:
        return ph__buf_append_str(b, v.i ? "True" : "False");
    case TV_INT:
        return ph__fmt_int(b, v.i);
    case TV_FLOAT:
        return ph__fmt_float(b, v.f);
    case TV_STR:
        return out_put(b, v.s, v.n);
    case TV_LIST:
    case TV_JARR:
    case TV_JOBJ:
    case TV_DICT:
        return ph__tv_repr(r, v, b);
    case TV_MACRO:
        /* a call block's body has no name */
        return v.m->def->name ? ph__buf_printf(b, "<Macro '%s'>", v.m->def->name)
                              : ph__buf_append_str(b, "<Macro anonymous>");
    case TV_LOOP:
        return ph__buf_append_str(b, "<LoopContext>");
    default: {
        const tfunc *fn = v.fn;
        if (fn->repr)
            return fn->repr_at ? ph__buf_printf(b, "<%s at %p>", fn->repr, (const void *)fn)
                               : ph__buf_printf(b, "<%s>", fn->repr);
        tvk owner = (tvk)fn->self.k;
        if (owner == TV_STR || owner == TV_LIST || owner == TV_JARR || owner == TV_DICT ||
            owner == TV_JOBJ) /* a method bound to its object, as `'x'.upper` */
            return ph__buf_printf(b, "<built-in method %s of %s object at %p>",
                                  fn->name ? fn->name : "?", ph__tv_typename(fn->self),
                                  (const void *)fn);
        return ph__buf_printf(b, "<built-in function %s>", fn->name ? fn->name : "?");
    }
    }
}

tv ph__tv_strdup(rctx *r, const char *s, size_t n, int safe) {
    char *d = ph__arena_alloc(r->a, n + 1);
    if (!d)
        return TV_MK(TV_UNDEF);
    memcpy(d, s, n);
    d[n] = 0;
    return tv_str(d, n, safe);
}

int ph__tv_tostr(rctx *r, tv v, tv *out) {
    if (v.k == TV_STR) {
        *out = v;
        return 0;
    }
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = ph__tv_str(r, v, &b);
    if (rc == 0) {
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, 0);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(&b);
    return rc;
}

char *ph__tv_cstr(rctx *r, tv v) {
    tv s = tv_str("", 0, 0);
    if (ph__tv_tostr(r, v, &s) < 0)
        return NULL;
    return ph__arena_strndup(r->a, s.s, s.n);
}

int ph__tv_output(rctx *r, const node *n, tv v) {
    if (r->suppress)
        return 0;
    if (v.k == TV_UNDEF) {
        int rc = ph__tmpl_check_undef(r, n, v);
        if (rc < 0)
            return rc;
        return 0;
    }
    if (v.k == TV_STR) {
        if (r->autoescape && !v.safe)
            return ph__html_escape_n(r->out, v.s, v.n);
        return out_put(r->out, v.s, v.n);
    }
    if (v.k == TV_INT)
        return ph__fmt_int(r->out, v.i);
    if (!r->autoescape)
        return ph__tv_str(r, v, r->out);
    ph_buf tmp;
    ph__buf_init(&tmp, r->out->max);
    int rc = ph__tv_str(r, v, &tmp);
    if (rc == 0)
        rc = ph__html_escape_n(r->out, tmp.data ? tmp.data : "", tmp.len);
    ph__buf_close(&tmp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Sequences and dicts                                                      */
/* ------------------------------------------------------------------------ */

size_t ph__tv_len(tv v) {
    switch (v.k) {
    case TV_STR:
        return ph__utf8_len(v.s, v.n);
    case TV_LIST:
        return v.l->n;
    case TV_DICT:
        return v.d->n;
    case TV_JARR:
        return json_array_size(v.j);
    case TV_JOBJ:
        return json_object_size(v.j);
    default:
        return 0;
    }
}

int ph__tv_is_seq(tv v) { return v.k == TV_LIST || v.k == TV_JARR; }

const char *ph__tv_unhashable(tv v) {
    if (v.k == TV_LIST && (v.flags & TVF_TUPLE)) {
        for (size_t i = 0; i < v.l->n; i++) {
            const char *bad = ph__tv_unhashable(v.l->v[i]);
            if (bad)
                return bad;
        }
        return NULL;
    }
    if (tv_is_gen(v))
        return NULL; /* a generator hashes by identity */
    return v.k == TV_LIST || v.k == TV_JARR || v.k == TV_DICT || v.k == TV_JOBJ
               ? ph__tv_typename(v)
               : NULL;
}

tv ph__tv_at(tv seq, size_t i) {
    if (seq.k == TV_LIST)
        return i < seq.l->n ? seq.l->v[i] : TV_MK(TV_UNDEF);
    if (seq.k == TV_JARR)
        return ph__tv_from_json(json_array_get(seq.j, i));
    return TV_MK(TV_UNDEF);
}

tlist *ph__tlist_new(rctx *r, size_t cap) {
    tlist *l = ph__arena_alloc(r->a, sizeof(tlist));
    if (!l)
        return NULL;
    l->n = 0;
    l->cap = cap ? cap : 4;
    l->pending = NULL;
    l->gen_type = l->gen_func = NULL;
    l->kind = TL_LIST;
    l->v = ph__arena_alloc(r->a, l->cap * sizeof(tv));
    return l->v ? l : NULL;
}

void ph__tlist_reverse(tlist *l) {
    for (size_t i = 0, j = l->n; i + 1 < j; i++, j--) {
        tv t = l->v[i];
        l->v[i] = l->v[j - 1];
        l->v[j - 1] = t;
    }
}

int ph__tlist_push(rctx *r, tlist *l, tv v) {
    if (l->n == l->cap) { /* a read generator has no room left */
        tv *nv = ph__arena_grow(r->a, l->v, &l->cap, l->n, sizeof(*nv), 4);
        if (!nv)
            return PH_ENOMEM;
        l->v = nv;
    }
    l->v[l->n++] = v;
    return 0;
}

tdict *ph__tdict_new(rctx *r, size_t cap) {
    tdict *d = ph__arena_alloc(r->a, sizeof(tdict));
    if (!d)
        return NULL;
    d->n = 0;
    d->cap = cap ? cap : 4;
    d->k = ph__arena_alloc(r->a, d->cap * sizeof(tv));
    d->v = ph__arena_alloc(r->a, d->cap * sizeof(tv));
    return d->k && d->v ? d : NULL;
}

ptrdiff_t ph__tdict_index(const tdict *d, tv key) {
    for (size_t i = 0; i < d->n; i++)
        if (ph__tv_eq(d->k[i], key))
            return (ptrdiff_t)i;
    return -1;
}

int ph__tdict_set(rctx *r, tdict *d, tv k, tv v) {
    ptrdiff_t at = ph__tdict_index(d, k);
    if (at >= 0) {
        d->v[at] = v;
        return 0;
    }
    if (d->n == d->cap) {
        tv *nk = ph__arena_alloc(r->a, d->cap * 2 * sizeof(tv));
        tv *nv = ph__arena_alloc(r->a, d->cap * 2 * sizeof(tv));
        if (!nk || !nv)
            return PH_ENOMEM;
        memcpy(nk, d->k, d->n * sizeof(tv));
        memcpy(nv, d->v, d->n * sizeof(tv));
        d->k = nk;
        d->v = nv;
        d->cap *= 2;
    }
    d->k[d->n] = k;
    d->v[d->n++] = v;
    return 0;
}

/* Look `key` up in a dict value; 1 when found. */
int ph__tdict_get(tv dict, tv key, tv *out) {
    if (dict.k == TV_JOBJ) {
        if (key.k != TV_STR)
            return 0;
        json_t *j = json_object_getn(dict.j, key.s, key.n);
        if (!j)
            return 0;
        *out = ph__tv_from_json(j);
        return 1;
    }
    ptrdiff_t at = dict.k == TV_DICT ? ph__tdict_index(dict.d, key) : -1;
    if (at < 0)
        return 0;
    *out = dict.d->v[at];
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Comparison                                                               */
/* ------------------------------------------------------------------------ */

static int is_num(tv v) { return v.k == TV_INT || v.k == TV_BOOL || v.k == TV_FLOAT; }
static double num(tv v) { return v.k == TV_FLOAT ? v.f : (double)v.i; }

static int eq_depth(tv a, tv b, int depth);

int ph__tv_eq(tv a, tv b) { return eq_depth(a, b, 0); }

uint64_t ph__tv_hash(tv v) {
    uint64_t h;
    if (is_num(v)) {
        /* by the value as a double, as int and float compare (-0.0 is 0) */
        double d = num(v) + 0.0;
        memcpy(&h, &d, sizeof(h));
    } else if (v.k == TV_STR) {
        h = 14695981039346656037ull; /* FNV-1a */
        for (uint32_t i = 0; i < v.n; i++)
            h = (h ^ (unsigned char)v.s[i]) * 1099511628211ull;
    } else {
        h = v.k; /* None, Undefined; tuples and the rest fall back to equality */
    }
    h ^= h >> 33; /* mix, so that doubles' low bits (often zero) spread */
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* Two views of the same kind: keys and items compare as sets, values only
 * to themselves (Python's rules). */
static int view_eq(tv a, tv b, int depth) {
    if (a.l->kind == TL_VALUES)
        return a.l == b.l;
    size_t n = a.l->n;
    if (n != b.l->n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < n && !eq_depth(a.l->v[i], b.l->v[j], depth + 1))
            j++;
        if (j == n)
            return 0;
    }
    return 1;
}

/* Equality; containers nested deeper than 100 levels compare unequal. */
static int eq_depth(tv a, tv b, int depth) {
    if (depth > 100)
        return 0;
    if (is_num(a) && is_num(b)) {
        if (a.k != TV_FLOAT && b.k != TV_FLOAT)
            return a.i == b.i;
        return num(a) == num(b);
    }
    if (a.k == TV_STR && b.k == TV_STR)
        return a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
    if (a.k == TV_NONE || b.k == TV_NONE || a.k == TV_UNDEF || b.k == TV_UNDEF)
        return a.k == b.k;
    if (ph__tv_is_seq(a) && ph__tv_is_seq(b)) {
        /* a generator equals only itself (Python compares iterators by
         * identity), a range only a range, a view only a view of its kind */
        if ((a.flags | b.flags) & TVF_GEN)
            return tv_is_gen(a) && tv_is_gen(b) && a.l == b.l;
        int kind = tl_kind(a);
        if (kind != tl_kind(b))
            return 0;
        if (kind >= TL_KEYS)
            return view_eq(a, b, depth);
        size_t n = ph__tv_len(a);
        if (n != ph__tv_len(b) || (a.flags & TVF_TUPLE) != (b.flags & TVF_TUPLE))
            return 0;
        for (size_t i = 0; i < n; i++)
            if (!eq_depth(ph__tv_at(a, i), ph__tv_at(b, i), depth + 1))
                return 0;
        return 1;
    }
    if ((a.k == TV_JOBJ || a.k == TV_DICT) && (b.k == TV_JOBJ || b.k == TV_DICT)) {
        if (a.k == TV_JOBJ && b.k == TV_JOBJ)
            return json_equal(a.j, b.j);
        if (ph__tv_len(a) != ph__tv_len(b))
            return 0;
        tv d = a.k == TV_DICT ? a : b, o = a.k == TV_DICT ? b : a;
        for (size_t i = 0; i < d.d->n; i++) {
            tv x;
            if (!ph__tdict_get(o, d.d->k[i], &x) || !eq_depth(x, d.d->v[i], depth + 1))
                return 0;
        }
        return 1;
    }
    if (a.k == b.k && a.k == TV_MACRO)
        return a.m == b.m;
    return 0;
}

int ph__tv_cmp(rctx *r, const node *n, tv a, tv b, int *res) {
    if (stack_exhausted(r->stack_base))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "values nested too deeply to compare");
    if (is_num(a) && is_num(b)) {
        if (a.k != TV_FLOAT && b.k != TV_FLOAT)
            *res = a.i < b.i ? -1 : a.i > b.i;
        else
            *res = num(a) < num(b) ? -1 : num(a) > num(b);
        return 0;
    }
    if (a.k == TV_STR && b.k == TV_STR) {
        size_t m = a.n < b.n ? a.n : b.n;
        int c = memcmp(a.s, b.s, m);
        *res = c ? (c < 0 ? -1 : 1) : a.n < b.n ? -1 : a.n > b.n;
        return 0;
    }
    /* Python orders a list with a list and a tuple with a tuple, never a
     * list with a tuple, nor generators */
    if (ph__tv_is_seq(a) && ph__tv_is_seq(b) && !((a.flags | b.flags) & TVF_GEN) &&
        !(a.flags & TVF_TUPLE) == !(b.flags & TVF_TUPLE)) {
        size_t na = ph__tv_len(a), nb = ph__tv_len(b);
        for (size_t i = 0; i < na && i < nb; i++) {
            tv x = ph__tv_at(a, i), y = ph__tv_at(b, i);
            if (ph__tv_eq(x, y))
                continue;
            return ph__tv_cmp(r, n, x, y, res);
        }
        *res = na < nb ? -1 : na > nb;
        return 0;
    }
    if (a.k == TV_UNDEF || b.k == TV_UNDEF) {
        int rc = ph__tmpl_check_undef(r, n, a.k == TV_UNDEF ? a : b);
        if (rc < 0)
            return rc;
    }
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'<' not supported between instances of '%s' and '%s'",
                         ph__tv_typename(a), ph__tv_typename(b));
}

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                    */
/* ------------------------------------------------------------------------ */

/* Eight bytes at p, in any alignment. */
static inline uint64_t load8(const char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

#define HIGH_BITS 0x8080808080808080ULL

/* How many of the eight bytes in w are UTF-8 continuation bytes (10xxxxxx):
 * bit 6 shifted onto bit 7 leaves bit 7 set only where bit 6 was clear. */
static inline size_t continuation_bytes(uint64_t w) {
    return (size_t)((((w & ~(w << 1) & HIGH_BITS) >> 7) * 0x0101010101010101ULL) >> 56);
}

size_t ph__utf8_len(const char *s, size_t n) {
    size_t i = 0, cont = 0;
    for (; i + 8 <= n; i += 8)
        cont += continuation_bytes(load8(s + i));
    for (; i < n; i++)
        cont += ((unsigned char)s[i] & 0xC0) == 0x80;
    return n - cont;
}

/* Byte offset of character `chars` (clamped to n). */
size_t ph__utf8_offset(const char *s, size_t n, size_t chars) {
    size_t i = 0;
    while (chars >= 8 && i + 8 <= n && !(load8(s + i) & HIGH_BITS)) { /* eight ASCII */
        i += 8;
        chars -= 8;
    }
    size_t ascii = i + (chars < n - i ? chars : n - i);
    size_t start = i;
    while (i < ascii && (unsigned char)s[i] < 0x80) /* one byte per character */
        i++;
    chars -= i - start;
    while (i < n && chars) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

/* Decode one code point at s (n > 0 bytes); invalid bytes decode as themselves. */
uint32_t ph__utf8_next(const char *s, size_t n, size_t *adv) {
    int cp = utf8_decode((const unsigned char *)s, n, adv);
    return cp < 0 ? (unsigned char)s[0] : (uint32_t)cp;
}

int ph__utf8_put(ph_buf *b, uint32_t cp) {
    char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    return ph__buf_append(b, u, k);
}
