/*
 * The server's internal structures: the server (listeners, connections,
 * config) and a connection (read buffer, parsed head, body and response
 * state). docs/internals/server.md walks through a request's life.
 */
#ifndef PH_SERVER_SERVER_H
#define PH_SERVER_SERVER_H

#include "phial/protocol.h"
#include "phial/runtime.h"
#include "phial/server.h"
#include "runtime/loop.h"
#include "server/chunked.h"
#include "server/http_parser.h"
#include "server/ws_frame.h"
#include "util/arena.h"
#include "util/buf.h"

#include <uv.h>

typedef struct ph__server ph__server;
typedef struct ph__conn ph__conn;

typedef enum ph__conn_state {
    PH__CONN_IDLE,      /* no byte of a request yet: the keep-alive timeout runs */
    PH__CONN_HEAD,      /* part of a request head: the header timeout runs */
    PH__CONN_APP,       /* a request task is serving a request */
    PH__CONN_LINGER,    /* an error response is out; reading and discarding until EOF */
    PH__CONN_CLOSING,   /* uv_close called; freed in the close callback */
} ph__conn_state;

typedef enum ph__resp_state {
    PH__RESP_NONE,    /* nothing sent by the app */
    PH__RESP_STARTED, /* head serialised into wbuf, not yet written */
    PH__RESP_BODY,    /* head written, body chunks flowing */
    PH__RESP_DONE,    /* final chunk sent */
} ph__resp_state;

typedef enum ph__ws_state {
    PH__WS_CONNECTING, /* the handshake is in; the app has not answered it */
    PH__WS_OPEN,       /* 101 sent: messages flow both ways */
    PH__WS_CLOSING,    /* the server's close frame is out; the client's is awaited */
    PH__WS_CLOSED,     /* closed (handshake done, connection failed or dropped) */
    PH__WS_DENIED,     /* refused: an HTTP response answered the handshake */
} ph__ws_state;

/* A websocket on a connection (websocket.c), from the handshake to the end
 * of the app call. */
typedef struct ph__ws {
    ph__ws_state state;
    ph__ws_parser parser;
    size_t pos;          /* rbuf offset of frame bytes not yet parsed */
    ph_buf msg;          /* the message being put together */
    int msg_given;       /* msg went to the app: dropped at the next receive */
    int connect_given;   /* the app has had WEBSOCKET_CONNECT */
    int close_sent;      /* the server's close frame is out */
    int code;            /* the code DISCONNECT reports */
    char reason[PH__WS_MAX_CONTROL];
    size_t reason_len;
    int sending;         /* a task is inside a websocket send */
} ph__ws;

struct ph__conn {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h;
    ph_channel channel; /* what the app's receive/send go through */
    ph__server *srv;
    ph__conn *next, **pprev; /* the server's connection list */
    ph__conn_state state;
    ph__timer timer;

    /* read side */
    char *rbuf;
    size_t rlen, rcap;
    size_t scan_hint;
    int reading; /* uv_read_start is active */
    int eof;     /* the peer closed its side or the socket failed */
    ph__wait *reader; /* a task waiting for bytes */

    /* the request being served */
    ph__http_request req;
    ph__http_header *headers; /* srv->max_headers entries */
    size_t head_len;
    ph_arena arena;
    ph_task *task;
    ph_scope scope;
    ph_header *scope_headers;

    /* request body */
    uint64_t body_left;  /* Content-Length bytes not yet handed to the app */
    ph__chunked chunked;
    size_t body_pos;     /* rbuf offset of body bytes not yet handed out */
    size_t body_given;   /* bytes at body_pos handed out by the last receive */
    int body_done;       /* the app has been given the whole body */
    int body_error;      /* a framing error met while reading the body */
    int continue_sent;
    int disconnect_sent;
    int body_end_given;  /* the app got the last body message (more_body 0) */
    int body_timed_out;  /* a receive gave up after timeout_body: answer 408 */

    /* response */
    ph__resp_state resp;
    int status;
    int resp_chunked;      /* chunked transfer coding on the wire */
    int resp_close;        /* close after this response */
    int resp_no_body;      /* HEAD, 1xx, 204, 304: the body is dropped */
    int64_t resp_length;   /* declared Content-Length; -1 none */
    uint64_t resp_sent;    /* body bytes the app sent */
    ph_buf wbuf;           /* serialised head waiting for the first body bytes */
    int has_date, has_server;

    /* write side */
    ph_buf cork;          /* responses held back while pipelined requests follow */
    ph__conn *cork_next, **cork_pprev; /* the server's corked connections */
    size_t write_pending; /* bytes in uv_write requests */
    ph__wait *writer;     /* a task waiting for the queue to drain */
    int write_error;      /* PH_E* once a write failed */
    int resp_cut;         /* the response ended short of what it announced */
    int client_left;      /* the client closed while its request ran, and it was cancelled */

    ph__ws *ws;           /* the request is a websocket handshake; NULL for HTTP */

    char peer[64];
    int peer_port;
    char local[64];
    int local_port;
    uint64_t requests;
    uint64_t idle_since; /* loop time (ms) it began waiting for a request */
};

struct ph__server {
    ph_proto_app app;
    ph_server_config cfg;
    ph__http_limits limits;
    uv_loop_t *uv;
    ph__loop *loop;
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } listener;
    int listening;
    int accept_paused;
    int is_unix;
    ph__conn *conns;
    size_t nconns;
    size_t nactive; /* connections with a request task */
    int shutting_down;
    int force_stop; /* a second SIGINT: cancel what still runs, now */
    uv_timer_t date_timer;
    char date[40];      /* "Date: ...\r\n" */
    size_t date_len;
    char server_hdr[128];
    size_t server_hdr_len;
    uint64_t requests;
    int closing; /* own handles (listener, timer, signals) whose close callback is pending */
    ph__conn *corked;     /* connections holding back responses */
    uv_check_t flusher;   /* writes them out once per loop iteration */
};

/* Accepting and connections (conn.c). */
int ph__server_listen(ph__server *srv, int fd);
void ph__server_stop_listening(ph__server *srv);
/* Resume accepting if it was paused and may go on (called once a second, so
 * an accept that failed for memory is retried). */
void ph__server_accept_retry(ph__server *srv);
/*
 * Close one of the server's own handles (listener, date timer, signal
 * watchers), counting it in srv->closing until its close callback has run:
 * libuv uses a handle's memory until then, so whoever frees the memory
 * first waits for srv->closing to reach 0. Overwrites h->data.
 */
void ph__server_close_handle(ph__server *srv, uv_handle_t *h);
void ph__conn_close(ph__conn *c);
/* Close now, dropping what the connection still had to send (the end of a
 * graceful shutdown); one whose request task still runs is left to it. */
void ph__conn_abort(ph__conn *c);
/* Resume reading (after backpressure or between requests). */
void ph__conn_read_start(ph__conn *c);
void ph__conn_close_idle(ph__server *srv);
/* The request task finished with a connection that may serve the next request. */
void ph__conn_request_done(ph__conn *c);

/* A request's life (exchange.c). */
int ph__exchange_start(ph__conn *c);
extern const ph_channel_ops ph__conn_channel_ops;
/* Close gracefully after the last response (FIN, then discard until EOF). */
void ph__conn_linger(ph__conn *c);
/* Answer a malformed request with `status` and close gracefully. */
void ph__conn_reject(ph__conn *c, int status);
/* The same with `extra` header lines ("Name: value\r\n"...) in the response. */
void ph__conn_reject_with(ph__conn *c, int status, const char *extra);

/* Wait for more bytes (or EOF) from the read callback; timeout < 0: none. */
int ph__conn_wait_bytes(ph__conn *c, double timeout);
/* Whether a header may be sent: the name a token, the value free of CR, LF, NUL. */
int ph__header_valid(ph_slice name, ph_slice value);
/* Answer with `status` and a short text body (the server's own responses). */
void ph__conn_send_simple(ph__conn *c, int status);

/* Websockets (websocket.c). */
extern const ph_channel_ops ph__ws_channel_ops;
/* Classify the parsed head: 0 plain HTTP; 1 a websocket handshake, for
 * which c->ws is set up and the scope completed; or a status (400, 426, 503)
 * the server answers itself. */
int ph__ws_begin(ph__conn *c);
/* Fill in the websocket parts of c->scope (type, scheme, subprotocols). */
int ph__ws_scope(ph__conn *c);
/* The app returned `rc`: refuse a handshake it did not answer, close a
 * websocket it left open. */
void ph__ws_end(ph__conn *c, int rc);
/* Free c->ws. */
void ph__ws_free(ph__conn *c);
/* Graceful shutdown: send close 1001 on every open websocket. */
void ph__ws_shutdown(ph__server *srv);

/* Bytes to the socket (write.c). */
int ph__conn_write(ph__conn *c, const uv_buf_t *bufs, unsigned n, int may_suspend);
int ph__conn_write_wait(ph__conn *c);
/*
 * Hold back a complete small response while the next pipelined request is
 * already buffered, so a burst of pipelined responses leaves in one write.
 * Held bytes go out before anything written after them, and at the latest
 * in the same loop iteration (the server's check handle).
 */
int ph__conn_cork(ph__conn *c, const uv_buf_t *bufs, unsigned n);
/* Write out held-back bytes now. */
int ph__conn_flush(ph__conn *c);
void ph__cork_start(ph__server *srv);
void ph__cork_stop(ph__server *srv);

/* The cached Date header (date.c). */
void ph__date_start(ph__server *srv);
void ph__date_stop(ph__server *srv);

/* Access log (accesslog.c). */
void ph__access_log(const ph__conn *c);

#endif
