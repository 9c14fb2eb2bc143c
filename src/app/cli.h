/*
 * The app's command line, internal: the command tree, parameters, parsed
 * values and the context a command runs with. Shared by src/app/cli*.c;
 * docs/internals/cli.md walks through a command line.
 */
#ifndef PH_APP_CLI_H
#define PH_APP_CLI_H

#include "phial/cli.h"
#include "util/arena.h"
#include "util/buf.h"

/* An option or an argument. */
typedef struct ph__cli_param {
    char *name; /* the name values are read by: "dry_run", "src" */
    int is_arg; /* a positional argument */
    ph_cli_type type;
    char **on; /* option names that set it ("-d", "--dry-run"), in declared order */
    size_t non;
    char **off; /* a flag's off switches ("--no-dry-run") */
    size_t noff;
    char *help, *default_value, *envvar, *metavar;
    char **choices; /* NULL-terminated, or NULL */
    int required;   /* resolved: 1 required, 0 not */
    bool multiple, hidden;
} ph__cli_param;

struct ph_cli_command {
    char *name; /* the last part of the path; "" for the root */
    char *path; /* "db upgrade"; "" for the root */
    char *help, *short_help;
    bool hidden, no_app_context;
    int is_group;
    int no_task; /* built-in run: called on the main thread, outside any loop */
    ph_cli_fn fn;
    ph__cli_param **params;
    size_t nparams;
    ph_cli_command **subs; /* a group's commands, in registration order */
    size_t nsubs;
    ph_cli_command *parent;
};

/* The app's registry: the root group ("./app --help"). */
typedef struct ph__cli {
    ph_cli_command *root;
} ph__cli;

/* A parameter's parsed value(s). */
typedef struct ph__cli_value {
    int source; /* 0 none, 1 command line, 2 environment, 3 default */
    size_t n, cap;
    const char **text; /* in the context's arena */
    int64_t *i;        /* INT, BOOL (0/1) */
    double *d;         /* FLOAT */
} ph__cli_value;

/* Where output goes: the process's stdout/stderr, or the runner's buffers. */
struct ph_cli_ctx {
    ph_app *app;
    ph_cli_command *cmd;    /* the command being parsed or run */
    const char *prog;       /* the program's name in usage lines */
    ph_arena arena;         /* parsed values and strings of this invocation */
    ph__cli_value *values;  /* one per cmd->params, after parsing */
    ph_buf *out, *err;      /* capture buffers (runner), or NULL: stdout/stderr */
    const char *const *env; /* the runner's environment, or NULL: the process's */
    int runner;             /* under ph_cli_invoke() */
    int load_env_config;    /* load PHIAL_* into the config before a command runs */
    char **argv;            /* ph_app_main's argv (the reloader re-executes it) */
    int argc;
};

/* The registry of `app`, created with the built-in commands on first use. */
ph__cli *ph__cli_of(ph_app *app);
void ph__cli_free(ph__cli *cli);

/* Find a direct subcommand by name; NULL if none. */
ph_cli_command *ph__cli_sub(const ph_cli_command *group, const char *name);

/* An environment variable as the context sees it (the runner's list, or getenv). */
const char *ph__cli_getenv(ph_cli_ctx *ctx, const char *name);

/*
 * Parse `args` (n of them) for ctx->cmd into ctx->values, then fill unset
 * values from the environment and defaults and check required ones.
 * Returns 0; 2 after printing a usage error; 3 when --help was printed (the
 * caller exits 0); 1 out of memory (printed).
 */
int ph__cli_parse(ph_cli_ctx *ctx, int n, char **args);


/* The value slot of parameter `name` of the running command; NULL if unknown. */
ph__cli_value *ph__cli_value_of(ph_cli_ctx *ctx, const char *name, ph__cli_param **param);

/* Help and usage (cli.c). */
void ph__cli_print_help(ph_cli_ctx *ctx, const ph_cli_command *cmd);
int ph__cli_usage_fail(ph_cli_ctx *ctx, const ph_cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ph__cli_out(ph_cli_ctx *ctx, int to_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Dispatch `args` (without the program name) from the app's root group. */
int ph__cli_main(ph_cli_ctx *ctx, int argc, char **argv);

/* Run ctx->cmd (parsed) in a task inside an app context; returns the exit status. */
int ph__cli_exec(ph_cli_ctx *ctx);

/* Built-in commands: their registration (cli_run.c, cli_routes.c). */
int ph__cli_add_run(ph_app *app);
int ph__cli_add_routes(ph_app *app);

/* The reloader (cli_reload.c): supervise the server child; returns the exit status. */
int ph__cli_reload(ph_cli_ctx *ctx);

#endif
