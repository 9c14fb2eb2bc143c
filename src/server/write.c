/*
 * The write side of a connection. A response is first offered to the socket
 * with one uv_try_write() of all its pieces (head, chunk framing, body): for
 * a small response that is the only system call. Whatever the socket does not
 * take is copied into one heap request and queued with uv_write(), because
 * the app's buffers are borrowed only for the duration of ph_send().
 *
 * Backpressure: once the bytes queued pass the high-water mark, a sender
 * suspends until the queue drains below the low-water mark, so a slow client
 * cannot make the server buffer an unbounded response.
 */
#include "server/server.h"

#include "util/alloc.h"

#include <string.h>

#define HIGH_WATER (256 * 1024)
#define LOW_WATER (64 * 1024)

typedef struct write_req {
    uv_write_t req;
    ph__conn *c;
    size_t len;
    char data[];
} write_req;

static int write_now(ph__conn *c, const uv_buf_t *bufs, unsigned n, int may_suspend);
static void on_check(uv_check_t *h);

static void on_written(uv_write_t *req, int status) {
    write_req *w = ph__container_of(req, write_req, req);
    ph__conn *c = w->c;
    c->write_pending -= w->len;
    if (status < 0 && !c->write_error)
        c->write_error = PH_ECLOSED;
    ph__free(w);
    if (c->writer && (c->write_pending <= LOW_WATER || c->write_error)) {
        ph__wait *wt = c->writer;
        c->writer = NULL;
        ph__wake(wt, 0);
        ph__sched_drain(c->srv->loop);
    }
}

typedef struct writer_wait {
    ph__wait w;
    ph__conn *c;
} writer_wait;

static int writer_cancel(ph__wait *w) {
    ph__container_of(w, writer_wait, w)->c->writer = NULL;
    return 0;
}

int ph__conn_write_wait(ph__conn *c) {
    while (c->write_pending > LOW_WATER && !c->write_error) {
        writer_wait ww = {.w = {.cancel = writer_cancel}, .c = c};
        c->writer = &ww.w;
        double t = c->srv->cfg.timeout_write;
        int rc = ph__suspend(&ww.w, (int64_t)(t * 1e3 + 0.5), PH_ETIMEDOUT, 0);
        c->writer = NULL;
        if (rc < 0) {
            if (rc == PH_ETIMEDOUT)
                c->write_error = PH_ETIMEDOUT;
            return rc;
        }
    }
    return c->write_error;
}

static void uncork_list(ph__conn *c) {
    if (!c->cork_pprev)
        return;
    *c->cork_pprev = c->cork_next;
    if (c->cork_next)
        c->cork_next->cork_pprev = c->cork_pprev;
    c->cork_next = NULL;
    c->cork_pprev = NULL;
}

int ph__conn_write(ph__conn *c, const uv_buf_t *in, unsigned n_in, int may_suspend) {
    if (c->write_error)
        return c->write_error;
    if (c->state == PH__CONN_CLOSING)
        return PH_ECLOSED;
    /* Held-back responses go first, in the same write. */
    uv_buf_t joined[8];
    const uv_buf_t *bufs = in;
    unsigned n = n_in;
    if (c->cork.len && n_in < 8) {
        joined[0] = uv_buf_init(c->cork.data, (unsigned)c->cork.len);
        for (unsigned i = 0; i < n_in; i++)
            joined[i + 1] = in[i];
        bufs = joined;
        n = n_in + 1;
    } else if (c->cork.len) {
        int rc = ph__conn_flush(c);
        if (rc < 0)
            return rc;
    }
    int rc = write_now(c, bufs, n, may_suspend);
    if (bufs == joined) {
        c->cork.len = 0;
        uncork_list(c);
    }
    return rc;
}

int ph__conn_flush(ph__conn *c) {
    if (!c->cork.len) {
        uncork_list(c);
        return 0;
    }
    uv_buf_t b = uv_buf_init(c->cork.data, (unsigned)c->cork.len);
    int rc = write_now(c, &b, 1, 0);
    c->cork.len = 0;
    uncork_list(c);
    return rc;
}

int ph__conn_cork(ph__conn *c, const uv_buf_t *bufs, unsigned n) {
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += bufs[i].len;
    if (total == 0)
        return 0;
    if (c->cork.len + total > LOW_WATER || c->write_pending || c->write_error ||
        ph__buf_reserve(&c->cork, total) < 0)
        return ph__conn_write(c, bufs, n, 1);
    for (unsigned i = 0; i < n; i++)
        ph__buf_append(&c->cork, bufs[i].base, bufs[i].len); /* room was reserved */
    if (!c->cork_pprev) {
        ph__server *srv = c->srv;
        c->cork_next = srv->corked;
        if (c->cork_next)
            c->cork_next->cork_pprev = &c->cork_next;
        srv->corked = c;
        c->cork_pprev = &srv->corked;
        uv_check_start(&srv->flusher, on_check);
    }
    return 0;
}

static void on_check(uv_check_t *h) {
    ph__server *srv = h->data;
    while (srv->corked)
        ph__conn_flush(srv->corked);
    uv_check_stop(h);
}

void ph__cork_start(ph__server *srv) {
    uv_check_init(srv->uv, &srv->flusher);
    srv->flusher.data = srv;
}

void ph__cork_stop(ph__server *srv) {
    while (srv->corked)
        ph__conn_flush(srv->corked);
    uv_check_stop(&srv->flusher);
}

static int write_now(ph__conn *c, const uv_buf_t *bufs, unsigned n, int may_suspend) {
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += bufs[i].len;
    if (total == 0)
        return 0;
    size_t done = 0;
    if (c->write_pending == 0) {
        int r = uv_try_write(&c->h.stream, bufs, n);
        if (r >= 0)
            done = (size_t)r;
        else if (r != UV_EAGAIN && r != UV_ENOSYS) {
            c->write_error = PH_ECLOSED;
            return PH_ECLOSED;
        }
    }
    if (done < total) {
        size_t rest = total - done;
        write_req *w = ph__malloc(sizeof(*w) + rest);
        if (!w)
            return PH_ENOMEM;
        w->c = c;
        w->len = rest;
        size_t skip = done, off = 0;
        for (unsigned i = 0; i < n; i++) {
            size_t len = bufs[i].len;
            if (skip >= len) {
                skip -= len;
                continue;
            }
            memcpy(w->data + off, bufs[i].base + skip, len - skip);
            off += len - skip;
            skip = 0;
        }
        uv_buf_t b = uv_buf_init(w->data, (unsigned)rest);
        int r = uv_write(&w->req, &c->h.stream, &b, 1, on_written);
        if (r < 0) {
            ph__free(w);
            c->write_error = PH_ECLOSED;
            return PH_ECLOSED;
        }
        c->write_pending += rest;
    }
    if (may_suspend && c->write_pending > HIGH_WATER)
        return ph__conn_write_wait(c);
    return 0;
}
