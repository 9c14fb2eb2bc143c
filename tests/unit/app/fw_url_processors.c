/*
 * URL processors through the test client: Flask's internationalised-URL
 * pattern (a language code pulled from the URL into g, and put back into
 * the URLs url_for builds), the order the processors run in for the app,
 * its blueprints and nested blueprints, ph_view_arg_pop and
 * ph_app_endpoint_expects. The expected traces are what Flask 2.2 records
 * for the same app (the same functions registered in the same order).
 */
#include "fw_common.h"
#include "phial/render.h"

/* What ran, in order: each function appends a word. */
static char trace[1024];

static void note(const char *what, const char *endpoint) {
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof(trace) - n, "%s%s(%s)", n ? " " : "", what,
             endpoint ? endpoint : "None");
}

static void app_pre(ph_request *req, const char *endpoint) {
    note("app-pre", endpoint);
    const char *lang = ph_view_arg_pop(req, "lang");
    if (lang)
        json_object_set_new(ph_g(), "lang", json_string(lang));
}
static void bp_pre(ph_request *req, const char *endpoint) { note("bp-pre", endpoint); }
static ph_response *app_before(ph_request *req) {
    note("app-before", ph_request_endpoint(req));
    return NULL;
}

static void app_defaults(ph_request *req, const char *endpoint, json_t *values) {
    note("app-defaults", endpoint);
    json_t *lang = ph_g() ? json_object_get(ph_g(), "lang") : NULL;
    if (!json_object_get(values, "lang") && lang &&
        ph_app_endpoint_expects(ph_current_app(), endpoint, "lang"))
        json_object_set(values, "lang", lang);
}
static void bp_defaults(ph_request *req, const char *endpoint, json_t *values) {
    note("bp-defaults", endpoint);
}
static void bp_app_defaults(ph_request *req, const char *endpoint, json_t *values) {
    note("bp-app-defaults", endpoint);
}

static ph_response *index_view(ph_request *req) {
    const char *a = ph_url_for(req, "index");
    const char *b = ph_url_for(req, "bp.x", .values = json_pack("{s:s}", "lang", "zz"));
    return ph_text(req, 200, ph_request_printf(req, "%s %s", a ? a : "(null)", b ? b : "(null)"));
}

static ph_response *x_view(ph_request *req) {
    const char *a = ph_url_for(req, "bp.x");
    const char *b = ph_url_for(req, "index");
    const char *lang = ph_view_arg(req, "lang");
    return ph_text(req, 200, ph_request_printf(req, "%s %s %s", a ? a : "(null)", b ? b : "(null)",
                    lang ? lang : "popped"));
}

static ph_app *lang_app(void) {
    trace[0] = '\0';
    ph_app *app = fw_app();
    cr_assert_eq(ph_url_value_preprocessor(app, app_pre), 0);
    cr_assert_eq(ph_before_request(app, app_before), 0);
    cr_assert_eq(ph_url_defaults(app, app_defaults), 0);
    ph_blueprint *bp = ph_blueprint_new("bp");
    cr_assert_eq(ph_bp_url_value_preprocessor(bp, bp_pre), 0);
    cr_assert_eq(ph_bp_url_defaults(bp, bp_defaults), 0);
    cr_assert_eq(ph_bp_app_url_defaults(bp, bp_app_defaults), 0);
    ph_bp_route(bp, "/<lang>/x", x_view, .endpoint = "x");
    ph_route(app, "/<lang>/", index_view, .endpoint = "index");
    cr_assert_eq(ph_register_blueprint(app, bp, .url_prefix = "/b"), 0);
    ph_blueprint_free(bp);
    return app;
}

static int body_app_route(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/en/"), 200, "/en/ /b/zz/x");
    cr_expect_str_eq(trace, "app-pre(index) app-before(index) app-defaults(index) "
                            "bp-app-defaults(index) app-defaults(bp.x) bp-app-defaults(bp.x) "
                            "bp-defaults(bp.x)");
    return 0;
}

Test(fw_url_processors, app_route_pulls_the_value_and_url_for_puts_it_back) {
    fw_run(lang_app(), body_app_route);
}

static int body_bp_route(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/b/fr/x"), 200, "/b/fr/x /fr/ popped");
    cr_expect_str_eq(trace, "app-pre(bp.x) bp-pre(bp.x) app-before(bp.x) app-defaults(bp.x) "
                            "bp-app-defaults(bp.x) bp-defaults(bp.x) app-defaults(index) "
                            "bp-app-defaults(index)");
    return 0;
}

Test(fw_url_processors, blueprint_preprocessors_run_after_the_apps_and_before_any_hook) {
    fw_run(lang_app(), body_bp_route);
}

static int body_unmatched(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/nope/a/b"), 404, NULL);
    cr_expect_str_eq(trace, "app-pre(None) app-before(None)");
    trace[0] = '\0';
    /* A rule matched by pattern but not by method, and a missing slash,
     * leave the endpoint unset too, as Flask's routing exceptions do. */
    fw_expect(ph_client_post(c, "/en/"), 405, NULL);
    cr_expect_str_eq(trace, "app-pre(None) app-before(None)");
    trace[0] = '\0';
    fw_expect(ph_client_get(c, "/en"), 308, NULL);
    cr_expect_str_eq(trace, "app-pre(None) app-before(None)");
    return 0;
}

Test(fw_url_processors, unmatched_requests_run_the_apps_preprocessors_with_no_endpoint) {
    fw_run(lang_app(), body_unmatched);
}

/* ---- refusing a request ------------------------------------------------------ */

static void only_known_langs(ph_request *req, const char *endpoint) {
    note("check", endpoint);
    const char *lang = ph_view_arg(req, "lang");
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0)
        ph_abort(req, 404);
}
static void never_runs(ph_request *req, const char *endpoint) { note("never", endpoint); }

Test(fw_url_processors, a_preprocessor_that_aborts_stops_the_request) {
    trace[0] = '\0';
    ph_app *app = fw_app();
    ph_route(app, "/<lang>/", fw_ok_view, .endpoint = "index");
    ph_url_value_preprocessor(app, only_known_langs);
    ph_url_value_preprocessor(app, never_runs);
    ph_before_request(app, app_before);
    FW_CHECK(app, {"GET", "/en/", 200, "ok"}, {"GET", "/xx/", 404, NULL});
    cr_expect_str_eq(trace, "check(index) never(index) app-before(index) check(index)");
}

/* ---- nesting ------------------------------------------------------------------- */

static void outer_defaults(ph_request *req, const char *endpoint, json_t *values) {
    note("outer", endpoint);
}
static void inner_defaults(ph_request *req, const char *endpoint, json_t *values) {
    note("inner", endpoint);
    json_object_set_new(values, "page", json_integer(2));
}
static void inner_pre(ph_request *req, const char *endpoint) { note("inner-pre", endpoint); }
static void outer_pre(ph_request *req, const char *endpoint) { note("outer-pre", endpoint); }

static ph_response *nested_view(ph_request *req) {
    const char *u = ph_url_for(req, "outer.inner.v");
    return ph_text(req, 200, u ? u : "(null)");
}

Test(fw_url_processors, nested_blueprints_run_outermost_first) {
    trace[0] = '\0';
    ph_app *app = fw_app();
    ph_blueprint *outer = ph_blueprint_new("outer", .url_prefix = "/o");
    ph_blueprint *inner = ph_blueprint_new("inner", .url_prefix = "/i");
    ph_bp_url_defaults(inner, inner_defaults);
    ph_bp_url_value_preprocessor(inner, inner_pre);
    ph_bp_route(inner, "/v", nested_view, .endpoint = "v");
    ph_bp_url_defaults(outer, outer_defaults);
    ph_bp_url_value_preprocessor(outer, outer_pre);
    ph_blueprint_nest(outer, inner);
    cr_assert_eq(ph_register_blueprint(app, outer), 0);
    ph_blueprint_free(inner);
    ph_blueprint_free(outer);
    /* The value the inner function adds is not a variable: the query. */
    FW_CHECK(app, {"GET", "/o/i/v", 200, "/o/i/v?page=2"});
    cr_expect_str_eq(trace, "outer-pre(outer.inner.v) inner-pre(outer.inner.v) "
                            "outer(outer.inner.v) inner(outer.inner.v)");
}

/* ---- url_for outside a request, templates, the caller's values -------------------- */

static ph_request *seen_req;
static void record_req(ph_request *req, const char *endpoint, json_t *values) {
    seen_req = req;
    json_object_set_new(values, "lang", json_string("de"));
}

static int body_app_context(ph_app *app, ph_test_client *c) {
    ph_app_ctx *ctx = ph_app_context_push(app);
    cr_assert_not_null(ctx);
    seen_req = (ph_request *)1;
    const char *u = ph_url_for(NULL, "index");
    cr_expect_str_eq(u ? u : "(null)", "http://example.com/de/");
    cr_expect_null(seen_req, "a url_defaults function outside a request gets no request");
    /* The caller's object keeps what it had: the function changed a copy. */
    json_t *mine = json_pack("{s:i}", "n", 1);
    u = ph_url_for(NULL, "index", .values = json_incref(mine));
    cr_expect_str_eq(u ? u : "(null)", "http://example.com/de/?n=1");
    cr_expect_eq(json_object_size(mine), 1);
    cr_expect_null(json_object_get(mine, "lang"));
    json_decref(mine);
    ph_app_context_pop(ctx);
    return 0;
}

Test(fw_url_processors, url_for_in_an_app_context_runs_the_defaults_on_a_copy) {
    ph_app *app = fw_app();
    ph_config_set_str(app, "SERVER_NAME", "example.com");
    ph_route(app, "/<lang>/", fw_ok_view, .endpoint = "index");
    ph_url_defaults(app, record_req);
    fw_run(app, body_app_context);
}

static ph_response *template_view(ph_request *req) {
    return ph_render_template_string(req, "{{ url_for('index') }} {{ request.view_args }}", NULL);
}

Test(fw_url_processors, templates_url_for_and_view_args_see_the_processors) {
    ph_app *app = fw_app();
    ph_route(app, "/<lang>/<int:n>", template_view, .endpoint = "tv");
    ph_route(app, "/<lang>/", fw_ok_view, .endpoint = "index");
    ph_url_value_preprocessor(app, app_pre);
    ph_url_defaults(app, app_defaults);
    FW_CHECK(app, {"GET", "/fr/3", 200, "/fr/ {&#39;n&#39;: 3}"});
}

/* ---- ph_view_arg_pop and ph_app_endpoint_expects ------------------------------------ */

static ph_response *pop_view(ph_request *req) {
    int64_t n = 0;
    int typed = ph_view_arg_int(req, "n", &n);
    const char *first = ph_view_arg_pop(req, "n");
    const char *again = ph_view_arg_pop(req, "n");
    int after = ph_view_arg_int(req, "n", &n);
    const char *u = ph_view_arg_pop(req, "u");
    return ph_text(req, 200, ph_request_printf(req, "%d %s %s %d %s %s %s", typed, first ? first : "(null)",
                    again ? again : "(null)", after == PH_EINVAL, u ? u : "(null)",
                    ph_view_arg(req, "kind"), ph_view_arg_pop(NULL, "n") ? "x" : "null"));
}

Test(fw_url_processors, view_arg_pop_removes_the_argument_and_gives_its_text) {
    ph_app *app = fw_app();
    json_t *d = json_pack("{s:s}", "kind", "k");
    ph_route(app, "/p/<int:n>/<uuid:u>", pop_view, .defaults = d);
    json_decref(d);
    FW_CHECK(app, {"GET", "/p/0042/0F8FAD5B-D9CB-469F-A165-70867728950E", 200,
                   "0 0042 (null) 1 0f8fad5b-d9cb-469f-a165-70867728950e k null"});
}

Test(fw_url_processors, endpoint_expects_variables_and_defaults_of_any_rule) {
    ph_app *app = fw_app();
    json_t *d = json_pack("{s:i}", "page", 1);
    ph_route(app, "/list/", fw_ok_view, .endpoint = "list", .defaults = d);
    json_decref(d);
    ph_route(app, "/list/<int:page>", fw_ok_view, .endpoint = "list");
    ph_route(app, "/u/<name>", fw_ok_view, .endpoint = "user");
    cr_expect(ph_app_endpoint_expects(app, "list", "page"));
    cr_expect(ph_app_endpoint_expects(app, "user", "name"));
    cr_expect_not(ph_app_endpoint_expects(app, "user", "page"));
    cr_expect_not(ph_app_endpoint_expects(app, "nope", "name"));
    cr_expect_not(ph_app_endpoint_expects(app, NULL, "name"));
    cr_expect_not(ph_app_endpoint_expects(NULL, "user", "name"));
    ph_app_free(app);
}

/* ---- registration --------------------------------------------------------------- */

static int body_one_request(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/"), 200, "ok");
    cr_expect_eq(ph_url_value_preprocessor(app, bp_pre), PH_EBUSY);
    cr_expect_eq(ph_url_defaults(app, bp_defaults), PH_EBUSY);
    return 0;
}

Test(fw_url_processors, registration_is_refused_after_the_first_request) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    fw_run(app, body_one_request);
}
