/*
 * Rule parsing: turns "/post/<int(min=1):id>/<slug>" into parts, pieces and
 * converters, and says precisely where and why a rule is malformed.
 *
 * The grammar is Werkzeug's (routing/rules.py `_part_re`): a rule is a run of
 * slashes, static text (anything but '<' and '/') and converters written
 * `<name>` or `<conv:name>` or `<conv(args):name>`. Arguments follow Python
 * call syntax restricted to literals: `True`, `False`, `None`, numbers,
 * quoted strings, bare words, optionally `key=`. Unlike Werkzeug, which skips
 * what its argument regex does not understand, anything unexpected is an
 * error here, and so is a variable used twice. Runs of slashes in a rule are
 * merged, as Werkzeug's merge_slashes (on by default) does. An app's
 * converter (looked up before the builtin ones) gets its arguments as JSON
 * through its create callback, as a Werkzeug converter's __init__ gets them.
 *
 * This file does not match or build URLs; rule_conv.c holds the converters
 * and router.c the tree. See docs/internals/router.md.
 */
#include "rule.h"

#include "util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A literal argument value inside `<conv(...)>`. */
typedef enum arg_kind { ARG_NONE, ARG_BOOL, ARG_INT, ARG_FLOAT, ARG_STR } arg_kind;

typedef struct arg {
    arg_kind kind;
    const char *key; /* NULL for a positional argument */
    size_t keylen;
    int64_t i;     /* ARG_BOOL, ARG_INT */
    double d;      /* ARG_INT, ARG_FLOAT */
    const char *s; /* ARG_STR: the text, without quotes; also the raw text of any value */
    size_t slen;
    size_t pos; /* offset of the argument in the rule */
} arg;

#define MAX_ARGS 64

typedef struct parser {
    const char *s;
    size_t len;
    const ph__custom_conv *custom; /* the app's converters, before the builtin ones */
    ph__rule *r;
    ph__rule_error *err;
    size_t partcap, varcap;
    /* The part being built. */
    ph__rule_part cur;
    size_t piececap, staticcap, argcap;
} parser;

static int fail(parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(parser *p, size_t pos, const char *fmt, ...) {
    if (p->err) {
        char what[200];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        p->err->pos = pos;
        /* Long rules are cut so that the position and the reason still fit. */
        int show = p->len > 200 ? 200 : (int)p->len;
        snprintf(p->err->msg, sizeof(p->err->msg), "rule '%.*s%s' : %s at position %zu", show, p->s,
                 p->len > 200 ? "..." : "", what, pos);
    }
    return PH_EINVAL;
}

static void part_close(ph__rule_part *pt) {
    ph__free(pt->pieces);
    ph__free(pt->static_lens);
    ph__free(pt->arg_weights);
}

static void conv_close(ph__conv *c) {
    for (size_t i = 0; i < c->nitems; i++)
        ph__free(c->items[i]);
    ph__free(c->items);
    ph__custom_conv_close(c);
}

void ph__rule_free(ph__rule *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->nparts; i++)
        part_close(&r->parts[i]);
    for (size_t i = 0; i < r->nvars; i++) {
        ph__free(r->vars[i].name);
        conv_close(&r->vars[i].conv);
    }
    ph__free(r->parts);
    ph__free(r->vars);
    ph__free(r->text);
    ph__free(r);
}

int ph__rule_var_index(const ph__rule *r, const char *name) {
    for (size_t i = 0; i < r->nvars; i++)
        if (strcmp(r->vars[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* ---- parts ------------------------------------------------------------- */

static int add_piece(parser *p, int var, const char *lit, size_t len) {
    ph__rule_part *pt = &p->cur;
    ph__rule_piece *pieces = ph__grow(pt->pieces, &p->piececap, pt->npieces, sizeof(*pieces), 4);
    if (!pieces)
        return PH_ENOMEM;
    pt->pieces = pieces;
    pt->pieces[pt->npieces++] = (ph__rule_piece){var, lit, len};
    return 0;
}

/* Static text (not a slash) adds a piece and a static weight. */
static int add_static(parser *p, const char *lit, size_t len) {
    ph__rule_part *pt = &p->cur;
    size_t *lens = ph__grow(pt->static_lens, &p->staticcap, pt->nstatic, sizeof(*lens), 4);
    if (!lens)
        return PH_ENOMEM;
    pt->static_lens = lens;
    /* Werkzeug weighs by Python string length: count code points, not bytes. */
    size_t cps = 0;
    for (size_t i = 0; i < len; i++)
        cps += ((unsigned char)lit[i] & 0xC0) != 0x80;
    pt->static_lens[pt->nstatic++] = cps;
    return add_piece(p, -1, lit, len);
}

static int add_var_piece(parser *p, int var, int weight) {
    ph__rule_part *pt = &p->cur;
    int *weights = ph__grow(pt->arg_weights, &p->argcap, pt->nargs, sizeof(*weights), 4);
    if (!weights)
        return PH_ENOMEM;
    pt->arg_weights = weights;
    pt->arg_weights[pt->nargs++] = weight;
    pt->is_static = 0;
    return add_piece(p, var, NULL, 0);
}

static int end_part(parser *p) {
    ph__rule *r = p->r;
    ph__rule_part *parts = ph__grow(r->parts, &p->partcap, r->nparts, sizeof(*parts), 4);
    if (!parts)
        return PH_ENOMEM;
    r->parts = parts;
    r->parts[r->nparts++] = p->cur;
    memset(&p->cur, 0, sizeof(p->cur));
    p->cur.is_static = 1;
    p->piececap = p->staticcap = p->argcap = 0;
    return 0;
}

/* ---- converter arguments ------------------------------------------------ */


static size_t skip_ws(const char *s, size_t i, size_t end) {
    while (i < end && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* Classify a bare token: True/False/None, an integer, a float or a word. */
static void classify(arg *a) {
    const char *t = a->s;
    size_t n = a->slen;
    a->kind = ARG_STR;
    if (n == 4 && memcmp(t, "True", 4) == 0) {
        a->kind = ARG_BOOL;
        a->i = 1;
        a->d = 1;
        return;
    }
    if (n == 5 && memcmp(t, "False", 5) == 0) {
        a->kind = ARG_BOOL;
        a->i = 0;
        a->d = 0;
        return;
    }
    if (n == 4 && memcmp(t, "None", 4) == 0) {
        a->kind = ARG_NONE;
        return;
    }
    char tmp[64];
    if (n == 0 || n >= sizeof(tmp))
        return;
    memcpy(tmp, t, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (*end == '\0' && errno == 0 &&
        (isdigit((unsigned char)tmp[0]) || tmp[0] == '-' || tmp[0] == '+')) {
        a->kind = ARG_INT;
        a->i = v;
        a->d = (double)v;
        return;
    }
    errno = 0;
    double d = strtod(tmp, &end);
    if (*end == '\0' && errno == 0 && isfinite(d) &&
        (isdigit((unsigned char)tmp[0]) || tmp[0] == '-' || tmp[0] == '+' || tmp[0] == '.')) {
        a->kind = ARG_FLOAT;
        a->d = d;
    }
}

/* Parse the text between the parentheses of `<conv(...)>`, s[b..e). */
static int parse_args(parser *p, size_t b, size_t e, arg *args, size_t *nargs) {
    const char *s = p->s;
    size_t i = skip_ws(s, b, e), n = 0;
    while (i < e) {
        if (n == MAX_ARGS)
            return fail(p, i, "too many converter arguments");
        arg *a = &args[n];
        memset(a, 0, sizeof(*a));
        a->pos = i;
        size_t j = i;
        while (j < e && ph__rule_ident(s[j]))
            j++;
        size_t k = skip_ws(s, j, e);
        if (j > i && ph__rule_ident_start(s[i]) && k < e && s[k] == '=') {
            a->key = s + i;
            a->keylen = j - i;
            i = skip_ws(s, k + 1, e);
        }
        if (i < e && (s[i] == '"' || s[i] == '\'')) {
            const char *q = memchr(s + i + 1, s[i], e - i - 1);
            if (!q)
                return fail(p, i, "unterminated string in converter arguments");
            a->kind = ARG_STR;
            a->s = s + i + 1;
            a->slen = (size_t)(q - a->s);
            i = (size_t)(q - s) + 1;
        } else {
            j = i;
            while (j < e && (ph__rule_ident(s[j]) || s[j] == '.' || s[j] == '-' || s[j] == '+'))
                j++;
            if (j == i)
                return fail(p, i, "invalid converter argument");
            a->s = s + i;
            a->slen = j - i;
            classify(a);
            i = j;
        }
        n++;
        i = skip_ws(s, i, e);
        if (i < e) {
            if (s[i] != ',')
                return fail(p, i, "expected ',' between converter arguments");
            i = skip_ws(s, i + 1, e);
        }
    }
    *nargs = n;
    return 0;
}

static int key_is(const arg *a, const char *k) {
    return a->keylen == strlen(k) && memcmp(a->key, k, a->keylen) == 0;
}

/* Map positional and keyword arguments onto `names` (the Python signature). */
static int bind_args(parser *p, const char *conv, const char *const *names, size_t nnames,
                     arg *args, size_t nargs, const arg **bound) {
    for (size_t i = 0; i < nnames; i++)
        bound[i] = NULL;
    for (size_t i = 0; i < nargs; i++) {
        size_t slot = i;
        if (args[i].key) {
            for (slot = 0; slot < nnames && !key_is(&args[i], names[slot]); slot++)
                ;
            if (slot == nnames)
                return fail(p, args[i].pos, "unknown argument '%.*s' for converter '%s'",
                            (int)args[i].keylen, args[i].key, conv);
        } else if (i >= nnames) {
            return fail(p, args[i].pos, "too many arguments for converter '%s'", conv);
        }
        if (bound[slot])
            return fail(p, args[i].pos, "argument '%s' given twice", names[slot]);
        bound[slot] = &args[i];
    }
    return 0;
}

/* A non-negative integer argument; `none_ok` lets None leave *out alone. */
static int arg_size(parser *p, const arg *a, const char *what, int none_ok, size_t *out) {
    if (!a)
        return 0;
    if (a->kind == ARG_NONE && none_ok)
        return 0;
    if (a->kind != ARG_INT || a->i < 0 || a->i > 1000000)
        return fail(p, a->pos, "'%s' must be a non-negative integer", what);
    *out = (size_t)a->i;
    return 0;
}

static int arg_bound(parser *p, const arg *a, const char *what, int *has, double *out) {
    if (!a || a->kind == ARG_NONE)
        return 0;
    if (a->kind != ARG_INT && a->kind != ARG_FLOAT)
        return fail(p, a->pos, "'%s' must be a number", what);
    *has = 1;
    *out = a->d;
    return 0;
}

static int arg_flag(parser *p, const arg *a, const char *what, int *out) {
    if (!a)
        return 0;
    if (a->kind != ARG_BOOL && a->kind != ARG_INT)
        return fail(p, a->pos, "'%s' must be True or False", what);
    *out = a->i != 0;
    return 0;
}

static int conv_string(parser *p, ph__conv *c, arg *args, size_t n) {
    static const char *const names[] = {"minlength", "maxlength", "length"};
    const arg *b[3];
    int rc = bind_args(p, "string", names, 3, args, n, b);
    c->minlen = 1;
    c->maxlen = SIZE_MAX;
    size_t length = SIZE_MAX;
    if (rc || (rc = arg_size(p, b[0], "minlength", 0, &c->minlen)) ||
        (rc = arg_size(p, b[1], "maxlength", 1, &c->maxlen)) ||
        (rc = arg_size(p, b[2], "length", 1, &length)))
        return rc;
    if (length != SIZE_MAX)
        c->minlen = c->maxlen = length;
    /* An empty segment is never a value: a zero minimum would only make the
     * rule ambiguous with its slashed sibling. */
    if (c->minlen == 0)
        return fail(p, b[2] ? b[2]->pos : b[0]->pos, "string length must be at least 1");
    if (c->maxlen < c->minlen)
        return fail(p, b[1]->pos, "maxlength is below minlength");
    return 0;
}

static int conv_number(parser *p, ph__conv *c, arg *args, size_t n) {
    static const char *const inames[] = {"fixed_digits", "min", "max", "signed"};
    static const char *const fnames[] = {"min", "max", "signed"};
    const arg *b[4];
    int rc;
    if (c->kind == PH__CONV_INT) {
        rc = bind_args(p, "int", inames, 4, args, n, b);
        if (!rc)
            rc = arg_size(p, b[0], "fixed_digits", 0, &c->fixed_digits);
    } else {
        rc = bind_args(p, "float", fnames, 3, args, n, b + 1);
    }
    if (rc || (rc = arg_bound(p, b[1], "min", &c->has_min, &c->min)) ||
        (rc = arg_bound(p, b[2], "max", &c->has_max, &c->max)) ||
        (rc = arg_flag(p, b[3], "signed", &c->is_signed)))
        return rc;
    return 0;
}

static int conv_any(parser *p, ph__conv *c, arg *args, size_t n, size_t pos) {
    if (n == 0)
        return fail(p, pos, "converter 'any' needs at least one item");
    c->items = ph__calloc(n, sizeof(char *));
    if (!c->items)
        return PH_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (args[i].key)
            return fail(p, args[i].pos, "converter 'any' takes no keyword arguments");
        if (args[i].slen == 0)
            return fail(p, args[i].pos, "empty item in converter 'any'");
        c->items[i] = ph__strndup(args[i].s, args[i].slen);
        if (!c->items[i])
            return PH_ENOMEM;
        c->nitems++;
    }
    return 0;
}

/* A rule argument as JSON, as Werkzeug's _pythonize reads it. */
static json_t *arg_json(const arg *a) {
    switch (a->kind) {
    case ARG_NONE:
        return json_null();
    case ARG_BOOL:
        return json_boolean(a->i);
    case ARG_INT:
        return json_integer(a->i);
    case ARG_FLOAT:
        return json_real(a->d);
    case ARG_STR:
        break;
    }
    return json_stringn(a->s, a->slen);
}

/* An app's converter: its arguments go to create as a JSON array of the
 * positional ones and an object of the keyword ones. */
static int conv_custom(parser *p, ph__conv *c, const ph__custom_conv *cc, arg *args, size_t n,
                       size_t pos) {
    c->custom = cc;
    c->weight = cc->cb.weight;
    if (!cc->cb.create) {
        c->self = cc->arg;
        if (n)
            return fail(p, args[0].pos, "converter '%s' takes no arguments", cc->name);
        return 0;
    }
    json_t *pos_args = json_array(), *kw = json_object();
    int rc = pos_args && kw ? 0 : PH_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!args[i].key && json_object_size(kw))
            rc = fail(p, args[i].pos, "positional argument after keyword argument");
        else if (args[i].key && json_object_getn(kw, args[i].key, args[i].keylen))
            rc = fail(p, args[i].pos, "argument '%.*s' given twice", (int)args[i].keylen,
                      args[i].key);
        else if (args[i].key)
            rc = json_object_setn_new(kw, args[i].key, args[i].keylen, arg_json(&args[i]))
                     ? PH_ENOMEM
                     : 0;
        else
            rc = json_array_append_new(pos_args, arg_json(&args[i])) ? PH_ENOMEM : 0;
    }
    if (!rc) {
        char why[200] = "";
        void *self = NULL;
        rc = cc->cb.create(cc->arg, pos_args, kw, &self, why, sizeof(why));
        if (rc == 0) {
            c->self = self;
        } else {
            c->custom = NULL; /* nothing was made: nothing to destroy */
            rc = rc == PH_ENOMEM ? PH_ENOMEM
                                 : fail(p, pos, "converter '%s': %s", cc->name,
                                        why[0] ? why : "arguments refused");
        }
    } else {
        c->custom = NULL;
    }
    json_decref(pos_args);
    json_decref(kw);
    return rc;
}

/* Set up converter `name` (s[nb..ne)) with arguments s[ab..ae) (ab == ae: none). */
static int make_conv(parser *p, ph__conv *c, size_t nb, size_t ne, size_t ab, size_t ae,
                     int has_args) {
    static const struct {
        const char *name;
        ph__conv_kind kind;
        int weight;
    } table[] = {
        {"default", PH__CONV_STRING, 100}, {"string", PH__CONV_STRING, 100},
        {"int", PH__CONV_INT, 50},         {"float", PH__CONV_FLOAT, 50},
        {"path", PH__CONV_PATH, 200},      {"uuid", PH__CONV_UUID, 100},
        {"any", PH__CONV_ANY, 100},
    };
    size_t i, n = ne - nb;
    const ph__custom_conv *cc = ph__custom_conv_find(p->custom, p->s + nb, n);
    for (i = 0; !cc && i < sizeof(table) / sizeof(table[0]); i++)
        if (strlen(table[i].name) == n && memcmp(table[i].name, p->s + nb, n) == 0)
            break;
    if (!cc && i == sizeof(table) / sizeof(table[0]))
        return fail(p, nb, "unknown converter '%.*s'", (int)n, p->s + nb);
    memset(c, 0, sizeof(*c));
    c->kind = cc ? PH__CONV_CUSTOM : table[i].kind;
    c->weight = cc ? cc->cb.weight : table[i].weight;
    c->minlen = 1;
    c->maxlen = SIZE_MAX;
    arg args[MAX_ARGS];
    size_t nargs = 0;
    int rc = has_args ? parse_args(p, ab, ae, args, &nargs) : 0;
    if (rc)
        return rc;
    switch (c->kind) {
    case PH__CONV_CUSTOM:
        return conv_custom(p, c, cc, args, nargs, nb);
    case PH__CONV_STRING:
        return conv_string(p, c, args, nargs);
    case PH__CONV_INT:
    case PH__CONV_FLOAT:
        return conv_number(p, c, args, nargs);
    case PH__CONV_ANY:
        return conv_any(p, c, args, nargs, nb);
    default:
        if (nargs)
            return fail(p, args[0].pos, "converter '%.*s' takes no arguments", (int)n, p->s + nb);
        return 0;
    }
}

/* Find the ')' closing arguments that start at `i`, skipping quoted strings. */
static size_t close_paren(const char *s, size_t i, size_t len) {
    while (i < len && s[i] != ')') {
        if (s[i] == '"' || s[i] == '\'') {
            const char *q = memchr(s + i + 1, s[i], len - i - 1);
            if (!q)
                return len;
            i = (size_t)(q - s);
        }
        i++;
    }
    return i;
}

/* Where the pieces of one `<conv(args):name>` sit in the rule text. */
typedef struct conv_span {
    size_t at;     /* the '<' */
    size_t cb, ce; /* converter name, when has_conv */
    size_t ab, ae; /* arguments inside the parentheses, when has_args */
    size_t vb, ve; /* variable name */
    int has_conv, has_args;
    size_t next; /* past the '>' */
} conv_span;

/* Read an identifier at *i; fail unless it is a non-empty variable name. */
static int scan_name(parser *p, size_t at, size_t *i, size_t *b, size_t *e) {
    const char *s = p->s;
    *b = *i;
    while (*i < p->len && ph__rule_ident(s[*i]))
        (*i)++;
    *e = *i;
    if (*i == p->len)
        return fail(p, at, "unterminated converter");
    if (*e == *b)
        return fail(p, *b, s[*i] == '>' ? "empty variable name" : "invalid character in converter");
    if (isdigit((unsigned char)s[*b]))
        return fail(p, *b, "invalid variable name");
    return 0;
}

/* The syntax of `<...>` starting at s[at] == '<'. */
static int scan_converter(parser *p, size_t at, conv_span *c) {
    const char *s = p->s;
    size_t len = p->len, i = at + 1;
    memset(c, 0, sizeof(*c));
    c->at = at;
    int rc = scan_name(p, at, &i, &c->vb, &c->ve);
    if (rc)
        return rc;
    if (s[i] == '(' || s[i] == ':') {
        c->has_conv = 1;
        c->cb = c->vb;
        c->ce = c->ve;
        if (s[i] == '(') {
            c->has_args = 1;
            c->ab = i + 1;
            c->ae = close_paren(s, c->ab, len);
            i = c->ae + 1;
            if (i >= len)
                return fail(p, at, "unterminated converter");
            if (s[i] != ':')
                return fail(p, i, "expected ':' after converter arguments");
        }
        i++;
        if ((rc = scan_name(p, at, &i, &c->vb, &c->ve)))
            return rc;
    }
    if (s[i] != '>')
        return memchr(s + i, '>', len - i) ? fail(p, i, "invalid character in converter")
                                           : fail(p, at, "unterminated converter");
    c->next = i + 1;
    return 0;
}

/* Parse `<...>` starting at s[at] == '<'; on success *next is past the '>'. */
static int parse_converter(parser *p, size_t at, size_t *next) {
    conv_span c;
    int rc = scan_converter(p, at, &c);
    if (rc)
        return rc;
    *next = c.next;
    const char *name = p->s + c.vb;
    size_t nlen = c.ve - c.vb;
    ph__rule *r = p->r;
    for (size_t k = 0; k < r->nvars; k++)
        if (strlen(r->vars[k].name) == nlen && memcmp(r->vars[k].name, name, nlen) == 0)
            return fail(p, c.vb, "variable '%.*s' used twice", (int)nlen, name);
    if (r->nvars == PH__RULE_MAX_VARS)
        return fail(p, at, "too many variables (at most %d)", PH__RULE_MAX_VARS);
    ph__rule_var *vars = ph__grow(r->vars, &p->varcap, r->nvars, sizeof(*vars), 4);
    if (!vars)
        return PH_ENOMEM;
    r->vars = vars;
    ph__rule_var *v = &r->vars[r->nvars];
    memset(v, 0, sizeof(*v));
    const ph__custom_conv *dflt;
    if (c.has_conv) {
        rc = make_conv(p, &v->conv, c.cb, c.ce, c.ab, c.ae, c.has_args);
    } else if ((dflt = ph__custom_conv_find(p->custom, "default", 7))) {
        /* Werkzeug looks a bare variable's converter up as "default". */
        v->conv.kind = PH__CONV_CUSTOM;
        v->conv.minlen = 1;
        v->conv.maxlen = SIZE_MAX;
        rc = conv_custom(p, &v->conv, dflt, NULL, 0, at);
    } else {
        v->conv.kind = PH__CONV_STRING;
        v->conv.weight = 100;
        v->conv.minlen = 1;
        v->conv.maxlen = SIZE_MAX;
    }
    if (!rc && !(v->name = ph__strndup(name, nlen)))
        rc = PH_ENOMEM;
    if (rc) {
        conv_close(&v->conv);
        return rc;
    }
    r->nvars++;
    if ((rc = add_var_piece(p, (int)r->nvars - 1, v->conv.weight)))
        return rc;
    if (v->conv.kind == PH__CONV_PATH ||
        (v->conv.kind == PH__CONV_CUSTOM && v->conv.custom->cb.slashes))
        p->cur.final = 1;
    if (v->conv.kind == PH__CONV_CUSTOM)
        r->has_custom = 1;
    return 0;
}

/* ---- the rule ----------------------------------------------------------- */

static int parse_body(parser *p) {
    const char *s = p->s;
    size_t len = p->len, i;
    if (len == 0 || s[0] != '/')
        return fail(p, 0, "rule must start with '/'");
    if (len > PH__RULE_MAX_LEN)
        return fail(p, PH__RULE_MAX_LEN, "rule too long (at most %d bytes)", PH__RULE_MAX_LEN);
    if (memchr(s, '\0', len))
        return fail(p, (size_t)((const char *)memchr(s, '\0', len) - s), "NUL byte in rule");
    for (i = 0; i < len && s[i] == '/'; i++)
        ;
    int rc;
    while (i < len) {
        if (s[i] == '/') {
            size_t j = i;
            while (j < len && s[j] == '/')
                j++;
            if (p->cur.final)
                rc = add_piece(p, -1, s + i, 1);
            else
                rc = end_part(p);
            if (rc)
                return rc;
            i = j;
        } else if (s[i] == '<') {
            if ((rc = parse_converter(p, i, &i)))
                return rc;
        } else {
            size_t j = i;
            while (j < len && s[j] != '/' && s[j] != '<')
                j++;
            if ((rc = add_static(p, s + i, j - i)))
                return rc;
            i = j;
        }
    }
    return end_part(p);
}

int ph__rule_parse(const char *text, ph__rule **out, ph__rule_error *err) {
    return ph__rule_parse_with(text, NULL, out, err);
}

int ph__rule_parse_with(const char *text, const ph__custom_conv *custom, ph__rule **out,
                        ph__rule_error *err) {
    *out = NULL;
    if (!text)
        return PH_EINVAL;
    parser p;
    memset(&p, 0, sizeof(p));
    p.custom = custom;
    p.len = strnlen(text, PH__RULE_MAX_LEN + 1);
    p.err = err;
    p.cur.is_static = 1;
    p.r = ph__calloc(1, sizeof(*p.r));
    if (!p.r)
        return PH_ENOMEM;
    p.r->text = ph__strndup(text, p.len);
    if (!p.r->text) {
        ph__free(p.r);
        return PH_ENOMEM;
    }
    p.r->len = p.len;
    p.s = p.r->text; /* pieces point into the rule's own copy */
    int rc = parse_body(&p);
    if (rc) {
        part_close(&p.cur);
        ph__rule_free(p.r);
        if (rc == PH_ENOMEM && err) {
            err->pos = 0;
            snprintf(err->msg, sizeof(err->msg), "rule '%.200s' : out of memory", text);
        }
        return rc;
    }
    *out = p.r;
    return 0;
}

/* ---- comparing parts ---------------------------------------------------- */

/* Same pattern (Werkzeug: same regex). Bounds and fixed digits do not count:
 * they are checked per rule after the match, so rules that differ only in
 * them share a tree node and keep their registration order, as in Werkzeug. */
static int conv_same(const ph__conv *a, const ph__conv *b) {
    if (a->kind != b->kind || a->minlen != b->minlen || a->maxlen != b->maxlen ||
        a->is_signed != b->is_signed || a->nitems != b->nitems)
        return 0;
    /* Custom converters have one of two patterns; their to_python runs per
     * rule, so converters of the same pattern and weight share a node. */
    if (a->kind == PH__CONV_CUSTOM &&
        (a->custom->cb.slashes != b->custom->cb.slashes || a->weight != b->weight))
        return 0;
    for (size_t i = 0; i < a->nitems; i++)
        if (strcmp(a->items[i], b->items[i]) != 0)
            return 0;
    return 1;
}

int ph__rule_part_same(const ph__rule *ra, const ph__rule_part *a, const ph__rule *rb,
                       const ph__rule_part *b) {
    if (a->is_static != b->is_static || a->final != b->final || a->npieces != b->npieces)
        return 0;
    for (size_t i = 0; i < a->npieces; i++) {
        const ph__rule_piece *x = &a->pieces[i], *y = &b->pieces[i];
        if ((x->var < 0) != (y->var < 0))
            return 0;
        if (x->var < 0) {
            if (x->len != y->len || memcmp(x->lit, y->lit, x->len) != 0)
                return 0;
        } else if (!conv_same(&ra->vars[x->var].conv, &rb->vars[y->var].conv)) {
            return 0;
        }
    }
    return 1;
}

int ph__rule_part_cmp(const ph__rule_part *a, const ph__rule_part *b) {
    if (a->nstatic != b->nstatic)
        return a->nstatic > b->nstatic ? -1 : 1;
    for (size_t i = 0; i < a->nstatic; i++)
        if (a->static_lens[i] != b->static_lens[i])
            return a->static_lens[i] > b->static_lens[i] ? -1 : 1;
    if (a->nargs != b->nargs)
        return a->nargs > b->nargs ? -1 : 1;
    for (size_t i = 0; i < a->nargs; i++)
        if (a->arg_weights[i] != b->arg_weights[i])
            return a->arg_weights[i] < b->arg_weights[i] ? -1 : 1;
    return 0;
}
