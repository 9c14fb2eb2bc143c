/*
 * Custom converters in the URL map (src/app/custom_conv.c and their use by
 * rule.c, rule_conv.c, router.c, router_build.c): the registry, arguments
 * handed to create, the two patterns, to_python deciding whether a route
 * matches, to_url and the default quoting, weights, and freeing what create
 * made on every path.
 */
#include "app/router.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static ph__router *R;
static ph_arena A;
static int live; /* instances create made and destroy has not freed */

static void setup(void) {
    R = ph__router_new();
    cr_assert_not_null(R);
    ph__arena_init(&A, 1024, 0);
    live = 0;
}

static void teardown(void) {
    ph__router_free(R);
    ph__arena_close(&A);
    cr_expect_eq(live, 0, "%d converter instances not destroyed", live);
}

TestSuite(custom_conv, .init = setup, .fini = teardown);

/* ---- the converters ------------------------------------------------------- */

/* list(sep='+'): Flask's documentation example, its separator an argument. */
static int list_create(void *arg, json_t *args, json_t *kwargs, void **self, char *err,
                       size_t errlen) {
    (void)arg;
    json_t *sep = json_object_get(kwargs, "sep");
    if (json_array_size(args) || json_object_size(kwargs) > (sep ? 1u : 0u) ||
        (sep && (!json_is_string(sep) || json_string_length(sep) != 1))) {
        snprintf(err, errlen, "takes only sep, one character");
        return PH_EINVAL;
    }
    char *s = strdup(sep ? json_string_value(sep) : "+");
    if (!s)
        return PH_ENOMEM;
    *self = s;
    live++;
    return 0;
}

static void list_destroy(void *self) {
    free(self);
    live--;
}

static int list_to_python(void *self, const char *text, size_t len, json_t **value) {
    const char *sep = self;
    json_t *a = json_array();
    for (const char *p = text;;) {
        const char *q = memchr(p, sep[0], len - (size_t)(p - text));
        size_t n = q ? (size_t)(q - p) : len - (size_t)(p - text);
        json_array_append_new(a, json_stringn(p, n));
        if (!q)
            break;
        p = q + 1;
    }
    *value = a;
    return 0;
}

static int list_to_url(void *self, json_t *value, ph_url_text *out) {
    if (!json_is_array(value))
        return PH_EINVAL;
    size_t i;
    json_t *item;
    json_array_foreach(value, i, item) {
        int rc = i ? ph_url_append(out, self, 1) : 0;
        if (rc || (rc = ph_url_append_quoted(out, item)))
            return rc;
    }
    return 0;
}

static const ph_converter LIST = {.to_python = list_to_python,
                                  .to_url = list_to_url,
                                  .create = list_create,
                                  .destroy = list_destroy};

/* hex: lowercase hexadecimal digits as an integer; nothing else. */
static int hex_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    if (strspn(text, "0123456789abcdef") != len || len > 15)
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

static const ph_converter HEX = {.to_python = hex_to_python, .to_url = hex_to_url};

/* span: spans slashes, the defaults otherwise. */
static const ph_converter SPAN = {.slashes = true};

/* Keeps what create was given, as JSON text. */
static char seen_args[256], seen_kwargs[256];

static int rec_create(void *arg, json_t *args, json_t *kwargs, void **self, char *err,
                      size_t errlen) {
    (void)err;
    (void)errlen;
    size_t n = json_dumpb(args, seen_args, sizeof(seen_args) - 1, JSON_COMPACT);
    seen_args[n < sizeof(seen_args) ? n : 0] = '\0';
    n = json_dumpb(kwargs, seen_kwargs, sizeof(seen_kwargs) - 1, JSON_COMPACT | JSON_SORT_KEYS);
    seen_kwargs[n < sizeof(seen_kwargs) ? n : 0] = '\0';
    *self = arg;
    return 0;
}

static const ph_converter REC = {.create = rec_create};

static int fail_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    (void)text;
    (void)len;
    *value = json_string("dropped");
    return PH_EIO;
}

static const ph_converter BOOM = {.to_python = fail_to_python};

static void reg(const char *name, const ph_converter *c, void *arg) {
    cr_assert_eq(ph__router_add_converter(R, name, c, arg), 0, "%s", name);
}

/* ---- helpers -------------------------------------------------------------- */

static void add(const char *rule, const char *ep) {
    ph__route_spec s = {.rule = rule, .endpoint = ep};
    ph__rule_error e;
    cr_assert_eq(ph__router_add(R, &s, NULL, &e), 0, "add %s: %s", rule, e.msg);
}

static void add_methods(const char *rule, const char *ep, unsigned methods) {
    ph__route_spec s = {.rule = rule, .endpoint = ep, .methods = methods};
    cr_assert_eq(ph__router_add(R, &s, NULL, NULL), 0, "add %s", rule);
}

/* Adding `rule` fails with PH_EINVAL and this message. */
static void refused(const char *rule, const char *msg) {
    ph__route_spec s = {.rule = rule, .endpoint = "x"};
    ph__rule_error e;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(ph__router_add(R, &s, NULL, &e), PH_EINVAL, "%s was added", rule);
    cr_expect_str_eq(e.msg, msg);
}

static ph__route_match match(const char *path, unsigned method) {
    ph__route_match m;
    cr_assert_eq(ph__router_match(R, path, strlen(path), method, &A, &m), 0, "%s", path);
    return m;
}

/* GET `path` matches endpoint `ep`; its first value, as compact JSON, is `json`. */
static void expect(const char *path, const char *ep, const char *json) {
    ph__route_match m = match(path, PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_FOUND, "%s: status %d", path, m.status);
    cr_expect_str_eq(m.route->endpoint, ep, "%s", path);
    if (!json)
        return;
    cr_assert_geq(m.nvalues, 1);
    json_t *v = ph__route_value_json(&m.values[0]);
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    cr_expect_str_eq(text, json, "%s", path);
    free(text);
    json_decref(v);
}

static void expect_status(const char *path, unsigned method, ph__route_status st) {
    ph__route_match m = match(path, method);
    cr_expect_eq(m.status, st, "%s: status %d, expected %d", path, m.status, st);
}

static char *build(const char *ep, json_t *values) {
    ph_buf b;
    ph__buf_init(&b, 0);
    char err[256];
    int rc = ph__router_build(R, ep, values, NULL, &b, err, sizeof(err));
    json_decref(values);
    cr_assert_eq(rc, 0, "build %s: %s", ep, err);
    char *s = ph__arena_strdup(&A, b.data);
    ph__buf_close(&b);
    return s;
}

static void build_fails(const char *ep, json_t *values, const char *msg) {
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__buf_append_str(&b, "kept"), 0);
    char err[256] = "";
    cr_expect_eq(ph__router_build(R, ep, values, NULL, &b, err, sizeof(err)), PH_EINVAL);
    cr_expect_str_eq(err, msg);
    cr_expect_eq(b.len, 4, "the buffer keeps its length");
    json_decref(values);
    ph__buf_close(&b);
}

/* ---- registration and arguments --------------------------------------------- */

Test(custom_conv, names_must_be_identifiers) {
    cr_expect_eq(ph__router_add_converter(R, "", &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph__router_add_converter(R, "1x", &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph__router_add_converter(R, "a-b", &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph__router_add_converter(R, NULL, &HEX, NULL), PH_EINVAL);
    cr_expect_eq(ph__router_add_converter(R, "x", NULL, NULL), PH_EINVAL);
    cr_expect_eq(ph__router_add_converter(R, "_x9", &HEX, NULL), 0);
}

Test(custom_conv, create_gets_positional_and_keyword_arguments_as_json) {
    reg("rec", &REC, NULL);
    add("/r/<rec(1, -2.5, None, True, 'q s', word, k=False, a=\"x,y\"):v>", "r");
    cr_expect_str_eq(seen_args, "[1,-2.5,null,true,\"q s\",\"word\"]");
    cr_expect_str_eq(seen_kwargs, "{\"a\":\"x,y\",\"k\":false}");
    add("/r2/<rec:v>", "r2");
    cr_expect_str_eq(seen_args, "[]");
    cr_expect_str_eq(seen_kwargs, "{}");
}

Test(custom_conv, bad_arguments_are_rule_errors) {
    reg("hex", &HEX, NULL);
    reg("list", &LIST, NULL);
    refused("/a/<hex(4):n>", "rule '/a/<hex(4):n>' : converter 'hex' takes no arguments at "
                             "position 8");
    refused("/a/<list(sep='--'):v>", "rule '/a/<list(sep='--'):v>' : converter 'list': takes "
                                     "only sep, one character at position 4");
    refused("/a/<list(sep=',', 1):v>", "rule '/a/<list(sep=',', 1):v>' : positional argument "
                                       "after keyword argument at position 18");
    refused("/a/<list(sep=',', sep='+'):v>", "rule '/a/<list(sep=',', sep='+'):v>' : argument "
                                             "'sep' given twice at position 18");
    refused("/a/<lst:v>", "rule '/a/<lst:v>' : unknown converter 'lst' at position 4");
    cr_expect_eq(ph__router_count(R), 0);
}

/* Each variable gets its own instance; a rule refused after create ran
 * destroys what it made (teardown checks that nothing is left). */
Test(custom_conv, instances_are_destroyed_with_refused_rules_and_the_router) {
    reg("list", &LIST, NULL);
    add("/a/<list:x>/<list(sep=','):y>", "a");
    cr_expect_eq(live, 2);
    refused("/b/<list:x>/<nope:y>", "rule '/b/<list:x>/<nope:y>' : unknown converter 'nope' at "
                                    "position 13");
    cr_expect_eq(live, 2);
    refused("/c/<list:x>/<list:x>", "rule '/c/<list:x>/<list:x>' : variable 'x' used twice at "
                                    "position 18");
    cr_expect_eq(live, 2);
}

Test(custom_conv, add_alloc_failure_sweep_destroys_instances) {
    reg("list", &LIST, NULL);
    ph__route_spec s = {.rule = "/a/<list:x>/<int:n>/<list(sep=','):y>", .endpoint = "a"};
    for (long n = 0;; n++) {
        ph__alloc_fail_after(n);
        int rc = ph__router_add(R, &s, NULL, NULL);
        ph__alloc_fail_after(-1);
        if (rc == 0)
            break;
        cr_assert_eq(rc, PH_ENOMEM, "allocation %ld: %d", n, rc);
        cr_assert_eq(live, 0, "allocation %ld: %d instances left", n, live);
    }
    cr_expect_eq(live, 2);
    expect("/a/p+q/3/r,s", "a", "[\"p\",\"q\"]");
}

/* ---- matching -------------------------------------------------------------- */

Test(custom_conv, to_python_makes_the_value) {
    reg("list", &LIST, NULL);
    reg("hex", &HEX, NULL);
    add("/l/<list:v>", "l");
    add("/c/<list(sep=','):v>", "c");
    add("/h/<hex:v>", "h");
    expect("/l/a+b+", "l", "[\"a\",\"b\",\"\"]");
    expect("/l/a%20b", "l", "[\"a%20b\"]"); /* the router sees the path as given */
    expect("/c/a,b+c", "c", "[\"a\",\"b+c\"]");
    expect("/h/ff", "h", "255");
    ph__route_match m = match("/h/0a", PH_GET);
    cr_expect_eq(m.values[0].type, PH__RV_CUSTOM);
    cr_expect_str_eq(m.values[0].raw.ptr, "0a");
}

Test(custom_conv, without_callbacks_the_value_is_the_text) {
    reg("plain", &(ph_converter){0}, NULL);
    add("/p/<plain:v>", "p");
    expect("/p/x.y", "p", "\"x.y\"");
    expect_status("/p/x/y", PH_GET, PH__ROUTE_NOT_FOUND);
    expect_status("/p/", PH_GET, PH__ROUTE_NOT_FOUND);
}

Test(custom_conv, a_spanning_converter_takes_slashes_as_path_does) {
    reg("span", &SPAN, NULL);
    add("/s/<span:v>/end", "s_end");
    add("/s/<span:v>", "s");
    expect("/s/a/b/c", "s", "\"a/b/c\"");
    expect("/s/a/end/end", "s_end", "\"a/end\""); /* shortest that fits, as path */
    expect("/s/a/b/end", "s_end", "\"a/b\"");
    expect_status("/s//a", PH_GET, PH__ROUTE_REDIRECT); /* merged: no leading slash */
}

/* Werkzeug's ValidationError: the rule does not match and the next one may. */
Test(custom_conv, a_refusal_goes_on_to_the_next_rule) {
    reg("hex", &HEX, NULL);
    add("/h/<hex:n>", "hex");
    add("/h/<s>", "str");
    expect("/h/1f", "hex", "31");
    expect("/h/1F", "str", "\"1F\"");
    expect("/h/zz", "str", "\"zz\"");
}

Test(custom_conv, refused_rules_do_not_count_for_405_or_allow) {
    reg("hex", &HEX, NULL);
    add_methods("/h/<hex:n>", "hex", PH_POST);
    expect_status("/h/zz", PH_GET, PH__ROUTE_NOT_FOUND);
    expect_status("/h/ff", PH_GET, PH__ROUTE_METHOD_NOT_ALLOWED);
    cr_expect_eq(ph__router_allowed(R, "/h/zz", 5), 0);
    cr_expect_eq(ph__router_allowed(R, "/h/ff", 5), PH_POST | PH_OPTIONS);
}

Test(custom_conv, another_error_from_to_python_fails_the_match) {
    reg("boom", &BOOM, NULL);
    add("/b/<boom:v>", "b");
    ph__route_match m;
    cr_expect_eq(ph__router_match(R, "/b/x", 4, PH_GET, &A, &m), PH_EIO);
    cr_expect_eq(ph__router_match(R, "/b//x", 5, PH_GET, &A, &m), PH_EIO, "merged retry too");
    cr_expect_eq(ph__router_allowed(R, "/b/x", 4), 0);
}

Test(custom_conv, weight_orders_siblings) {
    static const ph_converter light = {.weight = 10}, same = {0};
    reg("light", &light, NULL);
    reg("same", &same, NULL);
    add("/w/<s>", "string");
    add("/w/<light:v>", "light");
    expect("/w/x", "light", NULL);
    add("/v/<s>", "string2");
    add("/v/<same:v>", "same"); /* 100, as string: registration order */
    expect("/v/x", "string2", NULL);
    add("/i/<int:n>", "int");
    add("/i/<same:v>", "same2"); /* int weighs 50 */
    expect("/i/5", "int", NULL);
    expect("/i/x", "same2", NULL);
}

Test(custom_conv, a_builtin_name_can_be_replaced_for_later_rules) {
    add("/before/<int:n>", "before");
    add("/bare0/<v>", "bare0");
    reg("int", &HEX, NULL);
    reg("default", &LIST, NULL);
    add("/after/<int:n>", "after");
    add("/bare/<v>", "bare");
    expect("/before/10", "before", "10");
    expect("/after/10", "after", "16");
    expect_status("/before/ff", PH_GET, PH__ROUTE_NOT_FOUND);
    expect("/after/ff", "after", "255");
    expect("/bare/a+b", "bare", "[\"a\",\"b\"]");
    expect("/bare0/a+b", "bare0", "\"a+b\"");
}

Test(custom_conv, registering_again_keeps_earlier_rules_on_the_old_converter) {
    reg("c", &HEX, NULL);
    add("/one/<c:v>", "one");
    reg("c", &SPAN, NULL);
    add("/two/<c:v>", "two");
    expect("/one/ff", "one", "255");
    expect("/two/f/f", "two", "\"f/f\"");
    expect_status("/one/f/f", PH_GET, PH__ROUTE_NOT_FOUND);
}

/* A default replaces the matched value, custom or not. */
Test(custom_conv, defaults_replace_custom_values) {
    reg("hex", &HEX, NULL);
    ph__route_spec s = {
        .rule = "/d/<hex:n>", .endpoint = "d", .defaults = json_pack("{s:s}", "n", "dflt")};
    cr_assert_eq(ph__router_add(R, &s, NULL, NULL), 0);
    json_decref(s.defaults);
    ph__route_match m = match("/d/ff", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    cr_expect_eq(m.values[0].type, PH__RV_STRING);
    cr_expect_null(m.values[0].json);
}

/* ---- building ------------------------------------------------------------- */

Test(custom_conv, to_url_writes_the_url_text) {
    reg("list", &LIST, NULL);
    reg("hex", &HEX, NULL);
    add("/l/<list:v>", "l");
    add("/c/<list(sep=','):v>/<hex:n>", "c");
    cr_expect_str_eq(build("l", json_pack("{s:[s,s,i]}", "v", "a b", "c/d", 3)), "/l/a%20b+c/d+3");
    cr_expect_str_eq(build("c", json_pack("{s:[s,b],s:i,s:s}", "v", "x", 1, "n", 255, "q", "1")),
                     "/c/x,True/ff?q=1");
    cr_expect_str_eq(build("l", json_pack("{s:[]}", "v")), "/l/");
}

Test(custom_conv, the_default_to_url_quotes_str_of_the_value) {
    reg("span", &SPAN, NULL);
    add("/s/<span:v>", "s");
    cr_expect_str_eq(build("s", json_pack("{s:s}", "v", "a b/c:d?\xc3\xa9")),
                     "/s/a%20b/c:d%3F%C3%A9");
    cr_expect_str_eq(build("s", json_pack("{s:f}", "v", 2.0)), "/s/2.0");
    cr_expect_str_eq(build("s", json_pack("{s:b}", "v", 0)), "/s/False");
    build_fails("s", json_pack("{s:[s]}", "v", "x"),
                "could not build url for endpoint 's': value [\"x\"] for 'v' is not valid for "
                "converter span");
}

Test(custom_conv, a_refused_value_fails_the_build_and_names_the_converter) {
    reg("hex", &HEX, NULL);
    reg("list", &LIST, NULL);
    add("/h/<hex:n>", "h");
    add("/l/<list:v>/<hex:n>", "l");
    build_fails("h", json_pack("{s:s}", "n", "zz"),
                "could not build url for endpoint 'h': value 'zz' for 'n' is not valid for "
                "converter hex");
    /* the list was written before hex refused: the build leaves nothing */
    build_fails("l", json_pack("{s:[s],s:i}", "v", "a", "n", -1),
                "could not build url for endpoint 'l': value '-1' for 'n' is not valid for "
                "converter hex");
}

/* A match's custom value builds the same URL back (the defaults redirect
 * relies on it). */
Test(custom_conv, a_matched_value_builds_its_url_back) {
    reg("list", &LIST, NULL);
    add("/l/<list(sep=','):v>", "l");
    ph__route_match m = match("/l/a,b,c", PH_GET);
    cr_assert_eq(m.status, PH__ROUTE_FOUND);
    json_t *v = json_object();
    json_object_set_new(v, "v", ph__route_value_json(&m.values[0]));
    cr_expect_str_eq(build("l", v), "/l/a,b,c");
}
