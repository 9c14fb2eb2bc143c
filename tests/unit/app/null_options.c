/*
 * Every public function whose options come through a macro (ph_route(),
 * ph_spawn(), ph_send_file(), ...) may also be called directly with NULL
 * options: they mean the defaults, as `{0}` does, and never a crash.
 */
#include "fw_common.h"

#include <stdio.h>
#include <unistd.h>

static char g_dir[] = "/tmp/phial-null-opts-XXXXXX";
static char g_file[sizeof(g_dir) + 16];

static ph_response *index_view(ph_request *req) {
    char err[128];
    const char *url = ph_url_for_(req, "/", NULL, err, sizeof(err)); /* the rule is the endpoint */
    ph_response *r = ph_text(req, 200, url ? url : err);
    if (ph_response_set_cookie_(r, "k", "v", NULL) < 0)
        return ph_abort(req, 500);
    return r;
}

static ph_response *file_view(ph_request *req) { return ph_send_file_(req, g_file, NULL); }

static ph_response *dir_view(ph_request *req) {
    return ph_send_from_directory_(req, g_dir, "a.txt", NULL);
}

static ph_response *bp_view(ph_request *req) { return ph_text(req, 200, "bp"); }

static int hello_cmd(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "hello");
    return 0;
}

static int child(void *arg) {
    (void)arg;
    return 7;
}

static int body(ph_app *app, ph_test_client *c) {
    ph_task *t = ph_spawn_(child, NULL, NULL);
    cr_assert_not_null(t);
    cr_assert_eq(ph_join(t), 7);

    ph_test_response *r = ph_client_request_(c, "GET", "/", NULL);
    cr_assert_not_null(r);
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "/");
    const char *cookie = ph_test_response_header(r, "Set-Cookie");
    cr_assert(cookie && strncmp(cookie, "k=v", 3) == 0, "the cookie was set: %s", cookie);
    ph_test_response_free(r);
    fw_expect(ph_client_get(c, "/file"), 200, "file body\n");
    fw_expect(ph_client_get(c, "/dir"), 200, "file body\n");
    fw_expect(ph_client_get(c, "/bp/x"), 200, "bp");
    fw_expect(ph_client_get(c, "/bp/inner/y"), 200, "bp");

    const char *args[] = {"grp", "hello", NULL};
    ph_cli_result *res = ph_cli_invoke_(app, args, NULL);
    cr_assert_not_null(res);
    cr_assert_eq(res->status, 0, "%s", res->err);
    cr_assert_str_eq(res->out, "hello\n");
    ph_cli_result_free(res);
    return 0;
}

static int run_body(void *arg) {
    fw_ctx *ctx = arg;
    return fw_task(ctx);
}

Test(null_options, mean_the_defaults) {
    cr_assert_not_null(mkdtemp(g_dir));
    snprintf(g_file, sizeof(g_file), "%s/a.txt", g_dir);
    FILE *f = fopen(g_file, "w");
    cr_assert_not_null(f);
    fputs("file body\n", f);
    fclose(f);

    ph_app *app = fw_app();
    cr_assert_eq(ph_route_(app, "/", index_view, NULL), 0);
    ph_route(app, "/file", file_view);
    ph_route(app, "/dir", dir_view);
    ph_blueprint *bp = ph_blueprint_new_("bp", NULL), *inner = ph_blueprint_new_("inner", NULL);
    cr_assert_not_null(bp);
    cr_assert_not_null(inner);
    cr_assert_eq(ph_bp_route_(bp, "/x", bp_view, NULL), 0);
    cr_assert_eq(ph_bp_route_(inner, "/y", bp_view, NULL), 0);
    cr_assert_eq(ph_blueprint_nest(bp, inner, .url_prefix = "/inner"), 0);
    cr_assert_eq(ph_register_blueprint(app, bp, .url_prefix = "/bp"), 0);
    ph_blueprint *other = ph_blueprint_new_("other", NULL);
    cr_assert_eq(ph_register_blueprint_(app, other, NULL), 0);
    ph_blueprint *nested = ph_blueprint_new_("nested", NULL);
    cr_assert_eq(ph_blueprint_nest_(other, nested, NULL), 0);
    cr_assert_not_null(ph_cli_group_(app, "grp", NULL));
    cr_assert_not_null(ph_cli_command_(app, "grp hello", hello_cmd, NULL));

    fw_ctx ctx = {app, body};
    cr_assert_eq(ph_run_(run_body, &ctx, NULL), 0);
    ph_app_free(app);
    ph_blueprint_free(bp);
    ph_blueprint_free(inner);
    ph_blueprint_free(other);
    ph_blueprint_free(nested);
    unlink(g_file);
    rmdir(g_dir);
}
