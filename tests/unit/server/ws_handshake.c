/*
 * Unit tests for the websocket opening handshake (src/server/ws_handshake.c):
 * the accept key of RFC 6455's example, which requests ask for a websocket,
 * and which are refused with 400 or 426.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "server/ws_handshake.h"

/* RFC 6455 section 1.3 gives this pair (SHA-1 of the key and the GUID). */
Test(ws_handshake, accept_key_of_the_rfc_example) {
    char out[PH__WS_ACCEPT_LEN];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    cr_assert_eq(ph__ws_accept_key(key, strlen(key), out), 0);
    cr_expect(memcmp(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", PH__WS_ACCEPT_LEN) == 0, "%.28s", out);
}

Test(ws_handshake, keys_that_are_not_16_bytes_are_refused) {
    char out[PH__WS_ACCEPT_LEN];
    const char *bad[] = {"", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=x",
                         "dGhlIHNhbXBsZSBub25jZXh4", "dGhl IHNhbXBsZSBub25jZQ=",
                         "dGhlIHNhbXBsZSBub25jZXh4eA=="};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_expect_eq(ph__ws_accept_key(bad[i], strlen(bad[i]), out), PH_EINVAL, "%s", bad[i]);
}

static ph__http_request R;
static ph__http_header H[32];

static ph__ws_handshake check(const char *head, ph_slice *key) {
    size_t hint = 0;
    int n = ph__http_parse_request(head, strlen(head), &hint, NULL, &R, H, 32);
    cr_assert_gt(n, 0, "%s", head);
    return ph__ws_handshake_check(&R, key);
}

#define KEY "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define VER "Sec-WebSocket-Version: 13\r\n"
#define UPG "Upgrade: websocket\r\nConnection: Upgrade\r\n"

Test(ws_handshake, valid_request_gives_its_key) {
    ph_slice key = {0};
    cr_expect_eq(check("GET /chat HTTP/1.1\r\nHost: x\r\n" UPG KEY VER "\r\n", &key), PH__WS_HS_OK);
    cr_expect(key.len == 24 && memcmp(key.ptr, "dGhlIHNhbXBsZSBub25jZQ==", 24) == 0);
    /* Tokens are case-insensitive and may sit in lists (as Firefox sends). */
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\n"
                       "Upgrade: WebSocket\r\n" KEY VER "\r\n", &key),
                 PH__WS_HS_OK);
}

Test(ws_handshake, other_requests_are_plain_http) {
    ph_slice key;
    /* No Connection: upgrade, another protocol, another method, a body, HTTP/1.0. */
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" KEY VER "\r\n", &key),
                 PH__WS_HS_NONE);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
                       KEY VER "\r\n", &key),
                 PH__WS_HS_NONE);
    cr_expect_eq(check("POST / HTTP/1.1\r\nHost: x\r\n" UPG KEY VER "Content-Length: 0\r\n\r\n",
                       &key),
                 PH__WS_HS_NONE);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG KEY VER "Content-Length: 4\r\n\r\n",
                       &key),
                 PH__WS_HS_NONE);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG KEY VER
                       "Transfer-Encoding: chunked\r\n\r\n", &key),
                 PH__WS_HS_NONE);
    cr_expect_eq(check("GET / HTTP/1.0\r\n" UPG KEY VER "\r\n", &key), PH__WS_HS_NONE);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &key), PH__WS_HS_NONE);
}

Test(ws_handshake, malformed_handshakes_are_400) {
    ph_slice key;
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG VER "\r\n", &key), PH__WS_HS_BAD);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG KEY "\r\n", &key), PH__WS_HS_BAD);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG "Sec-WebSocket-Key: abc\r\n" VER "\r\n",
                       &key),
                 PH__WS_HS_BAD);
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG KEY KEY VER "\r\n", &key),
                 PH__WS_HS_BAD);
}

Test(ws_handshake, other_versions_are_426) {
    ph_slice key;
    cr_expect_eq(check("GET / HTTP/1.1\r\nHost: x\r\n" UPG KEY "Sec-WebSocket-Version: 8\r\n\r\n",
                       &key),
                 PH__WS_HS_VERSION);
}

/* The list fields (Upgrade, Sec-WebSocket-Protocol): elements trimmed,
 * empty ones skipped. */
Test(ws_handshake, list_elements_are_trimmed_and_empty_ones_skipped) {
    static const char v[] = " ,chat ,\t, superchat\tv2 ,,x,";
    const char *want[] = {"chat", "superchat\tv2", "x"};
    ph_slice field = {v, sizeof(v) - 1}, item;
    size_t pos = 0, n = 0;
    while (ph__ws_list_next(field, &pos, &item)) {
        cr_assert_lt(n, 3);
        cr_expect(item.len == strlen(want[n]) && memcmp(item.ptr, want[n], item.len) == 0,
                  "element %zu: %.*s", n, (int)item.len, item.ptr);
        n++;
    }
    cr_expect_eq(n, 3);
    cr_expect_eq(pos, field.len);
    pos = 0;
    cr_expect_eq(ph__ws_list_next((ph_slice){" , ,", 4}, &pos, &item), 0);
}
