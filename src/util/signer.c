/*
 * Signing and verification with itsdangerous 2.1's Signer / TimestampSigner
 * wire format, so that values signed here verify in Python and the reverse.
 *
 * This module signs bytes; it does not serialize, compress or encode the
 * values (see src/app/session_codec.c for the URLSafeTimedSerializer layer
 * on top). It reads no clock: callers pass `now` and `ts`, which keeps it
 * pure and testable.
 *
 * Verification decodes the presented signature strictly (one text per MAC),
 * computes the MAC under each key, newest first, and compares in constant
 * time. Derived keys are wiped with OPENSSL_cleanse when the signer is freed.
 *
 * References: itsdangerous signer.py and timed.py (2.1.2), RFC 2104.
 */
#include "signer.h"

#include "alloc.h"
#include "base64.h"

#include <openssl/crypto.h>
#include <string.h>

struct ph_signer {
    ph_hash_alg digest;
    char sep;
    size_t nkeys;
    ph_slice *keys; /* derived keys, oldest first; bytes follow the array */
    size_t bytes;   /* size of the whole allocation, for wiping */
};

static int derive(const ph_signer_opts *o, ph_slice salt, ph_slice secret, unsigned char *out,
                  size_t *len) {
    int rc;
    switch (o->kdf) {
    case PH_SIGNER_KDF_DJANGO_CONCAT: {
        ph_slice parts[3] = {salt, PH_SLICE_LIT("signer"), secret};
        rc = ph__hash(o->digest, parts, 3, out);
        break;
    }
    case PH_SIGNER_KDF_CONCAT: {
        ph_slice parts[2] = {salt, secret};
        rc = ph__hash(o->digest, parts, 2, out);
        break;
    }
    case PH_SIGNER_KDF_HMAC:
        rc = ph__hmac(o->digest, secret.ptr, secret.len, salt.ptr, salt.len, out);
        break;
    case PH_SIGNER_KDF_NONE:
        if (secret.len)
            memcpy(out, secret.ptr, secret.len);
        rc = (int)secret.len;
        break;
    default:
        return PH_EINVAL;
    }
    if (rc < 0)
        return rc;
    *len = (size_t)rc;
    return 0;
}

static int sep_ok(char c) {
    return !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '_' || c == '=');
}

ph_signer *ph__signer_new(const ph_slice *keys, size_t nkeys, const ph_signer_opts *opts) {
    ph_signer_opts o = opts ? *opts : (ph_signer_opts){0};
    if (!o.salt.ptr)
        o.salt = PH_SLICE_LIT("itsdangerous.Signer");
    if (!o.sep)
        o.sep = '.';
    if (nkeys == 0 || ph__hash_len(o.digest) == 0 || !sep_ok(o.sep) ||
        (unsigned)o.kdf > PH_SIGNER_KDF_NONE)
        return NULL;
    /* One allocation: the struct, the slice array, then the key bytes. */
    size_t bytes = sizeof(ph_signer) + nkeys * sizeof(ph_slice);
    for (size_t i = 0; i < nkeys; i++) {
        size_t k = o.kdf == PH_SIGNER_KDF_NONE ? keys[i].len : PH_HASH_MAX_LEN;
        if (k > SIZE_MAX / 2 - bytes)
            return NULL;
        bytes += k;
    }
    ph_signer *s = ph__calloc(1, bytes);
    if (!s)
        return NULL;
    s->digest = o.digest;
    s->sep = o.sep;
    s->nkeys = nkeys;
    s->bytes = bytes;
    s->keys = (ph_slice *)(s + 1);
    unsigned char *p = (unsigned char *)(s->keys + nkeys);
    for (size_t i = 0; i < nkeys; i++) {
        size_t len = 0;
        if (derive(&o, o.salt, keys[i], p, &len) < 0) {
            ph__signer_free(s);
            return NULL;
        }
        s->keys[i] = (ph_slice){(const char *)p, len};
        p += o.kdf == PH_SIGNER_KDF_NONE ? keys[i].len : PH_HASH_MAX_LEN;
    }
    return s;
}

void ph__signer_free(ph_signer *s) {
    if (!s)
        return;
    OPENSSL_cleanse(s, s->bytes);
    ph__free(s);
}

/* Append SEP base64url(HMAC(newest key, out[start..])) to `out`. */
static int append_sig(const ph_signer *s, ph_buf *out, size_t start) {
    unsigned char mac[PH_HASH_MAX_LEN];
    const ph_slice *k = &s->keys[s->nkeys - 1];
    int n = ph__hmac(s->digest, k->ptr, k->len, out->data + start, out->len - start, mac);
    if (n < 0)
        return n;
    size_t elen = ph__base64_encoded_len((size_t)n, PH_BASE64_URL);
    int rc = ph__buf_reserve(out, elen + 1);
    if (rc < 0)
        return rc;
    out->data[out->len++] = s->sep;
    out->len += ph__base64_encode(out->data + out->len, mac, (size_t)n, PH_BASE64_URL);
    out->data[out->len] = '\0';
    return 0;
}

int ph__signer_sign(const ph_signer *s, ph_slice value, ph_buf *out) {
    size_t start = out->len;
    int rc = ph__buf_append(out, value.ptr, value.len);
    return rc < 0 ? rc : append_sig(s, out, start);
}

int ph__signer_sign_ts(const ph_signer *s, ph_slice value, uint64_t ts, ph_buf *out) {
    /* Big-endian, leading zero bytes stripped: struct.pack(">Q").lstrip(b"\0"). */
    unsigned char be[8];
    size_t n = 0;
    for (int shift = 56; shift >= 0; shift -= 8) {
        unsigned char b = (unsigned char)(ts >> shift);
        if (n || b)
            be[n++] = b;
    }
    char ts_text[12];
    size_t ts_len = ph__base64_encode(ts_text, be, n, PH_BASE64_URL);
    size_t start = out->len;
    int rc = ph__buf_reserve(out, value.len + 1 + ts_len);
    if (rc < 0)
        return rc;
    ph__buf_append(out, value.ptr, value.len);
    ph__buf_append_char(out, s->sep);
    ph__buf_append(out, ts_text, ts_len);
    return append_sig(s, out, start);
}

/* Last occurrence of `c` in `v`, or NULL. */
static const char *last_sep(ph_slice v, char c) { return v.len ? memrchr(v.ptr, c, v.len) : NULL; }

int ph__signer_unsign(const ph_signer *s, ph_slice signed_value, ph_slice *value) {
    const char *sep = last_sep(signed_value, s->sep);
    if (!sep)
        return PH_EBADSIG;
    ph_slice v = {signed_value.ptr, (size_t)(sep - signed_value.ptr)};
    const char *sig = sep + 1;
    size_t sig_len = signed_value.len - v.len - 1;
    size_t mac_len = ph__hash_len(s->digest);
    /* A signature of the wrong length cannot match; skip decoding it. */
    if (sig_len != ph__base64_encoded_len(mac_len, PH_BASE64_URL))
        return PH_EBADSIG;
    unsigned char want[PH_HASH_MAX_LEN], got[PH_HASH_MAX_LEN];
    if (ph__base64_decode(got, sig, sig_len, PH_BASE64_URL) != (long)mac_len)
        return PH_EBADSIG;
    int ok = 0;
    for (size_t i = s->nkeys; i-- > 0;) {
        int n = ph__hmac(s->digest, s->keys[i].ptr, s->keys[i].len, v.ptr, v.len, want);
        if (n < 0)
            return n;
        ok |= ph__ct_equal(want, (size_t)n, got, mac_len);
    }
    if (!ok)
        return PH_EBADSIG;
    *value = v;
    return 0;
}

int ph__signer_unsign_ts(const ph_signer *s, ph_slice signed_value, int64_t max_age, uint64_t now,
                         ph_slice *value, uint64_t *ts) {
    ph_slice both;
    int rc = ph__signer_unsign(s, signed_value, &both);
    if (rc < 0)
        return rc;
    const char *sep = last_sep(both, s->sep);
    if (!sep)
        return PH_EPARSE;
    ph_slice v = {both.ptr, (size_t)(sep - both.ptr)};
    const char *t = sep + 1;
    size_t t_len = both.len - v.len - 1;
    unsigned char be[12];
    if (t_len > 11)
        return PH_EPARSE;
    long n = ph__base64_decode(be, t, t_len, PH_BASE64_URL);
    if (n < 0 || n > 8)
        return PH_EPARSE;
    uint64_t stamp = 0;
    for (long i = 0; i < n; i++)
        stamp = stamp << 8 | be[i];
    if (max_age >= 0 && (stamp > now || now - stamp > (uint64_t)max_age))
        return PH_EEXPIRED;
    *value = v;
    if (ts)
        *ts = stamp;
    return 0;
}
