/*
 * The floor under rows.html: the same page written by hand in C, as an app
 * without a template engine would write it. It reads the same JSON context
 * through jansson, escapes with the library's escaper and formats integers
 * with the engine's formatter, into a growing buffer; bench.sh checks that
 * its output is byte for byte the engine's. What the engine spends beyond
 * this is the price of interpreting the template.
 *
 *   bench_handwritten CONTEXT.json [SECONDS] [OUT.html]
 *
 * Prints one line: "handwritten <renders/s> renders/s <us> us/render <bytes> bytes".
 */
#include "phial.h"
#include "template/tmpl.h"
#include "util/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#define TEXT(b, lit) out_put(b, lit, sizeof(lit) - 1)

/* {{ value }} with autoescaping, for the kinds the page holds */
static int field(ph_buf *b, json_t *v) {
    if (json_is_string(v))
        return ph__html_escape_n(b, json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return ph__fmt_int(b, (int64_t)json_integer_value(v));
    return TEXT(b, "None");
}

static int render(json_t *ctx, ph_buf *b) {
    json_t *orders = json_object_getn(ctx, "orders", 6);
    int rc = TEXT(b, "<table class=\"orders\">");
    for (size_t i = 0; rc == 0 && i < json_array_size(orders); i++) {
        json_t *o = json_array_get(orders, i);
        if ((rc = TEXT(b, "\n  <tr><td>")) < 0 || (rc = field(b, json_object_getn(o, "id", 2))) < 0 ||
            (rc = TEXT(b, "</td><td>")) < 0 ||
            (rc = field(b, json_object_getn(o, "item", 4))) < 0 ||
            (rc = TEXT(b, "</td><td>")) < 0 ||
            (rc = field(b, json_object_getn(o, "note", 4))) < 0)
            break;
        rc = TEXT(b, "</td></tr>");
    }
    return rc ? rc : TEXT(b, "\n</table>");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_handwritten CONTEXT.json [SECONDS] [OUT.html]\n");
        return 2;
    }
    double seconds = argc > 2 ? atof(argv[2]) : 2.0;
    json_error_t jerr;
    json_t *ctx = json_load_file(argv[1], 0, &jerr);
    if (!ctx) {
        fprintf(stderr, "%s: %s\n", argv[1], jerr.text);
        return 1;
    }
    ph_buf b;
    ph__buf_init(&b, SIZE_MAX);
    if (render(ctx, &b) < 0) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    size_t len = b.len;
    if (argc > 3 && argv[3][0]) {
        FILE *f = fopen(argv[3], "wb");
        if (f) {
            fwrite(b.data, 1, b.len, f);
            fclose(f);
        }
    }
    ph__buf_close(&b);
    long n = 0;
    double start = cpu_now(), now = start;
    while (now - start < seconds) {
        for (int i = 0; i < 100; i++) {
            /* a fresh buffer each time, as each render of the engine has */
            ph__buf_init(&b, SIZE_MAX);
            render(ctx, &b);
            ph__buf_close(&b);
        }
        n += 100;
        now = cpu_now();
    }
    double per = (now - start) / (double)n;
    printf("handwritten %.0f renders/s %.2f us/render %zu bytes\n", 1.0 / per, per * 1e6, len);
    json_decref(ctx);
    return 0;
}
