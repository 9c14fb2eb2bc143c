/*
 * The built-in `routes` command: the layout of `flask routes` (checked
 * against Flask 2.2's output for the same rules), each --sort order, and
 * --all-methods.
 */
#include "phial.h"

#include <criterion/criterion.h>
#include <string.h>

static ph_app *app;

static ph_response *view(ph_request *req) { return ph_text(req, 200, "x"); }

static void setup(void) {
    app = ph_app_new("demo");
    ph_route(app, "/", view, .endpoint = "index");
    ph_route(app, "/user/<int:id>", view, .methods = PH_GET | PH_POST | PH_DELETE,
             .endpoint = "user");
    ph_route(app, "/about", view, .endpoint = "about");
    ph_route(app, "/api/items", view, .methods = PH_PUT, .endpoint = "api.items");
}
static void teardown(void) { ph_app_free(app); }

TestSuite(cli_routes, .init = setup, .fini = teardown);

#define ARGS(...) ((const char *[]){__VA_ARGS__, NULL})

static void expect(const char *const *args, const char *out) {
    ph_cli_result *r = ph_cli_invoke_(app, args, NULL);
    cr_assert_eq(r->status, 0, "%s", r->err);
    cr_assert_str_eq(r->out, out);
    ph_cli_result_free(r);
}

/* What `flask routes` prints for the same rules and endpoints (Flask adds
 * the static route; so does phial, at the end of setup). */
Test(cli_routes, sorted_by_endpoint) {
    expect(ARGS("routes"), "Endpoint   Methods            Rule\n"
                           "---------  -----------------  -----------------------\n"
                           "about      GET                /about\n"
                           "api.items  PUT                /api/items\n"
                           "index      GET                /\n"
                           "static     GET                /static/<path:filename>\n"
                           "user       DELETE, GET, POST  /user/<int:id>\n");
}

Test(cli_routes, sorted_by_rule) {
    expect(ARGS("routes", "--sort", "rule"),
           "Endpoint   Methods            Rule\n"
           "---------  -----------------  -----------------------\n"
           "index      GET                /\n"
           "about      GET                /about\n"
           "api.items  PUT                /api/items\n"
           "static     GET                /static/<path:filename>\n"
           "user       DELETE, GET, POST  /user/<int:id>\n");
}

Test(cli_routes, sorted_by_methods) {
    expect(ARGS("routes", "-s", "methods"),
           "Endpoint   Methods            Rule\n"
           "---------  -----------------  -----------------------\n"
           "user       DELETE, GET, POST  /user/<int:id>\n"
           "static     GET                /static/<path:filename>\n"
           "index      GET                /\n"
           "about      GET                /about\n"
           "api.items  PUT                /api/items\n");
}

Test(cli_routes, in_match_order) {
    expect(ARGS("routes", "--sort=match"), "Endpoint   Methods            Rule\n"
                                           "---------  -----------------  -----------------------\n"
                                           "static     GET                /static/<path:filename>\n"
                                           "index      GET                /\n"
                                           "user       DELETE, GET, POST  /user/<int:id>\n"
                                           "about      GET                /about\n"
                                           "api.items  PUT                /api/items\n");
}

Test(cli_routes, all_methods) {
    expect(ARGS("routes", "--all-methods"),
           "Endpoint   Methods                           Rule\n"
           "---------  --------------------------------  -----------------------\n"
           "about      GET, HEAD, OPTIONS                /about\n"
           "api.items  OPTIONS, PUT                      /api/items\n"
           "index      GET, HEAD, OPTIONS                /\n"
           "static     GET, HEAD, OPTIONS                /static/<path:filename>\n"
           "user       DELETE, GET, HEAD, OPTIONS, POST  /user/<int:id>\n");
}

Test(cli_routes, without_a_static_folder) {
    ph_config_set_str(app, "STATIC_FOLDER", "");
    expect(ARGS("routes", "--sort", "rule"), "Endpoint   Methods            Rule\n"
                                             "---------  -----------------  --------------\n"
                                             "index      GET                /\n"
                                             "about      GET                /about\n"
                                             "api.items  PUT                /api/items\n"
                                             "user       DELETE, GET, POST  /user/<int:id>\n");
}

Test(cli_routes, bad_sort) {
    ph_cli_result *r = ph_cli_invoke(app, "routes", "--sort", "size");
    cr_assert_eq(r->status, 2);
    cr_assert(strstr(r->err, "Error: Invalid value for '-s' / '--sort': 'size' is not one of "
                             "'endpoint', 'methods', 'rule', 'match'.\n"));
    ph_cli_result_free(r);
}

Test(cli_routes, no_routes) {
    ph_app *empty = ph_app_new("empty");
    json_object_set_new(ph_app_config(empty), "STATIC_FOLDER", json_null());
    ph_cli_result *r = ph_cli_invoke(empty, "routes");
    cr_assert_str_eq(r->out, "No routes were registered.\n");
    ph_cli_result_free(r);
    ph_app_free(empty);
}
