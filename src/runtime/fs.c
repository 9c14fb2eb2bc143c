/*
 * File reads and stat without blocking the loop: each step is a libuv fs
 * request (run on the thread pool) awaited by the task. As with
 * ph_to_thread, an interruption never abandons a request: one not yet started
 * is cancelled, one running is waited for, so the request record and the
 * destination buffer may live on the task's stack. Closing a descriptor is
 * done synchronously: close(2) on a regular file does not block, and it must
 * happen even when the task has been cancelled.
 */
#include "runtime/loop.h"

#include "util/alloc.h"

#include <fcntl.h>
#include <string.h>

typedef struct fs_op {
    uv_fs_t req;
    ph__wait w;
} fs_op;

static void fs_cb(uv_fs_t *req) {
    fs_op *op = ph__container_of(req, fs_op, req);
    ph__wake(&op->w, 0);
    ph__sched_drain(ph__loop_get());
}

static int fs_cancel(ph__wait *w) {
    uv_cancel((uv_req_t *)&ph__container_of(w, fs_op, w)->req);
    return 1;
}

/* Await a request started by the caller; returns its result or an error. */
static ssize_t fs_await(fs_op *op, int started) {
    if (started < 0) {
        uv_fs_req_cleanup(&op->req);
        return ph__err_from_uv(started);
    }
    int rc = ph__suspend(&op->w, -1, 0, 0);
    if (op->w.task == NULL) {
        /* Refused to park (already cancelled or past a deadline) while the
         * request is in flight: it must still be waited for. */
        uv_cancel((uv_req_t *)&op->req);
        ph__suspend(&op->w, -1, 0, PH__SHIELD);
    }
    ssize_t res = op->req.result;
    uv_fs_req_cleanup(&op->req);
    if (rc < 0)
        return rc;
    if (res == UV_ECANCELED)
        return PH_ECANCELED;
    return res < 0 ? ph__err_from_uv((int)res) : res;
}

static void fill_stat(ph_stat *st, const uv_stat_t *s) {
    st->size = s->st_size;
    st->mtime = (double)s->st_mtim.tv_sec + (double)s->st_mtim.tv_nsec / 1e9;
    st->ino = s->st_ino;
    st->dev = s->st_dev;
    st->mode = (unsigned)s->st_mode;
}

int ph_fs_stat(const char *path, ph_stat *st) {
    ph__loop *l = ph__loop_get();
    int rc = ph__interrupted();
    if (rc < 0)
        return rc;
    if (!path || !st)
        return PH_EINVAL;
    fs_op op = {.w = {.cancel = fs_cancel}};
    ssize_t r = fs_await(&op, uv_fs_stat(&l->uv, &op.req, path, fs_cb));
    if (r < 0)
        return (int)r;
    fill_stat(st, &op.req.statbuf);
    return 0;
}

static ssize_t open_file(ph__loop *l, const char *path) {
    fs_op op = {.w = {.cancel = fs_cancel}};
    return fs_await(&op, uv_fs_open(&l->uv, &op.req, path, O_RDONLY | O_CLOEXEC, 0, fs_cb));
}

static void close_file(ph__loop *l, uv_file fd) {
    uv_fs_t req;
    uv_fs_close(&l->uv, &req, fd, NULL);
    uv_fs_req_cleanup(&req);
}

static ssize_t read_at(ph__loop *l, uv_file fd, void *buf, size_t len, int64_t off) {
    fs_op op = {.w = {.cancel = fs_cancel}};
    uv_buf_t b = uv_buf_init(buf, (unsigned)(len > 1u << 30 ? 1u << 30 : len));
    return fs_await(&op, uv_fs_read(&l->uv, &op.req, fd, &b, 1, off, fs_cb));
}

ssize_t ph_fs_read_range(const char *path, uint64_t offset, void *buf, size_t len) {
    ph__loop *l = ph__loop_get();
    int rc = ph__interrupted();
    if (rc < 0)
        return rc;
    if (!path || (!buf && len))
        return PH_EINVAL;
    ssize_t fd = open_file(l, path);
    if (fd < 0)
        return fd;
    size_t got = 0;
    ssize_t r = 0;
    while (got < len) {
        r = read_at(l, (uv_file)fd, (char *)buf + got, len - got, (int64_t)(offset + got));
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close_file(l, (uv_file)fd);
    return r < 0 ? r : (ssize_t)got;
}

int ph_fs_read_file(const char *path, size_t max, char **data, size_t *len) {
    ph__loop *l = ph__loop_get();
    int rc = ph__interrupted();
    if (rc < 0)
        return rc;
    if (!path || !data)
        return PH_EINVAL;
    *data = NULL;
    if (len)
        *len = 0;
    ssize_t fd = open_file(l, path);
    if (fd < 0)
        return (int)fd;
    fs_op op = {.w = {.cancel = fs_cancel}};
    ssize_t r = fs_await(&op, uv_fs_fstat(&l->uv, &op.req, (uv_file)fd, fs_cb));
    if (r < 0) {
        close_file(l, (uv_file)fd);
        return (int)r;
    }
    /* The size is a hint: the file may change while we read, so read until
     * end of file, growing the buffer, and enforce `max` on what was read. */
    size_t cap = (size_t)op.req.statbuf.st_size + 1, got = 0;
    if (max && cap > max + 1)
        cap = max + 1;
    if (cap < 64)
        cap = 64;
    char *buf = ph__malloc(cap + 1);
    rc = buf ? 0 : PH_ENOMEM;
    while (rc == 0) {
        if (got == cap) {
            if (max && got > max) {
                rc = PH_ETOOBIG;
                break;
            }
            char *nb = ph__realloc(buf, cap * 2 + 1);
            if (!nb) {
                rc = PH_ENOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        r = read_at(l, (uv_file)fd, buf + got, cap - got, (int64_t)got);
        if (r < 0)
            rc = (int)r;
        else if (r == 0)
            break;
        else
            got += (size_t)r;
    }
    close_file(l, (uv_file)fd);
    if (rc == 0 && max && got > max)
        rc = PH_ETOOBIG;
    if (rc < 0) {
        ph__free(buf);
        return rc;
    }
    buf[got] = '\0';
    *data = buf;
    if (len)
        *len = got;
    return 0;
}

void ph_free(void *p) { ph__free(p); }
