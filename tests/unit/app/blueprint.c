/* Blueprints: prefixes, endpoint names, scoped hooks and handlers, nesting. */
#include "fw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int order[16], norder;

static ph_response *login(ph_request *req) {
    const char *u = ph_url_for(req, ".login");
    const char *other = ph_url_for(req, "index");
    return ph_text(req, 200, ph_request_printf(req, "%s %s %s", ph_request_endpoint(req), u, other));
}
static ph_response *index_view(ph_request *req) { return ph_text(req, 200, "index"); }
static ph_response *bp_before(ph_request *req) {
    order[norder++] = 2;
    return NULL;
}
static ph_response *app_before(ph_request *req) {
    order[norder++] = 1;
    return NULL;
}
static ph_response *nope(ph_request *req) { return ph_abort(req, 418); }
static ph_response *bp_teapot(ph_request *req, const ph_error *e) {
    return ph_text(req, 418, "blueprint teapot");
}

static int body_bp(ph_app *app, ph_test_client *c) {
    norder = 0;
    ph_test_response *r = ph_client_get(c, "/auth/login");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "auth.login /auth/login /");
    cr_assert_eq(norder, 2);
    cr_assert_eq(order[0], 1, "app hooks first");
    cr_assert_eq(order[1], 2);
    ph_test_response_free(r);
    norder = 0;
    r = ph_client_get(c, "/");
    cr_assert_eq(norder, 1, "a blueprint's hook only runs for its routes");
    ph_test_response_free(r);
    r = ph_client_get(c, "/auth/nope");
    cr_assert_eq(r->status, 418);
    cr_assert_str_eq(r->body, "blueprint teapot");
    ph_test_response_free(r);
    r = ph_client_get(c, "/again/login");
    cr_assert_str_eq(r->body, "again.login /again/login /", "same blueprint, second name");
    ph_test_response_free(r);
    r = ph_client_get(c, "/auth/admin/login");
    cr_assert_str_eq(r->body, "auth.admin.login /auth/admin/login /", "nested");
    ph_test_response_free(r);
    return 0;
}

Test(blueprint, prefixes_endpoints_scoped_hooks_and_nesting) {
    ph_app *app = ph_app_new("t");
    ph_blueprint *auth = ph_blueprint_new("auth", .url_prefix = "/auth");
    ph_blueprint *admin = ph_blueprint_new("admin", .url_prefix = "/admin");
    ph_bp_route(auth, "/login", login, .endpoint = "login");
    ph_bp_route(auth, "/nope", nope, .endpoint = "nope");
    ph_bp_before_request(auth, bp_before);
    ph_bp_errorhandler(auth, 418, bp_teapot);
    ph_bp_route(admin, "/login", login, .endpoint = "login");
    ph_blueprint_nest(auth, admin);
    ph_route(app, "/", index_view, .endpoint = "index");
    ph_before_request(app, app_before);
    cr_assert_eq(ph_register_blueprint(app, auth), 0);
    cr_assert_eq(ph_register_blueprint(app, auth), PH_EEXIST);
    cr_assert_eq(ph_register_blueprint(app, auth, .name = "again", .url_prefix = "/again"), 0);
    fw_run(app, body_bp);
    ph_blueprint_free(auth);
    ph_blueprint_free(admin);
}

static char sdir[64];

static int body_static(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/static/app.css");
    cr_assert_eq(r->status, 200, "the app's static folder is served at /static");
    cr_assert_str_eq(r->body, "body{}");
    ph_test_response_free(r);
    r = ph_client_get(c, "/admin/assets/app.css");
    cr_assert_eq(r->status, 200, "a blueprint's static folder under its prefix");
    ph_test_response_free(r);
    r = ph_client_get(c, "/static/../secret");
    cr_assert_eq(r->status, 404);
    ph_test_response_free(r);
    return 0;
}

Test(blueprint, app_and_blueprint_static_folders) {
    strcpy(sdir, "/tmp/phial-static-XXXXXX");
    cr_assert_not_null(mkdtemp(sdir));
    char path[128];
    snprintf(path, sizeof(path), "%s/app.css", sdir);
    FILE *f = fopen(path, "w");
    fputs("body{}", f);
    fclose(f);
    ph_app *app = ph_app_new("t");
    ph_config_set_str(app, "STATIC_FOLDER", sdir);
    ph_config_set_str(app, "STATIC_URL_PATH", "/static");
    ph_blueprint *admin = ph_blueprint_new("admin", .url_prefix = "/admin", .static_folder = sdir,
                                           .static_url_path = "/assets");
    cr_assert_eq(ph_register_blueprint(app, admin), 0);
    fw_run(app, body_static);
    ph_blueprint_free(admin);
    unlink(path);
    rmdir(sdir);
}
