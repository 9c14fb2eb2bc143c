/*
 * Fuzz target for src/app/safe_join.c: join the input (an untrusted path)
 * to a fixed directory and check that an accepted result never leaves it:
 * it starts with the directory and a slash, and what follows holds no NUL,
 * no backslash, no empty, "." or ".." component (except the lone "." of a
 * path that folds to nothing) and is its own normal form. A second,
 * independent walk over the components says whether the path climbs above
 * its start; such a path must be refused. The first input byte picks the
 * directory ("/srv/static", "rel/dir/" or "").
 */
#include "app/send_file.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Whether `p` climbs above its start or is absolute (the reference rule). */
static int escapes(const char *p, size_t n) {
    if (n && p[0] == '/')
        return 1;
    long depth = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '/')
            j++;
        size_t len = j - i;
        if (len == 2 && p[i] == '.' && p[i + 1] == '.') {
            if (--depth < 0)
                return 1;
        } else if (len && !(len == 1 && p[i] == '.')) {
            depth++;
        }
        i = j + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const dirs[] = {"/srv/static", "rel/dir/", ""};
    if (size == 0)
        return 0;
    const char *dir = dirs[data[0] % 3];
    const char *path = (const char *)data + 1;
    size_t plen = size - 1;
    size_t dlen = strlen(dir);
    size_t cap = (dlen ? dlen : 1) + plen + 3;
    char *out = malloc(cap);
    if (!out)
        return 0;
    ptrdiff_t n = ph__safe_join(out, cap, dir, dlen, path, plen);
    int bad_bytes = plen && (memchr(path, '\0', plen) || memchr(path, '\\', plen));
    if (n == PH_ETOOBIG)
        abort(); /* the capacity above always suffices */
    if (n < 0) {
        if (n != PH_ENOTFOUND || (!bad_bytes && !escapes(path, plen)))
            abort(); /* refused a path that stays inside */
        free(out);
        return 0;
    }
    if (bad_bytes || escapes(path, plen))
        abort(); /* accepted an escape */
    const char *prefix = dlen ? dir : ".";
    size_t pl = strlen(prefix);
    if ((size_t)n != strlen(out) || strncmp(out, prefix, pl) != 0)
        abort();
    const char *rest = out + pl;
    if (rest[-1] != '/') {
        if (rest[0] != '/')
            abort();
        rest++;
    }
    size_t rl = strlen(rest);
    if (plen == 0) {
        if (rl != 0)
            abort();
        free(out);
        return 0;
    }
    if (rest[0] == '/' || strchr(rest, '\\'))
        abort();
    if (!(rl == 1 && rest[0] == '.')) {
        for (const char *c = rest;;) {
            const char *e = strchr(c, '/');
            size_t len = e ? (size_t)(e - c) : strlen(c);
            if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
                abort();
            if (!e)
                break;
            c = e + 1;
        }
    }
    char *again = malloc(rl + 2);
    if (again) {
        ptrdiff_t m = ph__normpath(again, rl + 2, rest, rl);
        if (m != (ptrdiff_t)rl || memcmp(again, rest, rl) != 0)
            abort(); /* not in normal form */
        free(again);
    }
    free(out);
    return 0;
}
