/*
 * url_for inside a request (through the test client) and in an app context
 * with SERVER_NAME: converters format values, unknown values go to the
 * query string, external URLs, anchors, method selection, defaults, and
 * errors that say why. Expected URLs were printed by Flask 2.2's url_for
 * for the same rules and values.
 */
#include "fw_common.h"

static ph_response *dummy(ph_request *req) { return ph_text(req, 200, "x"); }
static int ws_dummy(ph_websocket *ws) { return 0; }

static ph_app *urls_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/", dummy, .endpoint = "index");
    ph_route(app, "/post/<int:id>", dummy, .endpoint = "show_post");
    ph_route(app, "/y/<int(fixed_digits=4):y>", dummy, .endpoint = "year");
    ph_route(app, "/f/<float:x>", dummy, .endpoint = "flt");
    ph_route(app, "/u/<uuid:u>", dummy, .endpoint = "uid");
    ph_route(app, "/p/<path:p>", dummy, .endpoint = "pth");
    ph_route(app, "/s/<name>", dummy, .endpoint = "str");
    ph_route(app, "/k/<any(a,b):k>", dummy, .endpoint = "anyk");
    json_t *d = json_pack("{s:i}", "n", 1);
    ph_route(app, "/page/", dummy, .endpoint = "page", .defaults = d);
    json_decref(d);
    ph_route(app, "/page/<int:n>", dummy, .endpoint = "page");
    ph_route(app, "/m", dummy, .endpoint = "meth");
    ph_route(app, "/m2", dummy, .endpoint = "meth", .methods = PH_POST);
    ph_websocket(app, "/live/<int:id>", ws_dummy, .endpoint = "live");
    return app;
}

/* The case under test, run by url_view inside a request. */
typedef struct url_case {
    const char *endpoint;
    const char *values; /* JSON object text, or NULL */
    bool external;
    const char *scheme, *anchor, *method;
    const char *want; /* NULL: must fail */
    const char *err;  /* with failure: a substring of the reason */
} url_case;

static const url_case *current;

static ph_response *url_view(ph_request *req) {
    const url_case *k = current;
    json_t *values = k->values ? json_loads(k->values, 0, NULL) : NULL;
    char err[256] = "";
    const char *u = ph_url_for_(req, k->endpoint,
                                &(ph_url_for_opts){.values = values,
                                                   .external = k->external,
                                                   .scheme = k->scheme,
                                                   .anchor = k->anchor,
                                                   .method = k->method},
                                err, sizeof(err));
    if (k->want) {
        cr_expect_str_eq(u ? u : "(null)", k->want, "%s %s: got %s %s", k->endpoint,
                         k->values ? k->values : "", u ? u : "(null)", err);
    } else {
        cr_expect_null(u, "%s should fail, got %s", k->endpoint, u);
        cr_expect(strstr(err, k->err) != NULL, "%s: reason '%s' lacks '%s'", k->endpoint, err,
                  k->err);
    }
    return ph_text(req, 200, "done");
}

static int body_url(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/__url"), 200, "done");
    return 0;
}

static void check_url(url_case k) {
    ph_app *app = urls_app();
    ph_route(app, "/__url", url_view);
    current = &k;
    fw_run(app, body_url);
}

#define URL_TEST(name, ...)                                                                       \
    Test(fw_urlfor, name) { check_url((url_case){__VA_ARGS__}); }

URL_TEST(int_value_formats_into_the_path, "show_post", "{\"id\": 7}", .want = "/post/7")
URL_TEST(int_fixed_digits_is_zero_padded, "year", "{\"y\": 42}", .want = "/y/0042")
URL_TEST(float_value_keeps_python_repr, "flt", "{\"x\": 1.5}", .want = "/f/1.5")
URL_TEST(float_whole_number_keeps_the_dot, "flt", "{\"x\": 2.0}", .want = "/f/2.0")
/* As Werkzeug's UUIDConverter.to_url (str(value)), a string is kept as given. */
URL_TEST(uuid_value_is_formatted_as_given, "uid",
         "{\"u\": \"0f8fad5b-d9cb-469f-a165-70867728950e\"}",
         .want = "/u/0f8fad5b-d9cb-469f-a165-70867728950e")
URL_TEST(uuid_value_not_a_uuid_fails, "uid", "{\"u\": \"nope\"}", .err = "u")
URL_TEST(path_value_keeps_slashes_and_quotes_spaces, "pth", "{\"p\": \"a/b c/d\"}",
         .want = "/p/a/b%20c/d")
URL_TEST(string_value_is_percent_encoded, "str", "{\"name\": \"a b/c?#\"}",
         .want = "/s/a%20b/c%3F%23")
URL_TEST(any_value_in_the_list, "anyk", "{\"k\": \"b\"}", .want = "/k/b")
URL_TEST(any_value_not_in_the_list_fails, "anyk", "{\"k\": \"c\"}", .err = "k")
URL_TEST(unknown_values_go_to_the_query_string_encoded, "index",
         "{\"page\": 2, \"q\": \"a b&c=d/\\u00e9\"}", .want = "/?page=2&q=a+b%26c%3Dd%2F%C3%A9")
URL_TEST(array_values_repeat_in_the_query, "index", "{\"tags\": [1, 2]}",
         .want = "/?tags=1&tags=2")
URL_TEST(booleans_as_python_and_nulls_skipped, "index", "{\"flag\": true, \"none\": null}",
         .want = "/?flag=True")
URL_TEST(float_query_values_as_python, "index", "{\"x\": 0.1}", .want = "/?x=0.1")
URL_TEST(defaults_pick_the_rule_without_the_variable, "page", NULL, .want = "/page/")
URL_TEST(value_other_than_the_default_uses_the_variable_rule, "page", "{\"n\": 2}",
         .want = "/page/2")
URL_TEST(value_equal_to_the_default_uses_the_short_rule, "page", "{\"n\": 1}", .want = "/page/")
URL_TEST(external_url_has_scheme_and_host, "show_post", "{\"id\": 7}", .external = true,
         .want = "http://localhost/post/7")
URL_TEST(external_url_with_another_scheme, "show_post", "{\"id\": 7}", .external = true,
         .scheme = "https", .want = "https://localhost/post/7")
/* Werkzeug's build: http or https only, https for "https" and "wss". */
URL_TEST(external_url_scheme_other_than_https_is_http, "show_post", "{\"id\": 7}",
         .external = true, .scheme = "ftp", .want = "http://localhost/post/7")
URL_TEST(external_url_scheme_wss_is_https_for_an_http_rule, "show_post", "{\"id\": 7}",
         .external = true, .scheme = "wss", .want = "https://localhost/post/7")
/* A websocket rule's URL is always whole, with ws or wss. */
URL_TEST(websocket_rule_is_external_with_ws, "live", "{\"id\": 7}",
         .want = "ws://localhost/live/7")
URL_TEST(websocket_rule_over_https_is_wss, "live", "{\"id\": 7}", .scheme = "https",
         .want = "wss://localhost/live/7")
URL_TEST(anchor_is_appended_percent_encoded, "index", NULL, .anchor = "a b#c",
         .want = "/#a%20b%23c")
URL_TEST(method_picks_the_rule_that_allows_it, "meth", NULL, .method = "POST", .want = "/m2")
URL_TEST(get_rule_is_preferred_without_a_method, "meth", NULL, .want = "/m")
URL_TEST(unknown_endpoint_fails_naming_it, "nope", NULL, .err = "nope")
URL_TEST(missing_value_fails_naming_it, "show_post", NULL, .err = "id")
URL_TEST(value_refused_by_the_converter_fails, "show_post", "{\"id\": \"abc\"}", .err = "id")

static ph_response *in_view_url(ph_request *req) {
    const char *u = ph_url_for(req, "show_post", .values = json_pack("{s:i}", "id", 9),
                               .anchor = "top");
    return ph_text(req, 200, u ? u : "(null)");
}

Test(fw_urlfor, url_for_macro_in_a_view) {
    ph_app *app = urls_app();
    ph_route(app, "/v", in_view_url);
    FW_CHECK(app, {"GET", "/v", 200, "/post/9#top"});
}

static int body_host_header(ph_app *app, ph_test_client *c) {
    const char *h[] = {"Host", "example.org:8080", NULL};
    fw_expect(ph_client_get(c, "/e", .headers = h), 200, "http://example.org:8080/post/1");
    return 0;
}

static ph_response *external_view(ph_request *req) {
    const char *u = ph_url_for(req, "show_post", .values = json_pack("{s:i}", "id", 1),
                               .external = true);
    return ph_text(req, 200, u ? u : "(null)");
}

Test(fw_urlfor, external_url_uses_the_requests_host) {
    ph_app *app = urls_app();
    ph_route(app, "/e", external_view);
    fw_run(app, body_host_header);
}

/* As Werkzeug's URL adapter: the host in lowercase, without the default port. */
static int body_host_spelling(ph_app *app, ph_test_client *c) {
    const char *h[] = {"Host", "Example.ORG:8080", NULL};
    fw_expect(ph_client_get(c, "/e", .headers = h), 200, "http://example.org:8080/post/1");
    const char *h80[] = {"Host", "EXAMPLE.org:80", NULL};
    fw_expect(ph_client_get(c, "/e", .headers = h80), 200, "http://example.org/post/1");
    ph_test_response *r = ph_client_get(c, "/dir", .headers = h80);
    cr_expect_eq(r->status, 308);
    cr_expect_str_eq(ph_test_response_header(r, "Location"), "http://example.org/dir/");
    ph_test_response_free(r);
    return 0;
}

Test(fw_urlfor, external_url_and_redirects_name_the_host_in_lowercase) {
    ph_app *app = urls_app();
    ph_route(app, "/e", external_view);
    ph_route(app, "/dir/", fw_ok_view);
    fw_run(app, body_host_spelling);
}

/* ---- in an app context -------------------------------------------------------------- */

static int body_app_ctx(ph_app *app, ph_test_client *c) {
    ph_app_ctx *ctx = ph_app_context_push(app);
    char err[200];
    const char *u = ph_url_for_(NULL, "show_post",
                                &(ph_url_for_opts){.values = json_pack("{s:i}", "id", 7)}, err,
                                sizeof(err));
    cr_expect_str_eq(u ? u : err, "https://example.com/app/post/7");
    u = ph_url_for(NULL, "index", .values = json_pack("{s:s}", "q", "x"), .scheme = "http");
    cr_expect_str_eq(u ? u : "(null)", "http://example.com/app/?q=x");
    ph_app_context_pop(ctx);
    return 0;
}

Test(fw_urlfor, app_context_uses_server_name_root_and_scheme) {
    ph_app *app = urls_app();
    ph_config_set_str(app, "SERVER_NAME", "example.com");
    ph_config_set_str(app, "APPLICATION_ROOT", "/app");
    ph_config_set_str(app, "PREFERRED_URL_SCHEME", "https");
    fw_run(app, body_app_ctx);
}

static int body_no_server_name(ph_app *app, ph_test_client *c) {
    ph_app_ctx *ctx = ph_app_context_push(app);
    char err[200] = "";
    const char *u = ph_url_for_(NULL, "index", &(ph_url_for_opts){0}, err, sizeof(err));
    cr_expect_null(u);
    cr_expect(strstr(err, "SERVER_NAME") != NULL, "%s", err);
    ph_app_context_pop(ctx);
    return 0;
}

Test(fw_urlfor, app_context_without_server_name_fails_saying_so) {
    fw_run(urls_app(), body_no_server_name);
}

static int body_no_context(ph_app *app, ph_test_client *c) {
    char err[200] = "";
    cr_expect_null(ph_url_for_(NULL, "index",
                               &(ph_url_for_opts){.values = json_pack("{s:i}", "a", 1)}, err,
                               sizeof(err)));
    cr_expect(strstr(err, "app context") != NULL, "%s", err);
    return 0;
}

Test(fw_urlfor, outside_any_context_fails_saying_so) { fw_run(urls_app(), body_no_context); }
