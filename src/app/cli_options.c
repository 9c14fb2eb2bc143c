/*
 * Parsing a command's part of the command line, as click's parser does:
 * long options ("--port 80", "--port=80"), short ones ("-p 80", "-p80",
 * "-vq" for flags), flags and their off switches, "--" ending the options,
 * options and arguments in any order, repeated options (the last wins unless
 * .multiple). Then every parameter without a value takes its environment
 * variable or its default, values are converted to their type, and missing
 * required ones are reported, in declaration order. Errors read as click's
 * ("No such option: --x", "Invalid value for '-p' / '--port': 'x' is not a
 * valid integer.") and end with exit status 2.
 *
 * It does not dispatch to subcommands (cli.c) nor run anything. Values live
 * in the context's arena. The typed getters of the public API are here too.
 * Reference: click 8.1 parser.py, types.py, core.py (Parameter.process_value).
 */
#include "app/cli.h"
#include "app/config_load.h"

#include "util/alloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


/* "'-p' / '--port'" or "'NAME'", for messages (click's get_error_hint). */
static const char *hint(ph_cli_ctx *ctx, const ph__cli_param *p) {
    if (p->is_arg) {
        char *up = ph__arena_printf(&ctx->arena, "'%s'", p->metavar ? p->metavar : p->name);
        for (char *c = up; !p->metavar && c && *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
        return up ? up : "";
    }
    ph_buf b;
    ph__buf_init(&b, 4096);
    for (size_t i = 0; i < p->non; i++)
        ph__buf_printf(&b, "%s'%s'", i ? " / " : "", p->on[i]);
    const char *s = ph__arena_strdup(&ctx->arena, b.data ? b.data : "");
    ph__buf_close(&b);
    return s ? s : "";
}

static int push_value(ph_cli_ctx *ctx, ph__cli_value *v, const char *text, int64_t i, double d) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 2;
        const char **t = ph__arena_alloc(&ctx->arena, cap * sizeof(*t));
        int64_t *iv = ph__arena_alloc(&ctx->arena, cap * sizeof(*iv));
        double *dv = ph__arena_alloc(&ctx->arena, cap * sizeof(*dv));
        if (!t || !iv || !dv)
            return PH_ENOMEM;
        if (v->n) {
            memcpy(t, v->text, v->n * sizeof(*t));
            memcpy(iv, v->i, v->n * sizeof(*iv));
            memcpy(dv, v->d, v->n * sizeof(*dv));
        }
        v->text = t, v->i = iv, v->d = dv, v->cap = cap;
    }
    v->text[v->n] = text, v->i[v->n] = i, v->d[v->n] = d;
    v->n++;
    return 0;
}

static void choices_text(ph_buf *b, const ph__cli_param *p) {
    for (size_t i = 0; p->choices[i]; i++)
        ph__buf_printf(b, "%s'%s'", i ? ", " : "", p->choices[i]);
}

/*
 * Convert `text` for `p` and add it to its value (replacing the value unless
 * multiple). Returns 0, 2 after a usage error, 1 out of memory.
 */
static int set_value(ph_cli_ctx *ctx, const ph__cli_param *p, ph__cli_value *v, const char *text,
                     int source) {
    int64_t i = 0;
    double d = 0;
    char *end = NULL;
    const char *why = NULL;
    switch (p->type) {
    case PH_CLI_INT:
        errno = 0;
        i = strtoll(text, &end, 10);
        if (!*text || *end || errno)
            why = "is not a valid integer";
        d = (double)i;
        break;
    case PH_CLI_FLOAT:
        d = strtod(text, &end);
        if (!*text || *end || !isfinite(d))
            why = "is not a valid float";
        break;
    case PH_CLI_BOOL:
        if ((i = ph__config_bool_word(text)) < 0)
            why = "is not a valid boolean";
        d = (double)i;
        break;
    case PH_CLI_CHOICE:
        why = "";
        for (size_t k = 0; p->choices[k]; k++)
            if (strcmp(p->choices[k], text) == 0)
                why = NULL;
        break;
    case PH_CLI_STRING:
        break;
    }
    if (why) {
        ph_buf b;
        ph__buf_init(&b, 64 * 1024);
        if (p->type == PH_CLI_CHOICE) {
            ph__buf_append_str(&b, p->choices[1] ? "is not one of " : "is not ");
            choices_text(&b, p);
            why = b.data;
        }
        int rc = ph__cli_usage_fail(ctx, ctx->cmd, "Invalid value for %s: '%s' %s.", hint(ctx, p),
                                    text, why ? why : "");
        ph__buf_close(&b);
        return rc;
    }
    if (!p->multiple || source != v->source)
        v->n = 0; /* the last one wins; values from another source replace */
    v->source = source;
    /* A boolean reads back as "true" or "false", however it was written. */
    const char *copy =
        p->type == PH_CLI_BOOL ? (i ? "true" : "false") : ph__arena_strdup(&ctx->arena, text);
    if (!copy || push_value(ctx, v, copy, i, d) < 0) {
        ph__cli_out(ctx, 1, "Error: out of memory");
        return 1;
    }
    return 0;
}

/* The parameter that option `name` (of length n) sets; *on says which switch. */
static ph__cli_param *find_opt(const ph_cli_command *c, const char *name, size_t n, int *on,
                               size_t *idx) {
    for (size_t i = 0; i < c->nparams; i++) {
        ph__cli_param *p = c->params[i];
        for (size_t k = 0; !p->is_arg && k < p->non + p->noff; k++) {
            const char *o = k < p->non ? p->on[k] : p->off[k - p->non];
            if (strlen(o) == n && memcmp(o, name, n) == 0) {
                *on = k < p->non;
                *idx = i;
                return p;
            }
        }
    }
    return NULL;
}

/*
 * One option at args[*i]: `name` (n bytes) with an attached value or NULL.
 * Returns 0, 2 usage error, 3 help printed, 1 out of memory.
 */
static int take_option(ph_cli_ctx *ctx, const char *name, size_t n, const char *attached, int nargs,
                       char **args, int *i) {
    if (n == 6 && memcmp(name, "--help", 6) == 0) {
        ph__cli_print_help(ctx, ctx->cmd);
        return 3;
    }
    int on;
    size_t idx;
    ph__cli_param *p = find_opt(ctx->cmd, name, n, &on, &idx);
    if (!p)
        return ph__cli_usage_fail(ctx, ctx->cmd, "No such option: %.*s", (int)n, name);
    if (p->type == PH_CLI_BOOL) {
        if (attached)
            return ph__cli_usage_fail(ctx, ctx->cmd, "Option '%.*s' does not take a value.", (int)n,
                                      name);
        return set_value(ctx, p, &ctx->values[idx], on ? "true" : "false", 1);
    }
    if (!attached) {
        if (*i + 1 >= nargs)
            return ph__cli_usage_fail(ctx, ctx->cmd, "Option '%.*s' requires an argument.", (int)n,
                                      name);
        attached = args[++*i];
    }
    return set_value(ctx, p, &ctx->values[idx], attached, 1);
}

/* "-abc": flags a and b, then c (which may take "the rest" or the next arg). */
static int take_shorts(ph_cli_ctx *ctx, const char *arg, int nargs, char **args, int *i) {
    for (size_t k = 1; arg[k]; k++) {
        char name[3] = {'-', arg[k], '\0'};
        int on;
        size_t idx;
        ph__cli_param *p = find_opt(ctx->cmd, name, 2, &on, &idx);
        if (!p || p->type == PH_CLI_BOOL || !arg[k + 1]) {
            int rc = take_option(ctx, name, 2, NULL, nargs, args, i);
            if (rc)
                return rc;
            continue;
        }
        return set_value(ctx, p, &ctx->values[idx], arg + k + 1, 1);
    }
    return 0;
}

/* Give positional arguments to the command's arguments in order. */
static int take_positionals(ph_cli_ctx *ctx, char **pos, size_t npos) {
    size_t next = 0;
    for (size_t i = 0; i < ctx->cmd->nparams; i++) {
        ph__cli_param *p = ctx->cmd->params[i];
        if (!p->is_arg)
            continue;
        while (next < npos) {
            int rc = set_value(ctx, p, &ctx->values[i], pos[next++], 1);
            if (rc)
                return rc;
            if (!p->multiple)
                break;
        }
    }
    if (next < npos) {
        ph_buf b;
        ph__buf_init(&b, 64 * 1024);
        for (size_t k = next; k < npos; k++)
            ph__buf_printf(&b, "%s%s", k > next ? " " : "", pos[k]);
        int rc = ph__cli_usage_fail(ctx, ctx->cmd, "Got unexpected extra argument%s (%s)",
                                    npos - next > 1 ? "s" : "", b.data ? b.data : "");
        ph__buf_close(&b);
        return rc;
    }
    return 0;
}

/* Environment, default, required: click's process_value, in declaration order. */
static int finish(ph_cli_ctx *ctx) {
    for (size_t i = 0; i < ctx->cmd->nparams; i++) {
        ph__cli_param *p = ctx->cmd->params[i];
        ph__cli_value *v = &ctx->values[i];
        const char *env = p->envvar ? ph__cli_getenv(ctx, p->envvar) : NULL;
        int rc = 0;
        if (v->source == 0 && env && *env)
            rc = set_value(ctx, p, v, env, 2);
        else if (v->source == 0 && p->default_value)
            rc = set_value(ctx, p, v, p->default_value, 3);
        else if (v->source == 0 && p->type == PH_CLI_BOOL && !p->is_arg)
            rc = set_value(ctx, p, v, "false", 3);
        if (rc)
            return rc;
        if (v->source == 0 && p->required)
            return ph__cli_usage_fail(ctx, ctx->cmd, "Missing %s %s.",
                                      p->is_arg ? "argument" : "option", hint(ctx, p));
    }
    return 0;
}

int ph__cli_parse(ph_cli_ctx *ctx, int nargs, char **args) {
    ph_cli_command *cmd = ctx->cmd;
    ctx->values = ph__arena_calloc(&ctx->arena, (cmd->nparams + 1) * sizeof(*ctx->values));
    char **pos = ph__arena_alloc(&ctx->arena, ((size_t)nargs + 1) * sizeof(*pos));
    if (!ctx->values || !pos) {
        ph__cli_out(ctx, 1, "Error: out of memory");
        return 1;
    }
    size_t npos = 0;
    int only_pos = 0;
    for (int i = 0; i < nargs; i++) {
        const char *a = args[i];
        int rc = 0;
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            pos[npos++] = args[i];
        } else if (strcmp(a, "--") == 0) {
            only_pos = 1;
        } else if (a[1] == '-') {
            const char *eq = strchr(a, '=');
            size_t n = eq ? (size_t)(eq - a) : strlen(a);
            rc = take_option(ctx, a, n, eq ? eq + 1 : NULL, nargs, args, &i);
        } else {
            rc = take_shorts(ctx, a, nargs, args, &i);
        }
        if (rc)
            return rc;
    }
    int rc = take_positionals(ctx, pos, npos);
    return rc ? rc : finish(ctx);
}

/* ---- reading values -------------------------------------------------------- */

ph__cli_value *ph__cli_value_of(ph_cli_ctx *ctx, const char *name, ph__cli_param **param) {
    if (!ctx || !name || !ctx->values)
        return NULL;
    while (*name == '-')
        name++;
    for (size_t i = 0; i < ctx->cmd->nparams; i++) {
        const char *n = ctx->cmd->params[i]->name;
        size_t k = 0;
        while (n[k] && (n[k] == name[k] || (n[k] == '_' && name[k] == '-')))
            k++;
        if (!n[k] && !name[k]) {
            if (param)
                *param = ctx->cmd->params[i];
            return &ctx->values[i];
        }
    }
    return NULL;
}

static ph__cli_value *typed(ph_cli_ctx *ctx, const char *name, size_t i, int want) {
    ph__cli_param *p;
    ph__cli_value *v = ph__cli_value_of(ctx, name, &p);
    if (!v || i >= v->n)
        return NULL;
    if (want >= 0 && (int)p->type != want)
        return NULL;
    return v;
}

const char *ph_cli_get_str_at(ph_cli_ctx *ctx, const char *name, size_t i) {
    ph__cli_value *v = typed(ctx, name, i, -1);
    return v ? v->text[i] : NULL;
}

int64_t ph_cli_get_int_at(ph_cli_ctx *ctx, const char *name, size_t i) {
    ph__cli_value *v = typed(ctx, name, i, PH_CLI_INT);
    return v ? v->i[i] : 0;
}

double ph_cli_get_float_at(ph_cli_ctx *ctx, const char *name, size_t i) {
    ph__cli_value *v = typed(ctx, name, i, PH_CLI_FLOAT);
    return v ? v->d[i] : 0.0;
}

const char *ph_cli_get_str(ph_cli_ctx *ctx, const char *name) {
    return ph_cli_get_str_at(ctx, name, 0);
}
int64_t ph_cli_get_int(ph_cli_ctx *ctx, const char *name) {
    return ph_cli_get_int_at(ctx, name, 0);
}
double ph_cli_get_float(ph_cli_ctx *ctx, const char *name) {
    return ph_cli_get_float_at(ctx, name, 0);
}

bool ph_cli_get_bool(ph_cli_ctx *ctx, const char *name) {
    ph__cli_value *v = typed(ctx, name, 0, PH_CLI_BOOL);
    return v && v->i[0];
}

size_t ph_cli_get_count(ph_cli_ctx *ctx, const char *name) {
    ph__cli_value *v = ph__cli_value_of(ctx, name, NULL);
    return v ? v->n : 0;
}

int ph_cli_source(ph_cli_ctx *ctx, const char *name) {
    ph__cli_value *v = ph__cli_value_of(ctx, name, NULL);
    return v ? v->source : 0;
}

ph_app *ph_cli_app(ph_cli_ctx *ctx) { return ctx ? ctx->app : NULL; }
