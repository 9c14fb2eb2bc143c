/*
 * Content-Type parsing and the extension → media type table.
 *
 * The grammar is RFC 9110 section 8.3.1 (media-type = type "/" subtype
 * parameters, tokens and quoted-strings, section 5.6), read leniently where
 * real clients stray: empty ";" runs are skipped, whitespace around '=' is
 * allowed, an unquoted value may hold any byte but ';', whitespace and '"'.
 * Quoted values are unescaped the way Werkzeug's unquote_header_value does
 * (only \\ and \"), which keeps Windows paths in multipart filenames intact.
 * RFC 8187 ext-values (filename*=UTF-8''...) decode for UTF-8 only.
 *
 * The table mirrors what Werkzeug 2.2's send_file answers on Debian 12
 * (Python mimetypes reading /etc/mime.types, then get_content_type adding
 * "; charset=utf-8"); the few entries Python lacks are marked.
 *
 * Not here: Accept negotiation, RFC 2231 continuations (name*0=...).
 */
#include "mime.h"

#include "http_chars.h"
#include "py_space.h"
#include "url.h"

#include <stdlib.h>
#include <string.h>

static int is_ows(char c) { return c == ' ' || c == '\t'; }

static size_t skip_ows(const char *s, size_t i, size_t len) {
    while (i < len && is_ows(s[i]))
        i++;
    return i;
}

static size_t token_end(const char *s, size_t i, size_t len) {
    while (i < len && ph__is_tchar((unsigned char)s[i]))
        i++;
    return i;
}

int ph__mime_next_param(const char *s, size_t len, size_t *pos, ph_mime_param *out) {
    size_t i = *pos;
    for (;;) {
        i = skip_ows(s, i, len);
        if (i == len) {
            *pos = i;
            return 0;
        }
        if (s[i] != ';')
            return PH_EPARSE;
        i = skip_ows(s, i + 1, len);
        if (i < len && s[i] != ';')
            break;
    }
    if (i == len) {
        *pos = i;
        return 0;
    }
    size_t ne = token_end(s, i, len);
    if (ne == i)
        return PH_EPARSE;
    out->name = (ph_slice){s + i, ne - i};
    out->value = (ph_slice){s + ne, 0};
    out->quoted = false;
    i = skip_ows(s, ne, len);
    if (i < len && s[i] == '=') {
        i = skip_ows(s, i + 1, len);
        if (i < len && s[i] == '"') {
            size_t j = i + 1;
            while (j < len && s[j] != '"')
                j += (s[j] == '\\' && j + 1 < len) ? 2 : 1;
            if (j >= len)
                return PH_EPARSE;
            out->value = (ph_slice){s + i + 1, j - i - 1};
            out->quoted = true;
            i = j + 1;
        } else {
            size_t j = i;
            while (j < len && s[j] != ';' && s[j] != '"' && !is_ows(s[j]))
                j++;
            out->value = (ph_slice){s + i, j - i};
            i = j;
        }
    }
    *pos = i;
    return 1;
}

size_t ph__mime_unquote(char *dst, const char *src, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == '\\' && i + 1 < len && (src[i + 1] == '\\' || src[i + 1] == '"'))
            i++;
        dst[o++] = src[i];
    }
    return o;
}

static int ascii_ieq(const char *a, size_t n, const char *lit) {
    size_t m = strlen(lit);
    if (n != m)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != lit[i])
            return 0;
    }
    return 1;
}

ptrdiff_t ph__mime_decode_ext_value(char *s, size_t len) {
    const char *q1 = memchr(s, '\'', len);
    if (!q1)
        return PH_EPARSE;
    size_t cs = (size_t)(q1 - s);
    const char *q2 = memchr(q1 + 1, '\'', len - cs - 1);
    if (!q2 || !ascii_ieq(s, cs, "utf-8"))
        return PH_EPARSE;
    size_t off = (size_t)(q2 + 1 - s);
    /* Decoding writes behind where it reads, so the overlap is safe. */
    return (ptrdiff_t)ph__url_decode(s, s + off, len - off, 0, NULL);
}

static void lower_copy(char *d, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    d[n] = '\0';
}

/* Copy one parameter into the arena: name lower-cased, value unquoted. */
static int keep_param(ph_arena *a, ph_mime_param *dst, const ph_mime_param *p) {
    char *buf = ph__arena_alloc(a, p->name.len + p->value.len + 2);
    if (!buf)
        return PH_ENOMEM;
    lower_copy(buf, p->name.ptr, p->name.len);
    char *v = buf + p->name.len + 1;
    size_t vl = p->value.len;
    if (p->quoted)
        vl = ph__mime_unquote(v, p->value.ptr, p->value.len);
    else if (vl)
        memcpy(v, p->value.ptr, vl);
    v[vl] = '\0';
    dst->name = (ph_slice){buf, p->name.len};
    dst->value = (ph_slice){v, vl};
    dst->quoted = p->quoted;
    return 0;
}

int ph__content_type_parse(ph_content_type *ct, ph_arena *a, const char *s, size_t len) {
    memset(ct, 0, sizeof(*ct));
    size_t i = skip_ows(s, 0, len);
    size_t te = token_end(s, i, len);
    if (te == i || te == len || s[te] != '/')
        return PH_EPARSE;
    size_t se = token_end(s, te + 1, len);
    if (se == te + 1)
        return PH_EPARSE;
    char *mt = ph__arena_alloc(a, se - i + 1);
    ph_mime_param *params = ph__arena_alloc(a, PH_MIME_MAX_PARAMS * sizeof(*params));
    if (!mt || !params)
        return PH_ENOMEM;
    lower_copy(mt, s + i, se - i);
    ct->mimetype = (ph_slice){mt, se - i};
    ct->type = (ph_slice){mt, te - i};
    ct->subtype = (ph_slice){mt + (te - i) + 1, se - te - 1};
    ct->params = params;
    size_t pos = se;
    ph_mime_param p;
    int rc;
    while ((rc = ph__mime_next_param(s, len, &pos, &p)) > 0) {
        if (ct->nparams == PH_MIME_MAX_PARAMS)
            return PH_ETOOBIG;
        ph_mime_param *kept = &params[ct->nparams];
        if ((rc = keep_param(a, kept, &p)) < 0)
            return rc;
        ct->nparams++;
        if (!ct->charset.ptr && ascii_ieq(kept->name.ptr, kept->name.len, "charset"))
            ct->charset = kept->value;
        else if (!ct->boundary.ptr && ascii_ieq(kept->name.ptr, kept->name.len, "boundary"))
            ct->boundary = kept->value;
    }
    return rc;
}

ph_slice ph__mime_leading_type(const char *s, size_t len) {
    if (!s)
        return (ph_slice){NULL, 0};
    size_t i = 0;
    while (i < len && ph__py_space((unsigned char)s[i], 1))
        i++;
    size_t start = i;
    while (i < len && s[i] != ';' && s[i] != ',' && !ph__py_space((unsigned char)s[i], 1))
        i++;
    return (ph_slice){s + start, i - start};
}

bool ph__mime_is_json(const char *mt, size_t len) {
    static const char app[] = "application/";
    if (len == 16 && memcmp(mt, "application/json", 16) == 0)
        return true;
    return len >= sizeof(app) - 1 + 5 && memcmp(mt, app, sizeof(app) - 1) == 0 &&
           memcmp(mt + len - 5, "+json", 5) == 0;
}

/* ---- extension table ----------------------------------------------------- */

typedef struct ext_type {
    const char *ext;
    const char *type;
} ext_type;

/* Sorted by extension (bsearch). */
static const ext_type ext_types[] = {
    {"3gp", "audio/3gpp"},
    {"7z", "application/x-7z-compressed"},
    {"aac", "audio/aac"},
    {"apk", "application/vnd.android.package-archive"},
    {"apng", "image/apng"},
    {"atom", "application/atom+xml; charset=utf-8"},
    {"avi", "video/x-msvideo"},
    {"avif", "image/avif"},
    {"bin", "application/octet-stream"},
    {"bmp", "image/bmp"},
    {"c", "text/x-csrc; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"deb", "application/vnd.debian.binary-package"},
    {"dmg", "application/x-apple-diskimage"},
    {"doc", "application/msword"},
    {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"dtd", "application/xml-dtd; charset=utf-8"},
    {"eot", "application/vnd.ms-fontobject"},
    {"eps", "application/postscript"},
    {"epub", "application/epub+zip"},
    {"exe", "application/x-msdos-program"},
    {"flac", "audio/flac"},
    {"gif", "image/gif"},
    {"gz", "application/gzip"},
    {"h", "text/x-chdr; charset=utf-8"},
    {"heic", "image/heic"},
    {"heif", "image/heif"},
    {"htm", "text/html; charset=utf-8"},
    {"html", "text/html; charset=utf-8"},
    {"ico", "image/vnd.microsoft.icon"},
    {"ics", "text/calendar; charset=utf-8"},
    {"iso", "application/x-iso9660-image"},
    {"jar", "application/java-archive"},
    {"jfif", "image/jpeg"},
    {"jpe", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"jpg", "image/jpeg"},
    {"js", "text/javascript; charset=utf-8"},
    {"json", "application/json"},
    {"jsonld", "application/ld+json"},
    {"latex", "application/x-latex"},
    {"m4a", "audio/mp4"},
    {"m4v", "video/mp4"},
    {"manifest", "text/cache-manifest; charset=utf-8"},
    {"map", "application/json"}, /* phial: Python has none */
    {"markdown", "text/markdown; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"mid", "audio/sp-midi"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"mov", "video/quicktime"},
    {"mp3", "audio/mpeg"},
    {"mp4", "video/mp4"},
    {"mpeg", "video/mpeg"},
    {"mpg", "video/mpeg"},
    {"oga", "audio/ogg"},
    {"ogg", "audio/ogg"},
    {"ogv", "video/ogg"},
    {"opus", "audio/ogg"},
    {"otf", "font/otf"},
    {"pdf", "application/pdf"},
    {"png", "image/png"},
    {"ppt", "application/vnd.ms-powerpoint"},
    {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
    {"ps", "application/postscript"},
    {"py", "text/x-python; charset=utf-8"},
    {"rar", "application/vnd.rar"},
    {"rpm", "application/x-redhat-package-manager"},
    {"rss", "application/x-rss+xml; charset=utf-8"},
    {"rtf", "application/rtf"},
    {"sh", "text/x-sh; charset=utf-8"},
    {"srt", "text/plain; charset=utf-8"},
    {"svg", "image/svg+xml; charset=utf-8"},
    {"swf", "application/vnd.adobe.flash.movie"},
    {"tar", "application/x-tar"},
    {"tex", "text/x-tex; charset=utf-8"},
    {"tif", "image/tiff"},
    {"tiff", "image/tiff"},
    {"toml", "application/toml"}, /* phial: Python has none */
    {"tsv", "text/tab-separated-values; charset=utf-8"},
    {"ttf", "font/ttf"},
    {"txt", "text/plain; charset=utf-8"},
    {"vtt", "text/vtt; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"wav", "audio/x-wav"},
    {"webm", "video/webm"},
    {"webmanifest", "application/manifest+json"},
    {"webp", "image/webp"},
    {"wml", "text/vnd.wap.wml; charset=utf-8"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"xhtml", "application/xhtml+xml; charset=utf-8"},
    {"xls", "application/vnd.ms-excel"},
    {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"xml", "application/xml; charset=utf-8"},
    {"xsl", "application/xslt+xml; charset=utf-8"},
    {"xz", "application/x-xz"},
    {"yaml", "application/yaml"}, /* phial: Python has none */
    {"yml", "application/yaml"},  /* phial: Python has none */
    {"zip", "application/zip"},
    {"zst", "application/zstd"},
};

static int ext_cmp(const void *key, const void *elem) {
    return strcmp((const char *)key, ((const ext_type *)elem)->ext);
}

const char *ph__mime_by_ext(const char *ext, size_t len) {
    char key[16];
    if (len == 0 || len >= sizeof(key))
        return NULL;
    lower_copy(key, ext, len);
    if (memchr(key, '\0', len))
        return NULL;
    const ext_type *e = bsearch(key, ext_types, sizeof(ext_types) / sizeof(ext_types[0]),
                                sizeof(ext_types[0]), ext_cmp);
    return e ? e->type : NULL;
}

/* The extension of the last path segment, as Python's os.path.splitext. */
static int split_ext(const char *name, size_t len, size_t *dot) {
    size_t base = len;
    while (base > 0 && name[base - 1] != '/')
        base--;
    while (base < len && name[base] == '.')
        base++;
    for (size_t i = len; i > base; i--) {
        if (name[i - 1] == '.') {
            *dot = i - 1;
            return 1;
        }
    }
    return 0;
}

const char *ph__mime_guess(const char *name, size_t len, const char **encoding) {
    static const struct {
        const char *ext, *enc;
        int ci; /* Python's suffix_map is case-insensitive, encodings_map is not */
        int tar;
    } enc_map[] = {
        {"tgz", "gzip", 1, 1},   {"taz", "gzip", 1, 1},  {"tz", "gzip", 1, 1},
        {"tbz2", "bzip2", 1, 1}, {"txz", "xz", 1, 1},    {"gz", "gzip", 0, 0},
        {"Z", "compress", 0, 0}, {"bz2", "bzip2", 0, 0}, {"xz", "xz", 0, 0},
        {"br", "br", 0, 0},
    };
    const char *unknown = "application/octet-stream";
    if (encoding)
        *encoding = NULL;
    size_t dot;
    if (!split_ext(name, len, &dot))
        return unknown;
    const char *ext = name + dot + 1;
    size_t elen = len - dot - 1;
    for (size_t k = 0; k < sizeof(enc_map) / sizeof(enc_map[0]); k++) {
        size_t kl = strlen(enc_map[k].ext);
        int hit = enc_map[k].ci ? ascii_ieq(ext, elen, enc_map[k].ext)
                                : (kl == elen && memcmp(ext, enc_map[k].ext, kl) == 0);
        if (!hit)
            continue;
        if (encoding)
            *encoding = enc_map[k].enc;
        if (enc_map[k].tar)
            return ph__mime_by_ext("tar", 3);
        len = dot;
        if (!split_ext(name, len, &dot))
            return unknown;
        ext = name + dot + 1;
        elen = len - dot - 1;
        break;
    }
    const char *t = ph__mime_by_ext(ext, elen);
    return t ? t : unknown;
}
