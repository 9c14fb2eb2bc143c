/*
 * Every public function given NULL for a pointer it takes (the object it
 * works on, a name, a key, a buffer, a function) returns its failure value
 * (PH_EINVAL, NULL, 0, false or the fallback) or does nothing, and never
 * crashes; where NULL means something (a default, "the current task") it
 * does that. Functions that steal a JSON value steal it on these paths too
 * (the ASan build's leak check sees any that would not). Options given as
 * NULL are covered by null_options.c, and printf-style formats are not
 * tried with NULL: the compiler's format checking guards those.
 */
#include "fw_common.h"

static ph_response *ok_view(ph_request *req) { return ph_text(req, 200, "ok"); }
static const ph_method_views mv_views = {.get = ok_view};
static int ws_handler(ph_websocket *ws) { return 0; }
static ph_response *before_hook(ph_request *req) { return NULL; }
static ph_response *after_hook(ph_request *req, ph_response *resp) { return resp; }
static ph_response *after_this_hook(ph_request *req, ph_response *resp, void *arg) { return resp; }
static void teardown_hook(ph_request *req, const ph_error *err) {}
static void teardown_app_hook(ph_app *app, const ph_error *err) {}
static int first_hook(ph_app *app) { return 0; }
static void url_pre(ph_request *req, const char *endpoint) {}
static void url_defaults(ph_request *req, const char *endpoint, json_t *values) {}
static ph_response *handler(ph_request *req, const ph_error *err) { return NULL; }
static int cmd_fn(ph_cli_ctx *ctx) { return 0; }
static int ret_zero(void *arg) { return 0; }
static void *thread_fn(void *arg) { return arg; }
static int empty_stream(ph_stream *s, void *arg) { return 0; }
static int stream_write_fn(void *ud, const char *data, size_t len) { return 0; }

static int ran;
static int count_run(void *arg) {
    ran++;
    return 0;
}

/* ---- vocabulary, the app protocol, the server ----------------------------- */

Test(null_args, websockets) {
    ph_app *app = fw_app();
    ph_blueprint *bp = ph_blueprint_new("bp");
    cr_expect_eq(ph_websocket_(NULL, "/ws", ws_handler, NULL), PH_EINVAL);
    cr_expect_eq(ph_websocket_(app, NULL, ws_handler, NULL), PH_EINVAL);
    cr_expect_eq(ph_websocket_(app, "/ws", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_websocket_(app, "/ws", ws_handler, NULL), 0, "NULL options: the defaults");
    cr_expect_eq(ph_bp_websocket_(NULL, "/ws", ws_handler, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_websocket_(bp, NULL, ws_handler, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_websocket_(bp, "/ws", NULL, NULL), PH_EINVAL);
    cr_expect_null(ph_ws_request(NULL));
    cr_expect_null(ph_request_websocket(NULL));
    const char *out[2];
    cr_expect_eq(ph_ws_subprotocols(NULL, out, 2), 0);
    cr_expect_eq(ph_ws_accept(NULL, NULL), PH_EINVAL);
    ph_ws_message m;
    cr_expect_eq(ph_ws_receive(NULL, &m), PH_EINVAL);
    cr_expect_eq(ph_ws_send_text(NULL, "x", 1), PH_EINVAL);
    cr_expect_eq(ph_ws_send_binary(NULL, "x", 1), PH_EINVAL);
    cr_expect_eq(ph_ws_close(NULL, 1000, NULL), PH_EINVAL);
    ph_app_free(app);
    ph_blueprint_free(bp);
}

Test(null_args, http_names_scopes_and_middleware) {
    cr_expect_eq(ph_method_from_name(NULL, 3), 0u);
    cr_expect_eq(ph_method_from_name(NULL, 0), 0u);
    cr_expect_eq(ph_log_level_parse(NULL), PH_EINVAL);

    static const ph_header h = {PH_SLICE_LIT("Host"), PH_SLICE_LIT("x")};
    ph_scope scope = {.type = PH_SCOPE_HTTP, .headers = &h, .nheaders = 1};
    cr_expect_null(ph_scope_header(NULL, "host").ptr);
    cr_expect_null(ph_scope_header(&scope, NULL).ptr);

    ph_app *app = fw_app();
    ph_proto_app none = {0};
    cr_expect_null(ph_proxy_headers_app(none, "*").call, "no inner app");
    cr_expect_null(ph_proxy_headers_app(ph_app_proto(app), NULL).call, "no trusted list");
    ph_proxy_headers_free(none);
    cr_expect_eq(ph_serve_(none, NULL), PH_EINVAL, "returns at once, serves nothing");
    cr_expect_null(ph_test_client_new_proto(none));
    ph_app_free(app);
}

/* ---- the app during setup ------------------------------------------------ */

Test(null_args, app_registration) {
    ph_app *named = ph_app_new(NULL);
    cr_assert_not_null(named, "NULL names the app \"app\"");
    cr_expect_str_eq(ph_app_name(named), "app");
    ph_app_free(named);
    ph_app_free(NULL);

    ph_app *app = fw_app();
    cr_expect_null(ph_app_name(NULL));
    cr_expect_null(ph_app_proto(NULL).call, "an app with call NULL, as for any failure");
    cr_expect_null(ph_test_client_new(NULL));
    cr_expect_null(ph_app_template_env(NULL));

    cr_expect_eq(ph_route_(NULL, "/", ok_view, NULL), PH_EINVAL);
    cr_expect_eq(ph_route_(app, NULL, ok_view, NULL), PH_EINVAL);
    cr_expect_eq(ph_route_(app, "/", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_method_view_(NULL, "/", &mv_views, NULL), PH_EINVAL);
    cr_expect_eq(ph_method_view_(app, NULL, &mv_views, NULL), PH_EINVAL);
    cr_expect_eq(ph_method_view_(app, "/", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_method_view_(app, "/", &mv_views, NULL), PH_EINVAL, "no endpoint");

    cr_expect_eq(ph_before_request(NULL, before_hook), PH_EINVAL);
    cr_expect_eq(ph_after_request(NULL, after_hook), PH_EINVAL);
    cr_expect_eq(ph_teardown_request(NULL, teardown_hook), PH_EINVAL);
    cr_expect_eq(ph_teardown_appcontext(NULL, teardown_app_hook), PH_EINVAL);
    cr_expect_eq(ph_before_first_request(NULL, first_hook), PH_EINVAL);
    cr_expect_eq(ph_before_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_after_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_teardown_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_teardown_appcontext(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_before_first_request(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_url_value_preprocessor(NULL, url_pre), PH_EINVAL);
    cr_expect_eq(ph_url_value_preprocessor(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_url_defaults(NULL, url_defaults), PH_EINVAL);
    cr_expect_eq(ph_url_defaults(app, NULL), PH_EINVAL);
    cr_expect_eq(ph_app_endpoint_expects(NULL, "e", "x"), false);
    cr_expect_eq(ph_app_endpoint_expects(app, NULL, "x"), false);
    cr_expect_eq(ph_app_endpoint_expects(app, "e", NULL), false);

    cr_expect_eq(ph_errorhandler(NULL, 404, handler), PH_EINVAL);
    cr_expect_eq(ph_errorhandler(app, 404, NULL), PH_EINVAL);
    cr_expect_eq(ph_errorhandler_kind(NULL, &PH_HTTP_ERROR, handler), PH_EINVAL);
    cr_expect_eq(ph_errorhandler_kind(app, NULL, handler), PH_EINVAL);
    cr_expect_eq(ph_errorhandler_kind(app, &PH_HTTP_ERROR, NULL), PH_EINVAL);

    cr_expect_eq(ph_static_register(NULL, NULL, NULL), PH_EINVAL);
    ph_app_free(app);
}

Test(null_args, config) {
    ph_app *app = fw_app();
    cr_expect_null(ph_app_config(NULL));
    cr_expect_str_eq(ph_config_str(NULL, "K", "fb"), "fb");
    cr_expect_str_eq(ph_config_str(app, NULL, "fb"), "fb");
    cr_expect_eq(ph_config_int(NULL, "K", 7), 7);
    cr_expect_eq(ph_config_int(app, NULL, 7), 7);
    cr_expect_eq(ph_config_bool(NULL, "K", true), true);
    cr_expect_eq(ph_config_bool(app, NULL, true), true);
    cr_expect_eq(ph_config_double(NULL, "K", 1.5), 1.5);
    cr_expect_eq(ph_config_double(app, NULL, 1.5), 1.5);

    cr_expect_eq(ph_config_set_str(NULL, "K", "v"), PH_EINVAL);
    cr_expect_eq(ph_config_set_str(app, NULL, "v"), PH_EINVAL);
    cr_expect_eq(ph_config_set_int(NULL, "K", 1), PH_EINVAL);
    cr_expect_eq(ph_config_set_int(app, NULL, 1), PH_EINVAL);
    cr_expect_eq(ph_config_set_bool(NULL, "K", true), PH_EINVAL);
    cr_expect_eq(ph_config_set_bool(app, NULL, true), PH_EINVAL);
    /* A NULL value is meaningful: the key becomes JSON null. */
    cr_expect_eq(ph_config_set_str(app, "K", NULL), 0);
    cr_expect(json_is_null(json_object_get(ph_app_config(app), "K")));

    cr_expect_eq(ph_config_from_prefixed_env(NULL, "PHIAL", NULL, 0), PH_EINVAL);
    cr_expect_eq(ph_config_from_file(NULL, "/nonexistent.json", true, NULL, 0), PH_EINVAL);
    cr_expect_eq(ph_config_from_file(app, NULL, true, NULL, 0), PH_EINVAL);

    fw_log l;
    fw_log_begin(&l);
    ph_app_log(NULL, PH_LOG_CRITICAL, "no app");
    char *logged = fw_log_end(&l);
    cr_expect_str_eq(logged, "", "nothing to log for: %s", logged);
    free(logged);
    ph_app_free(app);
}

Test(null_args, blueprints) {
    ph_app *app = fw_app();
    ph_blueprint *bp = ph_blueprint_new("bp");
    cr_assert_not_null(bp);
    cr_expect_null(ph_blueprint_new_(NULL, NULL));
    ph_blueprint_free(NULL);

    cr_expect_eq(ph_bp_route_(NULL, "/", ok_view, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_route_(bp, NULL, ok_view, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_route_(bp, "/", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_method_view_(NULL, "/", &mv_views, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_method_view_(bp, NULL, &mv_views, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_method_view_(bp, "/", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_before_request(NULL, before_hook), PH_EINVAL);
    cr_expect_eq(ph_bp_after_request(NULL, after_hook), PH_EINVAL);
    cr_expect_eq(ph_bp_teardown_request(NULL, teardown_hook), PH_EINVAL);
    cr_expect_eq(ph_bp_before_app_request(NULL, before_hook), PH_EINVAL);
    cr_expect_eq(ph_bp_after_app_request(NULL, after_hook), PH_EINVAL);
    cr_expect_eq(ph_bp_teardown_app_request(NULL, teardown_hook), PH_EINVAL);
    cr_expect_eq(ph_bp_before_request(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_after_request(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_teardown_request(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_before_app_request(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_after_app_request(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_teardown_app_request(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_url_value_preprocessor(NULL, url_pre), PH_EINVAL);
    cr_expect_eq(ph_bp_url_defaults(NULL, url_defaults), PH_EINVAL);
    cr_expect_eq(ph_bp_app_url_value_preprocessor(NULL, url_pre), PH_EINVAL);
    cr_expect_eq(ph_bp_app_url_defaults(NULL, url_defaults), PH_EINVAL);
    cr_expect_eq(ph_bp_url_value_preprocessor(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_url_defaults(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_app_url_value_preprocessor(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_app_url_defaults(bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_errorhandler(NULL, 404, handler), PH_EINVAL);
    cr_expect_eq(ph_bp_errorhandler(bp, 404, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_app_errorhandler(NULL, 404, handler), PH_EINVAL);
    cr_expect_eq(ph_bp_app_errorhandler(bp, 404, NULL), PH_EINVAL);
    cr_expect_eq(ph_bp_errorhandler_kind(NULL, &PH_HTTP_ERROR, handler), PH_EINVAL);
    cr_expect_eq(ph_bp_errorhandler_kind(bp, NULL, handler), PH_EINVAL);
    cr_expect_eq(ph_bp_errorhandler_kind(bp, &PH_HTTP_ERROR, NULL), PH_EINVAL);

    cr_expect_eq(ph_register_blueprint_(NULL, bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_register_blueprint_(app, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_blueprint_nest_(NULL, bp, NULL), PH_EINVAL);
    cr_expect_eq(ph_blueprint_nest_(bp, NULL, NULL), PH_EINVAL);
    ph_app_free(app);
    ph_blueprint_free(bp);
}

/* ---- the command line ---------------------------------------------------- */

Test(null_args, cli_registration_and_entry_points) {
    ph_app *app = fw_app();
    ph_cli_command *cmd = ph_cli_command(app, "c", cmd_fn);
    cr_assert_not_null(cmd);
    cr_expect_null(ph_cli_command_(NULL, "x", cmd_fn, NULL));
    cr_expect_null(ph_cli_command_(app, NULL, cmd_fn, NULL));
    cr_expect_null(ph_cli_command_(app, "x", NULL, NULL));
    cr_expect_null(ph_cli_group_(NULL, "g", NULL));
    cr_expect_null(ph_cli_group_(app, NULL, NULL));
    cr_expect_eq(ph_cli_option_(NULL, "--x", PH_CLI_STRING, NULL), PH_EINVAL);
    cr_expect_eq(ph_cli_option_(cmd, NULL, PH_CLI_STRING, NULL), PH_EINVAL);
    cr_expect_eq(ph_cli_argument_(NULL, "x", PH_CLI_STRING, NULL), PH_EINVAL);
    cr_expect_eq(ph_cli_argument_(cmd, NULL, PH_CLI_STRING, NULL), PH_EINVAL);

    char *argv[] = {"prog", NULL};
    cr_expect_eq(ph_app_main(NULL, 1, argv), 2);
    cr_expect_eq(ph_app_main(app, 1, NULL), 2);
    cr_expect_null(ph_cli_invoke_(NULL, (const char *const[]){"c", NULL}, NULL));
    /* NULL arguments are no arguments: the help. */
    ph_cli_result *r = ph_cli_invoke_(app, NULL, NULL);
    cr_assert_not_null(r);
    cr_expect_eq(r->status, 0);
    cr_expect(strstr(r->out, "Usage:") != NULL, "%s", r->out);
    ph_cli_result_free(r);
    ph_cli_result_free(NULL);
    ph_app_free(app);
}

/* Inside a command: NULL for the context or for a parameter's name. */
static int null_cmd(ph_cli_ctx *ctx) {
    cr_expect_null(ph_cli_app(NULL));
    cr_expect_null(ph_cli_get_str(NULL, "n"));
    cr_expect_null(ph_cli_get_str(ctx, NULL));
    cr_expect_eq(ph_cli_get_int(NULL, "n"), 0);
    cr_expect_eq(ph_cli_get_int(ctx, NULL), 0);
    cr_expect_eq(ph_cli_get_float(NULL, "n"), 0.0);
    cr_expect_eq(ph_cli_get_float(ctx, NULL), 0.0);
    cr_expect_eq(ph_cli_get_bool(NULL, "n"), false);
    cr_expect_eq(ph_cli_get_bool(ctx, NULL), false);
    cr_expect_eq(ph_cli_get_count(NULL, "n"), 0);
    cr_expect_eq(ph_cli_get_count(ctx, NULL), 0);
    cr_expect_null(ph_cli_get_str_at(ctx, NULL, 0));
    cr_expect_eq(ph_cli_get_int_at(ctx, NULL, 0), 0);
    cr_expect_eq(ph_cli_get_float_at(ctx, NULL, 0), 0.0);
    cr_expect_eq(ph_cli_source(NULL, "n"), 0);
    cr_expect_eq(ph_cli_source(ctx, NULL), 0);
    ph_cli_echo(NULL, "lost");
    ph_cli_error(NULL, "lost");
    ph_cli_write(NULL, "lost", 4);
    ph_cli_write(ctx, NULL, 4);
    cr_expect_eq(ph_cli_usage_error(NULL, "lost"), 2);
    ph_cli_echo(ctx, "n=%s", ph_cli_get_str(ctx, "n"));
    return 0;
}

Test(null_args, cli_inside_a_command) {
    ph_app *app = fw_app();
    ph_cli_command *cmd = ph_cli_command(app, "c", null_cmd);
    cr_assert_not_null(cmd);
    cr_assert_eq(ph_cli_option(cmd, "-n", PH_CLI_STRING), 0);
    ph_cli_result *r = ph_cli_invoke(app, "c", "-n", "v");
    cr_assert_not_null(r);
    cr_expect_eq(r->status, 0, "%s", r->err);
    cr_expect_str_eq(r->out, "n=v\n", "nothing else was written");
    cr_expect_str_eq(r->err, "");
    ph_cli_result_free(r);
    ph_app_free(app);
}

/* ---- templates ----------------------------------------------------------- */

static json_t *filter_fn(json_t *value, json_t *args, void *ud, int *safe) {
    return json_incref(value);
}
static int test_fn(json_t *value, json_t *args, void *ud) { return 1; }
static json_t *func_fn(json_t *args, void *ud, int *safe) { return json_null(); }
static json_t *proc_fn(void *ud, void *user) { return json_object(); }

Test(null_args, templates) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_not_null(env);
    ph_tmpl_env_free(NULL);
    ph_tmpl_free(NULL);

    char buf[64] = "untouched";
    cr_expect_gt(ph_tmpl_error_format(NULL, buf, sizeof(buf)), 0);
    cr_expect_str_eq(buf, "unknown error", "NULL is an unknown error");
    ph_tmpl_error e = {.code = PH_ETEMPLATE, .name = "t", .line = 1, .column = 2, .message = "m"};
    cr_expect_eq(ph_tmpl_error_format(&e, NULL, 0), (int)strlen("t:1:2: m"));
    cr_expect_eq(ph_tmpl_error_format(&e, NULL, 10), (int)strlen("t:1:2: m"), "no buffer");

    cr_expect_eq(ph_tmpl_env_add_path(NULL, "/tmp"), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_path(env, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_string(NULL, "n", "s"), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_string(env, NULL, "s"), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_string(env, "n", NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_set_loader(NULL, &(ph_tmpl_loader){0}), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_set_loader(env, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_set_global(NULL, "g", json_integer(1)), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_set_global(env, NULL, json_integer(1)), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_set_global(env, "g", NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_filter(NULL, "f", filter_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_filter(env, NULL, filter_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_filter(env, "f", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_test(NULL, "t", test_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_test(env, NULL, test_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_test(env, "t", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_function(NULL, "f", func_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_function(env, NULL, func_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_function(env, "f", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_context_processor(NULL, proc_fn, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_env_add_context_processor(env, NULL, NULL), PH_EINVAL);

    cr_assert_eq(ph_tmpl_env_add_string(env, "n", "x"), 0);
    char *out = NULL;
    size_t len = 0;
    cr_expect_eq(ph_tmpl_render(NULL, "n", json_object(), NULL, &out, &len, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_render(env, NULL, json_object(), NULL, &out, &len, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_render(env, "n", json_object(), NULL, NULL, &len, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_render(env, "n", json_object(), NULL, &out, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_render_string(NULL, "x", json_object(), NULL, &out, &len, NULL),
                 PH_EINVAL);
    cr_expect_eq(ph_tmpl_render_string(env, NULL, json_object(), NULL, &out, &len, NULL),
                 PH_EINVAL);
    cr_expect_eq(ph_tmpl_render_string(env, "x", json_object(), NULL, NULL, &len, NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_render_string(env, "x", json_object(), NULL, &out, NULL, NULL), PH_EINVAL);
    cr_expect_null(out);
    cr_expect_eq(ph_tmpl_check(NULL, "n", NULL), PH_EINVAL);
    cr_expect_eq(ph_tmpl_check(env, NULL, NULL), PH_EINVAL);
    cr_expect_null(ph_tmpl_stream_new(NULL, "n", json_object(), NULL, NULL));
    cr_expect_null(ph_tmpl_stream_new(env, NULL, json_object(), NULL, NULL));
    cr_expect_null(ph_tmpl_stream_new_string(NULL, "x", json_object(), NULL, NULL));
    cr_expect_null(ph_tmpl_stream_new_string(env, NULL, json_object(), NULL, NULL));
    cr_expect_eq(ph_tmpl_stream_run(NULL, stream_write_fn, NULL, 0, NULL), PH_EINVAL);
    ph_tmpl_stream *ts = ph_tmpl_stream_new(env, "n", NULL, NULL, NULL);
    cr_assert_not_null(ts);
    cr_expect_eq(ph_tmpl_stream_run(ts, NULL, NULL, 0, NULL), PH_EINVAL);
    ph_tmpl_stream_free(ts);
    ph_tmpl_stream_free(NULL);
    ph_tmpl_env_free(env);
}

/* ---- the runtime --------------------------------------------------------- */

Test(null_args, runtime_outside_a_task) {
    cr_expect_eq(ph_run_(NULL, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_detach(NULL), PH_EINVAL);
    cr_expect_eq(ph_cancel(NULL), PH_EINVAL);
    cr_expect_str_eq(ph_task_name(NULL), "?");
    cr_expect_eq(ph_cancelled(NULL), 0, "no current task");

    ph_event_free(NULL);
    ph_event_set(NULL);
    ph_event_clear(NULL);
    cr_expect_eq(ph_event_is_set(NULL), 0);

    ph_queue *q = ph_queue_new(1);
    cr_assert_not_null(q);
    void *item = &item;
    cr_expect_eq(ph_queue_try_put(NULL, item), PH_EINVAL);
    cr_expect_eq(ph_queue_try_get(NULL, &item), PH_EINVAL);
    cr_expect_eq(ph_queue_try_put(q, item), 0);
    cr_expect_eq(ph_queue_try_get(q, NULL), PH_EINVAL, "nowhere to put the item");
    cr_expect_eq(ph_queue_len(q), 1, "so it stays");
    cr_expect_eq(ph_queue_len(NULL), 0);
    ph_queue_close(NULL);
    ph_queue_free(NULL);
    ph_queue_free(q);

    ph_lock_free(NULL);
    cr_expect_eq(ph_lock_release(NULL), PH_EINVAL);
    ph_free(NULL);
    ph_tcp_close(NULL);
}

static int runtime_body(void *arg) {
    cr_expect_null(ph_spawn_(NULL, NULL, NULL));
    cr_expect_eq(ph_join(NULL), PH_EINVAL);
    cr_expect_eq(ph_cancelled(NULL), 0, "the current task, not cancelled");
    cr_expect_eq(ph_defer(NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_with_timeout(1, NULL, NULL), PH_EINVAL);

    ran = 0;
    cr_expect_eq(ph_gather(2, NULL, NULL, NULL), PH_EINVAL);
    ph_task_fn fns[] = {count_run, NULL};
    cr_expect_eq(ph_gather(2, fns, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_yield(), 0);
    cr_expect_eq(ran, 0, "nothing was started");
    ph_task_fn one[] = {ret_zero};
    cr_expect_eq(ph_gather(1, one, NULL, NULL), 0, "args and results may be NULL");

    cr_expect_eq(ph_event_wait(NULL), PH_EINVAL);
    ph_queue *q = ph_queue_new(1);
    cr_assert_not_null(q);
    void *item = &item;
    cr_expect_eq(ph_queue_put(NULL, item), PH_EINVAL);
    cr_expect_eq(ph_queue_get(NULL, &item), PH_EINVAL);
    cr_expect_eq(ph_queue_put(q, item), 0);
    cr_expect_eq(ph_queue_get(q, NULL), PH_EINVAL);
    cr_expect_eq(ph_queue_len(q), 1);
    ph_queue_free(q);
    cr_expect_eq(ph_lock_acquire(NULL), PH_EINVAL);
    cr_expect_eq(ph_lock_release(NULL), PH_EINVAL);

    cr_expect_eq(ph_to_thread(NULL, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_to_thread(thread_fn, NULL, NULL), 0, "the result may be NULL");

    ph_stat st;
    char *data = NULL;
    char buf[4];
    cr_expect_eq(ph_fs_stat(NULL, &st), PH_EINVAL);
    cr_expect_eq(ph_fs_stat("/", NULL), PH_EINVAL);
    cr_expect_eq(ph_fs_read_file(NULL, 0, &data, NULL), PH_EINVAL);
    cr_expect_eq(ph_fs_read_file("/dev/null", 0, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_fs_read_range(NULL, 0, buf, sizeof(buf)), PH_EINVAL);
    cr_expect_eq(ph_fs_read_range("/dev/null", 0, NULL, sizeof(buf)), PH_EINVAL);

    int err = 0;
    cr_expect_null(ph_tcp_connect(NULL, 80, 1, &err));
    cr_expect_eq(err, PH_EINVAL);
    cr_expect_null(ph_tcp_connect(NULL, 80, 1, NULL), "err may be NULL");
    cr_expect_eq(ph_tcp_read(NULL, buf, sizeof(buf), 0), PH_EINVAL);
    cr_expect_eq(ph_tcp_write(NULL, "x", 1, 0), PH_EINVAL);
    return 0;
}

Test(null_args, runtime_inside_a_task) { cr_expect_eq(ph_run(runtime_body, NULL), 0); }

/* ---- contexts, requests and responses ------------------------------------ */

static int contexts_body(ph_app *app, ph_test_client *c) {
    char err[128] = "";
    cr_expect_null(ph_url_for_(NULL, "x", NULL, err, sizeof(err)), "no request, no app context");
    cr_expect_neq(err[0], '\0', "the reason is given");
    cr_expect_null(ph_app_context_push(NULL));
    cr_expect_eq(ph_app_context_pop(NULL), PH_ESTATE);
    cr_expect_null(ph_request_context_push(NULL, "GET", "/"));
    cr_expect_null(ph_request_context_push(app, NULL, "/"));
    cr_expect_null(ph_request_context_push(app, "GET", NULL));
    cr_expect_eq(ph_request_context_pop(NULL), PH_ESTATE);

    ph_app_ctx *ctx = ph_app_context_push(app);
    cr_assert_not_null(ctx);
    cr_expect_eq(ph_g_set_ptr(NULL, &err, NULL), PH_EINVAL);
    cr_expect_eq(ph_g_set_ptr("p", &err, NULL), 0);
    cr_expect_null(ph_g_get_ptr(NULL));
    cr_expect_null(ph_url_for_(NULL, NULL, NULL, NULL, 0));
    cr_expect_eq(ph_app_context_pop(ctx), 0);
    return 0;
}

Test(null_args, contexts) {
    ph_app *app = fw_app();
    fw_run(app, contexts_body);
}

/* A made-up request of `app`; the caller pops it. */
static ph_request_ctx *push(ph_app *app, const char *url, ph_request **req) {
    ph_request_ctx *ctx = ph_request_context_push(app, "GET", url);
    cr_assert_not_null(ctx);
    *req = ph_current_request();
    cr_assert_not_null(*req);
    return ctx;
}

static int request_body(ph_app *app, ph_test_client *c) {
    ph_request *req;
    ph_request_ctx *ctx = push(app, "/?a=1&a=2", &req);
    const char *out[4] = {NULL};
    const char *name = NULL, *value = NULL;

    cr_expect_null(ph_request_app(NULL));
    cr_expect_null(ph_request_method(NULL));
    cr_expect_null(ph_request_scheme(NULL));
    cr_expect_null(ph_request_host(NULL));
    cr_expect_null(ph_request_path(NULL));
    cr_expect_null(ph_request_full_path(NULL));
    cr_expect_null(ph_request_query_string(NULL));
    cr_expect_null(ph_request_script_root(NULL));
    cr_expect_null(ph_request_base_url(NULL));
    cr_expect_null(ph_request_url(NULL));
    cr_expect_null(ph_request_url_root(NULL));
    cr_expect_null(ph_request_host_url(NULL));
    cr_expect_null(ph_request_url_rule(NULL));
    cr_expect_null(ph_request_remote_addr(NULL));
    cr_expect_null(ph_request_endpoint(NULL));
    cr_expect_null(ph_request_error(NULL));

    cr_expect_null(ph_request_header(NULL, "host"));
    cr_expect_null(ph_request_header(req, NULL));
    cr_expect_eq(ph_request_header_all(NULL, "host", out, 4), 0);
    cr_expect_eq(ph_request_header_all(req, NULL, out, 4), 0);
    cr_expect_eq(ph_request_header_all(req, "host", NULL, 4), 1, "counted, not stored");

    cr_expect_null(ph_request_arg(NULL, "a"));
    cr_expect_null(ph_request_arg(req, NULL));
    cr_expect_eq(ph_request_arg_all(NULL, "a", out, 4), 0);
    cr_expect_eq(ph_request_arg_all(req, NULL, out, 4), 0);
    cr_expect_eq(ph_request_arg_all(req, "a", NULL, 4), 2, "counted, not stored");
    cr_expect_eq(ph_request_arg_at(NULL, 0, &name, &value), false);
    cr_expect_eq(ph_request_arg_at(req, 0, NULL, NULL), true, "name and value may be NULL");
    cr_expect_null(ph_request_cookie(NULL, "c"));
    cr_expect_null(ph_request_cookie(req, NULL));
    cr_expect_null(ph_request_referrer(NULL));
    cr_expect_null(ph_request_user_agent(NULL));
    cr_expect_eq(ph_request_is_secure(NULL), false);
    cr_expect_eq(ph_request_access_route(NULL, out, 4), 0);
    cr_expect_eq(ph_request_access_route(req, NULL, 4), 1, "the client alone, counted");
    static const char *const offers[] = {"text/html"};
    cr_expect_str_eq(ph_request_accept_best(NULL, PH_ACCEPT_MIMETYPES, offers, 1, "x"), "x");
    cr_expect_str_eq(ph_request_accept_best(req, PH_ACCEPT_MIMETYPES, NULL, 1, "x"), "x");
    cr_expect_null(ph_request_accept_best(req, PH_ACCEPT_MIMETYPES, offers, 1, NULL),
                   "no Accept header: nothing is accepted");
    cr_expect_str_eq(ph_request_accept_best(req, (ph_accept_header)99, offers, 1, "x"), "x");
    cr_expect_eq(ph_request_accept_quality(NULL, PH_ACCEPT_LANGUAGES, "en"), 0);
    cr_expect_eq(ph_request_accept_quality(req, PH_ACCEPT_LANGUAGES, NULL), 0);
    cr_expect_null(ph_request_value(NULL, "a"));
    const char *piece;
    size_t piece_len;
    cr_expect_eq(ph_request_stream_read(NULL, &piece, &piece_len), PH_EINVAL);
    cr_expect_eq(ph_request_stream_read(req, NULL, &piece_len), PH_EINVAL);
    cr_expect_eq(ph_request_stream_read(req, &piece, NULL), PH_EINVAL);
    cr_expect_null(ph_request_content_type(NULL));
    cr_expect_null(ph_request_mimetype(NULL));
    cr_expect_null(ph_request_mimetype_param(NULL, "charset"));
    cr_expect_null(ph_request_mimetype_param(req, NULL));
    cr_expect_eq(ph_request_is_json(NULL), false);
    cr_expect_eq(ph_request_content_length(NULL), -1);
    cr_expect_null(ph_request_value(req, NULL));
    cr_expect_null(ph_request_authorization(NULL));
    cr_expect_null(ph_authorization_param(NULL, "realm"));
    ph_authorization empty = {0};
    cr_expect_null(ph_authorization_param(&empty, NULL));
    cr_expect_eq(ph_after_this_request(NULL, after_this_hook, NULL), PH_EINVAL);
    cr_expect_eq(ph_after_this_request(req, NULL, NULL), PH_EINVAL);

    int64_t i = 0;
    double d = 0;
    cr_expect_null(ph_view_arg(NULL, "id"));
    cr_expect_null(ph_view_arg(req, NULL));
    cr_expect_null(ph_view_arg_pop(NULL, "id"));
    cr_expect_null(ph_view_arg_pop(req, NULL));
    cr_expect_eq(ph_view_arg_int(NULL, "id", &i), PH_EINVAL);
    cr_expect_eq(ph_view_arg_int(req, NULL, &i), PH_EINVAL);
    cr_expect_eq(ph_view_arg_double(NULL, "id", &d), PH_EINVAL);
    cr_expect_eq(ph_view_arg_double(req, NULL, &d), PH_EINVAL);

    const char *data = NULL;
    size_t len = 0;
    cr_expect_eq(ph_request_body(NULL, &data, &len), PH_EINVAL);
    cr_expect_eq(ph_request_body(req, NULL, NULL), 0, "data and len may be NULL");
    cr_expect_null(ph_request_json(NULL));
    cr_expect_null(ph_request_json_silent(NULL));
    cr_expect_null(ph_request_form(NULL, "f"));
    cr_expect_null(ph_request_form(req, NULL));
    cr_expect_eq(ph_request_form_all(NULL, "f", out, 4), 0);
    cr_expect_eq(ph_request_form_all(req, NULL, out, 4), 0);
    cr_expect_eq(ph_request_form_at(NULL, 0, &name, &value), false);
    cr_expect_null(ph_request_file(NULL, "f"));
    cr_expect_null(ph_request_file(req, NULL));
    cr_expect_null(ph_request_file_at(NULL, 0));
    cr_expect_eq(ph_request_blueprints(NULL, out, 4), 0);

    cr_expect_null(ph_request_alloc(NULL, 8));
    cr_expect_null(ph_request_strdup(NULL, "s"));
    cr_expect_null(ph_request_strdup(req, NULL));
    cr_expect_null(ph_request_printf(NULL, "%d", 1));
    cr_expect_null(ph_safe_join(NULL, "/d", "p"));
    cr_expect_null(ph_safe_join(req, "/d", NULL));
    cr_expect_null(ph_app_template_env(NULL));

    cr_expect_null(ph_session(NULL));
    cr_expect_null(ph_session_get(NULL, "k"));
    cr_expect_null(ph_session_get(req, NULL));
    cr_expect_eq(ph_session_set(NULL, "k", json_integer(1)), PH_EINVAL);
    cr_expect_eq(ph_session_set(req, NULL, json_integer(1)), PH_EINVAL);
    cr_expect_eq(ph_session_set(req, "k", NULL), PH_EINVAL);
    cr_expect_eq(ph_session_remove(NULL, "k"), PH_EINVAL);
    cr_expect_eq(ph_session_remove(req, NULL), PH_EINVAL);
    cr_expect_eq(ph_session_clear(NULL), PH_EINVAL);
    cr_expect_eq(ph_session_set_permanent(NULL, true), PH_EINVAL);
    cr_expect_eq(ph_session_permanent(NULL), false);
    cr_expect_eq(ph_flash(NULL, "m", NULL), PH_EINVAL);
    cr_expect_eq(ph_flash(req, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_flash(req, "m", NULL), 0, "the category defaults to \"message\"");
    cr_expect_null(ph_get_flashed_messages(NULL, false, NULL));
    json_t *flashes = ph_get_flashed_messages(req, true, NULL);
    cr_expect_eq(json_array_size(flashes), 1, "a NULL filter is every category");
    json_decref(flashes);

    cr_expect_null(ph_response_new(NULL, 200, "x", 1, NULL));
    cr_expect_null(ph_text(NULL, 200, "x"));
    cr_expect_null(ph_html(NULL, 200, "x"));
    cr_expect_null(ph_jsonify(NULL, json_object()));
    cr_expect_null(ph_json_response(NULL, 200, json_object()));
    cr_expect_null(ph_redirect(NULL, "/x", 0));
    cr_expect_null(ph_response_stream(NULL, 200, NULL, empty_stream, NULL));
    cr_expect_null(ph_response_stream(req, 200, NULL, NULL, NULL));
    cr_expect_not_null(ph_abort(NULL, 404), "the marker is never NULL");
    cr_expect_not_null(ph_abort_msg(NULL, 404, "m"));
    cr_expect_not_null(ph_fail(NULL, &PH_HTTP_ERROR, "m"));
    cr_expect_null(ph_send_file_(NULL, "/etc/hostname", NULL));
    cr_expect_null(ph_send_from_directory_(NULL, "/etc", "hostname", NULL));
    cr_expect_null(ph_render_template(NULL, "t.html", json_object()));
    cr_expect_null(ph_render_template_string(NULL, "x", json_object()));
    cr_expect_null(ph_render_template_text(NULL, "t.html", json_object()));
    cr_expect_null(ph_render_template_string_text(NULL, "x", json_object()));
    cr_expect_null(ph_stream_template(NULL, "t.html", json_object()));
    cr_expect_null(ph_stream_template_string(NULL, "x", json_object()));
    cr_expect_null(ph_url_for_(req, NULL, NULL, NULL, 0));
    cr_expect_null(ph_request_error(req), "none of it recorded an error on a request");

    ph_response *r = ph_text(req, 200, NULL);
    cr_assert_not_null(r, "NULL text is an empty body");
    size_t blen = 1;
    cr_expect_str_eq(ph_response_body(r, &blen), "");
    cr_expect_eq(blen, 0);
    cr_expect_null(ph_response_body(NULL, &blen));
    cr_expect_eq(blen, 0);
    cr_expect_eq(ph_response_status(NULL), PH_EINVAL);
    ph_response_set_status(NULL, 404);
    cr_expect_eq(ph_response_set_header(NULL, "X", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_set_header(r, NULL, "v"), PH_EINVAL);
    cr_expect_eq(ph_response_set_header(r, "X", NULL), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(NULL, "X", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, NULL, "v"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "X", NULL), PH_EINVAL);
    cr_expect_null(ph_response_header(NULL, "Content-Type"));
    cr_expect_null(ph_response_header(r, NULL));
    ph_response_remove_header(NULL, "Content-Type");
    ph_response_remove_header(r, NULL);
    cr_expect_not_null(ph_response_header(r, "Content-Type"), "nothing was removed");
    cr_expect_eq(ph_response_set_cookie_(NULL, "k", "v", NULL), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie_(r, NULL, "v", NULL), PH_EINVAL);
    cr_expect_eq(ph_response_set_cookie_(r, "k", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_response_delete_cookie(NULL, "k", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_response_delete_cookie(r, NULL, NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_response_delete_cookie(r, "k", NULL, NULL), 0, "path and domain may be NULL");
    cr_expect_eq(ph_stream_write(NULL, "x", 1), PH_EINVAL);
    cr_expect_eq(ph_request_context_pop(ctx), 0);
    return 0;
}

Test(null_args, requests_and_responses) {
    ph_app *app = fw_app();
    fw_run(app, request_body);
}

/* Each call records an error on its request, so each gets a request of its own. */
static int errors_body(ph_app *app, ph_test_client *c) {
    ph_request *req;
    ph_request_ctx *ctx = push(app, "/", &req);
    cr_expect_null(ph_jsonify(req, NULL));
    cr_expect_eq(ph_request_error(req)->status, 500, "jsonify of nothing is a 500");
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_null(ph_redirect(req, NULL, 0));
    cr_expect_eq(ph_request_error(req)->status, 500);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_not_null(ph_fail(req, NULL, NULL));
    cr_expect_eq(ph_request_error(req)->kind, &PH_INTERNAL_ERROR, "no kind is an internal error");
    cr_expect_null(ph_request_error(req)->message);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_null(ph_send_file_(req, NULL, NULL));
    cr_expect_eq(ph_request_error(req)->status, 500);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_not_null(ph_send_from_directory_(req, "/etc", NULL, NULL));
    cr_expect_eq(ph_request_error(req)->status, 404);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_null(ph_render_template(req, NULL, json_object()));
    cr_expect_eq(ph_request_error(req)->status, 500);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_null(ph_render_template_string_text(req, NULL, json_object()));
    cr_expect_eq(ph_request_error(req)->status, 500);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_null(ph_stream_template(req, NULL, json_object()));
    cr_expect_eq(ph_request_error(req)->status, 500);
    ph_request_context_pop(ctx);

    ctx = push(app, "/", &req);
    cr_expect_null(ph_stream_template_string(req, NULL, json_object()));
    cr_expect_eq(ph_request_error(req)->status, 500);
    ph_request_context_pop(ctx);
    return 0;
}

Test(null_args, failures_recorded_on_the_request) {
    ph_app *app = fw_app();
    fw_run(app, errors_body);
}

/* ---- inside a view, and the test client ---------------------------------- */

/* Checks what needs a matched rule, a blueprint and a multipart body. */
static ph_response *upload_view(ph_request *req) {
    int64_t i = 0;
    double d = 0;
    const char *out[4] = {NULL};
    cr_expect_null(ph_view_arg(req, NULL));
    cr_expect_eq(ph_view_arg_int(req, "id", NULL), PH_EINVAL);
    cr_expect_eq(ph_view_arg_double(req, "id", NULL), PH_EINVAL);
    cr_expect_eq(ph_view_arg_int(req, NULL, &i), PH_EINVAL);
    cr_expect_eq(ph_view_arg_double(req, NULL, &d), PH_EINVAL);
    cr_expect_eq(ph_request_blueprints(req, NULL, 4), 1, "counted, not stored");
    cr_expect_null(ph_request_file(req, NULL));
    cr_expect_eq(ph_request_form_all(req, "t", NULL, 4), 1, "counted, not stored");
    cr_expect_eq(ph_request_form_all(req, NULL, out, 4), 0);
    cr_expect_null(ph_request_form(req, NULL));
    cr_expect_eq(ph_view_arg_int(req, "id", &i), 0);
    return ph_text(req, 200, ph_request_printf(req, "%lld", (long long)i));
}

static int stream_fn(ph_stream *s, void *arg) {
    cr_expect_eq(ph_stream_write(s, NULL, 3), PH_EINVAL);
    cr_expect_eq(ph_stream_write(s, NULL, 0), 0, "nothing to write");
    return ph_stream_write(s, "ok", 2);
}

static ph_response *stream_view(ph_request *req) {
    return ph_response_stream(req, 200, "text/plain", stream_fn, NULL);
}

static int view_body(ph_app *app, ph_test_client *c) {
    static const ph_client_file f = {"f", "a.txt", "text/plain", "abc", 3};
    const char *const form[] = {"t", "v", NULL};
    fw_expect(ph_client_post(c, "/bp/7", .form = form, .files = &f, .nfiles = 1), 200, "7");
    fw_expect(ph_client_get(c, "/stream"), 200, "ok");

    cr_expect_null(ph_client_request_(NULL, "GET", "/", NULL));
    cr_expect_null(ph_client_request_(c, NULL, "/", NULL));
    cr_expect_null(ph_client_request_(c, "GET", NULL, NULL));
    cr_expect_null(ph_client_get(NULL, "/", .json = json_object()), "the JSON is still stolen");

    cr_expect_eq(ph_test_client_set_cookie(c, "k", "v"), 0);
    cr_expect_null(ph_test_client_cookie(NULL, "k"));
    cr_expect_null(ph_test_client_cookie(c, NULL));
    cr_expect_eq(ph_test_client_set_cookie(NULL, "k", "v"), PH_EINVAL);
    cr_expect_eq(ph_test_client_set_cookie(c, NULL, "v"), PH_EINVAL);
    cr_expect_eq(ph_test_client_set_cookie(c, "k", NULL), PH_EINVAL);
    cr_expect_str_eq(ph_test_client_cookie(c, "k"), "v", "the jar is unchanged");

    ph_test_response *r = ph_client_get(c, "/stream");
    cr_assert_not_null(r);
    cr_expect_null(ph_test_response_header(NULL, "Content-Type"));
    cr_expect_null(ph_test_response_header(r, NULL));
    cr_expect_null(ph_test_response_json(NULL));
    ph_test_response_free(r);
    ph_test_response_free(NULL);
    ph_test_client_free(NULL);
    return 0;
}

Test(null_args, inside_a_view_and_the_test_client) {
    ph_app *app = fw_app();
    ph_blueprint *bp = ph_blueprint_new("bp");
    cr_assert_not_null(bp);
    cr_assert_eq(ph_bp_route(bp, "/<int:id>", upload_view, .methods = PH_POST), 0);
    cr_assert_eq(ph_register_blueprint(app, bp, .url_prefix = "/bp"), 0);
    cr_assert_eq(ph_route(app, "/stream", stream_view), 0);
    fw_run(app, view_body);
    ph_blueprint_free(bp);
}
