/*
 * HTML escaping: C strings with and without <br>, and ph__html_escape_n
 * against a plain reference over random text of every length up to a few
 * blocks, at every density of special bytes and at every alignment in the
 * output buffer: the vector path handles sixteen bytes and several hits at
 * a time, and its edges (the last 32 bytes, a hit in the last byte of a
 * block) are where it could go wrong. A buffer limit too small for the
 * worst case takes the piecewise path, which must write the same bytes.
 */
#include "util/buf.h"
#include "util/html.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

Test(html, escapes_the_five_characters_like_werkzeug) {
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__html_escape(&b, "a<b>&\"c'd\ne", 0), 0);
    cr_assert_str_eq(b.data, "a&lt;b&gt;&amp;&#34;c&#39;d\ne");
    b.len = 0;
    ph__html_escape(&b, "x\ny<\n", 1);
    cr_assert_str_eq(b.data, "x<br>y&lt;<br>", "newlines as <br> when asked");
    b.len = 0;
    ph__html_escape(&b, "plain text", 0);
    cr_assert_str_eq(b.data, "plain text");
    ph__buf_close(&b);
}

/* The reference: one byte at a time, as markupsafe documents it. */
static size_t reference(const char *s, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&#34;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            out[o++] = s[i];
            continue;
        }
        memcpy(out + o, rep, strlen(rep));
        o += strlen(rep);
    }
    return o;
}

/* Escape `s` after `prefix` bytes already in a buffer of limit `max`
 * (0: none); the buffer must hold the prefix then the reference's bytes. */
static void check(const char *s, size_t n, size_t prefix, size_t max) {
    char want[5 * 200];
    size_t wn = reference(s, n, want);
    ph_buf b;
    ph__buf_init(&b, max ? prefix + wn : 0);
    for (size_t i = 0; i < prefix; i++)
        cr_assert_eq(ph__buf_append(&b, "p", 1), 0);
    /* the input alone in an allocation of its size, so that a read past
     * its end is caught under AddressSanitizer */
    char *exact = malloc(n ? n : 1);
    memcpy(exact, s, n);
    cr_assert_eq(ph__html_escape_n(&b, exact, n), 0, "length %zu", n);
    free(exact);
    cr_assert_eq(b.len, prefix + wn, "length %zu: %zu bytes, want %zu", n, b.len - prefix, wn);
    cr_assert(n == 0 || memcmp(b.data + prefix, want, wn) == 0, "length %zu: wrong bytes", n);
    cr_assert_eq(b.data ? b.data[b.len] : 0, 0);
    ph__buf_close(&b);
}

Test(html, matches_the_reference_at_every_length_density_and_alignment) {
    static const char special[] = "&<>\"'";
    srand(12345);
    char s[200];
    for (int density = 0; density <= 100; density += 10)
        for (size_t n = 0; n <= sizeof(s); n++)
            for (int round = 0; round < 3; round++) {
                for (size_t i = 0; i < n; i++)
                    s[i] = rand() % 100 < density ? special[rand() % 5]
                                                  : (char)("abcXYZ 09\xc3\xa9"[rand() % 11]);
                check(s, n, (size_t)(round * 7) % 16, 0);
            }
}

Test(html, a_hit_on_every_position_of_a_block) {
    char s[64];
    for (size_t at = 0; at < sizeof(s); at++)
        for (size_t n = at + 1; n <= sizeof(s); n++) {
            memset(s, 'x', sizeof(s));
            s[at] = '<';
            check(s, n, 0, 0);
            s[n - 1] = '\'';
            check(s, n, 3, 0);
        }
}

Test(html, a_tight_limit_takes_the_piecewise_path_with_the_same_bytes) {
    char s[100] = {0};
    for (size_t n = 0; n < sizeof(s); n++) {
        for (size_t i = 0; i < n; i++)
            s[i] = i % 3 ? 'a' : "&<>\"'"[i % 5];
        check(s, n, 5, 1);
    }
}
