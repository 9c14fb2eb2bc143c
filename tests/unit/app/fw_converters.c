/*
 * Custom URL converters through the app (ph_app_add_converter): matching
 * through the test client, what a view reads (text, typed, JSON), a refusal
 * falling through to the next rule, a failing to_python, url_for through
 * to_url and its errors, rule arguments, registration errors, templates'
 * request.view_args and the routes command.
 */
#include "fw_common.h"

#include "phial/render.h"

#include <ctype.h>

/* ---- converters -------------------------------------------------------------- */

/* Flask's documentation example: items joined with '+'. */
static int list_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    json_t *a = json_array();
    const char *p = text, *end = text + len;
    for (;;) {
        const char *q = memchr(p, '+', (size_t)(end - p));
        json_array_append_new(a, json_stringn(p, q ? (size_t)(q - p) : (size_t)(end - p)));
        if (!q)
            break;
        p = q + 1;
    }
    *value = a;
    return 0;
}

static int list_to_url(void *self, json_t *value, ph_url_text *out) {
    (void)self;
    if (!json_is_array(value))
        return PH_EINVAL;
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item) {
        int rc = i ? ph_url_append(out, "+", 1) : 0;
        if (rc || (rc = ph_url_append_quoted(out, item)))
            return rc;
    }
    return 0;
}

static const ph_converter LIST = {.to_python = list_to_python, .to_url = list_to_url};

/* hex: lowercase hexadecimal as an integer; the rest is refused. */
static int hex_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    if (len > 15 || strspn(text, "0123456789abcdef") != len)
        return PH_EINVAL;
    *value = json_integer(strtoll(text, NULL, 16));
    return 0;
}

static int hex_to_url(void *self, json_t *value, ph_url_text *out) {
    (void)self;
    char tmp[32];
    if (!json_is_integer(value) || json_integer_value(value) < 0)
        return PH_EINVAL;
    int n = snprintf(tmp, sizeof(tmp), "%llx", (long long)json_integer_value(value));
    return ph_url_append(out, tmp, (size_t)n);
}

static const ph_converter HEX = {.to_python = hex_to_python, .to_url = hex_to_url, .weight = 50};

/* lower(suffix=...): the text lowercased, with a suffix the rule gives. */
static int lower_create(void *arg, json_t *args, json_t *kwargs, void **self, char *err,
                        size_t errlen) {
    (void)arg;
    json_t *suffix = json_object_get(kwargs, "suffix");
    if (json_array_size(args) || (suffix && !json_is_string(suffix))) {
        snprintf(err, errlen, "suffix must be a string");
        return PH_EINVAL;
    }
    *self = strdup(suffix ? json_string_value(suffix) : "");
    return *self ? 0 : PH_ENOMEM;
}

static int lower_to_python(void *self, const char *text, size_t len, json_t **value) {
    size_t n = strlen(self);
    char *s = malloc(len + n + 1);
    if (!s)
        return PH_ENOMEM;
    for (size_t i = 0; i < len; i++)
        s[i] = (char)tolower((unsigned char)text[i]);
    memcpy(s + len, self, n + 1);
    *value = json_string(s);
    free(s);
    return 0;
}

static const ph_converter LOWER = {
    .to_python = lower_to_python, .create = lower_create, .destroy = free};

static int fail_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    (void)text;
    (void)len;
    (void)value;
    return PH_EIO;
}

static const ph_converter FAIL = {.to_python = fail_to_python};

/* ---- views ------------------------------------------------------------------- */

/* The view argument "v" as JSON text. */
static ph_response *json_view(ph_request *req) {
    json_t *v = ph_view_arg_json(req, "v");
    if (!v)
        return ph_text(req, 200, "(none)");
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    ph_response *r = ph_text(req, 200, s);
    free(s);
    return r;
}

/* The text form, and the typed reads. */
static ph_response *text_view(ph_request *req) {
    int64_t i = 0;
    double d = 0;
    int ri = ph_view_arg_int(req, "v", &i), rd = ph_view_arg_double(req, "v", &d);
    return ph_text(req, 200,
                   ph_request_printf(req, "%s|%s|%s", ph_view_arg(req, "v"),
                                     ri ? "-" : ph_request_printf(req, "%lld", (long long)i),
                                     rd ? "-" : ph_request_printf(req, "%g", d)));
}

static ph_app *conv_app(void) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_app_add_converter(app, "list", &LIST, NULL), 0);
    cr_assert_eq(ph_app_add_converter(app, "hex", &HEX, NULL), 0);
    cr_assert_eq(ph_app_add_converter(app, "lower", &LOWER, NULL), 0);
    cr_assert_eq(ph_app_add_converter(app, "fail", &FAIL, NULL), 0);
    return app;
}

/* ---- matching and view arguments ----------------------------------------------- */

Test(fw_converters, the_view_gets_what_to_python_made) {
    ph_app *app = conv_app();
    ph_route(app, "/l/<list:v>", json_view, .endpoint = "l");
    ph_route(app, "/h/<hex:v>", json_view, .endpoint = "h");
    ph_route(app, "/w/<lower(suffix='!'):v>", json_view, .endpoint = "w");
    FW_CHECK(app, {"GET", "/l/a+b%20c+%C3%A9", 200, "[\"a\",\"b c\",\"\xc3\xa9\"]"},
             {"GET", "/h/ff", 200, "255"}, {"GET", "/w/AbC", 200, "\"abc!\""},
             {"GET", "/l/a/b", 404, NULL});
}

Test(fw_converters, text_and_typed_reads_of_a_custom_value) {
    ph_app *app = conv_app();
    ph_route(app, "/l/<list:v>", text_view, .endpoint = "l");
    ph_route(app, "/h/<hex:v>", text_view, .endpoint = "h");
    ph_route(app, "/w/<lower:v>", text_view, .endpoint = "w");
    FW_CHECK(app, {"GET", "/l/a+b", 200, "a+b|-|-"}, /* not a string: the matched text */
             {"GET", "/h/1f", 200, "1f|31|31"}, {"GET", "/w/XY", 200, "xy|-|-"});
}

Test(fw_converters, view_arg_json_of_the_builtin_converters) {
    ph_app *app = fw_app();
    ph_route(app, "/i/<int:v>", json_view, .endpoint = "i");
    ph_route(app, "/f/<float:v>", json_view, .endpoint = "f");
    ph_route(app, "/u/<uuid:v>", json_view, .endpoint = "u");
    ph_route(app, "/p/<path:v>", json_view, .endpoint = "p");
    ph_route(app, "/s/<v>", json_view, .endpoint = "s");
    json_t *d = json_pack("{s:b}", "v", 1);
    ph_route(app, "/d", json_view, .endpoint = "d", .defaults = d);
    json_decref(d);
    ph_route(app, "/none", json_view, .endpoint = "none");
    FW_CHECK(app, {"GET", "/i/007", 200, "7"}, {"GET", "/f/2.50", 200, "2.5"},
             {"GET", "/u/12345678-1234-5678-1234-56781234567A", 200,
              "\"12345678-1234-5678-1234-56781234567a\""},
             {"GET", "/p/a/b", 200, "\"a/b\""}, {"GET", "/s/x%20y", 200, "\"x y\""},
             {"GET", "/d", 200, "true"}, {"GET", "/none", 200, "(none)"});
}

/* Werkzeug's ValidationError: this rule does not match, the next one may. */
Test(fw_converters, a_refused_value_falls_through_to_the_next_rule) {
    ph_app *app = conv_app();
    ph_route(app, "/x/<hex:v>", fw_endpoint_view, .endpoint = "hex");
    ph_route(app, "/x/<v>", fw_endpoint_view, .endpoint = "string");
    ph_route(app, "/only/<hex:v>", fw_endpoint_view, .endpoint = "only");
    FW_CHECK(app, {"GET", "/x/beef", 200, "hex"}, {"GET", "/x/BEEF", 200, "string"},
             {"GET", "/x/zz", 200, "string"}, {"GET", "/only/zz", 404, NULL},
             {"GET", "/only/ab", 200, "only"});
}

Test(fw_converters, a_failing_to_python_is_a_500) {
    ph_app *app = conv_app();
    ph_route(app, "/bad/<fail:v>", fw_ok_view);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/bad/x", 500, NULL}, {"GET", "/other", 404, NULL});
    free(fw_log_end(&l));
}

/* ---- url_for ---------------------------------------------------------------------- */

static const char *url_ep, *url_values, *url_want, *url_err;

static ph_response *url_view(ph_request *req) {
    char err[256] = "";
    json_t *values = json_loads(url_values, 0, NULL);
    const char *u =
        ph_url_for_(req, url_ep, &(ph_url_for_opts){.values = values}, err, sizeof(err));
    if (url_want)
        cr_expect_str_eq(u ? u : err, url_want);
    else
        cr_expect(!u && strstr(err, url_err), "got %s, reason '%s'", u ? u : "NULL", err);
    return ph_text(req, 200, "done");
}

static void check_url(const char *ep, const char *values, const char *want, const char *err) {
    ph_app *app = conv_app();
    ph_route(app, "/l/<list:v>", fw_ok_view, .endpoint = "l");
    ph_route(app, "/h/<hex:n>/<list:v>", fw_ok_view, .endpoint = "h");
    ph_route(app, "/w/<lower(suffix='!'):v>", fw_ok_view, .endpoint = "w");
    ph_route(app, "/u", url_view);
    url_ep = ep;
    url_values = values;
    url_want = want;
    url_err = err;
    FW_CHECK(app, {"GET", "/u", 200, "done"});
}

Test(fw_converters, url_for_uses_to_url) {
    check_url("l", "{\"v\": [\"a b\", 1, true], \"q\": \"x y\"}", "/l/a%20b+1+True?q=x+y", NULL);
    check_url("h", "{\"n\": 48879, \"v\": [\"x/y\"]}", "/h/beef/x/y", NULL);
}

Test(fw_converters, url_for_without_to_url_quotes_str_of_the_value) {
    check_url("w", "{\"v\": \"A b?\"}", "/w/A%20b%3F", NULL);
    check_url("w", "{\"v\": 1.5}", "/w/1.5", NULL);
}

Test(fw_converters, url_for_fails_with_a_value_to_url_refuses) {
    check_url("l", "{\"v\": \"a\"}", NULL,
              "could not build url for endpoint 'l': value 'a' for 'v' is not valid for "
              "converter list");
    check_url("h", "{\"n\": -1, \"v\": []}", NULL, "value '-1' for 'n' is not valid");
    check_url("w", "{\"v\": {\"k\": 1}}", NULL, "value {\"k\":1} for 'v' is not valid");
}

/* ---- registration ------------------------------------------------------------------ */

Test(fw_converters, registration_errors) {
    ph_app *app = fw_app();
    cr_expect_eq(ph_app_add_converter(NULL, "x", &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph_app_add_converter(app, NULL, &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph_app_add_converter(app, "x", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph_app_add_converter(app, "a b", &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph_app_add_converter(app, "9", &HEX, NULL), PH_EINVAL);
    ph_app_free(app);
}

/* As in Flask, a converter must exist when a rule names it. */
Test(fw_converters, a_rule_before_its_converter_is_a_bad_rule) {
    ph_app *app = fw_app();
    fw_log l;
    fw_log_begin(&l);
    int rc = ph_route(app, "/h/<hex:v>", fw_ok_view);
    char *log = fw_log_end(&l);
    cr_expect_eq(rc, PH_EINVAL);
    cr_expect(strstr(log, "unknown converter 'hex'"), "%s", log);
    free(log);
    cr_expect_eq(ph_app_add_converter(app, "hex", &HEX, NULL), 0);
    cr_expect_eq(ph_route(app, "/h/<hex:v>", fw_ok_view), 0);
    ph_app_free(app);
}

Test(fw_converters, bad_arguments_are_logged_with_the_converters_reason) {
    ph_app *app = conv_app();
    fw_log l;
    fw_log_begin(&l);
    int r1 = ph_route(app, "/a/<lower(suffix=1):v>", fw_ok_view, .endpoint = "a");
    int r2 = ph_route(app, "/b/<hex(4):v>", fw_ok_view, .endpoint = "b");
    char *log = fw_log_end(&l);
    cr_expect_eq(r1, PH_EINVAL);
    cr_expect_eq(r2, PH_EINVAL);
    cr_expect(strstr(log, "converter 'lower': suffix must be a string at position 4"), "%s", log);
    cr_expect(strstr(log, "converter 'hex' takes no arguments"), "%s", log);
    free(log);
    ph_app_free(app);
}

static int serve_then_register(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/"), 200, "ok");
    cr_expect_eq(ph_app_add_converter(app, "late", &HEX, NULL), PH_EBUSY);
    return 0;
}

Test(fw_converters, registering_after_the_first_request_is_refused) {
    ph_app *app = fw_app();
    ph_route(app, "/", fw_ok_view);
    fw_run(app, serve_then_register);
}

/* Werkzeug lets an app replace a builtin converter, "default" included. */
Test(fw_converters, a_builtin_name_can_be_replaced) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_app_add_converter(app, "int", &HEX, NULL), 0);
    cr_assert_eq(ph_app_add_converter(app, "default", &LIST, NULL), 0);
    ph_route(app, "/i/<int:v>", json_view, .endpoint = "i");
    ph_route(app, "/s/<v>", json_view, .endpoint = "s");
    FW_CHECK(app, {"GET", "/i/10", 200, "16"}, {"GET", "/s/a+b", 200, "[\"a\",\"b\"]"});
}

/* ---- templates and the routes command ------------------------------------------------ */

/* tojson shows the type: a list, a number, a string. */
static ph_response *template_view(ph_request *req) {
    return ph_render_template_string(req, "{{ request.view_args.v|tojson }}", NULL);
}

Test(fw_converters, templates_see_the_converted_values) {
    ph_app *app = conv_app();
    ph_route(app, "/t/<list:v>", template_view, .endpoint = "t");
    ph_route(app, "/h/<hex:v>", template_view, .endpoint = "h");
    ph_route(app, "/u/<uuid:v>", template_view, .endpoint = "u");
    FW_CHECK(app, {"GET", "/t/a+b", 200, "[\"a\", \"b\"]"}, {"GET", "/h/10", 200, "16"},
             /* str() of Flask's UUID: lowercase */
             {"GET", "/u/12345678-1234-5678-1234-56781234567A", 200,
              "\"12345678-1234-5678-1234-56781234567a\""});
}

Test(fw_converters, the_routes_command_lists_rules_with_custom_converters) {
    ph_app *app = conv_app();
    ph_route(app, "/l/<list:v>", fw_ok_view, .endpoint = "l");
    ph_route(app, "/w/<lower(suffix='!'):v>", fw_ok_view, .endpoint = "w");
    ph_cli_result *r =
        ph_cli_invoke_(app, (const char *[]){"routes", "--sort", "match", NULL}, NULL);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_expect_str_eq(r->out, "Endpoint  Methods  Rule\n"
                             "--------  -------  ------------------------\n"
                             "static    GET      /static/<path:filename>\n"
                             "l         GET      /l/<list:v>\n"
                             "w         GET      /w/<lower(suffix='!'):v>\n");
    ph_cli_result_free(r);
    ph_app_free(app);
}
