/*
 * File responses: ph_send_file(), ph_send_from_directory() and the app's
 * static route, as Flask 2.2 / Werkzeug 2.2 build them (send_file,
 * send_from_directory, send_static_file). The pure parts live apart:
 * safe_join.c guards the path, conditional.c decides 200/206/304/412/416,
 * send_headers.c writes Content-Disposition and the ETag's float.
 *
 * No call here blocks the loop: the file is stat'ed with ph_fs_stat(), and
 * the body is a streaming response whose producer opens the file and reads
 * it in 64 KiB pieces on the thread pool (ph_to_thread), writing each piece
 * before reading the next, so memory per response is one piece whatever the
 * file's size. The producer checks that the file it opened is the one that
 * was stat'ed (device, inode, size, mtime): the headers promised that one.
 * sendfile(2) is out of reach: bodies cross the app protocol as bytes.
 *
 * It does not cache anything, compress, or serve directory listings; a
 * directory is a 404 from ph_send_from_directory and a 500 from ph_send_file,
 * as in Flask. References: Werkzeug utils.py send_file/send_from_directory,
 * Flask helpers.py and app.py (static route), RFC 9110 sections 8.8, 13, 14.
 */
#include "app/core.h"

#include "app/send_file.h"
#include "phial/static.h"
#include "util/alloc.h"
#include "util/httpdate.h"
#include "util/log.h"
#include "util/mime.h"
#include "util/url.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (64 * 1024)

/* ---- reading on the thread pool -------------------------------------------------- */

typedef struct io_job {
    const char *path;
    int fd;         /* open_job: the descriptor, -1 until opened */
    int err;        /* errno of the failing call, 0 on success */
    struct stat st; /* open_job: fstat of the descriptor */
    char *buf;      /* read_job: destination */
    size_t len;     /* read_job: bytes wanted */
    uint64_t off;   /* read_job: file offset */
    size_t got;     /* read_job: bytes read (short only at end of file) */
} io_job;

/* Open without following a FIFO into a blocking open(2), then fstat. */
static void *open_job(void *arg) {
    io_job *j = arg;
    j->fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (j->fd < 0)
        j->err = errno;
    else if (fstat(j->fd, &j->st) < 0)
        j->err = errno;
    return NULL;
}

static void *read_job(void *arg) {
    io_job *j = arg;
    j->got = 0;
    while (j->got < j->len) {
        ssize_t n = pread(j->fd, j->buf + j->got, j->len - j->got, (off_t)(j->off + j->got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            j->err = errno;
        if (n <= 0)
            break;
        j->got += (size_t)n;
    }
    return NULL;
}

/* Resolve both paths; err 0 when the file lies under the directory. */
typedef struct confine_job {
    const char *dir, *path;
    int inside;
} confine_job;

static void *confine(void *arg) {
    confine_job *j = arg;
    char *d = realpath(j->dir, NULL), *p = realpath(j->path, NULL);
    if (d && p) {
        size_t n = strlen(d);
        j->inside = strncmp(p, d, n) == 0 && (p[n] == '/' || (n == 1 && d[0] == '/'));
    }
    free(d);
    free(p);
    return NULL;
}

static double stat_mtime(const struct stat *st) {
    return (double)st->st_mtim.tv_sec + (double)st->st_mtim.tv_nsec / 1e9;
}

/* ---- the streaming body --------------------------------------------------------------- */

typedef struct file_body {
    ph_request *req;
    const char *path;
    ph_stat st;     /* what the headers were made from */
    uint64_t start; /* first byte to send */
    uint64_t len;   /* bytes to send */
} file_body;

static int errno_to_ph(int e) {
    return e == ENOENT || e == ENOTDIR ? PH_ENOENT : e == EACCES || e == EPERM ? PH_EACCES : PH_EIO;
}

static int send_range(ph_stream *s, file_body *fb, int fd) {
    char *buf = ph__malloc(fb->len < CHUNK ? (size_t)fb->len : CHUNK);
    if (!buf)
        return PH_ENOMEM;
    int rc = 0;
    for (uint64_t done = 0; rc == 0 && done < fb->len;) {
        io_job j = {.fd = fd, .buf = buf, .off = fb->start + done};
        j.len = fb->len - done < CHUNK ? (size_t)(fb->len - done) : CHUNK;
        rc = ph_to_thread(read_job, &j, NULL);
        if (rc == 0 && (j.err || j.got == 0)) {
            PH_LOG_ERR("%s: reading %s failed after %llu bytes: %s", fb->req->app->name, fb->path,
                       (unsigned long long)done, j.err ? strerror(j.err) : "the file shrank");
            rc = j.err ? errno_to_ph(j.err) : PH_EIO;
        }
        if (rc == 0)
            rc = ph_stream_write(s, buf, j.got);
        done += j.got;
    }
    ph__free(buf);
    return rc;
}

static int stream_file(ph_stream *s, void *arg) {
    file_body *fb = arg;
    if (fb->len == 0 || fb->req->scope->method_bit == PH_HEAD)
        return 0; /* the server sends no body for HEAD: do not read one */
    io_job j = {.path = fb->path, .fd = -1};
    int rc = ph_to_thread(open_job, &j, NULL);
    if (rc == 0 && j.err)
        rc = errno_to_ph(j.err);
    if (rc == 0 && (!S_ISREG(j.st.st_mode) || (uint64_t)j.st.st_ino != fb->st.ino ||
                    (uint64_t)j.st.st_dev != fb->st.dev || (uint64_t)j.st.st_size != fb->st.size ||
                    stat_mtime(&j.st) != fb->st.mtime)) {
        PH_LOG_ERR("%s: %s changed between stat and open; the response is cut short",
                   fb->req->app->name, fb->path);
        rc = PH_EIO;
    }
    if (rc == 0)
        rc = send_range(s, fb, j.fd);
    /* close(2) of a regular file does not block (the runtime closes so too). */
    if (j.fd >= 0)
        close(j.fd);
    return rc;
}

/* ---- headers ---------------------------------------------------------------------------- */

/* Every field named `name` joined with ",", as a WSGI environ holds them. */
static const char *joined_header(ph_request *req, const char *name) {
    const char *vals[16];
    size_t n = ph_request_header_all(req, name, vals, 16);
    if (n <= 1)
        return n ? vals[0] : NULL;
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n && i < 16; i++)
        if ((rc = i ? ph__buf_append_char(&b, ',') : 0) == 0)
            rc = ph__buf_append_str(&b, vals[i]);
    char *out = rc ? NULL : ph__arena_strndup(req->arena, b.data, b.len);
    ph__buf_close(&b);
    return out ? out : vals[0];
}

/* The path Werkzeug hashes for the ETag: absolute, not normalised. */
static const char *etag_path(ph_request *req, const char *path) {
    if (path[0] == '/')
        return path;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd)))
        return path;
    return ph_request_printf(req, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
}

static int set_date(ph_response *r, const char *name, int64_t t) {
    char d[PH__HTTPDATE_LEN + 1];
    if (ph__httpdate_format(t, d, sizeof(d)) < 0)
        return 0; /* a date outside 0001-9999 is left out rather than failing */
    return ph_response_set_header(r, name, d);
}

typedef struct file_meta {
    const char *content_type;
    const char *encoding; /* Content-Encoding, or NULL */
    const char *disposition;
    const char *etag; /* quoted, or NULL */
    int64_t last_modified;
    bool has_max_age;
    int64_t max_age;
} file_meta;

/* Cache-Control, Expires, ETag and Content-Disposition: what a 304 keeps. */
static int common_headers(ph_response *r, const file_meta *m) {
    int rc = ph_response_set_header(r, "Content-Disposition", m->disposition);
    if (rc == 0 && !m->has_max_age)
        rc = ph_response_set_header(r, "Cache-Control", "no-cache");
    if (rc == 0 && m->has_max_age) {
        char cc[64];
        snprintf(cc, sizeof(cc), "%s, max-age=%lld", m->max_age > 0 ? "public" : "no-cache",
                 (long long)m->max_age);
        rc = ph_response_set_header(r, "Cache-Control", cc);
        if (rc == 0)
            rc = set_date(r, "Expires", (int64_t)time(NULL) + m->max_age);
    }
    if (rc == 0 && m->etag)
        rc = ph_response_set_header(r, "ETag", m->etag);
    return rc;
}

static int resolve_max_age(ph_request *req, const ph_send_opts *o, int64_t *out) {
    if (o->has_max_age) {
        *out = o->max_age;
        return 1;
    }
    json_t *v = json_object_get(ph_app_config(req->app), "SEND_FILE_MAX_AGE_DEFAULT");
    if (json_is_integer(v))
        *out = json_integer_value(v);
    else if (json_is_real(v) && isfinite(json_real_value(v)))
        *out = (int64_t)json_real_value(v);
    else
        return 0;
    return 1;
}

static int make_meta(ph_request *req, const char *path, const ph_stat *st, const ph_send_opts *o,
                     file_meta *m) {
    const char *name = o->download_name;
    if (!name) {
        const char *slash = strrchr(path, '/');
        name = slash ? slash + 1 : path;
    }
    if (o->mimetype) {
        m->content_type = ph__content_type_for(req->arena, o->mimetype);
    } else {
        const char *enc = NULL;
        m->content_type = ph__mime_guess(name, strlen(name), &enc);
        /* Werkzeug leaves the encoding out of attachments (saved .tar.gz files). */
        m->encoding = o->as_attachment ? NULL : enc;
    }
    m->disposition = ph__content_disposition(req->arena, o->as_attachment, name);
    if (o->etag) {
        if (strchr(o->etag, '"'))
            return PH_EINVAL; /* Werkzeug's quote_etag: "invalid etag" */
        m->etag = ph_request_printf(req, "\"%s\"", o->etag);
    } else if (!o->no_etag) {
        char mt[40];
        const char *abs = etag_path(req, path);
        uLong check = abs ? adler32(1L, (const Bytef *)abs, (uInt)strlen(abs)) : 0;
        if (ph__py_float_repr(st->mtime, mt, sizeof(mt)) < 0)
            return PH_EINVAL;
        m->etag = ph_request_printf(req, "\"%s-%llu-%lu\"", mt, (unsigned long long)st->size,
                                    (unsigned long)(check & 0xFFFFFFFFu));
    }
    m->last_modified = o->has_last_modified ? o->last_modified : (int64_t)floor(st->mtime);
    m->has_max_age = resolve_max_age(req, o, &m->max_age);
    if (!m->content_type || !m->disposition || (!m->etag && (o->etag || !o->no_etag)))
        return PH_ENOMEM;
    return 0;
}

/* Werkzeug's RequestedRangeNotSatisfiable: the error page, with the length. */
static ph_response *unsatisfiable(ph_request *req, uint64_t size) {
    ph_response *marker = ph_abort(req, 416);
    if (req->error && req->error->status == 416 && !req->error->response) {
        ph_response *page = ph__default_error_page(req, 416, NULL);
        char cr[48];
        snprintf(cr, sizeof(cr), "bytes */%llu", (unsigned long long)size);
        if (page && ph_response_set_header(page, "Content-Range", cr) == 0)
            req->error->response = page;
    }
    return marker;
}

static ph_response *not_modified(ph_request *req, const file_meta *m) {
    ph_response *r = ph_response_new(req, 304, NULL, 0, NULL);
    if (!r)
        return NULL;
    /* Werkzeug drops the entity headers from a 304 (Expires stays). */
    ph_response_remove_header(r, "Content-Type");
    return common_headers(r, m) == 0 ? r : NULL;
}

static ph_response *fail(ph_request *req, int code, const char *what, const char *path) {
    char msg[256];
    snprintf(msg, sizeof(msg), "send_file: %s %s: %s", what, path, ph_strerror(code));
    ph__error_set(req, 500, &PH_INTERNAL_ERROR, code, msg);
    return NULL;
}

/* Build the response for a file already stat'ed as a regular file. */
static ph_response *file_response(ph_request *req, const char *path, const ph_stat *st,
                                  const ph_send_opts *o) {
    file_meta m = {0};
    int rc = make_meta(req, path, st, o, &m);
    if (rc < 0)
        return fail(req, rc, "cannot describe", path);
    uint64_t start = 0, len = st->size;
    int status = 200;
    if (o->conditional != -1) {
        ph__cond c = {
            .get_or_head = req->scope->method_bit == PH_GET || req->scope->method_bit == PH_HEAD,
            .accept_ranges = true,
            .range = ph_request_header(req, "Range"),
            .if_range = ph_request_header(req, "If-Range"),
            .if_none_match = joined_header(req, "If-None-Match"),
            .if_match = joined_header(req, "If-Match"),
            .if_modified_since = ph_request_header(req, "If-Modified-Since"),
            .etag = m.etag,
            .has_last_modified = true,
            .last_modified = m.last_modified,
            .size = st->size,
        };
        status = ph__conditional_eval(&c, &start, &len);
    }
    if (status == 416)
        return unsatisfiable(req, st->size);
    if (status == 304)
        return not_modified(req, &m);
    file_body *fb = ph__arena_calloc(req->arena, sizeof(*fb));
    if (!fb || !(fb->path = ph__arena_strdup(req->arena, path)))
        return NULL;
    fb->req = req;
    fb->st = *st;
    fb->start = start;
    fb->len = len;
    ph_response *r = ph_response_stream(req, status, m.content_type, stream_file, fb);
    char num[24], cr[80];
    snprintf(num, sizeof(num), "%llu", (unsigned long long)len);
    rc = r ? common_headers(r, &m) : PH_ENOMEM;
    if (rc == 0 && m.encoding)
        rc = ph_response_set_header(r, "Content-Encoding", m.encoding);
    if (rc == 0)
        rc = ph_response_set_header(r, "Content-Length", num);
    if (rc == 0)
        rc = set_date(r, "Last-Modified", m.last_modified);
    if (rc == 0 && status == 206) {
        snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu", (unsigned long long)start,
                 (unsigned long long)(start + len - 1), (unsigned long long)st->size);
        rc = ph_response_set_header(r, "Accept-Ranges", "bytes");
        if (rc == 0)
            rc = ph_response_set_header(r, "Content-Range", cr);
    }
    return rc == 0 ? r : fail(req, rc, "cannot send", path);
}

ph_response *ph_send_file_(ph_request *req, const char *path, const ph_send_opts *o) {
    static const ph_send_opts defaults;
    if (!o) /* called directly, not through ph_send_file() */
        o = &defaults;
    if (!req)
        return NULL;
    if (!path || !*path)
        return fail(req, PH_EINVAL, "no path", "");
    ph_stat st;
    int rc = ph_fs_stat(path, &st);
    if (rc == 0 && !S_ISREG(st.mode))
        rc = PH_ENOTSUP;
    if (rc < 0)
        return fail(req, rc, "cannot send", path);
    return file_response(req, path, &st, o);
}

/* ---- from a directory ------------------------------------------------------------------ */

/* Whether the request's URL path hid a '/', '\' or NUL in an escape (or held a NUL). */
static bool suspicious_url(ph_request *req) {
    const ph_scope *sc = req->scope;
    if (!sc)
        return false;
    if (sc->path.len && memchr(sc->path.ptr, '\0', sc->path.len))
        return true;
    unsigned info = 0;
    if (!ph__url_decode_arena(req->arena, sc->raw_path.ptr ? sc->raw_path.ptr : "",
                              sc->raw_path.len, 0, NULL, &info))
        return true; /* out of memory: refuse rather than guess */
    return (info & (PH_URL_HAS_NUL | PH_URL_HAS_SLASH | PH_URL_HAS_BACKSLASH)) != 0;
}

char *ph_safe_join(ph_request *req, const char *directory, const char *path) {
    if (!req || !path)
        return NULL;
    size_t dlen = directory ? strlen(directory) : 0, plen = strlen(path);
    size_t cap = (dlen ? dlen : 1) + plen + 3;
    char *out = ph__arena_alloc(req->arena, cap);
    if (!out || ph__safe_join(out, cap, directory, dlen, path, plen) < 0)
        return NULL;
    return out;
}

ph_response *ph_send_from_directory_(ph_request *req, const char *directory, const char *path,
                                     const ph_send_opts *o) {
    static const ph_send_opts defaults;
    if (!o) /* called directly, not through ph_send_from_directory() */
        o = &defaults;
    if (!req)
        return NULL;
    if (!path || suspicious_url(req))
        return ph_abort(req, 404);
    const char *joined = ph_safe_join(req, directory, path);
    if (!joined)
        return ph_abort(req, 404);
    if (o->confine_symlinks) {
        confine_job j = {.dir = directory && *directory ? directory : ".", .path = joined};
        if (ph_to_thread(confine, &j, NULL) < 0 || !j.inside)
            return ph_abort(req, 404);
    }
    ph_stat st;
    int rc = ph_fs_stat(joined, &st);
    if (rc == PH_ECANCELED || rc == PH_ENOMEM) {
        /* Not the file's answer: the client went away, or memory ran out. */
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, rc, "the file could not be looked at");
        return NULL;
    }
    if (rc < 0 || !S_ISREG(st.mode)) /* as Werkzeug's os.path.isfile: any failure is "no file" */
        return ph_abort(req, 404);
    return file_response(req, joined, &st, o);
}

/* ---- the static route ------------------------------------------------------------------- */

static ph_response *static_view(ph_request *req) {
    const char *folder = ph_view_arg(req, "_static_folder");
    const char *filename = ph_view_arg(req, "filename");
    if (!folder || !filename)
        return ph_abort(req, 404);
    bool confine = ph_config_bool(req->app, "STATIC_CONFINE_SYMLINKS", false);
    return ph_send_from_directory(req, folder, filename, .confine_symlinks = confine);
}

int ph_static_register(ph_app *app, const char *url_path, const char *folder) {
    return ph__static_register_as(app, url_path, folder, "static");
}

int ph__static_register_as(ph_app *app, const char *url_path, const char *folder,
                           const char *endpoint) {
    if (!app || !endpoint)
        return PH_EINVAL;
    if (!folder || !*folder)
        folder = "static";
    if (url_path && *url_path && url_path[0] != '/')
        return PH_EINVAL;
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = 0;
    if (folder[0] != '/') {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd)))
            return PH_ESYS;
        rc = ph__buf_printf(&b, "%s/%s", cwd, folder);
    } else {
        rc = ph__buf_append_str(&b, folder);
    }
    char *abs = rc ? NULL : ph__malloc(b.len + 2);
    ptrdiff_t n = abs ? ph__normpath(abs, b.len + 2, b.data, b.len) : PH_ENOMEM;
    ph__buf_close(&b);
    char *rule = NULL;
    json_t *defaults = NULL;
    if (n >= 0) {
        const char *base = strrchr(abs, '/');
        base = base ? base + 1 : abs;
        const char *up = url_path ? url_path : NULL;
        size_t ulen = up ? strlen(up) : 0;
        while (ulen && up[ulen - 1] == '/') /* Flask strips the trailing slash */
            ulen--;
        size_t cap = (up ? ulen : strlen(base) + 1) + sizeof("/<path:filename>");
        rule = ph__malloc(cap);
        if (rule && up)
            snprintf(rule, cap, "%.*s/<path:filename>", (int)ulen, up);
        else if (rule)
            snprintf(rule, cap, "/%s/<path:filename>", base);
        defaults = json_pack("{s:s}", "_static_folder", abs);
        rc = rule && defaults
                 ? ph_route(app, rule, static_view, .endpoint = endpoint, .defaults = defaults)
                 : PH_ENOMEM;
    } else {
        rc = (int)n;
    }
    json_decref(defaults);
    ph__free(rule);
    ph__free(abs);
    return rc;
}
