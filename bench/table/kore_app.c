/*
 * bench/table — Kore's side of the benchmark table: a native Kore 4.1 module
 * (the C API Debian's `kore` package ships; that build has no Python) loaded
 * by `kore -c kore.conf`, built by CMake rather than kodev so that it links
 * against phial for the page.
 *
 *   /plaintext   "Hello, World!" (text/plain)
 *   /json        {"message":"Hello, World!"}: a fixed string, no JSON
 *                library (Kore's JSON API parses; it does not build)
 *   /sleep       100 ms without blocking the worker: the request sleeps
 *                (http_request_sleep) and a one-shot Kore timer wakes it,
 *                Kore's own idiom for asynchronous handlers
 *   /template    bench/template/page/orders.html rendered by phial's
 *                template engine (ph_tmpl_render): Kore ships no template
 *                engine, so this row measures Kore around the same renderer
 *
 * Configuration comes from the environment: BENCH_TEMPLATES (folder) and
 * BENCH_CONTEXT (JSON file), read by the init hook named in kore.conf.in. The
 * template is compiled once there, before the worker is forked and sandboxed.
 */
/* kore.h first: http.h relies on what it includes. */
#include <kore/kore.h>

#include <kore/http.h>
#include <kore/seccomp.h>

#include <phial.h>

#include <stdio.h>
#include <stdlib.h>

int table_init(int state);
int table_plaintext(struct http_request *req);
int table_json(struct http_request *req);
int table_sleep(struct http_request *req);
int table_template(struct http_request *req);

/* Kore sandboxes its workers with seccomp. The template engine may look at
 * and read its files (a first render in a fresh worker, a stat to check the
 * cache): allow those calls, as a Kore app that reads files must. */
KORE_SECCOMP_FILTER("bench_table", KORE_SYSCALL_ALLOW(newfstatat), KORE_SYSCALL_ALLOW(openat),
                    KORE_SYSCALL_ALLOW(read), KORE_SYSCALL_ALLOW(close), KORE_SYSCALL_ALLOW(fstat),
                    KORE_SYSCALL_ALLOW(lseek))

static ph_tmpl_env *g_env;
static json_t *g_context;

struct nap {
    struct kore_timer *timer; /* pending wake-up, NULL once it fired */
    int woke;
};

int table_init(int state) {
    if (state != KORE_MODULE_LOAD || g_env)
        return KORE_RESULT_OK;
    const char *dir = getenv("BENCH_TEMPLATES"), *ctx = getenv("BENCH_CONTEXT");
    json_error_t jerr;
    if (!dir || !ctx || !(g_context = json_load_file(ctx, 0, &jerr))) {
        kore_log(LOG_ERR, "set BENCH_TEMPLATES and BENCH_CONTEXT");
        return KORE_RESULT_ERROR;
    }
    g_env = ph_tmpl_env_new();
    if (!g_env || ph_tmpl_env_add_path(g_env, dir) < 0)
        return KORE_RESULT_ERROR;
    char *out = NULL;
    size_t len = 0;
    if (ph_tmpl_render(g_env, "orders.html", json_incref(g_context), NULL, &out, &len, NULL) < 0)
        return KORE_RESULT_ERROR;
    ph_tmpl_free(out);
    return KORE_RESULT_OK;
}

int table_plaintext(struct http_request *req) {
    http_response_header(req, "content-type", "text/plain");
    http_response(req, 200, "Hello, World!", 13);
    return KORE_RESULT_OK;
}

int table_json(struct http_request *req) {
    static const char body[] = "{\"message\":\"Hello, World!\"}";
    http_response_header(req, "content-type", "application/json");
    http_response(req, 200, body, sizeof(body) - 1);
    return KORE_RESULT_OK;
}

static void nap_wake(void *arg, u_int64_t now) {
    struct http_request *req = arg;
    struct nap *n = http_state_get(req);
    (void)now;
    n->timer = NULL;
    n->woke = 1;
    http_request_wakeup(req);
}

/* The client left while the request slept: the timer must not fire on it. */
static void nap_free(struct http_request *req) {
    struct nap *n = http_state_get(req);
    if (n && n->timer)
        kore_timer_remove(n->timer);
}

int table_sleep(struct http_request *req) {
    if (!http_state_exists(req)) {
        struct nap *n = http_state_create(req, sizeof(*n), nap_free);
        http_request_sleep(req);
        n->timer = kore_timer_add(nap_wake, 100, req, KORE_TIMER_ONESHOT);
        return KORE_RESULT_RETRY;
    }
    struct nap *n = http_state_get(req);
    if (!n->woke)
        return KORE_RESULT_RETRY;
    http_response_header(req, "content-type", "text/plain");
    http_response(req, 200, "slept", 5);
    return KORE_RESULT_OK;
}

int table_template(struct http_request *req) {
    char *out = NULL;
    size_t len = 0;
    if (ph_tmpl_render(g_env, "orders.html", json_incref(g_context), NULL, &out, &len, NULL) < 0) {
        http_response(req, 500, NULL, 0);
        return KORE_RESULT_OK;
    }
    http_response_header(req, "content-type", "text/html; charset=utf-8");
    http_response(req, 200, out, len);
    ph_tmpl_free(out);
    return KORE_RESULT_OK;
}
