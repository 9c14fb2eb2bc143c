/*
 * phial — templates in the framework (Flask's render_template). As in
 * aioflask, rendering is asynchronous: loading a template file suspends the
 * request's task instead of blocking the worker.
 *
 * Templates are found in the app's "templates" folder (config
 * TEMPLATE_FOLDER), then in the template folders of its blueprints, in
 * registration order. Relative folders are resolved against config
 * ROOT_PATH (Flask's root_path), or the current directory when it is unset. They see what Flask's see: `request`, `session`, `g`,
 * `config`, `url_for()` and `get_flashed_messages()`, plus the context given.
 * Files are reloaded when they change if TEMPLATES_AUTO_RELOAD is true, or
 * when it is null (the default) and DEBUG is on.
 */
#ifndef PHIAL_RENDER_H
#define PHIAL_RENDER_H

#include "app.h"
#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Error kinds of rendering: a template error, and a missing template (a kind
 * of template error). Both are 500s unless the app handles them. */
PH_EXTERN extern const ph_error_kind PH_TEMPLATE_ERROR;
PH_EXTERN extern const ph_error_kind PH_TEMPLATE_NOT_FOUND;

/*
 * Render `name` with `context` (a JSON object or NULL) into an HTML response
 * (200, text/html; charset=utf-8).
 *
 * Returns:  the response; NULL with an error recorded on the request (a
 *           missing template or a template error is a 500, described in the
 *           log and, in debug mode, on the debug page; a NULL name or
 *           source is a 500 too); NULL for a NULL request.
 * Owns:     steals `context`, on every path.
 * Suspends: yes, while the template file (and those it includes) is read.
 * Example:
 *     return ph_render_template(req, "index.html", json_pack("{s:s}", "name", "world"));
 */
PH_EXTERN ph_response *ph_render_template(ph_request *req, const char *name, json_t *context);

/* The same for a template given as a string (always autoescaped, as Flask's). */
PH_EXTERN ph_response *ph_render_template_string(ph_request *req, const char *source,
                                                 json_t *context);

/*
 * Render to a string instead of a response (for mail bodies, fragments...).
 *
 * Returns:  the text in the request's arena; NULL with an error recorded.
 * Owns:     steals `context`.
 * Suspends: as ph_render_template().
 */
PH_EXTERN const char *ph_render_template_text(ph_request *req, const char *name, json_t *context);
PH_EXTERN const char *ph_render_template_string_text(ph_request *req, const char *source,
                                                     json_t *context);

/*
 * Render `name` with `context` as the body of a streaming response (Flask
 * 2.2's stream_template, inside stream_with_context): 200, text/html;
 * charset=utf-8, sent chunked. The template is found and compiled, and
 * context processors run, now; the page renders while the body is sent,
 * after the after_request hooks, in the request's task, with `request`,
 * `session`, `g`, `config`, `url_for()` and `get_flashed_messages()` still
 * usable. Each chunk goes out when 16 KiB are buffered, and before each call
 * into the app's C filters, tests and global functions (which may suspend)
 * when anything is buffered; the bytes are those ph_render_template() makes.
 * Memory stays at about one chunk (or the longest single value printed, or
 * a capture such as a filter block) instead of the page, and the page is
 * not limited by the environment's max_output, which bounds what is held.
 * The response may be changed (status, headers) like any other.
 *
 * An error while rendering comes after the headers: it is logged as a
 * render error is, teardown hooks see it, and the body ends short (no last
 * chunk), so the client can tell the page is incomplete. A client that
 * leaves stops the render at the next chunk.
 *
 * Returns:  the response; NULL with an error recorded on the request (a
 *           missing template or a syntax error is a 500, as for
 *           ph_render_template(); a NULL name is a 500 too); NULL for a NULL
 *           request.
 * Owns:     steals `context`, on every path.
 * Suspends: yes, while the template file (and those it extends) is read;
 *           the render itself runs later, when the body is sent.
 * Example:
 *     return ph_stream_template(req, "report.html", json_pack("{s:i}", "year", 2026));
 */
PH_EXTERN ph_response *ph_stream_template(ph_request *req, const char *name, json_t *context);

/* The same for a template given as a string (Flask's
 * stream_template_string; always autoescaped). */
PH_EXTERN ph_response *ph_stream_template_string(ph_request *req, const char *source,
                                                 json_t *context);

/*
 * The app's template environment, created on first use: register filters,
 * tests, globals and context processors on it during setup (Flask's
 * template_filter, template_test, template_global, context_processor;
 * context processors get the ph_request as their `user` pointer).
 *
 * Its search path (TEMPLATE_FOLDER, then the blueprints' template folders in
 * the order they were registered) and auto-reload (TEMPLATES_AUTO_RELOAD,
 * else DEBUG) are taken from the configuration at the app's first render,
 * so asking for it early misses neither PHIAL_* variables, `run --debug`
 * nor blueprints registered later. Folders added to it with
 * ph_tmpl_env_add_path before that render are searched first.
 *
 * Returns:  the environment, owned by the app; NULL when out of memory or
 *           `app` is NULL.
 * Suspends: no.
 */
PH_EXTERN ph_tmpl_env *ph_app_template_env(ph_app *app);

#ifdef __cplusplus
}
#endif
#endif
