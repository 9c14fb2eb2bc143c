/*
 * URL building (url_for): pick the rule of an endpoint that can be built
 * from the given values, format each value through its converter, add the
 * leftover values as a query string; and the "defaults redirect" a match may
 * answer with.
 *
 * The choice follows Werkzeug 2.2's MapAdapter.build (routing/map.py): the
 * rules of an endpoint are kept sorted by build_compare_key (more arguments,
 * then more defaults, first; registration order among equals); without a
 * method, rules that allow GET are tried first, then all of them; a rule is
 * suitable when each of its arguments is given or defaulted and every given
 * value for a defaulted name equals the default (Python equality: 1 == 1.0 ==
 * True). Static text is quoted with safe "/:|+", values by their converter
 * (rule_conv.c), the query string as url_encode does (quote_plus, spaces as
 * '+', insertion order, lists repeated), the anchor with safe "/:" as Flask's
 * url_for. A value a converter refuses is an error, as Werkzeug raises
 * ValueError, not a reason to try the next rule.
 *
 * The defaults redirect is Werkzeug's redirect_defaults: when a rule of the
 * same endpoint that comes earlier in build order has defaults, takes the
 * same arguments and is suitable for the matched values, the request is
 * redirected to that rule's URL ("/all/page/1" -> "/all/").
 */
#include "router.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* values[name] unless absent or null. */
static json_t *given(json_t *values, const char *name) {
    json_t *v = values ? json_object_get(values, name) : NULL;
    return json_is_null(v) ? NULL : v;
}

static int is_argument(const ph__route *rt, const char *name) {
    return ph__rule_var_index(rt->rule, name) >= 0 || json_object_get(rt->defaults, name);
}

int ph__router_suitable(const ph__route *rt, json_t *values, unsigned method) {
    if (method && !(rt->methods & method))
        return 0;
    for (size_t i = 0; i < rt->rule->nvars; i++) {
        const char *name = rt->rule->vars[i].name;
        if (!json_object_get(rt->defaults, name) && !given(values, name))
            return 0;
    }
    const char *k;
    json_t *d;
    json_object_foreach(rt->defaults, k, d) {
        json_t *v = given(values, k);
        if (v && !ph__rule_pyequal(v, d))
            return 0;
    }
    return 1;
}

/* Describe a value for an error message, shortened. */
static void describe(json_t *v, char *out, size_t outlen) {
    ph_buf b;
    ph__buf_init(&b, 0);
    char dump[61];
    size_t n;
    if (ph__rule_pystr(v, &b) == 0)
        snprintf(out, outlen, "'%.60s%s'", b.data, b.len > 60 ? "..." : "");
    else if ((n = json_dumpb(v, dump, sizeof(dump) - 1, JSON_COMPACT | JSON_ENCODE_ANY)) > 0)
        snprintf(out, outlen, "%.*s%s", (int)(n < 60 ? n : 60), dump, n > 60 ? "..." : "");
    else
        snprintf(out, outlen, "of JSON type %d", (int)json_typeof(v));
    ph__buf_close(&b);
}

static int add_query(const ph__route *rt, json_t *values, ph_buf *out, char *err, size_t errlen) {
    const char *k;
    json_t *v;
    int first = 1, rc = 0;
    json_object_foreach(values, k, v) {
        if (json_is_null(v) || is_argument(rt, k))
            continue;
        size_t n = json_is_array(v) ? json_array_size(v) : 1;
        for (size_t i = 0; i < n && !rc; i++) {
            json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            if (json_is_null(e))
                continue;
            ph_buf s;
            ph__buf_init(&s, 0);
            rc = ph__rule_pystr(e, &s);
            if (rc == PH_EINVAL)
                say(err, errlen,
                    "value for query argument '%.60s' is not a string, number or boolean", k);
            if (!rc)
                rc = ph__buf_append_char(out, first ? '?' : '&');
            if (!rc)
                rc = ph__rule_quote(out, k, strlen(k), "", 1);
            if (!rc)
                rc = ph__buf_append_char(out, '=');
            if (!rc)
                rc = ph__rule_quote(out, s.data ? s.data : "", s.len, "", 1);
            ph__buf_close(&s);
            first = 0;
        }
        if (rc)
            return rc;
    }
    return 0;
}

int ph__router_build_path(const ph__route *rt, json_t *values, int query, ph_buf *out, char *err,
                          size_t errlen) {
    const ph__rule *r = rt->rule;
    int rc = 0;
    for (size_t i = 0; i < r->nparts && !rc; i++) {
        const ph__rule_part *p = &r->parts[i];
        rc = ph__buf_append_char(out, '/');
        for (size_t j = 0; j < p->npieces && !rc; j++) {
            const ph__rule_piece *pc = &p->pieces[j];
            if (pc->var < 0) {
                rc = ph__rule_quote(out, pc->lit, pc->len, "/:|+", 0);
                continue;
            }
            const ph__rule_var *var = &r->vars[pc->var];
            json_t *v = json_object_get(rt->defaults, var->name);
            if (!v)
                v = given(values, var->name);
            if (!v) {
                say(err, errlen, "missing value '%s'", var->name);
                return PH_EINVAL;
            }
            rc = ph__conv_to_url(&var->conv, v, out);
            if (rc == PH_EINVAL) {
                char what[80];
                describe(v, what, sizeof(what));
                say(err, errlen, "value %s for '%s' is not valid for converter %s", what, var->name,
                    ph__conv_label(&var->conv));
            }
        }
    }
    if (!rc && query)
        rc = add_query(rt, values, out, err, errlen);
    return rc;
}

/* Why no rule of `ep` fits, in words. */
static void explain(const ph__router_ep *ep, json_t *values, unsigned method, char *msg,
                    size_t len) {
    const ph__route *rt = NULL;
    for (size_t i = 0; i < ep->n && !rt; i++)
        if (!method || (ep->routes[i]->methods & method))
            rt = ep->routes[i];
    if (!rt) {
        const char *m = ph_method_name(method);
        snprintf(msg, len, "no rule allows method %s", m ? m : "(unknown)");
        return;
    }
    size_t o = 0, missing = 0;
    for (size_t i = 0; i < rt->rule->nvars && o < len; i++) {
        const char *name = rt->rule->vars[i].name;
        if (json_object_get(rt->defaults, name) || given(values, name))
            continue;
        int n = snprintf(msg + o, len - o, "%s'%s'", missing ? ", " : "missing value ", name);
        o += n > 0 ? (size_t)n : 0;
        missing++;
    }
    if (!missing)
        snprintf(msg, len, "the values do not agree with the defaults of any rule");
}

/* The first rule of the endpoint that can be built from `values` for
 * `method` (0: any), in build order. */
static const ph__route *pick(const ph__router_ep *ep, json_t *values, unsigned method) {
    for (size_t i = 0; i < ep->n; i++)
        if (ph__router_suitable(ep->routes[i], values, method))
            return ep->routes[i];
    return NULL;
}

/* The scheme of an external URL to `rt`, as Werkzeug's build chooses it: a
 * websocket rule gets ws or wss, any other http or https, secure when the
 * scheme asked for is https or wss (so a URL built inside a websocket
 * request names an HTTP rule by http). */
static const char *scheme_for(const ph__route *rt, const char *asked) {
    int secure = asked && (strcmp(asked, "https") == 0 || strcmp(asked, "wss") == 0);
    if (rt->methods & PH__ROUTE_WEBSOCKET)
        return secure ? "wss" : "ws";
    return secure ? "https" : "http";
}

int ph__router_build(const ph__router *r, const char *endpoint, json_t *values,
                     const ph__url_opts *o, ph_buf *out, char *err, size_t errlen) {
    static const ph__url_opts none;
    if (!o)
        o = &none;
    if (!r || !endpoint || !out || (values && !json_is_object(values))) {
        say(err, errlen, "invalid arguments to url building");
        return PH_EINVAL;
    }
    const ph__router_ep *ep = ph__router_endpoint(r, endpoint);
    if (!ep) {
        say(err, errlen, "could not build url for endpoint '%.200s': unknown endpoint", endpoint);
        return PH_ENOTFOUND;
    }
    /* A GET rule first, unless a method is asked for; then any rule. */
    const ph__route *rt = o->method ? NULL : pick(ep, values, PH_GET);
    if (!rt)
        rt = pick(ep, values, o->method);
    char why[200] = "";
    if (!rt) {
        explain(ep, values, o->method, why, sizeof(why));
        say(err, errlen, "could not build url for endpoint '%.200s': %s", endpoint, why);
        return PH_EINVAL;
    }
    /* Browsers need a websocket's URL whole, so it is always external. */
    int external = o->external || (rt->methods & PH__ROUTE_WEBSOCKET);
    if (external && (!o->host || !o->host[0])) {
        say(err, errlen, "could not build url for endpoint '%.200s': an external url needs a host",
            endpoint);
        return PH_EINVAL;
    }
    size_t old = out->len;
    int rc = 0;
    if (external) {
        rc = ph__buf_append_str(out, scheme_for(rt, o->scheme));
        if (!rc)
            rc = ph__buf_append_str(out, "://");
        if (!rc)
            rc = ph__buf_append_str(out, o->host);
    }
    if (!rc && o->script_root) {
        size_t n = strlen(o->script_root);
        while (n && o->script_root[n - 1] == '/')
            n--;
        rc = ph__buf_append(out, o->script_root, n);
    }
    if (!rc)
        rc = ph__router_build_path(rt, values, !o->no_query, out, why, sizeof(why));
    if (!rc && o->anchor) {
        rc = ph__buf_append_char(out, '#');
        if (!rc)
            rc = ph__rule_quote(out, o->anchor, strlen(o->anchor), "/:", 0);
    }
    if (rc) {
        if (rc == PH_EINVAL)
            say(err, errlen, "could not build url for endpoint '%.200s': %s", endpoint, why);
        else
            say(err, errlen, "could not build url for endpoint '%.200s': %s", endpoint,
                ph_strerror(rc));
        out->len = old;
        if (out->data)
            out->data[old] = '\0';
    }
    return rc;
}

/* ---- defaults redirect ------------------------------------------------------ */

static int same_arguments(const ph__route *a, const ph__route *b) {
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < a->rule->nvars; i++, na++)
        if (!is_argument(b, a->rule->vars[i].name))
            return 0;
    const char *k;
    json_t *v;
    json_object_foreach(a->defaults, k, v) {
        if (ph__rule_var_index(a->rule, k) >= 0)
            continue;
        if (!is_argument(b, k))
            return 0;
        na++;
    }
    nb = b->rule->nvars;
    json_object_foreach(b->defaults, k, v) {
        if (ph__rule_var_index(b->rule, k) < 0)
            nb++;
    }
    return na == nb;
}

json_t *ph__route_value_json(const ph__route_value *v) {
    switch (v->type) {
    case PH__RV_CUSTOM:
        return json_incref(v->json);
    case PH__RV_INT:
        return json_integer(v->v.i);
    case PH__RV_FLOAT:
        return json_real(v->v.d);
    case PH__RV_BOOL:
        return json_boolean(v->v.b);
    case PH__RV_UUID:
        return json_string(v->v.s);
    default:
        return json_stringn(v->raw.ptr, v->raw.len);
    }
}

static json_t *match_json(const ph__route_match *m) {
    json_t *o = json_object();
    for (size_t i = 0; o && i < m->nvalues; i++)
        if (json_object_set_new(o, m->values[i].name, ph__route_value_json(&m->values[i]))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

int ph__router_defaults_redirect(const ph__router *r, const ph__route *rt, const ph__route_match *m,
                                 unsigned method, ph_arena *a, const char **out);

int ph__router_defaults_redirect(const ph__router *r, const ph__route *rt, const ph__route_match *m,
                                 unsigned method, ph_arena *a, const char **out) {
    *out = NULL;
    const ph__router_ep *ep = ph__router_endpoint(r, rt->endpoint);
    json_t *vals = NULL;
    int rc = 0;
    for (size_t i = 0; ep && i < ep->n && ep->routes[i] != rt; i++) {
        const ph__route *x = ep->routes[i];
        if (x->build_only || !x->defaults || !same_arguments(x, rt))
            continue;
        if (!vals && !(vals = match_json(m)))
            return PH_ENOMEM;
        if (!ph__router_suitable(x, vals, method))
            continue;
        if (json_object_update(vals, x->defaults)) {
            rc = PH_ENOMEM;
            break;
        }
        ph_buf b;
        ph__buf_init(&b, 0);
        rc = ph__router_build_path(x, vals, 1, &b, NULL, 0);
        if (!rc && !(*out = ph__arena_strndup(a, b.data, b.len)))
            rc = PH_ENOMEM;
        ph__buf_close(&b);
        if (rc == PH_EINVAL) /* a default its own converter refuses: no redirect */
            rc = 0;
        break;
    }
    json_decref(vals);
    return rc;
}
