/*
 * Websocket frames (RFC 6455 section 5): an incremental parser of the
 * frames a client sends, and the header of the frames the server sends.
 * No I/O and no allocation: the caller owns the bytes, and the parser keeps
 * only a frame header in progress and the payload of a control frame
 * (at most 125 bytes, so a ping split across reads is answered whole).
 *
 * Rules and the close code each one earns:
 *   - RSV1-3 set (no extension is negotiated), a reserved opcode, a
 *     control frame that is fragmented or longer than 125 bytes, a 64-bit
 *     length with its top bit set, an unmasked client frame, a
 *     continuation outside a message or a new message inside one: 1002
 *     (section 5.2, 5.3, 5.4, 5.5);
 *   - a close frame with a 1-byte payload or a code not allowed on the
 *     wire: 1002; its reason not UTF-8: 1007 (section 5.5.1, 7.4);
 *   - text that is not UTF-8, checked piece by piece so a bad sender is
 *     stopped at the first impossible byte: 1007 (section 8.1);
 *   - a message longer than the limit, refused from the frame header
 *     before its payload is read: 1009.
 */
#include "server/ws_frame.h"

#include <string.h>

void ph__ws_parser_init(ph__ws_parser *p, uint64_t max_message, int need_mask) {
    memset(p, 0, sizeof(*p));
    p->max_message = max_message;
    p->need_mask = need_mask;
    p->state = PH__WS_HEADER;
}

int ph__ws_close_code_valid(int code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

static int fail(ph__ws_parser *p, int close_code) {
    p->state = PH__WS_FAILED;
    p->close_code = close_code;
    return close_code == PH__WS_CLOSE_TOO_BIG ? PH_ETOOBIG : PH_EPARSE;
}

/* Bytes the header needs in all, judged from what has arrived (at least 2). */
static size_t header_size(const ph__ws_parser *p) {
    size_t n = 2;
    if (p->hdr_len < 2)
        return n;
    unsigned len7 = p->hdr[1] & 0x7F;
    n += len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    if (p->hdr[1] & 0x80)
        n += 4;
    return n;
}

/* The header is whole: check it against the rules and enter its payload. */
static int begin_frame(ph__ws_parser *p) {
    const uint8_t *h = p->hdr;
    int fin = h[0] >> 7, rsv = (h[0] >> 4) & 7, op = h[0] & 0x0F;
    int masked = h[1] >> 7;
    unsigned len7 = h[1] & 0x7F;
    size_t at = 2;
    uint64_t len = len7;
    if (len7 == 126) {
        len = (uint64_t)h[2] << 8 | h[3];
        at = 4;
    } else if (len7 == 127) {
        len = 0;
        for (int i = 0; i < 8; i++)
            len = len << 8 | h[2 + i];
        at = 10;
        if (len >> 63)
            return fail(p, PH__WS_CLOSE_PROTOCOL);
    }
    if (rsv || (op > PH__WS_OP_BINARY && op < PH__WS_OP_CLOSE) || op > PH__WS_OP_PONG)
        return fail(p, PH__WS_CLOSE_PROTOCOL);
    if (p->need_mask && !masked)
        return fail(p, PH__WS_CLOSE_PROTOCOL);
    if (op & 0x8) {
        if (!fin || len > PH__WS_MAX_CONTROL)
            return fail(p, PH__WS_CLOSE_PROTOCOL);
    } else if (op == PH__WS_OP_CONT) {
        if (!p->msg_opcode)
            return fail(p, PH__WS_CLOSE_PROTOCOL);
    } else {
        if (p->msg_opcode)
            return fail(p, PH__WS_CLOSE_PROTOCOL);
        p->msg_opcode = op;
        p->msg_len = 0;
        memset(&p->utf8, 0, sizeof(p->utf8));
    }
    if (!(op & 0x8)) {
        if (p->max_message && len > p->max_message - p->msg_len)
            return fail(p, PH__WS_CLOSE_TOO_BIG);
        p->msg_len += len;
    }
    p->opcode = op;
    p->fin = fin;
    p->masked = masked;
    if (masked)
        memcpy(p->mask, h + at, 4);
    p->left = len;
    p->offset = 0;
    p->ctl_len = 0;
    p->state = PH__WS_PAYLOAD;
    return 0;
}

static void unmask(ph__ws_parser *p, char *data, size_t n) {
    if (!p->masked)
        return;
    for (size_t i = 0; i < n; i++)
        data[i] ^= (char)p->mask[(p->offset + i) & 3];
}

/* A control frame's payload is complete in p->ctl: make its event. */
static int control_event(ph__ws_parser *p, ph__ws_event *ev) {
    ev->data = p->ctl;
    ev->len = p->ctl_len;
    if (p->opcode == PH__WS_OP_PING) {
        ev->type = PH__WS_EV_PING;
        return 0;
    }
    if (p->opcode == PH__WS_OP_PONG) {
        ev->type = PH__WS_EV_PONG;
        return 0;
    }
    ev->type = PH__WS_EV_CLOSE;
    ev->code = PH__WS_CLOSE_NO_STATUS;
    if (p->ctl_len == 0)
        return 0;
    if (p->ctl_len == 1)
        return fail(p, PH__WS_CLOSE_PROTOCOL);
    int code = (uint8_t)p->ctl[0] << 8 | (uint8_t)p->ctl[1];
    if (!ph__ws_close_code_valid(code))
        return fail(p, PH__WS_CLOSE_PROTOCOL);
    if (!ph__utf8_valid(p->ctl + 2, p->ctl_len - 2))
        return fail(p, PH__WS_CLOSE_BAD_DATA);
    ev->code = code;
    ev->data = p->ctl + 2;
    ev->len = p->ctl_len - 2;
    return 0;
}

/* Payload bytes of the current frame from buf[0, n). */
static int payload(ph__ws_parser *p, char *buf, size_t n, ph__ws_event *ev) {
    if (p->opcode & 0x8) {
        memcpy(p->ctl + p->ctl_len, buf, n);
        unmask(p, p->ctl + p->ctl_len, n);
        p->ctl_len += n;
        p->offset += n;
        p->left -= n;
        if (p->left == 0) {
            p->state = PH__WS_HEADER;
            int rc = control_event(p, ev);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    unmask(p, buf, n);
    p->offset += n;
    p->left -= n;
    int end = p->left == 0 && p->fin;
    if (p->msg_opcode == PH__WS_OP_TEXT &&
        (!ph__utf8_stream_feed(&p->utf8, buf, n) || (end && !ph__utf8_stream_complete(&p->utf8))))
        return fail(p, PH__WS_CLOSE_BAD_DATA);
    ev->type = PH__WS_EV_DATA;
    ev->opcode = p->msg_opcode;
    ev->fin = end;
    ev->data = buf;
    ev->len = n;
    if (p->left == 0) {
        p->state = PH__WS_HEADER;
        if (end)
            p->msg_opcode = 0;
    }
    return 0;
}

int ph__ws_parse(ph__ws_parser *p, char *buf, size_t len, ph__ws_event *ev) {
    memset(ev, 0, sizeof(*ev));
    if (p->state == PH__WS_FAILED)
        return p->close_code == PH__WS_CLOSE_TOO_BIG ? PH_ETOOBIG : PH_EPARSE;
    if (len == 0)
        return PH_EAGAIN;
    size_t used = 0;
    if (p->state == PH__WS_HEADER) {
        /* One byte at a time until the second says how long the header is. */
        while (used < len && p->hdr_len < header_size(p))
            p->hdr[p->hdr_len++] = (uint8_t)buf[used++];
        if (p->hdr_len < header_size(p))
            return (int)used;
        p->hdr_len = 0;
        int rc = begin_frame(p);
        if (rc < 0)
            return rc;
        if (p->left > 0)
            return (int)used;
        /* An empty frame: its event now. */
        rc = payload(p, buf + used, 0, ev);
        return rc < 0 ? rc : (int)used;
    }
    size_t n = len;
    if (n > p->left)
        n = (size_t)p->left;
    if (n > (size_t)INT32_MAX)
        n = (size_t)INT32_MAX;
    int rc = payload(p, buf, n, ev);
    return rc < 0 ? rc : (int)n;
}

size_t ph__ws_frame_header(char out[10], int opcode, int fin, uint64_t len) {
    out[0] = (char)((fin ? 0x80 : 0) | (opcode & 0x0F));
    if (len < 126) {
        out[1] = (char)len;
        return 2;
    }
    if (len <= 0xFFFF) {
        out[1] = 126;
        out[2] = (char)(len >> 8);
        out[3] = (char)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (char)(len >> (56 - 8 * i));
    return 10;
}
