/*
 * phial — the framework: Flask's app, routes, hooks, error handlers,
 * contexts, requests and responses, on coroutines.
 *
 * A ph_app is an app of the app protocol (ph_app_proto()): each request runs
 * in its own task, so every view, hook and error handler may suspend. The
 * contracts are Flask's (docs/flask-map.md lists each name):
 *
 *   - a view returns a response;
 *   - before_request returns NULL to go on, or a response to short-circuit;
 *   - after_request takes the response and returns it (or another);
 *   - teardown hooks always run and see the error, if any;
 *   - error handlers match a status code or an error kind.
 *
 * Errors do not unwind: ph_abort() records the error on the request and
 * returns a marker response, so `return ph_abort(req, 404);` works in a view
 * or hook, and a helper deeper down may call ph_abort() and return NULL; the
 * dispatcher sees the recorded error either way and runs the error handlers.
 *
 * Memory: every request owns an arena. Strings and objects a ph_request_*
 * or ph_response_* function returns live in it and die with the request;
 * never free them.
 */
#ifndef PHIAL_APP_H
#define PHIAL_APP_H

#include "common.h"
#include "http.h"
#include "protocol.h"
#include "server.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_app ph_app;
typedef struct ph_request ph_request;
typedef struct ph_response ph_response;

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A kind of error, like an exception class: identified by its address, with
 * an optional parent so a handler for the parent also catches it. Declare
 * your own as static constants:
 *     static const ph_error_kind VALIDATION = {"ValidationError", 400, &PH_HTTP_ERROR};
 */
typedef struct ph_error_kind {
    const char *name;                   /* shown in logs and the debug page */
    int status;                         /* HTTP status when unhandled; 0 = 500 */
    const struct ph_error_kind *parent; /* NULL: a root kind */
} ph_error_kind;

/* The kind of every error made by ph_abort() (Werkzeug's HTTPException). */
PH_EXTERN extern const ph_error_kind PH_HTTP_ERROR;
/* An unexpected failure: a view returned NULL without an error, a PH_E* code. */
PH_EXTERN extern const ph_error_kind PH_INTERNAL_ERROR;

/* An error being handled. Borrowed by handlers and teardown hooks. */
typedef struct ph_error {
    int status;                 /* the HTTP status it maps to */
    const ph_error_kind *kind;  /* never NULL */
    const char *message;        /* description for the error page; may be NULL */
    int code;                   /* a PH_E* code behind it, or 0 */
    ph_response *response;      /* a response to send as is (redirects), or NULL */
} ph_error;

/* ------------------------------------------------------------------------ */
/* Handlers                                                                 */
/* ------------------------------------------------------------------------ */

typedef ph_response *(*ph_view_fn)(ph_request *req);
typedef ph_response *(*ph_before_request_fn)(ph_request *req);
typedef ph_response *(*ph_after_request_fn)(ph_request *req, ph_response *resp);
typedef void (*ph_teardown_request_fn)(ph_request *req, const ph_error *err);
typedef void (*ph_teardown_appcontext_fn)(ph_app *app, const ph_error *err);
typedef int (*ph_before_first_request_fn)(ph_app *app);
typedef ph_response *(*ph_errorhandler_fn)(ph_request *req, const ph_error *err);
typedef ph_response *(*ph_after_this_request_fn)(ph_request *req, ph_response *resp, void *arg);
typedef void (*ph_url_value_preprocessor_fn)(ph_request *req, const char *endpoint);
typedef void (*ph_url_defaults_fn)(ph_request *req, const char *endpoint, json_t *values);

/* ------------------------------------------------------------------------ */
/* The app                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A new app. `name` plays the role of Flask's import name: it names the
 * logger and, relative to the current directory, nothing else (NULL: "app").
 *
 * Returns:  the app; NULL when out of memory.
 * Owns:     copies `name`; free the app with ph_app_free().
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN ph_app *ph_app_new(const char *name);

/* Free the app and everything registered on it. ph_app_free(NULL) does nothing. */
PH_EXTERN void ph_app_free(ph_app *app);

/* The app's name (borrowed); NULL for a NULL app. Suspends: no. */
PH_EXTERN const char *ph_app_name(const ph_app *app);

/* Options of ph_route(); zero means the default. */
typedef struct ph_route_opts {
    int reserved_;        /* private */
    unsigned methods;     /* OR of PH_GET...; default PH_GET (HEAD and OPTIONS come along) */
    const char *endpoint; /* default: the view function's name, as in Flask (below) */
    json_t *defaults;     /* borrowed object of scalars for variables not in the rule */
    int strict_slashes;   /* 0 default (strict), -1 not strict */
    int no_auto_options;  /* nonzero: do not answer OPTIONS automatically */
    const char *view_;    /* private: the view as written, which ph_route() passes */
} ph_route_opts;

/*
 * Register `view` for requests whose path matches `rule` ("/user/<int:id>",
 * converters string, int, float, path, uuid, any(...) and those added with
 * ph_app_add_converter()).
 *
 * The endpoint (what ph_url_for() names) defaults to the view function's
 * name, as Flask's does: ph_route(app, "/", index) is "index". The macro
 * passes the view as written, so a view given by an expression (a pointer
 * from a table, a cast), or ph_route_() called directly, gets the rule
 * itself as its endpoint. The same view may serve several rules under one
 * endpoint (ph_url_for() builds the first whose variables it is given).
 *
 * Returns:  0; PH_EINVAL bad rule (logged with the rule and the position),
 *           or a NULL app, rule or view; PH_EEXIST the endpoint is already
 *           mapped to another view (as Flask refuses); PH_ENOMEM; PH_EBUSY
 *           the app has already served a request. The same rule may be
 *           registered twice: the first registered matches, as in Flask.
 * Owns:     copies `rule`, the endpoint and the defaults.
 * Suspends: no.
 * Context:  setup.
 * Example:
 *     ph_route(app, "/post/<int:id>", show_post, .methods = PH_GET | PH_POST,
 *              .endpoint = "show_post");
 */
PH_EXTERN int ph_route_(ph_app *app, const char *rule, ph_view_fn view, const ph_route_opts *opts);
#define ph_route(app, rule, view, ...)                                                            \
    ph_route_((app), (rule), (view),                                                              \
              &(ph_route_opts){.reserved_ = 0, .view_ = #view, __VA_ARGS__})

/* ------------------------------------------------------------------------ */
/* URL converters                                                           */
/* ------------------------------------------------------------------------ */

/* Where a converter's to_url writes a value's URL text (ph_url_append()). */
typedef struct ph_url_text ph_url_text;

/*
 * A custom URL converter, what a Werkzeug BaseConverter subclass is to
 * Flask's app.url_map.converters; register it with ph_app_add_converter().
 * Zero means Werkzeug's default in every field, so every callback is
 * optional. `self` is what `create` made for this variable of this rule,
 * or the registration's `arg` when there is no `create`.
 *
 * Callbacks run in the worker that matches the request or builds the URL
 * (on the request's task, before any before_request hook, or on url_for's
 * caller) and must not suspend: matching and building are synchronous.
 */
typedef struct ph_converter {
    /* Werkzeug's to_python: check and convert the matched text (the decoded
     * path's UTF-8, NUL-terminated at text[len]). Return 0 to accept, with
     * *value set to a new reference to what the view sees (left NULL: the
     * text, as a JSON string); PH_EINVAL to refuse, as Werkzeug's
     * ValidationError: the rule does not match and the search goes on with
     * the next rule; any other negative code fails the request with a 500.
     * NULL: the value is the text. */
    int (*to_python)(void *self, const char *text, size_t len, json_t **value);
    /* Werkzeug's to_url: write the URL text of `value` (borrowed: what
     * url_for was given for the variable, any JSON but null, or a default)
     * to `out` with ph_url_append() and ph_url_append_quoted(). What it
     * writes goes into the URL as it is. Return 0, or a negative code that
     * makes url_for fail (PH_EINVAL: not a valid value for the converter).
     * NULL: ph_url_append_quoted(out, value), Werkzeug's default. */
    int (*to_url)(void *self, json_t *value, ph_url_text *out);
    /* Werkzeug's __init__(map, *args, **kwargs): called when a rule is added,
     * once for each variable that uses the converter, with the rule's
     * arguments: `<list(1, sep='+'):v>` gives args [1] and kwargs
     * {"sep": "+"} (both borrowed, never NULL; None is null, True and False
     * booleans, numbers, 'quoted' and bare words strings). Set *self and
     * return 0; or return PH_EINVAL, with a message in err[0..errlen), and
     * the rule is refused. NULL: the converter takes no arguments (a rule
     * giving some is refused) and `self` is the registration's `arg`. */
    int (*create)(void *arg, json_t *args, json_t *kwargs, void **self, char *err,
                  size_t errlen);
    /* Free what create made: when the app is freed, or when the rest of the
     * rule is refused. NULL: nothing to free. */
    void (*destroy)(void *self);
    /* What Werkzeug's regex and part_isolating decide. false: the value is
     * one non-empty segment without a slash ([^/]+, longest first). true: it
     * may span slashes, as `path` does ([^/].*?, shortest first), and takes
     * the rest of the rule with it. */
    bool slashes;
    /* Werkzeug's weight: among rules that differ only in converters, the
     * lighter converter is tried first (int and float 50, string, any and
     * uuid 100, path 200). 0: 100, Werkzeug's default. */
    int weight;
} ph_converter;

/*
 * Add a URL converter under `name` (Flask's app.url_map.converters[name] =
 * cls), for rules added afterwards: "/tags/<list:tags>". A name may be a
 * builtin one ("int", "string", and "default", the converter of a bare
 * `<name>`), which it then replaces for later rules, as in Werkzeug;
 * registering a name again replaces the converter for later rules too, and
 * rules added before keep the one they were given.
 *
 * Returns:  0; PH_EINVAL a NULL app or converter, a name that is not an
 *           identifier; PH_EBUSY the app has already served a request;
 *           PH_ENOMEM.
 * Owns:     copies `name` and `*conv`; `arg` stays the caller's and must
 *           outlive the app.
 * Suspends: no.
 * Context:  setup, before the rules that use it (an unknown converter is a
 *           bad rule).
 * Example:
 *     static int lower_to_python(void *self, const char *text, size_t len, json_t **value) {
 *         (void)self;
 *         (void)value;
 *         for (size_t i = 0; i < len; i++)
 *             if (text[i] < 'a' || text[i] > 'z')
 *                 return PH_EINVAL;
 *         return 0;
 *     }
 *     static const ph_converter lower = {.to_python = lower_to_python};
 *     ph_app_add_converter(app, "lower", &lower, NULL);
 *     ph_route(app, "/word/<lower:w>", show_post);
 */
PH_EXTERN int ph_app_add_converter(ph_app *app, const char *name, const ph_converter *conv,
                                   void *arg);

/*
 * For a converter's to_url. ph_url_append() writes `len` bytes of URL text
 * as they are: percent-encode what must be. ph_url_append_quoted() writes
 * a value as Werkzeug's default to_url does: str() of a string, number or
 * boolean ("True"), percent-encoded as url_quote with "/" and ":" kept.
 *
 * Returns:  0; PH_EINVAL a NULL argument, or a value that is null, an array
 *           or an object; PH_ENOMEM; PH_ETOOBIG past the URL's limit.
 * Suspends: no.
 */
PH_EXTERN int ph_url_append(ph_url_text *out, const char *s, size_t len);
PH_EXTERN int ph_url_append_quoted(ph_url_text *out, json_t *value);

/* A method view's functions (Flask's MethodView): one per HTTP method, NULL
 * for a method it does not answer. */
typedef struct ph_method_views {
    ph_view_fn get, post, put, patch, delete_, head, options;
} ph_method_views;

/*
 * Register a view that answers each method with its own function (Flask's
 * MethodView.as_view(endpoint)): the rule answers the methods that have a
 * function, HEAD with `head` or else `get`, and OPTIONS automatically unless
 * `options` is given; other methods get 405 with Allow. `.endpoint` is
 * required (as_view's name). `.methods`, when given, narrows one rule to
 * some of the methods (Flask's "/users/" for GET and POST, "/users/<id>" for
 * GET, PUT and DELETE, one endpoint); each must have a function. The same
 * table may serve several rules under one endpoint.
 *
 * Returns:  0; PH_EINVAL a NULL argument, no endpoint, a bad rule, or a
 *           method without a function; PH_EEXIST the endpoint is mapped to
 *           another view or table; PH_ENOMEM; PH_EBUSY after the first
 *           request.
 * Owns:     copies the table, the rule and the endpoint.
 * Suspends: no.
 * Context:  setup.
 * Example:
 *     static const ph_method_views user_api = {.get = user_get, .post = user_create,
 *                                             .put = user_update, .delete_ = user_delete};
 *     ph_method_view(app, "/users/", &user_api, .endpoint = "user_api",
 *                    .methods = PH_GET | PH_POST);
 *     ph_method_view(app, "/users/<int:id>", &user_api, .endpoint = "user_api",
 *                    .methods = PH_GET | PH_PUT | PH_DELETE);
 */
PH_EXTERN int ph_method_view_(ph_app *app, const char *rule, const ph_method_views *views,
                              const ph_route_opts *opts);
#define ph_method_view(app, rule, views, ...)                                                     \
    ph_method_view_((app), (rule), (views), &(ph_route_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Hook registration, each like Flask's decorator of the same name. Hooks run
 * in registration order, except after_request and the teardown hooks, which
 * run in reverse. before_first_request runs once per worker process, before
 * the first request's before_request hooks; requests arriving meanwhile wait
 * for it. Returning a negative code from it fails that request with a 500
 * and the hook runs again on the next request. It runs in the first
 * request's task: if that request is cancelled (its client leaves), the
 * hook's suspensions return PH_ECANCELED; return that code, and the next
 * request runs it again, rather than leave the work half done.
 *
 * Teardown hooks run for a cancelled request too (its client left, or
 * shutdown gave up on it), but there every suspension returns PH_ECANCELED
 * at once: clean up without suspending, or hand the work to a task of its
 * own (ph_spawn), which the request's cancellation does not reach.
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL for a NULL app or function; PH_EBUSY
 *           after the first request.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_before_request(ph_app *app, ph_before_request_fn fn);
PH_EXTERN int ph_after_request(ph_app *app, ph_after_request_fn fn);
PH_EXTERN int ph_teardown_request(ph_app *app, ph_teardown_request_fn fn);
PH_EXTERN int ph_teardown_appcontext(ph_app *app, ph_teardown_appcontext_fn fn);
PH_EXTERN int ph_before_first_request(ph_app *app, ph_before_first_request_fn fn);

/*
 * URL processors, Flask's url_value_preprocessor and url_defaults: together
 * they move a value shared by many URLs (a language code, a tenant) between
 * the URL and `g`, so views and url_for() calls need not name it.
 *
 * A url_value_preprocessor runs `fn(req, endpoint)` for every request after
 * routing and before any before_request hook (the app's first, then each
 * blueprint's, outermost first). `endpoint` is the matched endpoint, or NULL
 * when no rule matched (404, 405, a redirect), as Flask passes None. It
 * typically reads a view argument into `g` and drops it from the view
 * arguments with ph_view_arg_pop(). To refuse the request it calls
 * ph_abort(): the rest, the before_request hooks and the view do not run.
 *
 * A url_defaults function runs `fn(req, endpoint, values)` in every
 * ph_url_for() (templates' url_for() included) before the URL is built:
 * the app's first, then those of each blueprint the endpoint belongs to,
 * outermost first. `values` is the object of the call's values, the
 * function's to change; `req` is NULL in an app context alone. It
 * typically adds a value from `g` when the caller gave none and the
 * endpoint expects it (ph_app_endpoint_expects()).
 *
 * Both run on the caller's task and may suspend: ph_url_for() then
 * suspends with them (a template's url_for() too).
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL for a NULL app or function; PH_EBUSY
 *           after the first request.
 * Suspends: no.
 * Context:  setup.
 * Example:
 *     static void pull_lang(ph_request *req, const char *endpoint) {
 *         const char *lang = ph_view_arg_pop(req, "lang");
 *         if (lang)
 *             json_object_set_new(ph_g(), "lang", json_string(lang));
 *     }
 */
PH_EXTERN int ph_url_value_preprocessor(ph_app *app, ph_url_value_preprocessor_fn fn);
PH_EXTERN int ph_url_defaults(ph_app *app, ph_url_defaults_fn fn);

/*
 * Flask's after_this_request: run `fn(req, resp, arg)` on this request's
 * response only, whatever produced it (the view, a before_request hook, an
 * error handler). These functions run before the app's after_request hooks,
 * in the order they were registered, and like them may change the response
 * or return another; one returning NULL or ph_abort() fails the request
 * with a 500, and the rest do not run. Typically called from a view to set
 * a cookie or header on a response made elsewhere. Registering one after
 * the response is complete (in a teardown hook) has no effect.
 *
 * Returns:  0; PH_EINVAL for a NULL request or function; PH_ENOMEM.
 * Owns:     `arg` stays the caller's: keep it alive until the response is
 *           sent (ph_request_alloc() memory lives long enough).
 * Suspends: no (fn itself may).
 * Context:  request.
 */
PH_EXTERN int ph_after_this_request(ph_request *req, ph_after_this_request_fn fn, void *arg);

/*
 * Register an error handler for a status code (400-599) or an error kind
 * (and its descendants). The most specific match wins: a kind's own handler
 * before its parent's; a status handler applies to errors with that status
 * that no kind handler took.
 *
 * Returns:  0; PH_EINVAL bad status or NULL; PH_ENOMEM.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_errorhandler(ph_app *app, int status, ph_errorhandler_fn fn);
PH_EXTERN int ph_errorhandler_kind(ph_app *app, const ph_error_kind *kind, ph_errorhandler_fn fn);

/*
 * The app as an app of the app protocol, to hand to ph_serve(), to a
 * middleware or to the test client. The app must outlive every use.
 *
 * Returns:  the protocol app; one with call NULL for a NULL app.
 * Suspends: no.
 */
PH_EXTERN ph_proto_app ph_app_proto(ph_app *app);

/*
 * The app's configuration: a JSON object seeded with Flask's defaults for
 * the keys phial uses (DEBUG, TESTING, SECRET_KEY, SERVER_NAME,
 * APPLICATION_ROOT, PREFERRED_URL_SCHEME, MAX_CONTENT_LENGTH, ...).
 *
 * Returns:  the object, borrowed for the app's lifetime; change it during setup.
 *           NULL for a NULL app.
 * Suspends: no.
 */
PH_EXTERN json_t *ph_app_config(ph_app *app);

/* Typed reads of a config key; `fallback` when absent or of another type (or the
 * app or key is NULL). */
PH_EXTERN const char *ph_config_str(const ph_app *app, const char *key, const char *fallback);
PH_EXTERN int64_t ph_config_int(const ph_app *app, const char *key, int64_t fallback);
PH_EXTERN bool ph_config_bool(const ph_app *app, const char *key, bool fallback);
PH_EXTERN double ph_config_double(const ph_app *app, const char *key, double fallback);

/* Typed writes. 0; PH_EINVAL (NULL app or key); PH_ENOMEM. A NULL string sets
 * JSON null. Context: setup. */
PH_EXTERN int ph_config_set_str(ph_app *app, const char *key, const char *value);
PH_EXTERN int ph_config_set_int(ph_app *app, const char *key, int64_t value);
PH_EXTERN int ph_config_set_bool(ph_app *app, const char *key, bool value);

/*
 * Load config from environment variables named PREFIX_KEY (Flask's
 * from_prefixed_env with prefix "PHIAL"): each value is parsed as JSON when
 * it parses, else kept as a string; "__" in a name nests into objects.
 * Unlike Flask, the keys phial reads itself are checked: a boolean key
 * (DEBUG, SESSION_COOKIE_SECURE...) takes true, false, an integer or the
 * command line's words (yes/no, on/off, t/f, y/n), a number key
 * (MAX_CONTENT_LENGTH...) an integer, and anything else is
 * refused rather than read as the default; a string key (SECRET_KEY,
 * SERVER_NAME...) takes the text as it is (PHIAL_SECRET_KEY=12345 is
 * "12345"). null is always taken and means the default.
 *
 * Returns:  the number of keys set; PH_EINVAL (a NULL app, or a bad
 *           variable: `err` says which and why; nothing is changed); PH_ENOMEM.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_config_from_prefixed_env(ph_app *app, const char *prefix, char *err,
                                          size_t errlen);

/*
 * Load the UPPERCASE top-level keys of a JSON file (Flask's from_file with
 * json.load). With `silent`, a missing file is not an error. The keys phial
 * reads itself must be of their kind, as for ph_config_from_prefixed_env
 * (in a file a string key must be a JSON string).
 *
 * Returns:  the number of keys set; PH_ENOENT; PH_EPARSE (the message gives
 *           line and column); PH_EIO; PH_ENOMEM; PH_EINVAL (NULL app or
 *           path, or a key of the wrong kind: `err` names it; nothing is
 *           changed).
 * Suspends: no: it reads the file directly (call it during setup).
 * Context:  setup.
 */
PH_EXTERN int ph_config_from_file(ph_app *app, const char *path, bool silent, char *err,
                                  size_t errlen);

/*
 * Log through the app's logger: one line on stderr, the app's name in
 * brackets before the message (format in docs/logging.md). In debug mode
 * (config DEBUG) the threshold is DEBUG, else the process threshold. With a
 * NULL app nothing is logged.
 *
 * Suspends: no.
 */
PH_EXTERN void ph_app_log(const ph_app *app, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------------------ */
/* Contexts                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * The app of the current app context (Flask's current_app), the request of
 * the current request context (Flask's request). NULL when none is pushed on
 * the running task. Suspends: no.
 */
PH_EXTERN ph_app *ph_current_app(void);
PH_EXTERN ph_request *ph_current_request(void);

/*
 * `g`: a JSON object that lives as long as the current app context (one per
 * request while serving), made on first use. NULL outside an app context,
 * or when it cannot be allocated.
 *
 * Returns:  borrowed; set values with json_object_set_new().
 * Suspends: no.
 */
PH_EXTERN json_t *ph_g(void);

/*
 * Keep any pointer in `g` under `name`; `release` (may be NULL) runs when
 * the context ends. Returns 0; PH_EINVAL NULL name; PH_ENOTASK outside an app
 * context; PH_ENOMEM.
 */
PH_EXTERN int ph_g_set_ptr(const char *name, void *ptr, void (*release)(void *));
/* The pointer stored under `name`; NULL if none. */
PH_EXTERN void *ph_g_get_ptr(const char *name);

typedef struct ph_app_ctx ph_app_ctx;

/*
 * Push an app context on the current task (aioflask's `async with
 * app.app_context()`), for scripts, startup jobs and tests. Contexts nest;
 * pop each before the task ends (one left pushed is not torn down, and its
 * memory is lost).
 *
 * Returns:  the context, to pop; NULL outside a task or out of memory.
 * Suspends: no.
 */
PH_EXTERN ph_app_ctx *ph_app_context_push(ph_app *app);

/*
 * Pop it: runs the teardown_appcontext hooks (they may suspend), releases
 * `g`, and restores the context that was current before.
 *
 * Returns:  0; PH_ESTATE if `ctx` is not the innermost context.
 * Suspends: yes, as the hooks do.
 */
PH_EXTERN int ph_app_context_pop(ph_app_ctx *ctx);

typedef struct ph_request_ctx ph_request_ctx;

/*
 * Push a request context for a made-up request (Flask's
 * test_request_context): `method` and `url` ("/path?query"); also pushes an
 * app context if none is current. ph_current_request() then returns it.
 *
 * Returns:  the context; NULL on bad arguments, outside a task, or out of memory.
 * Suspends: no.
 */
PH_EXTERN ph_request_ctx *ph_request_context_push(ph_app *app, const char *method,
                                                  const char *url);

/* Pop it: teardown_request hooks, then the app context it pushed. Suspends: yes. */
PH_EXTERN int ph_request_context_pop(ph_request_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* The request                                                              */
/* ------------------------------------------------------------------------ */

/*
 * The app serving `req`.
 *
 * Every ph_request_* and ph_view_arg* function, given a NULL request (or a
 * NULL name), returns what it returns for something absent: NULL, 0, false,
 * or PH_EINVAL where it returns a code. An `out` array may be NULL: the
 * count is still returned.
 */
PH_EXTERN ph_app *ph_request_app(const ph_request *req);

/*
 * Parts of the URL, as Flask names them; all NUL-terminated and borrowed
 * until the request ends. For http://example.com:8000/app/p?q=1 with the app
 * mounted at /app:
 *   method "GET", scheme "http", host "example.com:8000", path "/p"
 *   (percent-decoded), full_path "/p?q=1", query_string "q=1",
 *   script_root "/app", base_url "http://example.com:8000/app/p",
 *   url "http://example.com:8000/app/p?q=1", url_root "http://example.com:8000/app/",
 *   host_url "http://example.com:8000/" (without the script root).
 * The host is the Host header as the client spelled it, without the
 * scheme's default port (":80" for http, ":443" for https), as Werkzeug's;
 * the URLs url_for and the router's redirects build name it in lowercase.
 * The path, like every text from the client the request decodes (query
 * arguments, form fields, file names, cookies, view arguments), is valid
 * UTF-8: each ill-formed byte sequence reads as U+FFFD, as Werkzeug
 * decodes with errors="replace". A path holding a NUL byte (%00) matches
 * no route (404); in an argument, field or cookie a NUL ends the C string.
 * Suspends: no.
 */
PH_EXTERN const char *ph_request_method(ph_request *req);
PH_EXTERN const char *ph_request_scheme(ph_request *req);
PH_EXTERN const char *ph_request_host(ph_request *req);
PH_EXTERN const char *ph_request_path(ph_request *req);
PH_EXTERN const char *ph_request_full_path(ph_request *req);
PH_EXTERN const char *ph_request_query_string(ph_request *req);
PH_EXTERN const char *ph_request_script_root(ph_request *req);
PH_EXTERN const char *ph_request_base_url(ph_request *req);
PH_EXTERN const char *ph_request_url(ph_request *req);
PH_EXTERN const char *ph_request_url_root(ph_request *req);
PH_EXTERN const char *ph_request_host_url(ph_request *req);
/* The client's address ("127.0.0.1"); "" when unknown (unix sockets). */
PH_EXTERN const char *ph_request_remote_addr(ph_request *req);
/* The matched endpoint; NULL when no rule matched. */
PH_EXTERN const char *ph_request_endpoint(ph_request *req);
/* The matched rule as registered (request.url_rule.rule: "/post/<int:id>",
 * with a blueprint's prefix); NULL when no rule matched. */
PH_EXTERN const char *ph_request_url_rule(ph_request *req);

/*
 * The first header named `name` (case-insensitive); NULL if absent.
 * ph_request_header_all() fills `out` with up to `max` values of every
 * header of that name, in order, and returns how many there are.
 * Suspends: no.
 */
PH_EXTERN const char *ph_request_header(ph_request *req, const char *name);
PH_EXTERN size_t ph_request_header_all(ph_request *req, const char *name, const char **out,
                                       size_t max);

/*
 * Query arguments (request.args), a multi-dict: the first value for `name`,
 * or NULL; every value into `out` (up to `max`, returns the count); and the
 * i-th pair in order (returns false past the end). Values are decoded.
 * Suspends: no.
 */
PH_EXTERN const char *ph_request_arg(ph_request *req, const char *name);
PH_EXTERN size_t ph_request_arg_all(ph_request *req, const char *name, const char **out,
                                    size_t max);
PH_EXTERN bool ph_request_arg_at(ph_request *req, size_t i, const char **name, const char **value);

/* A cookie sent by the client (request.cookies); NULL if absent. Suspends: no. */
PH_EXTERN const char *ph_request_cookie(ph_request *req, const char *name);

/*
 * The body's Content-Type and Content-Length, as Werkzeug's request reads
 * them.
 * ph_request_content_type(): the header as sent; NULL if absent.
 * ph_request_mimetype(): its media type in lowercase, without parameters
 * ("text/html"); "" if absent. It is found as leniently as Werkzeug finds
 * it: the text before the first ';', ',' or space, however malformed the
 * rest. Only ASCII letters are lowercased.
 * ph_request_mimetype_param(): a parameter of it ("charset"), the name
 * compared case-insensitively, the value unquoted, the last of a repeated
 * name; NULL when absent or when the header does not follow RFC 9110's
 * grammar (Werkzeug's lenient parser may still find parameters in such a
 * header).
 * ph_request_is_json(): whether the mimetype is application/json or
 * application/...+json, as ph_request_json() requires.
 * ph_request_content_length(): the Content-Length, -1 when absent or the
 * body is chunked.
 * Owns:     strings live as long as the request.
 * Suspends: no.
 */
PH_EXTERN const char *ph_request_content_type(ph_request *req);
PH_EXTERN const char *ph_request_mimetype(ph_request *req);
PH_EXTERN const char *ph_request_mimetype_param(ph_request *req, const char *name);
PH_EXTERN bool ph_request_is_json(ph_request *req);
PH_EXTERN int64_t ph_request_content_length(ph_request *req);

/*
 * What Werkzeug's request reads from common headers. ph_request_referrer():
 * the Referer header, NULL if absent. ph_request_user_agent(): the
 * User-Agent header, "" if absent (request.user_agent.string).
 * ph_request_is_secure(): whether the scheme is https or wss (behind a
 * proxy, see ph_proxy_headers_app()).
 * Suspends: no.
 */
PH_EXTERN const char *ph_request_referrer(ph_request *req);
PH_EXTERN const char *ph_request_user_agent(ph_request *req);
PH_EXTERN bool ph_request_is_secure(ph_request *req);

/*
 * request.access_route: the addresses of X-Forwarded-For (every such
 * header, in order, as a comma-separated list whose items may be quoted),
 * or else the client's address alone. Fills `out` with up to `max` of them
 * and returns how many there are (0 when neither is known).
 * Only trust them as far as your proxies set them.
 * Suspends: no.
 */
PH_EXTERN size_t ph_request_access_route(ph_request *req, const char **out, size_t max);

/* Credentials from an Authorization header (ph_request_authorization). */
typedef struct ph_authorization {
    const char *type;     /* "basic" or "digest" */
    const char *username; /* NULL for a Digest username given without a value */
    const char *password; /* Basic only */
    size_t nparams;       /* Digest: the parameters, in order */
    const char *const *param_names;
    const char *const *param_values; /* NULL for a name given without '=' */
} ph_authorization;

/*
 * request.authorization: the credentials of an Authorization header, as
 * Werkzeug 2.2 parses them, or NULL when there is none or it does not
 * parse (then a view answers 401 with a WWW-Authenticate header).
 *   - "Basic": username and password from base64 (decoded leniently, as
 *     Python's b64decode), split at the first ':'; both must be UTF-8 and
 *     hold no NUL byte.
 *   - "Digest": the header's key=value parameters (quotes removed) in
 *     `param_names`/`param_values`, which must name username, realm, nonce, uri and response,
 *     and nc and cnonce when qop is given; `password` is NULL.
 * Any other scheme (Bearer included, as in Werkzeug 2.2) gives NULL: read
 * such a header with ph_request_header().
 * Owns:     borrowed until the request ends.
 * Suspends: no.
 */
PH_EXTERN const ph_authorization *ph_request_authorization(ph_request *req);

/* A Digest parameter ("realm", "nonce", "qop" ...) of `auth`; NULL when
 * absent or given without a value. Suspends: no. */
PH_EXTERN const char *ph_authorization_param(const ph_authorization *auth, const char *name);

/* The Accept headers content negotiation reads. */
typedef enum ph_accept_header {
    PH_ACCEPT_MIMETYPES, /* Accept */
    PH_ACCEPT_LANGUAGES, /* Accept-Language */
    PH_ACCEPT_ENCODINGS, /* Accept-Encoding */
} ph_accept_header;

/*
 * Content negotiation (request.accept_mimetypes, accept_languages,
 * accept_encodings), as Werkzeug 2.2 reads the Accept, Accept-Language and
 * Accept-Encoding headers: items sorted by specificity then weight (q),
 * wildcards ("*", a type with "*" for its subtype), media type parameters,
 * language tags with "-" and "_" alike, falling back to primary tags
 * ("en-US" accepts "en", "en" accepts "en-US"). No header means nothing
 * is accepted, as in Werkzeug: best_match gives the fallback.
 *
 * ph_request_accept_best(): the first of the `n` offers the client likes
 * best (best_match(offers, fallback)); an offer of weight 0 never wins. An
 * offer that is not a media type ("html", or "*" with a concrete subtype)
 * is skipped, where Werkzeug raises ValueError.
 * ph_request_accept_quality(): the weight of `value` (0 when unmatched);
 * `ph_request_accept_quality(req, PH_ACCEPT_MIMETYPES, "application/json")
 * > 0` is accept_json's question.
 * Case is folded in ASCII only.
 * Suspends: no.
 */
PH_EXTERN const char *ph_request_accept_best(ph_request *req, ph_accept_header which,
                                             const char *const *offers, size_t n,
                                             const char *fallback);
PH_EXTERN double ph_request_accept_quality(ph_request *req, ph_accept_header which,
                                           const char *value);

/*
 * View arguments (request.view_args), converted by the rule's converter:
 * the text form of any (a uuid in lowercase, as str() of Flask's UUID; for
 * a custom converter the string its to_python made, or the matched text
 * when it made something else), and typed reads that fail with PH_EINVAL
 * when the variable is absent or of another type (an int read takes a
 * JSON integer from a custom converter, a double read an integer or a
 * real).
 * Suspends: no.
 */
PH_EXTERN const char *ph_view_arg(ph_request *req, const char *name);
PH_EXTERN int ph_view_arg_int(ph_request *req, const char *name, int64_t *out);
PH_EXTERN int ph_view_arg_double(ph_request *req, const char *name, double *out);

/*
 * Remove view argument `name` from the request's view arguments (Flask's
 * `values.pop(name)` in a url_value_preprocessor): from then on
 * ph_view_arg() and the templates' request.view_args no longer have it.
 *
 * Returns:  its text form, as ph_view_arg() gave it (lives as long as the
 *           request); NULL when there is no such argument.
 * Suspends: no.
 */
PH_EXTERN const char *ph_view_arg_pop(ph_request *req, const char *name);

/*
 * A view argument as the value the view gets in Flask: an integer for int,
 * a real for float, a string for string, path, any and uuid (lowercase),
 * what to_python made for a custom converter, and a default as it was
 * given. NULL when absent.
 *
 * Returns:  borrowed until the request ends; do not change it.
 * Suspends: no.
 */
PH_EXTERN json_t *ph_view_arg_json(ph_request *req, const char *name);

/*
 * The whole request body (request.get_data()), read through the app
 * protocol on first use and kept. Over MAX_CONTENT_LENGTH: PH_ETOOBIG (and
 * the request ends in 413 if the view returns the error).
 *
 * Returns:  0; PH_ETOOBIG; PH_ECLOSED (client left); PH_EPARSE; PH_ECANCELED;
 *           PH_ENOMEM.
 * Owns:     `*data` is borrowed until the request ends; NUL-terminated.
 * Suspends: yes, until the body has arrived.
 */
PH_EXTERN int ph_request_body(ph_request *req, const char **data, size_t *len);

/*
 * Read the body piece by piece as it arrives (Flask's request.stream), so
 * that a large upload can be passed on (to a file, a socket, a hash)
 * without being held in memory whole. MAX_CONTENT_LENGTH applies as it
 * does to ph_request_body().
 *
 * The body is read once, whoever reads it: a body already read whole
 * (ph_request_body(), a form, JSON) comes as one piece; after the stream
 * has begun, those see only what it has not taken, as in Werkzeug: an
 * empty body once the stream has ended.
 *
 * Returns:  1 with the next piece in *data and *len; 0 at the end of the
 *           body; PH_ETOOBIG past MAX_CONTENT_LENGTH, PH_ETIMEDOUT the
 *           client stopped sending (each recorded as a 413 or 408 on the
 *           request: return NULL from the view to send it); PH_ECLOSED the
 *           client left; PH_ECANCELED; PH_EINVAL for a NULL argument.
 * Owns:     the piece is borrowed until the next call (copy what must
 *           outlive it).
 * Suspends: yes, until the next piece arrives.
 * Example:
 *     const char *p;
 *     size_t n, total = 0;
 *     int rc;
 *     while ((rc = ph_request_stream_read(req, &p, &n)) > 0)
 *         total += n;
 *     if (rc < 0)
 *         return NULL;
 */
PH_EXTERN int ph_request_stream_read(ph_request *req, const char **data, size_t *len);

/*
 * The body parsed as JSON (request.get_json()). As Flask 2.2: without a JSON
 * content type ("application/json" or "+json") the request fails with 400
 * "Did not attempt to load JSON data because the request Content-Type was
 * not 'application/json'." (silent: returns NULL instead); malformed JSON
 * fails with 400 "Failed to decode JSON object: ..." (silent: NULL).
 *
 * Running out of memory while parsing is not the client's fault: it records
 * a 500, silent or not.
 *
 * A body of 8 KiB or more is parsed on the thread pool (ph_to_thread), so
 * the worker serves its other connections meanwhile: jansson takes about a
 * millisecond for 8 KiB of small arrays. (An app that replaces jansson's
 * allocation functions must give thread-safe ones.)
 *
 * Returns:  the value, borrowed until the request ends; NULL after recording
 *           the 400 (or 500) on the request (return NULL from the view to
 *           send it). Cancelled while parsing: NULL, with nothing recorded.
 * Suspends: yes, until the body has arrived, and while a large body is parsed.
 */
PH_EXTERN json_t *ph_request_json(ph_request *req);
PH_EXTERN json_t *ph_request_json_silent(ph_request *req);

/* A file uploaded in a multipart form (request.files). */
typedef struct ph_file {
    const char *name;         /* the form field */
    const char *filename;     /* as sent by the client: never trust it as a path */
    const char *content_type; /* "" when not sent */
    uint64_t size;            /* bytes */
    const char *data;         /* the bytes when kept in memory, else NULL */
    const char *path;         /* the temporary file when spooled to disk, else NULL;
                                 removed when the request ends */
} ph_file;

/*
 * Form fields (request.form) of an application/x-www-form-urlencoded or
 * multipart/form-data body, parsed on first use; files of a multipart body.
 * Files larger than 500 KiB are spooled to a temporary file, not memory.
 * On a malformed body the request fails with 400; over MAX_CONTENT_LENGTH,
 * with 413 (the getters then return NULL).
 * Suspends: yes, until the body has arrived.
 */
PH_EXTERN const char *ph_request_form(ph_request *req, const char *name);
PH_EXTERN size_t ph_request_form_all(ph_request *req, const char *name, const char **out,
                                     size_t max);
PH_EXTERN bool ph_request_form_at(ph_request *req, size_t i, const char **name,
                                  const char **value);
PH_EXTERN const ph_file *ph_request_file(ph_request *req, const char *name);
PH_EXTERN const ph_file *ph_request_file_at(ph_request *req, size_t i);

/*
 * request.values: the query argument `name` if there is one, else, for a
 * method other than GET, the form field (Werkzeug 2.2's CombinedMultiDict of
 * args then form; a GET's body is not read for it). NULL if neither.
 * Suspends: yes, as ph_request_form() does, when it reads the form.
 */
PH_EXTERN const char *ph_request_value(ph_request *req, const char *name);

/* Memory that lives as long as the request (its arena). NULL when out of memory. */
PH_EXTERN void *ph_request_alloc(ph_request *req, size_t n);
PH_EXTERN char *ph_request_strdup(ph_request *req, const char *s);
PH_EXTERN char *ph_request_printf(ph_request *req, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------ */
/* Responses                                                                */
/* ------------------------------------------------------------------------ */

/*
 * A response with `status` and a body of `len` bytes (copied), with
 * Content-Type `content_type` ("text/html; charset=utf-8" when NULL).
 * ph_text() and ph_html() take a NUL-terminated string.
 *
 * Returns:  the response (the request's); NULL when out of memory or `req`
 *           is NULL.
 * Suspends: no.
 */
PH_EXTERN ph_response *ph_response_new(ph_request *req, int status, const void *body, size_t len,
                                       const char *content_type);
PH_EXTERN ph_response *ph_text(ph_request *req, int status, const char *text);
PH_EXTERN ph_response *ph_html(ph_request *req, int status, const char *html);

/*
 * A JSON response (Flask's jsonify): `value` serialised as Flask 2.2 does:
 * sorted keys, ASCII only, compact separators (indented by 2 when
 * JSONIFY_PRETTYPRINT_REGULAR or DEBUG is on), a trailing newline;
 * Content-Type application/json.
 *
 * Returns:  the response; NULL (with a 500 recorded) when `value` cannot be
 *           serialised; NULL for a NULL request.
 * Owns:     steals `value` on every path.
 * Suspends: no.
 */
PH_EXTERN ph_response *ph_jsonify(ph_request *req, json_t *value);
PH_EXTERN ph_response *ph_json_response(ph_request *req, int status, json_t *value);

/*
 * A redirect (Flask's redirect): `code` 301, 302 (default when 0), 303,
 * 307 or 308 (any 3xx is taken), with Location `location` and Werkzeug's
 * small HTML body. A location with bytes outside ASCII or with white space
 * is made a URI first, as Werkzeug's iri_to_uri does: a host outside ASCII
 * takes its IDNA form ("http://bücher.de/" is sent as
 * "http://xn--bcher-kva.de/"; see src/util/idna.h), other such bytes become
 * %XX ("/é x" is sent as "/%C3%A9%20x"), while URI delimiters and existing
 * escapes stay.
 *
 * Returns:  the response; NULL with a 500 recorded if `location` holds CR,
 *           LF or NUL (never sent), or is NULL, or `code` is outside
 *           300-399 (Werkzeug sends any code); NULL for a NULL request.
 * Suspends: no.
 */
PH_EXTERN ph_response *ph_redirect(ph_request *req, const char *location, int code);

/*
 * Stop handling the request with an HTTP error (Flask's abort): records the
 * error on the request and returns a marker response. Return it from the
 * view or hook, or return NULL from a helper: either way the error handlers
 * run. ph_abort_msg() sets the description shown on the error page.
 *
 * Returns:  the marker response (never NULL; for a NULL request nothing is
 *           recorded).
 * Suspends: no.
 */
PH_EXTERN ph_response *ph_abort(ph_request *req, int status);
PH_EXTERN ph_response *ph_abort_msg(ph_request *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record an error of an app-declared kind (NULL: PH_INTERNAL_ERROR); like ph_abort(). */
PH_EXTERN ph_response *ph_fail(ph_request *req, const ph_error_kind *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The error recorded on the request, if any (borrowed). Suspends: no. */
PH_EXTERN const ph_error *ph_request_error(const ph_request *req);

/* Status and headers. A header name that is not a token, or a value holding
 * CR, LF or any other control byte but HTAB (RFC 9110 field-value), is
 * refused with PH_EINVAL and never sent. A NULL response or name: PH_EINVAL,
 * NULL, or nothing done. */
PH_EXTERN int ph_response_status(const ph_response *resp);
PH_EXTERN void ph_response_set_status(ph_response *resp, int status);
/* Replace every header named `name` with one of `value`. 0; PH_EINVAL; PH_ENOMEM. */
PH_EXTERN int ph_response_set_header(ph_response *resp, const char *name, const char *value);
/* Add a header, keeping others of the same name. 0; PH_EINVAL; PH_ENOMEM. */
PH_EXTERN int ph_response_add_header(ph_response *resp, const char *name, const char *value);
/* The first header named `name` (case-insensitive), or NULL. */
PH_EXTERN const char *ph_response_header(const ph_response *resp, const char *name);
/* Remove every header named `name`. */
PH_EXTERN void ph_response_remove_header(ph_response *resp, const char *name);
/* The body held in memory (NULL for a streaming response) and its length. */
PH_EXTERN const char *ph_response_body(const ph_response *resp, size_t *len);

typedef enum ph_samesite_opt {
    PH_SAMESITE_DEFAULT = 0, /* no SameSite attribute */
    PH_SAMESITE_ATTR_STRICT,
    PH_SAMESITE_ATTR_LAX,
    PH_SAMESITE_ATTR_NONE,
} ph_samesite_opt;

/* Cookie attributes for ph_response_set_cookie(); zero means "not set". */
typedef struct ph_cookie_attrs {
    int reserved_;      /* private */
    int64_t max_age;    /* seconds; used when has_max_age */
    bool has_max_age;
    int64_t expires;    /* Unix time; used when has_expires (0 with it: the epoch) */
    bool has_expires;
    const char *path;   /* default "/" */
    const char *domain; /* default none */
    bool secure;
    bool httponly;
    ph_samesite_opt samesite;
} ph_cookie_attrs;

/*
 * Set a cookie (Werkzeug's set_cookie): a Set-Cookie header with each
 * attribute given. Values outside the cookie-safe set are quoted as
 * Werkzeug quotes them.
 *
 * Returns:  0; PH_EINVAL (a NULL response, name or value; a name, path or
 *           domain with CR, LF, ';' or other bytes a cookie cannot hold;
 *           values are never refused: they are quoted, with octal escapes,
 *           as Werkzeug quotes them); PH_ENOMEM.
 * Suspends: no.
 * Example:
 *     ph_response_set_cookie(resp, "theme", "dark", .max_age = 3600,
 *                            .has_max_age = true, .httponly = true);
 */
PH_EXTERN int ph_response_set_cookie_(ph_response *resp, const char *name, const char *value,
                                      const ph_cookie_attrs *attrs);
#define ph_response_set_cookie(resp, name, value, ...)                                            \
    ph_response_set_cookie_((resp), (name), (value),                                              \
                            &(ph_cookie_attrs){.reserved_ = 0, __VA_ARGS__})

/* Expire a cookie (Werkzeug's delete_cookie): empty value, Max-Age 0, Expires 1970. */
PH_EXTERN int ph_response_delete_cookie(ph_response *resp, const char *name, const char *path,
                                        const char *domain);

typedef struct ph_stream ph_stream;

/* Produces a streaming body: write chunks with ph_stream_write(); return 0 or a PH_E* code. */
typedef int (*ph_stream_fn)(ph_stream *s, void *arg);

/*
 * A streaming response: after the hooks have run, `fn(stream, arg)` is
 * called in the request's task and writes the body in chunks. Sent chunked
 * (or close-delimited for HTTP/1.0) unless a Content-Length header is set.
 *
 * Returns:  the response; NULL when out of memory or `req` or `fn` is NULL.
 * Owns:     `arg` must stay valid until the request ends (use the arena).
 * Suspends: no (the producer suspends when it runs).
 */
PH_EXTERN ph_response *ph_response_stream(ph_request *req, int status, const char *content_type,
                                          ph_stream_fn fn, void *arg);

/*
 * Write a chunk of a streaming body.
 *
 * Returns:  0; PH_ECLOSED the client left (stop producing); PH_ETIMEDOUT;
 *           PH_ECANCELED the request was cancelled (its client went away,
 *           or shutdown gave up on it), from then on at every call;
 *           PH_EINVAL a NULL stream, or NULL data with len > 0.
 * Suspends: yes, while the client is slow to read (backpressure).
 */
PH_EXTERN int ph_stream_write(ph_stream *s, const void *data, size_t len);

/* ------------------------------------------------------------------------ */
/* URLs                                                                     */
/* ------------------------------------------------------------------------ */

/* Options of ph_url_for(). */
typedef struct ph_url_for_opts {
    int reserved_;       /* private */
    json_t *values;      /* stolen object: rule variables; the rest become the query */
    bool external;       /* scheme://host + path (the request's, or SERVER_NAME's);
                            outside a request URLs are always external */
    const char *scheme;  /* with external: the scheme asked for; as Werkzeug, the URL
                            is https for "https" or "wss", else http (wss and ws for
                            a websocket endpoint, whose URL is always external) */
    const char *anchor;  /* the #fragment */
    const char *method;  /* pick a rule that allows this method */
} ph_url_for_opts;

/*
 * Build a URL for `endpoint` (Flask's url_for), inside a request (uses its
 * script root, host and scheme) or an app context (uses SERVER_NAME,
 * APPLICATION_ROOT and PREFERRED_URL_SCHEME).
 *
 * Returns:  the URL (in the request's arena, or the app context's outside a
 *           request); NULL with the reason in `err` (may be NULL) when no rule
 *           can be built: unknown endpoint, a missing or invalid value.
 * Owns:     steals `.values` on every path.
 * Suspends: no.
 * Example:
 *     const char *u = ph_url_for(req, "show_post",
 *                                .values = json_pack("{s:i}", "id", 7));
 */
PH_EXTERN const char *ph_url_for_(ph_request *req, const char *endpoint,
                                  const ph_url_for_opts *opts, char *err, size_t errlen);
#define ph_url_for(req, endpoint, ...)                                                            \
    ph_url_for_((req), (endpoint), &(ph_url_for_opts){.reserved_ = 0, __VA_ARGS__}, NULL, 0)

/*
 * Whether some rule of `endpoint` takes `name`, as a variable or a default
 * (Werkzeug's url_map.is_endpoint_expecting): what a url_defaults function
 * asks before adding a value.
 *
 * Returns:  true or false; false for a NULL argument or an unknown endpoint.
 * Suspends: no.
 */
PH_EXTERN bool ph_app_endpoint_expects(ph_app *app, const char *endpoint, const char *name);

#ifdef __cplusplus
}
#endif
#endif
