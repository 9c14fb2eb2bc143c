/*
 * The pure pieces behind ph_send_file() and the static folder, kept apart
 * from the I/O so they can be unit-tested and fuzzed: safe joining of an
 * untrusted path to a directory (safe_join.c), the conditional-request
 * decision of Werkzeug's make_conditional (conditional.c), and the response
 * headers Werkzeug's send_file writes (send_headers.c).
 * docs/internals/static.md explains each choice.
 */
#ifndef PH_APP_SEND_FILE_H
#define PH_APP_SEND_FILE_H

#include "phial/common.h"
#include "util/arena.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- safe joining (safe_join.c) -------------------------------------------- */

/*
 * POSIX normpath, as Python's posixpath.normpath: "." and empty components
 * dropped, "x/.." folded, leading ".." kept, one or two leading slashes kept
 * (three or more become one), "" and "." give ".". Writes a NUL-terminated
 * result into out[0, cap).
 *
 * Returns:  the length; PH_ETOOBIG when `out` is too small.
 * Suspends: no.
 */
ptrdiff_t ph__normpath(char *out, size_t cap, const char *path, size_t len);

/*
 * Join the trusted `dir` and the untrusted `path` as Werkzeug's safe_join
 * does: `path` is normalised and refused when it is absolute, is "..", or
 * starts with "../" after normalisation; phial also refuses a backslash or
 * a NUL anywhere in it. An empty `dir` means ".". The result is
 * dir + "/" + normpath(path) (no slash added when `dir` ends with one; an
 * empty `path` gives dir + "/"), NUL-terminated in out[0, cap).
 *
 * Returns:  the length; PH_ENOTFOUND the path is refused; PH_ETOOBIG when
 *           `out` is too small.
 * Suspends: no.
 */
ptrdiff_t ph__safe_join(char *out, size_t cap, const char *dir, size_t dlen, const char *path,
                        size_t plen);

/* ---- conditional requests (conditional.c) ---------------------------------- */

/* What make_conditional looks at; NULL strings are absent headers. */
typedef struct ph__cond {
    bool get_or_head;              /* the method is GET or HEAD (else: always 200) */
    bool accept_ranges;            /* range requests are served */
    const char *range;             /* Range */
    const char *if_range;          /* If-Range */
    const char *if_none_match;     /* If-None-Match (every field joined with ",") */
    const char *if_match;          /* If-Match (likewise) */
    const char *if_modified_since; /* If-Modified-Since */
    const char *etag;              /* the response's ETag header as sent ("\"x\""); NULL: none */
    bool has_last_modified;
    int64_t last_modified; /* the Last-Modified sent, in whole seconds */
    uint64_t size;         /* the complete length */
} ph__cond;

/*
 * Decide the status of a file response as Werkzeug 2.2's make_conditional
 * with accept_ranges and complete_length: 206 with *start and *len for a
 * satisfiable single byte range, 416 for a Range that does not parse or
 * cannot be satisfied, 304 when not modified, 412 when If-Match fails, and
 * otherwise 200 with the whole file.
 *
 * Returns:  200, 206, 304, 412 or 416.
 * Suspends: no.
 */
int ph__conditional_eval(const ph__cond *c, uint64_t *start, uint64_t *len);

/* One parsed byte range, Werkzeug's Range with a single (begin, end) pair. */
typedef struct ph__range {
    int64_t begin;   /* negative for a suffix range "-n" */
    int64_t end;     /* exclusive; -1 when open ("a-") */
    size_t nranges;  /* how many ranges the header held (only the first is kept) */
    bool bytes_unit; /* the unit was "bytes" (any case) */
} ph__range;

/*
 * Parse a Range header value as Werkzeug's parse_range_header does
 * (bytes=a-b, a-, -n; several comma-separated ranges must ascend).
 *
 * Returns:  0; PH_EPARSE malformed.
 * Suspends: no.
 */
int ph__range_parse(const char *s, size_t len, ph__range *r);

/* Werkzeug's ETags tested against one entity-tag. */
typedef struct ph__etag_match {
    bool nonempty; /* the list held anything at all */
    bool star;     /* "*" */
    bool strong;   /* the tag is in the list as a strong tag */
    bool weak;     /* the tag is in the list as a weak tag */
} ph__etag_match;

/*
 * Look for the (unquoted) entity-tag `tag` in the list `s` as Werkzeug's
 * parse_etags reads it.
 * Suspends: no.
 */
ph__etag_match ph__etags_match(const char *s, size_t len, const char *tag, size_t tlen);

/* ---- response headers (send_headers.c) ------------------------------------- */

/*
 * A float as Python's repr() writes it (the shortest text that reads back
 * as the same double): 1577934245.5, 1577934245.0, 1e+16. Writes a
 * NUL-terminated result into out[0, cap) (32 bytes are always enough).
 *
 * Returns:  the length; PH_ETOOBIG when `out` is too small.
 * Suspends: no.
 */
int ph__py_float_repr(double x, char *out, size_t cap);

/*
 * The value of Content-Disposition as Werkzeug's send_file writes it:
 * `inline; filename=a.txt` or `attachment; filename="a b.txt"`; for a
 * non-ASCII name an ASCII fallback (accents stripped, as NFKD then dropping
 * what is not ASCII does for Latin letters) plus filename*=UTF-8''...
 *
 * Returns:  the value in the arena; NULL when out of memory.
 * Suspends: no.
 */
char *ph__content_disposition(ph_arena *a, bool attachment, const char *name);

/*
 * The Content-Type Werkzeug sends for a given mimetype: "; charset=utf-8"
 * added to text/ types, +xml types and a few application types when the
 * value does not name a charset already.
 *
 * Returns:  the value in the arena (or `mimetype` itself); NULL when out of memory.
 * Suspends: no.
 */
const char *ph__content_type_for(ph_arena *a, const char *mimetype);

#endif
