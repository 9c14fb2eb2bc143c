/*
 * The framework's internal structures: the app, a request, a response and
 * the contexts. docs/internals/framework.md walks through a request.
 */
#ifndef PH_APP_CORE_H
#define PH_APP_CORE_H

#include "app/router.h"
#include "phial/app.h"
#include "phial/runtime.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/multidict.h"

/* A hook and its scope: the blueprint whose routes it applies to, or NULL
 * for the whole app (Flask keys its hook dicts the same way). */
typedef struct ph__hook {
    void *fn;
    const char *bp;
} ph__hook;

typedef struct ph__hooks {
    ph__hook *items;
    size_t n, cap;
} ph__hooks;

typedef struct ph__status_handler {
    int status;
    const char *bp;
    ph_errorhandler_fn fn;
} ph__status_handler;

typedef struct ph__kind_handler {
    const ph_error_kind *kind;
    const char *bp;
    ph_errorhandler_fn fn;
} ph__kind_handler;

typedef struct ph_session_codec ph_session_codec;
struct ph__cli;
/* The app's command registry (cli.c); NULL does nothing. */
void ph__cli_free(struct ph__cli *cli);

struct ph_app {
    char *name;
    ph__router *router;
    json_t *config;
    ph__hooks before, after, teardown_req, teardown_app, first;
    ph__hooks url_pre, url_defaults; /* url_processors.c */
    struct ph__method_view *method_views; /* method_view.c */
    size_t nmethod_views, cap_method_views;
    ph__status_handler *status_handlers;
    size_t nstatus;
    ph__kind_handler *kind_handlers;
    size_t nkind;
    int served;      /* a request has begun: setup is over */
    int first_state; /* before_first_request: 0 not run, 1 running, 2 done */
    struct ph_event *first_done; /* set when a run ends; what waiters wait on */
    char **bp_names; /* registered blueprints' full names, owned */
    size_t nbp;
    struct ph_tmpl_env *templates; /* created on first use (ph_app_template_env) */
    int templates_bound;           /* its folders and auto-reload set (first render) */
    char **template_dirs;          /* blueprints' template folders, in order */
    size_t ntemplate_dirs;
    struct ph__cli *cli;     /* commands registered with ph_cli_command (cli.c), or NULL */
    ph_arena arena_pool[16]; /* request arenas kept for reuse (reset, first chunk kept) */
    size_t narena_pool;
    ph_session_codec *codec; /* built on first use from SECRET_KEY */
    char *codec_key;         /* the key the codec was built with */
};

typedef struct ph__g_ptr {
    char *name;
    void *ptr;
    void (*release)(void *);
    struct ph__g_ptr *next;
} ph__g_ptr;

struct ph_app_ctx {
    ph_app *app;
    json_t *g;          /* created on first use */
    int heap;           /* allocated by ph_app_context_push (else in a request's arena) */
    ph__g_ptr *ptrs;
    ph_app_ctx *prev;
    ph_arena arena; /* url_for results outside a request */
};

typedef struct ph__file_entry ph__file_entry;

struct ph_request {
    ph_app *app;
    const ph_scope *scope;
    ph_channel *ch;
    ph_arena *arena;
    /* URL parts, computed on first use */
    const char *method, *scheme, *host, *path, *full_path, *query_string, *script_root;
    const char *base_url, *url, *url_root, *remote_addr;
    const char *url_host; /* the host in lowercase, for the URLs routing builds */
    const char *mimetype; /* request_content.c, on first use */
    ph_slice text_path;   /* ph__request_text_path(); ptr NULL until first use */
    /* request_headers.c, parsed on first use */
    const ph_authorization *auth;
    int auth_parsed;
    const char **route;
    size_t nroute;
    int route_parsed;
    const struct ph__accept *accept[3]; /* by ph_accept_header */
    /* args and cookies, parsed on first use */
    ph_multidict args, cookies;
    int args_parsed, cookies_parsed;
    /* the route */
    ph__route_match match;
    int matched;
    /* body, form, files, json */
    char *body;
    size_t body_len;
    int body_state; /* 0 unread, 1 read, < 0 the error */
    uint64_t received; /* body bytes received so far, by any reader */
    int piece_state;   /* 0 more to come, 1 all received, < 0 the error */
    int body_streamed; /* ph_request_stream_read gave the whole body */
    ph_multidict form;
    int form_state; /* 0 unparsed, 1 parsed, < 0 error */
    ph_file *files;
    size_t nfiles;
    json_t *json;
    int json_state;
    /* errors */
    ph_error *error;
    ph_response *marker;
    const ph_error *unhandled; /* what teardown hooks see */
    /* contexts */
    ph_app_ctx *app_ctx;
    /* blueprints of the matched endpoint, innermost first */
    const char *bps[8];
    size_t nbps;
    /* where an internal error was recorded, for the debug page */
    void *trace[32];
    int ntrace;
    /* session and flashes */
    json_t *session, *session_loaded;
    int session_state; /* 0 not loaded, 1 loaded */
    int session_accessed;
    json_t *flashes;
    /* ph_after_this_request() functions, in registration order */
    struct ph__after_this *after_this, *after_this_last;
    /* the websocket of a websocket request (websocket.c), else NULL */
    struct ph_websocket *ws;
};

typedef struct ph__after_this {
    ph_after_this_request_fn fn;
    void *arg;
    struct ph__after_this *next;
} ph__after_this;

typedef struct ph__resp_header {
    char *name;
    char *value;
} ph__resp_header;

struct ph_response {
    ph_request *req;
    int status;
    ph__resp_header *headers;
    size_t nheaders, cap;
    char *body;
    size_t len;
    ph_stream_fn stream;
    void *stream_arg;
    int is_marker; /* returned by ph_abort(): the error decides */
};

struct ph_stream {
    ph_request *req;
    ph_channel *ch;
    int error;
};

/* Hooks (app.c). `bp` is an interned blueprint name or NULL (app-wide). */
int ph__hooks_add(ph__hooks *h, void *fn, const char *bp);
int ph__add_status_handler(ph_app *app, int status, const char *bp, ph_errorhandler_fn fn);
int ph__add_kind_handler(ph_app *app, const ph_error_kind *kind, const char *bp,
                         ph_errorhandler_fn fn);
/*
 * jansson parses 8 KiB of JSON objects in about 0.2 ms on a development VM,
 * and 8 KiB of `[],[],...` in 1 ms: a parse (or a free) on the loop holds
 * every other connection of the worker that long, so a request body's JSON
 * of this size or more is parsed (body.c) and freed (request.c) on the
 * thread pool, where the handoff (tens of microseconds) is small beside it.
 */
#define JSON_ON_THREAD (8 * 1024)

int ph__add_route(ph_app *app, const char *rule, ph_view_fn view, const ph_route_opts *opts,
                  const char *endpoint);
/* The endpoint a route gets unless one is given: the view's name when the
 * registering macro passed one that is an identifier, else NULL. */
const char *ph__route_view_name(const ph_route_opts *opts);

/* The decoded path as text (invalid UTF-8 replaced by U+FFFD, as Werkzeug
 * decodes PATH_INFO); not NUL-terminated, and may hold NUL bytes. Routing
 * matches it and ph_request_path() returns a copy of it. */
ph_slice ph__request_text_path(ph_request *req);

/* The request's host as the URLs the framework builds name it (url_for,
 * the router's redirects): in lowercase, as Werkzeug's URL adapter has it,
 * while ph_request_host() keeps the client's spelling. */
const char *ph__request_url_host(ph_request *req);

/* Scopes of a request, in the order hooks run: for before_request the app
 * first, then outermost to innermost blueprint; for the rest the reverse. */
size_t ph__request_scopes(ph_request *req, const char **out, size_t max, int app_first);

/* Register what depends on the final config (the static route); idempotent. */
void ph__app_finish_setup(ph_app *app);

/* `path` made absolute against the app's ROOT_PATH (config; the current
 * directory when unset), as Flask resolves folders against root_path. */
void ph__app_path(const ph_app *app, const char *path, char *out, size_t cap);

/* Static folders (static.c): the route for `folder` at `url_path` under `endpoint`. */
int ph__static_register_as(ph_app *app, const char *url_path, const char *folder,
                           const char *endpoint);

/* Sessions (session.c): save into the response at the end of a request. */
void ph__session_save(ph_request *req, ph_response *resp);
void ph__session_release(ph_request *req);
/* The session without marking it read (templates get it this way). */
json_t *ph__session_peek(ph_request *req);

/* Contexts (context.c). */
int ph__ctx_key_app(void);
int ph__ctx_key_req(void);
ph_app_ctx *ph__app_ctx_current(void);
/* Pop an app context, handing `err` (the request's unhandled error) to the
 * teardown_appcontext hooks, as Flask's app_ctx.pop(exc) does. */
int ph__app_context_pop_err(ph_app_ctx *c, const ph_error *err);
/* Push an app context kept in `storage` (a request's arena) instead of the heap. */
ph_app_ctx *ph__app_context_push_at(ph_app *app, ph_app_ctx *storage);
void ph__request_set_current(ph_request *req);

/* Requests (request.c). */
void ph__request_init(ph_request *req, ph_app *app, const ph_scope *scope, ph_channel *ch,
                      ph_arena *arena);
void ph__request_cleanup(ph_request *req);

/* Errors (errors.c). */
ph_error *ph__error_set(ph_request *req, int status, const ph_error_kind *kind, int code,
                        const char *message);
ph_response *ph__error_response(ph_request *req);
/* A handler or hook (`what`) failed while answering: logged, then the 500
 * handler answers with an InternalServerError, unless it is `tried` (the
 * one that failed) or there is none: then the default 500 page. `failure`,
 * the error it recorded (or NULL), becomes what teardown sees. The
 * request's error is left as it was. */
ph_response *ph__failure_response(ph_request *req, const char *what, ph_errorhandler_fn tried,
                                  ph_error *failure);
ph_response *ph__default_error_page(ph_request *req, int status, const char *message);
/* The debug page for an unhandled error (DEBUG on only). */
ph_response *ph__debug_page(ph_request *req, const ph_error *e);
/* A status's name on its error page: Werkzeug's (413 "Request Entity Too
 * Large"), else the reason phrase, else "Unknown Error". */
const char *ph__http_status_name(int status);

/* Method views (method_view.c): add one under `endpoint` (a blueprint's
 * full one), and free the app's tables. */
int ph__add_method_view(ph_app *app, const char *rule, const ph_method_views *views,
                        const ph_route_opts *opts, const char *endpoint);
void ph__method_views_free(ph_app *app);

/* URL processors (url_processors.c). Run the url_value_preprocessors of the
 * request's scopes, app first; one that records an error stops the rest. */
void ph__url_preprocess(ph_request *req);
/* Run the url_defaults functions for `endpoint` over `*values` (the app's,
 * then each blueprint of the endpoint, outermost first), making `*values`
 * an object of the caller's own first. Returns 0; PH_ENOMEM. */
int ph__url_inject_defaults(ph_app *app, ph_request *req, const char *endpoint, json_t **values);

/* Websockets (websocket.c). The app call for a websocket scope, inside the
 * request's contexts: the handshake, dispatch, the handler, or the refusal. */
int ph__ws_handle(ph_request *req);
/* Run the matched websocket handler. NULL with the websocket answered
 * (req->ws), or NULL with an error recorded: the refusal to send. */
ph_response *ph__ws_run(ph_request *req);
/* Whether the handler has answered the handshake itself (accepted it, or
 * closed before accepting): nothing more is sent for the request. */
int ph__ws_answered(const ph_request *req);

/* Dispatch (dispatch.c). */
ph_response *ph__full_dispatch(ph_request *req);
int ph__send_response(ph_request *req, ph_response *resp);

#endif
