/*
 * phial — blueprints (Flask's Blueprint): a group of routes, hooks and error
 * handlers registered on an app under a name and a URL prefix. Endpoints
 * become "name.endpoint" ("auth.login"); inside the blueprint ".login" is
 * relative. Hooks and error handlers registered on a blueprint apply to its
 * own routes only; the *_app_* variants apply app-wide. Blueprints nest, and
 * one blueprint may be registered twice under different names.
 */
#ifndef PHIAL_BLUEPRINT_H
#define PHIAL_BLUEPRINT_H

#include "app.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_blueprint ph_blueprint;

/* Options of a blueprint; zero means the default. */
typedef struct ph_blueprint_opts {
    int reserved_;              /* private */
    const char *url_prefix;     /* prepended to every rule ("/auth") */
    const char *static_folder;  /* served at <prefix><static_url_path>/<path> */
    const char *static_url_path;/* default "/static" when static_folder is set */
    const char *template_folder;/* searched after the app's templates folder */
} ph_blueprint_opts;

/*
 * A new blueprint named `name` (no dots).
 *
 * Returns:  the blueprint; NULL when out of memory or the name is invalid.
 * Owns:     copies everything; free with ph_blueprint_free() after the apps
 *           that registered it are freed (or at the end of the program).
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN ph_blueprint *ph_blueprint_new_(const char *name, const ph_blueprint_opts *opts);
#define ph_blueprint_new(name, ...)                                                               \
    ph_blueprint_new_((name), &(ph_blueprint_opts){.reserved_ = 0, __VA_ARGS__})
/* Free a blueprint and what it recorded. NULL does nothing. Suspends: no. */
PH_EXTERN void ph_blueprint_free(ph_blueprint *bp);

/* Routes, as ph_route(); the endpoint gets the blueprint's name in front. */
PH_EXTERN int ph_bp_route_(ph_blueprint *bp, const char *rule, ph_view_fn view,
                           const ph_route_opts *opts);
#define ph_bp_route(bp, rule, view, ...)                                                          \
    ph_bp_route_((bp), (rule), (view),                                                            \
                 &(ph_route_opts){.reserved_ = 0, .view_ = #view, __VA_ARGS__})

/* Method views, as ph_method_view(); the endpoint gets the blueprint's name in front. */
PH_EXTERN int ph_bp_method_view_(ph_blueprint *bp, const char *rule, const ph_method_views *views,
                                 const ph_route_opts *opts);
#define ph_bp_method_view(bp, rule, views, ...)                                                   \
    ph_bp_method_view_((bp), (rule), (views), &(ph_route_opts){.reserved_ = 0, __VA_ARGS__})

/* Hooks and error handlers for this blueprint's routes only. 0; PH_EINVAL; PH_ENOMEM. */
PH_EXTERN int ph_bp_before_request(ph_blueprint *bp, ph_before_request_fn fn);
PH_EXTERN int ph_bp_after_request(ph_blueprint *bp, ph_after_request_fn fn);
PH_EXTERN int ph_bp_teardown_request(ph_blueprint *bp, ph_teardown_request_fn fn);
PH_EXTERN int ph_bp_errorhandler(ph_blueprint *bp, int status, ph_errorhandler_fn fn);
PH_EXTERN int ph_bp_errorhandler_kind(ph_blueprint *bp, const ph_error_kind *kind,
                                      ph_errorhandler_fn fn);

/* URL processors (ph_url_value_preprocessor()): the preprocessor runs for
 * requests to this blueprint's routes only, the defaults function for
 * url_for() of its endpoints only. 0; PH_EINVAL; PH_ENOMEM. */
PH_EXTERN int ph_bp_url_value_preprocessor(ph_blueprint *bp, ph_url_value_preprocessor_fn fn);
PH_EXTERN int ph_bp_url_defaults(ph_blueprint *bp, ph_url_defaults_fn fn);

/* App-wide hooks and handlers registered from a blueprint (before_app_request ...). */
PH_EXTERN int ph_bp_before_app_request(ph_blueprint *bp, ph_before_request_fn fn);
PH_EXTERN int ph_bp_after_app_request(ph_blueprint *bp, ph_after_request_fn fn);
PH_EXTERN int ph_bp_teardown_app_request(ph_blueprint *bp, ph_teardown_request_fn fn);
PH_EXTERN int ph_bp_app_errorhandler(ph_blueprint *bp, int status, ph_errorhandler_fn fn);

/* URL processors for the whole app, registered from a blueprint
 * (app_url_value_preprocessor, app_url_defaults). 0; PH_EINVAL; PH_ENOMEM. */
PH_EXTERN int ph_bp_app_url_value_preprocessor(ph_blueprint *bp,
                                               ph_url_value_preprocessor_fn fn);
PH_EXTERN int ph_bp_app_url_defaults(ph_blueprint *bp, ph_url_defaults_fn fn);

/* Options of a registration; zero means the blueprint's own. */
typedef struct ph_register_opts {
    int reserved_;          /* private */
    const char *url_prefix; /* overrides the blueprint's */
    const char *name;       /* register under another name (the same blueprint twice) */
} ph_register_opts;

/*
 * Register `bp` on `app`, or nest `child` in `parent` (its name becomes
 * "parent.child" and its prefix parent's + child's once the parent is
 * registered).
 *
 * Returns:  0; PH_EEXIST a blueprint of that name is already registered;
 *           PH_EINVAL; PH_ENOMEM; PH_EBUSY after the first request.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_register_blueprint_(ph_app *app, ph_blueprint *bp, const ph_register_opts *opts);
#define ph_register_blueprint(app, bp, ...)                                                       \
    ph_register_blueprint_((app), (bp), &(ph_register_opts){.reserved_ = 0, __VA_ARGS__})
PH_EXTERN int ph_blueprint_nest_(ph_blueprint *parent, ph_blueprint *child,
                                 const ph_register_opts *opts);
#define ph_blueprint_nest(parent, child, ...)                                                     \
    ph_blueprint_nest_((parent), (child), &(ph_register_opts){.reserved_ = 0, __VA_ARGS__})

/* The blueprint chain of the matched endpoint, innermost first ("a.b", "a");
 * returns how many there are and fills up to `max` names (none when `out` is
 * NULL; 0 for a NULL request). Suspends: no. */
PH_EXTERN size_t ph_request_blueprints(ph_request *req, const char **out, size_t max);

#ifdef __cplusplus
}
#endif
#endif
