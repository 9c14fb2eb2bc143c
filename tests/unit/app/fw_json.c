/*
 * JSON through the test client: request bodies (request.get_json as Flask
 * 2.2 decides what is JSON and how it fails, in DEBUG and not) and
 * responses (ph_jsonify, byte for byte what Flask 2.2's jsonify gives for
 * the same values: sorted keys, compact separators, ASCII escapes, Python's
 * float repr, a trailing newline; pretty in DEBUG). The expected texts were
 * printed by Flask 2.2.2 on Debian 12 for the same values.
 */
#include "fw_common.h"

/* ---- request JSON ------------------------------------------------------------------ */

static ph_response *echo_json(ph_request *req) {
    json_t *v = ph_request_json(req);
    if (!v)
        return NULL;
    cr_expect_eq(ph_request_json(req), v, "parsed once and kept");
    return ph_jsonify(req, json_incref(v));
}

static ph_response *silent_json(ph_request *req) {
    json_t *v = ph_request_json_silent(req);
    return ph_text(req, 200, v ? "value" : "none");
}

static ph_app *json_app(int debug) {
    ph_app *app = fw_app();
    ph_config_set_bool(app, "DEBUG", debug);
    ph_route(app, "/", echo_json, .methods = PH_POST);
    ph_route(app, "/silent", silent_json, .methods = PH_POST);
    return app;
}

static int body_json_roundtrip(ph_app *app, ph_test_client *c) {
    ph_test_response *r =
        ph_client_post(c, "/", .json = json_pack("{s:s, s:[i,i]}", "name", "ada", "n", 1, 2));
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(r->body, "{\"n\":[1,2],\"name\":\"ada\"}\n");
    json_t *j = ph_test_response_json(r);
    cr_expect_str_eq(json_string_value(json_object_get(j, "name")), "ada");
    ph_test_response_free(r);
    return 0;
}

Test(fw_json, json_body_is_parsed) { fw_run(json_app(0), body_json_roundtrip); }

static int body_json_chunks(ph_app *app, ph_test_client *c) {
    static const char text[] = "{\"k\": [1, 2, 3, {\"deep\": \"value\"}], \"s\": \"\\u00e9\"}";
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = strlen(text),
                             .content_type = "application/json", .chunk_size = 3),
              200, "{\"k\":[1,2,3,{\"deep\":\"value\"}],\"s\":\"\\u00e9\"}\n");
    return 0;
}

Test(fw_json, json_body_in_small_chunks_is_the_same) { fw_run(json_app(0), body_json_chunks); }

static int body_json_types(ph_app *app, ph_test_client *c) {
    static const char text[] = "[42]";
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = 4,
                             .content_type = "application/vnd.api+json"),
              200, "[42]\n");
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = 4,
                             .content_type = "application/json; charset=utf-8"),
              200, "[42]\n");
    fw_expect(ph_client_post(c, "/", .body = "42", .body_len = 2,
                             .content_type = "application/json"),
              200, "42\n");
    /* The media type is read as leniently as Flask reads it (is_json). */
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = 4,
                             .content_type = "Application/JSON garbage;;"),
              200, "[42]\n");
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = 4,
                             .content_type = "application/json,text/plain"),
              200, "[42]\n");
    return 0;
}

Test(fw_json, json_content_types_and_scalar_values_accepted) {
    fw_run(json_app(0), body_json_types);
}

static int body_wrong_type(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/", .body = "{}", .body_len = 2,
                                         .content_type = "text/plain");
    cr_expect_eq(r->status, 400);
    cr_expect(strstr(r->body, "<p>The browser (or proxy) sent a request that this server could "
                              "not understand.</p>") != NULL,
              "generic description outside DEBUG: %s", r->body);
    ph_test_response_free(r);
    fw_expect(ph_client_post(c, "/", .body = "{}", .body_len = 2), 400, NULL); /* no type */
    return 0;
}

Test(fw_json, wrong_content_type_gives_400) { fw_run(json_app(0), body_wrong_type); }

static int body_wrong_type_debug(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/", .body = "{}", .body_len = 2,
                                         .content_type = "text/plain");
    cr_expect_eq(r->status, 400);
    cr_expect(strstr(r->body, "Did not attempt to load JSON data because the request "
                              "Content-Type was not &#39;application/json&#39;.") != NULL,
              "%s", r->body);
    ph_test_response_free(r);
    return 0;
}

Test(fw_json, wrong_content_type_in_debug_says_why) { fw_run(json_app(1), body_wrong_type_debug); }

static int body_malformed(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/", .body = "{\"a\": ", .body_len = 6,
                                         .content_type = "application/json");
    cr_expect_eq(r->status, 400);
    cr_expect(strstr(r->body, "could not understand") != NULL, "%s", r->body);
    ph_test_response_free(r);
    return 0;
}

Test(fw_json, malformed_json_gives_400) { fw_run(json_app(0), body_malformed); }

static int body_malformed_debug(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/", .body = "{\"a\": ", .body_len = 6,
                                         .content_type = "application/json");
    cr_expect_eq(r->status, 400);
    cr_expect(strstr(r->body, "Failed to decode JSON object: ") != NULL, "%s", r->body);
    cr_expect(strstr(r->body, "line 1") != NULL, "says where: %s", r->body);
    ph_test_response_free(r);
    return 0;
}

Test(fw_json, malformed_json_in_debug_says_where) { fw_run(json_app(1), body_malformed_debug); }

/* Bodies of 8 KiB and more are parsed on the thread pool: the same value,
 * and the same errors, line and column included. */
static int body_large(ph_app *app, ph_test_client *c) {
    enum { N = 5000 };
    static char text[4 * N + 16];
    size_t n = 0;
    text[n++] = '[';
    for (int i = 0; i < N; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%d,", i % 10);
    text[n - 1] = ']';
    ph_test_response *r =
        ph_client_post(c, "/", .body = text, .body_len = n, .content_type = "application/json");
    cr_assert_eq(r->status, 200);
    json_t *v = ph_test_response_json(r);
    cr_expect_eq(json_array_size(v), N);
    cr_expect_eq(json_integer_value(json_array_get(v, N - 1)), (N - 1) % 10);
    ph_test_response_free(r);
    text[n - 1] = '}';
    r = ph_client_post(c, "/", .body = text, .body_len = n, .content_type = "application/json");
    cr_expect_eq(r->status, 400);
    char where[48];
    snprintf(where, sizeof(where), "(line 1, column %zu)", n); /* the last byte */
    cr_expect(strstr(r->body, where) != NULL, "says where: %s", r->body);
    ph_test_response_free(r);
    memset(text, '[', n);
    r = ph_client_post(c, "/", .body = text, .body_len = n, .content_type = "application/json");
    cr_expect_eq(r->status, 400);
    cr_expect(strstr(r->body, "nests deeper than 128 levels") != NULL, "%s", r->body);
    ph_test_response_free(r);
    return 0;
}

Test(fw_json, large_json_body_off_the_loop_same_value_and_errors) {
    fw_run(json_app(1), body_large);
}

static int body_silent(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/silent", .body = "{", .body_len = 1,
                             .content_type = "application/json"),
              200, "none");
    fw_expect(ph_client_post(c, "/silent", .body = "{}", .body_len = 2,
                             .content_type = "text/plain"),
              200, "none");
    fw_expect(ph_client_post(c, "/silent", .json = json_object()), 200, "value");
    return 0;
}

Test(fw_json, silent_json_returns_null_without_error) { fw_run(json_app(0), body_silent); }

static int body_json_413(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/", .json = json_pack("{s:s}", "k", "0123456789abcdef")), 413,
              NULL);
    return 0;
}

Test(fw_json, json_over_max_content_length_gives_413) {
    ph_app *app = json_app(0);
    ph_config_set_int(app, "MAX_CONTENT_LENGTH", 10);
    fw_run(app, body_json_413);
}

/* ---- jsonify ----------------------------------------------------------------------- */

/* JSON input (parsed with jansson) and what Flask 2.2's jsonify sends for it. */
static const char *const jsonify_cases[][2] = {
    {"{\"b\":1,\"a\":[1,2.5,\"x\"]}", "{\"a\":[1,2.5,\"x\"],\"b\":1}\n"},
    {"[1.0, 0.1, 1e16, 1e-7, -0.0, 123456789.125, 1e22, 2.5e-5]",
     "[1.0,0.1,1e+16,1e-07,-0.0,123456789.125,1e+22,2.5e-05]\n"},
    {"{\"s\":\"\\u00e9 \\u2603 \\ud83d\\ude00 </script> \\\"q\\\" \\\\ \\n\\t\\u0001\"}",
     "{\"s\":\"\\u00e9 \\u2603 \\ud83d\\ude00 </script> \\\"q\\\" \\\\ \\n\\t\\u0001\"}\n"},
    {"[true, false, null]", "[true,false,null]\n"},
    {"{\"z\":{\"y\":2,\"x\":1},\"a\":[]}", "{\"a\":[],\"z\":{\"x\":1,\"y\":2}}\n"},
    {"9007199254740993", "9007199254740993\n"},
    {"\"plain\"", "\"plain\"\n"},
    {"{}", "{}\n"},
    {"[]", "[]\n"},
    {"3.0e300", "3e+300\n"},
    {"[1.7976931348623157e308, 5e-324, 0.30000000000000004]",
     "[1.7976931348623157e+308,5e-324,0.30000000000000004]\n"},
    {"{\"\\u00e9\":1,\"z\":2,\"a\":3,\"Z\":4,\"\\uffff\":5,\"\\ud83d\\ude00\":6}",
     "{\"Z\":4,\"a\":3,\"z\":2,\"\\u00e9\":1,\"\\uffff\":5,\"\\ud83d\\ude00\":6}\n"},
    {"[1e-5, 123e-20, 1.5e300, 100.0, 1e15, 12345678901234567.0, -1.25]",
     "[1e-05,1.23e-18,1.5e+300,100.0,1000000000000000.0,1.2345678901234568e+16,-1.25]\n"},
};

static ph_response *jsonify_view(ph_request *req) {
    int64_t i = 0;
    ph_view_arg_int(req, "i", &i);
    json_error_t e;
    json_t *v = json_loads(jsonify_cases[i][0], JSON_DECODE_ANY, &e);
    cr_assert_not_null(v, "case %lld: %s", (long long)i, e.text);
    return ph_jsonify(req, v);
}

static int body_jsonify_all(ph_app *app, ph_test_client *c) {
    for (size_t i = 0; i < sizeof(jsonify_cases) / sizeof(jsonify_cases[0]); i++) {
        char url[32];
        snprintf(url, sizeof(url), "/j/%zu", i);
        ph_test_response *r = ph_client_get(c, url);
        cr_assert_eq(r->status, 200);
        cr_expect_str_eq(r->body, jsonify_cases[i][1], "case %zu: %s", i, jsonify_cases[i][0]);
        fw_expect_header(r, "Content-Type", "application/json");
        ph_test_response_free(r);
    }
    return 0;
}

static ph_app *jsonify_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/j/<int:i>", jsonify_view);
    return app;
}

Test(fw_json, jsonify_matches_flask_byte_for_byte) { fw_run(jsonify_app(), body_jsonify_all); }

static ph_response *jsonify_nested(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:i, s:[i,{}]}", "b", 1, "a", 1));
}

Test(fw_json, jsonify_in_debug_is_indented_like_flask) {
    ph_app *app = fw_app();
    ph_config_set_bool(app, "DEBUG", true);
    ph_route(app, "/", jsonify_nested);
    FW_CHECK(app, {"GET", "/", 200, "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": 1\n}\n"});
}

static ph_response *jsonify_one(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:i}", "b", 1));
}

Test(fw_json, jsonify_prettyprint_regular_indents) {
    ph_app *app = fw_app();
    ph_config_set_bool(app, "JSONIFY_PRETTYPRINT_REGULAR", true);
    ph_route(app, "/", jsonify_one);
    FW_CHECK(app, {"GET", "/", 200, "{\n  \"b\": 1\n}\n"});
}

static ph_response *jsonify_floats_debug(ph_request *req) {
    return ph_jsonify(req, json_pack("[f,f,f]", 0.1, 1e16, 1.0));
}

Test(fw_json, jsonify_in_debug_keeps_python_floats) {
    ph_app *app = fw_app();
    ph_config_set_bool(app, "DEBUG", true);
    ph_route(app, "/", jsonify_floats_debug);
    FW_CHECK(app, {"GET", "/", 200, "[\n  0.1,\n  1e+16,\n  1.0\n]\n"});
}

static ph_response *json_created(ph_request *req) {
    return ph_json_response(req, 201, json_pack("{s:i}", "id", 7));
}

Test(fw_json, json_response_with_a_status) {
    ph_app *app = fw_app();
    ph_route(app, "/", json_created);
    FW_CHECK(app, {"GET", "/", 201, "{\"id\":7}\n", "Content-Type", "application/json"});
}

static ph_response *jsonify_null(ph_request *req) { return ph_jsonify(req, NULL); }

Test(fw_json, jsonify_of_nothing_gives_500) {
    ph_app *app = fw_app();
    ph_route(app, "/", jsonify_null);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    free(fw_log_end(&l));
}

static ph_response *jsonify_tricky_debug(ph_request *req) {
    return ph_jsonify(req, json_loads("{\"k:1\":\"a,b{[\\\"\\\\\",\"e\":{},\"l\":[[],[1,{\"x\":null}]]}",
                                      0, NULL));
}

Test(fw_json, jsonify_in_debug_leaves_strings_and_empty_containers_alone) {
    ph_app *app = fw_app();
    ph_config_set_bool(app, "DEBUG", true);
    ph_route(app, "/", jsonify_tricky_debug);
    FW_CHECK(app, {"GET", "/", 200,
                   "{\n  \"e\": {},\n  \"k:1\": \"a,b{[\\\"\\\\\",\n  \"l\": [\n    [],\n    [\n"
                   "      1,\n      {\n        \"x\": null\n      }\n    ]\n  ]\n}\n"});
}
