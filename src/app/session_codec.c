/*
 * Session cookies in Flask 2.2's format: URLSafeTimedSerializer (itsdangerous
 * 2.1) over TaggedJSONSerializer, signed by a TimestampSigner with salt
 * "cookie-session", HMAC key derivation and SHA1.
 *
 * Encoding: tagged JSON text -> zlib at the default level when the result is
 * shorter by more than one byte (then marked with a leading '.') -> base64url
 * without padding -> "." timestamp "." signature. zlib's default level,
 * window and memory level are what Python's zlib.compress uses, so with the
 * same zlib the bytes are the same.
 *
 * Decoding reverses it in itsdangerous's order (signature, timestamp, age,
 * then the payload), with two guards Python lacks: the inflated JSON is
 * capped (a 4 KB cookie can hold a zlib stream that inflates to gigabytes),
 * and nesting is capped by tagged_json.c. Like Python's zlib.decompress,
 * bytes after the end of the zlib stream are ignored.
 *
 * This module neither reads cookies from requests nor sets them on responses,
 * and it reads no clock; the framework does those.
 *
 * References: flask/sessions.py (2.2.2), itsdangerous url_safe.py, timed.py,
 * serializer.py (2.1.2), RFC 1950 (zlib), zlib.h.
 */
#include "session_codec.h"

#include "tagged_json.h"
#include "util/alloc.h"
#include "util/base64.h"
#include "util/signer.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

struct ph_session_codec {
    ph_signer *signer;
    size_t max_json;
    int tagged_flags;
};

ph_session_codec *ph__session_codec_new(const ph_session_opts *opts) {
    if (!opts || !opts->keys || opts->nkeys == 0)
        return NULL;
    ph_session_codec *c = ph__calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    ph_signer_opts so = {
        .salt = opts->salt.ptr ? opts->salt : PH_SLICE_LIT(PH_SESSION_SALT),
        .digest = PH_HASH_SHA1,
        .kdf = PH_SIGNER_KDF_HMAC,
        .sep = '.',
    };
    c->signer = ph__signer_new(opts->keys, opts->nkeys, &so);
    if (!c->signer) {
        ph__free(c);
        return NULL;
    }
    c->max_json = opts->max_json ? opts->max_json : PH_SESSION_MAX_JSON;
    c->tagged_flags = opts->tagged_flags;
    return c;
}

void ph__session_codec_free(ph_session_codec *c) {
    if (!c)
        return;
    ph__signer_free(c->signer);
    ph__free(c);
}

/* zlib allocates through ph__malloc too, so failure sweeps reach it. */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
    (void)opaque;
    return size && items > SIZE_MAX / size ? NULL : ph__malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p) {
    (void)opaque;
    ph__free(p);
}

/* zlib.compress(src) into a new ph__malloc'd buffer. */
static int deflate_all(const char *src, size_t len, unsigned char **out, size_t *out_len) {
    z_stream z = {.zalloc = z_alloc, .zfree = z_free};
    if (len > UINT_MAX)
        return PH_ETOOBIG;
    if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK)
        return PH_ENOMEM;
    uLong cap = deflateBound(&z, (uLong)len);
    unsigned char *buf = ph__malloc(cap);
    if (!buf) {
        deflateEnd(&z);
        return PH_ENOMEM;
    }
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)len;
    z.next_out = buf;
    z.avail_out = (uInt)cap;
    int zrc = deflate(&z, Z_FINISH);
    *out_len = z.total_out;
    deflateEnd(&z);
    if (zrc != Z_STREAM_END) {
        ph__free(buf);
        return PH_ENOMEM;
    }
    *out = buf;
    return 0;
}

/* Append the URLSafeSerializerMixin payload for `json` to `out`. */
static int put_payload(const char *json, size_t jlen, ph_buf *out) {
    unsigned char *z = NULL;
    size_t zlen = 0;
    int rc = deflate_all(json, jlen, &z, &zlen);
    if (rc < 0)
        return rc;
    int use_z = zlen + 1 < jlen; /* itsdangerous: len(compressed) < len(json) - 1 */
    const void *src = use_z ? (const void *)z : (const void *)json;
    size_t n = use_z ? zlen : jlen;
    size_t elen = ph__base64_encoded_len(n, PH_BASE64_URL);
    rc = elen == SIZE_MAX ? PH_ETOOBIG : ph__buf_reserve(out, elen + 1);
    if (rc == 0) {
        if (use_z)
            out->data[out->len++] = '.';
        out->len += ph__base64_encode(out->data + out->len, src, n, PH_BASE64_URL);
        out->data[out->len] = '\0';
    }
    ph__free(z);
    return rc;
}

int ph__session_encode(const ph_session_codec *c, const json_t *session, uint64_t now,
                       ph_buf *out) {
    if (!c || !json_is_object(session) || !out)
        return PH_EINVAL;
    size_t start = out->len;
    ph_buf json, payload;
    ph__buf_init(&json, c->max_json);
    ph__buf_init(&payload, out->max);
    int rc = ph__tagged_json_dumps(session, c->tagged_flags, &json);
    if (rc == 0)
        rc = put_payload(json.data, json.len, &payload);
    if (rc == 0)
        rc = ph__signer_sign_ts(c->signer, (ph_slice){payload.data, payload.len}, now, out);
    ph__buf_close(&json);
    ph__buf_close(&payload);
    if (rc < 0 && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

/* zlib.decompress(src), refusing output past `max` and truncated streams. */
static int inflate_all(const unsigned char *src, size_t len, size_t max, ph_buf *out) {
    z_stream z = {.zalloc = z_alloc, .zfree = z_free};
    if (len > UINT_MAX)
        return PH_ETOOBIG;
    if (inflateInit(&z) != Z_OK)
        return PH_ENOMEM;
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)len;
    int rc = 0, zrc = Z_OK;
    while (zrc != Z_STREAM_END) {
        size_t room = out->len < 4096 ? 4096 : out->len; /* grow by doubling */
        if (room > max - out->len)
            room = max - out->len;
        if (room == 0) {
            rc = PH_ETOOBIG;
            /* Output is full: fine only if the stream ends right here. */
            unsigned char probe;
            z.next_out = &probe;
            z.avail_out = 1;
            if (inflate(&z, Z_NO_FLUSH) == Z_STREAM_END && z.avail_out == 1)
                rc = 0;
            break;
        }
        if ((rc = ph__buf_reserve(out, room)) < 0)
            break;
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)room;
        zrc = inflate(&z, Z_NO_FLUSH);
        out->len += room - z.avail_out;
        out->data[out->len] = '\0';
        if (zrc == Z_MEM_ERROR) {
            rc = PH_ENOMEM;
            break;
        }
        /* Z_BUF_ERROR with input left means no progress: truncated stream. */
        if (zrc != Z_OK && zrc != Z_STREAM_END) {
            rc = PH_EPARSE;
            break;
        }
        if (zrc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
            rc = PH_EPARSE; /* input exhausted before the end of the stream */
            break;
        }
    }
    inflateEnd(&z);
    return rc;
}

int ph__session_load_payload(const ph_session_codec *c, const char *payload, size_t len,
                             json_t **value) {
    *value = NULL;
    int compressed = len && payload[0] == '.';
    if (compressed)
        payload++, len--;
    unsigned char *raw = ph__malloc(ph__base64_decoded_max(len));
    if (!raw)
        return PH_ENOMEM;
    long n = ph__base64_decode(raw, payload, len, PH_BASE64_URL);
    int rc = n < 0 ? PH_EPARSE : 0;
    ph_buf json;
    ph__buf_init(&json, c->max_json);
    const char *text = (const char *)raw;
    size_t tlen = (size_t)n;
    if (rc == 0 && compressed) {
        rc = inflate_all(raw, tlen, c->max_json, &json);
        text = json.data ? json.data : "";
        tlen = json.len;
    } else if (rc == 0 && tlen > c->max_json) {
        rc = PH_ETOOBIG;
    }
    if (rc == 0) {
        json_t *v = ph__tagged_json_loads(text, tlen, c->tagged_flags, &rc);
        *value = v;
    }
    ph__buf_close(&json);
    ph__free(raw);
    return rc;
}

int ph__session_decode(const ph_session_codec *c, const char *cookie, size_t len, int64_t max_age,
                       uint64_t now, json_t **session) {
    *session = NULL;
    if (!c || (!cookie && len))
        return PH_EINVAL;
    ph_slice payload;
    int rc = ph__signer_unsign_ts(c->signer, (ph_slice){cookie, len}, max_age, now, &payload, NULL);
    if (rc < 0)
        return rc;
    json_t *v;
    rc = ph__session_load_payload(c, payload.ptr, payload.len, &v);
    if (rc < 0)
        return rc;
    if (!json_is_object(v)) {
        json_decref(v);
        return PH_EPARSE;
    }
    *session = v;
    return 0;
}
