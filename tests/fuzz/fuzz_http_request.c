/*
 * libFuzzer target for the HTTP/1.1 request-head parser and, when the head
 * says the body is chunked, the chunked decoder: the way the server uses
 * them on one connection, pipelined requests included. Besides memory errors
 * it checks invariants: the result never depends on how the bytes were split
 * across reads (whole vs. two pieces with the scan hint), every slice lies in
 * the input, and every accepted field is a token name and a CR/LF-free value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/chunked.h"
#include "server/http_parser.h"

#define MAXH 64

static void check_slice(ph_slice s, const uint8_t *buf, size_t len) {
    if (s.len && ((const uint8_t *)s.ptr < buf || (const uint8_t *)s.ptr + s.len > buf + len))
        abort();
}

static void check_request(const ph__http_request *r, const uint8_t *buf, size_t len) {
    check_slice(r->method, buf, len);
    check_slice(r->target, buf, len);
    check_slice(r->path, buf, len);
    check_slice(r->query, buf, len);
    check_slice(r->host, buf, len);
    if (r->num_headers > MAXH || r->method.len == 0 || r->target.len == 0)
        abort();
    if (r->minor_version != 0 && r->minor_version != 1)
        abort();
    for (size_t i = 0; i < r->num_headers; i++) {
        const ph__http_header *h = &r->headers[i];
        check_slice(h->name, buf, len);
        check_slice(h->value, buf, len);
        if (h->name.len == 0)
            abort();
        for (size_t k = 0; k < h->name.len; k++)
            if (!(ph__http_ctype[(unsigned char)h->name.ptr[k]] & PH__HTTP_TCHAR))
                abort();
        if (memchr(h->value.ptr, '\r', h->value.len) || memchr(h->value.ptr, '\n', h->value.len))
            abort();
    }
}

/* Parse the head at buf[0, len) whole, then again split in two at `cut`. */
static int parse_both_ways(const uint8_t *buf, size_t len, size_t cut, ph__http_request *r,
                           ph__http_header *h) {
    static const ph__http_limits lim = {
        .max_request_line = 512, .max_header_bytes = 1024, .max_headers = 32, .max_body = 1 << 20};
    size_t hint = 0;
    int whole = ph__http_parse_request((const char *)buf, len, &hint, &lim, r, h, MAXH);
    if (cut > len)
        cut = len;
    ph__http_request r2;
    ph__http_header h2[MAXH];
    hint = 0;
    int split = ph__http_parse_request((const char *)buf, cut, &hint, &lim, &r2, h2, MAXH);
    if (split == PH_EAGAIN)
        split = ph__http_parse_request((const char *)buf, len, &hint, &lim, &r2, h2, MAXH);
    /* A head complete within the first piece is found there; any other result must agree. */
    if (split != whole && !(whole > 0 && split > 0 && (size_t)split <= cut))
        abort();
    if (whole > 0 && split == whole &&
        (r2.num_headers != r->num_headers || r2.framing != r->framing ||
         r2.content_length != r->content_length || r2.keep_alive != r->keep_alive))
        abort();
    return whole;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    size_t cut = data[0];
    data++;
    size--;
    ph__http_request r;
    ph__http_header h[MAXH];
    size_t off = 0;
    for (int req = 0; req < 8 && off < size; req++) {
        int rc = parse_both_ways(data + off, size - off, cut, &r, h);
        if (rc <= 0) {
            if (rc == PH_EINVAL || (rc < 0 && ph__http_error_status(rc) < 400))
                abort();
            return 0;
        }
        if ((size_t)rc > size - off)
            abort();
        check_request(&r, data + off, size - off);
        off += (size_t)rc;
        if (r.framing == PH__HTTP_BODY_LENGTH) {
            if (r.content_length > size - off)
                return 0;
            off += r.content_length;
        } else if (r.framing == PH__HTTP_BODY_CHUNKED) {
            ph__chunked c;
            ph__chunked_init(&c, 1 << 20);
            while (off < size && !ph__chunked_done(&c)) {
                ph_slice d;
                int n = ph__chunked_decode(&c, (const char *)data + off, size - off, &d);
                if (n < 0)
                    return 0;
                check_slice(d, data + off, size - off);
                off += (size_t)n;
            }
            if (!ph__chunked_done(&c))
                return 0;
        }
    }
    return 0;
}
