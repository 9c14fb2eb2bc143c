/*
 * examples/notes — the pieces of the notes app and how they meet.
 *
 *   app.c       the app factory: config, hooks (current user, CSRF), error
 *               pages, blueprints, static files, commands
 *   main.c      the program: the app's command line
 *   auth.c      blueprint "auth" at /auth: register, log in, log out
 *   views.c     blueprint "notes" at /: the HTML pages of the notes
 *   api.c       blueprint "api" at /api: the same notes as JSON
 *   validate.c  form validation shared by the pages and the API
 *   db.c        storage in SQLite; every query runs on the thread pool
 *               (ph_to_thread), so the loop never waits for the disk
 *   password.c  PBKDF2 password hashes (also run on the thread pool)
 */
#ifndef NOTES_H
#define NOTES_H

#include <phial.h>

#include <stdbool.h>
#include <stdint.h>

/* ---- storage (db.c) ------------------------------------------------------ */

typedef struct notes_db notes_db;

/*
 * Open (creating if needed) the database at `path`, create the tables, and
 * add the demo account (demo/demo) when there is no user yet.
 *
 * Returns:  0; PH_EIO with the reason logged.
 * Suspends: yes (the work runs on the thread pool).
 */
int notes_db_open(const char *path, notes_db **out);
void notes_db_close(notes_db *db);

/* The database of this worker process, opened by the app's
 * before_first_request hook (app.c). */
notes_db *notes_db_get(void);

/* A new user. 0 with *id set; PH_EEXIST the name is taken; PH_EIO. Suspends: yes. */
int notes_user_create(notes_db *db, const char *username, const char *password, int64_t *id);

/* Check a name and password. 0 with *id set; PH_ENOTFOUND no such user or a
 * wrong password (the same answer for both); PH_EIO. Suspends: yes. */
int notes_user_login(notes_db *db, const char *username, const char *password, int64_t *id);

/* The user's notes, newest first, optionally only those whose title or body
 * contains `q`: a new JSON array of note objects, or NULL on error. Suspends: yes. */
json_t *notes_list(notes_db *db, int64_t user, const char *q);

/* One note of the user: a new JSON object; NULL with *rc PH_ENOTFOUND or PH_EIO. */
json_t *notes_get(notes_db *db, int64_t user, int64_t id, int *rc);

/* Create a note: 0 with *id set; PH_EIO. Suspends: yes. */
int notes_create(notes_db *db, int64_t user, const char *title, const char *body, int64_t *id);

/* Update or delete a note of the user: 0; PH_ENOTFOUND; PH_EIO. Suspends: yes. */
int notes_update(notes_db *db, int64_t user, int64_t id, const char *title, const char *body);
int notes_delete(notes_db *db, int64_t user, int64_t id);

/* ---- passwords (password.c); these block: call them on the thread pool -- */

/* "pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>" into `out` (>= 128 bytes). 0; PH_EIO. */
int notes_password_hash(const char *password, char *out, size_t outlen);
/* 1 when `password` matches `stored`, else 0. */
int notes_password_check(const char *password, const char *stored);

/* ---- validation (validate.c) --------------------------------------------- */

#define NOTES_TITLE_MAX 120
#define NOTES_BODY_MAX 10000

/* Check a note's fields; each problem goes into `errors` as field -> message.
 * Returns true when there is none. Trims nothing: the caller passes trimmed text. */
bool notes_validate_note(const char *title, const char *body, json_t *errors);
/* Check a new account's fields the same way. */
bool notes_validate_account(const char *username, const char *password, const char *confirm,
                            json_t *errors);
/* `s` without leading and trailing white space, in the request's arena ("" for NULL). */
const char *notes_trim(ph_request *req, const char *s);

/* ---- the app (app.c) ------------------------------------------------------ */

/* A new app with everything registered; NULL (the reason printed) on failure.
 * One at a time per process: the blueprints and the database are the
 * process's. */
ph_app *notes_create_app(void);
/* Free the app, its blueprints, and this process's database connection. */
void notes_app_free(ph_app *app);

/* The logged-in user's id, or 0 when nobody is logged in. */
int64_t notes_current_user(ph_request *req);

/* Blueprints; each file builds its own. */
ph_blueprint *notes_auth_blueprint(void);
ph_blueprint *notes_views_blueprint(void);
ph_blueprint *notes_api_blueprint(void);

#endif
