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

typedef struct ph__hooks {
    void **fns;
    size_t n, cap;
} ph__hooks;

typedef struct ph__status_handler {
    int status;
    ph_errorhandler_fn fn;
} ph__status_handler;

typedef struct ph__kind_handler {
    const ph_error_kind *kind;
    ph_errorhandler_fn fn;
} ph__kind_handler;

struct ph_app {
    char *name;
    ph__router *router;
    json_t *config;
    ph__hooks before, after, teardown_req, teardown_app, first;
    ph__status_handler *status_handlers;
    size_t nstatus;
    ph__kind_handler *kind_handlers;
    size_t nkind;
    int served;      /* a request has begun: setup is over */
    int first_state; /* before_first_request: 0 not run, 1 running, 2 done */
};

typedef struct ph__g_ptr {
    char *name;
    void *ptr;
    void (*release)(void *);
    struct ph__g_ptr *next;
} ph__g_ptr;

struct ph_app_ctx {
    ph_app *app;
    json_t *g;
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
};

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

/* Hooks (app.c). */
int ph__hooks_add(ph__hooks *h, void *fn);

/* Contexts (context.c). */
int ph__ctx_key_app(void);
int ph__ctx_key_req(void);
ph_app_ctx *ph__app_ctx_current(void);
void ph__request_set_current(ph_request *req);

/* Requests (request.c). */
void ph__request_init(ph_request *req, ph_app *app, const ph_scope *scope, ph_channel *ch,
                      ph_arena *arena);
void ph__request_cleanup(ph_request *req);

/* Errors (errors.c). */
ph_error *ph__error_set(ph_request *req, int status, const ph_error_kind *kind, int code,
                        const char *message);
ph_response *ph__error_response(ph_request *req);
ph_response *ph__default_error_page(ph_request *req, int status, const char *message);
const char *ph__http_status_name(int status);

/* Dispatch (dispatch.c). */
ph_response *ph__full_dispatch(ph_request *req);
int ph__send_response(ph_request *req, ph_response *resp);

#endif
