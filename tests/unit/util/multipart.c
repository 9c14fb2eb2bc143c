/*
 * Tests for src/util/multipart.c. Each parse is recorded as one string
 * (part starts, data, part ends), which does not depend on how the body was
 * chunked; that is how feeding in every split position and byte by byte is
 * compared with the whole-buffer parse.
 */
#include "util/multipart.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

typedef struct recorder {
    ph_buf log;
    size_t data_calls;
    int fail_on_data; /* return this from on_part_data when non-zero */
} recorder;

static void put_slice(ph_buf *b, ph_slice s) {
    if (!s.ptr)
        ph__buf_append_char(b, '-');
    else
        ph__buf_append(b, s.ptr, s.len);
}

static int on_begin(void *data, const ph_multipart_part *p) {
    recorder *r = data;
    ph__buf_append_char(&r->log, '<');
    put_slice(&r->log, p->name);
    ph__buf_append_char(&r->log, '|');
    put_slice(&r->log, p->filename);
    ph__buf_append_char(&r->log, '|');
    put_slice(&r->log, p->content_type);
    ph__buf_append_char(&r->log, '>');
    return 0;
}

static int on_data(void *data, const char *chunk, size_t len) {
    recorder *r = data;
    cr_assert_gt(len, 0, "data callbacks never get empty chunks");
    r->data_calls++;
    if (r->fail_on_data)
        return r->fail_on_data;
    ph__buf_append(&r->log, chunk, len);
    return 0;
}

static int on_end(void *data) {
    recorder *r = data;
    ph__buf_append_str(&r->log, "</>");
    return 0;
}

static const ph_multipart_callbacks cbs = {on_begin, on_data, on_end};

/* Result of one parse: the log, and the first error (feed or finish). */
typedef struct result {
    char log[4096];
    size_t log_len;
    int rc;
} result;

/* Parse `body` cut at the offsets in `cuts` (ascending, `ncuts` of them). */
static result run_cuts(const char *boundary, const char *body, size_t len, const size_t *cuts,
                       size_t ncuts, const ph_multipart_limits *lim) {
    result res = {.rc = 0};
    recorder r = {.data_calls = 0};
    ph__buf_init(&r.log, 0);
    ph_multipart mp;
    int rc = ph__multipart_init(&mp, boundary, strlen(boundary), &cbs, &r, lim);
    cr_assert_eq(rc, 0, "init: %s", ph_err_name(rc));
    size_t at = 0;
    for (size_t c = 0; c <= ncuts && rc == 0; c++) {
        size_t end = c < ncuts ? cuts[c] : len;
        ptrdiff_t n = ph__multipart_feed(&mp, body + at, end - at);
        if (n < 0)
            rc = (int)n;
        else
            cr_assert_eq((size_t)n, end - at);
        at = end;
    }
    if (rc == 0)
        rc = ph__multipart_finish(&mp);
    ph__multipart_close(&mp);
    res.rc = rc;
    res.log_len = r.log.len < sizeof(res.log) ? r.log.len : sizeof(res.log) - 1;
    if (r.log.data)
        memcpy(res.log, r.log.data, res.log_len);
    res.log[res.log_len] = '\0';
    ph__buf_close(&r.log);
    return res;
}

static result run(const char *boundary, const char *body, size_t len) {
    return run_cuts(boundary, body, len, NULL, 0, NULL);
}

#define BODY(s) s, sizeof(s) - 1

static const char simple[] = "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"a\"\r\n"
                             "\r\n"
                             "1\r\n"
                             "--XyZ\r\n"
                             "Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
                             "Content-Type: text/plain\r\n"
                             "\r\n"
                             "hello\r\nworld\r\n"
                             "--XyZ--\r\n";

static const char simple_log[] = "<a|-|->1</><f|x.txt|text/plain>hello\r\nworld</>";

Test(multipart, simple_body_whole) {
    result r = run("XyZ", BODY(simple));
    cr_assert_eq(r.rc, 0, "%s", ph_err_name(r.rc));
    cr_assert_str_eq(r.log, simple_log);
}

Test(multipart, every_split_position_equals_whole) {
    size_t len = sizeof(simple) - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        result r = run_cuts("XyZ", simple, len, &cut, 1, NULL);
        cr_assert_eq(r.rc, 0, "cut at %zu", cut);
        cr_assert_str_eq(r.log, simple_log, "cut at %zu", cut);
    }
}

Test(multipart, every_pair_of_split_positions_equals_whole) {
    size_t len = sizeof(simple) - 1;
    for (size_t a = 0; a <= len; a += 3)
        for (size_t b = a; b <= len; b++) {
            size_t cuts[2] = {a, b};
            result r = run_cuts("XyZ", simple, len, cuts, 2, NULL);
            cr_assert_str_eq(r.log, simple_log, "cuts at %zu, %zu", a, b);
        }
}

Test(multipart, byte_by_byte_equals_whole) {
    size_t len = sizeof(simple) - 1;
    size_t cuts[sizeof(simple)];
    for (size_t i = 0; i < len; i++)
        cuts[i] = i;
    result r = run_cuts("XyZ", simple, len, cuts, len, NULL);
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, simple_log);
}

/* Text that looks like a delimiter but is not one stays data. */
static const char tricky[] = "--b\r\n"
                             "Content-Disposition: form-data; name=\"t\"\r\n"
                             "\r\n"
                             "--b in the middle\r\n"
                             "\r\n--bX not a delimiter\r\n"
                             "\r\n--b-x half a close\r\n"
                             "\r\n--b \tno CRLF after padding\r\n"
                             "\r\n--b\rx CR without LF\r\n"
                             "\r\n-- and \r\n--\r\r\n--\r\n-b\r"
                             "\r\n--b--";

static const char tricky_log[] = "<t|-|->--b in the middle\r\n"
                                 "\r\n--bX not a delimiter\r\n"
                                 "\r\n--b-x half a close\r\n"
                                 "\r\n--b \tno CRLF after padding\r\n"
                                 "\r\n--b\rx CR without LF\r\n"
                                 "\r\n-- and \r\n--\r\r\n--\r\n-b\r</>";

Test(multipart, delimiter_lookalikes_are_data) {
    result r = run("b", BODY(tricky));
    cr_assert_eq(r.rc, 0, "%s", ph_err_name(r.rc));
    cr_assert_str_eq(r.log, tricky_log);
}

Test(multipart, delimiter_lookalikes_in_every_split_position) {
    size_t len = sizeof(tricky) - 1;
    for (size_t cut = 0; cut <= len; cut++) {
        result r = run_cuts("b", tricky, len, &cut, 1, NULL);
        cr_assert_eq(r.rc, 0, "cut at %zu", cut);
        cr_assert_str_eq(r.log, tricky_log, "cut at %zu", cut);
    }
    size_t cuts[sizeof(tricky)];
    for (size_t i = 0; i < len; i++)
        cuts[i] = i;
    result r = run_cuts("b", tricky, len, cuts, len, NULL);
    cr_assert_str_eq(r.log, tricky_log, "byte by byte");
}

Test(multipart, preamble_and_epilogue_are_ignored) {
    result r = run("b", BODY("This is the preamble.\r\n--b\r\n"
                             "Content-Disposition: form-data; name=\"x\"\r\n\r\n"
                             "v\r\n--b--\r\nThis is the epilogue.\r\n--b\r\nmore"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<x|-|->v</>");
}

Test(multipart, preamble_needs_crlf_before_delimiter) {
    /* "x--b" is not a delimiter: the whole body is preamble. */
    result r = run("b", BODY("x--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv"));
    cr_assert_eq(r.rc, PH_EPARSE);
    cr_assert_str_eq(r.log, "");
}

Test(multipart, transport_padding_after_delimiters) {
    result r = run("b", BODY("--b \t \r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n"
                             "v\r\n--b  \r\nContent-Disposition: form-data; name=\"y\"\r\n\r\n"
                             "w\r\n--b--  \r\n"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<x|-|->v</><y|-|->w</>");
}

Test(multipart, too_much_padding_is_eparse) {
    char body[128] = "--b";
    memset(body + 3, ' ', PH_MULTIPART_MAX_PADDING + 1);
    memcpy(body + 3 + PH_MULTIPART_MAX_PADDING + 1, "\r\n", 3);
    result r = run("b", body, strlen(body));
    cr_assert_eq(r.rc, PH_EPARSE);
}

Test(multipart, empty_form) {
    result r = run("b", BODY("--b--\r\n"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "");
}

Test(multipart, empty_field_value_has_no_data_call) {
    result r = run("b", BODY("--b\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n"
                             "\r\n--b--"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<e|-|-></>");
}

Test(multipart, data_may_hold_nul_and_crlf) {
    static const char body[] = "--b\r\nContent-Disposition: form-data; name=\"bin\"; "
                               "filename=\"a.bin\"\r\n\r\n\0\r\n\r\r\n\n\0\r\n--b--";
    result r = run("b", body, sizeof(body) - 1);
    cr_assert_eq(r.rc, 0);
    static const char want[] = "<bin|a.bin|->\0\r\n\r\r\n\n\0</>";
    cr_assert_eq(r.log_len, sizeof(want) - 1);
    cr_assert(memcmp(r.log, want, r.log_len) == 0);
}

Test(multipart, missing_close_delimiter_is_eparse) {
    result r = run("b", BODY("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n"));
    cr_assert_eq(r.rc, PH_EPARSE);
    cr_assert_str_eq(r.log, "<x|-|->v", "the data seen is still delivered");
    r = run("b", BODY("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--b"));
    cr_assert_eq(r.rc, PH_EPARSE, "cut inside the close delimiter");
    r = run("b", BODY(""));
    cr_assert_eq(r.rc, PH_EPARSE, "an empty body is not a form");
}

Test(multipart, lf_only_line_breaks_are_not_delimiters) {
    result r = run("b", BODY("--b\nContent-Disposition: form-data; name=\"x\"\n\nv\n--b--\n"));
    cr_assert_eq(r.rc, PH_EPARSE);
}

Test(multipart, bad_part_headers_are_eparse) {
    static const char *bad[] = {
        "--b\r\n\r\nv\r\n--b--",                             /* no headers */
        "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", /* no disposition */
        "--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\n\r\n--b--",
        "--b\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\n\r\n--b--",      /* no name */
        "--b\r\nContent-Disposition: form-data;\n name=\"x\"\r\n\r\n\r\n--b--",        /* bare LF */
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n X: y\r\n\r\n\r\n--b--", /* fold */
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nNoColon\r\n\r\n\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n"
        "Content-Disposition: form-data; name=\"y\"\r\n\r\n\r\n--b--",
        "--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\n\r\n--b--", /* open quote */
        "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nX: a\rb\r\n\r\n\r\n--b--",
        "--b\r\nBad Name: v\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--b--",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        result r = run("b", bad[i], strlen(bad[i]));
        cr_expect_eq(r.rc, PH_EPARSE, "case %zu: %s", i, ph_err_name(r.rc));
    }
}

Test(multipart, header_names_are_case_insensitive_and_others_ignored) {
    result r = run("b", BODY("--b\r\ncontent-disposition: FORM-DATA; NAME=x\r\n"
                             "X-Extra: 1\r\nCONTENT-TYPE:  image/png  \r\n\r\nv\r\n--b--"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<x|-|image/png>v</>");
}

Test(multipart, filename_star_wins_and_escapes_unquote) {
    result r = run("b", BODY("--b\r\nContent-Disposition: form-data; name=\"a\\\"b\"; "
                             "filename=\"euro.txt\"; filename*=UTF-8''%e2%82%ac.txt\r\n\r\n"
                             "v\r\n--b--"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<a\"b|\xe2\x82\xac.txt|->v</>");
}

Test(multipart, windows_path_filename_is_kept) {
    result r = run("b", BODY("--b\r\nContent-Disposition: form-data; name=\"f\"; "
                             "filename=\"C:\\dir\\a.txt\"\r\n\r\nv\r\n--b--"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<f|C:\\dir\\a.txt|->v</>");
}

Test(multipart, empty_filename_is_a_file_part) {
    result r = run("b", BODY("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
                             "Content-Type: application/octet-stream\r\n\r\n\r\n--b--"));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<f||application/octet-stream></>");
}

Test(multipart, header_block_limit_is_toobig) {
    ph_multipart_limits lim = {.max_header_size = 44};
    const char ok[] = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--b--";
    result r = run_cuts("b", ok, sizeof(ok) - 1, NULL, 0, &lim);
    cr_assert_eq(r.rc, 0, "40 header bytes + CRLF CRLF fit in 44");
    const char big[] = "--b\r\nContent-Disposition: form-data; name=\"xy\"\r\n\r\n\r\n--b--";
    r = run_cuts("b", big, sizeof(big) - 1, NULL, 0, &lim);
    cr_assert_eq(r.rc, PH_ETOOBIG);
}

/* `n` copies of one small part, then the close delimiter. */
static size_t n_parts(char *body, size_t cap, int n) {
    static const char part[] = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n";
    size_t at = 0;
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(body + at, cap - at, "%s", part);
    at += (size_t)snprintf(body + at, cap - at, "--b--");
    return at;
}

Test(multipart, part_count_limit_is_toobig) {
    ph_multipart_limits lim = {.max_parts = 2};
    char body[512];
    size_t len = n_parts(body, sizeof(body), 2);
    result r = run_cuts("b", body, len, NULL, 0, &lim);
    cr_assert_eq(r.rc, 0);
    len = n_parts(body, sizeof(body), 3);
    r = run_cuts("b", body, len, NULL, 0, &lim);
    cr_assert_eq(r.rc, PH_ETOOBIG);
    cr_assert_str_eq(r.log, "<x|-|->v</><x|-|->v</>", "no callback for the extra part");
}

Test(multipart, boundary_validation) {
    ph_multipart mp;
    static const char *bad[] = {"", "a\r", "a\n", "tab\tx", "ends with space ", "\xc3\xa9", "a\"b"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(ph__multipart_init(&mp, bad[i], strlen(bad[i]), &cbs, NULL, NULL), PH_EPARSE,
                     "boundary %zu", i);
    char b71[72];
    memset(b71, 'x', 71);
    cr_expect_eq(ph__multipart_init(&mp, b71, 71, &cbs, NULL, NULL), PH_EPARSE, "71 is too long");
    cr_expect_eq(ph__multipart_init(&mp, b71, 70, &cbs, NULL, NULL), 0, "70 is fine");
    ph__multipart_close(&mp);
    cr_expect_eq(ph__multipart_init(&mp, "a b'()+_,-./:=?", 15, &cbs, NULL, NULL), 0);
    ph__multipart_close(&mp);
}

Test(multipart, longest_boundary_parses) {
    char b[71], body[400];
    memset(b, 'Q', 70);
    b[70] = '\0';
    int n = snprintf(body, sizeof(body),
                     "--%s\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--%s--", b, b);
    result r = run(b, body, (size_t)n);
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<x|-|->v</>");
}

Test(multipart, init_rejects_null_arguments) {
    ph_multipart mp;
    ph_multipart_callbacks partial = {on_begin, NULL, on_end};
    cr_assert_eq(ph__multipart_init(&mp, "b", 1, NULL, NULL, NULL), PH_EINVAL);
    cr_assert_eq(ph__multipart_init(&mp, "b", 1, &partial, NULL, NULL), PH_EINVAL);
    cr_assert_eq(ph__multipart_init(&mp, NULL, 1, &cbs, NULL, NULL), PH_EINVAL);
    ph__multipart_close(&mp);
    ph__multipart_close(NULL);
}

Test(multipart, init_out_of_memory) {
    ph_multipart mp;
    ph__alloc_fail_after(0);
    int rc = ph__multipart_init(&mp, "b", 1, &cbs, NULL, NULL);
    ph__alloc_fail_after(-1);
    cr_assert_eq(rc, PH_ENOMEM);
    ph__multipart_close(&mp);
}

Test(multipart, callback_error_stops_and_sticks) {
    recorder r = {.fail_on_data = PH_ETOOBIG};
    ph__buf_init(&r.log, 0);
    ph_multipart mp;
    cr_assert_eq(ph__multipart_init(&mp, "XyZ", 3, &cbs, &r, NULL), 0);
    cr_assert_eq(ph__multipart_feed(&mp, simple, sizeof(simple) - 1), PH_ETOOBIG);
    cr_assert_eq(r.data_calls, 1);
    cr_assert_eq(ph__multipart_feed(&mp, "x", 1), PH_ETOOBIG);
    cr_assert_eq(ph__multipart_finish(&mp), PH_ETOOBIG);
    cr_assert_eq(r.data_calls, 1, "no callbacks after an error");
    ph__multipart_close(&mp);
    ph__buf_close(&r.log);
}

Test(multipart, large_file_streams_in_few_calls) {
    /* A 1 MiB file fed in 64 KiB chunks: data arrives in pieces of about the
     * chunk size, never copied into the parser. */
    static char body[(1 << 20) + 256];
    int n = snprintf(body, sizeof(body),
                     "--b\r\nContent-Disposition: form-data; name=\"f\"; "
                     "filename=\"big\"\r\n\r\n");
    size_t at = (size_t)n;
    for (size_t i = 0; i < (1u << 20); i++)
        body[at + i] = (char)("abc\r\n-"[i % 6]);
    at += 1u << 20;
    memcpy(body + at, "\r\n--b--", 7);
    at += 7;
    recorder r = {.data_calls = 0};
    ph__buf_init(&r.log, 0);
    ph_multipart mp;
    cr_assert_eq(ph__multipart_init(&mp, "b", 1, &cbs, &r, NULL), 0);
    for (size_t off = 0; off < at; off += 65536) {
        size_t len = at - off < 65536 ? at - off : 65536;
        cr_assert_eq(ph__multipart_feed(&mp, body + off, len), (ptrdiff_t)len);
    }
    cr_assert_eq(ph__multipart_finish(&mp), 0);
    cr_assert_eq(r.log.len, (1u << 20) + strlen("<f|big|-></>"));
    cr_assert_lt(r.data_calls, 40);
    ph__multipart_close(&mp);
    ph__buf_close(&r.log);
}

/* A body built by httpx (what the integration tests send), with the result
 * Werkzeug 2.2's parse_form_data gives for it. */
static const char httpx_body[] =
    "--1e1cdc2c77cc6020c0475639f3e933c0\r\n"
    "Content-Disposition: form-data; name=\"name\"\r\n\r\nZo\xc3\xab\r\n"
    "--1e1cdc2c77cc6020c0475639f3e933c0\r\n"
    "Content-Disposition: form-data; name=\"tags\"\r\n\r\na\r\n"
    "--1e1cdc2c77cc6020c0475639f3e933c0\r\n"
    "Content-Disposition: form-data; name=\"tags\"\r\n\r\nb\r\n"
    "--1e1cdc2c77cc6020c0475639f3e933c0\r\n"
    "Content-Disposition: form-data; name=\"upload\"; "
    "filename=\"r\xc3\xa9sum\xc3\xa9 %22final%22.txt\"\r\n"
    "Content-Type: text/plain\r\n\r\n"
    "line1\r\nline2\r\n--not-a-boundary\r\n\r\n"
    "--1e1cdc2c77cc6020c0475639f3e933c0--\r\n";

Test(multipart, httpx_body_matches_werkzeug) {
    result r = run("1e1cdc2c77cc6020c0475639f3e933c0", BODY(httpx_body));
    cr_assert_eq(r.rc, 0);
    cr_assert_str_eq(r.log, "<name|-|->Zo\xc3\xab</><tags|-|->a</><tags|-|->b</>"
                            "<upload|r\xc3\xa9sum\xc3\xa9 %22final%22.txt|text/plain>"
                            "line1\r\nline2\r\n--not-a-boundary\r\n</>");
}
