/*
 * Blueprints: a blueprint records what is registered on it (routes, hooks,
 * error handlers, nested blueprints) and replays it onto an app at
 * registration, with the registration's name and URL prefix applied (Flask's
 * deferred setup functions). Scoped hooks carry the blueprint's full name,
 * interned in the app, so the dispatcher can compare them by pointer.
 */
#include "app/core.h"

#include "phial/blueprint.h"
#include "util/alloc.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

typedef enum rec_type {
    REC_ROUTE,
    REC_METHOD_VIEW,
    REC_BEFORE,
    REC_AFTER,
    REC_TEARDOWN,
    REC_STATUS,
    REC_KIND,
    REC_APP_BEFORE,
    REC_APP_AFTER,
    REC_APP_TEARDOWN,
    REC_APP_STATUS,
    REC_URL_PRE,
    REC_URL_DEFAULTS,
    REC_APP_URL_PRE,
    REC_APP_URL_DEFAULTS,
    REC_CHILD,
} rec_type;

typedef struct record {
    rec_type type;
    void *fn;
    /* routes */
    char *rule;
    char *endpoint;
    ph_route_opts opts;
    ph_method_views views; /* method views */
    /* handlers */
    int status;
    const ph_error_kind *kind;
    /* nested blueprints */
    ph_blueprint *child;
    char *child_prefix;
    char *child_name;
    struct record *next;
} record;

struct ph_blueprint {
    char *name;
    char *url_prefix;
    char *static_folder;
    char *static_url_path;
    char *template_folder;
    record *recs, **tail;
};

static char *dup_or_null(const char *s) { return s ? ph__strdup(s) : NULL; }

ph_blueprint *ph_blueprint_new_(const char *name, const ph_blueprint_opts *opts) {
    static const ph_blueprint_opts defaults;
    if (!opts) /* called directly, not through ph_blueprint_new() */
        opts = &defaults;
    if (!name || !*name || strchr(name, '.'))
        return NULL;
    ph_blueprint *bp = ph__calloc(1, sizeof(*bp));
    if (!bp)
        return NULL;
    bp->name = ph__strdup(name);
    bp->url_prefix = dup_or_null(opts->url_prefix);
    bp->static_folder = dup_or_null(opts->static_folder);
    bp->static_url_path = dup_or_null(opts->static_url_path);
    bp->template_folder = dup_or_null(opts->template_folder);
    bp->tail = &bp->recs;
    if (!bp->name || (opts->url_prefix && !bp->url_prefix)) {
        ph_blueprint_free(bp);
        return NULL;
    }
    return bp;
}

void ph_blueprint_free(ph_blueprint *bp) {
    if (!bp)
        return;
    while (bp->recs) {
        record *r = bp->recs;
        bp->recs = r->next;
        ph__free(r->rule);
        ph__free(r->endpoint);
        json_decref(r->opts.defaults);
        ph__free(r->child_prefix);
        ph__free(r->child_name);
        ph__free(r);
    }
    ph__free(bp->name);
    ph__free(bp->url_prefix);
    ph__free(bp->static_folder);
    ph__free(bp->static_url_path);
    ph__free(bp->template_folder);
    ph__free(bp);
}

static record *add(ph_blueprint *bp, rec_type type, void *fn) {
    if (!bp)
        return NULL;
    record *r = ph__calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->type = type;
    r->fn = fn;
    *bp->tail = r;
    bp->tail = &r->next;
    return r;
}

/* A route or a method view (`views` not NULL), kept to be replayed. */
static int add_route_rec(ph_blueprint *bp, const char *rule, ph_view_fn view,
                         const ph_method_views *views, const ph_route_opts *opts) {
    static const ph_route_opts defaults;
    if (!opts) /* called directly, not through the macro */
        opts = &defaults;
    if (!bp || !rule || (!view && !views))
        return PH_EINVAL;
    const char *endpoint = opts->endpoint ? opts->endpoint : ph__route_view_name(opts);
    if (views && !endpoint)
        return PH_EINVAL;
    char *r_rule = ph__strdup(rule);
    char *ep = dup_or_null(endpoint);
    if (!r_rule || (endpoint && !ep)) {
        ph__free(r_rule);
        ph__free(ep);
        return PH_ENOMEM;
    }
    record *r = add(bp, views ? REC_METHOD_VIEW : REC_ROUTE, (void *)view);
    if (!r) {
        ph__free(r_rule);
        ph__free(ep);
        return PH_ENOMEM;
    }
    r->rule = r_rule;
    r->endpoint = ep;
    r->opts = *opts;
    r->opts.endpoint = NULL;
    r->opts.view_ = NULL;
    r->opts.defaults = json_incref(opts->defaults);
    if (views)
        r->views = *views;
    return 0;
}

int ph_bp_route_(ph_blueprint *bp, const char *rule, ph_view_fn view, const ph_route_opts *opts) {
    return view ? add_route_rec(bp, rule, view, NULL, opts) : PH_EINVAL;
}

int ph_bp_method_view_(ph_blueprint *bp, const char *rule, const ph_method_views *views,
                       const ph_route_opts *opts) {
    return views ? add_route_rec(bp, rule, NULL, views, opts) : PH_EINVAL;
}

static int add_fn(ph_blueprint *bp, rec_type t, void *fn) {
    if (!bp || !fn)
        return PH_EINVAL;
    return add(bp, t, fn) ? 0 : PH_ENOMEM;
}

int ph_bp_before_request(ph_blueprint *bp, ph_before_request_fn fn) {
    return add_fn(bp, REC_BEFORE, (void *)fn);
}
int ph_bp_after_request(ph_blueprint *bp, ph_after_request_fn fn) {
    return add_fn(bp, REC_AFTER, (void *)fn);
}
int ph_bp_teardown_request(ph_blueprint *bp, ph_teardown_request_fn fn) {
    return add_fn(bp, REC_TEARDOWN, (void *)fn);
}
int ph_bp_before_app_request(ph_blueprint *bp, ph_before_request_fn fn) {
    return add_fn(bp, REC_APP_BEFORE, (void *)fn);
}
int ph_bp_after_app_request(ph_blueprint *bp, ph_after_request_fn fn) {
    return add_fn(bp, REC_APP_AFTER, (void *)fn);
}
int ph_bp_teardown_app_request(ph_blueprint *bp, ph_teardown_request_fn fn) {
    return add_fn(bp, REC_APP_TEARDOWN, (void *)fn);
}
int ph_bp_url_value_preprocessor(ph_blueprint *bp, ph_url_value_preprocessor_fn fn) {
    return add_fn(bp, REC_URL_PRE, (void *)fn);
}
int ph_bp_url_defaults(ph_blueprint *bp, ph_url_defaults_fn fn) {
    return add_fn(bp, REC_URL_DEFAULTS, (void *)fn);
}
int ph_bp_app_url_value_preprocessor(ph_blueprint *bp, ph_url_value_preprocessor_fn fn) {
    return add_fn(bp, REC_APP_URL_PRE, (void *)fn);
}
int ph_bp_app_url_defaults(ph_blueprint *bp, ph_url_defaults_fn fn) {
    return add_fn(bp, REC_APP_URL_DEFAULTS, (void *)fn);
}

static int add_status(ph_blueprint *bp, rec_type t, int status, ph_errorhandler_fn fn) {
    if (!bp || !fn || status < 400 || status > 599)
        return PH_EINVAL;
    record *r = add(bp, t, (void *)fn);
    if (!r)
        return PH_ENOMEM;
    r->status = status;
    return 0;
}

int ph_bp_errorhandler(ph_blueprint *bp, int status, ph_errorhandler_fn fn) {
    return add_status(bp, REC_STATUS, status, fn);
}
int ph_bp_app_errorhandler(ph_blueprint *bp, int status, ph_errorhandler_fn fn) {
    return add_status(bp, REC_APP_STATUS, status, fn);
}

int ph_bp_errorhandler_kind(ph_blueprint *bp, const ph_error_kind *kind, ph_errorhandler_fn fn) {
    if (!bp || !fn || !kind)
        return PH_EINVAL;
    record *r = add(bp, REC_KIND, (void *)fn);
    if (!r)
        return PH_ENOMEM;
    r->kind = kind;
    return 0;
}

int ph_blueprint_nest_(ph_blueprint *parent, ph_blueprint *child, const ph_register_opts *opts) {
    static const ph_register_opts defaults;
    if (!opts) /* called directly, not through ph_blueprint_nest() */
        opts = &defaults;
    if (!parent || !child || parent == child)
        return PH_EINVAL;
    if (opts->name && (!*opts->name || strchr(opts->name, '.')))
        return PH_EINVAL;
    record *r = add(parent, REC_CHILD, NULL);
    if (!r)
        return PH_ENOMEM;
    r->child = child;
    r->child_prefix = dup_or_null(opts->url_prefix);
    r->child_name = dup_or_null(opts->name);
    return 0;
}

/* ---- registration -------------------------------------------------------- */

/* Flask's rule joining: prefix without its trailing slash + "/" + rule without
 * its leading one. */
static char *join_rule(const char *prefix, const char *rule) {
    if (!prefix || !*prefix)
        return ph__strdup(rule);
    size_t pl = strlen(prefix);
    while (pl && prefix[pl - 1] == '/')
        pl--;
    while (*rule == '/')
        rule++;
    size_t n = pl + 1 + strlen(rule) + 1;
    char *s = ph__malloc(n);
    if (s)
        snprintf(s, n, "%.*s/%s", (int)pl, prefix, rule);
    return s;
}

static const char *intern(ph_app *app, const char *name) {
    for (size_t i = 0; i < app->nbp; i++)
        if (strcmp(app->bp_names[i], name) == 0)
            return NULL; /* taken */
    char **names = ph__realloc(app->bp_names, (app->nbp + 1) * sizeof(char *));
    if (!names)
        return NULL;
    app->bp_names = names;
    char *copy = ph__strdup(name);
    if (!copy)
        return NULL;
    app->bp_names[app->nbp++] = copy;
    return copy;
}

static int register_bp(ph_app *app, ph_blueprint *bp, const char *parent_name,
                       const char *parent_prefix, const char *name, const char *prefix) {
    char full[256], url[1024];
    snprintf(full, sizeof(full), "%s%s%s", parent_name ? parent_name : "",
             parent_name ? "." : "", name ? name : bp->name);
    const char *own = prefix ? prefix : bp->url_prefix;
    char *joined = join_rule(parent_prefix ? parent_prefix : "", own ? own : "");
    if (!joined)
        return PH_ENOMEM;
    snprintf(url, sizeof(url), "%s", joined);
    ph__free(joined);
    if (strcmp(url, "/") == 0)
        url[0] = '\0';
    for (size_t i = 0; i < app->nbp; i++)
        if (strcmp(app->bp_names[i], full) == 0) {
            PH_LOG_ERR("%s: a blueprint named '%s' is already registered", app->name, full);
            return PH_EEXIST;
        }
    const char *scope = intern(app, full);
    if (!scope)
        return PH_ENOMEM;
    int rc = 0;
    if (bp->template_folder) {
        char **dirs = ph__realloc(app->template_dirs, (app->ntemplate_dirs + 1) * sizeof(char *));
        if (!dirs)
            return PH_ENOMEM;
        app->template_dirs = dirs;
        if (!(dirs[app->ntemplate_dirs] = ph__strdup(bp->template_folder)))
            return PH_ENOMEM;
        app->ntemplate_dirs++;
    }
    if (bp->static_folder) {
        char sp[1200], ep[300];
        snprintf(sp, sizeof(sp), "%s%s", url, bp->static_url_path ? bp->static_url_path : "/static");
        snprintf(ep, sizeof(ep), "%s.static", full);
        char dir[4096];
        ph__app_path(app, bp->static_folder, dir, sizeof(dir));
        rc = ph__static_register_as(app, sp, dir, ep);
    }
    for (record *r = bp->recs; r && rc == 0; r = r->next) {
        switch (r->type) {
        case REC_ROUTE:
        case REC_METHOD_VIEW: {
            char *rule = join_rule(url, r->rule);
            char ep[512];
            snprintf(ep, sizeof(ep), "%s.%s", full, r->endpoint ? r->endpoint : r->rule);
            if (!rule)
                rc = PH_ENOMEM;
            else if (r->type == REC_ROUTE)
                rc = ph__add_route(app, rule[0] ? rule : "/", (ph_view_fn)r->fn, &r->opts, ep);
            else
                rc = ph__add_method_view(app, rule[0] ? rule : "/", &r->views, &r->opts, ep);
            ph__free(rule);
            break;
        }
        case REC_BEFORE:
            rc = ph__hooks_add(&app->before, r->fn, scope);
            break;
        case REC_AFTER:
            rc = ph__hooks_add(&app->after, r->fn, scope);
            break;
        case REC_TEARDOWN:
            rc = ph__hooks_add(&app->teardown_req, r->fn, scope);
            break;
        case REC_STATUS:
            rc = ph__add_status_handler(app, r->status, scope, (ph_errorhandler_fn)r->fn);
            break;
        case REC_KIND:
            rc = ph__add_kind_handler(app, r->kind, scope, (ph_errorhandler_fn)r->fn);
            break;
        case REC_APP_BEFORE:
            rc = ph__hooks_add(&app->before, r->fn, NULL);
            break;
        case REC_APP_AFTER:
            rc = ph__hooks_add(&app->after, r->fn, NULL);
            break;
        case REC_APP_TEARDOWN:
            rc = ph__hooks_add(&app->teardown_req, r->fn, NULL);
            break;
        case REC_APP_STATUS:
            rc = ph__add_status_handler(app, r->status, NULL, (ph_errorhandler_fn)r->fn);
            break;
        case REC_URL_PRE:
            rc = ph__hooks_add(&app->url_pre, r->fn, scope);
            break;
        case REC_URL_DEFAULTS:
            rc = ph__hooks_add(&app->url_defaults, r->fn, scope);
            break;
        case REC_APP_URL_PRE:
            rc = ph__hooks_add(&app->url_pre, r->fn, NULL);
            break;
        case REC_APP_URL_DEFAULTS:
            rc = ph__hooks_add(&app->url_defaults, r->fn, NULL);
            break;
        case REC_CHILD:
            rc = register_bp(app, r->child, full, url, r->child_name, r->child_prefix);
            break;
        }
    }
    return rc;
}

int ph_register_blueprint_(ph_app *app, ph_blueprint *bp, const ph_register_opts *opts) {
    static const ph_register_opts defaults;
    if (!opts) /* called directly, not through ph_register_blueprint() */
        opts = &defaults;
    if (!app || !bp)
        return PH_EINVAL;
    if (app->served)
        return PH_EBUSY;
    if (opts->name && (!*opts->name || strchr(opts->name, '.')))
        return PH_EINVAL;
    return register_bp(app, bp, NULL, NULL, opts->name, opts->url_prefix);
}
