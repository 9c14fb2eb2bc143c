/*
 * The "api" blueprint, at /api: the notes as JSON, for scripts and other
 * programs, next to the HTML pages and sharing their storage, validation and
 * login (the session cookie). Errors are JSON too: the app's error handler
 * answers {"status", "error", "message"} for any path under /api/, and a
 * failed validation answers 422 with a message per field.
 *
 *   GET    /api/me               {"id", "username"}
 *   GET    /api/notes            {"notes": [...]}  (?q= searches)
 *   POST   /api/notes            {"title", "body"} -> 201 and the note
 *   GET    /api/notes/<id>       the note
 *   PUT    /api/notes/<id>       {"title", "body"} -> the note
 *   DELETE /api/notes/<id>       204
 */
#include "notes.h"

#include <string.h>

/* A failed validation: its own error kind, handled by this blueprint. */
static const ph_error_kind VALIDATION_ERROR = {"ValidationError", 422, &PH_HTTP_ERROR};

static ph_response *require_login(ph_request *req) {
    if (notes_current_user(req))
        return NULL;
    return ph_abort_msg(req, 401,
                        "Log in first: POST the login form at /auth/login, then "
                        "send the session cookie.");
}

static ph_response *validation_failed(ph_request *req, const ph_error *err) {
    json_t *fields = ph_g() ? json_object_get(ph_g(), "errors") : NULL;
    return ph_json_response(req, 422,
                            json_pack("{s:i, s:s, s:s, s:O}", "status", 422, "error",
                                      "Unprocessable Entity", "message", err->message, "fields",
                                      fields ? fields : json_object()));
}

static ph_response *me(ph_request *req) {
    return ph_jsonify(req, json_pack("{s:I, s:O}", "id", (json_int_t)notes_current_user(req),
                                     "username", ph_session_get(req, "username")));
}

static ph_response *list(ph_request *req) {
    json_t *notes = notes_list(notes_db_get(), notes_current_user(req),
                               notes_trim(req, ph_request_arg(req, "q")));
    if (!notes)
        return ph_abort(req, 500);
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n) json_object_del(n, "updated_human"); /* for the pages only */
    return ph_jsonify(req, json_pack("{s:o}", "notes", notes));
}

/*
 * Title and body of a JSON body, validated. Returns false with the error
 * recorded: 400 (not JSON, from ph_request_json) or the validation error
 * with its fields kept in `g` for the handler.
 */
static bool read_note(ph_request *req, const char **title, const char **body) {
    json_t *in = ph_request_json(req);
    if (!in)
        return false;
    json_t *t = json_object_get(in, "title"), *b = json_object_get(in, "body");
    json_t *errors = json_object();
    if (!json_is_object(in))
        json_object_set_new(errors, "", json_string("Send a JSON object."));
    if (t && !json_is_string(t))
        json_object_set_new(errors, "title", json_string("The title must be a string."));
    if (b && !json_is_string(b))
        json_object_set_new(errors, "body", json_string("The body must be a string."));
    *title = notes_trim(req, json_string_value(t));
    *body = notes_trim(req, json_string_value(b));
    notes_validate_note(*title, *body, errors);
    if (json_object_size(errors) == 0) {
        json_decref(errors);
        return true;
    }
    json_object_set_new(ph_g(), "errors", errors);
    ph_fail(req, &VALIDATION_ERROR, "The note is not valid.");
    return false;
}

static ph_response *one(ph_request *req, int64_t id, int status) {
    int rc;
    json_t *note = notes_get(notes_db_get(), notes_current_user(req), id, &rc);
    if (!note)
        return ph_abort(req, rc == PH_ENOTFOUND ? 404 : 500);
    json_object_del(note, "updated_human");
    ph_response *resp = ph_json_response(req, status, note);
    if (resp && status == 201) {
        const char *url =
            ph_url_for(req, ".note", .values = json_pack("{s:I}", "id", (json_int_t)id));
        if (url)
            ph_response_set_header(resp, "Location", url);
    }
    return resp;
}

static ph_response *create(ph_request *req) {
    const char *title, *body;
    if (!read_note(req, &title, &body))
        return NULL;
    int64_t id;
    if (notes_create(notes_db_get(), notes_current_user(req), title, body, &id) < 0)
        return ph_abort(req, 500);
    return one(req, id, 201);
}

static ph_response *note(ph_request *req) {
    int64_t id = 0;
    ph_view_arg_int(req, "id", &id);
    const char *m = ph_request_method(req);
    if (!strcmp(m, "GET") || !strcmp(m, "HEAD"))
        return one(req, id, 200);
    if (!strcmp(m, "DELETE")) {
        int rc = notes_delete(notes_db_get(), notes_current_user(req), id);
        if (rc < 0)
            return ph_abort(req, rc == PH_ENOTFOUND ? 404 : 500);
        return ph_response_new(req, 204, "", 0, NULL);
    }
    const char *title, *body;
    if (!read_note(req, &title, &body))
        return NULL;
    int rc = notes_update(notes_db_get(), notes_current_user(req), id, title, body);
    if (rc < 0)
        return ph_abort(req, rc == PH_ENOTFOUND ? 404 : 500);
    return one(req, id, 200);
}

ph_blueprint *notes_api_blueprint(void) {
    ph_blueprint *bp = ph_blueprint_new("api", .url_prefix = "/api");
    if (!bp)
        return NULL;
    int rc = ph_bp_before_request(bp, require_login);
    if (rc == 0)
        rc = ph_bp_errorhandler_kind(bp, &VALIDATION_ERROR, validation_failed);
    if (rc == 0)
        rc = ph_bp_route(bp, "/me", me);
    if (rc == 0)
        rc = ph_bp_route(bp, "/notes", list, .endpoint = "notes");
    if (rc == 0)
        rc = ph_bp_route(bp, "/notes", create, .methods = PH_POST, .endpoint = "create");
    if (rc == 0)
        rc = ph_bp_route(bp, "/notes/<int:id>", note, .methods = PH_GET | PH_PUT | PH_DELETE);
    if (rc < 0) {
        ph_blueprint_free(bp);
        return NULL;
    }
    return bp;
}
