/*
 * bench/table — phial's side of the benchmark table: one ph_app with the
 * four endpoints every server in the table answers the same way.
 *
 *   GET /plaintext   "Hello, World!" (text/plain)
 *   GET /json        {"message":"Hello, World!"} through ph_jsonify()
 *   GET /sleep       awaits 100 ms (ph_sleep parks the task), then "slept"
 *   GET /template    bench/template/page/orders.html rendered with the
 *                    context file (inheritance, a macro, a 100-row loop,
 *                    filters, autoescaping) through ph_render_template()
 *
 * It is an ordinary app: routing, the request context, hooks (none) and the
 * response object all run, as they would in a real one. It does not tune
 * anything a user would not: one worker, access log off (as for every peer).
 * Peers: flask_app.py, quart_app.py, starlette_app.py, kore_app.c,
 * ulfius_app.c and nginx.conf.in beside this file; bench.sh drives them.
 *
 *   bench_table_phial --port P --templates DIR --context FILE [--limit N]
 *                     [--backlog N] [--sleep SECONDS]
 */
#include <phial.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *g_context; /* the page's context, loaded once */
static double g_sleep = 0.1;

static ph_response *plaintext(ph_request *req) {
    return ph_response_new(req, 200, "Hello, World!", 13, "text/plain");
}

static ph_response *json(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:s}", "message", "Hello, World!"));
}

static ph_response *sleep_view(ph_request *req) {
    if (ph_sleep(g_sleep) < 0)
        return ph_abort(req, 503);
    return ph_response_new(req, 200, "slept", 5, "text/plain");
}

static ph_response *template(ph_request *req) {
    return ph_render_template(req, "orders.html", json_incref(g_context));
}

int main(int argc, char **argv) {
    ph_server_config cfg = {.port = 18700, .access_log = -1, .quiet = 1};
    const char *templates = NULL, *context = NULL;
    for (int i = 1; i < argc; i += 2) { /* options come in pairs */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            goto usage;
        if (strcmp(a, "--port") == 0)
            cfg.port = atoi(v);
        else if (strcmp(a, "--templates") == 0)
            templates = v;
        else if (strcmp(a, "--context") == 0)
            context = v;
        else if (strcmp(a, "--limit") == 0)
            cfg.limit_concurrency = atoi(v);
        else if (strcmp(a, "--backlog") == 0)
            cfg.backlog = atoi(v);
        else if (strcmp(a, "--sleep") == 0)
            g_sleep = atof(v);
        else
            goto usage;
    }
    if (!templates || !context)
        goto usage;
    json_error_t jerr;
    g_context = json_load_file(context, 0, &jerr);
    if (!g_context) {
        fprintf(stderr, "%s: %s\n", context, jerr.text);
        return 1;
    }
    ph_app *app = ph_app_new("bench_table");
    if (!app)
        return 1;
    ph_config_set_str(app, "TEMPLATE_FOLDER", templates);
    ph_route(app, "/plaintext", plaintext);
    ph_route(app, "/json", json);
    ph_route(app, "/sleep", sleep_view);
    ph_route(app, "/template", template);
    int rc = ph_serve_(ph_app_proto(app), &cfg);
    ph_app_free(app);
    json_decref(g_context);
    return rc < 0;
usage:
    fprintf(stderr,
            "usage: %s --port P --templates DIR --context FILE [--limit N] "
            "[--backlog N] [--sleep SECONDS]\n",
            argv[0]);
    return 2;
}
