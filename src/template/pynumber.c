/*
 * Text to numbers as Python's int(text, base) and float(text) read it, for
 * the int and float filters: surrounding whitespace (any script's), one
 * sign, decimal digits of any script, underscores only between digits;
 * int's base prefixes (0x, 0o, 0b; base 0 picks one, or decimal without
 * leading zeros); float's inf, infinity and nan in any case.
 */
#include "tmpl.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* what is stripped from the ASCII text, as Python strips it: ASCII
 * whitespace, \x1c-\x1f not included */
static int is_strip_space(char c) { return c == ' ' || (c >= 9 && c <= 13); }

/*
 * What Python parses: each decimal digit of another script becomes its
 * ASCII digit and each whitespace character a space, then the ends are
 * stripped; any other non-ASCII character cannot be part of a number.
 * Returns 0 with the ASCII text in b, or -1.
 */
static int ascii_text(ph_buf *b, const char *s, size_t n) {
    for (size_t i = 0, adv; i < n; i += adv) {
        if ((unsigned char)s[i] < 0x80) {
            adv = 1;
            if (ph__buf_append_char(b, s[i]) < 0)
                return -1;
            continue;
        }
        uint32_t c = ph__utf8_next(s + i, n - i, &adv);
        int d = ph__cp_decimal(c);
        char a = d >= 0 ? (char)('0' + d) : ph__cp_space_len(s + i, n - i) ? ' ' : 0;
        if (!a || ph__buf_append_char(b, a) < 0)
            return -1;
    }
    size_t e = b->len, k = 0;
    while (e > 0 && is_strip_space(b->data[e - 1]))
        e--;
    while (k < e && is_strip_space(b->data[k]))
        k++;
    if (b->data) {
        memmove(b->data, b->data + k, e - k);
        b->len = e - k;
        b->data[b->len] = '\0';
    }
    return 0;
}

static int digit_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (isalpha((unsigned char)c))
        return tolower((unsigned char)c) - 'a' + 10;
    return 99;
}

int ph__py_int(const char *s, size_t n, int base, int64_t *out, double *big) {
    if (base != 0 && (base < 2 || base > 36))
        return -1;
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ascii_text(&b, s, n);
    const char *p = b.data ? b.data : "", *e = p + b.len;
    int neg = 0, prefixed = 0;
    if (rc == 0 && p < e && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    char x = p + 1 < e && p[0] == '0' ? (char)tolower((unsigned char)p[1]) : 0;
    if ((x == 'x' && (base == 16 || base == 0)) || (x == 'o' && (base == 8 || base == 0)) ||
        (x == 'b' && (base == 2 || base == 0))) {
        base = x == 'x' ? 16 : x == 'o' ? 8 : 2;
        p += 2;
        prefixed = 1;
    }
    /* base 0 without a prefix is decimal, where a leading zero means zero */
    int zeros_only = base == 0 && p < e && *p == '0';
    if (base == 0)
        base = 10;
    if (prefixed && p < e && *p == '_')
        p++;
    uint64_t v = 0;
    double d = 0;
    int over = 0, digits = 0;
    for (; rc == 0 && p < e; p++) {
        if (*p == '_' && digits && p + 1 < e && p[1] != '_')
            continue;
        int k = digit_value(*p);
        if (k >= base || (zeros_only && k != 0)) {
            rc = -1;
            break;
        }
        digits++;
        d = d * base + k;
        if (v > (UINT64_MAX - (uint64_t)k) / (uint64_t)base)
            over = 1;
        else
            v = v * (uint64_t)base + (uint64_t)k;
    }
    ph__buf_close(&b);
    if (rc < 0 || !digits)
        return -1;
    if (over || v > (uint64_t)INT64_MAX + (uint64_t)neg) {
        *big = neg ? -d : d;
        return 1;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* A run of digits with underscores only between them, from *p; its length in digits. */
static size_t digit_run(const char **p, const char *e) {
    size_t count = 0;
    while (*p < e) {
        if (isdigit((unsigned char)**p))
            count++;
        else if (!(**p == '_' && count && *p + 1 < e && isdigit((unsigned char)(*p)[1])))
            break;
        (*p)++;
    }
    return count;
}

int ph__py_float(const char *s, size_t n, double *out) {
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ascii_text(&b, s, n);
    const char *p = b.data ? b.data : "", *e = p + b.len, *start = p;
    if (rc == 0 && p < e && (*p == '+' || *p == '-'))
        p++;
    size_t rest = (size_t)(e - p);
    if (rc == 0 && ((rest == 3 && strncasecmp(p, "inf", 3) == 0) ||
                    (rest == 8 && strncasecmp(p, "infinity", 8) == 0) ||
                    (rest == 3 && strncasecmp(p, "nan", 3) == 0))) {
        *out = tolower((unsigned char)*p) == 'n' ? NAN : *start == '-' ? -INFINITY : INFINITY;
        ph__buf_close(&b);
        return 0;
    }
    /* digits [. digits] | . digits, then [eE [sign] digits] */
    size_t mant = rc == 0 ? digit_run(&p, e) : 0;
    if (rc == 0 && p < e && *p == '.') {
        p++;
        mant += digit_run(&p, e);
    }
    if (rc == 0 && mant && p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (!digit_run(&p, e))
            rc = -1;
    }
    if (rc < 0 || !mant || p != e) {
        ph__buf_close(&b);
        return -1;
    }
    /* the same text without its underscores, to the C library's correctly
     * rounded conversion */
    size_t k = 0;
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != '_')
            b.data[k++] = b.data[i];
    b.data[k] = '\0';
    *out = strtod(b.data, NULL);
    ph__buf_close(&b);
    return 0;
}
