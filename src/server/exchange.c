/*
 * One request's life on a connection: the request task that calls the app,
 * the channel the app receives the body from and sends the response through,
 * and the HTTP/1.1 framing of that response (RFC 9112 sections 6 and 9).
 *
 * The response head is serialised when the app sends its start message but
 * written together with the first body bytes, so that a one-piece response
 * goes out in one write with an exact Content-Length. A response given in
 * several pieces without a length is sent chunked (HTTP/1.1) or delimited by
 * closing the connection (HTTP/1.0). Header names and values are checked:
 * CR, LF or NUL in either is refused, never sent.
 *
 * The request body is handed to the app straight from the read buffer: each
 * ph_receive() drops the bytes handed out last time (moving the rest down),
 * so the buffer holds at most a window of the body however large it is.
 */
#include "server/server.h"

#include "util/alloc.h"
#include "util/digits.h"
#include "util/log.h"
#include "util/url.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(sizeof(ph_header) == sizeof(ph__http_header), "header layouts must match");
_Static_assert(offsetof(ph_header, value) == offsetof(ph__http_header, value),
               "header layouts must match");

/* ---- scope -------------------------------------------------------------- */

static void build_scope(ph__conn *c) {
    ph_scope *s = &c->scope;
    const ph__http_request *r = &c->req;
    memset(s, 0, sizeof(*s));
    s->type = PH_SCOPE_HTTP;
    s->http_minor = r->minor_version;
    s->method = r->method;
    s->method_bit = r->method_bit;
    s->scheme = PH_SLICE_LIT("http");
    s->raw_path = r->path;
    s->path = r->path;
    if (r->path.len && memchr(r->path.ptr, '%', r->path.len)) {
        size_t len;
        char *d = ph__url_decode_arena(&c->arena, r->path.ptr, r->path.len, 0, &len, NULL);
        if (d)
            s->path = (ph_slice){d, len};
    }
    s->query_string = r->query.ptr ? r->query : (ph_slice){"", 0};
    s->headers = (const ph_header *)c->headers;
    s->nheaders = r->num_headers;
    s->client_host = (ph_slice){c->peer, strlen(c->peer)};
    s->client_port = c->peer_port;
    s->server_host = (ph_slice){c->local, strlen(c->local)};
    s->server_port = c->local_port;
    const char *root = c->srv->cfg.root_path ? c->srv->cfg.root_path : "";
    s->root_path = (ph_slice){root, strlen(root)};
    s->state = c->srv->cfg.state;
}

/* ---- receive ------------------------------------------------------------ */

typedef struct reader_wait {
    ph__wait w;
    ph__conn *c;
} reader_wait;

static int reader_cancel(ph__wait *w) {
    ph__container_of(w, reader_wait, w)->c->reader = NULL;
    return 0;
}

int ph__conn_wait_bytes(ph__conn *c, double timeout) {
    ph__conn_read_start(c);
    reader_wait rw = {.w = {.cancel = reader_cancel}, .c = c};
    c->reader = &rw.w;
    int64_t ms = timeout > 0 ? (int64_t)(timeout * 1e3 + 0.5) : -1;
    int rc = ph__suspend(&rw.w, ms, PH_ETIMEDOUT, 0);
    c->reader = NULL;
    return rc;
}

/* Drop the body bytes handed out by the previous receive. */
static void drop_given(ph__conn *c) {
    if (c->body_given == 0)
        return;
    size_t start = c->head_len, n = c->body_given;
    memmove(c->rbuf + start, c->rbuf + start + n, c->rlen - start - n);
    c->rlen -= n;
    c->body_given = 0;
    ph__conn_read_start(c);
}

static int send_continue(ph__conn *c) {
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    c->continue_sent = 1;
    uv_buf_t b = uv_buf_init((char *)line, sizeof(line) - 1);
    return ph__conn_write(c, &b, 1, 0);
}

static int disconnect(ph__conn *c, ph_message *m) {
    m->type = PH_MSG_HTTP_DISCONNECT;
    c->disconnect_sent = 1;
    return 0;
}

static int conn_receive(ph_channel *ch, ph_message *m) {
    ph__conn *c = ph__container_of(ch, ph__conn, channel);
    memset(m, 0, sizeof(*m));
    drop_given(c);
    if (c->body_error)
        return c->body_error;
    for (;;) {
        if (c->body_done && !c->body_end_given) {
            /* A body of length 0 (no framing, Content-Length: 0) or one
             * whose last bytes were handed out with more_body set: the app
             * still gets its final, empty, chunk before any wait for a
             * disconnect, as the protocol promises. */
            c->body_end_given = 1;
            m->type = PH_MSG_HTTP_REQUEST;
            m->body = (ph_slice){"", 0};
            return 0;
        }
        if (c->body_done) {
            if (c->eof || c->write_error)
                return disconnect(c, m);
            /* The whole body is in: wait for the client to go away. */
            int rc = ph__conn_wait_bytes(c, -1);
            if (rc < 0)
                return rc;
            continue;
        }
        size_t avail = c->rlen - c->head_len;
        if (c->req.framing == PH__HTTP_BODY_LENGTH && avail > 0) {
            size_t n = avail < c->body_left ? avail : (size_t)c->body_left;
            c->body_left -= n;
            c->body_given = n;
            c->body_done = c->body_left == 0;
            c->body_end_given = c->body_done;
            m->type = PH_MSG_HTTP_REQUEST;
            m->body = (ph_slice){c->rbuf + c->head_len, n};
            m->more_body = !c->body_done;
            return 0;
        }
        if (c->req.framing == PH__HTTP_BODY_CHUNKED && avail > 0) {
            size_t data_len = 0;
            char *region = c->rbuf + c->head_len;
            int used = ph__chunked_decode_inplace(&c->chunked, region, avail, &data_len);
            if (used < 0) {
                c->body_error = used == PH_EBODYTOOLARGE ? PH_ETOOBIG : PH_EPARSE;
                return c->body_error;
            }
            /* Decoded data now sits at the front; keep what follows it. */
            memmove(region + data_len, region + used, avail - (size_t)used);
            c->rlen = c->head_len + data_len + (avail - (size_t)used);
            c->body_done = ph__chunked_done(&c->chunked);
            if (data_len > 0 || c->body_done) {
                c->body_given = data_len;
                c->body_end_given = c->body_done;
                m->type = PH_MSG_HTTP_REQUEST;
                m->body = (ph_slice){region, data_len};
                m->more_body = !c->body_done;
                return 0;
            }
        }
        if (c->eof)
            return disconnect(c, m);
        if (c->req.expect_continue && !c->continue_sent && c->resp == PH__RESP_NONE) {
            int rc = send_continue(c);
            if (rc < 0)
                return disconnect(c, m);
        }
        int rc = ph__conn_wait_bytes(c, c->srv->cfg.timeout_body);
        if (rc == PH_ETIMEDOUT)
            c->body_timed_out = 1; /* the client stalled: 408, not the app's 500 */
        if (rc < 0)
            return rc;
    }
}

/* ---- send --------------------------------------------------------------- */

static int valid_name(ph_slice s) {
    if (s.len == 0)
        return 0;
    for (size_t i = 0; i < s.len; i++)
        if (!(ph__http_ctype[(unsigned char)s.ptr[i]] & PH__HTTP_TCHAR))
            return 0;
    return 1;
}

static int valid_value(ph_slice s) {
    for (size_t i = 0; i < s.len; i++) {
        unsigned char ch = (unsigned char)s.ptr[i];
        if (ch == '\r' || ch == '\n' || ch == '\0')
            return 0;
    }
    return 1;
}

int ph__header_valid(ph_slice name, ph_slice value) {
    return valid_name(name) && valid_value(value);
}

static int name_is(ph_slice s, const char *lit, size_t n) {
    return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}

static int contains_token(ph_slice v, const char *tok) {
    size_t n = strlen(tok);
    for (size_t i = 0; i + n <= v.len; i++)
        if (strncasecmp(v.ptr + i, tok, n) == 0)
            return 1;
    return 0;
}

/* The head's first line, "HTTP/1.1 200 OK\r\n" (a status of three digits:
 * the caller has checked it), written without printf: it is in every
 * response. */
static int status_line(ph_buf *b, int status) {
    const char *reason = ph_status_reason(status);
    size_t rl = strlen(reason);
    int rc = ph__buf_reserve(b, 9 + 4 + rl + 2);
    if (rc < 0)
        return rc;
    char *p = b->data + b->len;
    memcpy(p, "HTTP/1.1 ", 9);
    p[9] = (char)('0' + status / 100);
    p[10] = (char)('0' + status / 10 % 10);
    p[11] = (char)('0' + status % 10);
    p[12] = ' ';
    memcpy(p + 13, reason, rl);
    memcpy(p + 13 + rl, "\r\n", 2);
    b->len += 15 + rl;
    b->data[b->len] = '\0';
    return 0;
}

/* "Content-Length: N\r\n" */
static int content_length(ph_buf *b, uint64_t n) {
    char tmp[16 + PH_U64_DIGITS + 2], *end = tmp + sizeof(tmp) - 2;
    char *p = ph__u64_digits(end, n);
    p -= 16;
    memcpy(p, "Content-Length: ", 16);
    memcpy(end, "\r\n", 2);
    return ph__buf_append(b, p, (size_t)(end + 2 - p));
}

static int start_response(ph__conn *c, const ph_message *m) {
    if (c->resp != PH__RESP_NONE)
        return PH_ESTATE;
    if (m->status < 200 || m->status > 599 || (m->nheaders && !m->headers))
        return PH_EINVAL;
    for (size_t i = 0; i < m->nheaders; i++)
        if (!valid_name(m->headers[i].name) || !valid_value(m->headers[i].value))
            return PH_EINVAL;
    ph_buf *b = &c->wbuf;
    b->len = 0;
    int64_t length = -1;
    int rc = status_line(b, m->status);
    for (size_t i = 0; rc == 0 && i < m->nheaders; i++) {
        ph_slice n = m->headers[i].name, v = m->headers[i].value;
        if (name_is(n, "content-length", 14)) {
            char num[24];
            if (v.len == 0 || v.len >= sizeof(num))
                return PH_EINVAL;
            memcpy(num, v.ptr, v.len);
            num[v.len] = '\0';
            char *end;
            unsigned long long x = strtoull(num, &end, 10);
            if (*end || num[0] < '0' || num[0] > '9' || (length >= 0 && (uint64_t)length != x))
                return PH_EINVAL;
            length = (int64_t)x;
            continue; /* written with the framing decision */
        }
        if (name_is(n, "transfer-encoding", 17))
            continue; /* the server decides the framing */
        if (name_is(n, "connection", 10)) {
            if (contains_token(v, "close"))
                c->resp_close = 1;
            continue;
        }
        if (name_is(n, "date", 4))
            c->has_date = 1;
        if (name_is(n, "server", 6))
            c->has_server = 1;
        rc = ph__buf_append(b, n.ptr, n.len);
        if (rc == 0)
            rc = ph__buf_append(b, ": ", 2);
        if (rc == 0)
            rc = ph__buf_append(b, v.ptr, v.len);
        if (rc == 0)
            rc = ph__buf_append(b, "\r\n", 2);
    }
    if (rc < 0)
        return PH_ENOMEM;
    c->status = m->status;
    c->resp_length = length;
    c->resp_no_body = c->req.method_bit == PH_HEAD || m->status == 204 || m->status == 304;
    c->resp = PH__RESP_STARTED;
    return 0;
}

/* Whether the connection can serve another request after this one. */
static int can_keep_alive(ph__conn *c) {
    if (c->resp_close || !c->req.keep_alive || c->srv->shutting_down || c->eof)
        return 0;
    if (c->body_done || c->body_error)
        return !c->body_error;
    /* The app left part of the body unread: fine if it is all buffered. */
    if (c->req.framing == PH__HTTP_BODY_LENGTH)
        return c->rlen - c->head_len - c->body_given >= c->body_left;
    return 0;
}

/* Finish the head with framing, Connection, Date and Server, and the blank line. */
static int finish_head(ph__conn *c, size_t first_len, int more) {
    ph_buf *b = &c->wbuf;
    int rc = 0;
    int bodyless_status = c->status == 204 || c->status == 304;
    if (c->resp_length >= 0) {
        if (!bodyless_status)
            rc = content_length(b, (uint64_t)c->resp_length);
    } else if (bodyless_status) {
        /* no framing at all */
    } else if (!more) {
        c->resp_length = (int64_t)first_len;
        rc = content_length(b, first_len);
    } else if (c->req.minor_version >= 1) {
        /* For HEAD this is the header a GET would get (RFC 9110 9.3.2); no
         * chunk follows (send_body drops them), so the connection stays usable. */
        c->resp_chunked = 1;
        rc = ph__buf_append_str(b, "Transfer-Encoding: chunked\r\n");
    } else if (!c->resp_no_body) {
        c->resp_close = 1; /* the end of the body is the end of the connection */
    }
    if (!can_keep_alive(c))
        c->resp_close = 1;
    if (rc == 0) {
        if (c->resp_close)
            rc = ph__buf_append_str(b, "Connection: close\r\n");
        else if (c->req.minor_version == 0)
            rc = ph__buf_append_str(b, "Connection: keep-alive\r\n");
    }
    ph__server *srv = c->srv;
    if (rc == 0 && !c->has_date)
        rc = ph__buf_append(b, srv->date, srv->date_len);
    if (rc == 0 && !c->has_server && srv->server_hdr_len)
        rc = ph__buf_append(b, srv->server_hdr, srv->server_hdr_len);
    if (rc == 0)
        rc = ph__buf_append(b, "\r\n", 2);
    return rc < 0 ? PH_ENOMEM : 0;
}

static size_t consumed(ph__conn *c);

static int send_body(ph__conn *c, const ph_message *m) {
    if (c->resp == PH__RESP_NONE || c->resp == PH__RESP_DONE)
        return PH_ESTATE;
    if (m->body.len && !m->body.ptr)
        return PH_EINVAL;
    ph_slice body = m->body;
    int more = m->more_body != 0;
    if (c->resp_length >= 0 && c->resp_sent + body.len > (uint64_t)c->resp_length) {
        PH_LOG_ERR("response body longer than its Content-Length (%" PRId64 "); truncated",
                   c->resp_length);
        body.len = (size_t)((uint64_t)c->resp_length - c->resp_sent);
        c->resp_close = 1;
    }
    uv_buf_t bufs[4];
    unsigned n = 0;
    char size_line[24];
    if (c->resp == PH__RESP_STARTED) {
        int rc = finish_head(c, body.len, more);
        if (rc < 0)
            return rc;
        bufs[n++] = uv_buf_init(c->wbuf.data, (unsigned)c->wbuf.len);
        c->resp = PH__RESP_BODY;
    }
    int send_bytes = !c->resp_no_body && body.len > 0;
    if (send_bytes && c->resp_chunked) {
        int k = snprintf(size_line, sizeof(size_line), "%zx\r\n", body.len);
        bufs[n++] = uv_buf_init(size_line, (unsigned)k);
    }
    if (send_bytes)
        bufs[n++] = uv_buf_init((char *)body.ptr, (unsigned)body.len);
    if (c->resp_chunked && !c->resp_no_body) {
        static const char crlf_end[] = "\r\n0\r\n\r\n";
        if (send_bytes && !more)
            bufs[n++] = uv_buf_init((char *)crlf_end, 7);
        else if (send_bytes)
            bufs[n++] = uv_buf_init((char *)crlf_end, 2);
        else if (!more)
            bufs[n++] = uv_buf_init((char *)crlf_end + 2, 5);
    }
    c->resp_sent += body.len;
    if (!more) {
        c->resp = PH__RESP_DONE;
        if (c->resp_length >= 0 && c->resp_sent < (uint64_t)c->resp_length && !c->resp_no_body)
            c->resp_close = 1; /* short body: the client learns it from the close */
        /* The next pipelined request is already here: answer it in the same write. */
        if (!c->resp_close && c->rlen > consumed(c))
            return ph__conn_cork(c, bufs, n);
    }
    return ph__conn_write(c, bufs, n, 1);
}

static int conn_send(ph_channel *ch, const ph_message *m) {
    ph__conn *c = ph__container_of(ch, ph__conn, channel);
    if (c->write_error)
        return PH_ECLOSED;
    switch (m->type) {
    case PH_MSG_HTTP_RESPONSE_START:
        return start_response(c, m);
    case PH_MSG_HTTP_RESPONSE_BODY:
        return send_body(c, m);
    default:
        return PH_EINVAL;
    }
}

const ph_channel_ops ph__conn_channel_ops = {conn_receive, conn_send};

/* ---- the request task --------------------------------------------------- */

void ph__conn_send_simple(ph__conn *c, int status) {
    const char *reason = ph_status_reason(status);
    char len[24];
    snprintf(len, sizeof(len), "%zu", strlen(reason));
    ph_header h[] = {{PH_SLICE_LIT("Content-Type"), PH_SLICE_LIT("text/plain; charset=utf-8")},
                     {PH_SLICE_LIT("Content-Length"), {len, strlen(len)}}};
    ph_message start = {.type = PH_MSG_HTTP_RESPONSE_START, .status = status, .headers = h,
                        .nheaders = 2};
    ph_message body = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = {reason, strlen(reason)}};
    if (start_response(c, &start) == 0)
        send_body(c, &body);
}

/* Complete whatever the app left undone. */
static void finish_response(ph__conn *c, int rc) {
    switch (c->resp) {
    case PH__RESP_NONE: {
        int status = rc == PH_ETOOBIG ? 413 : rc == PH_EPARSE ? 400 : 500;
        if (c->body_timed_out && rc < 0)
            status = 408;
        if (status >= 500 && rc != PH_ECANCELED)
            PH_LOG_ERR("\"%.*s %.*s\": the app %s (%s)", (int)c->req.method.len,
                       c->req.method.ptr, (int)c->req.target.len, c->req.target.ptr,
                       rc < 0 ? "failed" : "returned without a response",
                       rc < 0 ? ph_err_name(rc) : "no response");
        if (status != 500)
            c->resp_close = 1;
        if (!c->write_error)
            ph__conn_send_simple(c, status);
        break;
    }
    case PH__RESP_STARTED: {
        ph_message end = {.type = PH_MSG_HTTP_RESPONSE_BODY};
        send_body(c, &end);
        break;
    }
    case PH__RESP_BODY:
        /* Cut off mid-body: only closing tells the client it is incomplete. */
        c->resp_close = 1;
        c->resp_cut = 1;
        break;
    case PH__RESP_DONE:
        break;
    }
}

/* Bytes of the buffer used by this request, once it is over. */
static size_t consumed(ph__conn *c) {
    size_t used = c->head_len + c->body_given;
    if (!c->body_done && c->req.framing == PH__HTTP_BODY_LENGTH &&
        c->rlen - used >= c->body_left)
        used += (size_t)c->body_left; /* unread but buffered: skip it */
    return used;
}

static int request_main(void *arg) {
    ph__conn *c = arg;
    ph__server *srv = c->srv;
    build_scope(c);
    int rc = c->ws ? ph__ws_scope(c) : 0;
    c->channel.ops = c->ws ? &ph__ws_channel_ops : &ph__conn_channel_ops;
    if (rc == 0)
        rc = srv->app.call(srv->app.self, &c->scope, &c->channel);
    if (c->ws)
        ph__ws_end(c, rc);
    finish_response(c, rc);
    if (c->srv->cfg.access_log >= 0)
        ph__access_log(c);
    srv->requests++;
    /* Whether the connection goes on is what the response told the client:
     * one sent without "Connection: close" lets it send its next request,
     * so a shutdown that began meanwhile must not drop the connection now
     * (ph__conn_request_done gives it the shutdown grace instead). Fixed:
     * this asked can_keep_alive(), which says no once shutdown begins, and
     * keep-alive clients lost the request they sent next. */
    int keep = !c->resp_close && !c->write_error && c->req.keep_alive && !c->eof && !c->ws;
    ph__ws_free(c);
    if (keep) {
        size_t used = consumed(c);
        memmove(c->rbuf, c->rbuf + used, c->rlen - used);
        c->rlen -= used;
    }
    ph__arena_reset(&c->arena);
    srv->nactive--;
    if (!keep) {
        ph__conn_linger(c);
        return 0;
    }
    ph__conn_request_done(c);
    return 0;
}

int ph__exchange_start(ph__conn *c) {
    ph__server *srv = c->srv;
    c->resp = PH__RESP_NONE;
    c->status = 0;
    c->resp_chunked = c->resp_close = c->resp_no_body = c->resp_cut = c->client_left = 0;
    c->resp_length = -1;
    c->resp_sent = 0;
    c->has_date = c->has_server = 0;
    c->body_given = 0;
    c->body_error = 0;
    c->continue_sent = c->disconnect_sent = 0;
    c->body_end_given = c->body_timed_out = 0;
    c->body_left = c->req.framing == PH__HTTP_BODY_LENGTH ? c->req.content_length : 0;
    c->body_done = c->req.framing == PH__HTTP_BODY_NONE ||
                   (c->req.framing == PH__HTTP_BODY_LENGTH && c->body_left == 0);
    if (c->req.framing == PH__HTTP_BODY_CHUNKED)
        ph__chunked_init(&c->chunked, srv->limits.max_body);
    c->requests++;
    srv->nactive++;
    c->task = ph_spawn(request_main, c, .name = "request", .detached = 1,
                       .stack_size = srv->cfg.stack_size);
    if (!c->task) {
        srv->nactive--;
        return PH_ENOMEM;
    }
    return 0;
}

/* ---- closing after a response -------------------------------------------- */

static void on_linger_shutdown(uv_shutdown_t *req, int status) {
    ph__conn *c = req->handle->data;
    ph__free(req);
    if (c->state != PH__CONN_LINGER)
        return;
    if (status < 0)
        ph__conn_close(c);
    else
        ph__timer_start(&c->srv->loop->wheel, &c->timer, 2000);
}

/*
 * Close gracefully after the last response: send FIN once the queued bytes
 * are out, then read and discard until the client closes too (or a short
 * time passes). Closing at once with unread request bytes in the socket
 * would make the kernel send a reset, which can destroy the response before
 * the client reads it.
 */
void ph__conn_linger(ph__conn *c) {
    ph__conn_flush(c);
    c->state = PH__CONN_LINGER;
    c->task = NULL;
    c->rlen = 0;
    if (c->eof || c->write_error) {
        ph__conn_close(c);
        return;
    }
    uv_shutdown_t *req = ph__malloc(sizeof(*req));
    if (!req || uv_shutdown(req, &c->h.stream, on_linger_shutdown) < 0) {
        ph__free(req);
        ph__conn_close(c);
        return;
    }
    /* Until the shutdown completes, the write timeout bounds the wait. */
    ph__timer_start(&c->srv->loop->wheel, &c->timer,
                    (uint64_t)(c->srv->cfg.timeout_write * 1e3 + 0.5));
    ph__conn_read_start(c);
}

void ph__conn_reject(ph__conn *c, int status) { ph__conn_reject_with(c, status, ""); }

void ph__conn_reject_with(ph__conn *c, int status, const char *extra) {
    char msg[320];
    const char *reason = ph_status_reason(status);
    int n = snprintf(msg, sizeof(msg),
                     "HTTP/1.1 %d %s\r\n%sContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n%.*s\r\n%s",
                     status, reason, extra, strlen(reason), (int)c->srv->date_len, c->srv->date,
                     reason);
    uv_buf_t b = uv_buf_init(msg, (unsigned)n);
    if (ph__conn_write(c, &b, 1, 0) < 0) {
        c->state = PH__CONN_IDLE;
        ph__conn_close(c);
        return;
    }
    ph__conn_linger(c);
}
