/*
 * A framework app for the session interop test: sets, shows and flashes
 * session values over HTTP, with the SECRET_KEY given on the command line.
 *
 *   test_session_app PORT SECRET_KEY
 *   GET /set?key=value...   put each argument in the session (as strings)
 *   GET /get                the session as JSON
 *   GET /flash?m=...&c=...  flash a message
 *   GET /permanent          make the session permanent
 *   GET /clear              empty the session
 */
#include <phial.h>

#include <stdlib.h>

static ph_response *set_view(ph_request *req) {
    const char *k, *v;
    for (size_t i = 0; ph_request_arg_at(req, i, &k, &v); i++)
        ph_session_set(req, k, json_string(v));
    return ph_text(req, 200, "set");
}

static ph_response *get_view(ph_request *req) {
    return ph_jsonify(req, json_deep_copy(ph_session(req)));
}

static ph_response *flash_view(ph_request *req) {
    ph_flash(req, ph_request_arg(req, "m"), ph_request_arg(req, "c"));
    return ph_text(req, 200, "flashed");
}

static ph_response *permanent_view(ph_request *req) {
    ph_session_set_permanent(req, true);
    return ph_text(req, 200, "permanent");
}

static ph_response *clear_view(ph_request *req) {
    ph_session_clear(req);
    return ph_text(req, 200, "cleared");
}

int main(int argc, char **argv) {
    if (argc != 3)
        return 2;
    ph_app *app = ph_app_new("session_app");
    ph_config_set_str(app, "SECRET_KEY", argv[2]);
    ph_route(app, "/set", set_view);
    ph_route(app, "/get", get_view);
    ph_route(app, "/flash", flash_view);
    ph_route(app, "/permanent", permanent_view);
    ph_route(app, "/clear", clear_view);
    int rc = ph_serve(ph_app_proto(app), .port = (int)strtol(argv[1], NULL, 10),
                      .access_log = -1, .quiet = 1);
    ph_app_free(app);
    return rc == 0 ? 0 : 1;
}
