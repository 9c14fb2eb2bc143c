/*
 * The renderer: walks a compiled template's statements and writes output
 * straight into the render's buffer. It implements Jinja2's scoping (a for
 * loop, with block, macro or block body gets its own frame; if does not),
 * for loops with the `loop` object, else, inline filters and recursion,
 * set (plain, namespace attribute and block set), macros and call blocks,
 * include/import/from-import, and template inheritance (extends, blocks,
 * super(), scoped blocks) by chaining block overrides, most derived first.
 *
 * Loops do not allocate per row: the loop frame and the loop object are made
 * once per loop and their slots overwritten on each iteration. Temporaries
 * live in the render arena, released when the render ends.
 *
 * It does not evaluate expressions (eval.c) or load templates (compile.c).
 * Reference: Jinja2 3.1 "Template Designer Documentation", List of Control
 * Structures, Template Inheritance, Import Context Behavior.
 */
#include "tmpl.h"
#include "util/alloc.h"
#include "util/html.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

int ph__tmpl_rerr(rctx *r, const node *n, int code, const char *fmt, ...) {
    if (r->err && r->err->code == 0) {
        char msg[480];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        ph__tmpl_set_error(r->err, r->cur ? r->cur->name : NULL, n ? n->line : 0, n ? n->col : 0,
                           code, "%s", msg);
    }
    return code;
}

frame *ph__tmpl_frame_new(rctx *r, frame *parent, int stop) {
    /* the frame and room for four variables in one allocation */
    frame *f = ph__arena_alloc(r->a, sizeof(frame) + 4 * sizeof(struct fvar));
    if (f) {
        f->parent = parent;
        f->stop = stop;
        f->n = 0;
        f->cap = 4;
        f->vars = (struct fvar *)(f + 1);
    }
    return f;
}

/* The index of name's slot in f, appended (undefined) when f has none;
 * PH_ENOMEM when it cannot grow. */
static inline ptrdiff_t frame_slot(rctx *r, frame *f, const char *name, size_t len) {
    for (size_t i = 0; i < f->n; i++)
        if (f->vars[i].name == name || /* interned by the parser: see ph__tmpl_lookup */
            (f->vars[i].len == len && f->vars[i].name[0] == name[0] &&
             memcmp(f->vars[i].name, name, len) == 0))
            return (ptrdiff_t)i;
    if (f->n == f->cap) {
        struct fvar *nv = ph__arena_grow(r->a, f->vars, &f->cap, f->n, sizeof(*nv), 4);
        if (!nv)
            return PH_ENOMEM;
        f->vars = nv;
    }
    f->vars[f->n].name = name;
    f->vars[f->n].len = len;
    f->vars[f->n].v = tv_undef(name, len);
    return (ptrdiff_t)f->n++;
}

int ph__tmpl_frame_set(rctx *r, frame *f, const char *name, size_t len, tv v) {
    ptrdiff_t i = frame_slot(r, f, name, len);
    if (i < 0)
        return (int)i;
    f->vars[i].v = v;
    return 0;
}

/* Look a name up: one the innermost frame binds under the parser's own
 * copy of it (names are interned per template, so the pointers are equal:
 * a loop's variable) is found without a call, anything else by the whole
 * lookup. (Only here: where the name is often further out, as in a macro's
 * body, scanning the frame twice costs more than the call saves.) */
static inline int lookup_near(rctx *r, frame *f, tctx *tc, const char *name, size_t len,
                              tv *out) {
    for (size_t i = f ? f->n : 0; i-- > 0;)
        if (f->vars[i].name == name) {
            *out = f->vars[i].v;
            return 0;
        }
    return ph__tmpl_lookup(r, f, tc, name, len, out);
}

/*
 * {{ row.field }}, the print a page repeats most: when row is the app's
 * JSON object and the field a string or an integer, the value is printed
 * from the JSON itself, without entering the executor and the evaluator
 * (each a switch and a stack check) or making a value. Everything else
 * takes the general path, with the same result.
 */
static int print_attr(rctx *r, node *e, frame *f, tctx *tc) {
    tv obj, v;
    int rc = lookup_near(r, f, tc, e->a->name, e->a->nlen, &obj);
    if (rc < 0)
        return rc;
    if (obj.k == TV_JOBJ && !(e->flags & NF_DICTMETHOD)) {
        json_t *j = json_object_getn(obj.j, e->name, e->nlen);
        if (j && json_is_string(j)) {
            size_t n = json_string_length(j);
            if (n <= TV_MAX_LEN)
                return r->autoescape ? ph__html_escape_n(r->out, json_string_value(j), n)
                                     : out_put(r->out, json_string_value(j), n);
        } else if (j && json_is_integer(j)) {
            return ph__fmt_int(r->out, (int64_t)json_integer_value(j));
        }
    }
    if ((rc = ph__tmpl_getattr(r, e, obj, e->name, e->nlen, &v)) < 0)
        return rc;
    return ph__tv_output(r, e, v);
}

static int exec_list(rctx *r, node **v, size_t nv, frame *f, tctx *tc) {
    for (size_t i = 0; i < nv; i++) {
        int rc;
        node *n = v[i];
        if (n->kind == N_TEXT) /* the most common node, without a call */
            rc = r->suppress ? 0 : out_put(r->out, n->val.s, n->val.n);
        else if (n->kind == N_PRINT && n->a->kind == E_GETATTR && n->a->a->kind == E_NAME &&
                 !r->suppress)
            rc = print_attr(r, n->a, f, tc);
        else
            rc = ph__tmpl_exec(r, n, f, tc);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * Render `body` into a string value. The body renders at the end of the
 * output buffer (no buffer of its own to allocate), then its bytes move to
 * the arena and the buffer is cut back. `suppress` is what the body runs
 * with: 0 for a macro or a set block, whose output is always made; a filter
 * block keeps the statement's own (see N_FILTERBLOCK).
 */
static int capture(rctx *r, node **body, size_t nbody, frame *f, tctx *tc, int suppress,
                   tv *out) {
    int saved_suppress = r->suppress;
    size_t mark = r->out->len;
    tstream *held = ph__tmpl_hold(r);
    r->suppress = suppress;
    int rc = exec_list(r, body, nbody, f, tc);
    r->suppress = saved_suppress;
    if (rc == 0) {
        *out = ph__tv_strdup(r, r->out->data ? r->out->data + mark : "", r->out->len - mark,
                             r->autoescape);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    r->out->len = mark;
    if (r->out->data)
        r->out->data[mark] = '\0';
    ph__tmpl_unhold(held);
    return rc;
}

int ph__tmpl_capture(rctx *r, node **body, size_t nbody, frame *f, tctx *tc, tv *out) {
    return capture(r, body, nbody, f, tc, 0, out);
}

/* ------------------------------------------------------------------------ */
/* Assignment                                                               */
/* ------------------------------------------------------------------------ */

static int assign(rctx *r, node *target, tv v, frame *f, tctx *tc) {
    if (target->kind == E_NAME)
        return ph__tmpl_frame_set(r, f, target->name, target->nlen, v);
    if (target->kind == E_GETATTR) {
        tv ns;
        int rc = ph__tmpl_eval(r, target->a, f, tc, &ns);
        if (rc < 0)
            return rc;
        if (ns.k != TV_DICT || !(ns.flags & TVF_NS))
            return ph__tmpl_rerr(r, target, PH_ETEMPLATE,
                                 "cannot assign attribute on non-namespace object");
        return ph__tdict_set(r, ns.d, tv_str(target->name, target->nlen, 0), v);
    }
    /* a tuple of names: unpack */
    tv *items;
    size_t count;
    int rc = ph__tv_items(r, target, v, &items, &count);
    if (rc < 0)
        return rc;
    if (count != target->nv)
        return ph__tmpl_rerr(r, target, PH_ETEMPLATE,
                             count > target->nv
                                 ? "too many values to unpack (expected %zu)"
                                 : "not enough values to unpack (expected %zu, got %zu)",
                             target->nv, count);
    for (size_t i = 0; i < count; i++)
        if ((rc = assign(r, target->v[i], items[i], f, tc)) < 0)
            return rc;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* For loops                                                                */
/* ------------------------------------------------------------------------ */

static int run_loop(rctx *r, node *n, tv seqv, frame *f, tctx *tc, int depth) {
    tv *items = NULL, seq = seqv;
    size_t count;
    int rc;
    frame *lf = ph__tmpl_frame_new(r, f, 0);
    tloop *lp = ph__arena_calloc(r->a, sizeof(tloop));
    if (!lf || !lp)
        return PH_ENOMEM;
    if (seqv.k == TV_JARR && !n->c) {
        /* the app's JSON array is read in place: nothing to copy */
        count = json_array_size(seqv.j);
    } else {
        if ((rc = ph__tv_items(r, n->b, seqv, &items, &count)) < 0)
            return rc;
        if (n->c) { /* inline filter: `for x in xs if cond`; `loop` is not visible */
            tv *kept = ph__arena_alloc(r->a, (count ? count : 1) * sizeof(tv));
            size_t k = 0;
            if (!kept)
                return PH_ENOMEM;
            for (size_t i = 0; i < count; i++) {
                tv keep;
                if ((rc = assign(r, n->a, items[i], lf, tc)) < 0 ||
                    (rc = ph__tmpl_eval(r, n->c, lf, tc, &keep)) < 0)
                    return rc;
                if (ph__tv_truthy(keep))
                    kept[k++] = items[i];
            }
            items = kept;
            count = k;
        }
        seq = (tv){.k = TV_LIST};
        if (!(seq.l = ph__arena_alloc(r->a, sizeof(tlist))))
            return PH_ENOMEM;
        seq.l->v = items;
        seq.l->n = seq.l->cap = count;
        seq.l->pending = NULL;
        seq.l->gen_type = seq.l->gen_func = NULL;
        seq.l->kind = TL_LIST;
    }
    lp->seq = seq;
    lp->n = count;
    lp->depth = depth;
    lp->forn = n;
    lp->fr = f;
    lp->tc = tc;
    tv lv = {.k = TV_LOOP};
    lv.lp = lp;
    if ((rc = ph__tmpl_frame_set(r, lf, "loop", 4, lv)) < 0)
        return rc;
    /* `for name in ...`: the name's slot is found once, and each row only
     * overwrites it */
    ptrdiff_t slot = -1;
    if (n->a->kind == E_NAME && (slot = frame_slot(r, lf, n->a->name, n->a->nlen)) < 0)
        return (int)slot;
    /* Each row starts from the names the loop itself binds: what the body
     * sets lasts until the row ends, as in Jinja2, where `{% set x = x + i %}`
     * reads the outer x on every row (the body only appends to the frame) */
    size_t bound = lf->n;
    for (size_t i = 0; i < count; i++) {
        lp->i = i;
        lf->n = bound;
        tv item;
        if (items) {
            item = items[i];
        } else {
            json_t *j = json_array_get(seq.j, i);
            item = json_is_object(j) ? (tv){.k = TV_JOBJ, .j = j} : ph__tv_from_json(j);
        }
        if (slot >= 0)
            lf->vars[slot].v = item;
        else if ((rc = assign(r, n->a, item, lf, tc)) < 0)
            return rc;
        if ((rc = exec_list(r, n->v, n->nv, lf, tc)) < 0)
            return rc;
    }
    if (count == 0 && n->nw)
        return exec_list(r, n->w, n->nw, f, tc);
    return 0;
}

int ph__tmpl_call_loop(rctx *r, tloop *lp, targs *a, tv *out) {
    if (!(lp->forn->flags & NF_RECURSIVE) || a->npos != 1)
        return ph__tmpl_rerr(r, lp->forn, PH_ETEMPLATE, "'LoopContext' object is not callable");
    if (++r->depth > RENDER_MAX_DEPTH)
        return ph__tmpl_rerr(r, lp->forn, PH_ETEMPLATE, "maximum recursion depth exceeded");
    ph_buf tmp, *saved = r->out;
    ph__buf_init(&tmp, saved->max);
    r->out = &tmp;
    int rc = run_loop(r, lp->forn, a->pos[0], lp->fr, lp->tc, lp->depth + 1);
    r->out = saved;
    r->depth--;
    if (rc == 0) {
        *out = ph__tv_strdup(r, tmp.data ? tmp.data : "", tmp.len, r->autoescape);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(&tmp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Macros                                                                   */
/* ------------------------------------------------------------------------ */

static const char *macro_name(const tmacro *m) { return m->def->name ? m->def->name : "caller"; }

static int bind_kwargs(rctx *r, tmacro *m, targs *a, frame *mf, int *given, tdict *kwargs) {
    node *def = m->def;
    for (size_t k = 0; k < a->nkw; k++) {
        size_t i;
        for (i = 0; i < def->nw; i++)
            if (strcmp(def->kw[i], a->kwn[k]) == 0)
                break;
        int rc;
        if (i < def->nw && !given[i]) {
            given[i] = 1;
            rc = ph__tmpl_frame_set(r, mf, def->kw[i], (size_t)def->ops[i], a->kwv[k]);
        } else if (i == def->nw && strcmp(a->kwn[k], "caller") == 0 &&
                   (def->flags & NF_CALLER)) {
            rc = ph__tmpl_frame_set(r, mf, "caller", 6, a->kwv[k]);
        } else if (def->flags & NF_KWARGS) {
            /* as in Jinja2, a keyword naming a parameter already given by
             * position is not an error: it stays in kwargs */
            rc = ph__tdict_set(r, kwargs, tv_str(a->kwn[k], strlen(a->kwn[k]), 0), a->kwv[k]);
        } else if (strcmp(a->kwn[k], "caller") == 0) {
            return ph__tmpl_rerr(r, def, PH_ETEMPLATE,
                                 "macro '%s' was invoked with two values for the special caller "
                                 "argument. This is most likely a bug.",
                                 macro_name(m));
        } else {
            return ph__tmpl_rerr(r, def, PH_ETEMPLATE, "macro '%s' takes no keyword argument '%s'",
                                 macro_name(m), a->kwn[k]);
        }
        if (rc < 0)
            return rc;
    }
    return 0;
}

int ph__tmpl_call_macro(rctx *r, tmacro *m, targs *a, tv *out) {
    node *def = m->def;
    if (++r->depth > RENDER_MAX_DEPTH)
        return ph__tmpl_rerr(r, def, PH_ETEMPLATE, "maximum recursion depth exceeded");
    frame *mf = ph__tmpl_frame_new(r, m->closure, 0);
    int given_small[16] = {0};
    int *given = def->nw < 16 ? given_small : ph__arena_calloc(r->a, (def->nw + 1) * sizeof(int));
    tlist *varargs = (def->flags & NF_VARARGS) ? ph__tlist_new(r, 4) : NULL;
    tdict *kwargs = (def->flags & NF_KWARGS) ? ph__tdict_new(r, 4) : NULL;
    if (!mf || !given || ((def->flags & NF_VARARGS) && !varargs) ||
        ((def->flags & NF_KWARGS) && !kwargs))
        return PH_ENOMEM;
    int rc = 0;
    if (a->npos > def->nw && !(def->flags & NF_VARARGS))
        return ph__tmpl_rerr(r, def, PH_ETEMPLATE, "macro '%s' takes not more than %zu argument(s)",
                             macro_name(m), def->nw);
    for (size_t i = 0; rc == 0 && i < a->npos; i++) {
        if (i < def->nw) {
            given[i] = 1;
            rc = ph__tmpl_frame_set(r, mf, def->kw[i], (size_t)def->ops[i], a->pos[i]);
        } else {
            rc = ph__tlist_push(r, varargs, a->pos[i]);
        }
    }
    if (rc == 0)
        rc = bind_kwargs(r, m, a, mf, given, kwargs);
    ptmpl *saved_cur = r->cur;
    r->cur = m->owner;
    for (size_t i = 0; rc == 0 && i < def->nw; i++) {
        if (given[i])
            continue;
        size_t len = (size_t)def->ops[i];
        tv v = tv_undef(def->kw[i], len);
        if (def->w[i])
            rc = ph__tmpl_eval(r, def->w[i], mf, m->tc, &v);
        if (rc == 0)
            rc = ph__tmpl_frame_set(r, mf, def->kw[i], len, v);
    }
    if (rc == 0 && (def->flags & NF_VARARGS)) {
        tv v = {.k = TV_LIST, .flags = TVF_TUPLE};
        v.l = varargs;
        rc = ph__tmpl_frame_set(r, mf, "varargs", 7, v);
    }
    if (rc == 0 && (def->flags & NF_KWARGS)) {
        tv v = {.k = TV_DICT};
        v.d = kwargs;
        rc = ph__tmpl_frame_set(r, mf, "kwargs", 6, v);
    }
    if (rc == 0 && (def->flags & NF_CALLER)) {
        tv c;
        if (ph__tmpl_lookup(r, mf, NULL, "caller", 6, &c) == 0 && c.k == TV_UNDEF)
            rc = ph__tmpl_frame_set(r, mf, "caller", 6, m->caller);
    }
    if (rc == 0 && out)
        rc = ph__tmpl_capture(r, def->v, def->nv, mf, m->tc, out);
    else if (rc == 0)
        rc = exec_list(r, def->v, def->nv, mf, m->tc);
    r->cur = saved_cur;
    r->depth--;
    return rc;
}

static tmacro *make_macro(rctx *r, node *def, frame *f, tctx *tc) {
    tmacro *m = ph__arena_calloc(r->a, sizeof(tmacro));
    if (m) {
        m->def = def;
        m->closure = f;
        m->tc = tc;
        m->owner = r->cur;
        m->caller = tv_undef("caller", 6);
    }
    return m;
}

static int exec_callblock(rctx *r, node *n, frame *f, tctx *tc) {
    node *call = n->a;
    tv fn;
    targs a;
    int rc;
    if ((rc = ph__tmpl_eval(r, call->a, f, tc, &fn)) < 0 ||
        (rc = ph__tmpl_eval_args(r, call, f, tc, &a)) < 0)
        return rc;
    /* the body goes to the callee as the keyword argument caller, after
     * the others, as Jinja2 passes it */
    tmacro *caller = make_macro(r, n, f, tc);
    tv *kwv = ph__arena_alloc(r->a, (a.nkw + 1) * sizeof(tv));
    const char **kwn = ph__arena_alloc(r->a, (a.nkw + 1) * sizeof(char *));
    if (!caller || !kwv || !kwn)
        return PH_ENOMEM;
    if (a.nkw) {
        memcpy(kwv, a.kwv, a.nkw * sizeof(tv));
        memcpy(kwn, a.kwn, a.nkw * sizeof(char *));
    }
    kwn[a.nkw] = "caller";
    kwv[a.nkw] = (tv){.k = TV_MACRO};
    kwv[a.nkw].m = caller;
    a.kwv = kwv;
    a.kwn = kwn;
    a.nkw++;
    if (fn.k == TV_MACRO)
        return ph__tmpl_call_macro(r, fn.m, &a, NULL);
    tv out;
    rc = ph__tmpl_call(r, call, fn, &a, &out);
    return rc < 0 ? rc : ph__tv_output(r, n, out);
}

/* ------------------------------------------------------------------------ */
/* Include, import, inheritance                                             */
/* ------------------------------------------------------------------------ */

static int load(rctx *r, node *n, tv name, ptmpl **out, int ignore_missing) {
    if (name.k == TV_STR) {
        char *s = ph__arena_strndup(r->a, name.s, name.n);
        if (!s)
            return PH_ENOMEM;
        ph_tmpl_error e = {0};
        *out = ph__tmpl_get(r->env, s, &e);
        if (*out)
            return 0;
        if (e.code == PH_ENOTFOUND && ignore_missing)
            return 1;
        if (r->err && r->err->code == 0) {
            if (e.code == PH_ENOTFOUND) {
                ph__tmpl_rerr(r, n, PH_ENOTFOUND, "%s", s);
            } else {
                *r->err = e;
            }
        }
        return e.code ? e.code : PH_ETEMPLATE;
    }
    if (ph__tv_is_seq(name) && n->kind == N_INCLUDE) {
        /* a list of names to try is an include's (Jinja2's select_template);
         * import and extends take one name */
        size_t len = ph__tv_len(name);
        for (size_t i = 0; i < len; i++) {
            tv item = ph__tv_at(name, i);
            if (item.k != TV_STR)
                continue;
            int rc = load(r, n, item, out, 1);
            if (rc <= 0)
                return rc;
        }
        if (ignore_missing)
            return 1;
        ph_buf b;
        ph__buf_init(&b, 4096);
        ph__tv_repr(r, name, &b);
        int rc = ph__tmpl_rerr(r, n, PH_ENOTFOUND, "none of the templates given were found: %s",
                               b.data ? b.data : "");
        ph__buf_close(&b);
        return rc;
    }
    if (name.k == TV_UNDEF)
        return ph__tmpl_undef_error(r, n, name);
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "template name must be a string, not %s",
                         ph__tv_typename(name));
}

/* Render `t` in a fresh template context (an include or an import). */
static int render_sub(rctx *r, ptmpl *t, frame *outer, int with_context, tctx **out) {
    tctx *sub = ph__arena_calloc(r->a, sizeof(tctx));
    if (!sub)
        return PH_ENOMEM;
    sub->t = t;
    sub->ctx = with_context ? r->ctx : NULL;
    sub->root = ph__tmpl_frame_new(r, with_context ? outer : NULL, 1);
    if (!sub->root)
        return PH_ENOMEM;
    if (with_context && outer) {
        /* the includer's locals are visible, but for its loop (Jinja2 does
         * not pass it): the root holds an undefined `loop` in front of them,
         * and only stops after them */
        sub->root->stop = 0;
        sub->outer = outer;
        if (ph__tmpl_frame_set(r, sub->root, "loop", 4, tv_undef("loop", 4)) < 0)
            return PH_ENOMEM;
    }
    int saved_auto = r->autoescape;
    ptmpl *saved_cur = r->cur;
    bchain *saved_chain = r->cur_chain;
    size_t saved_index = r->cur_index;
    r->autoescape = t->autoescape;
    if (++r->depth > RENDER_MAX_DEPTH)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "maximum recursion depth exceeded");
    int rc = ph__tmpl_render_root(r, t, sub);
    r->depth--;
    r->autoescape = saved_auto;
    r->cur = saved_cur;
    r->cur_chain = saved_chain;
    r->cur_index = saved_index;
    *out = sub;
    return rc;
}

static int exec_include(rctx *r, node *n, frame *f, tctx *tc) {
    tv name;
    ptmpl *t;
    tctx *sub;
    int rc = ph__tmpl_eval(r, n->a, f, tc, &name);
    if (rc < 0)
        return rc;
    rc = load(r, n, name, &t, n->flags & NF_IGNORE_MISSING);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    return render_sub(r, t, f, (n->flags & NF_WITH_CONTEXT) != 0, &sub);
}

static int exec_import(rctx *r, node *n, frame *f, tctx *tc) {
    tv name;
    ptmpl *t;
    tctx *sub;
    int rc = ph__tmpl_eval(r, n->a, f, tc, &name);
    if (rc < 0 || (rc = load(r, n, name, &t, 0)) < 0)
        return rc;
    ph_buf sink, *saved = r->out;
    ph__buf_init(&sink, saved->max);
    r->out = &sink;
    rc = render_sub(r, t, f, (n->flags & NF_WITH_CONTEXT) != 0, &sub);
    r->out = saved;
    ph__buf_close(&sink);
    if (rc < 0)
        return rc;
    if (n->kind == N_IMPORT) {
        tdict *d = ph__tdict_new(r, sub->root->n);
        if (!d)
            return PH_ENOMEM;
        for (size_t i = 0; i < sub->root->n; i++) {
            struct fvar *x = &sub->root->vars[i];
            if (x->v.k == TV_UNDEF && x->len == 4 && memcmp(x->name, "loop", 4) == 0)
                continue; /* render_sub's stand-in for the includer's loop */
            if ((rc = ph__tdict_set(r, d, tv_str(x->name, x->len, 0), x->v)) < 0)
                return rc;
        }
        tv mod = {.k = TV_DICT, .flags = TVF_MODULE};
        mod.d = d;
        return ph__tmpl_frame_set(r, f, n->name, n->nlen, mod);
    }
    for (size_t i = 0; i < n->nw; i++) {
        const char *want = n->kw[i];
        tv v;
        if (ph__tmpl_lookup(r, sub->root, NULL, want, strlen(want), &v) < 0 || v.k == TV_UNDEF ||
            want[0] == '_') {
            /* like Jinja2: an Undefined that fails only when used */
            char *msg = ph__arena_printf(r->a,
                                         "the template '%s' (imported on line %u in '%s') does "
                                         "not export the requested name '%s'",
                                         t->name ? t->name : "<string>", n->line,
                                         r->cur && r->cur->name ? r->cur->name : "<string>", want);
            if (!msg)
                return PH_ENOMEM;
            v = tv_undef(msg, strlen(msg));
            v.flags = TVF_HINT;
        }
        if ((rc = ph__tmpl_frame_set(r, f, n->w[i]->name, n->w[i]->nlen, v)) < 0)
            return rc;
    }
    return 0;
}

static bchain *find_chain(tctx *tc, const char *name, size_t len) {
    for (size_t i = 0; i < tc->nblocks; i++)
        if (tc->blocks[i].nlen == len && memcmp(tc->blocks[i].name, name, len) == 0)
            return &tc->blocks[i];
    return NULL;
}

static int register_blocks(rctx *r, tctx *tc, ptmpl *t) {
    for (size_t i = 0; i < t->nblocks; i++) {
        node *b = t->blocks[i];
        bchain *c = find_chain(tc, b->name, b->nlen);
        if (!c) {
            bchain *nb = ph__arena_grow(r->a, tc->blocks, &tc->capblocks, tc->nblocks,
                                        sizeof(*nb), 8);
            if (!nb)
                return PH_ENOMEM;
            tc->blocks = nb;
            c = &tc->blocks[tc->nblocks++];
            memset(c, 0, sizeof(*c));
            c->name = b->name;
            c->nlen = b->nlen;
        }
        node **nv = ph__arena_alloc(r->a, (c->n + 1) * sizeof(node *));
        ptmpl **no = ph__arena_alloc(r->a, (c->n + 1) * sizeof(ptmpl *));
        if (!nv || !no)
            return PH_ENOMEM;
        if (c->n) {
            memcpy(nv, c->v, c->n * sizeof(node *));
            memcpy(no, c->owners, c->n * sizeof(ptmpl *));
        }
        nv[c->n] = b;
        no[c->n] = t;
        c->v = nv;
        c->owners = no;
        c->n++;
    }
    return 0;
}

static int render_block(rctx *r, bchain *c, size_t idx, frame *f, tctx *tc, int scoped) {
    node *b = c->v[idx];
    frame *scope = scoped ? f : tc->root, *bf = ph__tmpl_frame_new(r, scope, 0);
    if (!bf)
        return PH_ENOMEM;
    if (b->flags & NF_REQUIRED && idx == c->n - 1 && c->n == 1)
        return ph__tmpl_rerr(r, b, PH_ETEMPLATE, "Required block '%s' not found", b->name);
    bchain *saved_chain = r->cur_chain;
    size_t saved_index = r->cur_index;
    tctx *saved_tc = r->cur_tc;
    ptmpl *saved_cur = r->cur;
    frame *saved_scope = r->cur_scope;
    r->cur_chain = c;
    r->cur_index = idx;
    r->cur_tc = tc;
    r->cur = c->owners[idx];
    r->cur_scope = scope;
    int rc = exec_list(r, b->v, b->nv, bf, tc);
    r->cur_chain = saved_chain;
    r->cur_index = saved_index;
    r->cur_tc = saved_tc;
    r->cur = saved_cur;
    r->cur_scope = saved_scope;
    return rc;
}

int ph__tmpl_super(rctx *r, tv *out) {
    bchain *c = r->cur_chain;
    if (!c || r->cur_index + 1 >= c->n)
        return ph__tmpl_rerr(r, c ? c->v[r->cur_index] : NULL, PH_ETEMPLATE,
                             "there is no parent block called '%.*s'.", c ? (int)c->nlen : 0,
                             c ? c->name : "");
    ph_buf tmp, *saved = r->out;
    int saved_suppress = r->suppress;
    ph__buf_init(&tmp, saved->max);
    r->out = &tmp;
    r->suppress = 0;
    /* the parent's version sees what this one was given: a scoped block's
     * loop variables too, as Jinja2's block reference passes its context */
    int rc = render_block(r, c, r->cur_index + 1, r->cur_scope ? r->cur_scope : r->cur_tc->root,
                          r->cur_tc, 1);
    r->out = saved;
    r->suppress = saved_suppress;
    if (rc == 0) {
        *out = ph__tv_strdup(r, tmp.data ? tmp.data : "", tmp.len, r->autoescape);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(&tmp);
    return rc;
}

/* self.name(): the most derived version of block `name`, as a string. */
int ph__tmpl_self_block(rctx *r, const char *name, size_t len, tv *out) {
    tctx *tc = r->cur_tc;
    bchain *c = tc ? find_chain(tc, name, len) : NULL;
    if (!c)
        return ph__tmpl_rerr(r, NULL, PH_EUNDEFINED, "'TemplateReference' has no attribute '%.*s'",
                             (int)len, name);
    ph_buf tmp, *saved = r->out;
    int saved_suppress = r->suppress;
    ph__buf_init(&tmp, saved->max);
    r->out = &tmp;
    r->suppress = 0;
    int rc = render_block(r, c, 0, tc->root, tc, 0);
    r->out = saved;
    r->suppress = saved_suppress;
    if (rc == 0) {
        *out = ph__tv_strdup(r, tmp.data ? tmp.data : "", tmp.len, r->autoescape);
        if (out->k != TV_STR)
            rc = PH_ENOMEM;
    }
    ph__buf_close(&tmp);
    return rc;
}

int ph__tmpl_render_root(rctx *r, ptmpl *t, tctx *tc) {
    int saved_suppress = r->suppress, rc = 0;
    tctx *saved_tc = r->cur_tc;
    r->cur_tc = tc;
    for (int levels = 0; t; levels++) {
        if (levels > RENDER_MAX_DEPTH)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "too many levels of extends");
        if ((rc = register_blocks(r, tc, t)) < 0)
            break;
        r->cur = t;
        tc->t = t;
        tc->parent = NULL;
        if ((rc = exec_list(r, t->root->v, t->root->nv, tc->root, tc)) < 0)
            break;
        t = tc->parent;
        r->suppress = saved_suppress;
    }
    r->suppress = saved_suppress;
    r->cur_tc = saved_tc;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Statements                                                               */
/* ------------------------------------------------------------------------ */

static int exec_setblock(rctx *r, node *n, frame *f, tctx *tc) {
    tv v;
    int rc = ph__tmpl_capture(r, n->v, n->nv, f, tc, &v);
    if (rc == 0 && n->c) {
        r->filter_input = v;
        rc = ph__tmpl_eval(r, n->c, f, tc, &v);
    }
    return rc < 0 ? rc : assign(r, n->a, v, f, tc);
}

static int exec_with(rctx *r, node *n, frame *f, tctx *tc) {
    frame *wf = ph__tmpl_frame_new(r, f, 0);
    if (!wf)
        return PH_ENOMEM;
    for (size_t i = 0; i < n->nw; i++) {
        tv v;
        int rc = ph__tmpl_eval(r, n->w[i], f, tc, &v);
        if (rc < 0 || (rc = assign(r, n->a->v[i], v, wf, tc)) < 0)
            return rc;
    }
    return exec_list(r, n->v, n->nv, wf, tc);
}

static int exec_extends(rctx *r, node *n, frame *f, tctx *tc) {
    if (tc->parent)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "extended multiple times");
    tv name;
    int rc = ph__tmpl_eval(r, n->a, f, tc, &name);
    if (rc < 0 || (rc = load(r, n, name, &tc->parent, 0)) < 0)
        return rc;
    r->suppress = 1;
    return 0;
}

int ph__tmpl_exec(rctx *r, node *n, frame *f, tctx *tc) {
    tv v;
    int rc;
    if (stack_exhausted(r->stack_base))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "template nested too deeply");
    switch (n->kind) {
    case N_TEXT:
        return r->suppress ? 0 : out_put(r->out, n->val.s, n->val.n);
    case N_PRINT:
        /* after extends, Jinja2 does not even evaluate what it would print */
        if (r->suppress)
            return 0;
        if (n->a->kind == E_CALL) {
            /* {{ macro(...) }}: the body renders straight into the output,
             * which prints the same bytes as capturing it first */
            targs args;
            if ((rc = ph__tmpl_eval(r, n->a->a, f, tc, &v)) < 0 ||
                (rc = ph__tmpl_eval_args(r, n->a, f, tc, &args)) < 0)
                return rc;
            if (v.k == TV_MACRO)
                return ph__tmpl_call_macro(r, v.m, &args, NULL);
            if ((rc = ph__tmpl_call(r, n->a, v, &args, &v)) < 0)
                return rc;
            return ph__tv_output(r, n->a, v);
        }
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &v)) < 0)
            return rc;
        return ph__tv_output(r, n->a, v);
    case N_IF:
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &v)) < 0 ||
            (rc = ph__tmpl_check_undef(r, n->a, v)) < 0)
            return rc;
        if (ph__tv_truthy(v))
            return exec_list(r, n->v, n->nv, f, tc);
        return exec_list(r, n->w, n->nw, f, tc);
    case N_FOR:
        if ((rc = ph__tmpl_eval(r, n->b, f, tc, &v)) < 0)
            return rc;
        return run_loop(r, n, v, f, tc, 1);
    case N_SET:
        if ((rc = ph__tmpl_eval(r, n->b, f, tc, &v)) < 0)
            return rc;
        return assign(r, n->a, v, f, tc);
    case N_SETBLOCK:
        return exec_setblock(r, n, f, tc);
    case N_WITH:
        return exec_with(r, n, f, tc);
    case N_MACRO: {
        tmacro *m = make_macro(r, n, f, tc);
        if (!m)
            return PH_ENOMEM;
        v = (tv){.k = TV_MACRO};
        v.m = m;
        return ph__tmpl_frame_set(r, f, n->name, n->nlen, v);
    }
    case N_CALLBLOCK:
    case N_INCLUDE: {
        /* Jinja2 skips only plain output after extends: an include and a
         * call block still write, before the parent's output */
        int saved_suppress = r->suppress;
        r->suppress = 0;
        rc = n->kind == N_INCLUDE ? exec_include(r, n, f, tc) : exec_callblock(r, n, f, tc);
        r->suppress = saved_suppress;
        return rc;
    }
    case N_IMPORT:
    case N_FROMIMPORT:
        return exec_import(r, n, f, tc);
    case N_EXTENDS:
        return exec_extends(r, n, f, tc);
    case N_BLOCK: {
        /* after extends, Jinja2 skips a block at the top level (the parent
         * places it) but renders one inside a loop, a with or a macro where
         * it stands, ahead of the parent's output */
        if (r->suppress && !(n->flags & NF_NESTED))
            return 0;
        int saved_suppress = r->suppress;
        r->suppress = 0;
        bchain *c = find_chain(tc, n->name, n->nlen);
        rc = c ? render_block(r, c, 0, f, tc, (n->flags & NF_SCOPED) != 0)
               : exec_list(r, n->v, n->nv, f, tc);
        r->suppress = saved_suppress;
        return rc;
    }
    case N_AUTOESCAPE: {
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &v)) < 0)
            return rc;
        /* a scope of its own, as Jinja2 wraps the block in one: what it
         * sets is gone after it */
        frame *inner = ph__tmpl_frame_new(r, f, 0);
        if (!inner)
            return PH_ENOMEM;
        int saved = r->autoescape;
        r->autoescape = ph__tv_truthy(v);
        rc = exec_list(r, n->v, n->nv, inner, tc);
        r->autoescape = saved;
        return rc;
    }
    case N_FILTERBLOCK: {
        /* the body runs as the statement does (after extends its plain
         * output is skipped), and the filtered text is written even then,
         * as Jinja2 does */
        int saved_suppress = r->suppress;
        frame *inner = ph__tmpl_frame_new(r, f, 0); /* a scope of its own, as in Jinja2 */
        if (!inner)
            return PH_ENOMEM;
        if ((rc = capture(r, n->v, n->nv, inner, tc, saved_suppress, &v)) < 0)
            return rc;
        r->filter_input = v;
        if ((rc = ph__tmpl_eval(r, n->a, f, tc, &v)) < 0)
            return rc;
        r->suppress = 0;
        rc = ph__tv_output(r, n, v);
        r->suppress = saved_suppress;
        return rc;
    }
    case N_BODY:
        return exec_list(r, n->v, n->nv, f, tc);
    default:
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "unknown statement");
    }
}
