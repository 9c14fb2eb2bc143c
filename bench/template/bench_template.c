/*
 * Template benchmark: render bench/template/page/orders.html (inheritance,
 * an imported macro called twice per row, a loop over 100 rows, filters,
 * autoescaping) with a JSON context, many times, and report renders per
 * second and CPU microseconds per render. The compiled template is cached
 * by the environment, as in an app; each render builds its output anew.
 *
 *   bench_template PAGE_DIR CONTEXT.json [SECONDS] [OUT.html] [TEMPLATE]
 *
 * TEMPLATE defaults to orders.html; rows.html is the plain table of the same
 * 100 orders (three escaped fields per row, no macros).
 *
 * Prints one line: "phial <renders/s> renders/s <us> us/render <bytes> bytes".
 */
#include "phial.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr,
                "usage: bench_template PAGE_DIR CONTEXT.json [SECONDS] [OUT.html] [TEMPLATE]\n");
        return 2;
    }
    double seconds = argc > 3 ? atof(argv[3]) : 2.0;
    const char *page = argc > 5 ? argv[5] : "orders.html";
    json_error_t jerr;
    json_t *ctx = json_load_file(argv[2], 0, &jerr);
    if (!ctx) {
        fprintf(stderr, "%s: %s\n", argv[2], jerr.text);
        return 1;
    }
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_path(env, argv[1]);
    char *out = NULL;
    size_t len = 0;
    ph_tmpl_error err;
    if (ph_tmpl_render(env, page, json_incref(ctx), NULL, &out, &len, &err) < 0) {
        char msg[1024];
        ph_tmpl_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    if (argc > 4 && argv[4][0]) {
        FILE *f = fopen(argv[4], "wb");
        if (f) {
            fwrite(out, 1, len, f);
            fclose(f);
        }
    }
    ph_tmpl_free(out);
    long n = 0;
    double start = cpu_now(), now = start;
    while (now - start < seconds) {
        for (int i = 0; i < 100; i++) {
            ph_tmpl_render(env, page, json_incref(ctx), NULL, &out, &len, NULL);
            ph_tmpl_free(out);
        }
        n += 100;
        now = cpu_now();
    }
    double per = (now - start) / (double)n;
    printf("phial %.0f renders/s %.2f us/render %zu bytes\n", 1.0 / per, per * 1e6, len);
    ph_tmpl_env_free(env);
    json_decref(ctx);
    return 0;
}
