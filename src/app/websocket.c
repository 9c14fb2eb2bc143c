/*
 * Websockets in the framework, Quart's way: websocket routes in the same
 * URL map (under a method bit of their own, PH__ROUTE_WEBSOCKET), a
 * handler that runs inside the request context on the connection's task,
 * and ph_ws_* calls that speak the app protocol's websocket messages.
 *
 * A websocket request goes through ph__full_dispatch() like any request,
 * so before_first_request, url_value_preprocessors, before_request hooks
 * and routing behave as for HTTP; the handler takes the view's place. What
 * the handler leaves unanswered becomes an error (403 when it returned
 * without accepting, 500 when it failed), which the error handlers and
 * after_request hooks turn into the response that refuses the handshake.
 */
#include "app/core.h"

#include "phial/websocket.h"
#include "util/log.h"

#include <string.h>

struct ph_websocket {
    ph_request *req;
    int accepted; /* the 101 went out */
    int refused;  /* closed before accepting: the server answered 403 */
    int closed;   /* a close message came in, or went out */
};

/* ---- registration ------------------------------------------------------- */

static ph_route_opts route_opts(const ph_websocket_opts *o) {
    static const ph_websocket_opts defaults;
    if (!o)
        o = &defaults;
    return (ph_route_opts){.methods = PH__ROUTE_WEBSOCKET,
                           .endpoint = o->endpoint,
                           .defaults = o->defaults,
                           .strict_slashes = o->strict_slashes,
                           .no_auto_options = 1,
                           .view_ = o->view_};
}

int ph_websocket_(ph_app *app, const char *rule, ph_websocket_fn fn,
                  const ph_websocket_opts *opts) {
    ph_route_opts ro = route_opts(opts);
    /* The route keeps the handler as its data; dispatch casts it back by
     * the route's method bit (through void (*)(void), C's generic function
     * pointer). */
    return ph__add_route(app, rule, (ph_view_fn)(void (*)(void))fn, &ro, NULL);
}

int ph_bp_websocket_(ph_blueprint *bp, const char *rule, ph_websocket_fn fn,
                     const ph_websocket_opts *opts) {
    ph_route_opts ro = route_opts(opts);
    return ph_bp_route_(bp, rule, (ph_view_fn)(void (*)(void))fn, &ro);
}

/* ---- the request ---------------------------------------------------------- */

ph_request *ph_ws_request(ph_websocket *ws) { return ws ? ws->req : NULL; }

ph_websocket *ph_request_websocket(ph_request *req) { return req ? req->ws : NULL; }

int ph__ws_answered(const ph_request *req) {
    return req->ws && (req->ws->accepted || req->ws->refused);
}

size_t ph_ws_subprotocols(ph_websocket *ws, const char **out, size_t max) {
    if (!ws)
        return 0;
    const ph_scope *s = ws->req->scope;
    for (size_t i = 0; out && i < s->nsubprotocols && i < max; i++) {
        const char *p = ph__arena_strndup(ws->req->arena, s->subprotocols[i].ptr,
                                          s->subprotocols[i].len);
        out[i] = p ? p : "";
    }
    return s->nsubprotocols;
}

int ph__ws_handle(ph_request *req) {
    ph_websocket *ws = ph__arena_alloc(req->arena, sizeof(*ws));
    if (!ws)
        return PH_ENOMEM;
    memset(ws, 0, sizeof(*ws));
    ws->req = req;
    req->ws = ws;
    /* A websocket request has no body: readers of it find it empty. */
    req->piece_state = 1;
    ph_message m;
    int rc = ph_receive(req->ch, &m);
    if (rc < 0)
        return rc;
    if (m.type != PH_MSG_WEBSOCKET_CONNECT)
        return PH_ESTATE;
    ph_response *resp = ph__full_dispatch(req);
    if (ph__ws_answered(req))
        return 0;
    return ph__send_response(req, resp);
}

ph_response *ph__ws_run(ph_request *req) {
    ph_websocket *ws = req->ws;
    ph_websocket_fn fn = (ph_websocket_fn)req->match.route->data;
    int rc = fn(ws);
    if (ws->accepted && rc < 0 && rc != PH_ECANCELED && !ph_cancelled(NULL))
        PH_LOG_ERR("%s: the websocket handler of %s failed: %s", req->app->name,
                   ph_request_path(req), ph_err_name(rc));
    if (ph__ws_answered(req) || req->error)
        return NULL;
    if (rc < 0)
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, rc,
                      "the websocket handler failed before accepting");
    else
        ph_abort(req, 403); /* returned without accepting: refused, as ASGI servers do */
    return NULL;
}

/* ---- messages -------------------------------------------------------------- */

int ph_ws_accept(ph_websocket *ws, const char *subprotocol) {
    if (!ws)
        return PH_EINVAL;
    if (ws->accepted || ws->refused)
        return PH_ESTATE;
    ph_message m = {.type = PH_MSG_WEBSOCKET_ACCEPT};
    if (subprotocol)
        m.subprotocol = (ph_slice){subprotocol, strlen(subprotocol)};
    int rc = ph_send(ws->req->ch, &m);
    if (rc == 0)
        ws->accepted = 1;
    return rc;
}

/* Accept on first use, as Quart does. */
static int ensure_accepted(ph_websocket *ws) {
    if (ws->accepted)
        return 0;
    if (ws->refused)
        return PH_ESTATE;
    return ph_ws_accept(ws, NULL);
}

int ph_ws_receive(ph_websocket *ws, ph_ws_message *msg) {
    if (!ws || !msg)
        return PH_EINVAL;
    memset(msg, 0, sizeof(*msg));
    int rc = ensure_accepted(ws);
    if (rc < 0)
        return rc;
    ph_message m;
    if ((rc = ph_receive(ws->req->ch, &m)) < 0)
        return rc;
    switch (m.type) {
    case PH_MSG_WEBSOCKET_RECEIVE:
        msg->type = m.text ? PH_WS_TEXT : PH_WS_BINARY;
        msg->data = m.body.ptr;
        msg->len = m.body.len;
        return 0;
    case PH_MSG_WEBSOCKET_DISCONNECT:
        ws->closed = 1;
        msg->type = PH_WS_CLOSE;
        msg->code = m.code;
        msg->data = m.reason.ptr ? m.reason.ptr : "";
        msg->len = m.reason.len;
        return 0;
    default:
        return PH_ESTATE;
    }
}

static int send_message(ph_websocket *ws, int text, const void *data, size_t len) {
    if (!ws || (len && !data))
        return PH_EINVAL;
    int rc = ensure_accepted(ws);
    if (rc < 0)
        return rc;
    ph_message m = {.type = PH_MSG_WEBSOCKET_SEND, .text = text, .body = {data, len}};
    return ph_send(ws->req->ch, &m);
}

int ph_ws_send_text(ph_websocket *ws, const char *text, size_t len) {
    return send_message(ws, 1, text, len);
}

int ph_ws_send_binary(ph_websocket *ws, const void *data, size_t len) {
    return send_message(ws, 0, data, len);
}

int ph_ws_close(ph_websocket *ws, int code, const char *reason) {
    if (!ws)
        return PH_EINVAL;
    if (ws->refused)
        return 0;
    ph_message m = {.type = PH_MSG_WEBSOCKET_CLOSE, .code = code};
    if (reason)
        m.reason = (ph_slice){reason, strlen(reason)};
    int rc = ph_send(ws->req->ch, &m);
    if (rc == 0) {
        if (ws->accepted)
            ws->closed = 1;
        else
            ws->refused = 1;
    }
    return rc;
}
