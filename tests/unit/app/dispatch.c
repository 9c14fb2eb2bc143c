/* Routing and dispatch through the test client: views, 404/405/308, HEAD, OPTIONS. */
#include "fw.h"

#include <string.h>

static ph_response *hello(ph_request *req) { return ph_text(req, 200, "Hello, World!"); }

static ph_response *show_user(ph_request *req) {
    return ph_text(req, 200, ph_request_printf(req, "user %s", ph_view_arg(req, "name")));
}

static ph_response *show_post(ph_request *req) {
    int64_t id = 0;
    cr_assert_eq(ph_view_arg_int(req, "id", &id), 0);
    return ph_text(req, 200, ph_request_printf(req, "post %lld", (long long)id));
}

static int body_basic(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "Hello, World!");
    cr_assert_str_eq(ph_test_response_header(r, "Content-Type"), "text/plain; charset=utf-8");
    ph_test_response_free(r);
    r = ph_client_get(c, "/user/ada");
    cr_assert_str_eq(r->body, "user ada");
    ph_test_response_free(r);
    r = ph_client_get(c, "/post/42");
    cr_assert_str_eq(r->body, "post 42");
    ph_test_response_free(r);
    r = ph_client_get(c, "/post/abc");
    cr_assert_eq(r->status, 404, "int converter refuses letters");
    cr_assert(strstr(r->body, "<title>404 Not Found</title>"));
    ph_test_response_free(r);
    return 0;
}

static ph_app *basic_app(void) {
    ph_app *app = ph_app_new("test");
    cr_assert_eq(ph_route(app, "/", hello), 0);
    cr_assert_eq(ph_route(app, "/user/<name>", show_user), 0);
    cr_assert_eq(ph_route(app, "/post/<int:id>", show_post, .methods = PH_GET | PH_POST), 0);
    return app;
}

Test(dispatch, views_and_converters) { fw_run(basic_app(), body_basic); }

static int body_405(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_delete(c, "/post/1");
    cr_assert_eq(r->status, 405);
    cr_assert_str_eq(ph_test_response_header(r, "Allow"), "GET, HEAD, OPTIONS, POST");
    ph_test_response_free(r);
    r = ph_client_options(c, "/post/1");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(ph_test_response_header(r, "Allow"), "GET, HEAD, OPTIONS, POST");
    cr_assert_eq(r->len, 0);
    ph_test_response_free(r);
    r = ph_client_head(c, "/");
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->len, 0, "HEAD has no body");
    ph_test_response_free(r);
    return 0;
}

Test(dispatch, method_not_allowed_options_and_head) { fw_run(basic_app(), body_405); }

static int body_slash(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/dir?x=1");
    cr_assert_eq(r->status, 308);
    cr_assert_str_eq(ph_test_response_header(r, "Location"), "http://localhost/dir/?x=1");
    ph_test_response_free(r);
    r = ph_client_get(c, "/dir", .follow_redirects = true);
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->redirects, 1);
    ph_test_response_free(r);
    return 0;
}

Test(dispatch, missing_trailing_slash_redirects_308) {
    ph_app *app = ph_app_new("t");
    ph_route(app, "/dir/", hello);
    fw_run(app, body_slash);
}

static ph_response *broken(ph_request *req) { return NULL; }

static int body_debug(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/broken", .headers = (const char *[]){"X-Probe", "<b>", NULL});
    cr_assert_eq(r->status, 500);
    int debug = ph_config_bool(app, "DEBUG", false);
    if (debug) {
        cr_assert(strstr(r->body, "InternalError"), "%s", r->body);
        cr_assert(strstr(r->body, "the view function did not return a response"));
        cr_assert(strstr(r->body, "&lt;b&gt;"), "values are escaped");
        cr_assert(strstr(r->body, "Backtrace"));
    } else {
        cr_assert_null(strstr(r->body, "Backtrace"), "no details outside debug mode");
        cr_assert(strstr(r->body, "<title>500 Internal Server Error</title>"));
    }
    ph_test_response_free(r);
    return 0;
}

Test(dispatch, debug_page_only_in_debug_mode) {
    ph_app *app = ph_app_new("t");
    ph_route(app, "/broken", broken);
    fw_run(app, body_debug);
    app = ph_app_new("t");
    ph_config_set_bool(app, "DEBUG", true);
    ph_route(app, "/broken", broken);
    fw_run(app, body_debug);
}

static ph_response *echo_json(ph_request *req) {
    json_t *v = ph_request_json(req);
    if (!v)
        return NULL;
    return ph_jsonify(req, json_incref(v));
}

static int body_deep_json(ph_app *app, ph_test_client *c) {
    size_t depth = 100000;
    char *doc = malloc(depth * 2 + 1);
    memset(doc, '[', depth);
    memset(doc + depth, ']', depth);
    doc[depth * 2] = '\0';
    ph_test_response *r = ph_client_post(c, "/json", .body = doc, .body_len = depth * 2,
                                         .content_type = "application/json");
    cr_assert_eq(r->status, 400, "deep nesting is refused, not parsed (stack safety)");
    ph_test_response_free(r);
    r = ph_client_post(c, "/json", .body = "[[[1]]]", .body_len = 7,
                       .content_type = "application/json");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "[[[1]]]\n");
    ph_test_response_free(r);
    free(doc);
    return 0;
}

Test(dispatch, deeply_nested_json_body_is_400) {
    ph_app *app = ph_app_new("t");
    ph_route(app, "/json", echo_json, .methods = PH_POST);
    fw_run(app, body_deep_json);
}
