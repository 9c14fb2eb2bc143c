/*
 * url_for: building URLs from endpoints through the URL map, with the
 * request's script root, host and scheme inside a request, or the
 * configuration's SERVER_NAME, APPLICATION_ROOT and PREFERRED_URL_SCHEME in
 * an app context alone (where, as in Flask, URLs are external by default).
 */
#include "app/core.h"

#include <stdio.h>
#include <string.h>

const char *ph_url_for_(ph_request *req, const char *endpoint, const ph_url_for_opts *opts,
                        char *err, size_t errlen) {
    static const ph_url_for_opts defaults;
    if (!opts) /* called directly, not through ph_url_for() */
        opts = &defaults;
    json_t *values = opts->values;
    const char *result = NULL;
    ph_app_ctx *actx = ph__app_ctx_current();
    ph_app *app = req ? req->app : actx ? actx->app : NULL;
    if (!app || !endpoint) {
        if (err)
            snprintf(err, errlen, "url_for needs a request or an app context");
        json_decref(values);
        return NULL;
    }
    /* ".login" is relative to the blueprint of the current request. */
    char relative[512];
    if (endpoint[0] == '.') {
        if (req && req->nbps)
            snprintf(relative, sizeof(relative), "%s%s", req->bps[0], endpoint);
        else
            snprintf(relative, sizeof(relative), "%s", endpoint + 1);
        endpoint = relative;
    }
    if (ph__url_inject_defaults(app, req, endpoint, &values) < 0) {
        if (err)
            snprintf(err, errlen, "out of memory");
        json_decref(values);
        return NULL;
    }
    ph__url_opts o = {.anchor = opts->anchor, .external = opts->external};
    if (opts->method)
        o.method = ph_method_from_name(opts->method, strlen(opts->method));
    ph_arena *arena;
    if (req) {
        o.scheme = opts->scheme ? opts->scheme : ph_request_scheme(req);
        o.host = ph__request_url_host(req);
        o.script_root = ph_request_script_root(req);
        arena = req->arena;
    } else {
        o.external = 1;
        o.host = ph_config_str(app, "SERVER_NAME", NULL);
        o.scheme = opts->scheme ? opts->scheme : ph_config_str(app, "PREFERRED_URL_SCHEME", "http");
        o.script_root = ph_config_str(app, "APPLICATION_ROOT", "/");
        if (o.script_root && strcmp(o.script_root, "/") == 0)
            o.script_root = "";
        arena = &actx->arena;
        if (!o.host) {
            if (err)
                snprintf(err, errlen, "unable to build URLs outside an active request without "
                                      "SERVER_NAME configured");
            json_decref(values);
            return NULL;
        }
    }
    ph_buf out;
    ph__buf_init(&out, 0);
    char local[256];
    int rc = ph__router_build(app->router, endpoint, values, &o, &out, err ? err : local,
                              err ? errlen : sizeof(local));
    if (rc == 0)
        result = ph__arena_strndup(arena, out.data ? out.data : "", out.len);
    ph__buf_close(&out);
    json_decref(values);
    return result;
}
