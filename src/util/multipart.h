/*
 * Streaming multipart/form-data parser (RFC 7578, RFC 2046 section 5.1).
 *
 * Feed it the request body in chunks of any size, split anywhere (inside a
 * boundary too); it calls back with each part's start (its parsed
 * Content-Disposition and Content-Type), the part's data in pieces, and the
 * part's end. It buffers only one part's header block, so the framework can
 * keep small fields in memory and spool files to disk as they arrive.
 *
 * It is strict where laxness would hide trouble: line breaks are CRLF, each
 * part must carry Content-Disposition: form-data with a name, the body must
 * end with the close delimiter, and every buffer and count has a limit. A
 * line that starts like a delimiter but is not one ("--boundaryX") is data.
 */
#ifndef PH_UTIL_MULTIPART_H
#define PH_UTIL_MULTIPART_H

#include "phial/common.h"

#include <stddef.h>

#define PH_MULTIPART_MAX_BOUNDARY 70 /* RFC 2046: 1 to 70 characters */
#define PH_MULTIPART_DEFAULT_MAX_PARTS 1000
#define PH_MULTIPART_DEFAULT_MAX_HEADER_SIZE 8192
#define PH_MULTIPART_MAX_PADDING 32 /* transport padding after a delimiter */

/* What on_part_begin learns about a part; every slice points into the
 * parser's header buffer and is valid only during the callback. */
typedef struct ph_multipart_part {
    ph_slice name;         /* Content-Disposition name, unquoted */
    ph_slice filename;     /* ptr NULL for a plain field; filename* (UTF-8) wins */
    ph_slice content_type; /* the Content-Type value, trimmed; ptr NULL when absent */
    ph_slice headers;      /* the whole header block, lines joined by CRLF */
} ph_multipart_part;

/* Callbacks return 0 to go on or a negative PH_E* code to stop the parse
 * (ph__multipart_feed then returns that code). All three are required. */
typedef struct ph_multipart_callbacks {
    int (*on_part_begin)(void *data, const ph_multipart_part *part);
    int (*on_part_data)(void *data, const char *chunk, size_t len); /* len > 0 */
    int (*on_part_end)(void *data);
} ph_multipart_callbacks;

/* Limits; zero means the default. */
typedef struct ph_multipart_limits {
    size_t max_parts;       /* most parts; PH_ETOOBIG beyond */
    size_t max_header_size; /* most bytes in one part's header block; PH_ETOOBIG beyond */
} ph_multipart_limits;

typedef enum ph__multipart_state {
    PH__MP_PREAMBLE,    /* before the first delimiter: discarded */
    PH__MP_AFTER_DELIM, /* a delimiter matched: "--", padding or CRLF next */
    PH__MP_DASH,        /* "-" after a delimiter */
    PH__MP_PADDING,     /* transport padding after a delimiter */
    PH__MP_CR,          /* CR after a delimiter (and padding) */
    PH__MP_HEADERS,     /* a part's header block */
    PH__MP_DATA,        /* a part's body */
    PH__MP_EPILOGUE,    /* after the close delimiter: discarded */
    PH__MP_ERROR,       /* a call failed; every later call returns the error */
} ph__multipart_state;

/* The parser; the caller owns the storage (_init/_close). All private. */
typedef struct ph_multipart {
    ph__multipart_state state;
    int err;
    int in_part;                               /* data belongs to a part */
    size_t k;                                  /* delimiter bytes matched so far */
    size_t dlen;                               /* length of delim */
    char delim[4 + PH_MULTIPART_MAX_BOUNDARY]; /* CRLF "--" boundary */
    char pad[PH_MULTIPART_MAX_PADDING];        /* transport padding seen */
    size_t npad;
    char *hbuf; /* header block being read */
    size_t hlen, hmax, hmatch;
    size_t parts, max_parts;
    const ph_multipart_callbacks *cb;
    void *data;
} ph_multipart;

/*
 * Set up a parser for `boundary` (the Content-Type parameter, unquoted).
 * `lim` may be NULL for the defaults. `cb` must outlive the parser.
 *
 * Returns:  0; PH_EPARSE for an empty, over-long (> 70) or ill-formed
 *           boundary (RFC 2046 bchars); PH_EINVAL for a NULL argument or a
 *           missing callback; PH_ENOMEM.
 * Owns:     allocates the header buffer; ph__multipart_close frees it.
 * Suspends: no.
 */
int ph__multipart_init(ph_multipart *mp, const char *boundary, size_t blen,
                       const ph_multipart_callbacks *cb, void *data,
                       const ph_multipart_limits *lim);

/* Free the header buffer. Safe on a zeroed or already closed parser. */
void ph__multipart_close(ph_multipart *mp);

/*
 * Parse the next `len` bytes of the body, calling back as parts begin, carry
 * data and end.
 *
 * Returns:  `len` (everything is consumed); PH_EPARSE for a malformed body
 *           (bad part headers, bare CR or LF in them, missing or non
 *           form-data Content-Disposition, missing name, too much transport
 *           padding); PH_ETOOBIG over max_parts or max_header_size; a
 *           callback's error. After an error every call returns it again.
 * Owns:     borrows `chunk` for the call.
 * Suspends: no (callbacks run synchronously).
 */
ptrdiff_t ph__multipart_feed(ph_multipart *mp, const char *chunk, size_t len);

/*
 * Say the body has ended.
 *
 * Returns:  0 when the close delimiter was seen; PH_EPARSE when it was not
 *           (the body was cut short); the earlier error after a failure.
 * Suspends: no.
 */
int ph__multipart_finish(ph_multipart *mp);

#endif
