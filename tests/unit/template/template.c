/*
 * The template engine's public API: rendering strings and named templates,
 * errors with name/line/column, strict undefined, the cache and auto-reload,
 * C filters/tests/functions/globals/context processors, limits, loading
 * inside a task, and an allocation-failure sweep. The language itself is
 * covered by the differential suite (tests/template/).
 */
#include "phial.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static char *render_str(ph_tmpl_env *env, const char *src, const char *ctx_json, int *rc,
                        ph_tmpl_error *err) {
    json_t *ctx = ctx_json ? json_loads(ctx_json, 0, NULL) : NULL;
    char *out = NULL;
    size_t len = 0;
    *rc = ph_tmpl_render_string(env, src, ctx, NULL, &out, &len, err);
    if (*rc == 0)
        cr_assert_eq(strlen(out), len);
    return out;
}

static void expect(ph_tmpl_env *env, const char *src, const char *ctx, const char *want) {
    ph_tmpl_error err;
    int rc;
    char *out = render_str(env, src, ctx, &rc, &err);
    cr_assert_eq(rc, 0, "%s: %s", src, err.message);
    cr_assert_str_eq(out, want, "%s", src);
    ph_tmpl_free(out);
}

Test(template, renders_string_with_context_and_autoescape) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_not_null(env);
    expect(env, "Hello {{ name }}!", "{\"name\": \"<World>\"}", "Hello &lt;World&gt;!");
    expect(env, "{{ 1 / 2 }} {{ [1, 'a'] }} {{ none }}", NULL, "0.5 [1, &#39;a&#39;] None");
    ph_tmpl_env_free(env);
}

Test(template, autoescape_options_override_the_flask_rule) {
    ph_tmpl_env *env = ph_tmpl_env_new(.autoescape = PH_TMPL_AUTOESCAPE_OFF);
    expect(env, "{{ '<b>' }}", NULL, "<b>");
    ph_tmpl_env_free(env);
}

Test(template, syntax_error_names_template_line_and_column) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_string(env, "page.html", "line one\n{% for x in xs %}\n{{ x }}");
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    int rc = ph_tmpl_render(env, "page.html", NULL, NULL, &out, &len, &err);
    cr_assert_eq(rc, PH_ETEMPLATE);
    cr_assert_str_eq(err.name, "page.html");
    cr_assert_eq(err.line, 3);
    cr_assert_not_null(strstr(err.message, "'endfor'"), "%s", err.message);
    char buf[600];
    ph_tmpl_error_format(&err, buf, sizeof(buf));
    cr_assert_eq(strncmp(buf, "page.html:3:", 12), 0, "%s", buf);
    ph_tmpl_env_free(env);
}

Test(template, expression_error_points_at_the_column) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_error err;
    int rc;
    char *out = render_str(env, "ab\n  {{ 1 + }}", NULL, &rc, &err);
    cr_assert_null(out);
    cr_assert_eq(rc, PH_ETEMPLATE);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 10);
    cr_assert_str_eq(err.message, "unexpected 'end of print statement'");
    ph_tmpl_env_free(env);
}

Test(template, runtime_error_is_reported_not_crashed) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_error err;
    int rc;
    render_str(env, "{{ 1 // 0 }}", NULL, &rc, &err);
    cr_assert_eq(rc, PH_ETEMPLATE);
    cr_assert_str_eq(err.message, "integer division or modulo by zero");
    render_str(env, "{{ x.y }}", "{}", &rc, &err);
    cr_assert_eq(rc, PH_EUNDEFINED);
    cr_assert_str_eq(err.message, "'x' is undefined");
    ph_tmpl_env_free(env);
}

Test(template, strict_undefined_errors_on_use) {
    ph_tmpl_env *loose = ph_tmpl_env_new(), *strict = ph_tmpl_env_new(.strict_undefined = 1);
    expect(loose, "[{{ missing }}]", NULL, "[]");
    expect(strict, "{{ missing is defined }}{{ missing|default('d') }}", NULL, "Falsed");
    ph_tmpl_error err;
    int rc;
    render_str(strict, "[{{ missing }}]", NULL, &rc, &err);
    cr_assert_eq(rc, PH_EUNDEFINED);
    cr_assert_str_eq(err.message, "'missing' is undefined");
    ph_tmpl_env_free(loose);
    ph_tmpl_env_free(strict);
}

Test(template, missing_template_is_not_found) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_render(env, "nope.html", NULL, NULL, &out, &len, &err), PH_ENOTFOUND);
    cr_assert_eq(ph_tmpl_render(env, "../etc/passwd", NULL, NULL, &out, &len, &err), PH_ENOTFOUND);
    cr_assert_eq(ph_tmpl_check(env, "nope.html", &err), PH_ENOTFOUND);
    ph_tmpl_env_free(env);
}

Test(template, bad_arguments_are_einval) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    char *out;
    size_t len;
    cr_assert_eq(ph_tmpl_render(NULL, "x", NULL, NULL, &out, &len, NULL), PH_EINVAL);
    cr_assert_eq(ph_tmpl_render_string(env, NULL, NULL, NULL, &out, &len, NULL), PH_EINVAL);
    cr_assert_eq(ph_tmpl_render_string(env, "x", json_array(), NULL, &out, &len, NULL), PH_EINVAL);
    cr_assert_eq(ph_tmpl_env_add_path(env, NULL), PH_EINVAL);
    cr_assert_eq(ph_tmpl_env_set_global(env, NULL, json_true()), PH_EINVAL);
    ph_tmpl_env_free(env);
    ph_tmpl_env_free(NULL);
    ph_tmpl_free(NULL);
}

Test(template, output_limit_is_etoobig) {
    ph_tmpl_env *env = ph_tmpl_env_new(.max_output = 100);
    ph_tmpl_error err;
    int rc;
    render_str(env, "{% for i in range(1000) %}xx{% endfor %}", NULL, &rc, &err);
    cr_assert_eq(rc, PH_ETOOBIG);
    ph_tmpl_env_free(env);
}

/* A value made inside a render is bounded by max_output too, whether it is
 * printed or not: a filter that multiplies its input (join with a long
 * separator, replace, center, format widths) stops at the limit instead
 * of growing a buffer past it (four nested joins reached 10 GB). */
Test(template, values_made_in_a_render_are_bounded_by_max_output) {
    ph_tmpl_env *env = ph_tmpl_env_new(.max_output = 1000);
    ph_tmpl_error err;
    int rc;
    static const char *const growers[] = {
        "{{ (('x' * 100)|join('-' * 100))|length }}",
        "{{ ('x' * 100)|replace('x', 'y' * 100)|length }}",
        "{{ 'x'|center(5000)|length }}",
        "{{ ('%5000s' % 'x')|length }}",
        "{{ ('x' * 10)|indent(2000, true)|length }}",
    };
    for (size_t i = 0; i < sizeof(growers) / sizeof(growers[0]); i++) {
        char *out = render_str(env, growers[i], NULL, &rc, &err);
        cr_expect_eq(rc, PH_ETOOBIG, "%s: %d %s", growers[i], rc, out ? out : err.message);
        ph_tmpl_free(out);
    }
    char *out = render_str(env, "{{ (('x' * 10)|join('-' * 10))|length }}", NULL, &rc, &err);
    cr_expect_eq(rc, 0, "%s", err.message);
    cr_expect_str_eq(out ? out : "", "100", "what fits is unchanged");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

Test(template, source_limit_applies_to_string_templates_too) {
    ph_tmpl_env *env = ph_tmpl_env_new(.max_source = 16);
    ph_tmpl_error err;
    int rc;
    char *out = render_str(env, "{{ 'sixteen bytes' }}!", NULL, &rc, &err);
    cr_assert_eq(rc, PH_ETOOBIG);
    cr_assert_null(out);
    cr_assert(strstr(err.message, "over 16 bytes") != NULL, "%s", err.message);
    ph_tmpl_free(render_str(env, "{{ 'fits' }}", NULL, &rc, &err));
    cr_assert_eq(rc, 0, "%s", err.message);
    ph_tmpl_env_free(env);
}

Test(template, integers_print_as_python_prints_them) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    expect(env, "{% for i in xs %}{{ i }},{% endfor %}",
           "{\"xs\": [0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 65536, -1, -10, -99, -100, "
           "123456789012345678, 9223372036854775807, -9223372036854775808]}",
           "0,7,9,10,42,99,100,101,999,1000,65536,-1,-10,-99,-100,123456789012345678,"
           "9223372036854775807,-9223372036854775808,");
    /* pieces of every short length go out whole */
    expect(env, "{% autoescape false %}{% for s in xs %}[{{ s }}]{% endfor %}{% endautoescape %}",
           "{\"xs\": [\"\", \"a\", \"ab\", \"abc\", \"abcd\", \"abcdefg\", \"abcdefgh\", "
           "\"abcdefghijklmno\", \"abcdefghijklmnop\", \"abcdefghijklmnopq\"]}",
           "[][a][ab][abc][abcd][abcdefg][abcdefgh][abcdefghijklmno][abcdefghijklmnop]"
           "[abcdefghijklmnopq]");
    ph_tmpl_env_free(env);
}

Test(template, deep_recursion_is_an_error_not_a_crash) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_error err;
    int rc;
    render_str(env, "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", NULL, &rc, &err);
    cr_assert_eq(rc, PH_ETEMPLATE);
    /* Whichever guard trips first (the recursion count, or the bound on C
     * stack use, which comes sooner in builds with larger frames) says so. */
    cr_assert(strstr(err.message, "recursion") || strstr(err.message, "nested too deeply"),
              "%s", err.message);
    ph_tmpl_env_add_string(env, "self.html", "{% include 'self.html' %}");
    char *out;
    size_t len;
    cr_assert_eq(ph_tmpl_render(env, "self.html", NULL, NULL, &out, &len, &err), PH_ETEMPLATE);
    ph_tmpl_env_free(env);
}

/* ---- files, the cache and auto-reload ---- */

static char tmpdir[64];

static void write_file(const char *name, const char *text, long mtime) {
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
    utimes(path, tv);
}

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/phial-tmpl-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static char *render_name(ph_tmpl_env *env, const char *name) {
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    int rc = ph_tmpl_render(env, name, NULL, NULL, &out, &len, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    return out;
}

Test(template, search_path_is_searched_in_order) {
    make_tmpdir();
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/bp", tmpdir);
    mkdir(sub, 0755);
    write_file("a.txt", "app", 1000);
    write_file("bp/a.txt", "blueprint", 1000);
    write_file("bp/b.txt", "only bp {% include 'a.txt' %}", 1000);
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_path(env, tmpdir);
    ph_tmpl_env_add_path(env, sub);
    char *out = render_name(env, "a.txt");
    cr_assert_str_eq(out, "app");
    ph_tmpl_free(out);
    out = render_name(env, "b.txt");
    cr_assert_str_eq(out, "only bp app");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

Test(template, cache_keeps_the_compiled_template_without_auto_reload) {
    make_tmpdir();
    write_file("t.txt", "one", 1000);
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_path(env, tmpdir);
    char *out = render_name(env, "t.txt");
    cr_assert_str_eq(out, "one");
    ph_tmpl_free(out);
    write_file("t.txt", "two", 2000);
    out = render_name(env, "t.txt");
    cr_assert_str_eq(out, "one");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

Test(template, auto_reload_compiles_a_changed_file_again) {
    make_tmpdir();
    write_file("t.txt", "one", 1000);
    ph_tmpl_env *env = ph_tmpl_env_new(.auto_reload = 1);
    ph_tmpl_env_add_path(env, tmpdir);
    char *out = render_name(env, "t.txt");
    cr_assert_str_eq(out, "one");
    ph_tmpl_free(out);
    write_file("t.txt", "two {{ 1 + 1 }}", 2000);
    out = render_name(env, "t.txt");
    cr_assert_str_eq(out, "two 2");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

Test(template, string_templates_win_and_can_be_replaced) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_string(env, "x.html", "v1");
    char *out = render_name(env, "x.html");
    cr_assert_str_eq(out, "v1");
    ph_tmpl_free(out);
    ph_tmpl_env_add_string(env, "x.html", "v2");
    out = render_name(env, "x.html");
    cr_assert_str_eq(out, "v2");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

/* ---- rendering inside a task: files load through the runtime ---- */

static int render_in_task(void *arg) {
    ph_tmpl_env *env = arg;
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    int rc =
        ph_tmpl_render(env, "page.html", json_pack("{s:s}", "who", "task"), NULL, &out, &len, &err);
    if (rc == 0 && strcmp(out, "<b>task</b>|inc") != 0)
        rc = -100;
    ph_tmpl_free(out);
    return rc;
}

Test(template, render_inside_a_task_loads_files_through_the_runtime) {
    make_tmpdir();
    write_file("page.html", "<b>{{ who }}</b>|{% include 'inc.html' %}", 1000);
    write_file("inc.html", "inc", 1000);
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_path(env, tmpdir);
    cr_assert_eq(ph_run(render_in_task, env), 0);
    ph_tmpl_env_free(env);
}

/* ---- tasks that want a template being loaded wait for that load ---- */

/* A loader whose every read suspends, as a file read through the runtime
 * does, and counts the reads. */
struct slow_loader {
    int reads;
    int missing; /* every read answers PH_ENOENT */
};

static int slow_read(void *ud, const char *path, size_t max, char **data, size_t *len,
                     double *mtime) {
    (void)max;
    struct slow_loader *sl = ud;
    sl->reads++;
    int rc = ph_sleep(0.02);
    if (rc < 0)
        return rc;
    if (sl->missing)
        return PH_ENOENT;
    const char *src = strstr(path, "page.html") ? "<b>{{ who }}</b>|{% include 'inc.html' %}" : "inc";
    *data = ph__strdup(src);
    *len = strlen(src);
    *mtime = 1;
    return *data ? 0 : PH_ENOMEM;
}

static int slow_stat(void *ud, const char *path, double *mtime) {
    (void)ud;
    (void)path;
    *mtime = 1;
    return 0;
}

static ph_tmpl_env *slow_env(struct slow_loader *sl) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_env_add_path(env, "/templates");
    ph_tmpl_loader loader = {.read = slow_read, .stat = slow_stat, .ud = sl};
    cr_assert_eq(ph_tmpl_env_set_loader(env, &loader), 0);
    return env;
}

struct burst {
    ph_tmpl_env *env;
    int ok, not_found, other;
};

static int render_page(void *arg) {
    struct burst *b = arg;
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    int rc = ph_tmpl_render(b->env, "page.html", json_pack("{s:s}", "who", "x"), NULL, &out, &len,
                            &err);
    if (rc == 0 && strcmp(out, "<b>x</b>|inc") == 0)
        b->ok++;
    else if (rc == PH_ENOTFOUND && strcmp(err.name, "page.html") == 0)
        b->not_found++;
    else
        b->other++;
    ph_tmpl_free(out);
    return rc;
}

static int burst_of_renders(void *arg) {
    ph_task *t[8];
    for (int i = 0; i < 8; i++)
        t[i] = ph_spawn(render_page, arg);
    for (int i = 0; i < 8; i++)
        ph_join(t[i]);
    return 0;
}

Test(template, concurrent_first_renders_read_and_compile_each_template_once) {
    struct slow_loader sl = {0};
    struct burst b = {.env = slow_env(&sl)};
    cr_assert_eq(ph_run(burst_of_renders, &b), 0);
    cr_assert_eq(b.ok, 8, "ok %d, not found %d, other %d", b.ok, b.not_found, b.other);
    cr_assert_eq(sl.reads, 2, "page.html and inc.html read %d times in all", sl.reads);
    /* and cached once: a later render reads nothing */
    cr_assert_eq(ph_run(render_page, &b), 0);
    cr_assert_eq(sl.reads, 2);
    ph_tmpl_env_free(b.env);
}

Test(template, tasks_waiting_for_a_load_get_its_error) {
    struct slow_loader sl = {.missing = 1};
    struct burst b = {.env = slow_env(&sl)};
    cr_assert_eq(ph_run(burst_of_renders, &b), 0);
    cr_assert_eq(b.not_found, 8, "ok %d, not found %d, other %d", b.ok, b.not_found, b.other);
    cr_assert_eq(sl.reads, 1);
    ph_tmpl_env_free(b.env);
}

static int cancel_the_loader(void *arg) {
    struct burst *b = arg;
    ph_task *loader = ph_spawn(render_page, b);
    ph_yield(); /* the loader is now in its read */
    ph_task *waiter = ph_spawn(render_page, b);
    ph_yield(); /* the waiter is now waiting for that read */
    ph_cancel(loader);
    int lrc = ph_join(loader), wrc = ph_join(waiter);
    return lrc == PH_ECANCELED && wrc == 0 ? 0 : -1;
}

Test(template, a_cancelled_load_is_done_again_by_a_task_that_waited_for_it) {
    struct slow_loader sl = {0};
    struct burst b = {.env = slow_env(&sl)};
    cr_assert_eq(ph_run(cancel_the_loader, &b), 0);
    cr_assert_eq(b.ok, 1, "ok %d, not found %d, other %d", b.ok, b.not_found, b.other);
    cr_assert_eq(sl.reads, 3, "the cancelled read, then page.html and inc.html: %d", sl.reads);
    ph_tmpl_env_free(b.env);
}

/* ---- deep templates on a task stack fail cleanly ---- */

static char *repeat_str(const char *head, const char *unit, int n, const char *tail) {
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * (size_t)n + tl + 1), *p = s;
    memcpy(p, head, hl);
    p += hl;
    for (int i = 0; i < n; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, tail, tl + 1);
    return s;
}

static int deep_in_task(void *arg) {
    ph_tmpl_env *env = arg;
    char *srcs[5];
    srcs[0] = repeat_str("{{ 1", "+1", 20000, " }}");
    srcs[1] = repeat_str("{{ ", "(", 200, "1");
    srcs[2] = strdup("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    srcs[3] = repeat_str("{{ x", "|string", 20000, " }}");
    srcs[4] = repeat_str("", "{% if true %}", 2000, "x");
    int failures = 0;
    for (int i = 0; i < 5; i++) {
        char *out = NULL;
        size_t len;
        ph_tmpl_error err;
        int rc = ph_tmpl_render_string(env, srcs[i], NULL, NULL, &out, &len, &err);
        failures += rc < 0;
        ph_tmpl_free(out);
        free(srcs[i]);
    }
    return failures;
}

Test(template, deep_templates_inside_a_task_fail_cleanly) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    /* 1+1+... renders or fails cleanly; the others must fail, not crash */
    int failures = ph_run(deep_in_task, env);
    cr_assert_geq(failures, 4);
    ph_tmpl_env_free(env);
}

/* ---- extension API ---- */

static json_t *reverse_filter(json_t *value, json_t *args, void *ud, int *safe) {
    const char *s = json_string_value(value);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        d[i] = s[n - 1 - i];
    d[n] = 0;
    json_t *r = json_string(d);
    free(d);
    *safe = json_integer_value(json_array_get(args, 0)) == 1;
    return r;
}

static int answer_test(json_t *value, json_t *args, void *ud) {
    return json_integer_value(value) == *(int *)ud;
}

static json_t *add_func(json_t *args, void *ud, int *safe) {
    return json_integer(json_integer_value(json_array_get(args, 0)) +
                        json_integer_value(json_array_get(args, 1)));
}

static json_t *user_processor(void *ud, void *user) {
    return json_pack("{s:s, s:s}", "user", (const char *)user, "site", "proc");
}

Test(template, c_filters_tests_functions_globals_and_processors) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    int answer = 42;
    cr_assert_eq(ph_tmpl_env_add_filter(env, "rev", reverse_filter, NULL), 0);
    cr_assert_eq(ph_tmpl_env_add_test(env, "answer", answer_test, &answer), 0);
    cr_assert_eq(ph_tmpl_env_add_function(env, "add", add_func, NULL), 0);
    cr_assert_eq(ph_tmpl_env_set_global(env, "version", json_string("1.0")), 0);
    cr_assert_eq(ph_tmpl_env_add_context_processor(env, user_processor, NULL), 0);
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    int rc =
        ph_tmpl_render_string(env,
                              "{{ '<ab'|rev }} {{ '<ab'|rev(1) }} {{ 42 is answer }} "
                              "{{ 41 is answer }} {{ add(2, 3) }} {{ version }} {{ user }} "
                              "{{ site }}",
                              json_pack("{s:s}", "site", "ctx"), (void *)"ann", &out, &len, &err);
    cr_assert_eq(rc, 0, "%s", err.message);
    cr_assert_str_eq(out, "ba&lt; ba< True False 5 1.0 ann ctx");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

static json_t *count_filter(json_t *value, json_t *args, void *ud, int *safe) {
    (void)args, (void)ud, (void)safe;
    return json_is_array(value) ? json_integer((json_int_t)json_array_size(value)) : NULL;
}

/* A generator filter's error waits until something reads the items; a C
 * filter or function given the generator reads them all (as JSON), so the
 * error is raised there, where it was made; one given an empty generator
 * (map over none) gets an empty array. */
Test(template, generator_errors_reach_c_callbacks_when_they_read_the_items) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_eq(ph_tmpl_env_add_filter(env, "count", count_filter, NULL), 0);
    cr_assert_eq(ph_tmpl_env_add_function(env, "add", add_func, NULL), 0);
    int answer = 42;
    cr_assert_eq(ph_tmpl_env_add_test(env, "answer", answer_test, &answer), 0);
    expect(env, "{% set g = [1, 2]|map('nosuch') %}{{ 'made' if g }}", NULL, "made");
    expect(env, "{{ none|map('nosuch')|count }} {{ [1, 2, 3]|select('odd')|count }}", NULL,
           "0 2");
    /* each error is placed at the generator's filter, not where it is read */
    const char *bad[] = {"{{ [1, 2]|map('nosuch')|count }}", "{{ add([1]|map('nosuch'), 1) }}",
                         "{{ [1]|select('nosuch') is answer }}"};
    const unsigned col[] = {11, 12, 8};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ph_tmpl_error err;
        int rc;
        char *out = render_str(env, bad[i], NULL, &rc, &err);
        cr_assert_eq(rc, PH_ETEMPLATE, "%s", bad[i]);
        cr_assert_null(out);
        cr_assert_eq(err.column, col[i], "%s: %u", bad[i], err.column);
        cr_assert_not_null(strstr(err.message, "'nosuch'"), "%s: %s", bad[i], err.message);
    }
    ph_tmpl_env_free(env);
}

/* The compiled template remembers which filter and test each name meant;
 * one registered after it was compiled (even over a builtin's name) is
 * still seen, on every render. */
Test(template, filters_and_tests_registered_after_compiling_are_used) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    int answer = 40;
    cr_assert_eq(ph_tmpl_env_add_string(env, "t.txt", "{{ 'abc'|upper }} {{ 41 is odd }}"), 0);
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_render(env, "t.txt", NULL, NULL, &out, &len, &err), 0, "%s",
                 err.message);
    cr_assert_str_eq(out, "ABC True");
    ph_tmpl_free(out);
    cr_assert_eq(ph_tmpl_env_add_filter(env, "upper", reverse_filter, NULL), 0);
    cr_assert_eq(ph_tmpl_env_add_test(env, "odd", answer_test, &answer), 0);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(ph_tmpl_render(env, "t.txt", NULL, NULL, &out, &len, &err), 0, "%s",
                     err.message);
        cr_assert_str_eq(out, "cba False");
        ph_tmpl_free(out);
    }
    /* compiled after: resolved to the app's from the start */
    cr_assert_eq(ph_tmpl_render_string(env, "{{ 'xy'|upper }} {{ 40 is odd }}", NULL, NULL,
                                       &out, &len, &err),
                 0, "%s", err.message);
    cr_assert_str_eq(out, "yx True");
    ph_tmpl_free(out);
    ph_tmpl_env_free(env);
}

/* A lazy context variable: counts how often it is made. */
static json_t *lazy_counted(void *ud, void *user) {
    ++*(int *)ud;
    return json_pack("{s:s}", "path", (const char *)user);
}

static json_t *lazy_other(void *ud, void *user) {
    (void)ud;
    (void)user;
    return json_string("later");
}

static json_t *lazy_failing(void *ud, void *user) {
    (void)ud;
    (void)user;
    return NULL;
}

static void expect_user(ph_tmpl_env *env, const char *name, json_t *ctx, void *user,
                        const char *want) {
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_render(env, name, ctx, user, &out, &len, &err), 0, "%s: %s", name,
                 err.message);
    cr_assert_str_eq(out, want, "%s", name);
    ph_tmpl_free(out);
}

/* Made only when a render uses it, once per render however often it is
 * used; the render's own context wins; includes see it, templates imported
 * without context do not, as with any context variable. */
Test(template, lazy_context_is_made_on_first_use_once_per_render) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    int made = 0;
    cr_assert_eq(ph_tmpl_env_add_lazy_context(env, "req", lazy_counted, &made), 0);
    cr_assert_eq(ph_tmpl_env_add_string(env, "none.txt", "no use"), 0);
    cr_assert_eq(ph_tmpl_env_add_string(env, "twice.txt",
                                        "{{ req.path }} {{ req.path }}|{% include 'inc.txt' %}"),
                 0);
    cr_assert_eq(ph_tmpl_env_add_string(env, "inc.txt", "{{ req.path }}"), 0);
    cr_assert_eq(ph_tmpl_env_add_string(env, "mod.txt", "{% macro m() %}{{ req is defined }}"
                                                        "{% endmacro %}"),
                 0);
    cr_assert_eq(ph_tmpl_env_add_string(env, "imp.txt",
                                        "{% import 'mod.txt' as a %}{% import 'mod.txt' as b "
                                        "with context %}{{ a.m() }} {{ b.m() }}"),
                 0);
    expect_user(env, "none.txt", NULL, "/a", "no use");
    cr_assert_eq(made, 0, "not made when unused");
    expect_user(env, "twice.txt", NULL, "/a", "/a /a|/a");
    cr_assert_eq(made, 1, "made once for the render");
    expect_user(env, "twice.txt", NULL, "/b", "/b /b|/b");
    cr_assert_eq(made, 2, "and again for the next render");
    expect_user(env, "imp.txt", NULL, "/c", "False True");
    expect_user(env, "twice.txt", json_pack("{s:{s:s}}", "req", "path", "given"), "/d",
                "given given|given");
    cr_assert_eq(made, 3, "the given context wins (only the import test made it)");
    cr_assert_eq(ph_tmpl_env_add_lazy_context(env, "req", lazy_other, NULL), 0);
    expect_user(env, "inc.txt", NULL, "/e", "");
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_render_string(env, "{{ req }}", NULL, NULL, &out, &len, &err), 0);
    cr_assert_str_eq(out, "later", "the later registration wins");
    ph_tmpl_free(out);
    cr_assert_eq(ph_tmpl_env_add_lazy_context(env, "broken", lazy_failing, NULL), 0);
    cr_assert_eq(ph_tmpl_render_string(env, "a{{ broken }}b", NULL, NULL, &out, &len, &err),
                 PH_ENOMEM);
    cr_assert(strstr(err.message, "broken"), "%s", err.message);
    cr_assert_eq(ph_tmpl_env_add_lazy_context(env, NULL, lazy_other, NULL), PH_EINVAL);
    cr_assert_eq(ph_tmpl_env_add_lazy_context(env, "x", NULL, NULL), PH_EINVAL);
    ph_tmpl_env_free(env);
}

/* A processor that cannot build its values (out of memory, say). */
static json_t *failing_processor(void *ud, void *user) {
    (void)ud;
    (void)user;
    return NULL;
}

Test(template, failing_context_processor_fails_the_render) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_eq(ph_tmpl_env_add_context_processor(env, user_processor, NULL), 0);
    cr_assert_eq(ph_tmpl_env_add_context_processor(env, failing_processor, NULL), 0);
    char *out = NULL;
    size_t len;
    ph_tmpl_error err;
    /* not a page with `user` missing: an error, and no output */
    int rc = ph_tmpl_render_string(env, "[{{ user }}]", json_object(), (void *)"ann", &out, &len,
                                   &err);
    cr_assert_eq(rc, PH_ENOMEM);
    cr_assert_null(out);
    cr_assert(strstr(err.message, "context processor") != NULL, "%s", err.message);
    ph_tmpl_env_free(env);
}

Test(template, unknown_filter_is_a_compile_error) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    ph_tmpl_error err;
    int rc;
    render_str(env, "\n{{ x|frobnicate }}", NULL, &rc, &err);
    cr_assert_eq(rc, PH_ETEMPLATE);
    cr_assert_eq(err.line, 2);
    cr_assert_str_eq(err.message, "No filter named 'frobnicate'.");
    ph_tmpl_env_free(env);
}

/* ---- allocation failures ---- */

Test(template, allocation_failures_report_enomem_without_leaks_or_crashes) {
    const char *src = "{% extends 'base' %}{% block b %}{% for r in rows %}{{ r.n|upper }}"
                      "{{ loop.index }}{% endfor %}{{ super() }}{% endblock %}";
    int ok = 0;
    for (long n = 0; n < 400; n++) {
        ph_tmpl_env *env = ph_tmpl_env_new();
        if (!env)
            continue;
        ph_tmpl_env_add_string(env, "base", "<{% block b %}base{% endblock %}>");
        json_t *ctx = json_loads("{\"rows\": [{\"n\": \"a\"}, {\"n\": \"b\"}]}", 0, NULL);
        char *out = NULL;
        size_t len;
        ph_tmpl_error err;
        ph__alloc_fail_after(n);
        int rc = ph_tmpl_render_string(env, src, ctx, NULL, &out, &len, &err);
        ph__alloc_fail_after(-1);
        if (rc == 0) {
            cr_assert_str_eq(out, "<A1B2base>");
            ok = 1;
        } else {
            cr_assert(rc == PH_ENOMEM || rc == PH_ETEMPLATE || rc == PH_ENOTFOUND, "rc %d", rc);
        }
        ph_tmpl_free(out);
        ph_tmpl_env_free(env);
    }
    cr_assert(ok);
}
