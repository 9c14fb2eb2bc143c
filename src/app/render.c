/*
 * render_template for the framework: the app's template environment (search
 * path, auto-reload rule), the names Flask puts in every template's context
 * (request, session, g, config, url_for, get_flashed_messages), and turning
 * template errors into recorded errors with a clear log line.
 */
#include "app/render.h"

#include "phial/session.h"
#include "util/log.h"

#include <string.h>

const ph_error_kind PH_TEMPLATE_ERROR = {"TemplateError", 500, NULL};
const ph_error_kind PH_TEMPLATE_NOT_FOUND = {"TemplateNotFound", 500, &PH_TEMPLATE_ERROR};

/* Set `key` to `v` (a new reference, taken even on failure); -1 when `v` is
 * NULL (its allocation failed) or the set fails. */
static int put(json_t *o, const char *key, json_t *v) { return v ? json_object_set_new(o, key, v) : -1; }

/* `request` as templates see it: the attributes Flask templates use. NULL
 * when an allocation fails (never a partial object). */
static json_t *request_json(ph_request *req) {
    json_t *args = json_object(), *view_args = json_object(), *form = json_object();
    int rc = args && view_args && form ? 0 : -1;
    const char *k, *v;
    for (size_t i = 0; rc == 0 && ph_request_arg_at(req, i, &k, &v); i++)
        if (!json_object_get(args, k))
            rc = put(args, k, json_string(v));
    for (size_t i = 0; rc == 0 && req->matched && req->match.status == PH__ROUTE_FOUND &&
                       i < req->match.nvalues;
         i++) {
        const ph__route_value *rv = &req->match.values[i];
        rc = put(view_args, rv->name, ph__route_value_json(rv));
    }
    /* request.form: only when the view has parsed the form already, so a
     * render never reads a body the view left alone. */
    for (size_t i = 0; rc == 0 && req->form_state == 1 && i < req->form.len; i++) {
        const ph_multidict_item *it = &req->form.items[i];
        char *key = ph__arena_strndup(req->arena, it->name.ptr, it->name.len);
        if (!key)
            rc = -1;
        else if (!json_object_get(form, key))
            rc = put(form, key, json_stringn(it->value.ptr, it->value.len));
    }
    if (rc < 0) {
        json_decref(args);
        json_decref(view_args);
        json_decref(form);
        return NULL;
    }
    const char *ep = ph_request_endpoint(req);
    /* json_pack takes the s:o references even when it fails */
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o}",
                     "method", ph_request_method(req), "path", ph_request_path(req), "full_path",
                     ph_request_full_path(req), "url", ph_request_url(req), "base_url",
                     ph_request_base_url(req), "url_root", ph_request_url_root(req), "host",
                     ph_request_host(req), "scheme", ph_request_scheme(req), "remote_addr",
                     ph_request_remote_addr(req), "args", args, "view_args", view_args,
                     "endpoint", ep ? json_string(ep) : json_null(), "script_root",
                     ph_request_script_root(req), "form", form);
}

/* `request`, made when a render first uses it (most pages never do). */
static json_t *lazy_request(void *ud, void *user) {
    (void)ud;
    return request_json(user);
}

/* Flask's standard context but `request` (lazy_request); NULL when an
 * allocation fails, which fails the render (a page without `session` would
 * be a wrong page). */
static json_t *flask_context(void *ud, void *user) {
    (void)ud;
    ph_request *req = user;
    json_t *ctx = json_object();
    if (!ctx)
        return NULL;
    int rc = 0;
    ph_app_ctx *actx = ph__app_ctx_current();
    if (actx) {
        json_t *g = ph_g(); /* made on first use: NULL here is out of memory */
        rc = g ? json_object_set(ctx, "g", g) : -1;
        if (rc == 0)
            rc = json_object_set(ctx, "config", actx->app->config);
    }
    if (rc == 0 && req) {
        json_t *s = ph__session_peek(req);
        if (s)
            rc = json_object_set(ctx, "session", s);
    }
    if (rc < 0) {
        json_decref(ctx);
        return NULL;
    }
    return ctx;
}

/* url_for(endpoint, **values) with Flask's _external, _anchor, _method, _scheme. */
static json_t *tmpl_url_for(json_t *args, void *ud, int *safe) {
    ph_request *req = ph_current_request();
    const char *endpoint = json_string_value(json_array_get(args, 0));
    json_t *kw = json_array_get(args, json_array_size(args) - 1);
    if (!endpoint)
        return NULL;
    json_t *values = json_object();
    ph_url_for_opts o = {.values = values};
    if (json_is_object(kw) && json_array_size(args) > 1) {
        const char *k;
        json_t *v;
        json_object_foreach(kw, k, v) {
            if (strcmp(k, "_external") == 0)
                o.external = json_is_true(v);
            else if (strcmp(k, "_anchor") == 0)
                o.anchor = json_string_value(v);
            else if (strcmp(k, "_method") == 0)
                o.method = json_string_value(v);
            else if (strcmp(k, "_scheme") == 0)
                o.scheme = json_string_value(v);
            else
                json_object_set(values, k, v);
        }
    }
    char err[256];
    const char *url = ph_url_for_(req, endpoint, &o, err, sizeof(err));
    if (!url) {
        PH_LOG_ERR("url_for('%s') in a template: %s", endpoint, err);
        return NULL;
    }
    return json_string(url);
}

static json_t *tmpl_flashes(json_t *args, void *ud, int *safe) {
    ph_request *req = ph_current_request();
    if (!req)
        return json_array();
    json_t *kw = json_array_get(args, json_array_size(args) - 1);
    int with = json_is_true(json_array_get(args, 0));
    json_t *filter = json_array_get(args, 1);
    if (json_is_object(kw)) {
        if (json_object_get(kw, "with_categories"))
            with = json_is_true(json_object_get(kw, "with_categories"));
        if (json_object_get(kw, "category_filter"))
            filter = json_object_get(kw, "category_filter");
    }
    const char *cats[32];
    size_t n = 0;
    if (json_is_array(filter))
        for (size_t i = 0; i < json_array_size(filter) && n < 31; i++)
            if (json_is_string(json_array_get(filter, i)))
                cats[n++] = json_string_value(json_array_get(filter, i));
    cats[n] = NULL;
    return ph_get_flashed_messages(req, with, n ? cats : NULL);
}

ph_tmpl_env *ph_app_template_env(ph_app *app) {
    if (!app)
        return NULL;
    if (app->templates)
        return app->templates;
    ph_tmpl_env *env = ph_tmpl_env_new();
    if (!env)
        return NULL;
    int rc = ph_tmpl_env_add_context_processor(env, flask_context, NULL);
    if (rc == 0)
        rc = ph_tmpl_env_add_lazy_context(env, "request", lazy_request, NULL);
    if (rc == 0)
        rc = ph_tmpl_env_add_function(env, "url_for", tmpl_url_for, NULL);
    if (rc == 0)
        rc = ph_tmpl_env_add_function(env, "get_flashed_messages", tmpl_flashes, NULL);
    if (rc < 0) {
        ph_tmpl_env_free(env);
        return NULL;
    }
    app->templates = env;
    return env;
}

/*
 * The folders and auto-reload come from the configuration as it stands at
 * the first render, not when the environment was made: setup may ask for the
 * environment (to add filters) before ph_app_main applies PHIAL_* variables
 * and --debug, and before its blueprints are registered.
 */
static int bind_templates(ph_app *app, ph_tmpl_env *env) {
    json_t *reload = json_object_get(app->config, "TEMPLATES_AUTO_RELOAD");
    ph_tmpl_env_set_auto_reload(env, json_is_boolean(reload) ? json_is_true(reload)
                                                             : ph_config_bool(app, "DEBUG", false));
    char dir[4096];
    ph__app_path(app, ph_config_str(app, "TEMPLATE_FOLDER", "templates"), dir, sizeof(dir));
    int rc = ph_tmpl_env_add_path(env, dir);
    for (size_t i = 0; rc == 0 && i < app->ntemplate_dirs; i++) {
        ph__app_path(app, app->template_dirs[i], dir, sizeof(dir));
        rc = ph_tmpl_env_add_path(env, dir);
    }
    if (rc == 0)
        app->templates_bound = 1;
    return rc;
}

ph_tmpl_env *ph__render_env(ph_request *req, const char *name, const char *source,
                            json_t *context) {
    if (!req || (!name && !source)) {
        json_decref(context);
        if (req)
            ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_EINVAL, "no template to render");
        return NULL;
    }
    ph_tmpl_env *env = ph_app_template_env(req->app);
    if (env && !req->app->templates_bound && bind_templates(req->app, env) < 0)
        env = NULL;
    if (!env) {
        json_decref(context);
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_ENOMEM, "out of memory");
    }
    return env;
}

void ph__render_message(int rc, const char *name, const ph_tmpl_error *err, char *msg,
                        size_t size) {
    if (rc == PH_ENOTFOUND)
        snprintf(msg, size, "template not found: %s", name ? name : "<string>");
    else
        ph_tmpl_error_format(err, msg, size);
}

static const char *render(ph_request *req, const char *name, const char *source,
                          json_t *context, size_t *len) {
    ph_tmpl_env *env = ph__render_env(req, name, source, context);
    if (!env)
        return NULL;
    ph_tmpl_error err;
    memset(&err, 0, sizeof(err));
    char *out = NULL;
    int rc = name ? ph_tmpl_render(env, name, context, req, &out, len, &err)
                  : ph_tmpl_render_string(env, source, context, req, &out, len, &err);
    if (rc < 0) {
        char msg[1024];
        ph__render_message(rc, name, &err, msg, sizeof(msg));
        ph__error_set(req, 500, rc == PH_ENOTFOUND ? &PH_TEMPLATE_NOT_FOUND : &PH_TEMPLATE_ERROR,
                      rc, msg);
        return NULL;
    }
    /* the page joins the request's arena as it is: no copy */
    if (ph__arena_adopt(req->arena, out) < 0) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_ENOMEM, "out of memory");
        return NULL;
    }
    return out;
}

const char *ph_render_template_text(ph_request *req, const char *name, json_t *context) {
    size_t len;
    return render(req, name, NULL, context, &len);
}

const char *ph_render_template_string_text(ph_request *req, const char *source,
                                           json_t *context) {
    size_t len;
    return render(req, NULL, source, context, &len);
}

static ph_response *as_response(ph_request *req, const char *text, size_t len) {
    if (!text)
        return NULL;
    /* The text is already in the request's arena: use it, do not copy it. */
    ph_response *r = ph_response_new(req, 200, NULL, 0, "text/html; charset=utf-8");
    if (r) {
        r->body = (char *)text;
        r->len = len;
    }
    return r;
}

ph_response *ph_render_template(ph_request *req, const char *name, json_t *context) {
    size_t len = 0;
    const char *t = render(req, name, NULL, context, &len);
    return as_response(req, t, len);
}

ph_response *ph_render_template_string(ph_request *req, const char *source, json_t *context) {
    size_t len = 0;
    const char *t = render(req, NULL, source, context, &len);
    return as_response(req, t, len);
}
