/*
 * A TCP client for tasks: resolve, connect, read, write, close, each
 * suspending, with timeouts. What a view uses to call another service.
 *
 * Reads go straight into the caller's buffer (libuv's alloc callback hands it
 * out, and reading stops after one callback), so nothing is copied. Writes
 * try a direct write first and only copy what the socket would not take.
 * An interrupted resolve or write is abandoned: its heap record frees itself
 * when libuv finishes with it. An interrupted connect closes the socket.
 */
#include "runtime/loop.h"

#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

struct ph_tcp {
    uv_tcp_t h;
    ph__wait *rd; /* a task parked in ph_tcp_read */
    char *rd_buf;
    size_t rd_len;
    int closing;
};

static int64_t to_ms(double timeout) {
    if (timeout < 0)
        return -1;
    double ms = timeout * 1e3 + 0.5;
    return ms > 1e15 ? (int64_t)1e15 : (int64_t)ms;
}

static void free_on_close(uv_handle_t *h) { ph__free(h->data); }

static void close_tcp(ph_tcp *c) {
    if (!c->closing) {
        c->closing = 1;
        uv_close((uv_handle_t *)&c->h, free_on_close);
    }
}

/* ---- resolve ------------------------------------------------------------ */

typedef struct gai_op {
    uv_getaddrinfo_t req;
    ph__wait *w; /* NULL once abandoned */
    int status;
    struct addrinfo *res;
} gai_op;

typedef struct gai_wait {
    ph__wait w;
    gai_op *op;
} gai_wait;

static void gai_cb(uv_getaddrinfo_t *req, int status, struct addrinfo *res) {
    gai_op *op = ph__container_of(req, gai_op, req);
    if (!op->w) {
        uv_freeaddrinfo(res);
        ph__free(op);
        return;
    }
    op->status = status;
    op->res = res;
    ph__wake(op->w, 0);
    ph__sched_drain(ph__loop_get());
}

static int resolve_cancel(ph__wait *w) {
    gai_op *op = ph__container_of(w, gai_wait, w)->op;
    op->w = NULL; /* gai_cb frees it */
    uv_cancel((uv_req_t *)&op->req);
    return 0;
}

static int resolve(ph__loop *l, const char *host, int port, int64_t timeout_ms,
                   struct addrinfo **out) {
    gai_op *op = ph__calloc(1, sizeof(*op));
    if (!op)
        return PH_ENOMEM;
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    gai_wait gw = {.w = {.cancel = resolve_cancel}, .op = op};
    op->w = &gw.w;
    int rc = uv_getaddrinfo(&l->uv, &op->req, gai_cb, host, service, &hints);
    if (rc < 0) {
        ph__free(op);
        return ph__err_from_uv(rc);
    }
    rc = ph__suspend(&gw.w, timeout_ms, PH_ETIMEDOUT, 0);
    if (gw.w.task == NULL) /* refused to park: abandon the request */
        resolve_cancel(&gw.w);
    if (rc < 0)
        return rc;
    rc = op->status;
    *out = op->res;
    ph__free(op);
    return rc < 0 ? (rc == UV_ENOMEM ? PH_ENOMEM : PH_EDNS) : 0;
}

/* ---- connect ------------------------------------------------------------ */

typedef struct conn_op {
    uv_connect_t req;
    ph__wait w;
    ph_tcp *c;
} conn_op;

static void connect_cb(uv_connect_t *req, int status) {
    conn_op *op = ph__container_of(req, conn_op, req);
    ph__wake(&op->w, ph__err_from_uv(status));
    ph__sched_drain(ph__loop_get());
}

static int connect_cancel(ph__wait *w) {
    close_tcp(ph__container_of(w, conn_op, w)->c); /* connect_cb reports UV_ECANCELED */
    return 1;
}

static int connect_one(ph__loop *l, const struct sockaddr *addr, int64_t timeout_ms,
                       ph_tcp **out) {
    ph_tcp *c = ph__calloc(1, sizeof(*c));
    if (!c)
        return PH_ENOMEM;
    int rc = uv_tcp_init(&l->uv, &c->h);
    if (rc < 0) {
        ph__free(c);
        return ph__err_from_uv(rc);
    }
    c->h.data = c;
    conn_op op = {.w = {.cancel = connect_cancel}, .c = c};
    rc = uv_tcp_connect(&op.req, &c->h, addr, connect_cb);
    if (rc < 0) {
        close_tcp(c);
        return ph__err_from_uv(rc);
    }
    rc = ph__suspend(&op.w, timeout_ms, PH_ETIMEDOUT, 0);
    if (op.w.task == NULL) {
        /* Refused to park: close, then wait for the callback regardless. */
        close_tcp(c);
        ph__suspend(&op.w, -1, 0, PH__SHIELD);
    }
    if (rc < 0) {
        close_tcp(c);
        return rc;
    }
    uv_tcp_nodelay(&c->h, 1);
    *out = c;
    return 0;
}

ph_tcp *ph_tcp_connect(const char *host, int port, double timeout, int *err) {
    ph__loop *l = ph__loop_get();
    int dummy;
    if (!err)
        err = &dummy;
    *err = ph__interrupted();
    if (*err < 0)
        return NULL;
    if (!host || port <= 0 || port > 65535) {
        *err = PH_EINVAL;
        return NULL;
    }
    uint64_t start = uv_now(&l->uv);
    int64_t budget = to_ms(timeout);
    struct addrinfo *res = NULL;
    *err = resolve(l, host, port, budget, &res);
    if (*err < 0)
        return NULL;
    ph_tcp *c = NULL;
    *err = PH_ECONNREFUSED;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int64_t left = -1;
        if (budget >= 0) {
            left = budget - (int64_t)(uv_now(&l->uv) - start);
            if (left <= 0) {
                *err = PH_ETIMEDOUT;
                break;
            }
        }
        *err = connect_one(l, ai->ai_addr, left, &c);
        if (*err == 0 || *err == PH_ECANCELED || *err == PH_ETIMEDOUT || *err == PH_ENOMEM)
            break;
    }
    uv_freeaddrinfo(res);
    return *err == 0 ? c : NULL;
}

/* ---- read --------------------------------------------------------------- */

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
    ph_tcp *c = h->data;
    (void)hint;
    *buf = c->rd ? uv_buf_init(c->rd_buf, (unsigned)(c->rd_len > 1u << 30 ? 1u << 30 : c->rd_len))
                 : uv_buf_init(NULL, 0);
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
    ph_tcp *c = s->data;
    (void)buf;
    if (nread == 0)
        return; /* EAGAIN: nothing read */
    uv_read_stop(s);
    ph__wait *w = c->rd;
    c->rd = NULL;
    if (!w)
        return;
    ssize_t r = nread > 0 ? nread : nread == UV_EOF ? 0 : ph__err_from_uv((int)nread);
    ph__wake(w, (int)r);
    ph__sched_drain(ph__loop_get());
}

typedef struct rd_wait {
    ph__wait w;
    ph_tcp *c;
} rd_wait;

static int read_cancel(ph__wait *w) {
    ph_tcp *c = ph__container_of(w, rd_wait, w)->c;
    uv_read_stop((uv_stream_t *)&c->h);
    c->rd = NULL;
    return 0;
}

ssize_t ph_tcp_read(ph_tcp *c, void *buf, size_t len, double timeout) {
    int rc = ph__interrupted();
    if (rc < 0)
        return rc;
    if (!c || !buf || len == 0 || c->rd)
        return PH_EINVAL;
    if (c->closing)
        return PH_ECLOSED;
    rd_wait rw = {.w = {.cancel = read_cancel}, .c = c};
    c->rd = &rw.w;
    c->rd_buf = buf;
    c->rd_len = len;
    rc = uv_read_start((uv_stream_t *)&c->h, alloc_cb, read_cb);
    if (rc < 0) {
        c->rd = NULL;
        return ph__err_from_uv(rc);
    }
    if (len > INT32_MAX)
        c->rd_len = INT32_MAX;
    return ph__suspend(&rw.w, to_ms(timeout), PH_ETIMEDOUT, 0);
}

/* ---- write -------------------------------------------------------------- */

typedef struct wr_op {
    uv_write_t req;
    ph__wait *w; /* NULL once abandoned */
    char data[];
} wr_op;

typedef struct wr_wait {
    ph__wait w;
    wr_op *op;
} wr_wait;

static void write_cb(uv_write_t *req, int status) {
    wr_op *op = ph__container_of(req, wr_op, req);
    if (op->w) {
        ph__wake(op->w, status < 0 ? ph__err_from_uv(status) : 0);
        ph__sched_drain(ph__loop_get());
    }
    ph__free(op);
}

static int write_cancel(ph__wait *w) {
    ph__container_of(w, wr_wait, w)->op->w = NULL;
    return 0;
}

int ph_tcp_write(ph_tcp *c, const void *data, size_t len, double timeout) {
    int rc = ph__interrupted();
    if (rc < 0)
        return rc;
    if (!c || (!data && len))
        return PH_EINVAL;
    if (c->closing)
        return PH_ECLOSED;
    size_t off = 0;
    while (off < len) {
        uv_buf_t b = uv_buf_init((char *)data + off,
                                 (unsigned)(len - off > 1u << 30 ? 1u << 30 : len - off));
        int n = uv_try_write((uv_stream_t *)&c->h, &b, 1);
        if (n == UV_EAGAIN || n == UV_ENOSYS)
            break;
        if (n < 0)
            return ph__err_from_uv(n);
        off += (size_t)n;
    }
    if (off == len)
        return 0;
    size_t rest = len - off;
    wr_op *op = ph__malloc(sizeof(*op) + rest);
    if (!op)
        return PH_ENOMEM;
    memcpy(op->data, (const char *)data + off, rest);
    wr_wait ww = {.w = {.cancel = write_cancel}, .op = op};
    op->w = &ww.w;
    uv_buf_t b = uv_buf_init(op->data, (unsigned)rest);
    rc = uv_write(&op->req, (uv_stream_t *)&c->h, &b, 1, write_cb);
    if (rc < 0) {
        ph__free(op);
        return ph__err_from_uv(rc);
    }
    rc = ph__suspend(&ww.w, to_ms(timeout), PH_ETIMEDOUT, 0);
    if (ww.w.task == NULL)
        op->w = NULL;
    return rc;
}

void ph_tcp_close(ph_tcp *c) {
    if (!c)
        return;
    if (c->rd) {
        ph__wait *w = c->rd;
        c->rd = NULL;
        uv_read_stop((uv_stream_t *)&c->h);
        ph__wake(w, PH_ECLOSED);
    }
    close_tcp(c);
}
