/*
 * Filter dispatch and the general filters: default/d, length/count, int,
 * float, abs, round, attr, list, items, tojson, xmlattr, urlencode, urlize,
 * filesizeformat. Dispatch tries the app's C filters first (the latest
 * registration wins), then the builtin tables of filters_str.c and
 * filters_seq.c, then this file's.
 *
 * References: Jinja2 3.1 "List of Builtin Filters"; Flask's tojson
 * (htmlsafe_json_dumps with sort_keys); Python's json.dumps, round(),
 * urllib.parse.quote.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ph__tmpl_keep(rctx *r, json_t *j) {
    if (!r->keep && !(r->keep = json_array())) {
        json_decref(j);
        return PH_ENOMEM;
    }
    return json_array_append_new(r->keep, j) < 0 ? PH_ENOMEM : 0;
}

static int f_default(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv def = tv_str("", 0, 0), boolean = tv_bool(0);
    ph__tmpl_arg(a, 0, "default_value", &def);
    ph__tmpl_arg(a, 1, "boolean", &boolean);
    if (v.k == TV_UNDEF || (ph__tv_truthy(boolean) && !ph__tv_truthy(v)))
        *out = def;
    else
        *out = v;
    return 0;
}

static int f_length(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (tv_is_gen(v))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "object of type '%s' has no len()",
                             ph__tv_typename(v));
    if (v.k == TV_UNDEF || v.k == TV_STR || v.k == TV_LIST || v.k == TV_JARR || v.k == TV_DICT ||
        v.k == TV_JOBJ) {
        *out = tv_int((int64_t)ph__tv_len(v));
        return ph__tmpl_check_undef(r, n, v);
    }
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "object of type '%s' has no len()",
                         ph__tv_typename(v));
}

/* A float as int() makes it an integer; 1 when it is NaN (int() raises
 * ValueError, which the filter turns into its default). */
static int float_to_int(rctx *r, const node *n, double f, tv *out) {
    if (isnan(f))
        return 1;
    if (isinf(f)) /* OverflowError, which Jinja2 does not catch */
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "cannot convert float infinity to integer");
    *out = fabs(f) < 9.2e18 ? tv_int((int64_t)f) : tv_float(trunc(f));
    return 0;
}

/* Jinja2's int: int(value, base) for text, int(value) otherwise; when that
 * fails, int(float(value)); when that fails too, the default. */
static int f_int(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv def = tv_int(0), basev = tv_int(10);
    ph__tmpl_arg(a, 0, "default", &def);
    ph__tmpl_arg(a, 1, "base", &basev);
    int64_t i;
    double f;
    int rc = 1;
    switch (v.k) {
    case TV_UNDEF:
        return ph__tmpl_undef_error(r, n, v);
    case TV_INT:
    case TV_BOOL:
        *out = tv_int(v.i);
        return 0;
    case TV_FLOAT:
        rc = float_to_int(r, n, v.f, out);
        break;
    case TV_STR: {
        /* a base that is not an integer is Python's TypeError: the float path */
        int ok = basev.k == TV_INT || basev.k == TV_BOOL
                     ? ph__py_int(v.s, v.n, basev.i < -1 || basev.i > 36 ? -1 : (int)basev.i, &i, &f)
                     : -1;
        if (ok == 0) {
            *out = tv_int(i);
            return 0;
        }
        if (ok == 1) { /* past 64 bits: a float (Python's is exact) */
            *out = tv_float(f);
            return 0;
        }
        if (ph__py_float(v.s, v.n, &f) == 0)
            rc = float_to_int(r, n, f, out);
        break;
    }
    default:
        break;
    }
    if (rc == 1)
        *out = def;
    return rc < 0 ? rc : 0;
}

static int f_float(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv def = tv_float(0.0);
    ph__tmpl_arg(a, 0, "default", &def);
    double f;
    if (v.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v);
    if (v.k == TV_INT || v.k == TV_BOOL)
        *out = tv_float((double)v.i);
    else if (v.k == TV_FLOAT)
        *out = v;
    else if (v.k == TV_STR && ph__py_float(v.s, v.n, &f) == 0)
        *out = tv_float(f);
    else
        *out = def;
    return 0;
}

static int f_abs(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (v.k == TV_INT || v.k == TV_BOOL)
        *out = v.i == INT64_MIN ? tv_float(9223372036854775808.0) : tv_int(v.i < 0 ? -v.i : v.i);
    else if (v.k == TV_FLOAT)
        *out = tv_float(fabs(v.f));
    else if (v.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v);
    else
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "bad operand type for abs(): '%s'",
                             ph__tv_typename(v));
    return 0;
}

/* Python's round(x, nd): correctly rounded, exact ties to even. */
static double py_round(double x, int64_t nd) {
    if (!isfinite(x))
        return x;
    if (nd > 300)
        return x;
    if (nd < -308)
        return 0.0 * x;
    if (nd >= 0) {
        char buf[400];
        snprintf(buf, sizeof(buf), "%.*f", (int)nd, x);
        return strtod(buf, NULL);
    }
    double p = pow(10.0, (double)-nd), y = x / p, z = nearbyint(y);
    return z * p;
}

static int f_round(rctx *r, const node *n, tv v, targs *a, tv *out) {
    int64_t prec = 0;
    tv pv, method = tv_str("common", 6, 0);
    if (ph__tmpl_arg(a, 0, "precision", &pv)) {
        if (pv.k != TV_INT && pv.k != TV_BOOL)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                 "'%s' object cannot be interpreted as an integer",
                                 ph__tv_typename(pv));
        prec = pv.i;
    }
    ph__tmpl_arg(a, 1, "method", &method);
    int common = method.k == TV_STR && method.n == 6 && !memcmp(method.s, "common", 6);
    int ceil_ = method.k == TV_STR && method.n == 4 && !memcmp(method.s, "ceil", 4);
    int floor_ = method.k == TV_STR && method.n == 5 && !memcmp(method.s, "floor", 5);
    if (!common && !ceil_ && !floor_)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "method must be common, ceil or floor");
    if (v.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v);
    if (v.k != TV_INT && v.k != TV_BOOL && v.k != TV_FLOAT)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "type %s doesn't define __round__ method",
                             ph__tv_typename(v));
    if (common) {
        if (v.k != TV_FLOAT && prec >= 0) {
            *out = tv_int(v.i);
            return 0;
        }
        if (v.k != TV_FLOAT) {
            /* Python's round(int, -k): to a multiple of 10**k, halves to even */
            if (prec < -18) {
                *out = tv_int(0);
                return 0;
            }
            int64_t m = 1, q, res;
            for (int64_t k = 0; k < -prec; k++)
                m *= 10;
            q = v.i / m;
            int64_t rem = v.i % m;
            if (rem < 0)
                rem += m, q--;
            if (rem > m - rem || (rem == m - rem && (q & 1)))
                q++;
            *out = __builtin_mul_overflow(q, m, &res) ? tv_float((double)q * (double)m)
                                                      : tv_int(res);
            return 0;
        }
        *out = tv_float(py_round(v.f, prec));
        return 0;
    }
    double x = v.k == TV_FLOAT ? v.f : (double)v.i, p = pow(10.0, (double)prec);
    /* Python's math.ceil and math.floor return integers, which have no -0 */
    double y = (ceil_ ? ceil(x * p) : floor(x * p)) + 0.0;
    *out = tv_float(y / p);
    return 0;
}

static int f_attr(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv name;
    if (!ph__tmpl_arg(a, 0, "name", &name) || name.k != TV_STR)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "attribute name must be a string");
    if (v.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v);
    int rc = ph__tmpl_method(r, n, v, name.s, name.n, out);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    if ((v.k == TV_DICT && (v.flags & (TVF_NS | TVF_MODULE))) || (v.flags & TVF_GROUP))
        return ph__tmpl_getattr(r, n, v, name.s, name.n, out);
    *out = tv_undef(name.s, name.n);
    out->flags = TVF_ATTR;
    out->owner = v.k == TV_JOBJ ? TV_DICT : v.k == TV_JARR ? TV_LIST : v.k;
    return 0;
}

static int f_list(rctx *r, const node *n, tv v, targs *a, tv *out) {
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
    *out = (tv){.k = TV_LIST};
    out->l = l;
    return 0;
}

static int items_now(rctx *r, const node *n, tv v, targs *a, tv *out) {
    if (v.k == TV_UNDEF) {
        tlist *l = ph__tlist_new(r, 1);
        if (!l)
            return PH_ENOMEM;
        *out = (tv){.k = TV_LIST};
        out->l = l;
        return ph__tmpl_check_undef(r, n, v);
    }
    if (v.k != TV_JOBJ && v.k != TV_DICT)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Can only get item pairs from a mapping.");
    int rc = ph__tmpl_dict_items(r, v, out);
    out->flags |= TVF_GEN;
    return rc;
}

static int f_items(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_lazily(r, n, items_now, "do_items", v, a, out);
}

/* ------------------------------------------------------------------------ */
/* tojson                                                                   */
/* ------------------------------------------------------------------------ */

static int json_str(ph_buf *b, const char *s, size_t n) {
    int rc = ph__buf_append_char(b, '"');
    for (size_t i = 0; rc == 0 && i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            /* decode UTF-8; ensure_ascii writes \uXXXX, surrogate pairs above the BMP */
            unsigned cp = c;
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            cp &= len == 4 ? 0x07 : len == 3 ? 0x0F : len == 2 ? 0x1F : 0xFF;
            for (size_t k = 1; k < len && i + k < n; k++)
                cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
            i += len;
            if (cp >= 0x10000) {
                cp -= 0x10000;
                rc =
                    ph__buf_printf(b, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
            } else {
                rc = ph__buf_printf(b, "\\u%04x", cp);
            }
            continue;
        }
        i++;
        switch (c) {
        case '"':
            rc = ph__buf_append(b, "\\\"", 2);
            break;
        case '\\':
            rc = ph__buf_append(b, "\\\\", 2);
            break;
        case '\n':
            rc = ph__buf_append(b, "\\n", 2);
            break;
        case '\r':
            rc = ph__buf_append(b, "\\r", 2);
            break;
        case '\t':
            rc = ph__buf_append(b, "\\t", 2);
            break;
        case '\b':
            rc = ph__buf_append(b, "\\b", 2);
            break;
        case '\f':
            rc = ph__buf_append(b, "\\f", 2);
            break;
        case '<':
            rc = ph__buf_append(b, "\\u003c", 6);
            break;
        case '>':
            rc = ph__buf_append(b, "\\u003e", 6);
            break;
        case '&':
            rc = ph__buf_append(b, "\\u0026", 6);
            break;
        case '\'':
            rc = ph__buf_append(b, "\\u0027", 6);
            break;
        default:
            rc = c < 0x20 || c == 0x7f ? (c == 0x7f ? ph__buf_append_char(b, (char)c)
                                                    : ph__buf_printf(b, "\\u%04x", c))
                                       : ph__buf_append_char(b, (char)c);
        }
    }
    return rc ? rc : ph__buf_append_char(b, '"');
}

typedef struct kv {
    tv k, v;
} kv;

static int kv_cmp(const void *x, const void *y) {
    const kv *a = x, *b = y;
    size_t m = a->k.n < b->k.n ? a->k.n : b->k.n;
    int c = memcmp(a->k.s, b->k.s, m);
    return c ? c : (a->k.n > b->k.n) - (a->k.n < b->k.n);
}

static int newline_indent(ph_buf *b, int indent, int level) {
    int rc = ph__buf_append_char(b, '\n');
    for (int i = 0; rc == 0 && i < indent * level; i++)
        rc = ph__buf_append_char(b, ' ');
    return rc;
}

static int dump(rctx *r, const node *n, tv v, ph_buf *b, int indent, int level) {
    int rc = 0;
    if (level > 200)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "value nested too deeply for tojson");
    switch (v.k) {
    case TV_NONE:
        return ph__buf_append_str(b, "null");
    case TV_BOOL:
        return ph__buf_append_str(b, v.i ? "true" : "false");
    case TV_INT:
        return ph__buf_printf(b, "%lld", (long long)v.i);
    case TV_FLOAT:
        if (isnan(v.f))
            return ph__buf_append_str(b, "NaN");
        if (isinf(v.f))
            return ph__buf_append_str(b, v.f < 0 ? "-Infinity" : "Infinity");
        return ph__fmt_float(b, v.f);
    case TV_STR:
        return json_str(b, v.s, v.n);
    case TV_LIST:
    case TV_JARR: {
        /* a generator, a range and a dict view are not lists to json */
        if (tv_is_gen(v) || tl_kind(v) != TL_LIST)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Object of type %s is not JSON serializable",
                                 ph__tv_typename(v));
        size_t len = ph__tv_len(v);
        if (!len)
            return ph__buf_append_str(b, "[]");
        rc = ph__buf_append_char(b, '[');
        for (size_t i = 0; rc == 0 && i < len; i++) {
            if (i)
                rc = ph__buf_append_str(b, indent >= 0 ? "," : ", ");
            if (rc == 0 && indent >= 0)
                rc = newline_indent(b, indent, level + 1);
            if (rc == 0)
                rc = dump(r, n, ph__tv_at(v, i), b, indent, level + 1);
        }
        if (rc == 0 && indent >= 0)
            rc = newline_indent(b, indent, level);
        return rc ? rc : ph__buf_append_char(b, ']');
    }
    case TV_DICT:
    case TV_JOBJ: {
        tv items;
        if ((rc = ph__tmpl_dict_items(r, v, &items)) < 0)
            return rc;
        size_t len = items.l->n;
        if (!len)
            return ph__buf_append_str(b, "{}");
        kv *pairs = ph__arena_alloc(r->a, len * sizeof(kv));
        if (!pairs)
            return PH_ENOMEM;
        for (size_t i = 0; i < len; i++) {
            pairs[i].k = items.l->v[i].l->v[0];
            pairs[i].v = items.l->v[i].l->v[1];
            if (pairs[i].k.k != TV_STR && (rc = ph__tv_tostr(r, pairs[i].k, &pairs[i].k)) < 0)
                return rc;
        }
        qsort(pairs, len, sizeof(kv), kv_cmp);
        rc = ph__buf_append_char(b, '{');
        for (size_t i = 0; rc == 0 && i < len; i++) {
            if (i)
                rc = ph__buf_append_str(b, indent >= 0 ? "," : ", ");
            if (rc == 0 && indent >= 0)
                rc = newline_indent(b, indent, level + 1);
            if (rc == 0)
                rc = json_str(b, pairs[i].k.s, pairs[i].k.n);
            if (rc == 0)
                rc = ph__buf_append(b, ": ", 2);
            if (rc == 0)
                rc = dump(r, n, pairs[i].v, b, indent, level + 1);
        }
        if (rc == 0 && indent >= 0)
            rc = newline_indent(b, indent, level);
        return rc ? rc : ph__buf_append_char(b, '}');
    }
    default:
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Object of type %s is not JSON serializable",
                             ph__tv_typename(v));
    }
}

static int f_tojson(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv ind;
    int indent = -1;
    if (ph__tmpl_arg(a, 0, "indent", &ind) && ind.k == TV_INT)
        indent = ind.i < 0 ? 0 : ind.i > 64 ? 64 : (int)ind.i;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = dump(r, n, v, &b, indent, 0);
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, 1);
    ph__buf_close(&b);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* xmlattr, urlencode, filesizeformat                                       */
/* ------------------------------------------------------------------------ */

static int f_xmlattr(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv autospace = tv_bool(1), items;
    ph__tmpl_arg(a, 0, "autospace", &autospace);
    if (v.k != TV_JOBJ && v.k != TV_DICT)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%s' object has no attribute 'items'",
                             ph__tv_typename(v));
    int rc = ph__tmpl_dict_items(r, v, &items);
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    for (size_t i = 0; rc == 0 && i < items.l->n; i++) {
        tv k = items.l->v[i].l->v[0], val = items.l->v[i].l->v[1], ks, vs;
        if (val.k == TV_NONE || val.k == TV_UNDEF)
            continue;
        if ((rc = ph__tv_tostr(r, k, &ks)) < 0 || (rc = ph__tv_tostr(r, val, &vs)) < 0)
            break;
        if (b.len || ph__tv_truthy(autospace))
            rc = ph__buf_append_char(&b, ' ');
        if (rc == 0)
            rc = ks.safe ? ph__buf_append(&b, ks.s, ks.n) : ph__html_escape_n(&b, ks.s, ks.n);
        if (rc == 0)
            rc = ph__buf_append(&b, "=\"", 2);
        if (rc == 0)
            rc = vs.safe ? ph__buf_append(&b, vs.s, vs.n) : ph__html_escape_n(&b, vs.s, vs.n);
        if (rc == 0)
            rc = ph__buf_append_char(&b, '"');
    }
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, r->autoescape);
    ph__buf_close(&b);
    return rc;
}

static int url_quote(rctx *r, ph_buf *b, tv v, int for_qs) {
    static const char hex[] = "0123456789ABCDEF"; /* not a printf per byte: 155 ms a MiB */
    tv s;
    int rc = ph__tv_tostr(r, v, &s);
    for (size_t i = 0; rc == 0 && i < s.n; i++) {
        unsigned char c = (unsigned char)s.s[i];
        if (isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || (c == '/' && !for_qs))
            rc = ph__buf_append_char(b, (char)c);
        else if (c == ' ' && for_qs)
            rc = ph__buf_append_char(b, '+');
        else
            rc = ph__buf_append(b, (char[3]){'%', hex[c >> 4], hex[c & 15]}, 3);
    }
    return rc;
}

static int f_urlencode(rctx *r, const node *n, tv v, targs *a, tv *out) {
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = 0;
    if (v.k == TV_DICT || v.k == TV_JOBJ || ph__tv_is_seq(v)) {
        /* a dict's items, or whatever the iterable yields, each unpacked
         * into `k, v` as Python does (a two-letter string is a pair too) */
        tv seq = v, *items = NULL;
        size_t len = 0;
        if (v.k == TV_DICT || v.k == TV_JOBJ)
            rc = ph__tmpl_dict_items(r, v, &seq);
        if (rc == 0)
            rc = ph__tv_items(r, n, seq, &items, &len);
        for (size_t i = 0; rc == 0 && i < len; i++) {
            tv *kv;
            size_t nkv;
            if ((rc = ph__tv_items(r, n, items[i], &kv, &nkv)) < 0)
                break;
            if (nkv != 2) {
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                   nkv > 2 ? "too many values to unpack (expected 2)"
                                           : "not enough values to unpack (expected 2, got %zu)",
                                   nkv);
                break;
            }
            if (i)
                rc = ph__buf_append_char(&b, '&');
            if (rc == 0)
                rc = url_quote(r, &b, kv[0], 1);
            if (rc == 0)
                rc = ph__buf_append_char(&b, '=');
            if (rc == 0)
                rc = url_quote(r, &b, kv[1], 1);
        }
    } else {
        rc = url_quote(r, &b, v, 0);
    }
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, 0);
    ph__buf_close(&b);
    return rc;
}

static int f_filesizeformat(rctx *r, const node *n, tv v, targs *a, tv *out) {
    tv binary = tv_bool(0);
    ph__tmpl_arg(a, 0, "binary", &binary);
    double bytes;
    if (v.k == TV_STR) {
        if (ph__py_float(v.s, v.n, &bytes) < 0)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "could not convert string to float");
    } else if (v.k == TV_INT || v.k == TV_BOOL || v.k == TV_FLOAT) {
        bytes = v.k == TV_FLOAT ? v.f : (double)v.i;
    } else {
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "float() argument must be a string or a number");
    }
    int bin = ph__tv_truthy(binary);
    double base = bin ? 1024 : 1000;
    static const char *const dec[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    static const char *const bi[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
    char buf[64];
    if (bytes == 1)
        snprintf(buf, sizeof(buf), "1 Byte");
    else if (bytes < base)
        snprintf(buf, sizeof(buf), "%d Bytes", (int)bytes);
    else {
        int i;
        double unit = base;
        for (i = 0; i < 8; i++) {
            unit = pow(base, i + 2);
            if (bytes < unit || i == 7)
                break;
        }
        snprintf(buf, sizeof(buf), "%.1f %s", base * bytes / unit, bin ? bi[i] : dec[i]);
    }
    *out = ph__tv_strdup(r, buf, strlen(buf), 0);
    return 0;
}

int ph__tmpl_urlize(rctx *r, const node *n, tv v, targs *a, tv *out);

static int f_urlize(rctx *r, const node *n, tv v, targs *a, tv *out) {
    return ph__tmpl_urlize(r, n, v, a, out);
}

static const bfilter_entry misc[] = {
    {"default", f_default}, {"d", f_default},
    {"length", f_length},   {"count", f_length},
    {"int", f_int},         {"float", f_float},
    {"abs", f_abs},         {"round", f_round},
    {"attr", f_attr},       {"list", f_list},
    {"items", f_items},     {"tojson", f_tojson},
    {"xmlattr", f_xmlattr}, {"urlencode", f_urlencode},
    {"urlize", f_urlize},   {"filesizeformat", f_filesizeformat},
    {"pprint", ph__tmpl_f_pprint},
    {NULL, NULL},
};

bfilter_fn ph__tmpl_find_filter(const char *name, size_t len) {
    const bfilter_entry *tables[] = {ph__tmpl_filters_str, ph__tmpl_filters_seq, misc};
    for (size_t t = 0; t < 3; t++)
        for (const bfilter_entry *e = tables[t]; e->name; e++)
            if (ph__name_is(e->name, name, len))
                return e->fn;
    return NULL;
}

static int c_filter(rctx *r, const node *n, cfilter *c, tv v, targs *a, tv *out) {
    int pending = ph__tmpl_args_pending(r, v, a);
    if (pending < 0)
        return pending;
    if ((pending = ph__tmpl_before_app(r)) < 0)
        return pending;
    json_t *jv = ph__tv_to_json(r, v), *args = ph__tmpl_args_json(r, a);
    int rc = jv && args ? 0 : PH_ENOMEM;
    json_t *res = NULL;
    int safe = 0;
    if (rc == 0 && !(res = c->fn(jv, args, c->ud, &safe)))
        rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "filter '%s' failed", c->name);
    json_decref(jv);
    json_decref(args);
    if (rc < 0)
        return rc;
    tv x = ph__tv_from_json(res);
    if (x.k == TV_STR) {
        x = ph__tv_strdup(r, x.s, x.n, safe);
        json_decref(res);
    } else if (x.k == TV_JARR || x.k == TV_JOBJ) {
        if ((rc = ph__tmpl_keep(r, res)) < 0)
            return rc;
    } else {
        json_decref(res);
    }
    *out = x;
    return 0;
}

int ph__tmpl_apply_filter(rctx *r, const node *n, const char *name, size_t len, tv v, targs *a,
                          tv *out) {
    /* the filter resolved at compile time, unless the app has registered
     * filters since (one of them may be this name) */
    if (n && n->kind == E_FILTER && name == n->name && n->nreg == r->env->nfilters) {
        if (n->reg >= 0)
            return c_filter(r, n, &r->env->filters[n->reg], v, a, out);
        if (n->fn && !(v.k == TV_UNDEF && r->env->opts.strict_undefined))
            return ((bfilter_fn)n->fn)(r, n, v, a, out);
    }
    for (size_t i = r->env->nfilters; i-- > 0;)
        if (ph__name_is(r->env->filters[i].name, name, len))
            return c_filter(r, n, &r->env->filters[i], v, a, out);
    bfilter_fn fn = ph__tmpl_find_filter(name, len);
    if (!fn)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "No filter named '%.*s'.", (int)len, name);
    if (v.k == TV_UNDEF && r->env->opts.strict_undefined && fn != f_default)
        return ph__tmpl_undef_error(r, n, v);
    return fn(r, n, v, a, out);
}
