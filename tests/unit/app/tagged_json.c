/*
 * Tests for src/app/tagged_json.c. Expected texts were produced by Flask
 * 2.2.2's TaggedJSONSerializer.dumps inside an app context (sorted keys,
 * ensure_ascii), which is how Flask writes session cookies.
 */
#include "app/tagged_json.h"

#include "phial/common.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <string.h>

static char out_text[4096];

/* Dump the JSON text `in` (parsed by jansson) and return what we wrote. */
static const char *dump(const char *in, int flags) {
    json_error_t e;
    json_t *v = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    cr_assert_not_null(v, "bad test JSON %s: %s", in, e.text);
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__tagged_json_dumps(v, flags, &b);
    cr_assert_eq(rc, 0, "dumps failed: %s", ph_err_name(rc));
    snprintf(out_text, sizeof(out_text), "%s", b.data);
    ph__buf_close(&b);
    json_decref(v);
    return out_text;
}

/* Load tagged text and compare with the plain JSON `want`. */
static void load_eq(const char *text, int flags, const char *want) {
    int err = 1;
    json_t *got = ph__tagged_json_loads(text, strlen(text), flags, &err);
    cr_assert_not_null(got, "loads(%s) failed: %s", text, ph_err_name(err));
    cr_assert_eq(err, 0);
    json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    cr_assert(json_equal(got, w), "loads(%s) = %s, want %s", text, g, want);
    free(g);
    json_decref(w);
    json_decref(got);
}

static int load_err(const char *text, int flags) {
    int err = 0;
    json_t *got = ph__tagged_json_loads(text, strlen(text), flags, &err);
    cr_assert_null(got, "loads(%s) should fail", text);
    return err;
}

Test(tagged_json, dumps_sorts_keys_compactly) {
    cr_assert_str_eq(dump("{\"b\":1,\"a\":[true,false,null]}", 0),
                     "{\"a\":[true,false,null],\"b\":1}");
}

Test(tagged_json, dumps_sorts_keys_by_code_point) {
    cr_assert_str_eq(dump("{\"\\u00e9\":1,\"z\":2,\"Z\":3}", 0), "{\"Z\":3,\"z\":2,\"\\u00e9\":1}");
}

Test(tagged_json, dumps_escapes_non_ascii_like_python) {
    cr_assert_str_eq(dump("{\"s\":\"\\u00e9\\ud83d\\ude00\"}", 0),
                     "{\"s\":\"\\u00e9\\ud83d\\ude00\"}");
}

Test(tagged_json, dumps_escapes_control_characters_like_python) {
    cr_assert_str_eq(dump("{\"c\":\"\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t\\\"\\\\/\"}", 0),
                     "{\"c\":\"\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t\\\"\\\\/\"}");
}

Test(tagged_json, dumps_nul_in_strings) {
    cr_assert_str_eq(dump("[\"a\\u0000b\"]", 0), "[\"a\\u0000b\"]");
}

Test(tagged_json, dumps_floats_as_python_repr) {
    cr_assert_str_eq(
        dump("[0.1,1e16,1e-5,1.0,-0.0,1e15,123456789.123,5e-324,1.7976931348623157e308,"
             "2.5e-05,0.001,100.0,-1.5,1e22,12345678901234567.0]",
             0),
        "[0.1,1e+16,1e-05,1.0,-0.0,1000000000000000.0,123456789.123,5e-324,"
        "1.7976931348623157e+308,2.5e-05,0.001,100.0,-1.5,1e+22,1.2345678901234568e+16]");
}

Test(tagged_json, dumps_floats_just_above_powers_of_two) {
    /* Powers of two, where the nearest 16-digit text misses and Python picks
     * the neighbour above it. */
    cr_assert_str_eq(
        dump("[5.225680706521042e-200,6.483618076376552e+178,5.444517870735016e+39]", 0),
        "[5.225680706521042e-200,6.483618076376552e+178,5.444517870735016e+39]");
}

Test(tagged_json, dumps_integer_extremes) {
    cr_assert_str_eq(dump("[0,-1,9223372036854775807,-9223372036854775808]", 0),
                     "[0,-1,9223372036854775807,-9223372036854775808]");
}

Test(tagged_json, dumps_escapes_key_colliding_with_tag) {
    cr_assert_str_eq(dump("{\" t\":[1]}", 0), "{\" di\":{\" t__\":[1]}}");
    cr_assert_str_eq(dump("{\"x\":{\" di\":1}}", 0), "{\"x\":{\" di\":{\" di__\":1}}}");
}

Test(tagged_json, dumps_leaves_tag_keys_alone_in_bigger_objects) {
    cr_assert_str_eq(dump("{\"a\":2,\" t\":1}", 0), "{\" t\":1,\"a\":2}");
}

Test(tagged_json, keep_mode_dumps_tags_verbatim) {
    cr_assert_str_eq(dump("{\"x\":{\" t\":[1,2]}}", PH_TAGGED_JSON_KEEP), "{\"x\":{\" t\":[1,2]}}");
}

Test(tagged_json, dumps_refuses_deep_nesting) {
    json_t *v = json_array();
    for (int i = 0; i < PH_TAGGED_JSON_MAX_DEPTH; i++) {
        json_t *w = json_array();
        json_array_append_new(w, v);
        v = w;
    }
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__tagged_json_dumps(v, 0, &b), PH_ETOOBIG);
    ph__buf_close(&b);
    json_decref(v);
    cr_assert_eq(ph__tagged_json_dumps(NULL, 0, &b), PH_EINVAL);
}

Test(tagged_json, loads_tuple_as_array) { load_eq("{\"a\":{\" t\":[1,2]}}", 0, "{\"a\":[1,2]}"); }

Test(tagged_json, loads_tuple_of_string_as_characters) {
    load_eq("{\" t\":\"a\\u00e9\"}", 0, "[\"a\",\"\\u00e9\"]");
}

Test(tagged_json, loads_bytes_as_their_base64_text) {
    load_eq("[{\" b\":\"eA==\"}]", 0, "[\"eA==\"]");
}

Test(tagged_json, loads_markup_and_datetime_as_strings) {
    load_eq("[{\" m\":\"<b>x</b>\"},{\" d\":\"Wed, 21 Oct 2015 07:28:00 GMT\"}]", 0,
            "[\"<b>x</b>\",\"Wed, 21 Oct 2015 07:28:00 GMT\"]");
}

Test(tagged_json, loads_uuid_in_canonical_form) {
    load_eq("{\" u\":\"12345678123456781234567812345678\"}", 0,
            "\"12345678-1234-5678-1234-567812345678\"");
    load_eq("{\" u\":\"{ABCDEF00-1234-5678-1234-567812345678}\"}", 0,
            "\"abcdef00-1234-5678-1234-567812345678\"");
}

Test(tagged_json, loads_escaped_dict_without_untagging_it_again) {
    load_eq("{\" di\":{\" t__\":{\" t\":[1]}}}", 0, "{\" t\":[1]}");
}

Test(tagged_json, loads_escaped_dict_drops_two_characters) {
    /* Python's key[:-2] counts characters: "x\u00e9\u20ac" loses two of them. */
    load_eq("{\" di\":{\"x\\u00e9\\u20ac\":1}}", 0, "{\"x\":1}");
}

Test(tagged_json, loads_plain_objects_with_tag_keys_unchanged) {
    load_eq("{\" t\":[1],\"x\":1}", 0, "{\" t\":[1],\"x\":1}");
}

Test(tagged_json, keep_mode_loads_tags_verbatim) {
    load_eq("{\"a\":{\" t\":[1,{\" b\":\"eA==\"}]}}", PH_TAGGED_JSON_KEEP,
            "{\"a\":{\" t\":[1,{\" b\":\"eA==\"}]}}");
}

Test(tagged_json, bad_tag_payloads_are_eparse) {
    cr_assert_eq(load_err("{\" b\":\"!!\"}", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\" b\":1}", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\" u\":\"xyz\"}", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\" t\":5}", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\" m\":null}", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\" di\":{}}", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\" di\":[1]}", 0), PH_EPARSE);
}

Test(tagged_json, keep_mode_still_checks_tags) {
    cr_assert_eq(load_err("{\"a\":{\" u\":\"nope\"}}", PH_TAGGED_JSON_KEEP), PH_EPARSE);
}

Test(tagged_json, malformed_json_is_eparse) {
    cr_assert_eq(load_err("{\"a\":", 0), PH_EPARSE);
    cr_assert_eq(load_err("{\"a\":1} x", 0), PH_EPARSE);
    cr_assert_eq(load_err("NaN", 0), PH_EPARSE);
    cr_assert_eq(load_err("99999999999999999999", 0), PH_EPARSE);
    cr_assert_eq(load_err("\"\\ud800\"", 0), PH_EPARSE);
    cr_assert_eq(load_err("\"\xff\"", 0), PH_EPARSE);
}

Test(tagged_json, loads_refuses_deep_nesting) {
    char text[2 * PH_TAGGED_JSON_MAX_DEPTH + 8];
    size_t n = 0;
    for (int i = 0; i <= PH_TAGGED_JSON_MAX_DEPTH; i++)
        text[n++] = '[';
    for (int i = 0; i <= PH_TAGGED_JSON_MAX_DEPTH; i++)
        text[n++] = ']';
    text[n] = '\0';
    cr_assert_eq(load_err(text, 0), PH_ETOOBIG);
    /* Brackets inside strings do not count. */
    memset(text, '[', sizeof(text));
    text[0] = '"';
    text[sizeof(text) - 2] = '"';
    text[sizeof(text) - 1] = '\0';
    load_eq(text, 0, text);
}

Test(tagged_json, plain_values_round_trip) {
    const char *in = "{\"a\":{\" t\":1},\"b\":[1,2.5,\"\\u00e9\",null,true],\"c\":{\" di\":{}},"
                     "\"d\":{\"e\":{\"f\":[]}}}";
    json_t *v = json_loads(in, 0, NULL);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__tagged_json_dumps(v, 0, &b), 0);
    int err;
    json_t *back = ph__tagged_json_loads(b.data, b.len, 0, &err);
    cr_assert(json_equal(v, back), "round trip changed %s", b.data);
    json_decref(back);
    json_decref(v);
    ph__buf_close(&b);
}

Test(tagged_json, dumps_survives_allocation_failures) {
    json_t *v =
        json_loads("{\"b\":{\"y\":1,\"x\":[1,2,{\"q\":\"\\u00e9\"}]},\"a\":\"s\"}", 0, NULL);
    for (long n = 0;; n++) {
        ph_buf b;
        ph__buf_init(&b, 0);
        ph__alloc_fail_after(n);
        int rc = ph__tagged_json_dumps(v, 0, &b);
        long failed = ph__alloc_failures();
        ph__alloc_fail_after(-1);
        ph__buf_close(&b);
        if (rc == 0) {
            cr_assert_eq(failed, 0);
            break;
        }
        cr_assert_eq(rc, PH_ENOMEM);
    }
    json_decref(v);
}

Test(tagged_json, loads_survives_allocation_failures) {
    const char *t = "{\"a\":{\" b\":\"eA==\"}}";
    for (long n = 0;; n++) {
        int err = 0;
        ph__alloc_fail_after(n);
        json_t *v = ph__tagged_json_loads(t, strlen(t), 0, &err);
        ph__alloc_fail_after(-1);
        if (v) {
            json_decref(v);
            break;
        }
        cr_assert_eq(err, PH_ENOMEM);
    }
}
