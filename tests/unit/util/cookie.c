/*
 * Tests for src/util/cookie.c. The parse table and the Set-Cookie strings
 * were produced by Werkzeug 2.2.2 (_cookie_parse_impl, dump_cookie,
 * http_date) and pasted here.
 */
#include "util/cookie.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

static ph_arena arena;
static ph_multidict d;
static ph_buf out; /* what dump() wrote */

static void setup(void) {
    ph__arena_init(&arena, 1024, 0);
    ph__multidict_init(&d, &arena);
}

static void teardown(void) {
    ph__alloc_fail_after(-1);
    ph__buf_close(&out);
    ph__arena_close(&arena);
}

TestSuite(cookie, .init = setup, .fini = teardown);

typedef struct parse_case {
    const char *in;
    size_t len;
    size_t n;
    struct {
        const char *k;
        size_t kl;
        const char *v;
        size_t vl;
    } pairs[3];
} parse_case;

static const parse_case parse_cases[] = {
    {"a=b", 3, 1, {{"a", 1, "b", 1}}},
    {"a=1; b=2; a=3", 13, 3, {{"a", 1, "1", 1}, {"b", 1, "2", 1}, {"a", 1, "3", 1}}},
    {" a = 1 ; b=2 ;", 14, 2, {{"a", 1, "1", 1}, {"b", 1, "2", 1}}},
    {"a", 1, 1, {{"a", 1, "", 0}}},
    {"a;b=1", 5, 2, {{"a", 1, "", 0}, {"b", 1, "1", 1}}},
    {"=x; b=1", 7, 1, {{"b", 1, "1", 1}}},
    {"a=\"q\\\"x\"", 8, 1, {{"a", 1, "q\"x", 3}}},
    {"a=\"\\101\\102\"", 12, 1, {{"a", 1, "AB", 2}}},
    {"a=\"\\400\"", 8, 1, {{"a", 1, "400", 3}}},
    {"a=\"x;y\"; b=1", 12, 2, {{"a", 1, "x;y", 3}, {"b", 1, "1", 1}}},
    {"a=\"x\"y; b=1", 11, 2, {{"a", 1, "\"x\"y", 4}, {"b", 1, "1", 1}}},
    {"a=\"x", 4, 1, {{"a", 1, "\"x", 2}}},
    {"a=1\0122; b=3", 10, 0, {}},
    {"a=1 \012; b=3", 10, 2, {{"a", 1, "1", 1}, {"b", 1, "3", 1}}},
    {"a=\0121; b=2", 9, 2, {{"a", 1, "1", 1}, {"b", 1, "2", 1}}},
    {"a=\"x\012y\"; b=1", 12, 2, {{"a", 1, "x\012y", 3}, {"b", 1, "1", 1}}},
    {"a=\"x\\\012y\"; b=1", 13, 0, {}},
    {"a=b=c", 5, 1, {{"a", 1, "b=c", 3}}},
    {";;;", 3, 0, {}},
    {"", 0, 0, {}},
    {"a=\"\"", 4, 1, {{"a", 1, "", 0}}},
    {"a=\"", 3, 1, {{"a", 1, "\"", 1}}},
    {"a=\" x \"", 7, 1, {{"a", 1, " x ", 3}}},
    {"a=\"\\", 4, 1, {{"a", 1, "\"\\", 2}}},
    {"a=\"x\\\"", 6, 1, {{"a", 1, "x\\", 2}}},
    {"k\011k=v\011", 6, 1, {{"k\011k", 3, "v", 1}}},
    {"a= ;b", 5, 2, {{"a", 1, "", 0}, {"b", 1, "", 0}}},
    {"a=1;\012b=2", 8, 2, {{"a", 1, "1", 1}, {"b", 1, "2", 1}}},
    {"\000=\001", 3, 1, {{"\000", 1, "\001", 1}}},
    {"a=\"\\\\\\101\"", 10, 1, {{"a", 1, "\\A", 2}}},
    {"a=\"x\" ; b", 9, 2, {{"a", 1, "x", 1}, {"b", 1, "", 0}}},
    {"a=\"x\" z\"", 8, 1, {{"a", 1, "x\" z", 4}}},
    {"x=y\013z; w", 8, 2, {{"x", 1, "y\013z", 3}, {"w", 1, "", 0}}},
    {"session=eyJhIjoxfQ.Z3x.abc; theme=dark",
     38,
     2,
     {{"session", 7, "eyJhIjoxfQ.Z3x.abc", 18}, {"theme", 5, "dark", 4}}},
    {"a=\303\251; b=\"\\303\\251\"", 18, 2, {{"a", 1, "\303\251", 2}, {"b", 1, "\303\251", 2}}},
};

Test(cookie, parse_matches_werkzeug_table) {
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
        const parse_case *c = &parse_cases[i];
        ph__multidict_init(&d, &arena);
        cr_assert(ph__cookie_parse(&d, c->in, c->len, NULL) >= 0, "case %zu", i);
        cr_expect_eq(d.len, c->n, "case %zu: %zu pairs", i, d.len);
        for (size_t j = 0; j < c->n && j < d.len; j++) {
            cr_expect_eq(d.items[j].name.len, c->pairs[j].kl, "case %zu pair %zu", i, j);
            cr_expect(memcmp(d.items[j].name.ptr, c->pairs[j].k, c->pairs[j].kl) == 0,
                      "case %zu pair %zu name", i, j);
            cr_expect_eq(d.items[j].value.len, c->pairs[j].vl, "case %zu pair %zu", i, j);
            cr_expect(memcmp(d.items[j].value.ptr, c->pairs[j].v, c->pairs[j].vl) == 0,
                      "case %zu pair %zu value", i, j);
        }
    }
}

Test(cookie, first_occurrence_wins_for_get) {
    const char *h = "a=1; b=2; a=3";
    cr_assert_eq(ph__cookie_parse(&d, h, strlen(h), NULL), 13);
    cr_assert_str_eq(ph__multidict_get(&d, "a", 1)->ptr, "1");
    cr_assert_eq(ph__multidict_count(&d, "a", 1), 2);
}

Test(cookie, stops_at_unparseable_pair_and_reports_where) {
    const char *h = "a=1; b=x\ny; c=3";
    ptrdiff_t rc = ph__cookie_parse(&d, h, strlen(h), NULL);
    cr_assert_eq(rc, 4, "stopped before \" b=...\"");
    cr_assert_eq(d.len, 1);
}

Test(cookie, octal_escape_decodes_to_byte) {
    const char *h = "v=\"\\000\\377\"";
    cr_assert(ph__cookie_parse(&d, h, strlen(h), NULL) > 0);
    cr_assert_eq(d.items[0].value.len, 2);
    cr_assert(memcmp(d.items[0].value.ptr, "\0\377", 2) == 0);
}

Test(cookie, too_many_cookies_is_toobig) {
    ph_cookie_limits lim = {.max_cookies = 2};
    cr_assert_eq(ph__cookie_parse(&d, "a=1; b=2", 8, &lim), 8);
    cr_assert_eq(ph__cookie_parse(&d, "a=1; b=2; c=3", 13, &lim), PH_ETOOBIG);
    cr_assert_eq(d.len, 2, "the failed call leaves the dict as it was");
}

Test(cookie, too_long_header_is_toobig) {
    ph_cookie_limits lim = {.max_size = 5};
    cr_assert_eq(ph__cookie_parse(&d, "a=123", 5, &lim), 5);
    cr_assert_eq(ph__cookie_parse(&d, "a=1234", 6, &lim), PH_ETOOBIG);
}

Test(cookie, never_reads_past_len) {
    cr_assert_eq(ph__cookie_parse(&d, "a=1; b=2", 3, NULL), 3);
    cr_assert_eq(d.len, 1);
    cr_assert_str_eq(d.items[0].value.ptr, "1");
}

Test(cookie, parse_allocation_failure_sweep) {
    const char *h = "session=abc; theme=\"dark\\073mode\"; lang=en; x; y=1";
    int succeeded = 0;
    for (long n = 0; n < 30 && !succeeded; n++) {
        ph__arena_close(&arena);
        ph__arena_init(&arena, 64, 0);
        ph__multidict_init(&d, &arena);
        ph__alloc_fail_after(n);
        ptrdiff_t rc = ph__cookie_parse(&d, h, strlen(h), NULL);
        ph__alloc_fail_after(-1);
        if (rc == PH_ENOMEM) {
            cr_assert_eq(d.len, 0);
        } else {
            cr_assert_eq(rc, (ptrdiff_t)strlen(h));
            cr_assert_eq(d.len, 5);
            cr_assert_str_eq(ph__multidict_get(&d, "theme", 5)->ptr, "dark;mode");
            succeeded = 1;
        }
    }
    cr_assert(succeeded);
}

/* ---- Set-Cookie ---- */

static const char *dump(const char *name, const char *value, size_t vlen, const ph_cookie_opts *o) {
    ph__buf_close(&out);
    ph__buf_init(&out, 0);
    ptrdiff_t rc = ph__cookie_serialize(&out, name, strlen(name), value, vlen, o);
    cr_assert_geq(rc, 0, "serialize failed: %s", ph_err_name((int)rc));
    cr_assert_eq((size_t)rc, out.len);
    return out.data;
}

Test(cookie, serialize_default_has_root_path) {
    cr_assert_str_eq(dump("a", "v", 1, NULL), "a=v; Path=/");
}

Test(cookie, serialize_every_attribute_in_werkzeug_order) {
    ph_cookie_opts o = {.path = "/x y",
                        .domain = ".ex.com",
                        .secure = true,
                        .httponly = true,
                        .samesite = PH_SAMESITE_LAX,
                        .has_expires = true,
                        .expires = 1700000060,
                        .has_max_age = true,
                        .max_age = 60};
    cr_assert_str_eq(dump("sid", "b c;d\"e\\f\001\377,", 12, &o),
                     "sid=\"b c\\073d\\\"e\\\\f\\001\\377\\054\"; Domain=.ex.com; "
                     "Expires=Tue, 14 Nov 2023 22:14:20 GMT; Max-Age=60; Secure; HttpOnly; "
                     "Path=/x%20y; SameSite=Lax");
}

Test(cookie, serialize_delete_cookie) {
    ph_cookie_opts o = {.has_expires = true, .expires = 0, .has_max_age = true, .max_age = 0};
    cr_assert_str_eq(dump("a", "", 0, &o),
                     "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
}

Test(cookie, serialize_max_age_derives_expires) {
    ph_cookie_opts o = {.has_max_age = true, .max_age = 60, .now = 1700000000};
    cr_assert_str_eq(dump("a", "v", 1, &o),
                     "a=v; Expires=Tue, 14 Nov 2023 22:14:20 GMT; Max-Age=60; Path=/");
    o.no_sync_expires = true;
    cr_assert_str_eq(dump("a", "v", 1, &o), "a=v; Max-Age=60; Path=/");
}

Test(cookie, serialize_quotes_crlf_in_value) {
    cr_assert_str_eq(dump("a", "\r\n", 2, NULL), "a=\"\\015\\012\"; Path=/");
}

Test(cookie, serialize_keeps_safe_value_unquoted) {
    const char *v = "abc/=!#$%&'*+-.^_`|~:XYZ09";
    cr_assert_str_eq(dump("a", v, strlen(v), NULL), "a=abc/=!#$%&'*+-.^_`|~:XYZ09; Path=/");
    cr_assert_str_eq(dump("a", "x y", 3, NULL), "a=\"x y\"; Path=/");
}

Test(cookie, serialize_path_encoding_as_iri_to_uri) {
    ph_cookie_opts o = {.path = "/p?q=1#f[]@!$&'()*+,=\"<>%"};
    cr_assert_str_eq(dump("a", "v", 1, &o), "a=v; Path=/p?q=1#f[]@!$&'()*+,=%22%3C%3E%");
}

Test(cookie, serialize_domain_drops_port_and_samesite_none) {
    ph_cookie_opts o = {.domain = "example.com:8080", .samesite = PH_SAMESITE_NONE};
    cr_assert_str_eq(dump("a", "v", 1, &o), "a=v; Domain=example.com; Path=/; SameSite=None");
}

Test(cookie, serialize_without_path) {
    ph_cookie_opts o = {.no_path = true, .samesite = PH_SAMESITE_STRICT};
    cr_assert_str_eq(dump("a", "v", 1, &o), "a=v; SameSite=Strict");
}

static int serialize_rc(const char *name, size_t nlen, const ph_cookie_opts *o) {
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = (int)ph__cookie_serialize(&b, name, nlen, "v", 1, o);
    cr_assert_eq(b.len, 0, "nothing is left behind on failure");
    ph__buf_close(&b);
    return rc;
}

Test(cookie, serialize_refuses_bad_names) {
    static const char *bad[] = {"",    "a b", "a;b", "a=b",  "a\r",
                                "a\n", "a\"", "a,b", "\x01", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(serialize_rc(bad[i], strlen(bad[i]), NULL), PH_EINVAL, "name %zu", i);
    cr_expect_eq(serialize_rc("a\0b", 3, NULL), PH_EINVAL);
}

Test(cookie, serialize_refuses_bad_path) {
    static const char *bad[] = {"/a;b", "/a\r\nSet-Cookie: x=y", "/\x01", "/\x7f"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ph_cookie_opts o = {.path = bad[i]};
        cr_expect_eq(serialize_rc("a", 1, &o), PH_EINVAL, "path %zu", i);
    }
}

Test(cookie, serialize_refuses_bad_domain) {
    static const char *bad[] = {"localhost", "a.com;x", "a .com",      "a.com\r\n",
                                "\"a.com\"", "a!b.com", "\xc3\xa9.com"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ph_cookie_opts o = {.domain = bad[i]};
        cr_expect_eq(serialize_rc("a", 1, &o), PH_EINVAL, "domain %zu", i);
    }
}

Test(cookie, serialize_refuses_bad_samesite_and_year) {
    ph_cookie_opts o = {.samesite = (ph_samesite)7};
    cr_expect_eq(serialize_rc("a", 1, &o), PH_EINVAL);
    ph_cookie_opts y = {.has_expires = true, .expires = INT64_C(253402300800)};
    cr_expect_eq(serialize_rc("a", 1, &y), PH_EINVAL);
}

Test(cookie, serialize_past_buffer_limit_is_toobig) {
    ph_buf b;
    ph__buf_init(&b, 10);
    cr_assert_eq(ph__cookie_serialize(&b, "name", 4, "value", 5, NULL), PH_ETOOBIG);
    cr_assert_eq(b.len, 0);
    ph__buf_close(&b);
}

Test(cookie, serialize_allocation_failure_sweep) {
    ph_cookie_opts o = {.domain = "a.example",
                        .has_max_age = true,
                        .max_age = 5,
                        .now = 1,
                        .secure = true,
                        .samesite = PH_SAMESITE_LAX};
    int succeeded = 0;
    for (long n = 0; n < 20 && !succeeded; n++) {
        ph_buf b;
        ph__buf_init(&b, 0);
        ph__alloc_fail_after(n);
        ptrdiff_t rc = ph__cookie_serialize(&b, "a", 1, "v;v", 3, &o);
        ph__alloc_fail_after(-1);
        if (rc == PH_ENOMEM)
            cr_assert_eq(b.len, 0);
        else
            succeeded = rc > 0;
        ph__buf_close(&b);
    }
    cr_assert(succeeded);
}

typedef struct date_case {
    int64_t t;
    const char *s;
} date_case;

/* werkzeug.http.http_date */
static const date_case date_cases[] = {
    {0, "Thu, 01 Jan 1970 00:00:00 GMT"},
    {1700000060, "Tue, 14 Nov 2023 22:14:20 GMT"},
    {-1, "Wed, 31 Dec 1969 23:59:59 GMT"},
    {951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
    {INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT"},
    {INT64_C(-62135596800), "Mon, 01 Jan 0001 00:00:00 GMT"},
    {68256000, "Wed, 01 Mar 1972 00:00:00 GMT"},
};

Test(cookie, expires_matches_http_date) {
    for (size_t i = 0; i < sizeof(date_cases) / sizeof(date_cases[0]); i++) {
        ph_cookie_opts o = {.has_expires = true, .expires = date_cases[i].t, .no_path = true};
        const char *s = dump("a", "", 0, &o);
        cr_expect_eq(strncmp(s, "a=; Expires=", 12), 0);
        cr_expect_str_eq(s + 12, date_cases[i].s, "case %zu", i);
    }
}
