/*
 * Method views through the test client: Flask's UserAPI example (one table,
 * two rules narrowed to some methods, one endpoint), HEAD falling back to
 * GET, a view's own HEAD, 405 with Allow for methods without a function,
 * automatic OPTIONS, url_for, blueprints, and what registration refuses.
 * The statuses and bodies are Flask 2.2's for the same app.
 */
#include "fw_common.h"

static ph_response *answer(ph_request *req, const char *what) {
    const char *id = ph_view_arg(req, "id");
    return ph_text(req, 200, ph_request_printf(req, "%s %s", what, id ? id : "None"));
}
static ph_response *user_get(ph_request *req) { return answer(req, "get"); }
static ph_response *user_post(ph_request *req) { return answer(req, "post"); }
static ph_response *user_put(ph_request *req) { return answer(req, "put"); }
static ph_response *user_delete(ph_request *req) { return answer(req, "delete"); }
static ph_response *item_get(ph_request *req) { return ph_text(req, 200, "item get"); }
static ph_response *item_head(ph_request *req) {
    ph_response *r = ph_text(req, 200, "");
    ph_response_set_header(r, "X-Head", "1");
    return r;
}
static ph_response *links(ph_request *req) {
    const char *a = ph_url_for(req, "user_api");
    const char *b = ph_url_for(req, "user_api", .values = json_pack("{s:i}", "id", 5));
    const char *c = ph_url_for(req, "api.item");
    return ph_text(req, 200, ph_request_printf(req, "%s %s %s", a, b, c ? c : "(null)"));
}

static const ph_method_views user_api = {
    .get = user_get, .post = user_post, .put = user_put, .delete_ = user_delete};
static const ph_method_views item = {.get = item_get, .head = item_head};

static ph_app *users_app(void) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_method_view(app, "/users/", &user_api, .endpoint = "user_api",
                                .methods = PH_GET | PH_POST),
                 0);
    cr_assert_eq(ph_method_view(app, "/users/<int:id>", &user_api, .endpoint = "user_api",
                                .methods = PH_GET | PH_PUT | PH_DELETE),
                 0);
    cr_assert_eq(ph_method_view(app, "/item", &item, .endpoint = "item"), 0);
    ph_route(app, "/links", links);
    return app;
}

Test(fw_method_view, each_method_has_its_function) {
    FW_CHECK(users_app(), {"GET", "/users/", 200, "get None"},
             {"POST", "/users/", 200, "post None"}, {"GET", "/users/3", 200, "get 3"},
             {"PUT", "/users/3", 200, "put 3"}, {"DELETE", "/users/3", 200, "delete 3"},
             {"GET", "/item", 200, "item get"});
}

Test(fw_method_view, methods_a_rule_does_not_answer_are_405_with_allow) {
    FW_CHECK(users_app(), {"PUT", "/users/", 405, NULL, "Allow", "GET, HEAD, OPTIONS, POST"},
             {"POST", "/users/3", 405, NULL, "Allow", "DELETE, GET, HEAD, OPTIONS, PUT"},
             {"POST", "/item", 405, NULL, "Allow", "GET, HEAD, OPTIONS"});
}

Test(fw_method_view, head_falls_back_to_get_unless_the_view_has_one) {
    FW_CHECK(users_app(), {"HEAD", "/users/3", 200, "", "X-Head", NULL},
             {"HEAD", "/item", 200, "", "X-Head", "1"},
             {"OPTIONS", "/users/3", 200, "", "Allow", "DELETE, GET, HEAD, OPTIONS, PUT"});
}

/* ---- blueprints and url_for -------------------------------------------------------- */

Test(fw_method_view, blueprint_method_views_and_url_for) {
    ph_app *app = users_app();
    ph_blueprint *bp = ph_blueprint_new("api", .url_prefix = "/api");
    cr_assert_eq(ph_bp_method_view(bp, "/item", &item, .endpoint = "item"), 0);
    cr_assert_eq(ph_bp_method_view(bp, "/nameless", &item), PH_EINVAL);
    cr_assert_eq(ph_register_blueprint(app, bp), 0);
    ph_blueprint_free(bp);
    FW_CHECK(app, {"GET", "/api/item", 200, "item get"},
             {"HEAD", "/api/item", 200, "", "X-Head", "1"},
             {"GET", "/links", 200, "/users/ /users/5 /api/item"});
}

/* ---- registration -------------------------------------------------------------------- */

Test(fw_method_view, registration_refuses_what_could_not_be_served) {
    ph_app *app = fw_app();
    static const ph_method_views only_get = {.get = user_get};
    static const ph_method_views empty = {0};
    fw_log l;
    fw_log_begin(&l);
    cr_expect_eq(ph_method_view(app, "/a", &only_get), PH_EINVAL, "no endpoint");
    cr_expect_eq(ph_method_view(app, "/a", &empty, .endpoint = "a"), PH_EINVAL, "no method");
    cr_expect_eq(ph_method_view(app, "/a", &only_get, .endpoint = "a", .methods = PH_POST),
                 PH_EINVAL, "a method without a function");
    cr_expect_eq(ph_method_view(app, "/a", &only_get, .endpoint = "a"), 0);
    cr_expect_eq(ph_method_view(app, "/b", &user_api, .endpoint = "a"), PH_EEXIST,
                 "another table under the endpoint");
    cr_expect_eq(ph_route(app, "/c", user_get, .endpoint = "a"), PH_EEXIST,
                 "a plain view under the endpoint");
    cr_expect_eq(ph_method_view(app, "/d", &only_get, .endpoint = "a"), 0, "the same table");
    cr_expect_eq(ph_method_view(app, "/e/<", &only_get, .endpoint = "e"), PH_EINVAL, "bad rule");
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "no function for a method") != NULL, "%s", log);
    free(log);
    FW_CHECK(app, {"GET", "/a", 200, "get None"}, {"GET", "/d", 200, "get None"},
             {"GET", "/b", 404, NULL});
}
