/*
 * The app object: registration of routes, hooks and error handlers, the
 * configuration with Flask's defaults, and the entry point of the app
 * protocol (one call per request, plus the lifespan scope).
 */
#include "app/core.h"

#include "app/session_codec.h"
#include "phial/template.h"
#include "util/alloc.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

const ph_error_kind PH_HTTP_ERROR = {"HTTPException", 0, NULL};
const ph_error_kind PH_INTERNAL_ERROR = {"InternalError", 500, NULL};

/* Flask 2.2's defaults for the keys phial reads. */
static json_t *default_config(void) {
    return json_pack("{s:b, s:b, s:n, s:i, s:n, s:s, s:s, s:n, s:n, s:b, s:b, s:n, s:b, s:n,"
                     " s:n, s:s, s:n, s:i, s:b, s:b, s:s, s:n, s:n}",
                     "DEBUG", 0, "TESTING", 0, "SECRET_KEY", "PERMANENT_SESSION_LIFETIME",
                     2678400, "SERVER_NAME", "APPLICATION_ROOT", "/", "SESSION_COOKIE_NAME",
                     "session", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_PATH",
                     "SESSION_COOKIE_HTTPONLY", 1, "SESSION_COOKIE_SECURE", 0,
                     "SESSION_COOKIE_SAMESITE", "SESSION_REFRESH_EACH_REQUEST", 1,
                     "MAX_CONTENT_LENGTH", "SEND_FILE_MAX_AGE_DEFAULT", "PREFERRED_URL_SCHEME",
                     "http", "TEMPLATES_AUTO_RELOAD", "MAX_COOKIE_SIZE", 4093,
                     "JSONIFY_PRETTYPRINT_REGULAR", 0, "PROPAGATE_EXCEPTIONS", 0,
                     "STATIC_FOLDER", "static", "STATIC_URL_PATH", "ROOT_PATH");
}

ph_app *ph_app_new(const char *name) {
    ph_app *app = ph__calloc(1, sizeof(*app));
    if (!app)
        return NULL;
    app->name = ph__strdup(name ? name : "app");
    app->router = ph__router_new();
    app->config = default_config();
    if (!app->name || !app->router || !app->config) {
        ph_app_free(app);
        return NULL;
    }
    return app;
}

static void hooks_free(ph__hooks *h) {
    ph__free(h->items);
    h->items = NULL;
    h->n = h->cap = 0;
}

void ph_app_free(ph_app *app) {
    if (!app)
        return;
    ph__free(app->name);
    ph__router_free(app->router);
    json_decref(app->config);
    hooks_free(&app->before);
    hooks_free(&app->after);
    hooks_free(&app->teardown_req);
    hooks_free(&app->teardown_app);
    hooks_free(&app->first);
    hooks_free(&app->url_pre);
    hooks_free(&app->url_defaults);
    ph__method_views_free(app);
    ph_event_free(app->first_done);
    ph__free(app->status_handlers);
    ph__free(app->kind_handlers);
    for (size_t i = 0; i < app->nbp; i++)
        ph__free(app->bp_names[i]);
    ph__free(app->bp_names);
    ph__session_codec_free(app->codec);
    ph__cli_free(app->cli);
    ph_tmpl_env_free(app->templates);
    while (app->narena_pool)
        ph__arena_close(&app->arena_pool[--app->narena_pool]);
    for (size_t i = 0; i < app->ntemplate_dirs; i++)
        ph__free(app->template_dirs[i]);
    ph__free(app->template_dirs);
    ph__free(app->codec_key);
    ph__free(app);
}

const char *ph_app_name(const ph_app *app) { return app ? app->name : NULL; }

json_t *ph_app_config(ph_app *app) { return app ? app->config : NULL; }

/* ---- registration --------------------------------------------------------- */

int ph__hooks_add(ph__hooks *h, void *fn, const char *bp) {
    ph__hook *items = ph__grow(h->items, &h->cap, h->n, sizeof(*items), 4);
    if (!items)
        return PH_ENOMEM;
    h->items = items;
    h->items[h->n++] = (ph__hook){fn, bp};
    return 0;
}

static int add_hook(ph_app *app, ph__hooks *h, void *fn) {
    if (!fn)
        return PH_EINVAL;
    if (app->served)
        return PH_EBUSY;
    return ph__hooks_add(h, fn, NULL);
}

/* The app is checked before `&app->...` is taken: on NULL that is undefined already. */
int ph_before_request(ph_app *app, ph_before_request_fn fn) {
    return app ? add_hook(app, &app->before, (void *)fn) : PH_EINVAL;
}
int ph_after_request(ph_app *app, ph_after_request_fn fn) {
    return app ? add_hook(app, &app->after, (void *)fn) : PH_EINVAL;
}
int ph_teardown_request(ph_app *app, ph_teardown_request_fn fn) {
    return app ? add_hook(app, &app->teardown_req, (void *)fn) : PH_EINVAL;
}
int ph_teardown_appcontext(ph_app *app, ph_teardown_appcontext_fn fn) {
    return app ? add_hook(app, &app->teardown_app, (void *)fn) : PH_EINVAL;
}
int ph_before_first_request(ph_app *app, ph_before_first_request_fn fn) {
    return app ? add_hook(app, &app->first, (void *)fn) : PH_EINVAL;
}
int ph_url_value_preprocessor(ph_app *app, ph_url_value_preprocessor_fn fn) {
    return app ? add_hook(app, &app->url_pre, (void *)fn) : PH_EINVAL;
}
int ph_url_defaults(ph_app *app, ph_url_defaults_fn fn) {
    return app ? add_hook(app, &app->url_defaults, (void *)fn) : PH_EINVAL;
}

int ph__add_status_handler(ph_app *app, int status, const char *bp, ph_errorhandler_fn fn) {
    if (!app || !fn || status < 400 || status > 599)
        return PH_EINVAL;
    for (size_t i = 0; i < app->nstatus; i++)
        if (app->status_handlers[i].status == status && app->status_handlers[i].bp == bp) {
            app->status_handlers[i].fn = fn;
            return 0;
        }
    ph__status_handler *h =
        ph__realloc(app->status_handlers, (app->nstatus + 1) * sizeof(*app->status_handlers));
    if (!h)
        return PH_ENOMEM;
    app->status_handlers = h;
    h[app->nstatus++] = (ph__status_handler){status, bp, fn};
    return 0;
}

int ph__add_kind_handler(ph_app *app, const ph_error_kind *kind, const char *bp,
                         ph_errorhandler_fn fn) {
    if (!app || !fn || !kind)
        return PH_EINVAL;
    for (size_t i = 0; i < app->nkind; i++)
        if (app->kind_handlers[i].kind == kind && app->kind_handlers[i].bp == bp) {
            app->kind_handlers[i].fn = fn;
            return 0;
        }
    ph__kind_handler *h =
        ph__realloc(app->kind_handlers, (app->nkind + 1) * sizeof(*app->kind_handlers));
    if (!h)
        return PH_ENOMEM;
    app->kind_handlers = h;
    h[app->nkind++] = (ph__kind_handler){kind, bp, fn};
    return 0;
}

int ph_errorhandler(ph_app *app, int status, ph_errorhandler_fn fn) {
    return ph__add_status_handler(app, status, NULL, fn);
}

int ph_errorhandler_kind(ph_app *app, const ph_error_kind *kind, ph_errorhandler_fn fn) {
    return ph__add_kind_handler(app, kind, NULL, fn);
}

const char *ph__route_view_name(const ph_route_opts *opts) {
    const char *v = opts->view_;
    if (!v || !ph__rule_ident_start((unsigned char)v[0]))
        return NULL;
    for (const char *p = v + 1; *p; p++)
        if (!ph__rule_ident((unsigned char)*p))
            return NULL;
    return v;
}

int ph__add_route(ph_app *app, const char *rule, ph_view_fn view, const ph_route_opts *opts,
                  const char *endpoint) {
    static const ph_route_opts defaults;
    if (!opts) /* ph_route_() called directly, not through ph_route() */
        opts = &defaults;
    if (!app || !rule || !view)
        return PH_EINVAL;
    if (app->served)
        return PH_EBUSY;
    if (!endpoint && !(endpoint = opts->endpoint) && !(endpoint = ph__route_view_name(opts)))
        endpoint = rule;
    ph__route_spec spec = {.rule = rule,
                           .endpoint = endpoint,
                           .methods = opts->methods,
                           .defaults = opts->defaults,
                           .strict_slashes = opts->strict_slashes < 0 ? -1 : 0,
                           .no_auto_options = opts->no_auto_options,
                           .data = (void *)view};
    /* Flask refuses one endpoint for two different view functions. */
    const ph__router_ep *ep = ph__router_endpoint(app->router, spec.endpoint);
    if (ep && ep->n && ep->routes[0]->data != spec.data) {
        PH_LOG_ERR("%s: endpoint '%s' is already mapped to another view", app->name,
                   spec.endpoint);
        return PH_EEXIST;
    }
    ph__rule_error err;
    memset(&err, 0, sizeof(err));
    int rc = ph__router_add(app->router, &spec, NULL, &err);
    if (rc == PH_EINVAL) {
        PH_LOG_ERR("%s: bad route: %s", app->name, err.msg[0] ? err.msg : rule);
        return PH_EINVAL;
    }
    return rc;
}

int ph_route_(ph_app *app, const char *rule, ph_view_fn view, const ph_route_opts *opts) {
    return ph__add_route(app, rule, view, opts, NULL);
}

int ph_app_add_converter(ph_app *app, const char *name, const ph_converter *conv, void *arg) {
    if (!app || !name || !conv)
        return PH_EINVAL;
    if (app->served)
        return PH_EBUSY;
    return ph__router_add_converter(app->router, name, conv, arg);
}

/* ---- configuration -------------------------------------------------------- */

/* The value of `key`; NULL for a NULL app or key, as for an absent key. */
static json_t *config_get(const ph_app *app, const char *key) {
    return app && key ? json_object_get(app->config, key) : NULL;
}

const char *ph_config_str(const ph_app *app, const char *key, const char *fallback) {
    json_t *v = config_get(app, key);
    return json_is_string(v) ? json_string_value(v) : fallback;
}

int64_t ph_config_int(const ph_app *app, const char *key, int64_t fallback) {
    json_t *v = config_get(app, key);
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_real(v))
        return (int64_t)json_real_value(v);
    return fallback;
}

bool ph_config_bool(const ph_app *app, const char *key, bool fallback) {
    json_t *v = config_get(app, key);
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_integer(v))
        return json_integer_value(v) != 0;
    return fallback;
}

double ph_config_double(const ph_app *app, const char *key, double fallback) {
    json_t *v = config_get(app, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

int ph_config_set_str(ph_app *app, const char *key, const char *value) {
    if (!app || !key)
        return PH_EINVAL;
    return json_object_set_new(app->config, key, value ? json_string(value) : json_null()) == 0
               ? 0
               : PH_ENOMEM;
}

int ph_config_set_int(ph_app *app, const char *key, int64_t value) {
    if (!app || !key)
        return PH_EINVAL;
    return json_object_set_new(app->config, key, json_integer(value)) == 0 ? 0 : PH_ENOMEM;
}

int ph_config_set_bool(ph_app *app, const char *key, bool value) {
    if (!app || !key)
        return PH_EINVAL;
    return json_object_set_new(app->config, key, json_boolean(value)) == 0 ? 0 : PH_ENOMEM;
}

/* ---- the app protocol ------------------------------------------------------ */

/* The framework takes part in lifespan only to acknowledge it. */
static int lifespan(ph_channel *ch) {
    for (;;) {
        ph_message m;
        int rc = ph_receive(ch, &m);
        if (rc < 0)
            return rc;
        ph_message reply = {0};
        if (m.type == PH_MSG_LIFESPAN_STARTUP)
            reply.type = PH_MSG_LIFESPAN_STARTUP_COMPLETE;
        else if (m.type == PH_MSG_LIFESPAN_SHUTDOWN)
            reply.type = PH_MSG_LIFESPAN_SHUTDOWN_COMPLETE;
        else
            return PH_EINVAL;
        rc = ph_send(ch, &reply);
        if (rc < 0 || m.type == PH_MSG_LIFESPAN_SHUTDOWN)
            return rc;
    }
}

/* Setup ends with the first request: what depends on the final config is
 * registered now (config is written after ph_app_new returns). Flask adds
 * the static route whether or not the folder exists. */
void ph__app_finish_setup(ph_app *app) {
    const char *folder = ph_config_str(app, "STATIC_FOLDER", NULL);
    if (folder && *folder && !ph__router_endpoint(app->router, "static")) {
        char dir[4096];
        ph__app_path(app, folder, dir, sizeof(dir));
        ph__static_register_as(app, ph_config_str(app, "STATIC_URL_PATH", NULL), dir, "static");
    }
}

void ph__app_path(const ph_app *app, const char *path, char *out, size_t cap) {
    const char *root = ph_config_str(app, "ROOT_PATH", NULL);
    if (path[0] == '/' || !root || !*root)
        snprintf(out, cap, "%s", path);
    else
        snprintf(out, cap, "%s/%s", root, path);
}

static int app_call(void *self, const ph_scope *scope, ph_channel *ch) {
    ph_app *app = self;
    if (scope->type == PH_SCOPE_LIFESPAN)
        return lifespan(ch);
    if (scope->type != PH_SCOPE_HTTP && scope->type != PH_SCOPE_WEBSOCKET)
        return PH_ENOTSUP;
    if (!app->served) {
        ph__app_finish_setup(app);
        app->served = 1;
    }
    /* A warm arena from the pool: its first chunk is reused, so a request
     * allocates nothing for its scratch memory. */
    ph_arena arena;
    if (app->narena_pool)
        arena = app->arena_pool[--app->narena_pool];
    else
        ph__arena_init(&arena, 8192, 0);
    ph_request req;
    ph__request_init(&req, app, scope, ch, &arena);
    int rc = PH_ENOMEM;
    ph_app_ctx *actx = ph__app_context_push_at(app, ph__arena_alloc(&arena, sizeof(ph_app_ctx)));
    if (actx) {
        req.app_ctx = actx;
        ph__request_set_current(&req);
        if (scope->type == PH_SCOPE_WEBSOCKET) {
            rc = ph__ws_handle(&req);
        } else {
            ph_response *resp = ph__full_dispatch(&req);
            rc = ph__send_response(&req, resp);
        }
        const char *scopes[9];
        size_t ns = ph__request_scopes(&req, scopes, 9, 0);
        for (size_t k = 0; k < ns; k++)
            for (size_t i = app->teardown_req.n; i-- > 0;)
                if (app->teardown_req.items[i].bp == scopes[k])
                    ((ph_teardown_request_fn)app->teardown_req.items[i].fn)(&req, req.unhandled);
        ph__request_set_current(NULL);
        ph__app_context_pop_err(actx, req.unhandled);
    }
    ph__session_release(&req);
    ph__request_cleanup(&req);
    ph__arena_reset(&arena);
    if (app->narena_pool < sizeof(app->arena_pool) / sizeof(app->arena_pool[0]))
        app->arena_pool[app->narena_pool++] = arena;
    else
        ph__arena_close(&arena);
    return rc;
}

ph_proto_app ph_app_proto(ph_app *app) {
    return app ? (ph_proto_app){.call = app_call, .self = app} : (ph_proto_app){0};
}
