/*
 * Template lexer: turns Jinja2 source into tokens (text, tag delimiters and
 * the tokens inside tags). It applies Jinja2's whitespace rules here, as
 * Jinja2's own lexer does: newline normalisation, the trailing-newline rule,
 * `-` and `+` whitespace control, trim_blocks, lstrip_blocks, comments and
 * `{% raw %}`. It does not build a tree (parser.c does).
 *
 * Reference: Jinja2 3.1 "Template Designer Documentation", sections
 * Whitespace Control and Escaping, and the behaviour of jinja2/lexer.py.
 */
#include "tmpl.h"
#include "util/alloc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct lexer {
    const char *s;
    size_t n, p;
    const ph_tmpl_opts *o;
    ph_arena *a;
    tokens *out;
    const char *name;
    ph_tmpl_error *err;
    /* position -> line/column, computed incrementally */
    size_t lpos;
    uint32_t line;
    size_t line_start;
    int line_starting; /* the last match ended with a newline */
} lexer;

static void where(lexer *L, size_t pos, uint32_t *line, uint32_t *col) {
    if (pos < L->lpos) {
        L->lpos = 0;
        L->line = 1;
        L->line_start = 0;
    }
    for (; L->lpos < pos && L->lpos < L->n; L->lpos++) {
        if (L->s[L->lpos] == '\n') {
            L->line++;
            L->line_start = L->lpos + 1;
        }
    }
    *line = L->line;
    *col = (uint32_t)(pos - L->line_start + 1);
}

static int fail(lexer *L, size_t pos, const char *msg) {
    uint32_t line, col;
    where(L, pos, &line, &col);
    ph__tmpl_set_error(L->err, L->name, line, col, PH_ETEMPLATE, "%s", msg);
    return PH_ETEMPLATE;
}

static tok *push(lexer *L, int type, size_t pos) {
    tok *v = ph__grow(L->out->v, &L->out->cap, L->out->n, sizeof(tok), 64);
    if (!v)
        return NULL;
    L->out->v = v;
    tok *t = &L->out->v[L->out->n++];
    memset(t, 0, sizeof(*t));
    t->type = (uint8_t)type;
    where(L, pos, &t->line, &t->col);
    return t;
}

static int is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int starts(lexer *L, size_t p, const char *lit) {
    size_t k = strlen(lit);
    return p + k <= L->n && memcmp(L->s + p, lit, k) == 0;
}

/* Emit text [b, e) (may be empty: then nothing). */
static int emit_text(lexer *L, size_t b, size_t e) {
    if (e <= b)
        return 0;
    tok *t = push(L, T_TEXT, b);
    if (!t)
        return PH_ENOMEM;
    t->s = L->s + b;
    t->n = e - b;
    return 0;
}

/* Where text [b, e) ends once the whitespace rules before a tag at e apply. */
static size_t text_end(lexer *L, size_t b, size_t e, char kind, char sign) {
    if (sign == '-') {
        while (e > b && is_ws(L->s[e - 1]))
            e--;
        return e;
    }
    if (sign == '+' || !L->o->lstrip_blocks || kind == '{')
        return e;
    size_t l = e;
    while (l > b && L->s[l - 1] != '\n')
        l--;
    if (l == b && !L->line_starting)
        return e;
    for (size_t i = l; i < e; i++)
        if (L->s[i] != ' ' && L->s[i] != '\t')
            return e;
    return l;
}

/* After a closing delimiter ending at p: apply `-` or trim_blocks. */
static size_t after_close(lexer *L, size_t p, char sign, int trim) {
    if (sign == '-') {
        while (p < L->n && is_ws(L->s[p]))
            p++;
    } else if (sign != '+' && trim && p < L->n && L->s[p] == '\n') {
        p++;
    }
    L->line_starting = p > 0 && L->s[p - 1] == '\n';
    return p;
}

static int lex_comment(lexer *L, size_t open) {
    size_t p = L->p;
    for (;; p++) {
        if (p + 1 >= L->n)
            return fail(L, open, "missing end of comment tag");
        if (L->s[p] == '#' && L->s[p + 1] == '}') {
            char sign = p > L->p && L->s[p - 1] == '-' ? '-' : 0;
            L->p = after_close(L, p + 2, sign, L->o->trim_blocks);
            return 0;
        }
    }
}

/* `{% raw %}` at L->p (just after the `{%` and its sign)? Returns the end. */
static size_t match_word_tag(lexer *L, size_t p, const char *word, char *endsign) {
    while (p < L->n && is_ws(L->s[p]))
        p++;
    size_t k = strlen(word);
    if (p + k > L->n || memcmp(L->s + p, word, k) != 0)
        return 0;
    p += k;
    while (p < L->n && is_ws(L->s[p]))
        p++;
    *endsign = 0;
    if (p < L->n && (L->s[p] == '-' || L->s[p] == '+'))
        *endsign = L->s[p++];
    if (starts(L, p, "%}"))
        return p + 2;
    return 0;
}

static int lex_raw(lexer *L, size_t open, size_t after, char endsign) {
    /* raw begin: `-%}` strips what follows; no trim_blocks newline. */
    size_t p = endsign == '-' ? after_close(L, after, '-', 0) : after;
    L->line_starting = p > 0 && L->s[p - 1] == '\n';
    size_t body = p;
    for (; p + 1 < L->n; p++) {
        if (L->s[p] != '{' || L->s[p + 1] != '%')
            continue;
        size_t q = p + 2;
        char sign = 0;
        if (q < L->n && (L->s[q] == '-' || L->s[q] == '+'))
            sign = L->s[q++];
        char es;
        size_t e = match_word_tag(L, q, "endraw", &es);
        if (!e)
            continue;
        size_t te = text_end(L, body, p, '%', sign);
        int rc = emit_text(L, body, te);
        if (rc < 0)
            return rc;
        L->p = after_close(L, e, es, L->o->trim_blocks);
        return 0;
    }
    return fail(L, open, "missing end of raw directive");
}

static int decode_string(lexer *L, size_t b, size_t e, tok *t) {
    char *d = ph__arena_alloc(L->a, e - b + 1);
    if (!d)
        return PH_ENOMEM;
    size_t k = 0;
    for (size_t i = b; i < e; i++) {
        char c = L->s[i];
        if (c != '\\' || i + 1 >= e) {
            d[k++] = c;
            continue;
        }
        char x = L->s[++i];
        switch (x) {
        case 'n':
            d[k++] = '\n';
            break;
        case 't':
            d[k++] = '\t';
            break;
        case 'r':
            d[k++] = '\r';
            break;
        case '\\':
            d[k++] = '\\';
            break;
        case '\'':
            d[k++] = '\'';
            break;
        case '"':
            d[k++] = '"';
            break;
        case 'a':
            d[k++] = '\a';
            break;
        case 'b':
            d[k++] = '\b';
            break;
        case 'f':
            d[k++] = '\f';
            break;
        case 'v':
            d[k++] = '\v';
            break;
        case '\n':
            break;
        case 'x':
        case 'u':
        case 'U': {
            int nd = x == 'x' ? 2 : x == 'u' ? 4 : 8;
            if (i + (size_t)nd >= e)
                return fail(L, i, "invalid escape in string literal");
            unsigned long cp = 0;
            for (int j = 1; j <= nd; j++) {
                char h = L->s[i + (size_t)j];
                if (!isxdigit((unsigned char)h))
                    return fail(L, i, "invalid escape in string literal");
                cp = cp * 16 +
                     (unsigned long)(isdigit((unsigned char)h) ? h - '0' : (tolower(h) - 'a' + 10));
            }
            i += (size_t)nd;
            if (cp > 0x10FFFF)
                return fail(L, i, "invalid escape in string literal");
            if (cp < 0x80) {
                d[k++] = (char)cp;
            } else if (cp < 0x800) {
                d[k++] = (char)(0xC0 | (cp >> 6));
                d[k++] = (char)(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                d[k++] = (char)(0xE0 | (cp >> 12));
                d[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                d[k++] = (char)(0x80 | (cp & 0x3F));
            } else {
                d[k++] = (char)(0xF0 | (cp >> 18));
                d[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                d[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                d[k++] = (char)(0x80 | (cp & 0x3F));
            }
            break;
        }
        default:
            if (x >= '0' && x <= '7') {
                unsigned cp = 0;
                int j = 0;
                while (j < 3 && i < e && L->s[i] >= '0' && L->s[i] <= '7') {
                    cp = cp * 8 + (unsigned)(L->s[i] - '0');
                    i++;
                    j++;
                }
                i--;
                d[k++] = (char)cp;
            } else {
                d[k++] = '\\';
                d[k++] = x;
            }
        }
    }
    d[k] = '\0';
    t->s = d;
    t->n = k;
    return 0;
}

/* A number at L->p: Jinja2's integer and float syntax, with `_` separators. */
static int lex_number(lexer *L) {
    size_t b = L->p, p = b;
    const char *s = L->s;
    char buf[128];
    size_t k = 0;
    if (s[p] == '0' && p + 1 < L->n && strchr("bBoOxX", s[p + 1])) {
        int base = strchr("bB", s[p + 1]) ? 2 : strchr("oO", s[p + 1]) ? 8 : 16;
        p += 2;
        while (p < L->n && (isxdigit((unsigned char)s[p]) || s[p] == '_') && k < 100) {
            if (s[p] != '_')
                buf[k++] = s[p];
            p++;
        }
        buf[k] = 0;
        tok *t = push(L, T_INT, b);
        if (!t)
            return PH_ENOMEM;
        t->i = (int64_t)strtoull(buf, NULL, base);
        L->p = p;
        return 0;
    }
    int isfloat = 0;
    while (p < L->n &&
           (isdigit((unsigned char)s[p]) ||
            (s[p] == '_' && p + 1 < L->n && isdigit((unsigned char)s[p + 1]))) &&
           k < 100) {
        if (s[p] != '_')
            buf[k++] = s[p];
        p++;
    }
    if (p + 1 < L->n && s[p] == '.' && isdigit((unsigned char)s[p + 1])) {
        isfloat = 1;
        buf[k++] = s[p++];
        while (p < L->n &&
               (isdigit((unsigned char)s[p]) ||
                (s[p] == '_' && p + 1 < L->n && isdigit((unsigned char)s[p + 1]))) &&
               k < 100) {
            if (s[p] != '_')
                buf[k++] = s[p];
            p++;
        }
    }
    if (p < L->n && (s[p] == 'e' || s[p] == 'E')) {
        size_t q = p + 1;
        if (q < L->n && (s[q] == '+' || s[q] == '-'))
            q++;
        if (q < L->n && isdigit((unsigned char)s[q])) {
            isfloat = 1;
            buf[k++] = 'e';
            for (size_t i = p + 1; i < q; i++)
                buf[k++] = s[i];
            p = q;
            while (p < L->n && (isdigit((unsigned char)s[p]) || s[p] == '_') && k < 120) {
                if (s[p] != '_')
                    buf[k++] = s[p];
                p++;
            }
        }
    }
    buf[k] = 0;
    tok *t = push(L, isfloat ? T_FLOAT : T_INT, b);
    if (!t)
        return PH_ENOMEM;
    if (isfloat) {
        t->f = strtod(buf, NULL);
    } else {
        errno = 0;
        unsigned long long u = strtoull(buf, NULL, 10);
        if (errno || u > INT64_MAX) {
            t->type = T_FLOAT;
            t->f = strtod(buf, NULL);
        } else {
            t->i = (int64_t)u;
        }
    }
    L->p = p;
    return 0;
}

static int lex_op(lexer *L) {
    static const struct {
        const char *s;
        int op;
    } two[] = {
        {"//", OP_FLOORDIV}, {"**", OP_POW}, {"==", OP_EQ},
        {"!=", OP_NE},       {"<=", OP_LE},  {">=", OP_GE},
    };
    for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
        if (starts(L, L->p, two[i].s)) {
            tok *t = push(L, T_OP, L->p);
            if (!t)
                return PH_ENOMEM;
            t->op = two[i].op;
            L->p += 2;
            return 0;
        }
    }
    char c = L->s[L->p];
    if (!strchr("+-/*%~[](){}<>=.:|,;", c) || c == 0)
        return fail(L, L->p, "unexpected char in template expression");
    tok *t = push(L, T_OP, L->p);
    if (!t)
        return PH_ENOMEM;
    t->op = (unsigned char)c;
    L->p++;
    return 0;
}

/* Tokens inside `{{ }}` or `{% %}` until the closing delimiter. */
static int lex_tag(lexer *L, size_t open, int block) {
    int depth = 0;
    char closers[PARSE_MAX_DEPTH];
    const char *close = block ? "%}" : "}}";
    for (;;) {
        while (L->p < L->n && is_ws(L->s[L->p]))
            L->p++;
        if (L->p >= L->n)
            return fail(L, open,
                        block ? "unexpected end of template, expected '%}'"
                              : "unexpected end of template, expected '}}'");
        size_t p = L->p;
        const char *s = L->s;
        if (depth == 0) {
            char sign = 0;
            size_t q = p;
            if (s[q] == '-' || (block && s[q] == '+'))
                sign = s[q++];
            if (starts(L, q, close)) {
                if (!push(L, block ? T_BLOCK_END : T_VAR_END, p))
                    return PH_ENOMEM;
                L->p = after_close(L, q + 2, sign, block && L->o->trim_blocks);
                return 0;
            }
        }
        char c = s[p];
        if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
            size_t e = p;
            while (e < L->n &&
                   (isalnum((unsigned char)s[e]) || s[e] == '_' || (unsigned char)s[e] >= 0x80))
                e++;
            tok *t = push(L, T_NAME, p);
            if (!t)
                return PH_ENOMEM;
            t->s = s + p;
            t->n = e - p;
            L->p = e;
        } else if (isdigit((unsigned char)c)) {
            int rc = lex_number(L);
            if (rc < 0)
                return rc;
        } else if (c == '\'' || c == '"') {
            size_t e = p + 1;
            while (e < L->n && s[e] != c) {
                if (s[e] == '\\')
                    e++;
                e++;
            }
            if (e >= L->n)
                return fail(L, p, "unexpected end of string");
            tok *t = push(L, T_STRING, p);
            if (!t)
                return PH_ENOMEM;
            int rc = decode_string(L, p + 1, e, t);
            if (rc < 0)
                return rc;
            L->p = e + 1;
        } else {
            if (c == '(' || c == '[' || c == '{') {
                if (depth == PARSE_MAX_DEPTH)
                    return fail(L, p, "brackets nested too deeply");
                closers[depth++] = c == '(' ? ')' : c == '[' ? ']' : '}';
            } else if (c == ')' || c == ']' || c == '}') {
                char m[64];
                if (depth == 0) {
                    snprintf(m, sizeof(m), "unexpected '%c'", c);
                    return fail(L, p, m);
                }
                if (closers[depth - 1] != c) {
                    snprintf(m, sizeof(m), "unexpected '%c', expected '%c'", c, closers[depth - 1]);
                    return fail(L, p, m);
                }
                depth--;
            }
            int rc = lex_op(L);
            if (rc < 0)
                return rc;
        }
    }
}

/* Normalise newlines (\r\n and \r become \n) and drop one trailing newline. */
static char *normalize(const char *src, size_t len, const ph_tmpl_opts *o, ph_arena *a,
                       size_t *outlen) {
    char *d = ph__arena_alloc(a, len + 1);
    if (!d)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\r') {
            d[k++] = '\n';
            if (i + 1 < len && src[i + 1] == '\n')
                i++;
        } else {
            d[k++] = src[i];
        }
    }
    if (!o->keep_trailing_newline && k > 0 && d[k - 1] == '\n')
        k--;
    d[k] = '\0';
    *outlen = k;
    return d;
}

int ph__tmpl_lex(const char *src, size_t len, const ph_tmpl_opts *o, ph_arena *a, tokens *out,
                 const char *name, ph_tmpl_error *err) {
    lexer L = {.o = o, .a = a, .out = out, .name = name, .err = err, .line = 1, .line_starting = 1};
    L.s = normalize(src, len, o, a, &L.n);
    if (!L.s)
        return PH_ENOMEM;
    int rc;
    while (L.p < L.n) {
        size_t b = L.p, p = b;
        while (p + 1 < L.n && !(L.s[p] == '{' && strchr("{%#", L.s[p + 1]) && L.s[p + 1] != 0))
            p++;
        if (p + 1 >= L.n) {
            rc = emit_text(&L, b, L.n);
            if (rc < 0)
                return rc;
            break;
        }
        char kind = L.s[p + 1];
        size_t q = p + 2;
        char sign = 0;
        if (q < L.n && (L.s[q] == '-' || L.s[q] == '+'))
            sign = L.s[q++];
        char es = 0;
        size_t raw_end = kind == '%' ? match_word_tag(&L, q, "raw", &es) : 0;
        size_t te = text_end(&L, b, p, kind, sign);
        if ((rc = emit_text(&L, b, te)) < 0)
            return rc;
        L.p = q;
        if (kind == '#') {
            rc = lex_comment(&L, p);
        } else if (raw_end) {
            rc = lex_raw(&L, p, raw_end, es);
        } else {
            if (!push(&L, kind == '%' ? T_BLOCK_BEGIN : T_VAR_BEGIN, p))
                return PH_ENOMEM;
            rc = lex_tag(&L, p, kind == '%');
        }
        if (rc < 0)
            return rc;
    }
    tok *t = push(&L, T_EOF, L.n);
    return t ? 0 : PH_ENOMEM;
}
