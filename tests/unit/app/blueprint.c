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
    ph_bp_route(auth, "/login", login); /* the endpoint is the view's name: "auth.login" */
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

static int app_wide_hits, scoped_teardowns, app_teardowns;
static ph_response *count_app_wide(ph_request *req) {
    app_wide_hits++;
    return NULL;
}
static void td_scoped(ph_request *req, const ph_error *e) { scoped_teardowns++; }
static void td_app(ph_request *req, const ph_error *e) { app_teardowns++; }
static ph_response *not_found_page(ph_request *req, const ph_error *e) {
    return ph_text(req, 404, "bp-registered app-wide 404");
}
static const ph_error_kind BP_KIND = {"BpError", 409, NULL};
static ph_response *kind_view(ph_request *req) { return ph_fail(req, &BP_KIND, "conflict"); }
static ph_response *kind_handler(ph_request *req, const ph_error *e) {
    return ph_text(req, 409, ph_request_printf(req, "handled %s: %s", e->kind->name, e->message));
}
static ph_response *tmpl_view(ph_request *req) {
    return ph_render_template(req, "bp_page.html", json_pack("{s:s}", "x", "y"));
}
static ph_response *after_scoped(ph_request *req, ph_response *r) {
    ph_response_set_header(r, "X-Scoped", "yes");
    return r;
}

static int body_app_wide(ph_app *app, ph_test_client *c) {
    app_wide_hits = scoped_teardowns = app_teardowns = 0;
    ph_test_response *r = ph_client_get(c, "/plain");
    cr_assert_eq(app_wide_hits, 1, "before_app_request from a blueprint runs for app routes");
    cr_assert_eq(scoped_teardowns, 0);
    cr_assert_eq(app_teardowns, 1, "teardown_app_request runs for every request");
    cr_assert_null(ph_test_response_header(r, "X-Scoped"));
    ph_test_response_free(r);
    r = ph_client_get(c, "/missing");
    cr_assert_str_eq(r->body, "bp-registered app-wide 404");
    ph_test_response_free(r);
    r = ph_client_get(c, "/b/kind");
    cr_assert_eq(r->status, 409);
    cr_assert_str_eq(r->body, "handled BpError: conflict");
    cr_assert_str_eq(ph_test_response_header(r, "X-Scoped"), "yes");
    cr_assert_eq(scoped_teardowns, 1, "a blueprint's teardown runs for its routes");
    ph_test_response_free(r);
    r = ph_client_get(c, "/b/tmpl");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(r->body, "bp template y");
    ph_test_response_free(r);
    return 0;
}

static ph_response *plain(ph_request *req) { return ph_text(req, 200, "plain"); }

Test(blueprint, app_wide_variants_kind_handlers_and_template_folder) {
    char tdir[64] = "/tmp/phial-bptmpl-XXXXXX";
    cr_assert_not_null(mkdtemp(tdir));
    char path[128];
    snprintf(path, sizeof(path), "%s/bp_page.html", tdir);
    FILE *f = fopen(path, "w");
    fputs("bp template {{ x }}", f);
    fclose(f);
    ph_app *app = ph_app_new("t");
    ph_route(app, "/plain", plain);
    ph_blueprint *b = ph_blueprint_new("b", .url_prefix = "/b", .template_folder = tdir);
    ph_bp_route(b, "/kind", kind_view, .endpoint = "kind");
    ph_bp_route(b, "/tmpl", tmpl_view, .endpoint = "tmpl");
    ph_bp_before_app_request(b, count_app_wide);
    ph_bp_teardown_request(b, td_scoped);
    ph_bp_teardown_app_request(b, td_app);
    ph_bp_app_errorhandler(b, 404, not_found_page);
    ph_bp_errorhandler_kind(b, &BP_KIND, kind_handler);
    ph_bp_after_request(b, after_scoped);
    cr_assert_eq(ph_register_blueprint(app, b), 0);
    fw_run(app, body_app_wide);
    ph_blueprint_free(b);
    unlink(path);
    rmdir(tdir);
}
