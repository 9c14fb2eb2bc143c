/*
 * phial — static files: Flask's send_file, send_from_directory and the
 * app's static folder.
 *
 * A file response is built as Werkzeug 2.2's send_file builds it: the
 * media type from the file name, Content-Length, Last-Modified, an ETag,
 * Cache-Control (no-cache, or public with max-age), Content-Disposition,
 * and make_conditional's handling of If-None-Match, If-Modified-Since,
 * If-Match, If-Range and Range (one byte range: 206; a Range that cannot be
 * satisfied, or several ranges: 416). The file is stat'ed and read on the
 * thread pool in 64 KiB pieces while the body streams, so a large file
 * never sits in memory and the loop never waits for the disk.
 * docs/static.md is the guide; docs/internals/static.md the design.
 */
#ifndef PHIAL_STATIC_H
#define PHIAL_STATIC_H

#include "app.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Options of ph_send_file() and ph_send_from_directory(); zero means Flask's default. */
typedef struct ph_send_opts {
    int reserved_;             /* private */
    const char *mimetype;      /* default: guessed from download_name, else the file name */
    bool as_attachment;        /* Content-Disposition: attachment instead of inline */
    const char *download_name; /* the name offered to the browser; default the file's name */
    int conditional;           /* 0 default (on): 304/206/416/412; -1 off: always the whole file */
    const char *etag;          /* an ETag to send instead of "{mtime}-{size}-{adler32(path)}" */
    bool no_etag;              /* send no ETag at all */
    int64_t last_modified;     /* Unix time to send instead of the file's mtime... */
    bool has_last_modified;    /* ...when this is set */
    int64_t max_age;           /* seconds the client may cache the file... */
    bool has_max_age;          /* ...when this is set; else SEND_FILE_MAX_AGE_DEFAULT */
    bool confine_symlinks;     /* ph_send_from_directory: 404 when the file, with every
                                  symbolic link resolved, lies outside the directory */
} ph_send_opts;

/*
 * A response sending the file at `path` (Flask's send_file). A relative
 * path is relative to the current directory. `path` is trusted: never pass
 * a path that came from the client; use ph_send_from_directory() for that.
 *
 * Cache-Control is "no-cache" unless a max-age is given (.max_age, or the
 * integer config key SEND_FILE_MAX_AGE_DEFAULT): then "public, max-age=N"
 * (N > 0) or "no-cache, max-age=N", with Expires. For GET and HEAD (unless
 * .conditional is -1) the answer may be 304 Not Modified, 206 Partial Content
 * with Content-Range, 412 Precondition Failed (If-Match) or 416 Range Not
 * Satisfiable with a Content-Range giving the size (through the error
 * handlers, as ph_abort(416) would).
 *
 * Returns:  the response (a streaming one: the file is read while it is
 *           sent). On failure an error is recorded on the request and the
 *           result (NULL or ph_abort()'s marker) is to be returned from the
 *           view as it is: 500 when the file cannot be stat'ed or is not a
 *           regular file (Flask's uncaught FileNotFoundError), or out of
 *           memory; 416 for an unsatisfiable range. NULL for a NULL request.
 * Owns:     copies `path` and the option strings.
 * Suspends: yes, while the file is stat'ed (and later while it is read).
 * Context:  inside a request.
 * Example:
 *     return ph_send_file(req, "reports/2024.pdf", .as_attachment = true);
 */
PH_EXTERN ph_response *ph_send_file_(ph_request *req, const char *path, const ph_send_opts *opts);
#define ph_send_file(req, path, ...)                                                               \
    ph_send_file_((req), (path), &(ph_send_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Send the file at `path` under `directory` (Flask's send_from_directory):
 * `path` may come from the client. It is joined as Werkzeug's safe_join
 * does, and the request fails with 404 when it would leave the directory
 * ("..", "../x", "a/../../x", an absolute path), holds a backslash or a NUL,
 * when the request's URL path held an encoded '/' (%2F), '\' (%5C) or a NUL
 * (%00), or when the result is not a regular file. Symbolic links inside
 * the directory are followed, as in Werkzeug, unless .confine_symlinks.
 *
 * Returns:  as ph_send_file(); a 404 is recorded (ph_abort()'s marker
 *           returned) for a refused or missing file.
 * Owns:     copies what it keeps.
 * Suspends: yes (stat, and the read while the body is sent).
 * Context:  inside a request.
 * Example:
 *     static ph_response *download(ph_request *req) {
 *         return ph_send_from_directory(req, "uploads", ph_view_arg(req, "name"));
 *     }
 */
PH_EXTERN ph_response *ph_send_from_directory_(ph_request *req, const char *directory,
                                               const char *path, const ph_send_opts *opts);
#define ph_send_from_directory(req, directory, path, ...)                                          \
    ph_send_from_directory_((req), (directory), (path),                                            \
                            &(ph_send_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Serve `folder` at `url_path` (Flask's static route): registers the rule
 * "<url_path>/<path:filename>" with endpoint "static" (GET, with HEAD and
 * OPTIONS), whose view is ph_send_from_directory(folder, filename) with
 * SEND_FILE_MAX_AGE_DEFAULT as the max age. `folder` NULL means "static";
 * a relative folder is made absolute against the current directory now.
 * `url_path` NULL means "/" + the folder's last component ("/static"); ""
 * serves the folder at the root. The folder need not exist yet. The view
 * follows symbolic links unless the config key STATIC_CONFINE_SYMLINKS is
 * true at request time.
 *
 * url_for(req, "static", .values = json_pack("{s:s}", "filename", "app.css"))
 * builds "/static/app.css". The absolute folder is kept in the rule's
 * defaults under "_static_folder" (so it also shows among the view
 * arguments).
 *
 * Returns:  0; PH_EINVAL a url_path not starting with '/' (other than ""), or
 *           a NULL app; PH_ENOMEM; PH_EBUSY after the first request; PH_ESYS
 *           the current directory cannot be read; any other error of ph_route().
 * Owns:     copies both strings.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_static_register(ph_app *app, const char *url_path, const char *folder);

/*
 * Join the trusted `directory` and the untrusted `path` (Werkzeug's
 * safe_join, also refusing backslashes): directory + "/" + the normalised
 * path, or NULL when the path would leave the directory.
 *
 * Returns:  the joined path in the request's arena; NULL when refused, out
 *           of memory, or `req` or `path` is NULL.
 * Suspends: no.
 */
PH_EXTERN char *ph_safe_join(ph_request *req, const char *directory, const char *path);

#ifdef __cplusplus
}
#endif
#endif
