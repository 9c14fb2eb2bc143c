/*
 * test_parity_app — the phial half of the differential test against Flask
 * 2.2 (tests/integration/test_flask_parity.py; the Flask half is
 * tests/integration/parity_flask_app.py). The test sends the same raw
 * request to both servers and compares status, headers and body, so every
 * view here does what its Flask twin does in the plainest way the C API
 * allows: a difference the test sees is then the framework's, not the
 * apps'. Where a Flask view would raise, the view here returns NULL, which
 * phial answers with the same 500 page. Served by ph_app_main's `run`.
 *
 * Views:
 *   /, /strict/, /noslash, /loose/, /loose2, /a/b/
 *                          the matched endpoint's name (trailing slashes,
 *                          strict_slashes, redirects)
 *   /int/<int:n>, /float/<float:x>, /str/<s>, /path/<path:s>, /uuid/...,
 *   /any/..., /slen/..., /smm/... and the signed and bounded variants
 *                          each converter with its arguments: {"n": ...},
 *                          {"x": ...} or {"s": ...}
 *   /two/<a>/<b>, /ext/<a>.<b>, /dflt/<a>, /users/[page/<int:page>]
 *                          several variables in a part, defaults
 *   /prec/<s>, /prec/<int:n>, /prec/<float:x>, /prec/fixed
 *                          which of competing rules matched
 *   /list/<list:items>, /hex/<hex:n>, /hexw/<hex(width=4):n>,
 *   /parts/<parts:p>[/end], /pick/<hex:n> then /pick/<s>
 *                          the app's converters (below): the view's value as
 *                          JSON, and which rule matched
 *   /post, /gp, /all, /noopt, /split      method sets: "m METHOD"
 *   /head                  X-Method: the method the view saw (HEAD, GET)
 *   /url_for?endpoint=E[&values=JSON][&external=1][&scheme=S][&anchor=A][&method=M]
 *                          url_for(E, **values, ...) as text, "ERR" when it fails
 *   /redir[?to=T][&code=C] redirect(T or "/target", C or 302)
 *   /abort/<int:n>, /abortmsg, /none      error pages
 *   /args                  request.args: getlist("a"), get("a"), items, the raw
 *                          query string, path and full_path
 *   POST /form             request.form and request.files
 *   /json (GET, POST), POST /jsonsilent   request.get_json() as {"got": ...}
 *   POST /data             the body's length
 *   /jsonify?v=JSON[&status=N]            jsonify(the value), with status N
 *   /mk, /csv, /txt, /html, /empty, /s204 response constructors
 *   /cookie?c=JSON&c=...   a Set-Cookie for each JSON object c: set_cookie's
 *                          keyword arguments, or with "delete": true,
 *                          delete_cookie's
 *   /rc                    the request cookies a, b, c and "d d"
 *   /hdr, /hdr/<path:s>    the request's URL parts, host, scheme and X-T
 */
#include <phial.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- routing and converters ---------------------------------------------- */

/* Which rule matched: several rules share this view, each under its own endpoint. */
static ph_response *endpoint_name(ph_request *req) {
    return ph_html(req, 200, ph_request_endpoint(req));
}

static ph_response *int_value(ph_request *req) {
    int64_t n;
    if (ph_view_arg_int(req, "n", &n) < 0)
        return NULL;
    return ph_jsonify(req, json_pack("{s:I}", "n", (json_int_t)n));
}

static ph_response *float_value(ph_request *req) {
    double x;
    if (ph_view_arg_double(req, "x", &x) < 0)
        return NULL;
    return ph_jsonify(req, json_pack("{s:f}", "x", x));
}

static ph_response *str_value(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:s?}", "s", ph_view_arg(req, "s")));
}

static ph_response *two_values(ph_request *req) {
    return ph_jsonify(
        req, json_pack("{s:s?,s:s?}", "a", ph_view_arg(req, "a"), "b", ph_view_arg(req, "b")));
}

static ph_response *users(ph_request *req) {
    int64_t page;
    if (ph_view_arg_int(req, "page", &page) < 0)
        return NULL;
    return ph_jsonify(req, json_pack("{s:I}", "page", (json_int_t)page));
}

static ph_response *slash_value(ph_request *req) {
    return ph_html(req, 200, ph_view_arg(req, "s"));
}
static ph_response *prec_s(ph_request *req) { return ph_html(req, 200, "s"); }
static ph_response *prec_i(ph_request *req) { return ph_html(req, 200, "i"); }
static ph_response *prec_f(ph_request *req) { return ph_html(req, 200, "f"); }
static ph_response *prec_fixed(ph_request *req) { return ph_html(req, 200, "fixed"); }

static ph_response *method(ph_request *req) {
    return ph_html(req, 200, ph_request_printf(req, "m %s", ph_request_method(req)));
}

static ph_response *head(ph_request *req) {
    ph_response *resp = ph_html(req, 200, "hello head");
    if (resp && ph_response_set_header(resp, "X-Method", ph_request_method(req)) < 0)
        return NULL;
    return resp;
}

/* ---- the app's converters -------------------------------------------------- */

/* Split `text` at `sep` into a JSON array of strings (Python's str.split). */
static int split(const char *text, size_t len, char sep, json_t **value) {
    json_t *a = json_array();
    const char *p = text, *end = text + len;
    for (;;) {
        const char *q = memchr(p, sep, (size_t)(end - p));
        if (!a ||
            json_array_append_new(a, json_stringn(p, q ? (size_t)(q - p) : (size_t)(end - p))))
            break;
        if (!q) {
            *value = a;
            return 0;
        }
        p = q + 1;
    }
    json_decref(a);
    return PH_ENOMEM;
}

/* sep.join(BaseConverter.to_url(v) for v in values). */
static int join(json_t *values, char sep, ph_url_text *out) {
    if (!json_is_array(values))
        return PH_EINVAL;
    size_t i;
    json_t *item;
    json_array_foreach(values, i, item) {
        int rc = i ? ph_url_append(out, &sep, 1) : 0;
        if (rc || (rc = ph_url_append_quoted(out, item)))
            return rc;
    }
    return 0;
}

/* Flask's documentation example: items joined with '+'. */
static int list_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    return split(text, len, '+', value);
}

static int list_to_url(void *self, json_t *value, ph_url_text *out) {
    (void)self;
    return join(value, '+', out);
}

/* Spans slashes (part_isolating = False): the segments as a list. */
static int parts_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    return split(text, len, '/', value);
}

static int parts_to_url(void *self, json_t *value, ph_url_text *out) {
    (void)self;
    return join(value, '/', out);
}

/* hex(width=1): lowercase hexadecimal digits as an int (anything else is a
 * ValidationError), written back zero-padded to `width` as Python's
 * format(n, "0{width}x"). */
static int hex_create(void *arg, json_t *args, json_t *kwargs, void **self, char *err,
                      size_t errlen) {
    (void)arg;
    json_t *width = json_object_get(kwargs, "width");
    if (!width)
        width = json_array_get(args, 0);
    if (json_array_size(args) + json_object_size(kwargs) > 1 ||
        (width && (!json_is_integer(width) || json_integer_value(width) < 1 ||
                   json_integer_value(width) > 16))) {
        snprintf(err, errlen, "hex takes one argument, width, from 1 to 16");
        return PH_EINVAL;
    }
    int *w = malloc(sizeof(*w));
    if (!w)
        return PH_ENOMEM;
    *w = width ? (int)json_integer_value(width) : 1;
    *self = w;
    return 0;
}

static int hex_to_python(void *self, const char *text, size_t len, json_t **value) {
    (void)self;
    if (len > 15 || strspn(text, "0123456789abcdef") != len)
        return PH_EINVAL;
    *value = json_integer(strtoll(text, NULL, 16));
    return *value ? 0 : PH_ENOMEM;
}

static int hex_to_url(void *self, json_t *value, ph_url_text *out) {
    int width = *(int *)self;
    if (!json_is_integer(value))
        return PH_EINVAL;
    json_int_t n = json_integer_value(value);
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%llx",
                       n < 0 ? -(unsigned long long)n : (unsigned long long)n);
    /* the sign counts toward the width, as in Python */
    int rc = n < 0 ? ph_url_append(out, "-", 1) : 0;
    for (int k = len + (n < 0); !rc && k < width; k++)
        rc = ph_url_append(out, "0", 1);
    return rc ? rc : ph_url_append(out, digits, (size_t)len);
}

static const ph_converter LIST = {.to_python = list_to_python, .to_url = list_to_url};
static const ph_converter PARTS = {
    .to_python = parts_to_python, .to_url = parts_to_url, .slashes = true};
static const ph_converter HEX = {
    .to_python = hex_to_python, .to_url = hex_to_url, .create = hex_create, .destroy = free};

static ph_response *json_arg(ph_request *req, const char *name) {
    return ph_jsonify(req, json_pack("{s:O}", name, ph_view_arg_json(req, name)));
}

static ph_response *list_value(ph_request *req) { return json_arg(req, "items"); }
static ph_response *hex_value(ph_request *req) { return json_arg(req, "n"); }
static ph_response *parts_value(ph_request *req) { return json_arg(req, "p"); }

/* ---- url_for and redirects ----------------------------------------------- */

/* The test passes url_for's arguments as data, so that one table in the test
 * drives both apps. The values are a JSON object, as Flask's **values. */
static ph_response *url_for(ph_request *req) {
    const char *values = ph_request_arg(req, "values");
    ph_url_for_opts opts = {
        .values = values ? json_loads(values, 0, NULL) : NULL,
        .external = ph_request_arg(req, "external") != NULL,
        .scheme = ph_request_arg(req, "scheme"),
        .anchor = ph_request_arg(req, "anchor"),
        .method = ph_request_arg(req, "method"),
    };
    const char *url = ph_url_for_(req, ph_request_arg(req, "endpoint"), &opts, NULL, 0);
    return ph_text(req, 200, url ? url : "ERR");
}

static ph_response *redir(ph_request *req) {
    const char *to = ph_request_arg(req, "to");
    const char *code = ph_request_arg(req, "code");
    return ph_redirect(req, to ? to : "/target", code ? (int)strtol(code, NULL, 10) : 302);
}

/* ---- errors -------------------------------------------------------------- */

static ph_response *do_abort(ph_request *req) {
    int64_t status;
    if (ph_view_arg_int(req, "n", &status) < 0)
        return NULL;
    return ph_abort(req, (int)status);
}

static ph_response *abortmsg(ph_request *req) {
    return ph_abort_msg(req, 403, "no <b>way</b> & \"q\"");
}

/* Flask: a view returning None is a TypeError, answered with the 500 page. */
static ph_response *none(ph_request *req) {
    (void)req;
    return NULL;
}

/* ---- request data -------------------------------------------------------- */

typedef bool (*pair_at_fn)(ph_request *req, size_t i, const char **name, const char **value);
typedef size_t (*values_fn)(ph_request *req, const char *name, const char **out, size_t max);

/* MultiDict.getlist(name). */
static json_t *getlist(ph_request *req, values_fn all, const char *name) {
    const char *out[64];
    size_t n = all(req, name, out, 64);
    json_t *list = json_array();
    for (size_t i = 0; i < n && i < 64; i++)
        json_array_append_new(list, json_string(out[i]));
    return list;
}

static bool seen_before(ph_request *req, pair_at_fn at, size_t i, const char *name) {
    const char *n, *v;
    for (size_t j = 0; j < i && at(req, j, &n, &v); j++)
        if (strcmp(n, name) == 0)
            return true;
    return false;
}

/* MultiDict.items(multi=True): phial walks the pairs in the order sent, a
 * MultiDict gives each key's values together, keys in order of first use. */
static json_t *multi_items(ph_request *req, pair_at_fn at) {
    json_t *items = json_array();
    const char *name, *value, *n, *v;
    for (size_t i = 0; at(req, i, &name, &value); i++) {
        if (seen_before(req, at, i, name))
            continue;
        for (size_t j = i; at(req, j, &n, &v); j++)
            if (strcmp(n, name) == 0)
                json_array_append_new(items, json_pack("[s,s]", n, v));
    }
    return items;
}

static ph_response *args(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:o,s:s?,s:o,s:s,s:s,s:s}", "a",
                                     getlist(req, ph_request_arg_all, "a"), "first",
                                     ph_request_arg(req, "a"), "items",
                                     multi_items(req, ph_request_arg_at), "qs",
                                     ph_request_query_string(req), "path", ph_request_path(req),
                                     "full", ph_request_full_path(req)));
}

/* request.files as [field, filename, content type or null, size] lists. */
static json_t *files(ph_request *req) {
    json_t *list = json_array();
    const ph_file *f;
    for (size_t i = 0; (f = ph_request_file_at(req, i)); i++) {
        const char *type = f->content_type[0] ? f->content_type : NULL;
        json_array_append_new(list, json_pack("[s,s,s?,I]", f->name, f->filename, type,
                                              (json_int_t)f->size));
    }
    return list;
}

static ph_response *form(ph_request *req) {
    json_t *a = getlist(req, ph_request_form_all, "a");
    if (ph_request_error(req)) { /* a malformed body: the 400 recorded */
        json_decref(a);
        return NULL;
    }
    return ph_jsonify(req, json_pack("{s:o,s:o,s:o}", "a", a, "items",
                                     multi_items(req, ph_request_form_at), "files", files(req)));
}

static ph_response *getjson(ph_request *req) {
    json_t *got = ph_request_json(req);
    return got ? ph_jsonify(req, json_pack("{s:O}", "got", got)) : NULL;
}

static ph_response *jsonsilent(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:O?}", "got", ph_request_json_silent(req)));
}

static ph_response *data(ph_request *req) {
    const char *body;
    size_t len;
    if (ph_request_body(req, &body, &len) < 0)
        return NULL;
    return ph_jsonify(req, json_pack("{s:I}", "len", (json_int_t)len));
}

static ph_response *cookies_sent(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:s?,s:s?,s:s?,s:s?}", "a", ph_request_cookie(req, "a"),
                                     "b", ph_request_cookie(req, "b"), "c",
                                     ph_request_cookie(req, "c"), "d d",
                                     ph_request_cookie(req, "d d")));
}

static ph_response *hdr(ph_request *req) {
    return ph_jsonify(
        req, json_pack("{s:s?,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "x",
                       ph_request_header(req, "X-T"), "path", ph_request_path(req), "full",
                       ph_request_full_path(req), "url", ph_request_url(req), "base",
                       ph_request_base_url(req), "root", ph_request_url_root(req), "host",
                       ph_request_host(req), "scheme", ph_request_scheme(req), "host_url",
                       ph_request_host_url(req)));
}

/* ---- responses ----------------------------------------------------------- */

/* The value comes as JSON text, so the test's table drives both apps. */
static ph_response *jsonify(ph_request *req) {
    const char *text = ph_request_arg(req, "v");
    const char *status = ph_request_arg(req, "status");
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (!v)
        return NULL;
    return ph_json_response(req, status ? (int)strtol(status, NULL, 10) : 200, v);
}

/* Flask: return "created", 201, {"X-A": "1"} */
static ph_response *mk(ph_request *req) {
    ph_response *resp = ph_response_new(req, 201, "created", 7, NULL);
    if (resp && ph_response_set_header(resp, "X-A", "1") < 0)
        return NULL;
    return resp;
}

static ph_response *csv(ph_request *req) {
    return ph_response_new(req, 200, "a,b\n", 4, "text/csv; charset=utf-8");
}

static ph_response *txt(ph_request *req) { return ph_text(req, 200, "plain \xc3\xa9"); }
static ph_response *html(ph_request *req) { return ph_html(req, 200, "<p>\xc3\xa9</p>"); }
static ph_response *empty(ph_request *req) { return ph_html(req, 200, ""); }
static ph_response *s204(ph_request *req) { return ph_html(req, 204, ""); }

static const char *member_str(json_t *spec, const char *key) {
    return json_string_value(json_object_get(spec, key));
}

static bool member_true(json_t *spec, const char *key) {
    return json_is_true(json_object_get(spec, key));
}

static ph_samesite_opt samesite(json_t *spec) {
    const char *s = member_str(spec, "samesite");
    if (!s)
        return PH_SAMESITE_DEFAULT;
    if (strcmp(s, "Strict") == 0)
        return PH_SAMESITE_ATTR_STRICT;
    return strcmp(s, "Lax") == 0 ? PH_SAMESITE_ATTR_LAX : PH_SAMESITE_ATTR_NONE;
}

/* One set_cookie or delete_cookie call from its keyword arguments. */
static int apply_cookie(ph_response *resp, json_t *spec) {
    const char *key = member_str(spec, "key");
    if (member_true(spec, "delete"))
        return ph_response_delete_cookie(resp, key, member_str(spec, "path"),
                                         member_str(spec, "domain"));
    const char *value = member_str(spec, "value");
    json_t *max_age = json_object_get(spec, "max_age");
    json_t *expires = json_object_get(spec, "expires");
    return ph_response_set_cookie(resp, key, value ? value : "",
                                  .max_age = json_integer_value(max_age),
                                  .has_max_age = max_age != NULL,
                                  .expires = json_integer_value(expires),
                                  .has_expires = expires != NULL, .path = member_str(spec, "path"),
                                  .domain = member_str(spec, "domain"),
                                  .secure = member_true(spec, "secure"),
                                  .httponly = member_true(spec, "httponly"),
                                  .samesite = samesite(spec));
}

/* A cookie phial refuses (PH_EINVAL) is one Werkzeug raises ValueError for:
 * both answer 500. */
static ph_response *cookie(ph_request *req) {
    const char *specs[16];
    size_t n = ph_request_arg_all(req, "c", specs, 16);
    ph_response *resp = ph_html(req, 200, "c");
    for (size_t i = 0; resp && i < n && i < 16; i++) {
        json_t *spec = json_loads(specs[i], 0, NULL);
        int rc = spec ? apply_cookie(resp, spec) : PH_EINVAL;
        json_decref(spec);
        if (rc < 0)
            return NULL;
    }
    return resp;
}

/* ---- the app ------------------------------------------------------------- */

/* A rule phial refuses stops the app: it must not show up as a 404 difference. */
#define ROUTE(...)                                                                                 \
    do {                                                                                           \
        if (ph_route(__VA_ARGS__) < 0)                                                             \
            return -1;                                                                             \
    } while (0)

static int routing_rules(ph_app *app) {
    ROUTE(app, "/", endpoint_name, .endpoint = "index");
    ROUTE(app, "/strict/", endpoint_name, .endpoint = "strict");
    ROUTE(app, "/noslash", endpoint_name, .endpoint = "noslash");
    ROUTE(app, "/loose/", endpoint_name, .endpoint = "loose", .strict_slashes = -1);
    ROUTE(app, "/loose2", endpoint_name, .endpoint = "loose2", .strict_slashes = -1);
    ROUTE(app, "/a/b/", endpoint_name, .endpoint = "ab");
    ROUTE(app, "/post", method, .endpoint = "post_only", .methods = PH_POST);
    ROUTE(app, "/gp", method, .endpoint = "method_gp", .methods = PH_GET | PH_PUT);
    ROUTE(app, "/all", method, .endpoint = "all_methods",
          .methods = PH_GET | PH_POST | PH_PUT | PH_DELETE | PH_PATCH);
    ROUTE(app, "/noopt", method, .endpoint = "noopt", .no_auto_options = 1);
    ROUTE(app, "/split", method, .endpoint = "split_get", .methods = PH_GET);
    ROUTE(app, "/split", method, .endpoint = "split_post", .methods = PH_POST);
    ROUTE(app, "/head", head);
    ROUTE(app, "/sl/<s>/", slash_value);
    ROUTE(app, "/prec/<s>", prec_s);
    ROUTE(app, "/prec/<int:n>", prec_i);
    ROUTE(app, "/prec/<float:x>", prec_f);
    ROUTE(app, "/prec/fixed", prec_fixed);
    return 0;
}

static int converter_rules(ph_app *app) {
    ROUTE(app, "/int/<int:n>", int_value, .endpoint = "v_int");
    ROUTE(app, "/sint/<int(signed=True):n>", int_value, .endpoint = "v_sint");
    ROUTE(app, "/rint/<int(min=1,max=10):n>", int_value, .endpoint = "v_rint");
    ROUTE(app, "/fint/<int(fixed_digits=3):n>", int_value, .endpoint = "v_fint");
    ROUTE(app, "/float/<float:x>", float_value, .endpoint = "v_float");
    ROUTE(app, "/sfloat/<float(signed=True):x>", float_value, .endpoint = "v_sfloat");
    ROUTE(app, "/path/<path:s>", str_value, .endpoint = "v_path");
    ROUTE(app, "/pathmid/<path:s>/end", str_value, .endpoint = "v_pathmid");
    ROUTE(app, "/uuid/<uuid:s>", str_value, .endpoint = "v_uuid");
    ROUTE(app, "/any/<any(abc,xyz,\"a b\"):s>", str_value, .endpoint = "v_any");
    ROUTE(app, "/str/<s>", str_value, .endpoint = "v_str");
    ROUTE(app, "/slen/<string(length=3):s>", str_value, .endpoint = "v_slen");
    ROUTE(app, "/smm/<string(minlength=2,maxlength=4):s>", str_value, .endpoint = "v_smm");
    ROUTE(app, "/two/<a>/<b>", two_values, .endpoint = "two");
    ROUTE(app, "/ext/<a>.<b>", two_values, .endpoint = "ext");
    ROUTE(app, "/users/page/<int:page>", users);
    return 0;
}

/* Rules with defaults: ph_route copies them, so each is freed at once. */
static int default_rules(ph_app *app) {
    json_t *page1 = json_pack("{s:i}", "page", 1);
    int rc = ph_route(app, "/users/", users, .defaults = page1);
    json_decref(page1);
    json_t *b = json_pack("{s:s}", "b", "dflt");
    if (rc == 0)
        rc = ph_route(app, "/dflt/<a>", two_values, .endpoint = "dflt", .defaults = b);
    json_decref(b);
    return rc;
}

static int request_and_response_views(ph_app *app) {
    ROUTE(app, "/url_for", url_for);
    ROUTE(app, "/redir", redir);
    ROUTE(app, "/abort/<int:n>", do_abort);
    ROUTE(app, "/abortmsg", abortmsg);
    ROUTE(app, "/none", none);
    ROUTE(app, "/args", args);
    ROUTE(app, "/form", form, .methods = PH_POST);
    ROUTE(app, "/json", getjson, .methods = PH_GET | PH_POST);
    ROUTE(app, "/jsonsilent", jsonsilent, .methods = PH_POST);
    ROUTE(app, "/data", data, .methods = PH_POST);
    ROUTE(app, "/rc", cookies_sent);
    ROUTE(app, "/hdr", hdr);
    ROUTE(app, "/hdr/<path:s>", hdr);
    ROUTE(app, "/jsonify", jsonify);
    ROUTE(app, "/mk", mk);
    ROUTE(app, "/csv", csv);
    ROUTE(app, "/txt", txt);
    ROUTE(app, "/html", html);
    ROUTE(app, "/empty", empty);
    ROUTE(app, "/s204", s204);
    ROUTE(app, "/cookie", cookie);
    return 0;
}

/* Registered before the rules that use them, as Flask needs too. */
static int custom_converter_rules(ph_app *app) {
    if (ph_app_add_converter(app, "list", &LIST, NULL) < 0 ||
        ph_app_add_converter(app, "hex", &HEX, NULL) < 0 ||
        ph_app_add_converter(app, "parts", &PARTS, NULL) < 0)
        return -1;
    ROUTE(app, "/list/<list:items>", list_value, .endpoint = "v_list");
    ROUTE(app, "/hex/<hex:n>", hex_value, .endpoint = "v_hex");
    ROUTE(app, "/hexw/<hex(width=4):n>", hex_value, .endpoint = "v_hexw");
    ROUTE(app, "/pick/<hex:n>", endpoint_name, .endpoint = "pick_hex");
    ROUTE(app, "/pick/<s>", endpoint_name, .endpoint = "pick_str");
    ROUTE(app, "/parts/<parts:p>/end", parts_value, .endpoint = "v_parts_end");
    ROUTE(app, "/parts/<parts:p>", parts_value, .endpoint = "v_parts");
    return 0;
}

/* ---- method views: Flask's UserAPI example ------------------------------------ */

static ph_response *mv_answer(ph_request *req, const char *what) {
    const char *id = ph_view_arg(req, "id");
    ph_response *r = ph_html(req, 200, ph_request_printf(req, "%s %s %s", what,
                                                          id ? id : "None",
                                                          ph_request_endpoint(req)));
    ph_response_set_header(r, "X-Method", ph_request_method(req));
    return r;
}
static ph_response *mv_get(ph_request *req) { return mv_answer(req, "get"); }
static ph_response *mv_post(ph_request *req) { return mv_answer(req, "post"); }
static ph_response *mv_put(ph_request *req) { return mv_answer(req, "put"); }
static ph_response *mv_delete(ph_request *req) { return mv_answer(req, "delete"); }
static ph_response *mv_head(ph_request *req) { return mv_answer(req, "head"); }

static const ph_method_views user_api = {
    .get = mv_get, .post = mv_post, .put = mv_put, .delete_ = mv_delete};
static const ph_method_views item_api = {.get = mv_get, .head = mv_head};

static int method_view_rules(ph_app *app) {
    if (ph_method_view(app, "/mv/", &user_api, .endpoint = "user_api",
                       .methods = PH_GET | PH_POST) < 0 ||
        ph_method_view(app, "/mv/<int:id>", &user_api, .endpoint = "user_api",
                       .methods = PH_GET | PH_PUT | PH_DELETE) < 0 ||
        ph_method_view(app, "/mvitem", &item_api, .endpoint = "item_api") < 0)
        return -1;
    return 0;
}

/* ---- URL processors: Flask's internationalised-URL pattern -------------------- */

static void pull_lang(ph_request *req, const char *endpoint) {
    const char *lang = ph_view_arg_pop(req, "lang_code");
    json_object_set_new(ph_g(), "lang_code", lang ? json_string(lang) : json_null());
}

static void add_lang(ph_request *req, const char *endpoint, json_t *values) {
    if (!json_object_get(values, "lang_code"))
        json_object_set(values, "lang_code", json_object_get(ph_g(), "lang_code"));
}

static ph_response *lang_page(ph_request *req) {
    const char *about = ph_url_for(req, ".about");
    const char *index = ph_url_for(req, ".index");
    const char *other = ph_url_for(req, ".index", .values = json_pack("{s:s}", "lang_code", "xx"));
    return ph_jsonify(req, json_pack("{s:O,s:b,s:s?,s:s?,s:s?,s:s?}", "lang",
                                     json_object_get(ph_g(), "lang_code"), "in_view_args",
                                     ph_view_arg(req, "lang_code") != NULL, "endpoint",
                                     ph_request_endpoint(req), "about", about, "index", index,
                                     "other", other));
}

static ph_blueprint *lang_bp;

static int url_processor_rules(ph_app *app) {
    lang_bp = ph_blueprint_new("lang", .url_prefix = "/<lang_code>");
    if (!lang_bp || ph_bp_url_defaults(lang_bp, add_lang) < 0 ||
        ph_bp_url_value_preprocessor(lang_bp, pull_lang) < 0 ||
        ph_bp_route(lang_bp, "/", lang_page, .endpoint = "index") < 0 ||
        ph_bp_route(lang_bp, "/about", lang_page, .endpoint = "about") < 0)
        return -1;
    return ph_register_blueprint(app, lang_bp);
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("parity");
    if (!app)
        return 1;
    int rc = 1;
    if (routing_rules(app) == 0 && default_rules(app) == 0 && converter_rules(app) == 0 &&
        custom_converter_rules(app) == 0 && request_and_response_views(app) == 0 &&
        url_processor_rules(app) == 0 && method_view_rules(app) == 0)
        rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    ph_blueprint_free(lang_bp);
    return rc;
}
