/*
 * Framework overhead benchmark, in-process through the app protocol: the
 * same "Hello, World!" answered (a) by a raw app of the protocol, which sends
 * the response start and the body itself, and (b) by a ph_app with one view
 * returning ph_text(); both are driven by a minimal channel (one empty body
 * chunk in, responses counted and dropped), one request after another in a
 * single task. The difference is what the framework adds per request: the
 * arena, the app and request contexts, routing, hooks, the response object.
 * Then the routing cost through the whole framework with 10, 100 and 1,000
 * rules (the rule shapes of bench/router, requests spread over the map).
 *
 * No sockets and no HTTP parsing: bench/server measures the server. The
 * request is not spawned as its own task either (the runtime bench measures
 * spawning), so the figures isolate the framework.
 *
 * Each figure is the best of ROUNDS runs, so that other load on a shared
 * machine inflates it as little as possible.
 *
 * Usage: bench_framework [requests per run] (default 200,000).
 */
#include "phial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NPATHS 1024
#define ROUNDS 5

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- a minimal channel ------------------------------------------------------ */

typedef struct bench_channel {
    ph_channel base;
    long responses, bytes;
    int status;
} bench_channel;

static int bc_receive(ph_channel *ch, ph_message *m) {
    memset(m, 0, sizeof(*m));
    m->type = PH_MSG_HTTP_REQUEST; /* a request without a body: one empty chunk */
    return 0;
}

static int bc_send(ph_channel *ch, const ph_message *m) {
    bench_channel *c = (bench_channel *)ch;
    if (m->type == PH_MSG_HTTP_RESPONSE_START) {
        c->status = m->status;
        c->responses++;
    } else {
        c->bytes += (long)m->body.len;
    }
    return 0;
}

static const ph_channel_ops bc_ops = {bc_receive, bc_send};

/* ---- the two apps ------------------------------------------------------------- */

static int raw_hello(void *self, const ph_scope *scope, ph_channel *ch) {
    if (scope->type != PH_SCOPE_HTTP)
        return PH_ENOTSUP;
    ph_header h[] = {{PH_SLICE_LIT("Content-Type"), PH_SLICE_LIT("text/plain; charset=utf-8")}};
    ph_message start = {.type = PH_MSG_HTTP_RESPONSE_START, .status = 200, .headers = h,
                        .nheaders = 1};
    ph_message body = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = PH_SLICE_LIT("Hello, World!")};
    int rc = ph_send(ch, &start);
    return rc < 0 ? rc : ph_send(ch, &body);
}

static ph_response *hello_view(ph_request *req) { return ph_text(req, 200, "Hello, World!"); }

/* ---- driving requests ------------------------------------------------------------ */

static const ph_header host_header[] = {{PH_SLICE_LIT("Host"), PH_SLICE_LIT("localhost")}};

static ph_scope make_scope(const char *path) {
    size_t n = strlen(path);
    return (ph_scope){.type = PH_SCOPE_HTTP,
                      .http_minor = 1,
                      .method = PH_SLICE_LIT("GET"),
                      .method_bit = PH_GET,
                      .scheme = PH_SLICE_LIT("http"),
                      .raw_path = {path, n},
                      .path = {path, n},
                      .query_string = {"", 0},
                      .headers = host_header,
                      .nheaders = 1,
                      .client_host = PH_SLICE_LIT("127.0.0.1"),
                      .server_host = PH_SLICE_LIT("127.0.0.1"),
                      .server_port = 8000};
}

/* ns per request over `iters` requests, cycling through `scopes`. */
static double drive(ph_proto_app app, const ph_scope *scopes, size_t nscopes, long iters) {
    bench_channel ch = {.base = {&bc_ops}};
    double t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        int rc = app.call(app.self, &scopes[(size_t)i % nscopes], &ch.base);
        if (rc < 0 || ch.status != 200) {
            fprintf(stderr, "request %ld failed: rc %d status %d\n", i, rc, ch.status);
            exit(1);
        }
    }
    return (now_ns() - t0) / (double)iters;
}

/* The best of ROUNDS runs of drive(). */
static double best(ph_proto_app app, const ph_scope *scopes, size_t nscopes, long iters) {
    double b = drive(app, scopes, nscopes, iters);
    for (int r = 1; r < ROUNDS; r++) {
        double t = drive(app, scopes, nscopes, iters);
        if (t < b)
            b = t;
    }
    return b;
}

/* Rule i of the map and a path that hits it (bench/router's shapes). */
static void rule_for(int i, char *rule, size_t rlen, char *path, size_t plen) {
    switch (i % 4) {
    case 0:
        snprintf(rule, rlen, "/section%d/about", i);
        snprintf(path, plen, "/section%d/about", i);
        break;
    case 1:
        snprintf(rule, rlen, "/api/v1/items%d/<int:id>", i);
        snprintf(path, plen, "/api/v1/items%d/%d", i, 1000 + i);
        break;
    case 2:
        snprintf(rule, rlen, "/users%d/<name>/posts/<int(min=1):page>", i);
        snprintf(path, plen, "/users%d/alice/posts/%d", i, 1 + i % 9);
        break;
    default:
        snprintf(rule, rlen, "/files%d/<path:p>", i);
        snprintf(path, plen, "/files%d/a/b/c.txt", i);
        break;
    }
}

static long iters;

static int bench_main(void *arg) {
    ph_scope hello = make_scope("/");
    ph_proto_app raw = {.call = raw_hello};
    ph_app *app = ph_app_new("bench");
    if (!app || ph_route(app, "/", hello_view) < 0)
        return 1;
    ph_proto_app fw = ph_app_proto(app);
    drive(raw, &hello, 1, iters / 10); /* warm up */
    drive(fw, &hello, 1, iters / 10);
    double t_raw = best(raw, &hello, 1, iters);
    double t_fw = best(fw, &hello, 1, iters);
    printf("Hello, World! in-process through the app protocol (best of %d runs of %ld)\n",
           ROUNDS, iters);
    printf("  raw protocol app   %8.1f ns/request\n", t_raw);
    printf("  ph_app view        %8.1f ns/request\n", t_fw);
    printf("  framework overhead %8.1f ns/request (%.1fx the raw app)\n\n", t_fw - t_raw,
           t_fw / t_raw);
    ph_app_free(app);

    static const int sizes[] = {10, 100, 1000};
    static char paths[NPATHS][96];
    static ph_scope scopes[NPATHS];
    printf("%-8s %16s %16s\n", "rules", "ns/request", "vs 1 rule");
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        int n = sizes[s];
        app = ph_app_new("bench");
        char rule[96], path[96], ep[32];
        for (int i = 0; i < n; i++) {
            rule_for(i, rule, sizeof(rule), path, sizeof(path));
            snprintf(ep, sizeof(ep), "ep%d", i);
            if (ph_route(app, rule, hello_view, .endpoint = ep) < 0) {
                fprintf(stderr, "cannot add %s\n", rule);
                return 1;
            }
        }
        for (int k = 0; k < NPATHS; k++) {
            rule_for(k * n / NPATHS, rule, sizeof(rule), paths[k], sizeof(paths[k]));
            scopes[k] = make_scope(paths[k]);
        }
        fw = ph_app_proto(app);
        drive(fw, scopes, NPATHS, iters / 10);
        double t = best(fw, scopes, NPATHS, iters);
        printf("%-8d %16.1f %15.2fx\n", n, t, t / t_fw);
        ph_app_free(app);
    }
    return 0;
}

int main(int argc, char **argv) {
    iters = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    if (iters < 10)
        iters = 10;
    return ph_run(bench_main, NULL) == 0 ? 0 : 1;
}
