/*
 * Tests for src/app/config_load.c. Expected configs follow what Flask
 * 2.2.2's Config.from_prefixed_env("PHIAL") and from_file(json.load) give
 * for the same input.
 */
#include "app/config_load.h"

#include "phial/common.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void assert_json(json_t *got, const char *want) {
    json_t *w = json_loads(want, 0, NULL);
    cr_assert_not_null(w, "bad test JSON %s", want);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    cr_assert(json_equal(got, w), "got %s, want %s", g, want);
    free(g);
    json_decref(w);
}

Test(config_env, values_parse_as_json_or_stay_strings) {
    char *env[] = {"PHIAL_A=1",     "PHIAL_B=true", "PHIAL_C=text", "PHIAL_D={\"x\":[1,2]}",
                   "PHIAL_S=\"q\"", "PHIAL_W= 5 ",  "PHIAL_F=1.5",  NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 7);
    assert_json(cfg, "{\"A\":1,\"B\":true,\"C\":\"text\",\"D\":{\"x\":[1,2]},\"S\":\"q\",\"W\":5,"
                     "\"F\":1.5}");
    json_decref(cfg);
}

Test(config_env, other_prefixes_are_ignored) {
    char *env[] = {"OTHER=1", "PHIALX=2", "PHIAL=3", "PATH=/bin", "PHIAL_K=v", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 1);
    assert_json(cfg, "{\"K\":\"v\"}");
    json_decref(cfg);
}

Test(config_env, empty_key_after_prefix_is_kept_like_flask) {
    char *env[] = {"PHIAL_=e", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 1);
    assert_json(cfg, "{\"\":\"e\"}");
    json_decref(cfg);
}

Test(config_env, double_underscore_nests_and_creates_objects) {
    char *env[] = {"PHIAL_DB__PORT=5432", "PHIAL_DB__HOST=h", "PHIAL_E__F__G=null", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 3);
    assert_json(cfg, "{\"DB\":{\"HOST\":\"h\",\"PORT\":5432},\"E\":{\"F\":{\"G\":null}}}");
    json_decref(cfg);
}

Test(config_env, nesting_merges_into_existing_objects) {
    char *env[] = {"PHIAL_DB__HOST=h", NULL};
    json_t *cfg = json_loads("{\"DB\":{\"PORT\":1},\"X\":2}", 0, NULL);
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 1);
    assert_json(cfg, "{\"DB\":{\"PORT\":1,\"HOST\":\"h\"},\"X\":2}");
    json_decref(cfg);
}

Test(config_env, variables_apply_in_sorted_order) {
    /* PHIAL_A sets an object; PHIAL_A__B (sorted after it) adds to it. */
    char *env[] = {"PHIAL_A__B=2", "PHIAL_A={\"C\":1}", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 2);
    assert_json(cfg, "{\"A\":{\"B\":2,\"C\":1}}");
    json_decref(cfg);
}

Test(config_env, nesting_under_a_scalar_is_einval_and_changes_nothing) {
    char *env[] = {"PHIAL_A=1", "PHIAL_A__B=2", "PHIAL_Z=3", NULL};
    json_t *cfg = json_loads("{\"KEEP\":true}", 0, NULL);
    char err[200] = "";
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, err, sizeof(err)), PH_EINVAL);
    cr_assert_str_eq(
        err, "PHIAL_A__B: cannot set a key inside \"A\", which holds an integer, not an object");
    assert_json(cfg, "{\"KEEP\":true}");
    json_decref(cfg);
}

Test(config_env, invalid_utf8_is_eparse) {
    char *env[] = {"PHIAL_A=\xff\xfe", NULL};
    json_t *cfg = json_object();
    char err[200] = "";
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, err, sizeof(err)), PH_EPARSE);
    cr_assert_str_eq(err, "PHIAL_A: name or value is not valid UTF-8");
    json_decref(cfg);
}

Test(config_env, non_object_config_is_einval) {
    char *env[] = {NULL};
    json_t *cfg = json_array();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), PH_EINVAL);
    json_decref(cfg);
}

Test(config_env, survives_allocation_failures) {
    char *env[] = {"PHIAL_B=1", "PHIAL_A__X=2", NULL};
    for (long n = 0;; n++) {
        json_t *cfg = json_object();
        ph__alloc_fail_after(n);
        int rc = ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0);
        ph__alloc_fail_after(-1);
        json_decref(cfg);
        if (rc >= 0)
            break;
        cr_assert_eq(rc, PH_ENOMEM);
    }
}

Test(config_json, only_uppercase_keys_are_taken) {
    const char *text = "{\"SECRET_KEY\":\"s\",\"debug\":true,\"Mixed\":1,\"A1\":2,\"_\":3,"
                       "\"DB\":{\"x\":1}}";
    json_t *cfg = json_loads("{\"DB\":{\"y\":2},\"OLD\":0}", 0, NULL);
    cr_assert_eq(ph__config_from_json(cfg, text, strlen(text), "t.json", NULL, 0), 3);
    assert_json(cfg, "{\"SECRET_KEY\":\"s\",\"A1\":2,\"DB\":{\"x\":1},\"OLD\":0}");
    json_decref(cfg);
}

Test(config_json, syntax_error_names_line_and_column) {
    const char *text = "{\n  \"A\": 1,\n  \"B\": }\n";
    json_t *cfg = json_object();
    char err[200] = "";
    cr_assert_eq(ph__config_from_json(cfg, text, strlen(text), "app.json", err, sizeof(err)),
                 PH_EPARSE);
    cr_assert(strncmp(err, "app.json: line 3, column ", 25) == 0, "message: %s", err);
    cr_assert_eq(json_object_size(cfg), 0);
    json_decref(cfg);
}

Test(config_json, top_level_must_be_an_object) {
    json_t *cfg = json_object();
    char err[200] = "";
    cr_assert_eq(ph__config_from_json(cfg, "[1]", 3, "a.json", err, sizeof(err)), PH_EPARSE);
    cr_assert_str_eq(err, "a.json: the top level is an array, expected an object");
    json_decref(cfg);
}

Test(config_json, file_is_read_and_applied) {
    char path[] = "/tmp/phial-config-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const char *text = "{\"PORT\": 8080, \"name\": \"x\"}";
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_json_file(cfg, path, 0, NULL, 0), 1);
    assert_json(cfg, "{\"PORT\":8080}");
    unlink(path);
    json_decref(cfg);
}

Test(config_json, missing_file_is_enoent_unless_silent) {
    json_t *cfg = json_object();
    char err[200] = "";
    const char *path = "/nonexistent/phial.json";
    cr_assert_eq(ph__config_from_json_file(cfg, path, 0, err, sizeof(err)), PH_ENOENT);
    cr_assert_str_eq(err, "Unable to load configuration file (No such file or directory): "
                          "/nonexistent/phial.json");
    cr_assert_eq(ph__config_from_json_file(cfg, path, 1, NULL, 0), 0);
    cr_assert_eq(ph__config_from_json_file(cfg, "/tmp", 1, NULL, 0), 0);
    cr_assert_lt(ph__config_from_json_file(cfg, "/tmp", 0, NULL, 0), 0);
    json_decref(cfg);
}

Test(config_json, file_read_survives_allocation_failures) {
    char path[] = "/tmp/phial-config-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_eq(write(fd, "{\"A\":1}", 7), 7);
    close(fd);
    for (long n = 0;; n++) {
        json_t *cfg = json_object();
        ph__alloc_fail_after(n);
        int rc = ph__config_from_json_file(cfg, path, 0, NULL, 0);
        ph__alloc_fail_after(-1);
        json_decref(cfg);
        if (rc >= 0)
            break;
        cr_assert_eq(rc, PH_ENOMEM);
    }
    unlink(path);
}

/* ---- the keys phial reads itself ------------------------------------------
 * A value phial would read as its default without a word is refused, naming
 * the variable or the file; nothing is applied. */

Test(config_env, phial_keys_of_the_wrong_kind_are_refused) {
    char *env[] = {"PHIAL_A=1", "PHIAL_SESSION_COOKIE_SECURE=true   # HTTPS", NULL};
    json_t *cfg = json_object();
    char err[200];
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, err, sizeof(err)), PH_EINVAL);
    cr_assert_str_eq(err, "PHIAL_SESSION_COOKIE_SECURE: SESSION_COOKIE_SECURE must be true or "
                          "false, not a string");
    assert_json(cfg, "{}");
    char *env2[] = {"PHIAL_MAX_CONTENT_LENGTH=16MB", NULL};
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env2, err, sizeof(err)), PH_EINVAL);
    cr_assert_str_eq(err, "PHIAL_MAX_CONTENT_LENGTH: MAX_CONTENT_LENGTH must be an integer, not a "
                          "string");
    char *env3[] = {"PHIAL_DEBUG=[1]", NULL};
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env3, err, sizeof(err)), PH_EINVAL);
    cr_assert_str_eq(err, "PHIAL_DEBUG: DEBUG must be true or false, not an array");
    assert_json(cfg, "{}");
    json_decref(cfg);
}

Test(config_env, phial_keys_of_the_right_kind_and_null_are_taken) {
    char *env[] = {"PHIAL_DEBUG=true", "PHIAL_TESTING=1", "PHIAL_MAX_CONTENT_LENGTH=null",
                   "PHIAL_PERMANENT_SESSION_LIFETIME=60", "PHIAL_TEMPLATES_AUTO_RELOAD=false",
                   /* nested keys of the same names are the app's */
                   "PHIAL_MINE__DEBUG=yes", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 6);
    assert_json(cfg, "{\"DEBUG\":true,\"TESTING\":1,\"MAX_CONTENT_LENGTH\":null,"
                     "\"PERMANENT_SESSION_LIFETIME\":60,\"TEMPLATES_AUTO_RELOAD\":false,"
                     "\"MINE\":{\"DEBUG\":\"yes\"}}");
    json_decref(cfg);
}

/* A boolean key also takes the words the command line's boolean variables
 * take (PHIAL_DEBUG is run's --debug variable too). */
Test(config_env, phial_boolean_keys_take_the_command_lines_words) {
    char *env[] = {"PHIAL_DEBUG=yes", "PHIAL_SESSION_COOKIE_SECURE=Off", "PHIAL_TESTING=t", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 3);
    assert_json(cfg, "{\"DEBUG\":true,\"SESSION_COOKIE_SECURE\":false,\"TESTING\":true}");
    char *env2[] = {"PHIAL_DEBUG=maybe", NULL};
    char err[200];
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env2, err, sizeof(err)), PH_EINVAL);
    cr_assert_str_eq(err, "PHIAL_DEBUG: DEBUG must be true or false, not a string");
    json_decref(cfg);
}

/* For a key phial reads as a string the variable's text is the value, even
 * when it parses as JSON of another kind; a JSON string is still unquoted. */
Test(config_env, phial_string_keys_keep_the_text) {
    char *env[] = {"PHIAL_SECRET_KEY=12345", "PHIAL_SERVER_NAME=\"example.com\"",
                   "PHIAL_SESSION_COOKIE_SAMESITE=null", "PHIAL_STATIC_URL_PATH=true", NULL};
    json_t *cfg = json_object();
    cr_assert_eq(ph__config_from_prefixed_env(cfg, "PHIAL", env, NULL, 0), 4);
    assert_json(cfg, "{\"SECRET_KEY\":\"12345\",\"SERVER_NAME\":\"example.com\","
                     "\"SESSION_COOKIE_SAMESITE\":null,\"STATIC_URL_PATH\":\"true\"}");
    json_decref(cfg);
}

Test(config_json, phial_keys_of_the_wrong_kind_are_refused) {
    const char *text = "{\"APP_KEY\": 1, \"SECRET_KEY\": 12345}";
    json_t *cfg = json_object();
    char err[200];
    cr_assert_eq(ph__config_from_json(cfg, text, strlen(text), "settings.json", err, sizeof(err)),
                 PH_EINVAL);
    cr_assert_str_eq(err, "settings.json: SECRET_KEY must be a string, not an integer");
    assert_json(cfg, "{}");
    text = "{\"DEBUG\": true, \"SESSION_COOKIE_DOMAIN\": null, \"MAX_COOKIE_SIZE\": 100}";
    cr_assert_eq(ph__config_from_json(cfg, text, strlen(text), "settings.json", err, sizeof(err)),
                 3);
    json_decref(cfg);
}
