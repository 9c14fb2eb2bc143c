/*
 * The template environment and its public API: options, the search path and
 * string templates, the loader seam, compilation (lex + parse) into a cached
 * ptmpl, auto-reload by modification time, and the render entry points that
 * set up a render (arena, output buffer, context with context processors
 * merged under the caller's values, as Flask does).
 *
 * The default loader reads files through the runtime (ph_fs_stat,
 * ph_fs_read_file) when called inside a task, so a render suspends its task
 * instead of blocking the worker; outside a task (tools, tests) it falls
 * back to plain blocking reads. The loader seam (ph_tmpl_loader) lets the
 * framework plug in its own.
 *
 * It does not render (render.c) or extend the language (ext.c).
 * Reference: Flask "Templates" (autoescape rule, context processors),
 * Jinja2 "API" (loaders, auto_reload, TemplateNotFound).
 */
#include "phial/runtime.h"
#include "tmpl.h"
#include "util/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_OUTPUT (64u << 20)
#define DEFAULT_MAX_SOURCE (16u << 20)
#define LIMIT_CAP ((size_t)512 << 20) /* the most max_output and max_source may be */

/* ------------------------------------------------------------------------ */
/* The default file loader (blocking)                                       */
/* ------------------------------------------------------------------------ */

static int file_stat(void *ud, const char *path, double *mtime) {
    (void)ud;
    if (ph_current()) {
        ph_stat pst;
        int rc = ph_fs_stat(path, &pst);
        if (rc < 0)
            return rc;
        if (!S_ISREG(pst.mode))
            return PH_ENOENT;
        *mtime = pst.mtime;
        return 0;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT || errno == ENOTDIR ? PH_ENOENT
               : errno == EACCES                   ? PH_EACCES
                                                   : PH_EIO;
    if (!S_ISREG(st.st_mode))
        return PH_ENOENT;
    *mtime = (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec / 1e9;
    return 0;
}

static int file_read(void *ud, const char *path, size_t max, char **data, size_t *len,
                     double *mtime) {
    int rc = file_stat(ud, path, mtime);
    if (rc < 0)
        return rc;
    if (ph_current())
        return ph_fs_read_file(path, max, data, len);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? PH_ENOENT : errno == EACCES ? PH_EACCES : PH_EIO;
    ph_buf b;
    ph__buf_init(&b, max);
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = PH_EIO;
            break;
        }
        if (n == 0)
            break;
        if ((rc = ph__buf_append(&b, chunk, (size_t)n)) < 0)
            break;
    }
    close(fd);
    if (rc < 0) {
        ph__buf_close(&b);
        return rc;
    }
    if (!b.data && ph__buf_reserve(&b, 1) < 0)
        return PH_ENOMEM;
    b.data[b.len] = 0;
    *len = b.len;
    *data = b.data;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Environment                                                              */
/* ------------------------------------------------------------------------ */

ph_tmpl_env *ph_tmpl_env_new_(const ph_tmpl_opts *opts) {
    ph_tmpl_env *env = ph__calloc(1, sizeof(*env));
    if (!env)
        return NULL;
    if (opts)
        env->opts = *opts;
    if (!env->opts.max_output)
        env->opts.max_output = DEFAULT_MAX_OUTPUT;
    if (!env->opts.max_source)
        env->opts.max_source = DEFAULT_MAX_SOURCE;
    /* a render's temporaries are bounded by four times max_output: this
     * keeps every string a render makes under TV_MAX_LEN */
    if (env->opts.max_output > LIMIT_CAP)
        env->opts.max_output = LIMIT_CAP;
    if (env->opts.max_source > LIMIT_CAP)
        env->opts.max_source = LIMIT_CAP;
    env->loader.read = file_read;
    env->loader.stat = file_stat;
    env->strings = json_object();
    env->globals = json_object();
    if (!env->strings || !env->globals) {
        ph_tmpl_env_free(env);
        return NULL;
    }
    return env;
}

static void free_regs(cfilter *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        ph__free(v[i].name);
    ph__free(v);
}

void ph_tmpl_env_free(ph_tmpl_env *env) {
    if (!env)
        return;
    for (size_t i = 0; i < env->npaths; i++)
        ph__free(env->paths[i]);
    ph__free(env->paths);
    json_decref(env->strings);
    json_decref(env->globals);
    free_regs(env->filters, env->nfilters);
    free_regs(env->tests, env->ntests);
    free_regs(env->funcs, env->nfuncs);
    free_regs(env->lazies, env->nlazies);
    ph__free(env->procs);
    while (env->cache) {
        ptmpl *t = env->cache;
        env->cache = t->next;
        ph__tmpl_destroy(t);
    }
    ph__free(env);
}

int ph_tmpl_env_add_path(ph_tmpl_env *env, const char *dir) {
    if (!env || !dir)
        return PH_EINVAL;
    char **v = ph__realloc(env->paths, (env->npaths + 1) * sizeof(char *));
    if (!v)
        return PH_ENOMEM;
    env->paths = v;
    if (!(v[env->npaths] = ph__strdup(dir)))
        return PH_ENOMEM;
    env->npaths++;
    return 0;
}

void ph_tmpl_env_set_auto_reload(ph_tmpl_env *env, int on) {
    if (env)
        env->opts.auto_reload = on != 0;
}

int ph_tmpl_env_add_string(ph_tmpl_env *env, const char *name, const char *source) {
    if (!env || !name || !source)
        return PH_EINVAL;
    json_t *s = json_stringn_nocheck(source, strlen(source));
    if (!s || json_object_set_new(env->strings, name, s) < 0)
        return PH_ENOMEM;
    /* a cached compile of an older source is stale now; retire it (a render
     * suspended in a file load may still point into it) */
    for (ptmpl *t = env->cache; t; t = t->next)
        if (t->name && strcmp(t->name, name) == 0 && !t->path)
            t->name[0] = '\0';
    return 0;
}

int ph_tmpl_env_set_loader(ph_tmpl_env *env, const ph_tmpl_loader *loader) {
    if (!env || !loader || !loader->read || !loader->stat)
        return PH_EINVAL;
    env->loader = *loader;
    return 0;
}

int ph_tmpl_env_set_global(ph_tmpl_env *env, const char *name, json_t *value) {
    if (!env || !name || !value) {
        json_decref(value);
        return PH_EINVAL;
    }
    return json_object_set_new(env->globals, name, value) < 0 ? PH_ENOMEM : 0;
}

static int add_reg(cfilter **v, size_t *n, const char *name, void *ud, ph_tmpl_filter_fn f,
                   ph_tmpl_test_fn t) {
    cfilter *nv = ph__realloc(*v, (*n + 1) * sizeof(cfilter));
    if (!nv)
        return PH_ENOMEM;
    *v = nv;
    nv[*n] = (cfilter){.name = ph__strdup(name), .fn = f, .test = t, .ud = ud};
    if (!nv[*n].name)
        return PH_ENOMEM;
    (*n)++;
    return 0;
}

int ph_tmpl_env_add_filter(ph_tmpl_env *env, const char *name, ph_tmpl_filter_fn fn, void *ud) {
    if (!env || !name || !fn)
        return PH_EINVAL;
    return add_reg(&env->filters, &env->nfilters, name, ud, fn, NULL);
}

int ph_tmpl_env_add_test(ph_tmpl_env *env, const char *name, ph_tmpl_test_fn fn, void *ud) {
    if (!env || !name || !fn)
        return PH_EINVAL;
    return add_reg(&env->tests, &env->ntests, name, ud, NULL, fn);
}

int ph_tmpl_env_add_function(ph_tmpl_env *env, const char *name, ph_tmpl_func_fn fn, void *ud) {
    if (!env || !name || !fn)
        return PH_EINVAL;
    /* stored as a filter-shaped entry; ext.c casts back */
    int rc = add_reg(&env->funcs, &env->nfuncs, name, ud, NULL, NULL);
    if (rc == 0)
        env->funcs[env->nfuncs - 1].fn = (ph_tmpl_filter_fn)(void (*)(void))fn;
    return rc;
}

int ph_tmpl_env_add_context_processor(ph_tmpl_env *env, ph_tmpl_context_fn fn, void *ud) {
    if (!env || !fn)
        return PH_EINVAL;
    void *nv = ph__realloc(env->procs, (env->nprocs + 1) * sizeof(*env->procs));
    if (!nv)
        return PH_ENOMEM;
    env->procs = nv;
    env->procs[env->nprocs].fn = fn;
    env->procs[env->nprocs].ud = ud;
    env->nprocs++;
    return 0;
}

int ph_tmpl_env_add_lazy_context(ph_tmpl_env *env, const char *name, ph_tmpl_lazy_fn fn,
                                 void *ud) {
    if (!env || !name || !fn)
        return PH_EINVAL;
    int rc = add_reg(&env->lazies, &env->nlazies, name, ud, NULL, NULL);
    if (rc == 0)
        env->lazies[env->nlazies - 1].lazy = fn;
    return rc;
}

void ph_tmpl_free(void *p) { ph__free(p); }

int ph_tmpl_error_format(const ph_tmpl_error *err, char *buf, size_t size) {
    if (!buf)
        size = 0; /* only the length, as snprintf(NULL, 0, ...) */
    if (!err)
        return snprintf(buf, size, "unknown error");
    if (err->line)
        return snprintf(buf, size, "%s:%u:%u: %s", err->name, err->line, err->column, err->message);
    return snprintf(buf, size, "%s: %s", err->name, err->message);
}

/* ------------------------------------------------------------------------ */
/* Compiling and the cache                                                  */
/* ------------------------------------------------------------------------ */

int ph__tmpl_default_autoescape(const ph_tmpl_env *env, const char *name) {
    if (env->opts.autoescape == PH_TMPL_AUTOESCAPE_ON)
        return 1;
    if (env->opts.autoescape == PH_TMPL_AUTOESCAPE_OFF)
        return 0;
    if (!name)
        return 1;
    static const char *const exts[] = {".html", ".htm", ".xml", ".xhtml"};
    size_t n = strlen(name);
    for (size_t i = 0; i < 4; i++) {
        size_t k = strlen(exts[i]);
        if (n >= k && strcmp(name + n - k, exts[i]) == 0)
            return 1;
    }
    return 0;
}

void ph__tmpl_destroy(ptmpl *t) {
    if (!t)
        return;
    ph__free(t->name);
    ph__free(t->path);
    ph__arena_close(&t->arena);
    ph__free(t);
}

/* The index of the app's filter or test `name` (the last registered wins), or -1. */
static int32_t registered(const cfilter *v, size_t n, const char *name) {
    for (size_t i = n; i-- > 0;)
        if (strcmp(v[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

/*
 * Jinja2 rejects unknown filters and tests when it compiles a template, even
 * in branches that never run; so do we.
 */
static int check_names(ph_tmpl_env *env, ptmpl *t, node *n, ph_tmpl_error *err, uintptr_t base,
                       int soft) {
    if (!n)
        return 0;
    if (stack_exhausted(base)) {
        ph__tmpl_set_error(err, t->name, n->line, n->col, PH_ETEMPLATE,
                           "template nested too deeply");
        return PH_ETEMPLATE;
    }
    /* As Jinja2 3.x does, names inside if statements and conditional
     * expressions are only checked when they run (they may be guarded by an
     * `is filter` test); a new scope (loop, macro, block) checks again. */
    if (n->kind == N_IF || n->kind == E_COND)
        soft = 1;
    else if (n->kind == N_FOR || n->kind == N_MACRO || n->kind == N_CALLBLOCK ||
             n->kind == N_WITH || n->kind == N_BLOCK || n->kind == N_FILTERBLOCK)
        soft = 0;
    if (soft)
        ;
    else if (n->kind == E_FILTER && !ph__tmpl_find_filter(n->name, n->nlen) &&
             registered(env->filters, env->nfilters, n->name) < 0) {
        ph__tmpl_set_error(err, t->name, n->line, n->col, PH_ETEMPLATE, "No filter named '%s'.",
                           n->name);
        return PH_ETEMPLATE;
    } else if (n->kind == E_TEST && !ph__tmpl_find_test(n->name, n->nlen) &&
               registered(env->tests, env->ntests, n->name) < 0) {
        ph__tmpl_set_error(err, t->name, n->line, n->col, PH_ETEMPLATE, "No test named '%s'.",
                           n->name);
        return PH_ETEMPLATE;
    }
    if (n->kind == E_GETATTR && ph__tmpl_is_dict_method(n->name, n->nlen))
        n->flags |= NF_DICTMETHOD;
    /* resolved once here, not by name on every use (see ph__tmpl_apply_filter) */
    if (n->kind == E_FILTER) {
        n->fn = (void *)ph__tmpl_find_filter(n->name, n->nlen);
        n->reg = registered(env->filters, env->nfilters, n->name);
        n->nreg = (uint32_t)env->nfilters;
    } else if (n->kind == E_TEST) {
        n->fn = (void *)ph__tmpl_find_test(n->name, n->nlen);
        n->reg = registered(env->tests, env->ntests, n->name);
        n->nreg = (uint32_t)env->ntests;
    }
    int rc = 0;
    node *kids[3] = {n->a, n->b, n->c};
    for (int i = 0; rc == 0 && i < 3; i++)
        rc = check_names(env, t, kids[i], err, base, soft);
    for (size_t i = 0; rc == 0 && i < n->nv; i++)
        rc = check_names(env, t, n->v[i], err, base, soft);
    for (size_t i = 0; rc == 0 && i < n->nw; i++)
        rc = check_names(env, t, n->w[i], err, base, soft);
    return rc;
}

ptmpl *ph__tmpl_compile(ph_tmpl_env *env, const char *name, const char *src, size_t len,
                        ph_tmpl_error *err) {
    if (len > env->opts.max_source) {
        ph__tmpl_set_error(err, name, 0, 0, PH_ETOOBIG, "template source over %zu bytes",
                           env->opts.max_source);
        return NULL;
    }
    ptmpl *t = ph__calloc(1, sizeof(*t));
    if (!t || (name && !(t->name = ph__strdup(name)))) {
        ph__free(t);
        ph__tmpl_set_error(err, name, 0, 0, PH_ENOMEM, "out of memory");
        return NULL;
    }
    ph__arena_init(&t->arena, 8192, 0);
    t->autoescape = ph__tmpl_default_autoescape(env, name);
    tokens tk = {0};
    int rc = ph__tmpl_lex(src, len, &env->opts, &t->arena, &tk, name, err);
    if (rc == 0)
        rc = ph__tmpl_parse(t, &tk, err);
    char base;
    if (rc == 0)
        rc = check_names(env, t, t->root, err, (uintptr_t)&base, 0);
    ph__free(tk.v);
    if (rc < 0) {
        if (rc == PH_ENOMEM)
            ph__tmpl_set_error(err, name, 0, 0, PH_ENOMEM, "out of memory");
        ph__tmpl_destroy(t);
        return NULL;
    }
    return t;
}

/* Jinja2 refuses names that climb out of the search folder. */
static int safe_name(const char *name) {
    if (!*name || name[0] == '/')
        return 0;
    for (const char *p = name; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p += n + (e != NULL);
    }
    return 1;
}

static int find_file(ph_tmpl_env *env, const char *name, char **path, char **data, size_t *len,
                     double *mtime) {
    if (!safe_name(name))
        return PH_ENOENT;
    for (size_t i = 0; i < (env->npaths ? env->npaths : 1); i++) {
        const char *dir = env->npaths ? env->paths[i] : ".";
        size_t n = strlen(dir) + strlen(name) + 2;
        char *p = ph__malloc(n);
        if (!p)
            return PH_ENOMEM;
        snprintf(p, n, "%s/%s", dir, name);
        int rc = env->loader.read(env->loader.ud, p, env->opts.max_source, data, len, mtime);
        if (rc == 0) {
            *path = p;
            return 0;
        }
        ph__free(p);
        if (rc != PH_ENOENT)
            return rc;
    }
    return PH_ENOENT;
}

/*
 * A template that one task is reading and compiling. Other tasks that want
 * the same name meanwhile wait for it and take its result, instead of each
 * reading and compiling a copy of its own (and caching every copy): that is
 * what a burst of first requests, all suspended in the same file read, would
 * otherwise do. Freed by whichever of the loader and its waiters is last.
 */
struct tmpl_loading {
    struct tmpl_loading *next;
    char *name;
    ph_event *done;
    ptmpl *t;          /* the result, once done... */
    ph_tmpl_error err; /* ...or why there is none */
    size_t refs;       /* the loading task and its waiters */
};

static void loading_release(struct tmpl_loading *l) {
    if (--l->refs == 0) {
        ph_event_free(l->done);
        ph__free(l->name);
        ph__free(l);
    }
}

/* Begin loading `name` (inside a task: outside one nothing can interleave);
 * NULL when there is no task or no memory, and then the load goes on alone. */
static struct tmpl_loading *loading_begin(ph_tmpl_env *env, const char *name) {
    if (!ph_current())
        return NULL;
    struct tmpl_loading *l = ph__calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->name = ph__strdup(name);
    l->done = ph_event_new();
    if (!l->name || !l->done) {
        ph_event_free(l->done);
        ph__free(l->name);
        ph__free(l);
        return NULL;
    }
    l->refs = 1;
    l->next = env->loading;
    env->loading = l;
    return l;
}

static void loading_end(ph_tmpl_env *env, struct tmpl_loading *l, ptmpl *t,
                        const ph_tmpl_error *err) {
    if (!l)
        return;
    struct tmpl_loading **pp = &env->loading;
    while (*pp != l)
        pp = &(*pp)->next;
    *pp = l->next;
    l->t = t;
    if (!t && err)
        l->err = *err;
    ph_event_set(l->done);
    loading_release(l);
}

/* Read and compile `name`, and cache it; `stale` is the version it
 * replaces, or NULL. */
static ptmpl *load(ph_tmpl_env *env, const char *name, ptmpl *stale, ph_tmpl_error *err) {
    struct tmpl_loading *l = loading_begin(env, name);
    char *src = NULL, *path = NULL;
    size_t len = 0;
    double mtime = 0;
    json_t *s = json_object_get(env->strings, name);
    int rc = 0;
    if (s) {
        src = (char *)json_string_value(s);
        len = json_string_length(s);
    } else if ((rc = find_file(env, name, &path, &src, &len, &mtime)) < 0) {
        ph__tmpl_set_error(err, name, 0, 0, rc == PH_ENOENT ? PH_ENOTFOUND : rc,
                           rc == PH_ENOENT ? "template not found" : "%s", ph_strerror(rc));
        loading_end(env, l, NULL, err);
        return NULL;
    }
    ptmpl *t = ph__tmpl_compile(env, name, src, len, err);
    if (path)
        ph__free(src);
    if (!t) {
        ph__free(path);
        loading_end(env, l, NULL, err);
        return NULL;
    }
    t->path = path;
    t->mtime = mtime;
    /* retire the stale version without freeing it: a render in progress
     * may still point into it; it goes with the environment */
    if (stale)
        stale->name[0] = '\0';
    t->next = env->cache;
    env->cache = t;
    loading_end(env, l, t, NULL);
    return t;
}

static struct tmpl_loading *loading_of(ph_tmpl_env *env, const char *name) {
    struct tmpl_loading *l = env->loading;
    while (l && strcmp(l->name, name) != 0)
        l = l->next;
    return l;
}

/* Wait for another task's load of the same template: 0 with its result
 * (*out, or NULL and *err), 1 when that task was cancelled before it
 * finished (the caller tries again), or a negative PH_E* of this wait. */
static int wait_loading(struct tmpl_loading *l, ptmpl **out, ph_tmpl_error *err) {
    l->refs++;
    int rc = ph_event_wait(l->done);
    if (rc == 0) {
        *out = l->t;
        if (!l->t && (l->err.code == PH_ECANCELED || l->err.code == PH_ETIMEDOUT))
            rc = 1;
        else if (!l->t)
            *err = l->err;
    }
    loading_release(l);
    return rc;
}

ptmpl *ph__tmpl_get(ph_tmpl_env *env, const char *name, ph_tmpl_error *err) {
    for (;;) {
        struct tmpl_loading *l = loading_of(env, name);
        if (l) {
            ptmpl *t = NULL;
            int rc = wait_loading(l, &t, err);
            if (rc < 0)
                ph__tmpl_set_error(err, name, 0, 0, rc, "%s", ph_strerror(rc));
            if (rc <= 0)
                return t;
            continue;
        }
        ptmpl *stale = NULL;
        for (ptmpl *t = env->cache; t; t = t->next) {
            if (!t->name || strcmp(t->name, name) != 0)
                continue;
            double mt;
            if (!env->opts.auto_reload || !t->path ||
                (env->loader.stat(env->loader.ud, t->path, &mt) == 0 && mt == t->mtime))
                return t;
            stale = t; /* compile again and replace it */
            break;
        }
        /* the stat suspended: another task may have begun this load since */
        if (stale && loading_of(env, name))
            continue;
        return load(env, name, stale, err);
    }
}

/* ------------------------------------------------------------------------ */
/* Rendering                                                                */
/* ------------------------------------------------------------------------ */

/*
 * The render context: context processors' values, then the caller's on top.
 * Takes `context`. A processor that returns NULL or something other than an
 * object fails the render, as does running out of memory while merging: a
 * page rendered with part of its context missing would be a wrong page.
 */
static int build_context(ph_tmpl_env *env, json_t *context, void *user, json_t **out) {
    if (context && !json_is_object(context)) {
        json_decref(context);
        return PH_EINVAL;
    }
    if (!env->nprocs) {
        *out = context ? context : json_object();
        return *out ? 0 : PH_ENOMEM;
    }
    json_t *ctx = json_object();
    int rc = ctx ? 0 : PH_ENOMEM;
    for (size_t i = 0; rc == 0 && i < env->nprocs; i++) {
        json_t *o = env->procs[i].fn(env->procs[i].ud, user);
        if (!json_is_object(o) || json_object_update(ctx, o) < 0)
            rc = PH_ENOMEM;
        json_decref(o);
    }
    if (rc == 0 && context && json_object_update(ctx, context) < 0)
        rc = PH_ENOMEM;
    json_decref(context);
    if (rc < 0) {
        json_decref(ctx);
        return rc;
    }
    *out = ctx;
    return 0;
}

int ph__tmpl_make_context(ph_tmpl_env *env, const ptmpl *t, json_t *context, void *user,
                          json_t **ctx, ph_tmpl_error *err) {
    int rc = build_context(env, context, user, ctx);
    if (rc < 0)
        ph__tmpl_set_error(err, t->name, 0, 0, rc, "%s",
                           rc == PH_EINVAL ? "context must be a JSON object"
                                           : "the render context could not be built "
                                             "(out of memory, or a context processor failed)");
    return rc;
}

int ph__tmpl_run(ph_tmpl_env *env, ptmpl *t, json_t *ctx, void *user, ph_buf *buf, tstream *ts,
                 ph_tmpl_error *err) {
    ph_arena arena;
    /* temporaries are bounded too, so a hostile template cannot take all memory */
    ph__arena_init(&arena, 16384, env->opts.max_output * 4 + (16u << 20));
    rctx r = {.env = env,
              .out = buf,
              .stream = ts,
              .a = &arena,
              .err = err,
              .autoescape = t->autoescape,
              .cur = t,
              .user = user,
              .ctx = ctx,
              .nlazy = env->nlazies};
    tctx tc = {.t = t, .ctx = ctx};
    char base;
    r.stack_base = (uintptr_t)&base;
    int rc = PH_ENOMEM;
    if ((tc.root = ph__tmpl_frame_new(&r, NULL, 1)))
        rc = ph__tmpl_render_root(&r, t, &tc);
    if (rc < 0 && err->code == 0)
        ph__tmpl_set_error(err, t->name, 0, 0, rc, "%s", ph_strerror(rc));
    ph__arena_close(&arena);
    json_decref(r.keep);
    return rc < 0 ? (err->code ? err->code : rc) : 0;
}

static int render_tmpl(ph_tmpl_env *env, ptmpl *t, json_t *context, void *user, char **out,
                       size_t *len, ph_tmpl_error *err) {
    json_t *ctx = NULL;
    int rc = ph__tmpl_make_context(env, t, context, user, &ctx, err);
    if (rc < 0)
        return rc;
    ph_buf buf;
    ph__buf_init(&buf, env->opts.max_output);
    rc = ph__tmpl_run(env, t, ctx, user, &buf, NULL, err);
    if (rc == 0 && !buf.data && ph__buf_reserve(&buf, 1) < 0) {
        ph__tmpl_set_error(err, t->name, 0, 0, PH_ENOMEM, "%s", ph_strerror(PH_ENOMEM));
        rc = PH_ENOMEM;
    }
    if (rc < 0) {
        ph__buf_close(&buf);
    } else {
        buf.data[buf.len] = 0;
        *len = buf.len;
        *out = buf.data;
    }
    json_decref(ctx);
    return rc;
}

int ph_tmpl_render(ph_tmpl_env *env, const char *name, json_t *context, void *user, char **out,
                   size_t *len, ph_tmpl_error *err) {
    ph_tmpl_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    if (!env || !name || !out || !len) {
        json_decref(context);
        return PH_EINVAL;
    }
    ptmpl *t = ph__tmpl_get(env, name, err);
    if (!t) {
        json_decref(context);
        return err->code ? err->code : PH_ETEMPLATE;
    }
    return render_tmpl(env, t, context, user, out, len, err);
}

int ph_tmpl_render_string(ph_tmpl_env *env, const char *source, json_t *context, void *user,
                          char **out, size_t *len, ph_tmpl_error *err) {
    ph_tmpl_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    if (!env || !source || !out || !len) {
        json_decref(context);
        return PH_EINVAL;
    }
    ptmpl *t = ph__tmpl_compile(env, NULL, source, strlen(source), err);
    if (!t) {
        json_decref(context);
        return err->code ? err->code : PH_ETEMPLATE;
    }
    int rc = render_tmpl(env, t, context, user, out, len, err);
    ph__tmpl_destroy(t);
    return rc;
}

int ph_tmpl_check(ph_tmpl_env *env, const char *name, ph_tmpl_error *err) {
    ph_tmpl_error local;
    if (!err)
        err = &local;
    memset(err, 0, sizeof(*err));
    if (!env || !name)
        return PH_EINVAL;
    return ph__tmpl_get(env, name, err) ? 0 : (err->code ? err->code : PH_ETEMPLATE);
}
