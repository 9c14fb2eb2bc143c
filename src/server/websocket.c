/*
 * Websockets on a connection (RFC 6455): the handshake turned into a
 * websocket scope, and the channel the app talks through once it has one,
 * with ASGI's messages (connect, accept, receive, send, close, disconnect).
 *
 * A websocket is one long app call on the connection's request task. The
 * frames the client sends arrive in the read buffer behind the request
 * head (which stays, since the scope points into it); each ph_receive()
 * parses them (ws_frame.c), answers pings, completes the close handshake,
 * and puts a message together in a buffer of its own, bounded by the
 * server's ws_max_size. Frames are read only while the app receives: a
 * full buffer stops reading, so TCP flow control holds back a client that
 * sends faster than the app takes. Sending goes through the connection's
 * writer, with the same backpressure as HTTP bodies.
 *
 * What is not done here: no extensions (permessage-deflate) are
 * negotiated, no keep-alive pings are sent, and a websocket has no idle
 * timeout; frames are only looked at while the app is in ph_receive().
 */
#include "server/server.h"

#include "server/ws_handshake.h"
#include "util/alloc.h"
#include "util/log.h"
#include "util/utf8.h"

#include <string.h>
#include <strings.h>

/* A message buffer grown past this is given back once the app has had its
 * message, so one large message does not pin memory for the websocket's life. */
#define MSG_KEEP (64 * 1024)

/* How long a receive waits for the client's close frame after the server
 * sent its own (RFC 6455 section 7.1.1 leaves it to the server). */
#define CLOSE_TIMEOUT 5.0

/* ---- the handshake -------------------------------------------------------- */

int ph__ws_begin(ph__conn *c) {
    ph_slice key;
    switch (ph__ws_handshake_check(&c->req, &key)) {
    case PH__WS_HS_NONE:
        return 0;
    case PH__WS_HS_BAD:
        ph__conn_reject(c, 400);
        return -1;
    case PH__WS_HS_VERSION:
        ph__conn_reject_with(c, 426, "Sec-WebSocket-Version: 13\r\n");
        return -1;
    case PH__WS_HS_OK:
        break;
    }
    if (c->srv->shutting_down) {
        /* Its close 1001 has gone out to the others already. */
        ph__conn_reject(c, 503);
        return -1;
    }
    ph__ws *ws = ph__calloc(1, sizeof(*ws));
    if (!ws) {
        ph__conn_reject(c, 503);
        return -1;
    }
    ph__ws_parser_init(&ws->parser, c->srv->cfg.ws_max_size, 1);
    ph__buf_init(&ws->msg, c->srv->cfg.ws_max_size);
    ws->state = PH__WS_CONNECTING;
    ws->code = PH__WS_CLOSE_ABNORMAL;
    c->ws = ws;
    return 1;
}

void ph__ws_free(ph__conn *c) {
    if (!c->ws)
        return;
    ph__buf_close(&c->ws->msg);
    ph__free(c->ws);
    c->ws = NULL;
}

/* Each item of `v`, a comma-separated list, into `out` (when not NULL). */
static size_t list_items(ph_slice v, ph_slice *out) {
    size_t n = 0, pos = 0;
    ph_slice item;
    while (ph__ws_list_next(v, &pos, &item)) {
        if (out)
            out[n] = item;
        n++;
    }
    return n;
}

int ph__ws_scope(ph__conn *c) {
    ph_scope *s = &c->scope;
    s->type = PH_SCOPE_WEBSOCKET;
    s->scheme = PH_SLICE_LIT("ws");
    c->ws->pos = c->head_len;
    size_t n = 0, from = 0;
    const ph__http_header *h;
    while ((h = ph__http_find_header(&c->req, "sec-websocket-protocol", 22, &from)))
        n += list_items(h->value, NULL);
    if (!n)
        return 0;
    ph_slice *items = ph__arena_alloc(&c->arena, n * sizeof(*items));
    if (!items)
        return PH_ENOMEM;
    n = 0;
    from = 0;
    while ((h = ph__http_find_header(&c->req, "sec-websocket-protocol", 22, &from)))
        n += list_items(h->value, items + n);
    s->subprotocols = items;
    s->nsubprotocols = n;
    return 0;
}

/* ---- frames out ------------------------------------------------------------ */

static int write_frame(ph__conn *c, int opcode, const char *data, size_t len, int may_suspend) {
    char hdr[10];
    size_t hl = ph__ws_frame_header(hdr, opcode, 1, len);
    uv_buf_t b[2] = {uv_buf_init(hdr, (unsigned)hl), uv_buf_init((char *)data, (unsigned)len)};
    return ph__conn_write(c, b, len ? 2 : 1, may_suspend);
}

/* The server's close frame; never suspends, so shutdown can send it too. */
static int send_close(ph__conn *c, int code, const char *reason, size_t rlen) {
    char p[PH__WS_MAX_CONTROL];
    size_t n = 0;
    c->ws->close_sent = 1;
    if (code != PH__WS_CLOSE_NO_STATUS) {
        p[0] = (char)(code >> 8);
        p[1] = (char)code;
        memcpy(p + 2, reason, rlen);
        n = 2 + rlen;
    }
    return write_frame(c, PH__WS_OP_CLOSE, p, n, 0);
}

void ph__ws_shutdown(ph__server *srv) {
    for (ph__conn *c = srv->conns; c; c = c->next)
        if (c->ws && c->ws->state == PH__WS_OPEN) {
            send_close(c, PH__WS_CLOSE_GOING_AWAY, "", 0);
            c->ws->state = PH__WS_CLOSING;
        }
}

/* ---- receive ---------------------------------------------------------------- */

static int disconnect(ph__ws *ws, ph_message *m) {
    m->type = PH_MSG_WEBSOCKET_DISCONNECT;
    m->code = ws->code;
    m->reason = (ph_slice){ws->reason, ws->reason_len};
    return 0;
}

/* The client broke the protocol: close with `code` and report it. */
static int fail(ph__conn *c, int code, ph_message *m) {
    ph__ws *ws = c->ws;
    if (!ws->close_sent)
        send_close(c, code, "", 0);
    ws->state = PH__WS_CLOSED;
    ws->code = code;
    ws->reason_len = 0;
    return disconnect(ws, m);
}

/* Drop the frame bytes parsed so far, keeping the head in front. */
static void compact(ph__conn *c) {
    ph__ws *ws = c->ws;
    size_t start = c->head_len;
    if (ws->pos == start)
        return;
    memmove(c->rbuf + start, c->rbuf + ws->pos, c->rlen - ws->pos);
    c->rlen -= ws->pos - start;
    ws->pos = start;
    ph__conn_read_start(c);
}

/* Act on one event: 1 when *m is ready for the app, 0 to go on. */
static int on_event(ph__conn *c, const ph__ws_event *ev, ph_message *m) {
    ph__ws *ws = c->ws;
    switch (ev->type) {
    case PH__WS_EV_DATA:
        if (ws->state != PH__WS_OPEN)
            return 0; /* after our close frame, data is dropped (section 5.5.1) */
        if (ph__buf_append(&ws->msg, ev->data, ev->len) < 0) {
            fail(c, PH__WS_CLOSE_INTERNAL, m); /* out of memory: the parser bounds the size */
            return 1;
        }
        if (!ev->fin)
            return 0;
        m->type = PH_MSG_WEBSOCKET_RECEIVE;
        m->text = ev->opcode == PH__WS_OP_TEXT;
        m->body = (ph_slice){ws->msg.data ? ws->msg.data : "", ws->msg.len};
        ws->msg_given = 1;
        return 1;
    case PH__WS_EV_PING:
        if (ws->state == PH__WS_OPEN)
            write_frame(c, PH__WS_OP_PONG, ev->data, ev->len, 0);
        return 0;
    case PH__WS_EV_CLOSE:
        memcpy(ws->reason, ev->data, ev->len);
        ws->reason_len = ev->len;
        ws->code = ev->code;
        /* Echo the client's code (section 5.5.1), unless ours went first. */
        if (!ws->close_sent)
            send_close(c, ev->code, "", 0);
        ws->state = PH__WS_CLOSED;
        disconnect(ws, m);
        return 1;
    case PH__WS_EV_PONG:
    case PH__WS_EV_NONE:
        return 0;
    }
    return 0;
}

static int ws_receive(ph_channel *ch, ph_message *m) {
    ph__conn *c = ph__container_of(ch, ph__conn, channel);
    ph__ws *ws = c->ws;
    memset(m, 0, sizeof(*m));
    if (!ws->connect_given) {
        ws->connect_given = 1;
        m->type = PH_MSG_WEBSOCKET_CONNECT;
        return 0;
    }
    if (ws->state == PH__WS_CONNECTING)
        return PH_ESTATE;
    if (ws->state == PH__WS_CLOSED || ws->state == PH__WS_DENIED)
        return disconnect(ws, m);
    if (ws->msg_given) {
        ws->msg.len = 0;
        ws->msg_given = 0;
        if (ws->msg.cap > MSG_KEEP) {
            ph__buf_close(&ws->msg);
            ph__buf_init(&ws->msg, c->srv->cfg.ws_max_size);
        }
    }
    for (;;) {
        while (ws->pos < c->rlen) {
            ph__ws_event ev;
            int n = ph__ws_parse(&ws->parser, c->rbuf + ws->pos, c->rlen - ws->pos, &ev);
            if (n < 0) {
                compact(c);
                return fail(c, ws->parser.close_code, m);
            }
            ws->pos += (size_t)n;
            if (on_event(c, &ev, m)) {
                compact(c);
                return 0;
            }
        }
        compact(c);
        if (c->eof || c->write_error) {
            ws->state = PH__WS_CLOSED;
            if (!ws->close_sent)
                ws->code = PH__WS_CLOSE_ABNORMAL;
            return disconnect(ws, m);
        }
        int rc = ph__conn_wait_bytes(c, ws->state == PH__WS_CLOSING ? CLOSE_TIMEOUT : -1);
        if (rc == PH_ETIMEDOUT) {
            /* The client never answered our close: the websocket is closed anyway. */
            ws->state = PH__WS_CLOSED;
            return disconnect(ws, m);
        }
        if (rc < 0)
            return rc;
    }
}

/* ---- send ------------------------------------------------------------------- */

static int name_is(ph_slice s, const char *lit) {
    size_t n = strlen(lit);
    return s.len == n && strncasecmp(s.ptr, lit, n) == 0;
}

/* Headers of the 101 response the server writes itself. */
static int own_header(ph_slice name) {
    return name_is(name, "upgrade") || name_is(name, "connection") ||
           name_is(name, "sec-websocket-accept") || name_is(name, "sec-websocket-protocol") ||
           name_is(name, "content-length") || name_is(name, "transfer-encoding");
}

static int offered(const ph_scope *s, ph_slice p) {
    for (size_t i = 0; i < s->nsubprotocols; i++)
        if (s->subprotocols[i].len == p.len && memcmp(s->subprotocols[i].ptr, p.ptr, p.len) == 0)
            return 1;
    return 0;
}

/* The 101 response (RFC 6455 section 4.2.2), written whole. */
static int accept_ws(ph__conn *c, const ph_message *m) {
    if (c->ws->state != PH__WS_CONNECTING)
        return PH_ESTATE;
    if ((m->subprotocol.len && !offered(&c->scope, m->subprotocol)) ||
        (m->nheaders && !m->headers))
        return PH_EINVAL;
    for (size_t i = 0; i < m->nheaders; i++)
        if (!ph__header_valid(m->headers[i].name, m->headers[i].value))
            return PH_EINVAL;
    const ph__http_header *k = ph__http_find_header(&c->req, "sec-websocket-key", 17, NULL);
    char accept[PH__WS_ACCEPT_LEN];
    if (!k || ph__ws_accept_key(k->value.ptr, k->value.len, accept) < 0)
        return PH_ESTATE; /* not reached: the handshake was checked */
    ph_buf *b = &c->wbuf;
    b->len = 0;
    int rc = ph__buf_append_str(b, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                   "Connection: Upgrade\r\nSec-WebSocket-Accept: ");
    if (!rc)
        rc = ph__buf_append(b, accept, sizeof(accept));
    if (!rc && m->subprotocol.len)
        rc = ph__buf_printf(b, "\r\nSec-WebSocket-Protocol: %.*s", (int)m->subprotocol.len,
                            m->subprotocol.ptr);
    if (!rc)
        rc = ph__buf_append(b, "\r\n", 2);
    int has_date = 0, has_server = 0;
    for (size_t i = 0; !rc && i < m->nheaders; i++) {
        ph_slice n = m->headers[i].name, v = m->headers[i].value;
        if (own_header(n))
            continue;
        has_date |= name_is(n, "date");
        has_server |= name_is(n, "server");
        rc = ph__buf_printf(b, "%.*s: %.*s\r\n", (int)n.len, n.ptr, (int)v.len, v.ptr);
    }
    ph__server *srv = c->srv;
    if (!rc && !has_date)
        rc = ph__buf_append(b, srv->date, srv->date_len);
    if (!rc && !has_server && srv->server_hdr_len)
        rc = ph__buf_append(b, srv->server_hdr, srv->server_hdr_len);
    if (!rc)
        rc = ph__buf_append(b, "\r\n", 2);
    if (rc)
        return PH_ENOMEM;
    uv_buf_t out = uv_buf_init(b->data, (unsigned)b->len);
    rc = ph__conn_write(c, &out, 1, 0);
    if (rc < 0)
        return rc;
    c->status = 101;
    c->resp = PH__RESP_DONE;
    c->ws->state = PH__WS_OPEN;
    return 0;
}

static int send_message(ph__conn *c, const ph_message *m) {
    ph__ws *ws = c->ws;
    if (ws->state == PH__WS_CONNECTING || ws->state == PH__WS_DENIED)
        return PH_ESTATE;
    if (ws->state != PH__WS_OPEN)
        return PH_ECLOSED;
    if ((m->body.len && !m->body.ptr) || (m->text && !ph__utf8_valid(m->body.ptr, m->body.len)))
        return PH_EINVAL;
    /* The connection's writer has room for one suspended task. */
    if (ws->sending)
        return PH_EBUSY;
    ws->sending = 1;
    int rc = write_frame(c, m->text ? PH__WS_OP_TEXT : PH__WS_OP_BINARY, m->body.ptr, m->body.len,
                         1);
    ws->sending = 0;
    return rc;
}

static int close_ws(ph__conn *c, const ph_message *m) {
    ph__ws *ws = c->ws;
    int code = m->code ? m->code : PH__WS_CLOSE_NORMAL;
    switch (ws->state) {
    case PH__WS_CONNECTING:
        /* Closing before accepting refuses the handshake, as ASGI servers do. */
        ws->state = PH__WS_DENIED;
        c->resp_close = 1;
        ph__conn_send_simple(c, 403);
        return 0;
    case PH__WS_OPEN:
        if (!ph__ws_close_code_valid(code) || m->reason.len > PH__WS_MAX_CONTROL - 2 ||
            (m->reason.len && !m->reason.ptr) || !ph__utf8_valid(m->reason.ptr, m->reason.len))
            return PH_EINVAL;
        ws->state = PH__WS_CLOSING;
        ws->code = code;
        return send_close(c, code, m->reason.ptr, m->reason.len);
    case PH__WS_CLOSING:
    case PH__WS_CLOSED:
        return 0;
    case PH__WS_DENIED:
        return PH_ESTATE;
    }
    return PH_ESTATE;
}

static int ws_send(ph_channel *ch, const ph_message *m) {
    ph__conn *c = ph__container_of(ch, ph__conn, channel);
    ph__ws *ws = c->ws;
    switch (m->type) {
    case PH_MSG_WEBSOCKET_ACCEPT:
        return c->write_error ? PH_ECLOSED : accept_ws(c, m);
    case PH_MSG_WEBSOCKET_SEND:
        return c->write_error ? PH_ECLOSED : send_message(c, m);
    case PH_MSG_WEBSOCKET_CLOSE:
        return c->write_error ? PH_ECLOSED : close_ws(c, m);
    case PH_MSG_HTTP_RESPONSE_START:
    case PH_MSG_HTTP_RESPONSE_BODY:
        /* ASGI's denial response: an HTTP answer instead of the 101. */
        if (ws->state != PH__WS_CONNECTING && ws->state != PH__WS_DENIED)
            return PH_ESTATE;
        ws->state = PH__WS_DENIED;
        c->resp_close = 1;
        return ph__conn_channel_ops.send(ch, m);
    default:
        return PH_EINVAL;
    }
}

const ph_channel_ops ph__ws_channel_ops = {ws_receive, ws_send};

/* ---- the end of the app call ---------------------------------------------- */

void ph__ws_end(ph__conn *c, int rc) {
    ph__ws *ws = c->ws;
    c->resp_close = 1; /* the connection ends with the websocket, or with its refusal */
    switch (ws->state) {
    case PH__WS_CONNECTING:
        /* Never answered: a refusal (403), or the server's 500 for an error. */
        if (rc >= 0 && !c->write_error) {
            ws->state = PH__WS_DENIED;
            ph__conn_send_simple(c, 403);
        }
        break;
    case PH__WS_OPEN:
        if (rc < 0 && rc != PH_ECANCELED)
            PH_LOG_ERR("websocket \"%.*s\": the app failed (%s)", (int)c->req.target.len,
                       c->req.target.ptr, ph_err_name(rc));
        if (!c->write_error && !c->eof)
            send_close(c,
                       rc >= 0 ? PH__WS_CLOSE_NORMAL
                       : rc == PH_ECANCELED && c->srv->shutting_down ? PH__WS_CLOSE_GOING_AWAY
                                                                      : PH__WS_CLOSE_INTERNAL,
                       "", 0);
        ws->state = PH__WS_CLOSED;
        break;
    case PH__WS_CLOSING:
    case PH__WS_CLOSED:
    case PH__WS_DENIED:
        break;
    }
}
