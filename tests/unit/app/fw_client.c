/*
 * The test client itself: every method, query strings, headers, form,
 * multipart and JSON bodies with their content types, the cookie jar across
 * calls, following redirects, raw protocol apps, and requests running in
 * their own tasks while the test awaits other things (concurrent requests
 * overlap).
 */
#include "fw_common.h"

static ph_response *echo_view(ph_request *req) {
    const char *ct = ph_request_header(req, "Content-Type");
    const char *cl = ph_request_header(req, "Content-Length");
    const char *x = ph_request_header(req, "X-Test");
    return ph_text(req, 200,
                   ph_request_printf(req, "%s %s q=%s ct=%s cl=%s x=%s", ph_request_method(req),
                                     ph_request_path(req), ph_request_query_string(req),
                                     ct ? ct : "-", cl ? cl : "-", x ? x : "-"));
}

static ph_app *echo_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/<path:p>", echo_view,
             .methods = PH_GET | PH_POST | PH_PUT | PH_PATCH | PH_DELETE | PH_OPTIONS);
    return app;
}

static int body_methods(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/a"), 200, "GET /a q= ct=- cl=- x=-");
    fw_expect(ph_client_post(c, "/a"), 200, "POST /a q= ct=- cl=- x=-");
    fw_expect(ph_client_put(c, "/a"), 200, "PUT /a q= ct=- cl=- x=-");
    fw_expect(ph_client_patch(c, "/a"), 200, "PATCH /a q= ct=- cl=- x=-");
    fw_expect(ph_client_delete(c, "/a"), 200, "DELETE /a q= ct=- cl=- x=-");
    fw_expect(ph_client_options(c, "/a"), 200, "OPTIONS /a q= ct=- cl=- x=-");
    fw_expect(ph_client_head(c, "/a"), 200, "");
    fw_expect(ph_client_request_(c, "GET", "/b", &(ph_client_opts){0}), 200, NULL);
    return 0;
}

Test(fw_client, every_method_reaches_the_view) { fw_run(echo_app(), body_methods); }

static int body_query(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/a?x=1"), 200, "GET /a q=x=1 ct=- cl=- x=-");
    fw_expect(ph_client_get(c, "/a", .query = "y=2"), 200, "GET /a q=y=2 ct=- cl=- x=-");
    fw_expect(ph_client_get(c, "/a?x=1", .query = "y=2"), 200, "GET /a q=x=1&y=2 ct=- cl=- x=-");
    fw_expect(ph_client_get(c, "/a%2Fb"), 200, "GET /a/b q= ct=- cl=- x=-");
    return 0;
}

Test(fw_client, query_in_the_url_and_as_an_option) { fw_run(echo_app(), body_query); }

static int body_headers(ph_app *app, ph_test_client *c) {
    const char *h[] = {"X-Test", "hello", NULL};
    fw_expect(ph_client_get(c, "/a", .headers = h), 200, "GET /a q= ct=- cl=- x=hello");
    return 0;
}

Test(fw_client, headers_are_sent) { fw_run(echo_app(), body_headers); }

static int body_content_types(ph_app *app, ph_test_client *c) {
    const char *form[] = {"a", "1", NULL};
    fw_expect(ph_client_post(c, "/f", .form = form), 200,
              "POST /f q= ct=application/x-www-form-urlencoded cl=3 x=-");
    fw_expect(ph_client_post(c, "/j", .json = json_pack("[i]", 1)), 200,
              "POST /j q= ct=application/json cl=3 x=-");
    fw_expect(ph_client_post(c, "/r", .body = "raw", .body_len = 3, .content_type = "text/csv"),
              200, "POST /r q= ct=text/csv cl=3 x=-");
    ph_client_file f = {"f", "a.txt", "text/plain", "x", 1};
    ph_test_response *r = ph_client_post(c, "/m", .files = &f, .nfiles = 1);
    cr_expect(strstr(r->body, "ct=multipart/form-data; boundary=") != NULL, "%s", r->body);
    ph_test_response_free(r);
    return 0;
}

Test(fw_client, bodies_carry_their_content_type_and_length) {
    fw_run(echo_app(), body_content_types);
}

static int body_bad_args(ph_app *app, ph_test_client *c) {
    cr_expect_null(ph_client_get(c, "no-slash"));
    cr_expect_null(ph_client_request_(c, NULL, "/", &(ph_client_opts){0}));
    cr_expect_null(ph_client_request_(NULL, "GET", "/", &(ph_client_opts){0}));
    cr_expect_null(ph_test_client_new(NULL));
    cr_expect_null(ph_test_client_new_proto((ph_proto_app){0}));
    ph_test_client_free(NULL);
    ph_test_response_free(NULL);
    return 0;
}

Test(fw_client, bad_arguments_are_refused) { fw_run(echo_app(), body_bad_args); }

static int body_url(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/where?x=1");
    cr_expect_str_eq(r->url, "/where?x=1");
    cr_expect_eq(r->redirects, 0);
    cr_expect_null(ph_test_response_json(r), "not JSON");
    ph_test_response_free(r);
    return 0;
}

Test(fw_client, response_records_the_url_and_is_not_json) { fw_run(echo_app(), body_url); }

/* ---- the cookie jar -------------------------------------------------------------------- */

static ph_response *login_view(ph_request *req) {
    ph_response *r = ph_redirect(req, "/me", 302);
    ph_response_set_cookie(r, "sid", "abc123", .httponly = true);
    return r;
}

static ph_response *me_view(ph_request *req) {
    const char *sid = ph_request_cookie(req, "sid");
    const char *extra = ph_request_cookie(req, "extra");
    return ph_text(req, 200,
                   ph_request_printf(req, "sid=%s extra=%s", sid ? sid : "-", extra ? extra : "-"));
}

static ph_response *logout_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "bye");
    ph_response_delete_cookie(r, "sid", NULL, NULL);
    return r;
}

static ph_response *quoted_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "q");
    ph_response_set_cookie(r, "extra", "a b;c");
    return r;
}

static ph_app *jar_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/login", login_view, .methods = PH_POST);
    ph_route(app, "/me", me_view);
    ph_route(app, "/logout", logout_view);
    ph_route(app, "/quoted", quoted_view);
    return app;
}

static int body_jar(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/me"), 200, "sid=- extra=-");
    fw_expect(ph_client_post(c, "/login"), 302, NULL);
    cr_expect_str_eq(ph_test_client_cookie(c, "sid"), "abc123");
    fw_expect(ph_client_get(c, "/me"), 200, "sid=abc123 extra=-");
    fw_expect(ph_client_get(c, "/logout"), 200, "bye");
    cr_expect_null(ph_test_client_cookie(c, "sid"), "delete_cookie removes it from the jar");
    fw_expect(ph_client_get(c, "/me"), 200, "sid=- extra=-");
    return 0;
}

Test(fw_client, cookie_jar_keeps_and_deletes_cookies_across_calls) { fw_run(jar_app(), body_jar); }

static int body_jar_redirect(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/login", .follow_redirects = true);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(r->body, "sid=abc123 extra=-", "the cookie set on the redirect is sent");
    cr_expect_str_eq(r->url, "/me");
    cr_expect_eq(r->redirects, 1);
    ph_test_response_free(r);
    return 0;
}

Test(fw_client, cookie_set_on_a_redirect_is_sent_to_the_target) {
    fw_run(jar_app(), body_jar_redirect);
}

static int body_jar_set(ph_app *app, ph_test_client *c) {
    cr_expect_eq(ph_test_client_set_cookie(c, "extra", "e1"), 0);
    cr_expect_eq(ph_test_client_set_cookie(c, "sid", "s1"), 0);
    cr_expect_eq(ph_test_client_set_cookie(c, "sid", "s2"), 0); /* replaces */
    fw_expect(ph_client_get(c, "/me"), 200, "sid=s2 extra=e1");
    cr_expect_null(ph_test_client_cookie(c, "absent"));
    return 0;
}

Test(fw_client, cookies_put_in_the_jar_are_sent) { fw_run(jar_app(), body_jar_set); }

static int body_jar_quoted(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/quoted"), 200, "q");
    fw_expect(ph_client_get(c, "/me"), 200, "sid=- extra=a b;c");
    return 0;
}

Test(fw_client, quoted_cookie_values_round_trip) { fw_run(jar_app(), body_jar_quoted); }

/* ---- redirects --------------------------------------------------------------------- */

static ph_response *hop_view(ph_request *req) {
    int64_t n = 0;
    ph_view_arg_int(req, "n", &n);
    if (n == 0)
        return ph_text(req, 200, "arrived");
    return ph_redirect(req, ph_request_printf(req, "http://localhost/hop/%lld", (long long)n - 1),
                       302);
}

static ph_response *loop_view(ph_request *req) { return ph_redirect(req, "/loop", 302); }

static int body_hops(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/hop/3", .follow_redirects = true);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(r->body, "arrived");
    cr_expect_eq(r->redirects, 3);
    cr_expect_str_eq(r->url, "/hop/0", "absolute Locations keep their path");
    ph_test_response_free(r);
    r = ph_client_get(c, "/loop", .follow_redirects = true);
    cr_expect_eq(r->status, 302, "a loop stops");
    cr_expect_eq(r->redirects, 10);
    ph_test_response_free(r);
    fw_expect(ph_client_get(c, "/hop/1"), 302, NULL); /* not followed unless asked */
    return 0;
}

Test(fw_client, redirect_chains_followed_and_loops_stopped) {
    ph_app *app = fw_app();
    ph_route(app, "/hop/<int:n>", hop_view);
    ph_route(app, "/loop", loop_view);
    fw_run(app, body_hops);
}

/* ---- raw protocol apps -------------------------------------------------------------- */

static int raw_app(void *self, const ph_scope *scope, ph_channel *ch) {
    ph_header h[] = {{PH_SLICE_LIT("X-Raw"), PH_SLICE_LIT("1")}};
    ph_message start = {.type = PH_MSG_HTTP_RESPONSE_START, .status = 203, .headers = h,
                        .nheaders = 1};
    ph_message body = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = PH_SLICE_LIT("raw"),
                       .more_body = 1};
    ph_message end = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = PH_SLICE_LIT("!")};
    ph_send(ch, &start);
    ph_send(ch, &body);
    return ph_send(ch, &end);
}

static int silent_app(void *self, const ph_scope *scope, ph_channel *ch) { return PH_EIO; }

static int body_raw(ph_app *app, ph_test_client *unused) {
    ph_test_client *c = ph_test_client_new_proto((ph_proto_app){raw_app, NULL});
    ph_test_response *r = ph_client_get(c, "/");
    cr_expect_eq(r->status, 203);
    cr_expect_str_eq(r->body, "raw!");
    fw_expect_header(r, "X-Raw", "1");
    ph_test_response_free(r);
    ph_test_client_free(c);
    c = ph_test_client_new_proto((ph_proto_app){silent_app, NULL});
    fw_expect(ph_client_get(c, "/"), 500, ""); /* nothing sent: a bare 500 */
    ph_test_client_free(c);
    return 0;
}

Test(fw_client, raw_protocol_apps_and_apps_that_send_nothing) { fw_run(fw_app(), body_raw); }

/* ---- concurrency -------------------------------------------------------------------- */

static int in_view, max_in_view, ticks_in_view;
static int ticks;

static ph_response *slow_view(ph_request *req) {
    if (++in_view > max_in_view)
        max_in_view = in_view;
    int before = ticks;
    ph_sleep(0.05);
    ticks_in_view += ticks - before;
    in_view--;
    return ph_text(req, 200, "slow");
}

static ph_test_client *shared;

static int slow_get(void *arg) {
    ph_test_response *r = ph_client_get(shared, "/slow");
    int rc = r && r->status == 200 && strcmp(r->body, "slow") == 0 ? 0 : -1;
    ph_test_response_free(r);
    return rc;
}

static int body_gather(ph_app *app, ph_test_client *c) {
    shared = c;
    ph_task_fn fns[4] = {slow_get, slow_get, slow_get, slow_get};
    void *args[4] = {0};
    in_view = max_in_view = 0;
    cr_assert_eq(ph_gather(4, fns, args, NULL), 0);
    /* Proven by counting, not timing: all four were inside the view at once. */
    cr_expect_eq(max_in_view, 4, "4 requests to a sleeping view overlap: %d at once", max_in_view);
    return 0;
}

Test(fw_client, gathered_requests_to_a_sleeping_view_overlap) {
    ph_app *app = fw_app();
    ph_route(app, "/slow", slow_view);
    fw_run(app, body_gather);
}

static int stop_ticking;

static int ticker(void *arg) {
    while (!stop_ticking) {
        ph_yield();
        ticks++;
    }
    return 0;
}

static int body_await_other(ph_app *app, ph_test_client *c) {
    ticks = ticks_in_view = stop_ticking = 0;
    ph_task *t = ph_spawn(ticker, NULL);
    fw_expect(ph_client_get(c, "/slow"), 200, "slow");
    stop_ticking = 1;
    cr_expect(ticks_in_view > 0, "another task ran while the view was suspended: %d ticks",
              ticks_in_view);
    cr_expect_eq(ph_join(t), 0);
    return 0;
}

Test(fw_client, other_tasks_run_while_a_request_is_served) {
    ph_app *app = fw_app();
    ph_route(app, "/slow", slow_view);
    fw_run(app, body_await_other);
}

/* ---- a caller that gives up ----------------------------------------------------------- */

static int late_rc;

static ph_response *very_slow_view(ph_request *req) {
    late_rc = ph_sleep(0.2);
    return ph_text(req, 200, "late");
}

static ph_test_response *timed_out_response;

static int timed_get(void *arg) {
    static const char body[] = "some body the app reads late";
    timed_out_response = ph_client_post(shared, "/veryslow", .body = body,
                                        .body_len = sizeof(body) - 1, .chunk_size = 4);
    return 0;
}

static int body_timeout(ph_app *app, ph_test_client *c) {
    shared = c;
    timed_out_response = (ph_test_response *)1;
    late_rc = 1;
    cr_expect_eq(ph_with_timeout(0.02, timed_get, NULL), PH_ETIMEDOUT);
    cr_expect_null(timed_out_response, "no response for a caller that gave up");
    ph_sleep(0.03); /* the abandoned request finishes (cancelled) and frees itself */
    cr_expect_eq(late_rc, PH_ECANCELED, "the app task was cancelled");
    fw_expect(ph_client_get(c, "/ok"), 200, "ok");
    return 0;
}

Test(fw_client, caller_timing_out_abandons_the_request_safely) {
    ph_app *app = fw_app();
    ph_route(app, "/veryslow", very_slow_view, .methods = PH_POST);
    ph_route(app, "/ok", fw_ok_view);
    fw_run(app, body_timeout);
}

static ph_response *old_cookie_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "old");
    ph_response_set_cookie(r, "k", "v", .expires = 946684800, .has_expires = true); /* 2000 */
    return r;
}

static int body_old_cookie(ph_app *app, ph_test_client *c) {
    ph_test_client_set_cookie(c, "k", "before");
    fw_expect(ph_client_get(c, "/"), 200, "old");
    cr_expect_null(ph_test_client_cookie(c, "k"), "a past Expires deletes the cookie");
    return 0;
}

Test(fw_client, cookie_with_a_past_expires_is_removed_from_the_jar) {
    ph_app *app = fw_app();
    ph_route(app, "/", old_cookie_view);
    fw_run(app, body_old_cookie);
}

static ph_response *future_cookie_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "new");
    ph_response_set_cookie(r, "k", "v", .expires = 4102444800, .has_expires = true); /* 2100 */
    return r;
}

static int body_future_cookie(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/"), 200, "new");
    cr_expect_str_eq(ph_test_client_cookie(c, "k"), "v");
    return 0;
}

Test(fw_client, cookie_with_a_future_expires_is_kept) {
    ph_app *app = fw_app();
    ph_route(app, "/", future_cookie_view);
    fw_run(app, body_future_cookie);
}
