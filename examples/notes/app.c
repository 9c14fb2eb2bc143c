/*
 * examples/notes — a small but complete phial app: notes behind a login.
 *
 * It shows the framework the way a Flask app uses Flask: blueprints (auth,
 * the pages, a JSON API next to them), cookie sessions with login and
 * logout, forms validated on the server with flashed messages, Jinja
 * templates that extend a base layout, a static stylesheet, error pages
 * (HTML, or JSON under /api/), and SQLite storage whose every query runs on
 * the thread pool (db.c) so the loop never blocks.
 *
 * This file is the app factory (Flask's create_app; main.c and the tests
 * call it): config (defaults, then PHIAL_* environment variables), the hooks
 * every request goes through (the current user into `g`, the CSRF check of
 * HTML forms), the error handlers, the blueprints and the commands.
 *
 *   ./notes run --port 8000          serve (see ./notes run --help)
 *   ./notes adduser alice -p secret  create an account
 *   ./notes routes                   list the URL rules
 *   PHIAL_DATABASE=/srv/notes.db ./notes run
 *
 * A demo account, demo / demo, is created in an empty database.
 */
#include "notes.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One connection per worker process: opened by the before_first_request hook,
 * which runs in each worker after the fork (SQLite handles must not cross a
 * fork). */
static notes_db *worker_db;

notes_db *notes_db_get(void) { return worker_db; }

/* No SECRET_KEY was configured: one was made up at start (see configure()). */
static bool random_key;

static int open_database(ph_app *app) {
    if (random_key)
        ph_app_log(app, PH_LOG_WARNING,
                   "PHIAL_SECRET_KEY is not set: using a random key; "
                   "logins end when the server restarts");
    const char *path = ph_config_str(app, "DATABASE", "notes.db");
    int rc = notes_db_open(path, &worker_db);
    if (rc < 0)
        ph_app_log(app, PH_LOG_ERROR, "cannot open the database %s: %s", path, ph_strerror(rc));
    else
        ph_app_log(app, PH_LOG_INFO, "database: %s", path);
    return rc;
}

int64_t notes_current_user(ph_request *req) {
    return json_integer_value(ph_session_get(req, "user_id"));
}

/* ---- CSRF: a random token in the session, echoed by every HTML form ---------- */

static void random_hex(char *out, size_t nbytes) {
    unsigned char raw[32];
    static const char digits[] = "0123456789abcdef";
    if (nbytes > sizeof(raw))
        nbytes = sizeof(raw);
    if (RAND_bytes(raw, (int)nbytes) != 1)
        memset(raw, 0, sizeof(raw)); /* cannot happen with a seeded OpenSSL */
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = digits[raw[i] >> 4];
        out[2 * i + 1] = digits[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
}

static const char *csrf_token(ph_request *req) {
    const char *token = json_string_value(ph_session_get(req, "_csrf"));
    if (!token) {
        char fresh[65];
        random_hex(fresh, 32);
        ph_session_set(req, "_csrf", json_string(fresh));
        token = json_string_value(ph_session_get(req, "_csrf"));
    }
    return token;
}

/* Templates see csrf_token (Flask-WTF's csrf_token(), as a value). */
static json_t *csrf_context(void *ud, void *user) {
    ph_request *req = user;
    const char *t = req ? csrf_token(req) : NULL;
    return t ? json_pack("{s:s}", "csrf_token", t) : json_object();
}

static bool unsafe_method(const char *m) {
    return strcmp(m, "GET") && strcmp(m, "HEAD") && strcmp(m, "OPTIONS");
}

static bool is_api(ph_request *req) { return strncmp(ph_request_path(req), "/api/", 5) == 0; }

/* ---- hooks ----------------------------------------------------------------- */

/* Put the logged-in user in `g` for templates and views (Flask's load_user). */
static ph_response *load_user(ph_request *req) {
    json_t *id = ph_session_get(req, "user_id"), *name = ph_session_get(req, "username");
    json_t *g = ph_g();
    if (g && json_is_integer(id) && json_is_string(name))
        json_object_set_new(g, "user", json_pack("{s:O, s:O}", "id", id, "username", name));
    return NULL;
}

/* HTML forms must echo the session's token; the JSON API is protected by its
 * content type instead (a cross-site form cannot send application/json, and
 * DELETE or PUT cannot be sent cross-site without CORS). */
static ph_response *check_csrf(ph_request *req) {
    if (!unsafe_method(ph_request_method(req)) || is_api(req))
        return NULL;
    const char *want = json_string_value(ph_session_get(req, "_csrf"));
    const char *got = ph_request_form(req, "csrf_token");
    if (ph_request_error(req))
        return NULL; /* a malformed or oversized body: its 400/413 goes on */
    if (!want || !got || strlen(got) != strlen(want) || CRYPTO_memcmp(got, want, strlen(want)))
        return ph_abort_msg(req, 400,
                            "The form was out of date or came from another site. "
                            "Please go back, reload the page and try again.");
    return NULL;
}

/* Pages must not be cached by shared caches: they hold one user's notes. */
static ph_response *no_store(ph_request *req, ph_response *resp) {
    if (!ph_response_header(resp, "Cache-Control") &&
        strncmp(ph_request_path(req), "/static/", 8) != 0)
        ph_response_set_header(resp, "Cache-Control", "no-store");
    return resp;
}

/* ---- error pages ------------------------------------------------------------ */

static const char *status_name(int status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Request Entity Too Large";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static const char *status_text(int status) {
    switch (status) {
    case 404:
        return "There is nothing at this address. It may have been deleted, or the link "
               "may be wrong.";
    case 405:
        return "This address does not accept that kind of request.";
    case 413:
        return "That was more data than this app accepts at once.";
    default:
        return status >= 500 ? "Something went wrong on our side. It has been logged; "
                               "please try again in a moment."
                             : "The request could not be understood.";
    }
}

/* One handler for every error status: JSON under /api/, else the error page. */
static ph_response *error_page(ph_request *req, const ph_error *err) {
    int status = err->status;
    /* Messages of server errors may hold internals: show them only in debug mode. */
    const char *text =
        err->message && (status < 500 || ph_config_bool(ph_request_app(req), "DEBUG", false))
            ? err->message
            : status_text(status);
    if (is_api(req))
        return ph_json_response(req, status,
                                json_pack("{s:i, s:s, s:s}", "status", status, "error",
                                          status_name(status), "message", text));
    ph_response *resp = ph_render_template(req, "error.html",
                                           json_pack("{s:i, s:s, s:s}", "code", status, "name",
                                                     status_name(status), "description", text));
    if (resp)
        ph_response_set_status(resp, status);
    return resp;
}

/* ---- setup ------------------------------------------------------------------- */

static int configure(ph_app *app) {
    ph_config_set_str(app, "TEMPLATE_FOLDER", NOTES_SOURCE_DIR "/templates");
    ph_config_set_str(app, "STATIC_FOLDER", NOTES_SOURCE_DIR "/static");
    ph_config_set_str(app, "DATABASE", NOTES_INSTANCE_DIR "/notes.db");
    ph_config_set_str(app, "SESSION_COOKIE_SAMESITE", "Lax");
    ph_config_set_int(app, "MAX_CONTENT_LENGTH", 1024 * 1024);
    ph_config_set_int(app, "SEND_FILE_MAX_AGE_DEFAULT", 3600);
    char err[256];
    if (ph_config_from_prefixed_env(app, "PHIAL", err, sizeof(err)) < 0) {
        fprintf(stderr, "notes: %s\n", err);
        return PH_EINVAL;
    }
    const char *key = ph_config_str(app, "SECRET_KEY", NULL);
    if (!key || !*key) {
        /* Made before any worker forks, and put in the environment, where
         * ph_app_main() loads the config from again and every worker
         * inherits it; sessions do not outlive a restart. Set
         * PHIAL_SECRET_KEY in production. */
        char fresh[80] = "random-";
        random_hex(fresh + strlen(fresh), 32);
        ph_config_set_str(app, "SECRET_KEY", fresh);
        setenv("PHIAL_SECRET_KEY", fresh, 1);
        random_key = true;
    }
    return 0;
}

/* ---- commands -------------------------------------------------------------- */

/* `notes adduser NAME --password P`: make an account from the shell. */
static int adduser(ph_cli_ctx *ctx) {
    ph_app *app = ph_cli_app(ctx);
    const char *name = ph_cli_get_str(ctx, "username");
    const char *password = ph_cli_get_str(ctx, "password");
    json_t *errors = json_object();
    if (!notes_validate_account(name, password, password, errors)) {
        const char *field;
        json_t *msg;
        json_object_foreach(errors, field, msg)
            ph_cli_error(ctx, "Error: %s: %s", field, json_string_value(msg));
        json_decref(errors);
        return 1;
    }
    json_decref(errors);
    notes_db *db = NULL;
    int64_t id = 0;
    int rc = notes_db_open(ph_config_str(app, "DATABASE", "notes.db"), &db);
    if (rc == 0)
        rc = notes_user_create(db, name, password, &id);
    notes_db_close(db);
    if (rc == PH_EEXIST) {
        ph_cli_error(ctx, "Error: the name '%s' is taken.", name);
        return 1;
    }
    if (rc < 0)
        return rc;
    ph_cli_echo(ctx, "Created the user '%s' (id %lld).", name, (long long)id);
    return 0;
}

static int add_commands(ph_app *app) {
    ph_cli_command *c = ph_cli_command(app, "adduser", adduser,
                                       .help = "Create a user account. The password comes from "
                                               "--password or the NOTES_PASSWORD variable.");
    if (!c || ph_cli_argument(c, "username", PH_CLI_STRING, .help = "the user's name") < 0 ||
        ph_cli_option(c, "-p, --password", PH_CLI_STRING, .required = 1, .envvar = "NOTES_PASSWORD",
                      .help = "the user's password") < 0)
        return PH_ENOMEM;
    return 0;
}

/* Blueprints outlive the app that registers them (blueprint.h). */
#define NBLUEPRINTS 3
static ph_blueprint *blueprints[NBLUEPRINTS];

static int setup(ph_app *app) {
    int rc = configure(app);
    if (rc < 0)
        return rc;
    ph_tmpl_env *env = ph_app_template_env(app);
    if (!env || ph_tmpl_env_add_context_processor(env, csrf_context, NULL) < 0)
        return PH_ENOMEM;
    const char *folder = ph_config_str(app, "STATIC_FOLDER", "static");
    if ((rc = ph_static_register(app, "/static", folder)) < 0)
        return rc;
    ph_before_first_request(app, open_database);
    ph_before_request(app, load_user);
    ph_before_request(app, check_csrf);
    ph_after_request(app, no_store);
    static const int statuses[] = {400, 401, 403, 404, 405, 413, 500};
    for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
        ph_errorhandler(app, statuses[i], error_page);
    for (size_t i = 0; i < NBLUEPRINTS; i++)
        if (!blueprints[i] || (rc = ph_register_blueprint(app, blueprints[i])) < 0)
            return blueprints[i] ? rc : PH_ENOMEM;
    return add_commands(app);
}

ph_app *notes_create_app(void) {
    ph_app *app = ph_app_new("notes");
    blueprints[0] = notes_auth_blueprint();
    blueprints[1] = notes_views_blueprint();
    blueprints[2] = notes_api_blueprint();
    int rc = app ? setup(app) : PH_ENOMEM;
    if (rc < 0) {
        fprintf(stderr, "notes: setup failed: %s\n", ph_strerror(rc));
        notes_app_free(app);
        return NULL;
    }
    return app;
}

void notes_app_free(ph_app *app) {
    ph_app_free(app);
    for (size_t i = 0; i < NBLUEPRINTS; i++) {
        ph_blueprint_free(blueprints[i]);
        blueprints[i] = NULL;
    }
    notes_db_close(worker_db);
    worker_db = NULL;
}
