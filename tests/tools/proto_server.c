/*
 * test_proto_server — an app of the app protocol (phial/protocol.h) with one
 * endpoint per server behaviour the black-box suites check, served by
 * ph_serve() with every config field settable from the command line.
 * tests/integration/test_server_*.py start it and talk to it over real
 * sockets; nothing here is part of the library.
 *
 * Endpoints (GET unless said; query parameters in brackets):
 *   /                 "hello" with a Content-Length
 *   /echo             the whole request body back (Content-Length), with
 *                     X-Receives: number of receive calls and X-Body-Len
 *   /count            reads the body [wait=s before the first receive, delay=s
 *                     between receives] and answers
 *                     "<bytes> <fnv1a64 hex>"; the body itself is not kept
 *   /stream           [n=5 size=10 delay=0] n pieces of `size` bytes without a
 *                     length (chunked in HTTP/1.1, close-delimited in 1.0)
 *   /big              [size=N] N bytes declared with Content-Length, sent in
 *                     64 KiB pieces (backpressure); counts bytes sent in /stats
 *   /status           [code=N] an empty response with that status
 *   /inject           [where=value|name kind=crlf|lf|nul] tries to send a
 *                     header with a bad byte; the send must fail with
 *                     PH_EINVAL, then it answers 500 "refused <err name>"
 *   /sleep            [s=seconds tag=T] records "sleep T" if tagged, sleeps,
 *                     then "slept"
 *   /watch            reads the body, then waits in ph_receive(): records
 *                     "disconnect" or "cancelled" (never answers)
 *   /watch-sleep      sleeps 60 s: records "cancelled" when cancelled
 *   /stats            counters: inflight, disconnects, cancels, big_sent, ...
 *   /scope            "key=value" lines describing the scope
 *   /pid              the worker's process id
 *   /lifespan         "started" once lifespan startup ran, else "none"
 *   /fail             the app returns PH_EIO without answering (500)
 *   /partial          declares Content-Length 10, sends 5 bytes, returns
 *   /early            answers 200 at once without reading the body
 *   /nobody           starts a response and returns without a body message
 *
 * Websocket endpoints (a websocket handshake to any other path is refused
 * with 404):
 *   /ws/echo          accepts (with the first subprotocol offered, if any)
 *                     and sends each message back as it came (text or
 *                     bytes); the text "close CODE REASON" makes it close
 *                     with that code and reason, "scope" answers with the
 *                     scope's path, query, scheme and subprotocols; on
 *                     disconnect records "ws disconnect CODE REASON"
 *   /ws/deny          closes before accepting (the client gets 403)
 *   /ws/reject        answers the handshake with 401 and a body ("nope")
 *   /ws/return        returns without accepting (403)
 *   /ws/fail          fails (PH_EIO) without accepting (500)
 *   /ws/send-fail     accepts, then fails (close 1011)
 *   /ws/flood         accepts, then sends [n] binary messages of [size]
 *                     bytes as fast as the client takes them, and records
 *                     "ws flood done SENT" (backpressure)
 *
 * Events (lifespan, disconnects) are printed on stderr as "proto_server: ..."
 * lines, and with --record FILE also appended to FILE.
 */
#include <phial.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    int lifespan_fail;
    int lifespan_decline;
    double lifespan_delay;
    const char *record;
    int started;
    long inflight, requests, disconnects, cancels;
    unsigned long long big_sent;
} g;

/* ---- helpers ------------------------------------------------------------ */

static void record(const char *what) {
    fprintf(stderr, "proto_server: %s\n", what);
    fflush(stderr);
    if (g.record) {
        FILE *f = fopen(g.record, "a");
        if (f) {
            fprintf(f, "%s\n", what);
            fclose(f);
        }
    }
}

/* The value of query parameter `name` (not decoded), or `def`. */
static ph_slice qparam(const ph_scope *s, const char *name, const char *def) {
    size_t n = strlen(name);
    const char *p = s->query_string.ptr, *end = p + s->query_string.len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *e = amp ? amp : end;
        if ((size_t)(e - p) > n && memcmp(p, name, n) == 0 && p[n] == '=')
            return (ph_slice){p + n + 1, (size_t)(e - p - n - 1)};
        p = e + 1;
    }
    return (ph_slice){def, def ? strlen(def) : 0};
}

static double qnum(const ph_scope *s, const char *name, double def) {
    ph_slice v = qparam(s, name, NULL);
    char tmp[64];
    if (!v.ptr || v.len >= sizeof(tmp))
        return def;
    memcpy(tmp, v.ptr, v.len);
    tmp[v.len] = '\0';
    return strtod(tmp, NULL);
}

static int is(ph_slice s, const char *lit) {
    return s.len == strlen(lit) && !memcmp(s.ptr, lit, s.len);
}

static int start(ph_channel *ch, int status, const ph_header *h, size_t nh) {
    ph_message m = {
        .type = PH_MSG_HTTP_RESPONSE_START, .status = status, .headers = h, .nheaders = nh};
    return ph_send(ch, &m);
}

static int body(ph_channel *ch, const void *p, size_t len, int more) {
    ph_message m = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = {p, len}, .more_body = more};
    return ph_send(ch, &m);
}

/* A whole response with a Content-Length. */
static int respond(ph_channel *ch, int status, const char *text, size_t len) {
    char cl[24];
    snprintf(cl, sizeof(cl), "%zu", len);
    ph_header h[] = {{PH_SLICE_LIT("Content-Type"), PH_SLICE_LIT("text/plain")},
                     {PH_SLICE_LIT("Content-Length"), {cl, strlen(cl)}}};
    int rc = start(ch, status, h, 2);
    return rc < 0 ? rc : body(ch, text, len, 0);
}

static int respond_str(ph_channel *ch, int status, const char *text) {
    return respond(ch, status, text, strlen(text));
}

/* ---- endpoints ---------------------------------------------------------- */

static int ep_echo(ph_channel *ch) {
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    int receives = 0, rc = 0;
    for (int more = 1; buf && more;) {
        ph_message in;
        rc = ph_receive(ch, &in);
        receives++;
        if (rc < 0 || in.type != PH_MSG_HTTP_REQUEST)
            break;
        more = in.more_body;
        if (len + in.body.len > cap) {
            while (len + in.body.len > cap)
                cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                rc = PH_ENOMEM;
                break;
            }
            buf = nb;
        }
        memcpy(buf + len, in.body.ptr, in.body.len);
        len += in.body.len;
    }
    if (!buf)
        return PH_ENOMEM;
    if (rc == 0) {
        char cl[24], nr[24];
        snprintf(cl, sizeof(cl), "%zu", len);
        snprintf(nr, sizeof(nr), "%d", receives);
        ph_header h[] = {{PH_SLICE_LIT("Content-Type"), PH_SLICE_LIT("application/octet-stream")},
                         {PH_SLICE_LIT("Content-Length"), {cl, strlen(cl)}},
                         {PH_SLICE_LIT("X-Body-Len"), {cl, strlen(cl)}},
                         {PH_SLICE_LIT("X-Receives"), {nr, strlen(nr)}}};
        rc = start(ch, 200, h, 4);
        if (rc == 0)
            rc = body(ch, buf, len, 0);
    }
    free(buf);
    return rc;
}

static int ep_count(const ph_scope *s, ph_channel *ch) {
    double delay = qnum(s, "delay", 0), wait = qnum(s, "wait", 0);
    uint64_t n = 0, hash = 0xcbf29ce484222325ull;
    if (wait > 0) {
        int rc = ph_sleep(wait);
        if (rc < 0)
            return rc;
    }
    for (int more = 1; more;) {
        ph_message in;
        int rc = ph_receive(ch, &in);
        if (rc < 0)
            return rc;
        if (in.type != PH_MSG_HTTP_REQUEST)
            return PH_ECLOSED;
        more = in.more_body;
        for (size_t i = 0; i < in.body.len; i++) {
            hash ^= (unsigned char)in.body.ptr[i];
            hash *= 0x100000001b3ull;
        }
        n += in.body.len;
        if (delay > 0 && more && (rc = ph_sleep(delay)) < 0)
            return rc;
    }
    char out[64];
    snprintf(out, sizeof(out), "%" PRIu64 " %016" PRIx64, n, hash);
    return respond_str(ch, 200, out);
}

static int ep_stream(const ph_scope *s, ph_channel *ch) {
    int n = (int)qnum(s, "n", 5);
    size_t size = (size_t)qnum(s, "size", 10);
    double delay = qnum(s, "delay", 0);
    ph_header h[] = {{PH_SLICE_LIT("Content-Type"), PH_SLICE_LIT("text/plain")}};
    int rc = start(ch, 200, h, 1);
    char *piece = malloc(size ? size : 1);
    if (!piece)
        return PH_ENOMEM;
    for (int i = 0; rc == 0 && i < n; i++) {
        memset(piece, 'a' + i % 26, size);
        rc = body(ch, piece, size, 1);
        if (rc == 0 && delay > 0)
            rc = ph_sleep(delay);
    }
    free(piece);
    return rc < 0 ? rc : body(ch, NULL, 0, 0);
}

static int ep_big(const ph_scope *s, ph_channel *ch) {
    unsigned long long size = (unsigned long long)qnum(s, "size", 1 << 20);
    char cl[24];
    snprintf(cl, sizeof(cl), "%llu", size);
    ph_header h[] = {{PH_SLICE_LIT("Content-Length"), {cl, strlen(cl)}}};
    int rc = start(ch, 200, h, 1);
    static char piece[64 * 1024];
    memset(piece, 'b', sizeof(piece));
    for (unsigned long long sent = 0; rc == 0 && sent < size;) {
        size_t k = size - sent < sizeof(piece) ? (size_t)(size - sent) : sizeof(piece);
        rc = body(ch, piece, k, sent + k < size);
        sent += k;
        g.big_sent += k;
    }
    return rc;
}

static int ep_inject(const ph_scope *s, ph_channel *ch) {
    ph_slice kind = qparam(s, "kind", "crlf");
    const char *bad = is(kind, "lf")    ? "x\nInjected: yes"
                      : is(kind, "nul") ? "x\0Injected: yes"
                                        : "x\r\nInjected: yes";
    size_t badlen = is(kind, "lf") || is(kind, "nul") ? 15 : 16; /* "x", the bad bytes, the rest */
    ph_slice val = {bad, badlen};
    ph_header h[2] = {{PH_SLICE_LIT("Content-Length"), PH_SLICE_LIT("2")}};
    if (is(qparam(s, "where", "value"), "name"))
        h[1] = (ph_header){val, PH_SLICE_LIT("v")};
    else
        h[1] = (ph_header){PH_SLICE_LIT("X-Test"), val};
    int rc = start(ch, 200, h, 2);
    if (rc == 0) /* not expected: finish what was started so the test sees it */
        return body(ch, "ok", 2, 0);
    char out[64];
    snprintf(out, sizeof(out), "refused %s", ph_err_name(rc));
    return respond_str(ch, 500, out);
}

static int ep_watch(ph_channel *ch, int sleep_instead) {
    int rc = 0;
    if (sleep_instead) {
        rc = ph_sleep(60);
    } else {
        for (;;) {
            ph_message in;
            rc = ph_receive(ch, &in);
            if (rc < 0 || in.type == PH_MSG_HTTP_DISCONNECT)
                break;
        }
    }
    if (rc == PH_ECANCELED) {
        g.cancels++;
        record("cancelled");
    } else if (rc == 0) {
        g.disconnects++;
        record(sleep_instead ? "woke" : "disconnect");
    } else {
        record(ph_err_name(rc));
    }
    return rc;
}

static int ep_stats(ph_channel *ch) {
    char out[256];
    snprintf(out, sizeof(out),
             "inflight=%ld\nrequests=%ld\ndisconnects=%ld\ncancels=%ld\nbig_sent=%llu\n",
             g.inflight, g.requests, g.disconnects, g.cancels, g.big_sent);
    return respond_str(ch, 200, out);
}

static int ep_scope(const ph_scope *s, ph_channel *ch) {
    char out[4096];
    int n = snprintf(out, sizeof(out),
                     "method=%.*s\nmethod_bit=%u\nhttp_minor=%d\nscheme=%.*s\nraw_path=%.*s\n"
                     "path=%.*s\nquery=%.*s\nclient_host=%.*s\nclient_port=%d\n"
                     "server_host=%.*s\nserver_port=%d\nroot_path=%.*s\nnheaders=%zu\n",
                     (int)s->method.len, s->method.ptr, s->method_bit, s->http_minor,
                     (int)s->scheme.len, s->scheme.ptr, (int)s->raw_path.len, s->raw_path.ptr,
                     (int)s->path.len, s->path.ptr, (int)s->query_string.len, s->query_string.ptr,
                     (int)s->client_host.len, s->client_host.ptr, s->client_port,
                     (int)s->server_host.len, s->server_host.ptr, s->server_port,
                     (int)s->root_path.len, s->root_path.ptr, s->nheaders);
    for (size_t i = 0; i < s->nheaders && n > 0 && (size_t)n < sizeof(out); i++)
        n += snprintf(out + n, sizeof(out) - (size_t)n, "header=%.*s: %.*s\n",
                      (int)s->headers[i].name.len, s->headers[i].name.ptr,
                      (int)s->headers[i].value.len, s->headers[i].value.ptr);
    if (n < 0 || (size_t)n >= sizeof(out))
        n = (int)strlen(out);
    return respond(ch, 200, out, (size_t)n);
}

static int http(const ph_scope *s, ph_channel *ch) {
    ph_slice p = s->path;
    if (is(p, "/"))
        return respond_str(ch, 200, "hello");
    if (is(p, "/echo"))
        return ep_echo(ch);
    if (is(p, "/count"))
        return ep_count(s, ch);
    if (is(p, "/stream"))
        return ep_stream(s, ch);
    if (is(p, "/big"))
        return ep_big(s, ch);
    if (is(p, "/status")) {
        int code = (int)qnum(s, "code", 200);
        ph_header h[] = {{PH_SLICE_LIT("X-Status"), PH_SLICE_LIT("set")}};
        int rc = start(ch, code, h, 1);
        return rc < 0 ? rc : body(ch, NULL, 0, 0);
    }
    if (is(p, "/inject"))
        return ep_inject(s, ch);
    if (is(p, "/sleep")) {
        ph_slice tag = qparam(s, "tag", NULL);
        if (tag.ptr) {
            char line[96];
            snprintf(line, sizeof(line), "sleep %.*s", (int)(tag.len < 64 ? tag.len : 64), tag.ptr);
            record(line);
        }
        int rc = ph_sleep(qnum(s, "s", 1));
        return rc < 0 ? rc : respond_str(ch, 200, "slept");
    }
    if (is(p, "/watch"))
        return ep_watch(ch, 0);
    if (is(p, "/watch-sleep"))
        return ep_watch(ch, 1);
    if (is(p, "/stats"))
        return ep_stats(ch);
    if (is(p, "/scope"))
        return ep_scope(s, ch);
    if (is(p, "/pid")) {
        char out[24];
        snprintf(out, sizeof(out), "%d", (int)getpid());
        return respond_str(ch, 200, out);
    }
    if (is(p, "/lifespan"))
        return respond_str(ch, 200, g.started ? "started" : "none");
    if (is(p, "/fail"))
        return PH_EIO;
    if (is(p, "/partial")) {
        ph_header h[] = {{PH_SLICE_LIT("Content-Length"), PH_SLICE_LIT("10")}};
        int rc = start(ch, 200, h, 1);
        return rc < 0 ? rc : body(ch, "12345", 5, 1);
    }
    if (is(p, "/early"))
        return respond_str(ch, 200, "early");
    if (is(p, "/nobody"))
        return start(ch, 200, NULL, 0);
    return respond_str(ch, 404, "not found");
}

/* ---- websocket endpoints -------------------------------------------------- */

static int ws_send(ph_channel *ch, int text, const void *p, size_t len) {
    ph_message m = {.type = PH_MSG_WEBSOCKET_SEND, .text = text, .body = {p, len}};
    return ph_send(ch, &m);
}

static int ws_echo(const ph_scope *s, ph_channel *ch) {
    ph_message acc = {.type = PH_MSG_WEBSOCKET_ACCEPT};
    ph_header h[] = {{PH_SLICE_LIT("X-Echo"), PH_SLICE_LIT("yes")}};
    acc.headers = h;
    acc.nheaders = 1;
    if (s->nsubprotocols)
        acc.subprotocol = s->subprotocols[0];
    int rc = ph_send(ch, &acc);
    for (; rc == 0;) {
        ph_message in;
        if ((rc = ph_receive(ch, &in)) < 0)
            break;
        if (in.type == PH_MSG_WEBSOCKET_DISCONNECT) {
            char line[200];
            snprintf(line, sizeof(line), "ws disconnect %d %.*s", in.code, (int)in.reason.len,
                     in.reason.ptr);
            record(line);
            return 0;
        }
        if (in.text && in.body.len > 6 && memcmp(in.body.ptr, "close ", 6) == 0) {
            char tmp[160];
            size_t n = in.body.len < sizeof(tmp) - 1 ? in.body.len : sizeof(tmp) - 1;
            memcpy(tmp, in.body.ptr, n);
            tmp[n] = '\0';
            char *end;
            long code = strtol(tmp + 6, &end, 10);
            const char *reason = *end == ' ' ? end + 1 : end;
            ph_message cl = {.type = PH_MSG_WEBSOCKET_CLOSE, .code = (int)code,
                             .reason = {reason, strlen(reason)}};
            rc = ph_send(ch, &cl);
            continue; /* the client's close comes back as a disconnect */
        }
        if (in.text && is(in.body, "scope")) {
            char out[512];
            int k = snprintf(out, sizeof(out), "path=%.*s query=%.*s scheme=%.*s protocols=",
                             (int)s->path.len, s->path.ptr, (int)s->query_string.len,
                             s->query_string.ptr, (int)s->scheme.len, s->scheme.ptr);
            for (size_t i = 0; i < s->nsubprotocols && k < (int)sizeof(out) - 64; i++)
                k += snprintf(out + k, sizeof(out) - (size_t)k, "%s%.*s", i ? "," : "",
                              (int)s->subprotocols[i].len, s->subprotocols[i].ptr);
            rc = ws_send(ch, 1, out, (size_t)k);
            continue;
        }
        rc = ws_send(ch, in.text, in.body.ptr, in.body.len);
    }
    return rc;
}

static int ws_flood(const ph_scope *s, ph_channel *ch) {
    ph_message acc = {.type = PH_MSG_WEBSOCKET_ACCEPT};
    int rc = ph_send(ch, &acc);
    long n = (long)qnum(s, "n", 100);
    size_t size = (size_t)qnum(s, "size", 65536);
    char *buf = calloc(1, size ? size : 1);
    long sent = 0;
    for (; rc == 0 && buf && sent < n; sent++)
        rc = ws_send(ch, 0, buf, size);
    free(buf);
    char line[64];
    snprintf(line, sizeof(line), "ws flood done %ld", sent);
    record(line);
    return rc == PH_ECLOSED ? 0 : rc;
}

static int websocket(const ph_scope *s, ph_channel *ch) {
    ph_message in;
    int rc = ph_receive(ch, &in);
    if (rc < 0 || in.type != PH_MSG_WEBSOCKET_CONNECT)
        return rc < 0 ? rc : PH_ESTATE;
    ph_slice p = s->path;
    if (is(p, "/ws/echo"))
        return ws_echo(s, ch);
    if (is(p, "/ws/flood"))
        return ws_flood(s, ch);
    if (is(p, "/ws/deny")) {
        ph_message cl = {.type = PH_MSG_WEBSOCKET_CLOSE};
        return ph_send(ch, &cl);
    }
    if (is(p, "/ws/reject"))
        return respond_str(ch, 401, "nope");
    if (is(p, "/ws/return"))
        return 0;
    if (is(p, "/ws/fail"))
        return PH_EIO;
    if (is(p, "/ws/send-fail")) {
        ph_message acc = {.type = PH_MSG_WEBSOCKET_ACCEPT};
        rc = ph_send(ch, &acc);
        return rc < 0 ? rc : PH_EIO;
    }
    return respond_str(ch, 404, "not found");
}

static int lifespan(ph_channel *ch) {
    ph_message in, out = {0};
    int rc = ph_receive(ch, &in);
    if (rc < 0 || in.type != PH_MSG_LIFESPAN_STARTUP)
        return rc < 0 ? rc : PH_ESTATE;
    record("lifespan startup begins");
    if (g.lifespan_delay > 0)
        ph_sleep(g.lifespan_delay);
    if (g.lifespan_fail) {
        out.type = PH_MSG_LIFESPAN_STARTUP_FAILED;
        out.message = "test database unreachable";
        return ph_send(ch, &out);
    }
    g.started = 1;
    record("lifespan startup complete");
    out.type = PH_MSG_LIFESPAN_STARTUP_COMPLETE;
    if ((rc = ph_send(ch, &out)) < 0)
        return rc;
    rc = ph_receive(ch, &in);
    if (rc < 0 || in.type != PH_MSG_LIFESPAN_SHUTDOWN)
        return rc < 0 ? rc : PH_ESTATE;
    char line[96];
    snprintf(line, sizeof(line), "lifespan shutdown (requests served: %ld)", g.requests);
    record(line);
    out.type = PH_MSG_LIFESPAN_SHUTDOWN_COMPLETE;
    return ph_send(ch, &out);
}

static int app(void *self, const ph_scope *scope, ph_channel *ch) {
    (void)self;
    if (scope->type == PH_SCOPE_LIFESPAN)
        return g.lifespan_decline ? PH_ENOTSUP : lifespan(ch);
    g.inflight++;
    int rc = scope->type == PH_SCOPE_WEBSOCKET ? websocket(scope, ch) : http(scope, ch);
    g.inflight--;
    g.requests++;
    return rc;
}

/* ---- command line ------------------------------------------------------- */

static int usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s [--host H] [--port P] [--uds PATH] [--workers N] [--backlog N]\n"
            "  [--limit-concurrency N] [--timeout-keep-alive S] [--timeout-header S]\n"
            "  [--timeout-body S] [--timeout-write S] [--timeout-graceful S]\n"
            "  [--max-request-line B] [--max-header-bytes B] [--max-headers N] [--max-body B]\n"
            "  [--ws-max-size B]\n"
            "  [--no-access-log] [--keep-cancelled] [--root-path P] [--server-header V]\n"
            "  [--lifespan auto|on|off] [--lifespan-fail] [--lifespan-decline]\n"
            "  [--lifespan-delay S]\n"
            "  [--proxy-headers LIST] [--record FILE] [--quiet]\n",
            argv0);
    return 2;
}

int main(int argc, char **argv) {
    ph_server_config cfg = {0};
    const char *proxy = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (strcmp(a, "--host") == 0 && v)
            cfg.host = v;
        else if (strcmp(a, "--port") == 0 && v)
            cfg.port = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--uds") == 0 && v)
            cfg.uds = v;
        else if (strcmp(a, "--workers") == 0 && v)
            cfg.workers = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--backlog") == 0 && v)
            cfg.backlog = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--limit-concurrency") == 0 && v)
            cfg.limit_concurrency = (int)strtol(v, NULL, 10);
        else if (strcmp(a, "--timeout-keep-alive") == 0 && v)
            cfg.timeout_keep_alive = strtod(v, NULL);
        else if (strcmp(a, "--timeout-header") == 0 && v)
            cfg.timeout_header = strtod(v, NULL);
        else if (strcmp(a, "--timeout-body") == 0 && v)
            cfg.timeout_body = strtod(v, NULL);
        else if (strcmp(a, "--timeout-write") == 0 && v)
            cfg.timeout_write = strtod(v, NULL);
        else if (strcmp(a, "--timeout-graceful") == 0 && v)
            cfg.timeout_graceful = strtod(v, NULL);
        else if (strcmp(a, "--max-request-line") == 0 && v)
            cfg.max_request_line = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-header-bytes") == 0 && v)
            cfg.max_header_bytes = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-headers") == 0 && v)
            cfg.max_headers = strtoull(v, NULL, 10);
        else if (strcmp(a, "--max-body") == 0 && v)
            cfg.max_body = strtoull(v, NULL, 10);
        else if (strcmp(a, "--ws-max-size") == 0 && v)
            cfg.ws_max_size = strtoull(v, NULL, 10);
        else if (strcmp(a, "--root-path") == 0 && v)
            cfg.root_path = v;
        else if (strcmp(a, "--server-header") == 0 && v)
            cfg.server_header = v;
        else if (strcmp(a, "--lifespan") == 0 && v)
            cfg.lifespan = strcmp(v, "on") == 0 ? 1 : strcmp(v, "off") == 0 ? -1 : 0;
        else if (strcmp(a, "--lifespan-delay") == 0 && v)
            g.lifespan_delay = strtod(v, NULL);
        else if (strcmp(a, "--proxy-headers") == 0 && v)
            proxy = v;
        else if (strcmp(a, "--record") == 0 && v)
            g.record = v;
        else {
            takes = 0;
            if (strcmp(a, "--no-access-log") == 0)
                cfg.access_log = -1;
            else if (strcmp(a, "--keep-cancelled") == 0)
                cfg.keep_cancelled_on_disconnect = 1;
            else if (strcmp(a, "--lifespan-fail") == 0)
                g.lifespan_fail = 1;
            else if (strcmp(a, "--lifespan-decline") == 0)
                g.lifespan_decline = 1;
            else if (strcmp(a, "--quiet") == 0)
                cfg.quiet = 1;
            else
                return usage(argv[0]);
        }
        i += takes;
    }
    ph_proto_app inner = {.call = app}, served = inner;
    if (proxy) {
        served = ph_proxy_headers_app(inner, proxy);
        if (!served.call) {
            fprintf(stderr, "proto_server: bad --proxy-headers list\n");
            return 2;
        }
    }
    int rc = ph_serve_(served, &cfg);
    if (proxy)
        ph_proxy_headers_free(served);
    if (rc < 0)
        fprintf(stderr, "proto_server: ph_serve failed: %s\n", ph_err_name(rc));
    return rc == 0 ? 0 : 1;
}
