/*
 * libFuzzer target for request bodies as the framework reads them: the
 * input goes through the test client (the app protocol, in-process) as the
 * body of a POST to a view, so ph_request_body's streaming, the JSON depth
 * check (util/json_depth.c) and jansson behind it, and the form parsers
 * behind request.form / request.files run as a real request would run them.
 *
 * The first input byte picks the mode and how the body is cut up:
 *   low 2 bits   0 request.get_json(), 1 get_json(silent=True),
 *                2 request.form from an urlencoded body,
 *                3 request.form and request.files from a multipart body with
 *                  the boundary "B"
 *   high 6 bits  the piece size the client hands the body over in (0: whole)
 * The rest is the body. Every answer must be 200 or 400 (413 when the body
 * is over MAX_CONTENT_LENGTH); a JSON body that parsed must survive
 * jsonify and parse back equal (up to jsonify's 128 levels). A crash, a sanitizer report or any other
 * status is a finding.
 */
#include <phial.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ph_app *app;
static const uint8_t *in_data;
static size_t in_size;

static int depth_of(const json_t *v) {
    int d = 0, k;
    const char *key;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, key, x) if ((k = depth_of(x)) > d) d = k;
        return d + 1;
    }
    if (json_is_array(v)) {
        json_array_foreach(v, i, x) if ((k = depth_of(x)) > d) d = k;
        return d + 1;
    }
    return 0;
}

/* Back through jsonify, which serialises up to 128 levels (the session's
 * tagged JSON limit), the same depth request bodies are held to; should the
 * two limits part again, a deeper value is answered as "deep". */
static ph_response *echo(ph_request *req, json_t *v) {
    if (depth_of(v) > 128)
        return ph_text(req, 200, "deep");
    return ph_jsonify(req, json_incref(v));
}

static ph_response *json_view(ph_request *req) {
    json_t *v = ph_request_json(req);
    if (!v)
        return NULL; /* the request has failed with its 400 already */
    return echo(req, v);
}

static ph_response *json_silent_view(ph_request *req) {
    json_t *v = ph_request_json_silent(req);
    return v ? echo(req, v) : ph_text(req, 400, "not json");
}

/* Every form field and file, as "name=value" lines, touching each byte. */
static ph_response *form_view(ph_request *req) {
    const char *name, *value;
    size_t total = 0;
    for (size_t i = 0; ph_request_form_at(req, i, &name, &value); i++)
        total += strlen(name) + strlen(value);
    const ph_file *f;
    for (size_t i = 0; (f = ph_request_file_at(req, i)) != NULL; i++)
        total += strlen(f->name) + strlen(f->filename) + strlen(f->content_type);
    if (ph_request_error(req))
        return NULL;
    return ph_text(req, 200, ph_request_printf(req, "%zu", total));
}

static void check(ph_test_response *r, int mode) {
    if (!r) {
        fprintf(stderr, "no response\n");
        abort();
    }
    if (r->status != 200 && r->status != 400 && r->status != 413) {
        fprintf(stderr, "mode %d: status %d: %s\n", mode, r->status, r->body);
        abort();
    }
    if (r->status == 200 && mode <= 1 && strcmp(r->body, "deep") != 0) {
        /* What was accepted went back out through jsonify: it must parse to
         * what the request body parses to. */
        json_error_t e;
        json_t *sent = json_loadb((const char *)in_data + 1, in_size - 1,
                                  JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        json_t *back = json_loadb(r->body, r->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        if (!sent || !back || !json_equal(sent, back)) {
            fprintf(stderr, "jsonify changed the value: %s\n", r->body);
            abort();
        }
        json_decref(sent);
        json_decref(back);
    }
}

static int one(void *arg) {
    (void)arg;
    static const char *const types[] = {"application/json", "application/json",
                                        "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=B"};
    static const char *const urls[] = {"/json", "/json-silent", "/form", "/form"};
    int mode = in_data[0] & 3;
    size_t piece = in_data[0] >> 2;
    ph_test_client *c = ph_test_client_new(app);
    if (!c)
        abort();
    ph_test_response *r =
        ph_client_post(c, urls[mode], .body = in_data + 1, .body_len = in_size - 1,
                       .content_type = types[mode], .chunk_size = piece);
    check(r, mode);
    ph_test_response_free(r);
    ph_test_client_free(c);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    if (!app) {
        app = ph_app_new("fuzz");
        if (!app || ph_route(app, "/json", json_view, .methods = PH_POST) < 0 ||
            ph_route(app, "/json-silent", json_silent_view, .methods = PH_POST) < 0 ||
            ph_route(app, "/form", form_view, .methods = PH_POST) < 0 ||
            ph_config_set_int(app, "MAX_CONTENT_LENGTH", 1 << 20) < 0)
            abort();
        /* Logging each refused body would drown libFuzzer's output. */
        ph_log_set_level(PH_LOG_CRITICAL);
    }
    in_data = data;
    in_size = size;
    if (ph_run(one, NULL) < 0)
        abort();
    return 0;
}
