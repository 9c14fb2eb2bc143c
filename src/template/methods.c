/*
 * Methods and builtin globals: what `obj.name` finds before dict keys (the
 * str, dict and list methods Jinja2 templates call: `.upper()`, `.items()`,
 * `.get()`, `.split()`, ...), the `loop` object's attributes, and the global
 * functions every template sees (range, dict, namespace, cycler, joiner,
 * super) plus the bridge to C functions registered by the app.
 *
 * Reference: Jinja2 3.1 "List of Global Functions" and "Python Methods";
 * Python's str/dict/list documentation for each method's behaviour.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <string.h>

static int bind(rctx *r, tv self, const char *name, tfunc_fn fn, tv *out) {
    tfunc *f = ph__arena_calloc(r->a, sizeof(tfunc));
    if (!f)
        return PH_ENOMEM;
    f->fn = fn;
    f->self = self;
    f->name = name;
    *out = (tv){.k = TV_FUNC};
    out->fn = f;
    return 1;
}

static tv mklist(tlist *l, int flags) {
    tv v = {.k = TV_LIST, .flags = (uint8_t)flags};
    v.l = l;
    return v;
}

/* ------------------------------------------------------------------------ */
/* dict and list methods                                                    */
/* ------------------------------------------------------------------------ */

static int dict_view(rctx *r, tfunc *self, targs *a, tv *out, int which) {
    tv d = self->self;
    size_t n = ph__tv_len(d);
    tlist *l = ph__tlist_new(r, n);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        tv k, v;
        if (d.k == TV_DICT) {
            k = d.d->k[i];
            v = d.d->v[i];
        } else {
            continue;
        }
        tv item = which == 0 ? k : v;
        if (which == 2) {
            tlist *p = ph__tlist_new(r, 2);
            if (!p)
                return PH_ENOMEM;
            p->v[0] = k;
            p->v[1] = v;
            p->n = 2;
            item = mklist(p, TVF_TUPLE);
        }
        l->v[l->n++] = item;
    }
    if (d.k == TV_JOBJ) {
        const char *key;
        json_t *val;
        json_object_foreach(d.j, key, val) {
            tv k = tv_str(key, strlen(key), 0), v = ph__tv_from_json(val),
               item = which == 0 ? k : v;
            if (which == 2) {
                tlist *p = ph__tlist_new(r, 2);
                if (!p)
                    return PH_ENOMEM;
                p->v[0] = k;
                p->v[1] = v;
                p->n = 2;
                item = mklist(p, TVF_TUPLE);
            }
            l->v[l->n++] = item;
        }
    }
    *out = mklist(l, 0);
    return 0;
}

/* keys(), values() and items(): lists that print and compare as Python's views */
static int view(rctx *r, tfunc *s, targs *a, tv *out, int which) {
    int rc = dict_view(r, s, a, out, which);
    if (rc == 0)
        out->l->kind = (uint8_t)(TL_KEYS + which);
    return rc;
}

static int m_keys(rctx *r, tfunc *s, targs *a, tv *out) { return view(r, s, a, out, 0); }
static int m_values(rctx *r, tfunc *s, targs *a, tv *out) { return view(r, s, a, out, 1); }
static int m_items(rctx *r, tfunc *s, targs *a, tv *out) { return view(r, s, a, out, 2); }

int ph__tmpl_dict_items(rctx *r, tv d, tv *out) {
    tfunc f = {.self = d};
    return dict_view(r, &f, NULL, out, 2);
}

static int m_get(rctx *r, tfunc *s, targs *a, tv *out) {
    tv key, def = TV_MK(TV_NONE);
    if (!ph__tmpl_arg(a, 0, "key", &key))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "get expected at least 1 argument, got 0");
    ph__tmpl_arg(a, 1, "default", &def);
    if (!ph__tdict_get(s->self, key, out))
        *out = def;
    return 0;
}

static int m_count(rctx *r, tfunc *s, targs *a, tv *out) {
    tv x;
    if (!ph__tmpl_arg(a, 0, NULL, &x))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "count() takes exactly one argument (0 given)");
    size_t n = ph__tv_len(s->self);
    int64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ph__tv_eq(ph__tv_at(s->self, i), x);
    *out = tv_int(c);
    return 0;
}

static int m_index(rctx *r, tfunc *s, targs *a, tv *out) {
    tv x;
    if (!ph__tmpl_arg(a, 0, NULL, &x))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "index expected at least 1 argument, got 0");
    size_t n = ph__tv_len(s->self);
    for (size_t i = 0; i < n; i++)
        if (ph__tv_eq(ph__tv_at(s->self, i), x)) {
            *out = tv_int((int64_t)i);
            return 0;
        }
    return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "value is not in list");
}

static int m_append(rctx *r, tfunc *s, targs *a, tv *out) {
    tv x;
    if (!ph__tmpl_arg(a, 0, NULL, &x) || s->self.k != TV_LIST)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "append() takes exactly one argument");
    *out = TV_MK(TV_NONE);
    return ph__tlist_push(r, s->self.l, x);
}

/* list.copy(), of a template list or the app's JSON array */
static int m_copy(rctx *r, tfunc *s, targs *a, tv *out) {
    size_t n = ph__tv_len(s->self);
    tlist *l = ph__tlist_new(r, n);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < n; i++)
        l->v[l->n++] = ph__tv_at(s->self, i);
    *out = (tv){.k = TV_LIST};
    out->l = l;
    return 0;
}

/* pop, extend, insert, remove, clear and reverse on a list the template
 * made (the app's JSON is never changed) */
static int m_list_edit(rctx *r, tfunc *s, targs *a, tv *out) {
    const char *m = s->name;
    if (s->self.k != TV_LIST)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s(): this list cannot be changed", m);
    tlist *l = s->self.l;
    tv x;
    int have = ph__tmpl_arg(a, 0, NULL, &x);
    *out = TV_MK(TV_NONE);
    if (!strcmp(m, "pop") || !strcmp(m, "insert")) {
        int ins = m[0] == 'i';
        int64_t i = ins ? 0 : -1;
        if (have && x.k != TV_INT && x.k != TV_BOOL)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                                 "'%s' object cannot be interpreted as an integer",
                                 ph__tv_typename(x));
        if (have)
            i = x.i;
        if (ins) {
            tv y;
            if (!have || !ph__tmpl_arg(a, 1, NULL, &y))
                return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "insert expected 2 arguments");
            /* Python clamps the position into the list */
            int64_t n = (int64_t)l->n, at = i < 0 ? (i + n < 0 ? 0 : i + n) : (i > n ? n : i);
            int rc = ph__tlist_push(r, l, y);
            if (rc == 0) {
                memmove(l->v + at + 1, l->v + at, (size_t)(n - at) * sizeof(tv));
                l->v[at] = y;
            }
            return rc;
        }
        if (!l->n)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "pop from empty list");
        if (i < 0)
            i += (int64_t)l->n;
        if (i < 0 || (size_t)i >= l->n)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "pop index out of range");
        *out = l->v[i];
        memmove(l->v + i, l->v + i + 1, (l->n - (size_t)i - 1) * sizeof(tv));
        l->n--;
        return 0;
    }
    if (!strcmp(m, "extend")) {
        tv *items;
        size_t count;
        int rc = have ? ph__tv_items(r, NULL, x, &items, &count)
                      : ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "extend() takes exactly one argument");
        for (size_t i = 0; rc == 0 && i < count; i++)
            rc = ph__tlist_push(r, l, items[i]);
        return rc;
    }
    if (!strcmp(m, "remove")) {
        for (size_t i = 0; have && i < l->n; i++)
            if (ph__tv_eq(l->v[i], x)) {
                memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(tv));
                l->n--;
                return 0;
            }
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "list.remove(x): x not in list");
    }
    if (!strcmp(m, "clear")) {
        l->n = 0;
        return 0;
    }
    ph__tlist_reverse(l); /* reverse */
    return 0;
}

static int m_update(rctx *r, tfunc *s, targs *a, tv *out) {
    int rc = 0;
    *out = TV_MK(TV_NONE);
    if (s->self.k != TV_DICT)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "this dict cannot be updated");
    /* the mapping first, then the keywords, as Python's dict.update */
    if (a->npos) {
        tv items;
        tfunc f = {.self = a->pos[0]};
        if ((rc = dict_view(r, &f, NULL, &items, 2)) < 0)
            return rc;
        for (size_t i = 0; rc == 0 && i < items.l->n; i++)
            rc = ph__tdict_set(r, s->self.d, items.l->v[i].l->v[0], items.l->v[i].l->v[1]);
    }
    for (size_t i = 0; rc == 0 && i < a->nkw; i++)
        rc = ph__tdict_set(r, s->self.d, tv_str(a->kwn[i], strlen(a->kwn[i]), 0), a->kwv[i]);
    return rc;
}

/* copy, pop, popitem, setdefault and clear: the dicts the template makes
 * change; the app's JSON never does (a copy is a template dict) */
static int m_dict_copy(rctx *r, tfunc *s, targs *a, tv *out) {
    tdict *d = ph__tdict_new(r, ph__tv_len(s->self));
    if (!d)
        return PH_ENOMEM;
    *out = (tv){.k = TV_DICT};
    out->d = d;
    tfunc upd = {.self = *out};
    targs one = {.pos = &s->self, .npos = 1};
    (void)a;
    return m_update(r, &upd, &one, &(tv){0});
}

/* Where key is in d, a dict the template made: 0 with *at its index (-1
 * when absent); an error for an unhashable key or the app's JSON. */
static int find_key(rctx *r, tv d, tv key, const char *method, ptrdiff_t *at) {
    const char *bad = ph__tv_unhashable(key);
    if (bad)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "unhashable type: '%s'", bad);
    if (d.k != TV_DICT)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s: this dict cannot be updated", method);
    *at = ph__tdict_index(d.d, key);
    return 0;
}

static void remove_at(tdict *d, size_t i) {
    memmove(d->k + i, d->k + i + 1, (d->n - i - 1) * sizeof(tv));
    memmove(d->v + i, d->v + i + 1, (d->n - i - 1) * sizeof(tv));
    d->n--;
}

static int m_dict_pop(rctx *r, tfunc *s, targs *a, tv *out) {
    tv key, def;
    if (!ph__tmpl_arg(a, 0, NULL, &key))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "pop expected at least 1 argument, got 0");
    int have_def = ph__tmpl_arg(a, 1, NULL, &def);
    if (s->self.k == TV_JOBJ && ph__tdict_get(s->self, key, out) == 0 && have_def) {
        *out = def; /* nothing to remove from the app's JSON */
        return 0;
    }
    ptrdiff_t i = -1; /* set by find_key when it succeeds; GCC cannot see that */
    int rc = find_key(r, s->self, key, "pop", &i);
    if (rc < 0)
        return rc;
    if (i < 0) {
        if (!have_def)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "KeyError: pop of a missing key");
        *out = def;
        return 0;
    }
    *out = s->self.d->v[i];
    remove_at(s->self.d, (size_t)i);
    return 0;
}

static int m_dict_popitem(rctx *r, tfunc *s, targs *a, tv *out) {
    (void)a;
    if (s->self.k != TV_DICT)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "popitem: this dict cannot be updated");
    tdict *d = s->self.d;
    if (!d->n)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "KeyError: 'popitem(): dictionary is empty'");
    tlist *p = ph__tlist_new(r, 2);
    if (!p)
        return PH_ENOMEM;
    p->v[0] = d->k[d->n - 1];
    p->v[1] = d->v[d->n - 1];
    p->n = 2;
    *out = mklist(p, TVF_TUPLE);
    d->n--;
    return 0;
}

static int m_dict_setdefault(rctx *r, tfunc *s, targs *a, tv *out) {
    tv key, def = TV_MK(TV_NONE);
    if (!ph__tmpl_arg(a, 0, NULL, &key))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                             "setdefault expected at least 1 argument, got 0");
    ph__tmpl_arg(a, 1, NULL, &def);
    if (s->self.k == TV_JOBJ && ph__tdict_get(s->self, key, out)) /* present: nothing changes */
        return 0;
    ptrdiff_t i = -1; /* set by find_key when it succeeds; GCC cannot see that */
    int rc = find_key(r, s->self, key, "setdefault", &i);
    if (rc < 0)
        return rc;
    *out = i >= 0 ? s->self.d->v[i] : def;
    return i >= 0 ? 0 : ph__tdict_set(r, s->self.d, key, def);
}

static int m_dict_clear(rctx *r, tfunc *s, targs *a, tv *out) {
    (void)a;
    if (s->self.k != TV_DICT)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "clear: this dict cannot be updated");
    s->self.d->n = 0;
    *out = TV_MK(TV_NONE);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* loop                                                                     */
/* ------------------------------------------------------------------------ */

static int m_cycle(rctx *r, tfunc *s, targs *a, tv *out) {
    if (!a->npos)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "no items for cycling given");
    *out = a->pos[s->self.lp->i % a->npos];
    return 0;
}

static int m_changed(rctx *r, tfunc *s, targs *a, tv *out) {
    tloop *lp = s->self.lp;
    tlist *l = ph__tlist_new(r, a->npos + 1);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < a->npos; i++)
        l->v[l->n++] = a->pos[i];
    tv now = mklist(l, 0);
    int changed = !lp->changed_set || !ph__tv_eq(now, lp->last_changed);
    lp->last_changed = now;
    lp->changed_set = 1;
    *out = tv_bool(changed);
    return 0;
}

/* A macro's attributes, as Jinja2's Macro object has them: name (None for
 * a call block's body), arguments, catch_kwargs, catch_varargs, caller.
 * Returns 1 when `name` is one of them. */
static int macro_attr(rctx *r, tv obj, const char *name, size_t len, tv *out) {
    const node *def = obj.m->def;
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    if (IS("name")) {
        *out = def->name ? tv_str(def->name, def->nlen, 0) : TV_MK(TV_NONE);
    } else if (IS("arguments")) {
        tlist *l = ph__tlist_new(r, def->nw + 1);
        if (!l)
            return PH_ENOMEM;
        for (size_t i = 0; i < def->nw; i++)
            l->v[l->n++] = tv_str(def->kw[i], (size_t)def->ops[i], 0);
        *out = (tv){.k = TV_LIST, .flags = TVF_TUPLE};
        out->l = l;
    } else if (IS("catch_kwargs")) {
        *out = tv_bool(def->flags & NF_KWARGS);
    } else if (IS("catch_varargs")) {
        *out = tv_bool(def->flags & NF_VARARGS);
    } else if (IS("caller")) {
        *out = tv_bool(def->flags & NF_CALLER);
    } else {
        return 0;
    }
#undef IS
    return 1;
}

static int loop_attr(rctx *r, tv obj, const char *name, size_t len, tv *out) {
    tloop *lp = obj.lp;
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    if (IS("index"))
        *out = tv_int((int64_t)lp->i + 1);
    else if (IS("index0"))
        *out = tv_int((int64_t)lp->i);
    else if (IS("revindex"))
        *out = tv_int((int64_t)(lp->n - lp->i));
    else if (IS("revindex0"))
        *out = tv_int((int64_t)(lp->n - lp->i - 1));
    else if (IS("first"))
        *out = tv_bool(lp->i == 0);
    else if (IS("last"))
        *out = tv_bool(lp->i + 1 == lp->n);
    else if (IS("length"))
        *out = tv_int((int64_t)lp->n);
    else if (IS("depth"))
        *out = tv_int(lp->depth);
    else if (IS("depth0"))
        *out = tv_int(lp->depth - 1);
    else if (IS("previtem")) {
        if (lp->i == 0) {
            *out = tv_undef("there is no previous item", 25);
            out->flags = TVF_HINT;
        } else
            *out = ph__tv_at(lp->seq, lp->i - 1);
    } else if (IS("nextitem")) {
        if (lp->i + 1 >= lp->n) {
            *out = tv_undef("there is no next item", 21);
            out->flags = TVF_HINT;
        } else
            *out = ph__tv_at(lp->seq, lp->i + 1);
    } else if (IS("cycle"))
        return bind(r, obj, "cycle", m_cycle, out);
    else if (IS("changed"))
        return bind(r, obj, "changed", m_changed, out);
    else
        return 0;
    return 1;
#undef IS
}

/* ------------------------------------------------------------------------ */
/* cycler and joiner                                                        */
/* ------------------------------------------------------------------------ */

static int m_cycler_next(rctx *r, tfunc *s, targs *a, tv *out) {
    tfunc *c = s->self.fn;
    tlist *items = c->self.l;
    if (!items->n)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "cycler needs at least one item");
    *out = items->v[c->state % (int64_t)items->n];
    c->state = (c->state + 1) % (int64_t)items->n;
    return 0;
}

static int m_cycler_reset(rctx *r, tfunc *s, targs *a, tv *out) {
    s->self.fn->state = 0;
    *out = TV_MK(TV_NONE);
    return 0;
}

static int m_joiner(rctx *r, tfunc *s, targs *a, tv *out) {
    if (!s->state) {
        s->state = 1;
        *out = tv_str("", 0, 0);
        return 0;
    }
    *out = s->self;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                 */
/* ------------------------------------------------------------------------ */

static int g_self(rctx *r, tfunc *s, targs *a, tv *out);
static int m_self_block(rctx *r, tfunc *s, targs *a, tv *out);

/* Markup's own methods: unescape() and striptags(), which return plain text */
static int no_args(rctx *r, const char *name, targs *a) {
    return a && (a->npos || a->nkw)
               ? ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s() takes no arguments", name)
               : 0;
}

static int m_unescape(rctx *r, tfunc *s, targs *a, tv *out) {
    int rc = no_args(r, "unescape", a);
    if (rc < 0)
        return rc;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    if ((rc = ph__tmpl_html_unescape(&b, s->self.s, s->self.n)) == 0) {
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, 0);
        rc = out->k == TV_STR ? 0 : PH_ENOMEM;
    }
    ph__buf_close(&b);
    return rc;
}

static int m_striptags(rctx *r, tfunc *s, targs *a, tv *out) {
    int rc = no_args(r, "striptags", a);
    return rc < 0 ? rc : ph__tmpl_striptags(r, NULL, s->self, out);
}

/* A dict's methods: the one list that method lookup and the compiler's
 * marking of `x.name` as a method (NF_DICTMETHOD) both read. */
static const struct dict_method {
    const char *name;
    tfunc_fn fn;
} dict_methods[] = {
    {"items", m_items},         {"keys", m_keys},         {"values", m_values},
    {"get", m_get},             {"update", m_update},     {"copy", m_dict_copy},
    {"pop", m_dict_pop},        {"popitem", m_dict_popitem}, {"setdefault", m_dict_setdefault},
    {"clear", m_dict_clear},
};

static const struct dict_method *dict_method(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof(dict_methods) / sizeof(dict_methods[0]); i++)
        if (ph__name_is(dict_methods[i].name, name, len))
            return &dict_methods[i];
    return NULL;
}

int ph__tmpl_is_dict_method(const char *name, size_t len) { return dict_method(name, len) != NULL; }

int ph__tmpl_method(rctx *r, const node *n, tv obj, const char *name, size_t len, tv *out) {
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    switch (obj.k) {
    case TV_INT:
    case TV_BOOL:
    case TV_FLOAT:
        /* Python's number attributes (a bool is an int) */
        if (IS("real") || IS("numerator")) {
            if (obj.k == TV_FLOAT && IS("numerator"))
                return 0;
            *out = obj.k == TV_FLOAT ? tv_float(obj.f) : tv_int(obj.i);
            return 1;
        }
        if (IS("imag") || IS("denominator")) {
            if (obj.k == TV_FLOAT && IS("denominator"))
                return 0;
            *out = obj.k == TV_FLOAT ? tv_float(0.0) : tv_int(IS("imag") ? 0 : 1);
            return 1;
        }
        return 0;
    case TV_LOOP:
        return loop_attr(r, obj, name, len, out);
    case TV_MACRO:
        return macro_attr(r, obj, name, len, out);
    case TV_STR: {
        tfunc_fn fn;
        const char *sname;
        if (obj.safe && IS("unescape"))
            return bind(r, obj, "unescape", m_unescape, out);
        if (obj.safe && IS("striptags"))
            return bind(r, obj, "striptags", m_striptags, out);
        if (!ph__tmpl_str_method(name, len, &fn, &sname))
            return 0;
        tfunc_fn method = fn;
        if (!obj.safe || !ph__tmpl_markup_method(sname, &fn))
            return bind(r, obj, sname, fn, out);
        if (bind(r, obj, sname, fn, out) < 0)
            return PH_ENOMEM;
        out->fn->inner = method; /* the wrapper escapes the arguments, then calls it */
        return 1;
    }
    case TV_JOBJ:
    case TV_DICT: {
        if (obj.flags & (TVF_NS | TVF_MODULE))
            return 0;
        const struct dict_method *dm = dict_method(name, len);
        return dm ? bind(r, obj, dm->name, dm->fn, out) : 0;
    }
    case TV_LIST:
    case TV_JARR:
        if (obj.flags & TVF_GEN) /* a generator has no list methods */
            return 0;
        if (IS("count"))
            return bind(r, obj, "count", m_count, out);
        if (IS("index"))
            return bind(r, obj, "index", m_index, out);
        if ((obj.flags & TVF_TUPLE) || tl_kind(obj) == TL_RANGE)
            return 0; /* a tuple or a range: nothing else */
        if (IS("append"))
            return bind(r, obj, "append", m_append, out);
        if (IS("copy"))
            return bind(r, obj, "copy", m_copy, out);
        static const char *const edits[] = {"pop", "extend", "insert", "remove", "clear",
                                            "reverse"};
        for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++)
            if (ph__name_is(edits[i], name, len))
                return bind(r, obj, edits[i], m_list_edit, out);
        return 0;
    case TV_FUNC:
        if (obj.fn->fn == g_self)
            return bind(r, tv_str(name, len, 0), "block", m_self_block, out);
        if (obj.fn->fn == m_cycler_next) {
            if (IS("next"))
                return bind(r, obj, "next", m_cycler_next, out);
            if (IS("reset"))
                return bind(r, obj, "reset", m_cycler_reset, out);
            if (IS("current")) {
                tlist *items = obj.fn->self.l;
                *out = items->n ? items->v[obj.fn->state % (int64_t)items->n] : TV_MK(TV_NONE);
                return 1;
            }
        }
        return 0;
    default:
        return 0;
    }
#undef IS
}

/* ------------------------------------------------------------------------ */
/* Builtin globals                                                          */
/* ------------------------------------------------------------------------ */

static int g_range(rctx *r, tfunc *s, targs *a, tv *out) {
    int64_t start = 0, stop, step = 1;
    for (size_t i = 0; i < a->npos; i++)
        if (a->pos[i].k != TV_INT && a->pos[i].k != TV_BOOL)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                                 "'%s' object cannot be interpreted as an integer",
                                 ph__tv_typename(a->pos[i]));
    if (a->npos == 1) {
        stop = a->pos[0].i;
    } else if (a->npos == 2 || a->npos == 3) {
        start = a->pos[0].i;
        stop = a->pos[1].i;
        if (a->npos == 3)
            step = a->pos[2].i;
    } else {
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "range expected 1 to 3 arguments, got %zu",
                             a->npos);
    }
    if (step == 0)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "range() arg 3 must not be zero");
    int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                             : (start > stop ? (start - stop - step - 1) / -step : 0);
    if (count > 10000000)
        return ph__tmpl_rerr(r, NULL, PH_ETOOBIG, "range too big");
    tlist *l = ph__tlist_new(r, (size_t)count);
    if (!l)
        return PH_ENOMEM;
    for (int64_t i = 0; i < count; i++)
        l->v[l->n++] = tv_int(start + i * step);
    l->kind = TL_RANGE; /* a range prints as one, not as its numbers */
    l->start = start;
    l->stop = stop;
    l->step = step;
    *out = mklist(l, 0);
    return 0;
}

static int g_dict(rctx *r, tfunc *s, targs *a, tv *out) {
    tdict *d = ph__tdict_new(r, a->nkw);
    if (!d)
        return PH_ENOMEM;
    /* dict() and namespace() both make a dict; state marks the namespace */
    *out = (tv){.k = TV_DICT, .flags = (uint8_t)s->state};
    out->d = d;
    tfunc upd = {.self = *out};
    targs a2 = *a;
    return m_update(r, &upd, &a2, &(tv){0});
}

static int g_cycler(rctx *r, tfunc *s, targs *a, tv *out) {
    tlist *l = ph__tlist_new(r, a->npos);
    if (!l)
        return PH_ENOMEM;
    for (size_t i = 0; i < a->npos; i++)
        l->v[l->n++] = a->pos[i];
    tv items = mklist(l, 0);
    if (bind(r, items, "cycler", m_cycler_next, out) < 0)
        return PH_ENOMEM;
    out->fn->repr = "jinja2.utils.Cycler object";
    out->fn->repr_at = 1;
    return 0;
}

static int g_joiner(rctx *r, tfunc *s, targs *a, tv *out) {
    tv sep = tv_str(", ", 2, 0);
    ph__tmpl_arg(a, 0, "sep", &sep);
    if (bind(r, sep, "joiner", m_joiner, out) < 0)
        return PH_ENOMEM;
    out->fn->repr = "jinja2.utils.Joiner object";
    out->fn->repr_at = 1;
    return 0;
}

static int g_super(rctx *r, tfunc *s, targs *a, tv *out) { return ph__tmpl_super(r, out); }

static int g_self(rctx *r, tfunc *s, targs *a, tv *out) {
    return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "'TemplateReference' object is not callable");
}

static int m_self_block(rctx *r, tfunc *s, targs *a, tv *out) {
    return ph__tmpl_self_block(r, s->self.s, s->self.n, out);
}

int ph__tmpl_builtin_global(rctx *r, const char *name, size_t len, tv *out) {
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    tfunc_fn fn = NULL;
    int state = 0;
    const char *repr = NULL; /* as Jinja2's globals print */
    int at = 0;
    if (IS("range")) {
        fn = g_range;
        repr = "class 'range'";
    } else if (IS("dict")) {
        fn = g_dict;
        repr = "class 'dict'";
    } else if (IS("namespace")) {
        fn = g_dict;
        state = TVF_NS;
        repr = "class 'jinja2.utils.Namespace'";
    } else if (IS("cycler")) {
        fn = g_cycler;
        repr = "class 'jinja2.utils.Cycler'";
    } else if (IS("joiner")) {
        fn = g_joiner;
        repr = "class 'jinja2.utils.Joiner'";
    } else if (IS("super") && r->cur_chain) {
        fn = g_super;
        repr = "jinja2.runtime.BlockReference object";
        at = 1;
    } else if (IS("self")) {
        fn = g_self;
        ph_buf b;
        ph__buf_init(&b, r->out->max);
        int rc = ph__buf_append_str(&b, "TemplateReference ");
        if (rc == 0)
            rc = r->cur && r->cur->name ? ph__fmt_repr_str(&b, r->cur->name, strlen(r->cur->name))
                                        : ph__buf_append_str(&b, "None");
        tv text = rc == 0 ? ph__tv_strdup(r, b.data, b.len, 0) : TV_MK(TV_UNDEF);
        ph__buf_close(&b);
        if (text.k != TV_STR)
            return PH_ENOMEM;
        repr = text.s;
    } else if (IS("lipsum")) {
        fn = ph__tmpl_g_lipsum;
        repr = "function generate_lorem_ipsum";
        at = 1;
    } else {
        return 0;
    }
#undef IS
    if (bind(r, TV_MK(TV_NONE), fn == g_dict && state ? "namespace" : "global", fn, out) < 0)
        return PH_ENOMEM;
    out->fn->state = state;
    out->fn->repr = repr;
    out->fn->repr_at = at;
    return 1;
}

/* A C function registered with ph_tmpl_env_add_function(). */
int ph__tmpl_call_cfunc(rctx *r, tfunc *self, targs *a, tv *out) {
    cfilter *c = self->ud;
    ph_tmpl_func_fn fn = (ph_tmpl_func_fn)(void (*)(void))c->fn;
    int pending = ph__tmpl_args_pending(r, TV_MK(TV_NONE), a);
    if (pending < 0 || (pending = ph__tmpl_before_app(r)) < 0)
        return pending;
    json_t *args = ph__tmpl_args_json(r, a);
    if (!args)
        return PH_ENOMEM;
    int safe = 0;
    json_t *res = fn(args, c->ud, &safe);
    json_decref(args);
    if (!res)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "function '%s' failed", c->name);
    tv v = ph__tv_from_json(res);
    if (v.k == TV_STR)
        v = ph__tv_strdup(r, v.s, v.n, safe);
    if (v.k == TV_JARR || v.k == TV_JOBJ)
        return (*out = v, ph__tmpl_keep(r, res));
    json_decref(res);
    *out = v;
    return 0;
}
