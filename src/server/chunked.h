/*
 * Streaming decoder for the chunked transfer coding of request bodies
 * (RFC 9112 section 7.1). It keeps its own state between calls, so the caller
 * feeds it whatever bytes arrived and gets back the body data in them, either
 * as spans of its buffer (zero-copy) or compacted in place. It never
 * allocates. docs/internals/http_parser.md describes it with the head parser.
 */
#ifndef PH_SERVER_CHUNKED_H
#define PH_SERVER_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "phial/common.h"

/* Longest chunk-size line (size, extensions, CRLF); longer: PH_EPARSE. */
#define PH__CHUNKED_MAX_LINE 4096
/* Largest trailer section (all trailer field lines, each CRLF, the final CRLF): PH_EHDRTOOLARGE. */
#define PH__CHUNKED_MAX_TRAILER 8192

/* Where the decoder stands; one explicit state per position in the grammar. */
typedef enum ph__chunked_state {
    PH__CHUNKED_SIZE = 0,      /* reading the hex digits of a chunk size */
    PH__CHUNKED_SIZE_WS,       /* whitespace after the size: a ';' must follow */
    PH__CHUNKED_EXT,           /* in chunk extensions, up to the CR */
    PH__CHUNKED_SIZE_LF,       /* the size line's CR seen: LF must follow */
    PH__CHUNKED_DATA,          /* in chunk data: `left` bytes remain */
    PH__CHUNKED_DATA_CR,       /* after chunk data: CR must follow */
    PH__CHUNKED_DATA_LF,       /* after chunk data and CR: LF must follow */
    PH__CHUNKED_TRAILER,       /* at the start of a trailer field line or the final CRLF */
    PH__CHUNKED_TRAILER_NAME,  /* in a trailer field name */
    PH__CHUNKED_TRAILER_VALUE, /* in a trailer field value, up to the CR */
    PH__CHUNKED_TRAILER_LF,    /* a trailer line's CR seen: LF must follow */
    PH__CHUNKED_END_LF,        /* the final CR seen: LF must follow */
    PH__CHUNKED_DONE,          /* the whole body has been read */
    PH__CHUNKED_ERROR,         /* a previous call failed; `error` says why */
} ph__chunked_state;

/* Decoder state; the caller's storage, set up by ph__chunked_init(). */
typedef struct ph__chunked {
    /* read-only */
    ph__chunked_state state;
    uint64_t total; /* body bytes decoded so far */
    /* private */
    uint64_t left;     /* data bytes left in this chunk; while reading a size, its value */
    uint64_t max_body; /* UINT64_MAX when no limit was given */
    size_t line;       /* bytes of the current size line */
    size_t trailer;    /* bytes of the trailer section so far */
    int digits;        /* hex digits read in this size */
    int error;         /* the sticky error once state is PH__CHUNKED_ERROR */
} ph__chunked;

/*
 * Prepare `c` to decode one body. A body whose data exceeds `max_body` bytes
 * (0 = no limit) is refused with PH_EBODYTOOLARGE as soon as a chunk size
 * announces it, before its data arrives.
 *
 * Returns:  nothing.
 * Suspends: no.
 */
void ph__chunked_init(ph__chunked *c, uint64_t max_body);

/*
 * Decode from buf[0, len). Reads framing until it reaches chunk data, then
 * returns the data available in this buffer as `*data` (a span of `buf`,
 * possibly empty) and stops right after it; call again with the rest. Once
 * the body is complete (ph__chunked_done) it consumes nothing more: the
 * remaining bytes belong to the next request. Incomplete framing is kept in
 * `c`, so all given bytes are consumed until the body ends.
 *
 * Returns:  bytes consumed (0 only when len is 0 or the body is done);
 *           PH_EPARSE malformed framing; PH_EBODYTOOLARGE over max_body;
 *           PH_EHDRTOOLARGE trailers over PH__CHUNKED_MAX_TRAILER; PH_EINVAL
 *           bad arguments. After an error every call returns it again.
 * Owns:     nothing; `*data` points into `buf`.
 * Suspends: no.
 */
int ph__chunked_decode(ph__chunked *c, const char *buf, size_t len, ph_slice *data);

/*
 * Like ph__chunked_decode() over the whole buffer, but moves the decoded data
 * to the front of `buf` and sets `*data_len` to its length. Bytes past the
 * returned count (the next request, once the body is done) are left in place.
 *
 * Returns:  bytes consumed, or the errors of ph__chunked_decode().
 * Owns:     nothing.
 * Suspends: no.
 */
int ph__chunked_decode_inplace(ph__chunked *c, char *buf, size_t len, size_t *data_len);

/* Whether the terminating chunk and trailers have been read. Suspends: no. */
bool ph__chunked_done(const ph__chunked *c);

#endif
