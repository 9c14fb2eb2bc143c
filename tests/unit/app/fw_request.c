/*
 * The request object through the test client: URL parts (checked against
 * Flask 2.2's test client for the same URLs), headers, query arguments as a
 * multi-dict, cookies and the endpoint.
 */
#include "fw_common.h"

/* Answers the request attribute named by the rule's endpoint. */
static ph_response *attr_view(ph_request *req) {
    const char *a = ph_request_endpoint(req);
    const char *v = strcmp(a, "method") == 0        ? ph_request_method(req)
                    : strcmp(a, "scheme") == 0      ? ph_request_scheme(req)
                    : strcmp(a, "host") == 0        ? ph_request_host(req)
                    : strcmp(a, "path") == 0        ? ph_request_path(req)
                    : strcmp(a, "full_path") == 0   ? ph_request_full_path(req)
                    : strcmp(a, "query") == 0       ? ph_request_query_string(req)
                    : strcmp(a, "script_root") == 0 ? ph_request_script_root(req)
                    : strcmp(a, "base_url") == 0    ? ph_request_base_url(req)
                    : strcmp(a, "url") == 0         ? ph_request_url(req)
                    : strcmp(a, "url_root") == 0    ? ph_request_url_root(req)
                    : strcmp(a, "host_url") == 0    ? ph_request_host_url(req)
                    : strcmp(a, "url_rule") == 0    ? ph_request_url_rule(req)
                    : strcmp(a, "remote_addr") == 0 ? ph_request_remote_addr(req)
                                                    : "?";
    return ph_text(req, 200, v);
}

static ph_app *attr_app(void) {
    static const char *const names[] = {"method",      "scheme",   "host", "path",
                                        "full_path",   "query",    "script_root",
                                        "base_url",    "url",      "url_root",
                                        "remote_addr", "host_url", "url_rule"};
    ph_app *app = fw_app();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char rule[64];
        snprintf(rule, sizeof(rule), "/%s/<path:rest>", names[i]);
        cr_assert_eq(ph_route(app, rule, attr_view, .endpoint = names[i],
                              .methods = PH_GET | PH_POST | PH_PUT | PH_PATCH | PH_DELETE),
                     0);
    }
    return app;
}

Test(fw_request, method_is_the_request_method) {
    FW_CHECK(attr_app(), {"GET", "/method/x", 200, "GET"}, {"POST", "/method/x", 200, "POST"},
             {"PUT", "/method/x", 200, "PUT"}, {"PATCH", "/method/x", 200, "PATCH"},
             {"DELETE", "/method/x", 200, "DELETE"});
}

Test(fw_request, path_is_percent_decoded) {
    FW_CHECK(attr_app(), {"GET", "/path/a%20b?x=1", 200, "/path/a b"});
}

Test(fw_request, full_path_has_the_query_and_always_a_question_mark) {
    FW_CHECK(attr_app(), {"GET", "/full_path/a%20b?x=1&y=%20", 200, "/full_path/a b?x=1&y=%20"},
             {"GET", "/full_path/q", 200, "/full_path/q?"});
}

Test(fw_request, query_string_is_undecoded) {
    FW_CHECK(attr_app(), {"GET", "/query/q?a=1&b=%20+c", 200, "a=1&b=%20+c"},
             {"GET", "/query/q", 200, ""});
}

Test(fw_request, url_is_absolute_with_the_raw_path_and_query) {
    FW_CHECK(attr_app(), {"GET", "/url/a%20b?x=1&y=%20", 200, "http://localhost/url/a%20b?x=1&y=%20"},
             {"GET", "/url/q", 200, "http://localhost/url/q"});
}

Test(fw_request, base_url_has_no_query) {
    FW_CHECK(attr_app(), {"GET", "/base_url/a%20b?x=1", 200, "http://localhost/base_url/a%20b"});
}

Test(fw_request, host_scheme_and_url_root) {
    FW_CHECK(attr_app(), {"GET", "/host/x", 200, "localhost"}, {"GET", "/scheme/x", 200, "http"},
             {"GET", "/url_root/x", 200, "http://localhost/"},
             {"GET", "/host_url/x/y", 200, "http://localhost/"},
             {"GET", "/script_root/x", 200, ""});
}

Test(fw_request, url_rule_is_the_matched_rule_as_registered) {
    FW_CHECK(attr_app(), {"GET", "/url_rule/a/b", 200, "/url_rule/<path:rest>"});
}

static int body_host_header(ph_app *app, ph_test_client *c) {
    const char *h[] = {"Host", "example.com:8000", NULL};
    ph_test_response *r = ph_client_get(c, "/host/x", .headers = h);
    cr_expect_str_eq(r->body, "example.com:8000", "a Host given replaces the client's");
    ph_test_response_free(r);
    return 0;
}

Test(fw_request, host_header_given_to_the_client_replaces_localhost) { fw_run(attr_app(), body_host_header); }

/* Werkzeug's get_host leaves out the scheme's default port, and only
 * that; the host keeps the client's spelling. */
static int body_default_port(ph_app *app, ph_test_client *c) {
    const char *h80[] = {"Host", "Example.COM:80", NULL};
    fw_expect(ph_client_get(c, "/host/x", .headers = h80), 200, "Example.COM");
    fw_expect(ph_client_get(c, "/url/x?q=1", .headers = h80), 200, "http://Example.COM/url/x?q=1");
    const char *h443[] = {"Host", "example.com:443", NULL};
    fw_expect(ph_client_get(c, "/host/x", .headers = h443), 200, "example.com:443");
    const char *h8080[] = {"Host", "example.com:8080", NULL};
    fw_expect(ph_client_get(c, "/host/x", .headers = h8080), 200, "example.com:8080");
    const char *h180[] = {"Host", "example.com:180", NULL};
    fw_expect(ph_client_get(c, "/host/x", .headers = h180), 200, "example.com:180");
    return 0;
}

Test(fw_request, host_leaves_out_the_default_port_of_http) {
    fw_run(attr_app(), body_default_port);
}

static int https_task(void *arg) {
    ph_proto_app proxied = ph_proxy_headers_app(ph_app_proto(arg), "*");
    ph_test_client *c = ph_test_client_new_proto(proxied);
    const char *h443[] = {"Host", "example.com:443", "X-Forwarded-Proto", "https", NULL};
    fw_expect(ph_client_get(c, "/host/x", .headers = h443), 200, "example.com");
    fw_expect(ph_client_get(c, "/url_root/x", .headers = h443), 200, "https://example.com/");
    const char *h80[] = {"Host", "example.com:80", "X-Forwarded-Proto", "https", NULL};
    fw_expect(ph_client_get(c, "/host/x", .headers = h80), 200, "example.com:80");
    ph_test_client_free(c);
    ph_proxy_headers_free(proxied);
    return 0;
}

Test(fw_request, host_leaves_out_the_default_port_of_https) {
    ph_app *app = attr_app();
    cr_expect_eq(ph_run(https_task, app), 0);
    ph_app_free(app);
}

Test(fw_request, remote_addr_is_the_client_address) {
    FW_CHECK(attr_app(), {"GET", "/remote_addr/x", 200, "127.0.0.1"});
}

Test(fw_request, endpoint_is_null_when_nothing_matched) {
    /* Checked in a hook: the view only runs when something matched. */
    FW_CHECK(attr_app(), {"GET", "/nothing", 404, NULL});
}

static ph_response *before_endpoint(ph_request *req) {
    ph_request_endpoint(req); /* before matching: NULL, must not crash */
    return NULL;
}

static ph_response *after_endpoint(ph_request *req, ph_response *r) {
    const char *e = ph_request_endpoint(req);
    ph_response_set_header(r, "X-Endpoint", e ? e : "(none)");
    return r;
}

Test(fw_request, endpoint_seen_by_hooks) {
    ph_app *app = attr_app();
    ph_before_request(app, before_endpoint);
    ph_after_request(app, after_endpoint);
    FW_CHECK(app, {"GET", "/host/x", 200, NULL, "X-Endpoint", "host"},
             {"GET", "/nothing", 404, NULL, "X-Endpoint", "(none)"});
}

/* ---- headers ---------------------------------------------------------------------- */

static ph_response *header_view(ph_request *req) {
    const char *vals[4];
    size_t n = ph_request_header_all(req, "x-multi", vals, 4);
    const char *ua = ph_request_header(req, "USER-AGENT");
    const char *missing = ph_request_header(req, "X-Missing");
    return ph_text(req, 200,
                   ph_request_printf(req, "%s|%zu|%s|%s|%s", ua ? ua : "-", n,
                                     n > 0 ? vals[0] : "-", n > 1 ? vals[1] : "-",
                                     missing ? "present" : "absent"));
}

static int body_headers(ph_app *app, ph_test_client *c) {
    const char *h[] = {"User-Agent", "tester/1", "X-Multi", "one", "x-multi", "two", NULL};
    fw_expect(ph_client_get(c, "/", .headers = h), 200, "tester/1|2|one|two|absent");
    return 0;
}

Test(fw_request, headers_are_case_insensitive_and_multi_valued) {
    ph_app *app = fw_app();
    ph_route(app, "/", header_view);
    fw_run(app, body_headers);
}

static ph_response *header_count_view(ph_request *req) {
    const char *vals[1];
    size_t n = ph_request_header_all(req, "x-multi", vals, 1);
    return ph_text(req, 200, ph_request_printf(req, "%zu %s", n, vals[0]));
}

static int body_headers_max(ph_app *app, ph_test_client *c) {
    const char *h[] = {"X-Multi", "a", "X-Multi", "b", "X-Multi", "c", NULL};
    fw_expect(ph_client_get(c, "/", .headers = h), 200, "3 a");
    return 0;
}

Test(fw_request, header_all_counts_past_max) {
    ph_app *app = fw_app();
    ph_route(app, "/", header_count_view);
    fw_run(app, body_headers_max);
}

/* ---- args ------------------------------------------------------------------------- */

static ph_response *args_view(ph_request *req) {
    const char *tags[4];
    size_t n = ph_request_arg_all(req, "tag", tags, 4);
    const char *q = ph_request_arg(req, "q");
    char out[256] = "";
    size_t len = 0;
    const char *name, *value;
    for (size_t i = 0; ph_request_arg_at(req, i, &name, &value); i++)
        len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s=%s", i ? "," : "", name, value);
    return ph_text(req, 200,
                   ph_request_printf(req, "q=%s n=%zu first=%s all=[%s] missing=%s", q ? q : "-",
                                     n, n ? tags[0] : "-", out,
                                     ph_request_arg(req, "nope") ? "x" : "null"));
}

Test(fw_request, args_are_a_decoded_multidict_in_order) {
    ph_app *app = fw_app();
    ph_route(app, "/", args_view);
    FW_CHECK(app, {"GET", "/?q=hello+world&tag=a&tag=b%26c&e=", 200,
                   "q=hello world n=2 first=a all=[q=hello world,tag=a,tag=b&c,e=] missing=null"},
             {"GET", "/", 200, "q=- n=0 first=- all=[] missing=null"});
}

static int body_query_opt(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/?q=1", .query = "tag=x&tag=y"), 200,
              "q=1 n=2 first=x all=[q=1,tag=x,tag=y] missing=null");
    return 0;
}

Test(fw_request, client_query_option_is_appended) {
    ph_app *app = fw_app();
    ph_route(app, "/", args_view);
    fw_run(app, body_query_opt);
}

/* ---- cookies ----------------------------------------------------------------------- */

static ph_response *cookie_view(ph_request *req) {
    const char *a = ph_request_cookie(req, "a");
    const char *b = ph_request_cookie(req, "b");
    const char *q = ph_request_cookie(req, "q");
    return ph_text(req, 200,
                   ph_request_printf(req, "%s %s %s %s", a ? a : "-", b ? b : "-", q ? q : "-",
                                     ph_request_cookie(req, "nope") ? "x" : "null"));
}

static int body_cookies(ph_app *app, ph_test_client *c) {
    const char *h[] = {"Cookie", "a=1; b=two", "Cookie", "q=\"x\\073y\"", NULL};
    fw_expect(ph_client_get(c, "/", .headers = h), 200, "1 two x;y null");
    fw_expect(ph_client_get(c, "/"), 200, "- - - null");
    return 0;
}

Test(fw_request, cookies_are_parsed_from_every_cookie_header) {
    ph_app *app = fw_app();
    ph_route(app, "/", cookie_view);
    fw_run(app, body_cookies);
}

/* ---- request memory ------------------------------------------------------------------ */

static ph_response *memory_view(ph_request *req) {
    char *p = ph_request_alloc(req, 64);
    memset(p, 'x', 63);
    p[63] = '\0';
    char *d = ph_request_strdup(req, "dup");
    char *f = ph_request_printf(req, "%s-%d-%zu", d, 7, strlen(p));
    return ph_text(req, 200, ph_request_strdup(req, NULL) ? "bad" : f);
}

Test(fw_request, request_memory_helpers) {
    ph_app *app = fw_app();
    ph_route(app, "/", memory_view);
    FW_CHECK(app, {"GET", "/", 200, "dup-7-63"});
}

static ph_response *app_view(ph_request *req) {
    return ph_text(req, 200, ph_app_name(ph_request_app(req)));
}

Test(fw_request, request_knows_its_app) {
    ph_app *app = ph_app_new("named");
    ph_route(app, "/", app_view);
    FW_CHECK(app, {"GET", "/", 200, "named"});
}

static ph_response *path_view(ph_request *req) { return ph_text(req, 200, ph_request_path(req)); }

Test(fw_request, invalid_percent_escapes_stay_literal) {
    ph_app *app = fw_app();
    ph_route(app, "/<path:p>", path_view);
    FW_CHECK(app, {"GET", "/a%zzb", 200, "/a%zzb"}, {"GET", "/x%", 200, "/x%"},
             {"GET", "/%41%42", 200, "/AB"});
}

/* Werkzeug decodes the path, args and cookies as UTF-8 with errors="replace":
 * a view holds valid UTF-8, each ill-formed piece a U+FFFD (the answers are
 * Flask 2.2's for the same requests). */
#define FFFD "\xef\xbf\xbd"

static ph_response *view_arg_view(ph_request *req) {
    return ph_text(req, 200, ph_request_printf(req, "%s|%s", ph_view_arg(req, "v"),
                                               ph_request_path(req)));
}

static ph_response *text_args_view(ph_request *req) {
    const char *k = NULL, *v = NULL;
    ph_request_arg_at(req, 0, &k, &v);
    const char *c = ph_request_cookie(req, "c\xef\xbf\xbd");
    return ph_text(req, 200, ph_request_printf(req, "%s=%s cookie=%s", k ? k : "-", v ? v : "-",
                                               c ? c : "-"));
}

static int body_text(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/v/%FF%C3%A9"), 200, FFFD "\xc3\xa9|/v/" FFFD "\xc3\xa9");
    fw_expect(ph_client_get(c, "/v/%ED%A0%80"), 200, FFFD FFFD FFFD "|/v/" FFFD FFFD FFFD);
    fw_expect(ph_client_get(c, "/v/a%C3"), 200, "a" FFFD "|/v/a" FFFD);
    const char *h[] = {"Cookie", "c\xff=\xc0\xafok", NULL};
    fw_expect(ph_client_get(c, "/args?%FE=%E2%82x", .headers = h), 200,
              FFFD "=" FFFD "x cookie=" FFFD FFFD "ok");
    return 0;
}

Test(fw_request, invalid_utf8_in_path_args_and_cookies_becomes_u_fffd) {
    ph_app *app = fw_app();
    ph_route(app, "/v/<v>", view_arg_view);
    ph_route(app, "/args", text_args_view);
    fw_run(app, body_text);
}

/* A view's path and arguments are C strings: a NUL byte in the path would
 * cut them short of what the router matched, so nothing matches it. */
Test(fw_request, a_path_holding_a_nul_byte_is_not_found) {
    ph_app *app = fw_app();
    ph_route(app, "/v/<v>", view_arg_view);
    FW_CHECK(app, {"GET", "/v/a%00b", 404, NULL}, {"GET", "/v/%00", 404, NULL},
             {"GET", "/v/ab", 200, "ab|/v/ab"});
}

/* ---- an app mounted under a prefix (scope.root_path) ------------------------------- */

static int mounted_app(void *self, const ph_scope *scope, ph_channel *ch) {
    ph_scope s = *scope;
    s.root_path = (ph_slice)PH_SLICE_LIT("/app");
    ph_proto_app inner = ph_app_proto(self);
    return inner.call(inner.self, &s, ch);
}

static ph_response *mount_view(ph_request *req) {
    const char *u = ph_url_for(req, "mount", .values = json_pack("{s:s}", "x", "v"));
    return ph_text(req, 200,
                   ph_request_printf(req, "%s|%s|%s|%s|%s|%s|%s|%s", ph_request_script_root(req),
                                     ph_request_path(req), ph_request_url_root(req),
                                     ph_request_base_url(req), ph_request_url(req),
                                     u ? u : "(null)", ph_request_host_url(req),
                                     ph_request_url_rule(req)));
}

static int body_mounted(ph_app *app, ph_test_client *unused) {
    ph_test_client *c = ph_test_client_new_proto((ph_proto_app){mounted_app, app});
    fw_expect(ph_client_get(c, "/m/v?q=1"), 200,
              "/app|/m/v|http://localhost/app/|http://localhost/app/m/v|"
              "http://localhost/app/m/v?q=1|/app/m/v|http://localhost/|/m/<x>");
    ph_test_response *r = ph_client_get(c, "/dir");
    cr_expect_eq(r->status, 308);
    fw_expect_header(r, "Location", "http://localhost/app/dir/");
    ph_test_response_free(r);
    ph_test_client_free(c);
    return 0;
}

Test(fw_request, mounted_app_sees_its_script_root_in_urls_and_redirects) {
    ph_app *app = fw_app();
    ph_route(app, "/m/<x>", mount_view, .endpoint = "mount");
    ph_route(app, "/dir/", fw_ok_view);
    fw_run(app, body_mounted);
}
