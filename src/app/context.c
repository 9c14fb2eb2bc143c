/*
 * App and request contexts, hung on the running task's task-local slots
 * (what Flask's current_app, g and request proxies read). Contexts form a
 * stack per task: pushing keeps the previous one, popping restores it, so
 * they nest as Flask's do. They can be pushed and popped explicitly from any
 * task, outside a request: scripts, startup jobs and tests.
 */
#include "app/core.h"

#include "util/alloc.h"

#include <pthread.h>
#include <string.h>

static int key_app = -1, key_req = -1;
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void make_keys(void) {
    key_app = ph_task_local_key();
    key_req = ph_task_local_key();
}

int ph__ctx_key_app(void) {
    pthread_once(&keys_once, make_keys);
    return key_app;
}

int ph__ctx_key_req(void) {
    pthread_once(&keys_once, make_keys);
    return key_req;
}

ph_app_ctx *ph__app_ctx_current(void) { return ph_task_local_get(ph__ctx_key_app()); }

ph_app *ph_current_app(void) {
    ph_app_ctx *c = ph__app_ctx_current();
    return c ? c->app : NULL;
}

ph_request *ph_current_request(void) { return ph_task_local_get(ph__ctx_key_req()); }

void ph__request_set_current(ph_request *req) { ph_task_local_set(ph__ctx_key_req(), req); }

json_t *ph_g(void) {
    ph_app_ctx *c = ph__app_ctx_current();
    if (c && !c->g)
        c->g = json_object(); /* most requests never touch g */
    return c ? c->g : NULL;
}

int ph_g_set_ptr(const char *name, void *ptr, void (*release)(void *)) {
    ph_app_ctx *c = ph__app_ctx_current();
    if (!c || !name)
        return c ? PH_EINVAL : PH_ENOTASK;
    for (ph__g_ptr *p = c->ptrs; p; p = p->next)
        if (strcmp(p->name, name) == 0) {
            if (p->release && p->ptr != ptr)
                p->release(p->ptr);
            p->ptr = ptr;
            p->release = release;
            return 0;
        }
    ph__g_ptr *p = ph__calloc(1, sizeof(*p));
    char *n = ph__strdup(name);
    if (!p || !n) {
        ph__free(p);
        ph__free(n);
        return PH_ENOMEM;
    }
    *p = (ph__g_ptr){.name = n, .ptr = ptr, .release = release, .next = c->ptrs};
    c->ptrs = p;
    return 0;
}

void *ph_g_get_ptr(const char *name) {
    ph_app_ctx *c = ph__app_ctx_current();
    for (ph__g_ptr *p = c && name ? c->ptrs : NULL; p; p = p->next)
        if (strcmp(p->name, name) == 0)
            return p->ptr;
    return NULL;
}

ph_app_ctx *ph_app_context_push(ph_app *app) {
    if (!app || !ph_current())
        return NULL;
    ph_app_ctx *c = ph__malloc(sizeof(*c));
    if (!c)
        return NULL;
    ph_app_ctx *r = ph__app_context_push_at(app, c);
    if (r)
        r->heap = 1;
    else
        ph__free(c);
    return r;
}

ph_app_ctx *ph__app_context_push_at(ph_app *app, ph_app_ctx *c) {
    if (!app || !c || !ph_current())
        return NULL;
    memset(c, 0, sizeof(*c));
    c->app = app;
    ph__arena_init(&c->arena, 1024, 0);
    c->prev = ph__app_ctx_current();
    ph_task_local_set(ph__ctx_key_app(), c);
    return c;
}

int ph_app_context_pop(ph_app_ctx *c) { return ph__app_context_pop_err(c, NULL); }

int ph__app_context_pop_err(ph_app_ctx *c, const ph_error *err) {
    if (!c || ph__app_ctx_current() != c)
        return PH_ESTATE;
    ph_app *app = c->app;
    for (size_t i = app->teardown_app.n; i-- > 0;)
        ((ph_teardown_appcontext_fn)app->teardown_app.items[i].fn)(app, err);
    while (c->ptrs) {
        ph__g_ptr *p = c->ptrs;
        c->ptrs = p->next;
        if (p->release)
            p->release(p->ptr);
        ph__free(p->name);
        ph__free(p);
    }
    ph_task_local_set(ph__ctx_key_app(), c->prev);
    json_decref(c->g);
    ph__arena_close(&c->arena);
    if (c->heap)
        ph__free(c);
    return 0;
}

/* ---- request contexts for made-up requests -------------------------------- */

/* A channel with no body and nowhere to send: test_request_context's. */
static int null_receive(ph_channel *ch, ph_message *m) {
    memset(m, 0, sizeof(*m));
    m->type = PH_MSG_HTTP_REQUEST;
    m->body = (ph_slice){"", 0};
    return 0;
}

static int null_send(ph_channel *ch, const ph_message *m) { return 0; }

static const ph_channel_ops null_ops = {null_receive, null_send};

struct ph_request_ctx {
    ph_request req;
    ph_scope scope;
    ph_channel ch;
    ph_arena arena;
    ph_app_ctx *pushed_app;
    ph_request *prev;
};

ph_request_ctx *ph_request_context_push(ph_app *app, const char *method, const char *url) {
    if (!app || !method || !url || url[0] != '/' || !ph_current())
        return NULL;
    ph_request_ctx *c = ph__calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    ph__arena_init(&c->arena, 2048, 0);
    const char *q = strchr(url, '?');
    size_t plen = q ? (size_t)(q - url) : strlen(url);
    char *m = ph__arena_strdup(&c->arena, method);
    char *p = ph__arena_strndup(&c->arena, url, plen);
    char *qs = ph__arena_strdup(&c->arena, q ? q + 1 : "");
    static const ph_header host = {{"Host", 4}, {"localhost", 9}};
    if (!m || !p || !qs) {
        ph__arena_close(&c->arena);
        ph__free(c);
        return NULL;
    }
    c->scope = (ph_scope){.type = PH_SCOPE_HTTP,
                          .http_minor = 1,
                          .method = {m, strlen(m)},
                          .method_bit = ph_method_from_name(m, strlen(m)),
                          .scheme = PH_SLICE_LIT("http"),
                          .raw_path = {p, plen},
                          .path = {p, plen},
                          .query_string = {qs, strlen(qs)},
                          .headers = &host,
                          .nheaders = 1,
                          .client_host = PH_SLICE_LIT("127.0.0.1"),
                          .server_host = PH_SLICE_LIT("localhost"),
                          .server_port = 80,
                          .root_path = {"", 0}};
    c->ch.ops = &null_ops;
    ph_app_ctx *actx = ph__app_ctx_current();
    if (!actx || actx->app != app) {
        actx = c->pushed_app = ph_app_context_push(app);
        if (!actx) {
            ph__arena_close(&c->arena);
            ph__free(c);
            return NULL;
        }
    }
    ph__request_init(&c->req, app, &c->scope, &c->ch, &c->arena);
    c->req.app_ctx = actx;
    c->prev = ph_current_request();
    ph__request_set_current(&c->req);
    return c;
}

int ph_request_context_pop(ph_request_ctx *c) {
    if (!c || ph_current_request() != &c->req)
        return PH_ESTATE;
    /* The app context it pushed must be the innermost too, or popping it
     * would fail halfway (Flask: "Popped wrong app context"). */
    if (c->pushed_app && ph__app_ctx_current() != c->pushed_app)
        return PH_ESTATE;
    ph_app *app = c->req.app;
    for (size_t i = app->teardown_req.n; i-- > 0;)
        if (!app->teardown_req.items[i].bp)
            ((ph_teardown_request_fn)app->teardown_req.items[i].fn)(&c->req, NULL);
    ph__request_set_current(c->prev);
    if (c->pushed_app)
        ph_app_context_pop(c->pushed_app);
    ph__session_release(&c->req);
    ph__request_cleanup(&c->req);
    ph__arena_close(&c->arena);
    ph__free(c);
    return 0;
}
