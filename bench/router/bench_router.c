/*
 * URL map benchmark: nanoseconds per ph__router_match with 10, 100 and 1,000
 * rules, for requests that hit (static, int, string and path rules, spread
 * over the whole map) and for requests that miss (404). The matcher is a tree
 * over path segments, so the figures should stay flat as the map grows.
 *
 * Usage: bench_router [iterations per size] (default 2,000,000).
 */
#include "app/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NPATHS 1024

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Rule i of the map and a path that hits it. */
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

static double bench(const ph__router *r, char paths[][96], size_t *lens, long iters,
                    ph__route_status want) {
    ph_arena a;
    ph__arena_init(&a, 4096, 0);
    ph__route_match m;
    long bad = 0;
    double t0 = now_ns();
    for (long k = 0; k < iters; k++) {
        int i = (int)(k % NPATHS);
        if (ph__router_match(r, paths[i], lens[i], PH_GET, &a, &m) != 0 || m.status != want)
            bad++;
        ph__arena_reset(&a);
    }
    double t = (now_ns() - t0) / (double)iters;
    ph__arena_close(&a);
    if (bad)
        fprintf(stderr, "unexpected result in %ld matches\n", bad);
    return t;
}

int main(int argc, char **argv) {
    long iters = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
    static const int sizes[] = {10, 100, 1000};
    static char hit[NPATHS][96], miss[NPATHS][96];
    static size_t hitlen[NPATHS], misslen[NPATHS];
    printf("%-8s %14s %14s\n", "rules", "ns/match hit", "ns/match 404");
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        int n = sizes[s];
        ph__router *r = ph__router_new();
        char rule[96], path[96], ep[32];
        for (int i = 0; i < n; i++) {
            rule_for(i, rule, sizeof(rule), path, sizeof(path));
            snprintf(ep, sizeof(ep), "ep%d", i);
            ph__route_spec spec = {.rule = rule, .endpoint = ep};
            if (ph__router_add(r, &spec, NULL, NULL) != 0) {
                fprintf(stderr, "cannot add %s\n", rule);
                return 1;
            }
        }
        /* The same mix of shapes at every size: path k hits rule (k * n / NPATHS). */
        for (int k = 0; k < NPATHS; k++) {
            rule_for(k * n / NPATHS, rule, sizeof(rule), hit[k], sizeof(hit[k]));
            hitlen[k] = strlen(hit[k]);
            snprintf(miss[k], sizeof(miss[k]), "/nothing%d/here", k);
            misslen[k] = strlen(miss[k]);
        }
        bench(r, hit, hitlen, iters / 10, PH__ROUTE_FOUND); /* warm up */
        double th = bench(r, hit, hitlen, iters, PH__ROUTE_FOUND);
        double tm = bench(r, miss, misslen, iters, PH__ROUTE_NOT_FOUND);
        printf("%-8d %14.1f %14.1f\n", n, th, tm);
        ph__router_free(r);
    }
    return 0;
}
