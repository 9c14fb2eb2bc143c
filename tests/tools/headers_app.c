/*
 * An app that answers what phial read from the request's headers, as JSON,
 * for tests/integration/test_request_headers.py to compare with what
 * Werkzeug 2.2 reads from the same headers:
 *   GET /auth    request.authorization: null, or {"type", "username",
 *                "password", "params": [[name, value or null], ...]}
 *   GET /route   request.access_route, referrer, user_agent, is_secure
 *   GET /accept?h=mime|lang|enc&offer=...&offer=...[&default=...]
 *                {"best": best_match(offers, default), "quality": [quality(offer), ...]}
 *   ANY /content?p=name&p=name
 *                content_type, mimetype, is_json, content_length (null when
 *                none) and "params": [mimetype_params.get(name), ...]
 */
#include <string.h>
#include <phial.h>

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static ph_response *auth_view(ph_request *req) {
    const ph_authorization *a = ph_request_authorization(req);
    if (!a)
        return ph_jsonify(req, json_null());
    json_t *params = json_array();
    for (size_t i = 0; i < a->nparams; i++)
        json_array_append_new(params, json_pack("[s,o]", a->param_names[i],
                                                str_or_null(a->param_values[i])));
    return ph_jsonify(req, json_pack("{s:s,s:o,s:o,s:o}", "type", a->type, "username",
                                     str_or_null(a->username), "password",
                                     str_or_null(a->password), "params", params));
}

static ph_response *route_view(ph_request *req) {
    const char *out[64];
    size_t n = ph_request_access_route(req, out, 64);
    json_t *route = json_array();
    for (size_t i = 0; i < n && i < 64; i++)
        json_array_append_new(route, json_string(out[i]));
    return ph_jsonify(req, json_pack("{s:o,s:o,s:s,s:b}", "access_route", route, "referrer",
                                     str_or_null(ph_request_referrer(req)), "user_agent",
                                     ph_request_user_agent(req), "is_secure",
                                     ph_request_is_secure(req)));
}

static ph_response *accept_view(ph_request *req) {
    const char *h = ph_request_arg(req, "h");
    ph_accept_header which = h && !strcmp(h, "lang")  ? PH_ACCEPT_LANGUAGES
                             : h && !strcmp(h, "enc") ? PH_ACCEPT_ENCODINGS
                                                      : PH_ACCEPT_MIMETYPES;
    const char *offers[32];
    size_t n = ph_request_arg_all(req, "offer", offers, 32);
    if (n > 32)
        n = 32;
    json_t *q = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(q, json_real(ph_request_accept_quality(req, which, offers[i])));
    const char *best = ph_request_accept_best(req, which, offers, n, ph_request_arg(req, "default"));
    return ph_jsonify(req, json_pack("{s:o,s:o}", "best", str_or_null(best), "quality", q));
}

static ph_response *content_view(ph_request *req) {
    const char *names[16];
    size_t n = ph_request_arg_all(req, "p", names, 16);
    json_t *params = json_array();
    for (size_t i = 0; i < n && i < 16; i++)
        json_array_append_new(params, str_or_null(ph_request_mimetype_param(req, names[i])));
    int64_t len = ph_request_content_length(req);
    return ph_jsonify(req, json_pack("{s:o,s:s,s:b,s:o,s:o}", "content_type",
                                     str_or_null(ph_request_content_type(req)), "mimetype",
                                     ph_request_mimetype(req), "is_json", ph_request_is_json(req),
                                     "content_length", len < 0 ? json_null() : json_integer(len),
                                     "params", params));
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("headers");
    if (!app)
        return 1;
    ph_route(app, "/auth", auth_view);
    ph_route(app, "/route", route_view);
    ph_route(app, "/accept", accept_view);
    ph_route(app, "/content", content_view, .methods = PH_GET | PH_POST);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
