/*
 * Media types: parsing a Content-Type (or Content-Disposition) header value
 * into its type and parameters (RFC 9110 section 8.3.1, RFC 6266), and the
 * media type to send for a file name (static files, send_file).
 */
#ifndef PH_UTIL_MIME_H
#define PH_UTIL_MIME_H

#include "arena.h"
#include "phial/common.h"

#include <stdbool.h>
#include <stddef.h>

/* One parameter as it appears in the header: the value still quoted. */
typedef struct ph_mime_param {
    ph_slice name;  /* token, as written (compare case-insensitively) */
    ph_slice value; /* token, or the text between the quotes with escapes left in */
    bool quoted;    /* the value was a quoted-string */
} ph_mime_param;

/*
 * Read the next parameter of `s` starting at *pos, the header value after
 * its first element (e.g. after "text/html" or "form-data"): skips
 * whitespace and empty ";" runs, then reads `; name=value`. A parameter
 * without '=' is returned with an empty value. *pos moves past it.
 *
 * Returns:  1 with *out filled; 0 at the end; PH_EPARSE for a missing ';',
 *           a bad name or an unterminated quoted-string.
 * Owns:     *out points into `s`.
 * Suspends: no.
 */
int ph__mime_next_param(const char *s, size_t len, size_t *pos, ph_mime_param *out);

/*
 * Undo quoted-string escaping as Werkzeug's unquote_header_value does: only
 * \\ and \" lose their backslash, so a Windows path "C:\dir\f.txt" in a
 * filename survives. `dst` may equal `src`.
 *
 * Returns:  the unquoted length.
 * Suspends: no.
 */
size_t ph__mime_unquote(char *dst, const char *src, size_t len);

/*
 * Decode an RFC 8187 (RFC 5987) ext-value such as UTF-8''%e2%82%ac%20rates
 * in place: only the UTF-8 charset (any case) is accepted, the language is
 * skipped.
 *
 * Returns:  the decoded length; PH_EPARSE for another charset or a
 *           malformed value.
 * Suspends: no.
 */
ptrdiff_t ph__mime_decode_ext_value(char *s, size_t len);

#define PH_MIME_MAX_PARAMS 32

/* A parsed Content-Type; all strings are NUL-terminated arena copies. */
typedef struct ph_content_type {
    ph_slice mimetype;     /* "type/subtype", lower-cased */
    ph_slice type;         /* points into mimetype */
    ph_slice subtype;      /* points into mimetype */
    ph_slice charset;      /* the charset parameter unquoted; ptr NULL when absent */
    ph_slice boundary;     /* the boundary parameter unquoted; ptr NULL when absent */
    ph_mime_param *params; /* every parameter: names lower-cased, values unquoted */
    size_t nparams;
} ph_content_type;

/*
 * Parse a Content-Type value such as `multipart/form-data; boundary="x y"`.
 * The type and subtype must be tokens; parameter names are lower-cased;
 * when a parameter repeats, the first one is kept in charset/boundary.
 *
 * Returns:  0; PH_EPARSE for a malformed value; PH_ETOOBIG over
 *           PH_MIME_MAX_PARAMS parameters; PH_ENOMEM.
 * Owns:     *ct points into the arena.
 * Suspends: no.
 */
int ph__content_type_parse(ph_content_type *ct, ph_arena *a, const char *s, size_t len);

/*
 * The mimetype at the start of a Content-Type value as Werkzeug 2.2's
 * parse_options_header finds it, however malformed the rest: after
 * leading white space (Python's, the value read as Latin-1), the bytes up
 * to the first ';', ',' or white space ("a b" gives "a"; "; x" gives "").
 *
 * Returns:  the span inside `s`, case as given; ptr NULL for a NULL `s`.
 * Suspends: no.
 */
ph_slice ph__mime_leading_type(const char *s, size_t len);

/*
 * Whether a mimetype ("type/subtype", lower-case, no parameters) is JSON as
 * Flask's request.is_json sees it: application/json or application/...+json.
 */
bool ph__mime_is_json(const char *mimetype, size_t len);

/*
 * The Content-Type to send for a file name, chosen as Werkzeug's send_file
 * does on Debian 12 (Python's mimetypes, then "; charset=utf-8" for text types,
 * +xml and a few application types): "x.css" gives "text/css;
 * charset=utf-8". The extension is matched case-insensitively. A trailing
 * compression suffix (.gz .bz2 .xz .br .Z) is reported in *encoding (may be
 * NULL) and the type comes from the extension before it, as mimetypes'
 * guess_type does ("a.tar.gz" is application/x-tar with encoding "gzip").
 *
 * Returns:  a static string; "application/octet-stream" when unknown.
 * Suspends: no.
 */
const char *ph__mime_guess(const char *filename, size_t len, const char **encoding);

/*
 * The Content-Type for one extension without the dot ("png").
 *
 * Returns:  a static string; NULL when unknown.
 * Suspends: no.
 */
const char *ph__mime_by_ext(const char *ext, size_t len);

#endif
