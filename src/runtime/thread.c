/*
 * ph_to_thread: a blocking function on libuv's thread pool, awaited from a
 * task. The job record lives on the task's stack; that is safe because an
 * interruption never abandons a job: uv_cancel() removes a job that has not
 * started (libuv then reports UV_ECANCELED to the after-callback), and one
 * already running is waited for, so `arg` and the record stay valid.
 */
#include "runtime/loop.h"

typedef struct job {
    uv_work_t req;
    ph__wait w;
    void *(*fn)(void *);
    void *arg;
    void *result;
} job;

static void work_cb(uv_work_t *req) {
    job *j = ph__container_of(req, job, req);
    j->result = j->fn(j->arg);
}

static void after_cb(uv_work_t *req, int status) {
    job *j = ph__container_of(req, job, req);
    ph__wake(&j->w, status == UV_ECANCELED ? PH_ECANCELED : 0);
    ph__sched_drain(ph__loop_get());
}

static int job_cancel(ph__wait *w) {
    job *j = ph__container_of(w, job, w);
    uv_cancel((uv_req_t *)&j->req);
    return 1; /* the after-callback still runs and wakes us */
}

int ph_to_thread(void *(*fn)(void *arg), void *arg, void **result) {
    ph__loop *l = ph__loop_get();
    if (!l || !l->current)
        return PH_ENOTASK;
    if (!fn)
        return PH_EINVAL;
    int rc = ph__interrupted();
    if (rc < 0)
        return rc;
    job j = {.fn = fn, .arg = arg, .w = {.cancel = job_cancel}};
    rc = uv_queue_work(&l->uv, &j.req, work_cb, after_cb);
    if (rc < 0)
        return ph__err_from_uv(rc);
    /* job_cancel defers, so even an interrupted wait ends with the
     * after-callback: the record on this stack is never left behind. */
    rc = ph__suspend(&j.w, -1, 0, 0);
    if (rc == 0 && result)
        *result = j.result;
    return rc;
}
