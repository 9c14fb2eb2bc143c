/* Sessions and flashing through the test client. */
#include "fw.h"

#include <string.h>

static ph_response *set_view(ph_request *req) {
    ph_session_set(req, "user", json_string(ph_request_arg(req, "u")));
    ph_flash(req, "logged in", "info");
    return ph_text(req, 200, "ok");
}

static ph_response *get_view(ph_request *req) {
    json_t *u = ph_session_get(req, "user");
    json_t *msgs = ph_get_flashed_messages(req, true, NULL);
    char *m = json_dumps(msgs, JSON_COMPACT);
    ph_response *r = ph_text(req, 200, ph_request_printf(req, "%s %s", u ? json_string_value(u) : "-", m));
    free(m);
    json_decref(msgs);
    return r;
}

static ph_response *clear_view(ph_request *req) {
    ph_session_clear(req);
    return ph_text(req, 200, "cleared");
}

static ph_response *plain_view(ph_request *req) { return ph_text(req, 200, "plain"); }

static int body_session(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/plain");
    cr_assert_null(ph_test_response_header(r, "Set-Cookie"), "untouched session sends nothing");
    cr_assert_null(ph_test_response_header(r, "Vary"));
    ph_test_response_free(r);
    r = ph_client_get(c, "/set?u=ada");
    const char *sc = ph_test_response_header(r, "Set-Cookie");
    cr_assert_not_null(sc);
    cr_assert(strncmp(sc, "session=", 8) == 0);
    cr_assert(strstr(sc, "HttpOnly") && strstr(sc, "Path=/"), "%s", sc);
    cr_assert_str_eq(ph_test_response_header(r, "Vary"), "Cookie");
    ph_test_response_free(r);
    r = ph_client_get(c, "/get");
    cr_assert_str_eq(r->body, "ada [[\"info\",\"logged in\"]]");
    cr_assert_not_null(ph_test_response_header(r, "Set-Cookie"), "flashes were taken out");
    ph_test_response_free(r);
    r = ph_client_get(c, "/get");
    cr_assert_str_eq(r->body, "ada []", "a flash shows once");
    cr_assert_null(ph_test_response_header(r, "Set-Cookie"), "unchanged: no cookie");
    cr_assert_str_eq(ph_test_response_header(r, "Vary"), "Cookie", "read: Vary");
    ph_test_response_free(r);
    ph_test_client_set_cookie(c, "session", "tampered.value.here");
    r = ph_client_get(c, "/get");
    cr_assert_eq(r->status, 200, "a bad cookie is an empty session, not an error");
    cr_assert_str_eq(r->body, "- []");
    ph_test_response_free(r);
    return 0;
}

Test(session, set_read_flash_and_tamper) {
    ph_app *app = ph_app_new("t");
    ph_config_set_str(app, "SECRET_KEY", "dev");
    ph_route(app, "/set", set_view);
    ph_route(app, "/get", get_view);
    ph_route(app, "/clear", clear_view);
    ph_route(app, "/plain", plain_view);
    fw_run(app, body_session);
}

static int body_nokey(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/set?u=x");
    cr_assert_eq(r->status, 500, "writing a session without SECRET_KEY is an error");
    ph_test_response_free(r);
    return 0;
}

Test(session, missing_secret_key_on_write_is_500) {
    ph_app *app = ph_app_new("t");
    ph_route(app, "/set", set_view);
    fw_run(app, body_nokey);
}

/* ---- refreshing a permanent session ----------------------------------------
 * Flask opens the session on every request: with SESSION_REFRESH_EACH_REQUEST
 * (the default) a permanent session goes out again with a later expiry even
 * from a view that never uses it; a session that is not permanent does not,
 * nor does any with the option off. */

static ph_response *permanent_view(ph_request *req) {
    ph_session_set(req, "user", json_string("ada"));
    ph_session_set_permanent(req, ph_request_arg(req, "p") != NULL);
    return ph_text(req, 200, "set");
}

static int body_refresh(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/perm?p=1");
    cr_assert(strstr(ph_test_response_header(r, "Set-Cookie"), "Expires="));
    ph_test_response_free(r);
    r = ph_client_get(c, "/plain");
    const char *sc = ph_test_response_header(r, "Set-Cookie");
    cr_assert_not_null(sc, "a permanent session is sent again by a view that does not use it");
    cr_assert(strncmp(sc, "session=", 8) == 0 && strstr(sc, "Expires="), "%s", sc);
    cr_assert_str_eq(ph_test_response_header(r, "Vary"), "Cookie");
    ph_test_response_free(r);
    r = ph_client_get(c, "/get");
    cr_assert_str_eq(r->body, "ada []", "the refreshed cookie still holds the session");
    ph_test_response_free(r);
    r = ph_client_get(c, "/perm");
    ph_test_response_free(r);
    r = ph_client_get(c, "/plain");
    cr_assert_null(ph_test_response_header(r, "Set-Cookie"), "not permanent: nothing to refresh");
    cr_assert_null(ph_test_response_header(r, "Vary"));
    ph_test_response_free(r);
    r = ph_client_get(c, "/perm?p=1");
    ph_test_response_free(r);
    ph_config_set_bool(app, "SESSION_REFRESH_EACH_REQUEST", false);
    r = ph_client_get(c, "/plain");
    cr_assert_null(ph_test_response_header(r, "Set-Cookie"), "refreshing turned off");
    ph_test_response_free(r);
    ph_config_set_bool(app, "SESSION_REFRESH_EACH_REQUEST", true);
    ph_test_client_set_cookie(c, "session", "tampered.value.here");
    r = ph_client_get(c, "/plain");
    cr_assert_eq(r->status, 200);
    cr_assert_null(ph_test_response_header(r, "Set-Cookie"), "a bad cookie: nothing to refresh");
    ph_test_response_free(r);
    return 0;
}

Test(session, permanent_session_is_refreshed_on_every_request) {
    ph_app *app = ph_app_new("t");
    ph_config_set_str(app, "SECRET_KEY", "dev");
    ph_route(app, "/perm", permanent_view);
    ph_route(app, "/get", get_view);
    ph_route(app, "/plain", plain_view);
    fw_run(app, body_refresh);
}
