/*
 * Safe joining and normpath (src/app/safe_join.c). Expected values are
 * Werkzeug 2.2's safe_join("/srv/static", p) and posixpath.normpath(p),
 * plus phial's own refusals (backslash, NUL).
 */
#include "app/send_file.h"

#include <criterion/criterion.h>
#include <string.h>

static const char *join(const char *dir, const char *p, size_t plen) {
    static char out[512];
    ptrdiff_t n = ph__safe_join(out, sizeof(out), dir, strlen(dir), p, plen);
    if (n < 0)
        return NULL;
    cr_assert_eq((size_t)n, strlen(out));
    return out;
}

#define J(p) join("/srv/static", (p), strlen(p))

static const struct {
    const char *in, *out;
} werkzeug_cases[] = {
    {"a.txt", "/srv/static/a.txt"},
    {"sub/s.css", "/srv/static/sub/s.css"},
    {"./a.txt", "/srv/static/a.txt"},
    {"a//b", "/srv/static/a/b"},
    {"a/./b", "/srv/static/a/b"},
    {"a/b/../c", "/srv/static/a/c"},
    {"../x", NULL},
    {"..", NULL},
    {"a/../..", NULL},
    {"a/../../x", NULL},
    {"/etc/passwd", NULL},
    {"//etc", NULL},
    {"///etc", NULL},
    {"", "/srv/static/"},
    {".", "/srv/static/."},
    {"a/..", "/srv/static/."},
    {"x/../../../y", NULL},
    {"...", "/srv/static/..."},
    {"..a", "/srv/static/..a"},
    {"a..", "/srv/static/a.."},
    {"a/b/", "/srv/static/a/b"},
    {".hidden", "/srv/static/.hidden"},
    {"a/.../b", "/srv/static/a/.../b"},
    {"sub/../sub/s.css", "/srv/static/sub/s.css"},
    {"../static/a.txt", NULL},
};

Test(static_safe_join, matches_werkzeug) {
    for (size_t i = 0; i < sizeof(werkzeug_cases) / sizeof(werkzeug_cases[0]); i++) {
        const char *got = J(werkzeug_cases[i].in);
        if (werkzeug_cases[i].out)
            cr_assert(got && strcmp(got, werkzeug_cases[i].out) == 0, "%s gave %s",
                      werkzeug_cases[i].in, got ? got : "(refused)");
        else
            cr_assert_null(got, "%s should be refused, gave %s", werkzeug_cases[i].in, got);
    }
}

Test(static_safe_join, refuses_backslashes) {
    cr_assert_null(J("..\\x"));
    cr_assert_null(J("a\\b.txt"));
    cr_assert_null(J("\\etc\\passwd"));
}

Test(static_safe_join, refuses_nul_bytes) {
    cr_assert_null(join("/srv/static", "a.txt\0.png", 10));
    cr_assert_null(join("/srv/static", "\0", 1));
}

Test(static_safe_join, dotdot_deep_inside_a_longer_path_is_refused) {
    cr_assert_null(J("css/../../../../etc/passwd"));
    cr_assert_null(J("a/b/c/../../../../x"));
    cr_assert_str_eq(J("a/b/c/../../../x"), "/srv/static/x");
}

Test(static_safe_join, empty_directory_means_current) {
    cr_assert_str_eq(join("", "a.txt", 5), "./a.txt");
    cr_assert_null(join("", "../a.txt", 8));
}

Test(static_safe_join, directory_with_trailing_slash_gets_no_second) {
    cr_assert_str_eq(join("/srv/", "a.txt", 5), "/srv/a.txt");
    cr_assert_str_eq(join("rel", "x/y", 3), "rel/x/y");
}

Test(static_safe_join, small_buffer_fails_with_etoobig) {
    char out[8];
    cr_assert_eq(ph__safe_join(out, sizeof(out), "/srv", 4, "abcdefgh", 8), PH_ETOOBIG);
    cr_assert_eq(ph__safe_join(out, 3, "/srv", 4, "a", 1), PH_ETOOBIG);
}

static const char *norm(const char *p) {
    static char out[256];
    ptrdiff_t n = ph__normpath(out, sizeof(out), p, strlen(p));
    cr_assert_geq(n, 0);
    return out;
}

Test(static_safe_join, normpath_matches_posixpath) {
    cr_assert_str_eq(norm(""), ".");
    cr_assert_str_eq(norm("/"), "/");
    cr_assert_str_eq(norm("//"), "//");
    cr_assert_str_eq(norm("///"), "/");
    cr_assert_str_eq(norm("/.."), "/");
    cr_assert_str_eq(norm("/../a"), "/a");
    cr_assert_str_eq(norm("../../a"), "../../a");
    cr_assert_str_eq(norm("a/../../b/./c//"), "../b/c");
    cr_assert_str_eq(norm("//a/b/../c"), "//a/c");
}

Test(static_safe_join, normpath_small_buffer_fails) {
    char out[4];
    cr_assert_eq(ph__normpath(out, sizeof(out), "abcd", 4), PH_ETOOBIG);
    cr_assert_eq(ph__normpath(out, 0, "", 0), PH_ETOOBIG);
    cr_assert_eq(ph__normpath(out, sizeof(out), "abc", 3), 3);
}
