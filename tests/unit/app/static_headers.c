/*
 * Headers of file responses (src/app/send_headers.c): Python's float repr
 * (the ETag's mtime), Content-Disposition and the charset Werkzeug adds.
 * Expected strings come from Python 3.11 and Werkzeug 2.2's send_file.
 */
#include "app/send_file.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <string.h>

static const struct {
    double x;
    const char *repr;
} reprs[] = {
    {1577934245.5, "1577934245.5"},
    {1577934245.0, "1577934245.0"},
    {1795863395.7601535, "1795863395.7601535"},
    {0.0001, "0.0001"},
    {1e-05, "1e-05"},
    {1e16, "1e+16"},
    {123456789012345678.0, "1.2345678901234568e+17"},
    {0.1, "0.1"},
    {0.0, "0.0"},
    {-2.5, "-2.5"},
    {1e22, "1e+22"},
    {1.5e300, "1.5e+300"},
    {5e-324, "5e-324"},
    {9999999999999998.0, "9999999999999998.0"},
    {0.00012345, "0.00012345"},
    {1.2345678e-07, "1.2345678e-07"},
};

Test(static_headers, float_repr_matches_python) {
    for (size_t i = 0; i < sizeof(reprs) / sizeof(reprs[0]); i++) {
        char out[40];
        int n = ph__py_float_repr(reprs[i].x, out, sizeof(out));
        cr_assert_geq(n, 0);
        cr_assert_str_eq(out, reprs[i].repr, "repr(%.17g)", reprs[i].x);
        cr_assert_eq((size_t)n, strlen(out));
    }
}

Test(static_headers, float_repr_small_buffer_fails) {
    char out[8];
    cr_assert_eq(ph__py_float_repr(1577934245.5, out, sizeof(out)), PH_ETOOBIG);
}

static const struct {
    const char *name;
    const char *inline_value;
} dispositions[] = {
    {"a.txt", "inline; filename=a.txt"},
    {"a b.txt", "inline; filename=\"a b.txt\""},
    {"x\"y.txt", "inline; filename=\"x\\\"y.txt\""},
    {"a;b.txt", "inline; filename=\"a;b.txt\""},
    {"a\\b.txt", "inline; filename=\"a\\\\b.txt\""},
    {"o'k.txt", "inline; filename=o'k.txt"},
    {"\xc3\x9cn\xc3\xaf"
     "c\xc3\xb6"
     "d\xc3\xa9 \xef\xac\x81le.txt",
     "inline; filename=\"Unicode file.txt\"; "
     "filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%EF%AC%81le.txt"},
    {"\xe6\x97\xa5\xe6\x9c\xac.txt",
     "inline; filename=.txt; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt"},
    {"\xc5\x92uvre \xc2\xbd.txt", /* Œ has no decomposition; ½ becomes "12" */
     "inline; filename=\"uvre 12.txt\"; filename*=UTF-8''%C5%92uvre%20%C2%BD.txt"},
};

Test(static_headers, content_disposition_matches_werkzeug) {
    ph_arena a;
    ph__arena_init(&a, 1024, 1 << 20);
    for (size_t i = 0; i < sizeof(dispositions) / sizeof(dispositions[0]); i++) {
        char *v = ph__content_disposition(&a, false, dispositions[i].name);
        cr_assert_not_null(v);
        cr_assert_str_eq(v, dispositions[i].inline_value);
    }
    cr_assert_str_eq(ph__content_disposition(&a, true, "r.pdf"), "attachment; filename=r.pdf");
    ph__arena_close(&a);
}

Test(static_headers, content_disposition_survives_malformed_utf8) {
    ph_arena a;
    ph__arena_init(&a, 1024, 1 << 20);
    char *v = ph__content_disposition(&a, false, "a\xff\xc3.txt");
    cr_assert_str_eq(v, "inline; filename=a.txt; filename*=UTF-8''a%FF%C3.txt");
    ph__arena_close(&a);
}

Test(static_headers, content_disposition_allocation_failures) {
    const char *name = "r\xc3\xa9sum\xc3\xa9 final.txt";
    for (long n = 0; n < 40; n++) {
        ph_arena a;
        ph__arena_init(&a, 64, 1 << 20);
        ph__alloc_fail_after(n);
        char *v = ph__content_disposition(&a, true, name);
        ph__alloc_fail_after(-1);
        if (v)
            cr_assert_str_eq(v, "attachment; filename=\"resume final.txt\"; "
                                "filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt");
        ph__arena_close(&a);
    }
}

Test(static_headers, charset_added_as_werkzeug_get_content_type) {
    ph_arena a;
    ph__arena_init(&a, 1024, 1 << 20);
    cr_assert_str_eq(ph__content_type_for(&a, "text/x-foo"), "text/x-foo; charset=utf-8");
    cr_assert_str_eq(ph__content_type_for(&a, "application/xml"), "application/xml; charset=utf-8");
    cr_assert_str_eq(ph__content_type_for(&a, "image/svg+xml"), "image/svg+xml; charset=utf-8");
    cr_assert_str_eq(ph__content_type_for(&a, "application/javascript"),
                     "application/javascript; charset=utf-8");
    cr_assert_str_eq(ph__content_type_for(&a, "application/json"), "application/json");
    cr_assert_str_eq(ph__content_type_for(&a, "image/png"), "image/png");
    cr_assert_str_eq(ph__content_type_for(&a, "text/plain; charset=latin-1"),
                     "text/plain; charset=latin-1");
    ph__arena_close(&a);
}
