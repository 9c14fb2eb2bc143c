/*
 * The test client: builds a scope and a channel for each request, runs the
 * app in a task of its own (as the server does), collects the response, and
 * keeps a cookie jar. Request bodies are urlencoded or multipart forms, JSON
 * or raw bytes, optionally handed to the app in small pieces to exercise
 * streaming code.
 */
#include "phial/testing.h"

#include "app/core.h"
#include "util/alloc.h"
#include "util/cookie.h"
#include "util/url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct jar_cookie {
    char *name, *value;
    struct jar_cookie *next;
} jar_cookie;

struct ph_test_client {
    ph_proto_app app;
    jar_cookie *jar;
};

ph_test_client *ph_test_client_new_proto(ph_proto_app app) {
    if (!app.call)
        return NULL;
    ph_test_client *c = ph__calloc(1, sizeof(*c));
    if (c)
        c->app = app;
    return c;
}

ph_test_client *ph_test_client_new(ph_app *app) {
    return app ? ph_test_client_new_proto(ph_app_proto(app)) : NULL;
}

static void jar_remove(ph_test_client *c, const char *name) {
    for (jar_cookie **pp = &c->jar; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, name) == 0) {
            jar_cookie *k = *pp;
            *pp = k->next;
            ph__free(k->name);
            ph__free(k->value);
            ph__free(k);
            return;
        }
}

void ph_test_client_free(ph_test_client *c) {
    if (!c)
        return;
    while (c->jar)
        jar_remove(c, c->jar->name);
    ph__free(c);
}

const char *ph_test_client_cookie(const ph_test_client *c, const char *name) {
    for (jar_cookie *k = c && name ? c->jar : NULL; k; k = k->next)
        if (strcmp(k->name, name) == 0)
            return k->value;
    return NULL;
}

int ph_test_client_set_cookie(ph_test_client *c, const char *name, const char *value) {
    if (!c || !name || !value)
        return PH_EINVAL;
    jar_remove(c, name);
    jar_cookie *k = ph__calloc(1, sizeof(*k));
    if (!k)
        return PH_ENOMEM;
    k->name = ph__strdup(name);
    k->value = ph__strdup(value);
    if (!k->name || !k->value) {
        ph__free(k->name);
        ph__free(k->value);
        ph__free(k);
        return PH_ENOMEM;
    }
    k->next = c->jar;
    c->jar = k;
    return 0;
}

/* Whether an Expires value (IMF-fixdate, as ph_response_set_cookie writes
 * it) is now or past. Fixed: only dates in 1970 used to count as past. */
static int past_date(const char *s) {
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return end && timegm(&tm) <= time(NULL);
}

/* Store or delete per a Set-Cookie header value. */
static void jar_take(ph_test_client *c, const char *v) {
    const char *eq = strchr(v, '=');
    const char *semi = strchr(v, ';');
    if (!eq || (semi && semi < eq))
        return;
    char name[256], value[4096];
    snprintf(name, sizeof(name), "%.*s", (int)(eq - v), v);
    size_t vlen = semi ? (size_t)(semi - eq - 1) : strlen(eq + 1);
    snprintf(value, sizeof(value), "%.*s", (int)vlen, eq + 1);
    /* Quoted values are kept as sent, as a browser would send them back. */
    int expired = 0;
    for (const char *a = semi; a; a = strchr(a + 1, ';')) {
        const char *p = a + 1;
        while (*p == ' ')
            p++;
        if (strncasecmp(p, "Max-Age=", 8) == 0 && (p[8] == '0' || p[8] == '-'))
            expired = 1;
        if (strncasecmp(p, "Expires=", 8) == 0 && past_date(p + 8))
            expired = 1;
    }
    if (expired)
        jar_remove(c, name);
    else
        ph_test_client_set_cookie(c, name, value);
}

/* ---- the channel ---------------------------------------------------------- */

typedef struct tc_channel {
    ph_channel base;
    const char *body;
    size_t len, pos, chunk;
    int body_done;
    ph_test_response *resp;
    ph_buf out;
    int started, finished;
} tc_channel;

static int tc_receive(ph_channel *ch, ph_message *m) {
    tc_channel *t = (tc_channel *)ch;
    memset(m, 0, sizeof(*m));
    if (t->body_done) {
        m->type = PH_MSG_HTTP_DISCONNECT;
        return 0;
    }
    size_t n = t->len - t->pos;
    if (t->chunk && n > t->chunk)
        n = t->chunk;
    m->type = PH_MSG_HTTP_REQUEST;
    m->body = (ph_slice){t->body ? t->body + t->pos : "", n};
    t->pos += n;
    m->more_body = t->pos < t->len;
    t->body_done = !m->more_body;
    /* Hand pieces over one loop turn apart, as a network would. */
    if (t->chunk)
        ph_yield();
    return 0;
}

static int tc_send(ph_channel *ch, const ph_message *m) {
    tc_channel *t = (tc_channel *)ch;
    ph_test_response *r = t->resp;
    if (m->type == PH_MSG_HTTP_RESPONSE_START) {
        if (t->started)
            return PH_ESTATE;
        for (size_t i = 0; i < m->nheaders; i++) {
            ph_slice n = m->headers[i].name, v = m->headers[i].value;
            if (memchr(v.ptr, '\r', v.len) || memchr(v.ptr, '\n', v.len) || !n.len)
                return PH_EINVAL;
        }
        r->headers = ph__calloc(m->nheaders ? m->nheaders : 1, sizeof(ph_header));
        if (!r->headers)
            return PH_ENOMEM;
        for (size_t i = 0; i < m->nheaders; i++) {
            char *n = ph__strndup(m->headers[i].name.ptr, m->headers[i].name.len);
            char *v = ph__strndup(m->headers[i].value.ptr, m->headers[i].value.len);
            if (!n || !v) {
                ph__free(n);
                ph__free(v);
                return PH_ENOMEM;
            }
            r->headers[r->nheaders++] = (ph_header){{n, m->headers[i].name.len},
                                                    {v, m->headers[i].value.len}};
        }
        r->status = m->status;
        t->started = 1;
        return 0;
    }
    if (m->type == PH_MSG_HTTP_RESPONSE_BODY) {
        if (!t->started || t->finished)
            return PH_ESTATE;
        int rc = ph__buf_append(&t->out, m->body.ptr, m->body.len);
        if (rc < 0)
            return rc;
        if (!m->more_body)
            t->finished = 1;
        return 0;
    }
    return PH_EINVAL;
}

static const ph_channel_ops tc_ops = {tc_receive, tc_send};

/* ---- building the request -------------------------------------------------- */

/* One request in flight: everything the app task may touch lives here, in
 * the call's own arena, so that a call abandoned by its caller can outlive
 * the caller's frame (see one_request). */
typedef struct call {
    ph_arena arena;
    ph_proto_app app;
    ph_scope scope;
    tc_channel ch;
    int rc;
    int done;     /* the app returned */
    int orphaned; /* the caller left: the app task frees the call */
} call;

static void call_free(call *k) {
    ph__buf_close(&k->ch.out);
    ph__arena_close(&k->arena);
    ph__free(k);
}

static int run_app(void *arg) {
    call *k = arg;
    k->rc = k->app.call(k->app.self, &k->scope, &k->ch.base);
    k->done = 1;
    if (k->orphaned) {
        ph_test_response_free(k->ch.resp);
        call_free(k);
    }
    return 0;
}

static int add_header(ph_arena *a, ph_header **hs, size_t *n, size_t *cap, const char *name,
                      const char *value) {
    ph_header *h = ph__arena_grow(a, *hs, cap, *n, sizeof(*h), 16);
    if (!h)
        return PH_ENOMEM;
    *hs = h;
    char *nm = ph__arena_strdup(a, name), *v = ph__arena_strdup(a, value);
    if (!nm || !v)
        return PH_ENOMEM;
    (*hs)[(*n)++] = (ph_header){{nm, strlen(nm)}, {v, strlen(v)}};
    return 0;
}

static int encode_form(ph_buf *b, const char *const *form) {
    ph_url_safe safe;
    ph__url_safe_init(&safe, NULL);
    int rc = 0;
    for (size_t i = 0; rc == 0 && form[i] && form[i + 1]; i += 2) {
        if (i)
            rc = ph__buf_append_char(b, '&');
        if (rc == 0)
            rc = ph__url_encode(b, form[i], strlen(form[i]), &safe, PH_URL_PLUS) < 0 ? PH_ENOMEM : 0;
        if (rc == 0)
            rc = ph__buf_append_char(b, '=');
        if (rc == 0)
            rc = ph__url_encode(b, form[i + 1], strlen(form[i + 1]), &safe, PH_URL_PLUS) < 0
                     ? PH_ENOMEM
                     : 0;
    }
    return rc;
}

static int encode_multipart(ph_buf *b, const ph_client_opts *o, const char *boundary) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && o->form && o->form[i] && o->form[i + 1]; i += 2)
        rc = ph__buf_printf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n",
                            boundary, o->form[i], o->form[i + 1]);
    for (size_t i = 0; rc == 0 && i < o->nfiles; i++) {
        const ph_client_file *f = &o->files[i];
        rc = ph__buf_printf(b,
                            "--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                            "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
                            boundary, f->field, f->filename ? f->filename : "",
                            f->content_type ? f->content_type : "application/octet-stream");
        if (rc == 0)
            rc = ph__buf_append(b, f->data, f->len);
        if (rc == 0)
            rc = ph__buf_append_str(b, "\r\n");
    }
    if (rc == 0)
        rc = ph__buf_printf(b, "--%s--\r\n", boundary);
    return rc;
}

static ph_test_response *one_request(ph_test_client *c, const char *method, const char *url,
                                     const ph_client_opts *o, const ph_buf *body,
                                     const char *ctype) {
    call *k = ph__calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    ph__arena_init(&k->arena, 4096, 0);
    ph__buf_init(&k->ch.out, 0);
    ph_arena *a = &k->arena;
    ph_test_response *r = ph__calloc(1, sizeof(*r));
    ph_header *hs = NULL;
    size_t nh = 0, cap = 0;
    int rc = r ? 0 : PH_ENOMEM;
    const char *q = strchr(url, '?');
    size_t plen = q ? (size_t)(q - url) : strlen(url);
    const char *qs = q ? q + 1 : "";
    if (rc == 0 && o->query && o->query[0])
        qs = qs[0] ? ph__arena_printf(a, "%s&%s", qs, o->query) : o->query;
    qs = rc == 0 && qs ? ph__arena_strdup(a, qs) : NULL; /* the call's own copy */
    if (!qs)
        rc = PH_ENOMEM;
    /* A Host given by the caller replaces the default, as in Flask's client
     * (two Host headers would be a malformed request). */
    int own_host = 0;
    for (size_t i = 0; o->headers && o->headers[i] && o->headers[i + 1]; i += 2)
        own_host |= strcasecmp(o->headers[i], "Host") == 0;
    if (rc == 0 && !own_host)
        rc = add_header(a, &hs, &nh, &cap, "Host", "localhost");
    for (size_t i = 0; rc == 0 && o->headers && o->headers[i] && o->headers[i + 1]; i += 2)
        rc = add_header(a, &hs, &nh, &cap, o->headers[i], o->headers[i + 1]);
    if (rc == 0 && ctype)
        rc = add_header(a, &hs, &nh, &cap, "Content-Type", ctype);
    if (rc == 0 && body->len) {
        char len[32];
        snprintf(len, sizeof(len), "%zu", body->len);
        rc = add_header(a, &hs, &nh, &cap, "Content-Length", len);
    }
    if (rc == 0 && c->jar) {
        ph_buf cookie;
        ph__buf_init(&cookie, 0);
        for (jar_cookie *j = c->jar; j && rc == 0; j = j->next)
            rc = ph__buf_printf(&cookie, "%s%s=%s", cookie.len ? "; " : "", j->name, j->value);
        if (rc == 0)
            rc = add_header(a, &hs, &nh, &cap, "Cookie", cookie.data);
        ph__buf_close(&cookie);
    }
    if (rc < 0) {
        ph__free(r);
        call_free(k);
        return NULL;
    }
    char *raw = ph__arena_strndup(a, url, plen);
    size_t dlen = 0;
    char *decoded = ph__url_decode_arena(a, url, plen, 0, &dlen, NULL);
    char *m = ph__arena_strdup(a, method);
    k->app = c->app;
    k->scope = (ph_scope){.type = PH_SCOPE_HTTP,
                          .http_minor = 1,
                          .method = {m, strlen(m)},
                          .method_bit = ph_method_from_name(m, strlen(m)),
                          .scheme = PH_SLICE_LIT("http"),
                          .raw_path = {raw, plen},
                          .path = {decoded, dlen},
                          .query_string = {qs, strlen(qs)},
                          .headers = hs,
                          .nheaders = nh,
                          .client_host = PH_SLICE_LIT("127.0.0.1"),
                          .server_host = PH_SLICE_LIT("localhost"),
                          .server_port = 80,
                          .root_path = {"", 0}};
    k->ch.base.ops = &tc_ops;
    /* The body is copied for the same reason: an abandoned call may still
     * read it after the caller's buffer is gone. */
    k->ch.body = body->len ? ph__arena_strndup(a, body->data, body->len) : NULL;
    k->ch.len = body->len;
    k->ch.chunk = o->chunk_size;
    k->ch.resp = r;
    ph_task *t = body->len && !k->ch.body ? NULL : ph_spawn(run_app, k, .name = "test-request");
    if (t && ph_join(t) < 0 && !k->done) {
        /* Fixed: the caller was cancelled or timed out while the app still
         * runs (ph_join then cancels it and lets it finish on its own). The
         * call used to live in this frame and be freed here, under the app
         * task's feet; now the app task frees it when it returns. */
        k->orphaned = 1;
        return NULL;
    }
    if (!k->ch.started)
        r->status = 500; /* what a server does when the app sends nothing */
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name.ptr, "Set-Cookie") == 0)
            jar_take(c, r->headers[i].value.ptr);
    size_t blen = 0;
    r->body = ph__buf_steal(&k->ch.out, &blen);
    if (!r->body)
        r->body = ph__strdup("");
    r->len = blen;
    if (k->scope.method_bit == PH_HEAD) {
        r->body[0] = '\0'; /* a server sends no body to HEAD */
        r->len = 0;
    }
    r->url = ph__strdup(url);
    call_free(k);
    return r;
}

ph_test_response *ph_client_request_(ph_test_client *c, const char *method, const char *url,
                                     const ph_client_opts *o) {
    static const ph_client_opts defaults;
    if (!o) /* called directly, not through ph_client_request() and friends */
        o = &defaults;
    if (!c || !method || !url || url[0] != '/') {
        json_decref(o->json); /* stolen on every path */
        return NULL;
    }
    ph_buf body;
    ph__buf_init(&body, 0);
    const char *ctype = NULL;
    char boundary[64];
    int rc = 0;
    if (o->json) {
        char *s = json_dumps(o->json, JSON_COMPACT | JSON_ENCODE_ANY);
        rc = s ? ph__buf_append_str(&body, s) : PH_ENOMEM;
        free(s);
        json_decref(o->json);
        ctype = "application/json";
    } else if (o->nfiles) {
        snprintf(boundary, sizeof(boundary), "----phialTestBoundary%08x", (unsigned)(uintptr_t)c);
        rc = encode_multipart(&body, o, boundary);
        ctype = "multipart/form-data; boundary=";
    } else if (o->form) {
        rc = encode_form(&body, o->form);
        ctype = "application/x-www-form-urlencoded";
    } else if (o->body) {
        rc = ph__buf_append(&body, o->body, o->body_len);
        ctype = o->content_type;
    }
    char ct[160];
    if (ctype && o->nfiles && !o->json) {
        snprintf(ct, sizeof(ct), "%s%s", ctype, boundary);
        ctype = ct;
    }
    if (rc < 0) {
        ph__buf_close(&body);
        return NULL;
    }
    ph_test_response *r = one_request(c, method, url, o, &body, ctype);
    int hops = 0;
    while (r && o->follow_redirects && hops < 10 &&
           (r->status == 301 || r->status == 302 || r->status == 303 || r->status == 307 ||
            r->status == 308)) {
        const char *loc = ph_test_response_header(r, "Location");
        if (!loc)
            break;
        /* Absolute URLs to this client's host keep their path only. */
        const char *path = loc;
        if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0) {
            path = strchr(loc + 8, '/');
            if (!path)
                path = "/";
        }
        char next[2048];
        snprintf(next, sizeof(next), "%s", path);
        int keep = r->status == 307 || r->status == 308;
        ph_test_response_free(r);
        ph_buf none;
        ph__buf_init(&none, 0);
        ph_client_opts o2 = *o;
        o2.query = NULL;
        if (keep)
            r = one_request(c, method, next, &o2, &body, ctype);
        else
            r = one_request(c, strcmp(method, "HEAD") == 0 ? "HEAD" : "GET", next, &o2, &none,
                            NULL);
        hops++;
        if (r)
            r->redirects = hops;
    }
    ph__buf_close(&body);
    return r;
}

const char *ph_test_response_header(const ph_test_response *r, const char *name) {
    for (size_t i = 0; r && name && i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name.ptr, name) == 0)
            return r->headers[i].value.ptr;
    return NULL;
}

json_t *ph_test_response_json(ph_test_response *r) {
    if (!r)
        return NULL;
    if (!r->json_)
        r->json_ = json_loadb(r->body, r->len, JSON_DECODE_ANY, NULL);
    return r->json_;
}

void ph_test_response_free(ph_test_response *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->nheaders; i++) {
        ph__free((void *)r->headers[i].name.ptr);
        ph__free((void *)r->headers[i].value.ptr);
    }
    ph__free(r->headers);
    ph__free(r->body);
    ph__free((void *)r->url);
    json_decref(r->json_);
    ph__free(r);
}
