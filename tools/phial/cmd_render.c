/*
 * `phial render TEMPLATE [options]`: render a template found on the search
 * path (default: the current folder) with a JSON context, and write exactly
 * the output to stdout, with no newline added. A template error prints
 * "name:line:column: message" to stderr and exits 1; a usage error exits 2.
 * The render runs inside a task (ph_run), so template files are read through
 * the runtime without blocking the loop.
 *
 * A hidden `--batch FILE.json` mode renders many cases (each with its own
 * templates given as strings, context and options) and prints one JSON array
 * of results; the differential test suite uses it to stay fast.
 */
#include "commands.h"

#include <phial.h>
#include <phial/template.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct render_job {
    ph_tmpl_opts opts;
    const char *name;
    const char **paths;
    int npaths;
    json_t *context; /* owned */
    const char *batch;
    int status;
} render_job;

static void usage(FILE *f) {
    fprintf(f, "usage: phial render TEMPLATE [--context FILE.json] [--search-path DIR]...\n"
               "                    [--autoescape | --no-autoescape] [--trim-blocks]\n"
               "                    [--lstrip-blocks] [--keep-trailing-newline]\n"
               "                    [--strict-undefined]\n");
}

static int write_all(FILE *f, const char *p, size_t n) { return fwrite(p, 1, n, f) == n ? 0 : -1; }

static int render_one(render_job *job) {
    ph_tmpl_env *env = ph_tmpl_env_new_(&job->opts);
    if (!env) {
        fprintf(stderr, "phial render: out of memory\n");
        json_decref(job->context);
        return 1;
    }
    for (int i = 0; i < job->npaths; i++)
        ph_tmpl_env_add_path(env, job->paths[i]);
    char *out = NULL;
    size_t len = 0;
    ph_tmpl_error err;
    int rc = ph_tmpl_render(env, job->name, job->context, NULL, &out, &len, &err);
    job->context = NULL;
    int status = 0;
    if (rc < 0) {
        char msg[1024];
        if (rc == PH_ENOTFOUND && err.line == 0)
            snprintf(msg, sizeof(msg), "%s: template not found", job->name);
        else
            ph_tmpl_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        status = 1;
    } else if (write_all(stdout, out, len) < 0 || fflush(stdout) != 0) {
        status = 1;
    }
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
    return status;
}

static int opt_flag(json_t *o, const char *key) { return json_is_true(json_object_get(o, key)); }

static json_t *batch_case(json_t *c) {
    json_t *o = json_object_get(c, "options"), *ae = json_object_get(o, "autoescape");
    ph_tmpl_opts opts = {
        .autoescape = json_is_true(ae)    ? PH_TMPL_AUTOESCAPE_ON
                      : json_is_false(ae) ? PH_TMPL_AUTOESCAPE_OFF
                                          : PH_TMPL_AUTOESCAPE_FLASK,
        .trim_blocks = opt_flag(o, "trim_blocks"),
        .lstrip_blocks = opt_flag(o, "lstrip_blocks"),
        .keep_trailing_newline = opt_flag(o, "keep_trailing_newline"),
        .strict_undefined = opt_flag(o, "strict"),
    };
    ph_tmpl_env *env = ph_tmpl_env_new_(&opts);
    if (!env)
        return NULL;
    const char *key;
    json_t *src;
    json_object_foreach(json_object_get(c, "files"), key, src) {
        ph_tmpl_env_add_string(env, key, json_string_value(src) ? json_string_value(src) : "");
    }
    char *out = NULL;
    size_t len = 0;
    ph_tmpl_error err;
    json_t *ctx = json_object_get(c, "context");
    int rc = ph_tmpl_render(env, json_string_value(json_object_get(c, "template")),
                            json_is_object(ctx) ? json_incref(ctx) : NULL, NULL, &out, &len, &err);
    json_t *res = json_object();
    json_object_set_new(res, "rc", json_integer(rc < 0 ? 1 : 0));
    if (rc < 0) {
        char msg[1024];
        ph_tmpl_error_format(&err, msg, sizeof(msg));
        json_object_set_new(res, "err", json_string(msg));
        json_object_set_new(res, "line", json_integer(err.line));
    } else {
        json_t *s = json_stringn(out, len);
        json_object_set_new(res, "out", s ? s : json_null());
    }
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
    return res;
}

static int render_batch(render_job *job) {
    json_error_t jerr;
    json_t *cases = json_load_file(job->batch, 0, &jerr);
    if (!json_is_array(cases)) {
        fprintf(stderr, "phial render: %s: %s\n", job->batch, jerr.text);
        json_decref(cases);
        return 2;
    }
    json_t *results = json_array();
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        json_t *res = batch_case(c);
        json_array_append_new(results, res ? res : json_null());
    }
    char *text = json_dumps(results, JSON_COMPACT);
    int status = text && write_all(stdout, text, strlen(text)) == 0 ? 0 : 1;
    free(text);
    json_decref(results);
    json_decref(cases);
    return status;
}

static int render_task(void *arg) {
    render_job *job = arg;
    job->status = job->batch ? render_batch(job) : render_one(job);
    return 0;
}

static int need_value(int argc, char **argv, int *i, const char **val) {
    const char *a = argv[*i], *eq = strchr(a, '=');
    if (eq) {
        *val = eq + 1;
        return 0;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "phial render: %s needs a value\n", a);
        return -1;
    }
    *val = argv[++*i];
    return 0;
}

static int is_opt(const char *a, const char *name) {
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == 0 || a[n] == '=');
}

int phial_cmd_render(int argc, char **argv) {
    render_job job = {0};
    const char *context_file = NULL;
    job.paths = calloc((size_t)argc, sizeof(char *));
    if (!job.paths)
        return 1;
    int status = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            status = 0;
            goto out;
        } else if (is_opt(a, "--context")) {
            if (need_value(argc, argv, &i, &context_file) < 0)
                goto usage;
        } else if (is_opt(a, "--search-path")) {
            if (need_value(argc, argv, &i, &val) < 0)
                goto usage;
            job.paths[job.npaths++] = val;
        } else if (is_opt(a, "--batch")) {
            if (need_value(argc, argv, &i, &job.batch) < 0)
                goto usage;
        } else if (!strcmp(a, "--autoescape")) {
            job.opts.autoescape = PH_TMPL_AUTOESCAPE_ON;
        } else if (!strcmp(a, "--no-autoescape")) {
            job.opts.autoescape = PH_TMPL_AUTOESCAPE_OFF;
        } else if (!strcmp(a, "--trim-blocks")) {
            job.opts.trim_blocks = 1;
        } else if (!strcmp(a, "--lstrip-blocks")) {
            job.opts.lstrip_blocks = 1;
        } else if (!strcmp(a, "--keep-trailing-newline")) {
            job.opts.keep_trailing_newline = 1;
        } else if (!strcmp(a, "--strict-undefined")) {
            job.opts.strict_undefined = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "phial render: unknown option '%s'\n", a);
            goto usage;
        } else if (!job.name) {
            job.name = a;
        } else {
            fprintf(stderr, "phial render: only one template may be given\n");
            goto usage;
        }
    }
    if (!job.name && !job.batch) {
        fprintf(stderr, "phial render: no template given\n");
        goto usage;
    }
    if (context_file) {
        json_error_t jerr;
        job.context = json_load_file(context_file, JSON_DECODE_ANY, &jerr);
        if (!json_is_object(job.context)) {
            fprintf(stderr, "phial render: %s: %s\n", context_file,
                    job.context ? "the context must be a JSON object" : jerr.text);
            json_decref(job.context);
            goto usage;
        }
    }
    int rc = ph_run(render_task, &job);
    status = rc < 0 ? 1 : job.status;
    goto out;
usage:
    usage(stderr);
    status = 2;
out:
    free(job.paths);
    return status;
}
