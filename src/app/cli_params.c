/*
 * The command tree of the app's command line: registering commands, groups,
 * options and arguments (ph_cli_command, ph_cli_group, ph_cli_option,
 * ph_cli_argument), reading click-style option declarations
 * ("-p, --port", "--debug/--no-debug", a bare word naming the parameter),
 * and freeing the tree. Parsing a command line is cli_options.c; help and
 * dispatch are cli.c. Reference: click's Option and Argument
 * (https://click.palletsprojects.com/en/8.1.x/options/).
 */
#include "app/cli.h"
#include "app/config_load.h"

#include "app/core.h"
#include "util/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- the app's registry ------------------------------------------------- */

static void command_free(ph_cli_command *c);

static ph_cli_command *command_new(ph_cli_command *parent, const char *name, int is_group) {
    ph_cli_command *c = ph__calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->name = ph__strdup(name);
    if (parent && parent->path[0]) {
        size_t n = strlen(parent->path) + strlen(name) + 2;
        c->path = ph__malloc(n);
        if (c->path)
            snprintf(c->path, n, "%s %s", parent->path, name);
    } else {
        c->path = ph__strdup(name);
    }
    c->is_group = is_group;
    c->parent = parent;
    if (!c->name || !c->path) {
        command_free(c);
        return NULL;
    }
    return c;
}

static void strv_free(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++)
        ph__free(v[i]);
    ph__free(v);
}

static void param_free(ph__cli_param *p) {
    if (!p)
        return;
    ph__free(p->name);
    strv_free(p->on, p->non);
    strv_free(p->off, p->noff);
    ph__free(p->help);
    ph__free(p->default_value);
    ph__free(p->envvar);
    ph__free(p->metavar);
    if (p->choices) {
        for (size_t i = 0; p->choices[i]; i++)
            ph__free(p->choices[i]);
        ph__free(p->choices);
    }
    ph__free(p);
}

static void command_free(ph_cli_command *c) {
    if (!c)
        return;
    for (size_t i = 0; i < c->nsubs; i++)
        command_free(c->subs[i]);
    ph__free(c->subs);
    for (size_t i = 0; i < c->nparams; i++)
        param_free(c->params[i]);
    ph__free(c->params);
    ph__free(c->name);
    ph__free(c->path);
    ph__free(c->help);
    ph__free(c->short_help);
    ph__free(c);
}

void ph__cli_free(ph__cli *cli) {
    if (!cli)
        return;
    command_free(cli->root);
    ph__free(cli);
}

/* The registry hangs on the app (app->cli), which frees it in ph_app_free. */
ph__cli *ph__cli_of(ph_app *app) {
    if (!app)
        return NULL;
    if (app->cli)
        return app->cli;
    ph__cli *cli = ph__calloc(1, sizeof(*cli));
    if (!cli)
        return NULL;
    if (!(cli->root = command_new(NULL, "", 1))) {
        ph__free(cli);
        return NULL;
    }
    app->cli = cli;
    if (ph__cli_add_run(app) < 0 || ph__cli_add_routes(app) < 0)
        return NULL; /* out of memory: the registry stays, without them */
    return cli;
}

ph_cli_command *ph__cli_sub(const ph_cli_command *group, const char *name) {
    for (size_t i = 0; group && i < group->nsubs; i++)
        if (strcmp(group->subs[i]->name, name) == 0)
            return group->subs[i];
    return NULL;
}

/* ---- commands ------------------------------------------------------------ */

static int valid_name(const char *s, size_t n) {
    if (n == 0 || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_:.", s[i]))
            return 0;
    return 1;
}

static int add_sub(ph_cli_command *g, ph_cli_command *c) {
    ph_cli_command **v = ph__realloc(g->subs, (g->nsubs + 1) * sizeof(*v));
    if (!v)
        return PH_ENOMEM;
    g->subs = v;
    v[g->nsubs++] = c;
    return 0;
}

static int set_str(char **dst, const char *src) {
    char *s = src ? ph__strdup(src) : NULL;
    if (src && !s)
        return PH_ENOMEM;
    ph__free(*dst);
    *dst = s;
    return 0;
}

/* Walk (creating groups) to `path` and make its last part a command or group. */
static ph_cli_command *define(ph_app *app, const char *path, int is_group, ph_cli_fn fn,
                              const ph_cli_command_opts *o) {
    static const ph_cli_command_opts defaults;
    if (!o) /* ph_cli_command_() or ph_cli_group_() called directly */
        o = &defaults;
    ph__cli *cli = ph__cli_of(app);
    if (!cli || !path)
        return NULL;
    ph_cli_command *cur = cli->root;
    const char *p = path;
    for (;;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        const char *rest = p + n;
        while (*rest == ' ')
            rest++;
        int last = *rest == '\0';
        if (!valid_name(p, n))
            return NULL;
        char name[128];
        if (n >= sizeof(name))
            return NULL;
        memcpy(name, p, n);
        name[n] = '\0';
        ph_cli_command *c = ph__cli_sub(cur, name);
        if (c && !last && !c->is_group)
            return NULL;
        if (!c) {
            c = command_new(cur, name, last ? is_group : 1);
            if (!c || add_sub(cur, c) < 0) {
                command_free(c);
                return NULL;
            }
        }
        if (last) {
            if (c->is_group && c->nsubs && !is_group)
                return NULL; /* a group with commands cannot become a command */
            c->is_group = is_group;
            c->fn = fn;
            c->no_task = 0;
            if (o && (set_str(&c->help, o->help) < 0 || set_str(&c->short_help, o->short_help) < 0))
                return NULL;
            c->hidden = o && o->hidden;
            c->no_app_context = o && o->no_app_context;
            return c;
        }
        cur = c;
        p = rest;
    }
}

ph_cli_command *ph_cli_command_(ph_app *app, const char *path, ph_cli_fn fn,
                                const ph_cli_command_opts *opts) {
    if (!fn)
        return NULL;
    ph_cli_command *c = define(app, path, 0, fn, opts);
    if (c) {
        /* Replacing a command replaces its parameters too. */
        for (size_t i = 0; i < c->nparams; i++)
            param_free(c->params[i]);
        c->nparams = 0;
    }
    return c;
}

ph_cli_command *ph_cli_group_(ph_app *app, const char *path, const ph_cli_command_opts *opts) {
    return define(app, path, 1, NULL, opts);
}

/* ---- parameters ---------------------------------------------------------- */

static int strv_push(char ***v, size_t *n, const char *s, size_t len) {
    char **nv = ph__realloc(*v, (*n + 1) * sizeof(*nv));
    if (!nv)
        return PH_ENOMEM;
    *v = nv;
    if (!(nv[*n] = ph__strndup(s, len)))
        return PH_ENOMEM;
    (*n)++;
    return 0;
}

/* Whether some parameter of `c` already answers to option name `opt` or `name`. */
static int taken(const ph_cli_command *c, const char *name, const char *opt) {
    for (size_t i = 0; i < c->nparams; i++) {
        const ph__cli_param *p = c->params[i];
        if (name && strcmp(p->name, name) == 0)
            return 1;
        for (size_t k = 0; opt && k < p->non; k++)
            if (strcmp(p->on[k], opt) == 0)
                return 1;
        for (size_t k = 0; opt && k < p->noff; k++)
            if (strcmp(p->off[k], opt) == 0)
                return 1;
    }
    return opt && strcmp(opt, "--help") == 0;
}

static int valid_opt(const char *s, size_t n) {
    if (n < 2 || s[0] != '-')
        return 0;
    size_t start = s[1] == '-' ? 2 : 1;
    if (n == start || (start == 1 && n != 2))
        return 0; /* "-" and "--" alone; short options are one character */
    for (size_t i = start; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

/* Split "-p, --port/--no-port name" into the parameter's names. */
static int parse_decls(ph__cli_param *p, const char *decls) {
    const char *s = decls;
    char *bare = NULL;
    while (*s) {
        while (*s == ' ' || *s == ',')
            s++;
        size_t n = strcspn(s, " ,");
        if (n == 0)
            break;
        const char *slash = memchr(s, '/', n);
        if (s[0] != '-') {
            if (bare || !valid_name(s, n) || slash)
                goto bad;
            if (!(bare = ph__strndup(s, n)))
                return PH_ENOMEM;
        } else if (slash) {
            size_t a = (size_t)(slash - s);
            if (!valid_opt(s, a) || !valid_opt(slash + 1, n - a - 1))
                goto bad;
            if (strv_push(&p->on, &p->non, s, a) < 0 ||
                strv_push(&p->off, &p->noff, slash + 1, n - a - 1) < 0)
                goto nomem;
        } else {
            if (!valid_opt(s, n))
                goto bad;
            if (strv_push(&p->on, &p->non, s, n) < 0)
                goto nomem;
        }
        s += n;
    }
    if (p->non == 0)
        goto bad;
    if (bare) {
        p->name = bare;
        return 0;
    }
    /* The first long name, else the first short one, as click picks it. */
    const char *pick = p->on[0];
    for (size_t i = 0; i < p->non; i++)
        if (p->on[i][1] == '-') {
            pick = p->on[i];
            break;
        }
    pick += pick[1] == '-' ? 2 : 1;
    if (!(p->name = ph__strdup(pick)))
        return PH_ENOMEM;
    for (char *c = p->name; *c; c++)
        if (*c == '-')
            *c = '_';
    return 0;
bad:
    ph__free(bare);
    return PH_EINVAL;
nomem:
    ph__free(bare);
    return PH_ENOMEM;
}

static int copy_common(ph__cli_param *p, ph_cli_type type, const ph_cli_param_opts *o) {
    p->type = type;
    if (type > PH_CLI_CHOICE)
        return PH_EINVAL;
    if ((type == PH_CLI_CHOICE) != (o->choices != NULL))
        return PH_EINVAL;
    if (o->choices) {
        size_t n = 0;
        while (o->choices[n])
            n++;
        if (n == 0)
            return PH_EINVAL;
        if (!(p->choices = ph__calloc(n + 1, sizeof(char *))))
            return PH_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if (!(p->choices[i] = ph__strdup(o->choices[i])))
                return PH_ENOMEM;
    }
    if (set_str(&p->help, o->help) < 0 || set_str(&p->default_value, o->default_value) < 0 ||
        set_str(&p->envvar, o->envvar) < 0 || set_str(&p->metavar, o->metavar) < 0)
        return PH_ENOMEM;
    p->multiple = o->multiple;
    p->hidden = o->hidden;
    return 0;
}

/* Whether `text` converts to `p`'s type (defaults are checked at setup). */
static int default_ok(const ph__cli_param *p) {
    const char *t = p->default_value;
    if (!t)
        return 1;
    char *end;
    switch (p->type) {
    case PH_CLI_INT:
        strtoll(t, &end, 10);
        return *t && !*end;
    case PH_CLI_FLOAT:
        strtod(t, &end);
        return *t && !*end;
    case PH_CLI_BOOL:
        return ph__config_bool_word(t) >= 0;
    case PH_CLI_CHOICE:
        for (size_t i = 0; p->choices[i]; i++)
            if (strcmp(p->choices[i], t) == 0)
                return 1;
        return 0;
    default:
        return 1;
    }
}

static int add_param(ph_cli_command *cmd, ph__cli_param *p) {
    ph__cli_param **v = ph__realloc(cmd->params, (cmd->nparams + 1) * sizeof(*v));
    if (!v)
        return PH_ENOMEM;
    cmd->params = v;
    v[cmd->nparams++] = p;
    return 0;
}

int ph_cli_option_(ph_cli_command *cmd, const char *decls, ph_cli_type type,
                   const ph_cli_param_opts *opts) {
    static const ph_cli_param_opts none;
    const ph_cli_param_opts *o = opts ? opts : &none;
    if (!cmd || !decls || cmd->is_group)
        return PH_EINVAL;
    ph__cli_param *p = ph__calloc(1, sizeof(*p));
    if (!p)
        return PH_ENOMEM;
    int rc = parse_decls(p, decls);
    if (rc == 0)
        rc = copy_common(p, type, o);
    if (rc == 0 && (p->noff && type != PH_CLI_BOOL))
        rc = PH_EINVAL;
    if (rc == 0 && (!default_ok(p) || taken(cmd, p->name, NULL)))
        rc = PH_EINVAL;
    for (size_t i = 0; rc == 0 && i < p->non; i++)
        if (taken(cmd, NULL, p->on[i]))
            rc = PH_EINVAL;
    for (size_t i = 0; rc == 0 && i < p->noff; i++)
        if (taken(cmd, NULL, p->off[i]))
            rc = PH_EINVAL;
    p->required = o->required > 0;
    if (rc == 0)
        rc = add_param(cmd, p);
    if (rc < 0)
        param_free(p);
    return rc;
}

int ph_cli_argument_(ph_cli_command *cmd, const char *name, ph_cli_type type,
                     const ph_cli_param_opts *opts) {
    static const ph_cli_param_opts none;
    const ph_cli_param_opts *o = opts ? opts : &none;
    if (!cmd || !name || cmd->is_group || !valid_name(name, strlen(name)))
        return PH_EINVAL;
    for (size_t i = 0; i < cmd->nparams; i++)
        if (cmd->params[i]->is_arg && cmd->params[i]->multiple)
            return PH_EINVAL; /* nothing can follow an argument that takes the rest */
    ph__cli_param *p = ph__calloc(1, sizeof(*p));
    if (!p)
        return PH_ENOMEM;
    p->is_arg = 1;
    int rc = (p->name = ph__strdup(name)) ? copy_common(p, type, o) : PH_ENOMEM;
    for (char *c = p->name; rc == 0 && *c; c++)
        if (*c == '-')
            *c = '_';
    if (rc == 0 && (!default_ok(p) || taken(cmd, p->name, NULL)))
        rc = PH_EINVAL;
    p->required = o->required ? o->required > 0 : p->default_value == NULL;
    if (rc == 0)
        rc = add_param(cmd, p);
    if (rc < 0)
        param_free(p);
    return rc;
}
