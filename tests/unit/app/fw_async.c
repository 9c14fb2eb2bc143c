/*
 * Suspending everywhere: views, before/after_request hooks, error handlers,
 * teardown hooks and before_first_request may all suspend (ph_sleep,
 * ph_to_thread) without disturbing the order of the hooks or other
 * requests served meanwhile.
 */
#include "fw_common.h"

static char trace[256];

static void note(const char *what) {
    size_t n = strlen(trace);
    snprintf(trace + n, sizeof(trace) - n, "%s%s", n ? " " : "", what);
}

static ph_response *sleepy_before(ph_request *req) {
    ph_sleep(0.002);
    note("before");
    return NULL;
}

static void *thread_work(void *arg) {
    *(int *)arg = 42;
    return NULL;
}

static ph_response *sleepy_view(ph_request *req) {
    int v = 0;
    cr_expect_eq(ph_to_thread(thread_work, &v, NULL), 0);
    ph_sleep(0.002);
    note("view");
    return ph_text(req, 200, ph_request_printf(req, "from thread %d", v));
}

static ph_response *sleepy_after(ph_request *req, ph_response *r) {
    ph_sleep(0.002);
    note("after");
    return r;
}

static void sleepy_teardown(ph_request *req, const ph_error *err) {
    ph_sleep(0.002);
    note("teardown");
}

static void sleepy_teardown_app(ph_app *app, const ph_error *err) {
    ph_sleep(0.002);
    note("teardown_app");
}

Test(fw_async, every_hook_may_suspend_and_order_holds) {
    ph_app *app = fw_app();
    trace[0] = '\0';
    ph_route(app, "/", sleepy_view);
    ph_before_request(app, sleepy_before);
    ph_after_request(app, sleepy_after);
    ph_teardown_request(app, sleepy_teardown);
    ph_teardown_appcontext(app, sleepy_teardown_app);
    FW_CHECK(app, {"GET", "/", 200, "from thread 42"});
    cr_expect_str_eq(trace, "before view after teardown teardown_app");
}

static ph_response *sleepy_handler(ph_request *req, const ph_error *err) {
    ph_sleep(0.002);
    return ph_text(req, err->status, "handled after a nap");
}

Test(fw_async, error_handler_may_suspend) {
    ph_app *app = fw_app();
    ph_errorhandler(app, 404, sleepy_handler);
    FW_CHECK(app, {"GET", "/missing", 404, "handled after a nap"});
}

static const ph_error_kind OOPS = {"Oops", 500, NULL};

static ph_response *before_fails(ph_request *req) {
    ph_sleep(0.001);
    return ph_fail(req, &OOPS, "hook broke");
}

static ph_response *after_marks(ph_request *req, ph_response *r) {
    ph_response_set_header(r, "X-After", "ran");
    return r;
}

Test(fw_async, failing_before_request_gives_500_a_log_line_and_after_request_runs) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    ph_before_request(app, before_fails);
    ph_after_request(app, after_marks);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL, "X-After", "ran"});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "Oops") && strstr(log, "hook broke"), "log: %s", log);
    free(log);
}

static ph_response *view_crash(ph_request *req) { return ph_fail(req, &OOPS, "view broke"); }

Test(fw_async, unhandled_error_response_goes_through_after_request) {
    ph_app *app = fw_app();
    ph_route(app, "/", view_crash);
    ph_after_request(app, after_marks);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL, "X-After", "ran"});
    free(fw_log_end(&l));
}

static int in_flight, max_in_flight;

static ph_response *counting_view(ph_request *req) {
    in_flight++;
    if (in_flight > max_in_flight)
        max_in_flight = in_flight;
    ph_sleep(0.01);
    in_flight--;
    return ph_text(req, 200, "done");
}

static ph_test_client *shared;

static int get_one(void *arg) {
    ph_test_response *r = ph_client_get(shared, "/");
    int ok = r && r->status == 200;
    ph_test_response_free(r);
    return ok ? 0 : -1;
}

static int body_many(ph_app *app, ph_test_client *c) {
    shared = c;
    enum { N = 20 };
    ph_task_fn fns[N];
    void *args[N];
    for (int i = 0; i < N; i++) {
        fns[i] = get_one;
        args[i] = NULL;
    }
    in_flight = max_in_flight = 0;
    cr_assert_eq(ph_gather(N, fns, args, NULL), 0);
    cr_expect_eq(max_in_flight, N, "all %d requests were in the view at once", N);
    cr_expect_eq(in_flight, 0);
    return 0;
}

Test(fw_async, twenty_concurrent_requests_are_all_in_flight_at_once) {
    ph_app *app = fw_app();
    ph_route(app, "/", counting_view);
    fw_run(app, body_many);
}

static int slow_first(ph_app *app) {
    ph_sleep(0.005);
    note("first");
    return 0;
}

Test(fw_async, before_first_request_may_suspend) {
    ph_app *app = fw_app();
    trace[0] = '\0';
    ph_route(app, "/", sleepy_view);
    ph_before_first_request(app, slow_first);
    FW_CHECK(app, {"GET", "/", 200, "from thread 42"});
    cr_expect_str_eq(trace, "first view");
}
