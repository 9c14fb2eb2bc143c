/* render_template: files loaded in the request's task, Flask's context names. */
#include "fw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];

/* Write `text` to d/name; the path goes to `path` (may be NULL). */
static void write_in(const char *d, const char *name, const char *text, char path[256]) {
    char own[256];
    char *p = path ? path : own;
    snprintf(p, 256, "%s/%s", d, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void write_file(const char *name, const char *text) { write_in(dir, name, text, NULL); }

static ph_response *page(ph_request *req) {
    ph_flash(req, "saved", "info");
    return ph_render_template(req, "page.html", json_pack("{s:s}", "name", "<world>"));
}

static ph_response *inline_view(ph_request *req) {
    return ph_render_template_string(
        req,
        "{{ request.method }} {{ request.path }} {{ request.args.q }} {{ url_for('show', id=3, x='y') }} "
        "{{ config.APP_TITLE }} {{ g.who }} {{ get_flashed_messages(with_categories=true)|length }}",
        NULL);
}

static ph_response *show(ph_request *req) { return ph_text(req, 200, "show"); }

static ph_response *missing(ph_request *req) {
    return ph_render_template(req, "nope.html", NULL);
}

static ph_response *set_g(ph_request *req) {
    json_object_set_new(ph_g(), "who", json_string("gee"));
    return NULL;
}

static int body_render(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/page");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "<h1>Hello &lt;world&gt;!</h1>\n<p>info: saved</p>");
    cr_assert_str_eq(ph_test_response_header(r, "Content-Type"), "text/html; charset=utf-8");
    ph_test_response_free(r);
    r = ph_client_get(c, "/inline?q=42");
    cr_assert_str_eq(r->body, "GET /inline 42 /show/3?x=y Notes gee 0");
    ph_test_response_free(r);
    r = ph_client_get(c, "/missing");
    cr_assert_eq(r->status, 500, "a missing template is a 500");
    ph_test_response_free(r);
    return 0;
}

Test(render, templates_see_flask_context_and_files_load_in_task) {
    strcpy(dir, "/tmp/phial-tmpl-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    write_file("base.html", "<h1>{% block title %}{% endblock %}</h1>\n{% block body %}{% endblock %}");
    write_file("page.html", "{% extends 'base.html' %}{% block title %}Hello {{ name }}!{% endblock %}"
                            "{% block body %}{% for c, m in get_flashed_messages(with_categories=true) %}"
                            "<p>{{ c }}: {{ m }}</p>{% endfor %}{% endblock %}");
    ph_app *app = ph_app_new("t");
    ph_config_set_str(app, "SECRET_KEY", "k");
    ph_config_set_str(app, "TEMPLATE_FOLDER", dir);
    ph_config_set_str(app, "APP_TITLE", "Notes");
    ph_before_request(app, set_g);
    ph_route(app, "/page", page);
    ph_route(app, "/inline", inline_view);
    ph_route(app, "/show/<int:id>", show, .endpoint = "show");
    ph_route(app, "/missing", missing);
    fw_run(app, body_render);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- the environment asked for during setup -------------------------------
 * Setup may ask for the environment (to add a filter) before the
 * configuration is final and before its blueprints are registered: the
 * folders and auto-reload still come from the configuration as it is at the
 * first render. */

static char bpdir[64];

static json_t *shout(json_t *v, json_t *args, void *ud, int *safe) {
    return json_pack("s+", json_string_value(v), "!");
}

static ph_response *early_page(ph_request *req) {
    return ph_render_template(req, "early.html", json_pack("{s:s}", "who", "you"));
}

static ph_response *bp_page(ph_request *req) {
    return ph_render_template(req, "from_bp.html", NULL);
}

/* write_in, with the file's time moved `ahead` seconds (a change the cache
 * sees even within the file system's time resolution). */
static void touch_later(const char *d, const char *name, const char *text, long ahead) {
    char path[256];
    write_in(d, name, text, path);
    struct timespec ts[2];
    clock_gettime(CLOCK_REALTIME, &ts[0]);
    ts[0].tv_sec += ahead;
    ts[1] = ts[0];
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static int body_early(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/early");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "hello you!");
    ph_test_response_free(r);
    r = ph_client_get(c, "/bp/page");
    cr_assert_eq(r->status, 200, "a blueprint registered after the environment was made");
    cr_assert_str_eq(r->body, "from the blueprint");
    ph_test_response_free(r);
    /* DEBUG, set after the environment was made, turns auto-reload on */
    touch_later(dir, "early.html", "changed {{ who|shout }}", 10);
    r = ph_client_get(c, "/early");
    cr_assert_str_eq(r->body, "changed you!");
    ph_test_response_free(r);
    return 0;
}

Test(render, environment_asked_for_early_takes_the_final_configuration) {
    strcpy(dir, "/tmp/phial-tmpl-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    strcpy(bpdir, "/tmp/phial-tmplbp-XXXXXX");
    cr_assert_not_null(mkdtemp(bpdir));
    write_file("early.html", "hello {{ who|shout }}");
    touch_later(bpdir, "from_bp.html", "from the blueprint", 0);
    ph_app *app = ph_app_new("t");
    ph_tmpl_env *env = ph_app_template_env(app);
    cr_assert_not_null(env);
    cr_assert_eq(ph_tmpl_env_add_filter(env, "shout", shout, NULL), 0);
    /* what ph_app_main does later: PHIAL_TEMPLATE_FOLDER, run --debug */
    ph_config_set_str(app, "TEMPLATE_FOLDER", dir);
    ph_config_set_bool(app, "DEBUG", true);
    ph_route(app, "/early", early_page);
    ph_blueprint *b = ph_blueprint_new("b", .url_prefix = "/bp", .template_folder = bpdir);
    ph_bp_route(b, "/page", bp_page);
    cr_assert_eq(ph_register_blueprint(app, b), 0);
    fw_run(app, body_early);
    ph_blueprint_free(b);
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, bpdir);
    cr_assert_eq(system(cmd), 0);
}
