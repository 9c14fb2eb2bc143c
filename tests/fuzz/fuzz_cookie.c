/*
 * Fuzz target for src/util/cookie.c: parse the input as a Cookie header,
 * then serialize a cookie whose value is the input and check that the
 * Set-Cookie value holds no byte that could split a header and parses back
 * (as a Cookie header) to the same value.
 */
#include "util/cookie.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    ph_arena arena;
    ph__arena_init(&arena, 512, 1 << 20);
    ph_multidict d;
    ph__multidict_init(&d, &arena);
    ph_cookie_limits lim = {.max_cookies = 32, .max_size = 4096};
    ptrdiff_t rc = ph__cookie_parse(&d, s, size, &lim);
    if (rc < 0 && rc != PH_ETOOBIG && rc != PH_ENOMEM)
        abort();
    if (rc >= 0 && (size_t)rc > size)
        abort();

    ph_buf out;
    ph__buf_init(&out, 1 << 16);
    ph_cookie_opts o = {.has_max_age = true,
                        .max_age = size,
                        .now = 1,
                        .samesite = (ph_samesite)(size % 4),
                        .httponly = true};
    rc = ph__cookie_serialize(&out, "k", 1, s, size, &o);
    if (rc < 0) {
        if (rc != PH_ETOOBIG)
            abort();
    } else {
        for (size_t i = 0; i < out.len; i++) {
            unsigned char c = (unsigned char)out.data[i];
            if (c < 32 || c >= 127)
                abort();
        }
        /* The value part ends at the first "; " outside quotes, which the
         * parser finds by itself: the first pair must be ("k", input). */
        ph__multidict_init(&d, &arena);
        ph_cookie_limits big = {.max_cookies = 64, .max_size = 1 << 17};
        if (ph__cookie_parse(&d, out.data, out.len, &big) < 0 || d.len == 0)
            abort();
        if (d.items[0].name.len != 1 || d.items[0].name.ptr[0] != 'k' ||
            d.items[0].value.len != size || (size && memcmp(d.items[0].value.ptr, s, size)))
            abort();
    }
    ph__buf_close(&out);
    ph__arena_close(&arena);
    return 0;
}
