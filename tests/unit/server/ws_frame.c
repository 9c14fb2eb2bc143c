/*
 * Unit tests for the websocket frame parser and writer (src/server/ws_frame.c):
 * masked frames of each length form, fragmentation, control frames between
 * fragments, every split position, and each broken rule with the close code
 * it earns (1002, 1007, 1009).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "server/ws_frame.h"

/* A client frame: header with the given length form, mask, masked payload. */
static size_t client_frame(char *out, int b0, const char *payload, size_t n, int masked) {
    static const unsigned char mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    size_t at = 0;
    out[at++] = (char)b0;
    int m = masked ? 0x80 : 0;
    if (n < 126) {
        out[at++] = (char)(m | (int)n);
    } else if (n <= 0xFFFF) {
        out[at++] = (char)(m | 126);
        out[at++] = (char)(n >> 8);
        out[at++] = (char)n;
    } else {
        out[at++] = (char)(m | 127);
        for (int i = 0; i < 8; i++)
            out[at++] = (char)((uint64_t)n >> (56 - 8 * i));
    }
    if (masked) {
        memcpy(out + at, mask, 4);
        at += 4;
    }
    for (size_t i = 0; i < n; i++)
        out[at + i] = (char)(payload[i] ^ (masked ? mask[i & 3] : 0));
    return at + n;
}

typedef struct result {
    char data[70000]; /* data bytes of every message, concatenated */
    size_t len;
    int messages, pings, pongs, closes, close_code, last_opcode;
    char ctl[PH__WS_MAX_CONTROL];
    size_t ctl_len;
    int rc; /* the first failure, or 0 */
} result;

/* Feed in[0, n) in pieces of at most `step` bytes (a copy: unmasked in place). */
static void feed(ph__ws_parser *p, const char *in, size_t n, size_t step, result *r) {
    static char buf[80000];
    memcpy(buf, in, n);
    memset(r, 0, sizeof(*r));
    size_t off = 0;
    while (off < n) {
        size_t piece = n - off < step ? n - off : step;
        size_t used = 0;
        while (used < piece) {
            ph__ws_event ev;
            int rc = ph__ws_parse(p, buf + off + used, piece - used, &ev);
            if (rc < 0) {
                r->rc = rc;
                return;
            }
            used += (size_t)rc;
            switch (ev.type) {
            case PH__WS_EV_DATA:
                memcpy(r->data + r->len, ev.data, ev.len);
                r->len += ev.len;
                r->last_opcode = ev.opcode;
                r->messages += ev.fin;
                break;
            case PH__WS_EV_PING:
            case PH__WS_EV_PONG:
            case PH__WS_EV_CLOSE:
                *(ev.type == PH__WS_EV_PING ? &r->pings : ev.type == PH__WS_EV_PONG ? &r->pongs
                                                                                  : &r->closes) += 1;
                memcpy(r->ctl, ev.data, ev.len);
                r->ctl_len = ev.len;
                r->close_code = ev.code;
                break;
            case PH__WS_EV_NONE:
                break;
            }
        }
        off += piece;
    }
}

static void parse_new(const char *in, size_t n, size_t step, uint64_t max, result *r) {
    ph__ws_parser p;
    ph__ws_parser_init(&p, max, 1);
    feed(&p, in, n, step, r);
    if (r->rc)
        r->close_code = p.close_code;
}

Test(ws_frame, masked_text_frame_is_unmasked) {
    char in[64];
    size_t n = client_frame(in, 0x81, "Hello", 5, 1);
    result r;
    parse_new(in, n, n, 0, &r);
    cr_assert_eq(r.rc, 0);
    cr_expect_eq(r.messages, 1);
    cr_expect_eq(r.last_opcode, PH__WS_OP_TEXT);
    cr_expect(r.len == 5 && memcmp(r.data, "Hello", 5) == 0);
}

Test(ws_frame, rfc_example_masked_hello) {
    /* RFC 6455 section 5.7: a single-frame masked text message "Hello". */
    const char in[] = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
    result r;
    parse_new(in, sizeof(in) - 1, 100, 0, &r);
    cr_assert_eq(r.rc, 0);
    cr_expect(r.messages == 1 && r.len == 5 && memcmp(r.data, "Hello", 5) == 0);
}

Test(ws_frame, sixteen_and_sixty_four_bit_lengths) {
    static char payload[66000], in[70000];
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (char)(i * 7);
    size_t sizes[] = {125, 126, 65535, 65536};
    for (size_t k = 0; k < 4; k++) {
        size_t n = client_frame(in, 0x82, payload, sizes[k], 1);
        result r;
        parse_new(in, n, 1000, 0, &r);
        cr_assert_eq(r.rc, 0, "size %zu", sizes[k]);
        cr_expect_eq(r.len, sizes[k]);
        cr_expect(memcmp(r.data, payload, sizes[k]) == 0, "size %zu", sizes[k]);
        cr_expect_eq(r.last_opcode, PH__WS_OP_BINARY);
    }
}

Test(ws_frame, every_split_gives_the_same_events) {
    char in[256];
    size_t n = client_frame(in, 0x01, "frag", 4, 1);
    n += client_frame(in + n, 0x89, "pi", 2, 1); /* a ping between fragments */
    n += client_frame(in + n, 0x80, "mented", 6, 1);
    n += client_frame(in + n, 0x88, "\x03\xe8" "bye", 5, 1);
    for (size_t step = 1; step <= n; step++) {
        result r;
        parse_new(in, n, step, 0, &r);
        cr_assert_eq(r.rc, 0, "step %zu", step);
        cr_expect(r.len == 10 && memcmp(r.data, "fragmented", 10) == 0, "step %zu", step);
        cr_expect_eq(r.messages, 1, "step %zu", step);
        cr_expect_eq(r.pings, 1, "step %zu", step);
        cr_expect_eq(r.closes, 1, "step %zu", step);
        cr_expect_eq(r.close_code, 1000, "step %zu", step);
        cr_expect(r.ctl_len == 3 && memcmp(r.ctl, "bye", 3) == 0, "step %zu", step);
    }
}

Test(ws_frame, empty_frames_and_empty_close) {
    char in[64];
    size_t n = client_frame(in, 0x81, "", 0, 1);
    n += client_frame(in + n, 0x88, "", 0, 1);
    result r;
    parse_new(in, n, n, 0, &r);
    cr_assert_eq(r.rc, 0);
    cr_expect_eq(r.messages, 1);
    cr_expect_eq(r.closes, 1);
    cr_expect_eq(r.close_code, PH__WS_CLOSE_NO_STATUS);
}

Test(ws_frame, pong_is_reported) {
    char in[64];
    size_t n = client_frame(in, 0x8A, "x", 1, 1);
    result r;
    parse_new(in, n, n, 0, &r);
    cr_assert_eq(r.rc, 0);
    cr_expect_eq(r.pongs, 1);
}

/* Each broken rule, with the close code it earns. */
static void expect_failure(const char *in, size_t n, uint64_t max, int rc, int code) {
    for (size_t step = 1; step <= n; step++) {
        result r;
        parse_new(in, n, step, max, &r);
        cr_expect_eq(r.rc, rc, "step %zu: rc %d", step, r.rc);
        cr_expect_eq(r.close_code, code, "step %zu: code %d", step, r.close_code);
    }
}

Test(ws_frame, unmasked_client_frame_is_1002) {
    char in[64];
    size_t n = client_frame(in, 0x81, "hi", 2, 0);
    expect_failure(in, n, 0, PH_EPARSE, 1002);
}

Test(ws_frame, reserved_bits_and_opcodes_are_1002) {
    char in[64];
    int bytes[] = {0xC1, 0xA1, 0x91, 0x83, 0x87, 0x8B, 0x8F};
    for (size_t i = 0; i < sizeof(bytes) / sizeof(bytes[0]); i++) {
        size_t n = client_frame(in, bytes[i], "hi", 2, 1);
        expect_failure(in, n, 0, PH_EPARSE, 1002);
    }
}

Test(ws_frame, control_frame_rules_are_1002) {
    static char big[126], in[256];
    memset(big, 'x', sizeof(big));
    size_t n = client_frame(in, 0x89, big, 126, 1); /* ping over 125 bytes */
    expect_failure(in, n, 0, PH_EPARSE, 1002);
    n = client_frame(in, 0x09, "a", 1, 1); /* a fragmented ping */
    expect_failure(in, n, 0, PH_EPARSE, 1002);
}

Test(ws_frame, continuation_rules_are_1002) {
    char in[64];
    size_t n = client_frame(in, 0x80, "a", 1, 1); /* continuation with no message */
    expect_failure(in, n, 0, PH_EPARSE, 1002);
    n = client_frame(in, 0x01, "a", 1, 1);
    n += client_frame(in + n, 0x81, "b", 1, 1); /* a new message inside one */
    expect_failure(in, n, 0, PH_EPARSE, 1002);
}

Test(ws_frame, sixty_four_bit_length_with_top_bit_is_1002) {
    const char in[] = "\x82\xff\x80\x00\x00\x00\x00\x00\x00\x01" "abcd";
    expect_failure(in, sizeof(in) - 1, 0, PH_EPARSE, 1002);
}

Test(ws_frame, bad_close_payloads) {
    char in[64];
    size_t n = client_frame(in, 0x88, "\x03", 1, 1); /* one byte */
    expect_failure(in, n, 0, PH_EPARSE, 1002);
    int bad[] = {999, 1004, 1005, 1006, 1015, 2000, 5000};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char p[2] = {(char)(bad[i] >> 8), (char)bad[i]};
        n = client_frame(in, 0x88, p, 2, 1);
        expect_failure(in, n, 0, PH_EPARSE, 1002);
    }
    n = client_frame(in, 0x88, "\x03\xe8\xff", 3, 1); /* reason not UTF-8 */
    expect_failure(in, n, 0, PH_EPARSE, 1007);
}

Test(ws_frame, invalid_utf8_text_is_1007_even_across_fragments) {
    char in[64];
    size_t n = client_frame(in, 0x81, "a\xff", 2, 1);
    expect_failure(in, n, 0, PH_EPARSE, 1007);
    /* A character split between two fragments is fine... */
    n = client_frame(in, 0x01, "\xe2\x82", 2, 1);
    n += client_frame(in + n, 0x80, "\xac", 1, 1);
    result r;
    parse_new(in, n, 1, 0, &r);
    cr_expect_eq(r.rc, 0);
    cr_expect(r.len == 3 && memcmp(r.data, "\xe2\x82\xac", 3) == 0);
    /* ...but one the message ends inside is not. */
    n = client_frame(in, 0x81, "\xe2\x82", 2, 1);
    expect_failure(in, n, 0, PH_EPARSE, 1007);
}

Test(ws_frame, binary_is_not_checked_as_text) {
    char in[64];
    size_t n = client_frame(in, 0x82, "\xff\xfe", 2, 1);
    result r;
    parse_new(in, n, n, 0, &r);
    cr_expect_eq(r.rc, 0);
    cr_expect_eq(r.len, 2);
}

Test(ws_frame, message_over_limit_is_1009_from_the_header) {
    static char payload[200], in[256];
    size_t n = client_frame(in, 0x82, payload, 101, 1);
    /* Refused once the header is in: the payload is never needed. */
    result r;
    parse_new(in, 6, 1, 100, &r);
    cr_expect_eq(r.rc, PH_ETOOBIG);
    cr_expect_eq(r.close_code, 1009);
    expect_failure(in, n, 100, PH_ETOOBIG, 1009);
    /* Fragments count together. */
    n = client_frame(in, 0x02, payload, 60, 1);
    n += client_frame(in + n, 0x80, payload, 41, 1);
    expect_failure(in, n, 100, PH_ETOOBIG, 1009);
    /* Exactly the limit is fine. */
    n = client_frame(in, 0x82, payload, 100, 1);
    parse_new(in, n, n, 100, &r);
    cr_expect_eq(r.rc, 0);
}

Test(ws_frame, failure_is_sticky) {
    ph__ws_parser p;
    ph__ws_parser_init(&p, 0, 1);
    char bad[] = "\x81\x02hi";
    ph__ws_event ev;
    cr_expect_eq(ph__ws_parse(&p, bad, 4, &ev), PH_EPARSE);
    char good[] = "\x81\x80\x00\x00\x00\x00";
    cr_expect_eq(ph__ws_parse(&p, good, 6, &ev), PH_EPARSE);
    cr_expect_eq(ph__ws_parse(&p, good, 0, &ev), PH_EPARSE);
}

Test(ws_frame, empty_input_is_eagain) {
    ph__ws_parser p;
    ph__ws_parser_init(&p, 0, 1);
    ph__ws_event ev;
    cr_expect_eq(ph__ws_parse(&p, "", 0, &ev), PH_EAGAIN);
}

Test(ws_frame, server_headers_use_the_shortest_length_form) {
    char h[10];
    cr_expect_eq(ph__ws_frame_header(h, PH__WS_OP_TEXT, 1, 5), 2);
    cr_expect(h[0] == (char)0x81 && h[1] == 5);
    cr_expect_eq(ph__ws_frame_header(h, PH__WS_OP_BINARY, 1, 126), 4);
    cr_expect(h[1] == 126 && h[2] == 0 && h[3] == 126);
    cr_expect_eq(ph__ws_frame_header(h, PH__WS_OP_BINARY, 0, 65536), 10);
    cr_expect(h[0] == 0x02 && h[1] == 127 && h[7] == 1 && h[8] == 0 && h[9] == 0);
}

Test(ws_frame, server_frames_parse_back_without_mask_requirement) {
    char in[80];
    size_t n = ph__ws_frame_header(in, PH__WS_OP_TEXT, 1, 3);
    memcpy(in + n, "abc", 3);
    ph__ws_parser p;
    ph__ws_parser_init(&p, 0, 0);
    result r;
    feed(&p, in, n + 3, 2, &r);
    cr_expect_eq(r.rc, 0);
    cr_expect(r.len == 3 && memcmp(r.data, "abc", 3) == 0 && r.messages == 1);
}

Test(ws_frame, close_codes_allowed_on_the_wire) {
    cr_expect(ph__ws_close_code_valid(1000));
    cr_expect(ph__ws_close_code_valid(1011));
    cr_expect(ph__ws_close_code_valid(3000));
    cr_expect(ph__ws_close_code_valid(4999));
    cr_expect_not(ph__ws_close_code_valid(1005));
    cr_expect_not(ph__ws_close_code_valid(1006));
    cr_expect_not(ph__ws_close_code_valid(2999));
}
