/*
 * Strict, zero-copy, incremental HTTP/1.1 request-head parser (RFC 9112).
 *
 * The server calls ph__http_parse_request() on its per-connection read buffer
 * each time bytes arrive. Nothing is copied and nothing is allocated: every
 * slice in the result points into the caller's buffer and stays valid while
 * those bytes do. The body is not parsed here; the result says how it is
 * framed (none, Content-Length, chunked: see src/server/chunked.h).
 * docs/internals/http_parser.md explains the rules and why.
 */
#ifndef PH_SERVER_HTTP_PARSER_H
#define PH_SERVER_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "phial/common.h"
#include "phial/http.h"
#include "util/http_chars.h"

/* Defaults used when a limits field is zero (or the limits pointer is NULL). */
#define PH__HTTP_DEFAULT_MAX_REQUEST_LINE 8192
#define PH__HTTP_DEFAULT_MAX_HEADER_BYTES 16384
#define PH__HTTP_DEFAULT_MAX_HEADERS 100
/* Empty lines (CRLF) ignored before a request line, RFC 9112 section 2.2. */
#define PH__HTTP_MAX_LEADING_EMPTY_LINES 4


/* Limits on one request head. In every field zero means the default. */
typedef struct ph__http_limits {
    size_t max_request_line; /* bytes of the request line without CRLF; over it: 414 */
    size_t max_header_bytes; /* bytes of the field lines and the final CRLF (the request
                                line not counted); over it: 431 */
    size_t max_headers;      /* field lines; over it: 431 */
    uint64_t max_body;       /* Content-Length above it: 413; zero = not checked here */
} ph__http_limits;

/* How the request body is delimited (RFC 9112 section 6.3). */
typedef enum ph__http_framing {
    PH__HTTP_BODY_NONE = 0, /* no body: neither Content-Length nor Transfer-Encoding */
    PH__HTTP_BODY_LENGTH,   /* exactly content_length bytes follow (may be 0) */
    PH__HTTP_BODY_CHUNKED,  /* chunked coding follows: feed it to ph__chunked_* */
} ph__http_framing;

/* One field line; name and value point into the caller's buffer. */
typedef struct ph__http_header {
    ph_slice name;  /* as sent (case preserved), a non-empty token */
    ph_slice value; /* leading and trailing SP/HTAB removed; may be empty */
} ph__http_header;

/* A parsed request head. Every slice points into the buffer given to the parser. */
typedef struct ph__http_request {
    ph_slice method;          /* the method token as sent, e.g. "GET" or "PROPFIND" */
    unsigned method_bit;      /* PH_GET, PH_POST, ... from phial/http.h; 0 if not one of those */
    ph_slice target;          /* the request target as sent: "/a/b?x=1" or "*" */
    ph_slice path;            /* target up to the first '?' (the whole target if none) */
    ph_slice query;           /* bytes after the first '?'; len 0 (ptr NULL) if no '?' */
    int minor_version;        /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
    ph__http_header *headers; /* the caller's array, filled in order, duplicates kept */
    size_t num_headers;       /* entries used in `headers` */
    ph_slice host;            /* value of the Host field; len 0 (ptr NULL) if absent */
    ph__http_framing framing; /* how the body is delimited */
    uint64_t content_length;  /* for PH__HTTP_BODY_LENGTH; 0 otherwise */
    bool keep_alive;          /* the connection may serve another request after this one */
    bool expect_continue;     /* HTTP/1.1 "Expect: 100-continue" was sent */
    bool upgrade;             /* an Upgrade field was sent with "upgrade" in Connection */
} ph__http_request;

/*
 * Parse one request head (request line and field lines) at the start of
 * buf[0, len). Call it again with the same buffer, grown, each time more bytes
 * arrive. `*scan_hint` is an opaque cursor that makes repeated calls cost
 * O(new bytes): set it to 0 before the first call for each request and pass it
 * back unchanged. `lim` may be NULL (all defaults). `headers` receives up to
 * `max_headers` field lines; more than that, or than lim->max_headers, is 431.
 * A too-long request line or head is reported as soon as the limit is passed,
 * before the head is complete. Up to PH__HTTP_MAX_LEADING_EMPTY_LINES empty
 * lines before the request line are skipped and counted in the return value.
 *
 * Returns:  bytes of the head, the blank line included (> 0): the body or the
 *           next pipelined request starts there; PH_EAGAIN need more bytes;
 *           PH_EURITOOLONG, PH_EHDRTOOLARGE, PH_EBODYTOOLARGE, PH_EVERSION,
 *           PH_ENOTIMPL (CONNECT; a transfer coding other than chunked),
 *           PH_EPARSE (anything else malformed); PH_EINVAL bad arguments.
 *           ph__http_error_status() gives the response status for each.
 * Owns:     nothing; `out` and `headers` point into `buf`.
 * Suspends: no.
 */
int ph__http_parse_request(const char *buf, size_t len, size_t *scan_hint,
                           const ph__http_limits *lim, ph__http_request *out,
                           ph__http_header *headers, size_t max_headers);

/*
 * The HTTP status a server sends for a parse error: PH_EURITOOLONG 414,
 * PH_EHDRTOOLARGE 431, PH_EBODYTOOLARGE 413, PH_EVERSION 505, PH_ENOTIMPL 501,
 * PH_ELENGTHREQ 411, PH_EMEDIATYPE 415, any other negative code 400.
 *
 * Returns:  the status; 0 for err >= 0 (not an error).
 * Suspends: no.
 */
int ph__http_error_status(int err);

/*
 * Find a field by name (ASCII case-insensitive) among the parsed headers,
 * starting at index `*from` (may be NULL: from 0). On success `*from` is set
 * past the match, so a loop finds every duplicate in order.
 *
 * Returns:  the field, or NULL if there is no (further) one.
 * Suspends: no.
 */
const ph__http_header *ph__http_find_header(const ph__http_request *req, const char *name,
                                            size_t name_len, size_t *from);

#endif
