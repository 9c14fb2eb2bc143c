/*
 * Responses through the test client: text, HTML and bytes, status and
 * headers (CR or LF in them refused), redirects with every code and
 * Werkzeug's body, and streaming responses sent in several chunks.
 */
#include "fw_common.h"

#include <strings.h>

/* ---- bodies ------------------------------------------------------------------------ */

static ph_response *text_view(ph_request *req) { return ph_text(req, 200, "plain text"); }
static ph_response *html_view(ph_request *req) { return ph_html(req, 200, "<b>bold</b>"); }
static ph_response *bytes_view(ph_request *req) {
    return ph_response_new(req, 200, "\x00\x01\x02", 3, "application/octet-stream");
}
static ph_response *default_type_view(ph_request *req) {
    return ph_response_new(req, 200, "x", 1, NULL);
}
static ph_response *empty_view(ph_request *req) { return ph_response_new(req, 204, NULL, 0, NULL); }
static ph_response *null_text_view(ph_request *req) { return ph_text(req, 200, NULL); }

static ph_app *bodies_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/text", text_view);
    ph_route(app, "/html", html_view);
    ph_route(app, "/bytes", bytes_view);
    ph_route(app, "/default", default_type_view);
    ph_route(app, "/empty", empty_view);
    ph_route(app, "/nulltext", null_text_view);
    return app;
}

Test(fw_response, text_response_is_text_plain_utf8) {
    FW_CHECK(bodies_app(),
             {"GET", "/text", 200, "plain text", "Content-Type", "text/plain; charset=utf-8"});
}

Test(fw_response, html_response_is_text_html_utf8) {
    FW_CHECK(bodies_app(),
             {"GET", "/html", 200, "<b>bold</b>", "Content-Type", "text/html; charset=utf-8"});
}

Test(fw_response, default_content_type_is_html_as_flask) {
    FW_CHECK(bodies_app(),
             {"GET", "/default", 200, "x", "Content-Type", "text/html; charset=utf-8"});
}

static int body_bytes(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/bytes");
    cr_assert_eq(r->len, 3);
    cr_expect(memcmp(r->body, "\x00\x01\x02", 3) == 0);
    fw_expect_header(r, "Content-Type", "application/octet-stream");
    ph_test_response_free(r);
    return 0;
}

Test(fw_response, bytes_response_keeps_nul_bytes) { fw_run(bodies_app(), body_bytes); }

Test(fw_response, empty_bodies) {
    FW_CHECK(bodies_app(), {"GET", "/empty", 204, ""}, {"GET", "/nulltext", 200, ""});
}

/* ---- status and headers ----------------------------------------------------------- */

static ph_response *headers_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "h");
    cr_expect_eq(ph_response_status(r), 200);
    ph_response_set_status(r, 202);
    cr_expect_eq(ph_response_add_header(r, "X-Multi", "1"), 0);
    cr_expect_eq(ph_response_add_header(r, "X-Multi", "2"), 0);
    cr_expect_eq(ph_response_set_header(r, "X-One", "a"), 0);
    cr_expect_eq(ph_response_set_header(r, "x-one", "b"), 0); /* replaces, any case */
    cr_expect_eq(ph_response_add_header(r, "X-Gone", "g"), 0);
    ph_response_remove_header(r, "x-gone");
    cr_expect_str_eq(ph_response_header(r, "X-ONE"), "b");
    cr_expect_null(ph_response_header(r, "X-Gone"));
    size_t len;
    cr_expect_str_eq(ph_response_body(r, &len), "h");
    cr_expect_eq(len, 1);
    return r;
}

static int body_headers(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_assert_eq(r->status, 202);
    fw_expect_header(r, "x-one", "b");
    fw_expect_header(r, "X-Gone", NULL);
    int multi = 0;
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name.ptr, "X-Multi") == 0)
            multi = multi * 10 + atoi(r->headers[i].value.ptr);
    cr_expect_eq(multi, 12, "both X-Multi headers, in order");
    ph_test_response_free(r);
    return 0;
}

Test(fw_response, status_and_headers_set_add_remove) {
    ph_app *app = fw_app();
    ph_route(app, "/", headers_view);
    fw_run(app, body_headers);
}

static ph_response *injection_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "safe");
    cr_expect_eq(ph_response_set_header(r, "X-A", "v\r\nSet-Cookie: evil=1"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "X-B", "v\nX-C: 1"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "X-D", "v\rX"), PH_EINVAL);
    /* other control bytes too (the request parser refuses them as well);
     * HTAB and bytes past ASCII stay */
    cr_expect_eq(ph_response_add_header(r, "X-G", "a\x01b"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "X-H", "a\x7f"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "X-I", "\x1b[31m"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "X-J", "a\tb \xc3\xa9"), 0);
    cr_expect_eq(ph_response_add_header(r, "X-E\r\nX-F", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "Bad Name", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "Bad:Name", "v"), PH_EINVAL);
    cr_expect_eq(ph_response_add_header(r, "", "v"), PH_EINVAL);
    return r;
}

static int body_injection(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_assert_eq(r->status, 200);
    cr_expect_str_eq(r->body, "safe");
    for (const char *h = "X-A\0X-B\0X-C\0X-D\0X-F\0Set-Cookie\0"; *h; h += strlen(h) + 1)
        fw_expect_header(r, h, NULL);
    ph_test_response_free(r);
    return 0;
}

Test(fw_response, header_values_with_cr_or_lf_are_refused_and_never_sent) {
    ph_app *app = fw_app();
    ph_route(app, "/", injection_view);
    fw_run(app, body_injection);
}

/* ---- redirects -------------------------------------------------------------------- */

static ph_response *redirect_view(ph_request *req) {
    int64_t code = 0;
    ph_view_arg_int(req, "code", &code);
    return ph_redirect(req, "/target?a=1&b=<2>", (int)code);
}

static ph_response *target_view(ph_request *req) {
    return ph_text(req, 200, ph_request_printf(req, "%s %s", ph_request_method(req),
                                               ph_request_arg(req, "b")));
}

static ph_app *redirect_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/r/<int:code>", redirect_view, .methods = PH_GET | PH_POST);
    ph_route(app, "/target", target_view, .methods = PH_GET | PH_POST);
    return app;
}

#define REDIRECT_BODY                                                                             \
    "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"   \
    "<p>You should be redirected automatically to the target URL: <a "                            \
    "href=\"/target?a=1&amp;b=&lt;2&gt;\">/target?a=1&amp;b=&lt;2&gt;</a>. If not, click the "     \
    "link.\n"

Test(fw_response, redirect_defaults_to_302_with_werkzeugs_body) {
    FW_CHECK(redirect_app(), {"GET", "/r/0", 302, REDIRECT_BODY, "Location", "/target?a=1&b=<2>"});
}

Test(fw_response, redirect_with_each_code) {
    FW_CHECK(redirect_app(), {"GET", "/r/301", 301, REDIRECT_BODY},
             {"GET", "/r/302", 302, REDIRECT_BODY}, {"GET", "/r/303", 303, REDIRECT_BODY},
             {"GET", "/r/307", 307, REDIRECT_BODY}, {"GET", "/r/308", 308, REDIRECT_BODY});
}

Test(fw_response, redirect_with_a_non_redirect_code_gives_500) {
    ph_app *app = redirect_app();
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/r/200", 500, NULL}, {"GET", "/r/404", 500, NULL});
    free(fw_log_end(&l));
}

/* A location that is not plain ASCII becomes a URI in Location and the
 * link, and stays as given in the link's text (Werkzeug 2.2's redirect,
 * which runs iri_to_uri; expected values printed by it). */
static ph_response *redirect_iri(ph_request *req) {
    return ph_redirect(req, ph_request_arg(req, "to"), 302);
}

#define REDIRECT_HEAD                                                                             \
    "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"   \
    "<p>You should be redirected automatically to the target URL: "

Test(fw_response, redirect_makes_an_iri_a_uri_as_werkzeug) {
    ph_app *app = fw_app();
    ph_route(app, "/", redirect_iri);
    FW_CHECK(app,
             {"GET", "/?to=/%C3%A9%20x%3Fq%3D%C3%BC%26r%3Da%20b%23frag%20ment", 302,
              REDIRECT_HEAD "<a href=\"/%C3%A9%20x?q=%C3%BC&amp;r=a%20b#frag%20ment\">"
                            "/\xc3\xa9 x?q=\xc3\xbc&amp;r=a b#frag ment</a>. If not, click the link.\n",
              "Location", "/%C3%A9%20x?q=%C3%BC&r=a%20b#frag%20ment"},
             {"GET", "/?to=http://ex.com/a%2520b%20c", 302, NULL, "Location",
              "http://ex.com/a%20b%20c"},
             {"GET", "/?to=/caf%C3%A9%3C%26%3E", 302,
              REDIRECT_HEAD "<a href=\"/caf%C3%A9%3C&amp;%3E\">/caf\xc3\xa9&lt;&amp;&gt;</a>. If "
                            "not, click the link.\n",
              "Location", "/caf%C3%A9%3C&%3E"},
             /* plain ASCII is kept as it is, '<' included */
             {"GET", "/?to=/a%3Cb", 302, NULL, "Location", "/a<b"});
}

static ph_response *redirect_crlf(ph_request *req) {
    return ph_redirect(req, "/x\r\nSet-Cookie: evil=1", 302);
}

Test(fw_response, redirect_to_a_location_with_crlf_gives_500) {
    ph_app *app = fw_app();
    ph_route(app, "/", redirect_crlf);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL, "Set-Cookie", NULL});
    free(fw_log_end(&l));
}

static int body_follow(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/r/302", .follow_redirects = true);
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(r->body, "GET <2>", "302 after POST becomes GET");
    cr_expect_eq(r->redirects, 1);
    ph_test_response_free(r);
    r = ph_client_post(c, "/r/307", .follow_redirects = true);
    cr_expect_str_eq(r->body, "POST <2>", "307 keeps the method");
    ph_test_response_free(r);
    r = ph_client_post(c, "/r/308", .follow_redirects = true);
    cr_expect_str_eq(r->body, "POST <2>", "308 keeps the method");
    ph_test_response_free(r);
    r = ph_client_post(c, "/r/303", .follow_redirects = true);
    cr_expect_str_eq(r->body, "GET <2>");
    ph_test_response_free(r);
    return 0;
}

Test(fw_response, redirects_followed_with_flasks_method_rules) { fw_run(redirect_app(), body_follow); }

/* ---- streaming -------------------------------------------------------------------- */

static int produce(ph_stream *s, void *arg) {
    const char *const *parts = arg;
    for (size_t i = 0; parts[i]; i++) {
        int rc = ph_stream_write(s, parts[i], strlen(parts[i]));
        if (rc < 0)
            return rc;
        ph_sleep(0.001); /* the producer may suspend between chunks */
    }
    return ph_stream_write(s, "", 0);
}

static const char *const PARTS[] = {"first,", "second,", "third", NULL};

static ph_response *stream_view(ph_request *req) {
    ph_response *r = ph_response_stream(req, 200, "text/plain", produce, (void *)PARTS);
    cr_expect_null(ph_response_body(r, NULL), "no body in memory");
    return r;
}

/* Counts the body messages the app sends, around the framework app. */
typedef struct counting_channel {
    ph_channel base;
    ph_channel *inner;
    int nbody;
} counting_channel;

static int counted_bodies;

static int cc_receive(ph_channel *ch, ph_message *m) {
    return ph_receive(((counting_channel *)ch)->inner, m);
}

static int cc_send(ph_channel *ch, const ph_message *m) {
    counting_channel *c = (counting_channel *)ch;
    if (m->type == PH_MSG_HTTP_RESPONSE_BODY && m->body.len)
        c->nbody++;
    return ph_send(c->inner, m);
}

static const ph_channel_ops cc_ops = {cc_receive, cc_send};

static int counting_app(void *self, const ph_scope *scope, ph_channel *ch) {
    counting_channel c = {{&cc_ops}, ch, 0};
    ph_proto_app inner = ph_app_proto(self);
    int rc = inner.call(inner.self, scope, &c.base);
    counted_bodies = c.nbody;
    return rc;
}

static int body_stream(ph_app *app, ph_test_client *unused) {
    ph_test_client *c = ph_test_client_new_proto((ph_proto_app){counting_app, app});
    ph_test_response *r = ph_client_get(c, "/");
    cr_expect_eq(r->status, 200);
    cr_expect_str_eq(r->body, "first,second,third");
    fw_expect_header(r, "Content-Type", "text/plain");
    fw_expect_header(r, "X-After", "yes");
    cr_expect_eq(counted_bodies, 3, "one body message per write");
    ph_test_response_free(r);
    ph_test_client_free(c);
    return 0;
}

static ph_response *after_header(ph_request *req, ph_response *r) {
    ph_response_set_header(r, "X-After", "yes");
    return r;
}

Test(fw_response, streaming_response_sends_each_chunk_after_the_hooks) {
    ph_app *app = fw_app();
    ph_route(app, "/", stream_view);
    ph_after_request(app, after_header);
    fw_run(app, body_stream);
}

static int produce_then_fail(ph_stream *s, void *arg) {
    ph_stream_write(s, "partial", 7);
    return PH_EIO;
}

static ph_response *failing_stream_view(ph_request *req) {
    return ph_response_stream(req, 200, NULL, produce_then_fail, NULL);
}

static int body_failing_stream(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_expect_eq(r->status, 200, "the status was already sent");
    cr_expect_str_eq(r->body, "partial", "the body ends short");
    ph_test_response_free(r);
    fw_expect(ph_client_get(c, "/"), 200, "partial"); /* the app lives on */
    return 0;
}

Test(fw_response, failing_stream_ends_the_body_short_and_logs) {
    ph_app *app = fw_app();
    ph_route(app, "/", failing_stream_view);
    fw_log l;
    fw_log_begin(&l);
    fw_run(app, body_failing_stream);
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "streaming body") != NULL, "log: %s", log);
    free(log);
}

Test(fw_response, head_of_a_streaming_response_has_no_body) {
    ph_app *app = fw_app();
    ph_route(app, "/", stream_view);
    FW_CHECK(app, {"HEAD", "/", 200, "", "Content-Type", "text/plain"});
}

static ph_response *stream_null_fn(ph_request *req) {
    return ph_response_stream(req, 200, NULL, NULL, NULL);
}

Test(fw_response, streaming_without_a_producer_is_refused) {
    ph_app *app = fw_app();
    ph_route(app, "/", stream_null_fn);
    fw_log l;
    fw_log_begin(&l);
    FW_CHECK(app, {"GET", "/", 500, NULL});
    free(fw_log_end(&l));
}

typedef struct big_stream {
    size_t chunks, size;
} big_stream;

static int produce_big(ph_stream *s, void *arg) {
    big_stream *b = arg;
    char buf[1024];
    memset(buf, 'z', sizeof(buf));
    for (size_t i = 0; i < b->chunks; i++) {
        int rc = ph_stream_write(s, buf, b->size);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static ph_response *big_stream_view(ph_request *req) {
    big_stream *b = ph_request_alloc(req, sizeof(*b)); /* arg from the arena */
    b->chunks = 200;
    b->size = 1000;
    return ph_response_stream(req, 200, "application/octet-stream", produce_big, b);
}

static int body_big_stream(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_expect_eq(r->len, 200000);
    ph_test_response_free(r);
    return 0;
}

Test(fw_response, streaming_many_chunks_with_state_in_the_arena) {
    ph_app *app = fw_app();
    ph_route(app, "/", big_stream_view);
    fw_run(app, body_big_stream);
}

static ph_response *many_headers_view(ph_request *req) {
    ph_response *r = ph_text(req, 200, "many");
    for (int i = 0; i < 40; i++)
        ph_response_add_header(r, ph_request_printf(req, "X-H%d", i),
                               ph_request_printf(req, "v%d", i));
    return r;
}

static int body_many_headers(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    cr_assert_eq(r->status, 200);
    cr_expect_eq(r->nheaders, 41, "Content-Type and forty more");
    fw_expect_header(r, "X-H0", "v0");
    fw_expect_header(r, "X-H39", "v39");
    ph_test_response_free(r);
    return 0;
}

Test(fw_response, many_headers_are_all_sent) {
    ph_app *app = fw_app();
    ph_route(app, "/", many_headers_view);
    fw_run(app, body_many_headers);
}

/* Once the request is cancelled (its client left: a half-closed socket may
 * still take writes), every write says so, and the producer can stop. */
static int write_results[3];

static int produce_after_cancel(ph_stream *s, void *arg) {
    write_results[0] = ph_stream_write(s, "before ", 7);
    ph_cancel(ph_current());
    write_results[1] = ph_stream_write(s, "after", 5);
    write_results[2] = ph_stream_write(s, "again", 5);
    return write_results[2];
}

static ph_response *cancelled_stream_view(ph_request *req) {
    return ph_response_stream(req, 200, NULL, produce_after_cancel, NULL);
}

static int body_cancelled_stream(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    ph_test_response_free(r);
    cr_expect_eq(write_results[0], 0);
    cr_expect_eq(write_results[1], PH_ECANCELED);
    cr_expect_eq(write_results[2], PH_ECANCELED);
    return 0;
}

Test(fw_response, stream_writes_after_cancellation_report_it) {
    ph_app *app = fw_app();
    ph_route(app, "/", cancelled_stream_view);
    fw_log l;
    fw_log_begin(&l);
    fw_run(app, body_cancelled_stream);
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "ERROR") == NULL, "a cancelled stream is no failure: %s", log);
    free(log);
}
