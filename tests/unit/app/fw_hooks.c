/*
 * Hooks in Flask's order through the test client: before_first_request
 * (once, with concurrent first requests waiting), before_request (in order,
 * short-circuiting), after_this_request (this request's, first, in order),
 * after_request (newest first, may replace the response, runs on errors),
 * teardown_request and teardown_appcontext (always, seeing the unhandled
 * error), and hooks that fail.
 */
#include "fw_common.h"

/* What ran, in order: each hook appends a word. */
static char trace[512];

static void note(const char *what) {
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof(trace) - n, "%s%s", n ? " " : "", what);
}

static ph_app *traced_app(void) {
    trace[0] = '\0';
    return fw_app();
}

static ph_response *view(ph_request *req) {
    note("view");
    return ph_text(req, 200, "view");
}

static ph_response *before_a(ph_request *req) {
    note("before_a");
    return NULL;
}
static ph_response *before_b(ph_request *req) {
    note("before_b");
    return NULL;
}
static ph_response *before_stop(ph_request *req) {
    note("before_stop");
    return ph_text(req, 200, "stopped");
}
static ph_response *before_abort(ph_request *req) {
    note("before_abort");
    return ph_abort(req, 403);
}
static ph_response *after_a(ph_request *req, ph_response *r) {
    note("after_a");
    return r;
}
static ph_response *after_b(ph_request *req, ph_response *r) {
    note("after_b");
    return r;
}
static ph_response *after_replace(ph_request *req, ph_response *r) {
    note("after_replace");
    return ph_text(req, 201, "replaced");
}
static ph_response *after_header(ph_request *req, ph_response *r) {
    ph_response_set_header(r, "X-After", "yes");
    return r;
}
static ph_response *after_null(ph_request *req, ph_response *r) {
    note("after_null");
    return NULL;
}
static ph_response *after_abort(ph_request *req, ph_response *r) {
    note("after_abort");
    return ph_abort(req, 418);
}
static void teardown_a(ph_request *req, const ph_error *err) {
    note(err ? "teardown_a(err)" : "teardown_a");
}
static void teardown_b(ph_request *req, const ph_error *err) {
    note(err ? "teardown_b(err)" : "teardown_b");
}
static void teardown_app(ph_app *app, const ph_error *err) { note("teardown_app"); }

static const ph_error_kind BOOM = {"Boom", 500, NULL};

static ph_response *failing_view(ph_request *req) {
    note("view");
    return ph_fail(req, &BOOM, "it broke");
}

/* ---- before_request ---------------------------------------------------------- */

Test(fw_hooks, before_request_hooks_run_in_registration_order) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_a);
    ph_before_request(app, before_b);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "before_a before_b view");
}

Test(fw_hooks, before_request_response_short_circuits_the_view) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_stop);
    ph_before_request(app, before_b);
    FW_CHECK(app, {"GET", "/", 200, "stopped"});
    cr_expect_str_eq(trace, "before_stop");
}

Test(fw_hooks, after_request_still_runs_after_a_short_circuit) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_stop);
    ph_after_request(app, after_a);
    FW_CHECK(app, {"GET", "/", 200, "stopped"});
    cr_expect_str_eq(trace, "before_stop after_a");
}

Test(fw_hooks, before_request_runs_for_unknown_paths) {
    ph_app *app = traced_app();
    ph_before_request(app, before_a);
    FW_CHECK(app, {"GET", "/missing", 404, NULL});
    cr_expect_str_eq(trace, "before_a");
}

Test(fw_hooks, before_request_abort_gives_the_error_and_after_request_runs) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_abort);
    ph_after_request(app, after_a);
    FW_CHECK(app, {"GET", "/", 403, NULL});
    cr_expect_str_eq(trace, "before_abort after_a");
}

/* ---- after_request --------------------------------------------------------------- */

Test(fw_hooks, after_request_hooks_run_newest_first) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_after_request(app, after_a);
    ph_after_request(app, after_b);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "view after_b after_a");
}

Test(fw_hooks, after_request_may_replace_the_response) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_after_request(app, after_a);
    ph_after_request(app, after_replace);
    FW_CHECK(app, {"GET", "/", 201, "replaced"});
    cr_expect_str_eq(trace, "view after_replace after_a");
}

Test(fw_hooks, after_request_may_change_headers) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_after_request(app, after_header);
    FW_CHECK(app, {"GET", "/", 200, "view", "X-After", "yes"});
}

Test(fw_hooks, after_request_runs_on_error_responses) {
    ph_app *app = traced_app();
    ph_after_request(app, after_header);
    FW_CHECK(app, {"GET", "/missing", 404, NULL, "X-After", "yes"});
}

Test(fw_hooks, after_request_returning_null_gives_500_and_a_log_line) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_after_request(app, after_a);
    ph_after_request(app, after_null);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "after_request") != NULL, "log: %s", log);
    free(log);
    cr_expect(strncmp(trace, "view after_null", 15) == 0, "trace: %s", trace);
}

Test(fw_hooks, after_request_abort_gives_500) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_after_request(app, after_abort);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    free(fw_log_end(&l));
}

/* ---- after_this_request ---------------------------------------------------------- */

/* Notes its word (arg) and keeps the response. */
static ph_response *this_note(ph_request *req, ph_response *r, void *arg) {
    note(arg);
    return r;
}
static ph_response *this_header(ph_request *req, ph_response *r, void *arg) {
    note("this_header");
    ph_response_set_header(r, "X-This", arg);
    return r;
}
static ph_response *this_null(ph_request *req, ph_response *r, void *arg) {
    note("this_null");
    return NULL;
}
static ph_response *this_registers_another(ph_request *req, ph_response *r, void *arg) {
    note("this_outer");
    cr_expect_eq(ph_after_this_request(req, this_note, "this_inner"), 0);
    return r;
}

static ph_response *view_with_two(ph_request *req) {
    note("view");
    cr_expect_eq(ph_after_this_request(req, this_note, "this_1"), 0);
    cr_expect_eq(ph_after_this_request(req, this_note, "this_2"), 0);
    return ph_text(req, 200, "view");
}
static ph_response *view_then_abort(ph_request *req) {
    note("view");
    ph_after_this_request(req, this_header, "on the error page");
    return ph_abort(req, 403);
}
static ph_response *view_with_failing(ph_request *req) {
    note("view");
    ph_after_this_request(req, this_null, NULL);
    ph_after_this_request(req, this_note, "this_after_null");
    return ph_text(req, 200, "view");
}
static ph_response *view_with_nested(ph_request *req) {
    note("view");
    ph_after_this_request(req, this_registers_another, NULL);
    return ph_text(req, 200, "view");
}
static ph_response *before_registering_then_stop(ph_request *req) {
    note("before");
    ph_after_this_request(req, this_header, "short-circuit");
    return ph_text(req, 200, "stopped");
}

Test(fw_hooks, after_this_request_runs_in_order_before_the_after_request_hooks) {
    ph_app *app = traced_app();
    ph_route(app, "/", view_with_two);
    ph_after_request(app, after_a);
    ph_after_request(app, after_b);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "view this_1 this_2 after_b after_a");
}

Test(fw_hooks, after_this_request_is_for_this_request_only) {
    ph_app *app = traced_app();
    ph_route(app, "/", view_with_two);
    ph_route(app, "/plain", view);
    FW_CHECK(app, {"GET", "/", 200, "view"}, {"GET", "/plain", 200, "view"});
    cr_expect_str_eq(trace, "view this_1 this_2 view");
}

Test(fw_hooks, after_this_request_changes_the_error_page_of_an_abort) {
    ph_app *app = traced_app();
    ph_route(app, "/", view_then_abort);
    FW_CHECK(app, {"GET", "/", 403, NULL, "X-This", "on the error page"});
}

Test(fw_hooks, after_this_request_from_a_short_circuiting_before_request_runs) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_registering_then_stop);
    FW_CHECK(app, {"GET", "/", 200, "stopped", "X-This", "short-circuit"});
    cr_expect_str_eq(trace, "before this_header");
}

Test(fw_hooks, after_this_request_may_register_another_which_runs) {
    ph_app *app = traced_app();
    ph_route(app, "/", view_with_nested);
    ph_after_request(app, after_a);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "view this_outer this_inner after_a");
}

Test(fw_hooks, after_this_request_returning_null_gives_500_and_stops_the_rest) {
    ph_app *app = traced_app();
    ph_route(app, "/", view_with_failing);
    ph_after_request(app, after_a);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "after_this_request") != NULL, "log: %s", log);
    free(log);
    cr_expect_str_eq(trace, "view this_null");
}

/* ---- teardown ------------------------------------------------------------------- */

Test(fw_hooks, teardown_request_runs_after_a_good_request_without_error) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_after_request(app, after_a);
    ph_teardown_request(app, teardown_a);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "view after_a teardown_a");
}

Test(fw_hooks, teardown_request_hooks_run_newest_first) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_teardown_request(app, teardown_a);
    ph_teardown_request(app, teardown_b);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "view teardown_b teardown_a");
}

Test(fw_hooks, teardown_request_sees_the_unhandled_error) {
    ph_app *app = traced_app();
    ph_route(app, "/", failing_view);
    ph_teardown_request(app, teardown_a);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    free(fw_log_end(&l));
    cr_expect_str_eq(trace, "view teardown_a(err)");
}

Test(fw_hooks, teardown_request_sees_no_error_for_a_handled_http_error) {
    ph_app *app = traced_app();
    ph_teardown_request(app, teardown_a);
    FW_CHECK(app, {"GET", "/missing", 404, NULL});
    cr_expect_str_eq(trace, "teardown_a");
}

Test(fw_hooks, teardown_request_runs_after_a_short_circuit) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_stop);
    ph_teardown_request(app, teardown_a);
    FW_CHECK(app, {"GET", "/", 200, "stopped"});
    cr_expect_str_eq(trace, "before_stop teardown_a");
}

Test(fw_hooks, teardown_appcontext_runs_after_teardown_request) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_teardown_appcontext(app, teardown_app);
    ph_teardown_request(app, teardown_a);
    FW_CHECK(app, {"GET", "/", 200, "view"}, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "view teardown_a teardown_app view teardown_a teardown_app");
}

Test(fw_hooks, teardown_appcontext_runs_after_an_error_too) {
    ph_app *app = traced_app();
    ph_route(app, "/", failing_view);
    ph_teardown_appcontext(app, teardown_app);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    free(fw_log_end(&l));
    cr_expect_str_eq(trace, "view teardown_app");
}

/* ---- before_first_request ------------------------------------------------------- */

static int first_calls, first_done;

static int first_hook(ph_app *app) {
    first_calls++;
    ph_sleep(0.03); /* long enough for other requests to arrive meanwhile */
    first_done = 1;
    return 0;
}

static ph_response *first_view(ph_request *req) {
    return ph_text(req, 200, first_done ? "after first" : "too early");
}

Test(fw_hooks, before_first_request_runs_once) {
    ph_app *app = traced_app();
    ph_route(app, "/", first_view);
    ph_before_first_request(app, first_hook);
    first_calls = first_done = 0;
    FW_CHECK(app, {"GET", "/", 200, "after first"}, {"GET", "/", 200, "after first"},
             {"GET", "/missing", 404, NULL});
    cr_expect_eq(first_calls, 1);
}

static ph_test_client *shared_client;
static char gathered[3][32];

static int one_get(void *arg) {
    int i = (int)(intptr_t)arg;
    ph_test_response *r = ph_client_get(shared_client, "/");
    snprintf(gathered[i], sizeof(gathered[i]), "%d %s", r ? r->status : -1, r ? r->body : "");
    ph_test_response_free(r);
    return 0;
}

/* Three GET / at once through `c`; their "status body" in gathered[]. */
static void get_three_at_once(ph_test_client *c) {
    shared_client = c;
    ph_task_fn fns[3] = {one_get, one_get, one_get};
    void *args[3] = {(void *)0, (void *)1, (void *)2};
    cr_assert_eq(ph_gather(3, fns, args, NULL), 0);
}

static int body_concurrent_first(ph_app *app, ph_test_client *c) {
    get_three_at_once(c);
    for (int i = 0; i < 3; i++)
        cr_expect_str_eq(gathered[i], "200 after first", "request %d", i);
    cr_expect_eq(first_calls, 1);
    return 0;
}

Test(fw_hooks, concurrent_first_requests_wait_for_before_first_request) {
    ph_app *app = traced_app();
    ph_route(app, "/", first_view);
    ph_before_first_request(app, first_hook);
    first_calls = first_done = 0;
    fw_run(app, body_concurrent_first);
}

static int failing_first(ph_app *app) {
    first_calls++;
    return first_calls == 1 ? PH_EIO : 0;
}

Test(fw_hooks, failing_before_first_request_gives_500_and_runs_again) {
    ph_app *app = traced_app();
    ph_route(app, "/", fw_ok_view);
    ph_before_first_request(app, failing_first);
    first_calls = 0;
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL}, {"GET", "/", 200, "ok"}, {"GET", "/", 200, "ok"});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "before_first_request") != NULL, "log: %s", log);
    free(log);
    cr_expect_eq(first_calls, 2);
}

static int first_order(ph_app *app) {
    note("first");
    return 0;
}

Test(fw_hooks, before_first_request_runs_before_before_request) {
    ph_app *app = traced_app();
    ph_route(app, "/", view);
    ph_before_request(app, before_a);
    ph_before_first_request(app, first_order);
    FW_CHECK(app, {"GET", "/", 200, "view"});
    cr_expect_str_eq(trace, "first before_a view");
}

/* ---- hooks share the request and g ------------------------------------------------ */

static ph_response *before_sets_g(ph_request *req) {
    json_object_set_new(ph_g(), "user", json_string("ada"));
    cr_expect_eq(ph_current_request(), req);
    return NULL;
}

static ph_response *view_reads_g(ph_request *req) {
    return ph_text(req, 200, json_string_value(json_object_get(ph_g(), "user")));
}

Test(fw_hooks, before_request_and_view_share_g) {
    ph_app *app = traced_app();
    ph_route(app, "/", view_reads_g);
    ph_before_request(app, before_sets_g);
    FW_CHECK(app, {"GET", "/", 200, "ada"});
}

static ph_response *view_sets_g(ph_request *req) {
    json_object_set_new(ph_g(), "user", json_string("set"));
    return ph_text(req, 200, "set");
}

static ph_response *view_g_has_user(ph_request *req) {
    return ph_text(req, 200, json_object_get(ph_g(), "user") ? "stale" : "fresh");
}

Test(fw_hooks, g_is_fresh_for_each_request) {
    ph_app *app = traced_app();
    ph_route(app, "/set", view_sets_g);
    ph_route(app, "/get", view_g_has_user);
    FW_CHECK(app, {"GET", "/set", 200, "set"}, {"GET", "/get", 200, "fresh"});
}

Test(fw_hooks, hook_registration_refuses_null) {
    ph_app *app = fw_app();
    cr_expect_eq(ph_before_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_after_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_teardown_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_teardown_appcontext(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_before_first_request(app, NULL), PH_EINVAL);
    ph_app_free(app);
}

/* ---- the unhandled error reaches every teardown ------------------------------------ */

static ph_response *handler_stop(ph_request *req, const ph_error *err) {
    return ph_text(req, 200, "stopped");
}

static const char *seen_kind;
static void teardown_kind(ph_request *req, const ph_error *err) {
    seen_kind = err ? err->kind->name : "none";
}

Test(fw_hooks, teardown_request_sees_the_error_even_when_a_500_handler_answers) {
    ph_app *app = traced_app();
    ph_route(app, "/", failing_view);
    ph_errorhandler(app, 500, handler_stop);
    ph_teardown_request(app, teardown_kind);
    seen_kind = NULL;
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 200, "stopped"});
    free(fw_log_end(&l));
    cr_expect_str_eq(seen_kind, "Boom");
}


static const char *app_td_seen;
static void td_app_seen(ph_app *app, const ph_error *err) {
    app_td_seen = err ? err->kind->name : "none";
}

Test(fw_hooks, teardown_appcontext_sees_the_unhandled_error) {
    ph_app *app = traced_app();
    ph_route(app, "/", failing_view);
    ph_teardown_appcontext(app, td_app_seen);
    app_td_seen = NULL;
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    free(fw_log_end(&l));
    cr_expect_str_eq(app_td_seen, "Boom");
}

Test(fw_hooks, unhandled_error_is_logged_even_when_a_500_handler_answers) {
    ph_app *app = traced_app();
    ph_route(app, "/", failing_view);
    ph_errorhandler(app, 500, handler_stop);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 200, "stopped"});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "Boom") && strstr(log, "it broke"), "log: %s", log);
    free(log);
}

/* Requests waiting for a run that fails look again when it ends: the first
 * of them runs the hook anew while the others wait for that run. */
static int failing_first_slow(ph_app *app) {
    first_calls++;
    ph_sleep(0.05);
    return first_calls == 1 ? PH_EIO : 0;
}

static int body_concurrent_failing_first(ph_app *app, ph_test_client *c) {
    get_three_at_once(c);
    int ok = 0, failed = 0;
    for (int i = 0; i < 3; i++) {
        ok += strncmp(gathered[i], "200 ", 4) == 0;
        failed += strncmp(gathered[i], "500 ", 4) == 0;
    }
    cr_expect_eq(failed, 1, "the request whose run failed");
    cr_expect_eq(ok, 2, "the waiters, after the second run");
    cr_expect_eq(first_calls, 2);
    return 0;
}

Test(fw_hooks, waiters_for_a_failed_before_first_request_run_it_again_once) {
    ph_app *app = traced_app();
    ph_route(app, "/", fw_ok_view);
    ph_before_first_request(app, failing_first_slow);
    first_calls = 0;
    fw_log l;
    fw_log_begin(&l);
    fw_run(app, body_concurrent_failing_first);
    free(fw_log_end(&l));
}
