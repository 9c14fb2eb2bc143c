/*
 * Case mapping as Python's str methods do it, for the filters (upper, lower,
 * capitalize, title) and the string methods (.upper(), .swapcase(), ...).
 *
 * Single-character mappings come from the C library's C.UTF-8 locale
 * (towupper_l, towlower_l and its "totitle" mapping), which carries the
 * whole Unicode database and agrees with Python's on every character.
 * What the C library lacks is generated into unicode_data.h from Python's
 * own database (scripts/gen-unicode-data.py): mappings to several characters
 * ('ß'.upper() == 'SS', 'ﬁ'.title() == 'Fi', 'İ'.lower() == 'i̇'), and the
 * Cased and Case_Ignorable properties that str.title() and the final-sigma
 * rule ('ΟΔΟΣ'.lower() == 'οδος') depend on.
 *
 * References: Unicode 3.13 (Default Case Algorithms), SpecialCasing.txt;
 * Python's str.lower/upper/title/capitalize/swapcase; Jinja2's title filter.
 */
#include "tmpl.h"

#include <locale.h>
#include <pthread.h>
#include <wctype.h>

#include "unicode_data.h"

/* ---- single characters -------------------------------------------------- */

static locale_t utf8;    /* C.UTF-8, or 0 when the C library has none */
static wctrans_t totitle; /* its title-case mapping, or 0 */
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void) {
    utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    if (utf8)
        totitle = wctrans_l("totitle", utf8);
}

/* Without a C.UTF-8 locale (not a Debian system) only ASCII is mapped. */
static locale_t loc(void) {
    pthread_once(&utf8_once, utf8_init);
    return utf8;
}

static uint32_t cp_upper(uint32_t c) {
    if (c < 0x80)
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    locale_t l = loc();
    return l ? (uint32_t)towupper_l((wint_t)c, l) : c;
}

static uint32_t cp_lower(uint32_t c) {
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    locale_t l = loc();
    return l ? (uint32_t)towlower_l((wint_t)c, l) : c;
}

static uint32_t cp_title(uint32_t c) {
    if (c < 0x80)
        return cp_upper(c);
    locale_t l = loc();
    return l && totitle ? (uint32_t)towctrans_l((wint_t)c, totitle, l) : cp_upper(c);
}

/* How many of `rows` (n rows of `width` values, sorted by their first)
 * start at or below c: the last of them is the one that may hold c. */
static size_t rows_up_to(const uint32_t *rows, size_t n, size_t width, uint32_t c) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (rows[mid * width] <= c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The row of `rows` (n sorted rows of `width` values, each starting with
 * its first and last character) that holds c, or NULL. */
static const uint32_t *find_run(const uint32_t *rows, size_t n, size_t width, uint32_t c) {
    size_t k = rows_up_to(rows, n, width, c);
    return k && c <= rows[(k - 1) * width + 1] ? rows + (k - 1) * width : NULL;
}

static int in_ranges(const uint32_t (*r)[2], size_t n, uint32_t c) {
    return find_run(r[0], n, 2, c) != NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int cased(uint32_t c) { return in_ranges(cased_ranges, COUNT(cased_ranges), c); }

static int case_ignorable(uint32_t c) {
    return in_ranges(case_ignorable_ranges, COUNT(case_ignorable_ranges), c);
}

/* Python's str.isprintable() for one character: repr() escapes the rest.
 * (It lives here, beside the rest of the generated Unicode data.) */
int ph__cp_printable(uint32_t c) {
    if (c < 0x80)
        return c >= 0x20 && c != 0x7F;
    return !in_ranges(nonprintable_ranges, COUNT(nonprintable_ranges), c);
}

int ph__tmpl_casefold(rctx *r, tv s, tv *out) {
    ph_buf b;
    ph__buf_init(&b, r->out->max);
    int rc = 0;
    for (size_t i = 0, adv; rc == 0 && i < s.n; i += adv) {
        uint32_t c = ph__utf8_next(s.s + i, s.n - i, &adv);
        size_t row = rows_up_to(casefold_special[0], COUNT(casefold_special), 4, c);
        if (row && casefold_special[row - 1][0] == c) {
            for (int k = 1; rc == 0 && k < 4 && casefold_special[row - 1][k]; k++)
                rc = ph__utf8_put(&b, casefold_special[row - 1][k]);
            continue;
        }
        /* each character alone: lower case without the final-sigma rule */
        tv low;
        if ((rc = ph__tmpl_casemap(r, tv_str(s.s + i, adv, 0), C_LOWER, &low)) == 0)
            rc = ph__buf_append(&b, low.s, low.n);
    }
    if (rc == 0) {
        *out = ph__tv_strdup(r, b.data ? b.data : "", b.len, 0);
        rc = out->k == TV_STR ? 0 : PH_ENOMEM;
    }
    ph__buf_close(&b);
    return rc;
}

int ph__cp_decimal(uint32_t c) {
    /* the last zero at or below c starts c's run of ten, if any */
    size_t k = rows_up_to(decimal_zeros, COUNT(decimal_zeros), 1, c);
    return k && c - decimal_zeros[k - 1] < 10 ? (int)(c - decimal_zeros[k - 1]) : -1;
}

int ph__cp_word(uint32_t c) { return c == '_' || (ph__cp_classes(c) & (CP_ALPHA | CP_NUMERIC)); }

unsigned ph__cp_classes(uint32_t c) {
    const uint32_t *run = find_run(class_runs[0], COUNT(class_runs), 3, c);
    return run ? run[2] : 0;
}

size_t ph__cp_space_len(const char *s, size_t n) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x80)
        return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
    size_t adv;
    return (ph__cp_classes(ph__utf8_next(s, n, &adv)) & CP_SPACE) ? adv : 0;
}

size_t ph__cp_line_break(const char *s, size_t n, size_t i) {
    unsigned char b = (unsigned char)s[i];
    if (b == '\r' && i + 1 < n && s[i + 1] == '\n')
        return 2;
    if (b == '\n' || b == '\r' || b == 0x0B || b == 0x0C || (b >= 0x1C && b <= 0x1E))
        return 1;
    if (b < 0x80)
        return 0;
    size_t adv;
    uint32_t c = ph__utf8_next(s + i, n - i, &adv);
    return c == 0x85 || c == 0x2028 || c == 0x2029 ? adv : 0;
}

int ph__cp_one_case(const char *s, size_t n, int lower) {
    int lo = 0, up = 0, title = 0;
    for (size_t i = 0, adv; i < n; i += adv) {
        unsigned c = ph__cp_classes(ph__utf8_next(s + i, n - i, &adv));
        lo |= (c & CP_LOWER) != 0;
        up |= (c & CP_UPPER) != 0;
        title |= (c & CP_TITLE) != 0;
    }
    return lower ? lo && !up && !title : up && !lo && !title;
}

static const struct special_case *special(uint32_t c) {
    size_t lo = 0, hi = COUNT(special_cases);
    if (c < special_cases[0].c)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c < special_cases[mid].c)
            hi = mid;
        else if (c > special_cases[mid].c)
            lo = mid + 1;
        else
            return &special_cases[mid];
    }
    return NULL;
}

static char *put_cp(char *d, uint32_t cp) {
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xC0 | (cp >> 6));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xE0 | (cp >> 12));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *d++ = (char)(0xF0 | (cp >> 18));
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *d++ = (char)(0x80 | (cp & 0x3F));
    }
    return d;
}

enum { TO_LOWER, TO_UPPER, TO_TITLE };

/* The full mapping of c (one to three characters) written at d. */
static char *put_mapped(char *d, uint32_t c, int to) {
    const struct special_case *sc = c >= 0x80 ? special(c) : NULL;
    if (sc) {
        const uint32_t *m = to == TO_LOWER ? sc->lower : to == TO_UPPER ? sc->upper : sc->title;
        for (int k = 0; k < 3 && m[k]; k++)
            d = put_cp(d, m[k]);
        return d;
    }
    return put_cp(d, to == TO_LOWER   ? cp_lower(c)
                     : to == TO_UPPER ? cp_upper(c)
                                      : cp_title(c));
}

/* c's full upper-case mapping is c itself. */
static int upper_is_itself(uint32_t c) {
    const struct special_case *sc = c >= 0x80 ? special(c) : NULL;
    return sc ? sc->upper[0] == c && !sc->upper[1] : cp_upper(c) == c;
}

/* An upper-case letter, for swapcase: it lowers to something else and
 * raises to itself (a title-case letter such as 'ǅ' or 'ᾈ' does neither). */
static int is_upper(uint32_t c) { return cp_lower(c) != c && upper_is_itself(c); }

/* A lower-case letter: it raises to something else and lowers to itself. */
static int is_lower(uint32_t c) {
    const struct special_case *sc = c >= 0x80 ? special(c) : NULL;
    int lowers_to_itself = sc ? sc->lower[0] == c && !sc->lower[1] : cp_lower(c) == c;
    return lowers_to_itself && !upper_is_itself(c);
}

/* ---- the final sigma ---------------------------------------------------- */

/* The code point that ends just before byte i (> lo) of s, and where it starts. */
static uint32_t cp_before(const char *s, size_t lo, size_t *i) {
    size_t j = *i - 1;
    while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80 && *i - j < 4)
        j--;
    size_t adv;
    uint32_t c = ph__utf8_next(s + j, *i - j, &adv);
    if (j + adv != *i) { /* not one whole character: take the last byte alone */
        j = *i - 1;
        c = (unsigned char)s[j];
    }
    *i = j;
    return c;
}

/*
 * Capital sigma at byte i (adv bytes) lowers to the final form when a cased
 * letter comes before it and none after it, case-ignorable characters
 * (apostrophes, combining marks) skipped both ways (Unicode's Final_Sigma).
 * The text before `lo` does not count (Jinja2's title lowers each word on
 * its own).
 */
static int final_sigma(const char *s, size_t n, size_t lo, size_t i, size_t adv) {
    uint32_t c = 0;
    size_t j = i;
    int found = 0;
    while (j > lo) {
        c = cp_before(s, lo, &j);
        if (!case_ignorable(c)) {
            found = 1;
            break;
        }
    }
    if (!found || !cased(c))
        return 0;
    for (j = i + adv; j < n;) {
        size_t a;
        c = ph__utf8_next(s + j, n - j, &a);
        j += a;
        if (!case_ignorable(c))
            return !cased(c);
    }
    return 1;
}

/* Lower c (at byte i of s), with the final-sigma rule. */
static char *put_lower(char *d, const char *s, size_t n, size_t lo, size_t i, size_t adv,
                       uint32_t c) {
    if (c == 0x3A3)
        return put_cp(d, final_sigma(s, n, lo, i, adv) ? 0x3C2 : 0x3C3);
    return put_mapped(d, c, TO_LOWER);
}

/* ---- strings ------------------------------------------------------------ */

/* Python's str.isspace(), which is what Jinja2's title splits words on. */
static int is_space(uint32_t c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1C && c <= 0x1F) || c == 0x85 ||
           c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* One ASCII byte in upper case (`up`) or lower case. */
static inline char ascii_case(char c, int up) {
    if (up)
        return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/*
 * upper, lower and capitalize of an all-ASCII string, the common case: byte
 * by byte, and without a copy when nothing changes (lower of a lowercase
 * slug, say). Returns 1 when done, 0 when the string needs the full mapping.
 */
static int casemap_ascii(rctx *r, tv s, int mode, tv *out) {
    unsigned char any = 0;
    for (size_t i = 0; i < s.n; i++)
        any |= (unsigned char)s.s[i];
    if (any & 0x80)
        return 0;
    size_t first = 0; /* the first byte the mapping changes */
    while (first < s.n &&
           ascii_case(s.s[first], mode == C_UPPER || (mode == C_CAPITALIZE && first == 0)) ==
               s.s[first])
        first++;
    if (first == s.n) {
        *out = s;
        return 1;
    }
    char *d = ph__arena_alloc(r->a, s.n + 1);
    if (!d)
        return PH_ENOMEM;
    memcpy(d, s.s, first);
    for (size_t i = first; i < s.n; i++)
        d[i] = ascii_case(s.s[i], mode == C_UPPER || (mode == C_CAPITALIZE && i == 0));
    d[s.n] = '\0';
    *out = tv_str(d, s.n, s.safe);
    return 1;
}

int ph__tmpl_casemap(rctx *r, tv s, int mode, tv *out) {
    if (mode == C_UPPER || mode == C_LOWER || mode == C_CAPITALIZE) {
        int done = casemap_ascii(r, s, mode, out);
        if (done != 0)
            return done < 0 ? done : 0;
    }
    /* a full mapping is at most three times its character's UTF-8 bytes
     * (scripts/gen-unicode-data.py checks the data), and an invalid byte, mapped
     * as Latin-1, at most twice */
    if (s.n > (TV_MAX_LEN - 1) / 3)
        return PH_ETOOBIG;
    char *d0 = ph__arena_alloc(r->a, 3 * (size_t)s.n + 1), *d = d0;
    if (!d0)
        return PH_ENOMEM;
    int prev_cased = 0, in_word = 0;
    size_t word = 0; /* C_TITLE: where the current word's lowering starts */
    for (size_t i = 0; i < s.n;) {
        size_t adv = 1;
        uint32_t c = (unsigned char)s.s[i] < 0x80 ? (unsigned char)s.s[i]
                                                  : ph__utf8_next(s.s + i, s.n - i, &adv);
        switch (mode) {
        case C_UPPER:
            d = put_mapped(d, c, TO_UPPER);
            break;
        case C_LOWER:
            d = put_lower(d, s.s, s.n, 0, i, adv, c);
            break;
        case C_CAPITALIZE:
            d = i == 0 ? put_mapped(d, c, TO_TITLE) : put_lower(d, s.s, s.n, 0, i, adv, c);
            break;
        case C_SWAP: /* upper letters lowered, lower ones raised, the rest kept */
            if (is_upper(c))
                d = put_lower(d, s.s, s.n, 0, i, adv, c);
            else if (is_lower(c))
                d = put_mapped(d, c, TO_UPPER);
            else
                d = put_cp(d, c);
            break;
        case C_TITLE: /* Jinja2: each word's first character upper, the rest lower;
                       * words begin after whitespace and - ( { [ < */
            if (is_space(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<') {
                memcpy(d, s.s + i, adv);
                d += adv;
                in_word = 0;
            } else if (!in_word) {
                d = put_mapped(d, c, TO_UPPER);
                in_word = 1;
                word = i + adv;
            } else {
                d = put_lower(d, s.s, s.n, word, i, adv, c);
            }
            break;
        default: /* Python str.title: a cased letter after an uncased one starts a word */
            d = prev_cased ? put_lower(d, s.s, s.n, 0, i, adv, c) : put_mapped(d, c, TO_TITLE);
            prev_cased = cased(c);
            break;
        }
        i += adv;
    }
    *d = '\0';
    *out = tv_str(d0, (size_t)(d - d0), s.safe);
    return 0;
}
