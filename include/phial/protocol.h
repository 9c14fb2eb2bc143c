/*
 * phial — the app protocol: the one seam between any server and any app.
 *
 * Shaped after ASGI 3. An app is called as `app.call(app.self, scope, ch)`
 * inside its own task, once per HTTP request, once per websocket
 * connection, and once for the lifespan of the server. `scope` describes the connection and the request; the channel `ch`
 * carries messages both ways: ph_receive() suspends until the next request
 * body chunk (or a disconnect), ph_send() takes the response start and then
 * body chunks, suspending while the client is slow to read (backpressure).
 *
 * The server, the framework's test client and middleware all meet here and
 * nowhere else: a middleware is an app that wraps an app (see
 * ph_proxy_headers_app()).
 */
#ifndef PHIAL_PROTOCOL_H
#define PHIAL_PROTOCOL_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One header field: name and value as sent (names keep their case). */
typedef struct ph_header {
    ph_slice name;
    ph_slice value;
} ph_header;

typedef enum ph_scope_type {
    PH_SCOPE_HTTP = 1,
    PH_SCOPE_LIFESPAN = 2,
    PH_SCOPE_WEBSOCKET = 3, /* a websocket handshake (RFC 6455) waiting for the app's answer */
} ph_scope_type;

/*
 * What the app is called for. Every slice stays valid until the app call
 * returns, and no longer: copy what must outlive it.
 */
typedef struct ph_scope {
    ph_scope_type type;
    /* http and websocket (zero for lifespan): */
    int http_minor;          /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
    ph_slice method;         /* "GET"; any token the server accepted */
    unsigned method_bit;     /* PH_GET ... from phial/http.h; 0 for others */
    ph_slice scheme;         /* "http", or "ws" for a websocket ("https", "wss" behind a
                                trusted proxy) */
    ph_slice raw_path;       /* the path as sent, still percent-encoded */
    ph_slice path;           /* the path percent-decoded (may contain any byte) */
    ph_slice query_string;   /* bytes after '?', undecoded; empty if none */
    const ph_header *headers; /* in the order sent, duplicates kept */
    size_t nheaders;
    ph_slice client_host;    /* peer address ("127.0.0.1", "::1"; empty for unix sockets) */
    int client_port;
    ph_slice server_host;    /* local address the request arrived on */
    int server_port;
    ph_slice root_path;      /* mount point of the app ("" by default) */
    /* all: */
    void *state;             /* per-app state pointer from the server config */
    /* websocket only: */
    const ph_slice *subprotocols; /* Sec-WebSocket-Protocol, each item of every such field,
                                     in the client's order of preference */
    size_t nsubprotocols;
} ph_scope;

typedef enum ph_msg_type {
    PH_MSG_NONE = 0,
    /* receive (server -> app) */
    PH_MSG_HTTP_REQUEST,     /* a body chunk: body, more_body */
    PH_MSG_HTTP_DISCONNECT,  /* the client went away */
    PH_MSG_LIFESPAN_STARTUP,
    PH_MSG_LIFESPAN_SHUTDOWN,
    /* send (app -> server) */
    PH_MSG_HTTP_RESPONSE_START, /* status, headers */
    PH_MSG_HTTP_RESPONSE_BODY,  /* body, more_body */
    PH_MSG_LIFESPAN_STARTUP_COMPLETE,
    PH_MSG_LIFESPAN_STARTUP_FAILED,  /* message */
    PH_MSG_LIFESPAN_SHUTDOWN_COMPLETE,
    PH_MSG_LIFESPAN_SHUTDOWN_FAILED, /* message */
    /* websocket, receive (server -> app) */
    PH_MSG_WEBSOCKET_CONNECT,    /* the first receive: the client asks to open */
    PH_MSG_WEBSOCKET_RECEIVE,    /* a whole message: body, text */
    PH_MSG_WEBSOCKET_DISCONNECT, /* the websocket is closed: code, reason */
    /* websocket, send (app -> server) */
    PH_MSG_WEBSOCKET_ACCEPT,     /* answer the handshake with 101: subprotocol, headers */
    PH_MSG_WEBSOCKET_SEND,       /* a message: body, text */
    PH_MSG_WEBSOCKET_CLOSE,      /* close with code, reason (before accept: refuse with 403) */
} ph_msg_type;

/*
 * A message. Received bodies are borrowed until the next ph_receive() or the
 * end of the app call; sent headers and bodies are borrowed only for the
 * duration of ph_send() (the server copies or writes them before returning).
 * Fields a type does not list are ignored and may be left zero.
 */
typedef struct ph_message {
    ph_msg_type type;
    int status;               /* RESPONSE_START: 100-599 */
    const ph_header *headers; /* RESPONSE_START */
    size_t nheaders;
    ph_slice body;            /* HTTP_REQUEST, RESPONSE_BODY */
    int more_body;            /* HTTP_REQUEST, RESPONSE_BODY: nonzero when more follows */
    const char *message;      /* *_FAILED: why, for the log */
    /* websocket: */
    int text;                 /* WEBSOCKET_RECEIVE, _SEND: body is text (UTF-8), not bytes */
    int code;                 /* WEBSOCKET_CLOSE: 1000 when 0; WEBSOCKET_DISCONNECT: the
                                 close code (1005 none was given, 1006 the connection dropped) */
    ph_slice reason;          /* WEBSOCKET_CLOSE, _DISCONNECT: up to 123 bytes of UTF-8 */
    ph_slice subprotocol;     /* WEBSOCKET_ACCEPT: one of scope->subprotocols, or empty */
} ph_message;

typedef struct ph_channel ph_channel;

/* The two operations a channel implementation provides. */
typedef struct ph_channel_ops {
    int (*receive)(ph_channel *ch, ph_message *msg);
    int (*send)(ph_channel *ch, const ph_message *msg);
} ph_channel_ops;

/* A channel; implementations embed this as their first member. */
struct ph_channel {
    const ph_channel_ops *ops;
};

/*
 * Wait for the next message from the server: a body chunk (HTTP_REQUEST; the
 * last one has more_body 0, and a request without a body yields one empty
 * chunk), a disconnect, or a lifespan event. After the body is complete or
 * the client left, every call returns HTTP_DISCONNECT once the connection is
 * gone, and otherwise waits for it.
 *
 * For a websocket scope: WEBSOCKET_CONNECT first, then (once accepted) each
 * whole message as WEBSOCKET_RECEIVE, and WEBSOCKET_DISCONNECT when the
 * websocket has closed (and at every call after). Pings are answered and
 * the close handshake completed while the app waits here.
 *
 * Returns:  0; PH_ECANCELED; PH_ETIMEDOUT (body read timeout); PH_ETOOBIG
 *           (body over the server's limit: the server answers 413 if nothing
 *           was sent yet); PH_EPARSE (malformed chunked body: 400 likewise);
 *           PH_ESTATE (a websocket receive after CONNECT, before the app
 *           accepted); PH_ENOTASK.
 * Suspends: yes.
 */
static inline int ph_receive(ph_channel *ch, ph_message *msg) { return ch->ops->receive(ch, msg); }

/*
 * Send a message to the server: RESPONSE_START once, then RESPONSE_BODY
 * until one has more_body 0. Header names and values must not contain CR,
 * LF or NUL (refused with PH_EINVAL, nothing sent).
 *
 * For a websocket scope: WEBSOCKET_ACCEPT once, then WEBSOCKET_SEND
 * messages and at most one WEBSOCKET_CLOSE. Instead of accepting, the app
 * may refuse: WEBSOCKET_CLOSE (the client gets 403), or an HTTP response
 * (RESPONSE_START and RESPONSE_BODY, as ASGI's websocket denial response).
 *
 * Returns:  0; PH_ECLOSED the client is gone (or the websocket is closing);
 *           PH_ESTATE out of order; PH_EINVAL bad status or header (a
 *           websocket: a subprotocol the client did not offer, text that is
 *           not UTF-8, a close code not allowed on the wire, a reason over
 *           123 bytes); PH_EBUSY another task is inside a websocket send on
 *           this connection; PH_ETIMEDOUT write timeout; PH_ECANCELED;
 *           PH_ENOMEM.
 * Suspends: yes, while the connection's write queue is over its high-water
 *           mark.
 */
static inline int ph_send(ph_channel *ch, const ph_message *msg) { return ch->ops->send(ch, msg); }

/*
 * An app of the protocol: a function and its state. Returns 0 when it handled
 * the scope; a negative code is an unhandled error (the server answers 500 if
 * the response has not started, and logs it). A websocket app that returns
 * without answering the handshake refuses it (403; 500 for an error); one
 * that returns with the websocket open closes it (1000; 1011 for an error).
 * For a lifespan scope an app may return PH_ENOTSUP at once to say it does
 * not take part.
 */
typedef struct ph_proto_app {
    int (*call)(void *self, const ph_scope *scope, ph_channel *ch);
    void *self;
} ph_proto_app;

/*
 * Find the first header named `name` (ASCII case-insensitive).
 *
 * Returns:  its value; a slice with ptr NULL if absent (or `scope` or `name`
 *           is NULL).
 * Suspends: no.
 */
PH_EXTERN ph_slice ph_scope_header(const ph_scope *scope, const char *name);

/*
 * Middleware: trust X-Forwarded-For and X-Forwarded-Proto from the proxies
 * listed in `trusted` (a comma-separated list of IP addresses, or "*" for
 * any; like uvicorn's --forwarded-allow-ips). For a request from a trusted
 * peer, the scope's client_host becomes the nearest untrusted address of
 * X-Forwarded-For and its scheme that of X-Forwarded-Proto ("http", "https",
 * "ws", "wss"); otherwise the scope passes unchanged.
 *
 * Returns:  the wrapping app (`inner` is borrowed and must outlive it); an app
 *           with call NULL when out of memory, `trusted` is malformed or
 *           NULL, or `inner` has call NULL.
 * Owns:     copies `trusted`; free with ph_proxy_headers_free().
 * Suspends: no (the app it returns suspends as `inner` does).
 */
PH_EXTERN ph_proto_app ph_proxy_headers_app(ph_proto_app inner, const char *trusted);

/* Free a proxy-headers app. Suspends: no. */
PH_EXTERN void ph_proxy_headers_free(ph_proto_app app);

#ifdef __cplusplus
}
#endif
#endif
