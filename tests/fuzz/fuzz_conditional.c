/*
 * Fuzz target for src/app/conditional.c: the input is split at '\n' into a
 * Range, If-Range, If-None-Match, If-Match and If-Modified-Since value
 * (missing ones are absent), and the decision is checked for sanity: one of
 * 200/206/304/412/416, a 206 range inside the file and never empty, the
 * whole file otherwise. The range and entity-tag parsers also run on the
 * whole input, which must never read past it (ASan watches).
 */
#include "app/send_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    /* A copy without the terminator, so a read past the end is caught. */
    char *exact = malloc(size ? size : 1);
    if (!exact) {
        free(copy);
        return 0;
    }
    memcpy(exact, data, size);
    ph__range r;
    if (ph__range_parse(exact, size, &r) == 0 && r.nranges == 0)
        abort();
    ph__etag_match m = ph__etags_match(exact, size, "abc", 3);
    if ((m.star && (m.strong || m.weak)) || ((m.strong || m.weak || m.star) && !m.nonempty))
        abort();
    free(exact);

    const char *field[5] = {0};
    char *p = copy;
    for (int i = 0; i < 5 && p; i++) {
        field[i] = p;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        p = nl ? nl + 1 : NULL;
    }
    uint64_t sizes[] = {0, 1, 23, 1u << 20, (uint64_t)1 << 40};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        ph__cond c = {.get_or_head = true,
                      .accept_ranges = true,
                      .range = field[0],
                      .if_range = field[1],
                      .if_none_match = field[2],
                      .if_match = field[3],
                      .if_modified_since = field[4],
                      .etag = "\"abc\"",
                      .has_last_modified = true,
                      .last_modified = 1577934245,
                      .size = sizes[k]};
        uint64_t start = 7, len = 7;
        int st = ph__conditional_eval(&c, &start, &len);
        if (st == 206) {
            if (len == 0 || start >= sizes[k] || len > sizes[k] - start)
                abort();
        } else if (st == 200 || st == 304 || st == 412 || st == 416) {
            if (start != 0 || len != sizes[k])
                abort();
        } else {
            abort();
        }
    }
    free(copy);
    return 0;
}
