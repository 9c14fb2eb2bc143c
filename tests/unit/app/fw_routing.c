/*
 * Routing through the test client: each converter and its arguments, rule
 * errors at registration, 404, 405 with Allow, HEAD, automatic OPTIONS,
 * strict and loose slashes, defaults, typed view arguments. The expected
 * answers were checked against Flask 2.2 / Werkzeug 2.2 (Debian 12).
 */
#include "fw_common.h"

#define NOT_FOUND_PAGE                                                                            \
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The "  \
    "requested URL was not found on the server. If you entered the URL manually please check "    \
    "your spelling and try again.</p>\n"
#define NOT_ALLOWED_PAGE                                                                          \
    "<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not "     \
    "Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n"

/* Answers "<name>=<raw>" for each view argument named in the endpoint. */
static ph_response *arg_view(ph_request *req) {
    return ph_text(req, 200, ph_view_arg(req, "v"));
}

static ph_app *one_rule(const char *rule) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_route(app, rule, arg_view), 0, "%s", rule);
    return app;
}

/* ---- converters ------------------------------------------------------------ */

Test(fw_routing, string_converter_takes_one_segment) {
    FW_CHECK(one_rule("/s/<v>"), {"GET", "/s/abc", 200, "abc"}, {"GET", "/s/a.b-c", 200, "a.b-c"},
             {"GET", "/s/a/b", 404, NOT_FOUND_PAGE}, {"GET", "/s/", 404, NULL});
}

Test(fw_routing, string_converter_decodes_percent_escapes) {
    FW_CHECK(one_rule("/s/<v>"), {"GET", "/s/a%20b", 200, "a b"},
             {"GET", "/s/caf%C3%A9", 200, "caf\xc3\xa9"});
}

Test(fw_routing, string_converter_length_arguments) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_route(app, "/len/<string(length=3):v>", arg_view), 0);
    cr_assert_eq(ph_route(app, "/min/<string(minlength=2, maxlength=4):v>", arg_view), 0);
    FW_CHECK(app, {"GET", "/len/abc", 200, "abc"}, {"GET", "/len/ab", 404, NULL},
             {"GET", "/len/abcd", 404, NULL}, {"GET", "/min/a", 404, NULL},
             {"GET", "/min/ab", 200, "ab"}, {"GET", "/min/abcd", 200, "abcd"},
             {"GET", "/min/abcde", 404, NULL},
             /* characters of the decoded path, not bytes (checked against Flask 2.2) */
             {"GET", "/len/%C3%A9%C3%A9%C3%A9", 200, "\xc3\xa9\xc3\xa9\xc3\xa9"},
             {"GET", "/len/a%C3%A9", 404, NULL},
             {"GET", "/min/%C3%A9%C3%A9%C3%A9%C3%A9", 200, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"},
             {"GET", "/min/%C3%A9", 404, NULL});
}

static ph_response *int_view(ph_request *req) {
    int64_t v = 0;
    if (ph_view_arg_int(req, "v", &v) < 0)
        return ph_abort(req, 500);
    return ph_text(req, 200, ph_request_printf(req, "%lld", (long long)v));
}

Test(fw_routing, int_converter_is_unsigned_by_default) {
    ph_app *app = fw_app();
    ph_route(app, "/i/<int:v>", int_view);
    FW_CHECK(app, {"GET", "/i/42", 200, "42"}, {"GET", "/i/0", 200, "0"},
             {"GET", "/i/-1", 404, NULL}, {"GET", "/i/4x", 404, NULL},
             {"GET", "/i/1.5", 404, NULL});
}

Test(fw_routing, int_converter_signed_accepts_minus) {
    ph_app *app = fw_app();
    ph_route(app, "/i/<int(signed=True):v>", int_view);
    FW_CHECK(app, {"GET", "/i/-5", 200, "-5"}, {"GET", "/i/7", 200, "7"});
}

Test(fw_routing, int_converter_fixed_digits) {
    ph_app *app = fw_app();
    ph_route(app, "/y/<int(fixed_digits=4):v>", int_view);
    FW_CHECK(app, {"GET", "/y/2024", 200, "2024"}, {"GET", "/y/0042", 200, "42"},
             {"GET", "/y/42", 404, NULL}, {"GET", "/y/20245", 404, NULL});
}

Test(fw_routing, int_converter_min_and_max) {
    ph_app *app = fw_app();
    ph_route(app, "/m/<int(min=1, max=10):v>", int_view);
    FW_CHECK(app, {"GET", "/m/1", 200, "1"}, {"GET", "/m/10", 200, "10"},
             {"GET", "/m/0", 404, NULL}, {"GET", "/m/11", 404, NULL});
}

static ph_response *float_view(ph_request *req) {
    double v = 0;
    if (ph_view_arg_double(req, "v", &v) < 0)
        return ph_abort(req, 500);
    return ph_text(req, 200, ph_request_printf(req, "%g", v));
}

Test(fw_routing, float_converter_needs_a_dot) {
    ph_app *app = fw_app();
    ph_route(app, "/f/<float:v>", float_view);
    ph_route(app, "/sf/<float(signed=True):v>", float_view);
    FW_CHECK(app, {"GET", "/f/1.5", 200, "1.5"}, {"GET", "/f/1", 404, NULL},
             {"GET", "/f/-1.5", 404, NULL}, {"GET", "/sf/-1.5", 200, "-1.5"});
}

Test(fw_routing, path_converter_takes_slashes) {
    FW_CHECK(one_rule("/p/<path:v>"), {"GET", "/p/a/b/c.txt", 200, "a/b/c.txt"},
             {"GET", "/p/x", 200, "x"}, {"GET", "/p/", 404, NULL});
}

Test(fw_routing, path_converter_in_the_middle) {
    FW_CHECK(one_rule("/p/<path:v>/edit"), {"GET", "/p/a/b/edit", 200, "a/b"},
             {"GET", "/p/a/b", 404, NULL});
}

Test(fw_routing, uuid_converter_canonical_lowercase) {
    FW_CHECK(one_rule("/u/<uuid:v>"),
             {"GET", "/u/0f8fad5b-d9cb-469f-a165-70867728950e", 200,
              "0f8fad5b-d9cb-469f-a165-70867728950e"},
             {"GET", "/u/0F8FAD5B-D9CB-469F-A165-70867728950E", 200,
              "0f8fad5b-d9cb-469f-a165-70867728950e"},
             {"GET", "/u/0f8fad5b-d9cb-469f-a165-70867728950", 404, NULL},
             {"GET", "/u/not-a-uuid", 404, NULL});
}

Test(fw_routing, any_converter_matches_listed_items_only) {
    FW_CHECK(one_rule("/k/<any(about, help):v>"), {"GET", "/k/about", 200, "about"},
             {"GET", "/k/help", 200, "help"}, {"GET", "/k/other", 404, NULL});
}

Test(fw_routing, static_rule_wins_over_variable) {
    ph_app *app = fw_app();
    ph_route(app, "/u/<name>", fw_endpoint_view, .endpoint = "user");
    ph_route(app, "/u/me", fw_endpoint_view, .endpoint = "me");
    FW_CHECK(app, {"GET", "/u/me", 200, "me"}, {"GET", "/u/ada", 200, "user"});
}

Test(fw_routing, int_rule_wins_over_string_rule) {
    ph_app *app = fw_app();
    ph_route(app, "/x/<v>", fw_endpoint_view, .endpoint = "str");
    ph_route(app, "/x/<int:v>", fw_endpoint_view, .endpoint = "int");
    FW_CHECK(app, {"GET", "/x/12", 200, "int"}, {"GET", "/x/ab", 200, "str"});
}

static ph_response *two_args(ph_request *req) {
    int64_t y = 0;
    ph_view_arg_int(req, "y", &y);
    return ph_text(req, 200,
                   ph_request_printf(req, "%s-%lld", ph_view_arg(req, "slug"), (long long)y));
}

Test(fw_routing, several_variables_in_one_rule) {
    ph_app *app = fw_app();
    ph_route(app, "/blog/<int:y>/<slug>", two_args);
    FW_CHECK(app, {"GET", "/blog/2024/hello", 200, "hello-2024"});
}

/* ---- typed view arguments --------------------------------------------------- */

static ph_response *typed_view(ph_request *req) {
    int64_t i = 0;
    double d = 0;
    int a = ph_view_arg_int(req, "name", &i);     /* a string: refused */
    int b = ph_view_arg_int(req, "missing", &i);  /* absent: refused */
    int c = ph_view_arg_double(req, "id", &d);    /* an int reads as a double */
    int e = ph_view_arg_double(req, "name", &d);
    return ph_text(req, 200,
                   ph_request_printf(req, "%d %d %d %g %d %s", a, b, c, d, e,
                                     ph_view_arg(req, "missing") ? "x" : "null"));
}

Test(fw_routing, typed_view_arg_getters_check_the_type) {
    ph_app *app = fw_app();
    ph_route(app, "/t/<name>/<int:id>", typed_view);
    char want[64];
    snprintf(want, sizeof(want), "%d %d 0 7 %d null", PH_EINVAL, PH_EINVAL, PH_EINVAL);
    fw_case k = {"GET", "/t/x/7", 200, want};
    fw_check(app, &k, 1);
}

/* ---- rule errors -------------------------------------------------------------- */

static void expect_bad_rule(const char *rule, const char *logged) {
    ph_app *app = fw_app();
    fw_log l;
    fw_log_begin(&l);
    int rc = ph_route(app, rule, fw_ok_view);
    char *log = fw_log_end(&l);
    cr_expect_eq(rc, PH_EINVAL, "%s: %d", rule, rc);
    cr_expect(strstr(log, rule) != NULL, "the log names the rule: %s", log);
    if (logged)
        cr_expect(strstr(log, logged) != NULL, "the log says '%s': %s", logged, log);
    free(log);
    ph_app_free(app);
}

Test(fw_routing, unterminated_variable_is_refused_with_position) {
    expect_bad_rule("/a/<int:x", "position");
}

Test(fw_routing, unknown_converter_is_refused) { expect_bad_rule("/a/<nope:x>", "nope"); }

Test(fw_routing, rule_without_leading_slash_is_refused) { expect_bad_rule("a/b", NULL); }

Test(fw_routing, duplicate_variable_is_refused) { expect_bad_rule("/<a>/<a>", NULL); }

Test(fw_routing, bad_converter_argument_is_refused) {
    expect_bad_rule("/a/<int(fixed_digits=x):v>", NULL);
}

static ph_response *other_view(ph_request *req) { return ph_text(req, 200, "other"); }

Test(fw_routing, endpoint_mapped_to_another_view_is_refused) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_route(app, "/a", fw_ok_view, .endpoint = "e"), 0);
    fw_log l;
    fw_log_begin(&l);
    int rc = ph_route(app, "/b", other_view, .endpoint = "e");
    char *log = fw_log_end(&l);
    cr_expect_eq(rc, PH_EEXIST);
    cr_expect(strstr(log, "'e'") != NULL, "the log names the endpoint: %s", log);
    free(log);
    cr_expect_eq(ph_route(app, "/c", fw_ok_view, .endpoint = "e"), 0, "the same view is fine");
    ph_app_free(app);
}

Test(fw_routing, duplicate_rule_is_accepted_and_the_first_matches) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_route(app, "/a", fw_endpoint_view, .endpoint = "one"), 0);
    cr_assert_eq(ph_route(app, "/a", fw_endpoint_view, .endpoint = "two"), 0);
    FW_CHECK(app, {"GET", "/a", 200, "one"});
}

Test(fw_routing, null_arguments_are_refused) {
    ph_app *app = fw_app();
    cr_expect_eq(ph_route(app, NULL, fw_ok_view), PH_EINVAL);
    cr_expect_eq(ph_route(app, "/", NULL), PH_EINVAL);
    ph_app_free(app);
}

static int body_then_register(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/"), 200, "ok");
    cr_expect_eq(ph_route(app, "/late", fw_ok_view), PH_EBUSY);
    cr_expect_eq(ph_before_request(app, fw_ok_view), PH_EBUSY);
    return 0;
}

Test(fw_routing, registration_after_first_request_is_refused) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    fw_run(app, body_then_register);
}

/* ---- 404, 405 --------------------------------------------------------------- */

Test(fw_routing, unknown_path_gets_werkzeugs_404_page) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    FW_CHECK(app, {"GET", "/nope", 404, NOT_FOUND_PAGE, "Content-Type", "text/html; charset=utf-8"});
}

Test(fw_routing, empty_app_answers_404) {
    FW_CHECK(fw_app(), {"GET", "/", 404, NOT_FOUND_PAGE});
}

Test(fw_routing, wrong_method_gets_405_with_allow) {
    ph_app *app = fw_app();
    ph_route(app, "/g", fw_ok_view);
    FW_CHECK(app, {"POST", "/g", 405, NOT_ALLOWED_PAGE, "Allow", "GET, HEAD, OPTIONS"},
             {"DELETE", "/g", 405, NULL, "Allow", "GET, HEAD, OPTIONS"});
}

Test(fw_routing, allow_lists_methods_of_every_rule_on_the_path) {
    ph_app *app = fw_app();
    ph_route(app, "/x", fw_endpoint_view, .endpoint = "get");
    ph_route(app, "/x", fw_endpoint_view, .endpoint = "post", .methods = PH_POST);
    ph_route(app, "/x", fw_endpoint_view, .endpoint = "del", .methods = PH_DELETE);
    FW_CHECK(app, {"PUT", "/x", 405, NULL, "Allow", "DELETE, GET, HEAD, OPTIONS, POST"},
             {"POST", "/x", 200, "post"}, {"DELETE", "/x", 200, "del"}, {"GET", "/x", 200, "get"});
}

Test(fw_routing, allow_lists_methods_of_variable_rules_too) {
    ph_app *app = fw_app();
    ph_route(app, "/i/<int:v>", fw_endpoint_view, .endpoint = "a", .methods = PH_PUT);
    ph_route(app, "/i/<v>", fw_endpoint_view, .endpoint = "b", .methods = PH_PATCH);
    FW_CHECK(app, {"GET", "/i/1", 405, NULL, "Allow", "OPTIONS, PATCH, PUT"},
             {"GET", "/i/x", 405, NULL, "Allow", "OPTIONS, PATCH"});
}

Test(fw_routing, unknown_method_gets_405) {
    ph_app *app = fw_app();
    ph_route(app, "/g", fw_ok_view);
    FW_CHECK(app, {"BREW", "/g", 405, NULL, "Allow", "GET, HEAD, OPTIONS"});
}

Test(fw_routing, post_only_rule_answers_405_to_get) {
    ph_app *app = fw_app();
    ph_route(app, "/p", fw_ok_view, .methods = PH_POST);
    FW_CHECK(app, {"GET", "/p", 405, NULL, "Allow", "OPTIONS, POST"},
             {"HEAD", "/p", 405, "", "Allow", "OPTIONS, POST"}, {"POST", "/p", 200, "ok"});
}

/* ---- HEAD, OPTIONS -------------------------------------------------------------- */

static int head_calls;

static ph_response *counting_view(ph_request *req) {
    head_calls++;
    ph_response *r = ph_text(req, 200, "body text");
    ph_response_set_header(r, "X-Method", ph_request_method(req));
    return r;
}

static int body_head(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_head(c, "/h");
    cr_assert_eq(r->status, 200);
    cr_expect_eq(r->len, 0, "no body");
    cr_expect_eq(head_calls, 1, "the GET view ran");
    fw_expect_header(r, "X-Method", "HEAD");
    fw_expect_header(r, "Content-Type", "text/plain; charset=utf-8");
    ph_test_response_free(r);
    return 0;
}

Test(fw_routing, head_is_served_by_the_get_view_without_body) {
    ph_app *app = fw_app();
    ph_route(app, "/h", counting_view);
    head_calls = 0;
    fw_run(app, body_head);
}

Test(fw_routing, head_of_a_missing_path_is_404_without_body) {
    ph_app *app = fw_app();
    ph_route(app, "/h", counting_view);
    FW_CHECK(app, {"HEAD", "/x", 404, ""});
}

static int options_calls;
static ph_response *options_counting(ph_request *req) {
    options_calls++;
    return ph_text(req, 200, "view");
}

static int body_options(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_options(c, "/o");
    cr_assert_eq(r->status, 200);
    fw_expect_header(r, "Allow", "GET, HEAD, OPTIONS, POST");
    cr_expect_eq(r->len, 0);
    cr_expect_eq(options_calls, 0, "the view does not run for automatic OPTIONS");
    ph_test_response_free(r);
    return 0;
}

Test(fw_routing, options_is_answered_automatically_with_allow) {
    ph_app *app = fw_app();
    ph_route(app, "/o", options_counting, .methods = PH_GET | PH_POST);
    options_calls = 0;
    fw_run(app, body_options);
}

Test(fw_routing, options_without_automatic_answer_is_405) {
    ph_app *app = fw_app();
    ph_route(app, "/o", options_counting, .no_auto_options = 1);
    FW_CHECK(app, {"OPTIONS", "/o", 405, NULL, "Allow", "GET, HEAD"});
}

Test(fw_routing, options_in_methods_runs_the_view) {
    ph_app *app = fw_app();
    ph_route(app, "/o", options_counting, .methods = PH_GET | PH_OPTIONS);
    FW_CHECK(app, {"OPTIONS", "/o", 200, "view"});
}

Test(fw_routing, options_allow_merges_rules_on_the_path) {
    ph_app *app = fw_app();
    ph_route(app, "/o", fw_ok_view, .endpoint = "a");
    ph_route(app, "/o", fw_ok_view, .endpoint = "b", .methods = PH_PUT);
    FW_CHECK(app, {"OPTIONS", "/o", 200, "", "Allow", "GET, HEAD, OPTIONS, PUT"});
}

/* ---- slashes ------------------------------------------------------------------ */

Test(fw_routing, strict_slash_redirect_keeps_the_query) {
    ph_app *app = fw_app();
    ph_route(app, "/dir/", fw_ok_view);
    FW_CHECK(app, {"GET", "/dir?a=1&b=%20", 308, NULL, "Location", "http://localhost/dir/?a=1&b=%20"},
             {"GET", "/dir/", 200, "ok"});
}

Test(fw_routing, strict_slash_redirect_applies_to_post_too) {
    ph_app *app = fw_app();
    ph_route(app, "/dir/", fw_ok_view, .methods = PH_POST);
    FW_CHECK(app, {"POST", "/dir", 308, NULL, "Location", "http://localhost/dir/"});
}

Test(fw_routing, strict_slash_redirect_body_is_werkzeugs) {
    ph_app *app = fw_app();
    ph_route(app, "/dir/", fw_ok_view);
    FW_CHECK(app, {"GET", "/dir", 308,
                   "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
                   "<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the "
                   "target URL: <a href=\"http://localhost/dir/\">http://localhost/dir/</a>. If not, "
                   "click the link.\n"});
}

Test(fw_routing, rule_without_slash_does_not_match_with_one) {
    ph_app *app = fw_app();
    ph_route(app, "/file", fw_ok_view);
    FW_CHECK(app, {"GET", "/file/", 404, NULL}, {"GET", "/file", 200, "ok"});
}

Test(fw_routing, loose_slashes_match_both_forms) {
    ph_app *app = fw_app();
    ph_route(app, "/dir/", fw_endpoint_view, .endpoint = "dir", .strict_slashes = -1);
    ph_route(app, "/ns", fw_endpoint_view, .endpoint = "ns", .strict_slashes = -1);
    FW_CHECK(app, {"GET", "/dir", 200, "dir"}, {"GET", "/dir/", 200, "dir"},
             {"GET", "/ns", 200, "ns"}, {"GET", "/ns/", 200, "ns"});
}

Test(fw_routing, doubled_slashes_redirect_to_merged_path) {
    ph_app *app = fw_app();
    ph_route(app, "/a/b", fw_ok_view);
    FW_CHECK(app, {"GET", "/a//b", 308, NULL, "Location", "http://localhost/a/b"});
}

Test(fw_routing, redirect_is_followed_by_the_client) {
    ph_app *app = fw_app();
    ph_route(app, "/dir/", fw_ok_view);
    FW_CHECK(app, {"GET", "/dir", 308, NULL}, {"GET", "/dir/", 200, "ok"});
}

/* ---- defaults -------------------------------------------------------------------- */

static ph_response *page_view(ph_request *req) {
    int64_t n = -1;
    ph_view_arg_int(req, "n", &n);
    return ph_text(req, 200, ph_request_printf(req, "page %lld", (long long)n));
}

static ph_app *pages_app(void) {
    ph_app *app = fw_app();
    json_t *d = json_pack("{s:i}", "n", 1);
    cr_assert_eq(ph_route(app, "/page/", page_view, .endpoint = "page", .defaults = d), 0);
    json_decref(d);
    cr_assert_eq(ph_route(app, "/page/<int:n>", page_view, .endpoint = "page"), 0);
    return app;
}

Test(fw_routing, defaults_give_view_arguments) {
    FW_CHECK(pages_app(), {"GET", "/page/", 200, "page 1"}, {"GET", "/page/2", 200, "page 2"});
}

Test(fw_routing, url_equal_to_defaults_redirects_to_canonical) {
    FW_CHECK(pages_app(), {"GET", "/page/1", 308, NULL, "Location", "http://localhost/page/"});
}

static ph_response *default_kinds(ph_request *req) {
    double d = 0;
    ph_view_arg_double(req, "ratio", &d);
    return ph_text(req, 200,
                   ph_request_printf(req, "%s %g %s", ph_view_arg(req, "lang"), d,
                                     ph_view_arg(req, "flag")));
}

Test(fw_routing, defaults_of_every_scalar_type) {
    ph_app *app = fw_app();
    json_t *d = json_pack("{s:s, s:f, s:b}", "lang", "en", "ratio", 0.5, "flag", 1);
    ph_route(app, "/d", default_kinds, .defaults = d);
    json_decref(d);
    FW_CHECK(app, {"GET", "/d", 200, "en 0.5 True"});
}

/* ---- endpoints ----------------------------------------------------------------- */

Test(fw_routing, endpoint_defaults_to_the_view_name) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_route(app, "/e/<v>", fw_endpoint_view), 0);
    FW_CHECK(app, {"GET", "/e/x", 200, "fw_endpoint_view"});
}

Test(fw_routing, endpoint_of_a_view_given_by_expression_is_the_rule) {
    ph_view_fn table[] = {fw_endpoint_view};
    ph_app *app = fw_app();
    cr_assert_eq(ph_route(app, "/t", table[0]), 0);
    cr_assert_eq(ph_route(app, "/p", &fw_endpoint_view), 0);
    cr_assert_eq(ph_route_(app, "/d", fw_endpoint_view, NULL), 0);
    cr_assert_eq(ph_route(app, "/n", fw_endpoint_view, .endpoint = "named"), 0);
    FW_CHECK(app, {"GET", "/t", 200, "/t"}, {"GET", "/p", 200, "/p"}, {"GET", "/d", 200, "/d"},
             {"GET", "/n", 200, "named"});
}

static ph_response *page_of(ph_request *req) {
    int64_t n = 0;
    cr_assert_eq(ph_view_arg_int(req, "n", &n), 0);
    const char *self = ph_url_for(req, "page_of", .values = json_pack("{s:I}", "n", (json_int_t)n));
    const char *two = ph_url_for(req, "page_of", .values = json_pack("{s:i}", "n", 2));
    return ph_text(req, 200,
                   ph_request_printf(req, "%s %s %s", ph_request_endpoint(req), self, two));
}

/* Flask's two decorators on one function: the rules share its endpoint, and
 * url_for picks the rule the values fit (the defaults' rule for n=1). */
Test(fw_routing, one_view_on_two_rules_shares_its_endpoint) {
    ph_app *app = fw_app();
    json_t *d = json_pack("{s:i}", "n", 1);
    cr_assert_eq(ph_route(app, "/", page_of, .defaults = d), 0);
    json_decref(d);
    cr_assert_eq(ph_route(app, "/page/<int:n>", page_of), 0);
    FW_CHECK(app, {"GET", "/", 200, "page_of / /page/2"},
             {"GET", "/page/3", 200, "page_of /page/3 /page/2"});
}

/* Two views of one name (static functions in two files) are one endpoint
 * for two views: refused, as Flask refuses it. */
Test(fw_routing, two_views_under_one_default_endpoint_are_refused) {
    ph_app *app = fw_app();
    ph_view_fn other = fw_ok_view;
    cr_assert_eq(ph_route(app, "/a", fw_endpoint_view), 0);
    cr_assert_eq(ph_route_(app, "/b", other,
                           &(ph_route_opts){.view_ = "fw_endpoint_view"}),
                 PH_EEXIST);
    FW_CHECK(app, {"GET", "/a", 200, "fw_endpoint_view"}, {"GET", "/b", 404, NULL});
}

/* ---- edge cases, checked against Flask 2.2's test client --------------------------- */

Test(fw_routing, int_converter_accepts_leading_zeros) {
    ph_app *app = fw_app();
    ph_route(app, "/i/<int:v>", int_view);
    FW_CHECK(app, {"GET", "/i/007", 200, "7"});
}

Test(fw_routing, int_too_big_for_64_bits_is_not_found) {
    /* Python's int has no limit (Flask answers 200); phial's int64 does: a
     * value it cannot hold matches nothing rather than wrapping. */
    ph_app *app = fw_app();
    ph_route(app, "/i/<int:v>", int_view);
    FW_CHECK(app, {"GET", "/i/99999999999999999999", 404, NULL});
}

Test(fw_routing, encoded_slash_is_a_slash_for_routing) {
    FW_CHECK(one_rule("/s/<v>"), {"GET", "/s/a%2Fb", 404, NOT_FOUND_PAGE},
             {"GET", "/s/a+b", 200, "a+b"});
}

Test(fw_routing, any_converter_is_case_sensitive) {
    FW_CHECK(one_rule("/k/<any(about, help):v>"), {"GET", "/k/About", 404, NULL});
}

Test(fw_routing, float_converter_value_is_numeric) {
    ph_app *app = fw_app();
    ph_route(app, "/f/<float:v>", float_view);
    FW_CHECK(app, {"GET", "/f/1.50", 200, "1.5"});
}
