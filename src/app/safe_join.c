/*
 * Safe joining of an untrusted path to a trusted directory, the guard in
 * front of ph_send_from_directory() and the static folder. It follows
 * Werkzeug 2.2's werkzeug.security.safe_join on POSIX: the path is
 * normalised as posixpath.normpath does, then refused when it is absolute,
 * is "..", or starts with "../". phial also refuses a backslash (Werkzeug
 * only does on Windows, where it is a separator) and a NUL byte (which would
 * cut the path short when it reaches the kernel).
 *
 * This is text work only: it does not look at the file system, so it does
 * not resolve symbolic links (nor does Werkzeug); a link inside the
 * directory that points outside it is followed when the file is opened.
 * ph_send_opts.confine_symlinks adds that check (static.c).
 * References: Werkzeug security.py safe_join, CPython posixpath.normpath.
 */
#include "app/send_file.h"

#include <string.h>

/*
 * Write the normalised form of path[0, len) into out. Components are
 * copied forward; ".." pops the last component written unless there is
 * none (or it is itself ".."), as posixpath does.
 */
ptrdiff_t ph__normpath(char *out, size_t cap, const char *path, size_t len) {
    if (cap == 0)
        return PH_ETOOBIG;
    size_t initial = 0;
    if (len > 0 && path[0] == '/')
        initial = (len > 1 && path[1] == '/' && !(len > 2 && path[2] == '/')) ? 2 : 1;
    size_t o = 0, ncomps = 0, kept_dotdot = 0; /* ".." components at the front of out */
    for (size_t i = 0; i < initial; i++) {
        if (o + 1 >= cap)
            return PH_ETOOBIG;
        out[o++] = '/';
    }
    size_t base = o;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && path[j] != '/')
            j++;
        const char *c = path + i;
        size_t n = j - i;
        i = j + 1;
        if (n == 0 || (n == 1 && c[0] == '.'))
            continue;
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            if (ncomps > kept_dotdot) {
                /* Pop the last component: back up to the slash before it. */
                while (o > base && out[o - 1] != '/')
                    o--;
                if (o > base)
                    o--;
                ncomps--;
                continue;
            }
            if (initial) /* "/.." is "/" */
                continue;
            kept_dotdot++;
        }
        size_t need = (ncomps ? 1 : 0) + n;
        if (o + need + 1 > cap)
            return PH_ETOOBIG;
        if (ncomps)
            out[o++] = '/';
        memcpy(out + o, c, n);
        o += n;
        ncomps++;
    }
    if (o == 0) {
        if (cap < 2)
            return PH_ETOOBIG;
        out[o++] = '.';
    }
    out[o] = '\0';
    return (ptrdiff_t)o;
}

ptrdiff_t ph__safe_join(char *out, size_t cap, const char *dir, size_t dlen, const char *path,
                        size_t plen) {
    if (!dir || dlen == 0) {
        dir = ".";
        dlen = 1;
    }
    if (plen && (memchr(path, '\0', plen) || memchr(path, '\\', plen)))
        return PH_ENOTFOUND;
    if (dlen + 2 > cap)
        return PH_ETOOBIG;
    memcpy(out, dir, dlen);
    size_t o = dlen;
    if (out[o - 1] != '/')
        out[o++] = '/';
    if (plen == 0) {
        out[o] = '\0';
        return (ptrdiff_t)o;
    }
    ptrdiff_t n = ph__normpath(out + o, cap - o, path, plen);
    if (n < 0)
        return n;
    const char *p = out + o;
    if (p[0] == '/' || (n == 2 && p[0] == '.' && p[1] == '.') ||
        (n >= 3 && p[0] == '.' && p[1] == '.' && p[2] == '/'))
        return PH_ENOTFOUND;
    return (ptrdiff_t)o + n;
}
