/*
 * Sleeping, yielding and deadlines. A sleep is a suspension whose own
 * timeout is its success, so it costs one timer in the wheel and nothing
 * else. A ph_with_timeout() scope arms one more timer; when it fires it marks
 * the task expired at the scope's depth and interrupts the current
 * suspension, and every later suspension inside the scope fails fast until
 * the scope exits (nested scopes: the outermost expired one wins).
 */
#include "runtime/loop.h"

#include <math.h>

int ph_sleep(double seconds) {
    if (!(seconds > 0)) /* also catches NaN */
        return ph_yield();
    ph__wait w = {.cancel = NULL};
    double ms = ceil(seconds * 1e3);
    if (ms > 1e15)
        ms = 1e15;
    return ph__suspend(&w, (int64_t)ms, 0, 0);
}

int ph_yield(void) {
    ph__loop *l = ph__loop_get();
    ph_task *t = l ? l->current : NULL;
    if (!t)
        return PH_ENOTASK;
    if (t->cancelled)
        return PH_ECANCELED;
    ph__sched_enqueue(l, t);
    ph__sched_switch_out(t);
    return 0;
}

typedef struct scope {
    ph__timer timer;
    ph_task *task;
    int depth;
} scope;

static void on_deadline(ph__timer *timer) {
    scope *s = ph__container_of(timer, scope, timer);
    ph_task *t = s->task;
    if (!t->expired_depth || s->depth < t->expired_depth)
        t->expired_depth = s->depth;
    ph__task_interrupt(t, PH_ETIMEDOUT);
}

int ph_with_timeout(double seconds, ph_task_fn fn, void *arg) {
    ph__loop *l = ph__loop_get();
    ph_task *t = l ? l->current : NULL;
    if (!t)
        return PH_ENOTASK;
    if (!fn)
        return PH_EINVAL;
    scope s = {.task = t, .depth = ++t->scope_depth};
    ph__timer_init(&s.timer, on_deadline);
    double ms = seconds > 0 ? ceil(seconds * 1e3) : 0;
    if (ms > 1e15)
        ms = 1e15;
    if (seconds > 0)
        ph__timer_start(&l->wheel, &s.timer, (uint64_t)ms);
    else
        t->expired_depth = t->expired_depth ? t->expired_depth : s.depth;
    int rc = fn(arg);
    ph__timer_stop(&l->wheel, &s.timer);
    if (t->expired_depth == s.depth) {
        t->expired_depth = 0;
        rc = PH_ETIMEDOUT;
    } else if (t->expired_depth && t->expired_depth < s.depth) {
        rc = PH_ETIMEDOUT;
    }
    t->scope_depth--;
    return rc;
}
