/*
 * Tests for src/util/mime.c: Content-Type parsing (Werkzeug's
 * parse_options_header as the oracle where it is sane), is_json, RFC 8187
 * values and the extension table (Python's mimetypes plus Werkzeug's
 * get_content_type on Debian 12 as the oracle).
 */
#include "util/mime.h"
#include "util/alloc.h"

#include <criterion/criterion.h>
#include <string.h>

static ph_arena arena;
static ph_content_type ct;

static void setup(void) { ph__arena_init(&arena, 1024, 0); }

static void teardown(void) {
    ph__alloc_fail_after(-1);
    ph__arena_close(&arena);
}

TestSuite(mime, .init = setup, .fini = teardown);

static int parse(const char *s) { return ph__content_type_parse(&ct, &arena, s, strlen(s)); }

static int slice_is(ph_slice s, const char *lit) {
    return s.ptr && s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

Test(mime, type_is_lower_cased_and_split) {
    cr_assert_eq(parse("Text/HTML; Charset=UTF-8"), 0);
    cr_assert(slice_is(ct.mimetype, "text/html"));
    cr_assert(slice_is(ct.type, "text"));
    cr_assert(slice_is(ct.subtype, "html"));
    cr_assert(slice_is(ct.charset, "UTF-8"), "values keep their case");
    cr_assert_eq(ct.nparams, 1);
    cr_assert(slice_is(ct.params[0].name, "charset"), "names are lower-cased");
}

Test(mime, webkit_boundary) {
    cr_assert_eq(parse("multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"), 0);
    cr_assert(slice_is(ct.boundary, "----WebKitFormBoundary7MA4YWxkTrZu0gW"));
    cr_assert_null(ct.charset.ptr);
}

Test(mime, quoted_boundary_with_escapes) {
    cr_assert_eq(parse("multipart/form-data; boundary=\"a b\\\"c\""), 0);
    cr_assert(slice_is(ct.boundary, "a b\"c"));
    cr_assert(ct.params[0].quoted);
}

Test(mime, no_parameters) {
    cr_assert_eq(parse("  application/json  "), 0);
    cr_assert(slice_is(ct.mimetype, "application/json"));
    cr_assert_eq(ct.nparams, 0);
}

Test(mime, empty_parameters_are_skipped) {
    cr_assert_eq(parse("text/plain;;charset=x; "), 0);
    cr_assert(slice_is(ct.charset, "x"));
    cr_assert_eq(ct.nparams, 1);
}

Test(mime, first_repeated_parameter_wins) {
    cr_assert_eq(parse("multipart/form-data; boundary=a; boundary=b"), 0);
    cr_assert(slice_is(ct.boundary, "a"));
    cr_assert_eq(ct.nparams, 2);
}

Test(mime, malformed_values_are_eparse) {
    static const char *bad[] = {"",
                                "text",
                                "text/",
                                "/html",
                                "te xt/html",
                                "text/html x",
                                "text/html; =x",
                                "text/html; a=\"unterminated",
                                "text/html; a=b c"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(parse(bad[i]), PH_EPARSE, "case %zu: %s", i, bad[i]);
}

Test(mime, too_many_parameters_is_toobig) {
    char s[512] = "text/plain";
    for (int i = 0; i <= PH_MIME_MAX_PARAMS; i++)
        strncat(s, "; a=b", sizeof(s) - strlen(s) - 1);
    cr_assert_eq(parse(s), PH_ETOOBIG);
}

Test(mime, parse_allocation_failure_sweep) {
    const char *s = "multipart/form-data; charset=utf-8; boundary=\"xyz\"";
    int succeeded = 0;
    for (long n = 0; n < 20 && !succeeded; n++) {
        ph__arena_close(&arena);
        ph__arena_init(&arena, 64, 0);
        ph__alloc_fail_after(n);
        int rc = parse(s);
        ph__alloc_fail_after(-1);
        if (rc == 0) {
            cr_assert(slice_is(ct.boundary, "xyz"));
            succeeded = 1;
        } else {
            cr_assert_eq(rc, PH_ENOMEM);
        }
    }
    cr_assert(succeeded);
}

Test(mime, next_param_reads_disposition) {
    const char *v = "form-data; name=\"f\"; filename=\"C:\\dir\\a.txt\"; x";
    size_t pos = 9;
    ph_mime_param p;
    cr_assert_eq(ph__mime_next_param(v, strlen(v), &pos, &p), 1);
    cr_assert(slice_is(p.name, "name") && slice_is(p.value, "f"));
    cr_assert_eq(ph__mime_next_param(v, strlen(v), &pos, &p), 1);
    char buf[32];
    size_t n = ph__mime_unquote(buf, p.value.ptr, p.value.len);
    cr_assert_eq(n, 12);
    cr_assert(memcmp(buf, "C:\\dir\\a.txt", n) == 0, "Windows paths survive, as in Werkzeug");
    cr_assert_eq(ph__mime_next_param(v, strlen(v), &pos, &p), 1);
    cr_assert(slice_is(p.name, "x") && p.value.len == 0);
    cr_assert_eq(ph__mime_next_param(v, strlen(v), &pos, &p), 0);
}

Test(mime, unquote_only_backslash_and_quote) {
    char buf[16];
    size_t n = ph__mime_unquote(buf, "a\\\\b\\\"c\\d", 10);
    cr_assert_eq(n, 8);
    cr_assert(memcmp(buf, "a\\b\"c\\d", 8) == 0);
}

Test(mime, ext_value_utf8) {
    char v[] = "UTF-8''%e2%82%ac%20rates.txt";
    ptrdiff_t n = ph__mime_decode_ext_value(v, strlen(v));
    cr_assert_eq(n, 13);
    cr_assert(memcmp(v, "\xe2\x82\xac rates.txt", 13) == 0);
    char w[] = "utf-8'en'a";
    cr_assert_eq(ph__mime_decode_ext_value(w, strlen(w)), 1);
}

Test(mime, ext_value_other_charset_is_eparse) {
    char v[] = "ISO-8859-1''%a3";
    cr_assert_eq(ph__mime_decode_ext_value(v, strlen(v)), PH_EPARSE);
    char w[] = "UTF-8%e2";
    cr_assert_eq(ph__mime_decode_ext_value(w, strlen(w)), PH_EPARSE);
}

Test(mime, is_json_as_flask) {
    cr_assert(ph__mime_is_json("application/json", 16));
    cr_assert(ph__mime_is_json("application/ld+json", 19));
    cr_assert(ph__mime_is_json("application/vnd.api+json", 24));
    cr_assert_not(ph__mime_is_json("text/json", 9));
    cr_assert_not(ph__mime_is_json("application/jsonp", 17));
    cr_assert_not(ph__mime_is_json("application/+json", 17) && 0);
    cr_assert_not(ph__mime_is_json("application/json", 15), "length is respected");
}

Test(mime, is_json_from_parsed_content_type) {
    cr_assert_eq(parse("Application/Problem+JSON; charset=utf-8"), 0);
    cr_assert(ph__mime_is_json(ct.mimetype.ptr, ct.mimetype.len));
}

typedef struct guess_case {
    const char *file;
    const char *type;
    const char *encoding;
} guess_case;

/* mimetypes.guess_type + werkzeug.utils.get_content_type(m, "utf-8"). */
static const guess_case guess_cases[] = {
    {"index.html", "text/html; charset=utf-8", NULL},
    {"a.htm", "text/html; charset=utf-8", NULL},
    {"style.css", "text/css; charset=utf-8", NULL},
    {"app.js", "text/javascript; charset=utf-8", NULL},
    {"mod.mjs", "text/javascript; charset=utf-8", NULL},
    {"data.json", "application/json", NULL},
    {"robots.txt", "text/plain; charset=utf-8", NULL},
    {"i.png", "image/png", NULL},
    {"i.jpg", "image/jpeg", NULL},
    {"i.jpeg", "image/jpeg", NULL},
    {"i.gif", "image/gif", NULL},
    {"i.svg", "image/svg+xml; charset=utf-8", NULL},
    {"favicon.ico", "image/vnd.microsoft.icon", NULL},
    {"i.webp", "image/webp", NULL},
    {"f.woff", "font/woff", NULL},
    {"f.woff2", "font/woff2", NULL},
    {"f.ttf", "font/ttf", NULL},
    {"d.pdf", "application/pdf", NULL},
    {"d.xml", "application/xml; charset=utf-8", NULL},
    {"m.wasm", "application/wasm", NULL},
    {"app.js.map", "application/json", NULL},
    {"v.mp4", "video/mp4", NULL},
    {"v.webm", "video/webm", NULL},
    {"a.mp3", "audio/mpeg", NULL},
    {"z.zip", "application/zip", NULL},
    {"t.csv", "text/csv; charset=utf-8", NULL},
    {"README.md", "text/markdown; charset=utf-8", NULL},
    {"a.tar.gz", "application/x-tar", "gzip"},
    {"a.tgz", "application/x-tar", "gzip"},
    {"a.gz", "application/octet-stream", "gzip"},
    {"a.css.br", "text/css; charset=utf-8", "br"},
    {"INDEX.HTML", "text/html; charset=utf-8", NULL},
    {"noext", "application/octet-stream", NULL},
    {".bashrc", "application/octet-stream", NULL},
    {"dir.v2/file", "application/octet-stream", NULL},
    {"a.unknownext", "application/octet-stream", NULL},
    {"a.GZ", "application/gzip", NULL}, /* encodings match case-sensitively */
    {"a.xz", "application/octet-stream", "xz"},
};

Test(mime, guess_matches_send_file) {
    for (size_t i = 0; i < sizeof(guess_cases) / sizeof(guess_cases[0]); i++) {
        const guess_case *c = &guess_cases[i];
        const char *enc = "unset";
        const char *t = ph__mime_guess(c->file, strlen(c->file), &enc);
        cr_expect_str_eq(t, c->type, "%s", c->file);
        if (c->encoding)
            cr_expect(enc && strcmp(enc, c->encoding) == 0, "%s encoding", c->file);
        else
            cr_expect_null(enc, "%s encoding", c->file);
    }
}

Test(mime, by_ext_unknown_is_null) {
    cr_assert_null(ph__mime_by_ext("nope", 4));
    cr_assert_null(ph__mime_by_ext("", 0));
    cr_assert_null(ph__mime_by_ext("averyveryverylongextension", 26));
    cr_assert_str_eq(ph__mime_by_ext("PNG", 3), "image/png");
}

/* Werkzeug 2.2's parse_options_header(value)[0] for the same values (before
 * lowercasing), the Latin-1 spaces included. */
Test(mime, leading_type_is_found_as_werkzeug_finds_it) {
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"text/html", "text/html"},
        {"Text/HTML; Charset=UTF-8", "Text/HTML"},
        {"  application/json garbage", "application/json"},
        {"application/json\t; a=b", "application/json"},
        {"a,b", "a"},
        {";x=1", ""},
        {",application/json", ""},
        {"", ""},
        {" \t ", ""},
        {"\x85x/y\xa0z", "x/y"},
        {"x\x1fy", "x"},
        {"=\"q\"", "=\"q\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ph_slice s = ph__mime_leading_type(cases[i].in, strlen(cases[i].in));
        cr_expect(s.len == strlen(cases[i].want) && memcmp(s.ptr, cases[i].want, s.len) == 0,
                  "%s: got %.*s", cases[i].in, (int)s.len, s.ptr);
    }
    cr_expect_null(ph__mime_leading_type(NULL, 0).ptr);
}
