/*
 * Fuzz target for the header parsers behind request.access_route,
 * request.authorization and the Accept headers (src/util/http_list.c,
 * src/util/accept.c, the lenient decoder of src/util/base64.c): parse the
 * input as a list and as a dict of parameters, checking every item lies
 * within its buffer and is NUL-terminated; as an Accept header under each
 * rule set, negotiating against fixed offers and checking weights stay in
 * [0, 1] and the answer is an offer or the fallback; and decode it as
 * lenient base64 within the promised bound.
 */
#include "util/accept.h"
#include "util/base64.h"
#include "util/http_list.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(ph_slice s) {
    if (s.ptr && s.ptr[s.len] != '\0')
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    ph_arena arena;
    ph__arena_init(&arena, 512, 1 << 22);
    ph_slice *items, *keys, *values;
    long n = ph__http_list_parse(&arena, s, size, &items);
    for (long i = 0; i < n; i++) {
        if (items[i].len > size)
            abort();
        check(items[i]);
    }
    n = ph__http_dict_parse(&arena, s, size, &keys, &values);
    for (long i = 0; i < n; i++) {
        check(keys[i]);
        check(values[i]);
        for (long j = 0; j < i; j++)
            if (keys[j].len == keys[i].len && !memcmp(keys[j].ptr, keys[i].ptr, keys[i].len))
                abort(); /* a key given twice is one key */
    }
    static const char *const offers[] = {"text/html", "application/json", "*/*", "text/*",
                                         "en-US", "en", "gzip", "html", "*/x"};
    for (int rules = PH__ACCEPT_PLAIN; rules <= PH__ACCEPT_LANG; rules++) {
        ph__accept acc;
        if (ph__accept_parse(&arena, (ph__accept_rules)rules, s, size, &acc) < 0)
            continue;
        for (size_t i = 0; i < acc.n; i++) {
            check((ph_slice){acc.items[i].value, strlen(acc.items[i].value)});
            if (!(acc.items[i].quality >= 0 && acc.items[i].quality <= 1))
                abort();
        }
        const char *best = ph__accept_best(&acc, offers, 9, "fallback");
        int known = !strcmp(best, "fallback");
        for (size_t i = 0; i < 9; i++) {
            known |= best == offers[i];
            double q = ph__accept_quality(&acc, offers[i]);
            if (!(q >= 0 && q <= 1))
                abort();
        }
        if (!known)
            abort();
    }
    size_t max = ph__base64_decoded_max(size);
    unsigned char *out = malloc(max + 1);
    if (out) {
        long m = ph__base64_decode_lenient(out, s, size);
        if (m > (long)max || (m < 0 && m != PH_EPARSE))
            abort();
        free(out);
    }
    ph__arena_close(&arena);
    return 0;
}
