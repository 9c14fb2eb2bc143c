/*
 * Fuzz target for src/util/multipart.c and src/util/mime.c. The first input
 * byte picks the chunk size; the first line is also parsed as a
 * Content-Type, strictly and leniently. The body is parsed twice, whole and in chunks, with boundary
 * "XyZ"; both parses must report the same events and the same result.
 */
#include "util/buf.h"
#include "util/mime.h"
#include "util/multipart.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int on_begin(void *data, const ph_multipart_part *p) {
    ph_buf *b = data;
    ph__buf_append_char(b, '<');
    ph__buf_append(b, p->name.ptr, p->name.len);
    ph__buf_append_char(b, '|');
    if (p->filename.ptr)
        ph__buf_append(b, p->filename.ptr, p->filename.len);
    ph__buf_append_char(b, '|');
    if (p->content_type.ptr)
        ph__buf_append(b, p->content_type.ptr, p->content_type.len);
    return ph__buf_append_char(b, '>') == PH_ETOOBIG ? PH_ETOOBIG : 0;
}

static int on_data(void *data, const char *chunk, size_t len) {
    if (len == 0)
        abort();
    return ph__buf_append(data, chunk, len) == PH_ETOOBIG ? PH_ETOOBIG : 0;
}

static int on_end(void *data) {
    return ph__buf_append_str(data, "</>") == PH_ETOOBIG ? PH_ETOOBIG : 0;
}

static const ph_multipart_callbacks cbs = {on_begin, on_data, on_end};

static int parse(const char *s, size_t len, size_t chunk, ph_buf *log) {
    ph_multipart mp;
    ph_multipart_limits lim = {.max_parts = 16, .max_header_size = 512};
    int rc = ph__multipart_init(&mp, "XyZ", 3, &cbs, log, &lim);
    if (rc < 0)
        return rc;
    for (size_t at = 0; at < len && rc >= 0; at += chunk) {
        size_t n = len - at < chunk ? len - at : chunk;
        ptrdiff_t r = ph__multipart_feed(&mp, s + at, n);
        if (r >= 0 && (size_t)r != n)
            abort();
        rc = r < 0 ? (int)r : 0;
    }
    if (rc >= 0)
        rc = ph__multipart_finish(&mp);
    ph__multipart_close(&mp);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    size_t chunk = (data[0] % 17) + 1;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;

    const char *nl = memchr(s, '\n', len);
    ph_arena arena;
    ph__arena_init(&arena, 512, 1 << 20);
    ph_content_type ct;
    ph__content_type_parse(&ct, &arena, s, nl ? (size_t)(nl - s) : len);
    /* The lenient mimetype is a span of the line with no separator in it. */
    size_t line = nl ? (size_t)(nl - s) : len;
    ph_slice mt = ph__mime_leading_type(s, line);
    if (mt.ptr < s || mt.ptr + mt.len > s + line || memchr(mt.ptr, ';', mt.len) ||
        memchr(mt.ptr, ',', mt.len) || memchr(mt.ptr, ' ', mt.len))
        abort();
    ph__arena_close(&arena);

    ph_buf whole, pieces;
    ph__buf_init(&whole, 1 << 20);
    ph__buf_init(&pieces, 1 << 20);
    int a = parse(s, len, len ? len : 1, &whole);
    int b = parse(s, len, chunk, &pieces);
    if (a != b || whole.len != pieces.len ||
        (whole.len && memcmp(whole.data, pieces.data, whole.len)))
        abort();
    ph__buf_close(&whole);
    ph__buf_close(&pieces);
    return 0;
}
