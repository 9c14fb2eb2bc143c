/*
 * The "auth" blueprint, at /auth: create an account, log in, log out.
 *
 * A login keeps the user's id and name in the signed session cookie (Flask's
 * default session). Passwords are checked on the thread pool (db.c), since
 * PBKDF2 is slow on purpose. After a login the user goes back to the page
 * that asked for it (?next=), but only to a path on this site, so the login
 * page cannot be used to bounce people elsewhere.
 */
#include "notes.h"

#include <string.h>

/*
 * A `next` that stays on this site: a path, not "//host" or "/\\host", and
 * with no control character or backslash anywhere, since browsers drop tabs
 * and newlines from URLs ("/\t/host" would become "//host").
 */
static bool local_path(const char *p) {
    if (!p || p[0] != '/' || p[1] == '/')
        return false;
    for (; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
            return false;
    return true;
}

static const char *safe_next(ph_request *req) {
    const char *next = ph_request_form(req, "next");
    if (!next)
        next = ph_request_arg(req, "next");
    return local_path(next) ? next : ph_url_for(req, "notes.index");
}

static void log_in(ph_request *req, int64_t id, const char *username) {
    /* A fresh session on login: nothing from before survives but the CSRF token. */
    json_t *csrf = json_incref(ph_session_get(req, "_csrf"));
    ph_session_clear(req);
    if (csrf)
        ph_session_set(req, "_csrf", csrf);
    ph_session_set(req, "user_id", json_integer(id));
    ph_session_set(req, "username", json_string(username));
    ph_session_set_permanent(req, true);
}

static ph_response *login(ph_request *req) {
    json_t *ctx = json_pack("{s:s, s:s, s:{}}", "next", safe_next(req), "username", "", "errors");
    if (!strcmp(ph_request_method(req), "POST")) {
        const char *username = notes_trim(req, ph_request_form(req, "username"));
        const char *password = ph_request_form(req, "password");
        json_object_set_new(ctx, "username", json_string(username));
        int64_t id = 0;
        int rc = *username && password ? notes_user_login(notes_db_get(), username, password, &id)
                                       : PH_ENOTFOUND;
        if (rc == 0) {
            log_in(req, id, username);
            ph_flash(req, "Welcome back, you are logged in.", "success");
            json_decref(ctx);
            return ph_redirect(req, safe_next(req), 303);
        }
        json_decref(ctx);
        if (rc != PH_ENOTFOUND)
            return ph_abort(req, 500);
        ctx = json_pack("{s:s, s:s, s:{}}", "next", safe_next(req), "username", username, "errors");
        ph_flash(req, "Wrong user name or password.", "error");
        ph_response *resp = ph_render_template(req, "auth/login.html", ctx);
        if (resp)
            ph_response_set_status(resp, 401);
        return resp;
    }
    return ph_render_template(req, "auth/login.html", ctx);
}

static ph_response *reg(ph_request *req) {
    if (notes_current_user(req))
        return ph_redirect(req, ph_url_for(req, "notes.index"), 0);
    if (strcmp(ph_request_method(req), "POST"))
        return ph_render_template(req, "auth/register.html",
                                  json_pack("{s:s, s:{}}", "username", "", "errors"));
    const char *username = notes_trim(req, ph_request_form(req, "username"));
    const char *password = ph_request_form(req, "password");
    const char *confirm = ph_request_form(req, "confirm");
    json_t *errors = json_object();
    int64_t id = 0;
    if (notes_validate_account(username, password, confirm, errors)) {
        int rc = notes_user_create(notes_db_get(), username, password, &id);
        if (rc == PH_EEXIST)
            json_object_set_new(errors, "username", json_string("That name is taken."));
        else if (rc < 0) {
            json_decref(errors);
            return ph_abort(req, 500);
        }
    }
    if (json_object_size(errors) == 0) {
        json_decref(errors);
        log_in(req, id, username);
        ph_flash(req, "Your account is ready. Write your first note!", "success");
        return ph_redirect(req, ph_url_for(req, "notes.index"), 303);
    }
    ph_response *resp = ph_render_template(
        req, "auth/register.html", json_pack("{s:s, s:o}", "username", username, "errors", errors));
    if (resp)
        ph_response_set_status(resp, 400);
    return resp;
}

static ph_response *logout(ph_request *req) {
    ph_session_clear(req);
    ph_flash(req, "You have been logged out.", "info");
    return ph_redirect(req, ph_url_for(req, "auth.login"), 303);
}

ph_blueprint *notes_auth_blueprint(void) {
    ph_blueprint *bp = ph_blueprint_new("auth", .url_prefix = "/auth");
    if (!bp)
        return NULL;
    int rc = ph_bp_route(bp, "/login", login, .methods = PH_GET | PH_POST);
    if (rc == 0)
        rc = ph_bp_route(bp, "/register", reg, .methods = PH_GET | PH_POST, .endpoint = "register");
    if (rc == 0)
        rc = ph_bp_route(bp, "/logout", logout, .methods = PH_POST);
    if (rc < 0) {
        ph_blueprint_free(bp);
        return NULL;
    }
    return bp;
}
