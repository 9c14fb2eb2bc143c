/*
 * Cookie header parsing and Set-Cookie serialization (RFC 6265), shaped
 * after Werkzeug 2.2 so that phial answers like Flask: parse_cookie for the
 * request side and dump_cookie for response.set_cookie.
 */
#ifndef PH_UTIL_COOKIE_H
#define PH_UTIL_COOKIE_H

#include "buf.h"
#include "multidict.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PH_COOKIE_DEFAULT_MAX_COOKIES 256
#define PH_COOKIE_DEFAULT_MAX_SIZE (64 * 1024)

/* Limits; zero means the default above, SIZE_MAX means none. */
typedef struct ph_cookie_limits {
    size_t max_cookies; /* most pairs kept */
    size_t max_size;    /* most header bytes */
} ph_cookie_limits;

/*
 * Parse a Cookie header value as Werkzeug's parse_cookie does: pairs split
 * on ';', names and unquoted values trimmed of whitespace, a name without
 * '=' gets an empty value, pairs with an empty name are skipped, a value in
 * double quotes is unquoted (backslash escapes and \ooo octal, as Python's
 * http.cookies). Parsing stops quietly at the first pair that cannot be read
 * (a bare newline inside an unquoted value), keeping what came before. Every
 * pair is kept in order; ph__multidict_get() gives the first, as Flask's
 * request.cookies.get does. Bytes stay bytes.
 *
 * Returns:  the number of bytes read (`len`, or where parsing stopped);
 *           PH_ETOOBIG over a limit; PH_ENOMEM. On failure `out` is as it
 *           was before the call.
 * Owns:     copies what it keeps into out's arena.
 * Suspends: no.
 */
ptrdiff_t ph__cookie_parse(ph_multidict *out, const char *s, size_t len,
                           const ph_cookie_limits *lim);

typedef enum ph_samesite {
    PH_SAMESITE_UNSET = 0, /* no SameSite attribute */
    PH_SAMESITE_STRICT,
    PH_SAMESITE_LAX,
    PH_SAMESITE_NONE,
} ph_samesite;

/* Set-Cookie attributes; the zero value gives "name=value; Path=/". */
typedef struct ph_cookie_opts {
    int64_t max_age;    /* seconds; used when has_max_age */
    int64_t expires;    /* Unix time; used when has_expires */
    const char *path;   /* NUL-terminated; NULL means "/" unless no_path */
    const char *domain; /* NUL-terminated; NULL means none */
    ph_samesite samesite;
    bool has_max_age;     /* write Max-Age */
    bool has_expires;     /* write Expires */
    bool secure;          /* write Secure */
    bool httponly;        /* write HttpOnly */
    bool no_path;         /* write no Path at all */
    bool no_sync_expires; /* with Max-Age and no Expires, do not derive Expires */
    int64_t now;          /* clock for the derived Expires; 0 means time(NULL) */
} ph_cookie_opts;

/*
 * Append the value of a Set-Cookie header (without "Set-Cookie: ") to `out`,
 * in Werkzeug's dump_cookie order: name=value; Domain; Expires; Max-Age;
 * Secure; HttpOnly; Path; SameSite. A value with bytes outside the
 * cookie-safe set is double-quoted with \ooo octal escapes, as dump_cookie
 * does, so CR, LF, ';' and control bytes in a value can never break the
 * header. With Max-Age and no Expires, Expires is derived as dump_cookie's
 * sync_expires does. Expires is written in IMF-fixdate (RFC 9110 5.6.7).
 * The path is percent-encoded where it holds unsafe bytes (as iri_to_uri).
 *
 * Returns:  the number of bytes appended; PH_EINVAL for an empty name, a
 *           name byte outside RFC 9110 tchar, a path holding CR, LF, ';' or
 *           another control byte, a domain without a dot (as Werkzeug refuses
 *           "localhost") or with a byte other than ASCII letters, digits,
 *           '.', '-', '_' (after dropping a ":port"), a bad samesite value, or
 *           an Expires year outside 1..9999; PH_ENOMEM; PH_ETOOBIG (out's
 *           maximum). On failure `out` is unchanged.
 * Owns:     nothing.
 * Suspends: no.
 */
ptrdiff_t ph__cookie_serialize(ph_buf *out, const char *name, size_t nlen, const char *value,
                               size_t vlen, const ph_cookie_opts *opts);

#endif
