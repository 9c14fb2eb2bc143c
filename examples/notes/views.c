/*
 * The "notes" blueprint, at /: the HTML pages. Every page needs a login (the
 * blueprint's before_request hook sends visitors to the login page and back).
 *
 *   GET  /                      the notes, newest first (?q= searches)
 *   GET  /notes/new             the form for a new note; POST saves it
 *   GET  /notes/<id>            one note
 *   GET  /notes/<id>/edit       the form to change it; POST saves it
 *   POST /notes/<id>/delete     delete it
 *
 * Forms follow the usual pattern: on POST validate; on success flash a
 * message and redirect (303, so a reload does not post again); on failure
 * render the form again with the user's input and a message per field.
 */
#include "notes.h"

#include <string.h>

static ph_response *require_login(ph_request *req) {
    if (notes_current_user(req))
        return NULL;
    ph_flash(req, "Please log in to see your notes.", "info");
    /* Werkzeug's full_path ends in '?' even without a query; leave it out then. */
    const char *here =
        *ph_request_query_string(req) ? ph_request_full_path(req) : ph_request_path(req);
    const char *login = ph_url_for(req, "auth.login", .values = json_pack("{s:s}", "next", here));
    return ph_redirect(req, login, 0);
}

static bool is_post(ph_request *req) { return strcmp(ph_request_method(req), "POST") == 0; }

static ph_response *index_view(ph_request *req) {
    const char *q = notes_trim(req, ph_request_arg(req, "q"));
    json_t *notes = notes_list(notes_db_get(), notes_current_user(req), q);
    if (!notes)
        return ph_abort(req, 500);
    return ph_render_template(req, "notes/index.html",
                              json_pack("{s:o, s:s}", "notes", notes, "q", q));
}

/* The note named by the URL, or NULL with a 404 (or 500) recorded. */
static json_t *load_note(ph_request *req, int64_t *id) {
    int rc = PH_ENOTFOUND;
    json_t *note = NULL;
    if (ph_view_arg_int(req, "id", id) == 0)
        note = notes_get(notes_db_get(), notes_current_user(req), *id, &rc);
    if (!note)
        ph_abort(req, rc == PH_ENOTFOUND ? 404 : 500);
    return note;
}

/* The form, again, with what the user typed and what is wrong with it. */
static ph_response *form_again(ph_request *req, json_t *note, json_t *errors) {
    ph_response *resp = ph_render_template(req, "notes/form.html",
                                           json_pack("{s:o, s:o}", "note", note, "errors", errors));
    if (resp)
        ph_response_set_status(resp, 400);
    return resp;
}

static ph_response *new_view(ph_request *req) {
    if (!is_post(req))
        return ph_render_template(
            req, "notes/form.html",
            json_pack("{s:{s:s, s:s}, s:{}}", "note", "title", "", "body", "", "errors"));
    const char *title = notes_trim(req, ph_request_form(req, "title"));
    const char *body = notes_trim(req, ph_request_form(req, "body"));
    json_t *errors = json_object();
    if (!notes_validate_note(title, body, errors))
        return form_again(req, json_pack("{s:s, s:s}", "title", title, "body", body), errors);
    json_decref(errors);
    int64_t id;
    if (notes_create(notes_db_get(), notes_current_user(req), title, body, &id) < 0)
        return ph_abort(req, 500);
    ph_flash(req, ph_request_printf(req, "Note \u201c%s\u201d added.", title), "success");
    return ph_redirect(req, ph_url_for(req, ".index"), 303);
}

static ph_response *show_view(ph_request *req) {
    int64_t id;
    json_t *note = load_note(req, &id);
    return note ? ph_render_template(req, "notes/show.html", json_pack("{s:o}", "note", note))
                : NULL;
}

static ph_response *edit_view(ph_request *req) {
    int64_t id;
    json_t *note = load_note(req, &id);
    if (!note)
        return NULL;
    if (!is_post(req))
        return ph_render_template(req, "notes/form.html",
                                  json_pack("{s:o, s:{}}", "note", note, "errors"));
    const char *title = notes_trim(req, ph_request_form(req, "title"));
    const char *body = notes_trim(req, ph_request_form(req, "body"));
    json_object_set_new(note, "title", json_string(title));
    json_object_set_new(note, "body", json_string(body));
    json_t *errors = json_object();
    if (!notes_validate_note(title, body, errors))
        return form_again(req, note, errors);
    json_decref(errors);
    json_decref(note);
    int rc = notes_update(notes_db_get(), notes_current_user(req), id, title, body);
    if (rc < 0)
        return ph_abort(req, rc == PH_ENOTFOUND ? 404 : 500);
    ph_flash(req, "Note saved.", "success");
    return ph_redirect(
        req, ph_url_for(req, ".show", .values = json_pack("{s:I}", "id", (json_int_t)id)), 303);
}

static ph_response *delete_view(ph_request *req) {
    int64_t id;
    json_t *note = load_note(req, &id);
    if (!note)
        return NULL;
    int rc = notes_delete(notes_db_get(), notes_current_user(req), id);
    if (rc < 0) {
        json_decref(note);
        return ph_abort(req, rc == PH_ENOTFOUND ? 404 : 500);
    }
    ph_flash(req,
             ph_request_printf(req, "Note \u201c%s\u201d deleted.",
                               json_string_value(json_object_get(note, "title"))),
             "info");
    json_decref(note);
    return ph_redirect(req, ph_url_for(req, ".index"), 303);
}

ph_blueprint *notes_views_blueprint(void) {
    ph_blueprint *bp = ph_blueprint_new("notes");
    if (!bp)
        return NULL;
    int rc = ph_bp_before_request(bp, require_login);
    if (rc == 0)
        rc = ph_bp_route(bp, "/", index_view, .endpoint = "index");
    if (rc == 0)
        rc =
            ph_bp_route(bp, "/notes/new", new_view, .methods = PH_GET | PH_POST, .endpoint = "new");
    if (rc == 0)
        rc = ph_bp_route(bp, "/notes/<int:id>", show_view, .endpoint = "show");
    if (rc == 0)
        rc = ph_bp_route(bp, "/notes/<int:id>/edit", edit_view, .methods = PH_GET | PH_POST,
                         .endpoint = "edit");
    if (rc == 0)
        rc = ph_bp_route(bp, "/notes/<int:id>/delete", delete_view, .methods = PH_POST,
                         .endpoint = "delete");
    if (rc < 0) {
        ph_blueprint_free(bp);
        return NULL;
    }
    return bp;
}
