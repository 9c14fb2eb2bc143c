/*
 * The websocket frame parser and writer (RFC 6455 section 5), with no I/O:
 * the server feeds it the bytes after the handshake and acts on the events
 * it returns; the unit tests and the fuzz target drive it the same way.
 *
 * The parser enforces the protocol's rules for frames from a client: masked
 * frames, no reserved bits or opcodes, control frames whole and at most 125
 * bytes, continuation only inside a fragmented message, text that is
 * well-formed UTF-8 (checked as it arrives), a close payload with a valid
 * code, and a limit on the size of a message. A broken rule stops it with
 * the close code the server must send (1002, 1007 or 1009).
 */
#ifndef PH_SERVER_WS_FRAME_H
#define PH_SERVER_WS_FRAME_H

#include "phial/common.h"
#include "util/utf8.h"

#include <stddef.h>
#include <stdint.h>

/* Opcodes (RFC 6455 section 5.2). */
#define PH__WS_OP_CONT 0x0
#define PH__WS_OP_TEXT 0x1
#define PH__WS_OP_BINARY 0x2
#define PH__WS_OP_CLOSE 0x8
#define PH__WS_OP_PING 0x9
#define PH__WS_OP_PONG 0xA

/* Close codes the server sends (RFC 6455 section 7.4.1). */
#define PH__WS_CLOSE_NORMAL 1000
#define PH__WS_CLOSE_GOING_AWAY 1001
#define PH__WS_CLOSE_PROTOCOL 1002
#define PH__WS_CLOSE_NO_STATUS 1005 /* never sent: a close frame without a code */
#define PH__WS_CLOSE_ABNORMAL 1006  /* never sent: the connection dropped */
#define PH__WS_CLOSE_BAD_DATA 1007
#define PH__WS_CLOSE_TOO_BIG 1009
#define PH__WS_CLOSE_INTERNAL 1011

/* The largest frame header: 2 bytes, 8 of extended length, 4 of mask. */
#define PH__WS_MAX_HEADER 14
/* The largest payload of a control frame. */
#define PH__WS_MAX_CONTROL 125

typedef enum ph__ws_event_type {
    PH__WS_EV_NONE = 0, /* bytes consumed, nothing to act on yet */
    PH__WS_EV_DATA,     /* a piece of a text or binary message */
    PH__WS_EV_PING,     /* a whole ping: answer with a pong of the same payload */
    PH__WS_EV_PONG,     /* a whole pong */
    PH__WS_EV_CLOSE,    /* a whole close frame, its code and reason checked */
} ph__ws_event_type;

typedef struct ph__ws_event {
    ph__ws_event_type type;
    int opcode;       /* DATA: the message's, PH__WS_OP_TEXT or PH__WS_OP_BINARY */
    int fin;          /* DATA: this piece ends the message */
    const char *data; /* DATA: unmasked in place in the caller's buffer; PING, PONG:
                         the parser's copy; CLOSE: the reason */
    size_t len;
    int code;         /* CLOSE: the code, or PH__WS_CLOSE_NO_STATUS when none was sent */
} ph__ws_event;

typedef enum ph__ws_parse_state {
    PH__WS_HEADER,  /* collecting a frame header */
    PH__WS_PAYLOAD, /* inside a frame's payload */
    PH__WS_FAILED,  /* a rule was broken: close_code says which */
} ph__ws_parse_state;

/* Parser state; set up with ph__ws_parser_init(). Fields are private but
 * for close_code. */
typedef struct ph__ws_parser {
    uint64_t max_message; /* payload bytes of one message; 0: no limit */
    int need_mask;        /* frames come from a client: each must be masked */
    ph__ws_parse_state state;
    uint8_t hdr[PH__WS_MAX_HEADER];
    size_t hdr_len;     /* bytes of the header collected */
    int opcode, fin;    /* of the current frame */
    int masked;
    uint8_t mask[4];
    uint64_t left;      /* payload bytes of the current frame still to come */
    uint64_t offset;    /* payload bytes of the current frame seen (the mask's phase) */
    int msg_opcode;     /* the fragmented message in progress: TEXT, BINARY or 0 for none */
    uint64_t msg_len;   /* its payload bytes so far */
    ph__utf8_stream utf8;
    char ctl[PH__WS_MAX_CONTROL];
    size_t ctl_len;
    int close_code;     /* after a failure: the code to close the connection with */
} ph__ws_parser;

/* Ready a parser for a new connection. Suspends: no. */
void ph__ws_parser_init(ph__ws_parser *p, uint64_t max_message, int need_mask);

/*
 * Consume the next bytes of buf[0, len). Data payload is unmasked in place,
 * so `buf` must be writable; the event's data points into it (DATA) or into
 * the parser (control frames) and stays valid until the next call. Header
 * bytes are copied into the parser, so the input may be split anywhere:
 * fed byte by byte, the events and their bytes are the same.
 *
 * Returns:  bytes consumed (> 0), with *ev set (often to PH__WS_EV_NONE);
 *           PH_EAGAIN when len is 0; PH_EPARSE when the input breaks a rule
 *           (p->close_code is 1002 for a framing error or a bad close frame,
 *           1007 for text that is not UTF-8), PH_ETOOBIG for a message over
 *           max_message (close_code 1009). After a failure every call fails
 *           the same way.
 * Owns:     nothing.
 * Suspends: no.
 */
int ph__ws_parse(ph__ws_parser *p, char *buf, size_t len, ph__ws_event *ev);

/*
 * Write the header of an unmasked frame (what a server sends) into `out`.
 *
 * Returns:  its length, 2 to 10 bytes.
 * Suspends: no.
 */
size_t ph__ws_frame_header(char out[10], int opcode, int fin, uint64_t len);

/* Whether `code` may be sent in a close frame (RFC 6455 section 7.4; 1000-1003,
 * 1007-1014, 3000-4999). Suspends: no. */
int ph__ws_close_code_valid(int code);

#endif
