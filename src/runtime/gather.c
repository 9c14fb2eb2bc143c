/*
 * ph_gather: run N functions as tasks and wait for all of them. The children
 * are detached and report into a shared record; the last one to finish wakes
 * the parent. If the parent is interrupted, the children are cancelled and
 * the parent waits for them shielded, so nothing outlives the call.
 */
#include "runtime/loop.h"

#include "util/alloc.h"

typedef struct gather {
    ph__wait w;
    size_t remaining;
    int first_error;
    int waiting; /* the parent is parked on w */
} gather;

typedef struct child {
    gather *g;
    ph_task_fn fn;
    void *arg;
    int *result;
    ph_task *task;
} child;

static int child_main(void *arg) {
    child *c = arg;
    /* A child cancelled before it first ran never starts its function. */
    int rc = ph_cancelled(NULL) ? PH_ECANCELED : c->fn(c->arg);
    if (c->result)
        *c->result = rc;
    gather *g = c->g;
    if (rc < 0 && g->first_error == 0)
        g->first_error = rc;
    c->task = NULL;
    if (--g->remaining == 0 && g->waiting)
        ph__wake(&g->w, 0);
    return rc;
}

int ph_gather(size_t n, ph_task_fn const fns[], void *const args[], int results[]) {
    ph__loop *l = ph__loop_get();
    if (!l || !l->current)
        return PH_ENOTASK;
    if (n == 0)
        return 0;
    if (!fns)
        return PH_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!fns[i])
            return PH_EINVAL; /* refused before any child starts */
    child *kids = ph__calloc(n, sizeof(*kids));
    if (!kids)
        return PH_ENOMEM;
    gather g = {.remaining = n};
    for (size_t i = 0; i < n; i++) {
        kids[i] = (child){.g = &g, .fn = fns[i], .arg = args ? args[i] : NULL,
                          .result = results ? &results[i] : NULL};
        kids[i].task = ph_spawn(child_main, &kids[i], .name = "gather", .detached = 1);
        if (!kids[i].task) {
            /* Not started yet (they first run when we suspend): unwind. */
            for (size_t j = 0; j < i; j++)
                ph_cancel(kids[j].task);
            g.remaining = i;
            break;
        }
    }
    int started = g.remaining == n;
    while (g.remaining > 0) {
        g.waiting = 1;
        int rc = ph__suspend(&g.w, -1, 0, started ? 0 : PH__SHIELD);
        g.waiting = 0;
        if (rc < 0 && g.remaining > 0) {
            /* Interrupted: cancel the children and wait for them regardless. */
            for (size_t i = 0; i < n; i++)
                if (kids[i].task)
                    ph_cancel(kids[i].task);
            g.waiting = 1;
            while (g.remaining > 0)
                ph__suspend(&g.w, -1, 0, PH__SHIELD);
            g.waiting = 0;
            ph__free(kids);
            return rc;
        }
    }
    ph__free(kids);
    return started ? g.first_error : PH_ENOMEM;
}
