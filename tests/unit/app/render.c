/* render_template: files loaded in the request's task, Flask's context names. */
#include "fw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void write_file(const char *name, const char *text) {
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

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
