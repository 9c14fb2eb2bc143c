/*
 * The URL map: Werkzeug-style rules compiled into a tree over path segments,
 * matched on every request, and used backwards to build URLs (url_for).
 *
 * Setup: ph__router_new, then ph__router_add per rule (what ph_route does).
 * Per request: ph__router_match with the decoded path and the method bit; the
 * result says found (with typed values in the request arena), not found
 * (404), method not allowed (405 with the Allow set) or redirect (308: a
 * missing trailing slash, merged slashes, or a URL that a rule's defaults
 * make canonical). Building: ph__router_build.
 *
 * A router is not thread-safe; nothing in it suspends. See
 * docs/internals/router.md.
 */
#ifndef PH_APP_ROUTER_H
#define PH_APP_ROUTER_H

#include "app/rule.h"
#include "phial/common.h"
#include "phial/http.h"
#include "util/arena.h"
#include "util/buf.h"

#include <jansson.h>

typedef struct ph__router ph__router;

/* A method bit of no HTTP method: websocket routes are registered and
 * matched with it alone, so a websocket request finds only them and an
 * HTTP request never does (Werkzeug's Rule(websocket=True)). */
#define PH__ROUTE_WEBSOCKET (1u << 15)

/* What ph__router_add takes. Zero means the default in every field. */
typedef struct ph__route_spec {
    const char *rule;     /* "/user/<int:id>"; must start with '/' */
    const char *endpoint; /* "user" or "auth.login"; required */
    unsigned methods;     /* OR of ph_method bits; 0 = PH_GET. HEAD comes with GET */
    json_t *defaults;     /* borrowed object of scalars, or NULL; the router copies it */
    int strict_slashes;   /* 0 = the router's (strict unless loose_slashes); > 0 strict; < 0 not */
    int no_auto_options;  /* set: OPTIONS is not added automatically */
    int build_only;       /* set: never matched, only built */
    void *data;           /* the caller's (the view); handed back by a match */
} ph__route_spec;

/* A registered rule. Read-only to callers; lives as long as the router. */
typedef struct ph__route {
    ph__rule *rule;     /* the parsed rule; rule->text is the rule as given */
    char *endpoint;     /* NUL-terminated */
    unsigned methods;   /* the methods it answers: given + HEAD (with GET) + OPTIONS (auto) */
    unsigned given;     /* the methods as registered (after the GET default) */
    int auto_options;   /* OPTIONS was added automatically: the framework answers it */
    int strict_slashes; /* 1 or 0, resolved */
    int build_only;     /* never matched */
    json_t *defaults;   /* the router's copy, or NULL */
    void *data;         /* ph__route_spec.data */
    size_t seq;         /* registration order, from 0 */
} ph__route;

/* Type of a matched value. */
typedef enum ph__route_vtype {
    PH__RV_STRING, /* string and any converters, string defaults: v.s */
    PH__RV_INT,    /* int converter, integer defaults: v.i */
    PH__RV_FLOAT,  /* float converter, real defaults: v.d */
    PH__RV_UUID,   /* uuid converter: v.s is the lowercase canonical form */
    PH__RV_PATH,   /* path converter: v.s, may hold slashes */
    PH__RV_BOOL,   /* boolean defaults: v.b */
    PH__RV_CUSTOM, /* a custom converter: json is what its to_python made */
} ph__route_vtype;

typedef struct ph__route_value {
    const char *name; /* variable name; lives as long as the router */
    ph__route_vtype type;
    ph_slice raw;     /* the matched text (arena copy, NUL-terminated); a default's str() */
    int from_default; /* comes from the rule's defaults */
    union {
        int64_t i;
        double d;
        int b;
        const char *s;
    } v;
    json_t *json; /* the value as JSON, released with the arena: set for custom
                   * converters; NULL for the others until someone asks */
} ph__route_value;

typedef enum ph__route_status {
    PH__ROUTE_FOUND,              /* route, values set */
    PH__ROUTE_NOT_FOUND,          /* 404 */
    PH__ROUTE_METHOD_NOT_ALLOWED, /* 405: allowed holds the Allow set */
    PH__ROUTE_REDIRECT,           /* 308 to redirect (plus the query string) */
} ph__route_status;

typedef struct ph__route_match {
    ph__route_status status;
    const ph__route *route;  /* FOUND */
    ph__route_value *values; /* FOUND: path values, then defaults (arena) */
    size_t nvalues;
    unsigned allowed;     /* METHOD_NOT_ALLOWED, and FOUND when auto_options: methods
                           * of every rule whose pattern matches the path */
    int auto_options;     /* FOUND for OPTIONS on a rule with automatic OPTIONS:
                           * answer it with Allow = allowed */
    const char *redirect; /* REDIRECT: the new path, percent-encoded, without the
                           * script root and the query string (arena) */
} ph__route_match;

/* Options for building a URL. Zero means the default in every field. */
typedef struct ph__url_opts {
    unsigned method;         /* only rules that allow it; 0 = GET rules first, then any */
    int external;            /* absolute URL: scheme://host + script root + path */
    const char *scheme;      /* NULL = "http" */
    const char *host;        /* required when external ("example.com:8000") */
    const char *script_root; /* prefix for the path ("/app"), as given; NULL = none */
    const char *anchor;      /* fragment, percent-encoded on output; NULL = none */
    int no_query;            /* drop unknown values instead of adding a query string */
} ph__url_opts;

/*
 * A new empty router: strict slashes, merged slashes and default redirects on,
 * as Werkzeug's Map.
 *
 * Returns:  the router; NULL when out of memory.
 * Owns:     the caller frees it with ph__router_free.
 * Suspends: no.
 */
ph__router *ph__router_new(void);

/* Map-wide switches (Werkzeug's Map arguments). Zero means Werkzeug's default. */
typedef struct ph__router_opts {
    int loose_slashes;        /* rules default to strict_slashes=False */
    int no_merge_slashes;     /* "/a//b" is not retried as "/a/b" */
    int no_redirect_defaults; /* no redirect to the URL a rule's defaults make canonical */
} ph__router_opts;

/*
 * Change the map-wide switches. `loose_slashes` applies to rules added
 * afterwards whose spec leaves strict_slashes at 0.
 *
 * Returns:  nothing. Suspends: no. Context: setup only.
 */
void ph__router_configure(ph__router *r, const ph__router_opts *o);

/*
 * Add an app's converter under `name` (Werkzeug's Map.converters[name]), for
 * the rules added afterwards; it is looked up before the builtin ones.
 *
 * Returns:  0; PH_EINVAL bad name or NULL; PH_ENOMEM.
 * Owns:     copies `name` and `*conv`; `arg` stays the caller's.
 * Suspends: no. Context: setup.
 */
int ph__router_add_converter(ph__router *r, const char *name, const ph_converter *conv, void *arg);

/* Free the router and every route. NULL does nothing. Suspends: no. */
void ph__router_free(ph__router *r);

/*
 * Add a rule.
 *
 * Returns:  0; PH_EINVAL bad rule or spec (`err`, when not NULL, holds a
 *           message such as "rule '/a/<int:x' : unterminated converter at
 *           position 3"); PH_ENOMEM (nothing was added).
 * Owns:     copies the rule text, the endpoint and the defaults; *out (when
 *           not NULL) is borrowed for the router's lifetime.
 * Suspends: no.
 * Context:  setup, before matching starts; not thread-safe.
 */
int ph__router_add(ph__router *r, const ph__route_spec *spec, const ph__route **out,
                   ph__rule_error *err);

/* Number of routes, and the i-th in registration order (NULL past the end). */
size_t ph__router_count(const ph__router *r);
const ph__route *ph__router_route(const ph__router *r, size_t i);

/*
 * Match a decoded path (any bytes; need not be NUL-terminated) with a method
 * bit (0 for a method phial has no bit for: it matches no rule). Custom
 * converters' to_python runs here, for each route whose pattern matches
 * until one is found.
 *
 * Returns:  0 and *m filled; PH_ENOMEM when the arena is exhausted;
 *           PH_EINVAL on a NULL argument; another negative code that a
 *           to_python returned.
 * Owns:     values and strings in *m come from `a` and die with it; route
 *           pointers live as long as the router.
 * Suspends: no.
 */
int ph__router_match(const ph__router *r, const char *path, size_t len, unsigned method,
                     ph_arena *a, ph__route_match *m);

/*
 * The methods of every rule whose pattern matches `path` (Werkzeug's
 * allowed_methods), or 0. Rules whose custom converters refuse the path do
 * not count; one failing otherwise (out of memory) ends the search.
 */
unsigned ph__router_allowed(const ph__router *r, const char *path, size_t len);

/*
 * Build a URL for `endpoint` from `values` (a JSON object of strings,
 * integers, reals, booleans; null members are skipped; arrays become repeated
 * query arguments), appending it to `out`. The rule is chosen as Werkzeug
 * does: rules of the endpoint with more arguments and then more defaults
 * first; the first whose arguments are all given (or defaulted) and whose
 * defaults agree with the values wins. Values the rule does not use go to the
 * query string in the object's order.
 *
 * Returns:  0; PH_ENOTFOUND no such endpoint; PH_EINVAL no rule can be built
 *           (a missing value, a value its converter refuses, a method no
 *           rule allows); PH_ENOMEM / PH_ETOOBIG from `out`. On failure a
 *           message goes to err[0..errlen) when err is not NULL, and `out`
 *           keeps its previous length.
 * Owns:     borrows `values`.
 * Suspends: no.
 */
int ph__router_build(const ph__router *r, const char *endpoint, json_t *values,
                     const ph__url_opts *o, ph_buf *out, char *err, size_t errlen);

/* The value `v` as JSON, a new reference (NULL when out of memory): what
 * a Flask view would get (an int, a float, a lowercase uuid string). */
json_t *ph__route_value_json(const ph__route_value *v);

/* Internal to router.c and router_build.c. */
typedef struct ph__router_ep {
    const char *name; /* the first route's endpoint string */
    size_t len;
    uint32_t hash;
    ph__route **routes; /* in build order */
    size_t n, cap;
} ph__router_ep;

const ph__router_ep *ph__router_endpoint(const ph__router *r, const char *name);

/* Build the path of `rt` from `values`; 0, PH_EINVAL (err says why) or a buffer error. */
int ph__router_build_path(const ph__route *rt, json_t *values, int query, ph_buf *out, char *err,
                          size_t errlen);

/* Whether `rt` can be built from `values` for `method` (Werkzeug's suitable_for). */
int ph__router_suitable(const ph__route *rt, json_t *values, unsigned method);

#endif
