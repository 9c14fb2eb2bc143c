/*
 * Streaming renders (ph_tmpl_stream_*): the pieces joined are the bytes a
 * plain render makes, whatever the chunk size; output is sent when the
 * buffer fills and before the app's C code runs, never from inside a
 * capture; max_output bounds what is held, not what is sent; errors before
 * and during the render; a writer that fails stops it.
 */
#include "phial.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* What a writer was handed: the bytes, and each piece's size. */
typedef struct sink {
    char *data;
    size_t len;
    size_t pieces, largest;
    int fail_after; /* refuse the piece after this many (0: never) */
    int refusal;
} sink;

static int collect(void *ud, const char *p, size_t n) {
    sink *s = ud;
    cr_assert_gt(n, 0, "no empty pieces");
    if (s->fail_after && (int)s->pieces >= s->fail_after)
        return s->refusal;
    s->data = realloc(s->data, s->len + n + 1);
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
    s->pieces++;
    if (n > s->largest)
        s->largest = n;
    return 0;
}

static const char *const TEMPLATES[][2] = {
    {"base.html", "<html><title>{% block title %}Base{% endblock %}</title>"
                  "<body>{% block body %}{% endblock %}{% include 'footer.html' %}</body></html>"},
    {"footer.html", "<footer>{{ site|upper }} &copy; {{ year }}</footer>"},
    {"macros.html", "{% macro row(r, cls='') %}<tr class=\"{{ cls }}\"><td>{{ r.name }}</td>"
                    "<td>{{ '%05.1f'|format(r.score) }}</td></tr>{% endmacro %}"
                    "{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}"},
    {"page.html",
     "{% extends 'base.html' %}{% import 'macros.html' as m %}"
     "{% block title %}{{ title }} - {{ super() }}{% endblock %}"
     "{% block body %}{% set total = namespace(n=0) %}<table>"
     "{% for r in rows %}{{ m.row(r, cls=loop.cycle('odd', 'even')) }}"
     "{% set total.n = total.n + r.score %}{% else %}<tr>none</tr>{% endfor %}</table>"
     "{% call m.box() %}total {{ total.n }} {{ '%s of %d' % (title, rows|length) }}{% endcall %}"
     "{% filter upper %}shout {{ title }}{% endfilter %}{% set cap %}captured {{ rows[0].name }}"
     "{% endset %}[{{ cap }}]"
     "{% for k, v in {'a': [1, 2], 'b': [3]}|dictsort %}{{ k }}={{ v|join(',') }};{% endfor %}"
     "{% for n in tree recursive %}({{ n.v }}{{ loop(n.kids) if n.kids }}){% endfor %}"
     "{% autoescape false %}{{ raw }}{% endautoescape %}{{ raw }}{% endblock %}"},
};

static const char *const CONTEXT =
    "{\"title\": \"Scores <&>\", \"site\": \"phial\", \"year\": 2026, \"raw\": \"<i>'\\\"</i>\", "
    "\"rows\": [{\"name\": \"ann <a>\", \"score\": 9.5}, {\"name\": \"bob\", \"score\": 7}, "
    "{\"name\": \"cy & co\", \"score\": 12.25}], "
    "\"tree\": [{\"v\": 1, \"kids\": [{\"v\": 2, \"kids\": []}, {\"v\": 3}]}, {\"v\": 4}]}";

static ph_tmpl_env *env_with_templates(void) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_not_null(env);
    for (size_t i = 0; i < sizeof(TEMPLATES) / sizeof(TEMPLATES[0]); i++)
        cr_assert_eq(ph_tmpl_env_add_string(env, TEMPLATES[i][0], TEMPLATES[i][1]), 0);
    return env;
}

static char *render_whole(ph_tmpl_env *env, const char *name, const char *ctx, size_t *len) {
    char *out = NULL;
    ph_tmpl_error err;
    int rc = ph_tmpl_render(env, name, json_loads(ctx, 0, NULL), NULL, &out, len, &err);
    cr_assert_eq(rc, 0, "%s: %s", name, err.message);
    return out;
}

static sink stream_whole(ph_tmpl_env *env, const char *name, const char *ctx, size_t chunk) {
    sink s = {0};
    ph_tmpl_error err;
    ph_tmpl_stream *ts = ph_tmpl_stream_new(env, name, json_loads(ctx, 0, NULL), NULL, &err);
    cr_assert_not_null(ts, "%s: %s", name, err.message);
    int rc = ph_tmpl_stream_run(ts, collect, &s, chunk, &err);
    cr_assert_eq(rc, 0, "%s: %s", name, err.message);
    ph_tmpl_stream_free(ts);
    return s;
}

Test(tmpl_stream, pieces_join_to_the_bytes_of_a_plain_render_at_any_chunk_size) {
    ph_tmpl_env *env = env_with_templates();
    size_t len;
    char *want = render_whole(env, "page.html", CONTEXT, &len);
    cr_assert(strstr(want, "Scores &lt;&amp;&gt; - Base"), "%s", want);
    const size_t chunks[] = {1, 64, 100, 1000, 0};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        sink s = stream_whole(env, "page.html", CONTEXT, chunks[i]);
        cr_assert_eq(s.len, len, "chunk %zu", chunks[i]);
        cr_assert_eq(memcmp(s.data, want, len), 0, "chunk %zu: %s", chunks[i], s.data);
        if (chunks[i] && chunks[i] < len / 2)
            cr_assert_gt(s.pieces, 1, "chunk %zu: sent as it renders", chunks[i]);
        free(s.data);
    }
    ph_tmpl_free(want);
    ph_tmpl_env_free(env);
}

Test(tmpl_stream, a_string_template_streams_the_same_bytes) {
    ph_tmpl_env *env = env_with_templates();
    const char *src = "{% for r in rows %}<p>{{ r.name }}</p>{% include 'footer.html' %}"
                      "{% endfor %}";
    char *want = NULL;
    size_t len;
    cr_assert_eq(ph_tmpl_render_string(env, src, json_loads(CONTEXT, 0, NULL), NULL, &want, &len,
                                       NULL),
                 0);
    sink s = {0};
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(env, src, json_loads(CONTEXT, 0, NULL), NULL,
                                                   NULL);
    cr_assert_not_null(ts);
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 64, NULL), 0);
    cr_assert_str_eq(s.data, want, "autoescaped as a string template is");
    ph_tmpl_stream_free(ts);
    free(s.data);
    ph_tmpl_free(want);
    ph_tmpl_env_free(env);
}

/* A global that tells how much the writer had been handed when it ran. */
static size_t seen_at_call[4];
static size_t ncalls;

static json_t *probe(json_t *args, void *ud, int *safe) {
    (void)args;
    (void)safe;
    if (ncalls < 4)
        seen_at_call[ncalls] = ((sink *)ud)->len;
    ncalls++;
    return json_string("P");
}

Test(tmpl_stream, output_so_far_is_sent_before_the_apps_code_runs) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    sink s = {0};
    cr_assert_eq(ph_tmpl_env_add_function(env, "probe", probe, &s), 0);
    ncalls = 0;
    /* the second call follows nothing new, the third runs inside a capture */
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(
        env, "head{{ probe() }}{{ probe() }}{% set c %}in{{ probe() }}{% endset %}mid{{ c }}",
        NULL, NULL, NULL);
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 0, NULL), 0);
    cr_assert_str_eq(s.data, "headPPmidinP");
    cr_assert_eq(ncalls, 3);
    cr_assert_eq(seen_at_call[0], 4, "'head' was sent before the first call");
    cr_assert_eq(seen_at_call[1], 5, "and 'P' before the second");
    cr_assert_eq(seen_at_call[2], 5, "nothing is sent while a capture builds");
    cr_assert_eq(s.pieces, 3, "head, P, then the rest at the end");
    ph_tmpl_stream_free(ts);
    free(s.data);
    ph_tmpl_env_free(env);
}

Test(tmpl_stream, max_output_bounds_what_is_held_not_what_is_sent) {
    ph_tmpl_env *env = ph_tmpl_env_new(.max_output = 4096);
    const char *src = "{% for i in range(2000) %}<tr><td>{{ i }}</td><td>{{ s }}</td></tr>"
                      "{% endfor %}";
    const char *ctx = "{\"s\": \"a & b\"}";
    char *out = NULL;
    size_t len;
    cr_assert_eq(ph_tmpl_render_string(env, src, json_loads(ctx, 0, NULL), NULL, &out, &len,
                                       NULL),
                 PH_ETOOBIG, "a plain render holds the whole page");
    sink s = {0};
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(env, src, json_loads(ctx, 0, NULL), NULL,
                                                   NULL);
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 1024, NULL), 0);
    cr_assert_gt(s.len, 60000);
    cr_assert(strstr(s.data, "<tr><td>1999</td><td>a &amp; b</td></tr>"));
    cr_assert_leq(s.largest, 1024, "each piece is one buffer's worth");
    cr_assert_gt(s.pieces, 60);
    ph_tmpl_stream_free(ts);
    free(s.data);
    /* a capture still holds everything it makes, under the same bound */
    ts = ph_tmpl_stream_new_string(env, "{% filter upper %}{{ 'x' * 5000 }}{% endfilter %}",
                                   NULL, NULL, NULL);
    s = (sink){0};
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 1024, &err), PH_ETOOBIG);
    ph_tmpl_stream_free(ts);
    free(s.data);
    ph_tmpl_env_free(env);
}

Test(tmpl_stream, errors_before_the_render_come_from_making_the_stream) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_eq(ph_tmpl_env_add_string(env, "bad.html", "line one\n{% for x in xs %}"), 0);
    ph_tmpl_error err;
    cr_assert_null(ph_tmpl_stream_new(env, "missing.html", json_object(), NULL, &err));
    cr_assert_eq(err.code, PH_ENOTFOUND);
    cr_assert_null(ph_tmpl_stream_new(env, "bad.html", NULL, NULL, &err));
    cr_assert_eq(err.code, PH_ETEMPLATE);
    cr_assert_eq(err.line, 2);
    cr_assert_null(ph_tmpl_stream_new_string(env, "{{ x", NULL, NULL, &err));
    cr_assert_eq(err.code, PH_ETEMPLATE);
    cr_assert_null(ph_tmpl_stream_new_string(env, "{{ x }}", json_array(), NULL, &err));
    cr_assert_eq(err.code, PH_EINVAL, "a context that is not an object");
    cr_assert_null(ph_tmpl_stream_new(NULL, "x", json_object(), NULL, &err));
    cr_assert_eq(err.code, PH_EINVAL);
    cr_assert_null(ph_tmpl_stream_new(env, NULL, NULL, NULL, NULL));
    cr_assert_null(ph_tmpl_stream_new_string(env, NULL, NULL, NULL, NULL));
    cr_assert_eq(ph_tmpl_stream_run(NULL, collect, NULL, 0, NULL), PH_EINVAL);
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(env, "once", NULL, NULL, NULL);
    cr_assert_eq(ph_tmpl_stream_run(ts, NULL, NULL, 0, NULL), PH_EINVAL);
    sink s = {0};
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 0, NULL), 0);
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 0, NULL), PH_EINVAL, "a stream runs once");
    cr_assert_str_eq(s.data, "once");
    ph_tmpl_stream_free(ts);
    ph_tmpl_stream_free(NULL);
    free(s.data);
    ph_tmpl_env_free(env);
}

Test(tmpl_stream, an_error_while_rendering_leaves_what_was_sent_and_drops_the_rest) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    sink s = {0};
    cr_assert_eq(ph_tmpl_env_add_function(env, "probe", probe, &s), 0);
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(env, "sent{{ probe() }}held{{ 1 // 0 }}never",
                                                   NULL, NULL, NULL);
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 0, &err), PH_ETEMPLATE);
    cr_assert_str_eq(s.data, "sent", "flushed before probe(); the rest dropped");
    cr_assert(strstr(err.message, "division"), "%s", err.message);
    cr_assert_eq(err.line, 1);
    ph_tmpl_stream_free(ts);
    free(s.data);
    ph_tmpl_env_free(env);
}

static int calls;

static json_t *counted(json_t *args, void *ud, int *safe) {
    (void)args;
    (void)ud;
    (void)safe;
    calls++;
    return json_integer(calls);
}

Test(tmpl_stream, a_writer_that_fails_stops_the_render_with_its_error) {
    ph_tmpl_env *env = ph_tmpl_env_new();
    cr_assert_eq(ph_tmpl_env_add_function(env, "counted", counted, NULL), 0);
    calls = 0;
    sink s = {.fail_after = 2, .refusal = PH_ECLOSED};
    ph_tmpl_stream *ts = ph_tmpl_stream_new_string(
        env, "{% for i in range(100) %}<{{ counted() }}>{% endfor %}", NULL, NULL, NULL);
    ph_tmpl_error err;
    cr_assert_eq(ph_tmpl_stream_run(ts, collect, &s, 0, &err), PH_ECLOSED);
    cr_assert_eq(err.code, PH_ECLOSED);
    cr_assert_str_eq(s.data, "<1><", "two pieces taken, then the refusal");
    cr_assert_eq(calls, 2, "the render stopped at the refused piece");
    ph_tmpl_stream_free(ts);
    free(s.data);
    ph_tmpl_env_free(env);
}

Test(tmpl_stream, allocation_failures_report_an_error_without_leaks_or_crashes) {
    const char *src = "{% extends 'base' %}{% block b %}{% for r in rows %}{{ r.n|upper }}"
                      "{{ loop.index }}{% endfor %}{{ super() }}{% endblock %}";
    int ok = 0;
    for (long n = 0; n < 300; n++) {
        ph_tmpl_env *env = ph_tmpl_env_new();
        if (!env)
            continue;
        ph_tmpl_env_add_string(env, "base", "<{% block b %}base{% endblock %}>");
        json_t *ctx = json_loads("{\"rows\": [{\"n\": \"a\"}, {\"n\": \"b\"}]}", 0, NULL);
        sink s = {0};
        ph__alloc_fail_after(n);
        ph_tmpl_stream *ts = ph_tmpl_stream_new_string(env, src, ctx, NULL, NULL);
        int rc = ts ? ph_tmpl_stream_run(ts, collect, &s, 0, NULL) : PH_ENOMEM;
        ph__alloc_fail_after(-1);
        if (rc == 0) {
            cr_assert_str_eq(s.data, "<A1B2base>");
            ok = 1;
        } else {
            cr_assert(rc == PH_ENOMEM || rc == PH_ETEMPLATE || rc == PH_ENOTFOUND, "rc %d", rc);
        }
        ph_tmpl_stream_free(ts);
        free(s.data);
        ph_tmpl_env_free(env);
    }
    cr_assert(ok);
}
