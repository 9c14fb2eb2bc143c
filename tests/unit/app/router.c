/*
 * The URL map (src/app/router.c, src/app/router_build.c): matching with
 * priorities, 404/405/308, HEAD and OPTIONS, typed values and defaults, URL
 * building, and allocation failures. Expected answers were checked against
 * Werkzeug 2.2 / Flask 2.2 (Debian 12) with throwaway scripts.
 */
#include "app/router.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <string.h>

static ph__router *R;
static ph_arena A;

static void setup(void) {
    R = ph__router_new();
    cr_assert_not_null(R);
    ph__arena_init(&A, 1024, 0);
}

static void teardown(void) {
    ph__router_free(R);
    ph__arena_close(&A);
}

TestSuite(router, .init = setup, .fini = teardown);
TestSuite(router_build, .init = setup, .fini = teardown);

static const ph__route *add_full(const char *rule, const char *ep, unsigned methods,
                                 json_t *defaults, int strict) {
    ph__route_spec s = {.rule = rule,
                        .endpoint = ep,
                        .methods = methods,
                        .defaults = defaults,
                        .strict_slashes = strict};
    const ph__route *rt = NULL;
    ph__rule_error e;
    int rc = ph__router_add(R, &s, &rt, &e);
    cr_assert_eq(rc, 0, "add %s: %s", rule, e.msg);
    json_decref(defaults);
    return rt;
}

static const ph__route *add(const char *rule, const char *ep) {
    return add_full(rule, ep, 0, NULL, 0);
}

static ph__route_match match(const char *path, unsigned method) {
    ph__route_match m;
    cr_assert_eq(ph__router_match(R, path, strlen(path), method, &A, &m), 0);
    return m;
}

/* Match with GET and expect the endpoint. */
static ph__route_match expect_ep(const char *path, const char *ep) {
    ph__route_match m = match(path, PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_FOUND, "%s: status %d", path, m.status);
    cr_expect_str_eq(m.route->endpoint, ep, "%s", path);
    return m;
}

static const ph__route_value *value(const ph__route_match *m, const char *name) {
    for (size_t i = 0; i < m->nvalues; i++)
        if (strcmp(m->values[i].name, name) == 0)
            return &m->values[i];
    cr_assert_fail("no value '%s'", name);
    return NULL;
}

/* ---- matching ---- */

Test(router, static_rule_matches) {
    add("/about", "about");
    expect_ep("/about", "about");
    cr_expect_eq(match("/abou", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, root_rule_matches_slash_and_empty_path) {
    add("/", "index");
    expect_ep("/", "index");
    expect_ep("", "index");
}

Test(router, unknown_path_is_not_found) {
    add("/a", "a");
    ph__route_match m = match("/b", PH_GET);
    cr_expect_eq(m.status, PH__ROUTE_NOT_FOUND);
    cr_expect_eq(m.allowed, 0);
}

Test(router, string_value_is_copied_into_the_arena) {
    add("/user/<name>", "user");
    char path[] = "/user/alice";
    ph__route_match m = expect_ep(path, "user");
    memset(path, 'x', sizeof(path) - 1);
    const ph__route_value *v = value(&m, "name");
    cr_expect_eq(v->type, PH__RV_STRING);
    cr_expect_str_eq(v->v.s, "alice");
    cr_expect_eq(v->raw.len, 5);
}

Test(router, int_value_is_typed) {
    add("/post/<int:id>", "post");
    ph__route_match m = expect_ep("/post/42", "post");
    cr_expect_eq(value(&m, "id")->type, PH__RV_INT);
    cr_expect_eq(value(&m, "id")->v.i, 42);
    cr_expect_eq(match("/post/x", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, float_value_is_typed) {
    add("/p/<float:x>", "p");
    ph__route_match m = expect_ep("/p/1.5", "p");
    cr_expect_eq(value(&m, "x")->type, PH__RV_FLOAT);
    cr_expect_float_eq(value(&m, "x")->v.d, 1.5, 1e-12);
}

Test(router, uuid_value_is_lowercased) {
    add("/o/<uuid:u>", "o");
    ph__route_match m = expect_ep("/o/6F9619FF-8B86-D011-B42D-00C04FC964FF", "o");
    cr_expect_eq(value(&m, "u")->type, PH__RV_UUID);
    cr_expect_str_eq(value(&m, "u")->v.s, "6f9619ff-8b86-d011-b42d-00c04fc964ff");
    cr_expect_str_eq(value(&m, "u")->raw.ptr, "6F9619FF-8B86-D011-B42D-00C04FC964FF");
}

Test(router, path_value_keeps_slashes) {
    add("/files/<path:p>", "files");
    ph__route_match m = expect_ep("/files/a//b/c.txt", "files");
    cr_expect_eq(value(&m, "p")->type, PH__RV_PATH);
    cr_expect_str_eq(value(&m, "p")->v.s, "a//b/c.txt");
}

Test(router, path_followed_by_static_segment) {
    add("/wiki/<path:page>/edit", "edit");
    ph__route_match m = expect_ep("/wiki/a/b/edit", "edit");
    cr_expect_str_eq(value(&m, "page")->v.s, "a/b");
}

Test(router, any_converter_matches_its_items) {
    add("/<any(about,help):page>", "page");
    expect_ep("/help", "page");
    cr_expect_eq(match("/imprint", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, string_does_not_match_empty_segment) {
    add("/<x>", "x");
    cr_expect_eq(match("/", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, decoded_path_may_hold_any_byte) {
    add("/q/<s>", "s");
    const char path[] = "/q/a\0b\n\xff";
    ph__route_match m;
    cr_assert_eq(ph__router_match(R, path, sizeof(path) - 1, PH_GET, &A, &m), 0);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect_eq(value(&m, "s")->raw.len, 5);
    cr_expect_eq(memcmp(value(&m, "s")->raw.ptr, "a\0b\n\xff", 5), 0);
}

Test(router, leading_slashes_are_ignored) {
    add("/a/b", "ab");
    expect_ep("///a/b", "ab");
}

Test(router, double_slash_inside_redirects_to_merged_path) {
    add("/a/b", "ab");
    ph__route_match m = match("/a//b", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_REDIRECT);
    cr_expect_str_eq(m.redirect, "/a/b");
}

/* ---- priorities ---- */

Test(router, static_segment_wins_over_converter) {
    add("/user/<name>", "user");
    add("/user/me", "me");
    expect_ep("/user/me", "me");
    expect_ep("/user/you", "user");
}

Test(router, int_before_string_regardless_of_order) {
    add("/x/<s>", "str");
    add("/x/<int:n>", "int");
    expect_ep("/x/12", "int");
    expect_ep("/x/ab", "str");
}

Test(router, path_is_tried_last) {
    add("/<path:p>", "path");
    add("/<s>", "str");
    expect_ep("/one", "str");
    expect_ep("/one/two", "path");
}

Test(router, more_static_text_in_a_segment_first) {
    add("/<a>", "plain");
    add("/page-<int:n>", "page");
    expect_ep("/page-3", "page");
    expect_ep("/other", "plain");
}

Test(router, same_shape_keeps_registration_order) {
    add("/<a>", "first");
    add("/<b>", "second");
    expect_ep("/x", "first");
}

Test(router, static_then_backtrack_to_converter) {
    add("/a/b", "ab");
    add("/<x>/c", "xc");
    expect_ep("/a/c", "xc");
}

Test(router, failed_bound_tries_next_rule) {
    /* Werkzeug 2.2 answers 404 here; we follow its documented
     * ValidationError contract and try the next rule. */
    add("/<int(max=5):n>", "small");
    add("/<s>", "any");
    expect_ep("/3", "small");
    expect_ep("/7", "any");
}

Test(router, rules_differing_in_bounds_keep_registration_order) {
    add("/<int(fixed_digits=3):a>/<int:b>", "deep");
    add("/<int:n>", "plain");
    add("/<int(fixed_digits=3):n>", "fixed");
    expect_ep("/007", "plain");
}

Test(router, fixed_digits_mismatch_falls_to_next_rule) {
    add("/y/<int(fixed_digits=4):y>", "year");
    add("/y/<s>", "other");
    expect_ep("/y/2024", "year");
    expect_ep("/y/24", "other");
}

Test(router, int_beyond_int64_is_not_an_int) {
    add("/n/<int:n>", "n");
    cr_expect_eq(match("/n/99999999999999999999", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, thousand_rules_still_match_each) {
    char rule[64], path[64], ep[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(rule, sizeof(rule), "/r%d/<int:id>", i);
        snprintf(ep, sizeof(ep), "e%d", i);
        add(rule, ep);
    }
    for (int i = 0; i < 1000; i += 97) {
        snprintf(path, sizeof(path), "/r%d/%d", i, i);
        snprintf(ep, sizeof(ep), "e%d", i);
        ph__route_match m = expect_ep(path, ep);
        cr_expect_eq(value(&m, "id")->v.i, i);
    }
}

/* ---- methods ---- */

Test(router, default_method_is_get) {
    const ph__route *rt = add("/a", "a");
    cr_expect_eq(rt->given, PH_GET);
    cr_expect(rt->methods & PH_HEAD);
    cr_expect(rt->methods & PH_OPTIONS);
}

Test(router, wrong_method_is_405_with_allowed_set) {
    add("/a", "a");
    ph__route_match m = match("/a", PH_POST);
    cr_expect_eq(m.status, PH__ROUTE_METHOD_NOT_ALLOWED);
    cr_expect_eq(m.allowed, PH_GET | PH_HEAD | PH_OPTIONS);
}

Test(router, allowed_set_joins_every_matching_rule) {
    add_full("/a", "get", PH_GET, NULL, 0);
    add_full("/a", "post", PH_POST, NULL, 0);
    add_full("/<x>", "put", PH_PUT, NULL, 0);
    ph__route_match m = match("/a", PH_DELETE);
    cr_expect_eq(m.status, PH__ROUTE_METHOD_NOT_ALLOWED);
    cr_expect_eq(m.allowed, PH_GET | PH_HEAD | PH_POST | PH_PUT | PH_OPTIONS);
}

Test(router, head_is_allowed_where_get_is) {
    add("/a", "a");
    cr_expect_eq(match("/a", PH_HEAD).status, PH__ROUTE_FOUND);
}

Test(router, second_rule_for_other_method) {
    add_full("/a", "read", PH_GET, NULL, 0);
    add_full("/a", "write", PH_POST, NULL, 0);
    ph__route_match m = match("/a", PH_POST);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect_str_eq(m.route->endpoint, "write");
}

Test(router, method_mismatch_falls_through_to_converter) {
    add_full("/x", "post", PH_POST, NULL, 0);
    add("/<b>", "b");
    expect_ep("/x", "b");
}

Test(router, options_is_automatic_with_allow) {
    add_full("/a", "a", PH_GET | PH_POST, NULL, 0);
    add_full("/a", "b", PH_PUT, NULL, 0);
    ph__route_match m = match("/a", PH_OPTIONS);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect(m.auto_options);
    cr_expect_eq(m.allowed, PH_GET | PH_HEAD | PH_POST | PH_PUT | PH_OPTIONS);
}

Test(router, explicit_options_goes_to_the_view) {
    add_full("/a", "a", PH_OPTIONS, NULL, 0);
    ph__route_match m = match("/a", PH_OPTIONS);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect_not(m.auto_options);
}

Test(router, no_auto_options_gives_405) {
    ph__route_spec s = {.rule = "/a", .endpoint = "a", .no_auto_options = 1};
    cr_assert_eq(ph__router_add(R, &s, NULL, NULL), 0);
    cr_expect_eq(match("/a", PH_OPTIONS).status, PH__ROUTE_METHOD_NOT_ALLOWED);
}

Test(router, unknown_method_bit_is_405) {
    add("/a", "a");
    ph__route_match m = match("/a", 0);
    cr_expect_eq(m.status, PH__ROUTE_METHOD_NOT_ALLOWED);
}

Test(router, allowed_methods_of_unknown_path_is_empty) {
    add("/a", "a");
    cr_expect_eq(ph__router_allowed(R, "/b", 2), 0);
    cr_expect_eq(ph__router_allowed(R, "/a", 2), PH_GET | PH_HEAD | PH_OPTIONS);
}

/* ---- slashes ---- */

Test(router, missing_trailing_slash_redirects) {
    add("/docs/", "docs");
    ph__route_match m = match("/docs", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_REDIRECT);
    cr_expect_str_eq(m.redirect, "/docs/");
    expect_ep("/docs/", "docs");
}

Test(router, redirect_path_is_percent_encoded) {
    add("/<s>/", "s");
    ph__route_match m = match("/a b?", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_REDIRECT);
    cr_expect_str_eq(m.redirect, "/a%20b%3F/");
}

Test(router, extra_trailing_slash_is_not_found) {
    add("/docs", "docs");
    cr_expect_eq(match("/docs/", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, slash_redirect_needs_the_method) {
    add_full("/a/", "a", PH_POST, NULL, 0);
    cr_expect_eq(match("/a", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, lax_slashes_match_both_ways) {
    add_full("/a/", "a", 0, NULL, -1);
    add_full("/b", "b", 0, NULL, -1);
    expect_ep("/a", "a");
    expect_ep("/b/", "b");
}

Test(router, slash_redirect_wins_over_later_rule) {
    /* As Werkzeug: int is tried first and asks for the slash. */
    add("/<int:a>/", "slashed");
    add("/<b>", "plain");
    ph__route_match m = match("/5", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_REDIRECT);
    cr_expect_str_eq(m.redirect, "/5/");
}

Test(router, merged_slashes_keep_trailing_slash_redirect) {
    add("/a/b/", "ab");
    ph__route_match m = match("/a//b", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_REDIRECT);
    cr_expect_str_eq(m.redirect, "/a/b/");
}

/* ---- defaults ---- */

Test(router, defaults_are_merged_into_values) {
    add_full("/all/", "all", 0, json_pack("{s:i, s:s}", "page", 1, "sort", "new"), 0);
    ph__route_match m = expect_ep("/all/", "all");
    cr_assert_eq(m.nvalues, 2);
    cr_expect_eq(value(&m, "page")->type, PH__RV_INT);
    cr_expect_eq(value(&m, "page")->v.i, 1);
    cr_expect(value(&m, "page")->from_default);
    cr_expect_str_eq(value(&m, "sort")->v.s, "new");
}

Test(router, defaults_rule_redirects_its_canonical_url) {
    add_full("/all/", "all", 0, json_pack("{s:i}", "page", 1), 0);
    add("/all/page/<int:page>", "all");
    ph__route_match m = match("/all/page/1", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_REDIRECT);
    cr_expect_str_eq(m.redirect, "/all/");
    m = expect_ep("/all/page/2", "all");
    cr_expect_eq(value(&m, "page")->v.i, 2);
}

Test(router, defaults_must_be_scalars) {
    ph__route_spec s = {.rule = "/a", .endpoint = "a", .defaults = json_pack("{s:[]}", "x")};
    ph__rule_error e;
    cr_expect_eq(ph__router_add(R, &s, NULL, &e), PH_EINVAL);
    cr_expect(strstr(e.msg, "defaults"));
    json_decref(s.defaults);
}

/* ---- registration ---- */

Test(router, bad_rule_is_reported_with_position) {
    ph__route_spec s = {.rule = "/a/<int:x", .endpoint = "a"};
    ph__rule_error e;
    cr_expect_eq(ph__router_add(R, &s, NULL, &e), PH_EINVAL);
    cr_expect_str_eq(e.msg, "rule '/a/<int:x' : unterminated converter at position 3");
    cr_expect_eq(ph__router_count(R), 0);
}

Test(router, endpoint_is_required) {
    ph__route_spec s = {.rule = "/a"};
    cr_expect_eq(ph__router_add(R, &s, NULL, NULL), PH_EINVAL);
}

Test(router, routes_are_listed_in_registration_order) {
    add("/b", "b");
    add("/a", "a");
    cr_expect_eq(ph__router_count(R), 2);
    cr_expect_str_eq(ph__router_route(R, 0)->endpoint, "b");
    cr_expect_eq(ph__router_route(R, 1)->seq, 1);
    cr_expect_null(ph__router_route(R, 2));
}

Test(router, build_only_rule_never_matches) {
    ph__route_spec s = {.rule = "/static/<path:f>", .endpoint = "static", .build_only = 1};
    cr_assert_eq(ph__router_add(R, &s, NULL, NULL), 0);
    cr_expect_eq(match("/static/x.css", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, data_pointer_comes_back) {
    static int view;
    ph__route_spec s = {.rule = "/v", .endpoint = "v", .data = &view};
    cr_assert_eq(ph__router_add(R, &s, NULL, NULL), 0);
    cr_expect_eq(match("/v", PH_GET).route->data, &view);
}

Test(router, arena_exhaustion_is_enomem) {
    add("/user/<name>", "user");
    ph_arena small;
    ph__arena_init(&small, 64, 64);
    ph__route_match m;
    const char *p = "/user/a-rather-long-name-that-does-not-fit-in-sixty-four-bytes-of-arena";
    cr_expect_eq(ph__router_match(R, p, strlen(p), PH_GET, &small, &m), PH_ENOMEM);
    ph__arena_close(&small);
}

Test(router, add_alloc_failure_sweep) {
    /* Fill the router a little so that growth paths are exercised too. */
    add("/a/<int:x>", "a");
    add("/a/<s>/", "a");
    ph__route_spec s = {.rule = "/a/<int(min=1):x>/<any(p,q):k>/<path:rest>",
                        .endpoint = "new.ep",
                        .methods = PH_GET | PH_POST};
    for (long n = 0;; n++) {
        ph__alloc_fail_after(n);
        int rc = ph__router_add(R, &s, NULL, NULL);
        ph__alloc_fail_after(-1);
        if (rc == 0)
            break;
        cr_assert_eq(rc, PH_ENOMEM, "allocation %ld: %d", n, rc);
        cr_assert_eq(ph__router_count(R), 2);
        cr_assert_null(ph__router_endpoint(R, "new.ep"));
    }
    cr_expect_eq(ph__router_count(R), 3);
    ph__route_match m = match("/a/3/q/x/y", PH_POST);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect_str_eq(m.route->endpoint, "new.ep");
}

Test(router, new_alloc_failure_sweep) {
    for (long n = 0;; n++) {
        ph__alloc_fail_after(n);
        ph__router *r = ph__router_new();
        ph__alloc_fail_after(-1);
        if (r) {
            ph__router_free(r);
            break;
        }
    }
}

/* ---- building ---- */

static char *build(const char *ep, json_t *values, const ph__url_opts *o) {
    ph_buf b;
    ph__buf_init(&b, 0);
    char err[256];
    int rc = ph__router_build(R, ep, values, o, &b, err, sizeof(err));
    json_decref(values);
    cr_assert_eq(rc, 0, "build %s: %s", ep, err);
    char *s = ph__arena_strdup(&A, b.data);
    ph__buf_close(&b);
    return s;
}

static int build_fails(const char *ep, json_t *values, char *err, size_t errlen) {
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__router_build(R, ep, values, NULL, &b, err, errlen);
    json_decref(values);
    cr_expect_eq(b.len, 0);
    ph__buf_close(&b);
    return rc;
}

Test(router_build, static_rule) {
    add("/about", "about");
    cr_expect_str_eq(build("about", NULL, NULL), "/about");
}

Test(router_build, values_go_through_converters) {
    add("/u/<name>/<int(fixed_digits=4):y>/<float:x>", "u");
    cr_expect_str_eq(
        build("u", json_pack("{s:s, s:i, s:f}", "name", "a b", "y", 7, "x", 2.0), NULL),
        "/u/a%20b/0007/2.0");
}

Test(router_build, path_value_keeps_slashes) {
    add("/p/<path:p>", "p");
    cr_expect_str_eq(build("p", json_pack("{s:s}", "p", "a b/c"), NULL), "/p/a%20b/c");
}

Test(router_build, static_text_is_quoted_with_safe_pipe_plus_colon) {
    add("/s p/\xc3\xa4|+:<x>", "s");
    cr_expect_str_eq(build("s", json_pack("{s:s}", "x", "1"), NULL), "/s%20p/%C3%A4|+:1");
}

Test(router_build, unknown_values_go_to_query_in_order) {
    add("/u/<name>", "u");
    json_t *v = json_pack("{s:s, s:s, s:b, s:i, s:f, s:[s,s], s:n}", "name", "x", "q", "a b+c&d=e",
                          "z", 1, "n", 3, "r", 2.5, "l", "1", "2", "none");
    cr_expect_str_eq(build("u", v, NULL), "/u/x?q=a+b%2Bc%26d%3De&z=True&n=3&r=2.5&l=1&l=2");
}

Test(router_build, query_keys_are_encoded) {
    add("/u", "u");
    cr_expect_str_eq(build("u", json_pack("{s:s}", "\xc3\xa9 k", "\xc3\xbc v"), NULL),
                     "/u?%C3%A9+k=%C3%BC+v");
}

Test(router_build, no_query_drops_unknown_values) {
    add("/u", "u");
    ph__url_opts o = {.no_query = 1};
    cr_expect_str_eq(build("u", json_pack("{s:s}", "q", "1"), &o), "/u");
}

Test(router_build, defaults_choose_the_short_url) {
    add_full("/all/", "all", 0, json_pack("{s:i}", "page", 1), 0);
    add("/all/page/<int:page>", "all");
    cr_expect_str_eq(build("all", NULL, NULL), "/all/");
    cr_expect_str_eq(build("all", json_pack("{s:i}", "page", 1), NULL), "/all/");
    cr_expect_str_eq(build("all", json_pack("{s:f}", "page", 1.0), NULL), "/all/");
    cr_expect_str_eq(build("all", json_pack("{s:i}", "page", 2), NULL), "/all/page/2");
}

Test(router_build, rule_with_more_arguments_first) {
    add("/list", "list");
    add("/list/<int:page>", "list");
    cr_expect_str_eq(build("list", json_pack("{s:i}", "page", 3), NULL), "/list/3");
    cr_expect_str_eq(build("list", NULL, NULL), "/list");
}

Test(router_build, method_selects_the_rule) {
    add_full("/read", "item", PH_GET, NULL, 0);
    add_full("/write", "item", PH_POST, NULL, 0);
    cr_expect_str_eq(build("item", NULL, NULL), "/read");
    ph__url_opts o = {.method = PH_POST};
    cr_expect_str_eq(build("item", NULL, &o), "/write");
}

Test(router_build, method_nobody_allows_is_an_error) {
    add("/a", "a");
    ph_buf b;
    ph__buf_init(&b, 0);
    char err[256];
    ph__url_opts o = {.method = PH_DELETE};
    cr_expect_eq(ph__router_build(R, "a", NULL, &o, &b, err, sizeof(err)), PH_EINVAL);
    cr_expect(strstr(err, "no rule allows method DELETE"), "%s", err);
    ph__buf_close(&b);
}

Test(router_build, external_url_with_scheme_and_host) {
    add("/u/<name>", "u");
    ph__url_opts o = {.external = 1, .host = "example.com"};
    cr_expect_str_eq(build("u", json_pack("{s:s}", "name", "x"), &o), "http://example.com/u/x");
    o.scheme = "https";
    o.script_root = "/app/";
    cr_expect_str_eq(build("u", json_pack("{s:s}", "name", "x"), &o),
                     "https://example.com/app/u/x");
}

Test(router_build, external_without_host_is_einval) {
    add("/u", "u");
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__url_opts o = {.external = 1};
    cr_expect_eq(ph__router_build(R, "u", NULL, &o, &b, NULL, 0), PH_EINVAL);
    ph__buf_close(&b);
}

Test(router_build, script_root_prefix) {
    add("/u", "u");
    ph__url_opts o = {.script_root = "/prefix"};
    cr_expect_str_eq(build("u", NULL, &o), "/prefix/u");
}

Test(router_build, anchor_is_quoted) {
    add("/u", "u");
    ph__url_opts o = {.anchor = "a b#c/d?e"};
    cr_expect_str_eq(build("u", NULL, &o), "/u#a%20b%23c/d%3Fe");
}

Test(router_build, endpoint_with_dots) {
    add("/login", "auth.login");
    cr_expect_str_eq(build("auth.login", NULL, NULL), "/login");
}

Test(router_build, unknown_endpoint_is_enotfound) {
    char err[256];
    cr_expect_eq(build_fails("nope", NULL, err, sizeof(err)), PH_ENOTFOUND);
    cr_expect_str_eq(err, "could not build url for endpoint 'nope': unknown endpoint");
}

Test(router_build, missing_value_is_named) {
    add("/u/<name>/<int:id>", "u");
    char err[256];
    cr_expect_eq(build_fails("u", json_pack("{s:i}", "id", 1), err, sizeof(err)), PH_EINVAL);
    cr_expect_str_eq(err, "could not build url for endpoint 'u': missing value 'name'");
}

Test(router_build, invalid_value_is_reported) {
    add("/i/<int:y>", "i");
    char err[256];
    cr_expect_eq(build_fails("i", json_pack("{s:s}", "y", "abc"), err, sizeof(err)), PH_EINVAL);
    cr_expect_str_eq(err, "could not build url for endpoint 'i': value 'abc' for 'y' is not "
                          "valid for converter int");
}

Test(router_build, any_value_not_listed_is_an_error) {
    add("/k/<any(a,b):k>", "k");
    char err[256];
    cr_expect_eq(build_fails("k", json_pack("{s:s}", "k", "c"), err, sizeof(err)), PH_EINVAL);
    cr_expect(strstr(err, "converter any"), "%s", err);
}

Test(router_build, null_values_count_as_missing) {
    add("/u/<name>", "u");
    char err[256];
    cr_expect_eq(build_fails("u", json_pack("{s:n}", "name"), err, sizeof(err)), PH_EINVAL);
}

Test(router_build, appends_to_existing_buffer) {
    add("/u", "u");
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__buf_append_str(&b, "<a href=\"");
    cr_assert_eq(ph__router_build(R, "u", NULL, NULL, &b, NULL, 0), 0);
    cr_expect_str_eq(b.data, "<a href=\"/u");
    ph__buf_close(&b);
}

Test(router_build, buffer_limit_is_etoobig_and_restores) {
    add("/a-rather-long-path/for-a-small-buffer", "u");
    ph_buf b;
    ph__buf_init(&b, 16);
    ph__buf_append_str(&b, "x");
    cr_expect_eq(ph__router_build(R, "u", NULL, NULL, &b, NULL, 0), PH_ETOOBIG);
    cr_expect_eq(b.len, 1);
    ph__buf_close(&b);
}

Test(router_build, round_trip_through_match) {
    add("/t/<int(signed=True):n>/<float:x>/<path:p>", "t");
    char *url = build("t", json_pack("{s:i, s:f, s:s}", "n", -4, "x", 0.5, "p", "d/e"), NULL);
    cr_assert_str_eq(url, "/t/-4/0.5/d/e");
    ph__route_match m = expect_ep(url, "t");
    cr_expect_eq(value(&m, "n")->v.i, -4);
    cr_expect_str_eq(value(&m, "p")->v.s, "d/e");
}

Test(router, empty_router_is_not_found) {
    cr_expect_eq(match("/", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, head_on_post_only_rule_is_405) {
    add_full("/a", "a", PH_POST, NULL, 0);
    ph__route_match m = match("/a", PH_HEAD);
    cr_expect_eq(m.status, PH__ROUTE_METHOD_NOT_ALLOWED);
    cr_expect_eq(m.allowed, PH_POST | PH_OPTIONS);
}

Test(router, default_for_a_path_variable_wins_over_the_path) {
    /* Werkzeug: result.update(rule.defaults), so /x/5 reads page=1. */
    add_full("/x/<int:page>", "x", 0, json_pack("{s:i}", "page", 1), 0);
    ph__route_match m = expect_ep("/x/5", "x");
    cr_assert_eq(m.nvalues, 1);
    cr_expect_eq(value(&m, "page")->v.i, 1);
    cr_expect(value(&m, "page")->from_default);
}

Test(router, boolean_default_is_typed) {
    add_full("/b", "b", 0, json_pack("{s:b}", "flag", 1), 0);
    ph__route_match m = expect_ep("/b", "b");
    cr_expect_eq(value(&m, "flag")->type, PH__RV_BOOL);
    cr_expect_eq(value(&m, "flag")->v.b, 1);
    cr_expect_str_eq(value(&m, "flag")->raw.ptr, "True");
}

Test(router_build, default_for_a_path_variable_is_a_constant) {
    add_full("/x/<int:page>", "x", 0, json_pack("{s:i}", "page", 1), 0);
    cr_expect_str_eq(build("x", NULL, NULL), "/x/1");
    char err[256];
    cr_expect_eq(build_fails("x", json_pack("{s:i}", "page", 2), err, sizeof(err)), PH_EINVAL);
}

Test(router_build, no_question_mark_without_query_values) {
    add("/u/<name>", "u");
    cr_expect_str_eq(build("u", json_pack("{s:s, s:n}", "name", "x", "skip"), NULL), "/u/x");
}

Test(router_build, boolean_in_path_reads_true) {
    add("/u/<name>", "u");
    cr_expect_str_eq(build("u", json_pack("{s:b}", "name", 1), NULL), "/u/True");
}

Test(router_build, object_in_query_is_an_error) {
    add("/u", "u");
    char err[256];
    cr_expect_eq(build_fails("u", json_pack("{s:{}}", "o"), err, sizeof(err)), PH_EINVAL);
    cr_expect(strstr(err, "query argument 'o'"), "%s", err);
}

Test(router, map_wide_loose_slashes) {
    ph__router_opts o = {.loose_slashes = 1};
    ph__router_configure(R, &o);
    add("/a/", "a");
    add_full("/b/", "b", 0, NULL, 1);
    expect_ep("/a", "a");
    cr_expect_eq(match("/b", PH_GET).status, PH__ROUTE_REDIRECT);
}

Test(router, merge_slashes_can_be_off) {
    ph__router_opts o = {.no_merge_slashes = 1};
    ph__router_configure(R, &o);
    add("/a/b", "ab");
    cr_expect_eq(match("/a//b", PH_GET).status, PH__ROUTE_NOT_FOUND);
}

Test(router, redirect_defaults_can_be_off) {
    ph__router_opts o = {.no_redirect_defaults = 1};
    ph__router_configure(R, &o);
    add_full("/all/", "all", 0, json_pack("{s:i}", "page", 1), 0);
    add("/all/page/<int:page>", "all");
    ph__route_match m = expect_ep("/all/page/1", "all");
    cr_expect_eq(value(&m, "page")->v.i, 1);
}

Test(router, rule_is_required) {
    ph__route_spec s = {.endpoint = "a"};
    ph__rule_error e;
    cr_expect_eq(ph__router_add(R, &s, NULL, &e), PH_EINVAL);
    cr_expect(strstr(e.msg, "a rule is required"), "%s", e.msg);
}

/* Websocket routes live under their own method bit: each kind of request
 * finds only its own routes, and a rule may have one of each. */
Test(router, websocket_and_http_routes_of_one_rule_coexist) {
    ph__route_spec ws = {.rule = "/chat/<int:room>", .endpoint = "chat_ws",
                         .methods = PH__ROUTE_WEBSOCKET, .no_auto_options = 1};
    cr_assert_eq(ph__router_add(R, &ws, NULL, NULL), 0);
    add("/chat/<int:room>", "chat_page");
    ph__route_match m = match("/chat/3", PH__ROUTE_WEBSOCKET);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect_str_eq(m.route->endpoint, "chat_ws");
    cr_expect_eq(m.values[0].v.i, 3);
    expect_ep("/chat/3", "chat_page");
}

Test(router, websocket_only_rule_answers_http_with_its_bit_only) {
    ph__route_spec ws = {.rule = "/live", .endpoint = "live", .methods = PH__ROUTE_WEBSOCKET,
                         .no_auto_options = 1};
    cr_assert_eq(ph__router_add(R, &ws, NULL, NULL), 0);
    add("/page", "page");
    ph__route_match m = match("/live", PH_GET);
    cr_expect_eq(m.status, PH__ROUTE_METHOD_NOT_ALLOWED);
    cr_expect_eq(m.allowed, PH__ROUTE_WEBSOCKET, "no HEAD or OPTIONS comes with it");
    m = match("/page", PH__ROUTE_WEBSOCKET);
    cr_expect_eq(m.status, PH__ROUTE_METHOD_NOT_ALLOWED);
    cr_expect_eq(m.allowed & PH__ROUTE_WEBSOCKET, 0);
    m = match("/nowhere", PH__ROUTE_WEBSOCKET);
    cr_expect_eq(m.status, PH__ROUTE_NOT_FOUND);
}
