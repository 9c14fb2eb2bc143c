/*
 * Cookies through the test client: every attribute of
 * ph_response_set_cookie() and ph_response_delete_cookie(), each Set-Cookie
 * string compared with what Werkzeug 2.2's dump_cookie prints for the same
 * arguments, and the client's cookie jar across requests.
 */
#include "fw_common.h"

#include <strings.h>
#include <time.h>

/* Each case sets one cookie; the view picks the case by its index. */
static int set_case(ph_response *r, int64_t i) {
    switch (i) {
    case 0: /* dump_cookie("a", "b") */
        return ph_response_set_cookie(r, "a", "b");
    case 1: /* max_age=60, expires=0, path="/x", domain="example.com", secure, httponly, Strict */
        return ph_response_set_cookie(r, "a", "b", .max_age = 60, .has_max_age = true,
                                      .expires = 0, .has_expires = true, .path = "/x",
                                      .domain = "example.com", .secure = true, .httponly = true,
                                      .samesite = PH_SAMESITE_ATTR_STRICT);
    case 2: /* expires=1700000000, samesite="Lax" */
        return ph_response_set_cookie(r, "a", "b", .expires = 1700000000, .has_expires = true,
                                      .samesite = PH_SAMESITE_ATTR_LAX);
    case 3: /* samesite="None", secure=True */
        return ph_response_set_cookie(r, "a", "b", .samesite = PH_SAMESITE_ATTR_NONE,
                                      .secure = true);
    case 4: /* dump_cookie("a", 'hello world;"x"') */
        return ph_response_set_cookie(r, "a", "hello world;\"x\"");
    case 5: /* delete_cookie("a") */
        return ph_response_delete_cookie(r, "a", NULL, NULL);
    case 6: /* domain=".example.com" */
        return ph_response_set_cookie(r, "a", "b", .domain = ".example.com");
    case 7: /* path="/ä b" */
        return ph_response_set_cookie(r, "a", "b", .path = "/\xc3\xa4 b");
    case 8: /* dump_cookie("a", "a\r\nb") */
        return ph_response_set_cookie(r, "a", "a\r\nb");
    case 9: /* dump_cookie("a", "café") */
        return ph_response_set_cookie(r, "a", "caf\xc3\xa9");
    case 10: /* delete_cookie("a", path="/p", domain="example.com") */
        return ph_response_delete_cookie(r, "a", "/p", "example.com");
    }
    return PH_EINVAL;
}

static const char *const expected[] = {
    "a=b; Path=/",
    "a=b; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60; Secure; "
    "HttpOnly; Path=/x; SameSite=Strict",
    "a=b; Expires=Tue, 14 Nov 2023 22:13:20 GMT; Path=/; SameSite=Lax",
    "a=b; Secure; Path=/; SameSite=None",
    "a=\"hello world\\073\\\"x\\\"\"; Path=/",
    "a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/",
    "a=b; Domain=.example.com; Path=/",
    "a=b; Path=/%C3%A4%20b",
    "a=\"a\\015\\012b\"; Path=/",
    "a=\"caf\\303\\251\"; Path=/",
    "a=; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/p",
};

static ph_response *cookie_view(ph_request *req) {
    int64_t i = 0;
    ph_view_arg_int(req, "i", &i);
    ph_response *r = ph_text(req, 200, "c");
    int rc = set_case(r, i);
    return rc < 0 ? ph_abort_msg(req, 500, "case %lld: %s", (long long)i, ph_err_name(rc)) : r;
}

static ph_app *cookie_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/c/<int:i>", cookie_view);
    return app;
}

static int check_case(ph_test_client *c, int i) {
    char url[32];
    snprintf(url, sizeof(url), "/c/%d", i);
    ph_test_response *r = ph_client_get(c, url);
    cr_assert_eq(r->status, 200, "case %d: %s", i, r->body);
    const char *sc = ph_test_response_header(r, "Set-Cookie");
    cr_assert_not_null(sc, "case %d", i);
    cr_expect_str_eq(sc, expected[i], "case %d", i);
    ph_test_response_free(r);
    return 0;
}

#define COOKIE_CASE(name, i)                                                                      \
    static int body_##name(ph_app *app, ph_test_client *c) { return check_case(c, i); }           \
    Test(fw_cookies, name) { fw_run(cookie_app(), body_##name); }

COOKIE_CASE(set_cookie_plain_has_path_slash, 0)
COOKIE_CASE(set_cookie_every_attribute_in_werkzeugs_order, 1)
COOKIE_CASE(set_cookie_expires_as_imf_fixdate_and_samesite_lax, 2)
COOKIE_CASE(set_cookie_samesite_none_with_secure, 3)
COOKIE_CASE(set_cookie_value_quoted_with_octal_escapes, 4)
COOKIE_CASE(delete_cookie_expires_in_1970_with_max_age_0, 5)
COOKIE_CASE(set_cookie_domain_with_leading_dot_kept, 6)
COOKIE_CASE(set_cookie_path_percent_encoded, 7)
COOKIE_CASE(set_cookie_value_with_crlf_is_quoted_not_injected, 8)
COOKIE_CASE(set_cookie_utf8_value_quoted, 9)
COOKIE_CASE(delete_cookie_with_path_and_domain, 10)

static ph_response *max_age_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "m");
    ph_response_set_cookie(r, "a", "b", .max_age = 3600, .has_max_age = true, .httponly = true);
    return r;
}

static int body_max_age(ph_app *app, ph_test_client *c) {
    time_t before = time(NULL);
    ph_test_response *r = ph_client_get(c, "/");
    time_t after = time(NULL);
    const char *sc = ph_test_response_header(r, "Set-Cookie");
    cr_assert_not_null(sc);
    /* Werkzeug derives Expires from Max-Age: "a=b; Expires=...; Max-Age=3600; HttpOnly; Path=/" */
    int ok = 0;
    for (time_t t = before; t <= after && !ok; t++) {
        time_t e = t + 3600;
        struct tm tm;
        gmtime_r(&e, &tm);
        char date[64], want[160];
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        snprintf(want, sizeof(want), "a=b; Expires=%s; Max-Age=3600; HttpOnly; Path=/", date);
        ok = strcmp(sc, want) == 0;
    }
    cr_expect(ok, "got %s", sc);
    ph_test_response_free(r);
    return 0;
}

Test(fw_cookies, max_age_alone_derives_expires_like_werkzeug) {
    ph_app *app = fw_app();
    ph_route(app, "/", max_age_view);
    fw_run(app, body_max_age);
}

static ph_response *bad_cookies_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "bad");
    cr_expect_eq(ph_response_set_cookie(r, "bad name", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie(r, "", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie(r, "a;b", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie(r, "a", "v", .path = "/x\r\nX: 1"), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie(r, "a", "v", .domain = "ex\nample.com"), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie(r, "a", "v", .domain = "localhost"), PH_EINVAL,
                 "Werkzeug refuses a domain without a dot");
    cr_expect_eq(ph_response_set_cookie(r, NULL, "v"), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie(r, "a", NULL), PH_EINVAL);
    return r;
}

static int body_bad(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_expect_eq(r->status, 200);
    fw_expect_header(r, "Set-Cookie", NULL);
    fw_expect_header(r, "X", NULL);
    ph_test_response_free(r);
    return 0;
}

Test(fw_cookies, bad_names_paths_and_domains_are_refused_and_never_sent) {
    ph_app *app = fw_app();
    ph_route(app, "/", bad_cookies_view);
    fw_run(app, body_bad);
}

static ph_response *two_cookies_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "two");
    ph_response_set_cookie(r, "one", "1");
    ph_response_set_cookie(r, "two", "2");
    return r;
}

static int body_two(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    int n = 0;
    for (size_t i = 0; i < r->nheaders; i++)
        n += strcasecmp(r->headers[i].name.ptr, "Set-Cookie") == 0;
    cr_expect_eq(n, 2, "one Set-Cookie header per cookie");
    ph_test_response_free(r);
    cr_expect_str_eq(ph_test_client_cookie(c, "one"), "1");
    cr_expect_str_eq(ph_test_client_cookie(c, "two"), "2");
    return 0;
}

Test(fw_cookies, each_cookie_gets_its_own_set_cookie_header) {
    ph_app *app = fw_app();
    ph_route(app, "/", two_cookies_view);
    fw_run(app, body_two);
}
