/*
 * App and request contexts: ph_current_app, ph_current_request and ph_g
 * inside a request; pushing and popping contexts explicitly from a task
 * outside a request, nested; ph_g_set_ptr release callbacks at pop; and
 * contexts kept apart between concurrent requests.
 */
#include "fw_common.h"

static ph_response *ctx_view(ph_request *req) {
    cr_expect_eq(ph_current_request(), req);
    cr_expect_eq(ph_current_app(), ph_request_app(req));
    cr_expect_not_null(ph_g());
    return ph_text(req, 200, ph_app_name(ph_current_app()));
}

Test(fw_contexts, current_app_request_and_g_inside_a_request) {
    ph_app *app = ph_app_new("ctx");
    ph_route(app, "/", ctx_view);
    FW_CHECK(app, {"GET", "/", 200, "ctx"});
}

static int body_none_outside(ph_app *app, ph_test_client *c) {
    cr_expect_null(ph_current_app());
    cr_expect_null(ph_current_request());
    cr_expect_null(ph_g());
    cr_expect_eq(ph_g_set_ptr("x", NULL, NULL), PH_ENOTASK);
    cr_expect_null(ph_g_get_ptr("x"));
    fw_expect(ph_client_get(c, "/"), 200, "t");
    cr_expect_null(ph_current_app(), "the request's context does not leak into the caller");
    cr_expect_null(ph_current_request());
    return 0;
}

Test(fw_contexts, nothing_is_current_outside_a_context) {
    ph_app *app = fw_app();
    ph_route(app, "/", ctx_view);
    fw_run(app, body_none_outside);
}

static int released;
static void release_count(void *p) { released += (int)(intptr_t)p; }

static void td_app(ph_app *app, const ph_error *err) { released += 100; }

static int body_app_ctx(ph_app *app, ph_test_client *c) {
    released = 0;
    ph_app_ctx *ctx = ph_app_context_push(app);
    cr_assert_not_null(ctx);
    cr_expect_eq(ph_current_app(), app);
    cr_expect_null(ph_current_request());
    json_object_set_new(ph_g(), "k", json_integer(5));
    cr_expect_eq(ph_g_set_ptr("p", (void *)(intptr_t)1, release_count), 0);
    cr_expect_eq(ph_g_get_ptr("p"), (void *)(intptr_t)1);
    cr_expect_eq(ph_app_context_pop(ctx), 0);
    cr_expect_eq(released, 101, "release ran, then teardown_appcontext");
    cr_expect_null(ph_current_app());
    return 0;
}

Test(fw_contexts, app_context_pushed_from_a_task_releases_g_pointers_at_pop) {
    ph_app *app = fw_app();
    ph_teardown_appcontext(app, td_app);
    fw_run(app, body_app_ctx);
}

static int body_replace_ptr(ph_app *app, ph_test_client *c) {
    released = 0;
    ph_app_ctx *ctx = ph_app_context_push(app);
    ph_g_set_ptr("p", (void *)(intptr_t)1, release_count);
    ph_g_set_ptr("p", (void *)(intptr_t)10, release_count); /* releases the old one */
    cr_expect_eq(released, 1);
    ph_g_set_ptr("q", (void *)(intptr_t)1000, NULL); /* no release */
    ph_app_context_pop(ctx);
    cr_expect_eq(released, 11);
    return 0;
}

Test(fw_contexts, g_pointer_replaced_releases_the_old_one) {
    fw_run(fw_app(), body_replace_ptr);
}

static int body_nesting(ph_app *app, ph_test_client *c) {
    ph_app *other = ph_app_new("other");
    ph_app_ctx *outer = ph_app_context_push(app);
    json_object_set_new(ph_g(), "level", json_string("outer"));
    ph_app_ctx *inner = ph_app_context_push(other);
    cr_expect_eq(ph_current_app(), other);
    cr_expect_null(json_object_get(ph_g(), "level"), "each context has its own g");
    cr_expect_eq(ph_app_context_pop(outer), PH_ESTATE, "only the innermost pops");
    cr_expect_eq(ph_app_context_pop(inner), 0);
    cr_expect_eq(ph_current_app(), app, "the outer context is back");
    cr_expect_str_eq(json_string_value(json_object_get(ph_g(), "level")), "outer");
    cr_expect_eq(ph_app_context_pop(outer), 0);
    cr_expect_null(ph_current_app());
    ph_app_free(other);
    return 0;
}

Test(fw_contexts, app_contexts_nest_and_restore) { fw_run(fw_app(), body_nesting); }

static void td_req(ph_request *req, const ph_error *err) { released += 1000; }

static int body_request_ctx(ph_app *app, ph_test_client *c) {
    released = 0;
    ph_request_ctx *rc = ph_request_context_push(app, "POST", "/hello/x?a=1&a=2");
    cr_assert_not_null(rc);
    ph_request *req = ph_current_request();
    cr_assert_not_null(req);
    cr_expect_eq(ph_current_app(), app, "an app context came with it");
    cr_expect_str_eq(ph_request_method(req), "POST");
    cr_expect_str_eq(ph_request_path(req), "/hello/x");
    cr_expect_str_eq(ph_request_full_path(req), "/hello/x?a=1&a=2");
    cr_expect_str_eq(ph_request_url(req), "http://localhost/hello/x?a=1&a=2");
    const char *as[2];
    cr_expect_eq(ph_request_arg_all(req, "a", as, 2), 2);
    const char *body;
    size_t len = 99;
    cr_expect_eq(ph_request_body(req, &body, &len), 0);
    cr_expect_eq(len, 0);
    cr_expect_eq(ph_request_context_pop(rc), 0);
    cr_expect_eq(released, 1100, "teardown_request and teardown_appcontext ran");
    cr_expect_null(ph_current_request());
    cr_expect_null(ph_current_app());
    return 0;
}

Test(fw_contexts, request_context_for_a_made_up_request) {
    ph_app *app = fw_app();
    ph_teardown_request(app, td_req);
    ph_teardown_appcontext(app, td_app);
    fw_run(app, body_request_ctx);
}

static ph_response *named_view(ph_request *req) { return ph_text(req, 200, "x"); }

static int body_request_ctx_url_for(ph_app *app, ph_test_client *c) {
    ph_request_ctx *rc = ph_request_context_push(app, "GET", "/");
    const char *u = ph_url_for(ph_current_request(), "named", .values = json_pack("{s:i}", "id", 3));
    cr_expect_str_eq(u, "/item/3");
    ph_request_context_pop(rc);
    return 0;
}

Test(fw_contexts, url_for_works_in_a_made_up_request) {
    ph_app *app = fw_app();
    ph_route(app, "/item/<int:id>", named_view, .endpoint = "named");
    fw_run(app, body_request_ctx_url_for);
}

static int body_request_ctx_in_app_ctx(ph_app *app, ph_test_client *c) {
    released = 0;
    ph_app_ctx *actx = ph_app_context_push(app);
    json_object_set_new(ph_g(), "k", json_true());
    ph_request_ctx *rc = ph_request_context_push(app, "GET", "/");
    cr_expect(json_is_true(json_object_get(ph_g(), "k")), "the current app context is reused");
    ph_request_context_pop(rc);
    cr_expect_eq(released, 1000, "no teardown_appcontext: the app context is still up");
    cr_expect_eq(ph_current_app(), app);
    ph_app_context_pop(actx);
    cr_expect_eq(released, 1100);
    return 0;
}

Test(fw_contexts, request_context_reuses_the_current_app_context) {
    ph_app *app = fw_app();
    ph_teardown_request(app, td_req);
    ph_teardown_appcontext(app, td_app);
    fw_run(app, body_request_ctx_in_app_ctx);
}

static int body_bad_request_ctx(ph_app *app, ph_test_client *c) {
    cr_expect_null(ph_request_context_push(app, "GET", "no-slash"));
    cr_expect_null(ph_request_context_push(NULL, "GET", "/"));
    cr_expect_null(ph_request_context_push(app, NULL, "/"));
    cr_expect_eq(ph_request_context_pop(NULL), PH_ESTATE);
    cr_expect_eq(ph_app_context_pop(NULL), PH_ESTATE);
    cr_expect_null(ph_app_context_push(NULL));
    return 0;
}

Test(fw_contexts, bad_context_arguments_are_refused) { fw_run(fw_app(), body_bad_request_ctx); }


Test(fw_contexts, contexts_need_a_task) {
    ph_app *app = fw_app();
    cr_expect_null(ph_app_context_push(app));
    cr_expect_null(ph_request_context_push(app, "GET", "/"));
    ph_app_free(app);
}

/* ---- g pointers in requests, and isolation between concurrent requests ------------- */

static ph_response *g_ptr_view(ph_request *req) {
    ph_g_set_ptr("conn", (void *)(intptr_t)7, release_count);
    return ph_text(req, 200, "set");
}

Test(fw_contexts, g_pointer_released_when_the_request_ends) {
    ph_app *app = fw_app();
    ph_route(app, "/", g_ptr_view);
    released = 0;
    FW_CHECK(app, {"GET", "/", 200, "set"}, {"GET", "/", 200, "set"});
    cr_expect_eq(released, 14);
}

static ph_response *slow_g_view(ph_request *req) {
    const char *who = ph_request_arg(req, "who");
    json_object_set_new(ph_g(), "who", json_string(who));
    ph_sleep(0.02); /* the other requests run meanwhile and set their own g */
    cr_expect_eq(ph_current_request(), req, "still this request after suspending");
    return ph_text(req, 200, json_string_value(json_object_get(ph_g(), "who")));
}

static ph_test_client *shared;
static char answers[3][16];

static int get_who(void *arg) {
    int i = (int)(intptr_t)arg;
    char url[32];
    snprintf(url, sizeof(url), "/?who=w%d", i);
    ph_test_response *r = ph_client_get(shared, url);
    snprintf(answers[i], sizeof(answers[i]), "%s", r->body);
    ph_test_response_free(r);
    return 0;
}

static int body_isolation(ph_app *app, ph_test_client *c) {
    shared = c;
    ph_task_fn fns[3] = {get_who, get_who, get_who};
    void *args[3] = {(void *)0, (void *)1, (void *)2};
    cr_assert_eq(ph_gather(3, fns, args, NULL), 0);
    cr_expect_str_eq(answers[0], "w0");
    cr_expect_str_eq(answers[1], "w1");
    cr_expect_str_eq(answers[2], "w2");
    return 0;
}

Test(fw_contexts, concurrent_requests_keep_their_own_request_and_g) {
    ph_app *app = fw_app();
    ph_route(app, "/", slow_g_view);
    fw_run(app, body_isolation);
}

static int body_nested_requests(ph_app *app, ph_test_client *c) {
    ph_request_ctx *a = ph_request_context_push(app, "GET", "/a");
    ph_request *ra = ph_current_request();
    ph_request_ctx *b = ph_request_context_push(app, "POST", "/b");
    cr_expect_str_eq(ph_request_path(ph_current_request()), "/b");
    cr_expect_eq(ph_request_context_pop(a), PH_ESTATE, "only the innermost pops");
    cr_expect_eq(ph_request_context_pop(b), 0);
    cr_expect_eq(ph_current_request(), ra, "the outer request is back");
    cr_expect_str_eq(ph_request_method(ra), "GET");
    cr_expect_eq(ph_request_context_pop(a), 0);
    cr_expect_null(ph_current_request());
    cr_expect_null(ph_current_app());
    return 0;
}

Test(fw_contexts, request_contexts_nest_and_restore) { fw_run(fw_app(), body_nested_requests); }

static int body_other_app(ph_app *app, ph_test_client *c) {
    ph_app *other = ph_app_new("other");
    ph_app_ctx *octx = ph_app_context_push(other);
    ph_request_ctx *rc = ph_request_context_push(app, "GET", "/");
    cr_expect_eq(ph_current_app(), app, "the request's own app context is pushed");
    cr_expect_eq(ph_request_app(ph_current_request()), app);
    ph_request_context_pop(rc);
    cr_expect_eq(ph_current_app(), other, "and popped with it");
    ph_app_context_pop(octx);
    ph_app_free(other);
    return 0;
}

Test(fw_contexts, request_context_for_another_app_pushes_its_own_app_context) {
    fw_run(fw_app(), body_other_app);
}

/* A request context whose app context is no longer the innermost is not
 * popped (PH_ESTATE) and stays whole: popping in the right order then works
 * and runs every teardown (Flask: "Popped wrong app context"). */
static int appctx_teardowns;

static void count_appctx_teardown(ph_app *app, const ph_error *err) { appctx_teardowns++; }

static int body_wrong_order(ph_app *app, ph_test_client *unused) {
    ph_app *other = ph_app_new("other");
    ph_request_ctx *rc = ph_request_context_push(app, "GET", "/");
    cr_assert_not_null(rc);
    ph_app_ctx *inner = ph_app_context_push(other);
    cr_assert_not_null(inner);
    cr_expect_eq(ph_request_context_pop(rc), PH_ESTATE, "its app context is not innermost");
    cr_expect_eq(ph_current_app(), other);
    cr_expect_eq(ph_app_context_pop(inner), 0);
    cr_expect_str_eq(ph_app_name(ph_current_app()), ph_app_name(app));
    cr_expect_eq(ph_request_context_pop(rc), 0);
    cr_expect_null(ph_current_app());
    cr_expect_eq(appctx_teardowns, 1, "the request's app context was torn down");
    ph_app_free(other);
    return 0;
}

Test(fw_contexts, request_context_popped_out_of_order_is_refused_and_kept) {
    ph_app *app = fw_app();
    ph_teardown_appcontext(app, count_appctx_teardown);
    appctx_teardowns = 0;
    fw_run(app, body_wrong_order);
}
