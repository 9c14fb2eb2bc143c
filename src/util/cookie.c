/*
 * Cookie header parser and Set-Cookie serializer.
 *
 * The parser reproduces Werkzeug 2.2's _cookie_parse_impl (a regular
 * expression, werkzeug/_internal.py) as a linear scan: a name runs to the
 * first '=' or ';'; a value is either a double-quoted string followed by
 * optional whitespace and ';', or the shortest run up to whitespace and ';'
 * that does not cross a newline; when neither fits, parsing stops. Quoted
 * values are unquoted as _cookie_unquote does (\ooo octal with a first digit
 * 0-3, then \x for any other x but a newline). "Whitespace" is Python's
 * bytes whitespace: space, \t, \n, \r, \v, \f.
 *
 * The serializer follows dump_cookie (werkzeug/http.py) and _cookie_quote:
 * values outside the cookie-safe set are quoted with octal escapes. It is
 * stricter than Werkzeug on names, paths and domains (RFC 6265 section 4.1.1,
 * RFC 9110 section 5.6.2 tchar): it refuses what could split the header.
 *
 * Expires is formatted by src/util/httpdate.h.
 *
 * Not here: cookie jars, expiry logic, signing (see the session layer).
 */
#include "cookie.h"

#include "httpdate.h"
#include "url.h"

#include <ctype.h>
#include <string.h>
#include <time.h>

/* bit 1: cookie-safe value byte (Werkzeug _legal_cookie_chars); bit 2: RFC 9110
 * tchar; bit 4: Python bytes whitespace. */
/* clang-format off */
static const uint8_t cclass[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    4, 3, 0, 3, 3, 3, 3, 3, 0, 0, 3, 3, 0, 3, 3, 1,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 0, 0, 1, 0, 0,
    0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 3, 0, 3, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
/* clang-format on */

#define CSAFE 1
#define TCHAR 2
#define WS 4

static int is_ws(unsigned char c) { return cclass[c] & WS; }

/*
 * Unquote a value into `d` (which holds `n` bytes); `s` is the text between
 * the quotes. Returns the unquoted length.
 */
static size_t unquote(char *d, const char *s, size_t n) {
    size_t i = 0, o = 0;
    while (i < n) {
        const char *bs = memchr(s + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
        memcpy(d + o, s + i, run);
        o += run;
        i += run;
        if (!bs)
            break;
        /* s[i] is a backslash. */
        if (n - i >= 4 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
            s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            d[o++] = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
            i += 4;
        } else if (n - i >= 2 && s[i + 1] != '\n') {
            d[o++] = s[i + 1];
            i += 2;
        } else {
            d[o++] = '\\';
            i++;
        }
    }
    return o;
}

static int add_cookie(ph_multidict *out, const char *k, size_t klen, const char *v, size_t vlen) {
    char *buf = ph__arena_alloc(out->arena, klen + vlen + 2);
    if (!buf)
        return PH_ENOMEM;
    memcpy(buf, k, klen);
    buf[klen] = '\0';
    char *vb = buf + klen + 1;
    size_t vd;
    if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
        vd = unquote(vb, v + 1, vlen - 2);
    } else {
        if (vlen)
            memcpy(vb, v, vlen);
        vd = vlen;
    }
    vb[vd] = '\0';
    return ph__multidict_add_nocopy(out, (ph_slice){buf, klen}, (ph_slice){vb, vd});
}

/* Skip whitespace from `i`; return the index of the first other byte. */
static size_t skip_ws(const char *s, size_t i, size_t len) {
    while (i < len && is_ws((unsigned char)s[i]))
        i++;
    return i;
}

/*
 * Match the value that starts at `q` (after "=" and whitespace). On success
 * set [*vb, *ve) and *next (just past the ';') and return 1; return 0 when
 * the regular expression would not match.
 */
static int match_value(const char *s, size_t q, size_t len, size_t *vb, size_t *ve, size_t *next) {
    if (q < len && s[q] == '"') {
        size_t j = q + 1;
        while (j < len && s[j] != '"') {
            if (s[j] == '\\') {
                if (j + 1 >= len || s[j + 1] == '\n')
                    break;
                j++;
            }
            j++;
        }
        if (j < len && s[j] == '"') {
            size_t f = skip_ws(s, j + 1, len);
            if (f == len || s[f] == ';') {
                *vb = q;
                *ve = j + 1;
                *next = f + 1;
                return 1;
            }
        }
    }
    /* The lazy ".*?" alternative: '.' does not match a newline. */
    size_t e = q;
    for (;;) {
        size_t f = skip_ws(s, e, len);
        if (f == len || s[f] == ';') {
            *vb = q;
            *ve = e;
            *next = f + 1;
            return 1;
        }
        if (memchr(s + e, '\n', f - e))
            return 0;
        e = f + 1;
    }
}

ptrdiff_t ph__cookie_parse(ph_multidict *out, const char *s, size_t len,
                           const ph_cookie_limits *lim) {
    size_t max_cookies = lim && lim->max_cookies ? lim->max_cookies : PH_COOKIE_DEFAULT_MAX_COOKIES;
    size_t max_size = lim && lim->max_size ? lim->max_size : PH_COOKIE_DEFAULT_MAX_SIZE;
    if (len > max_size)
        return PH_ETOOBIG;
    size_t start_len = out->len, kept = 0, i = 0;
    int rc = 0;
    while (i < len) {
        size_t ke = i;
        while (ke < len && s[ke] != '=' && s[ke] != ';')
            ke++;
        size_t vb = ke, ve = ke, next;
        if (ke == len || s[ke] == ';') {
            next = ke + 1;
        } else if (!match_value(s, skip_ws(s, ke + 1, len), len, &vb, &ve, &next)) {
            break;
        }
        size_t kb = i;
        while (kb < ke && is_ws((unsigned char)s[kb]))
            kb++;
        while (ke > kb && is_ws((unsigned char)s[ke - 1]))
            ke--;
        i = next;
        if (kb == ke)
            continue;
        if (++kept > max_cookies) {
            rc = PH_ETOOBIG;
            goto fail;
        }
        rc = add_cookie(out, s + kb, ke - kb, s + vb, ve - vb);
        if (rc < 0)
            goto fail;
    }
    return (ptrdiff_t)(i < len ? i : len);
fail:
    out->len = start_len;
    return rc;
}

/* ---- Set-Cookie ---------------------------------------------------------- */

/* Append a value quoted as Werkzeug's _cookie_quote does. */
static int append_quoted(ph_buf *out, const char *v, size_t n) {
    size_t i = 0;
    while (i < n && (cclass[(unsigned char)v[i]] & CSAFE))
        i++;
    if (i == n)
        return ph__buf_append(out, v, n);
    int rc = ph__buf_append_char(out, '"');
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == ',' || c == ';' || c < 32 || c >= 127) {
            char esc[4] = {'\\', (char)('0' + (c >> 6)), (char)('0' + (c >> 3 & 7)),
                           (char)('0' + (c & 7))};
            rc = ph__buf_append(out, esc, 4);
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = ph__buf_append(out, esc, 2);
        } else {
            rc = ph__buf_append_char(out, (char)c);
        }
    }
    return rc ? rc : ph__buf_append_char(out, '"');
}

/* CR, LF, ';', space and other controls would split or end the header. */
static int attr_ok(const char *s, size_t n, int allow_space) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 32 || c == 127 || c == ';' || (c == ' ' && !allow_space))
            return 0;
    }
    return 1;
}

static int check_domain(const char *d, size_t *n) {
    size_t len = strlen(d);
    const char *colon = memchr(d, ':', len);
    if (colon)
        len = (size_t)(colon - d);
    if (!memchr(d, '.', len))
        return PH_EINVAL;
    /* Host names: letters, digits, '.', '-', '_' (IDNA is the caller's job). */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)d[i];
        if (!(cclass[c] & TCHAR) || (c != '.' && c != '-' && c != '_' && !isalnum(c)))
            return PH_EINVAL;
    }
    *n = len;
    return 0;
}

static int append_attrs(ph_buf *out, const ph_cookie_opts *o) {
    static const char *const samesite[] = {NULL, "Strict", "Lax", "None"};
    int rc = 0;
    size_t dlen = 0;
    if (o->domain) {
        rc = check_domain(o->domain, &dlen);
        if (rc == 0 && (rc = ph__buf_append_str(out, "; Domain=")) == 0)
            rc = ph__buf_append(out, o->domain, dlen);
    }
    int64_t expires = o->expires;
    int has_expires = o->has_expires;
    if (!has_expires && o->has_max_age && !o->no_sync_expires) {
        expires = (o->now ? o->now : (int64_t)time(NULL)) + o->max_age;
        has_expires = 1;
    }
    if (rc == 0 && has_expires) {
        char date[PH__HTTPDATE_LEN + 1];
        rc = ph__httpdate_format(expires, date, sizeof(date));
        if (rc >= 0)
            rc = ph__buf_printf(out, "; Expires=%s", date);
    }
    if (rc == 0 && o->has_max_age)
        rc = ph__buf_printf(out, "; Max-Age=%lld", (long long)o->max_age);
    if (rc == 0 && o->secure)
        rc = ph__buf_append_str(out, "; Secure");
    if (rc == 0 && o->httponly)
        rc = ph__buf_append_str(out, "; HttpOnly");
    if (rc == 0 && !o->no_path) {
        const char *path = o->path ? o->path : "/";
        size_t plen = strlen(path);
        ph_url_safe safe;
        ph__url_safe_init(&safe, PH_URL_WERKZEUG_SAFE ":/?#[]@&=%");
        ph__url_safe_remove(&safe, ";");
        if (!attr_ok(path, plen, 1))
            rc = PH_EINVAL;
        else if ((rc = ph__buf_append_str(out, "; Path=")) == 0)
            rc = (int)(ph__url_encode(out, path, plen, &safe, 0) < 0 ? PH_ENOMEM : 0);
    }
    if (rc == 0 && o->samesite != PH_SAMESITE_UNSET) {
        if ((unsigned)o->samesite > PH_SAMESITE_NONE)
            rc = PH_EINVAL;
        else
            rc = ph__buf_printf(out, "; SameSite=%s", samesite[o->samesite]);
    }
    return rc;
}

ptrdiff_t ph__cookie_serialize(ph_buf *out, const char *name, size_t nlen, const char *value,
                               size_t vlen, const ph_cookie_opts *opts) {
    static const ph_cookie_opts defaults;
    const ph_cookie_opts *o = opts ? opts : &defaults;
    if (nlen == 0)
        return PH_EINVAL;
    for (size_t i = 0; i < nlen; i++)
        if (!(cclass[(unsigned char)name[i]] & TCHAR))
            return PH_EINVAL;
    size_t start = out->len;
    int rc = ph__buf_append(out, name, nlen);
    if (rc == 0)
        rc = ph__buf_append_char(out, '=');
    if (rc == 0)
        rc = append_quoted(out, value, vlen);
    if (rc == 0)
        rc = append_attrs(out, o);
    if (rc < 0) {
        out->len = start;
        if (out->data)
            out->data[start] = '\0';
        return rc;
    }
    return (ptrdiff_t)(out->len - start);
}
