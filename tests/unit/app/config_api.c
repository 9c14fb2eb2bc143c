/* The public config loaders and the app logger. */
#include "phial.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

Test(config_api, defaults_are_flasks) {
    ph_app *app = ph_app_new("t");
    cr_assert_eq(ph_config_bool(app, "DEBUG", true), false);
    cr_assert_str_eq(ph_config_str(app, "SESSION_COOKIE_NAME", NULL), "session");
    cr_assert_eq(ph_config_int(app, "PERMANENT_SESSION_LIFETIME", 0), 2678400);
    cr_assert_str_eq(ph_config_str(app, "PREFERRED_URL_SCHEME", NULL), "http");
    cr_assert_null(ph_config_str(app, "SECRET_KEY", NULL), "no secret key by default");
    ph_app_free(app);
}

Test(config_api, from_prefixed_env_parses_json_values) {
    ph_app *app = ph_app_new("t");
    setenv("MYAPP_SECRET_KEY", "s3cret", 1);
    setenv("MYAPP_MAX_CONTENT_LENGTH", "1024", 1);
    setenv("MYAPP_DEBUG", "true", 1);
    setenv("MYAPP_DB__NAME", "\"notes\"", 1);
    char err[256] = "";
    int n = ph_config_from_prefixed_env(app, "MYAPP", err, sizeof(err));
    cr_assert(n >= 4, "%d %s", n, err);
    cr_assert_str_eq(ph_config_str(app, "SECRET_KEY", NULL), "s3cret");
    cr_assert_eq(ph_config_int(app, "MAX_CONTENT_LENGTH", 0), 1024);
    cr_assert_eq(ph_config_bool(app, "DEBUG", false), true);
    json_t *db = json_object_get(ph_app_config(app), "DB");
    cr_assert_str_eq(json_string_value(json_object_get(db, "NAME")), "notes", "__ nests");
    unsetenv("MYAPP_SECRET_KEY");
    unsetenv("MYAPP_MAX_CONTENT_LENGTH");
    unsetenv("MYAPP_DEBUG");
    unsetenv("MYAPP_DB__NAME");
    ph_app_free(app);
}

Test(config_api, from_file_loads_uppercase_keys_and_reports_errors) {
    ph_app *app = ph_app_new("t");
    char path[] = "/tmp/phial-config-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "{\"SERVER_NAME\": \"example.com\", \"lower\": 1}";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char err[256] = "";
    cr_assert_eq(ph_config_from_file(app, path, false, err, sizeof(err)), 1, "%s", err);
    cr_assert_str_eq(ph_config_str(app, "SERVER_NAME", NULL), "example.com");
    cr_assert_null(json_object_get(ph_app_config(app), "lower"), "lowercase keys are ignored");
    FILE *f = fopen(path, "w");
    fputs("{\"A\": ", f);
    fclose(f);
    cr_assert_eq(ph_config_from_file(app, path, false, err, sizeof(err)), PH_EPARSE);
    cr_assert(strlen(err) > 0, "the error says what is wrong");
    unlink(path);
    cr_assert_eq(ph_config_from_file(app, "/nonexistent.json", true, err, sizeof(err)), 0,
                 "silent: a missing file is not an error");
    cr_assert(ph_config_from_file(app, "/nonexistent.json", false, err, sizeof(err)) < 0);
    ph_app_free(app);
}

Test(config_api, app_log_names_the_app, .init = cr_redirect_stderr) {
    ph_app *app = ph_app_new("notes");
    ph_app_log(app, PH_LOG_WARNING, "disk %d%% full", 93);
    ph_app_log(app, PH_LOG_DEBUG, "hidden outside debug");
    ph_config_set_bool(app, "DEBUG", true);
    ph_app_log(app, PH_LOG_DEBUG, "shown in debug");
    fflush(stderr);
    char buf[1024] = "";
    FILE *f = cr_get_redirected_stderr();
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    cr_assert(strstr(buf, "WARNING: [notes] disk 93% full"), "%s", buf);
    cr_assert_null(strstr(buf, "hidden outside debug"));
    cr_assert(strstr(buf, "DEBUG: [notes] shown in debug"), "%s", buf);
    ph_app_free(app);
}
