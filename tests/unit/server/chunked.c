/*
 * Unit tests for the chunked body decoder (src/server/chunked.c): data spans,
 * in-place decoding, extensions, trailers, every split position, strictness
 * (CRLF only, size syntax, overflow) and the body and trailer limits.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "server/chunked.h"
#include "util/alloc.h"

/* Decode all of `in` through ph__chunked_decode, appending data to out. */
static int decode_all(ph__chunked *c, const char *in, size_t len, char *out, size_t *out_len) {
    size_t off = 0;
    *out_len = 0;
    while (off < len && !ph__chunked_done(c)) {
        ph_slice d;
        int n = ph__chunked_decode(c, in + off, len - off, &d);
        if (n < 0)
            return n;
        memcpy(out + *out_len, d.ptr, d.len);
        *out_len += d.len;
        off += (size_t)n;
    }
    return (int)off;
}

static int decode_str(const char *in, char *out, size_t *out_len) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    int rc = decode_all(&c, in, strlen(in), out, out_len);
    if (rc >= 0 && !ph__chunked_done(&c))
        return PH_EAGAIN;
    return rc;
}

static const char body[] = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-T: v\r\n\r\n";

Test(chunked, decodes_simple_body) {
    char out[64];
    size_t n;
    cr_assert_eq(decode_str(body, out, &n), (int)strlen(body));
    cr_expect_eq(n, 12);
    cr_expect_eq(memcmp(out, "hello, world", 12), 0);
}

Test(chunked, data_spans_point_into_the_input) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    int n = ph__chunked_decode(&c, body, strlen(body), &d);
    cr_assert_eq(n, 8);
    cr_expect_eq(d.ptr, body + 3);
    cr_expect_eq(d.len, 5);
}

Test(chunked, empty_body_is_just_last_chunk) {
    char out[8];
    size_t n;
    cr_expect_eq(decode_str("0\r\n\r\n", out, &n), 5);
    cr_expect_eq(n, 0);
}

Test(chunked, stops_at_end_leaving_next_request) {
    const char *s = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    char out[8];
    size_t n;
    ph__chunked c;
    ph__chunked_init(&c, 0);
    cr_expect_eq(decode_all(&c, s, strlen(s), out, &n), 13);
    cr_expect(ph__chunked_done(&c));
    ph_slice d;
    cr_expect_eq(ph__chunked_decode(&c, s + 13, strlen(s) - 13, &d), 0);
}

Test(chunked, hex_sizes_in_either_case_and_leading_zeros) {
    char out[64];
    size_t n;
    cr_assert_gt(decode_str("A\r\n0123456789\r\n0000b\r\nabcdefghijk\r\n0\r\n\r\n", out, &n), 0);
    cr_expect_eq(n, 21);
    cr_assert_gt(decode_str("a\r\n0123456789\r\n00\r\n\r\n", out, &n), 0);
    cr_expect_eq(n, 10);
}

Test(chunked, every_split_position_gives_the_same_data) {
    size_t len = strlen(body);
    for (size_t cut = 0; cut <= len; cut++) {
        ph__chunked c;
        ph__chunked_init(&c, 0);
        char out[64];
        size_t n1, n2;
        int a = decode_all(&c, body, cut, out, &n1);
        cr_assert_eq(a, (int)cut, "cut %zu", cut);
        int b = decode_all(&c, body + cut, len - cut, out + n1, &n2);
        cr_assert_eq(b, (int)(len - cut), "cut %zu", cut);
        cr_expect(ph__chunked_done(&c), "cut %zu", cut);
        cr_expect_eq(n1 + n2, 12, "cut %zu", cut);
        cr_expect_eq(memcmp(out, "hello, world", 12), 0, "cut %zu", cut);
    }
}

Test(chunked, byte_at_a_time_gives_the_same_data) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    char out[64];
    size_t total = 0, len = strlen(body);
    for (size_t i = 0; i < len; i++) {
        size_t n;
        cr_assert_eq(decode_all(&c, body + i, 1, out + total, &n), 1);
        total += n;
    }
    cr_expect(ph__chunked_done(&c));
    cr_expect_eq(total, 12);
    cr_expect_eq(memcmp(out, "hello, world", 12), 0);
}

Test(chunked, inplace_decoding_compacts_data) {
    char buf[64];
    strcpy(buf, body);
    ph__chunked c;
    ph__chunked_init(&c, 0);
    size_t n;
    cr_assert_eq(ph__chunked_decode_inplace(&c, buf, strlen(body), &n), (int)strlen(body));
    cr_expect(ph__chunked_done(&c));
    cr_expect_eq(n, 12);
    cr_expect_eq(memcmp(buf, "hello, world", 12), 0);
}

Test(chunked, inplace_decoding_leaves_following_bytes) {
    char buf[64] = "2\r\nab\r\n0\r\n\r\nNEXT";
    ph__chunked c;
    ph__chunked_init(&c, 0);
    size_t n;
    cr_assert_eq(ph__chunked_decode_inplace(&c, buf, strlen(buf), &n), 12);
    cr_expect_eq(memcmp(buf, "ab", 2), 0);
    cr_expect_eq(memcmp(buf + 12, "NEXT", 4), 0);
}

Test(chunked, extensions_are_accepted_and_ignored) {
    char out[16];
    size_t n;
    cr_expect_gt(decode_str("3;a=b;c=\"d e\"\r\nxyz\r\n0;last\r\n\r\n", out, &n), 0);
    cr_expect_eq(n, 3);
    cr_expect_gt(decode_str("3 ;a\r\nxyz\r\n0\t; x\r\n\r\n", out, &n), 0);
}

Test(chunked, whitespace_after_size_without_extension_is_400) {
    char out[16];
    size_t n;
    cr_expect_eq(decode_str("3 \r\nxyz\r\n0\r\n\r\n", out, &n), PH_EPARSE);
}

Test(chunked, control_byte_in_extension_is_400) {
    char out[16];
    size_t n;
    cr_expect_eq(decode_str("3;a\x01\r\nxyz\r\n0\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("3;a\nb\r\nxyz\r\n0\r\n\r\n", out, &n), PH_EPARSE);
}

Test(chunked, overlong_size_line_is_400) {
    char in[PH__CHUNKED_MAX_LINE + 64];
    memcpy(in, "1;", 2);
    memset(in + 2, 'e', sizeof(in) - 2);
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    cr_expect_eq(ph__chunked_decode(&c, in, sizeof(in), &d), PH_EPARSE);
}

Test(chunked, trailers_are_parsed_and_discarded) {
    char out[16];
    size_t n;
    cr_expect_gt(decode_str("1\r\nx\r\n0\r\nA: 1\r\nB-2:\r\nC:\tv w\r\n\r\n", out, &n), 0);
    cr_expect_eq(n, 1);
}

Test(chunked, malformed_trailer_is_400) {
    char out[16];
    size_t n;
    cr_expect_eq(decode_str("0\r\nNoColon\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("0\r\nA : v\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("0\r\n: v\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("0\r\nA: v\r\n folded\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("0\r\nA: \x01\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("0\r\nA: v\n\r\n", out, &n), PH_EPARSE);
}

Test(chunked, oversized_trailers_are_431) {
    static char in[PH__CHUNKED_MAX_TRAILER + 64];
    size_t off = 0;
    memcpy(in, "0\r\n", 3);
    off = 3;
    while (off + 12 < sizeof(in)) {
        memcpy(in + off, "X: vvvvvvv\r\n", 12);
        off += 12;
    }
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    cr_expect_eq(ph__chunked_decode(&c, in, off, &d), PH_EHDRTOOLARGE);
}

Test(chunked, bad_chunk_sizes_are_400) {
    const char *bad[] = {"\r\n", "-1\r\n", "+1\r\n", "0x1\r\n", "g\r\n",   " 1\r\n",
                         "1\n",  "1\rx",   ";1\r\n", "1_0\r\n", "1 2\r\n", "\t1\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ph__chunked c;
        ph__chunked_init(&c, 0);
        ph_slice d;
        cr_expect_eq(ph__chunked_decode(&c, bad[i], strlen(bad[i]), &d), PH_EPARSE, "case %zu", i);
    }
}

Test(chunked, size_overflow_is_400) {
    char out[8];
    size_t n;
    cr_expect_eq(decode_str("10000000000000000\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("FFFFFFFFFFFFFFFFF\r\n", out, &n), PH_EPARSE);
}

Test(chunked, largest_size_is_accepted_without_limit) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    cr_expect_eq(ph__chunked_decode(&c, "7fffffffffffffff\r\nab", 20, &d), 20);
    cr_expect_eq(d.len, 2);
}

Test(chunked, missing_crlf_after_data_is_400) {
    char out[8];
    size_t n;
    cr_expect_eq(decode_str("3\r\nabcd\r\n0\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("3\r\nabc\n0\r\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("3\r\nabc\rX0\r\n\r\n", out, &n), PH_EPARSE);
}

Test(chunked, bare_lf_after_last_chunk_is_400) {
    char out[8];
    size_t n;
    cr_expect_eq(decode_str("0\n\r\n", out, &n), PH_EPARSE);
    cr_expect_eq(decode_str("0\r\n\n", out, &n), PH_EPARSE);
}

Test(chunked, incomplete_body_needs_more) {
    char out[8];
    size_t n;
    cr_expect_eq(decode_str("3\r\nab", out, &n), PH_EAGAIN);
    cr_expect_eq(decode_str("0\r\n\r", out, &n), PH_EAGAIN);
    cr_expect_eq(decode_str("0\r\nA: b\r\n", out, &n), PH_EAGAIN);
}

Test(chunked, body_over_max_is_413_before_data_arrives) {
    ph__chunked c;
    ph__chunked_init(&c, 10);
    ph_slice d;
    /* The size alone announces 11 bytes: refused at its last digit. */
    cr_expect_eq(ph__chunked_decode(&c, "b", 1, &d), PH_EBODYTOOLARGE);
}

Test(chunked, body_over_max_across_chunks_is_413) {
    ph__chunked c;
    ph__chunked_init(&c, 10);
    char out[32];
    size_t n;
    const char *s = "6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n";
    cr_expect_eq(decode_all(&c, s, strlen(s), out, &n), PH_EBODYTOOLARGE);
}

Test(chunked, body_at_max_is_accepted) {
    ph__chunked c;
    ph__chunked_init(&c, 10);
    char out[32];
    size_t n;
    const char *s = "6\r\nabcdef\r\n4\r\nghij\r\n0\r\n\r\n";
    cr_expect_eq(decode_all(&c, s, strlen(s), out, &n), (int)strlen(s));
    cr_expect(ph__chunked_done(&c));
    cr_expect_eq(c.total, 10);
}

Test(chunked, error_is_sticky) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    cr_expect_eq(ph__chunked_decode(&c, "z", 1, &d), PH_EPARSE);
    cr_expect_eq(ph__chunked_decode(&c, "0\r\n\r\n", 5, &d), PH_EPARSE);
    cr_expect_eq(c.state, PH__CHUNKED_ERROR);
}

Test(chunked, null_arguments_are_einval) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    size_t n;
    cr_expect_eq(ph__chunked_decode(NULL, "0", 1, &d), PH_EINVAL);
    cr_expect_eq(ph__chunked_decode(&c, NULL, 1, &d), PH_EINVAL);
    cr_expect_eq(ph__chunked_decode(&c, "0", 1, NULL), PH_EINVAL);
    cr_expect_eq(ph__chunked_decode_inplace(&c, (char[]){'0'}, 1, NULL), PH_EINVAL);
    cr_expect_eq(ph__chunked_decode(&c, NULL, 0, &d), 0);
    (void)n;
}

Test(chunked, states_follow_the_grammar) {
    ph__chunked c;
    ph__chunked_init(&c, 0);
    ph_slice d;
    cr_expect_eq(c.state, PH__CHUNKED_SIZE);
    ph__chunked_decode(&c, "2;x", 3, &d);
    cr_expect_eq(c.state, PH__CHUNKED_EXT);
    ph__chunked_decode(&c, "\r\n", 2, &d);
    cr_expect_eq(c.state, PH__CHUNKED_DATA);
    ph__chunked_decode(&c, "ab", 2, &d);
    cr_expect_eq(c.state, PH__CHUNKED_DATA_CR);
    ph__chunked_decode(&c, "\r\n0\r\n", 5, &d);
    cr_expect_eq(c.state, PH__CHUNKED_TRAILER);
    ph__chunked_decode(&c, "\r\n", 2, &d);
    cr_expect_eq(c.state, PH__CHUNKED_DONE);
}

Test(chunked, decoder_never_allocates) {
    char out[64];
    size_t n;
    ph__alloc_fail_after(0);
    int rc = decode_str(body, out, &n);
    long tried = ph__alloc_failures();
    ph__alloc_fail_after(-1);
    cr_expect_gt(rc, 0);
    cr_expect_eq(tried, 0);
}
