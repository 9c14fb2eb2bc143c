/*
 * Template parser: tokens (lexer.c) to a syntax tree of statement and
 * expression nodes (tmpl.h). It follows Jinja2's grammar and operator
 * precedence exactly (or, and, not, comparisons, + -, ~, * / // %, **, unary
 * minus, then postfix, filters and tests), since the same template must mean
 * the same thing here and in Flask. It checks syntax only; names are resolved
 * when rendering (render.c, eval.c).
 *
 * Reference: Jinja2 3.1 "Template Designer Documentation" and the behaviour
 * of jinja2/parser.py.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct parser {
    const tokens *tk;
    size_t p;
    ptmpl *t;
    ph_tmpl_error *err;
    const char *name;
    int depth;
    /* statements open around this point that give their body a scope of
     * its own (all but if), and the for loops among them */
    int scoped, in_for;
    /* the first error Jinja2's compiler would raise: an extends in a scope,
     * an assignment to `loop` in a for loop. It checks once the template
     * has parsed, so any syntax error is reported first; so is this. */
    const char *compile_error;
    uint32_t compile_line, compile_col;
    node *macros[PARSE_MAX_DEPTH];
    int nmacros;
    node **blocks;
    size_t nblocks, capblocks;
    /* names seen so far, each copied once: the same name anywhere in the
     * template is the same pointer, which lets the render's variable lookup
     * match by address before it compares bytes */
    const char *names[128];
    size_t nnames;
} parser;

typedef struct nvec {
    node **v;
    size_t n, cap;
} nvec;

void ph__tmpl_set_error(ph_tmpl_error *e, const char *name, uint32_t line, uint32_t col, int code,
                        const char *fmt, ...) {
    if (!e)
        return;
    e->code = code;
    snprintf(e->name, sizeof(e->name), "%s", name ? name : "<string>");
    e->line = line;
    e->column = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

static const tok *cur(parser *P) { return &P->tk->v[P->p]; }
static const tok *peek(parser *P, size_t k) {
    size_t i = P->p + k;
    return &P->tk->v[i < P->tk->n ? i : P->tk->n - 1];
}
static void advance(parser *P) {
    if (P->p + 1 < P->tk->n)
        P->p++;
}

static int is_op(const tok *t, int op) { return t->type == T_OP && t->op == op; }
static int is_name(const tok *t, const char *s) {
    return t->type == T_NAME && t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

static void describe(const tok *t, char *buf, size_t size) {
    switch (t->type) {
    case T_EOF:
        snprintf(buf, size, "'end of template'");
        break;
    case T_VAR_END:
        snprintf(buf, size, "'end of print statement'");
        break;
    case T_BLOCK_END:
        snprintf(buf, size, "'end of statement block'");
        break;
    case T_NAME:
        snprintf(buf, size, "'%.*s'", (int)(t->n > 40 ? 40 : t->n), t->s);
        break;
    case T_STRING:
        snprintf(buf, size, "'string'");
        break;
    case T_INT:
        snprintf(buf, size, "'integer'");
        break;
    case T_FLOAT:
        snprintf(buf, size, "'float'");
        break;
    case T_OP:
        if (t->op < 256)
            snprintf(buf, size, "'%c'", t->op);
        else
            snprintf(buf, size, "operator");
        break;
    default:
        snprintf(buf, size, "'text'");
        break;
    }
}

static int fail_at(parser *P, const tok *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void compile_error(parser *P, uint32_t line, uint32_t col, const char *msg) {
    if (!P->compile_error) {
        P->compile_error = msg;
        P->compile_line = line;
        P->compile_col = col;
    }
}

/* A for loop's target, or a set inside a for loop, may not be `loop`
 * (nor hold it in a nested tuple). */
static void check_loop_store(parser *P, const node *target) {
    if (!P->in_for)
        return;
    if (target->kind == E_TUPLE) {
        for (size_t i = 0; i < target->nv; i++)
            check_loop_store(P, target->v[i]);
    } else if (target->kind == E_NAME && target->nlen == 4 && memcmp(target->name, "loop", 4) == 0) {
        compile_error(P, target->line, target->col,
                      "Can't assign to special loop variable in for-loop target");
    }
}

static int fail_at(parser *P, const tok *t, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ph__tmpl_set_error(P->err, P->name, t->line, t->col, PH_ETEMPLATE, "%s", msg);
    return PH_ETEMPLATE;
}

static int unexpected(parser *P, const char *what) {
    char got[64];
    describe(cur(P), got, sizeof(got));
    return fail_at(P, cur(P), "expected %s, got %s", what, got);
}

static int expect_op(parser *P, int op) {
    if (is_op(cur(P), op)) {
        advance(P);
        return 0;
    }
    char what[32];
    snprintf(what, sizeof(what), "token '%c'", op);
    return unexpected(P, what);
}

static int expect_type(parser *P, int type) {
    if (cur(P)->type == type) {
        advance(P);
        return 0;
    }
    return unexpected(P, type == T_BLOCK_END ? "token 'end of statement block'"
                         : type == T_VAR_END ? "token 'end of print statement'"
                                             : "token 'name'");
}

static node *mk(parser *P, int kind, const tok *t) {
    node *n = ph__arena_calloc(&P->t->arena, sizeof(node));
    if (n) {
        n->kind = (uint16_t)kind;
        n->line = t->line;
        n->col = t->col;
        n->reg = -1; /* resolved by the compiler (env.c) */
    }
    return n;
}

static int vpush(nvec *v, node *n) {
    node **nv = ph__grow(v->v, &v->cap, v->n, sizeof(node *), 8);
    if (!nv)
        return PH_ENOMEM;
    v->v = nv;
    v->v[v->n++] = n;
    return 0;
}

/* Move a vector into the arena. */
static node **vfinish(parser *P, nvec *v, size_t *n) {
    *n = v->n;
    node **out = NULL;
    if (v->n) {
        out = ph__arena_alloc(&P->t->arena, v->n * sizeof(node *));
        if (out)
            memcpy(out, v->v, v->n * sizeof(node *));
    }
    ph__free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
    return out;
}

static const char *dupname(parser *P, const tok *t) {
    for (size_t i = 0; i < P->nnames; i++)
        if (strncmp(P->names[i], t->s, t->n) == 0 && P->names[i][t->n] == '\0')
            return P->names[i];
    const char *s = ph__arena_strndup(&P->t->arena, t->s, t->n);
    if (s && P->nnames < sizeof(P->names) / sizeof(P->names[0]))
        P->names[P->nnames++] = s;
    return s;
}

/* ------------------------------------------------------------------------ */
/* Expressions                                                              */
/* ------------------------------------------------------------------------ */

static int parse_expr(parser *P, node **out);
static int parse_or(parser *P, node **out);
static int parse_unary(parser *P, int with_filter, node **out);
static int parse_tuple(parser *P, int with_condexpr, int explicit_parens, int simplified,
                       const char *end_name, node **out);
static int parse_primary(parser *P, node **out);
static int parse_postfix(parser *P, node **n);

#define ENTER(P)                                                                                   \
    do {                                                                                           \
        if (++(P)->depth > PARSE_MAX_DEPTH)                                                        \
            return fail_at((P), cur(P), "expression nested too deeply");                           \
    } while (0)

static int parse_expr(parser *P, node **out) {
    ENTER(P);
    int rc = parse_or(P, out);
    while (rc == 0 && is_name(cur(P), "if")) {
        node *n = mk(P, E_COND, cur(P));
        if (!n)
            return PH_ENOMEM;
        advance(P);
        n->a = *out;
        if ((rc = parse_or(P, &n->b)) < 0)
            break;
        if (is_name(cur(P), "else")) {
            advance(P);
            if ((rc = parse_expr(P, &n->c)) < 0)
                break;
        }
        *out = n;
    }
    P->depth--;
    return rc;
}

static int parse_binary_chain(parser *P, node **out, int level);

/* Levels: 0 or, 1 and, 2 not, 3 compare, 4 + -, 5 ~, 6 * / // %, 7 ** */
static int parse_or(parser *P, node **out) { return parse_binary_chain(P, out, 0); }

static int parse_compare(parser *P, node **out) {
    int rc = parse_binary_chain(P, out, 4);
    if (rc < 0)
        return rc;
    nvec ops = {0};
    int opcodes[64];
    size_t nops = 0;
    const tok *start = cur(P);
    for (;;) {
        const tok *t = cur(P);
        int op = 0;
        if (t->type == T_OP && (t->op == OP_EQ || t->op == OP_NE || t->op == '<' || t->op == '>' ||
                                t->op == OP_LE || t->op == OP_GE)) {
            op = t->op;
            advance(P);
        } else if (is_name(t, "in")) {
            op = OP_IN;
            advance(P);
        } else if (is_name(t, "not") && is_name(peek(P, 1), "in")) {
            op = OP_NOTIN;
            advance(P);
            advance(P);
        } else {
            break;
        }
        if (nops == 64) {
            ph__free(ops.v);
            return fail_at(P, t, "too many comparisons");
        }
        node *rhs;
        if ((rc = parse_binary_chain(P, &rhs, 4)) < 0 || (rc = vpush(&ops, rhs)) < 0) {
            ph__free(ops.v);
            return rc;
        }
        opcodes[nops++] = op;
    }
    if (!nops)
        return 0;
    node *n = mk(P, E_COMPARE, start);
    if (!n) {
        ph__free(ops.v);
        return PH_ENOMEM;
    }
    n->a = *out;
    n->v = vfinish(P, &ops, &n->nv);
    n->ops = ph__arena_alloc(&P->t->arena, nops * sizeof(int));
    if (!n->v || !n->ops)
        return PH_ENOMEM;
    memcpy(n->ops, opcodes, nops * sizeof(int));
    *out = n;
    return 0;
}

static int parse_binary_chain(parser *P, node **out, int level) {
    int rc;
    ENTER(P);
    if (level == 2) {
        if (is_name(cur(P), "not")) {
            node *n = mk(P, E_NOT, cur(P));
            if (!n)
                return PH_ENOMEM;
            advance(P);
            rc = parse_binary_chain(P, &n->a, 2);
            *out = n;
        } else {
            rc = parse_compare(P, out);
        }
        P->depth--;
        return rc;
    }
    if (level == 8) {
        rc = parse_unary(P, 1, out);
        P->depth--;
        return rc;
    }
    if ((rc = parse_binary_chain(P, out, level == 3 ? 4 : level + 1)) < 0)
        return rc;
    for (;;) {
        const tok *t = cur(P);
        int kind = E_BINOP, op = 0;
        if (level == 0 && is_name(t, "or"))
            kind = E_OR;
        else if (level == 1 && is_name(t, "and"))
            kind = E_AND;
        else if (level == 4 && t->type == T_OP && (t->op == '+' || t->op == '-'))
            op = t->op;
        else if (level == 5 && is_op(t, '~'))
            kind = E_CONCAT;
        else if (level == 6 && t->type == T_OP &&
                 (t->op == '*' || t->op == '/' || t->op == OP_FLOORDIV || t->op == '%'))
            op = t->op;
        else if (level == 7 && is_op(t, OP_POW))
            op = OP_POW;
        else
            break;
        node *n = mk(P, kind, t);
        if (!n)
            return PH_ENOMEM;
        advance(P);
        n->op = op;
        n->a = *out;
        if ((rc = parse_binary_chain(P, &n->b, level + 1)) < 0)
            return rc;
        *out = n;
    }
    P->depth--;
    return 0;
}

/*
 * Call arguments after '(' up to and including ')': positional arguments,
 * then keywords and `*args`, then `**kwargs` (the last two stored in n->b
 * and n->c), as Jinja2 accepts them.
 */
static int parse_call_args(parser *P, node *n) {
    nvec pos = {0}, kwv = {0};
    const char *kwn[64];
    size_t nkw = 0;
    node *dyn_args = NULL, *dyn_kwargs = NULL;
    int rc = 0, need_comma = 0;
    advance(P); /* ( */
    while (!is_op(cur(P), ')')) {
        if (need_comma) {
            if ((rc = expect_op(P, ',')) < 0)
                goto out;
            if (is_op(cur(P), ')'))
                break;
        }
        need_comma = 1;
        node *arg;
        if (is_op(cur(P), '*') || is_op(cur(P), OP_POW)) {
            int star2 = is_op(cur(P), OP_POW);
            if (dyn_kwargs || (!star2 && dyn_args)) {
                rc = fail_at(P, cur(P), "invalid syntax for function call expression");
                goto out;
            }
            advance(P);
            if ((rc = parse_expr(P, star2 ? &dyn_kwargs : &dyn_args)) < 0)
                goto out;
        } else if (dyn_kwargs || (dyn_args && !(cur(P)->type == T_NAME &&
                                                 is_op(peek(P, 1), '=')))) {
            /* after **kwargs nothing; after *args only keywords */
            rc = fail_at(P, cur(P), "invalid syntax for function call expression");
            goto out;
        } else if (cur(P)->type == T_NAME && is_op(peek(P, 1), '=')) {
            if (nkw == 64) {
                rc = fail_at(P, cur(P), "too many keyword arguments");
                goto out;
            }
            kwn[nkw++] = dupname(P, cur(P));
            advance(P);
            advance(P);
            if ((rc = parse_expr(P, &arg)) < 0 || (rc = vpush(&kwv, arg)) < 0)
                goto out;
        } else {
            if (kwv.n) {
                rc = fail_at(P, cur(P), "invalid syntax for function call expression");
                goto out;
            }
            if ((rc = parse_expr(P, &arg)) < 0 || (rc = vpush(&pos, arg)) < 0)
                goto out;
        }
    }
    advance(P); /* ) */
    n->v = vfinish(P, &pos, &n->nv);
    n->w = vfinish(P, &kwv, &n->nw);
    n->b = dyn_args;
    n->c = dyn_kwargs;
    if (nkw) {
        n->kw = ph__arena_alloc(&P->t->arena, nkw * sizeof(char *));
        if (!n->kw)
            return PH_ENOMEM;
        memcpy(n->kw, kwn, nkw * sizeof(char *));
    }
    return 0;
out:
    ph__free(pos.v);
    ph__free(kwv.v);
    return rc;
}

static int parse_filter(parser *P, node **inout) {
    while (is_op(cur(P), '|')) {
        advance(P);
        if (cur(P)->type != T_NAME)
            return unexpected(P, "filter name");
        node *n = mk(P, E_FILTER, cur(P));
        if (!n)
            return PH_ENOMEM;
        n->name = dupname(P, cur(P));
        n->nlen = cur(P)->n;
        advance(P);
        n->a = *inout;
        if (is_op(cur(P), '(')) {
            int rc = parse_call_args(P, n);
            if (rc < 0)
                return rc;
        }
        *inout = n;
    }
    return 0;
}

static int parse_test(parser *P, node **inout) {
    node *n = mk(P, E_TEST, cur(P));
    if (!n)
        return PH_ENOMEM;
    advance(P); /* is */
    if (is_name(cur(P), "not")) {
        n->flags |= NF_NEGATE;
        advance(P);
    }
    if (cur(P)->type != T_NAME)
        return unexpected(P, "test name");
    n->name = dupname(P, cur(P));
    n->nlen = cur(P)->n;
    advance(P);
    n->a = *inout;
    const tok *t = cur(P);
    int rc = 0;
    if (is_op(t, '(')) {
        rc = parse_call_args(P, n);
    } else if ((t->type == T_NAME || t->type == T_STRING || t->type == T_INT ||
                t->type == T_FLOAT || is_op(t, '[') || is_op(t, '{')) &&
               !is_name(t, "else") && !is_name(t, "or") && !is_name(t, "and")) {
        if (is_name(t, "is"))
            return fail_at(P, t, "You cannot chain multiple tests with is");
        node *arg;
        if ((rc = parse_primary(P, &arg)) < 0 || (rc = parse_postfix(P, &arg)) < 0)
            return rc;
        n->v = ph__arena_alloc(&P->t->arena, sizeof(node *));
        if (!n->v)
            return PH_ENOMEM;
        n->v[0] = arg;
        n->nv = 1;
    }
    *inout = n;
    return rc;
}

static int parse_subscript(parser *P, node **inout) {
    const tok *start = cur(P);
    advance(P); /* [ */
    node *parts[3] = {0};
    int nparts = 0, slice = 0, rc;
    nvec tuple = {0};
    for (;;) {
        if (is_op(cur(P), ':')) {
            slice = 1;
            if (nparts == 2)
                return fail_at(P, cur(P), "invalid slice");
            nparts++;
            advance(P);
            continue;
        }
        if (is_op(cur(P), ']') || is_op(cur(P), ','))
            break;
        if (parts[nparts])
            return unexpected(P, "']'");
        if ((rc = parse_expr(P, &parts[nparts])) < 0)
            return rc;
    }
    node *n;
    if (slice) {
        n = mk(P, E_SLICE, start);
        if (!n || !(n->v = ph__arena_calloc(&P->t->arena, 3 * sizeof(node *))))
            return PH_ENOMEM;
        memcpy(n->v, parts, sizeof(parts));
        n->nv = 3;
    } else if (is_op(cur(P), ',')) {
        node *tn = mk(P, E_TUPLE, start);
        if (!tn || !parts[0] || vpush(&tuple, parts[0]) < 0)
            return tn ? unexpected(P, "expression") : PH_ENOMEM;
        while (is_op(cur(P), ',')) {
            advance(P);
            if (is_op(cur(P), ']'))
                break;
            node *e;
            if ((rc = parse_expr(P, &e)) < 0 || (rc = vpush(&tuple, e)) < 0) {
                ph__free(tuple.v);
                return rc;
            }
        }
        tn->v = vfinish(P, &tuple, &tn->nv);
        n = mk(P, E_GETITEM, start);
        if (!n)
            return PH_ENOMEM;
        n->b = tn;
    } else {
        /* `x[]` subscripts with the empty tuple, as in Jinja2 */
        if (!parts[0] && !is_op(cur(P), ']'))
            return unexpected(P, "expression");
        n = mk(P, E_GETITEM, start);
        if (!n || (!parts[0] && !(parts[0] = mk(P, E_TUPLE, start))))
            return PH_ENOMEM;
        n->b = parts[0];
    }
    if ((rc = expect_op(P, ']')) < 0)
        return rc;
    n->a = *inout;
    *inout = n;
    return 0;
}

static int parse_postfix(parser *P, node **n) {
    for (;;) {
        const tok *t = cur(P);
        int rc = 0;
        if (is_op(t, '.')) {
            const tok *a = peek(P, 1);
            if (a->type == T_NAME) {
                node *g = mk(P, E_GETATTR, t);
                if (!g)
                    return PH_ENOMEM;
                g->name = dupname(P, a);
                g->nlen = a->n;
                g->a = *n;
                *n = g;
            } else if (a->type == T_INT) {
                node *g = mk(P, E_GETITEM, t), *k = mk(P, E_CONST, a);
                if (!g || !k)
                    return PH_ENOMEM;
                k->val = tv_int(a->i);
                g->a = *n;
                g->b = k;
                *n = g;
            } else {
                advance(P);
                return unexpected(P, "name or number");
            }
            advance(P);
            advance(P);
        } else if (is_op(t, '[')) {
            rc = parse_subscript(P, n);
        } else if (is_op(t, '(')) {
            node *c = mk(P, E_CALL, t);
            if (!c)
                return PH_ENOMEM;
            c->a = *n;
            rc = parse_call_args(P, c);
            *n = c;
        } else {
            return 0;
        }
        if (rc < 0)
            return rc;
    }
}

static int parse_unary(parser *P, int with_filter, node **out) {
    int rc;
    ENTER(P);
    const tok *t = cur(P);
    if (is_op(t, '-') || is_op(t, '+')) {
        node *n = mk(P, is_op(t, '-') ? E_NEG : E_POS, t);
        if (!n)
            return PH_ENOMEM;
        advance(P);
        if ((rc = parse_unary(P, 0, &n->a)) < 0)
            return rc;
        *out = n;
    } else if ((rc = parse_primary(P, out)) < 0) {
        return rc;
    }
    if ((rc = parse_postfix(P, out)) < 0)
        return rc;
    while (with_filter) {
        if (is_op(cur(P), '|'))
            rc = parse_filter(P, out);
        else if (is_name(cur(P), "is"))
            rc = parse_test(P, out);
        else if (is_op(cur(P), '('))
            rc = parse_postfix(P, out);
        else
            break;
        if (rc < 0)
            return rc;
    }
    P->depth--;
    return 0;
}

static int parse_list_like(parser *P, int dict, node **out) {
    node *n = mk(P, dict ? E_DICT : E_LIST, cur(P));
    if (!n)
        return PH_ENOMEM;
    int close = dict ? '}' : ']';
    advance(P);
    nvec keys = {0}, vals = {0};
    int rc = 0;
    while (!is_op(cur(P), close)) {
        if (keys.n && (rc = expect_op(P, ',')) < 0)
            goto fail;
        if (is_op(cur(P), close))
            break;
        node *k, *v;
        if ((rc = parse_expr(P, &k)) < 0 || (rc = vpush(&keys, k)) < 0)
            goto fail;
        if (dict) {
            if ((rc = expect_op(P, ':')) < 0 || (rc = parse_expr(P, &v)) < 0 ||
                (rc = vpush(&vals, v)) < 0)
                goto fail;
        }
    }
    advance(P);
    n->v = vfinish(P, &keys, &n->nv);
    n->w = vfinish(P, &vals, &n->nw);
    *out = n;
    return 0;
fail:
    ph__free(keys.v);
    ph__free(vals.v);
    return rc;
}

/* A name a statement binds (a macro, an import's alias): Jinja2's
 * constants are not names there. */
static int bound_name(parser *P) {
    const tok *t = cur(P);
    if (t->type != T_NAME)
        return unexpected(P, "name");
    static const char *const consts[] = {"true", "false", "none", "True", "False", "None"};
    for (size_t i = 0; i < sizeof(consts) / sizeof(consts[0]); i++)
        if (is_name(t, consts[i]))
            return fail_at(P, t, "can't assign to 'name'");
    return 0;
}

static int parse_primary(parser *P, node **out) {
    const tok *t = cur(P);
    node *n;
    switch (t->type) {
    case T_NAME:
        n = mk(P, E_CONST, t);
        if (!n)
            return PH_ENOMEM;
        if (is_name(t, "true") || is_name(t, "True") || is_name(t, "false") || is_name(t, "False"))
            n->val = tv_bool(t->s[0] == 't' || t->s[0] == 'T');
        else if (is_name(t, "none") || is_name(t, "None"))
            n->val = TV_MK(TV_NONE);
        else {
            n->kind = E_NAME;
            n->name = dupname(P, t);
            n->nlen = t->n;
            for (int i = 0; i < P->nmacros; i++) {
                if (is_name(t, "caller"))
                    P->macros[i]->flags |= NF_CALLER;
                else if (is_name(t, "varargs"))
                    P->macros[i]->flags |= NF_VARARGS;
                else if (is_name(t, "kwargs"))
                    P->macros[i]->flags |= NF_KWARGS;
            }
        }
        advance(P);
        break;
    case T_STRING: {
        n = mk(P, E_CONST, t);
        if (!n)
            return PH_ENOMEM;
        size_t len = 0, k = 0;
        for (const tok *s = t; s->type == T_STRING; s = peek(P, ++k))
            len += s->n;
        char *d = ph__arena_alloc(&P->t->arena, len + 1);
        if (!d)
            return PH_ENOMEM;
        len = 0;
        while (cur(P)->type == T_STRING) {
            memcpy(d + len, cur(P)->s, cur(P)->n);
            len += cur(P)->n;
            advance(P);
        }
        d[len] = 0;
        n->val = tv_str(d, len, 0);
        break;
    }
    case T_INT:
    case T_FLOAT:
        n = mk(P, E_CONST, t);
        if (!n)
            return PH_ENOMEM;
        n->val = t->type == T_INT ? tv_int(t->i) : tv_float(t->f);
        advance(P);
        break;
    case T_OP:
        if (t->op == '(') {
            advance(P);
            int rc = parse_tuple(P, 1, 1, 0, NULL, &n);
            if (rc < 0)
                return rc;
            if ((rc = expect_op(P, ')')) < 0)
                return rc;
            break;
        }
        if (t->op == '[' || t->op == '{')
            return parse_list_like(P, t->op == '{', out);
        /* fall through */
    default: {
        char got[64];
        describe(t, got, sizeof(got));
        return fail_at(P, t, "unexpected %s", got);
    }
    }
    *out = n;
    return 0;
}

static int is_tuple_end(parser *P, const char *end_name) {
    const tok *t = cur(P);
    return t->type == T_VAR_END || t->type == T_BLOCK_END || t->type == T_EOF || is_op(t, ')') ||
           (end_name && is_name(t, end_name));
}

/*
 * A comma-separated list that is a tuple when it has a comma. `end_name`
 * (for `for` targets: "in") ends it early. With explicit parentheses an empty
 * tuple is allowed.
 */
static int parse_tuple(parser *P, int with_condexpr, int explicit_parens, int simplified,
                       const char *end_name, node **out) {
    const tok *start = cur(P);
    nvec items = {0};
    int is_tuple = 0, rc = 0;
    for (;;) {
        if (items.n && (rc = expect_op(P, ',')) < 0)
            goto fail;
        if (is_tuple_end(P, end_name))
            break;
        node *e;
        if (simplified)
            rc = parse_primary(P, &e);
        else if (with_condexpr)
            rc = parse_expr(P, &e);
        else
            rc = parse_or(P, &e);
        if (rc < 0 || (rc = vpush(&items, e)) < 0)
            goto fail;
        if (is_op(cur(P), ','))
            is_tuple = 1;
        else
            break;
    }
    if (!is_tuple) {
        if (items.n) {
            *out = items.v[0];
            ph__free(items.v);
            return 0;
        }
        if (!explicit_parens) {
            char got[64];
            describe(cur(P), got, sizeof(got));
            return fail_at(P, cur(P), "Expected an expression, got %s", got);
        }
    }
    node *n = mk(P, E_TUPLE, start);
    if (!n) {
        rc = PH_ENOMEM;
        goto fail;
    }
    n->v = vfinish(P, &items, &n->nv);
    *out = n;
    return 0;
fail:
    ph__free(items.v);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Statements                                                               */
/* ------------------------------------------------------------------------ */

static int subparse(parser *P, const char *const *ends, const char *innermost, node **body);

/* Body up to one of `ends` ({% name ...), leaving the end name current. */
static int body_until(parser *P, const char *const *ends, const char *innermost, node ***v,
                      size_t *nv) {
    node *b;
    int rc = subparse(P, ends, innermost, &b);
    if (rc < 0)
        return rc;
    *v = b->v;
    *nv = b->nv;
    return 0;
}

/* Consume `name %}` (an end tag whose name is current). */
static int end_tag(parser *P) {
    advance(P);
    return expect_type(P, T_BLOCK_END);
}

/* A name, or a tuple of assignable targets: `for a, (b, c) in pairs`. */
static int assignable(const node *n) {
    if (n->kind == E_NAME)
        return 1;
    if (n->kind != E_TUPLE)
        return 0;
    for (size_t i = 0; i < n->nv; i++)
        if (!assignable(n->v[i]))
            return 0;
    return 1;
}

static int assign_target(parser *P, int ns, const char *end_name, node **out) {
    const tok *t = cur(P);
    if (ns && t->type == T_NAME && is_op(peek(P, 1), '.') && peek(P, 2)->type == T_NAME) {
        node *g = mk(P, E_GETATTR, t), *b = mk(P, E_NAME, t);
        if (!g || !b)
            return PH_ENOMEM;
        b->name = dupname(P, t);
        b->nlen = t->n;
        g->a = b;
        g->name = dupname(P, peek(P, 2));
        g->nlen = peek(P, 2)->n;
        advance(P);
        advance(P);
        advance(P);
        *out = g;
        return 0;
    }
    int rc = parse_tuple(P, 0, 0, 1, end_name, out);
    if (rc < 0)
        return rc;
    if (!assignable(*out))
        return fail_at(P, t, "can't assign to this expression");
    return 0;
}

static int parse_if(parser *P, node *n) {
    static const char *const ends[] = {"elif", "else", "endif", NULL};
    int rc;
    if ((rc = parse_tuple(P, 0, 0, 0, NULL, &n->a)) < 0 || (rc = expect_type(P, T_BLOCK_END)) < 0 ||
        (rc = body_until(P, ends, "if", &n->v, &n->nv)) < 0)
        return rc;
    if (is_name(cur(P), "elif")) {
        node *e = mk(P, N_IF, cur(P));
        if (!e || !(n->w = ph__arena_alloc(&P->t->arena, sizeof(node *))))
            return PH_ENOMEM;
        n->w[0] = e;
        n->nw = 1;
        advance(P);
        return parse_if(P, e);
    }
    if (is_name(cur(P), "else")) {
        static const char *const ends2[] = {"endif", NULL};
        if ((rc = end_tag(P)) < 0 || (rc = body_until(P, ends2, "if", &n->w, &n->nw)) < 0)
            return rc;
    }
    return end_tag(P);
}

static int parse_for(parser *P, node *n) {
    static const char *const ends[] = {"endfor", "else", NULL};
    static const char *const ends2[] = {"endfor", NULL};
    int rc;
    if ((rc = assign_target(P, 0, "in", &n->a)) < 0)
        return rc;
    check_loop_store(P, n->a);
    if (!is_name(cur(P), "in"))
        return unexpected(P, "'in'");
    advance(P);
    /* the iterable is parsed without conditional expressions: `if` filters */
    if ((rc = parse_tuple(P, 0, 0, 0, "recursive", &n->b)) < 0)
        return rc;
    if (is_name(cur(P), "if")) {
        advance(P);
        if ((rc = parse_expr(P, &n->c)) < 0)
            return rc;
    }
    if (is_name(cur(P), "recursive")) {
        n->flags |= NF_RECURSIVE;
        advance(P);
    }
    if ((rc = expect_type(P, T_BLOCK_END)) < 0 ||
        (rc = body_until(P, ends, "for", &n->v, &n->nv)) < 0)
        return rc;
    if (is_name(cur(P), "else")) {
        if ((rc = end_tag(P)) < 0 || (rc = body_until(P, ends2, "for", &n->w, &n->nw)) < 0)
            return rc;
    }
    return end_tag(P);
}

static int parse_set(parser *P, node *n) {
    int rc;
    if ((rc = assign_target(P, 1, NULL, &n->a)) < 0)
        return rc;
    check_loop_store(P, n->a);
    if (is_op(cur(P), '=')) {
        advance(P);
        if ((rc = parse_tuple(P, 1, 0, 0, NULL, &n->b)) < 0)
            return rc;
        return expect_type(P, T_BLOCK_END);
    }
    static const char *const ends[] = {"endset", NULL};
    n->kind = N_SETBLOCK;
    if (is_op(cur(P), '|') && (rc = parse_filter(P, &n->c)) < 0)
        return rc;
    if ((rc = expect_type(P, T_BLOCK_END)) < 0 ||
        (rc = body_until(P, ends, "set", &n->v, &n->nv)) < 0)
        return rc;
    return end_tag(P);
}

/* `name [= default], ...)` after '(' for macros and call blocks. */
static int parse_params(parser *P, node *n) {
    nvec defs = {0};
    const char *names[64];
    size_t np = 0;
    int rc = 0, seen_default = 0;
    advance(P); /* ( */
    while (!is_op(cur(P), ')')) {
        if (np && (rc = expect_op(P, ',')) < 0)
            goto fail;
        if (is_op(cur(P), ')'))
            break;
        if (cur(P)->type != T_NAME || np == 64) {
            rc = unexpected(P, "name");
            goto fail;
        }
        for (size_t i = 0; i < np; i++)
            if (is_name(cur(P), names[i])) {
                rc = fail_at(P, cur(P), "duplicate argument '%s' in the definition", names[i]);
                goto fail;
            }
        names[np++] = dupname(P, cur(P));
        advance(P);
        node *d = NULL;
        if (is_op(cur(P), '=')) {
            advance(P);
            if ((rc = parse_expr(P, &d)) < 0)
                goto fail;
            seen_default = 1;
        } else if (seen_default) {
            rc = fail_at(P, cur(P), "non-default argument follows default argument");
            goto fail;
        }
        if ((rc = vpush(&defs, d)) < 0)
            goto fail;
    }
    advance(P);
    n->w = vfinish(P, &defs, &n->nw);
    if (np) {
        n->kw = ph__arena_alloc(&P->t->arena, np * sizeof(char *));
        if (!n->kw)
            return PH_ENOMEM;
        memcpy(n->kw, names, np * sizeof(char *));
        /* their lengths, measured once here rather than on every call */
        n->ops = ph__arena_alloc(&P->t->arena, np * sizeof(int));
        if (!n->ops)
            return PH_ENOMEM;
        for (size_t i = 0; i < np; i++)
            n->ops[i] = (int)strlen(names[i]);
    }
    return 0;
fail:
    ph__free(defs.v);
    return rc;
}

static int parse_macro_body(parser *P, node *n, const char *end, const char *what) {
    const char *ends[] = {end, NULL};
    if (P->nmacros == PARSE_MAX_DEPTH)
        return fail_at(P, cur(P), "macros nested too deeply");
    P->macros[P->nmacros++] = n;
    int rc = expect_type(P, T_BLOCK_END);
    if (rc == 0)
        rc = body_until(P, ends, what, &n->v, &n->nv);
    P->nmacros--;
    /* A parameter named varargs or kwargs is an ordinary one: the special
     * comes only when the body uses the name and no parameter has it. One
     * named caller must have a default if the body uses caller (Jinja2's
     * compiler refuses it otherwise). */
    for (size_t i = 0; rc == 0 && n->kw && i < n->nw; i++) {
        if (strcmp(n->kw[i], "varargs") == 0)
            n->flags &= ~NF_VARARGS;
        else if (strcmp(n->kw[i], "kwargs") == 0)
            n->flags &= ~NF_KWARGS;
        else if (strcmp(n->kw[i], "caller") == 0 && (n->flags & NF_CALLER) && !n->w[i])
            compile_error(P, n->line, n->col,
                          "When defining macros or call blocks the special \"caller\" argument "
                          "must be omitted or be given a default.");
    }
    return rc < 0 ? rc : end_tag(P);
}

static int parse_macro(parser *P, node *n) {
    int rc = bound_name(P);
    if (rc < 0)
        return rc;
    n->name = dupname(P, cur(P));
    n->nlen = cur(P)->n;
    advance(P);
    if (!is_op(cur(P), '('))
        return unexpected(P, "'('");
    rc = parse_params(P, n);
    return rc < 0 ? rc : parse_macro_body(P, n, "endmacro", "macro");
}

static int parse_call_block(parser *P, node *n) {
    int rc;
    if (is_op(cur(P), '(') && (rc = parse_params(P, n)) < 0)
        return rc;
    if ((rc = parse_expr(P, &n->a)) < 0)
        return rc;
    if (n->a->kind != E_CALL)
        return fail_at(P, cur(P), "expected call");
    return parse_macro_body(P, n, "endcall", "call");
}

static int parse_context_mod(parser *P, node *n) {
    if ((is_name(cur(P), "with") || is_name(cur(P), "without")) && is_name(peek(P, 1), "context")) {
        if (is_name(cur(P), "with"))
            n->flags |= NF_WITH_CONTEXT;
        else
            n->flags &= ~NF_WITH_CONTEXT;
        advance(P);
        advance(P);
    }
    return 0;
}

static int parse_include(parser *P, node *n) {
    int rc = parse_expr(P, &n->a);
    if (rc < 0)
        return rc;
    n->flags |= NF_WITH_CONTEXT;
    if (is_name(cur(P), "ignore") && is_name(peek(P, 1), "missing")) {
        n->flags |= NF_IGNORE_MISSING;
        advance(P);
        advance(P);
    }
    parse_context_mod(P, n);
    return expect_type(P, T_BLOCK_END);
}

static int parse_import(parser *P, node *n) {
    int rc = parse_expr(P, &n->a);
    if (rc < 0)
        return rc;
    if (!is_name(cur(P), "as"))
        return unexpected(P, "'as'");
    advance(P);
    if ((rc = bound_name(P)) < 0)
        return rc;
    n->name = dupname(P, cur(P));
    n->nlen = cur(P)->n;
    advance(P);
    parse_context_mod(P, n);
    return expect_type(P, T_BLOCK_END);
}

static int parse_from(parser *P, node *n) {
    int rc = parse_expr(P, &n->a);
    if (rc < 0)
        return rc;
    if (!is_name(cur(P), "import"))
        return unexpected(P, "'import'");
    advance(P);
    nvec aliases = {0};
    const char *names[64];
    size_t nn = 0;
    for (;;) {
        if ((is_name(cur(P), "with") || is_name(cur(P), "without")) &&
            is_name(peek(P, 1), "context"))
            break;
        if (nn == 64 || (rc = bound_name(P)) < 0) {
            ph__free(aliases.v);
            return nn == 64 ? unexpected(P, "name") : rc;
        }
        if (cur(P)->s[0] == '_') {
            ph__free(aliases.v);
            return fail_at(P, cur(P), "names starting with an underline can not be imported");
        }
        names[nn++] = dupname(P, cur(P));
        node *alias = mk(P, E_NAME, cur(P));
        if (!alias)
            return PH_ENOMEM;
        alias->name = names[nn - 1];
        alias->nlen = cur(P)->n;
        advance(P);
        if (is_name(cur(P), "as")) {
            advance(P);
            if ((rc = bound_name(P)) < 0) {
                ph__free(aliases.v);
                return rc;
            }
            alias->name = dupname(P, cur(P));
            alias->nlen = cur(P)->n;
            advance(P);
        }
        if ((rc = vpush(&aliases, alias)) < 0)
            return rc;
        if (!is_op(cur(P), ','))
            break;
        advance(P);
    }
    n->w = vfinish(P, &aliases, &n->nw);
    n->kw = ph__arena_alloc(&P->t->arena, (nn ? nn : 1) * sizeof(char *));
    if (!n->kw)
        return PH_ENOMEM;
    memcpy(n->kw, names, nn * sizeof(char *));
    parse_context_mod(P, n);
    return expect_type(P, T_BLOCK_END);
}

static int parse_block(parser *P, node *n) {
    if (cur(P)->type != T_NAME)
        return unexpected(P, "block name");
    n->name = dupname(P, cur(P));
    n->nlen = cur(P)->n;
    advance(P);
    if (is_name(cur(P), "scoped")) {
        n->flags |= NF_SCOPED;
        advance(P);
    }
    if (is_name(cur(P), "required")) {
        n->flags |= NF_REQUIRED;
        advance(P);
    }
    for (size_t i = 0; i < P->nblocks; i++)
        if (strcmp(P->blocks[i]->name, n->name) == 0)
            return fail_at(P, cur(P), "block '%s' defined twice", n->name);
    node **v = ph__grow(P->blocks, &P->capblocks, P->nblocks, sizeof(node *), 8);
    if (!v)
        return PH_ENOMEM;
    P->blocks = v;
    P->blocks[P->nblocks++] = n;
    static const char *const ends[] = {"endblock", NULL};
    int rc;
    if ((rc = expect_type(P, T_BLOCK_END)) < 0 ||
        (rc = body_until(P, ends, "block", &n->v, &n->nv)) < 0)
        return rc;
    advance(P);
    if (cur(P)->type == T_NAME) {
        if (cur(P)->n != n->nlen || memcmp(cur(P)->s, n->name, n->nlen) != 0)
            return fail_at(P, cur(P), "mismatching name of block: '%s' and '%.*s'", n->name,
                           (int)(cur(P)->n > 100 ? 100 : cur(P)->n), cur(P)->s);
        advance(P);
    }
    return expect_type(P, T_BLOCK_END);
}

static int parse_with(parser *P, node *n) {
    nvec vals = {0};
    nvec targets = {0};
    int rc = 0;
    while (cur(P)->type != T_BLOCK_END) {
        if (targets.n && (rc = expect_op(P, ',')) < 0)
            goto fail;
        node *t, *v;
        if ((rc = assign_target(P, 0, NULL, &t)) < 0 || (rc = expect_op(P, '=')) < 0 ||
            (rc = parse_expr(P, &v)) < 0 || (rc = vpush(&targets, t)) < 0 ||
            (rc = vpush(&vals, v)) < 0)
            goto fail;
    }
    advance(P);
    size_t nt;
    node **tv_ = vfinish(P, &targets, &nt);
    n->w = vfinish(P, &vals, &n->nw);
    n->a = mk(P, E_TUPLE, cur(P));
    if (!n->a)
        return PH_ENOMEM;
    n->a->v = tv_;
    n->a->nv = nt;
    static const char *const ends[] = {"endwith", NULL};
    if ((rc = body_until(P, ends, "with", &n->v, &n->nv)) < 0)
        return rc;
    return end_tag(P);
fail:
    ph__free(vals.v);
    ph__free(targets.v);
    return rc;
}

static int parse_simple_body(parser *P, node *n, const char *end, const char *what) {
    const char *ends[] = {end, NULL};
    int rc;
    if ((rc = expect_type(P, T_BLOCK_END)) < 0 ||
        (rc = body_until(P, ends, what, &n->v, &n->nv)) < 0)
        return rc;
    return end_tag(P);
}

static int parse_statement(parser *P, node **out) {
    const tok *t = cur(P);
    if (t->type != T_NAME)
        return fail_at(P, t, "tag name expected");
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {
        {"if", N_IF},
        {"for", N_FOR},
        {"set", N_SET},
        {"with", N_WITH},
        {"macro", N_MACRO},
        {"call", N_CALLBLOCK},
        {"include", N_INCLUDE},
        {"import", N_IMPORT},
        {"from", N_FROMIMPORT},
        {"extends", N_EXTENDS},
        {"block", N_BLOCK},
        {"autoescape", N_AUTOESCAPE},
        {"filter", N_FILTERBLOCK},
    };
    int kind = -1;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (is_name(t, kinds[i].name))
            kind = kinds[i].kind;
    if (kind < 0)
        return fail_at(P, t, "Encountered unknown tag '%.*s'.", (int)(t->n > 60 ? 60 : t->n), t->s);
    node *n = mk(P, kind, t);
    if (!n)
        return PH_ENOMEM;
    advance(P);
    *out = n;
    if (++P->depth > PARSE_MAX_DEPTH)
        return fail_at(P, t, "statements nested too deeply");
    if (kind == N_EXTENDS && P->scoped)
        compile_error(P, t->line, t->col, "cannot use extend from a non top-level scope");
    if (kind == N_BLOCK && P->scoped)
        n->flags |= NF_NESTED;
    int scoped = kind != N_IF && kind != N_EXTENDS;
    P->scoped += scoped;
    P->in_for += kind == N_FOR;
    int rc;
    switch (kind) {
    case N_IF:
        rc = parse_if(P, n);
        break;
    case N_FOR:
        rc = parse_for(P, n);
        break;
    case N_SET:
        rc = parse_set(P, n);
        break;
    case N_WITH:
        rc = parse_with(P, n);
        break;
    case N_MACRO:
        rc = parse_macro(P, n);
        break;
    case N_CALLBLOCK:
        rc = parse_call_block(P, n);
        break;
    case N_INCLUDE:
        rc = parse_include(P, n);
        break;
    case N_IMPORT:
        rc = parse_import(P, n);
        break;
    case N_FROMIMPORT:
        rc = parse_from(P, n);
        break;
    case N_BLOCK:
        rc = parse_block(P, n);
        break;
    case N_EXTENDS:
        rc = parse_expr(P, &n->a);
        if (rc == 0)
            rc = expect_type(P, T_BLOCK_END);
        break;
    case N_AUTOESCAPE:
        rc = parse_expr(P, &n->a);
        if (rc == 0)
            rc = parse_simple_body(P, n, "endautoescape", "autoescape");
        break;
    default: /* N_FILTERBLOCK: a chain of filters over a placeholder */
    {
        node *first = mk(P, E_FILTER, cur(P));
        if (!first)
            return PH_ENOMEM;
        if (cur(P)->type != T_NAME)
            return unexpected(P, "filter name");
        first->name = dupname(P, cur(P));
        first->nlen = cur(P)->n;
        advance(P);
        if (is_op(cur(P), '(') && (rc = parse_call_args(P, first)) < 0)
            return rc;
        n->a = first;
        if ((rc = parse_filter(P, &n->a)) < 0)
            return rc;
    }
        rc = parse_simple_body(P, n, "endfilter", "filter");
        break;
    }
    P->scoped -= scoped;
    P->in_for -= kind == N_FOR;
    P->depth--;
    return rc;
}

static int is_end(const tok *t, const char *const *ends) {
    for (; ends && *ends; ends++)
        if (is_name(t, *ends))
            return 1;
    return 0;
}

static int eof_error(parser *P, const char *const *ends, const char *innermost) {
    char want[200] = "";
    size_t k = 0;
    for (; ends && *ends; ends++)
        k += (size_t)snprintf(want + k, sizeof(want) - k, "%s'%s'", k ? " or " : "", *ends);
    if (!innermost)
        return fail_at(P, cur(P), "Unexpected end of template.");
    return fail_at(P, cur(P),
                   "Unexpected end of template. Jinja was looking for the following tags: %s. "
                   "The innermost block that needs to be closed is '%s'.",
                   want, innermost);
}

static int subparse(parser *P, const char *const *ends, const char *innermost, node **body) {
    nvec v = {0};
    int rc = 0;
    node *b = mk(P, N_BODY, cur(P));
    if (!b)
        return PH_ENOMEM;
    for (;;) {
        const tok *t = cur(P);
        node *n = NULL;
        if (t->type == T_EOF) {
            if (ends) {
                rc = eof_error(P, ends, innermost);
                goto fail;
            }
            break;
        } else if (t->type == T_TEXT) {
            n = mk(P, N_TEXT, t);
            if (!n) {
                rc = PH_ENOMEM;
                goto fail;
            }
            n->val = tv_str(t->s, t->n, 0);
            advance(P);
        } else if (t->type == T_VAR_BEGIN) {
            advance(P);
            n = mk(P, N_PRINT, t);
            if (!n || (rc = parse_tuple(P, 1, 0, 0, NULL, &n->a)) < 0 ||
                (rc = expect_type(P, T_VAR_END)) < 0) {
                rc = rc ? rc : PH_ENOMEM;
                goto fail;
            }
        } else if (t->type == T_BLOCK_BEGIN) {
            advance(P);
            if (is_end(cur(P), ends))
                break;
            if (cur(P)->type == T_NAME && cur(P)->n > 3 && memcmp(cur(P)->s, "end", 3) == 0 &&
                !is_name(cur(P), "endraw")) {
                t = cur(P);
                rc = innermost ? fail_at(P, t,
                                         "Encountered unknown tag '%.*s'. The innermost block "
                                         "that needs to be closed is '%s'.",
                                         (int)(t->n > 60 ? 60 : t->n), t->s, innermost)
                               : fail_at(P, t, "Encountered unknown tag '%.*s'.",
                                         (int)(t->n > 60 ? 60 : t->n), t->s);
                goto fail;
            }
            if ((rc = parse_statement(P, &n)) < 0)
                goto fail;
        } else {
            rc = fail_at(P, t, "unexpected token");
            goto fail;
        }
        if ((rc = vpush(&v, n)) < 0)
            goto fail;
    }
    b->v = vfinish(P, &v, &b->nv);
    *body = b;
    return 0;
fail:
    ph__free(v.v);
    return rc;
}

int ph__tmpl_parse(ptmpl *t, const tokens *tk, ph_tmpl_error *err) {
    parser P = {.tk = tk, .t = t, .err = err, .name = t->name};
    int rc = subparse(&P, NULL, NULL, &t->root);
    if (rc == 0 && P.compile_error) {
        ph__tmpl_set_error(err, t->name, P.compile_line, P.compile_col, PH_ETEMPLATE, "%s",
                           P.compile_error);
        rc = PH_ETEMPLATE;
    }
    if (rc == 0 && P.nblocks) {
        t->blocks = ph__arena_alloc(&t->arena, P.nblocks * sizeof(node *));
        if (!t->blocks)
            rc = PH_ENOMEM;
        else
            memcpy(t->blocks, P.blocks, P.nblocks * sizeof(node *));
        t->nblocks = P.nblocks;
    }
    ph__free(P.blocks);
    if (rc == PH_ENOMEM)
        ph__tmpl_set_error(err, t->name, 0, 0, PH_ENOMEM, "out of memory");
    return rc;
}
