/*
 * Errors through the test client: ph_abort from the view, from a helper
 * deep in the view and from before_request; Werkzeug's error pages; error
 * handlers by status and by kind (app-declared kinds with parents, the most
 * specific winning); unhandled errors (500 and a log line); failures inside
 * error handlers, which never crash.
 */
#include "fw_common.h"

static const ph_error_kind APP_ERROR = {"AppError", 400, NULL};
static const ph_error_kind VALIDATION = {"ValidationError", 422, &APP_ERROR};
static const ph_error_kind MISSING_FIELD = {"MissingField", 422, &VALIDATION};
static const ph_error_kind CRASH = {"Crash", 0, NULL};

/* ---- abort ------------------------------------------------------------------------ */

static ph_response *abort_404(ph_request *req) { return ph_abort(req, 404); }

Test(fw_errors, abort_from_the_view_gives_the_status_page) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    FW_CHECK(app, {"GET", "/", 404,
                   "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not "
                   "Found</h1>\n<p>The requested URL was not found on the server. If you "
                   "entered the URL manually please check your spelling and try again.</p>\n"});
}

/* A helper three calls down: it aborts and returns NULL. */
static const char *load_user_deep(ph_request *req, int depth) {
    if (depth > 0)
        return load_user_deep(req, depth - 1);
    ph_abort(req, 403);
    return NULL;
}

static ph_response *helper_aborts(ph_request *req) {
    const char *user = load_user_deep(req, 3);
    if (!user)
        return NULL;
    return ph_text(req, 200, user);
}

Test(fw_errors, abort_from_a_helper_deep_in_the_view) {
    ph_app *app = fw_app();
    ph_route(app, "/", helper_aborts);
    FW_CHECK(app, {"GET", "/", 403,
                   "<!doctype html>\n<html lang=en>\n<title>403 Forbidden</title>\n<h1>Forbidden"
                   "</h1>\n<p>You don&#39;t have the permission to access the requested "
                   "resource. It is either read-protected or not readable by the server.</p>\n"});
}

static ph_response *helper_aborts_but_view_returns_text(ph_request *req) {
    load_user_deep(req, 1);
    return ph_text(req, 200, "ignored"); /* the recorded error wins */
}

Test(fw_errors, recorded_abort_wins_over_a_returned_response) {
    ph_app *app = fw_app();
    ph_route(app, "/", helper_aborts_but_view_returns_text);
    FW_CHECK(app, {"GET", "/", 403, NULL});
}

static ph_response *before_401(ph_request *req) {
    return strcmp(ph_request_path(req), "/open") == 0 ? NULL : ph_abort(req, 401);
}

Test(fw_errors, abort_from_before_request) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    ph_route(app, "/open", fw_ok_view);
    ph_before_request(app, before_401);
    FW_CHECK(app, {"GET", "/", 401, NULL}, {"GET", "/open", 200, "ok"});
}

static ph_response *abort_msg(ph_request *req) {
    return ph_abort_msg(req, 400, "field <%s> is \"bad\" & 'wrong'\nsecond line", "age");
}

Test(fw_errors, abort_message_is_escaped_on_the_page) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_msg);
    FW_CHECK(app, {"GET", "/", 400,
                   "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad "
                   "Request</h1>\n<p>field &lt;age&gt; is &#34;bad&#34; &amp; &#39;wrong&#39;"
                   "<br>second line</p>\n"});
}

static ph_response *abort_200(ph_request *req) { return ph_abort(req, 200); }

Test(fw_errors, abort_with_a_non_error_status_gives_500) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_200);
    FW_CHECK(app, {"GET", "/", 500, NULL});
}


static ph_response *no_error_view(ph_request *req) {
    return ph_text(req, 200, ph_request_error(req) ? "error" : "none");
}

Test(fw_errors, no_error_is_recorded_on_a_good_request) {
    ph_app *app = fw_app();
    ph_route(app, "/", no_error_view);
    FW_CHECK(app, {"GET", "/", 200, "none"});
}

/* ---- handlers by status ------------------------------------------------------------ */

static ph_response *custom_404(ph_request *req, const ph_error *err) {
    return ph_text(req, 404, ph_request_printf(req, "custom %d %s", err->status, err->kind->name));
}

Test(fw_errors, status_handler_answers_aborts) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, custom_404);
    FW_CHECK(app, {"GET", "/", 404, "custom 404 HTTPException"});
}

Test(fw_errors, status_handler_answers_routing_404) {
    ph_app *app = fw_app();
    ph_errorhandler(app, 404, custom_404);
    FW_CHECK(app, {"GET", "/nowhere", 404, "custom 404 HTTPException"});
}

static ph_response *custom_405(ph_request *req, const ph_error *err) {
    return ph_text(req, 405, "no such method here");
}

Test(fw_errors, status_handler_answers_405) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    ph_errorhandler(app, 405, custom_405);
    FW_CHECK(app, {"POST", "/", 405, "no such method here"});
}

static ph_response *handler_200(ph_request *req, const ph_error *err) {
    return ph_text(req, 200, "recovered");
}

Test(fw_errors, handler_may_answer_with_any_status) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, handler_200);
    FW_CHECK(app, {"GET", "/", 200, "recovered"});
}

Test(fw_errors, registering_a_status_twice_replaces_the_handler) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, custom_404);
    ph_errorhandler(app, 404, handler_200);
    FW_CHECK(app, {"GET", "/", 200, "recovered"});
}

Test(fw_errors, handler_for_another_status_is_not_used) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 403, handler_200);
    FW_CHECK(app, {"GET", "/", 404, NULL});
}

Test(fw_errors, errorhandler_refuses_bad_arguments) {
    ph_app *app = fw_app();
    cr_expect_eq(ph_errorhandler(app, 399, handler_200), PH_EINVAL);
    cr_expect_eq(ph_errorhandler(app, 600, handler_200), PH_EINVAL);
    cr_expect_eq(ph_errorhandler(app, 404, NULL), PH_EINVAL);
    cr_expect_eq(ph_errorhandler_kind(app, NULL, handler_200), PH_EINVAL);
    cr_expect_eq(ph_errorhandler_kind(app, &VALIDATION, NULL), PH_EINVAL);
    ph_app_free(app);
}

static ph_response *after_tag(ph_request *req, ph_response *r) {
    ph_response_set_header(r, "X-Tag", "after");
    return r;
}

Test(fw_errors, handler_response_goes_through_after_request) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, handler_200);
    ph_after_request(app, after_tag);
    FW_CHECK(app, {"GET", "/", 200, "recovered", "X-Tag", "after"});
}

/* ---- handlers by kind ---------------------------------------------------------------- */

static ph_response *fail_missing(ph_request *req) {
    return ph_fail(req, &MISSING_FIELD, "the field %s is required", "name");
}

static ph_response *fail_validation(ph_request *req) {
    return ph_fail(req, &VALIDATION, "bad");
}

static ph_response *fail_app(ph_request *req) { return ph_fail(req, &APP_ERROR, NULL); }

static ph_response *on_kind(ph_request *req, const ph_error *err) {
    return ph_text(req, err->status,
                   ph_request_printf(req, "kind:%s %s", err->kind->name,
                                     err->message ? err->message : "-"));
}

static ph_response *on_validation(ph_request *req, const ph_error *err) {
    return ph_text(req, 422, ph_request_printf(req, "validation:%s", err->kind->name));
}

static ph_response *on_app_error(ph_request *req, const ph_error *err) {
    return ph_text(req, 400, ph_request_printf(req, "app:%s", err->kind->name));
}

Test(fw_errors, kind_handler_answers_its_kind) {
    ph_app *app = fw_app();
    ph_route(app, "/", fail_missing);
    ph_errorhandler_kind(app, &MISSING_FIELD, on_kind);
    FW_CHECK(app, {"GET", "/", 422, "kind:MissingField the field name is required"});
}

Test(fw_errors, parent_kind_handler_catches_descendants) {
    ph_app *app = fw_app();
    ph_route(app, "/m", fail_missing);
    ph_route(app, "/v", fail_validation);
    ph_route(app, "/a", fail_app);
    ph_errorhandler_kind(app, &APP_ERROR, on_app_error);
    FW_CHECK(app, {"GET", "/m", 400, "app:MissingField"}, {"GET", "/v", 400, "app:ValidationError"},
             {"GET", "/a", 400, "app:AppError"});
}

Test(fw_errors, most_specific_kind_handler_wins) {
    ph_app *app = fw_app();
    ph_route(app, "/m", fail_missing);
    ph_route(app, "/v", fail_validation);
    ph_route(app, "/a", fail_app);
    /* Registered parent first, so order of registration is not what decides. */
    ph_errorhandler_kind(app, &APP_ERROR, on_app_error);
    ph_errorhandler_kind(app, &VALIDATION, on_validation);
    FW_CHECK(app, {"GET", "/m", 422, "validation:MissingField"},
             {"GET", "/v", 422, "validation:ValidationError"}, {"GET", "/a", 400, "app:AppError"});
}

Test(fw_errors, kind_handler_beats_status_handler) {
    ph_app *app = fw_app();
    ph_route(app, "/", fail_validation);
    ph_errorhandler(app, 422, handler_200);
    ph_errorhandler_kind(app, &VALIDATION, on_validation);
    FW_CHECK(app, {"GET", "/", 422, "validation:ValidationError"});
}

Test(fw_errors, status_handler_takes_a_kind_without_handler) {
    ph_app *app = fw_app();
    ph_route(app, "/", fail_validation);
    ph_errorhandler(app, 422, handler_200);
    FW_CHECK(app, {"GET", "/", 200, "recovered"});
}

Test(fw_errors, http_error_kind_handler_catches_every_abort) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler_kind(app, &PH_HTTP_ERROR, on_kind);
    FW_CHECK(app, {"GET", "/", 404, "kind:HTTPException -"}, {"GET", "/x", 404, NULL},
             {"POST", "/", 405, "kind:HTTPException -"});
}

Test(fw_errors, status_handler_beats_http_error_kind_handler_for_aborts) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler_kind(app, &PH_HTTP_ERROR, on_kind);
    ph_errorhandler(app, 404, custom_404);
    FW_CHECK(app, {"GET", "/", 404, "custom 404 HTTPException"});
}

Test(fw_errors, unhandled_kind_uses_its_status_page) {
    ph_app *app = fw_app();
    ph_route(app, "/", fail_validation);
    FW_CHECK(app, {"GET", "/", 422, NULL});
}

/* ---- unhandled errors ------------------------------------------------------------------ */

static ph_response *crash_view(ph_request *req) {
    return ph_fail(req, &CRASH, "secret detail %d", 42);
}

#define SERVER_ERROR_PAGE                                                                         \
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal "    \
    "Server Error</h1>\n<p>The server encountered an internal error and was unable to complete " \
    "your request. Either the server is overloaded or there is an error in the "                 \
    "application.</p>\n"

Test(fw_errors, unhandled_error_gives_500_and_a_log_line) {
    ph_app *app = fw_app();
    ph_route(app, "/", crash_view);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "Crash") && strstr(log, "secret detail 42") && strstr(log, "GET /"),
              "log: %s", log);
    free(log);
}

static ph_response *null_view(ph_request *req) { return NULL; }

Test(fw_errors, view_returning_null_without_error_gives_500_and_a_log_line) {
    ph_app *app = fw_app();
    ph_route(app, "/", null_view);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "did not return a response") != NULL, "log: %s", log);
    free(log);
}

static ph_response *on_500(ph_request *req, const ph_error *err) {
    return ph_text(req, 500, ph_request_printf(req, "sorry (%s)", err->kind->name));
}

Test(fw_errors, status_500_handler_answers_unhandled_errors) {
    ph_app *app = fw_app();
    ph_route(app, "/", crash_view);
    ph_errorhandler(app, 500, on_500);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, "sorry (Crash)"});
    free(fw_log_end(&l));
}

Test(fw_errors, unhandled_error_details_stay_out_of_the_page) {
    ph_app *app = fw_app();
    ph_route(app, "/", crash_view);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE}); /* no "secret detail" */
    free(fw_log_end(&l));
}

/* ---- failures while handling ------------------------------------------------------------ */

static ph_response *handler_fails(ph_request *req, const ph_error *err) {
    return ph_abort(req, 409);
}

Test(fw_errors, error_inside_an_error_handler_gives_500) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, handler_fails);
    ph_errorhandler(app, 409, handler_200); /* not used: no recursion */
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE}, {"GET", "/", 500, NULL});
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "error handler") != NULL, "log: %s", log);
    free(log);
}

static ph_response *handler_null(ph_request *req, const ph_error *err) { return NULL; }

Test(fw_errors, error_handler_returning_null_gives_500) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, handler_null);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE});
    free(fw_log_end(&l));
}

static ph_response *handler_500_fails(ph_request *req, const ph_error *err) {
    return ph_fail(req, &CRASH, "again");
}

Test(fw_errors, failing_500_handler_still_answers_500) {
    ph_app *app = fw_app();
    ph_route(app, "/", crash_view);
    ph_errorhandler(app, 500, handler_500_fails);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE}, {"GET", "/", 500, SERVER_ERROR_PAGE});
    free(fw_log_end(&l));
}

static ph_response *abort_twice(ph_request *req) {
    ph_abort(req, 404);
    return ph_abort(req, 400); /* the first error wins */
}

Test(fw_errors, first_recorded_error_wins) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_twice);
    FW_CHECK(app, {"GET", "/", 404, NULL});
}

static ph_response *kind_without_parent_status(ph_request *req) {
    return ph_fail(req, NULL, NULL);
}

Test(fw_errors, fail_without_a_kind_is_an_internal_error) {
    ph_app *app = fw_app();
    ph_route(app, "/", kind_without_parent_status);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE});
    free(fw_log_end(&l));
}

/* ---- Werkzeug's own texts are escaped (checked against werkzeug.exceptions) -------- */

static ph_response *abort_by_arg(ph_request *req) {
    int64_t st = 500;
    ph_view_arg_int(req, "st", &st);
    return ph_abort(req, (int)st);
}

Test(fw_errors, default_pages_escape_werkzeugs_texts_and_names) {
    ph_app *app = fw_app();
    ph_route(app, "/<int:st>", abort_by_arg);
    FW_CHECK(app,
             {"GET", "/418", 418,
              "<!doctype html>\n<html lang=en>\n<title>418 I&#39;m a teapot</title>\n<h1>I&#39;m "
              "a teapot</h1>\n<p>This server is a teapot, not a coffee machine</p>\n"},
             {"GET", "/411", 411,
              "<!doctype html>\n<html lang=en>\n<title>411 Length Required</title>\n<h1>Length "
              "Required</h1>\n<p>A request with this method requires a valid "
              "&lt;code&gt;Content-Length&lt;/code&gt; header.</p>\n"},
             {"GET", "/428", 428,
              "<!doctype html>\n<html lang=en>\n<title>428 Precondition Required</title>\n"
              "<h1>Precondition Required</h1>\n<p>This request is required to be conditional; "
              "try using &#34;If-Match&#34; or &#34;If-Unmodified-Since&#34;.</p>\n"});
}

/* Codes Werkzeug has no exception for are named by their reason phrase;
 * one with none is an "Unknown Error", as HTTPException's name. */
Test(fw_errors, pages_of_other_codes_are_named_by_their_reason_phrase) {
    ph_app *app = fw_app();
    ph_route(app, "/<int:st>", abort_by_arg);
    FW_CHECK(app,
             {"GET", "/407", 407,
              "<!doctype html>\n<html lang=en>\n<title>407 Proxy Authentication Required</title>\n"
              "<h1>Proxy Authentication Required</h1>\n<p></p>\n"},
             {"GET", "/511", 511,
              "<!doctype html>\n<html lang=en>\n<title>511 Network Authentication "
              "Required</title>\n<h1>Network Authentication Required</h1>\n<p></p>\n"},
             {"GET", "/419", 419,
              "<!doctype html>\n<html lang=en>\n<title>419 Unknown Error</title>\n"
              "<h1>Unknown Error</h1>\n<p></p>\n"});
}

/* ---- a failing handler or hook goes to the 500 handler ----------------------
 * Flask's handle_exception: when an error handler or an after_request hook
 * fails, the app's 500 handler answers (with an InternalServerError), and
 * teardown sees the failure; only when that handler is the one that failed,
 * or fails in its turn, does the default page answer. */

static int teardown_saw;

static void note_teardown(ph_request *req, const ph_error *err) {
    teardown_saw = err ? err->status : 0;
}

static ph_response *custom_500(ph_request *req, const ph_error *err) {
    return ph_text(req, 500, ph_request_printf(req, "custom 500 (%d)", err ? err->status : 0));
}

static ph_response *after_fails(ph_request *req, ph_response *r) { return ph_abort(req, 404); }

/* GET / answered by custom_500, teardown seeing `teardown`; returns the log. */
static char *answered_by_the_500_handler(ph_app *app, int teardown) {
    ph_errorhandler(app, 500, custom_500);
    ph_teardown_request(app, note_teardown);
    fw_log l;
    fw_log_begin(&l);
    teardown_saw = -1;
    FW_CHECK(app, {"GET", "/", 500, "custom 500 (500)"});
    cr_expect_eq(teardown_saw, teardown, "teardown sees the failure");
    return fw_log_end(&l);
}

Test(fw_errors, a_failing_error_handler_is_answered_by_the_500_handler) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, handler_fails);
    free(answered_by_the_500_handler(app, 409));
}

Test(fw_errors, a_failing_after_request_hook_is_answered_by_the_500_handler) {
    ph_app *app = fw_app();
    ph_route(app, "/", no_error_view);
    ph_after_request(app, after_fails);
    char *log = answered_by_the_500_handler(app, 404);
    cr_expect(strstr(log, "after_request hook failed") != NULL, "log: %s", log);
    free(log);
}

Test(fw_errors, a_500_handler_that_fails_after_another_failure_gives_the_default_page) {
    ph_app *app = fw_app();
    ph_route(app, "/", abort_404);
    ph_errorhandler(app, 404, handler_fails);
    ph_errorhandler(app, 500, handler_500_fails);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, SERVER_ERROR_PAGE});
    free(fw_log_end(&l));
}
