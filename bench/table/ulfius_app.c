/*
 * bench/table — Ulfius's side of the benchmark table: an Ulfius 2.7 app
 * (Debian's libulfius-dev) started with ulfius_start_framework(), that is
 * as Ulfius ships: libmicrohttpd with one thread per connection.
 *
 *   /plaintext   "Hello, World!" (text/plain)
 *   /json        {"message":"Hello, World!"} built with jansson, as an
 *                Ulfius app builds JSON (ulfius_set_json_body_response)
 *   /sleep       usleep(100 ms): Ulfius callbacks are synchronous, so the
 *                wait blocks the connection's thread (the other connections
 *                keep theirs; 1,000 connections mean 1,000 threads)
 *   /template    bench/template/page/orders.html rendered by phial's
 *                template engine (ph_tmpl_render): Ulfius ships no template
 *                engine. An environment belongs to one thread, and threads
 *                here come and go with connections, so renders take a lock.
 *
 *   ulfius_app PORT TEMPLATE_DIR CONTEXT.json
 *
 * Runs until SIGTERM or SIGINT.
 */
#include <ulfius.h>

#include <phial.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static ph_tmpl_env *g_env;
static json_t *g_context;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static int plaintext(const struct _u_request *req, struct _u_response *resp, void *ud) {
    (void)req, (void)ud;
    ulfius_set_string_body_response(resp, 200, "Hello, World!");
    u_map_put(resp->map_header, "Content-Type", "text/plain");
    return U_CALLBACK_COMPLETE;
}

static int json(const struct _u_request *req, struct _u_response *resp, void *ud) {
    (void)req, (void)ud;
    json_t *body = json_pack("{s:s}", "message", "Hello, World!");
    ulfius_set_json_body_response(resp, 200, body);
    json_decref(body);
    return U_CALLBACK_COMPLETE;
}

static int sleep_cb(const struct _u_request *req, struct _u_response *resp, void *ud) {
    (void)req, (void)ud;
    usleep(100 * 1000);
    ulfius_set_string_body_response(resp, 200, "slept");
    u_map_put(resp->map_header, "Content-Type", "text/plain");
    return U_CALLBACK_COMPLETE;
}

static int page(const struct _u_request *req, struct _u_response *resp, void *ud) {
    (void)req, (void)ud;
    char *out = NULL;
    size_t len = 0;
    pthread_mutex_lock(&g_lock);
    int rc = ph_tmpl_render(g_env, "orders.html", json_incref(g_context), NULL, &out, &len, NULL);
    pthread_mutex_unlock(&g_lock);
    if (rc < 0) {
        ulfius_set_string_body_response(resp, 500, "render failed");
        return U_CALLBACK_COMPLETE;
    }
    ulfius_set_binary_body_response(resp, 200, out, len);
    u_map_put(resp->map_header, "Content-Type", "text/html; charset=utf-8");
    ph_tmpl_free(out);
    return U_CALLBACK_COMPLETE;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT TEMPLATE_DIR CONTEXT.json\n", argv[0]);
        return 2;
    }
    json_error_t jerr;
    g_context = json_load_file(argv[3], 0, &jerr);
    g_env = ph_tmpl_env_new();
    if (!g_context || !g_env || ph_tmpl_env_add_path(g_env, argv[2]) < 0) {
        fprintf(stderr, "cannot load %s or %s\n", argv[2], argv[3]);
        return 1;
    }
    struct _u_instance inst;
    if (ulfius_init_instance(&inst, (unsigned)atoi(argv[1]), NULL, NULL) != U_OK)
        return 1;
    ulfius_add_endpoint_by_val(&inst, "GET", "/plaintext", NULL, 0, plaintext, NULL);
    ulfius_add_endpoint_by_val(&inst, "GET", "/json", NULL, 0, json, NULL);
    ulfius_add_endpoint_by_val(&inst, "GET", "/sleep", NULL, 0, sleep_cb, NULL);
    ulfius_add_endpoint_by_val(&inst, "GET", "/template", NULL, 0, page, NULL);
    /* Block the signals before libmicrohttpd starts its threads, so that
     * they inherit the mask and sigwait() below receives them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (ulfius_start_framework(&inst) != U_OK) {
        fprintf(stderr, "ulfius_start_framework failed\n");
        return 1;
    }
    int sig;
    sigwait(&set, &sig);
    ulfius_stop_framework(&inst);
    ulfius_clean_instance(&inst);
    ph_tmpl_env_free(g_env);
    json_decref(g_context);
    return 0;
}
