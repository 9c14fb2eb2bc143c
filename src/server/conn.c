/*
 * Listening, accepting and the read side of a connection.
 *
 * The read callback appends to a per-connection buffer and, between
 * requests, runs the head parser over it; a complete head starts a request
 * task (exchange.c), and the bytes after the head (body, pipelined requests)
 * stay in the buffer for it. The buffer may be reallocated only while no
 * request is being served, because the app holds slices into it; while a
 * request runs, a full buffer stops reading (backpressure) until the app
 * consumes body bytes or the request ends.
 *
 * Accepting pauses at the connection cap simply by not calling uv_accept():
 * libuv then stops polling the listener until we accept again, so there is no
 * busy loop. One wheel timer per connection covers the keep-alive, header and
 * linger timeouts.
 */
#include "server/server.h"

#include "util/alloc.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RBUF_INITIAL 4096
#define BODY_WINDOW (64 * 1024)
/* Websocket frames stream through a smaller window: a server may hold
 * thousands of websockets that are mostly idle, and a message is put
 * together in a buffer of its own anyway. */
#define WS_WINDOW (16 * 1024)
#define LINGER_MS 2000

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf);

static uint64_t ms(double seconds) { return seconds > 0 ? (uint64_t)(seconds * 1e3 + 0.5) : 1; }

static size_t head_limit(const ph__server *srv) {
    return srv->limits.max_request_line + srv->limits.max_header_bytes +
           2 * PH__HTTP_MAX_LEADING_EMPTY_LINES + 8;
}

void ph__conn_read_start(ph__conn *c) {
    if (!c->reading && !c->eof && c->state != PH__CONN_CLOSING) {
        if (uv_read_start(&c->h.stream, on_alloc, on_read) == 0)
            c->reading = 1;
    }
}

static void stop_reading(ph__conn *c) {
    if (c->reading) {
        uv_read_stop(&c->h.stream);
        c->reading = 0;
    }
}

/* ---- timers ------------------------------------------------------------- */

static void on_closed(uv_handle_t *h);

static void on_conn_timer(ph__timer *t) {
    ph__conn *c = ph__container_of(t, ph__conn, timer);
    switch (c->state) {
    case PH__CONN_IDLE:
    case PH__CONN_HEAD:
    case PH__CONN_LINGER:
        ph__conn_close(c);
        break;
    case PH__CONN_CLOSING:
        /* The client would not take the rest of the response: give up. */
        if (!uv_is_closing(&c->h.handle))
            uv_close(&c->h.handle, on_closed);
        break;
    case PH__CONN_APP:
        break;
    }
}

static void arm(ph__conn *c, uint64_t after_ms) {
    ph__timer_start(&c->srv->loop->wheel, &c->timer, after_ms);
}

/* ---- closing ------------------------------------------------------------ */

static void maybe_resume_accept(ph__server *srv);

static void on_closed(uv_handle_t *h) {
    ph__timer_stop(&((ph__conn *)h->data)->srv->loop->wheel, &((ph__conn *)h->data)->timer);
    ph__conn *c = h->data;
    ph__server *srv = c->srv;
    *c->pprev = c->next;
    if (c->next)
        c->next->pprev = c->pprev;
    srv->nconns--;
    ph__free(c->rbuf);
    ph__free(c->headers);
    ph__ws_free(c);
    ph__arena_close(&c->arena);
    ph__buf_close(&c->wbuf);
    ph__buf_close(&c->cork);
    ph__free(c);
    maybe_resume_accept(srv);
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    ph__conn *c = req->handle->data;
    ph__free(req);
    if (!uv_is_closing(&c->h.handle))
        uv_close(&c->h.handle, on_closed);
}

void ph__conn_close(ph__conn *c) {
    if (c->state == PH__CONN_CLOSING)
        return;
    ph__conn_flush(c);
    if (c->state == PH__CONN_APP && c->task) {
        /* The request task still uses the connection: mark it dead and let
         * the task end; it closes the connection on its way out. */
        c->eof = 1;
        stop_reading(c);
        return;
    }
    c->state = PH__CONN_CLOSING;
    ph__timer_stop(&c->srv->loop->wheel, &c->timer);
    stop_reading(c);
    if (c->write_pending && !c->write_error) {
        /* Let the queued response reach the client first (bounded by the
         * write timeout), then close. */
        uv_shutdown_t *req = ph__malloc(sizeof(*req));
        if (req && uv_shutdown(req, &c->h.stream, on_shutdown) == 0) {
            arm(c, ms(c->srv->cfg.timeout_write));
            return;
        }
        ph__free(req);
    }
    uv_close(&c->h.handle, on_closed);
}

void ph__conn_abort(ph__conn *c) {
    if (c->state == PH__CONN_APP && c->task)
        return;
    ph__conn_close(c);
    /* uv_close while a shutdown request is pending cancels it; on_shutdown
     * then sees the handle closing and leaves it. */
    if (c->state == PH__CONN_CLOSING && !uv_is_closing(&c->h.handle))
        uv_close(&c->h.handle, on_closed);
}

/*
 * How long an idle connection may still bring a request once shutdown
 * begins: until it has been quiet SHUTDOWN_QUIET_MS in all, counting the
 * time before shutdown, but at least SHUTDOWN_GRACE_MIN_MS from now, and
 * never past its keep-alive timeout. A client that has just connected, or
 * has just been answered, is likely sending its request at this very
 * moment, and on a busy machine that can take a while; one that has been
 * quiet for a second is not about to, and goes soon.
 */
#define SHUTDOWN_QUIET_MS 1000
#define SHUTDOWN_GRACE_MIN_MS 100

static uint64_t idle_grace_ms(const ph__conn *c) {
    uint64_t now = uv_now(c->srv->uv);
    uint64_t quiet = now > c->idle_since ? now - c->idle_since : 0;
    uint64_t g = quiet + SHUTDOWN_GRACE_MIN_MS >= SHUTDOWN_QUIET_MS ? SHUTDOWN_GRACE_MIN_MS
                                                                   : SHUTDOWN_QUIET_MS - quiet;
    uint64_t keep_alive = ms(c->srv->cfg.timeout_keep_alive);
    uint64_t left = keep_alive > quiet ? keep_alive - quiet : 1;
    return g < left ? g : left;
}

/*
 * At shutdown: the connections waiting for a request are not closed at
 * once but given a grace (idle_grace_ms). A busy keep-alive client may be
 * sending its next request at this very moment, and a client that has just
 * connected is about to send its first: closing now would fail those
 * requests (the race of RFC 9112 section 9.3.1). A request that arrives in
 * the grace is served with Connection: close, since the server is shutting
 * down; a connection still quiet at its end is closed. A request already arriving (HEAD state) is
 * left to finish, bounded by the header timeout.
 */
void ph__conn_close_idle(ph__server *srv) {
    for (ph__conn *c = srv->conns; c; c = c->next)
        if (c->state == PH__CONN_IDLE)
            arm(c, idle_grace_ms(c));
}

/* ---- the read side ------------------------------------------------------ */

static int grow(ph__conn *c, size_t want) {
    if (want <= c->rcap)
        return 0;
    char *old = c->rbuf;
    char *nb = ph__realloc(c->rbuf, want);
    if (!nb)
        return PH_ENOMEM;
    c->rbuf = nb;
    c->rcap = want;
    if (nb != old && c->state == PH__CONN_APP) {
        /* Not reached: the buffer never moves while the app holds slices. */
        return PH_ESTATE;
    }
    return 0;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    ph__conn *c = h->data;
    (void)hint;
    if (c->state == PH__CONN_LINGER)
        c->rlen = 0; /* discarding */
    if (c->rlen == c->rcap && c->state != PH__CONN_APP) {
        size_t limit = head_limit(c->srv);
        size_t want = c->rcap * 2 > limit ? limit : c->rcap * 2;
        if (want > c->rcap)
            grow(c, want);
    }
    *buf = uv_buf_init(c->rbuf + c->rlen, (unsigned)(c->rcap - c->rlen));
}

/* Parse the head at the start of the buffer; start a request when complete. */
static void try_head(ph__conn *c) {
    ph__server *srv = c->srv;
    int n = ph__http_parse_request(c->rbuf, c->rlen, &c->scan_hint, &srv->limits, &c->req,
                                   c->headers, srv->limits.max_headers);
    if (n == PH_EAGAIN) {
        if (c->rlen == c->rcap && c->rcap >= head_limit(srv))
            ph__conn_reject(c, 431);
        return;
    }
    if (n < 0) {
        ph__conn_reject(c, ph__http_error_status(n));
        return;
    }
    c->head_len = (size_t)n;
    if (ph__ws_begin(c) < 0)
        return; /* a malformed handshake, answered */
    /* A body, or websocket frames, need room to stream through: make it
     * now, before the app gets slices into the buffer, and carry the
     * parsed slices over. */
    size_t window = c->ws ? WS_WINDOW : BODY_WINDOW;
    if ((c->req.framing != PH__HTTP_BODY_NONE || c->ws) && c->rcap < c->head_len + window) {
        char *old = c->rbuf;
        if (grow(c, c->head_len + window) < 0) {
            ph__conn_reject(c, 503);
            return;
        }
        ptrdiff_t d = c->rbuf - old;
        if (d) {
            ph_slice *s[] = {&c->req.method, &c->req.target, &c->req.path, &c->req.query,
                             &c->req.host};
            for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
                if (s[i]->ptr)
                    s[i]->ptr += d;
            for (size_t i = 0; i < c->req.num_headers; i++) {
                c->headers[i].name.ptr += d;
                c->headers[i].value.ptr += d;
            }
        }
    }
    ph__timer_stop(&srv->loop->wheel, &c->timer);
    c->state = PH__CONN_APP;
    if (ph__exchange_start(c) < 0)
        ph__conn_reject(c, 503);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    ph__conn *c = s->data;
    (void)buf;
    if (nread == 0)
        return;
    if (nread < 0) {
        stop_reading(c);
        if (nread == UV_ENOBUFS)
            return; /* buffer full while a request runs: resumed when it drains */
        c->eof = 1;
        if (c->state == PH__CONN_APP) {
            if (c->reader) {
                ph__wait *w = c->reader;
                c->reader = NULL;
                ph__wake(w, 0);
            } else if (c->task && !c->srv->cfg.keep_cancelled_on_disconnect) {
                ph_cancel(c->task); /* abandoned work stops */
                c->client_left = 1;
            }
            ph__sched_drain(c->srv->loop);
        } else {
            ph__conn_close(c);
        }
        return;
    }
    c->rlen += (size_t)nread;
    switch (c->state) {
    case PH__CONN_IDLE:
        c->state = PH__CONN_HEAD;
        arm(c, ms(c->srv->cfg.timeout_header));
        /* fall through */
    case PH__CONN_HEAD:
        try_head(c);
        break;
    case PH__CONN_APP:
        if (c->rlen == c->rcap)
            stop_reading(c);
        if (c->reader) {
            ph__wait *w = c->reader;
            c->reader = NULL;
            ph__wake(w, 0);
        }
        break;
    case PH__CONN_LINGER:
        c->rlen = 0;
        break;
    case PH__CONN_CLOSING:
        break;
    }
    ph__sched_drain(c->srv->loop);
}

/* Called by the request task when a response is complete and the connection
 * stays open: the consumed bytes are dropped and the next head, if already
 * buffered, starts the next request. */
void ph__conn_request_done(ph__conn *c) {
    ph__server *srv = c->srv;
    c->task = NULL;
    if (c->eof) {
        c->state = PH__CONN_IDLE;
        ph__conn_close(c);
        return;
    }
    c->state = PH__CONN_IDLE;
    c->scan_hint = 0;
    ph__conn_read_start(c);
    if (c->rlen > 0) {
        c->state = PH__CONN_HEAD;
        arm(c, ms(srv->cfg.timeout_header));
        try_head(c);
    } else {
        /* At shutdown a response that kept the connection open gets the
         * idle grace (ph__conn_close_idle), not an immediate close: the
         * client may already be sending its next request. */
        c->idle_since = uv_now(srv->uv);
        arm(c, srv->shutting_down ? idle_grace_ms(c) : ms(srv->cfg.timeout_keep_alive));
    }
}

/* ---- accepting ---------------------------------------------------------- */

static void format_addr(const struct sockaddr_storage *ss, char *out, size_t cap, int *port) {
    out[0] = '\0';
    *port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)cap);
        *port = ntohs(a->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, out, (socklen_t)cap);
        *port = ntohs(a->sin6_port);
    }
}

static void on_connection(uv_stream_t *server, int status);

static void maybe_resume_accept(ph__server *srv) {
    if (srv->accept_paused && srv->listening && !srv->shutting_down &&
        srv->nconns < (size_t)srv->cfg.limit_concurrency) {
        srv->accept_paused = 0;
        on_connection(&srv->listener.stream, 0);
    }
}

void ph__server_accept_retry(ph__server *srv) { maybe_resume_accept(srv); }

/* A connection object linked into the server, its handle initialised but
 * not yet bound to a socket; NULL when out of memory. */
static ph__conn *conn_new(ph__server *srv) {
    ph__conn *c = ph__calloc(1, sizeof(*c));
    char *rbuf = ph__malloc(RBUF_INITIAL);
    ph__http_header *hdrs = ph__malloc(sizeof(*hdrs) * srv->limits.max_headers);
    int rc = PH_ENOMEM;
    if (c && rbuf && hdrs)
        rc = srv->is_unix ? uv_pipe_init(srv->uv, &c->h.pipe, 0) : uv_tcp_init(srv->uv, &c->h.tcp);
    if (rc < 0) {
        ph__free(c);
        ph__free(rbuf);
        ph__free(hdrs);
        return NULL;
    }
    c->h.handle.data = c;
    c->srv = srv;
    c->rbuf = rbuf;
    c->rcap = RBUF_INITIAL;
    c->headers = hdrs;
    c->channel.ops = &ph__conn_channel_ops;
    c->state = PH__CONN_IDLE;
    ph__timer_init(&c->timer, on_conn_timer);
    ph__arena_init(&c->arena, 4096, 0);
    ph__buf_init(&c->wbuf, 0);
    ph__buf_init(&c->cork, 0);
    c->next = srv->conns;
    if (c->next)
        c->next->pprev = &c->next;
    srv->conns = c;
    c->pprev = &srv->conns;
    srv->nconns++;
    return c;
}

/* The socket is bound to `c`: note the addresses and wait for a request. */
static void conn_begin(ph__conn *c) {
    if (!c->srv->is_unix) {
        struct sockaddr_storage ss;
        int len = sizeof(ss);
        uv_tcp_nodelay(&c->h.tcp, 1);
        if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0)
            format_addr(&ss, c->peer, sizeof(c->peer), &c->peer_port);
        len = sizeof(ss);
        if (uv_tcp_getsockname(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0)
            format_addr(&ss, c->local, sizeof(c->local), &c->local_port);
    }
    c->idle_since = uv_now(c->srv->uv);
    arm(c, ms(c->srv->cfg.timeout_keep_alive));
    ph__conn_read_start(c);
}

static void on_connection(uv_stream_t *server, int status) {
    ph__server *srv = server->data;
    if (status < 0) {
        PH_LOG_WARN("accept failed: %s", uv_strerror(status));
        return;
    }
    if (srv->nconns >= (size_t)srv->cfg.limit_concurrency || srv->shutting_down) {
        srv->accept_paused = 1; /* libuv stops polling until we accept */
        return;
    }
    ph__conn *c = conn_new(srv);
    if (!c) {
        /* Out of memory: pause, and let the date timer's tick retry
         * (ph__server_accept_retry). Fixed: nothing else resumed accepting
         * when no connection was open to close, so a moment without memory
         * stopped the server accepting for good. */
        PH_LOG_WARN("out of memory accepting a connection; retrying within a second");
        srv->accept_paused = 1;
        return;
    }
    if (uv_accept(server, &c->h.stream) < 0) {
        ph__conn_close(c);
        return;
    }
    conn_begin(c);
}

/*
 * At shutdown, before the listener closes: take the connections the kernel
 * has already queued on it. Their clients completed the handshake and may
 * have sent a request; closing the listener would reset them. They are
 * served like any connection open at shutdown (the idle grace, then
 * Connection: close). Fixed: under sustained load SIGTERM reset the
 * connections waiting in the queue. A client that connects after the last
 * accept4() and before close() is still reset; that window is
 * microseconds long.
 */
static void accept_queued(ph__server *srv) {
    uv_os_fd_t lfd;
    if (uv_fileno(&srv->listener.handle, &lfd) < 0)
        return;
    while (srv->nconns < (size_t)srv->cfg.limit_concurrency) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return; /* EAGAIN: the queue is empty; anything else: give up */
        ph__conn *c = conn_new(srv);
        if (!c) {
            close(fd);
            return;
        }
        int rc = srv->is_unix ? uv_pipe_open(&c->h.pipe, fd) : uv_tcp_open(&c->h.tcp, fd);
        if (rc < 0) {
            close(fd);
            ph__conn_close(c);
            continue;
        }
        conn_begin(c);
    }
}

int ph__server_listen(ph__server *srv, int fd) {
    int rc = srv->is_unix ? uv_pipe_init(srv->uv, &srv->listener.pipe, 0)
                          : uv_tcp_init(srv->uv, &srv->listener.tcp);
    if (rc < 0)
        return ph__err_from_uv(rc);
    srv->listener.handle.data = srv;
    rc = srv->is_unix ? uv_pipe_open(&srv->listener.pipe, fd) : uv_tcp_open(&srv->listener.tcp, fd);
    if (rc == 0)
        rc = uv_listen(&srv->listener.stream, srv->cfg.backlog, on_connection);
    if (rc < 0) {
        ph__server_close_handle(srv, &srv->listener.handle);
        return ph__err_from_uv(rc);
    }
    srv->listening = 1;
    return 0;
}

static void on_server_handle_closed(uv_handle_t *h) { ((ph__server *)h->data)->closing--; }

void ph__server_close_handle(ph__server *srv, uv_handle_t *h) {
    h->data = srv;
    srv->closing++;
    uv_close(h, on_server_handle_closed);
}

void ph__server_stop_listening(ph__server *srv) {
    if (srv->listening) {
        if (srv->shutting_down)
            accept_queued(srv);
        srv->listening = 0;
        ph__server_close_handle(srv, &srv->listener.handle);
    }
}
