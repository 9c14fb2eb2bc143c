/*
 * request.stream through the test client: the body read piece by piece as
 * the client's chunks arrive, MAX_CONTENT_LENGTH while streaming (413 at the
 * piece that passes it), and the body read once whoever reads it: after the
 * stream, get_data and the form see the rest; after get_data, the stream
 * gives the whole body as one piece.
 */
#include "fw_common.h"

/* "<pieces> <bytes> <text>": what the stream gave (the text when short). */
static ph_response *stream_view(ph_request *req) {
    const char *p;
    size_t n, pieces = 0, total = 0;
    char text[64] = "";
    int rc;
    while ((rc = ph_request_stream_read(req, &p, &n)) > 0) {
        pieces++;
        if (total + n < sizeof(text))
            memcpy(text + total, p, n);
        total += n;
    }
    if (rc < 0)
        return NULL; /* the recorded 413 is sent */
    cr_expect_eq(ph_request_stream_read(req, &p, &n), 0, "the end stays the end");
    if (total >= sizeof(text))
        text[0] = '\0';
    else
        text[total] = '\0';
    return ph_text(req, 200, ph_request_printf(req, "%zu %zu %s", pieces, total, text));
}

/* Half the stream, then get_data: "<first piece> | <rest>". */
static ph_response *half_view(ph_request *req) {
    const char *p, *rest;
    size_t n, rest_len;
    int rc = ph_request_stream_read(req, &p, &n);
    if (rc < 0)
        return NULL;
    char *first = ph_request_printf(req, "%.*s", rc ? (int)n : 0, rc ? p : "");
    if (ph_request_body(req, &rest, &rest_len) < 0)
        return NULL;
    return ph_text(req, 200, ph_request_printf(req, "%s | %.*s", first, (int)rest_len, rest));
}

/* get_data, then the stream. */
static ph_response *body_then_stream_view(ph_request *req) {
    const char *body, *p;
    size_t len, n;
    if (ph_request_body(req, &body, &len) < 0)
        return NULL;
    int rc = ph_request_stream_read(req, &p, &n);
    cr_expect_eq(rc, 1);
    cr_expect_eq(p, body, "the stream hands over the body already read");
    cr_expect_eq(n, len);
    cr_expect_eq(ph_request_stream_read(req, &p, &n), 0);
    return ph_text(req, 200, "same");
}

/* The whole stream, then the form: empty, as in Werkzeug. */
static ph_response *stream_then_form_view(ph_request *req) {
    const char *p;
    size_t n;
    while (ph_request_stream_read(req, &p, &n) > 0)
        ;
    const char *v = ph_request_form(req, "a");
    return ph_text(req, 200, v ? v : "(none)");
}

static ph_app *stream_app(int64_t max) {
    ph_app *app = fw_app();
    if (max)
        ph_config_set_int(app, "MAX_CONTENT_LENGTH", max);
    ph_route(app, "/", stream_view, .methods = PH_GET | PH_POST);
    ph_route(app, "/half", half_view, .methods = PH_POST);
    ph_route(app, "/after", body_then_stream_view, .methods = PH_POST);
    ph_route(app, "/form", stream_then_form_view, .methods = PH_POST);
    return app;
}

static int body_pieces(ph_app *app, ph_test_client *c) {
    static const char text[] = "0123456789abcdefghij";
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = 20, .chunk_size = 8), 200,
              "3 20 0123456789abcdefghij");
    fw_expect(ph_client_post(c, "/", .body = text, .body_len = 20), 200,
              "1 20 0123456789abcdefghij");
    fw_expect(ph_client_get(c, "/"), 200, "0 0 ");
    return 0;
}

Test(fw_body_stream, pieces_come_as_the_client_sends_them) { fw_run(stream_app(0), body_pieces); }

static int body_limit(ph_app *app, ph_test_client *c) {
    char big[300];
    memset(big, 'x', sizeof(big));
    /* The piece that passes the limit fails; the earlier ones were served. */
    fw_expect(ph_client_post(c, "/", .body = big, .body_len = 300, .chunk_size = 64), 413, NULL);
    fw_expect(ph_client_post(c, "/", .body = big, .body_len = 100, .chunk_size = 64), 200, NULL);
    return 0;
}

Test(fw_body_stream, max_content_length_applies_while_streaming) {
    fw_run(stream_app(100), body_limit);
}

static int body_mixed(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/half", .body = "abcdefgh", .body_len = 8, .chunk_size = 3), 200,
              "abc | defgh");
    fw_expect(ph_client_post(c, "/half", .body = "abc", .body_len = 3), 200, "abc | ");
    fw_expect(ph_client_post(c, "/after", .body = "abcdefgh", .body_len = 8, .chunk_size = 3),
              200, "same");
    fw_expect(ph_client_post(c, "/form", .body = "a=1", .body_len = 3,
                             .content_type = "application/x-www-form-urlencoded"),
              200, "(none)");
    return 0;
}

Test(fw_body_stream, the_body_is_read_once_whoever_reads_it) { fw_run(stream_app(0), body_mixed); }
