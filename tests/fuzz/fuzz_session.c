/*
 * libFuzzer target for the session cookie decoder and what lies under it.
 *
 * The first input byte picks a stage, the rest is that stage's input:
 *   0  a whole cookie: ph__session_decode with key "fuzz-key" (only seeds
 *      signed with that key get past the signature; mutations test the
 *      signer's parsing)
 *   1  a payload behind a good signature: ph__session_load_payload (base64url,
 *      zlib with the 1 MiB cap, tagged JSON), plain mode
 *   2  the same in keep mode (PH_TAGGED_JSON_KEEP)
 *   3  tagged JSON text: ph__tagged_json_loads, plain mode
 *   4  tagged JSON text, keep mode
 * Whatever loads must survive a round trip: dumps then loads gives an equal
 * value (dumps may only refuse with PH_ETOOBIG, when " di" escapes push the
 * nesting past the limit). A decoded cookie must re-encode and decode equal.
 */
#include "app/session_codec.h"
#include "app/tagged_json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static ph_session_codec *codecs[2];

static ph_session_codec *codec(int flags) {
    int i = flags ? 1 : 0;
    if (!codecs[i]) {
        ph_slice key = PH_SLICE_LIT("fuzz-key");
        ph_session_opts o = {.keys = &key, .nkeys = 1, .tagged_flags = flags};
        codecs[i] = ph__session_codec_new(&o);
        if (!codecs[i])
            abort();
    }
    return codecs[i];
}

static void check_round_trip(const json_t *v, int flags) {
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__tagged_json_dumps(v, flags, &b);
    if (rc == PH_ETOOBIG) {
        ph__buf_close(&b);
        return;
    }
    if (rc != 0) {
        fprintf(stderr, "dumps failed: %s\n", ph_err_name(rc));
        abort();
    }
    int err = 0;
    json_t *back = ph__tagged_json_loads(b.data, b.len, flags, &err);
    if (!back || !json_equal(back, v)) {
        fprintf(stderr, "round trip changed the value (%s): %s\n", ph_err_name(err), b.data);
        abort();
    }
    json_decref(back);
    ph__buf_close(&b);
}

static void cookie_round_trip(const json_t *session) {
    ph_buf b;
    ph__buf_init(&b, 0);
    if (ph__session_encode(codec(0), session, 1700000000, &b) == 0) {
        json_t *back;
        if (ph__session_decode(codec(0), b.data, b.len, 60, 1700000000, &back) != 0 ||
            !json_equal(back, session))
            abort();
        json_decref(back);
    }
    ph__buf_close(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    int stage = data[0] % 5, flags = (stage == 2 || stage == 4) ? PH_TAGGED_JSON_KEEP : 0;
    json_t *v = NULL;
    int err = 0;
    switch (stage) {
    case 0:
        if (ph__session_decode(codec(0), in, len, -1, 1700000000, &v) == 0)
            cookie_round_trip(v);
        break;
    case 1:
    case 2:
        err = ph__session_load_payload(codec(flags), in, len, &v);
        break;
    default:
        v = ph__tagged_json_loads(in, len, flags, &err);
        break;
    }
    if (v)
        check_round_trip(v, flags);
    else if (err == PH_ENOMEM)
        abort(); /* nothing here should run out of memory */
    json_decref(v);
    return 0;
}
