/*
 * libFuzzer target for the websocket frame parser (src/server/ws_frame.c),
 * fed the way the server feeds it: pieces of whatever size a read returns.
 * Besides memory errors it checks invariants: the events and their bytes
 * do not depend on how the input was split (whole, at a cut, byte by byte);
 * a data event's bytes lie in the input; a text message that ends is valid
 * UTF-8; no message passes the limit; a failure carries a close code the
 * protocol defines for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/ws_frame.h"
#include "util/utf8.h"

#define MAX_MESSAGE 4096

typedef struct trace {
    uint64_t hash; /* of every event's type and bytes, in order */
    int rc;        /* 0, or the failure */
    int code;
} trace;

static uint64_t mix(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static void run(const uint8_t *data, size_t size, size_t step, trace *t) {
    char *buf = malloc(size ? size : 1);
    char *msg = malloc(MAX_MESSAGE);
    if (!buf || !msg)
        abort();
    memcpy(buf, data, size);
    ph__ws_parser p;
    ph__ws_parser_init(&p, MAX_MESSAGE, data[0] & 1);
    size_t msg_len = 0;
    t->hash = 14695981039346656037ull;
    t->rc = 0;
    t->code = 0;
    for (size_t off = 0; off < size;) {
        size_t piece = size - off < step ? size - off : step;
        size_t end = off + piece;
        while (off < end) {
            ph__ws_event ev;
            int rc = ph__ws_parse(&p, buf + off, end - off, &ev);
            if (rc < 0) {
                t->rc = rc;
                t->code = p.close_code;
                if (rc == PH_ETOOBIG ? t->code != 1009
                                     : rc != PH_EPARSE || (t->code != 1002 && t->code != 1007))
                    abort();
                goto done;
            }
            if (rc == 0 || (size_t)rc > end - off)
                abort();
            off += (size_t)rc;
            if (ev.type == PH__WS_EV_DATA) {
                if (ev.data < buf || ev.data + ev.len > buf + size || msg_len + ev.len > MAX_MESSAGE)
                    abort();
                memcpy(msg + msg_len, ev.data, ev.len);
                msg_len += ev.len;
                if (ev.fin) {
                    if (ev.opcode == PH__WS_OP_TEXT && !ph__utf8_valid(msg, msg_len))
                        abort();
                    t->hash = mix(t->hash, &ev.opcode, sizeof(ev.opcode));
                    t->hash = mix(t->hash, msg, msg_len);
                    msg_len = 0;
                }
            } else if (ev.type != PH__WS_EV_NONE) {
                if (ev.len > PH__WS_MAX_CONTROL)
                    abort();
                t->hash = mix(t->hash, &ev.type, sizeof(ev.type));
                t->hash = mix(t->hash, ev.data, ev.len);
                t->hash = mix(t->hash, &ev.code, sizeof(ev.code));
            }
        }
    }
done:
    free(buf);
    free(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2)
        return 0;
    size_t cut = data[1] ? data[1] : 1;
    trace whole, split, bytes;
    run(data, size, size, &whole);
    run(data, size, cut, &split);
    run(data, size, 1, &bytes);
    /* A split changes only where data pieces end, never what the messages
     * hold, nor whether and how the input fails. */
    if (whole.hash != split.hash || whole.hash != bytes.hash || whole.rc != split.rc || whole.rc != bytes.rc || whole.code != split.code ||
        whole.code != bytes.code)
        abort();
    return 0;
}
