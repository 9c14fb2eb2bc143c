/*
 * The websocket opening handshake on the server's side (RFC 6455 section
 * 4.2): which HTTP/1.1 requests ask for a websocket, whether the request is
 * well-formed, and the Sec-WebSocket-Accept value of the 101 response.
 */
#ifndef PH_SERVER_WS_HANDSHAKE_H
#define PH_SERVER_WS_HANDSHAKE_H

#include "server/http_parser.h"

/* Length of a Sec-WebSocket-Accept value: base64 of a SHA-1 digest. */
#define PH__WS_ACCEPT_LEN 28

typedef enum ph__ws_handshake {
    PH__WS_HS_NONE = 0, /* not a websocket request: serve it as HTTP */
    PH__WS_HS_OK,       /* a valid handshake: *key is its Sec-WebSocket-Key */
    PH__WS_HS_BAD,      /* asks for a websocket but is malformed: answer 400 */
    PH__WS_HS_VERSION,  /* a version other than 13: answer 426 with Sec-WebSocket-Version: 13 */
} ph__ws_handshake;

/*
 * Classify a parsed request head. Only a GET in HTTP/1.1 without a body,
 * whose Connection names "upgrade" and whose Upgrade names "websocket",
 * asks for a websocket. Anything else is plain HTTP, so that a request
 * with a body, or another method, never changes how the connection is
 * read (no way to smuggle bytes past the HTTP parser as frames).
 *
 * Returns:  the verdict; for PH__WS_HS_OK the key in *key (a slice of the
 *           head).
 * Suspends: no.
 */
ph__ws_handshake ph__ws_handshake_check(const ph__http_request *req, ph_slice *key);

/*
 * The next element of the comma-separated field value `v` from *pos on,
 * as the handshake's list fields (Upgrade, Sec-WebSocket-Protocol) are
 * read: empty elements and the white space around each are skipped.
 *
 * Returns:  1 with the element in *item (a slice of `v`) and *pos past it;
 *           0 at the end.
 * Suspends: no.
 */
int ph__ws_list_next(ph_slice v, size_t *pos, ph_slice *item);

/*
 * Sec-WebSocket-Accept for `key`: base64(SHA-1(key + the RFC's GUID)),
 * PH__WS_ACCEPT_LEN characters into `out`, no terminator.
 *
 * Returns:  0; PH_EINVAL when `key` is not the base64 of 16 bytes;
 *           PH_ENOMEM when libcrypto fails.
 * Suspends: no.
 */
int ph__ws_accept_key(const char *key, size_t len, char out[PH__WS_ACCEPT_LEN]);

#endif
