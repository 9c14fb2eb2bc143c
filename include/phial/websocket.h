/*
 * phial — websockets in the framework, as Quart has them: a websocket route
 * takes the rules and converters of ph_route(), and its handler runs on the
 * connection's task with the request context pushed, so ph_view_arg(),
 * ph_request_arg(), ph_request_cookie(), ph_session_get(), ph_g() and
 * ph_url_for() work in it as in a view.
 *
 * How a websocket request is handled (docs/guide.md, "Websockets"):
 *   - It matches websocket routes only. An HTTP request to a path only
 *     websocket routes have, and a websocket request to a path only HTTP
 *     routes have, are refused with 400, as Werkzeug's WebsocketMismatch
 *     is; a path neither has is 404.
 *   - before_first_request, url_value_preprocessors and before_request
 *     hooks run first (phial has no separate before_websocket: a hook that
 *     cares asks ph_request_websocket()). A hook that returns a response or
 *     calls ph_abort() refuses the handshake: the client gets that response
 *     (after the error handlers and after_request hooks, as for HTTP).
 *   - Then the handler. It accepts (explicitly, or by its first receive or
 *     send), exchanges messages, and returns. Returning before accepting
 *     refuses the handshake with 403 (500 after ph_abort() or a negative
 *     return, through the error handlers); returning with the websocket
 *     open closes it with 1000 (1011 for a negative return).
 *   - teardown_request and teardown_appcontext hooks run at the end, as
 *     for every request. after_request hooks do not run for an accepted
 *     websocket (there is no response), and the session is not saved.
 */
#ifndef PHIAL_WEBSOCKET_H
#define PHIAL_WEBSOCKET_H

#include "app.h"
#include "blueprint.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_websocket ph_websocket;

/* A websocket handler: returns 0, or a negative PH_E* code for a failure. */
typedef int (*ph_websocket_fn)(ph_websocket *ws);

/* Options of ph_websocket(); zero means the default. */
typedef struct ph_websocket_opts {
    int reserved_;        /* private */
    const char *endpoint; /* default: the handler's name, as for ph_route() */
    json_t *defaults;     /* borrowed object of scalars for variables not in the rule */
    int strict_slashes;   /* 0 default (strict), -1 not strict */
    const char *view_;    /* private: the handler as written */
} ph_websocket_opts;

/*
 * Register `fn` for websocket requests whose path matches `rule`
 * (Quart's app.websocket), with the rules and converters of ph_route().
 * An HTTP route and a websocket route may share a rule: each kind of
 * request finds its own.
 *
 * Returns:  0; PH_EINVAL bad rule, or a NULL app, rule or handler;
 *           PH_EEXIST the endpoint is another view's; PH_ENOMEM; PH_EBUSY
 *           the app has already served a request.
 * Owns:     copies `rule`, the endpoint and the defaults.
 * Suspends: no.
 * Context:  setup.
 * Example:
 *     static int echo(ph_websocket *ws) {
 *         ph_ws_message m;
 *         while (ph_ws_receive(ws, &m) == 0 && m.type != PH_WS_CLOSE)
 *             if (ph_ws_send_text(ws, m.data, m.len) < 0)
 *                 break;
 *         return 0;
 *     }
 *     ph_websocket(app, "/ws/echo", echo);
 */
PH_EXTERN int ph_websocket_(ph_app *app, const char *rule, ph_websocket_fn fn,
                            const ph_websocket_opts *opts);
#define ph_websocket(app, rule, fn, ...)                                                          \
    ph_websocket_((app), (rule), (fn),                                                            \
                  &(ph_websocket_opts){.reserved_ = 0, .view_ = #fn, __VA_ARGS__})

/*
 * A websocket route on a blueprint (Quart's blueprint.websocket): as
 * ph_websocket(), with the blueprint's URL prefix and name, and its
 * before_request and teardown hooks.
 *
 * Returns:  0; PH_EINVAL a NULL blueprint, rule or handler; PH_ENOMEM. A
 *           bad rule is reported when the blueprint is registered.
 * Owns:     copies `rule`, the endpoint and the defaults.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_bp_websocket_(ph_blueprint *bp, const char *rule, ph_websocket_fn fn,
                               const ph_websocket_opts *opts);
#define ph_bp_websocket(bp, rule, fn, ...)                                                        \
    ph_bp_websocket_((bp), (rule), (fn),                                                          \
                     &(ph_websocket_opts){.reserved_ = 0, .view_ = #fn, __VA_ARGS__})

/*
 * The request of the websocket, for the ph_request_* functions (path, view
 * arguments, query, headers, cookies, session). It has no body.
 *
 * Returns:  the request, borrowed until the handler returns; NULL for NULL.
 * Suspends: no.
 */
PH_EXTERN ph_request *ph_ws_request(ph_websocket *ws);

/*
 * The websocket a request is for (Quart's `websocket` global), so that a
 * before_request hook can tell a websocket request from an HTTP one.
 *
 * Returns:  the websocket, borrowed until the request ends; NULL for an
 *           HTTP request (or a NULL request).
 * Suspends: no.
 */
PH_EXTERN ph_websocket *ph_request_websocket(ph_request *req);

/*
 * The subprotocols the client offered (Sec-WebSocket-Protocol), in its
 * order of preference: fills `out` with up to `max` of them and returns
 * how many there are.
 *
 * Owns:     the strings live as long as the request.
 * Suspends: no.
 */
PH_EXTERN size_t ph_ws_subprotocols(ph_websocket *ws, const char **out, size_t max);

/*
 * Accept the websocket: the server answers the handshake with 101, naming
 * `subprotocol` (NULL for none; it must be one the client offered). The
 * first ph_ws_receive() or ph_ws_send_*() accepts without a subprotocol
 * if this was not called, as Quart does.
 *
 * Returns:  0; PH_EINVAL a subprotocol the client did not offer, or a NULL
 *           websocket; PH_ESTATE already accepted or refused; PH_ECLOSED the
 *           client left; PH_ENOMEM.
 * Suspends: no (the 101 is queued if the socket does not take it at once).
 */
PH_EXTERN int ph_ws_accept(ph_websocket *ws, const char *subprotocol);

typedef enum ph_ws_msg_type {
    PH_WS_TEXT = 1,   /* data is UTF-8 text, len bytes (not NUL-terminated) */
    PH_WS_BINARY = 2, /* data is len bytes */
    PH_WS_CLOSE = 3,  /* the websocket has closed: code, and data is the reason */
} ph_ws_msg_type;

/* A message received by ph_ws_receive(). */
typedef struct ph_ws_message {
    ph_ws_msg_type type;
    const char *data; /* borrowed until the next ph_ws_receive() or the handler's return */
    size_t len;
    int code;         /* PH_WS_CLOSE: the close code (1005 none was given, 1006 the
                         connection dropped) */
} ph_ws_message;

/*
 * Wait for the next message from the client: text, binary, or the close
 * (sent by the client, by the server after a protocol error, or at
 * shutdown: 1001). Once closed, every call returns PH_WS_CLOSE again.
 * Pings are answered while it waits.
 *
 * Returns:  0 with *msg filled; PH_ECANCELED (the client went away while
 *           the handler was elsewhere, or shutdown gave up on it);
 *           PH_EINVAL a NULL argument; PH_ESTATE the handshake was refused;
 *           PH_ENOMEM.
 * Owns:     msg->data is borrowed until the next call or the handler's return.
 * Suspends: yes, until a message arrives.
 */
PH_EXTERN int ph_ws_receive(ph_websocket *ws, ph_ws_message *msg);

/*
 * Send a text message (`text` must be UTF-8) or a binary message of `len`
 * bytes. Only one task may be inside a send on a websocket at a time.
 *
 * Returns:  0; PH_ECLOSED the websocket is closing or closed, or the client
 *           left; PH_EINVAL text that is not UTF-8, NULL data with len > 0
 *           or a NULL websocket; PH_EBUSY another task is inside a send;
 *           PH_ESTATE the handshake was refused; PH_ETIMEDOUT the client did
 *           not read for the write timeout; PH_ECANCELED; PH_ENOMEM.
 * Owns:     the bytes are copied or written before it returns.
 * Suspends: yes, while the client is slow to read (backpressure).
 */
PH_EXTERN int ph_ws_send_text(ph_websocket *ws, const char *text, size_t len);
PH_EXTERN int ph_ws_send_binary(ph_websocket *ws, const void *data, size_t len);

/*
 * Close the websocket with `code` (0: 1000; else 1000-1003, 1007-1014 or
 * 3000-4999) and `reason` (NULL or up to 123 bytes of UTF-8). The client's
 * answer comes to ph_ws_receive() as PH_WS_CLOSE. Before accepting it
 * refuses the handshake with 403, as ASGI servers do. Closing twice does
 * nothing.
 *
 * Returns:  0; PH_EINVAL a bad code or reason, or a NULL websocket;
 *           PH_ECLOSED the client left; PH_ESTATE refused already by an
 *           HTTP response.
 * Suspends: no (the close frame is queued).
 */
PH_EXTERN int ph_ws_close(ph_websocket *ws, int code, const char *reason);

#ifdef __cplusplus
}
#endif
#endif
