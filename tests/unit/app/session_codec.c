/*
 * Tests for src/app/session_codec.c. Cookie strings were produced by Flask
 * 2.2.2 (SecureCookieSessionInterface().get_signing_serializer, secret key
 * "k", timestamp fixed at 1700000000, inside an app context).
 */
#include "app/session_codec.h"

#include "app/tagged_json.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/signer.h"

#include <criterion/criterion.h>
#include <string.h>
#include <zlib.h>

#define NOW 1700000000u
#define PLAIN "eyJhIjoxLCJiIjpbMSwyLCJcdTAwZTkiXSwidCI6MC4xfQ.ZVPxAA.hVVuunzFF7yQDiHcEXPYBRwkDtM"
#define PLAIN_JSON "{\"a\":1,\"b\":[1,2,\"\\u00e9\"],\"t\":0.1}"
#define COMPRESSED ".eJyrVqpQslKqHAUjDijVAgBGFe6H.ZVPxAA.tTOn3TBzDOIVfMTDYITeItK0Crg"
#define TYPED                                                                                      \
    ".eJyrVkpSsqpWUgCSSo4BFrZKtTpKKWARIKkUnpqio2BkqOCfXKJgZGBoqmBgbmVkYWVgoODuGwJSmgtWCiSVbJLsKmz" \
    "0"                                                                                            \
    "k-xAoiVgUSAZbahjFAsUKAULAEklQyNjE1MzcwtctFJtLQBalyNb.ZVPxAA.iQTHVVRrJgKBTpndyVsYyBq0Wcc"
#define TYPED_TAGGED                                                                               \
    "{\"b\":{\" b\":\"AP8=\"},\"d\":{\" d\":\"Wed, 21 Oct 2015 07:28:00 GMT\"},\"m\":{\" "         \
    "m\":\"<b>x</b>\"},\"t\":{\" t\":[1,2]},\"u\":{\" u\":\"12345678123456781234567812345678\"}}"

static ph_session_codec *codec(const char *key, int flags) {
    static ph_slice k;
    k = (ph_slice){key, strlen(key)};
    ph_session_opts o = {.keys = &k, .nkeys = 1, .tagged_flags = flags};
    ph_session_codec *c = ph__session_codec_new(&o);
    cr_assert_not_null(c);
    return c;
}

static int decode(ph_session_codec *c, const char *cookie, int64_t max_age, json_t **out) {
    return ph__session_decode(c, cookie, strlen(cookie), max_age, NOW, out);
}

static void assert_json(json_t *got, const char *want) {
    json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
    cr_assert_not_null(w);
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    cr_assert(json_equal(got, w), "got %s, want %s", g, want);
    free(g);
    json_decref(w);
}

static const char *encode(ph_session_codec *c, const char *json, uint64_t now) {
    static char text[4096];
    json_t *v = json_loads(json, 0, NULL);
    cr_assert_not_null(v);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__session_encode(c, v, now, &b), 0);
    snprintf(text, sizeof(text), "%s", b.data);
    ph__buf_close(&b);
    json_decref(v);
    return text;
}

Test(session_codec, encode_matches_flask_byte_for_byte) {
    ph_session_codec *c = codec("k", 0);
    cr_assert_str_eq(encode(c, PLAIN_JSON, NOW), PLAIN);
    cr_assert_str_eq(encode(c, "{}", NOW), "e30.ZVPxAA.6lbnt5hnd_0io3lLtLhrudzUJW0");
    ph__session_codec_free(c);
}

Test(session_codec, encode_compresses_like_flask) {
    ph_session_codec *c = codec("k", 0);
    char json[600];
    snprintf(json, sizeof(json), "{\"x\":\"%0500d\"}", 0);
    memset(json + 6, 'y', 500);
    cr_assert_str_eq(encode(c, json, NOW), COMPRESSED);
    ph__session_codec_free(c);
}

Test(session_codec, keep_mode_encodes_python_types) {
    ph_session_codec *c = codec("k", PH_TAGGED_JSON_KEEP);
    cr_assert_str_eq(encode(c, TYPED_TAGGED, NOW), TYPED);
    ph__session_codec_free(c);
}

Test(session_codec, decodes_flask_cookie) {
    ph_session_codec *c = codec("k", 0);
    json_t *s;
    cr_assert_eq(decode(c, PLAIN, -1, &s), 0);
    assert_json(s, PLAIN_JSON);
    json_decref(s);
    ph__session_codec_free(c);
}

Test(session_codec, decodes_compressed_flask_cookie) {
    ph_session_codec *c = codec("k", 0);
    json_t *s;
    cr_assert_eq(decode(c, COMPRESSED, -1, &s), 0);
    cr_assert_eq(json_string_length(json_object_get(s, "x")), 500);
    json_decref(s);
    ph__session_codec_free(c);
}

Test(session_codec, decodes_python_types_to_nearest_json) {
    ph_session_codec *c = codec("k", 0);
    json_t *s;
    cr_assert_eq(decode(c, TYPED, -1, &s), 0);
    assert_json(s, "{\"b\":\"AP8=\",\"d\":\"Wed, 21 Oct 2015 07:28:00 GMT\",\"m\":\"<b>x</b>\","
                   "\"t\":[1,2],\"u\":\"12345678-1234-5678-1234-567812345678\"}");
    json_decref(s);
    ph__session_codec_free(c);
}

Test(session_codec, keep_mode_decodes_tags_verbatim) {
    ph_session_codec *c = codec("k", PH_TAGGED_JSON_KEEP);
    json_t *s;
    cr_assert_eq(decode(c, TYPED, -1, &s), 0);
    assert_json(s, TYPED_TAGGED);
    json_decref(s);
    ph__session_codec_free(c);
}

Test(session_codec, wrong_key_is_ebadsig) {
    ph_session_codec *c = codec("other", 0);
    json_t *s = (json_t *)1;
    cr_assert_eq(decode(c, PLAIN, -1, &s), PH_EBADSIG);
    cr_assert_null(s);
    ph__session_codec_free(c);
}

Test(session_codec, tampered_payload_is_ebadsig) {
    ph_session_codec *c = codec("k", 0);
    char bad[] = PLAIN;
    bad[3] = bad[3] == 'A' ? 'B' : 'A';
    json_t *s;
    cr_assert_eq(decode(c, bad, -1, &s), PH_EBADSIG);
    ph__session_codec_free(c);
}

Test(session_codec, truncated_cookie_is_ebadsig) {
    ph_session_codec *c = codec("k", 0);
    json_t *s;
    for (size_t n = 0; n < strlen(PLAIN); n++)
        cr_assert_eq(ph__session_decode(c, PLAIN, n, -1, NOW, &s), PH_EBADSIG, "length %zu", n);
    ph__session_codec_free(c);
}

Test(session_codec, expired_cookie_is_eexpired) {
    ph_session_codec *c = codec("k", 0);
    json_t *s;
    cr_assert_eq(ph__session_decode(c, PLAIN, strlen(PLAIN), 31, NOW + 31, &s), 0);
    json_decref(s);
    cr_assert_eq(ph__session_decode(c, PLAIN, strlen(PLAIN), 31, NOW + 32, &s), PH_EEXPIRED);
    cr_assert_eq(ph__session_decode(c, PLAIN, strlen(PLAIN), 31, NOW - 1, &s), PH_EEXPIRED);
    ph__session_codec_free(c);
}

Test(session_codec, old_key_still_decodes_after_rotation) {
    ph_slice keys[2] = {PH_SLICE_LIT("k"), PH_SLICE_LIT("new")};
    ph_session_opts o = {.keys = keys, .nkeys = 2};
    ph_session_codec *c = ph__session_codec_new(&o);
    json_t *s;
    cr_assert_eq(decode(c, PLAIN, -1, &s), 0);
    json_decref(s);
    /* And the new key signs. */
    ph_session_codec *k = codec("k", 0);
    cr_assert_eq(decode(k, encode(c, "{}", NOW), -1, &s), PH_EBADSIG);
    ph__session_codec_free(k);
    ph__session_codec_free(c);
}

/* Sign an arbitrary payload as the codec for key "k" would. */
static char *sign_payload(const char *payload, size_t len) {
    ph_slice key = PH_SLICE_LIT("k");
    ph_signer_opts o = {.salt = PH_SLICE_LIT("cookie-session"), .kdf = PH_SIGNER_KDF_HMAC};
    ph_signer *s = ph__signer_new(&key, 1, &o);
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__signer_sign_ts(s, (ph_slice){payload, len}, NOW, &b), 0);
    ph__signer_free(s);
    return ph__buf_steal(&b, NULL);
}

/* "." + base64url(zlib(data)), or base64url(data) when !compress. */
static char *make_payload(const char *data, size_t len, int compress, size_t cut) {
    uLongf zlen = compressBound(len);
    unsigned char *z = malloc(zlen);
    if (compress) {
        cr_assert_eq(compress2(z, &zlen, (const Bytef *)data, len, 6), Z_OK);
        zlen -= cut;
    } else {
        memcpy(z, data, len);
        zlen = len;
    }
    char *out = malloc(ph__base64_encoded_len(zlen, PH_BASE64_URL) + 2);
    size_t n = 0;
    if (compress)
        out[n++] = '.';
    n += ph__base64_encode(out + n, z, zlen, PH_BASE64_URL);
    out[n] = '\0';
    free(z);
    return out;
}

static int decode_signed(ph_session_codec *c, const char *data, size_t len, int compress,
                         size_t cut) {
    char *p = make_payload(data, len, compress, cut);
    char *cookie = sign_payload(p, strlen(p));
    json_t *s = NULL;
    int rc = decode(c, cookie, -1, &s);
    json_decref(s);
    ph__free(cookie);
    free(p);
    return rc;
}

Test(session_codec, zip_bomb_is_etoobig) {
    ph_session_codec *c = codec("k", 0);
    size_t n = 2 * PH_SESSION_MAX_JSON;
    char *big = malloc(n);
    memset(big, 'a', n);
    memcpy(big, "{\"a\":\"", 6);
    memcpy(big + n - 2, "\"}", 2);
    cr_assert_eq(decode_signed(c, big, n, 1, 0), PH_ETOOBIG);
    free(big);
    ph__session_codec_free(c);
}

Test(session_codec, payload_at_exact_limit_decodes) {
    ph_slice k = PH_SLICE_LIT("k");
    ph_session_opts o = {.keys = &k, .nkeys = 1, .max_json = 64};
    ph_session_codec *c = ph__session_codec_new(&o);
    char json[65];
    memset(json, 'a', 64);
    memcpy(json, "{\"a\":\"", 6);
    memcpy(json + 62, "\"}", 2);
    cr_assert_eq(decode_signed(c, json, 64, 1, 0), 0);
    cr_assert_eq(decode_signed(c, json, 64, 0, 0), 0);
    json[64] = '\0';
    ph__session_codec_free(c);
    o.max_json = 63;
    c = ph__session_codec_new(&o);
    cr_assert_eq(decode_signed(c, json, 64, 1, 0), PH_ETOOBIG);
    cr_assert_eq(decode_signed(c, json, 64, 0, 0), PH_ETOOBIG);
    ph__session_codec_free(c);
}

Test(session_codec, truncated_zlib_stream_is_eparse) {
    ph_session_codec *c = codec("k", 0);
    const char *json =
        "{\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}";
    cr_assert_eq(decode_signed(c, json, strlen(json), 1, 0), 0);
    cr_assert_eq(decode_signed(c, json, strlen(json), 1, 3), PH_EPARSE);
    ph__session_codec_free(c);
}

Test(session_codec, garbage_zlib_stream_is_eparse) {
    ph_session_codec *c = codec("k", 0);
    char *cookie = sign_payload(".AAAA", 5);
    json_t *s;
    cr_assert_eq(decode(c, cookie, -1, &s), PH_EPARSE);
    ph__free(cookie);
    ph__session_codec_free(c);
}

Test(session_codec, bad_base64_payload_is_eparse) {
    ph_session_codec *c = codec("k", 0);
    char *cookie = sign_payload("e30!", 4);
    json_t *s;
    cr_assert_eq(decode(c, cookie, -1, &s), PH_EPARSE);
    ph__free(cookie);
    ph__session_codec_free(c);
}

Test(session_codec, non_object_session_is_eparse) {
    ph_session_codec *c = codec("k", 0);
    cr_assert_eq(decode_signed(c, "[1]", 3, 0, 0), PH_EPARSE);
    cr_assert_eq(decode_signed(c, "{\"a\":", 5, 0, 0), PH_EPARSE);
    ph__session_codec_free(c);
}

Test(session_codec, encode_refuses_non_objects) {
    ph_session_codec *c = codec("k", 0);
    json_t *v = json_array();
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__session_encode(c, v, NOW, &b), PH_EINVAL);
    cr_assert_eq(b.len, 0);
    json_decref(v);
    ph__buf_close(&b);
    ph__session_codec_free(c);
}

Test(session_codec, encode_past_buffer_max_leaves_buffer_unchanged) {
    ph_session_codec *c = codec("k", 0);
    json_t *v = json_loads(PLAIN_JSON, 0, NULL);
    ph_buf b;
    ph__buf_init(&b, 40);
    ph__buf_append_str(&b, "session=");
    cr_assert_eq(ph__session_encode(c, v, NOW, &b), PH_ETOOBIG);
    cr_assert_str_eq(b.data, "session=");
    json_decref(v);
    ph__buf_close(&b);
    ph__session_codec_free(c);
}

Test(session_codec, codec_needs_a_key) {
    ph_session_opts o = {0};
    cr_assert_null(ph__session_codec_new(&o));
    cr_assert_null(ph__session_codec_new(NULL));
    ph__session_codec_free(NULL);
}

Test(session_codec, encode_then_decode_round_trips) {
    ph_session_codec *c = codec("secret", 0);
    const char *json =
        "{\"user\":{\"id\":42,\"roles\":[\"a\",\"b\"]},\" t\":[1.5,null],"
        "\"big\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
    const char *cookie = encode(c, json, NOW);
    json_t *s;
    cr_assert_eq(decode(c, cookie, 60, &s), 0);
    assert_json(s, json);
    json_decref(s);
    ph__session_codec_free(c);
}

Test(session_codec, codec_new_survives_allocation_failures) {
    ph_slice k = PH_SLICE_LIT("k");
    ph_session_opts o = {.keys = &k, .nkeys = 1};
    for (long n = 0;; n++) {
        ph__alloc_fail_after(n);
        ph_session_codec *c = ph__session_codec_new(&o);
        ph__alloc_fail_after(-1);
        if (c) {
            ph__session_codec_free(c);
            break;
        }
    }
}

Test(session_codec, encode_survives_allocation_failures) {
    ph_session_codec *c = codec("k", 0);
    json_t *v = json_loads(
        "{\"b\":[1,2,3],\"a\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", 0, NULL);
    for (long n = 0;; n++) {
        ph_buf b;
        ph__buf_init(&b, 0);
        ph__alloc_fail_after(n);
        int rc = ph__session_encode(c, v, NOW, &b);
        ph__alloc_fail_after(-1);
        ph__buf_close(&b);
        if (rc == 0)
            break;
        cr_assert_eq(rc, PH_ENOMEM, "step %ld: %s", n, ph_err_name(rc));
    }
    json_decref(v);
    ph__session_codec_free(c);
}

Test(session_codec, decode_survives_allocation_failures) {
    ph_session_codec *c = codec("k", 0);
    const char *cookies[] = {PLAIN, COMPRESSED, TYPED};
    for (int i = 0; i < 3; i++) {
        for (long n = 0;; n++) {
            json_t *s = NULL;
            ph__alloc_fail_after(n);
            int rc = decode(c, cookies[i], -1, &s);
            ph__alloc_fail_after(-1);
            if (rc == 0) {
                json_decref(s);
                break;
            }
            cr_assert_eq(rc, PH_ENOMEM, "cookie %d step %ld: %s", i, n, ph_err_name(rc));
            cr_assert_null(s);
        }
    }
    ph__session_codec_free(c);
}
