/*
 * libFuzzer target for the chunked body decoder alone. The first input byte
 * picks a body limit and a read size; the rest is the body. It checks that
 * decoding is independent of how the bytes are split (whole buffer with data
 * spans vs. small pieces in place), that spans stay inside the input, that
 * the decoded length matches the decoder's total, and the limit holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/chunked.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    uint64_t max_body = (data[0] & 0x0f) ? (uint64_t)(data[0] & 0x0f) * 16 : 0;
    size_t step = (size_t)(data[0] >> 4) + 1;
    data++;
    size--;

    /* Whole buffer, spans. */
    ph__chunked a;
    ph__chunked_init(&a, max_body);
    uint8_t *out_a = malloc(size + 1), *copy = malloc(size + 1);
    if (!out_a || !copy)
        abort();
    size_t off = 0, na = 0;
    int err_a = 0;
    while (off < size && !ph__chunked_done(&a)) {
        ph_slice d;
        int n = ph__chunked_decode(&a, (const char *)data + off, size - off, &d);
        if (n < 0) {
            err_a = n;
            break;
        }
        if (d.len && ((const uint8_t *)d.ptr < data + off ||
                      (const uint8_t *)d.ptr + d.len > data + off + (size_t)n))
            abort();
        memcpy(out_a + na, d.ptr, d.len);
        na += d.len;
        off += (size_t)n;
    }
    size_t end_a = off;

    /* Small pieces, in place. */
    memcpy(copy, data, size);
    ph__chunked b;
    ph__chunked_init(&b, max_body);
    size_t pos = 0, nb = 0;
    int err_b = 0;
    while (pos < size && !ph__chunked_done(&b)) {
        size_t piece = size - pos < step ? size - pos : step, got;
        int n = ph__chunked_decode_inplace(&b, (char *)copy + pos, piece, &got);
        if (n < 0) {
            err_b = n;
            break;
        }
        if (got && memcmp(copy + pos, out_a + nb, got) != 0)
            abort();
        nb += got;
        pos += (size_t)n;
    }
    if (err_a != err_b || ph__chunked_done(&a) != ph__chunked_done(&b))
        abort();
    if (!err_a && (na != nb || end_a != pos))
        abort();
    if (ph__chunked_done(&a) && a.total != na)
        abort();
    if (max_body && a.total > max_body)
        abort();
    free(out_a);
    free(copy);
    return 0;
}
