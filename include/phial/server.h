/*
 * phial — the HTTP/1.1 server (our uvicorn): serves any app of the app
 * protocol (phial/protocol.h) on TCP or a unix socket, in one process or in
 * prefork workers under a supervisor.
 */
#ifndef PHIAL_SERVER_H
#define PHIAL_SERVER_H

#include "protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Server settings; zero means the default given beside each field. */
typedef struct ph_server_config {
    int reserved_;              /* private: lets the options macro take no options */
    const char *host;           /* "127.0.0.1"; "0.0.0.0" or "::" for all interfaces */
    int port;                   /* 8000; -1 picks a free port (printed at start) */
    const char *uds;            /* serve on this unix socket path instead of TCP */
    int workers;                /* 1: serve in this process; N > 1: prefork under a supervisor */
    int backlog;                /* 2048 */
    int limit_concurrency;      /* open connections before accepting pauses: 10000 */
    double timeout_keep_alive;  /* idle seconds between requests: 5 */
    double timeout_header;      /* seconds to receive a whole request head: 10 */
    double timeout_body;        /* seconds without body bytes while the app waits: 30 */
    double timeout_write;       /* seconds a write may stall: 30 */
    double timeout_graceful;    /* seconds in-flight requests get at shutdown: 30 */
    size_t max_request_line;    /* bytes: 8 KiB, over it 414 */
    size_t max_header_bytes;    /* bytes: 16 KiB, over it 431 */
    size_t max_headers;         /* fields: 100, over it 431 */
    uint64_t max_body;          /* bytes: 100 MiB, over it 413 (UINT64_MAX: no limit) */
    int access_log;             /* 0 default (on), 1 on, -1 off */
    int keep_cancelled_on_disconnect; /* nonzero: do not cancel a request's task when its
                                         client disconnects (the default cancels) */
    const char *root_path;      /* scope.root_path: "" */
    void *state;                /* scope.state for every call */
    const char *server_header;  /* Server header value: "phial"; "" to send none */
    int quiet;                  /* nonzero: do not print the address at start */
    int lifespan;               /* 0 auto (an app may decline), 1 required, -1 off */
    size_t stack_size;          /* task stack bytes: the runtime default (256 KiB) */
    uint64_t ws_max_size;       /* bytes of one websocket message: 1 MiB, over it the
                                   server closes with 1009 */
} ph_server_config;

/*
 * Serve `app` until SIGTERM or SIGINT, then shut down gracefully: stop
 * accepting, close idle connections, let in-flight requests finish (up to
 * timeout_graceful), run the lifespan shutdown. With workers > 1 a supervisor
 * forks the workers (one SO_REUSEPORT socket per worker slot), restarts one
 * that dies (with backoff), forwards signals, and on SIGHUP replaces every
 * worker with a fresh one without refusing a connection.
 *
 * Returns:  0 after a graceful shutdown; PH_EADDRINUSE, PH_EACCES, PH_EINVAL
 *           (bad config), PH_ESTATE (lifespan startup failed) or another
 *           error when the server could not start (the reason is logged).
 * Owns:     borrows `app` and every config string for the whole call.
 * Suspends: no: it blocks the calling thread and runs its own loop(s).
 */
PH_EXTERN int ph_serve_(ph_proto_app app, const ph_server_config *cfg);
#define ph_serve(app, ...) ph_serve_((app), &(ph_server_config){.reserved_ = 0, __VA_ARGS__})

#ifdef __cplusplus
}
#endif
#endif
