/*
 * Query-string / urlencoded-form parser.
 *
 * One pass: memchr finds each '&', memchr finds the '=' inside the pair, and
 * both halves are percent-decoded straight into one arena allocation. The
 * behaviour matches Werkzeug 2.2 (werkzeug/urls.py, url_decode and
 * _url_decode_impl; ';' stopped being a separator in Werkzeug 0.5) and the
 * WHATWG URL standard's application/x-www-form-urlencoded parser, section 5.1,
 * except that bytes stay bytes.
 *
 * Not here: streaming (the framework buffers a form body up to its limit
 * first), charset decoding.
 */
#include "query.h"

#include "url.h"

#include <string.h>

static int add_pair(ph_multidict *out, const char *p, size_t n) {
    const char *eq = memchr(p, '=', n);
    size_t klen = eq ? (size_t)(eq - p) : n;
    const char *v = eq ? eq + 1 : p + n;
    size_t vlen = eq ? n - klen - 1 : 0;
    char *buf = ph__arena_alloc(out->arena, klen + vlen + 2);
    if (!buf)
        return PH_ENOMEM;
    size_t kd = ph__url_decode(buf, p, klen, PH_URL_PLUS, NULL);
    buf[kd] = '\0';
    char *vbuf = buf + kd + 1;
    size_t vd = ph__url_decode(vbuf, v, vlen, PH_URL_PLUS, NULL);
    vbuf[vd] = '\0';
    return ph__multidict_add_nocopy(out, (ph_slice){buf, kd}, (ph_slice){vbuf, vd});
}

ptrdiff_t ph__query_parse(ph_multidict *out, const char *s, size_t len,
                          const ph_query_limits *lim) {
    size_t max_fields = lim && lim->max_fields ? lim->max_fields : PH_QUERY_DEFAULT_MAX_FIELDS;
    size_t max_size = lim && lim->max_size ? lim->max_size : PH_QUERY_DEFAULT_MAX_SIZE;
    if (len > max_size)
        return PH_ETOOBIG;
    size_t start_len = out->len, fields = 0, i = 0;
    int rc = 0;
    while (i < len) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > i) {
            if (++fields > max_fields) {
                rc = PH_ETOOBIG;
                goto fail;
            }
            rc = add_pair(out, s + i, end - i);
            if (rc < 0)
                goto fail;
        }
        i = end + 1;
    }
    return (ptrdiff_t)len;
fail:
    out->len = start_len;
    return rc;
}
