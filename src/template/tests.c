/*
 * Builtin tests (`x is defined`, `n is divisibleby 3`, ...) and the dispatch
 * of `is` to C tests registered by the app. Each test returns what Jinja2's
 * returns for the same Python value (bool counts as a number but not as an
 * integer; a dict is a sequence; Markup is "escaped").
 *
 * Reference: Jinja2 3.1 "List of Builtin Tests".
 */
#include "tmpl.h"

#include <math.h>
#include <string.h>

static int is_num(tv v) { return v.k == TV_INT || v.k == TV_BOOL || v.k == TV_FLOAT; }

static int t_defined(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k != TV_UNDEF;
    return 0;
}
static int t_undefined(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_UNDEF;
    return 0;
}
static int t_none(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_NONE;
    return 0;
}
static int t_boolean(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_BOOL;
    return 0;
}
static int t_true(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_BOOL && v.i;
    return 0;
}
static int t_false(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_BOOL && !v.i;
    return 0;
}
static int t_number(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = is_num(v);
    return 0;
}
static int t_integer(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_INT;
    return 0;
}
static int t_float(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_FLOAT;
    return 0;
}
static int t_string(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_STR;
    return 0;
}
static int t_mapping(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_JOBJ || (v.k == TV_DICT && !(v.flags & (TVF_NS | TVF_MODULE)));
    return 0;
}
static int t_sequence(rctx *r, const node *n, tv v, targs *a, int *res) {
    /* len() and indexing: not a generator, not a dict view */
    *res = v.k == TV_STR || v.k == TV_UNDEF ||
           (v.k == TV_LIST && !(v.flags & TVF_GEN) && !tv_is_view(v)) ||
           v.k == TV_JARR || v.k == TV_JOBJ ||
           (v.k == TV_DICT && !(v.flags & (TVF_NS | TVF_MODULE)));
    return 0;
}
static int t_iterable(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_STR || v.k == TV_LIST || v.k == TV_JARR || v.k == TV_JOBJ ||
           (v.k == TV_DICT && !(v.flags & TVF_NS)) || v.k == TV_UNDEF;
    return 0;
}
static int t_callable(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_MACRO || v.k == TV_FUNC || v.k == TV_LOOP || v.k == TV_UNDEF;
    return 0;
}
static int t_escaped(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_STR && v.safe;
    return 0;
}

static int need_arg(rctx *r, const node *n, targs *a, tv *out) {
    if (!ph__tmpl_arg(a, 0, NULL, out))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "test '%s' needs an argument", n->name);
    return 0;
}

static int modulo(rctx *r, const node *n, tv v, tv d, int *res) {
    if (v.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v);
    if (!is_num(v) || !is_num(d))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             "unsupported operand type(s) for %%: '%s' and '%s'",
                             ph__tv_typename(v), ph__tv_typename(d));
    if (v.k != TV_FLOAT && d.k != TV_FLOAT) {
        if (d.i == 0)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "integer division or modulo by zero");
        *res = d.i == -1 || v.i % d.i == 0;
        return 0;
    }
    double x = v.k == TV_FLOAT ? v.f : (double)v.i, y = d.k == TV_FLOAT ? d.f : (double)d.i;
    if (y == 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "float modulo");
    *res = fmod(x, y) == 0;
    return 0;
}

static int t_even(rctx *r, const node *n, tv v, targs *a, int *res) {
    int rc = modulo(r, n, v, tv_int(2), res);
    return rc;
}
static int t_odd(rctx *r, const node *n, tv v, targs *a, int *res) {
    int rc = modulo(r, n, v, tv_int(2), res);
    *res = !*res;
    return rc;
}
static int t_divisibleby(rctx *r, const node *n, tv v, targs *a, int *res) {
    tv d;
    int rc = need_arg(r, n, a, &d);
    return rc < 0 ? rc : modulo(r, n, v, d, res);
}

static int cmp_test(rctx *r, const node *n, tv v, targs *a, int *res, int want) {
    tv o;
    int rc = need_arg(r, n, a, &o), c;
    if (rc < 0)
        return rc;
    if (want == 0 || want == 9) {
        *res = ph__tv_eq(v, o) == (want == 0);
        return 0;
    }
    if (v.k == TV_UNDEF || o.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, v.k == TV_UNDEF ? v : o);
    if ((rc = ph__tv_cmp(r, n, v, o, &c)) < 0)
        return rc;
    switch (want) {
    case 1:
        *res = c < 0;
        break;
    case 2:
        *res = c <= 0;
        break;
    case 3:
        *res = c > 0;
        break;
    default:
        *res = c >= 0;
        break;
    }
    return 0;
}
static int t_eq(rctx *r, const node *n, tv v, targs *a, int *res) {
    return cmp_test(r, n, v, a, res, 0);
}
static int t_ne(rctx *r, const node *n, tv v, targs *a, int *res) {
    return cmp_test(r, n, v, a, res, 9);
}
static int t_lt(rctx *r, const node *n, tv v, targs *a, int *res) {
    return cmp_test(r, n, v, a, res, 1);
}
static int t_le(rctx *r, const node *n, tv v, targs *a, int *res) {
    return cmp_test(r, n, v, a, res, 2);
}
static int t_gt(rctx *r, const node *n, tv v, targs *a, int *res) {
    return cmp_test(r, n, v, a, res, 3);
}
static int t_ge(rctx *r, const node *n, tv v, targs *a, int *res) {
    return cmp_test(r, n, v, a, res, 4);
}

static int t_in(rctx *r, const node *n, tv v, targs *a, int *res) {
    tv seq;
    int rc = need_arg(r, n, a, &seq);
    if (rc < 0)
        return rc;
    if (seq.k == TV_STR) {
        if (v.k != TV_STR)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                 "'in <string>' requires string as left operand, not %s",
                                 ph__tv_typename(v));
        *res = v.n == 0 || memmem(seq.s, seq.n, v.s, v.n) != NULL;
        return 0;
    }
    if (seq.k == TV_JOBJ || seq.k == TV_DICT) {
        tv x;
        *res = ph__tdict_get(seq, v, &x);
        return 0;
    }
    tv *items;
    size_t count;
    if ((rc = ph__tv_items(r, n, seq, &items, &count)) < 0)
        return rc;
    *res = 0;
    size_t i = 0;
    while (i < count && !*res)
        *res = ph__tv_eq(items[i++], v);
    ph__tmpl_unread(seq, items + i, count - i); /* a generator is read up to the match */
    return 0;
}

/* Jinja2's lower and upper tests: str(value).islower() / .isupper() */
static int cased(rctx *r, tv v, int want_lower, int *res) {
    tv s;
    int rc = ph__tv_tostr(r, v, &s);
    if (rc < 0)
        return rc;
    *res = ph__cp_one_case(s.s, s.n, want_lower);
    return 0;
}
static int t_lower(rctx *r, const node *n, tv v, targs *a, int *res) { return cased(r, v, 1, res); }
static int t_upper(rctx *r, const node *n, tv v, targs *a, int *res) { return cased(r, v, 0, res); }

static int t_sameas(rctx *r, const node *n, tv v, targs *a, int *res) {
    tv o;
    int rc = need_arg(r, n, a, &o);
    if (rc < 0)
        return rc;
    if (v.k != o.k) {
        *res = 0;
    } else {
        switch (v.k) {
        case TV_NONE:
        case TV_UNDEF:
            *res = v.k == TV_NONE;
            break;
        case TV_BOOL:
            *res = v.i == o.i;
            break;
        case TV_INT:
            *res = v.i == o.i && v.i >= -5 && v.i <= 256;
            break;
        case TV_STR:
            *res = v.s == o.s && v.n == o.n;
            break;
        case TV_FLOAT:
            *res = 0;
            break;
        default:
            *res = v.j == o.j;
            break;
        }
    }
    return 0;
}

static int t_filter(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_STR && ph__tmpl_find_filter(v.s, v.n) != NULL;
    for (size_t i = 0; v.k == TV_STR && i < r->env->nfilters; i++)
        if (ph__name_is(r->env->filters[i].name, v.s, v.n))
            *res = 1;
    return 0;
}
static int t_test(rctx *r, const node *n, tv v, targs *a, int *res) {
    *res = v.k == TV_STR && ph__tmpl_find_test(v.s, v.n) != NULL;
    for (size_t i = 0; v.k == TV_STR && i < r->env->ntests; i++)
        if (ph__name_is(r->env->tests[i].name, v.s, v.n))
            *res = 1;
    return 0;
}

static const struct {
    const char *name;
    btest_fn fn;
} tests[] = {
    {"defined", t_defined},
    {"undefined", t_undefined},
    {"none", t_none},
    {"boolean", t_boolean},
    {"true", t_true},
    {"false", t_false},
    {"number", t_number},
    {"integer", t_integer},
    {"float", t_float},
    {"string", t_string},
    {"mapping", t_mapping},
    {"sequence", t_sequence},
    {"iterable", t_iterable},
    {"callable", t_callable},
    {"even", t_even},
    {"odd", t_odd},
    {"divisibleby", t_divisibleby},
    {"eq", t_eq},
    {"equalto", t_eq},
    {"==", t_eq},
    {"ne", t_ne},
    {"!=", t_ne},
    {"lt", t_lt},
    {"lessthan", t_lt},
    {"<", t_lt},
    {"le", t_le},
    {"<=", t_le},
    {"gt", t_gt},
    {"greaterthan", t_gt},
    {">", t_gt},
    {"ge", t_ge},
    {">=", t_ge},
    {"in", t_in},
    {"lower", t_lower},
    {"upper", t_upper},
    {"sameas", t_sameas},
    {"escaped", t_escaped},
    {"filter", t_filter},
    {"test", t_test},
};

btest_fn ph__tmpl_find_test(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (ph__name_is(tests[i].name, name, len))
            return tests[i].fn;
    return NULL;
}

static int c_test(rctx *r, const node *n, cfilter *c, tv v, targs *a, int *res) {
    int pending = ph__tmpl_args_pending(r, v, a);
    if (pending < 0 || (pending = ph__tmpl_before_app(r)) < 0)
        return pending;
    json_t *jv = ph__tv_to_json(r, v), *args = ph__tmpl_args_json(r, a);
    int rc = jv && args ? 0 : PH_ENOMEM;
    if (rc == 0) {
        rc = c->test(jv, args, c->ud);
        if (rc < 0)
            ph__tmpl_rerr(r, n, PH_ETEMPLATE, "test '%s' failed: %s", c->name, ph_strerror(rc));
        else
            *res = rc != 0;
    }
    json_decref(jv);
    json_decref(args);
    return rc < 0 ? PH_ETEMPLATE : 0;
}

int ph__tmpl_apply_test(rctx *r, const node *n, const char *name, size_t len, tv v, targs *a,
                        int *res) {
    /* the test resolved at compile time, unless the app has registered
     * tests since (one of them may be this name) */
    if (n && n->kind == E_TEST && name == n->name && n->nreg == r->env->ntests) {
        if (n->reg >= 0)
            return c_test(r, n, &r->env->tests[n->reg], v, a, res);
        if (n->fn && v.k != TV_UNDEF)
            return ((btest_fn)n->fn)(r, n, v, a, res);
    }
    for (size_t i = r->env->ntests; i-- > 0;)
        if (ph__name_is(r->env->tests[i].name, name, len))
            return c_test(r, n, &r->env->tests[i], v, a, res);
    btest_fn fn = ph__tmpl_find_test(name, len);
    if (!fn)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "No test named '%.*s'.", (int)len, name);
    if (v.k == TV_UNDEF && r->env->opts.strict_undefined && fn != t_defined && fn != t_undefined)
        return ph__tmpl_undef_error(r, n, v);
    return fn(r, n, v, a, res);
}
