/*
 * Running a parsed command, and the runner for tests. A command runs in a
 * task with an app context pushed (aioflask's `async with app.app_context()`),
 * so it may suspend: on a loop of its own when called from main(), in a
 * child task the caller joins when called from inside a task. The built-in
 * `run` is the exception: it serves on the server's own loop(s), so it is
 * called directly on the main thread.
 *
 * ph_cli_invoke() (click's CliRunner.invoke) runs a whole command line
 * in-process, with the output of ph_cli_echo()/ph_cli_error() and of help
 * and usage errors captured into buffers. It does not capture what code
 * writes to stdout directly, nor log lines.
 */
#include "app/cli.h"

#include "phial/runtime.h"
#include "util/alloc.h"

#include <stdio.h>
#include <string.h>

#define CAPTURE_MAX (64u * 1024 * 1024)

static int load_env_config(ph_cli_ctx *ctx) {
    char err[512] = "";
    int rc = ph_config_from_prefixed_env(ctx->app, "PHIAL", err, sizeof(err));
    if (rc < 0) {
        ph_cli_error(ctx, "Error: cannot load the config from the environment: %s",
                     err[0] ? err : ph_strerror(rc));
        return 1;
    }
    return 0;
}

static int command_task(void *arg) {
    ph_cli_ctx *ctx = arg;
    ph_app_ctx *actx = NULL;
    if (!ctx->cmd->no_app_context && !(actx = ph_app_context_push(ctx->app))) {
        ph_cli_error(ctx, "Error: out of memory");
        return 1;
    }
    int rc = ctx->cmd->fn(ctx);
    if (actx)
        ph_app_context_pop(actx);
    if (rc < 0) {
        ph_cli_error(ctx, "Error: %s", ph_strerror(rc));
        rc = 1;
    }
    return rc;
}

int ph__cli_exec(ph_cli_ctx *ctx) {
    if (ctx->load_env_config && load_env_config(ctx))
        return 1;
    if (ctx->cmd->no_task) {
        if (ctx->runner) {
            ph_cli_error(ctx, "Error: '%s' cannot run under the test runner.", ctx->cmd->path);
            return 1;
        }
        return ctx->cmd->fn(ctx);
    }
    int rc;
    if (!ph_current()) {
        rc = ph_run(command_task, ctx, .name = "cli");
    } else {
        ph_task *t = ph_spawn(command_task, ctx, .name = "cli");
        rc = t ? ph_join(t) : PH_ENOMEM;
    }
    if (rc < 0) {
        /* The task never ran (or the caller was cancelled): no status of its own. */
        ph_cli_error(ctx, "Error: %s", ph_strerror(rc));
        rc = 1;
    }
    return rc;
}

ph_cli_result *ph_cli_invoke_(ph_app *app, const char *const *args,
                              const ph_cli_invoke_opts *opts) {
    static const ph_cli_invoke_opts none;
    const ph_cli_invoke_opts *o = opts ? opts : &none;
    ph_cli_result *r = ph__calloc(1, sizeof(*r));
    if (!r || !app) {
        ph__free(r);
        return NULL;
    }
    ph_buf out, err;
    ph__buf_init(&out, CAPTURE_MAX);
    ph__buf_init(&err, CAPTURE_MAX);
    ph_cli_ctx ctx = {
        .app = app,
        .prog = o->prog_name ? o->prog_name : ph_app_name(app),
        .out = &out,
        .err = &err,
        .env = o->env,
        .runner = 1,
    };
    ph__arena_init(&ctx.arena, 4096, 64 * 1024 * 1024);
    int argc = 0;
    while (args && args[argc])
        argc++;
    /* The parser never writes to argv; the cast only meets main()'s type. */
    r->status = ph__cli_main(&ctx, argc, (char **)args);
    ph__arena_close(&ctx.arena);
    if (ph__buf_reserve(&out, 1) < 0 || ph__buf_reserve(&err, 1) < 0) {
        ph__buf_close(&out);
        ph__buf_close(&err);
        ph__free(r);
        return NULL;
    }
    out.data[out.len] = '\0';
    err.data[err.len] = '\0';
    r->out = ph__buf_steal(&out, &r->out_len);
    r->err = ph__buf_steal(&err, &r->err_len);
    return r;
}

void ph_cli_result_free(ph_cli_result *r) {
    if (!r)
        return;
    ph__free(r->out);
    ph__free(r->err);
    ph__free(r);
}
