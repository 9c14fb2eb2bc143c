/*
 * The URL map's matcher: rules compiled into a tree over path segments, the
 * shape of Werkzeug 2.2's StateMachineMatcher (routing/matcher.py).
 *
 * Each node has static children (a hash of exact segment text), dynamic
 * children (one per distinct dynamic part, kept sorted by Werkzeug's
 * weights: more and longer static text first, then more variables, then
 * lighter converters, registration order among equals) and the routes that
 * end there (registration order). A request path is cut at its slashes and
 * walked depth first: static child, then each dynamic child in order, with
 * backtracking; a final part (one holding a `path` variable) takes the rest
 * of the path at once. So the cost of a match follows the depth of the path
 * and the few candidates at each node, not the number of rules.
 *
 * At the end of the path the first route of the node that allows the method
 * and whose values pass their converters (bounds, and an app's converters'
 * to_python) wins; routes whose pattern matched but not their method give
 * the Allow set of a 405. A node whose empty-segment child holds a
 * strict-slashes route for the method means "add the slash" (308), and ends
 * the search, as in Werkzeug. Leading slashes of the request path are
 * ignored; an unmatched path with runs of slashes is retried merged and
 * answered with a redirect to the merged path (Werkzeug's merge_slashes).
 *
 * This file does not parse rules (rule.c), run converters (rule_conv.c) or
 * build URLs (router_build.c). See docs/internals/router.md.
 */
#include "router.h"

#include "util/alloc.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Entries of a hashed array start with these three fields. */
typedef struct hkey {
    const char *key;
    size_t len;
    uint32_t hash;
} hkey;

typedef struct rnode rnode;

typedef struct skid {
    hkey k; /* the segment text, inside a rule's text */
    rnode *node;
} skid;

typedef struct dkid {
    const ph__rule *rule; /* the rule whose part created this child */
    const ph__rule_part *part;
    rnode *node;
} dkid;

struct rnode {
    skid *st;
    size_t nst, capst;
    uint32_t *idx; /* open addressing over st: slot = index + 1, 0 = empty */
    size_t idxcap; /* a power of two, at least twice nst */
    dkid *dy;
    size_t ndy, capdy;
    ph__route **routes;
    size_t nroutes, caproutes;
};

struct ph__router {
    rnode *root;
    ph__route **routes;
    size_t nroutes, caproutes;
    ph__router_ep *eps;
    size_t neps, capeps;
    uint32_t *epidx;
    size_t epidxcap;
    int merge_slashes;
    int redirect_defaults;
    int strict_slashes;     /* default for specs that leave it at 0 */
    ph__custom_conv *convs; /* the app's converters, newest first */
};

_Static_assert(offsetof(ph__router_ep, name) == offsetof(hkey, key) &&
                   offsetof(ph__router_ep, len) == offsetof(hkey, len) &&
                   offsetof(ph__router_ep, hash) == offsetof(hkey, hash),
               "ph__router_ep must start like hkey");

int ph__router_defaults_redirect(const ph__router *r, const ph__route *rt, const ph__route_match *m,
                                 unsigned method, ph_arena *a, const char **out);

/* ---- hashed arrays --------------------------------------------------------- */

static uint32_t fnv1a(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const hkey *entry(const void *arr, size_t stride, size_t i) {
    return (const hkey *)((const char *)arr + i * stride);
}

static long hfind(const uint32_t *idx, size_t cap, const void *arr, size_t stride, const char *k,
                  size_t n, uint32_t h) {
    if (!cap)
        return -1;
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        uint32_t s = idx[i];
        if (!s)
            return -1;
        const hkey *e = entry(arr, stride, s - 1);
        if (e->hash == h && e->len == n && memcmp(e->key, k, n) == 0)
            return (long)s - 1;
    }
}

static void hput(uint32_t *idx, size_t cap, uint32_t h, size_t i) {
    size_t j = h & (cap - 1);
    while (idx[j])
        j = (j + 1) & (cap - 1);
    idx[j] = (uint32_t)i + 1;
}

/* Make the index hold n + 1 entries at most half full (rebuilding it). */
static int hreserve(uint32_t **idx, size_t *cap, const void *arr, size_t stride, size_t n) {
    if ((n + 1) * 2 <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while ((n + 1) * 2 > ncap)
        ncap *= 2;
    uint32_t *ni = ph__calloc(ncap, sizeof(uint32_t));
    if (!ni)
        return PH_ENOMEM;
    for (size_t i = 0; i < n; i++)
        hput(ni, ncap, entry(arr, stride, i)->hash, i);
    ph__free(*idx);
    *idx = ni;
    *cap = ncap;
    return 0;
}

/* ph__grow in the form the compound conditions below use: 0, or PH_ENOMEM
 * with the array unchanged. */
static int grow(void **arr, size_t *cap, size_t n, size_t size) {
    void *na = ph__grow(*arr, cap, n, size, 4);
    if (!na)
        return PH_ENOMEM;
    *arr = na;
    return 0;
}

/* ---- tree -------------------------------------------------------------- */

static void node_free(rnode *n) {
    if (!n)
        return;
    for (size_t i = 0; i < n->nst; i++)
        node_free(n->st[i].node);
    for (size_t i = 0; i < n->ndy; i++)
        node_free(n->dy[i].node);
    ph__free(n->st);
    ph__free(n->idx);
    ph__free(n->dy);
    ph__free(n->routes);
    ph__free(n);
}

static const rnode *static_child(const rnode *n, const char *seg, size_t len) {
    long i = hfind(n->idx, n->idxcap, n->st, sizeof(skid), seg, len, fnv1a(seg, len));
    return i < 0 ? NULL : n->st[i].node;
}

/* Take child `c` (made by the add that is failing) out of `n` and free it. */
static void unlink_child(rnode *n, rnode *c) {
    for (size_t i = 0; i < n->nst; i++)
        if (n->st[i].node == c) {
            /* It was appended last; rebuild the index without it. */
            n->st[i] = n->st[--n->nst];
            memset(n->idx, 0, n->idxcap * sizeof(uint32_t));
            for (size_t j = 0; j < n->nst; j++)
                hput(n->idx, n->idxcap, n->st[j].k.hash, j);
            break;
        }
    for (size_t i = 0; i < n->ndy; i++)
        if (n->dy[i].node == c) {
            memmove(&n->dy[i], &n->dy[i + 1], (n->ndy - i - 1) * sizeof(dkid));
            n->ndy--;
            break;
        }
    node_free(c);
}

/* The child of `n` for part `p` of rule `r`, created when missing (*made set).
 * A new child points into `r` (its part, its text): if the add fails, the
 * child must be unlinked before `r` is freed. */
static rnode *child_for(rnode *n, const ph__rule *r, const ph__rule_part *p, int *made) {
    *made = 0;
    if (p->is_static) {
        const char *k = p->npieces ? p->pieces[0].lit : "";
        size_t len = p->npieces ? p->pieces[0].len : 0;
        uint32_t h = fnv1a(k, len);
        long i = hfind(n->idx, n->idxcap, n->st, sizeof(skid), k, len, h);
        if (i >= 0)
            return n->st[i].node;
        rnode *c = ph__calloc(1, sizeof(*c));
        if (!c || grow((void **)&n->st, &n->capst, n->nst, sizeof(skid)) ||
            hreserve(&n->idx, &n->idxcap, n->st, sizeof(skid), n->nst)) {
            ph__free(c);
            return NULL;
        }
        n->st[n->nst] = (skid){{k, len, h}, c};
        hput(n->idx, n->idxcap, h, n->nst++);
        *made = 1;
        return c;
    }
    size_t at = n->ndy;
    for (size_t i = 0; i < n->ndy; i++) {
        if (ph__rule_part_same(n->dy[i].rule, n->dy[i].part, r, p))
            return n->dy[i].node;
        /* After every child that sorts before or equal: registration order. */
        if (at == n->ndy && ph__rule_part_cmp(p, n->dy[i].part) < 0)
            at = i;
    }
    rnode *c = ph__calloc(1, sizeof(*c));
    if (!c || grow((void **)&n->dy, &n->capdy, n->ndy, sizeof(dkid))) {
        ph__free(c);
        return NULL;
    }
    memmove(&n->dy[at + 1], &n->dy[at], (n->ndy - at) * sizeof(dkid));
    n->dy[at] = (dkid){r, p, c};
    n->ndy++;
    *made = 1;
    return c;
}

/* ---- router ------------------------------------------------------------ */

ph__router *ph__router_new(void) {
    ph__router *r = ph__calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->root = ph__calloc(1, sizeof(*r->root));
    if (!r->root) {
        ph__free(r);
        return NULL;
    }
    r->merge_slashes = 1;
    r->redirect_defaults = 1;
    r->strict_slashes = 1;
    return r;
}

void ph__router_configure(ph__router *r, const ph__router_opts *o) {
    if (!r || !o)
        return;
    r->strict_slashes = !o->loose_slashes;
    r->merge_slashes = !o->no_merge_slashes;
    r->redirect_defaults = !o->no_redirect_defaults;
}

static void route_free(ph__route *rt) {
    if (!rt)
        return;
    ph__rule_free(rt->rule);
    ph__free(rt->endpoint);
    json_decref(rt->defaults);
    ph__free(rt);
}

int ph__router_add_converter(ph__router *r, const char *name, const ph_converter *conv, void *arg) {
    return r ? ph__custom_conv_add(&r->convs, name, conv, arg) : PH_EINVAL;
}

void ph__router_free(ph__router *r) {
    if (!r)
        return;
    node_free(r->root);
    for (size_t i = 0; i < r->nroutes; i++)
        route_free(r->routes[i]);
    ph__custom_conv_free(r->convs); /* after the rules that point at them */
    for (size_t i = 0; i < r->neps; i++)
        ph__free(r->eps[i].routes);
    ph__free(r->routes);
    ph__free(r->eps);
    ph__free(r->epidx);
    ph__free(r);
}

size_t ph__router_count(const ph__router *r) { return r ? r->nroutes : 0; }

const ph__route *ph__router_route(const ph__router *r, size_t i) {
    return r && i < r->nroutes ? r->routes[i] : NULL;
}

const ph__router_ep *ph__router_endpoint(const ph__router *r, const char *name) {
    size_t n = strlen(name);
    long i = hfind(r->epidx, r->epidxcap, r->eps, sizeof(ph__router_ep), name, n, fnv1a(name, n));
    return i < 0 ? NULL : &r->eps[i];
}

static int spec_error(ph__rule_error *err, const char *rule, const char *what) {
    if (err) {
        err->pos = 0;
        snprintf(err->msg, sizeof(err->msg), "rule '%.200s' : %s", rule ? rule : "(null)", what);
    }
    return PH_EINVAL;
}

/* Werkzeug's build_compare_key: more arguments, then more defaults, first. */
static size_t nargs_of(const ph__route *rt) {
    size_t n = rt->rule->nvars;
    const char *k;
    json_t *v;
    json_object_foreach(rt->defaults, k, v) {
        if (ph__rule_var_index(rt->rule, k) < 0)
            n++;
    }
    return n;
}

static int build_before(const ph__route *a, const ph__route *b) {
    size_t na = nargs_of(a), nb = nargs_of(b);
    if (na != nb)
        return na > nb;
    return json_object_size(a->defaults) > json_object_size(b->defaults);
}

static ph__route *route_new(const ph__route_spec *s, ph__rule *rule, int strict) {
    ph__route *rt = ph__calloc(1, sizeof(*rt));
    if (!rt)
        return NULL;
    rt->rule = rule;
    rt->endpoint = ph__strdup(s->endpoint);
    if (s->defaults && json_object_size(s->defaults))
        rt->defaults = json_deep_copy(s->defaults);
    if (!rt->endpoint || (s->defaults && json_object_size(s->defaults) && !rt->defaults)) {
        rt->rule = NULL;
        route_free(rt);
        return NULL;
    }
    rt->given = s->methods ? s->methods : PH_GET;
    rt->methods = rt->given;
    if (rt->methods & PH_GET)
        rt->methods |= PH_HEAD;
    if (!s->no_auto_options && !(rt->methods & PH_OPTIONS)) {
        rt->methods |= PH_OPTIONS;
        rt->auto_options = 1;
    }
    rt->strict_slashes = s->strict_slashes ? s->strict_slashes > 0 : strict;
    rt->build_only = s->build_only != 0;
    rt->data = s->data;
    return rt;
}

static int check_defaults(json_t *d, const char *rule, ph__rule_error *err) {
    if (!d)
        return 0;
    if (!json_is_object(d))
        return spec_error(err, rule, "defaults must be an object");
    const char *k;
    json_t *v;
    json_object_foreach(d, k, v) {
        if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v))
            return spec_error(err, rule, "defaults must be strings, numbers or booleans");
    }
    return 0;
}

/* The endpoint entry for `name`, with room for one more route; a new entry is
 * returned in *fresh and only becomes visible in commit_endpoint. */
static int reserve_endpoint(ph__router *r, const char *name, ph__router_ep **ep,
                            ph__router_ep *fresh) {
    size_t n = strlen(name);
    uint32_t h = fnv1a(name, n);
    long i = hfind(r->epidx, r->epidxcap, r->eps, sizeof(ph__router_ep), name, n, h);
    if (i >= 0) {
        *ep = &r->eps[i];
        return grow((void **)&(*ep)->routes, &(*ep)->cap, (*ep)->n, sizeof(ph__route *));
    }
    *ep = NULL;
    memset(fresh, 0, sizeof(*fresh));
    fresh->len = n;
    fresh->hash = h;
    if (grow((void **)&r->eps, &r->capeps, r->neps, sizeof(ph__router_ep)) ||
        hreserve(&r->epidx, &r->epidxcap, r->eps, sizeof(ph__router_ep), r->neps) ||
        grow((void **)&fresh->routes, &fresh->cap, 0, sizeof(ph__route *)))
        return PH_ENOMEM;
    return 0;
}

static void commit_endpoint(ph__router *r, ph__router_ep *ep, ph__router_ep *fresh, ph__route *rt) {
    if (!ep) {
        fresh->name = rt->endpoint;
        r->eps[r->neps] = *fresh;
        hput(r->epidx, r->epidxcap, fresh->hash, r->neps);
        ep = &r->eps[r->neps++];
    }
    size_t at = ep->n;
    while (at > 0 && build_before(rt, ep->routes[at - 1]))
        at--;
    memmove(&ep->routes[at + 1], &ep->routes[at], (ep->n - at) * sizeof(ph__route *));
    ep->routes[at] = rt;
    ep->n++;
}

int ph__router_add(ph__router *r, const ph__route_spec *s, const ph__route **out,
                   ph__rule_error *err) {
    if (out)
        *out = NULL;
    if (!r || !s)
        return PH_EINVAL;
    if (!s->rule)
        return spec_error(err, "", "a rule is required");
    if (!s->endpoint || !s->endpoint[0])
        return spec_error(err, s->rule, "an endpoint is required");
    int rc = check_defaults(s->defaults, s->rule, err);
    if (rc)
        return rc;
    ph__rule *rule;
    if ((rc = ph__rule_parse_with(s->rule, r->convs, &rule, err)))
        return rc;
    ph__route *rt = route_new(s, rule, r->strict_slashes);
    ph__router_ep *ep = NULL, fresh = {0};
    if (!rt) {
        ph__rule_free(rule);
        return PH_ENOMEM;
    }
    /* Reserve everything first: after the tree walk nothing may fail. */
    rnode *n = r->root, *parent = NULL, *made_at = NULL, *made = NULL;
    if (grow((void **)&r->routes, &r->caproutes, r->nroutes, sizeof(ph__route *)) ||
        reserve_endpoint(r, rt->endpoint, &ep, &fresh))
        goto nomem;
    if (!rt->build_only) {
        for (size_t i = 0; i < rule->nparts && n; i++) {
            int fresh_node;
            parent = n;
            n = child_for(n, rule, &rule->parts[i], &fresh_node);
            if (fresh_node && !made) {
                made_at = parent;
                made = n;
            }
        }
        if (!n || grow((void **)&n->routes, &n->caproutes, n->nroutes, sizeof(ph__route *)))
            goto nomem;
        n->routes[n->nroutes++] = rt;
    }
    commit_endpoint(r, ep, &fresh, rt);
    rt->seq = r->nroutes;
    r->routes[r->nroutes++] = rt;
    if (out)
        *out = rt;
    return 0;
nomem:
    /* Nodes made on the way point into this rule: take them out. */
    if (made)
        unlink_child(made_at, made);
    ph__free(fresh.routes);
    route_free(rt);
    if (err) {
        err->pos = 0;
        snprintf(err->msg, sizeof(err->msg), "rule '%.200s' : out of memory", s->rule);
    }
    return PH_ENOMEM;
}

/* ---- matching ------------------------------------------------------------ */

/* Outcomes of a walk; any but W_NONE ends it. W_MERGED: found, at the path
 * with its slashes merged. W_ERROR: a to_python failed (w->err). */
enum { W_NONE, W_FOUND, W_SLASH, W_MERGED, W_ERROR };

typedef struct walk {
    const char *path; /* after the leading slash */
    size_t len;
    unsigned method;
    unsigned have; /* methods of routes whose pattern matched */
    const ph__route *found;
    ph_arena *arena; /* custom converters' values and their copies of the text */
    int err;         /* W_ERROR: the code */
    ph_slice caps[PH__RULE_MAX_VARS];
    json_t *conv[PH__RULE_MAX_VARS]; /* custom converters' values of the last route checked */
} walk;

/* Whether route `rt` matches the captured values: the builtin converters'
 * bounds, then each custom converter's to_python (Werkzeug's), whose
 * refusal only skips the route. 1, 0, or -1 with w->err set. */
static int values_ok(walk *w, const ph__route *rt) {
    const ph__rule *r = rt->rule;
    if (!ph__rule_values_valid(r, w->caps))
        return 0;
    for (size_t i = 0; r->has_custom && i < r->nvars; i++) {
        if (r->vars[i].conv.kind != PH__CONV_CUSTOM)
            continue;
        int rc = ph__custom_conv_to_python(&r->vars[i].conv, w->arena, w->caps[i].ptr,
                                           w->caps[i].len, &w->conv[i]);
        if (rc <= 0) {
            w->err = rc;
            return rc < 0 ? -1 : 0;
        }
    }
    return 1;
}

/* All segments used up: a route of this node, or one with the slash added. */
static int walk_end(walk *w, const rnode *n) {
    int ok;
    for (size_t i = 0; i < n->nroutes; i++) {
        const ph__route *rt = n->routes[i];
        if (!(rt->methods & w->method) && !(rt->methods & ~w->have))
            continue; /* it can neither win nor add to Allow: spare its to_python */
        if ((ok = values_ok(w, rt)) < 0)
            return W_ERROR;
        if (!ok)
            continue;
        if (rt->methods & w->method) {
            w->found = rt;
            return W_FOUND;
        }
        w->have |= rt->methods;
    }
    const rnode *c = static_child(n, "", 0);
    if (c)
        for (size_t i = 0; i < c->nroutes; i++) {
            if (!(c->routes[i]->methods & w->method))
                continue;
            if ((ok = values_ok(w, c->routes[i])) < 0)
                return W_ERROR;
            if (!ok)
                continue;
            if (c->routes[i]->strict_slashes)
                return W_SLASH;
            w->found = c->routes[i];
            return W_FOUND;
        }
    return W_NONE;
}

/* Match the segments from `pos` on; pos == len + 1 means none are left. */
static int walk_node(walk *w, const rnode *n, size_t pos) {
    if (pos > w->len)
        return walk_end(w, n);
    const char *seg = w->path + pos;
    const char *sl = memchr(seg, '/', w->len - pos);
    size_t end = sl ? (size_t)(sl - w->path) : w->len;
    int rv;
    const rnode *c = n->nst ? static_child(n, seg, end - pos) : NULL;
    if (c && (rv = walk_node(w, c, end + 1)))
        return rv;
    for (size_t i = 0; i < n->ndy; i++) {
        const dkid *d = &n->dy[i];
        size_t tlen = d->part->final ? w->len - pos : end - pos;
        size_t next = d->part->final ? w->len + 1 : end + 1;
        if (ph__rule_part_match(d->rule, d->part, seg, tlen, w->caps) &&
            (rv = walk_node(w, d->node, next)))
            return rv;
    }
    /* A lone trailing slash left: rules without strict slashes take it. */
    if (pos == w->len)
        for (size_t i = 0; i < n->nroutes; i++) {
            const ph__route *rt = n->routes[i];
            if (rt->strict_slashes)
                continue;
            int ok = values_ok(w, rt);
            if (ok < 0)
                return W_ERROR;
            if (!ok)
                continue;
            if (rt->methods & w->method) {
                w->found = rt;
                return W_FOUND;
            }
            w->have |= rt->methods;
        }
    return W_NONE;
}

static int run_walk(const ph__router *r, walk *w, const char *path, size_t len) {
    size_t lead = 0;
    while (lead < len && path[lead] == '/')
        lead++;
    w->path = path + lead;
    w->len = len - lead;
    return walk_node(w, r->root, 0);
}

unsigned ph__router_allowed(const ph__router *r, const char *path, size_t len) {
    if (!r || (!path && len))
        return 0;
    /* Only custom converters allocate (their values): nothing is kept. */
    ph_arena a;
    ph__arena_init(&a, 1024, 0);
    walk w;
    w.method = 0;
    w.have = 0;
    w.found = NULL;
    w.arena = &a;
    run_walk(r, &w, path ? path : "", len);
    ph__arena_close(&a);
    return w.have;
}

/* "/" + p[0..n) + ("/" when slash), percent-encoded as Werkzeug's redirect. */
static const char *redirect_path(ph_arena *a, const char *p, size_t n, int slash) {
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__buf_append_char(&b, '/');
    if (!rc)
        rc = ph__rule_quote(&b, p, n, "/:|+", 0);
    if (!rc && slash)
        rc = ph__buf_append_char(&b, '/');
    char *out = rc ? NULL : ph__arena_strndup(a, b.data, b.len);
    ph__buf_close(&b);
    return out;
}

static int set_value(ph_arena *a, ph__route_value *v, const ph__rule_var *var, ph_slice raw,
                     json_t *conv) {
    char *copy = ph__arena_strndup(a, raw.ptr, raw.len);
    if (!copy)
        return PH_ENOMEM;
    v->name = var->name;
    v->raw = (ph_slice){copy, raw.len};
    v->from_default = 0;
    v->v.s = copy;
    v->json = NULL;
    switch (var->conv.kind) {
    case PH__CONV_CUSTOM:
        v->type = PH__RV_CUSTOM;
        v->json = conv; /* the arena releases it */
        break;
    case PH__CONV_INT:
        v->type = PH__RV_INT;
        ph__conv_accept(&var->conv, copy, raw.len, &v->v.i, NULL);
        break;
    case PH__CONV_FLOAT:
        v->type = PH__RV_FLOAT;
        ph__conv_accept(&var->conv, copy, raw.len, NULL, &v->v.d);
        break;
    case PH__CONV_UUID: {
        char *low = ph__arena_strndup(a, copy, raw.len);
        if (!low)
            return PH_ENOMEM;
        for (char *q = low; *q; q++)
            if (*q >= 'A' && *q <= 'F')
                *q = (char)(*q - 'A' + 'a');
        v->type = PH__RV_UUID;
        v->v.s = low;
        break;
    }
    case PH__CONV_PATH:
        v->type = PH__RV_PATH;
        break;
    default:
        v->type = PH__RV_STRING;
        break;
    }
    return 0;
}

static int set_default(ph_arena *a, ph__route_value *v, const char *name, json_t *j) {
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__rule_pystr(j, &b);
    char *text = rc ? NULL : ph__arena_strndup(a, b.data ? b.data : "", b.len);
    size_t len = b.len;
    ph__buf_close(&b);
    if (!text)
        return rc == PH_EINVAL ? PH_EINVAL : PH_ENOMEM;
    v->name = name;
    v->raw = (ph_slice){text, len};
    v->from_default = 1;
    v->json = NULL; /* a default replaces a custom converter's value too */
    if (json_is_integer(j)) {
        v->type = PH__RV_INT;
        v->v.i = json_integer_value(j);
    } else if (json_is_real(j)) {
        v->type = PH__RV_FLOAT;
        v->v.d = json_real_value(j);
    } else if (json_is_boolean(j)) {
        v->type = PH__RV_BOOL;
        v->v.b = json_is_true(j);
    } else {
        v->type = PH__RV_STRING;
        v->v.s = text;
    }
    return 0;
}

/* Path values, then the rule's defaults (which win, as dict.update does). */
static int collect(const walk *w, ph_arena *a, ph__route_match *m) {
    const ph__route *rt = w->found;
    size_t nv = rt->rule->nvars, max = nv + json_object_size(rt->defaults);
    m->values = ph__arena_calloc(a, (max ? max : 1) * sizeof(ph__route_value));
    if (!m->values)
        return PH_ENOMEM;
    for (size_t i = 0; i < nv; i++) {
        const ph__rule_var *var = &rt->rule->vars[i];
        /* conv holds values for custom converters only; the rest is stale */
        json_t *conv = var->conv.kind == PH__CONV_CUSTOM ? w->conv[i] : NULL;
        int rc = set_value(a, &m->values[i], var, w->caps[i], conv);
        if (rc)
            return rc;
    }
    m->nvalues = nv;
    const char *k;
    json_t *j;
    json_object_foreach(rt->defaults, k, j) {
        int i = ph__rule_var_index(rt->rule, k);
        /* Names in the router's copy of the defaults live as long as it. */
        int rc = set_default(a, &m->values[i >= 0 ? (size_t)i : m->nvalues], k, j);
        if (rc)
            return rc;
        if (i < 0)
            m->nvalues++;
    }
    return 0;
}

int ph__router_match(const ph__router *r, const char *path, size_t len, unsigned method,
                     ph_arena *a, ph__route_match *m) {
    if (!r || !a || !m || (!path && len))
        return PH_EINVAL;
    memset(m, 0, sizeof(*m));
    walk w; /* caps and conv need no clearing: each is written before it is read */
    w.method = method;
    w.have = 0;
    w.found = NULL;
    w.arena = a;
    int rv = run_walk(r, &w, path ? path : "", len);
    const char *merged = NULL;
    size_t mlen = 0;
    if (rv == W_NONE && r->merge_slashes && w.len && memmem(w.path, w.len, "//", 2)) {
        char *q = ph__arena_alloc(a, w.len);
        if (!q)
            return PH_ENOMEM;
        for (size_t i = 0; i < w.len; i++)
            if (w.path[i] != '/' || (mlen && q[mlen - 1] != '/'))
                q[mlen++] = w.path[i];
        walk w2 = w;
        w2.path = merged = q;
        w2.len = mlen;
        rv = walk_node(&w2, r->root, 0);
        w.have |= w2.have;
        w.err = w2.err;
        if (rv == W_FOUND)
            rv = W_MERGED;
    }
    if (rv == W_ERROR)
        return w.err;
    if (rv == W_NONE) {
        m->status = w.have ? PH__ROUTE_METHOD_NOT_ALLOWED : PH__ROUTE_NOT_FOUND;
        m->allowed = w.have;
        return 0;
    }
    if (rv != W_FOUND) {
        m->status = PH__ROUTE_REDIRECT;
        m->redirect = merged ? redirect_path(a, merged, mlen, rv == W_SLASH)
                             : redirect_path(a, w.path, w.len, 1);
        return m->redirect ? 0 : PH_ENOMEM;
    }
    m->status = PH__ROUTE_FOUND;
    m->route = w.found;
    int rc = collect(&w, a, m);
    if (rc)
        return rc;
    if (method == PH_OPTIONS && w.found->auto_options) {
        m->auto_options = 1;
        m->allowed = ph__router_allowed(r, path, len);
    }
    if (r->redirect_defaults) {
        const char *to = NULL;
        if ((rc = ph__router_defaults_redirect(r, w.found, m, method, a, &to)))
            return rc;
        if (to) {
            m->status = PH__ROUTE_REDIRECT;
            m->redirect = to;
        }
    }
    return 0;
}
