/*
 * The access log, one line per response in uvicorn's shape:
 *   INFO: 127.0.0.1:51234 - "GET /path?q=1 HTTP/1.1" 200 OK
 * (the log prefix adds time and process id; see docs/logging.md). A response
 * that did not reach the client whole (the client went away, a write timed
 * out, the app stopped mid-body) ends in " (incomplete)", so an operator can
 * tell it from one that did. That includes the answer to a request whose
 * client closed while it ran: the request was cancelled, and whatever was
 * written after (a 500 for a view cut short) had nobody to read it.
 */
#include "server/server.h"

#include "util/log.h"

void ph__access_log(const ph__conn *c) {
    if (PH_LOG_INFO < ph_log_get_level())
        return;
    const ph__http_request *r = &c->req;
    int status = c->status ? c->status : 0;
    /* A websocket's end is no response cut short, however its client left. */
    const char *cut =
        !c->ws && (c->write_error || c->resp_cut || c->client_left) ? " (incomplete)" : "";
    if (c->srv->is_unix)
        ph__log(PH_LOG_INFO, "unix - \"%.*s %.*s HTTP/1.%d\" %d %s%s", (int)r->method.len,
                r->method.ptr, (int)r->target.len, r->target.ptr, r->minor_version, status,
                ph_status_reason(status), cut);
    else
        ph__log(PH_LOG_INFO, "%s:%d - \"%.*s %.*s HTTP/1.%d\" %d %s%s", c->peer, c->peer_port,
                (int)r->method.len, r->method.ptr, (int)r->target.len, r->target.ptr,
                r->minor_version, status, ph_status_reason(status), cut);
}
