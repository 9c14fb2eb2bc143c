/*
 * The app's command line: ph_app_main() and the dispatcher that walks the
 * command tree ("./app db upgrade --help"), the generated help of every
 * level, usage errors in click's format (the usage line, "Try '... --help'
 * for help.", "Error: ..."; exit status 2), and the output functions that
 * write to the process's stdout/stderr or to the runner's buffers.
 *
 * It does not parse a command's options (cli_options.c), register anything
 * (cli_params.c), run a command in a task (cli_runner.c) or serve
 * (cli_run.c). Reference: click 8.1's HelpFormatter and UsageError, whose
 * layout the help and errors follow (https://click.palletsprojects.com/).
 */
#include "app/cli.h"

#include "util/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PHIAL_VERSION_STRING
#define PHIAL_VERSION_STRING "0.1.0"
#endif

/* Widest first column of a help table before its text moves to the next line. */
#define HELP_COL_MAX 30
/* Longest summary derived from a command's help (click's short help). */
#define SHORT_HELP_MAX 45
/* Columns of help text (click: 80 minus a margin of 2). */
#define HELP_WIDTH 78

const char *ph_version(void) { return PHIAL_VERSION_STRING; }

/* ---- output ---------------------------------------------------------------- */

static void vout(ph_cli_ctx *ctx, int to_err, int newline, const char *fmt, va_list ap) {
    ph_buf *b = to_err ? ctx->err : ctx->out;
    if (b) {
        ph__buf_vprintf(b, fmt, ap);
        if (newline)
            ph__buf_append_char(b, '\n');
        return;
    }
    FILE *f = to_err ? stderr : stdout;
    vfprintf(f, fmt, ap);
    if (newline)
        fputc('\n', f);
    fflush(f);
}

void ph__cli_out(ph_cli_ctx *ctx, int to_err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vout(ctx, to_err, 1, fmt, ap);
    va_end(ap);
}

void ph_cli_echo(ph_cli_ctx *ctx, const char *fmt, ...) {
    if (!ctx)
        return;
    va_list ap;
    va_start(ap, fmt);
    vout(ctx, 0, 1, fmt, ap);
    va_end(ap);
}

void ph_cli_error(ph_cli_ctx *ctx, const char *fmt, ...) {
    if (!ctx)
        return;
    va_list ap;
    va_start(ap, fmt);
    vout(ctx, 1, 1, fmt, ap);
    va_end(ap);
}

void ph_cli_write(ph_cli_ctx *ctx, const void *data, size_t len) {
    if (!ctx || !data)
        return;
    if (ctx->out) {
        ph__buf_append(ctx->out, data, len);
    } else {
        fwrite(data, 1, len, stdout);
        fflush(stdout);
    }
}

const char *ph__cli_getenv(ph_cli_ctx *ctx, const char *name) {
    if (!ctx->runner)
        return getenv(name);
    for (size_t i = 0; ctx->env && ctx->env[i] && ctx->env[i + 1]; i += 2)
        if (strcmp(ctx->env[i], name) == 0)
            return ctx->env[i + 1];
    return NULL;
}

/* ---- usage and help ---------------------------------------------------------- */

/* The metavar of a parameter: its own, else from the type. */
static void metavar(ph_buf *b, const ph__cli_param *p) {
    if (p->metavar) {
        ph__buf_append_str(b, p->metavar);
        return;
    }
    if (p->is_arg) {
        for (const char *c = p->name; *c; c++)
            ph__buf_append_char(b, (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c);
        return;
    }
    switch (p->type) {
    case PH_CLI_INT:
        ph__buf_append_str(b, "INTEGER");
        break;
    case PH_CLI_FLOAT:
        ph__buf_append_str(b, "FLOAT");
        break;
    case PH_CLI_CHOICE:
        ph__buf_append_char(b, '[');
        for (size_t i = 0; p->choices[i]; i++)
            ph__buf_printf(b, "%s%s", i ? "|" : "", p->choices[i]);
        ph__buf_append_char(b, ']');
        break;
    default:
        ph__buf_append_str(b, "TEXT");
    }
}

static void usage_line(ph_buf *b, ph_cli_ctx *ctx, const ph_cli_command *cmd) {
    ph__buf_printf(b, "Usage: %s%s%s [OPTIONS]", ctx->prog, cmd->path[0] ? " " : "", cmd->path);
    if (cmd->is_group)
        ph__buf_append_str(b, " COMMAND [ARGS]...");
    for (size_t i = 0; i < cmd->nparams; i++) {
        const ph__cli_param *p = cmd->params[i];
        if (!p->is_arg)
            continue;
        ph__buf_append_str(b, p->required ? " " : " [");
        metavar(b, p);
        ph__buf_append_str(b, p->required ? "" : "]");
        if (p->multiple)
            ph__buf_append_str(b, "...");
    }
    ph__buf_append_char(b, '\n');
}

/* Click's make_default_short_help: the first sentence, at most 45 columns. */
static void short_help(ph_buf *b, const ph_cli_command *c) {
    if (c->short_help) {
        ph__buf_append_str(b, c->short_help);
        return;
    }
    const char *s = c->help ? c->help : "";
    size_t used = 0;
    while (*s) {
        while (*s == ' ' || *s == '\n' || *s == '\t')
            s++;
        size_t n = strcspn(s, " \n\t");
        if (n == 0)
            break;
        if (used + (used ? 1 : 0) + n > SHORT_HELP_MAX) {
            ph__buf_append_str(b, "...");
            return;
        }
        ph__buf_printf(b, "%s%.*s", used ? " " : "", (int)n, s);
        used += (used ? 1 : 0) + n;
        if (s[n - 1] == '.')
            return;
        s += n;
    }
}

/* Append `text` wrapped to `width` columns, continuation lines indented by `indent`. */
static void wrap(ph_buf *b, const char *text, size_t indent, size_t width) {
    size_t col = 0;
    for (const char *s = text; *s;) {
        size_t gap = strspn(s, " ");
        size_t n = strcspn(s + gap, " ");
        if (n == 0)
            break;
        if (col && col + gap + n > width) {
            ph__buf_printf(b, "\n%*s", (int)indent, "");
            col = 0;
        }
        if (col == 0)
            gap = 0; /* a line never starts with blanks */
        ph__buf_printf(b, "%*s%.*s", (int)gap, "", (int)n, s + strspn(s, " "));
        col += gap + n;
        s += strspn(s, " ") + n;
    }
    ph__buf_append_char(b, '\n');
}

/* A table row "  left  text", the text on its own line when left is too wide. */
static void row(ph_buf *b, const char *left, const char *text, size_t width) {
    size_t n = strlen(left), first = width + 4;
    size_t tw = HELP_WIDTH > first + 10 ? HELP_WIDTH - first : 10;
    ph__buf_printf(b, "  %s", left);
    if (!text || !*text) {
        ph__buf_append_char(b, '\n');
        return;
    }
    if (n > width)
        ph__buf_printf(b, "\n%*s", (int)first, "");
    else
        ph__buf_printf(b, "%*s", (int)(width - n + 2), "");
    wrap(b, text, first, tw);
}

/* The first column and the text of an option's row. */
static void option_row(ph_buf *left, ph_buf *text, const ph__cli_param *p) {
    for (size_t k = 0; k < p->non; k++) {
        ph__buf_printf(left, "%s%s", k ? ", " : "", p->on[k]);
        if (k < p->noff)
            ph__buf_printf(left, " / %s", p->off[k]);
    }
    if (p->type != PH_CLI_BOOL) {
        ph__buf_append_char(left, ' ');
        metavar(left, p);
    }
    ph__buf_append_str(text, p->help ? p->help : "");
    int extras = 0;
    const char *sep[] = {"  [", "; "};
    if (p->envvar) {
        ph__buf_printf(text, "%senv var: %s", sep[extras++ > 0], p->envvar);
    }
    if (p->default_value) {
        ph__buf_printf(text, "%sdefault: %s", sep[extras++ > 0], p->default_value);
    }
    if (p->required)
        ph__buf_printf(text, "%srequired", sep[extras++ > 0]);
    if (extras)
        ph__buf_append_char(text, ']');
    if (!p->help && extras)
        ph__buf_consume(text, 2); /* no help text: no gap before the brackets */
}

static void help_text(ph_buf *b, const ph_cli_command *cmd) {
    if (!cmd->help || !*cmd->help)
        return;
    ph__buf_append_str(b, "\n");
    for (const char *s = cmd->help; *s;) {
        size_t n = strcspn(s, "\n");
        if (n) {
            char *line = ph__strndup(s, n);
            ph__buf_append_str(b, "  ");
            if (line)
                wrap(b, line, 2, HELP_WIDTH - 2);
            ph__free(line);
        } else {
            ph__buf_append_char(b, '\n');
        }
        s += n + (s[n] == '\n');
    }
}

static size_t col_width(size_t w) { return w > HELP_COL_MAX ? HELP_COL_MAX : w; }

static void options_section(ph_buf *b, const ph_cli_command *cmd) {
    size_t n = cmd->nparams + 2, w = 0, k = 0;
    ph_buf *left = ph__calloc(n, sizeof(ph_buf)), *text = ph__calloc(n, sizeof(ph_buf));
    if (!left || !text)
        goto done;
    for (size_t i = 0; i < cmd->nparams; i++) {
        const ph__cli_param *p = cmd->params[i];
        if (p->is_arg || p->hidden)
            continue;
        ph__buf_init(&left[k], 4096);
        ph__buf_init(&text[k], 4096);
        option_row(&left[k], &text[k], p);
        k++;
    }
    if (!cmd->parent) {
        ph__buf_init(&left[k], 64);
        ph__buf_init(&text[k], 64);
        ph__buf_append_str(&left[k], "--version");
        ph__buf_append_str(&text[k++], "Show the version and exit.");
    }
    ph__buf_init(&left[k], 64);
    ph__buf_init(&text[k], 64);
    ph__buf_append_str(&left[k], "--help");
    ph__buf_append_str(&text[k++], "Show this message and exit.");
    for (size_t i = 0; i < k; i++)
        if (left[i].len > w)
            w = left[i].len;
    ph__buf_append_str(b, "\nOptions:\n");
    for (size_t i = 0; i < k; i++)
        row(b, left[i].data ? left[i].data : "", text[i].data, col_width(w));
done:
    for (size_t i = 0; left && text && i < k; i++) {
        ph__buf_close(&left[i]);
        ph__buf_close(&text[i]);
    }
    ph__free(left);
    ph__free(text);
}

static int by_name(const void *a, const void *b) {
    return strcmp((*(ph_cli_command *const *)a)->name, (*(ph_cli_command *const *)b)->name);
}

static void commands_section(ph_buf *b, const ph_cli_command *cmd) {
    ph_cli_command **v = ph__malloc((cmd->nsubs + 1) * sizeof(*v));
    size_t n = 0, w = 0;
    if (!v)
        return;
    for (size_t i = 0; i < cmd->nsubs; i++)
        if (!cmd->subs[i]->hidden)
            v[n++] = cmd->subs[i];
    qsort(v, n, sizeof(*v), by_name);
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]->name) > w)
            w = strlen(v[i]->name);
    if (n)
        ph__buf_append_str(b, "\nCommands:\n");
    for (size_t i = 0; i < n; i++) {
        ph_buf t;
        ph__buf_init(&t, 4096);
        short_help(&t, v[i]);
        row(b, v[i]->name, t.data, col_width(w));
        ph__buf_close(&t);
    }
    ph__free(v);
}

void ph__cli_print_help(ph_cli_ctx *ctx, const ph_cli_command *cmd) {
    ph_buf b;
    ph__buf_init(&b, 1024 * 1024);
    usage_line(&b, ctx, cmd);
    help_text(&b, cmd);
    options_section(&b, cmd);
    if (cmd->is_group)
        commands_section(&b, cmd);
    ph_cli_write(ctx, b.data ? b.data : "", b.len);
    ph__buf_close(&b);
}

static int usage_vfail(ph_cli_ctx *ctx, const ph_cli_command *cmd, const char *fmt, va_list ap) {
    ph_buf b;
    ph__buf_init(&b, 1024 * 1024);
    usage_line(&b, ctx, cmd);
    ph__buf_printf(&b, "Try '%s%s%s --help' for help.\n\nError: ", ctx->prog,
                   cmd->path[0] ? " " : "", cmd->path);
    ph__buf_vprintf(&b, fmt, ap);
    ph__cli_out(ctx, 1, "%s", b.data ? b.data : "Error: out of memory");
    ph__buf_close(&b);
    return 2;
}

int ph__cli_usage_fail(ph_cli_ctx *ctx, const ph_cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = usage_vfail(ctx, cmd, fmt, ap);
    va_end(ap);
    return rc;
}

int ph_cli_usage_error(ph_cli_ctx *ctx, const char *fmt, ...) {
    if (!ctx)
        return 2;
    va_list ap;
    va_start(ap, fmt);
    int rc = usage_vfail(ctx, ctx->cmd, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- dispatch ---------------------------------------------------------------- */

/*
 * Walk groups from the root: their options (--help, --version at the root),
 * then the command name. Then parse the command's part and run it.
 */
static int dispatch(ph_cli_ctx *ctx, ph_cli_command *group, int argc, char **argv) {
    ctx->cmd = group;
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            ph__cli_print_help(ctx, group);
            return 0;
        }
        if (!group->parent && strcmp(argv[i], "--version") == 0) {
            ph_cli_echo(ctx, "%s, phial %s", ctx->prog, ph_version());
            return 0;
        }
        return ph__cli_usage_fail(ctx, group, "No such option: %.*s", (int)strcspn(argv[i], "="),
                                  argv[i]);
    }
    if (i == argc) {
        ph__cli_print_help(ctx, group);
        return 0;
    }
    ph_cli_command *cmd = ph__cli_sub(group, argv[i]);
    if (!cmd)
        return ph__cli_usage_fail(ctx, group, "No such command '%s'.", argv[i]);
    if (cmd->is_group)
        return dispatch(ctx, cmd, argc - i - 1, argv + i + 1);
    ctx->cmd = cmd;
    int rc = ph__cli_parse(ctx, argc - i - 1, argv + i + 1);
    if (rc)
        return rc == 3 ? 0 : rc;
    return ph__cli_exec(ctx);
}

int ph__cli_main(ph_cli_ctx *ctx, int argc, char **argv) {
    ph__cli *cli = ph__cli_of(ctx->app);
    if (!cli) {
        ph__cli_out(ctx, 1, "Error: out of memory");
        return 1;
    }
    return dispatch(ctx, cli->root, argc, argv);
}

int ph_app_main(ph_app *app, int argc, char **argv) {
    if (!app || argc < 1 || !argv)
        return 2;
    const char *prog = strrchr(argv[0], '/');
    ph_cli_ctx ctx = {
        .app = app,
        .prog = prog ? prog + 1 : argv[0],
        .load_env_config = 1,
        .argc = argc,
        .argv = argv,
    };
    ph__arena_init(&ctx.arena, 4096, 64 * 1024 * 1024);
    int rc = ph__cli_main(&ctx, argc - 1, argv + 1);
    ph__arena_close(&ctx.arena);
    return rc;
}
