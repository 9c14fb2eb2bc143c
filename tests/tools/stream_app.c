/*
 * An app that streams templates, for tests/integration/test_stream_template.py:
 *   GET /page?t=NAME&ctx=JSON  ph_stream_template(NAME) with the JSON object
 *   GET /ping                  "pong", to show the worker answers meanwhile
 *   GET /count                 how many times count() has run
 * Templates come from the folder named by STREAM_TEMPLATES. Two globals:
 * slow(ms) sleeps that long without blocking the worker (ph_sleep) and prints
 * nothing; count() counts its calls and prints nothing.
 *
 *   test_stream_app run [--port N]...
 */
#include <phial.h>

#include <stdlib.h>

static long counted;

static json_t *slow(json_t *args, void *ud, int *safe) {
    ph_sleep(json_number_value(json_array_get(args, 0)) / 1000.0);
    return json_string("");
}

static json_t *count(json_t *args, void *ud, int *safe) {
    counted++;
    return json_string("");
}

static ph_response *page_view(ph_request *req) {
    const char *ctx = ph_request_arg(req, "ctx");
    return ph_stream_template(req, ph_request_arg(req, "t"),
                              ctx ? json_loads(ctx, 0, NULL) : NULL);
}

static ph_response *ping_view(ph_request *req) { return ph_text(req, 200, "pong"); }

static ph_response *count_view(ph_request *req) {
    return ph_text(req, 200, ph_request_printf(req, "%ld", counted));
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("stream_app");
    const char *dir = getenv("STREAM_TEMPLATES");
    if (!app || !dir)
        return 2;
    ph_config_set_str(app, "TEMPLATE_FOLDER", dir);
    ph_tmpl_env *env = ph_app_template_env(app);
    if (!env || ph_tmpl_env_add_function(env, "slow", slow, NULL) < 0 ||
        ph_tmpl_env_add_function(env, "count", count, NULL) < 0)
        return 1;
    ph_route(app, "/page", page_view);
    ph_route(app, "/ping", ping_view);
    ph_route(app, "/count", count_view);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
