/*
 * phial — the app's command line (Flask's `flask` command and click, for C).
 *
 * ph_app_main(app, argc, argv) gives every app a command line:
 *
 *   ./app run [--host H] [--port P] [--debug] [--reload] ...   serve the app
 *   ./app routes [--sort endpoint|methods|rule|match]           list the URL rules
 *   ./app COMMAND ...                                           a command the app registered
 *
 * Apps add commands with ph_cli_command(), each with typed options and
 * arguments (ph_cli_option(), ph_cli_argument()). A command's function runs
 * in a task with an app context pushed, so it may suspend (ph_sleep, file
 * reads, the test client ...) and sees ph_current_app() and ph_g(). Every
 * level gets a generated --help; a usage error prints the usage, a line
 * "Error: ..." and exits with status 2. docs/cli.md is the guide.
 *
 * Output goes through ph_cli_echo() and ph_cli_error(), so the runner
 * (ph_cli_invoke()) can run a command in-process and capture what it printed
 * along with its exit status.
 */
#ifndef PHIAL_CLI_H
#define PHIAL_CLI_H

#include "app.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_cli_command ph_cli_command;
typedef struct ph_cli_ctx ph_cli_ctx;

/*
 * A command's body. Return the exit status: 0 success, 1 failure, 2 a usage
 * error (see ph_cli_usage_error()). A negative PH_E* code prints
 * "Error: <its description>" on stderr and exits with 1.
 */
typedef int (*ph_cli_fn)(ph_cli_ctx *ctx);

/* The type of an option's or argument's value. */
typedef enum ph_cli_type {
    PH_CLI_STRING = 0, /* any text (metavar TEXT) */
    PH_CLI_INT,        /* a decimal int64 (metavar INTEGER) */
    PH_CLI_FLOAT,      /* a finite double (metavar FLOAT) */
    PH_CLI_BOOL,       /* an option: a flag (--x, or --x/--no-x); an argument or an
                          environment value: 1/0, true/false, yes/no, on/off, t/f, y/n */
    PH_CLI_CHOICE,     /* one of .choices (metavar [a|b|c]) */
} ph_cli_type;

/* Options of ph_cli_command() and ph_cli_group(); zero means the default. */
typedef struct ph_cli_command_opts {
    int reserved_;          /* private */
    const char *help;       /* the text under the usage line; its first sentence is
                               the summary in the parent's listing */
    const char *short_help; /* the summary, when not the first sentence of help */
    bool hidden;            /* not listed in the parent's --help */
    bool no_app_context;    /* run without pushing an app context */
} ph_cli_command_opts;

/*
 * Register a command `path` on the app: "init-db", or "db upgrade" for a
 * command in a group (groups named on the way are created). `fn` runs in a
 * task, inside an app context, with the parsed values in its ph_cli_ctx.
 * Registering an existing path replaces its function and help; "run" and
 * "routes" may be replaced too.
 *
 * Returns:  the command, to add options and arguments to; it lives as long
 *           as the app. NULL on a bad path (empty, or a name that is not
 *           letters, digits, '-', '_', ':' or '.'), a path through an
 *           existing command that is not a group, a NULL app, path or
 *           function, or out of memory.
 * Owns:     copies `path` and the help texts.
 * Suspends: no.
 * Context:  setup.
 * Example:
 *     static int greet(ph_cli_ctx *ctx) {
 *         ph_cli_echo(ctx, "Hello, %s!", ph_cli_get_str(ctx, "name"));
 *         return 0;
 *     }
 *     ph_cli_command *c = ph_cli_command(app, "greet", greet, .help = "Say hello.");
 *     ph_cli_option(c, "-n, --name", PH_CLI_STRING, .default_value = "world");
 */
PH_EXTERN ph_cli_command *ph_cli_command_(ph_app *app, const char *path, ph_cli_fn fn,
                                          const ph_cli_command_opts *opts);
#define ph_cli_command(app, path, fn, ...)                                                         \
    ph_cli_command_((app), (path), (fn), &(ph_cli_command_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * A group of commands ("db"): `./app db --help` lists them. Groups also
 * come into being when a command's path names them; this sets their help.
 *
 * Returns:  the group; NULL as ph_cli_command().
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN ph_cli_command *ph_cli_group_(ph_app *app, const char *path,
                                        const ph_cli_command_opts *opts);
#define ph_cli_group(app, path, ...)                                                               \
    ph_cli_group_((app), (path), &(ph_cli_command_opts){.reserved_ = 0, __VA_ARGS__})

/* Options of ph_cli_option() and ph_cli_argument(); zero means the default. */
typedef struct ph_cli_param_opts {
    int reserved_;              /* private */
    const char *help;           /* one line for --help */
    const char *default_value;  /* text, converted as given text would be; NULL: none
                                   (a flag's default is false) */
    int required;               /* 0: options optional, arguments required unless they
                                   have a default; 1 required; -1 optional */
    const char *const *choices; /* NULL-terminated list, for PH_CLI_CHOICE */
    const char *envvar;         /* environment variable read when the value is not
                                   given on the command line (before the default) */
    const char *metavar;        /* the value's name in --help; default from the type */
    bool multiple;              /* an option may repeat (every value is kept); an
                                   argument takes all remaining arguments */
    bool hidden;                /* an option not shown in --help */
} ph_cli_param_opts;

/*
 * Add an option. `decls` names it click's way: "-p, --port", "--debug/--no-debug"
 * (a flag with its off switch), "-v" ...; a bare word among them ("count")
 * sets the name the command reads it by, which is otherwise the first long
 * name without its dashes, '-' turned into '_' ("--dry-run" -> "dry_run").
 *
 * Returns:  0; PH_EINVAL (bad declaration, a name already taken, CHOICE
 *           without choices, a default that does not convert, an on/off
 *           pair on a non-flag); PH_ENOMEM.
 * Owns:     copies every string (choices included).
 * Suspends: no.
 * Context:  setup.
 * Example:
 *     ph_cli_option(c, "--mode", PH_CLI_CHOICE,
 *                   .choices = (const char *const[]){"fast", "safe", NULL});
 */
PH_EXTERN int ph_cli_option_(ph_cli_command *cmd, const char *decls, ph_cli_type type,
                             const ph_cli_param_opts *opts);
#define ph_cli_option(cmd, decls, type, ...)                                                       \
    ph_cli_option_((cmd), (decls), (type), &(ph_cli_param_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Add a positional argument named `name` ("src"; shown as SRC in usage).
 * Arguments are taken in the order they were added; one taking .multiple
 * must come last.
 *
 * Returns:  0; PH_EINVAL (bad name, name taken, after a .multiple argument,
 *           BOOL/CHOICE misuse as for options); PH_ENOMEM.
 * Owns:     copies every string.
 * Suspends: no.
 * Context:  setup.
 */
PH_EXTERN int ph_cli_argument_(ph_cli_command *cmd, const char *name, ph_cli_type type,
                               const ph_cli_param_opts *opts);
#define ph_cli_argument(cmd, name, type, ...)                                                      \
    ph_cli_argument_((cmd), (name), (type), &(ph_cli_param_opts){.reserved_ = 0, __VA_ARGS__})

/* ------------------------------------------------------------------------ */
/* Inside a command                                                         */
/* ------------------------------------------------------------------------ */

/* The app the command runs for; NULL for a NULL ctx. Suspends: no. */
PH_EXTERN ph_app *ph_cli_app(ph_cli_ctx *ctx);

/*
 * A parameter's value, by the name the command reads it by ("dry_run",
 * "src"; "--dry-run" and "dry-run" are accepted too). The typed reads
 * convert nothing: each returns `fallback`-like zero values (NULL, 0, 0.0,
 * false) when the parameter has no value or another type (or `ctx` or `name`
 * is NULL). For a .multiple parameter they read the first value;
 * ph_cli_get_count() and the _at() reads give every one.
 *
 * Returns:  the value; strings are borrowed until the command returns.
 * Suspends: no.
 */
PH_EXTERN const char *ph_cli_get_str(ph_cli_ctx *ctx, const char *name);
PH_EXTERN int64_t ph_cli_get_int(ph_cli_ctx *ctx, const char *name);
PH_EXTERN double ph_cli_get_float(ph_cli_ctx *ctx, const char *name);
PH_EXTERN bool ph_cli_get_bool(ph_cli_ctx *ctx, const char *name);
PH_EXTERN size_t ph_cli_get_count(ph_cli_ctx *ctx, const char *name);
PH_EXTERN const char *ph_cli_get_str_at(ph_cli_ctx *ctx, const char *name, size_t i);
PH_EXTERN int64_t ph_cli_get_int_at(ph_cli_ctx *ctx, const char *name, size_t i);
PH_EXTERN double ph_cli_get_float_at(ph_cli_ctx *ctx, const char *name, size_t i);

/*
 * Where a parameter's value came from: 0 none, 1 the command line, 2 its
 * environment variable, 3 its default. Suspends: no.
 */
PH_EXTERN int ph_cli_source(ph_cli_ctx *ctx, const char *name);

/*
 * Print a line (a newline is added) on the command's standard output, or
 * on its standard error. Under the runner both are captured. A NULL `ctx`
 * prints nothing.
 *
 * Suspends: no.
 */
PH_EXTERN void ph_cli_echo(ph_cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
PH_EXTERN void ph_cli_error(ph_cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write bytes as they are on standard output; nothing for a NULL ctx or data. Suspends: no. */
PH_EXTERN void ph_cli_write(ph_cli_ctx *ctx, const void *data, size_t len);

/*
 * Report a usage error of the command as click does: its usage line, a hint
 * to try --help and "Error: <message>" on standard error.
 *
 * Returns:  2, to return from the command (a NULL `ctx` prints nothing).
 * Suspends: no.
 */
PH_EXTERN int ph_cli_usage_error(ph_cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */
/* ------------------------------------------------------------------------ */

/*
 * Parse the command line and run the command it names. Before a command
 * runs, the app's config is loaded from PHIAL_-prefixed environment
 * variables (ph_config_from_prefixed_env(app, "PHIAL")); `run` then applies
 * --debug. With no command, or --help, it prints the help.
 *
 * Returns:  the exit status for main(): 0; 1 the command failed; 2 a usage
 *           error.
 * Owns:     borrows `app` and `argv`; does not free the app.
 * Suspends: no: it blocks; each command runs on a loop of its own (`run` on
 *           the server's).
 * Context:  main(), after setup.
 * Example:
 *     int main(int argc, char **argv) {
 *         ph_app *app = ph_app_new("hello");
 *         int rc = ph_app_main(app, argc, argv);
 *         ph_app_free(app);
 *         return rc;
 *     }
 */
PH_EXTERN int ph_app_main(ph_app *app, int argc, char **argv);

/* What ph_cli_invoke() reports. Free with ph_cli_result_free(). */
typedef struct ph_cli_result {
    int status; /* the exit status */
    char *out;  /* what was printed on standard output, NUL-terminated */
    size_t out_len;
    char *err; /* what was printed on standard error, NUL-terminated */
    size_t err_len;
} ph_cli_result;

/* Options of ph_cli_invoke(); zero means the default. */
typedef struct ph_cli_invoke_opts {
    int reserved_;          /* private */
    const char *prog_name;  /* the program's name in usage lines; default the app's name */
    const char *const *env; /* {"NAME", "value", ..., NULL}: the environment options
                               read (.envvar); the process environment is not read */
} ph_cli_invoke_opts;

/*
 * The runner for tests (click's CliRunner): run the command line `args`
 * (NULL-terminated, without the program name) in-process and capture its
 * exit status and output. Called from a task, the command runs in a task of
 * its own that the caller waits for; called outside one, on a loop of its
 * own. The config is not loaded from the environment. `run` is refused
 * with status 1 (it would serve forever). ph_cli_invoke() takes the
 * arguments themselves (ph_cli_invoke(app, NULL) for none); ph_cli_invoke_()
 * an array (NULL for none) and options (`opts` may be NULL).
 *
 * Returns:  the result; NULL when out of memory or `app` is NULL.
 * Owns:     the caller frees the result with ph_cli_result_free().
 * Suspends: yes, inside a task, while the command runs.
 * Example:
 *     ph_cli_result *r = ph_cli_invoke(app, "greet", "--name", "x");
 *     ph_cli_result *e = ph_cli_invoke_(app, (const char *[]){"greet", NULL},
 *                                       &(ph_cli_invoke_opts){.env = (const char *[]){
 *                                           "GREET_NAME", "y", NULL}});
 */
PH_EXTERN ph_cli_result *ph_cli_invoke_(ph_app *app, const char *const *args,
                                        const ph_cli_invoke_opts *opts);
#define ph_cli_invoke(app, ...)                                                                    \
    ph_cli_invoke_((app), (const char *const[]){__VA_ARGS__, NULL}, NULL)

/* Free a result. ph_cli_result_free(NULL) does nothing. Suspends: no. */
PH_EXTERN void ph_cli_result_free(ph_cli_result *r);

/* The library's version, "0.1.0" (CMake's project version). Suspends: no. */
PH_EXTERN const char *ph_version(void);

#ifdef __cplusplus
}
#endif
#endif
