/*
 * stream_template: the bytes of render_template, sent in several body
 * messages as the page renders (templates read from files in the request's
 * task, with Flask's context names), the output before a suspending global
 * sent before it runs, errors before the headers (the 500 page) and after
 * them (a body cut short, logged, seen by teardown), a client that leaves,
 * and a huge page in bounded memory.
 */
#include "fw_common.h"

#include <malloc.h>
#include <sys/stat.h>

static char dir[64];

static void write_file(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void make_dir(void) {
    strcpy(dir, "/tmp/phial-stream-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- what the app sent: a channel between the app and the client ------ */

static struct {
    size_t bodies;  /* body messages with bytes */
    size_t bytes;   /* bytes in them */
    size_t largest; /* the largest */
    int ended;      /* the last message (more_body 0) was sent */
} seen;

typedef struct watch {
    ph_channel base;
    ph_channel *inner;
} watch;

static int discard; /* hand the client no bytes (a huge page) */

static int w_receive(ph_channel *ch, ph_message *m) { return ph_receive(((watch *)ch)->inner, m); }

static int w_send(ph_channel *ch, const ph_message *m) {
    watch *w = (watch *)ch;
    if (m->type != PH_MSG_HTTP_RESPONSE_BODY)
        return ph_send(w->inner, m);
    if (m->body.len) {
        seen.bodies++;
        seen.bytes += m->body.len;
        if (m->body.len > seen.largest)
            seen.largest = m->body.len;
    }
    if (!m->more_body)
        seen.ended = 1;
    if (discard && m->more_body)
        return 0;
    if (discard) {
        ph_message end = {.type = PH_MSG_HTTP_RESPONSE_BODY};
        return ph_send(w->inner, &end);
    }
    return ph_send(w->inner, m);
}

static const ph_channel_ops w_ops = {w_receive, w_send};

static int watching_app(void *self, const ph_scope *scope, ph_channel *ch) {
    watch w = {{&w_ops}, ch};
    memset(&seen, 0, sizeof(seen));
    ph_proto_app inner = ph_app_proto(self);
    return inner.call(inner.self, scope, &w.base);
}

/* A request through the watching channel. */
static ph_test_response *get_watched(ph_app *app, const char *url) {
    ph_test_client *c = ph_test_client_new_proto((ph_proto_app){watching_app, app});
    ph_test_response *r = ph_client_get(c, url);
    ph_test_client_free(c);
    return r;
}

/* ---- the same bytes as render_template --------------------------------- */

static const char *const PAGE_CONTEXT =
    "{\"title\": \"Orders <&>\", \"rows\": [{\"id\": 1, \"who\": \"ann <a@x>\", \"sum\": 9.5},"
    "{\"id\": 2, \"who\": \"bob & co\", \"sum\": 120}, {\"id\": 3, \"who\": \"\\\"cy\\\"\", "
    "\"sum\": 0.25}], \"pad\": 400, \"raw\": \"<b>bold</b>\"}";

/* ?t=template, and &s=1 to stream it (the path is the same: pages print it) */
static ph_response *page_view(ph_request *req) {
    json_t *ctx = json_loads(PAGE_CONTEXT, 0, NULL);
    const char *t = ph_request_arg(req, "t");
    return ph_request_arg(req, "s") ? ph_stream_template(req, t, ctx)
                                    : ph_render_template(req, t, ctx);
}

static const char *const STRING_TEMPLATE =
    "{% for r in rows %}<li>{{ r.who }} {{ '%.2f'|format(r.sum) }}</li>{% endfor %}"
    "{% include 'footer.html' %}{{ request.args.t }}";

static ph_response *string_view(ph_request *req) {
    json_t *ctx = json_loads(PAGE_CONTEXT, 0, NULL);
    return ph_request_arg(req, "s") ? ph_stream_template_string(req, STRING_TEMPLATE, ctx)
                                    : ph_render_template_string(req, STRING_TEMPLATE, ctx);
}

static ph_response *show(ph_request *req) { return ph_text(req, 200, "show"); }

static ph_response *set_g(ph_request *req) {
    json_object_set_new(ph_g(), "who", json_string("gee"));
    ph_session_set(req, "user", json_string("sue"));
    return NULL;
}

static void write_templates(void) {
    write_file("base.html",
               "<!doctype html><title>{% block title %}Shop{% endblock %}</title>\n"
               "<nav>{{ url_for('show', id=3) }} {{ request.path }} {{ config.APP_TITLE }} "
               "{{ g.who }} {{ session.user }} {{ get_flashed_messages()|length }}</nav>\n"
               "{% block body %}{% endblock %}\n{% include 'footer.html' %}");
    write_file("footer.html", "<footer>{{ title|lower }} &copy;</footer>");
    write_file("macros.html", "{% macro cell(v, cls='c') %}<td class=\"{{ cls }}\">{{ v }}</td>"
                              "{% endmacro %}{% macro box() %}<div>{{ caller() }}</div>"
                              "{% endmacro %}");
    write_file("page.html",
               "{% extends 'base.html' %}{% from 'macros.html' import cell, box %}"
               "{% block title %}{{ title }} | {{ super() }}{% endblock %}"
               "{% block body %}<table>{% for r in rows %}<tr>{{ cell(r.id) }}{{ cell(r.who) }}"
               "{{ cell('%08.3f' % r.sum, cls=loop.cycle('odd', 'even')) }}</tr>{% endfor %}"
               "</table>{% call box() %}{{ rows|map(attribute='who')|join(', ') }}{% endcall %}"
               "{% for i in range(pad) %}<p id=\"p{{ i }}\">{{ rows[i % 3].who }}</p>\n"
               "{% endfor %}{% autoescape false %}{{ raw }}{% endautoescape %}{{ raw }}"
               "{% endblock %}");
    write_file("small.html", "{% extends 'base.html' %}{% block body %}{{ raw }}{% endblock %}");
}

static ph_app *page_app(void) {
    ph_app *app = fw_app();
    ph_config_set_str(app, "SECRET_KEY", "k");
    ph_config_set_str(app, "TEMPLATE_FOLDER", dir);
    ph_config_set_str(app, "APP_TITLE", "Notes");
    ph_before_request(app, set_g);
    ph_route(app, "/page", page_view);
    ph_route(app, "/string", string_view);
    ph_route(app, "/show/<int:id>", show, .endpoint = "show");
    return app;
}

static void expect_same(ph_app *app, const char *a, const char *b, int many) {
    ph_test_response *w = get_watched(app, a);
    cr_assert_eq(w->status, 200, "%s: %s", a, w->body);
    cr_assert_eq(seen.bodies, 1, "%s: a whole page is one body", a);
    ph_test_response *s = get_watched(app, b);
    cr_assert_eq(s->status, 200, "%s: %s", b, s->body);
    fw_expect_header(s, "Content-Type", "text/html; charset=utf-8");
    cr_assert_eq(s->len, w->len, "%s: %zu bytes, not %zu", b, s->len, w->len);
    cr_assert_eq(memcmp(s->body, w->body, w->len), 0, "%s:\n%s\nnot\n%s", b, s->body, w->body);
    cr_assert(seen.ended, "%s: the body was ended", b);
    if (many)
        cr_assert_gt(seen.bodies, 1, "%s: sent in pieces as it rendered", b);
    cr_assert_leq(seen.largest, 16384, "%s: no piece over the chunk", b);
    ph_test_response_free(w);
    ph_test_response_free(s);
}

static int body_same(ph_app *app, ph_test_client *c) {
    expect_same(app, "/page?t=page.html", "/page?t=page.html&s=1", 1);
    expect_same(app, "/page?t=small.html", "/page?t=small.html&s=1", 0);
    expect_same(app, "/string?t=x", "/string?t=x&s=1", 0);
    ph_test_response *r = get_watched(app, "/page?t=page.html&s=1");
    cr_assert(strstr(r->body, "<nav>/show/3 /page Notes gee sue 0</nav>"),
              "Flask's context while streaming: %.300s", r->body);
    cr_assert(strstr(r->body, "<td class=\"c\">ann &lt;a@x&gt;</td>"), "autoescaped");
    cr_assert(strstr(r->body, "<b>bold</b>&lt;b&gt;"), "autoescape blocks");
    ph_test_response_free(r);
    return 0;
}

Test(render_stream, streams_the_bytes_render_template_makes) {
    make_dir();
    write_templates();
    fw_run(page_app(), body_same);
    remove_dir();
}

/* ---- a global that suspends -------------------------------------------- */

static size_t bytes_at_slow;

static json_t *slow(json_t *args, void *ud, int *safe) {
    bytes_at_slow = seen.bytes;
    ph_sleep(0.02);
    return json_string("");
}

static ph_response *slow_view(ph_request *req) {
    ph_response *r = ph_stream_template_string(req, "<h1>{{ request.args.h }}</h1>{{ slow() }}"
                                                    "<p>after</p>",
                                               NULL);
    ph_response_set_status(r, 203);
    ph_response_set_header(r, "X-Mode", "streamed");
    return r;
}

static ph_response *after(ph_request *req, ph_response *r) {
    ph_response_set_header(r, "X-After", "yes");
    return r;
}

static int body_slow(ph_app *app, ph_test_client *c) {
    ph_test_response *r = get_watched(app, "/slow?h=<hi>");
    cr_assert_eq(r->status, 203, "the view may change the status");
    fw_expect_header(r, "X-Mode", "streamed");
    fw_expect_header(r, "X-After", "yes");
    cr_assert_str_eq(r->body, "<h1>&lt;hi&gt;</h1><p>after</p>");
    cr_assert_eq(bytes_at_slow, strlen("<h1>&lt;hi&gt;</h1>"),
                 "what came before the global was sent before it ran");
    cr_assert_eq(seen.bodies, 2);
    ph_test_response_free(r);
    ph_test_client *hc = ph_test_client_new(app);
    r = ph_client_head(hc, "/slow");
    cr_assert_eq(r->status, 203);
    cr_assert_eq(r->len, 0, "HEAD: no body");
    ph_test_response_free(r);
    ph_test_client_free(hc);
    return 0;
}

Test(render_stream, output_before_a_suspending_global_is_sent_first) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_tmpl_env_add_function(ph_app_template_env(app), "slow", slow, NULL), 0);
    ph_route(app, "/slow", slow_view);
    ph_after_request(app, after);
    fw_run(app, body_slow);
}

/* ---- errors ------------------------------------------------------------- */

static const ph_error *torn_down;
static int teardowns;

static void teardown(ph_request *req, const ph_error *err) {
    teardowns++;
    torn_down = err;
}

static ph_response *named(ph_request *req) {
    return ph_stream_template(req, ph_request_arg(req, "t"), NULL);
}

static ph_response *failing(ph_request *req) {
    return ph_stream_template_string(req, "before{{ slow() }}held{{ 1 // 0 }}never", NULL);
}

static int body_errors(ph_app *app, ph_test_client *c) {
    fw_expect(get_watched(app, "/named?t=missing.html"), 500, NULL);
    cr_assert_eq(seen.bodies, 1, "the 500 page, whole");
    cr_assert_eq(torn_down->kind, &PH_TEMPLATE_NOT_FOUND);
    fw_expect(get_watched(app, "/named?t=broken.html"), 500, NULL);
    cr_assert_eq(torn_down->kind, &PH_TEMPLATE_ERROR);
    teardowns = 0;
    torn_down = NULL;
    ph_test_response *r = get_watched(app, "/failing");
    cr_assert_eq(r->status, 200, "the status went out before the error");
    cr_assert_str_eq(r->body, "before", "what was sent; what was buffered after it is dropped");
    cr_assert_not(seen.ended, "the body is cut short: no last chunk");
    cr_assert_eq(teardowns, 1);
    cr_assert_not_null(torn_down, "teardown sees the error");
    cr_assert_eq(torn_down->kind, &PH_TEMPLATE_ERROR);
    ph_test_response_free(r);
    fw_expect(get_watched(app, "/named?t=ok.html"), 200, "fine"); /* the app lives on */
    cr_assert(seen.ended);
    return 0;
}

Test(render_stream, errors_before_streaming_are_500s_and_after_cut_the_body_short) {
    make_dir();
    write_file("broken.html", "line one\n{% if %}");
    write_file("ok.html", "fine");
    ph_app *app = fw_app();
    ph_config_set_str(app, "TEMPLATE_FOLDER", dir);
    cr_assert_eq(ph_tmpl_env_add_function(ph_app_template_env(app), "slow", slow, NULL), 0);
    ph_route(app, "/named", named);
    ph_route(app, "/failing", failing);
    ph_teardown_request(app, teardown);
    fw_log l;
    fw_log_begin(&l);
    fw_run(app, body_errors);
    char *log = fw_log_end(&l);
    cr_expect(strstr(log, "[TemplateNotFound]: template not found: missing.html"), "log: %s",
              log);
    cr_expect(strstr(log, "broken.html:2"), "log: %s", log);
    cr_expect(strstr(log, "exception on GET /failing [TemplateError]: <string>:1:"), "log: %s",
              log);
    cr_expect(strstr(log, "cut short"), "log: %s", log);
    cr_expect(!strstr(log, "streaming body"), "one line for the failure: %s", log);
    free(log);
    remove_dir();
}

/* ---- a client that leaves ---------------------------------------------- */

static int rows_rendered;

static json_t *leave(json_t *args, void *ud, int *safe) {
    if (++rows_rendered == 3)
        ph_cancel(ph_current()); /* what the server does when the client goes */
    return json_integer(rows_rendered);
}

static ph_response *endless(ph_request *req) {
    return ph_stream_template_string(req, "{% for i in range(1000) %}<p>{{ leave() }}</p>"
                                          "{% endfor %}",
                                     NULL);
}

static int body_leave(ph_app *app, ph_test_client *c) {
    ph_test_response_free(get_watched(app, "/endless"));
    cr_assert_eq(rows_rendered, 3, "the render stopped at the next chunk");
    cr_assert_not(seen.ended);
    return 0;
}

Test(render_stream, a_client_that_leaves_stops_the_render) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_tmpl_env_add_function(ph_app_template_env(app), "leave", leave, NULL), 0);
    ph_route(app, "/endless", endless);
    fw_log l;
    fw_log_begin(&l);
    fw_run(app, body_leave);
    char *log = fw_log_end(&l);
    cr_expect(!strstr(log, "ERROR"), "leaving is no failure: %s", log);
    free(log);
}

/* ---- a huge page -------------------------------------------------------- */

/* Bytes the C library has handed out and not taken back, when the page
 * begins and when it ends (0 where the allocator is not glibc's: ASan). */
static size_t in_use[2];
static int probes;

static json_t *probe(json_t *args, void *ud, int *safe) {
    struct mallinfo2 mi = mallinfo2();
    if (probes < 2)
        in_use[probes] = mi.uordblks + mi.hblkhd; /* large blocks are mapped apart */
    probes++;
    return json_string("");
}

static const char *const HUGE_PAGE =
    "{{ probe() }}{% for i in range(400) %}<p>{{ big }}</p>{% endfor %}{{ probe() }}";

static json_t *huge_context(void) {
    char *big = malloc(32 * 1024 + 1);
    memset(big, 'x', 32 * 1024);
    big[32 * 1024] = '\0';
    json_t *ctx = json_pack("{s:s}", "big", big);
    free(big);
    return ctx;
}

static ph_response *huge_whole(ph_request *req) {
    return ph_render_template_string(req, HUGE_PAGE, huge_context());
}

static ph_response *huge_streamed(ph_request *req) {
    return ph_stream_template_string(req, HUGE_PAGE, huge_context());
}

static int body_huge(ph_app *app, ph_test_client *c) {
    const size_t page = 400 * (32 * 1024 + 7);
    discard = 1;
    probes = 0;
    ph_test_response_free(get_watched(app, "/whole"));
    size_t whole_growth = in_use[1] - in_use[0];
    cr_assert_eq(seen.bytes, page);
    probes = 0;
    ph_test_response_free(get_watched(app, "/streamed"));
    size_t streamed_growth = in_use[1] > in_use[0] ? in_use[1] - in_use[0] : 0;
    discard = 0;
    cr_assert_eq(probes, 2);
    cr_assert_eq(seen.bytes, page, "the whole page went out");
    cr_assert(seen.ended);
    cr_assert_gt(seen.bodies, 40, "in many pieces");
    /* the escaper makes room for five times a value: one value of 32 KiB
     * grows the buffer to 256 KiB, and no further */
    cr_assert_leq(seen.largest, 256 * 1024, "each piece at most one buffer");
#if defined(__SANITIZE_ADDRESS__)
    /* A sanitizer's allocator keeps no glibc statistics; the pieces' sizes
     * above still bound what was held. */
    (void)whole_growth;
    (void)streamed_growth;
#else
    cr_assert_geq(whole_growth, page, "the allocator statistics see a whole render");
    cr_assert_lt(streamed_growth, 1024 * 1024,
                 "memory while streaming: %zu bytes more (a whole render: %zu)", streamed_growth,
                 whole_growth);
#endif
    return 0;
}

Test(render_stream, a_huge_page_streams_in_bounded_memory) {
    ph_app *app = fw_app();
    cr_assert_eq(ph_tmpl_env_add_function(ph_app_template_env(app), "probe", probe, NULL), 0);
    ph_route(app, "/whole", huge_whole);
    ph_route(app, "/streamed", huge_streamed);
    fw_run(app, body_huge);
}
