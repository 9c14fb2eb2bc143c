/*
 * test_ws_app — a framework app (ph_app, served by ph_app_main's `run`)
 * with websocket routes beside HTTP ones, for
 * tests/integration/test_app_websocket.py. Nothing here is part of the
 * library.
 *
 *   ws   /ws/echo             echoes text and bytes; records "echo closed CODE"
 *   ws   /ws/room/<int:room>  sends one text describing what the request
 *                             context gives it, then echoes
 *   GET  /ws/room/<int:room>  "http room N" (an HTTP route on the same rule)
 *   ws   /ws/only             websocket only: a plain GET is 400
 *   GET  /http-only           HTTP only: a websocket request is 400
 *   ws   /ws/private          refused with 403 by a before_request hook
 *                             unless the cookie token=yes is sent
 *   ws   /ws/refuse           closes before accepting (403)
 *   ws   /ws/abort            ph_abort(401); the 401 handler answers "go away"
 *   ws   /ws/fail             returns PH_EIO before accepting (500)
 *   ws   /ws/subproto         accepts with the client's first subprotocol
 *   GET  /login               sets session user=NAME from ?name=
 *   ws   /bp/echo             a blueprint's websocket (endpoint chat.echo)
 *
 * A before_request hook puts ?user= in g (ws or not) and records
 * "before ws PATH" for websocket requests; a teardown_request hook records
 * "teardown PATH". Records go to stderr and to the file named by the
 * WS_APP_RECORD environment variable.
 */
#include <phial.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void record(const char *fmt, const char *arg) {
    char line[256];
    snprintf(line, sizeof(line), fmt, arg);
    fprintf(stderr, "ws_app: %s\n", line);
    const char *path = getenv("WS_APP_RECORD");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (f) {
        fprintf(f, "%s\n", line);
        fclose(f);
    }
}

static int echo_loop(ph_websocket *ws, const char *name) {
    ph_ws_message m;
    int rc;
    while ((rc = ph_ws_receive(ws, &m)) == 0) {
        if (m.type == PH_WS_CLOSE) {
            char code[16];
            snprintf(code, sizeof(code), "%d", m.code);
            char what[64];
            snprintf(what, sizeof(what), "%s closed %s", name, code);
            record("%s", what);
            return 0;
        }
        rc = m.type == PH_WS_TEXT ? ph_ws_send_text(ws, m.data, m.len)
                                  : ph_ws_send_binary(ws, m.data, m.len);
        if (rc < 0)
            return rc;
    }
    return rc;
}

static int echo(ph_websocket *ws) { return echo_loop(ws, "echo"); }

static int room(ph_websocket *ws) {
    ph_request *req = ph_ws_request(ws);
    json_t *user = json_object_get(ph_g(), "user");
    json_t *sess = ph_session_get(req, "user");
    const char *self = ph_url_for(req, "room", .values = json_pack("{s:i}", "room", 9));
    const char *text = ph_request_printf(
        req, "room=%s q=%s cookie=%s g=%s session=%s url=%s ws=%d", ph_view_arg(req, "room"),
        ph_request_arg(req, "q") ? ph_request_arg(req, "q") : "-",
        ph_request_cookie(req, "flavour") ? ph_request_cookie(req, "flavour") : "-",
        json_is_string(user) ? json_string_value(user) : "-",
        json_is_string(sess) ? json_string_value(sess) : "-", self ? self : "-",
        ph_request_websocket(req) == ws);
    int rc = ph_ws_send_text(ws, text, strlen(text));
    return rc < 0 ? rc : echo_loop(ws, "room");
}

static ph_response *room_http(ph_request *req) {
    return ph_text(req, 200, ph_request_printf(req, "http room %s", ph_view_arg(req, "room")));
}

static int only(ph_websocket *ws) { return echo_loop(ws, "only"); }

static ph_response *http_only(ph_request *req) { return ph_text(req, 200, "http only"); }

static int private_ws(ph_websocket *ws) {
    const char *t = "welcome";
    int rc = ph_ws_send_text(ws, t, strlen(t));
    return rc < 0 ? rc : echo_loop(ws, "private");
}

static int refuse(ph_websocket *ws) { return ph_ws_close(ws, 0, NULL); }

static int abort_ws(ph_websocket *ws) {
    ph_abort(ph_ws_request(ws), 401);
    return -1;
}

static int fail_ws(ph_websocket *ws) {
    (void)ws;
    return PH_EIO;
}

static int subproto(ph_websocket *ws) {
    const char *p[4];
    size_t n = ph_ws_subprotocols(ws, p, 4);
    int rc = ph_ws_accept(ws, n ? p[0] : NULL);
    return rc < 0 ? rc : echo_loop(ws, "subproto");
}

static ph_response *login(ph_request *req) {
    const char *name = ph_request_arg(req, "name");
    ph_session_set(req, "user", json_string(name ? name : "anon"));
    return ph_text(req, 200, "logged in");
}

static int bp_echo(ph_websocket *ws) { return echo_loop(ws, "bp"); }

static ph_response *before(ph_request *req) {
    const char *user = ph_request_arg(req, "user");
    if (user)
        json_object_set_new(ph_g(), "user", json_string(user));
    if (!ph_request_websocket(req))
        return NULL;
    record("before ws %s", ph_request_path(req));
    const char *tok = ph_request_cookie(req, "token");
    if (strcmp(ph_request_path(req), "/ws/private") == 0 && !(tok && strcmp(tok, "yes") == 0))
        return ph_abort(req, 403);
    return NULL;
}

static ph_response *bp_before(ph_request *req) {
    record("bp before %s", ph_request_path(req));
    return NULL;
}

static void teardown(ph_request *req, const ph_error *err) {
    (void)err;
    record("teardown %s", ph_request_path(req));
}

static ph_response *go_away(ph_request *req, const ph_error *err) {
    (void)err;
    return ph_text(req, 401, "go away");
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("ws_app");
    ph_blueprint *bp = ph_blueprint_new("chat", .url_prefix = "/bp");
    if (!app || !bp)
        return 1;
    ph_config_set_str(app, "SECRET_KEY", "test secret");
    ph_websocket(app, "/ws/echo", echo);
    ph_websocket(app, "/ws/room/<int:room>", room);
    ph_route(app, "/ws/room/<int:room>", room_http);
    ph_websocket(app, "/ws/only", only);
    ph_route(app, "/http-only", http_only);
    ph_websocket(app, "/ws/private", private_ws);
    ph_websocket(app, "/ws/refuse", refuse);
    ph_websocket(app, "/ws/abort", abort_ws);
    ph_websocket(app, "/ws/fail", fail_ws);
    ph_websocket(app, "/ws/subproto", subproto);
    ph_route(app, "/login", login);
    ph_bp_websocket(bp, "/echo", bp_echo);
    ph_bp_before_request(bp, bp_before);
    ph_register_blueprint(app, bp);
    ph_before_request(app, before);
    ph_teardown_request(app, teardown);
    ph_errorhandler(app, 401, go_away);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    ph_blueprint_free(bp);
    return rc;
}
