/*
 * Chunked transfer coding decoder for request bodies, RFC 9112 section 7.1:
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *
 * A byte-at-a-time state machine (one explicit enum) for the framing, and a
 * single span per call for the data, which is never copied. Strict as the
 * head parser is: CRLF only (no bare CR or LF), hex sizes without sign, "0x"
 * or overflow, a bounded size line, chunk extensions checked for forbidden
 * bytes and ignored, trailer fields checked (token name, colon, field-value
 * bytes), bounded and discarded. It does not decode other transfer codings
 * (the head parser refuses them) and does not allocate.
 *
 * References: RFC 9112 sections 7.1 (chunked), 7.1.1 (extensions), 7.1.2
 * (trailers); docs/internals/http_parser.md.
 */
#include "server/chunked.h"

#include <limits.h>
#include <string.h>

#include "server/http_parser.h"

#define CT(ch) ph__http_ctype[(unsigned char)(ch)]

void ph__chunked_init(ph__chunked *c, uint64_t max_body) {
    /* No limit is the largest one: the sum of sizes still cannot wrap. */
    *c = (ph__chunked){.state = PH__CHUNKED_SIZE, .max_body = max_body ? max_body : UINT64_MAX};
}

bool ph__chunked_done(const ph__chunked *c) {
    return c->state == PH__CHUNKED_DONE;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)(ch | 0x20);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static int fail(ph__chunked *c, int err) {
    c->state = PH__CHUNKED_ERROR;
    c->error = err;
    return err;
}

/* One byte of a chunk-size line: size digits, BWS, extensions, CR, LF. */
static int size_line_byte(ph__chunked *c, char ch) {
    if (++c->line > PH__CHUNKED_MAX_LINE)
        return PH_EPARSE;
    switch (c->state) {
    case PH__CHUNKED_SIZE: {
        int d = hexval(ch);
        if (d >= 0) {
            if (c->left > ((uint64_t)INT64_MAX >> 4))
                return PH_EPARSE; /* overflow */
            c->left = c->left << 4 | (uint64_t)d;
            c->digits++;
            if (c->left > c->max_body - c->total)
                return PH_EBODYTOOLARGE;
            return 0;
        }
        if (c->digits == 0)
            return PH_EPARSE;
        if (ch == ';')
            c->state = PH__CHUNKED_EXT;
        else if (ch == ' ' || ch == '\t')
            c->state = PH__CHUNKED_SIZE_WS;
        else if (ch == '\r')
            c->state = PH__CHUNKED_SIZE_LF;
        else
            return PH_EPARSE;
        return 0;
    }
    case PH__CHUNKED_SIZE_WS:
        if (ch == ';')
            c->state = PH__CHUNKED_EXT;
        else if (ch != ' ' && ch != '\t')
            return PH_EPARSE; /* BWS is only allowed before an extension */
        return 0;
    case PH__CHUNKED_EXT:
        if (ch == '\r')
            c->state = PH__CHUNKED_SIZE_LF;
        else if (!(CT(ch) & PH__HTTP_VALUE))
            return PH_EPARSE;
        return 0;
    default: /* PH__CHUNKED_SIZE_LF */
        if (ch != '\n')
            return PH_EPARSE;
        c->line = 0;
        c->digits = 0;
        if (c->left == 0) {
            c->state = PH__CHUNKED_TRAILER;
        } else {
            c->total += c->left;
            c->state = PH__CHUNKED_DATA;
        }
        return 0;
    }
}

/* One byte of the trailer section: field lines, then the final CRLF. */
static int trailer_byte(ph__chunked *c, char ch) {
    if (++c->trailer > PH__CHUNKED_MAX_TRAILER)
        return PH_EHDRTOOLARGE;
    switch (c->state) {
    case PH__CHUNKED_TRAILER:
        if (ch == '\r')
            c->state = PH__CHUNKED_END_LF;
        else if (CT(ch) & PH__HTTP_TCHAR)
            c->state = PH__CHUNKED_TRAILER_NAME;
        else
            return PH_EPARSE; /* also obs-fold and an empty name */
        return 0;
    case PH__CHUNKED_TRAILER_NAME:
        if (ch == ':')
            c->state = PH__CHUNKED_TRAILER_VALUE;
        else if (!(CT(ch) & PH__HTTP_TCHAR))
            return PH_EPARSE;
        return 0;
    case PH__CHUNKED_TRAILER_VALUE:
        if (ch == '\r')
            c->state = PH__CHUNKED_TRAILER_LF;
        else if (!(CT(ch) & PH__HTTP_VALUE))
            return PH_EPARSE;
        return 0;
    case PH__CHUNKED_TRAILER_LF:
        if (ch != '\n')
            return PH_EPARSE;
        c->state = PH__CHUNKED_TRAILER;
        return 0;
    default: /* PH__CHUNKED_END_LF */
        if (ch != '\n')
            return PH_EPARSE;
        c->state = PH__CHUNKED_DONE;
        return 0;
    }
}

int ph__chunked_decode(ph__chunked *c, const char *buf, size_t len, ph_slice *data) {
    if (!c || !data || (!buf && len))
        return PH_EINVAL;
    *data = (ph_slice){buf, 0};
    if (c->state == PH__CHUNKED_ERROR)
        return c->error;
    if (len > INT_MAX)
        len = INT_MAX; /* the caller loops on the count anyway */
    size_t i = 0;
    int rc = 0;
    while (i < len) {
        char ch = buf[i];
        switch (c->state) {
        case PH__CHUNKED_SIZE:
        case PH__CHUNKED_SIZE_WS:
        case PH__CHUNKED_EXT:
        case PH__CHUNKED_SIZE_LF:
            rc = size_line_byte(c, ch);
            break;
        case PH__CHUNKED_DATA: {
            size_t n = len - i;
            if (n > c->left)
                n = (size_t)c->left;
            *data = (ph_slice){buf + i, n};
            c->left -= n;
            if (c->left == 0)
                c->state = PH__CHUNKED_DATA_CR;
            return (int)(i + n);
        }
        case PH__CHUNKED_DATA_CR:
            if (ch != '\r')
                return fail(c, PH_EPARSE);
            c->state = PH__CHUNKED_DATA_LF;
            break;
        case PH__CHUNKED_DATA_LF:
            if (ch != '\n')
                return fail(c, PH_EPARSE);
            c->state = PH__CHUNKED_SIZE;
            break;
        case PH__CHUNKED_DONE:
            return (int)i;
        default:
            rc = trailer_byte(c, ch);
            break;
        }
        if (rc < 0)
            return fail(c, rc);
        i++;
    }
    return (int)i;
}

int ph__chunked_decode_inplace(ph__chunked *c, char *buf, size_t len, size_t *data_len) {
    if (!data_len)
        return PH_EINVAL;
    *data_len = 0;
    if (len > INT_MAX)
        len = INT_MAX;
    size_t off = 0, out = 0;
    while (off < len && c->state != PH__CHUNKED_DONE) {
        ph_slice d;
        int n = ph__chunked_decode(c, buf + off, len - off, &d);
        if (n < 0)
            return n;
        if (d.len) {
            memmove(buf + out, d.ptr, d.len);
            out += d.len;
        }
        off += (size_t)n;
    }
    *data_len = out;
    return (int)off;
}
