/*
 * The request body and what is parsed from it: the raw bytes
 * (request.get_data, or request.stream piece by piece), JSON (request.get_json, as Flask 2.2 decides what is
 * JSON and how it fails), and form fields and files (request.form,
 * request.files) from urlencoded or multipart bodies.
 *
 * Bodies arrive through the app protocol's receive, which suspends the
 * request's task until bytes come. A multipart body is parsed as it
 * streams in, so an uploaded file never needs to be in memory whole: past
 * SPOOL_AT bytes it goes to a temporary file, written through the thread
 * pool so the loop never waits on the disk. A JSON body of JSON_ON_THREAD
 * bytes or more is parsed on the thread pool too.
 */
#include "app/core.h"

#include "util/alloc.h"
#include "util/json_depth.h"
#include "util/json_load.h"
#include "util/mime.h"
#include "util/multipart.h"
#include "util/query.h"
#include "util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPOOL_AT (500 * 1024)
/* Deepest JSON request body accepted: the depth jsonify can write back
 * (PH_TAGGED_JSON_MAX_DEPTH), well within a task's stack. */
#define PH_JSON_MAX_DEPTH 128

/* MAX_CONTENT_LENGTH, or 0 for none. */
static uint64_t max_content(const ph_request *req) {
    int64_t m = ph_config_int(req->app, "MAX_CONTENT_LENGTH", 0);
    return m > 0 ? (uint64_t)m : 0;
}

/* Refuse early when the declared length is already too much. */
static int check_declared(ph_request *req) {
    uint64_t max = max_content(req);
    int64_t declared = max ? ph_request_content_length(req) : -1;
    return declared >= 0 && (uint64_t)declared > max ? PH_ETOOBIG : 0;
}

static void fail_body(ph_request *req, int rc) {
    if (req->error)
        return;
    if (rc == PH_ETOOBIG)
        ph_abort(req, 413);
    else if (rc == PH_EPARSE)
        ph_abort(req, 400);
    else if (rc == PH_ETIMEDOUT)
        ph_abort(req, 408); /* the client stopped sending the body it announced */
    else if (rc == PH_ENOMEM)
        ph_abort(req, 500); /* the server's fault, not the client's */
}

/* The next piece of the body from the app protocol: 1 with it in *data
 * and *len (borrowed until the next receive), 0 at the end, or the error,
 * which sticks. Every reader of the body goes through here, so one that
 * starts after another (request.stream, then get_data) sees the rest. */
static int next_piece(ph_request *req, const char **data, size_t *len) {
    if (req->piece_state)
        return req->piece_state < 0 ? req->piece_state : 0;
    int rc = req->received ? 0 : check_declared(req);
    while (rc == 0) {
        ph_message m;
        rc = ph_receive(req->ch, &m);
        if (rc < 0)
            break;
        if (m.type != PH_MSG_HTTP_REQUEST) {
            rc = PH_ECLOSED;
            break;
        }
        uint64_t max = max_content(req);
        req->received += m.body.len;
        if (max && req->received > max) {
            rc = PH_ETOOBIG;
            break;
        }
        if (!m.more_body)
            req->piece_state = 1;
        if (m.body.len) {
            *data = m.body.ptr;
            *len = m.body.len;
            return 1;
        }
        if (!m.more_body)
            return 0;
    }
    req->piece_state = rc;
    return rc;
}

/* Call `chunk(data, len, arg)` for each piece of the body as it arrives. */
static int stream_body(ph_request *req, int (*chunk)(const char *, size_t, void *), void *arg) {
    const char *data;
    size_t len;
    int rc;
    while ((rc = next_piece(req, &data, &len)) > 0)
        if ((rc = chunk(data, len, arg)) < 0)
            return rc;
    return rc;
}

int ph_request_stream_read(ph_request *req, const char **data, size_t *len) {
    if (!req || !data || !len)
        return PH_EINVAL;
    if (req->body_state < 0)
        return req->body_state;
    if (req->body_state == 1) {
        /* Read whole already: it is the stream's one piece. */
        if (req->body_streamed || !req->body_len)
            return 0;
        req->body_streamed = 1;
        *data = req->body;
        *len = req->body_len;
        return 1;
    }
    int rc = next_piece(req, data, len);
    if (rc < 0)
        fail_body(req, rc);
    return rc;
}

static int append_chunk(const char *data, size_t len, void *arg) {
    return ph__buf_append(arg, data, len);
}

/* Read the whole body into the arena, once. With `cap` (0: none), a body
 * over it fails with PH_ETOOBIG as soon as it passes it, before the rest is
 * read: a form is refused at its limit, not after buffering all it sent. */
static int load_body(ph_request *req, size_t cap) {
    if (req->body_state == 0) {
        ph_buf b;
        ph__buf_init(&b, cap);
        int rc = stream_body(req, append_chunk, &b);
        if (rc == 0 && !b.data) {
            req->body = "";
            req->body_len = 0;
            rc = 1;
        } else if (rc == 0) {
            /* the buffer joins the arena as it is: a large body is not
             * copied (and its pages faulted in) a second time */
            rc = ph__arena_adopt(req->arena, b.data); /* frees it on failure */
            if (rc == 0) {
                req->body = b.data;
                req->body_len = b.len;
                rc = 1;
            }
            b.data = NULL;
        }
        ph__buf_close(&b);
        req->body_state = rc;
        fail_body(req, rc);
    }
    return req->body_state < 0 ? req->body_state : 0;
}

int ph_request_body(ph_request *req, const char **data, size_t *len) {
    if (!req)
        return PH_EINVAL;
    int rc = load_body(req, 0);
    if (rc < 0)
        return rc;
    if (data)
        *data = req->body;
    if (len)
        *len = req->body_len;
    return 0;
}

/* ---- JSON ----------------------------------------------------------------- */

static int content_type(ph_request *req, ph_content_type *ct) {
    ph_slice v = ph_scope_header(req->scope, "content-type");
    if (!v.ptr)
        return PH_ENOENT;
    return ph__content_type_parse(ct, req->arena, v.ptr, v.len);
}

/* JSON_ON_THREAD (core.h) is where a body's parse moves to the thread pool. */

typedef struct json_job {
    const char *data;
    size_t len;
    int depth_ok;
    int err;
    json_t *value;
    json_error_t e;
} json_job;

/* The depth check, then the parse; runs on either side (see JSON_ON_THREAD). */
static void *parse_json(void *arg) {
    json_job *j = arg;
    j->depth_ok = ph__json_depth_ok(j->data, j->len, PH_JSON_MAX_DEPTH);
    if (j->depth_ok)
        j->value =
            ph__json_load(j->data, j->len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &j->e, &j->err);
    return NULL;
}

static json_t *load_json(ph_request *req, int silent) {
    if (req->json_state == 0) {
        if (!ph_request_is_json(req)) {
            req->json_state = -1;
        } else {
            const char *data = NULL;
            size_t len = 0;
            int rc = ph_request_body(req, &data, &len);
            json_job j = {.data = data, .len = len};
            if (rc == 0 && len < JSON_ON_THREAD)
                parse_json(&j);
            else if (rc == 0 && (rc = ph_to_thread(parse_json, &j, NULL)) < 0) {
                /* the job ran to its end or never started: nothing else holds the value */
                json_decref(j.value);
                if (rc != PH_ECANCELED && !req->error)
                    ph_abort(req, 500);
            }
            if (rc < 0) {
                req->json_state = -3;
            } else if (!j.depth_ok) {
                /* Refused before parsing: the parser would recurse that deep. */
                req->json_state = -2;
                if (!silent && !req->error)
                    ph_abort_msg(req, 400, "The JSON document nests deeper than %d levels.",
                                 PH_JSON_MAX_DEPTH);
                return NULL;
            } else {
                req->json = j.value;
                req->json_state = req->json ? 1 : -2;
                if (j.err == PH_ENOMEM) {
                    /* the server's fault, not the client's: a 500 even when silent */
                    req->json_state = -3;
                    if (!req->error)
                        ph_abort(req, 500);
                    return NULL;
                }
                if (!req->json && !silent && !req->error) {
                    if (ph_config_bool(req->app, "DEBUG", false))
                        ph_abort_msg(req, 400, "Failed to decode JSON object: %s (line %d, column %d)",
                                     j.e.text, j.e.line, j.e.column);
                    else
                        ph_abort(req, 400);
                }
                return req->json;
            }
        }
    }
    if (req->json_state == -1 && !silent && !req->error) {
        if (ph_config_bool(req->app, "DEBUG", false))
            ph_abort_msg(req, 400, "Did not attempt to load JSON data because the request "
                                   "Content-Type was not 'application/json'.");
        else
            ph_abort(req, 400);
    } else if (req->json_state == -2 && !silent && !req->error) {
        ph_abort(req, 400);
    }
    return req->json_state == 1 ? req->json : NULL;
}

json_t *ph_request_json(ph_request *req) { return req ? load_json(req, 0) : NULL; }

json_t *ph_request_json_silent(ph_request *req) { return req ? load_json(req, 1) : NULL; }

/* ---- forms and files ------------------------------------------------------ */

typedef struct form_parse {
    ph_request *req;
    ph_multipart mp;
    /* the part being read */
    char *name;
    char *filename;
    char *ctype;
    ph_buf data;
    int fd;
    char *path;
    uint64_t size;
    uint64_t text; /* bytes of the fields that are not files, all parts */
    int err;
    /* files so far */
    ph_file *files;
    size_t nfiles, cap;
} form_parse;

typedef struct spool_job {
    int fd;
    const char *data;
    size_t len;
    int err;
} spool_job;

static void *spool_write(void *arg) {
    spool_job *j = arg;
    size_t off = 0;
    while (off < j->len) {
        ssize_t n = write(j->fd, j->data + off, j->len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            j->err = PH_EIO;
            break;
        }
        off += (size_t)n;
    }
    return NULL;
}

/* Move what is buffered for the current file to its temporary file. */
static int spool(form_parse *f) {
    if (f->fd < 0) {
        const char *dir = getenv("TMPDIR");
        char *tmpl = ph__arena_printf(f->req->arena, "%s/phial-upload-XXXXXX", dir ? dir : "/tmp");
        if (!tmpl)
            return PH_ENOMEM;
        f->fd = mkstemp(tmpl);
        if (f->fd < 0)
            return PH_EIO;
        f->path = tmpl;
    }
    spool_job j = {.fd = f->fd, .data = f->data.data, .len = f->data.len};
    int rc = ph_to_thread(spool_write, &j, NULL);
    if (rc == 0)
        rc = j.err;
    f->data.len = 0;
    return rc;
}

static int on_part_begin(void *arg, const ph_multipart_part *p) {
    form_parse *f = arg;
    ph_arena *a = f->req->arena;
    f->name = ph__arena_strndup(a, p->name.ptr ? p->name.ptr : "", p->name.len);
    f->filename = p->filename.ptr ? ph__arena_strndup(a, p->filename.ptr, p->filename.len) : NULL;
    f->ctype = ph__arena_strndup(a, p->content_type.ptr ? p->content_type.ptr : "",
                                 p->content_type.len);
    f->data.len = 0;
    f->fd = -1;
    f->path = NULL;
    f->size = 0;
    return f->name && f->ctype ? 0 : PH_ENOMEM;
}

static int on_part_data(void *arg, const char *chunk, size_t len) {
    form_parse *f = arg;
    f->size += len;
    /* Fields other than files live in memory: all of them together get the
     * same limit as an urlencoded form (Werkzeug's max_form_memory_size). */
    if (!f->filename && (f->text += len) > PH_QUERY_DEFAULT_MAX_SIZE)
        return PH_ETOOBIG;
    int rc = ph__buf_append(&f->data, chunk, len);
    if (rc == 0 && f->filename && f->data.len >= SPOOL_AT)
        rc = spool(f);
    return rc;
}

static int on_part_end(void *arg) {
    form_parse *f = arg;
    ph_request *req = f->req;
    if (!f->filename)
        return ph__multidict_add(&req->form, f->name, strlen(f->name),
                                 f->data.data ? f->data.data : "", f->data.len);
    ph_file file = {.name = f->name, .filename = f->filename, .content_type = f->ctype,
                    .size = f->size};
    int rc = 0;
    if (f->fd >= 0) {
        if (f->data.len)
            rc = spool(f);
        close(f->fd);
        f->fd = -1;
        file.path = f->path;
    } else {
        file.data = ph__arena_strndup(req->arena, f->data.data ? f->data.data : "", f->data.len);
        if (!file.data)
            rc = PH_ENOMEM;
    }
    ph_file *nf = ph__arena_grow(req->arena, f->files, &f->cap, f->nfiles, sizeof(*nf), 4);
    if (!nf)
        return PH_ENOMEM;
    f->files = nf;
    f->files[f->nfiles++] = file;
    /* Published as it goes, so cleanup removes spooled files even on error. */
    req->files = f->files;
    req->nfiles = f->nfiles;
    return rc;
}

static const ph_multipart_callbacks mp_callbacks = {on_part_begin, on_part_data, on_part_end};

static int feed_multipart(const char *data, size_t len, void *arg) {
    form_parse *f = arg;
    ptrdiff_t n = ph__multipart_feed(&f->mp, data, len);
    return n < 0 ? (int)n : 0;
}

static int parse_multipart(ph_request *req, const ph_content_type *ct) {
    form_parse f = {.req = req, .fd = -1};
    ph__buf_init(&f.data, 0);
    int rc = ph__multipart_init(&f.mp, ct->boundary.ptr, ct->boundary.len, &mp_callbacks, &f,
                                NULL);
    if (rc == 0) {
        if (req->body_state == 1) {
            rc = feed_multipart(req->body, req->body_len, &f);
        } else {
            rc = stream_body(req, feed_multipart, &f);
            /* Fixed: the body is consumed now. Reading it again used to wait
             * for more body from the server, which never comes (the server
             * answers only once the client leaves); as Werkzeug's get_data()
             * after form parsing, it is now empty. */
            req->body = "";
            req->body_len = 0;
            req->body_state = rc < 0 ? rc : 1;
        }
        if (rc == 0)
            rc = ph__multipart_finish(&f.mp);
        ph__multipart_close(&f.mp);
    }
    if (f.fd >= 0) {
        close(f.fd);
        if (f.path)
            remove(f.path);
    }
    ph__buf_close(&f.data);
    return rc;
}

/* Field names and values, file fields and filenames as text: Werkzeug
 * decodes them as UTF-8 with errors="replace". */
static int form_to_text(ph_request *req) {
    if (ph__multidict_to_text(&req->form, 0) < 0)
        return PH_ENOMEM;
    for (size_t i = 0; i < req->nfiles; i++) {
        ph_file *f = &req->files[i];
        size_t n;
        if (!(f->name = ph__utf8_text(req->arena, f->name, strlen(f->name), &n)) ||
            !(f->filename = ph__utf8_text(req->arena, f->filename, strlen(f->filename), &n)))
            return PH_ENOMEM;
    }
    return 0;
}

static void parse_form(ph_request *req) {
    if (req->form_state != 0)
        return;
    req->form_state = 1;
    ph_content_type ct;
    if (content_type(req, &ct) < 0)
        return;
    int rc = 0;
    if (ct.mimetype.len == 33 && memcmp(ct.mimetype.ptr, "application/x-www-form-urlencoded",
                                        33) == 0) {
        rc = load_body(req, PH_QUERY_DEFAULT_MAX_SIZE);
        if (rc == 0) {
            ptrdiff_t n = ph__query_parse(&req->form, req->body, req->body_len, NULL);
            rc = n < 0 ? (int)n : 0;
        }
    } else if (ct.mimetype.len == 19 && memcmp(ct.mimetype.ptr, "multipart/form-data", 19) == 0) {
        rc = ct.boundary.ptr ? parse_multipart(req, &ct) : PH_EPARSE;
    }
    if (rc == 0)
        rc = form_to_text(req);
    if (rc < 0) {
        req->form_state = rc;
        /* Fixed: running out of memory while parsing was a 400, and a
         * client that stalled mid-body too (408). */
        fail_body(req, rc == PH_ETOOBIG || rc == PH_ENOMEM || rc == PH_ETIMEDOUT ? rc : PH_EPARSE);
    }
}

const char *ph_request_form(ph_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    parse_form(req);
    const ph_slice *v = ph__multidict_get(&req->form, name, strlen(name));
    return v ? v->ptr : NULL;
}

size_t ph_request_form_all(ph_request *req, const char *name, const char **out, size_t max) {
    if (!req || !name)
        return 0;
    if (!out)
        max = 0;
    parse_form(req);
    size_t n = strlen(name), count = 0;
    for (size_t i = 0; i < req->form.len; i++) {
        const ph_multidict_item *it = &req->form.items[i];
        if (it->name.len == n && memcmp(it->name.ptr, name, n) == 0) {
            if (count < max)
                out[count] = it->value.ptr;
            count++;
        }
    }
    return count;
}

bool ph_request_form_at(ph_request *req, size_t i, const char **name, const char **value) {
    if (!req)
        return false;
    parse_form(req);
    if (i >= req->form.len)
        return false;
    if (name)
        *name = req->form.items[i].name.ptr;
    if (value)
        *value = req->form.items[i].value.ptr;
    return true;
}

const ph_file *ph_request_file(ph_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    parse_form(req);
    for (size_t i = 0; i < req->nfiles; i++)
        if (strcmp(req->files[i].name, name) == 0)
            return &req->files[i];
    return NULL;
}

const ph_file *ph_request_file_at(ph_request *req, size_t i) {
    if (!req)
        return NULL;
    parse_form(req);
    return i < req->nfiles ? &req->files[i] : NULL;
}

const char *ph_request_value(ph_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    const char *v = ph_request_arg(req, name);
    if (v || !strcmp(ph_request_method(req), "GET"))
        return v;
    return ph_request_form(req, name);
}
