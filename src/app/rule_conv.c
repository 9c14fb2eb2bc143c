/*
 * Converters: what each one matches in a path, how it validates a match, and
 * how it turns a value back into URL text; plus the piece-by-piece matcher of
 * a dynamic rule part and the Python-compatible formatting building needs.
 *
 * Matching follows the regular expressions of Werkzeug's converters
 * (routing/converters.py) without a regex engine: a part is a sequence of
 * literal and variable pieces, anchored at both ends; each variable proposes
 * candidate lengths in the order the regex would try them (greedy converters
 * longest first, `path` shortest first, `any` in item order) and the matcher
 * backtracks. As in Werkzeug, the pattern alone decides how a part splits;
 * bounds and fixed digits (and int64 range) are checked per rule once the
 * whole path has matched (ph__rule_values_valid). Unlike Werkzeug 2.2, which
 * then answers 404, a rule whose values fail is skipped and the search goes
 * on, as Werkzeug's ValidationError documents.
 * Values are bytes: the router receives the decoded path, and `path` matches
 * any byte, newlines included. An app's converter matches as `string` or as
 * `path` does (pattern_kind); its callbacks live in custom_conv.c.
 *
 * Building follows Werkzeug's to_url and Python's str(): int() truncates
 * reals and parses strings, float() formats with repr(), booleans read
 * "True"/"False", and the result is percent-encoded as url_quote with
 * safe="/:". Values for `any` must be one of its items and values for `uuid`
 * must be UUIDs; Werkzeug passes both through unchecked.
 */
#include "rule.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ph__conv_name(ph__conv_kind k) {
    switch (k) {
    case PH__CONV_STRING:
        return "string";
    case PH__CONV_INT:
        return "int";
    case PH__CONV_FLOAT:
        return "float";
    case PH__CONV_PATH:
        return "path";
    case PH__CONV_UUID:
        return "uuid";
    case PH__CONV_ANY:
        return "any";
    case PH__CONV_CUSTOM:
        return "custom";
    }
    return "?";
}

const char *ph__conv_label(const ph__conv *c) {
    return c->kind == PH__CONV_CUSTOM && c->custom ? c->custom->name : ph__conv_name(c->kind);
}

/* A custom converter's pattern is the one of these builtins it behaves as. */
static ph__conv_kind pattern_kind(const ph__conv *c) {
    if (c->kind != PH__CONV_CUSTOM)
        return c->kind;
    return c->custom->cb.slashes ? PH__CONV_PATH : PH__CONV_STRING;
}

static size_t digit_run(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

static int is_uuid(const char *s, size_t len) {
    if (len != 36)
        return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

/* Parse a validated [-]digits run into int64; 0 on overflow. */
static int parse_i64(const char *s, size_t len, int64_t *out) {
    int neg = len && s[0] == '-';
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t i = neg; i < len; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 1;
}

/* Bounds and fixed digits, on text the converter's pattern already accepts. */
static int validate(const ph__conv *c, const char *s, size_t len, int64_t *iv, double *dv) {
    if (c->kind == PH__CONV_INT) {
        int64_t v;
        if (c->fixed_digits && len != c->fixed_digits)
            return 0;
        if (!parse_i64(s, len, &v))
            return 0;
        if ((c->has_min && (double)v < c->min) || (c->has_max && (double)v > c->max))
            return 0;
        if (iv)
            *iv = v;
    } else if (c->kind == PH__CONV_FLOAT) {
        char tmp[512];
        if (len >= sizeof(tmp))
            return 0;
        memcpy(tmp, s, len);
        tmp[len] = '\0';
        double v = strtod(tmp, NULL);
        if ((c->has_min && v < c->min) || (c->has_max && v > c->max))
            return 0;
        if (dv)
            *dv = v;
    }
    return 1;
}

/* Does a character start at s[at] (or does the text end there)? The path
 * is UTF-8 and Werkzeug's converters count characters, not bytes: a string
 * part's length bounds are in characters, and no part ends inside one. */
static int char_starts(const char *s, size_t len, size_t at) {
    return at >= len || ((unsigned char)s[at] & 0xC0) != 0x80;
}

static size_t char_count(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

int ph__conv_accept(const ph__conv *c, const char *s, size_t len, int64_t *iv, double *dv) {
    size_t sign = 0, d;
    switch (pattern_kind(c)) {
    case PH__CONV_CUSTOM:
        return 0;
    case PH__CONV_STRING: {
        if (memchr(s, '/', len))
            return 0;
        int bounded = c->minlen > 1 || c->maxlen != SIZE_MAX;
        size_t chars = len < c->minlen || !bounded ? len : char_count(s, len);
        if (chars < c->minlen || chars > c->maxlen)
            return 0;
        break;
    }
    case PH__CONV_PATH:
        if (len == 0 || s[0] == '/')
            return 0;
        break;
    case PH__CONV_UUID:
        if (!is_uuid(s, len))
            return 0;
        break;
    case PH__CONV_ANY: {
        size_t i;
        for (i = 0; i < c->nitems; i++)
            if (strlen(c->items[i]) == len && memcmp(c->items[i], s, len) == 0)
                break;
        if (i == c->nitems)
            return 0;
        break;
    }
    case PH__CONV_INT:
    case PH__CONV_FLOAT:
        sign = c->is_signed && len && s[0] == '-';
        d = digit_run(s + sign, len - sign);
        if (d == 0)
            return 0;
        if (c->kind == PH__CONV_INT) {
            if (sign + d != len)
                return 0;
        } else {
            size_t at = sign + d;
            if (at + 1 >= len || s[at] != '.' ||
                digit_run(s + at + 1, len - at - 1) != len - at - 1)
                return 0;
        }
        break;
    }
    return validate(c, s, len, iv, dv);
}

/* ---- matching a dynamic part ------------------------------------------- */

/* Candidate lengths one part may try before giving up: bounds the
 * backtracking of rules like "<a><b><c>" on long segments (Python's regex
 * would try them all). Ordinary rules use a handful. */
#define MATCH_BUDGET 100000

static int match_pieces(const ph__rule *r, const ph__rule_piece *pc, size_t n, const char *s,
                        size_t len, ph_slice *caps, long *budget);

/* Try variable piece `pc` with its text s[0..take). */
static int try_take(const ph__rule *r, const ph__rule_piece *pc, size_t n, const char *s,
                    size_t len, size_t take, ph_slice *caps, long *budget) {
    if (!char_starts(s, len, take) || --*budget < 0)
        return 0;
    if (!match_pieces(r, pc + 1, n - 1, s + take, len - take, caps, budget))
        return 0;
    caps[pc->var] = (ph_slice){s, take};
    return 1;
}

/* Lengths from hi down to lo (greedy), each tried in turn. */
static int try_down(const ph__rule *r, const ph__rule_piece *pc, size_t n, const char *s,
                    size_t len, size_t lo, size_t hi, ph_slice *caps, long *budget) {
    if (n == 1) /* last piece: only the whole rest can work */
        return len >= lo && len <= hi && try_take(r, pc, n, s, len, len, caps, budget);
    for (size_t take = hi; take >= lo && take > 0; take--)
        if (try_take(r, pc, n, s, len, take, caps, budget))
            return 1;
    return 0;
}

static int match_var(const ph__rule *r, const ph__rule_piece *pc, size_t n, const char *s,
                     size_t len, ph_slice *caps, long *budget) {
    const ph__conv *c = &r->vars[pc->var].conv;
    size_t sign, d, span;
    switch (pattern_kind(c)) {
    case PH__CONV_CUSTOM:
        return 0;
    case PH__CONV_STRING: {
        const char *sl = memchr(s, '/', len);
        span = sl ? (size_t)(sl - s) : len;
        if (c->minlen <= 1 && c->maxlen == SIZE_MAX) /* unbounded: ends checked by try_take */
            return span && try_down(r, pc, n, s, len, 1, span, caps, budget);
        /* the bounds in characters, as byte lengths of this segment */
        size_t lo = 0, hi = 0, chars = 0;
        for (size_t at = 0; at <= span && chars <= c->maxlen; at++) {
            if (!char_starts(s, span, at))
                continue;
            if (chars == c->minlen)
                lo = at;
            if (chars >= c->minlen)
                hi = at;
            chars++;
        }
        return lo && try_down(r, pc, n, s, len, lo, hi, caps, budget);
    }
    case PH__CONV_INT:
        sign = c->is_signed && len && s[0] == '-';
        d = digit_run(s + sign, len - sign);
        return d && try_down(r, pc, n, s, len, sign + 1, sign + d, caps, budget);
    case PH__CONV_FLOAT: {
        sign = c->is_signed && len && s[0] == '-';
        d = digit_run(s + sign, len - sign);
        size_t at = sign + d;
        if (!d || at + 1 >= len || s[at] != '.')
            return 0;
        size_t d2 = digit_run(s + at + 1, len - at - 1);
        return d2 && try_down(r, pc, n, s, len, at + 2, at + 1 + d2, caps, budget);
    }
    case PH__CONV_UUID:
        return len >= 36 && is_uuid(s, 36) && try_take(r, pc, n, s, len, 36, caps, budget);
    case PH__CONV_ANY:
        for (size_t i = 0; i < c->nitems; i++) {
            size_t il = strlen(c->items[i]);
            if (il <= len && memcmp(c->items[i], s, il) == 0 &&
                try_take(r, pc, n, s, len, il, caps, budget))
                return 1;
        }
        return 0;
    case PH__CONV_PATH:
        if (len == 0 || s[0] == '/')
            return 0;
        if (n == 1)
            return try_take(r, pc, n, s, len, len, caps, budget);
        for (size_t take = 1; take <= len; take++) /* lazy: shortest first */
            if (try_take(r, pc, n, s, len, take, caps, budget))
                return 1;
        return 0;
    }
    return 0;
}

static int match_pieces(const ph__rule *r, const ph__rule_piece *pc, size_t n, const char *s,
                        size_t len, ph_slice *caps, long *budget) {
    while (n && pc->var < 0) {
        if (len < pc->len || memcmp(s, pc->lit, pc->len) != 0)
            return 0;
        s += pc->len;
        len -= pc->len;
        pc++;
        n--;
    }
    if (n == 0)
        return len == 0;
    return match_var(r, pc, n, s, len, caps, budget);
}

int ph__rule_part_match(const ph__rule *r, const ph__rule_part *p, const char *s, size_t len,
                        ph_slice *caps) {
    long budget = MATCH_BUDGET;
    return match_pieces(r, p->pieces, p->npieces, s, len, caps, &budget);
}

int ph__rule_values_valid(const ph__rule *r, const ph_slice *caps) {
    for (size_t i = 0; i < r->nvars; i++)
        if ((r->vars[i].conv.kind == PH__CONV_INT || r->vars[i].conv.kind == PH__CONV_FLOAT) &&
            !validate(&r->vars[i].conv, caps[i].ptr, caps[i].len, NULL, NULL))
            return 0;
    return 1;
}

/* ---- Python formatting -------------------------------------------------- */

/* repr() of a double: the shortest digits that round-trip, laid out as
 * Python's float_repr_style 'short' does (exponent when the decimal point
 * would sit more than 16 places right or 4 places left of the digits). */
static void py_repr(double v, char *out, size_t outlen) {
    if (isnan(v)) {
        snprintf(out, outlen, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(out, outlen, "%sinf", v < 0 ? "-" : "");
        return;
    }
    char e[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is "-d.ddde+XX": collect the digits and the exponent. */
    const char *q = e;
    int neg = *q == '-';
    q += neg;
    char digs[24];
    size_t nd = 0;
    for (; *q && *q != 'e'; q++)
        if (*q != '.')
            digs[nd++] = *q;
    while (nd > 1 && digs[nd - 1] == '0')
        nd--;
    int exp10 = (int)strtol(q + 1, NULL, 10);
    int decpt = exp10 + 1;
    size_t o = 0;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (o + 1 < outlen)                                                                        \
            out[o++] = (c);                                                                        \
    } while (0)
    if (neg)
        PUT('-');
    if (decpt > 16 || decpt < -3) {
        PUT(digs[0]);
        if (nd > 1) {
            PUT('.');
            for (size_t i = 1; i < nd; i++)
                PUT(digs[i]);
        }
        char ex[16];
        snprintf(ex, sizeof(ex), "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
        for (char *x = ex; *x; x++)
            PUT(*x);
    } else if (decpt <= 0) {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -decpt; i++)
            PUT('0');
        for (size_t i = 0; i < nd; i++)
            PUT(digs[i]);
    } else {
        for (int i = 0; i < decpt; i++)
            PUT((size_t)i < nd ? digs[i] : '0');
        PUT('.');
        if ((size_t)decpt >= nd)
            PUT('0');
        for (size_t i = (size_t)decpt; i < nd; i++)
            PUT(digs[i]);
    }
#undef PUT
    out[o] = '\0';
}

int ph__rule_pystr(json_t *v, ph_buf *out) {
    char tmp[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return ph__buf_append(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return ph__buf_append_str(out, tmp);
    case JSON_REAL:
        py_repr(json_real_value(v), tmp, sizeof(tmp));
        return ph__buf_append_str(out, tmp);
    case JSON_TRUE:
        return ph__buf_append_str(out, "True");
    case JSON_FALSE:
        return ph__buf_append_str(out, "False");
    default:
        return PH_EINVAL;
    }
}

static int as_number(json_t *v, double *d) {
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        *d = (double)json_integer_value(v);
        return 1;
    case JSON_REAL:
        *d = json_real_value(v);
        return 1;
    case JSON_TRUE:
        *d = 1;
        return 1;
    case JSON_FALSE:
        *d = 0;
        return 1;
    default:
        return 0;
    }
}

int ph__rule_pyequal(json_t *a, json_t *b) {
    double x, y;
    if (json_is_string(a) || json_is_string(b))
        return json_is_string(a) && json_is_string(b) &&
               json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    if (as_number(a, &x) && as_number(b, &y))
        return x == y;
    return json_is_null(a) && json_is_null(b);
}

/* ---- percent-encoding ---------------------------------------------------- */

static int always_safe(unsigned char c) { return isalnum(c) || (c && strchr("-._~$!'()*+,;", c)); }

int ph__rule_quote(ph_buf *out, const char *s, size_t len, const char *safe, int plus) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int rc;
        if (plus && c == ' ')
            rc = ph__buf_append_char(out, '+');
        else if (c < 0x80 && !(plus && c == '+') &&
                 (always_safe(c) || (c && safe && strchr(safe, c))))
            rc = ph__buf_append_char(out, (char)c);
        else
            rc = ph__buf_append(out, (char[3]){'%', hex[c >> 4], hex[c & 15]}, 3);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- building ----------------------------------------------------------- */

/* Python's int(v): integers, reals (truncated), booleans, decimal strings. */
static int py_int(json_t *v, int64_t *out) {
    switch (json_typeof(v)) {
    case JSON_INTEGER:
        *out = json_integer_value(v);
        return 1;
    case JSON_REAL: {
        double d = json_real_value(v);
        if (!isfinite(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0)
            return 0;
        *out = (int64_t)d;
        return 1;
    }
    case JSON_TRUE:
        *out = 1;
        return 1;
    case JSON_FALSE:
        *out = 0;
        return 1;
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        while (len && isspace((unsigned char)*s))
            s++, len--;
        while (len && isspace((unsigned char)s[len - 1]))
            len--;
        size_t sign = len && (s[0] == '-' || s[0] == '+');
        if (len == sign || digit_run(s + sign, len - sign) != len - sign)
            return 0;
        if (s[0] == '+')
            s++, len--;
        return parse_i64(s, len, out);
    }
    default:
        return 0;
    }
}

/* Python's float(v). */
static int py_float(json_t *v, double *out) {
    if (as_number(v, out))
        return 1;
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len == 0 || len > 400 || memchr(s, 'x', len) || memchr(s, 'X', len))
        return 0;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    while (*end && isspace((unsigned char)*end))
        end++;
    if (end == s || *end != '\0' || (size_t)(end - s) != len)
        return 0;
    *out = d;
    return 1;
}

int ph__conv_to_url(const ph__conv *c, json_t *v, ph_buf *out) {
    char tmp[64];
    switch (c->kind) {
    case PH__CONV_CUSTOM:
        return ph__custom_conv_to_url(c, v, out);
    case PH__CONV_INT: {
        int64_t i;
        if (!py_int(v, &i))
            return PH_EINVAL;
        int n = snprintf(tmp, sizeof(tmp), "%" PRId64, i);
        int neg = i < 0;
        int rc = 0;
        /* str.zfill keeps the sign in front of the padding. */
        if (neg)
            rc = ph__buf_append_char(out, '-');
        for (int k = n; !rc && (size_t)k < c->fixed_digits; k++)
            rc = ph__buf_append_char(out, '0');
        return rc ? rc : ph__buf_append(out, tmp + neg, (size_t)(n - neg));
    }
    case PH__CONV_FLOAT: {
        double d;
        if (!py_float(v, &d))
            return PH_EINVAL;
        py_repr(d, tmp, sizeof(tmp));
        return ph__buf_append_str(out, tmp);
    }
    case PH__CONV_UUID:
        if (!json_is_string(v) || !is_uuid(json_string_value(v), json_string_length(v)))
            return PH_EINVAL;
        return ph__buf_append(out, json_string_value(v), 36);
    case PH__CONV_ANY: {
        if (!json_is_string(v))
            return PH_EINVAL;
        for (size_t i = 0; i < c->nitems; i++)
            if (strcmp(c->items[i], json_string_value(v)) == 0 &&
                strlen(c->items[i]) == json_string_length(v))
                return ph__rule_quote(out, c->items[i], strlen(c->items[i]), "/:", 0);
        return PH_EINVAL;
    }
    case PH__CONV_STRING:
    case PH__CONV_PATH: {
        if (json_is_string(v))
            return ph__rule_quote(out, json_string_value(v), json_string_length(v), "/:", 0);
        ph_buf b;
        ph__buf_init(&b, 256);
        int rc = ph__rule_pystr(v, &b);
        if (!rc)
            rc = ph__rule_quote(out, b.data, b.len, "/:", 0);
        ph__buf_close(&b);
        return rc;
    }
    }
    return PH_EINVAL;
}
