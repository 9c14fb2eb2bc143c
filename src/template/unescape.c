/*
 * HTML unescaping as Python's html.unescape does it (markupsafe's
 * striptags and Markup.unescape call it): every named character reference
 * of HTML5, the legacy names that match without a ';' ("&amp", "&copy"),
 * the longest known name at the start of an unknown one ("&notit;" is
 * "¬it;"), and numeric references with the standard's repairs (0, the
 * surrogates and past U+10FFFF become U+FFFD, 0x80-0x9F the Windows-1252
 * characters, controls and noncharacters nothing). Anything else stays as
 * written. The tables come from scripts/gen-html-entities.py.
 */
#include "tmpl.h"

#include <string.h>

#include "html_entities.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The text of the named reference `name` (n bytes), or NULL. */
static const char *named(const char *name, size_t n) {
    size_t lo = 0, hi = N(html_entities);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = html_entity_text + html_entities[mid][0];
        size_t kn = strlen(k);
        int c = memcmp(name, k, n < kn ? n : kn);
        if (c == 0)
            c = n < kn ? -1 : n > kn;
        if (c == 0)
            return html_entity_text + html_entities[mid][1];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* What the numeric reference to `cp` stands for: a code point, or -1 for nothing. */
static int64_t numeric(uint64_t cp) {
    for (size_t i = 0; i < N(html_charref_fixes); i++)
        if (html_charref_fixes[i][0] == cp)
            return html_charref_fixes[i][1];
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0xFFFD;
    for (size_t i = 0; i < N(html_dropped_ranges); i++)
        if (cp >= html_dropped_ranges[i][0] && cp <= html_dropped_ranges[i][1])
            return -1;
    return (int64_t)cp;
}

static int is_digit_in(char c, int hex) {
    return (c >= '0' && c <= '9') || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
}

/*
 * The reference at s[i] == '&': appends what it stands for and returns the
 * bytes it took, or 0 when nothing there is a reference (the '&' is text).
 */
static size_t reference(ph_buf *b, const char *s, size_t n, size_t i, int *rc) {
    size_t j = i + 1;
    if (j < n && s[j] == '#') {
        /* &#[0-9]+;? or &#[xX][0-9a-fA-F]+;? */
        size_t k = j + 1;
        int hex = k < n && (s[k] == 'x' || s[k] == 'X');
        k += hex;
        size_t d0 = k;
        uint64_t cp = 0;
        for (; k < n && is_digit_in(s[k], hex); k++) {
            int d = s[k] <= '9' ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10;
            if (cp <= 0x10FFFF) /* past it every value means the same */
                cp = cp * (hex ? 16 : 10) + (uint64_t)d;
        }
        if (k == d0)
            return 0;
        k += k < n && s[k] == ';';
        int64_t c = numeric(cp);
        *rc = c < 0 ? 0 : ph__utf8_put(b, (uint32_t)c);
        return k - i;
    }
    /* [^\t\n\f <&#;]{1,32};? : the whole name, then its longest known start */
    size_t k = j;
    while (k < n && k - j < 32 && !strchr("\t\n\f <&#;", s[k]))
        k++;
    if (k == j)
        return 0;
    size_t end = k + (k < n && s[k] == ';');
    const char *text = named(s + j, end - j);
    if (text) {
        *rc = ph__buf_append_str(b, text);
        return end - i;
    }
    for (size_t x = end - j - 1; x >= 2; x--)
        if ((text = named(s + j, x))) {
            if ((*rc = ph__buf_append_str(b, text)) == 0)
                *rc = ph__buf_append(b, s + j + x, end - j - x);
            return end - i;
        }
    return 0;
}

int ph__tmpl_html_unescape(ph_buf *b, const char *s, size_t n) {
    int rc = 0;
    size_t i = 0;
    for (const char *amp; rc == 0 && (amp = memchr(s + i, '&', n - i));) {
        size_t at = (size_t)(amp - s), took;
        if ((rc = ph__buf_append(b, s + i, at - i)) < 0)
            break;
        if ((took = reference(b, s, n, at, &rc)) == 0) {
            rc = ph__buf_append(b, "&", 1);
            took = 1;
        }
        i = at + took;
    }
    return rc < 0 ? rc : ph__buf_append(b, s + i, n - i);
}
