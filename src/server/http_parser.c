/*
 * HTTP/1.1 request-head parser: request line and field lines, RFC 9112
 * sections 2-7, strict on every point where leniency has enabled request
 * smuggling (CL/TE confusion, bare CR or LF, obs-fold, whitespace before the
 * colon, duplicate Content-Length). It does not read bodies (chunked.c does),
 * decode percent-escapes, split query strings, or allocate anything.
 *
 * It works in two passes over the head. The first (scan_head) only looks for
 * line ends with memchr, checks that each LF follows a CR, and enforces the
 * size limits; it remembers how far it got in the caller's scan hint, so a
 * client that trickles bytes costs O(n) in total and an oversized line is
 * refused as soon as it passes the limit. The second (parse_head) runs once
 * the blank line has arrived and validates every byte with one lookup in a
 * 256-entry class table; because the head is known to end in CRLF CRLF, its
 * loops need no bounds checks: each stops at the first CR.
 *
 * References: RFC 9112 (HTTP/1.1 message syntax), RFC 9110 sections 5
 * (fields), 7.2 (Host), 7.8 (Upgrade), 10.1.1 (Expect); docs/internals/http_parser.md.
 */
#include "server/http_parser.h"

#include <string.h>

#define CT(c) ph__http_ctype[(unsigned char)(c)]

/* Largest accepted limit, so that positions fit the packed scan hint and an int. */
#define LIMIT_CAP ((size_t)1 << 28)

_Static_assert(sizeof(size_t) >= 8, "the scan hint packs two 32-bit positions");

typedef struct limits {
    size_t max_rl, max_hdr, max_count;
    uint64_t max_body;
} limits;

static int resolve_limits(const ph__http_limits *lim, size_t max_headers, limits *l) {
    l->max_rl =
        lim && lim->max_request_line ? lim->max_request_line : PH__HTTP_DEFAULT_MAX_REQUEST_LINE;
    l->max_hdr =
        lim && lim->max_header_bytes ? lim->max_header_bytes : PH__HTTP_DEFAULT_MAX_HEADER_BYTES;
    l->max_count = lim && lim->max_headers ? lim->max_headers : PH__HTTP_DEFAULT_MAX_HEADERS;
    if (l->max_count > max_headers)
        l->max_count = max_headers;
    l->max_body = lim ? lim->max_body : 0;
    if (l->max_rl > LIMIT_CAP || l->max_hdr > LIMIT_CAP)
        return PH_EINVAL;
    return 0;
}

/* Bytes taken by the (bounded) run of empty lines before the request line. */
static size_t leading_empty(const char *buf, size_t len) {
    size_t n = 0;
    for (int k = 0; k < PH__HTTP_MAX_LEADING_EMPTY_LINES; k++) {
        if (n + 1 >= len || buf[n] != '\r' || buf[n + 1] != '\n')
            break;
        n += 2;
    }
    return n;
}

/* ---- Pass 1: find the end of the head, enforce sizes ------------------- */

/*
 * The hint packs the scan position (low 32 bits) and the offset just past the
 * request line's LF (high 32 bits, 0 while the request line is incomplete).
 * On success sets *start (first byte of the request line), *rl_end and *end
 * (just past the blank line).
 */
static int scan_head(const char *buf, size_t len, size_t *hint, const limits *l, size_t *start,
                     size_t *rl_end_out, size_t *end) {
    size_t pos = *hint & 0xffffffffu;
    size_t rl_end = *hint >> 32;
    if (pos > len || rl_end > pos)
        return PH_EINVAL;
    if (!rl_end) {
        /* A method starts with a token byte: anything else (a TLS handshake
         * sent to the plain port, binary noise) is refused at once rather
         * than held until the head timeout. */
        size_t ls = leading_empty(buf, len);
        if (ls < len && buf[ls] != '\r' && !(CT(buf[ls]) & PH__HTTP_TCHAR))
            return PH_EPARSE;
    }
    while (pos < len) {
        const char *lf = memchr(buf + pos, '\n', len - pos);
        if (!lf)
            break;
        size_t i = (size_t)(lf - buf);
        if (i == 0 || buf[i - 1] != '\r')
            return PH_EPARSE; /* bare LF */
        if (i >= 2 && buf[i - 2] == '\r')
            return PH_EPARSE; /* CR CR LF: no line may hold a CR, so fail now, not later */
        bool empty = i == 1 || buf[i - 2] == '\n';
        if (!rl_end) {
            if (empty) {
                if ((i + 1) / 2 > PH__HTTP_MAX_LEADING_EMPTY_LINES)
                    return PH_EPARSE;
            } else {
                size_t ls = leading_empty(buf, len);
                if (i - 1 - ls > l->max_rl)
                    return PH_EURITOOLONG;
                /* A request line ends in " HTTP/...": one without a version
                 * (HTTP/0.9's "GET /path") is refused now; pass 2 would
                 * only see it after a blank line that never comes. */
                const char *sp = memrchr(buf + ls, ' ', i - 1 - ls);
                if (!sp || (size_t)(buf + i - 1 - (sp + 1)) < 5 || memcmp(sp + 1, "HTTP/", 5) != 0)
                    return PH_EPARSE;
                rl_end = i + 1;
            }
        } else if (empty) {
            if (i + 1 - rl_end > l->max_hdr)
                return PH_EHDRTOOLARGE;
            *start = leading_empty(buf, len);
            *rl_end_out = rl_end;
            *end = i + 1;
            return 0;
        }
        pos = i + 1;
    }
    /* Incomplete: refuse now if the limit is already certain to be passed. */
    if (!rl_end) {
        size_t ls = leading_empty(buf, len);
        size_t line = len - ls - (len > ls && buf[len - 1] == '\r');
        if (len > ls && line > l->max_rl)
            return PH_EURITOOLONG;
    } else if (len - rl_end >= l->max_hdr) {
        return PH_EHDRTOOLARGE;
    }
    *hint = len | (rl_end << 32);
    return PH_EAGAIN;
}

/* ---- Pass 2: validate and split the head -------------------------------- */

/* ASCII case-insensitive compare of a token with a lowercase literal. */
static bool ieq(const char *s, const char *lit, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((s[i] | 0x20) != lit[i])
            return false;
    return true;
}

#define IEQ_LIT(sl, lit) ((sl).len == sizeof(lit) - 1 && ieq((sl).ptr, lit, sizeof(lit) - 1))

static bool is_ows(char c) {
    return c == ' ' || c == '\t';
}

/* What the field lines said about framing and the connection. */
typedef struct head_state {
    int hosts;
    bool has_cl, has_te;
    bool te_bad;    /* malformed Transfer-Encoding list, or chunked with parameters */
    int te_chunked; /* times "chunked" appeared */
    bool te_last_chunked;
    bool te_other; /* a coding other than chunked appeared */
    bool conn_close, conn_keep_alive, conn_upgrade, upgrade_field;
} head_state;

/* Content-Length = 1*DIGIT; anything else, or a value past INT64_MAX, is malformed. */
static int parse_content_length(ph_slice v, uint64_t *out) {
    if (v.len == 0)
        return PH_EPARSE;
    uint64_t n = 0;
    for (size_t i = 0; i < v.len; i++) {
        unsigned d = (unsigned char)v.ptr[i] - '0';
        if (d > 9 || n > ((uint64_t)INT64_MAX - d) / 10)
            return PH_EPARSE;
        n = n * 10 + d;
    }
    *out = n;
    return 0;
}

/* Skip a quoted-string starting at s[i] == '"'; returns the index past it or 0. */
static size_t skip_quoted(const char *s, size_t i, size_t n) {
    for (i++; i < n; i++) {
        if (s[i] == '"')
            return i + 1;
        if (s[i] == '\\' && ++i >= n)
            return 0;
    }
    return 0;
}

/*
 * One coding of a Transfer-Encoding list: token *( OWS ";" OWS token BWS "="
 * BWS ( token / quoted-string ) ), RFC 9112 section 7 and RFC 9110 5.6.6.
 */
static void te_element(head_state *h, const char *s, size_t n) {
    size_t i = 0;
    while (i < n && (CT(s[i]) & PH__HTTP_TCHAR))
        i++;
    if (i == 0) {
        h->te_bad = true;
        return;
    }
    bool chunked = i == 7 && ieq(s, "chunked", 7);
    h->te_chunked += chunked;
    h->te_other |= !chunked;
    h->te_last_chunked = chunked;
    while (i < n) {
        while (i < n && is_ows(s[i]))
            i++;
        if (i == n)
            break;
        if (s[i] != ';' || chunked) /* chunked takes no parameters */
            goto bad;
        for (i++; i < n && is_ows(s[i]); i++)
            ;
        size_t k = i;
        while (i < n && (CT(s[i]) & PH__HTTP_TCHAR))
            i++;
        if (i == k)
            goto bad;
        while (i < n && is_ows(s[i]))
            i++;
        if (i == n || s[i] != '=')
            goto bad;
        for (i++; i < n && is_ows(s[i]); i++)
            ;
        if (i < n && s[i] == '"') {
            if (!(i = skip_quoted(s, i, n)))
                goto bad;
        } else {
            k = i;
            while (i < n && (CT(s[i]) & PH__HTTP_TCHAR))
                i++;
            if (i == k)
                goto bad;
        }
    }
    return;
bad:
    h->te_bad = true;
}

/*
 * Call fn on each element of a comma-separated list (RFC 9110 5.6.1), trimmed
 * of OWS; empty elements are skipped, as the RFC requires. Commas inside a
 * quoted-string do not split.
 */
static void for_each_element(ph_slice v, head_state *h,
                             void (*fn)(head_state *, const char *, size_t)) {
    size_t i = 0, n = v.len;
    const char *s = v.ptr;
    while (i < n) {
        while (i < n && (is_ows(s[i]) || s[i] == ','))
            i++;
        size_t b = i;
        while (i < n && s[i] != ',') {
            if (s[i] == '"') {
                size_t q = skip_quoted(s, i, n);
                i = q ? q : n;
            } else {
                i++;
            }
        }
        size_t e = i;
        while (e > b && is_ows(s[e - 1]))
            e--;
        if (e > b)
            fn(h, s + b, e - b);
    }
}

static void connection_element(head_state *h, const char *s, size_t n) {
    if (n == 5 && ieq(s, "close", 5))
        h->conn_close = true;
    else if (n == 10 && ieq(s, "keep-alive", 10))
        h->conn_keep_alive = true;
    else if (n == 7 && ieq(s, "upgrade", 7))
        h->conn_upgrade = true;
}

/* Note what a field line means for framing and the connection. */
static int special_field(ph__http_request *out, head_state *h, const ph__http_header *f) {
    switch (f->name.len) {
    case 4:
        if (ieq(f->name.ptr, "host", 4)) {
            for (size_t i = 0; i < f->value.len; i++)
                if (!(CT(f->value.ptr[i]) & PH__HTTP_HOST))
                    return PH_EPARSE;
            h->hosts++;
            out->host = f->value;
        }
        break;
    case 6:
        if (ieq(f->name.ptr, "expect", 6) && IEQ_LIT(f->value, "100-continue"))
            out->expect_continue = out->minor_version == 1; /* RFC 9110 10.1.1 */
        break;
    case 7:
        if (ieq(f->name.ptr, "upgrade", 7))
            h->upgrade_field = true;
        break;
    case 10:
        if (ieq(f->name.ptr, "connection", 10))
            for_each_element(f->value, h, connection_element);
        break;
    case 14:
        if (ieq(f->name.ptr, "content-length", 14)) {
            if (h->has_cl) /* even an identical repeat: RFC 9112 6.3 allows no leniency here */
                return PH_EPARSE;
            h->has_cl = true;
            return parse_content_length(f->value, &out->content_length);
        }
        break;
    case 17:
        if (ieq(f->name.ptr, "transfer-encoding", 17)) {
            h->has_te = true;
            for_each_element(f->value, h, te_element);
        }
        break;
    }
    return 0;
}

/* Decide framing and keep-alive once every field line is known (RFC 9112 6.3, 9.3). */
static int finish(ph__http_request *out, const head_state *h, const limits *l) {
    if (h->hosts > 1 || (out->minor_version == 1 && h->hosts != 1))
        return PH_EPARSE; /* RFC 9112 3.2 */
    if (h->has_te) {
        if (h->has_cl || out->minor_version == 0 || h->te_bad || h->te_chunked != 1 ||
            !h->te_last_chunked)
            return PH_EPARSE;
        if (h->te_other)
            return PH_ENOTIMPL; /* e.g. "gzip, chunked": framed, but a coding we lack */
        out->framing = PH__HTTP_BODY_CHUNKED;
    } else if (h->has_cl) {
        if (l->max_body && out->content_length > l->max_body)
            return PH_EBODYTOOLARGE;
        out->framing = PH__HTTP_BODY_LENGTH;
    }
    if (out->minor_version == 1)
        out->keep_alive = !h->conn_close;
    else
        out->keep_alive = h->conn_keep_alive && !h->conn_close;
    out->upgrade = h->upgrade_field && h->conn_upgrade;
    return 0;
}

/*
 * Advance past bytes of class `cls`. Unrolled by four: each byte is read
 * only after the one before it passed, so the loop never reads beyond the
 * first byte outside the class (at the latest the CR ending the line).
 */
static inline const char *skip_class(const char *p, unsigned cls) {
    for (;;) {
        if (!(CT(p[0]) & cls))
            return p;
        if (!(CT(p[1]) & cls))
            return p + 1;
        if (!(CT(p[2]) & cls))
            return p + 2;
        if (!(CT(p[3]) & cls))
            return p + 3;
        p += 4;
    }
}

/*
 * method SP request-target SP HTTP-version CRLF. Returns the offset past the
 * CRLF. The head ends in CRLF CRLF, so every loop stops at a CR in bounds.
 */
static int parse_request_line(const char *p0, ph__http_request *out, size_t *used) {
    const char *p = p0;
    p = skip_class(p, PH__HTTP_TCHAR);
    if (p == p0 || *p != ' ')
        return PH_EPARSE;
    out->method = (ph_slice){p0, (size_t)(p - p0)};
    const char *t = ++p;
    p = skip_class(p, PH__HTTP_TARGET);
    if (p == t || *p != ' ')
        return PH_EPARSE;
    out->target = (ph_slice){t, (size_t)(p - t)};
    p++;
    /* Exactly "HTTP/" DIGIT "." DIGIT CRLF; short-circuit order keeps reads in bounds. */
    if (!(p[0] == 'H' && p[1] == 'T' && p[2] == 'T' && p[3] == 'P' && p[4] == '/' &&
          (unsigned)(p[5] - '0') < 10 && p[6] == '.' && (unsigned)(p[7] - '0') < 10 &&
          p[8] == '\r' && p[9] == '\n'))
        return PH_EPARSE;
    if (p[5] != '1')
        return PH_EVERSION;
    /* RFC 9112 section 2.3: a higher minor version of a major version we
     * implement is processed as the highest minor we conform to. */
    out->minor_version = p[7] > '1' ? 1 : p[7] - '0';
    *used = (size_t)(p + 10 - p0);
    return 0;
}

/* Classify the target: origin-form, or "*" for OPTIONS; split path and query. */
/*
 * The method bit, as ph_method_from_name() gives it, without its loop of
 * strlen and memcmp: this runs once per request on the hot path.
 */
static unsigned method_bit(ph_slice m) {
    const char *s = m.ptr;
    switch (m.len) {
    case 3:
        if (memcmp(s, "GET", 3) == 0)
            return PH_GET;
        if (memcmp(s, "PUT", 3) == 0)
            return PH_PUT;
        break;
    case 4:
        if (memcmp(s, "POST", 4) == 0)
            return PH_POST;
        if (memcmp(s, "HEAD", 4) == 0)
            return PH_HEAD;
        break;
    case 5:
        if (memcmp(s, "PATCH", 5) == 0)
            return PH_PATCH;
        if (memcmp(s, "TRACE", 5) == 0)
            return PH_TRACE;
        break;
    case 6:
        if (memcmp(s, "DELETE", 6) == 0)
            return PH_DELETE;
        break;
    case 7:
        if (memcmp(s, "OPTIONS", 7) == 0)
            return PH_OPTIONS;
        if (memcmp(s, "CONNECT", 7) == 0)
            return PH_CONNECT;
        break;
    }
    return 0;
}

static int check_target(ph__http_request *out) {
    out->method_bit = method_bit(out->method);
    if (out->method_bit == PH_CONNECT)
        return PH_ENOTIMPL; /* we are not a proxy: no tunnels */
    const char *t = out->target.ptr;
    if (t[0] == '/') {
        const char *q = memchr(t, '?', out->target.len);
        if (q) {
            out->path = (ph_slice){t, (size_t)(q - t)};
            out->query = (ph_slice){q + 1, out->target.len - (size_t)(q - t) - 1};
        } else {
            out->path = out->target;
        }
        return 0;
    }
    if (out->target.len == 1 && t[0] == '*' && out->method_bit == PH_OPTIONS) {
        out->path = out->target;
        return 0;
    }
    return PH_EPARSE; /* absolute-form, authority-form, or "*" with another method */
}

/* The field lines: field-name ":" OWS field-value OWS CRLF, then CRLF. */
static int parse_fields(const char *p, ph__http_request *out, ph__http_header *headers,
                        const limits *l, head_state *h) {
    size_t n = 0;
    while (*p != '\r') {
        if (n == l->max_count)
            return PH_EHDRTOOLARGE;
        ph__http_header *f = &headers[n];
        const char *s = p;
        p = skip_class(p, PH__HTTP_TCHAR);
        /* An empty name also catches obs-fold (a line starting with SP or HTAB). */
        if (p == s || *p != ':')
            return PH_EPARSE;
        f->name = (ph_slice){s, (size_t)(p - s)};
        p++;
        while (is_ows(*p))
            p++;
        s = p;
        p = skip_class(p, PH__HTTP_VALUE);
        if (p[0] != '\r' || p[1] != '\n')
            return PH_EPARSE; /* a CTL, NUL, DEL, or a bare CR */
        const char *e = p;
        while (e > s && is_ows(e[-1]))
            e--;
        f->value = (ph_slice){s, (size_t)(e - s)};
        p += 2;
        n++;
        int rc = special_field(out, h, f);
        if (rc < 0)
            return rc;
    }
    if (p[1] != '\n')
        return PH_EPARSE;
    out->num_headers = n;
    return 0;
}

int ph__http_parse_request(const char *buf, size_t len, size_t *scan_hint,
                           const ph__http_limits *lim, ph__http_request *out,
                           ph__http_header *headers, size_t max_headers) {
    limits l;
    if (!buf || !scan_hint || !out || (!headers && max_headers))
        return PH_EINVAL;
    if (resolve_limits(lim, max_headers, &l) < 0)
        return PH_EINVAL;
    size_t start, rl_end, end;
    int rc = scan_head(buf, len, scan_hint, &l, &start, &rl_end, &end);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->headers = headers;
    size_t used;
    if ((rc = parse_request_line(buf + start, out, &used)) < 0)
        return rc;
    if ((rc = check_target(out)) < 0)
        return rc;
    head_state h = {0};
    if ((rc = parse_fields(buf + start + used, out, headers, &l, &h)) < 0)
        return rc;
    if ((rc = finish(out, &h, &l)) < 0)
        return rc;
    return (int)end;
}

int ph__http_error_status(int err) {
    switch (err) {
    case PH_EURITOOLONG:
        return 414;
    case PH_EHDRTOOLARGE:
        return 431;
    case PH_EBODYTOOLARGE:
        return 413;
    case PH_EVERSION:
        return 505;
    case PH_ENOTIMPL:
        return 501;
    case PH_ELENGTHREQ:
        return 411;
    case PH_EMEDIATYPE:
        return 415;
    }
    return err < 0 ? 400 : 0;
}

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

const ph__http_header *ph__http_find_header(const ph__http_request *req, const char *name,
                                            size_t name_len, size_t *from) {
    size_t i = from ? *from : 0;
    for (; i < req->num_headers; i++) {
        const ph__http_header *f = &req->headers[i];
        if (f->name.len != name_len)
            continue;
        size_t k = 0;
        while (k < name_len && lower(f->name.ptr[k]) == lower(name[k]))
            k++;
        if (k == name_len) {
            if (from)
                *from = i + 1;
            return f;
        }
    }
    if (from)
        *from = i;
    return NULL;
}
