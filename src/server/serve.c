/*
 * ph_serve(): defaults, then either one process serving on its own loop or a
 * supervisor over prefork workers (supervisor.c). A serving process runs
 * lifespan startup, listens, waits for SIGTERM or SIGINT, and shuts down
 * gracefully: stop accepting, close idle connections, give in-flight
 * requests timeout_graceful seconds (then cancel them), run lifespan
 * shutdown, and return 0.
 */
#include "server/serve.h"

#include "server/lifespan.h"
#include "server/listen.h"
#include "server/server.h"
#include "util/alloc.h"
#include "util/log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ph__server_config_defaults(ph_server_config *c) {
    if (!c->host)
        c->host = "127.0.0.1";
    if (c->port == 0)
        c->port = 8000;
    if (c->workers <= 0)
        c->workers = 1;
    if (c->backlog <= 0)
        c->backlog = 2048;
    if (c->limit_concurrency <= 0)
        c->limit_concurrency = 10000;
    if (c->timeout_keep_alive <= 0)
        c->timeout_keep_alive = 5;
    if (c->timeout_header <= 0)
        c->timeout_header = 10;
    if (c->timeout_body <= 0)
        c->timeout_body = 30;
    if (c->timeout_write <= 0)
        c->timeout_write = 30;
    if (c->timeout_graceful <= 0)
        c->timeout_graceful = 30;
    if (c->max_request_line == 0)
        c->max_request_line = PH__HTTP_DEFAULT_MAX_REQUEST_LINE;
    if (c->max_header_bytes == 0)
        c->max_header_bytes = PH__HTTP_DEFAULT_MAX_HEADER_BYTES;
    if (c->max_headers == 0)
        c->max_headers = PH__HTTP_DEFAULT_MAX_HEADERS;
    if (c->max_body == 0)
        c->max_body = 100u * 1024 * 1024;
    if (c->ws_max_size == 0)
        c->ws_max_size = 1024 * 1024;
    if (!c->server_header)
        c->server_header = "phial";
    if (!c->root_path)
        c->root_path = "";
}

typedef struct serve_args {
    ph_proto_app app;
    const ph_server_config *cfg;
    int fd;
    int port;     /* bound port, for the startup message */
    int ready_fd; /* written once serving (supervised workers); -1 */
} serve_args;

typedef struct signals {
    uv_signal_t term, intr;
    ph_event *stop;
    ph__server *srv;
    int received, sigints;
} signals;

/* The first SIGTERM or SIGINT starts a graceful shutdown; a second SIGINT
 * (Ctrl+C again) cancels the requests still running at once, as the
 * supervisor kills its workers then. Only SIGINTs count for that: a worker
 * gets Ctrl+C's SIGINT from the terminal and SIGTERM from its supervisor. */
static void on_signal(uv_signal_t *h, int signum) {
    signals *s = h->data;
    if (signum == SIGINT && s->sigints++ > 0) {
        PH_LOG_WARN("received SIGINT again: cancelling %zu request(s) now", s->srv->nactive);
        s->srv->force_stop = 1;
        ph__sched_drain(ph__loop_get());
        return;
    }
    if (s->received++ > 0)
        return; /* the shutdown is under way */
    PH_LOG_INF("received %s: shutting down", signum == SIGINT ? "SIGINT" : "SIGTERM");
    ph_event_set(s->stop);
    ph__sched_drain(ph__loop_get());
}

static void drain_connections(ph__server *srv) {
    srv->shutting_down = 1;
    ph__server_stop_listening(srv);
    ph__conn_close_idle(srv);
    ph__ws_shutdown(srv);
    double deadline = ph_now() + srv->cfg.timeout_graceful;
    int cancelled = 0;
    while (srv->nconns > 0) {
        if (!cancelled && (deadline - ph_now() <= 0 || srv->force_stop)) {
            if (!srv->force_stop)
                PH_LOG_WARN("graceful shutdown: %zu request(s) still running after %g s; "
                            "cancelling them",
                            srv->nactive, srv->cfg.timeout_graceful);
            for (ph__conn *c = srv->conns; c; c = c->next)
                if (c->task)
                    ph_cancel(c->task);
            cancelled = 1;
        }
        if (cancelled) {
            /* Past the deadline a connection whose request has ended is
             * closed at once, whatever it still had to send (a slow reader
             * would otherwise hold the shutdown for its write timeout). A
             * cancelled request ends at its next suspension. */
            for (ph__conn *c = srv->conns; c; c = c->next)
                if (!c->task)
                    ph__conn_abort(c);
        }
        /* Connections close from their own callbacks; look again shortly. */
        double left = deadline - ph_now();
        ph_sleep(!cancelled && left < 0.01 ? left : 0.01);
    }
}

static int serve_main(void *arg) {
    serve_args *a = arg;
    ph__server *srv = ph__calloc(1, sizeof(*srv));
    signals sig = {0};
    if (!srv)
        return PH_ENOMEM;
    srv->app = a->app;
    srv->cfg = *a->cfg;
    srv->uv = ph__uv();
    srv->loop = ph__loop_get();
    srv->is_unix = a->cfg->uds != NULL;
    srv->limits = (ph__http_limits){.max_request_line = srv->cfg.max_request_line,
                                    .max_header_bytes = srv->cfg.max_header_bytes,
                                    .max_headers = srv->cfg.max_headers,
                                    .max_body = srv->cfg.max_body == UINT64_MAX ? 0
                                                                                : srv->cfg.max_body};
    if (srv->cfg.server_header[0])
        srv->server_hdr_len = (size_t)snprintf(srv->server_hdr, sizeof(srv->server_hdr),
                                               "Server: %s\r\n", srv->cfg.server_header);
    sig.stop = ph_event_new();
    sig.srv = srv;
    int rc = sig.stop ? 0 : PH_ENOMEM;
    ph__lifespan *ls = NULL;
    if (rc == 0) {
        ph__date_start(srv);
        ph__cork_start(srv);
        uv_signal_init(srv->uv, &sig.term);
        uv_signal_init(srv->uv, &sig.intr);
        sig.term.data = sig.intr.data = &sig;
        uv_signal_start(&sig.term, on_signal, SIGTERM);
        uv_signal_start(&sig.intr, on_signal, SIGINT);
        rc = ph__lifespan_startup(&ls, a->app, srv->cfg.state, srv->cfg.lifespan);
        if (rc == 0)
            rc = ph__server_listen(srv, a->fd);
        if (rc == 0) {
            if (!srv->cfg.quiet && a->ready_fd < 0) {
                if (srv->is_unix)
                    PH_LOG_INF("phial: serving on unix:%s (pid %d)", srv->cfg.uds, (int)getpid());
                else
                    /* An IPv6 literal takes brackets in a URL (RFC 3986 3.2.2). */
                    PH_LOG_INF("phial: serving on http://%s%s%s:%d (pid %d; press Ctrl+C to quit)",
                               strchr(srv->cfg.host, ':') ? "[" : "", srv->cfg.host,
                               strchr(srv->cfg.host, ':') ? "]" : "", a->port, (int)getpid());
            }
            if (a->ready_fd >= 0) {
                ssize_t w = write(a->ready_fd, "R", 1);
                (void)w;
                close(a->ready_fd);
            }
            ph_event_wait(sig.stop);
            drain_connections(srv);
        } else if (rc != PH_ESTATE) {
            PH_LOG_ERR("cannot listen: %s", ph_strerror(rc));
        }
        int lrc = ph__lifespan_shutdown(ls);
        if (rc == 0 && lrc < 0)
            rc = lrc;
        ph__server_close_handle(srv, (uv_handle_t *)&sig.term);
        ph__server_close_handle(srv, (uv_handle_t *)&sig.intr);
        ph__date_stop(srv);
        ph__cork_stop(srv);
        ph__server_close_handle(srv, (uv_handle_t *)&srv->flusher);
        if (srv->listening)
            ph__server_stop_listening(srv);
        /* libuv touches these handles (in srv, and `sig` on this task's
         * stack) until their close callbacks run: wait for them before
         * freeing srv and returning. */
        while (srv->closing > 0 && ph_sleep(0.001) == 0) {
        }
    }
    ph_event_free(sig.stop);
    ph__free(srv);
    return rc;
}

int ph__serve_in_process(ph_proto_app app, const ph_server_config *cfg, int fd, int port,
                         int ready_fd) {
    signal(SIGPIPE, SIG_IGN);
    serve_args a = {.app = app, .cfg = cfg, .fd = fd, .port = port, .ready_fd = ready_fd};
    return ph_run(serve_main, &a, .name = "server", .stack_size = cfg->stack_size);
}

int ph_serve_(ph_proto_app app, const ph_server_config *opts) {
    if (!app.call || !opts)
        return PH_EINVAL;
    ph_server_config cfg = *opts;
    ph__server_config_defaults(&cfg);
    if (cfg.workers > 1)
        return ph__supervise(app, &cfg);
    int port = 0;
    ph__listen_id id;
    int fd = ph__listen_socket(&cfg, cfg.port < 0 ? 0 : cfg.port, 0, &port, &id);
    if (fd < 0)
        return fd;
    int rc = ph__serve_in_process(app, &cfg, fd, port, -1);
    ph__listen_remove(cfg.uds, &id);
    return rc;
}
