/*
 * test_abuse_app — a framework app (phial.h's Flask API, served by
 * ph_app_main's `run`) for the abuse and fault suites
 * (tests/integration/test_abuse_*.py, test_faults_*.py). Its views take
 * what a hostile client controls and hand it to the framework the way a
 * careless app would: request bodies as JSON and forms, query values as a
 * redirect target, a header value, a cookie value or a file name. The suites
 * check that the framework refuses what is dangerous and keeps serving.
 *
 * Views:
 *   GET  /                 "ok"
 *   POST /json             request.get_json() back through jsonify
 *   POST /json/size        request.get_json()'s length, as text
 *   POST /stream           request.stream read to its end: "<bytes> <crc32 hex>"
 *   POST /work             the whole stack at once: request.form, a JSON
 *                          session ("n" counted up, "last" = field "v"),
 *                          a flash, and a template rendered from a string
 *   GET  /login?user=U     session["user"] = U
 *   GET  /whoami           session["user"] or "anon"
 *   GET  /redirect?to=T    redirect(T)
 *   GET  /header?value=V   a response with "X-App: V" (set by the app)
 *   GET  /cookie?value=V   a response setting cookie "c" to V
 *   GET  /files?p=P        send_from_directory(ABUSE_FILES, P)
 *   GET  /static/<path>    the static folder ABUSE_FILES
 *   GET  /__arm?n=N        test hook: after N more allocations every phial
 *                          allocation fails (ph__alloc_fail_after), until
 *                          SIGUSR2 resets it; with &once=1 only the one
 *                          after N fails (ph__alloc_fail_once)
 *   GET  /__failures       allocations that failed on purpose since the
 *                          last arm
 *
 * Environment: ABUSE_FILES, the folder for /files and /static (default
 * "."); ABUSE_JANSSON_HOOK=1 routes jansson's allocations through
 * ph__malloc, so the allocation hooks reach JSON values too. SECRET_KEY is fixed ("abuse-secret") so a suite can forge cookies
 * with and without it.
 */
#include <phial.h>

#include "util/alloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *files_dir = ".";
/* Failed allocations counted when SIGUSR2 last reset the hook. */
static volatile sig_atomic_t failures_at_reset;

static ph_response *index_view(ph_request *req) { return ph_text(req, 200, "ok"); }

static ph_response *json_view(ph_request *req) {
    json_t *v = ph_request_json(req);
    return v ? ph_jsonify(req, json_incref(v)) : NULL;
}

static ph_response *json_size_view(ph_request *req) {
    json_t *v = ph_request_json(req);
    if (!v)
        return NULL;
    size_t n = json_is_array(v) ? json_array_size(v) : json_object_size(v);
    return ph_text(req, 200, ph_request_printf(req, "%zu", n));
}

static ph_response *stream_view(ph_request *req) {
    const char *p;
    size_t n;
    uint64_t total = 0;
    uint32_t crc = 0xffffffffu; /* CRC-32 (zlib's), bit by bit */
    int rc;
    while ((rc = ph_request_stream_read(req, &p, &n)) > 0) {
        total += n;
        for (size_t i = 0; i < n; i++) {
            crc ^= (unsigned char)p[i];
            for (int k = 0; k < 8; k++)
                crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
        }
    }
    if (rc < 0)
        return NULL;
    return ph_text(req, 200, ph_request_printf(req, "%llu %08x", (unsigned long long)total,
                                               (unsigned)~crc));
}

static ph_response *work_view(ph_request *req) {
    const char *v = ph_request_form(req, "v");
    if (ph_request_error(req))
        return NULL;
    json_t *n = ph_session_get(req, "n");
    json_int_t count = json_is_integer(n) ? json_integer_value(n) + 1 : 1;
    if (ph_session_set(req, "n", json_integer(count)) < 0 ||
        ph_session_set(req, "last", json_string(v ? v : "")) < 0 || ph_flash(req, "seen", NULL) < 0)
        return ph_abort(req, 500);
    json_t *ctx = json_pack("{s:s?,s:I}", "v", v, "n", (json_int_t)count);
    if (!ctx)
        return ph_abort(req, 500);
    return ph_render_template_string(
        req, "<p>{{ v|default('none') }} #{{ n }}</p>{% for i in range(3) %}{{ i }}{% endfor %}",
        ctx);
}

static ph_response *login_view(ph_request *req) {
    const char *user = ph_request_arg(req, "user");
    if (!user)
        return ph_abort(req, 400);
    if (ph_session_set(req, "user", json_string(user)) < 0)
        return ph_abort(req, 500);
    return ph_text(req, 200, "ok");
}

static ph_response *whoami_view(ph_request *req) {
    json_t *u = ph_session_get(req, "user");
    return ph_text(req, 200, json_is_string(u) ? json_string_value(u) : "anon");
}

static ph_response *redirect_view(ph_request *req) {
    const char *to = ph_request_arg(req, "to");
    return ph_redirect(req, to ? to : "/", 302);
}

static ph_response *header_view(ph_request *req) {
    const char *v = ph_request_arg(req, "value");
    ph_response *r = ph_text(req, 200, "header");
    if (r && ph_response_set_header(r, "X-App", v ? v : "") < 0)
        return ph_abort_msg(req, 500, "refused");
    return r;
}

static ph_response *cookie_view(ph_request *req) {
    const char *v = ph_request_arg(req, "value");
    ph_response *r = ph_text(req, 200, "cookie");
    if (r && ph_response_set_cookie(r, "c", v ? v : "") < 0)
        return ph_abort_msg(req, 500, "refused");
    return r;
}

static ph_response *files_view(ph_request *req) {
    const char *p = ph_request_arg(req, "p");
    return ph_send_from_directory(req, files_dir, p ? p : "");
}

static ph_response *arm_view(ph_request *req) {
    const char *n = ph_request_arg(req, "n");
    if (!n)
        return ph_abort(req, 400);
    /* Build the answer first: the countdown starts once it exists. */
    ph_response *r = ph_text(req, 200, "armed");
    failures_at_reset = 0;
    if (ph_request_arg(req, "once"))
        ph__alloc_fail_once(strtol(n, NULL, 10));
    else
        ph__alloc_fail_after(strtol(n, NULL, 10));
    return r;
}

static ph_response *failures_view(ph_request *req) {
    return ph_text(req, 200,
                   ph_request_printf(req, "%ld", (long)failures_at_reset + ph__alloc_failures()));
}

/* SIGUSR2: allocations work again. An atomic store, safe in a handler. */
static void reset_alloc(int sig) {
    (void)sig;
    long n = ph__alloc_failures();
    failures_at_reset = n > 1000000 ? 1000000 : (sig_atomic_t)n;
    ph__alloc_fail_after(-1);
}

int main(int argc, char **argv) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = reset_alloc;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    if (getenv("ABUSE_FILES"))
        files_dir = getenv("ABUSE_FILES");
    /* ABUSE_JANSSON_HOOK=1: jansson allocates through ph__malloc too, so the
     * allocation hooks reach every JSON value (session, context, config). */
    if (getenv("ABUSE_JANSSON_HOOK"))
        json_set_alloc_funcs(ph__malloc, ph__free);

    ph_app *app = ph_app_new("abuse");
    if (!app)
        return 1;
    ph_config_set_str(app, "SECRET_KEY", "abuse-secret");
    ph_config_set_str(app, "STATIC_FOLDER", files_dir);
    ph_route(app, "/", index_view);
    ph_route(app, "/json", json_view, .methods = PH_POST);
    ph_route(app, "/json/size", json_size_view, .methods = PH_POST);
    ph_route(app, "/stream", stream_view, .methods = PH_POST);
    ph_route(app, "/work", work_view, .methods = PH_POST);
    ph_route(app, "/login", login_view);
    ph_route(app, "/whoami", whoami_view);
    ph_route(app, "/redirect", redirect_view);
    ph_route(app, "/header", header_view);
    ph_route(app, "/cookie", cookie_view);
    ph_route(app, "/files", files_view);
    ph_route(app, "/__arm", arm_view);
    ph_route(app, "/__failures", failures_view);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
