/*
 * Unit tests for the HTTP/1.1 request-head parser (src/server/http_parser.c):
 * the request line, field lines, framing (Content-Length / chunked), the
 * connection flags, every strictness rule with its status, limits, incremental
 * and pipelined parsing, and the error -> status table.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "server/http_parser.h"
#include "util/alloc.h"

#define MAXH 128
static ph__http_header H[MAXH];
static ph__http_request R;

static int parse_n(const char *s, size_t n) {
    size_t hint = 0;
    return ph__http_parse_request(s, n, &hint, NULL, &R, H, MAXH);
}

static int parse(const char *s) {
    return parse_n(s, strlen(s));
}

static int parse_lim(const char *s, const ph__http_limits *lim) {
    size_t hint = 0;
    return ph__http_parse_request(s, strlen(s), &hint, lim, &R, H, MAXH);
}

static bool eq(ph_slice sl, const char *lit) {
    return sl.len == strlen(lit) && (sl.len == 0 || memcmp(sl.ptr, lit, sl.len) == 0);
}

#define GET11(hdrs) "GET / HTTP/1.1\r\nHost: h\r\n" hdrs "\r\n"
#define POST11(hdrs) "POST /p HTTP/1.1\r\nHost: h\r\n" hdrs "\r\n"

/* ---- request line -------------------------------------------------------- */

Test(http_parser, simple_get_parses_method_target_and_version) {
    const char *s = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
    cr_assert_eq(parse(s), (int)strlen(s));
    cr_expect(eq(R.method, "GET"));
    cr_expect_eq(R.method_bit, PH_GET);
    cr_expect(eq(R.target, "/index.html"));
    cr_expect(eq(R.path, "/index.html"));
    cr_expect_eq(R.minor_version, 1);
    cr_expect_eq(R.num_headers, 1);
    cr_expect_eq(R.framing, PH__HTTP_BODY_NONE);
}

Test(http_parser, returns_bytes_of_head_not_of_following_body) {
    const char *s = POST11("Content-Length: 3\r\n") "abc";
    cr_expect_eq(parse(s), (int)strlen(s) - 3);
}

Test(http_parser, method_bit_matches_ph_method_from_name) {
    const char *names[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "%s / HTTP/1.1\r\nHost: h\r\n\r\n", names[i]);
        cr_assert_gt(parse(buf), 0, "%s", names[i]);
        cr_expect_eq(R.method_bit, ph_method_from_name(names[i], strlen(names[i])), "%s", names[i]);
        cr_expect(eq(R.method, names[i]));
    }
}

Test(http_parser, unknown_token_method_is_kept_with_zero_bit) {
    cr_assert_gt(parse("PROPFIND /x HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect_eq(R.method_bit, 0);
    cr_expect(eq(R.method, "PROPFIND"));
}

Test(http_parser, lowercase_method_is_a_valid_unknown_token) {
    cr_assert_gt(parse("get / HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect_eq(R.method_bit, 0);
}

Test(http_parser, method_with_non_token_byte_is_400) {
    cr_expect_eq(parse("GE@T / HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, path_and_query_are_split_at_first_question_mark) {
    cr_assert_gt(parse("GET /a/b?x=1&y=?2 HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect(eq(R.path, "/a/b"));
    cr_expect(eq(R.query, "x=1&y=?2"));
    cr_expect(eq(R.target, "/a/b?x=1&y=?2"));
}

Test(http_parser, empty_query_after_question_mark) {
    cr_assert_gt(parse("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect(eq(R.path, "/a"));
    cr_expect_eq(R.query.len, 0);
    cr_expect_not_null(R.query.ptr);
}

Test(http_parser, no_question_mark_gives_null_query) {
    cr_assert_gt(parse("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect_null(R.query.ptr);
    cr_expect_eq(R.query.len, 0);
}

Test(http_parser, percent_escapes_stay_undecoded_in_target) {
    cr_assert_gt(parse("GET /a%20b?q=%0D%0A HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect(eq(R.path, "/a%20b"));
    cr_expect(eq(R.query, "q=%0D%0A"));
}

Test(http_parser, target_with_all_visible_ascii_is_accepted) {
    cr_expect_gt(parse("GET /!\"$&'()*+,-.:;<=>@[\\]^_`{|}~ HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
}

Test(http_parser, target_with_byte_above_0x7f_is_400) {
    cr_expect_eq(parse("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, target_with_del_is_400) {
    cr_expect_eq(parse("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, empty_target_is_400) {
    cr_expect_eq(parse("GET  HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, unescaped_space_in_target_is_400) {
    cr_expect_eq(parse("GET /a b HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, absolute_form_is_400) {
    cr_expect_eq(parse("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, authority_form_without_connect_is_400) {
    cr_expect_eq(parse("GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, connect_is_501) {
    int rc = parse("CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n");
    cr_expect_eq(rc, PH_ENOTIMPL);
    cr_expect_eq(ph__http_error_status(rc), 501);
}

Test(http_parser, asterisk_form_with_options_is_accepted) {
    cr_assert_gt(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
    cr_expect(eq(R.target, "*"));
    cr_expect_eq(R.method_bit, PH_OPTIONS);
}

Test(http_parser, asterisk_form_with_get_is_400) {
    cr_expect_eq(parse("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, http10_is_accepted) {
    cr_assert_gt(parse("GET / HTTP/1.0\r\n\r\n"), 0);
    cr_expect_eq(R.minor_version, 0);
}

Test(http_parser, http2_version_is_505) {
    int rc = parse("GET / HTTP/2.0\r\nHost: h\r\n\r\n");
    cr_expect_eq(rc, PH_EVERSION);
    cr_expect_eq(ph__http_error_status(rc), 505);
}

Test(http_parser, higher_http1_minor_version_is_served_as_1_1) {
    cr_assert_gt(parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n"), 0);
    cr_expect_eq(R.minor_version, 1);
    cr_assert_gt(parse("GET / HTTP/1.9\r\nHost: h\r\n\r\n"), 0);
    cr_expect_eq(R.minor_version, 1);
}

Test(http_parser, http3_version_is_505) {
    cr_expect_eq(parse("GET / HTTP/3.0\r\nHost: h\r\n\r\n"), PH_EVERSION);
}

Test(http_parser, http09_version_is_505) {
    cr_expect_eq(parse("GET / HTTP/0.9\r\nHost: h\r\n\r\n"), PH_EVERSION);
}

Test(http_parser, request_line_without_version_is_400) {
    cr_expect_eq(parse("GET /\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, garbage_versions_are_400) {
    const char *bad[] = {"HTTP/1.",   "HTTP/11",   "http/1.1", "HTTP/1.1 ", "HTTP/1.1.1",
                         "HTTP/10.0", "HTTP /1.1", "HTTP/a.b", "HTTPS/1.1", "HTTP/1,1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "GET / %s\r\nHost: h\r\n\r\n", bad[i]);
        cr_expect_eq(parse(buf), PH_EPARSE, "version %s", bad[i]);
    }
}

Test(http_parser, two_spaces_between_parts_are_400) {
    cr_expect_eq(parse("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
    cr_expect_eq(parse("GET /  HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, tab_as_separator_in_request_line_is_400) {
    cr_expect_eq(parse("GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
    cr_expect_eq(parse("GET /\tHTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, one_leading_empty_line_is_ignored) {
    const char *s = "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    cr_assert_eq(parse(s), (int)strlen(s));
    cr_expect(eq(R.method, "GET"));
}

Test(http_parser, four_leading_empty_lines_are_ignored) {
    cr_expect_gt(parse("\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), 0);
}

Test(http_parser, five_leading_empty_lines_are_400) {
    cr_expect_eq(parse("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, leading_bare_lf_is_400) {
    cr_expect_eq(parse("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), PH_EPARSE);
}

/* ---- field lines --------------------------------------------------------- */

Test(http_parser, headers_are_kept_in_order_with_duplicates) {
    cr_assert_gt(parse(GET11("A: 1\r\nB: 2\r\nA: 3\r\n")), 0);
    cr_assert_eq(R.num_headers, 4);
    cr_expect(eq(H[1].name, "A") && eq(H[1].value, "1"));
    cr_expect(eq(H[2].name, "B") && eq(H[2].value, "2"));
    cr_expect(eq(H[3].name, "A") && eq(H[3].value, "3"));
    cr_expect_eq(R.headers, H);
}

Test(http_parser, header_value_is_trimmed_on_both_sides) {
    cr_assert_gt(parse(GET11("X: \t  v a l \t \r\n")), 0);
    cr_expect(eq(H[1].value, "v a l"));
}

Test(http_parser, header_without_space_after_colon) {
    cr_assert_gt(parse(GET11("X:v\r\n")), 0);
    cr_expect(eq(H[1].value, "v"));
}

Test(http_parser, empty_header_value_is_allowed) {
    cr_assert_gt(parse(GET11("X:\r\nY:   \r\n")), 0);
    cr_expect_eq(H[1].value.len, 0);
    cr_expect_eq(H[2].value.len, 0);
}

Test(http_parser, obs_text_is_allowed_in_value) {
    cr_assert_gt(parse(GET11("X: caf\xc3\xa9 \x80\xff\r\n")), 0);
    cr_expect(eq(H[1].value, "caf\xc3\xa9 \x80\xff"));
}

Test(http_parser, htab_inside_value_is_kept) {
    cr_assert_gt(parse(GET11("X: a\tb\r\n")), 0);
    cr_expect(eq(H[1].value, "a\tb"));
}

Test(http_parser, header_name_case_is_preserved) {
    cr_assert_gt(parse(GET11("X-MiXeD: v\r\n")), 0);
    cr_expect(eq(H[1].name, "X-MiXeD"));
}

Test(http_parser, header_name_accepts_every_tchar) {
    cr_assert_gt(parse(GET11("!#$%&'*+-.^_`|~09azAZ: v\r\n")), 0);
    cr_expect(eq(H[1].name, "!#$%&'*+-.^_`|~09azAZ"));
}

Test(http_parser, slices_point_into_the_callers_buffer) {
    char s[] = "GET /x?y HTTP/1.1\r\nHost: h\r\n\r\n";
    cr_assert_gt(parse(s), 0);
    cr_expect_eq(R.method.ptr, s);
    cr_expect_eq(R.target.ptr, s + 4);
    cr_expect_eq(R.query.ptr, s + 7);
    cr_expect_eq(H[0].name.ptr, s + 19);
    cr_expect_eq(H[0].value.ptr, s + 25);
}

Test(http_parser, whitespace_before_colon_is_400) {
    cr_expect_eq(parse(GET11("X : v\r\n")), PH_EPARSE);
}

Test(http_parser, tab_before_colon_is_400) {
    cr_expect_eq(parse(GET11("Content-Length\t: 0\r\n")), PH_EPARSE);
}

Test(http_parser, obs_fold_is_400) {
    cr_expect_eq(parse(GET11("X: a\r\n b\r\n")), PH_EPARSE);
    cr_expect_eq(parse(GET11("X: a\r\n\tb\r\n")), PH_EPARSE);
}

Test(http_parser, header_line_starting_with_space_is_400) {
    cr_expect_eq(parse("GET / HTTP/1.1\r\n Host: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, empty_header_name_is_400) {
    cr_expect_eq(parse(GET11(": v\r\n")), PH_EPARSE);
}

Test(http_parser, header_line_without_colon_is_400) {
    cr_expect_eq(parse(GET11("NoColon\r\n")), PH_EPARSE);
}

Test(http_parser, control_byte_in_header_name_is_400) {
    cr_expect_eq(parse(GET11("X\x01Y: v\r\n")), PH_EPARSE);
    cr_expect_eq(parse(GET11("\x01X: v\r\n")), PH_EPARSE);
}

Test(http_parser, non_ascii_in_header_name_is_400) {
    cr_expect_eq(parse(GET11("Tran\xc5\xbf"
                             "fer-Encoding: chunked\r\n")),
                 PH_EPARSE);
}

Test(http_parser, control_byte_in_value_is_400) {
    cr_expect_eq(parse(GET11("X: a\x01\r\n")), PH_EPARSE);
    cr_expect_eq(parse(GET11("X: a\x1f"
                             "b\r\n")),
                 PH_EPARSE);
}

Test(http_parser, del_in_value_is_400) {
    cr_expect_eq(parse(GET11("X: a\x7f\r\n")), PH_EPARSE);
}

Test(http_parser, nul_anywhere_is_400) {
    const char *s = "GET /a HTTP/1.1\r\nHost: h\r\nX: ab\r\n\r\n";
    size_t n = strlen(s);
    char buf[64];
    /* Replace each byte in turn by NUL (not the last line's LF: that only
     * makes the head incomplete, which is PH_EAGAIN). */
    for (size_t i = 0; i < n - 3; i++) {
        memcpy(buf, s, n);
        buf[i] = '\0';
        int rc = parse_n(buf, n);
        cr_expect_lt(rc, 0, "NUL at %zu accepted", i);
        cr_expect_neq(rc, PH_EAGAIN, "NUL at %zu waited for more", i);
    }
}

Test(http_parser, bare_lf_ending_a_header_line_is_400) {
    cr_expect_eq(parse("GET / HTTP/1.1\r\nHost: h\nX: v\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, bare_lf_ending_the_request_line_is_400) {
    cr_expect_eq(parse("GET / HTTP/1.1\nHost: h\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, bare_lf_head_is_rejected_before_blank_line) {
    /* A client speaking LF-only is refused at its first line end, not left waiting. */
    cr_expect_eq(parse("GET / HTTP/1.1\n"), PH_EPARSE);
}

Test(http_parser, bare_cr_inside_value_is_400) {
    cr_expect_eq(parse(GET11("X: a\rb\r\n")), PH_EPARSE);
}

Test(http_parser, bare_cr_starting_a_line_is_400) {
    cr_expect_eq(parse(GET11("\rTransfer-Encoding: chunked\r\n")), PH_EPARSE);
}

Test(http_parser, cr_cr_lf_ending_head_is_400) {
    cr_expect_eq(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"), PH_EPARSE);
}

/* ---- Host, Connection, Expect, Upgrade -------------------------------- */

Test(http_parser, host_value_is_exposed) {
    cr_assert_gt(parse("GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n"), 0);
    cr_expect(eq(R.host, "example.com:8080"));
}

Test(http_parser, ipv6_host_is_accepted) {
    cr_expect_gt(parse("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"), 0);
}

Test(http_parser, http11_without_host_is_400) {
    cr_expect_eq(parse("GET / HTTP/1.1\r\nX: y\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, two_host_fields_are_400) {
    cr_expect_eq(parse(GET11("Host: h\r\n")), PH_EPARSE);
}

Test(http_parser, two_host_fields_in_http10_are_400) {
    cr_expect_eq(parse("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, http10_without_host_is_accepted) {
    cr_assert_gt(parse("GET / HTTP/1.0\r\n\r\n"), 0);
    cr_expect_null(R.host.ptr);
}

Test(http_parser, host_with_space_or_slash_is_400) {
    cr_expect_eq(parse("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), PH_EPARSE);
    cr_expect_eq(parse("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, empty_host_value_is_accepted) {
    cr_assert_gt(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n"), 0);
    cr_expect_eq(R.host.len, 0);
}

Test(http_parser, host_name_is_case_insensitive) {
    cr_expect_gt(parse("GET / HTTP/1.1\r\nhOsT: h\r\n\r\n"), 0);
}

Test(http_parser, http11_defaults_to_keep_alive) {
    cr_assert_gt(parse(GET11("")), 0);
    cr_expect(R.keep_alive);
}

Test(http_parser, http10_defaults_to_close) {
    cr_assert_gt(parse("GET / HTTP/1.0\r\n\r\n"), 0);
    cr_expect_not(R.keep_alive);
}

Test(http_parser, http10_keep_alive_token_keeps_connection) {
    cr_assert_gt(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), 0);
    cr_expect(R.keep_alive);
}

Test(http_parser, connection_close_ends_http11_connection) {
    cr_assert_gt(parse(GET11("Connection: close\r\n")), 0);
    cr_expect_not(R.keep_alive);
}

Test(http_parser, connection_close_is_case_insensitive_in_a_list) {
    cr_assert_gt(parse(GET11("Connection: foo, CLOSE ,bar\r\n")), 0);
    cr_expect_not(R.keep_alive);
}

Test(http_parser, connection_close_in_second_field_line_counts) {
    cr_assert_gt(parse(GET11("Connection: foo\r\nConnection: close\r\n")), 0);
    cr_expect_not(R.keep_alive);
}

Test(http_parser, close_wins_over_keep_alive) {
    cr_assert_gt(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"), 0);
    cr_expect_not(R.keep_alive);
}

Test(http_parser, closed_is_not_close) {
    cr_assert_gt(parse(GET11("Connection: closed\r\n")), 0);
    cr_expect(R.keep_alive);
}

Test(http_parser, expect_100_continue_is_flagged) {
    cr_assert_gt(parse(POST11("Expect: 100-Continue\r\nContent-Length: 5\r\n")), 0);
    cr_expect(R.expect_continue);
}

Test(http_parser, expect_100_continue_is_ignored_in_http10) {
    cr_assert_gt(parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"), 0);
    cr_expect_not(R.expect_continue);
}

Test(http_parser, other_expectation_is_not_continue) {
    cr_assert_gt(parse(GET11("Expect: 200-ok\r\n")), 0);
    cr_expect_not(R.expect_continue);
}

Test(http_parser, upgrade_with_connection_upgrade_is_noted) {
    cr_assert_gt(parse(GET11("Connection: Upgrade\r\nUpgrade: websocket\r\n")), 0);
    cr_expect(R.upgrade);
}

Test(http_parser, upgrade_without_connection_upgrade_is_not_noted) {
    cr_assert_gt(parse(GET11("Upgrade: websocket\r\n")), 0);
    cr_expect_not(R.upgrade);
}

Test(http_parser, find_header_is_case_insensitive_and_walks_duplicates) {
    cr_assert_gt(parse(GET11("X-A: 1\r\nY: 2\r\nx-a: 3\r\n")), 0);
    size_t from = 0;
    const ph__http_header *f = ph__http_find_header(&R, "X-a", 3, &from);
    cr_assert_not_null(f);
    cr_expect(eq(f->value, "1"));
    f = ph__http_find_header(&R, "X-a", 3, &from);
    cr_assert_not_null(f);
    cr_expect(eq(f->value, "3"));
    cr_expect_null(ph__http_find_header(&R, "X-a", 3, &from));
    cr_expect_null(ph__http_find_header(&R, "X-^", 3, NULL));
}

/* ---- framing ------------------------------------------------------------- */

Test(http_parser, no_length_and_no_chunked_means_no_body) {
    cr_assert_gt(parse(POST11("")), 0);
    cr_expect_eq(R.framing, PH__HTTP_BODY_NONE);
    cr_expect_eq(R.content_length, 0);
}

Test(http_parser, content_length_sets_length_framing) {
    cr_assert_gt(parse(POST11("Content-Length: 1234\r\n")), 0);
    cr_expect_eq(R.framing, PH__HTTP_BODY_LENGTH);
    cr_expect_eq(R.content_length, 1234);
}

Test(http_parser, content_length_zero_is_length_framing) {
    cr_assert_gt(parse(POST11("Content-Length: 0\r\n")), 0);
    cr_expect_eq(R.framing, PH__HTTP_BODY_LENGTH);
    cr_expect_eq(R.content_length, 0);
}

Test(http_parser, content_length_with_surrounding_whitespace_is_accepted) {
    cr_assert_gt(parse(POST11("Content-Length:  42 \t\r\n")), 0);
    cr_expect_eq(R.content_length, 42);
}

Test(http_parser, content_length_leading_zeros_are_accepted) {
    cr_assert_gt(parse(POST11("Content-Length: 007\r\n")), 0);
    cr_expect_eq(R.content_length, 7);
}

Test(http_parser, content_length_int64_max_is_accepted) {
    cr_assert_gt(parse(POST11("Content-Length: 9223372036854775807\r\n")), 0);
    cr_expect_eq(R.content_length, 9223372036854775807ull);
}

Test(http_parser, content_length_past_int64_max_is_400) {
    cr_expect_eq(parse(POST11("Content-Length: 9223372036854775808\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Content-Length: 18446744073709551616\r\n")), PH_EPARSE);
}

Test(http_parser, content_length_bad_syntax_is_400) {
    const char *bad[] = {"+5",  "-5", "0x10", "1 0", "1,1", "5,5",
                         "1.0", "",   "abc",  "5;",  "1e3", "\xc2\xb2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char buf[128];
        snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %s\r\n\r\n",
                 bad[i]);
        cr_expect_eq(parse(buf), PH_EPARSE, "Content-Length: %s", bad[i]);
    }
}

Test(http_parser, identical_repeated_content_length_is_400) {
    cr_expect_eq(parse(POST11("Content-Length: 5\r\nContent-Length: 5\r\n")), PH_EPARSE);
}

Test(http_parser, conflicting_content_length_is_400) {
    cr_expect_eq(parse(POST11("Content-Length: 5\r\ncontent-length: 6\r\n")), PH_EPARSE);
}

Test(http_parser, content_length_over_max_body_is_413) {
    ph__http_limits lim = {.max_body = 100};
    int rc = parse_lim(POST11("Content-Length: 101\r\n"), &lim);
    cr_expect_eq(rc, PH_EBODYTOOLARGE);
    cr_expect_eq(ph__http_error_status(rc), 413);
    cr_expect_gt(parse_lim(POST11("Content-Length: 100\r\n"), &lim), 0);
}

Test(http_parser, chunked_sets_chunked_framing) {
    cr_assert_gt(parse(POST11("Transfer-Encoding: chunked\r\n")), 0);
    cr_expect_eq(R.framing, PH__HTTP_BODY_CHUNKED);
}

Test(http_parser, chunked_is_case_insensitive) {
    cr_assert_gt(parse(POST11("transfer-ENCODING: ChUnKeD\r\n")), 0);
    cr_expect_eq(R.framing, PH__HTTP_BODY_CHUNKED);
}

Test(http_parser, chunked_with_content_length_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Content-Length: 4\r\nTransfer-Encoding: chunked\r\n")), PH_EPARSE);
}

Test(http_parser, chunked_twice_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked, chunked\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n")),
                 PH_EPARSE);
}

Test(http_parser, chunked_not_final_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked, gzip\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n")),
                 PH_EPARSE);
}

Test(http_parser, transfer_coding_without_chunked_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: gzip\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: xchunked\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunk\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: identity\r\n")), PH_EPARSE);
}

Test(http_parser, empty_transfer_encoding_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding:\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: ,\r\n")), PH_EPARSE);
}

Test(http_parser, other_coding_before_chunked_is_501) {
    int rc = parse(POST11("Transfer-Encoding: gzip, chunked\r\n"));
    cr_expect_eq(rc, PH_ENOTIMPL);
    cr_expect_eq(ph__http_error_status(rc), 501);
    cr_expect_eq(parse(POST11("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")),
                 PH_ENOTIMPL);
}

Test(http_parser, coding_with_valid_parameter_before_chunked_is_501) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: x;a=1;b=\"q,\\\"\" , chunked\r\n")), PH_ENOTIMPL);
}

Test(http_parser, malformed_coding_parameter_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: gzip;, chunked\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: gzip;a, chunked\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: gzip;a=\"x, chunked\r\n")), PH_EPARSE);
}

Test(http_parser, chunked_with_parameter_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked;a=1\r\n")), PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked;\r\n")), PH_EPARSE);
}

Test(http_parser, transfer_encoding_in_http10_is_400) {
    cr_expect_eq(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), PH_EPARSE);
}

Test(http_parser, non_ascii_around_chunked_is_400) {
    cr_expect_eq(parse(POST11("Transfer-Encoding: \xc2\xa0"
                              "chunked\r\n")),
                 PH_EPARSE);
    cr_expect_eq(parse(POST11("Transfer-Encoding: chunked\xc2\xa0\r\n")), PH_EPARSE);
}

Test(http_parser, chunked_with_whitespace_and_empty_elements_is_accepted) {
    cr_assert_gt(parse(POST11("Transfer-Encoding: , \tchunked\t ,\r\n")), 0);
    cr_expect_eq(R.framing, PH__HTTP_BODY_CHUNKED);
}

/* ---- one table of malformed heads ------------------------------------- */

typedef struct bad_case {
    const char *raw;
    size_t len;
    int err;
} bad_case;

Test(http_parser, malformed_requests_are_rejected_with_their_status) {
#define C(raw, err)                                                                                \
    { raw, sizeof(raw) - 1, err }
    static const bad_case cases[] = {
        C("GET / HTTP/1.1\r\nHost: h\r\nX: a\x00"
          "b\r\n\r\n",
          PH_EPARSE),
        C("GET /\x00 HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("G\x00T / HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHo\x00st: h\r\n\r\n", PH_EPARSE),
        C(" GET / HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1 \r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET /a HTTP/1.1 HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET /a\rHTTP/1.1 HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET /\xff HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET /\r\n\r\n", PH_EPARSE),
        C("\r\n\r\n", PH_EAGAIN),
        C("/ HTTP/1.1\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX:: v\r\n\r\n", 0),
        C("GET / HTTP/1.1\r\nHost: h\r\n:X: v\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX\x7f: v\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\n\"X\": v\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX(): v\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX/Y: v\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX: \x0bv\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX: v\x0c\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nX: v\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\n\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\x11\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: $9000\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\x7f\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/1.1\r\nHost: h\r\nTransfer_Encoding: chunked\r\n"
          "Transfer-Encoding : chunked\r\n\r\n",
          PH_EPARSE),
        C("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", PH_EPARSE),
        C("GET //a HTTP/1.1\r\nHost: a\r\n\r\n", 0),
        C("GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/2\r\nHost: h\r\n\r\n", PH_EPARSE),
        C("GET / HTTP/4.1\r\nHost: h\r\n\r\n", PH_EVERSION),
        C("GET / HTTP/9.9\r\nHost: h\r\n\r\n", PH_EVERSION),
        C("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", PH_EVERSION),
        C("CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", PH_ENOTIMPL),
        C("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: deflate, chunked\r\n\r\n", PH_ENOTIMPL),
        C("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", PH_EPARSE),
        C("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", PH_EPARSE),
    };
#undef C
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const bad_case *c = &cases[i];
        size_t n = c->len;
        int rc = parse_n(c->raw, n);
        if (c->err == 0)
            cr_expect_gt(rc, 0, "case %zu: got %s", i, ph_err_name(rc));
        else
            cr_expect_eq(rc, c->err, "case %zu: expected %s, got %s", i, ph_err_name(c->err),
                         ph_err_name(rc));
    }
}

/* ---- incremental and pipelined ------------------------------------------ */

static const char sample[] = "POST /submit/form?id=42&x=y HTTP/1.1\r\n"
                             "Host: www.example.com\r\n"
                             "User-Agent: phial-test/1.0\r\n"
                             "Accept: text/html, */*;q=0.8\r\n"
                             "Content-Type: application/x-www-form-urlencoded\r\n"
                             "Content-Length: 11\r\n"
                             "Connection: keep-alive\r\n"
                             "X-Dup: one\r\n"
                             "X-Dup: two\r\n"
                             "\r\n"
                             "hello=world";

static void expect_same_request(const ph__http_request *a, const ph__http_header *ha,
                                const ph__http_request *b, const ph__http_header *hb) {
    cr_expect_eq(a->method.ptr, b->method.ptr);
    cr_expect_eq(a->method.len, b->method.len);
    cr_expect_eq(a->target.ptr, b->target.ptr);
    cr_expect_eq(a->target.len, b->target.len);
    cr_expect_eq(a->query.ptr, b->query.ptr);
    cr_expect_eq(a->minor_version, b->minor_version);
    cr_expect_eq(a->framing, b->framing);
    cr_expect_eq(a->content_length, b->content_length);
    cr_expect_eq(a->keep_alive, b->keep_alive);
    cr_assert_eq(a->num_headers, b->num_headers);
    for (size_t i = 0; i < a->num_headers; i++) {
        cr_expect_eq(ha[i].name.ptr, hb[i].name.ptr);
        cr_expect_eq(ha[i].value.ptr, hb[i].value.ptr);
        cr_expect_eq(ha[i].value.len, hb[i].value.len);
    }
}

Test(http_parser, every_proper_prefix_of_a_head_returns_eagain) {
    size_t head = strlen(sample) - 11;
    for (size_t n = 0; n < head; n++) {
        size_t hint = 0;
        cr_expect_eq(ph__http_parse_request(sample, n, &hint, NULL, &R, H, MAXH), PH_EAGAIN,
                     "prefix %zu", n);
    }
}

Test(http_parser, byte_at_a_time_equals_whole_parse) {
    ph__http_header whole_h[MAXH], inc_h[MAXH];
    ph__http_request whole, inc;
    size_t hint = 0, len = strlen(sample);
    int full = ph__http_parse_request(sample, len, &hint, NULL, &whole, whole_h, MAXH);
    cr_assert_gt(full, 0);
    hint = 0;
    int rc = PH_EAGAIN;
    size_t n;
    for (n = 0; n <= len && rc == PH_EAGAIN; n++)
        rc = ph__http_parse_request(sample, n, &hint, NULL, &inc, inc_h, MAXH);
    cr_assert_eq(rc, full);
    cr_expect_eq(n - 1, (size_t)full, "completed exactly at the blank line");
    expect_same_request(&whole, whole_h, &inc, inc_h);
}

Test(http_parser, scan_hint_advances_so_trickling_is_linear) {
    size_t hint = 0, prev = 0;
    for (size_t n = 1; n < 60; n++) {
        cr_assert_eq(ph__http_parse_request(sample, n, &hint, NULL, &R, H, MAXH), PH_EAGAIN);
        cr_expect_geq(hint & 0xffffffffu, prev);
        prev = hint & 0xffffffffu;
    }
    cr_expect_eq(prev, 59, "the scan resumes where it stopped");
}

Test(http_parser, byte_at_a_time_finds_the_same_error) {
    const char *s = "GET / HTTP/1.1\r\nHost: h\r\nX : v\r\n\r\n";
    size_t hint = 0, len = strlen(s);
    int rc = PH_EAGAIN;
    for (size_t n = 0; n <= len && rc == PH_EAGAIN; n++)
        rc = ph__http_parse_request(s, n, &hint, NULL, &R, H, MAXH);
    cr_expect_eq(rc, PH_EPARSE);
}

Test(http_parser, pipelined_requests_parse_one_after_another) {
    const char *s = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
                    "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                    "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n";
    size_t off = 0, len = strlen(s);
    const char *want[] = {"/1", "/2", "/3"};
    for (int i = 0; i < 3; i++) {
        size_t hint = 0;
        int rc = ph__http_parse_request(s + off, len - off, &hint, NULL, &R, H, MAXH);
        cr_assert_gt(rc, 0);
        cr_expect(eq(R.target, want[i]));
        off += (size_t)rc;
    }
    cr_expect_eq(off, len);
}

Test(http_parser, pipelined_request_after_a_body_starts_past_content_length) {
    const char *s = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                    "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    size_t hint = 0, len = strlen(s);
    int rc = ph__http_parse_request(s, len, &hint, NULL, &R, H, MAXH);
    cr_assert_gt(rc, 0);
    size_t off = (size_t)rc + R.content_length;
    hint = 0;
    rc = ph__http_parse_request(s + off, len - off, &hint, NULL, &R, H, MAXH);
    cr_assert_gt(rc, 0);
    cr_expect(eq(R.target, "/b"));
}

Test(http_parser, partial_second_request_returns_eagain) {
    const char *s = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHo";
    size_t hint = 0, len = strlen(s);
    int rc = ph__http_parse_request(s, len, &hint, NULL, &R, H, MAXH);
    cr_assert_gt(rc, 0);
    hint = 0;
    cr_expect_eq(ph__http_parse_request(s + rc, len - (size_t)rc, &hint, NULL, &R, H, MAXH),
                 PH_EAGAIN);
}

/* ---- limits -------------------------------------------------------------- */

/* "GET /aaa...a HTTP/1.1" with a request line of exactly `rl` bytes. */
static char *long_request(size_t rl, const char *rest) {
    static char buf[70000];
    size_t path = rl - strlen("GET  HTTP/1.1");
    memcpy(buf, "GET /", 5);
    memset(buf + 5, 'a', path - 1);
    snprintf(buf + 4 + path, sizeof(buf) - 4 - path, " HTTP/1.1\r\n%s", rest);
    return buf;
}

Test(http_parser, request_line_at_the_limit_is_accepted) {
    ph__http_limits lim = {.max_request_line = 100};
    cr_expect_gt(parse_lim(long_request(100, "Host: h\r\n\r\n"), &lim), 0);
}

Test(http_parser, request_line_over_the_limit_is_414) {
    ph__http_limits lim = {.max_request_line = 100};
    int rc = parse_lim(long_request(101, "Host: h\r\n\r\n"), &lim);
    cr_expect_eq(rc, PH_EURITOOLONG);
    cr_expect_eq(ph__http_error_status(rc), 414);
}

Test(http_parser, request_line_over_the_limit_is_refused_before_its_end) {
    ph__http_limits lim = {.max_request_line = 100};
    const char *s = long_request(300, "");
    size_t hint = 0;
    cr_expect_eq(ph__http_parse_request(s, 100, &hint, &lim, &R, H, MAXH), PH_EAGAIN);
    cr_expect_eq(ph__http_parse_request(s, 101, &hint, &lim, &R, H, MAXH), PH_EURITOOLONG);
}

Test(http_parser, default_request_line_limit_is_8k) {
    cr_expect_gt(parse(long_request(8192, "Host: h\r\n\r\n")), 0);
    cr_expect_eq(parse(long_request(8193, "Host: h\r\n\r\n")), PH_EURITOOLONG);
}

/* A head whose field lines and blank line take exactly `bytes` bytes. */
static char *head_with_field_bytes(size_t bytes) {
    static char buf[70000];
    const char *rl = "GET / HTTP/1.1\r\n";
    size_t n = strlen(rl);
    memcpy(buf, rl, n);
    /* "Host: h\r\n" (9) + "X: vvv...\r\n" (5 + v) + "\r\n" (2) */
    size_t v = bytes - 9 - 5 - 2;
    memcpy(buf + n, "Host: h\r\nX: ", 12);
    memset(buf + n + 12, 'v', v);
    memcpy(buf + n + 12 + v, "\r\n\r\n", 5);
    return buf;
}

Test(http_parser, header_block_at_the_limit_is_accepted) {
    ph__http_limits lim = {.max_header_bytes = 200};
    cr_expect_gt(parse_lim(head_with_field_bytes(200), &lim), 0);
}

Test(http_parser, header_block_over_the_limit_is_431) {
    ph__http_limits lim = {.max_header_bytes = 200};
    int rc = parse_lim(head_with_field_bytes(201), &lim);
    cr_expect_eq(rc, PH_EHDRTOOLARGE);
    cr_expect_eq(ph__http_error_status(rc), 431);
}

Test(http_parser, header_block_over_the_limit_is_refused_before_its_end) {
    ph__http_limits lim = {.max_header_bytes = 200};
    const char *s = head_with_field_bytes(5000);
    size_t hint = 0, rl = strlen("GET / HTTP/1.1\r\n");
    cr_expect_eq(ph__http_parse_request(s, rl + 199, &hint, &lim, &R, H, MAXH), PH_EAGAIN);
    cr_expect_eq(ph__http_parse_request(s, rl + 200, &hint, &lim, &R, H, MAXH), PH_EHDRTOOLARGE);
}

Test(http_parser, default_header_block_limit_is_16k) {
    cr_expect_gt(parse(head_with_field_bytes(16384)), 0);
    cr_expect_eq(parse(head_with_field_bytes(16385)), PH_EHDRTOOLARGE);
}

static char *head_with_fields(int count) {
    static char buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n");
    for (int i = 1; i < count; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "X%d: v\r\n", i);
    snprintf(buf + n, sizeof(buf) - n, "\r\n");
    return buf;
}

Test(http_parser, header_count_at_the_limit_is_accepted) {
    ph__http_limits lim = {.max_headers = 10};
    cr_assert_gt(parse_lim(head_with_fields(10), &lim), 0);
    cr_expect_eq(R.num_headers, 10);
}

Test(http_parser, header_count_over_the_limit_is_431) {
    ph__http_limits lim = {.max_headers = 10};
    cr_expect_eq(parse_lim(head_with_fields(11), &lim), PH_EHDRTOOLARGE);
}

Test(http_parser, default_header_count_limit_is_100) {
    cr_expect_gt(parse(head_with_fields(100)), 0);
    cr_expect_eq(parse(head_with_fields(101)), PH_EHDRTOOLARGE);
}

Test(http_parser, callers_array_size_also_limits_header_count) {
    ph__http_header small[3];
    const char *s = head_with_fields(4);
    size_t hint = 0;
    cr_expect_eq(ph__http_parse_request(s, strlen(s), &hint, NULL, &R, small, 3), PH_EHDRTOOLARGE);
    s = head_with_fields(3);
    hint = 0;
    cr_expect_gt(ph__http_parse_request(s, strlen(s), &hint, NULL, &R, small, 3), 0);
}

Test(http_parser, zeroed_limits_mean_defaults) {
    ph__http_limits lim = {0};
    cr_expect_gt(parse_lim(long_request(8192, "Host: h\r\n\r\n"), &lim), 0);
    cr_expect_eq(parse_lim(long_request(8193, "Host: h\r\n\r\n"), &lim), PH_EURITOOLONG);
}

Test(http_parser, absurd_limits_are_einval) {
    ph__http_limits lim = {.max_header_bytes = (size_t)1 << 40};
    cr_expect_eq(parse_lim(GET11(""), &lim), PH_EINVAL);
}

Test(http_parser, null_arguments_are_einval) {
    size_t hint = 0;
    cr_expect_eq(ph__http_parse_request(NULL, 0, &hint, NULL, &R, H, MAXH), PH_EINVAL);
    cr_expect_eq(ph__http_parse_request("x", 1, NULL, NULL, &R, H, MAXH), PH_EINVAL);
    cr_expect_eq(ph__http_parse_request("x", 1, &hint, NULL, NULL, H, MAXH), PH_EINVAL);
    cr_expect_eq(ph__http_parse_request("x", 1, &hint, NULL, &R, NULL, 4), PH_EINVAL);
}

Test(http_parser, scan_hint_past_the_buffer_is_einval) {
    size_t hint = 50;
    cr_expect_eq(ph__http_parse_request("GET", 3, &hint, NULL, &R, H, MAXH), PH_EINVAL);
}

Test(http_parser, empty_buffer_returns_eagain) {
    size_t hint = 0;
    cr_expect_eq(ph__http_parse_request("", 0, &hint, NULL, &R, H, MAXH), PH_EAGAIN);
}

/* ---- error -> status ----------------------------------------------------- */

Test(http_parser, error_status_table) {
    cr_expect_eq(ph__http_error_status(PH_EURITOOLONG), 414);
    cr_expect_eq(ph__http_error_status(PH_EHDRTOOLARGE), 431);
    cr_expect_eq(ph__http_error_status(PH_EBODYTOOLARGE), 413);
    cr_expect_eq(ph__http_error_status(PH_EVERSION), 505);
    cr_expect_eq(ph__http_error_status(PH_ENOTIMPL), 501);
    cr_expect_eq(ph__http_error_status(PH_ELENGTHREQ), 411);
    cr_expect_eq(ph__http_error_status(PH_EMEDIATYPE), 415);
    cr_expect_eq(ph__http_error_status(PH_EPARSE), 400);
    cr_expect_eq(ph__http_error_status(PH_EINVAL), 400);
    cr_expect_eq(ph__http_error_status(-9999), 400);
}

Test(http_parser, error_status_of_success_is_zero) {
    cr_expect_eq(ph__http_error_status(0), 0);
    cr_expect_eq(ph__http_error_status(42), 0);
}

/* ---- allocation ---------------------------------------------------------- */

Test(http_parser, parser_never_allocates) {
    /* With every allocation failing, parsing still works and no allocation was tried. */
    ph__alloc_fail_after(0);
    int ok = parse(sample);
    int bad = parse(GET11("X : v\r\n"));
    long tried = ph__alloc_failures();
    ph__alloc_fail_after(-1);
    cr_expect_gt(ok, 0);
    cr_expect_eq(bad, PH_EPARSE);
    cr_expect_eq(tried, 0);
}

/* A head that can never become a request is refused as soon as that is
 * certain: a request line without " HTTP/..." at its end, or a first byte
 * no method starts with; a CR of a leading empty line still waits. */
Test(http_parser, hopeless_heads_fail_before_the_blank_line) {
    size_t hint = 0;
    cr_assert_eq(ph__http_parse_request("GET /\r\n", 7, &hint, NULL, &R, H, MAXH), PH_EPARSE);
    hint = 0;
    cr_assert_eq(ph__http_parse_request("GET / FOO\r\nHost", 15, &hint, NULL, &R, H, MAXH),
                 PH_EPARSE);
    hint = 0;
    cr_assert_eq(ph__http_parse_request("GET / HTTP\r\n", 12, &hint, NULL, &R, H, MAXH),
                 PH_EPARSE);
    hint = 0;
    cr_assert_eq(ph__http_parse_request("\x16\x03\x01", 3, &hint, NULL, &R, H, MAXH), PH_EPARSE);
    hint = 0;
    cr_assert_eq(ph__http_parse_request("\r", 1, &hint, NULL, &R, H, MAXH), PH_EAGAIN);
    cr_assert_eq(ph__http_parse_request("\r\nG", 3, &hint, NULL, &R, H, MAXH), PH_EAGAIN);
    hint = 0;
    cr_assert_eq(ph__http_parse_request("GET / HTTP/1.1\r\n", 16, &hint, NULL, &R, H, MAXH),
                 PH_EAGAIN, "a request line with its version waits for the fields");
}
