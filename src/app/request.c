/*
 * The request object: URL parts, headers, query arguments, cookies and view
 * arguments, each computed from the scope on first use and kept in the
 * request's arena. The body and what is parsed from it live in body.c.
 */
#include "app/core.h"

#include "util/cookie.h"
#include "util/query.h"
#include "util/url.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ph__request_init(ph_request *req, ph_app *app, const ph_scope *scope, ph_channel *ch,
                      ph_arena *arena) {
    memset(req, 0, sizeof(*req));
    req->app = app;
    req->scope = scope;
    req->ch = ch;
    req->arena = arena;
    ph__multidict_init(&req->args, arena);
    ph__multidict_init(&req->cookies, arena);
    ph__multidict_init(&req->form, arena);
}

typedef struct json_free {
    json_t *v;
    int done;
} json_free;

static void *free_on_thread(void *arg) {
    json_free *f = arg;
    json_decref(f->v);
    f->done = 1;
    return NULL;
}

/* A task of its own, as the request's is ending; cancelled before the job
 * started (shutdown), it frees the value itself. */
static int free_task(void *arg) {
    json_free f = {arg, 0};
    ph_to_thread(free_on_thread, &f, NULL);
    if (!f.done)
        json_decref(f.v);
    return 0;
}

void ph__request_cleanup(ph_request *req) {
    for (size_t i = 0; i < req->nfiles; i++)
        if (req->files[i].path)
            remove(req->files[i].path);
    /* Freeing a large body's JSON costs about what parsing it did (10 MiB
     * of zeros: 0.1 s), so it goes to the thread pool too, unless the app
     * still holds a reference (then this only counts down). */
    if (req->json && req->json->refcount == 1 && req->body_len >= JSON_ON_THREAD &&
        ph_spawn(free_task, req->json, .name = "json-free", .detached = 1))
        req->json = NULL;
    json_decref(req->json);
    req->json = NULL;
}

ph_app *ph_request_app(const ph_request *req) { return req ? req->app : NULL; }

static const char *dup_slice(ph_request *req, ph_slice s) {
    const char *d = ph__arena_strndup(req->arena, s.ptr ? s.ptr : "", s.len);
    return d ? d : "";
}

const char *ph_request_method(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->method)
        req->method = dup_slice(req, req->scope->method);
    return req->method;
}

const char *ph_request_scheme(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->scheme)
        req->scheme = req->scope->scheme.len ? dup_slice(req, req->scope->scheme) : "http";
    return req->scheme;
}

/* s without the scheme's default port, as Werkzeug's get_host leaves it
 * out: "example.com:80" over http is "example.com" (and so are the URLs
 * built from it). */
static ph_slice without_default_port(ph_slice s, const char *scheme) {
    int web = !strcmp(scheme, "http") || !strcmp(scheme, "ws");
    int tls = !strcmp(scheme, "https") || !strcmp(scheme, "wss");
    if (web && s.len > 3 && !memcmp(s.ptr + s.len - 3, ":80", 3))
        s.len -= 3;
    else if (tls && s.len > 4 && !memcmp(s.ptr + s.len - 4, ":443", 4))
        s.len -= 4;
    return s;
}

const char *ph_request_host(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->host) {
        ph_slice h = ph_scope_header(req->scope, "host");
        char port_form[300];
        if ((!h.ptr || !h.len) && req->scope->server_host.len) {
            int n = snprintf(port_form, sizeof(port_form), "%.*s:%d",
                             (int)req->scope->server_host.len, req->scope->server_host.ptr,
                             req->scope->server_port);
            h = (ph_slice){port_form, n > 0 && (size_t)n < sizeof(port_form) ? (size_t)n : 0};
        }
        req->host = h.len ? dup_slice(req, without_default_port(h, ph_request_scheme(req))) : "";
    }
    return req->host;
}

const char *ph__request_url_host(ph_request *req) {
    if (!req->url_host) {
        const char *h = ph_request_host(req);
        char *low = ph__arena_strdup(req->arena, h);
        if (!low)
            return h;
        for (char *p = low; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        req->url_host = low;
    }
    return req->url_host;
}

ph_slice ph__request_text_path(ph_request *req) {
    if (!req->text_path.ptr) {
        ph_slice p = req->scope->path.len ? req->scope->path : (ph_slice){"/", 1};
        size_t n = p.len;
        /* the scope's bytes as they are when well-formed (the usual case:
         * no copy per request), else a copy with U+FFFD in it */
        const char *t = ph__utf8_text(req->arena, p.ptr, p.len, &n);
        req->text_path = t ? (ph_slice){t, n} : (ph_slice){"/", 1};
    }
    return req->text_path;
}

const char *ph_request_path(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->path)
        req->path = dup_slice(req, ph__request_text_path(req));
    return req->path;
}

const char *ph_request_query_string(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->query_string)
        req->query_string = dup_slice(req, req->scope->query_string);
    return req->query_string;
}

const char *ph_request_script_root(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->script_root) {
        ph_slice r = req->scope->root_path;
        while (r.len && r.ptr[r.len - 1] == '/')
            r.len--;
        req->script_root = dup_slice(req, r);
    }
    return req->script_root;
}

/* The raw (still percent-encoded) path, as Werkzeug quotes it for URLs. */
static const char *raw_path(ph_request *req) {
    ph_slice p = req->scope->raw_path;
    return p.len ? dup_slice(req, p) : "/";
}

const char *ph_request_full_path(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->full_path)
        req->full_path = ph__arena_printf(req->arena, "%s?%s", ph_request_path(req),
                                          ph_request_query_string(req));
    return req->full_path ? req->full_path : "";
}

const char *ph_request_url_root(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->url_root)
        req->url_root = ph__arena_printf(req->arena, "%s://%s%s/", ph_request_scheme(req),
                                         ph_request_host(req), ph_request_script_root(req));
    return req->url_root ? req->url_root : "";
}

const char *ph_request_host_url(ph_request *req) {
    if (!req)
        return NULL;
    const char *u = ph__arena_printf(req->arena, "%s://%s/", ph_request_scheme(req),
                                     ph_request_host(req));
    return u ? u : "";
}

const char *ph_request_base_url(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->base_url)
        req->base_url = ph__arena_printf(req->arena, "%s://%s%s%s", ph_request_scheme(req),
                                         ph_request_host(req), ph_request_script_root(req),
                                         raw_path(req));
    return req->base_url ? req->base_url : "";
}

const char *ph_request_url(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->url) {
        const char *q = ph_request_query_string(req);
        req->url = q[0] ? ph__arena_printf(req->arena, "%s?%s", ph_request_base_url(req), q)
                        : ph_request_base_url(req);
    }
    return req->url ? req->url : "";
}

const char *ph_request_remote_addr(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->remote_addr)
        req->remote_addr = dup_slice(req, req->scope->client_host);
    return req->remote_addr;
}

const char *ph_request_endpoint(ph_request *req) {
    return req && req->matched && req->match.status == PH__ROUTE_FOUND ? req->match.route->endpoint
                                                                       : NULL;
}

const char *ph_request_url_rule(ph_request *req) {
    return req && req->matched && req->match.status == PH__ROUTE_FOUND
               ? req->match.route->rule->text
               : NULL;
}

/* ---- headers -------------------------------------------------------------- */

const char *ph_request_header(ph_request *req, const char *name) {
    if (!req)
        return NULL;
    ph_slice v = ph_scope_header(req->scope, name);
    return v.ptr ? dup_slice(req, v) : NULL;
}

size_t ph_request_header_all(ph_request *req, const char *name, const char **out, size_t max) {
    if (!req || !name)
        return 0;
    if (!out)
        max = 0;
    size_t n = strlen(name), count = 0;
    for (size_t i = 0; i < req->scope->nheaders; i++) {
        const ph_header *h = &req->scope->headers[i];
        if (h->name.len == n && strncasecmp(h->name.ptr, name, n) == 0) {
            if (count < max)
                out[count] = dup_slice(req, h->value);
            count++;
        }
    }
    return count;
}

/* ---- query arguments and cookies ------------------------------------------ */

static void parse_args(ph_request *req) {
    if (req->args_parsed)
        return;
    req->args_parsed = 1;
    ph_slice q = req->scope->query_string;
    if (q.len && ph__query_parse(&req->args, q.ptr, q.len, NULL) >= 0)
        ph__multidict_to_text(&req->args, 0);
}

const char *ph_request_arg(ph_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    parse_args(req);
    const ph_slice *v = ph__multidict_get(&req->args, name, strlen(name));
    return v ? v->ptr : NULL;
}

size_t ph_request_arg_all(ph_request *req, const char *name, const char **out, size_t max) {
    if (!req || !name)
        return 0;
    if (!out)
        max = 0;
    parse_args(req);
    size_t n = strlen(name), count = 0;
    for (size_t i = 0; i < req->args.len; i++) {
        const ph_multidict_item *it = &req->args.items[i];
        if (it->name.len == n && memcmp(it->name.ptr, name, n) == 0) {
            if (count < max)
                out[count] = it->value.ptr;
            count++;
        }
    }
    return count;
}

bool ph_request_arg_at(ph_request *req, size_t i, const char **name, const char **value) {
    if (!req)
        return false;
    parse_args(req);
    if (i >= req->args.len)
        return false;
    if (name)
        *name = req->args.items[i].name.ptr;
    if (value)
        *value = req->args.items[i].value.ptr;
    return true;
}

const char *ph_request_cookie(ph_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    if (!req->cookies_parsed) {
        req->cookies_parsed = 1;
        for (size_t i = 0; i < req->scope->nheaders; i++) {
            const ph_header *h = &req->scope->headers[i];
            if (h->name.len == 6 && strncasecmp(h->name.ptr, "cookie", 6) == 0)
                ph__cookie_parse(&req->cookies, h->value.ptr, h->value.len, NULL);
        }
        ph__multidict_to_text(&req->cookies, 0);
    }
    const ph_slice *v = ph__multidict_get(&req->cookies, name, strlen(name));
    return v ? v->ptr : NULL;
}

/* ---- view arguments ------------------------------------------------------- */

static ph__route_value *view_value(ph_request *req, const char *name) {
    if (!req || !name || !req->matched || req->match.status != PH__ROUTE_FOUND)
        return NULL;
    for (size_t i = 0; i < req->match.nvalues; i++)
        if (strcmp(req->match.values[i].name, name) == 0)
            return &req->match.values[i];
    return NULL;
}

const char *ph_view_arg(ph_request *req, const char *name) {
    const ph__route_value *v = view_value(req, name);
    if (v && v->type == PH__RV_UUID)
        return v->v.s; /* str(uuid.UUID(...)): lowercase, as Flask's view sees it */
    if (v && v->type == PH__RV_CUSTOM && json_is_string(v->json))
        return json_string_value(v->json);
    return v ? v->raw.ptr : NULL;
}

const char *ph_view_arg_pop(ph_request *req, const char *name) {
    const ph__route_value *v = view_value(req, name);
    if (!v)
        return NULL;
    const char *text = ph_view_arg(req, name);
    size_t i = (size_t)(v - req->match.values);
    memmove(&req->match.values[i], &req->match.values[i + 1],
            (req->match.nvalues - i - 1) * sizeof(*v));
    req->match.nvalues--;
    return text;
}

int ph_view_arg_int(ph_request *req, const char *name, int64_t *out) {
    const ph__route_value *v = out ? view_value(req, name) : NULL;
    if (v && v->type == PH__RV_CUSTOM && json_is_integer(v->json)) {
        *out = json_integer_value(v->json);
        return 0;
    }
    if (!v || v->type != PH__RV_INT)
        return PH_EINVAL;
    *out = v->v.i;
    return 0;
}

int ph_view_arg_double(ph_request *req, const char *name, double *out) {
    const ph__route_value *v = out ? view_value(req, name) : NULL;
    if (!v)
        return PH_EINVAL;
    if (v->type == PH__RV_FLOAT)
        *out = v->v.d;
    else if (v->type == PH__RV_INT)
        *out = (double)v->v.i;
    else if (v->type == PH__RV_CUSTOM && json_is_number(v->json))
        *out = json_number_value(v->json);
    else
        return PH_EINVAL;
    return 0;
}

static void release_json(void *v) { json_decref(v); }

json_t *ph_view_arg_json(ph_request *req, const char *name) {
    ph__route_value *v = view_value(req, name);
    if (!v)
        return NULL;
    /* Made once, kept with the value: the pointer is borrowed until the end. */
    if (!v->json) {
        json_t *j = ph__route_value_json(v);
        if (!j || ph__arena_on_release(req->arena, release_json, j))
            return NULL;
        v->json = j;
    }
    return v->json;
}

/* ---- memory --------------------------------------------------------------- */

void *ph_request_alloc(ph_request *req, size_t n) {
    return req ? ph__arena_alloc(req->arena, n) : NULL;
}

char *ph_request_strdup(ph_request *req, const char *s) {
    return req && s ? ph__arena_strdup(req->arena, s) : NULL;
}

char *ph_request_printf(ph_request *req, const char *fmt, ...) {
    if (!req)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *d = ph__arena_alloc(req->arena, (size_t)n + 1);
    if (!d)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}
