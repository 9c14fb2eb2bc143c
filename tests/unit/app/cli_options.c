/*
 * The app's command line through the runner (ph_cli_invoke): option and
 * argument parsing, types, environment and defaults, required values,
 * usage errors and exit statuses 0/1/2.
 */
#include "phial.h"

#include <criterion/criterion.h>
#include <string.h>

static ph_app *app;

static void setup(void) { app = ph_app_new("demo"); }
static void teardown(void) { ph_app_free(app); }

TestSuite(cli_options, .init = setup, .fini = teardown);

/* Echo every parameter of the command as "name=value" lines. */
static int dump(ph_cli_ctx *ctx) {
    static const char *const names[] = {"name", "count", "ratio", "verbose", "mode",
                                        "tag",  "src",   "rest",  "quiet",   NULL};
    for (size_t i = 0; names[i]; i++)
        for (size_t k = 0; k < ph_cli_get_count(ctx, names[i]); k++)
            ph_cli_echo(ctx, "%s=%s", names[i], ph_cli_get_str_at(ctx, names[i], k));
    return 0;
}

static ph_cli_result *run(const char *const *args) {
    ph_cli_result *r = ph_cli_invoke_(app, args, NULL);
    cr_assert_not_null(r);
    return r;
}

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})

static ph_cli_command *cmd_all(void) {
    ph_cli_command *c = ph_cli_command(app, "cmd", dump, .help = "Try things.");
    cr_assert_not_null(c);
    cr_assert_eq(ph_cli_option(c, "-n, --name", PH_CLI_STRING, .help = "A name."), 0);
    cr_assert_eq(ph_cli_option(c, "-c, --count", PH_CLI_INT, .default_value = "1"), 0);
    cr_assert_eq(ph_cli_option(c, "--ratio", PH_CLI_FLOAT), 0);
    cr_assert_eq(ph_cli_option(c, "-v, --verbose/--no-verbose", PH_CLI_BOOL), 0);
    cr_assert_eq(ph_cli_option(c, "-q, quiet", PH_CLI_BOOL), 0);
    cr_assert_eq(ph_cli_option(c, "-m, --mode", PH_CLI_CHOICE,
                               .choices = (const char *const[]){"fast", "safe", NULL}),
                 0);
    cr_assert_eq(ph_cli_option(c, "-t, --tag", PH_CLI_STRING, .multiple = true), 0);
    return c;
}

Test(cli_options, string_option_in_every_form) {
    cmd_all();
    const char *const *forms[] = {ARGS("cmd", "--name", "x"), ARGS("cmd", "--name=x"),
                                  ARGS("cmd", "-n", "x"), ARGS("cmd", "-nx")};
    for (size_t i = 0; i < 4; i++) {
        ph_cli_result *r = run(forms[i]);
        cr_assert_eq(r->status, 0, "form %zu: %s", i, r->err);
        cr_assert(strstr(r->out, "name=x\n"), "form %zu: %s", i, r->out);
        ph_cli_result_free(r);
    }
}

Test(cli_options, int_default_and_given) {
    cmd_all();
    ph_cli_result *r = run(ARGS("cmd"));
    cr_assert_str_eq(r->out, "count=1\nverbose=false\nquiet=false\n");
    ph_cli_result_free(r);
    r = run(ARGS("cmd", "-c", "-42"));
    cr_assert(strstr(r->out, "count=-42\n"));
    ph_cli_result_free(r);
}

static int typed(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "%lld %.2f %d %s", (long long)ph_cli_get_int(ctx, "count"),
                ph_cli_get_float(ctx, "ratio"), ph_cli_get_bool(ctx, "verbose"),
                ph_cli_get_str(ctx, "mode"));
    /* A typed read of another type gives the zero value. */
    return ph_cli_get_int(ctx, "ratio") == 0 && ph_cli_get_bool(ctx, "count") == 0 ? 0 : 1;
}

Test(cli_options, typed_reads) {
    ph_cli_command *c = cmd_all();
    c = ph_cli_command(app, "typed", typed);
    ph_cli_option(c, "--count", PH_CLI_INT);
    ph_cli_option(c, "--ratio", PH_CLI_FLOAT);
    ph_cli_option(c, "--verbose", PH_CLI_BOOL);
    ph_cli_option(c, "--mode", PH_CLI_CHOICE, .choices = (const char *const[]){"a", "b", NULL});
    ph_cli_result *r =
        run(ARGS("typed", "--count", "7", "--ratio", "2.5", "--verbose", "--mode", "b"));
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, "7 2.50 1 b\n");
    ph_cli_result_free(r);
}

static void expect_usage(const char *const *args, const char *error) {
    ph_cli_result *r = run(args);
    cr_assert_eq(r->status, 2, "%s", r->err);
    cr_assert_str_eq(r->out, "");
    cr_assert(strstr(r->err, "Usage: demo "), "%s", r->err);
    cr_assert(strstr(r->err, "' for help.\n\nError: "), "%s", r->err);
    const char *e = strstr(r->err, "Error: ");
    cr_assert_str_eq(e + 7, error);
    ph_cli_result_free(r);
}

Test(cli_options, bad_int_is_a_usage_error) {
    cmd_all();
    expect_usage(ARGS("cmd", "--count", "x1"),
                 "Invalid value for '-c' / '--count': 'x1' is not a valid integer.\n");
    expect_usage(ARGS("cmd", "--count", "99999999999999999999"),
                 "Invalid value for '-c' / '--count': '99999999999999999999' is not a valid "
                 "integer.\n");
}

Test(cli_options, bad_float_is_a_usage_error) {
    cmd_all();
    expect_usage(ARGS("cmd", "--ratio", "1.5x"),
                 "Invalid value for '--ratio': '1.5x' is not a valid float.\n");
    expect_usage(ARGS("cmd", "--ratio", "inf"),
                 "Invalid value for '--ratio': 'inf' is not a valid float.\n");
}

Test(cli_options, flags_and_off_switches) {
    cmd_all();
    ph_cli_result *r = run(ARGS("cmd", "-v", "--no-verbose", "-vq"));
    cr_assert_eq(r->status, 0);
    cr_assert_str_eq(r->out, "count=1\nverbose=true\nquiet=true\n");
    ph_cli_result_free(r);
    r = run(ARGS("cmd", "--verbose", "--no-verbose"));
    cr_assert(strstr(r->out, "verbose=false\n"));
    ph_cli_result_free(r);
    expect_usage(ARGS("cmd", "--verbose=yes"), "Option '--verbose' does not take a value.\n");
}

Test(cli_options, choices) {
    cmd_all();
    ph_cli_result *r = run(ARGS("cmd", "--mode", "safe"));
    cr_assert(strstr(r->out, "mode=safe\n"));
    ph_cli_result_free(r);
    expect_usage(ARGS("cmd", "-m", "slow"),
                 "Invalid value for '-m' / '--mode': 'slow' is not one of 'fast', 'safe'.\n");
}

Test(cli_options, multiple_option_keeps_every_value) {
    cmd_all();
    ph_cli_result *r = run(ARGS("cmd", "-t", "a", "--tag=b", "-tc"));
    cr_assert(strstr(r->out, "tag=a\ntag=b\ntag=c\n"), "%s", r->out);
    ph_cli_result_free(r);
}

Test(cli_options, last_value_wins) {
    cmd_all();
    ph_cli_result *r = run(ARGS("cmd", "-n", "a", "-n", "b"));
    cr_assert(strstr(r->out, "name=b\n") && !strstr(r->out, "name=a"));
    ph_cli_result_free(r);
}

Test(cli_options, unknown_option) {
    cmd_all();
    expect_usage(ARGS("cmd", "--bogus"), "No such option: --bogus\n");
    expect_usage(ARGS("cmd", "--bogus=1"), "No such option: --bogus\n");
    expect_usage(ARGS("cmd", "-z"), "No such option: -z\n");
}

Test(cli_options, option_needs_a_value) {
    cmd_all();
    expect_usage(ARGS("cmd", "--name"), "Option '--name' requires an argument.\n");
    expect_usage(ARGS("cmd", "-n"), "Option '-n' requires an argument.\n");
}

Test(cli_options, required_option) {
    ph_cli_command *c = ph_cli_command(app, "req", dump);
    ph_cli_option(c, "-n, --name", PH_CLI_STRING, .required = 1);
    expect_usage(ARGS("req"), "Missing option '-n' / '--name'.\n");
    ph_cli_result *r = run(ARGS("req", "-n", "x"));
    cr_assert_eq(r->status, 0);
    ph_cli_result_free(r);
}

static ph_cli_command *cmd_args(void) {
    ph_cli_command *c = ph_cli_command(app, "cp", dump);
    cr_assert_eq(ph_cli_argument(c, "src", PH_CLI_STRING), 0);
    cr_assert_eq(ph_cli_argument(c, "rest", PH_CLI_INT, .multiple = true, .required = -1), 0);
    cr_assert_eq(ph_cli_option(c, "-v, --verbose", PH_CLI_BOOL), 0);
    return c;
}

Test(cli_options, arguments_in_order_with_options_between) {
    cmd_args();
    ph_cli_result *r = run(ARGS("cp", "a", "-v", "1", "2"));
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert_str_eq(r->out, "verbose=true\nsrc=a\nrest=1\nrest=2\n");
    ph_cli_result_free(r);
}

Test(cli_options, missing_argument) {
    cmd_args();
    expect_usage(ARGS("cp"), "Missing argument 'SRC'.\n");
}

Test(cli_options, argument_converted) {
    cmd_args();
    expect_usage(ARGS("cp", "a", "b"), "Invalid value for 'REST': 'b' is not a valid integer.\n");
}

Test(cli_options, double_dash_ends_options) {
    cmd_args();
    ph_cli_result *r = run(ARGS("cp", "--", "-v", "-3"));
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert_str_eq(r->out, "verbose=false\nsrc=-v\nrest=-3\n");
    ph_cli_result_free(r);
}

Test(cli_options, extra_arguments) {
    ph_cli_command *c = ph_cli_command(app, "one", dump);
    ph_cli_argument(c, "src", PH_CLI_STRING);
    expect_usage(ARGS("one", "a", "b"), "Got unexpected extra argument (b)\n");
    expect_usage(ARGS("one", "a", "b", "c"), "Got unexpected extra arguments (b c)\n");
}

Test(cli_options, optional_argument_with_default) {
    ph_cli_command *c = ph_cli_command(app, "opt", dump);
    ph_cli_argument(c, "src", PH_CLI_STRING, .default_value = "here");
    ph_cli_result *r = run(ARGS("opt"));
    cr_assert_str_eq(r->out, "src=here\n");
    ph_cli_result_free(r);
}

static int sources(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "%s %d %s %d", ph_cli_get_str(ctx, "name"), ph_cli_source(ctx, "name"),
                ph_cli_get_str(ctx, "other"), ph_cli_source(ctx, "other"));
    return 0;
}

Test(cli_options, environment_then_default) {
    ph_cli_command *c = ph_cli_command(app, "env", sources);
    ph_cli_option(c, "--name", PH_CLI_STRING, .envvar = "DEMO_NAME", .default_value = "d");
    ph_cli_option(c, "--other", PH_CLI_STRING, .envvar = "DEMO_OTHER", .default_value = "d");
    ph_cli_result *r = ph_cli_invoke_(app, ARGS("env"),
                                      &(ph_cli_invoke_opts){.env = ARGS("DEMO_NAME", "from-env")});
    cr_assert_str_eq(r->out, "from-env 2 d 3\n");
    ph_cli_result_free(r);
    r = ph_cli_invoke_(app, ARGS("env", "--name", "cli"),
                       &(ph_cli_invoke_opts){.env = ARGS("DEMO_NAME", "from-env")});
    cr_assert_str_eq(r->out, "cli 1 d 3\n");
    ph_cli_result_free(r);
}

Test(cli_options, bad_environment_value_is_a_usage_error) {
    ph_cli_command *c = ph_cli_command(app, "env", dump);
    ph_cli_option(c, "-c, --count", PH_CLI_INT, .envvar = "DEMO_COUNT");
    ph_cli_result *r =
        ph_cli_invoke_(app, ARGS("env"), &(ph_cli_invoke_opts){.env = ARGS("DEMO_COUNT", "many")});
    cr_assert_eq(r->status, 2);
    cr_assert(strstr(r->err, "Error: Invalid value for '-c' / '--count': 'many' is not a valid "
                             "integer.\n"));
    ph_cli_result_free(r);
}

Test(cli_options, bool_from_environment) {
    ph_cli_command *c = ph_cli_command(app, "env", dump);
    ph_cli_option(c, "--verbose", PH_CLI_BOOL, .envvar = "DEMO_VERBOSE");
    const char *yes[] = {"1", "true", "YES", "on", "t", "y"};
    for (size_t i = 0; i < 6; i++) {
        ph_cli_result *r = ph_cli_invoke_(
            app, ARGS("env"), &(ph_cli_invoke_opts){.env = ARGS("DEMO_VERBOSE", yes[i])});
        cr_assert_str_eq(r->out, "verbose=true\n", "%s", yes[i]);
        ph_cli_result_free(r);
    }
    ph_cli_result *r =
        ph_cli_invoke_(app, ARGS("env"), &(ph_cli_invoke_opts){.env = ARGS("DEMO_VERBOSE", "off")});
    cr_assert_str_eq(r->out, "verbose=false\n");
    ph_cli_result_free(r);
}

static int spellings(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "%d%d%d %s", ph_cli_get_bool(ctx, "dry_run"), ph_cli_get_bool(ctx, "dry-run"),
                ph_cli_get_bool(ctx, "--dry-run"), ph_cli_get_str(ctx, "thing"));
    return 0;
}

Test(cli_options, parameter_names) {
    ph_cli_command *c = ph_cli_command(app, "dry", spellings);
    ph_cli_option(c, "--dry-run", PH_CLI_BOOL);
    ph_cli_option(c, "-x, --extra-thing, thing", PH_CLI_STRING);
    ph_cli_result *r = run(ARGS("dry", "--dry-run", "--extra-thing", "v"));
    cr_assert_str_eq(r->out, "111 v\n");
    ph_cli_result_free(r);
}

Test(cli_options, bad_declarations_are_refused) {
    ph_cli_command *c = ph_cli_command(app, "bad", dump);
    cr_assert_eq(ph_cli_option(c, "name", PH_CLI_STRING), PH_EINVAL); /* no switch */
    cr_assert_eq(ph_cli_option(c, "-ab", PH_CLI_STRING), PH_EINVAL);  /* long short */
    cr_assert_eq(ph_cli_option(c, "--", PH_CLI_STRING), PH_EINVAL);
    cr_assert_eq(ph_cli_option(c, "--a/--b", PH_CLI_INT), PH_EINVAL); /* off on non-flag */
    cr_assert_eq(ph_cli_option(c, "--m", PH_CLI_CHOICE), PH_EINVAL);  /* no choices */
    cr_assert_eq(
        ph_cli_option(c, "--m", PH_CLI_STRING, .choices = (const char *const[]){"a", NULL}),
        PH_EINVAL);
    cr_assert_eq(ph_cli_option(c, "--n", PH_CLI_INT, .default_value = "x"), PH_EINVAL);
    cr_assert_eq(ph_cli_option(c, "--help", PH_CLI_BOOL), PH_EINVAL);
    cr_assert_eq(ph_cli_option(c, "-n, --name", PH_CLI_STRING), 0);
    cr_assert_eq(ph_cli_option(c, "--name", PH_CLI_STRING), PH_EINVAL);     /* taken */
    cr_assert_eq(ph_cli_option(c, "-n, --nick", PH_CLI_STRING), PH_EINVAL); /* -n taken */
    cr_assert_eq(ph_cli_argument(c, "name", PH_CLI_STRING), PH_EINVAL);     /* name taken */
    cr_assert_eq(ph_cli_argument(c, "a b", PH_CLI_STRING), PH_EINVAL);
    cr_assert_eq(ph_cli_argument(c, "all", PH_CLI_STRING, .multiple = true), 0);
    cr_assert_eq(ph_cli_argument(c, "after", PH_CLI_STRING), PH_EINVAL); /* after the rest */
    cr_assert_null(ph_cli_command(app, "", dump));
    cr_assert_null(ph_cli_command(app, "a/b", dump));
    cr_assert_null(ph_cli_command(app, "bad sub", dump)); /* "bad" is a command, not a group */
    cr_assert_null(ph_cli_command(app, "x", NULL));
    cr_assert_eq(ph_cli_option(NULL, "--x", PH_CLI_STRING), PH_EINVAL);
}
