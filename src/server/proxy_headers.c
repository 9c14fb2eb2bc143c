/*
 * Proxy-headers middleware: an app that wraps an app. For a request whose
 * peer is a trusted proxy it rewrites the scope's client address from
 * X-Forwarded-For (the nearest address that is not itself a trusted proxy,
 * reading right to left) and its scheme from X-Forwarded-Proto. Headers
 * from untrusted peers are ignored, so clients cannot forge their address.
 */
#include "phial/protocol.h"

#include "util/alloc.h"

#include <string.h>
#include <strings.h>

typedef struct proxy {
    ph_proto_app inner;
    int any;          /* "*": trust every peer */
    char **trusted;   /* exact address strings */
    size_t ntrusted;
} proxy;

static int trusted(const proxy *p, const char *addr, size_t len) {
    if (p->any)
        return 1;
    for (size_t i = 0; i < p->ntrusted; i++)
        if (strlen(p->trusted[i]) == len && memcmp(p->trusted[i], addr, len) == 0)
            return 1;
    return 0;
}

static ph_slice trim(const char *b, const char *e) {
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    return (ph_slice){b, (size_t)(e - b)};
}

static int proxy_call(void *self, const ph_scope *scope, ph_channel *ch) {
    proxy *p = self;
    if ((scope->type != PH_SCOPE_HTTP && scope->type != PH_SCOPE_WEBSOCKET) ||
        !trusted(p, scope->client_host.ptr, scope->client_host.len))
        return p->inner.call(p->inner.self, scope, ch);
    ph_scope s = *scope;
    ph_slice proto = ph_scope_header(scope, "x-forwarded-proto");
    if (proto.ptr) {
        ph_slice v = trim(proto.ptr, proto.ptr + proto.len);
        /* With several values (chained proxies) the nearest is the last. */
        const char *comma = memrchr(v.ptr, ',', v.len);
        if (comma)
            v = trim(comma + 1, v.ptr + v.len);
        static const char *const ok[] = {"http", "https", "ws", "wss"};
        for (size_t i = 0; i < 4; i++)
            if (v.len == strlen(ok[i]) && strncasecmp(v.ptr, ok[i], v.len) == 0)
                s.scheme = (ph_slice){ok[i], v.len};
        /* A websocket behind a TLS proxy is wss, as uvicorn maps it. */
        if (scope->type == PH_SCOPE_WEBSOCKET && s.scheme.len >= 4 && s.scheme.ptr[0] == 'h')
            s.scheme = s.scheme.len == 5 ? PH_SLICE_LIT("wss") : PH_SLICE_LIT("ws");
    }
    ph_slice fwd = ph_scope_header(scope, "x-forwarded-for");
    if (fwd.ptr) {
        const char *end = fwd.ptr + fwd.len;
        while (end > fwd.ptr) {
            const char *comma = memrchr(fwd.ptr, ',', (size_t)(end - fwd.ptr));
            const char *start = comma ? comma + 1 : fwd.ptr;
            ph_slice a = trim(start, end);
            if (a.len) {
                s.client_host = a;
                s.client_port = 0;
                if (!trusted(p, a.ptr, a.len))
                    break;
            }
            if (!comma)
                break;
            end = comma;
        }
    }
    return p->inner.call(p->inner.self, &s, ch);
}

void ph_proxy_headers_free(ph_proto_app app) {
    if (app.call != proxy_call || !app.self)
        return;
    proxy *p = app.self;
    for (size_t i = 0; i < p->ntrusted; i++)
        ph__free(p->trusted[i]);
    ph__free(p->trusted);
    ph__free(p);
}

ph_proto_app ph_proxy_headers_app(ph_proto_app inner, const char *list) {
    ph_proto_app none = {0};
    if (!inner.call || !list)
        return none;
    proxy *p = ph__calloc(1, sizeof(*p));
    if (!p)
        return none;
    p->inner = inner;
    ph_proto_app app = {.call = proxy_call, .self = p};
    const char *s = list;
    while (*s) {
        const char *comma = strchr(s, ',');
        const char *e = comma ? comma : s + strlen(s);
        ph_slice item = trim(s, e);
        if (item.len == 1 && item.ptr[0] == '*') {
            p->any = 1;
        } else if (item.len) {
            for (size_t i = 0; i < item.len; i++) {
                char ch = item.ptr[i];
                if (!(ch == '.' || ch == ':' || (ch >= '0' && ch <= '9') ||
                      (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) {
                    ph_proxy_headers_free(app);
                    return none;
                }
            }
            char **t = ph__realloc(p->trusted, (p->ntrusted + 1) * sizeof(char *));
            char *copy = t ? ph__strndup(item.ptr, item.len) : NULL;
            if (t)
                p->trusted = t;
            if (!copy) {
                ph_proxy_headers_free(app);
                return none;
            }
            p->trusted[p->ntrusted++] = copy;
        }
        s = comma ? comma + 1 : e;
    }
    return app;
}
