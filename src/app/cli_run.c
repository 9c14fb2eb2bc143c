/*
 * The built-in `run` command: serve the app with phial's server
 * (ph_serve(ph_app_proto(app), ...)), with uvicorn's knobs as options and
 * Flask's `flask run` habits: defaults from PHIAL_RUN_* environment
 * variables (as click's auto_envvar_prefix FLASK_RUN_* does), --debug
 * setting config DEBUG, and the reloader on by default in debug mode.
 *
 * It prints " * Serving app 'NAME'" and " * Debug mode: on|off" on stdout;
 * the server itself logs "phial: serving on http://HOST:PORT ..." once it
 * listens. With --reload it does not serve: cli_reload.c supervises a
 * child that does. It runs on the main thread, outside any loop, because
 * ph_serve() runs loops of its own.
 */
#include "app/cli.h"

#include "util/log.h"

#include <stdlib.h>
#include <string.h>

/* Set in the environment of the child a reloader starts, so it serves. */
#define RELOADER_CHILD_ENV "PHIAL_RUN_RELOADER_CHILD"

/* Whether the user gave `name`, on the command line or in its environment variable. */
static bool given(ph_cli_ctx *ctx, const char *name) {
    int source = ph_cli_source(ctx, name);
    return source == 1 || source == 2;
}

/* `opt` names the option as Click's messages do, every spelling quoted
 * ("'-p' / '--port'"), as the option parser's own messages do. */
static int check_range(ph_cli_ctx *ctx, const char *name, const char *opt, int64_t lo, int64_t hi) {
    int64_t v = ph_cli_get_int(ctx, name);
    if (ph_cli_source(ctx, name) && (v < lo || v > hi))
        return ph_cli_usage_error(ctx,
                                  "Invalid value for %s: %lld is not in the range "
                                  "%lld<=x<=%lld.",
                                  opt, (long long)v, (long long)lo, (long long)hi);
    return 0;
}

static int run_cmd(ph_cli_ctx *ctx) {
    ph_app *app = ph_cli_app(ctx);
    int rc;
    if ((rc = check_range(ctx, "port", "'-p' / '--port'", -1, 65535)) ||
        (rc = check_range(ctx, "workers", "'-w' / '--workers'", 1, 1024)) ||
        (rc = check_range(ctx, "backlog", "'--backlog'", 1, 1 << 20)) ||
        (rc = check_range(ctx, "limit_concurrency", "'--limit-concurrency'", 1, 1 << 24)) ||
        (rc = check_range(ctx, "ws_max_size", "'--ws-max-size'", 1, INT64_C(1) << 40)))
        return rc;
    /* Zero is refused rather than taken: the server reads a zero timeout
     * as "the default", which is not what `--timeout-keep-alive 0` says. */
    static const char *const timeouts[][2] = {
        {"timeout_keep_alive", "--timeout-keep-alive"},
        {"timeout_body", "--timeout-body"},
        {"timeout_graceful_shutdown", "--timeout-graceful-shutdown"},
    };
    for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
        if (!(ph_cli_get_float(ctx, timeouts[i][0]) > 0))
            return ph_cli_usage_error(ctx, "Invalid value for '%s': must be > 0.", timeouts[i][1]);
    const char *level = ph_cli_get_str(ctx, "log_level");
    if (level)
        ph_log_set_level(ph_log_level_parse(level));
    if (given(ctx, "debug") && ph_config_set_bool(app, "DEBUG", ph_cli_get_bool(ctx, "debug")) < 0)
        return PH_ENOMEM;
    bool debug = ph_config_bool(app, "DEBUG", false);
    bool reload = given(ctx, "reload") ? ph_cli_get_bool(ctx, "reload") : debug;
    const char *child = getenv(RELOADER_CHILD_ENV);
    if (reload && !(child && strcmp(child, "1") == 0))
        return ph__cli_reload(ctx);

    ph_cli_echo(ctx, " * Serving app '%s'", ph_app_name(app));
    ph_cli_echo(ctx, " * Debug mode: %s", debug ? "on" : "off");
    int access = given(ctx, "access_log") ? (ph_cli_get_bool(ctx, "access_log") ? 1 : -1) : 0;
    rc = ph_serve(ph_app_proto(app), .host = ph_cli_get_str(ctx, "host"),
                  .port = (int)ph_cli_get_int(ctx, "port"), .uds = ph_cli_get_str(ctx, "uds"),
                  .workers = (int)ph_cli_get_int(ctx, "workers"),
                  .backlog = (int)ph_cli_get_int(ctx, "backlog"),
                  .limit_concurrency = (int)ph_cli_get_int(ctx, "limit_concurrency"),
                  .timeout_keep_alive = ph_cli_get_float(ctx, "timeout_keep_alive"),
                  .timeout_body = ph_cli_get_float(ctx, "timeout_body"),
                  .timeout_graceful = ph_cli_get_float(ctx, "timeout_graceful_shutdown"),
                  .ws_max_size = (uint64_t)ph_cli_get_int(ctx, "ws_max_size"),
                  .access_log = access);
    if (rc < 0) {
        ph_cli_error(ctx, "Error: could not serve: %s", ph_strerror(rc));
        return 1;
    }
    return 0;
}

typedef struct run_opt {
    const char *decls;
    ph_cli_type type;
    const char *envvar;
    const char *def;
    const char *metavar;
    bool multiple;
    const char *help;
} run_opt;

static const char *const levels[] = {"debug", "info", "warning", "error", "critical", NULL};

static const run_opt run_opts[] = {
    {"-h, --host", PH_CLI_STRING, "PHIAL_RUN_HOST", "127.0.0.1", NULL, false,
     "The interface to bind to."},
    {"-p, --port", PH_CLI_INT, "PHIAL_RUN_PORT", "8000", NULL, false,
     "The port to bind to; -1 picks a free one."},
    {"--uds", PH_CLI_STRING, "PHIAL_RUN_UDS", NULL, "PATH", false,
     "Serve on this unix socket instead of TCP."},
    {"-w, --workers", PH_CLI_INT, "PHIAL_RUN_WORKERS", "1", NULL, false,
     "Worker processes; more than one forks them under a supervisor."},
    {"--debug/--no-debug", PH_CLI_BOOL, "PHIAL_DEBUG", NULL, NULL, false,
     "Set config DEBUG (debug page, template reloading) and turn on the reloader."},
    {"--reload/--no-reload", PH_CLI_BOOL, "PHIAL_RUN_RELOAD", NULL, NULL, false,
     "Restart the server when the executable or a watched file changes. Default: on in "
     "debug mode."},
    {"--reload-dir", PH_CLI_STRING, "PHIAL_RUN_RELOAD_DIR", NULL, "PATH", true,
     "A file or folder to watch (repeatable). Default: the templates and static folders."},
    {"--access-log/--no-access-log", PH_CLI_BOOL, "PHIAL_RUN_ACCESS_LOG", NULL, NULL, false,
     "Log every request (on by default)."},
    {"--log-level", PH_CLI_CHOICE, "PHIAL_LOG_LEVEL", NULL, NULL, false, "The log threshold."},
    {"--timeout-keep-alive", PH_CLI_FLOAT, "PHIAL_RUN_TIMEOUT_KEEP_ALIVE", "5", "SECONDS", false,
     "Close idle keep-alive connections after this long."},
    {"--timeout-body", PH_CLI_FLOAT, "PHIAL_RUN_TIMEOUT_BODY", "30", "SECONDS", false,
     "Answer 408 when a request body stalls this long."},
    {"--timeout-graceful-shutdown", PH_CLI_FLOAT, "PHIAL_RUN_TIMEOUT_GRACEFUL_SHUTDOWN", "30",
     "SECONDS", false, "How long in-flight requests may finish at shutdown."},
    {"--limit-concurrency", PH_CLI_INT, "PHIAL_RUN_LIMIT_CONCURRENCY", "10000", NULL, false,
     "Open connections before accepting pauses."},
    {"--backlog", PH_CLI_INT, "PHIAL_RUN_BACKLOG", "2048", NULL, false, "The listen backlog."},
    {"--ws-max-size", PH_CLI_INT, "PHIAL_RUN_WS_MAX_SIZE", "1048576", "BYTES", false,
     "The largest websocket message; a larger one closes the websocket (1009)."},
};

int ph__cli_add_run(ph_app *app) {
    ph_cli_command *c = ph_cli_command(
        app, "run", run_cmd, .short_help = "Run a development server.",
        .help = "Serve the app on phial's asynchronous HTTP server.\n\nOptions also take their "
                "values from PHIAL_RUN_* environment variables;\nthe config is loaded from "
                "PHIAL_* variables first.",
        .no_app_context = true);
    if (!c)
        return PH_ENOMEM;
    c->no_task = 1;
    for (size_t i = 0; i < sizeof(run_opts) / sizeof(run_opts[0]); i++) {
        const run_opt *o = &run_opts[i];
        int rc = ph_cli_option(c, o->decls, o->type, .envvar = o->envvar, .default_value = o->def,
                               .metavar = o->metavar, .multiple = o->multiple, .help = o->help,
                               .choices = o->type == PH_CLI_CHOICE ? levels : NULL);
        if (rc < 0)
            return rc;
    }
    return 0;
}
