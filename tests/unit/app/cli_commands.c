/*
 * The app's command line: dispatch through groups, generated help at each
 * level, exit statuses, commands running in a task inside an app context,
 * and the runner called from inside a task.
 */
#include "phial.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ph_app *app;

static void setup(void) { app = ph_app_new("demo"); }
static void teardown(void) {
    ph_app_free(app);
    app = NULL;
}

TestSuite(cli_commands, .init = setup, .fini = teardown);

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})

static int ok(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "ok");
    return 0;
}
static int fails(ph_cli_ctx *ctx) {
    ph_cli_error(ctx, "it failed");
    return 1;
}
static int errs(ph_cli_ctx *ctx) { return PH_ETIMEDOUT; }
static int misuse(ph_cli_ctx *ctx) { return ph_cli_usage_error(ctx, "Bad %s.", "input"); }

Test(cli_commands, exit_statuses) {
    ph_cli_command(app, "ok", ok);
    ph_cli_command(app, "fails", fails);
    ph_cli_command(app, "errs", errs);
    ph_cli_command(app, "misuse", misuse);
    ph_cli_result *r = ph_cli_invoke(app, "ok");
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, "ok\n");
    cr_assert_str_eq(r->err, "");
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "fails");
    cr_assert_eq(r->status, 1);
    cr_assert_str_eq(r->err, "it failed\n");
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "errs");
    cr_assert_eq(r->status, 1);
    cr_assert_str_eq(r->err, "Error: operation timed out\n");
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "misuse");
    cr_assert_eq(r->status, 2);
    cr_assert_str_eq(r->err, "Usage: demo misuse [OPTIONS]\nTry 'demo misuse --help' for "
                             "help.\n\nError: Bad input.\n");
    ph_cli_result_free(r);
}

static int in_context(ph_cli_ctx *ctx) {
    if (ph_current_app() != ph_cli_app(ctx) || !ph_g())
        return 1;
    /* A command runs in a task: it may suspend. */
    if (ph_sleep(0.01) != 0)
        return 1;
    ph_cli_echo(ctx, "slept in %s", ph_task_name(ph_current()));
    return 0;
}

static int no_context(ph_cli_ctx *ctx) { return ph_current_app() ? 1 : 0; }

Test(cli_commands, commands_run_in_a_task_with_an_app_context) {
    ph_cli_command(app, "ctx", in_context);
    ph_cli_command(app, "bare", no_context, .no_app_context = true);
    ph_cli_result *r = ph_cli_invoke(app, "ctx");
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert_str_eq(r->out, "slept in cli\n");
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "bare");
    cr_assert_eq(r->status, 0);
    ph_cli_result_free(r);
}

static int invoke_in_task(void *arg) {
    ph_cli_result *r = ph_cli_invoke(app, "ctx");
    int rc = r && r->status == 0 && strcmp(r->out, "slept in cli\n") == 0 ? 0 : 1;
    ph_cli_result_free(r);
    return rc;
}

Test(cli_commands, runner_inside_a_task) {
    ph_cli_command(app, "ctx", in_context);
    cr_assert_eq(ph_run(invoke_in_task, NULL), 0);
}

Test(cli_commands, root_help_lists_commands) {
    ph_cli_command(app, "init-db", ok, .help = "Create the tables. Then fill them.");
    ph_cli_command(app, "secret", ok, .hidden = true);
    ph_cli_command(app, "db migrate", ok, .help = "Apply migrations.");
    ph_cli_group(app, "db", .help = "Database commands.");
    const char *expect = "Usage: demo [OPTIONS] COMMAND [ARGS]...\n"
                         "\n"
                         "Options:\n"
                         "  --version  Show the version and exit.\n"
                         "  --help     Show this message and exit.\n"
                         "\n"
                         "Commands:\n"
                         "  db       Database commands.\n"
                         "  init-db  Create the tables.\n"
                         "  routes   Show the routes for the app.\n"
                         "  run      Run a development server.\n";
    ph_cli_result *r = ph_cli_invoke(app, "--help");
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, expect);
    ph_cli_result_free(r);
    /* No command at all prints the same help. */
    r = ph_cli_invoke(app, NULL);
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, expect);
    ph_cli_result_free(r);
}

Test(cli_commands, group_help) {
    ph_cli_command(app, "db migrate", ok, .help = "Apply migrations.");
    ph_cli_command(app, "db seed", ok, .short_help = "Fill with data.", .help = "Long text.");
    ph_cli_result *r = ph_cli_invoke(app, "db", "--help");
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, "Usage: demo db [OPTIONS] COMMAND [ARGS]...\n"
                             "\n"
                             "Options:\n"
                             "  --help  Show this message and exit.\n"
                             "\n"
                             "Commands:\n"
                             "  migrate  Apply migrations.\n"
                             "  seed     Fill with data.\n");
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "db", "seed");
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, "ok\n");
    ph_cli_result_free(r);
}

Test(cli_commands, command_help) {
    ph_cli_command *c = ph_cli_command(app, "greet", ok, .help = "Say hello.\n\nTwice if asked.");
    ph_cli_option(c, "-n, --name", PH_CLI_STRING, .help = "Who.", .default_value = "world",
                  .envvar = "GREET_NAME");
    ph_cli_option(c, "--times", PH_CLI_INT, .required = 1);
    ph_cli_option(c, "--loud/--quiet", PH_CLI_BOOL, .help = "How.");
    ph_cli_option(c, "--mode", PH_CLI_CHOICE, .choices = (const char *const[]){"a", "b", NULL});
    ph_cli_option(c, "--secret", PH_CLI_STRING, .hidden = true);
    ph_cli_argument(c, "who", PH_CLI_STRING);
    ph_cli_argument(c, "more", PH_CLI_STRING, .multiple = true, .required = -1);
    ph_cli_result *r = ph_cli_invoke(app, "greet", "--help");
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, "Usage: demo greet [OPTIONS] WHO [MORE]...\n"
                             "\n"
                             "  Say hello.\n"
                             "\n"
                             "  Twice if asked.\n"
                             "\n"
                             "Options:\n"
                             "  -n, --name TEXT   Who.  [env var: GREET_NAME; default: world]\n"
                             "  --times INTEGER   [required]\n"
                             "  --loud / --quiet  How.\n"
                             "  --mode [a|b]\n"
                             "  --help            Show this message and exit.\n");
    ph_cli_result_free(r);
}

Test(cli_commands, help_wraps_long_text) {
    ph_cli_command *c = ph_cli_command(app, "w", ok);
    ph_cli_option(c, "--long-option-name-that-is-wide", PH_CLI_STRING,
                  .help = "A long help text that does not fit on one line of the help screen "
                          "and so has to be wrapped.");
    ph_cli_result *r = ph_cli_invoke(app, "w", "--help");
    cr_assert(strstr(r->out, "  --long-option-name-that-is-wide TEXT\n"
                             "                                  A long help"),
              "%s", r->out);
    for (const char *l = r->out; *l; l += strcspn(l, "\n") + 1)
        cr_assert_leq(strcspn(l, "\n"), 78, "%s", r->out);
    ph_cli_result_free(r);
}

Test(cli_commands, help_wins_over_later_arguments) {
    ph_cli_command *c = ph_cli_command(app, "greet", fails);
    ph_cli_argument(c, "who", PH_CLI_STRING);
    ph_cli_result *r = ph_cli_invoke(app, "greet", "--help", "x", "y");
    cr_assert_eq(r->status, 0);
    cr_assert(strstr(r->out, "Usage: demo greet [OPTIONS] WHO\n"));
    ph_cli_result_free(r);
}

Test(cli_commands, unknown_command_and_group_options) {
    ph_cli_result *r = ph_cli_invoke(app, "nope");
    cr_assert_eq(r->status, 2);
    cr_assert_str_eq(r->err, "Usage: demo [OPTIONS] COMMAND [ARGS]...\n"
                             "Try 'demo --help' for help.\n\nError: No such command 'nope'.\n");
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "--port", "1");
    cr_assert_eq(r->status, 2);
    cr_assert(strstr(r->err, "Error: No such option: --port\n"));
    ph_cli_result_free(r);
}

Test(cli_commands, version) {
    ph_cli_result *r =
        ph_cli_invoke_(app, ARGS("--version"), &(ph_cli_invoke_opts){.prog_name = "hello"});
    cr_assert_eq(r->status, 0);
    cr_assert_eq(strncmp(r->out, "hello, phial ", 13), 0, "%s", r->out);
    cr_assert_str_eq(r->out + 13, "0.1.0\n");
    cr_assert_str_eq(ph_version(), "0.1.0");
    ph_cli_result_free(r);
}

static int replaced(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "mine");
    return 0;
}

Test(cli_commands, commands_can_be_replaced) {
    ph_cli_command *c = ph_cli_command(app, "x", ok);
    ph_cli_option(c, "--a", PH_CLI_STRING);
    c = ph_cli_command(app, "x", replaced);
    cr_assert_eq(ph_cli_option(c, "--a", PH_CLI_INT), 0); /* the old parameters are gone */
    ph_cli_command(app, "routes", replaced);
    ph_cli_result *r = ph_cli_invoke(app, "routes");
    cr_assert_str_eq(r->out, "mine\n");
    ph_cli_result_free(r);
}

Test(cli_commands, run_is_refused_by_the_runner) {
    ph_cli_result *r = ph_cli_invoke(app, "run");
    cr_assert_eq(r->status, 1);
    cr_assert_str_eq(r->err, "Error: 'run' cannot run under the test runner.\n");
    ph_cli_result_free(r);
}

Test(cli_commands, run_checks_its_options) {
    ph_cli_result *r = ph_cli_invoke(app, "run", "--port", "http");
    cr_assert_eq(r->status, 2);
    cr_assert(strstr(r->err, "Error: Invalid value for '-p' / '--port': 'http' is not a valid "
                             "integer.\n"));
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "run", "--log-level", "loud");
    cr_assert_eq(r->status, 2);
    ph_cli_result_free(r);
    r = ph_cli_invoke_(app, ARGS("run"),
                       &(ph_cli_invoke_opts){.env = ARGS("PHIAL_RUN_WORKERS", "two")});
    cr_assert_eq(r->status, 2);
    cr_assert(strstr(r->err, "'two' is not a valid integer"));
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "run", "--help");
    cr_assert_eq(r->status, 0);
    cr_assert(strstr(r->out, "  -p, --port INTEGER"));
    cr_assert(strstr(r->out, "PHIAL_RUN_PORT"));
    ph_cli_result_free(r);
}

/* Every allocation failing in turn: registration and a whole invocation
 * report it (NULL, PH_ENOMEM or status 1) and never crash or leak. */
Test(cli_commands, allocation_failures) {
    long n = 0;
    for (;; n++) {
        ph_app *a = ph_app_new("oom");
        cr_assert_not_null(a);
        ph__alloc_fail_after(n);
        ph_cli_command *c = ph_cli_command(a, "greet", ok);
        int rc = c ? ph_cli_option(c, "-n, --name", PH_CLI_STRING, .default_value = "x") : -1;
        ph_cli_result *r = ph_cli_invoke(a, "greet", "--name", "y", "--help");
        ph_cli_result *r2 = ph_cli_invoke(a, "greet", "--name", "y");
        long failed = ph__alloc_failures();
        ph__alloc_fail_after(-1);
        if (r2 && failed)
            cr_assert(r2->status == 0 || r2->status == 1 || r2->status == 2, "%d", r2->status);
        if (!failed) {
            cr_assert_eq(rc, 0);
            cr_assert_str_eq(r2->out, "ok\n");
        }
        ph_cli_result_free(r);
        ph_cli_result_free(r2);
        ph_app_free(a);
        if (!failed)
            break;
    }
    cr_assert_gt(n, 10);
}

static int show_config(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "%s %lld", ph_config_str(ph_cli_app(ctx), "GREETING", "none"),
                (long long)ph_config_int(ph_cli_app(ctx), "LIMIT", -1));
    return 3;
}

/* ph_app_main itself: the program name from argv[0], PHIAL_* config loaded,
 * the command's status returned, output on the process's stdout. */
Test(cli_commands, app_main, .init = cr_redirect_stdout) {
    if (!app) /* a test with its own .init does not get the suite's */
        setup();
    ph_cli_command(app, "show", show_config);
    setenv("PHIAL_GREETING", "hi", 1);
    setenv("PHIAL_LIMIT", "12", 1);
    char *argv[] = {"/usr/bin/demo-prog", "show", NULL};
    cr_assert_eq(ph_app_main(app, 2, argv), 3);
    char *help[] = {"./demo-prog", "--version", NULL};
    cr_assert_eq(ph_app_main(app, 2, help), 0);
    fflush(stdout);
    char expect[64];
    snprintf(expect, sizeof(expect), "hi 12\ndemo-prog, phial %s\n", ph_version());
    cr_assert_stdout_eq_str(expect);
    teardown();
}

Test(cli_commands, app_main_usage_error, .init = cr_redirect_stderr) {
    if (!app)
        setup();
    char *argv[] = {"demo", "nope", NULL};
    cr_assert_eq(ph_app_main(app, 2, argv), 2);
    cr_assert_eq(ph_app_main(NULL, 2, argv), 2);
    fflush(stderr);
    cr_assert_stderr_eq_str("Usage: demo [OPTIONS] COMMAND [ARGS]...\n"
                            "Try 'demo --help' for help.\n\nError: No such command 'nope'.\n");
    teardown();
}
