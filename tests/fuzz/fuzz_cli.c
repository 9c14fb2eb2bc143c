/*
 * Fuzz target for the app's command line (src/app/cli_options.c, cli.c):
 * the input is a command line, arguments separated by NUL bytes, run
 * through the in-process runner against an app with commands of every
 * parameter kind (types, flags with off switches, choices, .multiple,
 * required, environment defaults, a group). Checks: the exit status is 0,
 * 1 or 2; a usage error prints "Error: "; a success prints nothing on
 * standard error; both outputs are NUL-terminated at their lengths.
 */
#include "phial.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 64

static int dump(ph_cli_ctx *ctx) {
    static const char *const names[] = {"name", "count", "ratio", "verbose", "mode",
                                        "tag",  "src",   "rest",  "quiet",   NULL};
    for (size_t i = 0; names[i]; i++)
        for (size_t k = 0; k < ph_cli_get_count(ctx, names[i]); k++)
            ph_cli_echo(ctx, "%s=%s %lld %g", names[i], ph_cli_get_str_at(ctx, names[i], k),
                        (long long)ph_cli_get_int_at(ctx, names[i], k),
                        ph_cli_get_float_at(ctx, names[i], k));
    return 0;
}

static ph_app *make_app(void) {
    ph_app *app = ph_app_new("fuzz");
    ph_cli_command *c = ph_cli_command(app, "cmd", dump, .help = "All kinds.");
    ph_cli_option(c, "-n, --name", PH_CLI_STRING, .envvar = "FUZZ_NAME");
    ph_cli_option(c, "-c, --count", PH_CLI_INT, .default_value = "1");
    ph_cli_option(c, "-r, --ratio", PH_CLI_FLOAT);
    ph_cli_option(c, "-v, --verbose/--no-verbose", PH_CLI_BOOL);
    ph_cli_option(c, "-q, quiet", PH_CLI_BOOL);
    ph_cli_option(c, "-m, --mode", PH_CLI_CHOICE,
                  .choices = (const char *const[]){"fast", "safe", NULL});
    ph_cli_option(c, "-t, --tag", PH_CLI_STRING, .multiple = true);
    ph_cli_argument(c, "src", PH_CLI_STRING);
    ph_cli_argument(c, "rest", PH_CLI_INT, .multiple = true, .required = -1);
    c = ph_cli_command(app, "db seed", dump);
    ph_cli_option(c, "--name", PH_CLI_STRING, .required = 1);
    return app;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static ph_app *app;
    if (!app)
        app = make_app();
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    const char *args[MAX_ARGS + 1];
    size_t n = 0;
    for (size_t i = 0; i < size && n < MAX_ARGS; i += strlen(buf + i) + 1)
        args[n++] = buf + i;
    args[n] = NULL;
    /* `run` would be refused by the runner anyway; keep inputs on the parser. */
    if (n && strcmp(args[0], "run") == 0)
        args[0] = "cmd";
    ph_cli_result *r = ph_cli_invoke_(app, args, NULL);
    if (r) {
        if (r->status < 0 || r->status > 2 || r->out[r->out_len] || r->err[r->err_len])
            abort();
        if (r->status == 2 && !strstr(r->err, "Error: "))
            abort();
        if (r->status == 0 && r->err_len)
            abort();
    }
    ph_cli_result_free(r);
    free(buf);
    return 0;
}
