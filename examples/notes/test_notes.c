/*
 * examples/notes — in-process tests through phial's test client: the app
 * that notes_create_app() builds, requests made from a task without any
 * socket (aioflask's coroutine test client), and a command through the
 * command-line runner. The HTTP and browser suites live in
 * tests/integration/test_example_notes.py and tests/e2e/; this file shows the
 * third level of docs/guide.md section 10.
 *
 * Run: build/examples/notes/test_notes (exit 0 when every check passed).
 */
#include "notes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* The CSRF token of the page at `url` into `out` (65 bytes); false if none. */
static bool fetch_token(ph_test_client *c, const char *url, char *out) {
    ph_test_response *r = ph_client_get(c, url);
    const char *mark = "name=\"csrf_token\" value=\"";
    const char *p = r ? strstr(r->body, mark) : NULL;
    bool ok = p && strlen(p + strlen(mark)) > 64;
    if (ok) {
        memcpy(out, p + strlen(mark), 64);
        out[64] = '\0';
    }
    ph_test_response_free(r);
    return ok;
}

static int log_in(ph_test_client *c, const char *user, const char *password) {
    char token[65];
    if (!fetch_token(c, "/auth/login", token))
        return -1;
    ph_test_response *r =
        ph_client_post(c, "/auth/login",
                       .form = (const char *[]){"csrf_token", token, "username", user, "password",
                                                password, NULL});
    int status = r ? r->status : -1;
    ph_test_response_free(r);
    return status;
}

static void test_pages(ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/");
    CHECK(r && r->status == 302);
    CHECK(r && !strcmp(ph_test_response_header(r, "Location"), "/auth/login?next=%2F"));
    ph_test_response_free(r);

    CHECK(log_in(c, "demo", "wrong") == 401);
    CHECK(log_in(c, "demo", "demo") == 303);

    char token[65];
    CHECK(fetch_token(c, "/notes/new", token));
    r = ph_client_post(c, "/notes/new",
                       .form = (const char *[]){"csrf_token", token, "title", "", NULL});
    CHECK(r && r->status == 400 && strstr(r->body, "Please give the note a title."));
    ph_test_response_free(r);
    r = ph_client_post(
        c, "/notes/new",
        .form = (const char *[]){"csrf_token", token, "title", "In-process", "body", "hi", NULL},
        .follow_redirects = true);
    CHECK(r && r->status == 200 && r->redirects == 1);
    CHECK(r && strstr(r->body, "Note \u201cIn-process\u201d added."));
    CHECK(r && strstr(r->body, "\">In-process</a></h2>"));
    ph_test_response_free(r);
}

/* The string in `v`, or "" when it is not one. */
static const char *str(json_t *v) {
    const char *s = json_string_value(v);
    return s ? s : "";
}

static void test_api(ph_test_client *c) {
    ph_test_response *r = ph_client_post(c, "/api/notes", .json = json_pack("{s:s}", "title", ""));
    json_t *body = r ? ph_test_response_json(r) : NULL;
    CHECK(r && r->status == 422);
    CHECK(!strcmp(str(json_object_get(json_object_get(body, "fields"), "title")),
                  "Please give the note a title."));
    ph_test_response_free(r);

    r = ph_client_get(c, "/api/notes");
    body = r ? ph_test_response_json(r) : NULL;
    json_t *first = json_array_get(json_object_get(body, "notes"), 0);
    CHECK(r && r->status == 200);
    CHECK(!strcmp(str(json_object_get(first, "title")), "In-process"));
    ph_test_response_free(r);
}

/* Several logins at once: each hashes a password on the thread pool, and the
 * loop keeps serving the others meanwhile. */
static int one_login(void *arg) { return log_in(arg, "demo", "demo") == 303 ? 0 : -1; }

static void test_concurrent_logins(ph_app *app) {
    enum { N = 6 };
    ph_test_client *clients[N];
    ph_task_fn fns[N];
    void *args[N];
    for (int i = 0; i < N; i++) {
        clients[i] = ph_test_client_new(app);
        fns[i] = one_login;
        args[i] = clients[i];
    }
    int results[N];
    CHECK(ph_gather(N, fns, args, results) == 0);
    for (int i = 0; i < N; i++)
        ph_test_client_free(clients[i]);
}

static void test_adduser_command(ph_app *app) {
    ph_cli_result *r = ph_cli_invoke(app, "adduser", "erin", "-p", "a long password");
    CHECK(r && r->status == 0 && !strncmp(r->out, "Created the user 'erin'", 23));
    ph_cli_result_free(r);
    r = ph_cli_invoke(app, "adduser", "erin", "-p", "a long password");
    CHECK(r && r->status == 1 && strstr(r->err, "is taken"));
    ph_cli_result_free(r);
}

static int run_tests(void *arg) {
    ph_app *app = arg;
    ph_test_client *c = ph_test_client_new(app);
    if (!c)
        return PH_ENOMEM;
    test_pages(c);
    test_api(c);
    ph_test_client_free(c);
    test_concurrent_logins(app);
    test_adduser_command(app);
    c = ph_test_client_new(app);
    CHECK(c && log_in(c, "erin", "a long password") == 303);
    ph_test_client_free(c);
    return 0;
}

int main(void) {
    char dir[] = "/tmp/notes-test-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char db[64], wal[72], shm[72];
    snprintf(db, sizeof(db), "%s/notes.db", dir);
    snprintf(wal, sizeof(wal), "%s-wal", db);
    snprintf(shm, sizeof(shm), "%s-shm", db);
    setenv("PHIAL_DATABASE", db, 1);
    setenv("PHIAL_SECRET_KEY", "in-process tests", 1);

    ph_app *app = notes_create_app();
    int rc = app ? ph_run(run_tests, app) : PH_ENOMEM;
    notes_app_free(app);
    unlink(wal);
    unlink(shm);
    unlink(db);
    rmdir(dir);
    if (rc < 0 || failures) {
        fprintf(stderr, "test_notes: %d check(s) failed (%s)\n", failures,
                rc < 0 ? ph_strerror(rc) : "");
        return 1;
    }
    printf("test_notes: all checks passed\n");
    return 0;
}
