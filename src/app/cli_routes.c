/*
 * The built-in `routes` command: the app's URL rules as a table of
 * endpoint, methods and rule, in the layout of `flask routes` (Flask 2.2's
 * routes_command): columns as wide as their widest cell, two spaces apart,
 * a dashed line under the header, trailing blanks stripped; HEAD and
 * OPTIONS hidden unless --all-methods; --sort endpoint (default), methods,
 * rule or match (registration order, the order Flask would try them).
 *
 * It reads the router's routes and prints nothing else.
 */
#include "app/cli.h"

#include "app/core.h"
#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

typedef struct route_row {
    const ph__route *rt;
    char methods[96];     /* shown: "GET, POST" */
    char all_methods[96]; /* every method, sorted: the key of --sort methods */
} route_row;

typedef enum sort_key { SORT_ENDPOINT, SORT_METHODS, SORT_RULE, SORT_MATCH } sort_key;

/* The names of `bits`, alphabetically, joined with ", " (Python's sorted()). */
static void method_names(unsigned bits, int all, char *out, size_t size) {
    const char *names[16];
    size_t n = 0;
    for (unsigned b = 1; b && n < 16; b <<= 1) {
        const char *name = (bits & b) ? ph_method_name(b) : NULL;
        if (b == PH__ROUTE_WEBSOCKET && (bits & b))
            name = "WEBSOCKET";
        if (name && (all || (b != PH_HEAD && b != PH_OPTIONS)))
            names[n++] = name;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
            const char *t = names[k];
            names[k] = names[k - 1];
            names[k - 1] = t;
        }
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", names[i]);
}

/*
 * Registration order, except that the app's static route counts as the
 * first: Flask registers it when the app is created, phial at the end of
 * setup (once the config is final), and the listing follows Flask's.
 */
static long order(const ph__route *rt) {
    return strcmp(rt->endpoint, "static") == 0 ? -1 : (long)rt->seq;
}

static int cmp_rows(const void *a, const void *b, void *arg) {
    const route_row *x = a, *y = b;
    sort_key key = *(const sort_key *)arg;
    int c = 0;
    if (key == SORT_ENDPOINT)
        c = strcmp(x->rt->endpoint, y->rt->endpoint);
    else if (key == SORT_RULE)
        c = strcmp(x->rt->rule->text, y->rt->rule->text);
    else if (key == SORT_METHODS)
        c = strcmp(x->all_methods, y->all_methods); /* ", " sorts below letters: as lists */
    /* Python's sort is stable: ties keep registration order. */
    return c ? c : (order(x->rt) > order(y->rt)) - (order(x->rt) < order(y->rt));
}

static size_t maxw(size_t a, size_t b) { return a > b ? a : b; }

static int routes_cmd(ph_cli_ctx *ctx) {
    ph_app *app = ph_cli_app(ctx);
    /* What the first request would register (the static route), so the
     * listing is complete as `flask routes` is. */
    ph__app_finish_setup(app);
    size_t n = ph__router_count(app->router);
    if (n == 0) {
        ph_cli_echo(ctx, "No routes were registered.");
        return 0;
    }
    route_row *rows = ph__calloc(n, sizeof(*rows));
    if (!rows)
        return PH_ENOMEM;
    int all = ph_cli_get_bool(ctx, "all_methods");
    size_t we = strlen("Endpoint"), wm = strlen("Methods"), wr = strlen("Rule");
    for (size_t i = 0; i < n; i++) {
        route_row *r = &rows[i];
        r->rt = ph__router_route(app->router, i);
        method_names(r->rt->methods, all, r->methods, sizeof(r->methods));
        method_names(r->rt->methods, 1, r->all_methods, sizeof(r->all_methods));
    }
    const char *sort = ph_cli_get_str(ctx, "sort");
    sort_key key = !strcmp(sort, "methods") ? SORT_METHODS
                   : !strcmp(sort, "rule")  ? SORT_RULE
                   : !strcmp(sort, "match") ? SORT_MATCH
                                            : SORT_ENDPOINT;
    qsort_r(rows, n, sizeof(*rows), cmp_rows, &key);
    for (size_t i = 0; i < n; i++) {
        we = maxw(we, strlen(rows[i].rt->endpoint));
        wm = maxw(wm, strlen(rows[i].methods));
        wr = maxw(wr, strlen(rows[i].rt->rule->text));
    }
    ph_cli_echo(ctx, "%-*s  %-*s  Rule", (int)we, "Endpoint", (int)wm, "Methods");
    char *dash = ph__malloc(maxw(we, maxw(wm, wr)) + 1);
    if (!dash) {
        ph__free(rows);
        return PH_ENOMEM;
    }
    memset(dash, '-', maxw(we, maxw(wm, wr)));
    ph_cli_echo(ctx, "%.*s  %.*s  %.*s", (int)we, dash, (int)wm, dash, (int)wr, dash);
    for (size_t i = 0; i < n; i++) {
        const route_row *r = &rows[i];
        /* The rule is never empty, so no trailing blanks need stripping. */
        ph_cli_echo(ctx, "%-*s  %-*s  %s", (int)we, r->rt->endpoint, (int)wm, r->methods,
                    r->rt->rule->text);
    }
    ph__free(dash);
    ph__free(rows);
    return 0;
}

int ph__cli_add_routes(ph_app *app) {
    ph_cli_command *c = ph_cli_command(app, "routes", routes_cmd,
                                       .help = "Show all registered routes with endpoints and "
                                               "methods.",
                                       .short_help = "Show the routes for the app.");
    if (!c)
        return PH_ENOMEM;
    int rc = ph_cli_option(c, "-s, --sort", PH_CLI_CHOICE,
                           .choices =
                               (const char *const[]){"endpoint", "methods", "rule", "match", NULL},
                           .default_value = "endpoint",
                           .help = "Method to sort routes by. \"match\" is the order that phial "
                                   "will match routes when dispatching a request.");
    if (rc == 0)
        rc = ph_cli_option(c, "--all-methods", PH_CLI_BOOL,
                           .help = "Show HEAD and OPTIONS methods.");
    return rc;
}
