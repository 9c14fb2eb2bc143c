/*
 * phial — templates: a Jinja2-compatible engine.
 *
 * An environment holds the options, where templates come from (a search path
 * of folders and templates given as strings), the compiled-template cache and
 * what the app adds to the language (C filters, tests, globals and context
 * processors: Flask's template_filter, template_test, template_global and
 * context_processor). A template that renders in Flask renders the same,
 * byte for byte, here; docs/templates.md lists the language.
 *
 * Values passed in are jansson's json_t. Functions that take a json_t steal
 * the reference, on every path, as DESIGN.md says.
 *
 * An environment belongs to one thread (one loop). Rendering a named template
 * may load its file (and those it includes) through the environment's loader;
 * the default loader reads through the runtime when called inside a task, so
 * a render "Suspends: yes" in that case.
 */
#ifndef PHIAL_TEMPLATE_H
#define PHIAL_TEMPLATE_H

#include "common.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_tmpl_env ph_tmpl_env;

/* Autoescape rule (ph_tmpl_opts.autoescape). */
enum {
    PH_TMPL_AUTOESCAPE_FLASK = 0, /* on for .html .htm .xml .xhtml and string templates */
    PH_TMPL_AUTOESCAPE_ON = 1,
    PH_TMPL_AUTOESCAPE_OFF = 2,
};

/* Options for ph_tmpl_env_new(); zero means the default (Flask's). */
typedef struct ph_tmpl_opts {
    int reserved_;             /* private: lets the options macro take no options */
    int autoescape;            /* PH_TMPL_AUTOESCAPE_*; default FLASK */
    int trim_blocks;           /* drop the first newline after a block tag */
    int lstrip_blocks;         /* strip spaces and tabs before a block tag on its line */
    int keep_trailing_newline; /* keep the source's final newline */
    int strict_undefined;      /* using an undefined value is an error */
    int auto_reload;           /* re-read a template whose file changed */
    size_t max_output;         /* bytes one render may produce, and any string made during it
                                * (a join, a replace, a padded format); default 64 MiB, at
                                * most 512 MiB */
    size_t max_source;         /* bytes of one template (file or string); default 16 MiB,
                                * at most 512 MiB */
} ph_tmpl_opts;

/*
 * Where a template error happened and what went wrong. `message` says what
 * was expected ("expected 'endfor'", "'x' is undefined").
 */
typedef struct ph_tmpl_error {
    int code;          /* PH_ETEMPLATE syntax/runtime; PH_EUNDEFINED; PH_ENOTFOUND; ... */
    char name[256];    /* template name ("<string>" for a string template) */
    unsigned line;     /* 1-based; 0 when unknown */
    unsigned column;   /* 1-based; 0 when unknown */
    char message[512]; /* one line, no trailing newline */
} ph_tmpl_error;

/*
 * Format an error as "name:line:column: message" into `buf` (always
 * NUL-terminated when size > 0; `buf` NULL: nothing is written). A NULL
 * `err` is "unknown error".
 *
 * Returns:  the length the full text needs, like snprintf.
 * Suspends: no.
 */
PH_EXTERN int ph_tmpl_error_format(const ph_tmpl_error *err, char *buf, size_t size);

/*
 * The loader seam: read template `name` (a path relative to a search folder,
 * already joined to `path`). The default reads files; a framework may plug in
 * its own (for example one that reads from a bundle).
 */
typedef struct ph_tmpl_loader {
    /* Read `path`: on success *data (freed with ph_tmpl_free) and *len are set
     * and *mtime holds the modification time. Returns 0, PH_ENOENT, or a
     * negative PH_E* code. May suspend. */
    int (*read)(void *ud, const char *path, size_t max, char **data, size_t *len, double *mtime);
    /* Modification time of `path` into *mtime; 0 or a negative PH_E*. May suspend. */
    int (*stat)(void *ud, const char *path, double *mtime);
    void *ud;
} ph_tmpl_loader;

/* A C filter: `value|name(args...)`. `args` is a JSON array of the positional
 * arguments then, when keywords were given, one object of them as last item.
 * Returns a new reference (NULL: error). Set *safe to mark a string result as
 * safe markup. */
typedef json_t *(*ph_tmpl_filter_fn)(json_t *value, json_t *args, void *ud, int *safe);
/* A C test: `value is name(args...)`. Returns 1, 0, or a negative PH_E*. */
typedef int (*ph_tmpl_test_fn)(json_t *value, json_t *args, void *ud);
/* A C global function: `name(args...)`; same conventions as a filter. */
typedef json_t *(*ph_tmpl_func_fn)(json_t *args, void *ud, int *safe);
/* A context processor: returns a new JSON object merged into every render's
 * context (`user` is the render's user pointer: the request, for Flask).
 * NULL (or a value that is not an object) fails the render with PH_ENOMEM:
 * a processor that cannot build its values must not yield a page without
 * them. */
typedef json_t *(*ph_tmpl_context_fn)(void *ud, void *user);
/* A lazy context variable's maker: returns its value (any JSON, a new
 * reference) for the render whose user pointer is `user`; NULL fails the
 * render with PH_ENOMEM, as a context processor's NULL does. */
typedef json_t *(*ph_tmpl_lazy_fn)(void *ud, void *user);

/*
 * Create an environment.
 *
 * Returns:  the environment; NULL when out of memory.
 * Owns:     the caller; free with ph_tmpl_env_free().
 * Suspends: no.
 * Example:
 *     ph_tmpl_env *env = ph_tmpl_env_new(.trim_blocks = 1);
 *     ph_tmpl_env_free(env);
 */
PH_EXTERN ph_tmpl_env *ph_tmpl_env_new_(const ph_tmpl_opts *opts);
#define ph_tmpl_env_new(...) ph_tmpl_env_new_(&(ph_tmpl_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Free the environment, its cache and registries. No render may be in
 * progress (suspended) on it. NULL does nothing.
 *
 * Suspends: no.
 */
PH_EXTERN void ph_tmpl_env_free(ph_tmpl_env *env);

/*
 * Append a folder to the search path (the app's templates folder first, then
 * blueprints' folders, in the order they are searched).
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL for NULL.
 * Owns:     copies `dir`.
 * Suspends: no.
 */
PH_EXTERN int ph_tmpl_env_add_path(ph_tmpl_env *env, const char *dir);

/*
 * Turn auto-reload (ph_tmpl_opts.auto_reload) on or off after the fact, as
 * Jinja2's `env.auto_reload = ...`; templates already cached are checked
 * from their next use. NULL does nothing.
 *
 * Suspends: no.
 */
PH_EXTERN void ph_tmpl_env_set_auto_reload(ph_tmpl_env *env, int on);

/*
 * Register a template given as a string, found by `name` before the search
 * path (like Jinja2's DictLoader in a ChoiceLoader).
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL.
 * Owns:     copies both strings.
 * Suspends: no.
 */
PH_EXTERN int ph_tmpl_env_add_string(ph_tmpl_env *env, const char *name, const char *source);

/* Replace the file loader (see ph_tmpl_loader). Returns 0; PH_EINVAL. Suspends: no. */
PH_EXTERN int ph_tmpl_env_set_loader(ph_tmpl_env *env, const ph_tmpl_loader *loader);

/*
 * Set a global variable seen by every template (Flask's jinja_env.globals).
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL.
 * Owns:     steals `value`.
 * Suspends: no.
 */
PH_EXTERN int ph_tmpl_env_set_global(ph_tmpl_env *env, const char *name, json_t *value);

/* Register a C filter, test, global function, or context processor
 * (Flask's template_filter, template_test, template_global,
 * context_processor). A later registration of the same name wins over an
 * earlier one and over a builtin.
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL.
 * Owns:     copies `name`; `ud` stays the caller's.
 * Suspends: no. */
PH_EXTERN int ph_tmpl_env_add_filter(ph_tmpl_env *env, const char *name, ph_tmpl_filter_fn fn,
                                     void *ud);
PH_EXTERN int ph_tmpl_env_add_test(ph_tmpl_env *env, const char *name, ph_tmpl_test_fn fn,
                                   void *ud);
PH_EXTERN int ph_tmpl_env_add_function(ph_tmpl_env *env, const char *name, ph_tmpl_func_fn fn,
                                       void *ud);
PH_EXTERN int ph_tmpl_env_add_context_processor(ph_tmpl_env *env, ph_tmpl_context_fn fn, void *ud);

/*
 * Register a context variable made only if a render uses it: the first
 * lookup of `name` in a render calls fn(ud, user) and the value stays for
 * the rest of that render (Flask's `request`, a proxy there, is one: most
 * pages never read it, and building it for each would cost every render).
 * It belongs to the render's context: the context the render was given and
 * context processors' values win over it, and a template imported without
 * context does not see it. A later registration of the same name wins.
 *
 * Returns:  0; PH_ENOMEM; PH_EINVAL for a NULL env, name or fn.
 * Owns:     copies `name`; `ud` stays the caller's.
 * Suspends: no (fn runs inside the render, and must not suspend either).
 */
PH_EXTERN int ph_tmpl_env_add_lazy_context(ph_tmpl_env *env, const char *name,
                                           ph_tmpl_lazy_fn fn, void *ud);

/*
 * Render template `name` (found through the string templates, then the
 * search path) with `context` (a JSON object, or NULL for none).
 *
 * The template is compiled once and cached; with auto_reload it is compiled
 * again when its file's modification time changes.
 *
 * Returns:  0 with the output in *out (NUL-terminated; *len bytes; free with
 *           ph_tmpl_free); PH_ENOTFOUND (no such template); PH_ETEMPLATE
 *           (syntax or runtime error, described in *err); PH_EUNDEFINED
 *           (strict mode); PH_ETOOBIG (max_output); PH_ENOMEM; PH_EINVAL.
 * Owns:     steals `context`; `err` (may be NULL) is the caller's.
 * Suspends: yes, when the loader suspends (file loads inside a task).
 * Context:  `user` is handed to context processors and C functions' callers.
 */
PH_EXTERN int ph_tmpl_render(ph_tmpl_env *env, const char *name, json_t *context, void *user,
                             char **out, size_t *len, ph_tmpl_error *err);

/*
 * Render `source` as a template ("<string>", autoescaped under the Flask
 * rule, as render_template_string is). Templates it includes or extends are
 * loaded as for ph_tmpl_render().
 *
 * Returns, Owns: as ph_tmpl_render().
 * Suspends: yes, when it includes a file inside a task.
 */
PH_EXTERN int ph_tmpl_render_string(ph_tmpl_env *env, const char *source, json_t *context,
                                    void *user, char **out, size_t *len, ph_tmpl_error *err);

/*
 * A streaming render in waiting (Jinja2's Template.stream()): the template
 * found and compiled, the context built; ph_tmpl_stream_run() renders it.
 */
typedef struct ph_tmpl_stream ph_tmpl_stream;

/* Where a streaming render's output goes: `len` (> 0) bytes at `data`,
 * borrowed for the call. May suspend (a slow client). Returns 0, or a
 * negative PH_E* that stops the render. */
typedef int (*ph_tmpl_write_fn)(void *ud, const char *data, size_t len);

/*
 * Prepare a streaming render of template `name`: it is found and compiled,
 * and the context built (context processors run), now, so that a missing
 * template or a syntax error is known before any output; nothing renders
 * until ph_tmpl_stream_run().
 *
 * Returns:  the stream; NULL with the error in *err (the codes of
 *           ph_tmpl_render(): PH_ENOTFOUND, PH_ETEMPLATE, PH_ENOMEM,
 *           PH_EINVAL for a NULL env or name, or a context not an object).
 * Owns:     steals `context`, on every path; free the stream with
 *           ph_tmpl_stream_free(). The environment must outlive it.
 * Suspends: as ph_tmpl_render() (loading the template).
 * Context:  `user` is handed to context processors, now and while it runs.
 */
PH_EXTERN ph_tmpl_stream *ph_tmpl_stream_new(ph_tmpl_env *env, const char *name,
                                             json_t *context, void *user, ph_tmpl_error *err);

/*
 * The same for `source` given as a template ("<string>", autoescaped under
 * the Flask rule, as ph_tmpl_render_string()). The compiled source belongs
 * to the stream.
 *
 * Returns, Owns, Suspends: as ph_tmpl_stream_new().
 */
PH_EXTERN ph_tmpl_stream *ph_tmpl_stream_new_string(ph_tmpl_env *env, const char *source,
                                                    json_t *context, void *user,
                                                    ph_tmpl_error *err);

/*
 * Render the stream, handing the output to write(ud, ...) in pieces as it
 * is made: whenever `chunk` bytes (0: 16 KiB) are buffered, before each call
 * into the app's C filters, tests and global functions when anything is
 * buffered (they may suspend: the reader sees the page up to there
 * meanwhile), and the rest at the end. The pieces joined are the bytes
 * ph_tmpl_render() makes. Output a capture is still building (a block
 * `set`, a filter block, a macro's `caller()`) is held until the capture
 * ends. max_output bounds what is buffered at once (and, as in any render,
 * each string made), not the total sent; memory stays at about one chunk,
 * or the longest single piece printed.
 *
 * Returns:  0 once everything is written; a render error (its code, with
 *           *err set; output already written stays written, and what was
 *           buffered since is dropped); the code write() returned, which
 *           stops the render at once (*err says so too); PH_EINVAL for a
 *           NULL stream or write, or a stream already run.
 * Owns:     `err` (may be NULL) is the caller's. A stream runs once.
 * Suspends: yes, when write(), the app's C functions or the loader do.
 */
PH_EXTERN int ph_tmpl_stream_run(ph_tmpl_stream *s, ph_tmpl_write_fn write, void *ud,
                                 size_t chunk, ph_tmpl_error *err);

/* Free a stream, run or not. NULL does nothing. Suspends: no. */
PH_EXTERN void ph_tmpl_stream_free(ph_tmpl_stream *s);

/*
 * Check that `name` compiles, without rendering it.
 *
 * Returns:  0; the codes of ph_tmpl_render().
 * Suspends: as ph_tmpl_render().
 */
PH_EXTERN int ph_tmpl_check(ph_tmpl_env *env, const char *name, ph_tmpl_error *err);

/* Free what the template functions returned. NULL does nothing. Suspends: no. */
PH_EXTERN void ph_tmpl_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
