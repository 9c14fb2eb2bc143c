/*
 * Python string formatting and str methods: the printf-style `%` operator
 * (used by `"..." % x` and the `format` filter), str.format() with the
 * common parts of the format-spec mini-language (fill, align, sign, zero,
 * width, grouping, precision, types s d x X o b c e E f F g G %), and the
 * str methods templates call (`.upper()`, `.split()`, `.startswith()`, ...).
 * When the format string is Markup, arguments are escaped first, as
 * markupsafe does.
 *
 * References: Python "printf-style String Formatting", "Format
 * Specification Mini-Language", "String Methods".
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* c is one of the characters of `set` (never NUL, unlike strchr's answer). */
static inline int in_set(const char *set, char c) {
    for (; *set; set++)
        if (*set == c)
            return 1;
    return 0;
}

/* What each character means in a %-conversion, looked up once instead of
 * scanning a list of characters for each question. */
enum {
    PF_FLAG = 1,     /* # 0 - space + */
    PF_LENGTH = 2,   /* h l L: accepted and ignored */
    PF_INT = 4,      /* d i u x X o */
    PF_FLOAT = 8,    /* e E f F g G */
    PF_TRUNCS = 16,  /* d i u x X o c: a float argument is truncated... */
    PF_NOFLOAT = 32, /* x X o c: ...or refused */
};
static const unsigned char pf_class[256] = {
    ['#'] = PF_FLAG, ['0'] = PF_FLAG, ['-'] = PF_FLAG, [' '] = PF_FLAG, ['+'] = PF_FLAG,
    ['h'] = PF_LENGTH, ['l'] = PF_LENGTH, ['L'] = PF_LENGTH,
    ['d'] = PF_INT | PF_TRUNCS, ['i'] = PF_INT | PF_TRUNCS, ['u'] = PF_INT | PF_TRUNCS,
    ['x'] = PF_INT | PF_TRUNCS | PF_NOFLOAT, ['X'] = PF_INT | PF_TRUNCS | PF_NOFLOAT,
    ['o'] = PF_INT | PF_TRUNCS | PF_NOFLOAT, ['c'] = PF_TRUNCS | PF_NOFLOAT,
    ['e'] = PF_FLOAT, ['E'] = PF_FLOAT, ['f'] = PF_FLOAT, ['F'] = PF_FLOAT, ['g'] = PF_FLOAT,
    ['G'] = PF_FLOAT,
};

static inline int pf_is(char c, int cls) { return (pf_class[(unsigned char)c] & cls) != 0; }

/* Where the last `sub` starts within the first n bytes of s, or SIZE_MAX */
/*
 * The last index of sub in s (SIZE_MAX: none). A short needle is compared
 * at each position; a long one is searched by Knuth-Morris-Pratt over both
 * strings read backwards, since comparing a long needle at every position
 * costs the product of the lengths (a template may search a client's text
 * for another of its texts). The forward searches use memmem.
 */
static size_t rfind_in(const char *s, size_t n, const char *sub, size_t subn) {
    if (subn > n)
        return SIZE_MAX;
    size_t *fail = subn > 16 ? ph__malloc(subn * sizeof(*fail)) : NULL;
    if (!fail) {
        for (size_t i = n - subn + 1; i-- > 0;)
            if (memcmp(s + i, sub, subn) == 0)
                return i;
        return SIZE_MAX;
    }
#define RNEEDLE(i) sub[subn - 1 - (i)]
    fail[0] = 0;
    for (size_t i = 1, k = 0; i < subn; i++) {
        while (k && RNEEDLE(i) != RNEEDLE(k))
            k = fail[k - 1];
        if (RNEEDLE(i) == RNEEDLE(k))
            k++;
        fail[i] = k;
    }
    size_t at = SIZE_MAX;
    for (size_t j = 0, k = 0; j < n; j++) {
        char c = s[n - 1 - j];
        while (k && c != RNEEDLE(k))
            k = fail[k - 1];
        if (c == RNEEDLE(k) && ++k == subn) {
            at = n - 1 - j; /* the match ends here, read backwards: it starts here */
            break;
        }
    }
#undef RNEEDLE
    ph__free(fail);
    return at;
}

/* Bytes of the character at s, or of the one ending at s + e (after `from`) */
static size_t char_len(const char *s, size_t n) { return ph__utf8_offset(s, n, 1); }
static size_t char_len_before(const char *s, size_t from, size_t e) {
    size_t b = e - 1;
    while (b > from && ((unsigned char)s[b] & 0xC0) == 0x80 && e - b < 4)
        b--;
    return e - b;
}


/* Python's ascii(): repr() with every non-ASCII character escaped */
static int ascii_of(rctx *r, tv v, ph_buf *out) {
    ph_buf t;
    ph__buf_init(&t, r->out->max);
    int rc = ph__tv_repr(r, v, &t);
    for (size_t i = 0, adv; rc == 0 && i < t.len; i += adv) {
        uint32_t c = ph__utf8_next(t.data + i, t.len - i, &adv);
        rc = c < 0x80     ? ph__buf_append_char(out, (char)c)
             : c < 0x100   ? ph__buf_printf(out, "\\x%02x", c)
             : c < 0x10000 ? ph__buf_printf(out, "\\u%04x", c)
                           : ph__buf_printf(out, "\\U%08x", c);
    }
    ph__buf_close(&t);
    return rc;
}

/* v as text by a conversion: str() ('s'), repr() ('r') or ascii() ('a'),
 * as %s/%r/%a and {!s}/{!r}/{!a} convert it. */
static int convert(rctx *r, tv v, char conv, ph_buf *out) {
    return conv == 'r' ? ph__tv_repr(r, v, out) : conv == 'a' ? ascii_of(r, v, out)
                                                              : ph__tv_str(r, v, out);
}

/* An argument of %s (conv 's'), %r ('r') or %a ('a'). */
static int append_str_arg(rctx *r, ph_buf *b, tv fmt, tv arg, char conv, int prec, int width,
                          int left) {
    ph_buf t;
    ph__buf_init(&t, r->out->max);
    int rc = convert(r, arg, conv, &t);
    const char *s = t.data ? t.data : "";
    size_t n = t.len;
    if (rc == 0 && prec >= 0)
        n = ph__utf8_offset(s, n, (size_t)prec);
    size_t chars = ph__utf8_len(s, n);
    for (size_t i = chars; rc == 0 && !left && (int)i < width; i++)
        rc = ph__buf_append_char(b, ' ');
    if (rc == 0)
        rc = fmt.safe && !(arg.k == TV_STR && arg.safe) ? ph__html_escape_n(b, s, n)
                                                        : ph__buf_append(b, s, n);
    for (size_t i = chars; rc == 0 && left && (int)i < width; i++)
        rc = ph__buf_append_char(b, ' ');
    ph__buf_close(&t);
    return rc;
}

static int to_number(rctx *r, const node *n, tv v, char type, double *f, long long *i) {
    if (v.k == TV_INT || v.k == TV_BOOL) {
        *i = v.i;
        *f = (double)v.i;
        return 0;
    }
    if (v.k == TV_FLOAT) {
        *f = v.f;
        if (pf_is(type, PF_TRUNCS)) {
            if (!isfinite(v.f))
                return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "cannot convert float %s to integer",
                                     isnan(v.f) ? "NaN" : "infinity");
            if (pf_is(type, PF_NOFLOAT))
                return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                                     "%%%c format: an integer is required, not float", type);
        }
        /* past 64 bits the caller prints the float's own digits */
        *i = fabs(v.f) < 9.2e18 ? (long long)v.f : 0;
        return 0;
    }
    return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "%%%c format: a real number is required, not %s", type,
                         ph__tv_typename(v));
}

/*
 * "%.<prec>f" of x, exactly as printf rounds it (the binary value rounded
 * to prec decimals, exact ties to even), with 128-bit integer arithmetic:
 * x = m * 2^e, so x * 10^prec = m * 10^prec * 2^e. Returns -1 when x is out
 * of this fast path's range (then snprintf does it).
 */
static int fmt_fixed(ph_buf *b, double x, int prec) {
    if (!isfinite(x) || prec < 0 || prec > 9 || fabs(x) >= 1e15)
        return -1;
    /* |x| = m * 2^e, from the bits of the double */
    uint64_t bits;
    memcpy(&bits, &x, sizeof(bits));
    int biased = (int)((bits >> 52) & 0x7FF);
    uint64_t m = bits & ((UINT64_C(1) << 52) - 1);
    int e = biased ? biased - 1075 : -1074;
    if (biased)
        m |= UINT64_C(1) << 52;
    unsigned __int128 p10 = 1, v;
    for (int i = 0; i < prec; i++)
        p10 *= 10;
    v = (unsigned __int128)m * p10;
    unsigned __int128 q;
    if (e >= 0) {
        q = v << e;
    } else if (-e >= 127) {
        q = 0;
    } else {
        q = v >> -e;
        unsigned __int128 rem = v & ((((unsigned __int128)1) << -e) - 1);
        unsigned __int128 half = ((unsigned __int128)1) << (-e - 1);
        if (rem > half || (rem == half && (q & 1)))
            q++;
    }
    char tmp[64], *p = tmp + sizeof(tmp);
    int digits = 0;
    /* 128-bit division is a library call: the digits that fit in 64 bits
     * (all of them, for everyday amounts) take the 64-bit path */
    while (q > UINT64_MAX) {
        *--p = (char)('0' + (int)(q % 10));
        q /= 10;
        if (++digits == prec)
            *--p = '.';
    }
    uint64_t q64 = (uint64_t)q;
    do {
        *--p = (char)('0' + (int)(q64 % 10));
        q64 /= 10;
        if (++digits == prec)
            *--p = '.';
    } while (q64 || digits <= prec);
    if (*p == '.')
        *--p = '0';
    if (signbit(x))
        *--p = '-';
    return out_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* An integer conversion (d i u x X o) the way Python does it: a sign and
 * not two's complement for negative hex/octal, "0o" for %#o, zero padding
 * after the sign and prefix even with a precision. */
/* An integer's digits with its sign, prefix, precision and padding. */
static int fmt_digits(ph_buf *b, const char *flags, int width, int prec, char type, int neg,
                      const char *digits) {
    size_t nd = strlen(digits);
    int alt = strchr(flags, '#') != NULL, zero = strchr(flags, '0') != NULL;
    int left = strchr(flags, '-') != NULL;
    const char *sign = neg ? "-" : strchr(flags, '+') ? "+" : strchr(flags, ' ') ? " " : "";
    const char *prefix = !alt          ? ""
                         : type == 'x' ? "0x"
                         : type == 'X' ? "0X"
                         : type == 'o' ? "0o"
                                       : "";
    size_t zeros = prec > 0 && (size_t)prec > nd ? (size_t)prec - nd : 0;
    size_t body = strlen(sign) + strlen(prefix) + zeros + nd;
    size_t pad = width > 0 && (size_t)width > body ? (size_t)width - body : 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && !left && !zero && i < pad; i++)
        rc = ph__buf_append_char(b, ' ');
    if (rc == 0)
        rc = ph__buf_append_str(b, sign);
    if (rc == 0)
        rc = ph__buf_append_str(b, prefix);
    for (size_t i = 0; rc == 0 && i < zeros + (!left && zero ? pad : 0); i++)
        rc = ph__buf_append_char(b, '0');
    if (rc == 0)
        rc = ph__buf_append(b, digits, nd);
    for (size_t i = 0; rc == 0 && left && i < pad; i++)
        rc = ph__buf_append_char(b, ' ');
    return rc;
}

static int fmt_int(ph_buf *b, const char *flags, int width, int prec, char type, long long v) {
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    char digits[72];
    snprintf(digits, sizeof(digits),
             type == 'x'   ? "%llx"
             : type == 'X' ? "%llX"
             : type == 'o' ? "%llo"
                           : "%llu",
             u);
    return fmt_digits(b, flags, width, prec, type, v < 0, digits);
}

/* %d of a float past 64 bits: Python prints the exact integer it holds,
 * which the C library's %.0f writes too (every such float is an integer) */
static int fmt_big_int(ph_buf *b, const char *flags, int width, int prec, char type, double f) {
    char digits[400];
    snprintf(digits, sizeof(digits), "%.0f", fabs(f));
    return fmt_digits(b, flags, width, prec, type, f < 0, digits);
}

/* A float conversion (e E f F g G) through the C library, whose output
 * matches Python's for these. */
static int fmt_float_conv(rctx *r, const node *n, ph_buf *b, const char *flags, int width, int prec,
                          char type, double f) {
    char spec[32];
    snprintf(spec, sizeof(spec), "%%%s*.*%c", flags, type);
    int w = width < 0 ? 0 : width, p = prec < 0 ? 6 : prec;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int len = snprintf(NULL, 0, spec, w, p, f);
    if (len < 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "bad format");
    int rc = ph__buf_reserve(b, (size_t)len);
    if (rc < 0)
        return rc;
    snprintf(b->data + b->len, (size_t)len + 1, spec, w, p, f);
#pragma GCC diagnostic pop
    b->len += (size_t)len;
    return 0;
}

int ph__tmpl_pyformat(rctx *r, const node *n, tv fmt, tv *args, size_t nargs, tv kw, tv *out) {
    /* build at the end of the output buffer (no buffer to allocate), then
     * move the bytes to the arena and cut the output back */
    ph_buf *b = r->out;
    size_t mark = b->len;
    tstream *held = ph__tmpl_hold(r);
    size_t ai = 0;
    int rc = 0, used_map = 0;
    const char *s = fmt.s;
    for (size_t i = 0; rc == 0 && i < fmt.n; i++) {
        if (s[i] != '%') { /* the literal text up to the next conversion */
            const char *pct = memchr(s + i, '%', fmt.n - i);
            size_t run = pct ? (size_t)(pct - (s + i)) : fmt.n - i;
            rc = ph__buf_append(b, s + i, run);
            i += run - 1;
            continue;
        }
        if (++i >= fmt.n) {
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "incomplete format");
            break;
        }
        tv arg = TV_MK(TV_NONE);
        int have_arg = 0;
        if (s[i] == '(') {
            size_t e = i + 1;
            while (e < fmt.n && s[e] != ')')
                e++;
            if (e >= fmt.n || (kw.k != TV_DICT && kw.k != TV_JOBJ)) {
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "format requires a mapping");
                break;
            }
            if (!ph__tdict_get(kw, tv_str(s + i + 1, e - i - 1, 0), &arg)) {
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "'%.*s'", (int)(e - i - 1), s + i + 1);
                break;
            }
            have_arg = used_map = 1;
            i = e + 1;
        }
        char flags[8];
        size_t nf = 0;
        while (i < fmt.n && pf_is(s[i], PF_FLAG) && nf < 6)
            flags[nf++] = s[i++];
        flags[nf] = 0;
        int width = -1, prec = -1;
        if (i < fmt.n && s[i] == '*') {
            if (ai < nargs && args[ai].k == TV_INT)
                width = (int)args[ai++].i;
            i++;
        }
        while (i < fmt.n && isdigit((unsigned char)s[i])) {
            if (width <= 1000000) /* larger values are refused below; no overflow */
                width = (width < 0 ? 0 : width) * 10 + (s[i] - '0');
            i++;
        }
        if (i < fmt.n && s[i] == '.') {
            prec = 0;
            i++;
            while (i < fmt.n && isdigit((unsigned char)s[i])) {
                if (prec <= 1000000) /* larger values are refused below; no overflow */
                    prec = prec * 10 + (s[i] - '0');
                i++;
            }
        }
        while (i < fmt.n && pf_is(s[i], PF_LENGTH))
            i++;
        if (i >= fmt.n) {
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "incomplete format");
            break;
        }
        char type = s[i];
        if (type == '%') {
            rc = ph__buf_append_char(b, '%');
            continue;
        }
        if (!have_arg) {
            if (ai >= nargs) {
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "not enough arguments for format string");
                break;
            }
            arg = args[ai++];
        }
        if (width > 100000 || prec > 100000) {
            rc = ph__tmpl_rerr(r, n, PH_ETOOBIG, "format width too large");
            break;
        }
        int left = in_set(flags, '-');
        if (type == 's' || type == 'r' || type == 'a') {
            rc = append_str_arg(r, b, fmt, arg, type, prec, width, left);
            continue;
        }
        if (type == 'c') { /* a character: chr(int) or a one-character str */
            ph_buf cb;
            ph__buf_init(&cb, 16);
            if ((arg.k == TV_INT || arg.k == TV_BOOL) && arg.i >= 0xD800 && arg.i <= 0xDFFF)
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "surrogates not allowed");
            else if ((arg.k == TV_INT || arg.k == TV_BOOL) && arg.i >= 0 && arg.i <= 0x10FFFF)
                rc = ph__utf8_put(&cb, (uint32_t)arg.i);
            else if (arg.k == TV_STR && ph__utf8_len(arg.s, arg.n) == 1)
                rc = ph__buf_append(&cb, arg.s, arg.n);
            else
                rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "%%c requires int or char");
            if (rc == 0)
                rc = append_str_arg(r, b, fmt, tv_str(cb.data, cb.len, 0), 's', -1, width, left);
            ph__buf_close(&cb);
            if (rc < 0)
                break;
            continue;
        }
        if (!pf_is(type, PF_INT | PF_FLOAT)) {
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "unsupported format character '%c' (0x%x)", type,
                               (unsigned char)type);
            break;
        }
        double f = 0;
        long long iv = 0;
        if ((rc = to_number(r, n, arg, type, &f, &iv)) < 0)
            break;
        if ((type == 'f' || type == 'F') && !nf && width < 0 &&
            fmt_fixed(b, f, prec < 0 ? 6 : prec) == 0)
            continue;
        if (pf_is(type, PF_INT) && arg.k == TV_FLOAT && fabs(f) >= 9.2e18)
            rc = fmt_big_int(b, flags, width, prec, type, f);
        else if (pf_is(type, PF_INT))
            rc = fmt_int(b, flags, width, prec, type, iv);
        else
            rc = fmt_float_conv(r, n, b, flags, width, prec, type, f);
        if (rc < 0)
            break;
    }
    /* Python lets arguments go unused when the right operand can be indexed
     * like a mapping; callers pass such an operand as kw (see the % operator) */
    if (rc == 0 && ai < nargs && !used_map && kw.k == TV_NONE)
        rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                           "not all arguments converted during string formatting");
    if (rc == 0)
        *out = ph__tv_strdup(r, b->data ? b->data + mark : "", b->len - mark, fmt.safe);
    b->len = mark;
    if (b->data)
        b->data[mark] = '\0';
    ph__tmpl_unhold(held);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* str.format                                                               */
/* ------------------------------------------------------------------------ */

static int group_digits(ph_buf *b, const char *digits, size_t n, char sep) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i && (n - i) % 3 == 0)
            rc = ph__buf_append_char(b, sep);
        if (rc == 0)
            rc = ph__buf_append_char(b, digits[i]);
    }
    return rc;
}

typedef struct fspec {
    char fill, align, sign, type, grouping;
    int zero, alt;
    long width, prec;
} fspec;

/* [[fill]align][sign][#][0][width][grouping][.precision][type] */
static int parse_fspec(const char *spec, size_t sn, fspec *fs) {
    size_t i = 0;
    *fs = (fspec){.fill = ' ', .width = -1, .prec = -1};
    if (sn >= 2 && strchr("<>^=", spec[1]) && spec[1]) {
        fs->fill = spec[0];
        fs->align = spec[1];
        i = 2;
    } else if (sn >= 1 && strchr("<>^=", spec[0]) && spec[0]) {
        fs->align = spec[0];
        i = 1;
    }
    if (i < sn && spec[i] && strchr("+- ", spec[i]))
        fs->sign = spec[i++];
    if (i < sn && spec[i] == '#')
        fs->alt = 1, i++;
    if (i < sn && spec[i] == '0')
        fs->zero = 1, i++;
    while (i < sn && isdigit((unsigned char)spec[i])) {
        if (fs->width <= 1000000) /* larger values are refused below; no overflow */
            fs->width = (fs->width < 0 ? 0 : fs->width) * 10 + (spec[i] - '0');
        i++;
    }
    if (i < sn && (spec[i] == ',' || spec[i] == '_'))
        fs->grouping = spec[i++];
    if (i < sn && spec[i] == '.') {
        fs->prec = 0;
        i++;
        while (i < sn && isdigit((unsigned char)spec[i])) {
            if (fs->prec <= 1000000)
                fs->prec = fs->prec * 10 + (spec[i] - '0');
            i++;
        }
    }
    if (i < sn)
        fs->type = spec[i++];
    return i < sn || fs->width > 100000 || fs->prec > 100000 ? -1 : 0;
}

/* Digits of a number without its sign: *isf tells whether it was formatted as a float. */
static int number_digits(rctx *r, const node *n, tv v, fspec *fs, char *digits, size_t size,
                         int *neg) {
    char type = fs->type;
    int isf = v.k == TV_FLOAT || (type && strchr("eEfFgG%", type));
    if (type == 'n')
        type = isf ? 'g' : 'd';
    if (v.k == TV_FLOAT && type && strchr("dxXobc", type))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             "Unknown format code '%c' for object of type 'float'", type);
    if (type && !strchr("eEfFgG%dxXobcn", type))
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Unknown format code '%c' for object of type '%s'",
                             type, ph__tv_typename(v));
    if (isf) {
        double f = v.k == TV_FLOAT ? v.f : (double)v.i, af = fabs(f);
        *neg = signbit(f) && !isnan(f);
        if (!type && fs->prec < 0) { /* repr */
            ph_buf t;
            ph__buf_init(&t, 64);
            int rc = ph__fmt_float(&t, af);
            snprintf(digits, size, "%s", rc == 0 && t.data ? t.data : "");
            ph__buf_close(&t);
            return rc;
        }
        if (!type) { /* precision, no type: like g, exponent from precision - 1 on */
            int p = fs->prec == 0 ? 1 : fs->prec > 300 ? 300 : (int)fs->prec;
            char e[420];
            snprintf(e, sizeof(e), "%.*e", p - 1, af);
            char *ep = strchr(e, 'e');
            int x = ep ? (int)strtol(ep + 1, NULL, 10) : 0;
            if (ep && (x < -4 || x >= p - 1)) {
                size_t m = (size_t)(ep - e);
                while (m > 1 && e[m - 1] == '0' && memchr(e, '.', m))
                    m--;
                if (m > 1 && e[m - 1] == '.')
                    m--;
                snprintf(digits, size, "%.*s%s", (int)m, e, ep);
            } else {
                snprintf(digits, size, "%.*g", p, af);
                if (!strpbrk(digits, ".einf"))
                    strncat(digits, ".0", size - strlen(digits) - 1);
            }
            return 0;
        }
        char ct = type == '%' ? 'f' : type;
        int p = fs->prec < 0 ? 6 : fs->prec > 300 ? 300 : (int)fs->prec;
        snprintf(digits, size, (char[]){'%', '.', '*', ct, 0}, p, type == '%' ? af * 100 : af);
        if (type == '%')
            strncat(digits, "%", size - strlen(digits) - 1);
        return 0;
    }
    if (fs->prec >= 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                             "Precision not allowed in integer format specifier");
    long long iv = v.i;
    unsigned long long u = iv < 0 ? 0ULL - (unsigned long long)iv : (unsigned long long)iv;
    *neg = iv < 0;
    if (type == 'c') {
        if (iv < 0 || iv > 0x10FFFF)
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "%%c arg not in range(0x110000)");
        if (iv >= 0xD800 && iv <= 0xDFFF) /* Python makes it, but no UTF-8 page can hold it */
            return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "surrogates not allowed");
        ph_buf t = {.data = digits, .cap = size, .max = size - 1};
        *neg = 0;
        return ph__utf8_put(&t, (uint32_t)iv);
    }
    if (type == 'b') {
        char tmp[70];
        size_t k = 0;
        do
            tmp[k++] = (char)('0' + (u & 1));
        while (u >>= 1);
        for (size_t j = 0; j < k; j++)
            digits[j] = tmp[k - 1 - j];
        digits[k] = 0;
        return 0;
    }
    snprintf(digits, size,
             type == 'x'   ? "%llx"
             : type == 'X' ? "%llX"
             : type == 'o' ? "%llo"
                           : "%llu",
             u);
    return 0;
}

static int format_spec(rctx *r, const node *n, tv v, const char *spec, size_t sn, ph_buf *b) {
    /* only str and numbers have a __format__ of their own; object's takes
     * no format spec */
    if (sn && v.k != TV_STR && v.k != TV_INT && v.k != TV_FLOAT && v.k != TV_BOOL)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "unsupported format string passed to %s.__format__",
                             ph__tv_typename(v));
    fspec fs;
    if (parse_fspec(spec, sn, &fs) < 0)
        return ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Invalid format specifier");
    int numeric = v.k == TV_INT || v.k == TV_FLOAT || (v.k == TV_BOOL && sn > 0);
    ph_buf body;
    ph__buf_init(&body, r->out->max);
    int rc = 0;
    size_t pre = 0; /* bytes of sign and prefix, before '=' padding */
    if (!numeric) {
        if (fs.type && fs.type != 's')
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                               "Unknown format code '%c' for object of type '%s'", fs.type,
                               ph__tv_typename(v));
        else if (fs.grouping)
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Cannot specify '%c' with 's'.", fs.grouping);
        else if (fs.sign)
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Sign not allowed in string format specifier");
        else if (fs.align == '=')
            rc = ph__tmpl_rerr(r, n, PH_ETEMPLATE,
                               "'=' alignment not allowed in string format specifier");
        if (rc == 0)
            rc = ph__tv_str(r, v, &body);
        if (rc == 0 && fs.prec >= 0)
            body.len = ph__utf8_offset(body.data ? body.data : "", body.len, (size_t)fs.prec);
        if (fs.zero && !fs.align)
            fs.fill = '0';
        if (!fs.align)
            fs.align = '<';
    } else {
        if (fs.type == 's')
            rc =
                ph__tmpl_rerr(r, n, PH_ETEMPLATE, "Unknown format code 's' for object of type '%s'",
                              ph__tv_typename(v));
        char digits[400];
        int neg = 0;
        if (rc == 0)
            rc = number_digits(r, n, v, &fs, digits, sizeof(digits), &neg);
        if (rc == 0) {
            char sch = neg ? '-' : fs.sign == '+' ? '+' : fs.sign == ' ' ? ' ' : 0;
            const char *prefix = !fs.alt          ? ""
                                 : fs.type == 'x' ? "0x"
                                 : fs.type == 'X' ? "0X"
                                 : fs.type == 'o' ? "0o"
                                 : fs.type == 'b' ? "0b"
                                                  : "";
            size_t intlen = strcspn(digits, ".eE%");
            if (strstr(digits, "inf") || strstr(digits, "nan"))
                intlen = 0;
            if (fs.zero && !fs.align) {
                fs.fill = '0';
                fs.align = '=';
            }
            if (!fs.align)
                fs.align = '>';
            if (sch)
                rc = ph__buf_append_char(&body, sch);
            if (rc == 0)
                rc = ph__buf_append_str(&body, prefix);
            pre = body.len;
            if (rc == 0 && fs.grouping)
                rc = group_digits(&body, digits, intlen, fs.grouping);
            else if (rc == 0)
                rc = ph__buf_append(&body, digits, intlen);
            if (rc == 0)
                rc = ph__buf_append_str(&body, digits + intlen);
        }
    }
    size_t chars = ph__utf8_len(body.data ? body.data : "", body.len);
    long padn = fs.width > (long)chars ? fs.width - (long)chars : 0, lp = 0;
    if (fs.align == '>')
        lp = padn;
    else if (fs.align == '^')
        lp = padn / 2;
    if (rc == 0 && fs.align == '=') {
        rc = ph__buf_append(b, body.data ? body.data : "", pre);
        for (long k = 0; rc == 0 && k < padn; k++)
            rc = ph__buf_append_char(b, fs.fill);
        if (rc == 0)
            rc = ph__buf_append(b, body.data ? body.data + pre : "", body.len - pre);
        ph__buf_close(&body);
        return rc;
    }
    for (long k = 0; rc == 0 && k < lp; k++)
        rc = ph__buf_append_char(b, fs.fill);
    if (rc == 0)
        rc = ph__buf_append(b, body.data ? body.data : "", body.len);
    for (long k = lp; rc == 0 && k < padn; k++)
        rc = ph__buf_append_char(b, fs.fill);
    ph__buf_close(&body);
    return rc;
}

static int str_format(rctx *r, tfunc *self, targs *a, tv *out) {
    tv fmt = self->self;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    size_t auto_idx = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < fmt.n; i++) {
        char c = fmt.s[i];
        if ((c == '{' || c == '}') && i + 1 < fmt.n && fmt.s[i + 1] == c) {
            rc = ph__buf_append_char(&b, c);
            i++;
            continue;
        }
        if (c == '}') {
            rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "Single '}' encountered in format string");
            break;
        }
        if (c != '{') {
            rc = ph__buf_append_char(&b, c);
            continue;
        }
        size_t e = i + 1;
        while (e < fmt.n && fmt.s[e] != '}')
            e++;
        if (e >= fmt.n) {
            rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "Single '{' encountered in format string");
            break;
        }
        const char *f = fmt.s + i + 1;
        size_t fl = e - i - 1, nl = 0;
        while (nl < fl && !strchr(".[!:", f[nl]))
            nl++;
        tv v;
        if (nl == 0) {
            if (!ph__tmpl_arg(a, auto_idx++, NULL, &v)) {
                rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                                   "Replacement index %zu out of range for positional args tuple",
                                   auto_idx - 1);
                break;
            }
        } else if (isdigit((unsigned char)f[0])) {
            size_t idx = (size_t)strtoul(f, NULL, 10);
            if (!ph__tmpl_arg(a, idx, NULL, &v)) {
                rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                                   "Replacement index %zu out of range for positional args tuple",
                                   idx);
                break;
            }
        } else {
            size_t k;
            for (k = 0; k < a->nkw; k++)
                if (strlen(a->kwn[k]) == nl && memcmp(a->kwn[k], f, nl) == 0)
                    break;
            if (k == a->nkw) {
                rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "'%.*s'", (int)nl, f);
                break;
            }
            v = a->kwv[k];
        }
        size_t p = nl;
        while (rc == 0 && p < fl && (f[p] == '.' || f[p] == '[')) {
            size_t q = p + 1;
            while (q < fl && !strchr(".[]!:", f[q]))
                q++;
            tv key = tv_str(f + p + 1, q - p - 1, 0);
            if (f[p] == '[' && q > p + 1 && isdigit((unsigned char)f[p + 1]))
                key = tv_int(strtoll(f + p + 1, NULL, 10));
            rc = f[p] == '.' ? ph__tmpl_getattr(r, NULL, v, key.s, key.n, &v)
                             : ph__tmpl_getitem(r, NULL, v, key, &v);
            p = q + (q < fl && f[q] == ']');
        }
        int conv = 0;
        if (p + 1 < fl && f[p] == '!') {
            conv = f[p + 1];
            p += 2;
        }
        const char *spec = p < fl && f[p] == ':' ? f + p + 1 : "";
        size_t sn = p < fl && f[p] == ':' ? fl - p - 1 : 0;
        if (rc == 0 && conv && conv != 'r' && conv != 'a' && conv != 's')
            rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "Unknown conversion specifier %c", conv);
        if (rc == 0 && conv) { /* !r, !a, !s: the field becomes that text */
            ph_buf t;
            ph__buf_init(&t, r->out->max);
            rc = convert(r, v, conv, &t);
            if (rc == 0)
                v = ph__tv_strdup(r, t.data ? t.data : "", t.len, 0);
            ph__buf_close(&t);
        }
        size_t mark = b.len;
        if (rc == 0)
            rc = format_spec(r, NULL, v, spec, sn, &b);
        if (rc == 0 && fmt.safe && !(v.k == TV_STR && v.safe)) {
            /* Markup's format escapes each field that is not markup */
            tv field = ph__tv_strdup(r, b.data + mark, b.len - mark, 0);
            b.len = mark;
            rc = field.k == TV_STR ? ph__html_escape_n(&b, field.s, field.n) : PH_ENOMEM;
        }
        i = e;
    }
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, fmt.safe);
    ph__buf_close(&b);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* str methods                                                              */
/* ------------------------------------------------------------------------ */

static int s_casefold(rctx *r, tfunc *self, targs *a, tv *out) {
    (void)a;
    return ph__tmpl_casefold(r, self->self, out);
}

static int s_case(rctx *r, tfunc *self, targs *a, tv *out) {
    const char *m = self->name;
    int mode = m[0] == 'u'   ? C_UPPER
               : m[0] == 'l' ? C_LOWER
               : m[0] == 'c' ? C_CAPITALIZE
               : m[0] == 's' ? C_SWAP
                             : C_PYTITLE;
    return ph__tmpl_casemap(r, self->self, mode, out);
}

/* the character of `len` bytes at p is one to strip: one of `chars` (whole
 * characters), or whitespace when no chars are given */
static int strippable(const char *p, size_t len, const tv *chars) {
    return chars ? memmem(chars->s, chars->n, p, len) != NULL : ph__cp_space_len(p, len) == len;
}

tv ph__tmpl_strip(tv s, const tv *chars, int left, int right) {
    size_t b = 0, e = s.n;
    while (left && b < e) {
        size_t k = char_len(s.s + b, e - b);
        if (!strippable(s.s + b, k, chars))
            break;
        b += k;
    }
    while (right && e > b) {
        size_t k = char_len_before(s.s, b, e);
        if (!strippable(s.s + e - k, k, chars))
            break;
        e -= k;
    }
    return tv_str(s.s + b, e - b, s.safe);
}

static int s_strip(rctx *r, tfunc *self, targs *a, tv *out) {
    tv chars;
    int have = ph__tmpl_arg(a, 0, "chars", &chars) && chars.k == TV_STR;
    *out = ph__tmpl_strip(self->self, have ? &chars : NULL, self->name[0] != 'r',
                          self->name[0] != 'l');
    return 0;
}

static int s_split(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, sep = TV_MK(TV_NONE), mx = tv_int(-1);
    ph__tmpl_arg(a, 0, "sep", &sep);
    ph__tmpl_arg(a, 1, "maxsplit", &mx);
    tlist *l = ph__tlist_new(r, 8);
    if (!l)
        return PH_ENOMEM;
    int64_t left = mx.k == TV_INT ? mx.i : -1;
    int rc = 0;
    if (sep.k == TV_STR) {
        if (!sep.n)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "empty separator");
        size_t i = 0;
        for (;;) {
            const char *hit = left != 0 ? memmem(s.s + i, s.n - i, sep.s, sep.n) : NULL;
            size_t e = hit ? (size_t)(hit - s.s) : s.n;
            if ((rc = ph__tlist_push(r, l, tv_str(s.s + i, e - i, s.safe))) < 0 || !hit)
                break;
            i = e + sep.n;
            left--;
        }
    } else {
        /* runs of whitespace; once maxsplit is used up, the rest as it is */
        size_t i = 0, k;
        while (rc == 0) {
            while (i < s.n && (k = ph__cp_space_len(s.s + i, s.n - i)))
                i += k;
            if (i >= s.n)
                break;
            size_t e = left == 0 ? s.n : i;
            while (e < s.n && !ph__cp_space_len(s.s + e, s.n - e))
                e += char_len(s.s + e, s.n - e);
            rc = ph__tlist_push(r, l, tv_str(s.s + i, e - i, s.safe));
            i = e;
            left--;
        }
    }
    *out = (tv){.k = TV_LIST};
    out->l = l;
    return rc;
}

/* str.rsplit: split() from the right, which differs only with a maxsplit */
static int s_rsplit(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, sep = TV_MK(TV_NONE), mx = tv_int(-1);
    ph__tmpl_arg(a, 0, "sep", &sep);
    ph__tmpl_arg(a, 1, "maxsplit", &mx);
    int64_t left = mx.k == TV_INT ? mx.i : -1;
    if (left < 0)
        return s_split(r, self, a, out);
    if (sep.k == TV_STR && !sep.n)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "empty separator");
    tlist *l = ph__tlist_new(r, 8);
    if (!l)
        return PH_ENOMEM;
    int rc = 0;
    size_t e = s.n; /* the pieces are found last first, then put in order */
    if (sep.k == TV_STR) {
        for (;;) {
            size_t hit = left != 0 ? rfind_in(s.s, e, sep.s, sep.n) : SIZE_MAX;
            size_t b = hit == SIZE_MAX ? 0 : hit + sep.n;
            if ((rc = ph__tlist_push(r, l, tv_str(s.s + b, e - b, s.safe))) < 0 || hit == SIZE_MAX)
                break;
            e = hit;
            left--;
        }
    } else {
        while (rc == 0) {
            while (e > 0) {
                size_t k = char_len_before(s.s, 0, e);
                if (ph__cp_space_len(s.s + e - k, k) != k)
                    break;
                e -= k;
            }
            if (e == 0)
                break;
            size_t b = left == 0 ? 0 : e; /* the rest as it is, once maxsplit is used up */
            while (b > 0) {
                size_t k = char_len_before(s.s, 0, b);
                if (ph__cp_space_len(s.s + b - k, k) == k)
                    break;
                b -= k;
            }
            rc = ph__tlist_push(r, l, tv_str(s.s + b, e - b, s.safe));
            e = b;
            if (left-- == 0)
                break;
        }
    }
    ph__tlist_reverse(l);
    *out = (tv){.k = TV_LIST};
    out->l = l;
    return rc;
}

/* str.partition and str.rpartition: a (head, sep, tail) tuple */
static int s_partition(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, sep;
    if (!ph__tmpl_arg(a, 0, NULL, &sep) || sep.k != TV_STR)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "must be str, not %s",
                             a->npos ? ph__tv_typename(a->pos[0]) : "nothing");
    if (!sep.n)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "empty separator");
    int right = self->name[0] == 'r';
    size_t hit = SIZE_MAX;
    if (right) {
        hit = rfind_in(s.s, s.n, sep.s, sep.n);
    } else {
        const char *p = memmem(s.s, s.n, sep.s, sep.n);
        hit = p ? (size_t)(p - s.s) : SIZE_MAX;
    }
    tlist *l = ph__tlist_new(r, 3);
    if (!l)
        return PH_ENOMEM;
    tv empty = tv_str("", 0, s.safe);
    if (hit == SIZE_MAX) {
        l->v[0] = right ? empty : s;
        l->v[1] = empty;
        l->v[2] = right ? s : empty;
    } else {
        l->v[0] = tv_str(s.s, hit, s.safe);
        l->v[1] = tv_str(s.s + hit, sep.n, s.safe);
        l->v[2] = tv_str(s.s + hit + sep.n, s.n - hit - sep.n, s.safe);
    }
    l->n = 3;
    *out = (tv){.k = TV_LIST, .flags = TVF_TUPLE};
    out->l = l;
    return 0;
}

/* str.removeprefix and str.removesuffix */
static int s_remove(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, x;
    if (!ph__tmpl_arg(a, 0, NULL, &x) || x.k != TV_STR)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s() argument must be str", self->name);
    int suffix = self->name[6] == 's';
    *out = s;
    if (x.n <= s.n && memcmp(suffix ? s.s + s.n - x.n : s.s, x.s, x.n) == 0)
        *out = tv_str(suffix ? s.s : s.s + x.n, s.n - x.n, s.safe);
    return 0;
}

/* str.expandtabs: each tab to the next multiple of tabsize characters,
 * counting from the last line break */
static int s_expandtabs(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, ts = tv_int(8);
    ph__tmpl_arg(a, 0, "tabsize", &ts);
    if (ts.k != TV_INT && ts.k != TV_BOOL)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "expandtabs() needs an integer tabsize");
    if (ts.i > 4096)
        return ph__tmpl_rerr(r, NULL, PH_ETOOBIG, "tabsize too large");
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = 0;
    int64_t col = 0;
    for (size_t i = 0, adv; rc == 0 && i < s.n; i += adv) {
        adv = ph__utf8_offset(s.s + i, s.n - i, 1);
        char c = s.s[i];
        if (c == '\t') {
            for (int64_t k = ts.i > 0 ? ts.i - col % ts.i : 0; rc == 0 && k > 0; k--, col++)
                rc = ph__buf_append_char(&b, ' ');
            continue;
        }
        rc = ph__buf_append(&b, s.s + i, adv);
        col = c == '\n' || c == '\r' ? 0 : col + 1;
    }
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, s.safe);
    ph__buf_close(&b);
    return rc;
}

/*
 * The optional start and end of find, count, startswith and the like (the
 * arguments after the first), as Python takes a slice s[start:end]: in
 * characters, negative from the end, clamped; start may stay past the end,
 * which the methods answer for themselves. None is the default.
 */
typedef struct span {
    int64_t len;        /* characters of s */
    int64_t start, end; /* characters */
    size_t b0, b1;      /* bytes of s[start:end] */
} span;

static int arg_span(rctx *r, tv s, targs *a, const char *name, span *sp) {
    int64_t len = (int64_t)ph__utf8_len(s.s, s.n), v[2] = {0, len};
    for (int k = 0; k < 2; k++) {
        tv x;
        if (!ph__tmpl_arg(a, (size_t)k + 1, NULL, &x) || x.k == TV_NONE)
            continue;
        if (x.k != TV_INT && x.k != TV_BOOL)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                                 "slice indices of %s() must be integers or None", name);
        v[k] = x.i < 0 ? (x.i + len < 0 ? 0 : x.i + len) : x.i;
    }
    sp->len = len;
    sp->start = v[0];
    sp->end = v[1] > len ? len : v[1];
    sp->b0 = sp->start <= len ? ph__utf8_offset(s.s, s.n, (size_t)sp->start) : s.n;
    sp->b1 = sp->end > sp->start ? ph__utf8_offset(s.s, s.n, (size_t)sp->end) : sp->b0;
    return 0;
}

static int s_affix(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, p;
    if (!ph__tmpl_arg(a, 0, NULL, &p))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s takes at least 1 argument", self->name);
    int ends = self->name[0] == 'e', res = 0;
    span sp;
    int rc = arg_span(r, s, a, self->name, &sp);
    if (rc < 0)
        return rc;
    const char *h = s.s + sp.b0;
    size_t hn = sp.b1 - sp.b0;
    size_t np = ph__tv_is_seq(p) ? ph__tv_len(p) : 1;
    for (size_t i = 0; i < np && !res; i++) {
        tv x = ph__tv_is_seq(p) ? ph__tv_at(p, i) : p;
        if (x.k != TV_STR)
            return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s arg must be str or a tuple of str",
                                 self->name);
        /* a start past the end matches nothing, not even "" */
        res = sp.start <= sp.len && sp.end >= sp.start && x.n <= hn &&
              memcmp(ends ? h + hn - x.n : h, x.s, x.n) == 0;
    }
    *out = tv_bool(res);
    return 0;
}

static int s_join(rctx *r, tfunc *self, targs *a, tv *out) {
    tv seq, *items;
    size_t count;
    if (!ph__tmpl_arg(a, 0, NULL, &seq))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "join() takes exactly one argument");
    int rc = ph__tv_items(r, NULL, seq, &items, &count);
    int safe = self->self.safe;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    for (size_t i = 0; rc == 0 && i < count; i++) {
        tv x = items[i];
        if (x.k != TV_STR && !safe)
            rc = ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                               "sequence item %zu: expected str instance, %s found", i,
                               ph__tv_typename(x));
        if (rc == 0 && i)
            rc = ph__buf_append(&b, self->self.s, self->self.n);
        /* Markup's join escapes each item that is not markup, whatever it is */
        if (rc == 0 && safe && x.k != TV_STR)
            rc = ph__tv_tostr(r, x, &x);
        if (rc == 0)
            rc = safe && !x.safe ? ph__html_escape_n(&b, x.s, x.n) : ph__buf_append(&b, x.s, x.n);
    }
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, self->self.safe);
    ph__buf_close(&b);
    return rc;
}

static int s_find(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, sub;
    span sp;
    if (!ph__tmpl_arg(a, 0, NULL, &sub) || sub.k != TV_STR)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s() argument must be str", self->name);
    int rc = arg_span(r, s, a, self->name, &sp);
    if (rc < 0)
        return rc;
    int64_t sublen = (int64_t)ph__utf8_len(sub.s, sub.n);
    const char *h = s.s + sp.b0;
    size_t hn = sp.b1 - sp.b0;
    int fits = sp.end - sp.start >= sublen;
    if (self->name[0] == 'c') {
        int64_t c = 0;
        if (fits && !sub.n) {
            c = sp.end - sp.start + 1;
        } else if (fits) {
            for (const char *p = h; (p = memmem(p, hn - (size_t)(p - h), sub.s, sub.n)); p += sub.n)
                c++;
        }
        *out = tv_int(c);
        return 0;
    }
    const char *hit = NULL;
    if (fits && self->name[0] == 'r') {
        size_t at = rfind_in(h, hn, sub.s, sub.n);
        hit = at == SIZE_MAX ? NULL : h + at;
    } else if (fits) {
        hit = sub.n ? memmem(h, hn, sub.s, sub.n) : h;
    }
    if (!hit && strstr(self->name, "index"))
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "substring not found");
    *out = tv_int(hit ? sp.start + (int64_t)ph__utf8_len(h, (size_t)(hit - h)) : -1);
    return 0;
}

/* isdigit, isalpha, isalnum, isspace, islower and isupper, on characters
 * (not bytes) with Python's Unicode classes */
static int s_is(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self;
    const char *m = self->name + 2;
    if (!strcmp(m, "decimal")) { /* true when every character is a decimal digit (not when empty) */
        int res = s.n > 0;
        for (size_t i = 0, adv; res && i < s.n; i += adv)
            res = ph__cp_decimal(ph__utf8_next(s.s + i, s.n - i, &adv)) >= 0;
        *out = tv_bool(res);
        return 0;
    }
    unsigned need = !strcmp(m, "digit")   ? CP_DIGIT
                    : !strcmp(m, "alpha") ? CP_ALPHA
                    : !strcmp(m, "alnum") ? CP_ALPHA | CP_NUMERIC
                    : !strcmp(m, "space") ? CP_SPACE
                    : !strcmp(m, "numeric") ? CP_NUMERIC
                                          : 0;
    if (!strcmp(m, "lower") || !strcmp(m, "upper")) {
        *out = tv_bool(ph__cp_one_case(s.s, s.n, m[0] == 'l'));
        return 0;
    }
    if (!strcmp(m, "title")) {
        /* cased characters: upper or title case only after an uncased one,
         * lower case only after a cased one; at least one */
        int cased = 0, prev = 0, res = 1;
        for (size_t i = 0, adv; res && i < s.n; i += adv) {
            unsigned c = ph__cp_classes(ph__utf8_next(s.s + i, s.n - i, &adv));
            if (c & (CP_UPPER | CP_TITLE)) {
                res = !prev;
                prev = cased = 1;
            } else if (c & CP_LOWER) {
                res = prev;
                prev = cased = 1;
            } else {
                prev = 0;
            }
        }
        *out = tv_bool(res && cased);
        return 0;
    }
    if (!strcmp(m, "ascii") || !strcmp(m, "printable")) { /* true when empty */
        int res = 1;
        for (size_t i = 0, adv; res && i < s.n; i += adv) {
            uint32_t c = ph__utf8_next(s.s + i, s.n - i, &adv);
            res = m[0] == 'a' ? c < 0x80 : ph__cp_printable(c);
        }
        *out = tv_bool(res);
        return 0;
    }
    int res = s.n > 0;
    for (size_t i = 0, adv; res && i < s.n; i += adv)
        if (!(ph__cp_classes(ph__utf8_next(s.s + i, s.n - i, &adv)) & need))
            res = 0;
    *out = tv_bool(res);
    return 0;
}

static int s_pad(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, w, fill = tv_str(" ", 1, 0);
    if (!ph__tmpl_arg(a, 0, "width", &w) || w.k != TV_INT)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE, "%s() needs an integer width", self->name);
    ph__tmpl_arg(a, 1, "fillchar", &fill);
    if (fill.k != TV_STR || ph__utf8_len(fill.s, fill.n) != 1)
        return ph__tmpl_rerr(r, NULL, PH_ETEMPLATE,
                             "The fill character must be exactly one character long");
    int64_t len = (int64_t)ph__utf8_len(s.s, s.n), marg = w.i - len, left = 0;
    if (marg <= 0 || w.i > (1 << 24)) {
        *out = s;
        return 0;
    }
    char m = self->name[0];
    int zf = m == 'z';
    if (m == 'c')
        left = marg / 2 + (marg & w.i & 1);
    else if (m == 'r' || zf)
        left = marg;
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = 0;
    size_t sign = zf && s.n && (s.s[0] == '-' || s.s[0] == '+');
    if (sign)
        rc = ph__buf_append(&b, s.s, 1);
    for (int64_t i = 0; rc == 0 && i < left; i++)
        rc = zf ? ph__buf_append_char(&b, '0') : ph__buf_append(&b, fill.s, fill.n);
    if (rc == 0)
        rc = ph__buf_append(&b, s.s + sign, s.n - sign);
    for (int64_t i = left; rc == 0 && i < marg; i++)
        rc = ph__buf_append(&b, fill.s, fill.n);
    if (rc == 0)
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, s.safe);
    ph__buf_close(&b);
    return rc;
}

static int s_replace(rctx *r, tfunc *self, targs *a, tv *out) {
    bfilter_fn f = ph__tmpl_find_filter("replace", 7);
    return f(r, NULL, self->self, a, out);
}

static int s_splitlines(rctx *r, tfunc *self, targs *a, tv *out) {
    tv s = self->self, keep = tv_bool(0);
    ph__tmpl_arg(a, 0, "keepends", &keep);
    int keepends = ph__tv_truthy(keep);
    tlist *l = ph__tlist_new(r, 8);
    if (!l)
        return PH_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < s.n;) {
        size_t e = i, k = 0;
        while (e < s.n && !(k = ph__cp_line_break(s.s, s.n, e)))
            e++;
        rc = ph__tlist_push(r, l, tv_str(s.s + i, e - i + (keepends ? k : 0), s.safe));
        i = e + k;
    }
    *out = (tv){.k = TV_LIST};
    out->l = l;
    return rc;
}

/* A method of a Markup string that markupsafe wraps: its string arguments
 * are escaped first (strip('<') strips "&lt;"'s characters) */
static int s_markup(rctx *r, tfunc *self, targs *a, tv *out) {
    targs e = *a;
    tv *vals = ph__arena_alloc(r->a, (a->npos + a->nkw + 1) * sizeof(tv));
    if (!vals)
        return PH_ENOMEM;
    e.pos = vals;
    e.kwv = vals + a->npos;
    for (size_t i = 0; i < a->npos + a->nkw; i++) {
        tv v = i < a->npos ? a->pos[i] : a->kwv[i - a->npos];
        if (v.k == TV_STR && !v.safe) {
            ph_buf b;
            ph__buf_init(&b, r->out->max);
            int rc = ph__html_escape_n(&b, v.s, v.n);
            v = rc == 0 ? ph__tv_strdup(r, b.data ? b.data : "", b.len, 1) : TV_MK(TV_UNDEF);
            ph__buf_close(&b);
            if (v.k != TV_STR)
                return PH_ENOMEM;
        }
        vals[i] = v;
    }
    return self->inner(r, self, &e, out);
}

int ph__tmpl_markup_method(const char *sname, tfunc_fn *fn) {
    static const char *const wrapped[] = {
        "capitalize", "title",  "lower", "upper",      "replace",  "ljust",     "rjust",     "lstrip",
        "rstrip",     "center", "strip", "expandtabs", "swapcase", "zfill",     "partition", "rpartition"};
    for (size_t i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++)
        if (strcmp(wrapped[i], sname) == 0) {
            *fn = s_markup;
            return 1;
        }
    return 0;
}

int ph__tmpl_str_method(const char *name, size_t len, tfunc_fn *fn, const char **sname) {
    static const struct {
        const char *name;
        tfunc_fn fn;
    } m[] = {
        {"upper", s_case},
        {"lower", s_case},
        {"capitalize", s_case},
        {"title", s_case},
        {"swapcase", s_case},
        {"casefold", s_casefold},
        {"strip", s_strip},
        {"lstrip", s_strip},
        {"rstrip", s_strip},
        {"split", s_split},
        {"startswith", s_affix},
        {"endswith", s_affix},
        {"join", s_join},
        {"find", s_find},
        {"rfind", s_find},
        {"index", s_find},
        {"count", s_find},
        {"isdigit", s_is},
        {"isalpha", s_is},
        {"isalnum", s_is},
        {"isspace", s_is},
        {"islower", s_is},
        {"isupper", s_is},
        {"istitle", s_is},
        {"isascii", s_is},
        {"isprintable", s_is},
        {"isnumeric", s_is},
        {"isdecimal", s_is},
        {"rsplit", s_rsplit},
        {"partition", s_partition},
        {"rpartition", s_partition},
        {"removeprefix", s_remove},
        {"removesuffix", s_remove},
        {"expandtabs", s_expandtabs},
        {"rindex", s_find},
        {"center", s_pad},
        {"ljust", s_pad},
        {"rjust", s_pad},
        {"zfill", s_pad},
        {"replace", s_replace},
        {"format", str_format},
        {"splitlines", s_splitlines},
    };
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (ph__name_is(m[i].name, name, len)) {
            *fn = m[i].fn;
            *sname = m[i].name;
            return 1;
        }
    return 0;
}
