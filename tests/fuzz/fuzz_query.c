/*
 * Fuzz target for src/util/query.c and src/util/url.c: parse the input as a
 * query string (tight limits, so both limit paths are reached), decode it
 * as a path and as a form value, check that percent-encoding then
 * decoding gives every byte back, that the decoded values made text
 * (src/util/utf8.c) are well-formed UTF-8, and that the input as a host
 * name gets an IDNA form (src/util/idna.c) of ASCII labels of at most 63
 * bytes, or none.
 */
#include "util/idna.h"
#include "util/query.h"
#include "util/url.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    ph_arena arena;
    ph__arena_init(&arena, 512, 1 << 20);
    ph_multidict d;
    ph__multidict_init(&d, &arena);
    ph_query_limits lim = {.max_fields = 64, .max_size = 4096};
    ptrdiff_t rc = ph__query_parse(&d, s, size, &lim);
    if (rc >= 0) {
        if ((size_t)rc != size)
            abort();
        for (size_t i = 0; i < d.len; i++) {
            const ph_slice *v = ph__multidict_get(&d, d.items[i].name.ptr, d.items[i].name.len);
            if (!v || v->ptr[v->len] != '\0')
                abort();
        }
        if (ph__multidict_to_text(&d, 0) == 0)
            for (size_t i = 0; i < d.len; i++)
                if (!ph__utf8_valid(d.items[i].name.ptr, d.items[i].name.len) ||
                    !ph__utf8_valid(d.items[i].value.ptr, d.items[i].value.len) ||
                    d.items[i].value.ptr[d.items[i].value.len] != '\0')
                    abort();
    } else if (rc != PH_ETOOBIG && rc != PH_ENOMEM) {
        abort();
    }

    unsigned info = 0;
    size_t n;
    char *path = ph__url_decode_arena(&arena, s, size, 0, &n, &info);
    if (path && (n > size || ((info & PH_URL_HAS_NUL) != 0) != (memchr(path, 0, n) != NULL)))
        abort();
    size_t tn;
    const char *text = path ? ph__utf8_text(&arena, path, n, &tn) : NULL;
    if (text && (!ph__utf8_valid(text, tn) || (text == path) != ph__utf8_valid(path, n)))
        abort();

    size_t hn;
    const char *host = ph__idna_encode(&arena, s, size, &hn);
    for (size_t i = 0, label = 0; host && i < hn; i++) {
        label = host[i] == '.' ? 0 : label + 1;
        if ((unsigned char)host[i] >= 0x80 || label > 63)
            abort();
    }

    ph_url_safe safe;
    ph__url_safe_init(&safe, PH_URL_WERKZEUG_SAFE "/:");
    unsigned flags = size && (data[0] & 1) ? PH_URL_PLUS : 0;
    size_t elen;
    char *enc = ph__url_encode_arena(&arena, s, size, &safe, flags, &elen);
    if (enc) {
        char *back = ph__url_decode_arena(&arena, enc, elen, flags, &n, NULL);
        if (back && (n != size || (size && memcmp(back, s, size) != 0)))
            abort();
    }
    ph__arena_close(&arena);
    return 0;
}
