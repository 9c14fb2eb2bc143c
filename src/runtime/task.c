/*
 * Task lifecycle (spawn, finish, join, detach, cancel, defer, task-local
 * slots) and the suspend/wake primitive described in task.h.
 *
 * A task's descriptor lives at the top of its own stack, just below the
 * stack descriptor, so spawning takes a pooled stack and allocates nothing
 * else. A finished joinable task keeps its stack until it is joined; a
 * detached one gives it back to the pool as soon as it finishes.
 */
#include "runtime/loop.h"

#include "runtime/asan.h"
#include "util/alloc.h"
#include "util/log.h"

#include <stdatomic.h>
#include <string.h>

typedef struct ph__drain_waiter {
    ph__wait w;
    struct ph__drain_waiter *next, **pprev;
} ph__drain_waiter;

static ph_task *current_task(void) {
    ph__loop *l = ph__loop_get();
    return l ? l->current : NULL;
}

ph_task *ph_current(void) { return current_task(); }

const char *ph_task_name(const ph_task *t) { return t ? t->name : "?"; }

int ph_cancelled(const ph_task *t) {
    if (!t)
        t = current_task();
    return t ? t->cancelled : 0;
}

/* ---- suspend / wake ----------------------------------------------------- */

static void wake_task(ph_task *t, int result) {
    t->wake_result = result;
    ph__sched_enqueue(t->loop, t);
}

void ph__wake(ph__wait *w, int result) {
    ph_task *t = w->task;
    if (!t || t->state != PH__TASK_SUSPENDED || t->wait != w) {
        PH_LOG_ERR("phial: wake of a wait no task is parked on (task '%s'); ignored",
                   t ? t->name : "?");
        return;
    }
    wake_task(t, result);
}

static void interrupt(ph_task *t, int err, int force) {
    if (t->state != PH__TASK_SUSPENDED || !t->wait || t->wait->interrupted)
        return;
    if (t->shielded && !force)
        return;
    ph__wait *w = t->wait;
    w->interrupted = 1;
    w->error = err;
    if (!w->cancel || w->cancel(w) == 0)
        wake_task(t, err);
}

void ph__task_interrupt(ph_task *t, int err) { interrupt(t, err, 0); }

int ph__interrupted(void) {
    ph_task *t = current_task();
    if (!t)
        return PH_ENOTASK;
    if (t->cancelled)
        return PH_ECANCELED;
    return t->expired_depth ? PH_ETIMEDOUT : 0;
}

static void on_suspend_timeout(ph__timer *timer) {
    ph_task *t = ph__container_of(timer, ph_task, timer);
    interrupt(t, t->timeout_result, 1);
}

int ph__suspend(ph__wait *w, int64_t timeout_ms, int timeout_result, int flags) {
    ph_task *t = current_task();
    if (!t) {
        PH_LOG_ERR("phial: a suspending call was made outside a task");
        return PH_ENOTASK;
    }
    if (!(flags & PH__SHIELD)) {
        if (t->cancelled)
            return PH_ECANCELED;
        if (t->expired_depth)
            return PH_ETIMEDOUT;
    }
    w->task = t;
    w->interrupted = 0;
    w->error = 0;
    t->wait = w;
    t->shielded = (flags & PH__SHIELD) != 0;
    t->state = PH__TASK_SUSPENDED;
    if (timeout_ms >= 0) {
        t->timeout_result = timeout_result;
        ph__timer_init(&t->timer, on_suspend_timeout);
        ph__timer_start(&t->loop->wheel, &t->timer, (uint64_t)timeout_ms);
    }
    ph__sched_switch_out(t);
    if (timeout_ms >= 0)
        ph__timer_stop(&t->loop->wheel, &t->timer);
    t->wait = NULL;
    t->shielded = 0;
    return w->interrupted ? w->error : t->wake_result;
}

/* ---- spawn and finish --------------------------------------------------- */

static void task_entry(void *arg) {
    ph_task *t = arg;
    ph__loop *l = t->loop;
    ph__asan_finish(NULL, &l->sched_stack_bottom, &l->sched_stack_size);
    t->result = t->fn(t->arg);
    while (t->defers) {
        ph__defer *d = t->defers;
        t->defers = d->next;
        d->fn(d->arg);
        ph__free(d);
    }
    t->state = PH__TASK_DONE;
    /* Last switch: this stack's fake frames die with it. */
    ph__asan_start(NULL, l->sched_stack_bottom, l->sched_stack_size);
    ph__ctx_switch(&t->ctx, &l->sched_ctx);
    __builtin_unreachable();
}

ph_task *ph_spawn_(ph_task_fn fn, void *arg, const ph_spawn_opts *opts) {
    static const ph_spawn_opts defaults;
    if (!opts) /* called directly, not through ph_spawn() */
        opts = &defaults;
    ph__loop *l = ph__loop_get();
    if (!l || !fn)
        return NULL;
    ph__stack *s = ph__stack_get(&l->stacks, opts->stack_size);
    if (!s)
        return NULL;
    uintptr_t top = (uintptr_t)s; /* the stack descriptor sits at the very top */
    ph_task *t = (ph_task *)((top - sizeof(ph_task)) & ~(uintptr_t)63);
    memset(t, 0, sizeof(*t));
    t->loop = l;
    t->stack = s;
    t->fn = fn;
    t->arg = arg;
    t->detached = opts->detached != 0;
    const char *name = opts->name ? opts->name : "task";
    size_t n = strlen(name);
    if (n >= sizeof(t->name))
        n = sizeof(t->name) - 1;
    memcpy(t->name, name, n);
    ph__ctx_make(&t->ctx, s->base, (size_t)((char *)t - s->base), task_entry, t);
    t->live_next = l->live;
    if (l->live)
        l->live->live_pprev = &t->live_next;
    l->live = t;
    t->live_pprev = &l->live;
    l->nlive++;
    ph__sched_enqueue(l, t);
    return t;
}

void ph__task_release(ph_task *t) { ph__stack_put(&t->loop->stacks, t->stack); }

static void wake_drainers(ph__loop *l) {
    if (!l->drain_waiters || l->nlive != l->ndrainers)
        return;
    while (l->drain_waiters) {
        ph__drain_waiter *d = l->drain_waiters;
        l->drain_waiters = d->next;
        if (d->next)
            d->next->pprev = &l->drain_waiters;
        d->pprev = NULL;
        ph__wake(&d->w, 0);
    }
}

/* Called by the scheduler once a task's body and defers have finished. */
void ph__task_finished(ph_task *t) {
    ph__loop *l = t->loop;
    *t->live_pprev = t->live_next;
    if (t->live_next)
        t->live_next->live_pprev = t->live_pprev;
    l->nlive--;
    ph__timer_stop(&l->wheel, &t->timer);
    if (t->join_wait) {
        ph__wait *jw = t->join_wait;
        t->join_wait = NULL;
        ph__wake(jw, 0);
    }
    wake_drainers(l);
    if (t->detached)
        ph__task_release(t);
}

/* ---- join, detach, cancel ----------------------------------------------- */

typedef struct join_wait {
    ph__wait w;
    ph_task *child;
} join_wait;

static int join_cancel(ph__wait *w) {
    ph__container_of(w, join_wait, w)->child->join_wait = NULL;
    return 0;
}

int ph_join(ph_task *t) {
    ph_task *self = current_task();
    if (!self)
        return PH_ENOTASK;
    if (!t || t->detached || t == self || t->join_wait)
        return PH_EINVAL;
    if (t->state != PH__TASK_DONE) {
        join_wait jw = {.w = {.cancel = join_cancel}, .child = t};
        t->join_wait = &jw.w;
        int rc = ph__suspend(&jw.w, -1, 0, 0);
        if (rc < 0 && t->state != PH__TASK_DONE) {
            /* We were cancelled: pass it on, and let the child free itself. */
            t->join_wait = NULL;
            t->detached = 1;
            ph_cancel(t);
            return rc;
        }
    }
    int result = t->result;
    ph__task_release(t);
    return result;
}

int ph_detach(ph_task *t) {
    if (!t || t->detached || t->join_wait)
        return PH_EINVAL;
    t->detached = 1;
    if (t->state == PH__TASK_DONE)
        ph__task_release(t);
    return 0;
}

int ph_cancel(ph_task *t) {
    if (!t)
        return PH_EINVAL;
    if (t->state == PH__TASK_DONE || t->cancelled)
        return 0;
    t->cancelled = 1;
    interrupt(t, PH_ECANCELED, 0);
    return 0;
}

/* ---- drain -------------------------------------------------------------- */

static int drain_cancel(ph__wait *w) {
    ph__drain_waiter *d = (ph__drain_waiter *)w;
    *d->pprev = d->next;
    if (d->next)
        d->next->pprev = d->pprev;
    d->pprev = NULL;
    return 0;
}

int ph_drain(double timeout) {
    ph_task *self = current_task();
    if (!self)
        return PH_ENOTASK;
    ph__loop *l = self->loop;
    l->ndrainers++;
    int rc = 0;
    if (l->nlive != l->ndrainers) {
        ph__drain_waiter d = {.w = {.cancel = drain_cancel}};
        d.next = l->drain_waiters;
        if (d.next)
            d.next->pprev = &d.next;
        l->drain_waiters = &d;
        d.pprev = &l->drain_waiters;
        rc = ph__suspend(&d.w, timeout < 0 ? -1 : (int64_t)(timeout * 1e3 + 0.5), PH_ETIMEDOUT, 0);
        if (d.pprev)
            drain_cancel(&d.w);
    }
    l->ndrainers--;
    return rc;
}

/* ---- defer and task-local slots ------------------------------------------ */

int ph_defer(void (*fn)(void *arg), void *arg) {
    ph_task *t = current_task();
    if (!t)
        return PH_ENOTASK;
    if (!fn)
        return PH_EINVAL;
    ph__defer *d = ph__malloc(sizeof(*d));
    if (!d)
        return PH_ENOMEM;
    d->fn = fn;
    d->arg = arg;
    d->next = t->defers;
    t->defers = d;
    return 0;
}

static atomic_int next_key;

int ph_task_local_key(void) {
    int k = atomic_fetch_add(&next_key, 1);
    if (k >= PH_TASK_LOCAL_SLOTS) {
        atomic_fetch_sub(&next_key, 1);
        return PH_EBUSY;
    }
    return k;
}

void *ph_task_local_get(int key) {
    ph_task *t = current_task();
    if (!t || key < 0 || key >= PH_TASK_LOCAL_SLOTS)
        return NULL;
    return t->locals[key];
}

int ph_task_local_set(int key, void *value) {
    ph_task *t = current_task();
    if (!t)
        return PH_ENOTASK;
    if (key < 0 || key >= PH_TASK_LOCAL_SLOTS)
        return PH_EINVAL;
    t->locals[key] = value;
    return 0;
}
