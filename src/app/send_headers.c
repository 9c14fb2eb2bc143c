/*
 * Response headers of a file response written as Werkzeug 2.2's send_file
 * writes them: Content-Disposition (dump_options_header with
 * quote_header_value, and for a non-ASCII name an ASCII fallback plus an
 * RFC 8187 filename*), the charset Werkzeug's get_content_type adds to
 * textual types, and Python's float repr, which the default ETag
 * "{mtime}-{size}-{adler32(path)}" is made of.
 *
 * Werkzeug makes the ASCII fallback with unicodedata.normalize("NFKD") and
 * drops what is not ASCII. phial carries the outcome of that for the Latin
 * blocks (U+00A0..U+024F, U+1E00..U+1EFF) and the Latin ligatures
 * (U+FB00..U+FB06), generated from Python's unicodedata; other characters
 * are dropped, as NFKD drops them for most other scripts. References:
 * RFC 6266, RFC 8187, Werkzeug utils.py send_file and get_content_type,
 * http.py quote_header_value.
 */
#include "app/send_file.h"

#include "util/buf.h"
#include "util/url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Python's float repr ------------------------------------------------------ */

int ph__py_float_repr(double x, char *out, size_t cap) {
    char digits[40];
    int prec = 1;
    /* The shortest %.*e that reads back as `x` has repr's digits. */
    for (; prec <= 17; prec++) {
        snprintf(digits, sizeof(digits), "%.*e", prec - 1, x);
        if (strtod(digits, NULL) == x)
            break;
    }
    if (prec > 17)
        prec = 17;
    snprintf(digits, sizeof(digits), "%.*e", prec - 1, x);
    /* digits: [-]d[.ddd]e[+-]XX */
    char *e = strchr(digits, 'e');
    if (!e) /* inf or nan: never an mtime */
        return snprintf(out, cap, "%s", digits) < (int)cap ? (int)strlen(out) : PH_ETOOBIG;
    int exp = (int)strtol(e + 1, NULL, 10);
    *e = '\0';
    const char *p = digits;
    int neg = *p == '-';
    if (neg)
        p++;
    char mant[20];
    size_t m = 0;
    for (; *p && m < sizeof(mant) - 1; p++)
        if (*p != '.')
            mant[m++] = *p;
    mant[m] = '\0';
    ph_buf b;
    ph__buf_init(&b, 64);
    int rc = neg ? ph__buf_append_char(&b, '-') : 0;
    if (exp >= -4 && exp < 16) {
        /* Fixed notation, as repr uses for 1e-4 <= |x| < 1e16, always with a
         * fractional part. */
        if (exp < 0) {
            rc = rc ? rc : ph__buf_append_str(&b, "0.");
            for (int i = -1; rc == 0 && i > exp; i--)
                rc = ph__buf_append_char(&b, '0');
            rc = rc ? rc : ph__buf_append_str(&b, mant);
        } else {
            for (int i = 0; rc == 0 && i <= exp; i++)
                rc = ph__buf_append_char(&b, (size_t)i < m ? mant[i] : '0');
            rc = rc ? rc : ph__buf_append_char(&b, '.');
            if ((size_t)exp + 1 < m)
                rc = rc ? rc : ph__buf_append_str(&b, mant + exp + 1);
            else
                rc = rc ? rc : ph__buf_append_char(&b, '0');
        }
    } else {
        rc = rc ? rc : ph__buf_append_char(&b, mant[0]);
        if (m > 1)
            rc = rc ? rc : ph__buf_printf(&b, ".%s", mant + 1);
        rc = rc ? rc : ph__buf_printf(&b, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
    int n = rc ? PH_ENOMEM : (int)b.len;
    if (n >= 0 && (size_t)n + 1 > cap)
        n = PH_ETOOBIG;
    if (n >= 0)
        memcpy(out, b.data, (size_t)n + 1);
    ph__buf_close(&b);
    return n;
}

/* ---- Content-Type --------------------------------------------------------------- */

static const char *const charset_types[] = {
    "application/ecmascript", "application/javascript", "application/sql",
    "application/xml",        "application/xml-dtd",    "application/xml-external-parsed-entity",
};

const char *ph__content_type_for(ph_arena *a, const char *mt) {
    size_t n = strlen(mt);
    int text = strncmp(mt, "text/", 5) == 0 || (n >= 4 && strcmp(mt + n - 4, "+xml") == 0);
    for (size_t i = 0; !text && i < sizeof(charset_types) / sizeof(charset_types[0]); i++)
        text = strcmp(mt, charset_types[i]) == 0;
    if (!text || strstr(mt, "charset="))
        return mt;
    size_t len = n + sizeof("; charset=utf-8");
    char *s = ph__arena_alloc(a, len);
    if (s)
        snprintf(s, len, "%s; charset=utf-8", mt);
    return s;
}

/* ---- Content-Disposition ---------------------------------------------------------- */

/* The outcome of NFKD then dropping non-ASCII; generated from Python's unicodedata. */
/* clang-format off */
/* U+00A0..U+024F: '#' none, '@' see `multi` */
static const char latin[433] =
    " ####### #a#### ##23 ### 1o#@@@#AAAAAA#CEEEEIIII#NOOOOO##UUUUY##"
    "aaaaaa#ceeeeiiii#nooooo##uuuuy#yAaAaAaCcCcCcCcDd##EeEeEeEeEeGgGg"
    "GgGgHh##IiIiIiIiI#@@JjKk#LlLlLlLl##NnNnNnn##OoOoOo##RrRrRrSsSsSs"
    "SsTtTt##UuUuUuUuUuUuWwYyYZzZzZzs################################"
    "Oo#############Uu###################@@@@@@@@@AaIiOoUuUuUuUuUu#Aa"
    "Aa####GgKkOoOo##j@@@Gg##NnAa####AaAaEeEeIiIiOoOoRrRrUuUuSsTt##Hh"
    "######AaEeOoOoOoOoYy############################";
/* U+1E00..U+1EFF: '#' none */
static const char latin_ext[257] =
    "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm"
    "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv"
    "WwWwWwWwWwXxXxYyZzZzZzhtwyas####AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe"
    "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy######";
static const struct {
    uint16_t cp;
    char s[4];
} multi[] = {
    {0x00BC, "14"}, {0x00BD, "12"}, {0x00BE, "34"}, {0x0132, "IJ"}, {0x0133, "ij"}, {0x01C4, "DZ"},
    {0x01C5, "Dz"}, {0x01C6, "dz"}, {0x01C7, "LJ"}, {0x01C8, "Lj"}, {0x01C9, "lj"}, {0x01CA, "NJ"},
    {0x01CB, "Nj"}, {0x01CC, "nj"}, {0x01F1, "DZ"}, {0x01F2, "Dz"}, {0x01F3, "dz"}, {0xFB00, "ff"},
    {0xFB01, "fi"}, {0xFB02, "fl"}, {0xFB03, "ffi"}, {0xFB04, "ffl"}, {0xFB05, "st"}, {0xFB06, "st"},
};
/* clang-format on */

/* Decode one UTF-8 sequence at s[*i]; -1 for a malformed one (one byte skipped). */
static long utf8_next(const unsigned char *s, size_t n, size_t *i) {
    unsigned c = s[*i];
    size_t need = c < 0x80             ? 0
                  : (c & 0xE0) == 0xC0 ? 1
                  : (c & 0xF0) == 0xE0 ? 2
                  : (c & 0xF8) == 0xF0 ? 3
                                       : 9;
    if (need == 9 || *i + need >= n) {
        (*i)++;
        return need == 0 ? (long)c : -1;
    }
    long cp = need == 0 ? c : (long)(c & (0x3F >> need));
    for (size_t k = 1; k <= need; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return -1;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += need + 1;
    return cp;
}

static int append_ascii_fallback(ph_buf *b, long cp) {
    char c = 0;
    if (cp < 0x80)
        return ph__buf_append_char(b, (char)cp);
    if (cp >= 0xA0 && cp < 0x250)
        c = latin[cp - 0xA0];
    else if (cp >= 0x1E00 && cp < 0x1F00)
        c = latin_ext[cp - 0x1E00];
    else if (cp >= 0xFB00 && cp <= 0xFB06)
        c = '@';
    if (c == '@') {
        for (size_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++)
            if (multi[i].cp == cp)
                return ph__buf_append_str(b, multi[i].s);
        return 0;
    }
    return c && c != '#' ? ph__buf_append_char(b, c) : 0;
}

static int is_token_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* `key=value` with Werkzeug's quote_header_value. */
static int append_param(ph_buf *b, const char *key, const char *v, size_t n) {
    int rc = ph__buf_printf(b, "; %s=", key);
    int token = n > 0;
    for (size_t i = 0; i < n && token; i++)
        token = is_token_char((unsigned char)v[i]);
    if (rc == 0 && token)
        return ph__buf_append(b, v, n);
    rc = rc ? rc : ph__buf_append_char(b, '"');
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (v[i] == '\\' || v[i] == '"')
            rc = ph__buf_append_char(b, '\\');
        rc = rc ? rc : ph__buf_append_char(b, v[i]);
    }
    return rc ? rc : ph__buf_append_char(b, '"');
}

char *ph__content_disposition(ph_arena *a, bool attachment, const char *name) {
    size_t n = strlen(name);
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = (unsigned char)name[i] < 0x80;
    ph_buf b, simple;
    ph__buf_init(&b, 0);
    ph__buf_init(&simple, 0);
    int rc = ph__buf_append_str(&b, attachment ? "attachment" : "inline");
    if (ascii) {
        rc = rc ? rc : append_param(&b, "filename", name, n);
    } else {
        for (size_t i = 0; rc == 0 && i < n;) {
            long cp = utf8_next((const unsigned char *)name, n, &i);
            if (cp >= 0)
                rc = append_ascii_fallback(&simple, cp);
        }
        rc = rc ? rc : append_param(&b, "filename", simple.data ? simple.data : "", simple.len);
        ph_url_safe safe;
        ph__url_safe_init(&safe, PH_URL_WERKZEUG_SAFE);
        size_t qlen = 0;
        char *q = rc ? NULL : ph__url_encode_arena(a, name, n, &safe, 0, &qlen);
        if (!q)
            rc = PH_ENOMEM;
        char *ext = rc ? NULL : ph__arena_alloc(a, qlen + 8);
        if (ext) {
            memcpy(ext, "UTF-8''", 7);
            memcpy(ext + 7, q, qlen + 1);
            rc = append_param(&b, "filename*", ext, qlen + 7);
        } else {
            rc = PH_ENOMEM;
        }
    }
    char *out = rc ? NULL : ph__arena_strndup(a, b.data, b.len);
    ph__buf_close(&b);
    ph__buf_close(&simple);
    return out;
}
