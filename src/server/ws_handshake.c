/*
 * The server's half of the websocket opening handshake (RFC 6455 section
 * 4.2.1 and 4.2.2). A request that names websocket in Upgrade but breaks a
 * rule (no key, a key that is not 16 bytes of base64, no version) is
 * answered 400 by the server before any app sees it; a version other than
 * 13 gets 426 with the version the server speaks (section 4.4).
 */
#include "server/ws_handshake.h"

#include "util/base64.h"
#include "util/hmac.h"

#include <string.h>
#include <strings.h>

/* RFC 6455 section 1.3: the GUID every server appends to the key. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

static int is_ows(char c) { return c == ' ' || c == '\t'; }

int ph__ws_list_next(ph_slice v, size_t *pos, ph_slice *item) {
    size_t i = *pos;
    for (;;) {
        while (i < v.len && (is_ows(v.ptr[i]) || v.ptr[i] == ','))
            i++;
        if (i == v.len) {
            *pos = i;
            return 0;
        }
        size_t b = i;
        while (i < v.len && v.ptr[i] != ',')
            i++;
        size_t e = i;
        while (e > b && is_ows(v.ptr[e - 1]))
            e--;
        if (e > b) {
            *pos = i;
            *item = (ph_slice){v.ptr + b, e - b};
            return 1;
        }
    }
}

/* Whether the comma-separated list `v` holds `tok` (ASCII case-insensitive). */
static int list_has(ph_slice v, const char *tok) {
    size_t n = strlen(tok), pos = 0;
    ph_slice item;
    while (ph__ws_list_next(v, &pos, &item))
        if (item.len == n && strncasecmp(item.ptr, tok, n) == 0)
            return 1;
    return 0;
}

/* The only field named `name`; NULL when there is none or more than one. */
static const ph__http_header *single(const ph__http_request *req, const char *name) {
    size_t from = 0;
    const ph__http_header *h = ph__http_find_header(req, name, strlen(name), &from);
    if (h && ph__http_find_header(req, name, strlen(name), &from))
        return NULL;
    return h;
}

ph__ws_handshake ph__ws_handshake_check(const ph__http_request *req, ph_slice *key) {
    if (req->method_bit != PH_GET || req->minor_version < 1 || !req->upgrade ||
        req->framing != PH__HTTP_BODY_NONE)
        return PH__WS_HS_NONE;
    int websocket = 0;
    size_t from = 0;
    const ph__http_header *h;
    while (!websocket && (h = ph__http_find_header(req, "upgrade", 7, &from)))
        websocket = list_has(h->value, "websocket");
    if (!websocket)
        return PH__WS_HS_NONE;
    const ph__http_header *version = single(req, "sec-websocket-version");
    if (!version)
        return PH__WS_HS_BAD;
    if (version->value.len != 2 || memcmp(version->value.ptr, "13", 2) != 0)
        return PH__WS_HS_VERSION;
    const ph__http_header *k = single(req, "sec-websocket-key");
    char tmp[PH__WS_ACCEPT_LEN];
    if (!k || ph__ws_accept_key(k->value.ptr, k->value.len, tmp) < 0)
        return PH__WS_HS_BAD;
    *key = k->value;
    return PH__WS_HS_OK;
}

int ph__ws_accept_key(const char *key, size_t len, char out[PH__WS_ACCEPT_LEN]) {
    unsigned char raw[18];
    /* 16 bytes are 24 characters with "==": anything else is not a key. */
    if (len != 24 || ph__base64_decode(raw, key, len, PH_BASE64_STD) != 16)
        return PH_EINVAL;
    ph_slice parts[2] = {{key, len}, {ws_guid, sizeof(ws_guid) - 1}};
    unsigned char digest[PH_HASH_MAX_LEN];
    if (ph__hash(PH_HASH_SHA1, parts, 2, digest) < 0)
        return PH_ENOMEM;
    ph__base64_encode(out, digest, 20, PH_BASE64_STD);
    return 0;
}
