/*
 * Rule parsing, converter arguments, converter matching and formatting
 * (src/app/rule.c, src/app/rule_conv.c). Expected values were checked
 * against Werkzeug 2.2 / Flask 2.2 (Debian 12) where Werkzeug has an answer.
 */
#include "app/rule.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <string.h>

static ph__rule *parse_ok(const char *text) {
    ph__rule *r = NULL;
    ph__rule_error e;
    int rc = ph__rule_parse(text, &r, &e);
    cr_assert_eq(rc, 0, "parse '%s': %s", text, rc ? e.msg : "");
    return r;
}

static ph__rule_error parse_bad(const char *text) {
    ph__rule *r = NULL;
    ph__rule_error e;
    memset(&e, 0, sizeof(e));
    cr_assert_eq(ph__rule_parse(text, &r, &e), PH_EINVAL, "'%s' should not parse", text);
    cr_assert_null(r);
    return e;
}

/* Match `path` against a one-part rule; returns 1 and fills caps on a match. */
static int part_matches(const char *rule, const char *seg, ph_slice *caps) {
    ph__rule *r = parse_ok(rule);
    ph_slice tmp[PH__RULE_MAX_VARS];
    int ok = ph__rule_part_match(r, &r->parts[0], seg, strlen(seg), caps ? caps : tmp);
    ph__rule_free(r);
    return ok;
}

static void expect_url(const char *rule, json_t *v, const char *want) {
    ph__rule *r = parse_ok(rule);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__conv_to_url(&r->vars[0].conv, v, &b), 0, "to_url for %s", rule);
    cr_expect_str_eq(b.data, want);
    ph__buf_close(&b);
    ph__rule_free(r);
    json_decref(v);
}

/* ---- parsing ---- */

Test(rule, static_rule_splits_at_slashes) {
    ph__rule *r = parse_ok("/a/bc/");
    cr_assert_eq(r->nparts, 3);
    cr_expect(r->parts[0].is_static && r->parts[0].pieces[0].len == 1);
    cr_expect(r->parts[1].is_static && r->parts[1].pieces[0].len == 2);
    cr_expect(r->parts[2].is_static && r->parts[2].npieces == 0);
    ph__rule_free(r);
}

Test(rule, root_rule_is_one_empty_part) {
    ph__rule *r = parse_ok("/");
    cr_assert_eq(r->nparts, 1);
    cr_expect(r->parts[0].is_static);
    cr_expect_eq(r->parts[0].npieces, 0);
    ph__rule_free(r);
}

Test(rule, default_converter_is_string) {
    ph__rule *r = parse_ok("/user/<name>");
    cr_assert_eq(r->nvars, 1);
    cr_expect_str_eq(r->vars[0].name, "name");
    cr_expect_eq(r->vars[0].conv.kind, PH__CONV_STRING);
    cr_expect_eq(r->vars[0].conv.minlen, 1);
    cr_expect_eq(r->vars[0].conv.weight, 100);
    cr_expect_not(r->parts[1].is_static);
    ph__rule_free(r);
}

Test(rule, converters_by_name) {
    ph__rule *r = parse_ok("/<int:a>/<float:b>/<uuid:c>/<any(x,y):d>/<string:e>/<path:f>");
    cr_assert_eq(r->nvars, 6);
    cr_expect_eq(r->vars[0].conv.kind, PH__CONV_INT);
    cr_expect_eq(r->vars[1].conv.kind, PH__CONV_FLOAT);
    cr_expect_eq(r->vars[2].conv.kind, PH__CONV_UUID);
    cr_expect_eq(r->vars[3].conv.kind, PH__CONV_ANY);
    cr_expect_eq(r->vars[4].conv.kind, PH__CONV_STRING);
    cr_expect_eq(r->vars[5].conv.kind, PH__CONV_PATH);
    cr_expect_eq(r->vars[0].conv.weight, 50);
    cr_expect_eq(r->vars[5].conv.weight, 200);
    ph__rule_free(r);
}

Test(rule, path_converter_makes_the_rest_one_final_part) {
    ph__rule *r = parse_ok("/wiki/<path:page>/edit");
    cr_assert_eq(r->nparts, 2);
    cr_expect(r->parts[1].final);
    ph_slice caps[4];
    cr_expect(ph__rule_part_match(r, &r->parts[1], "a/b/edit", 8, caps));
    cr_expect_eq(caps[0].len, 3);
    cr_expect_not(ph__rule_part_match(r, &r->parts[1], "a/b/view", 8, caps));
    ph__rule_free(r);
}

Test(rule, int_keyword_arguments) {
    ph__rule *r = parse_ok("/<int(signed=True, fixed_digits=4, min=-5, max=9000):n>");
    const ph__conv *c = &r->vars[0].conv;
    cr_expect(c->is_signed);
    cr_expect_eq(c->fixed_digits, 4);
    cr_expect(c->has_min && c->min == -5);
    cr_expect(c->has_max && c->max == 9000);
    ph__rule_free(r);
}

Test(rule, int_positional_argument_is_fixed_digits) {
    ph__rule *r = parse_ok("/<int(3):n>");
    cr_expect_eq(r->vars[0].conv.fixed_digits, 3);
    ph__rule_free(r);
}

Test(rule, string_length_arguments) {
    ph__rule *r = parse_ok("/<string(length=2):c>/<string(minlength=3,maxlength=5):d>");
    cr_expect_eq(r->vars[0].conv.minlen, 2);
    cr_expect_eq(r->vars[0].conv.maxlen, 2);
    cr_expect_eq(r->vars[1].conv.minlen, 3);
    cr_expect_eq(r->vars[1].conv.maxlen, 5);
    ph__rule_free(r);
}

Test(rule, any_items_quoted_and_bare) {
    ph__rule *r = parse_ok("/<any(about, help, 'foo,bar', \"x y\"):page>");
    const ph__conv *c = &r->vars[0].conv;
    cr_assert_eq(c->nitems, 4);
    cr_expect_str_eq(c->items[0], "about");
    cr_expect_str_eq(c->items[1], "help");
    cr_expect_str_eq(c->items[2], "foo,bar");
    cr_expect_str_eq(c->items[3], "x y");
    ph__rule_free(r);
}

Test(rule, merged_slashes_in_rule) {
    ph__rule *r = parse_ok("/a//b");
    cr_expect_eq(r->nparts, 2);
    ph__rule_free(r);
}

Test(rule, static_text_mixed_with_variables) {
    ph__rule *r = parse_ok("/page-<int:n>.html");
    cr_assert_eq(r->nparts, 1);
    cr_expect_eq(r->parts[0].nstatic, 2);
    cr_expect_eq(r->parts[0].nargs, 1);
    ph_slice caps[2];
    cr_expect(ph__rule_part_match(r, &r->parts[0], "page-12.html", 12, caps));
    cr_expect_eq(caps[0].len, 2);
    ph__rule_free(r);
}

/* ---- errors with positions ---- */

Test(rule_error, unterminated_converter_reports_its_start) {
    ph__rule_error e = parse_bad("/a/<int:x");
    cr_expect_eq(e.pos, 3);
    cr_expect_str_eq(e.msg, "rule '/a/<int:x' : unterminated converter at position 3");
}

Test(rule_error, missing_leading_slash) {
    ph__rule_error e = parse_bad("user/<id>");
    cr_expect_eq(e.pos, 0);
    cr_expect(strstr(e.msg, "must start with '/'"));
}

Test(rule_error, unknown_converter_points_at_its_name) {
    ph__rule_error e = parse_bad("/x/<foo:y>");
    cr_expect_eq(e.pos, 4);
    cr_expect(strstr(e.msg, "unknown converter 'foo'"), "%s", e.msg);
}

Test(rule_error, empty_variable_name) {
    ph__rule_error e = parse_bad("/x/<>");
    cr_expect_eq(e.pos, 4);
    cr_expect(strstr(e.msg, "empty variable name"));
}

Test(rule_error, variable_used_twice) {
    ph__rule_error e = parse_bad("/<a>/<int:a>");
    cr_expect_eq(e.pos, 10);
    cr_expect(strstr(e.msg, "variable 'a' used twice"), "%s", e.msg);
}

Test(rule_error, unknown_keyword_argument) {
    ph__rule_error e = parse_bad("/<int(digits=3):n>");
    cr_expect_eq(e.pos, 6);
    cr_expect(strstr(e.msg, "unknown argument 'digits'"), "%s", e.msg);
}

Test(rule_error, bad_character_inside_converter) {
    ph__rule_error e = parse_bad("/<int:a b>");
    cr_expect_eq(e.pos, 7);
}

Test(rule_error, unterminated_arguments) {
    ph__rule_error e = parse_bad("/<int(min=3:n");
    cr_expect_eq(e.pos, 1);
    cr_expect(strstr(e.msg, "unterminated converter"));
}

Test(rule_error, path_takes_no_arguments) {
    ph__rule_error e = parse_bad("/<path(3):p>");
    cr_expect(strstr(e.msg, "takes no arguments"), "%s", e.msg);
}

Test(rule_error, any_needs_items) {
    ph__rule_error e = parse_bad("/<any():p>");
    cr_expect(strstr(e.msg, "at least one item"), "%s", e.msg);
}

Test(rule_error, maxlength_below_minlength) {
    ph__rule_error e = parse_bad("/<string(minlength=4,maxlength=2):s>");
    cr_expect(strstr(e.msg, "maxlength"), "%s", e.msg);
}

Test(rule_error, too_many_variables) {
    char buf[1024] = "";
    size_t o = 0;
    for (int i = 0; i <= PH__RULE_MAX_VARS; i++)
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "/<v%d>", i);
    ph__rule_error e = parse_bad(buf);
    cr_expect(strstr(e.msg, "too many variables"), "%s", e.msg);
}

Test(rule_error, null_error_pointer_is_allowed) {
    ph__rule *r = NULL;
    cr_expect_eq(ph__rule_parse("/<", &r, NULL), PH_EINVAL);
}

Test(rule_error, alloc_failure_sweep) {
    const char *text = "/a/<int(min=1):x>/<any(p,q):k>-<float:f>/<path:rest>/end";
    for (long n = 0;; n++) {
        ph__rule *r = NULL;
        ph__alloc_fail_after(n);
        int rc = ph__rule_parse(text, &r, NULL);
        ph__alloc_fail_after(-1);
        if (rc == 0) {
            cr_expect_gt(n, 5);
            ph__rule_free(r);
            break;
        }
        cr_assert_eq(rc, PH_ENOMEM, "allocation %ld: %d", n, rc);
        cr_assert_null(r);
    }
}

/* ---- converters: matching ---- */

Test(conv, string_matches_one_segment) {
    cr_expect(part_matches("/<s>", "hello", NULL));
    cr_expect_not(part_matches("/<s>", "", NULL));
}

Test(conv, string_length_bounds) {
    cr_expect(part_matches("/<string(length=2):c>", "de", NULL));
    cr_expect_not(part_matches("/<string(length=2):c>", "deu", NULL));
    cr_expect_not(part_matches("/<string(minlength=3):c>", "ab", NULL));
    cr_expect_not(part_matches("/<string(maxlength=3):c>", "abcd", NULL));
}

static int accepts(const char *rule, const char *text) {
    ph__rule *r = parse_ok(rule);
    int ok = ph__conv_accept(&r->vars[0].conv, text, strlen(text), NULL, NULL);
    ph__rule_free(r);
    return ok;
}

/* Werkzeug counts the decoded path's characters: "é" is one, two bytes. */
Test(conv, string_length_bounds_count_characters) {
    cr_expect(part_matches("/<string(length=3):c>", "\xc3\xa9\xc3\xa9\xc3\xa9", NULL));
    cr_expect_not(part_matches("/<string(length=3):c>", "a\xc3\xa9", NULL), "2 characters");
    cr_expect(part_matches("/<string(minlength=2,maxlength=4):c>", "\xe2\x82\xac\xc3\xa9", NULL));
    cr_expect_not(part_matches("/<string(minlength=2,maxlength=4):c>", "\xc3\xa9", NULL));
    cr_expect(accepts("/<string(length=2):c>", "\xf0\x9f\x98\x80\xc3\xa9"));
    cr_expect_not(accepts("/<string(length=2):c>", "abc"));
    cr_expect_not(accepts("/<string(maxlength=2):c>", "\xc3\xa9\xc3\xa9\xc3\xa9"));
}

/* Two parts in one segment split between characters, never inside one. */
Test(conv, parts_end_between_characters) {
    ph_slice caps[PH__RULE_MAX_VARS];
    cr_assert(part_matches("/<string(length=1):a><b>", "\xc3\xa9xy", caps));
    cr_expect_eq(caps[0].len, 2, "a is the whole of \"\xc3\xa9\"");
    cr_assert(part_matches("/<a><string(length=2):b>", "x\xc3\xa9\xc3\xa9", caps));
    cr_expect_eq(caps[0].len, 1);
    cr_expect_eq(caps[1].len, 4);
}

Test(conv, int_is_unsigned_digits_by_default) {
    cr_expect(part_matches("/<int:n>", "42", NULL));
    cr_expect_not(part_matches("/<int:n>", "-42", NULL));
    cr_expect_not(part_matches("/<int:n>", "4a", NULL));
    cr_expect_not(part_matches("/<int:n>", "+4", NULL));
}

Test(conv, int_signed_accepts_minus) {
    cr_expect(part_matches("/<int(signed=True):n>", "-42", NULL));
    cr_expect(part_matches("/<int(signed=True):n>", "42", NULL));
}


Test(conv, int_fixed_digits_counts_the_text) {
    cr_expect(accepts("/<int(fixed_digits=4):y>", "2024"));
    cr_expect(accepts("/<int(fixed_digits=4):y>", "0007"));
    cr_expect_not(accepts("/<int(fixed_digits=4):y>", "7"));
    cr_expect_not(accepts("/<int(fixed_digits=4):y>", "20245"));
}

Test(conv, int_min_max_are_inclusive) {
    cr_expect(accepts("/<int(min=1,max=10):n>", "1"));
    cr_expect(accepts("/<int(min=1,max=10):n>", "10"));
    cr_expect_not(accepts("/<int(min=1,max=10):n>", "0"));
    cr_expect_not(accepts("/<int(min=1,max=10):n>", "11"));
}

Test(conv, int_overflow_is_not_accepted) {
    cr_expect(accepts("/<int:n>", "9223372036854775807"));
    cr_expect_not(accepts("/<int:n>", "9223372036854775808"));
}

Test(conv, float_needs_a_fraction) {
    cr_expect(part_matches("/<float:x>", "1.5", NULL));
    cr_expect_not(part_matches("/<float:x>", "1", NULL));
    cr_expect_not(part_matches("/<float:x>", "1.", NULL));
    cr_expect_not(part_matches("/<float:x>", ".5", NULL));
    cr_expect_not(part_matches("/<float:x>", "-1.5", NULL));
    cr_expect(part_matches("/<float(signed=True):x>", "-1.5", NULL));
}

Test(conv, float_bounds) {
    cr_expect(accepts("/<float(max=2.5):x>", "2.5"));
    cr_expect_not(accepts("/<float(max=2.5):x>", "2.51"));
}

Test(conv, uuid_any_case) {
    cr_expect(part_matches("/<uuid:u>", "6F9619FF-8B86-D011-B42D-00C04FC964FF", NULL));
    cr_expect(part_matches("/<uuid:u>", "6f9619ff-8b86-d011-b42d-00c04fc964ff", NULL));
    cr_expect_not(part_matches("/<uuid:u>", "6f9619ff8b86d011b42d00c04fc964ff", NULL));
    cr_expect_not(part_matches("/<uuid:u>", "6f9619ff-8b86-d011-b42d-00c04fc964fg", NULL));
}

Test(conv, any_matches_listed_items_only) {
    cr_expect(part_matches("/<any(a,b,c):k>", "b", NULL));
    cr_expect_not(part_matches("/<any(a,b,c):k>", "d", NULL));
    cr_expect_not(part_matches("/<any(a,b,c):k>", "ab", NULL));
}

Test(conv, greedy_split_of_two_strings) {
    /* Werkzeug: "/<a>-<b>" on "x-y-z" gives a="x-y", b="z". */
    ph_slice caps[2];
    cr_assert(part_matches("/<a>-<b>", "x-y-z", caps));
    cr_expect_eq(caps[0].len, 3);
    cr_expect_eq(caps[1].len, 1);
}

Test(conv, pattern_alone_splits_a_part) {
    /* As Werkzeug's regex: bounds do not steer the split (a="1234", b="5"). */
    ph_slice caps[2];
    ph__rule *r = parse_ok("/<int(max=99):a><int:b>");
    cr_assert(ph__rule_part_match(r, &r->parts[0], "12345", 5, caps));
    cr_expect_eq(caps[0].len, 4);
    cr_expect_eq(caps[1].len, 1);
    cr_expect_not(ph__rule_values_valid(r, caps));
    ph__rule_free(r);
}

Test(conv, values_valid_checks_bounds_and_range) {
    ph__rule *r = parse_ok("/<int(min=2):a>/<float(max=1.0):b>/<s>");
    ph_slice ok[3] = {{"2", 1}, {"0.5", 3}, {"zz", 2}};
    ph_slice low[3] = {{"1", 1}, {"0.5", 3}, {"zz", 2}};
    ph_slice big[3] = {{"99999999999999999999", 20}, {"0.5", 3}, {"zz", 2}};
    cr_expect(ph__rule_values_valid(r, ok));
    cr_expect_not(ph__rule_values_valid(r, low));
    cr_expect_not(ph__rule_values_valid(r, big));
    ph__rule_free(r);
}

Test(conv, accept_parses_typed_values) {
    ph__rule *r = parse_ok("/<int(signed=True):n>/<float:x>");
    int64_t i = 0;
    double d = 0;
    cr_expect(ph__conv_accept(&r->vars[0].conv, "-17", 3, &i, NULL));
    cr_expect_eq(i, -17);
    cr_expect(ph__conv_accept(&r->vars[1].conv, "2.25", 4, NULL, &d));
    cr_expect_float_eq(d, 2.25, 1e-12);
    ph__rule_free(r);
}

/* ---- converters: building ---- */

Test(conv_url, int_zero_pads_fixed_digits) {
    expect_url("/<int(fixed_digits=4):y>", json_integer(7), "0007");
    expect_url("/<int(fixed_digits=4):y>", json_integer(12345), "12345");
    expect_url("/<int(fixed_digits=4):y>", json_integer(-3), "-003");
}

Test(conv_url, int_takes_python_int_of_the_value) {
    expect_url("/<int:n>", json_real(5.9), "5");
    expect_url("/<int:n>", json_string(" 42 "), "42");
    expect_url("/<int:n>", json_true(), "1");
}

Test(conv_url, int_refuses_text) {
    ph__rule *r = parse_ok("/<int:n>");
    ph_buf b;
    ph__buf_init(&b, 0);
    json_t *v = json_string("abc");
    cr_expect_eq(ph__conv_to_url(&r->vars[0].conv, v, &b), PH_EINVAL);
    json_decref(v);
    ph__buf_close(&b);
    ph__rule_free(r);
}

Test(conv_url, float_uses_python_repr) {
    expect_url("/<float:x>", json_real(1.5), "1.5");
    expect_url("/<float:x>", json_integer(2), "2.0");
    expect_url("/<float:x>", json_real(1e20), "1e+20");
    expect_url("/<float:x>", json_real(0.1), "0.1");
    expect_url("/<float:x>", json_real(1e-5), "1e-05");
    expect_url("/<float:x>", json_real(1e16), "1e+16");
    expect_url("/<float:x>", json_real(123456789012345.6), "123456789012345.6");
    expect_url("/<float:x>", json_real(0.0001), "0.0001");
}

Test(conv_url, string_quotes_like_url_quote) {
    expect_url("/<s>", json_string("a b/c?d#e%f&g=h+i~j:k@l;m,n$o!p'q(r)s*t"),
               "a%20b/c%3Fd%23e%25f%26g%3Dh+i~j:k%40l;m,n$o!p'q(r)s*t");
    expect_url("/<s>", json_string("\xc3\xa9"), "%C3%A9");
}

Test(conv_url, string_formats_scalars_as_python_str) {
    expect_url("/<s>", json_true(), "True");
    expect_url("/<s>", json_real(3.0), "3.0");
    expect_url("/<s>", json_integer(-8), "-8");
}

Test(conv_url, path_keeps_slashes) { expect_url("/<path:p>", json_string("a b/c"), "a%20b/c"); }

Test(conv_url, any_refuses_other_values) {
    expect_url("/<any(a,b):k>", json_string("b"), "b");
    ph__rule *r = parse_ok("/<any(a,b):k>");
    ph_buf b;
    ph__buf_init(&b, 0);
    json_t *v = json_string("c");
    cr_expect_eq(ph__conv_to_url(&r->vars[0].conv, v, &b), PH_EINVAL);
    json_decref(v);
    ph__buf_close(&b);
    ph__rule_free(r);
}

Test(conv_url, uuid_must_be_a_uuid) {
    expect_url("/<uuid:u>", json_string("6f9619ff-8b86-d011-b42d-00c04fc964ff"),
               "6f9619ff-8b86-d011-b42d-00c04fc964ff");
    ph__rule *r = parse_ok("/<uuid:u>");
    ph_buf b;
    ph__buf_init(&b, 0);
    json_t *v = json_string("nope");
    cr_expect_eq(ph__conv_to_url(&r->vars[0].conv, v, &b), PH_EINVAL);
    json_decref(v);
    ph__buf_close(&b);
    ph__rule_free(r);
}

Test(conv_url, quote_plus_for_query_text) {
    ph_buf b;
    ph__buf_init(&b, 0);
    const char *s = "a b+c&d=e";
    cr_assert_eq(ph__rule_quote(&b, s, strlen(s), "", 1), 0);
    cr_expect_str_eq(b.data, "a+b%2Bc%26d%3De");
    ph__buf_close(&b);
}

Test(conv_url, pyequal_follows_python) {
    json_t *i = json_integer(1), *r = json_real(1.0), *t = json_true(), *s = json_string("1");
    cr_expect(ph__rule_pyequal(i, r));
    cr_expect(ph__rule_pyequal(i, t));
    cr_expect_not(ph__rule_pyequal(i, s));
    json_decref(i);
    json_decref(r);
    json_decref(s);
}

Test(conv, pathological_backtracking_is_bounded, .timeout = 10) {
    /* Python's regex would take ages here; the matcher gives up instead. */
    ph__rule *r = parse_ok("/<a>x<b>x<c>x<d>x<e>x<f>x<g>y");
    char seg[400];
    memset(seg, 'x', sizeof(seg));
    ph_slice caps[8];
    cr_expect_not(ph__rule_part_match(r, &r->parts[0], seg, sizeof(seg), caps));
    ph__rule_free(r);
}
