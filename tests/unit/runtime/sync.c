/* Event, queue, lock and gather: normal paths, ordering, cancellation. */
#include "phial.h"

#include <criterion/criterion.h>

static int seq[32], nseq;

static int ev_waiter(void *arg) {
    ph_event *e = arg;
    int rc = ph_event_wait(e);
    seq[nseq++] = rc;
    return rc;
}

static int main_event(void *arg) {
    ph_event *e = ph_event_new();
    ph_task *a = ph_spawn(ev_waiter, e), *b = ph_spawn(ev_waiter, e);
    ph_sleep(0.005);
    cr_assert_eq(nseq, 0, "waiters wait until set");
    ph_event_set(e);
    cr_assert(ph_event_is_set(e));
    ph_join(a);
    ph_join(b);
    cr_assert_eq(nseq, 2);
    cr_assert_eq(ph_event_wait(e), 0, "a set event does not block");
    ph_event_clear(e);
    cr_assert(!ph_event_is_set(e));
    ph_event_free(e);
    return 0;
}

Test(event, set_wakes_all_waiters) {
    nseq = 0;
    cr_assert_eq(ph_run(main_event, NULL), 0);
}

static int main_event_cancel(void *arg) {
    ph_event *e = ph_event_new();
    ph_task *a = ph_spawn(ev_waiter, e), *b = ph_spawn(ev_waiter, e);
    ph_yield();
    ph_cancel(a);
    cr_assert_eq(ph_join(a), PH_ECANCELED);
    ph_event_set(e);
    cr_assert_eq(ph_join(b), 0, "the other waiter is still woken");
    ph_event_free(e);
    return 0;
}

Test(event, cancelled_waiter_leaves_the_list) {
    nseq = 0;
    cr_assert_eq(ph_run(main_event_cancel, NULL), 0);
}

static int wait_event_fn(void *arg) { return ph_event_wait(arg); }

static int main_event_timeout(void *arg) {
    ph_event *e = ph_event_new();
    int rc = ph_with_timeout(0.01, wait_event_fn, e);
    ph_event_free(e);
    return rc;
}

Test(event, wait_times_out_in_scope) { cr_assert_eq(ph_run(main_event_timeout, NULL), PH_ETIMEDOUT); }

/* ---- queue ---- */

static int producer(void *arg) {
    ph_queue *q = arg;
    for (intptr_t i = 1; i <= 10; i++)
        cr_assert_eq(ph_queue_put(q, (void *)i), 0);
    return 0;
}

static int main_queue(void *arg) {
    ph_queue *q = ph_queue_new(2);
    ph_task *p = ph_spawn(producer, q);
    for (intptr_t i = 1; i <= 10; i++) {
        void *item;
        cr_assert_eq(ph_queue_get(q, &item), 0);
        cr_assert_eq((intptr_t)item, i, "FIFO order");
        cr_assert(ph_queue_len(q) <= 2, "bounded");
    }
    ph_join(p);
    ph_queue_free(q);
    return 0;
}

Test(queue, bounded_fifo_between_producer_and_consumer) { cr_assert_eq(ph_run(main_queue, NULL), 0); }

static int main_queue_full(void *arg) {
    ph_queue *q = ph_queue_new(1);
    cr_assert_eq(ph_queue_try_put(q, (void *)1), 0);
    cr_assert_eq(ph_queue_try_put(q, (void *)2), PH_EBUSY);
    void *item;
    cr_assert_eq(ph_queue_try_get(q, &item), 0);
    cr_assert_eq(ph_queue_try_get(q, &item), PH_EAGAIN);
    ph_queue_close(q);
    cr_assert_eq(ph_queue_put(q, NULL), PH_ECLOSED);
    cr_assert_eq(ph_queue_get(q, &item), PH_ECLOSED);
    ph_queue_free(q);
    cr_assert_null(ph_queue_new(0));
    return 0;
}

Test(queue, try_variants_and_close) { cr_assert_eq(ph_run(main_queue_full, NULL), 0); }

static int getter(void *arg) {
    void *item;
    return ph_queue_get(arg, &item);
}

static int main_queue_close_wakes(void *arg) {
    ph_queue *q = ph_queue_new(1);
    ph_task *g = ph_spawn(getter, q);
    ph_yield();
    ph_queue_close(q);
    cr_assert_eq(ph_join(g), PH_ECLOSED);
    ph_queue_free(q);
    return 0;
}

Test(queue, close_wakes_waiting_consumer) { cr_assert_eq(ph_run(main_queue_close_wakes, NULL), 0); }

static int main_queue_cancel(void *arg) {
    ph_queue *q = ph_queue_new(1);
    ph_task *g1 = ph_spawn(getter, q), *g2 = ph_spawn(getter, q);
    ph_yield();
    ph_cancel(g1);
    cr_assert_eq(ph_join(g1), PH_ECANCELED);
    ph_queue_put(q, (void *)7);
    cr_assert_eq(ph_join(g2), 0, "the item goes to the consumer still waiting");
    cr_assert_eq(ph_queue_len(q), 0);
    ph_queue_free(q);
    return 0;
}

Test(queue, cancelled_consumer_loses_no_item) { cr_assert_eq(ph_run(main_queue_cancel, NULL), 0); }

static int putter(void *arg) { return ph_queue_put(arg, (void *)99); }

static int main_queue_put_cancel(void *arg) {
    ph_queue *q = ph_queue_new(1);
    ph_queue_put(q, (void *)1);
    ph_task *p = ph_spawn(putter, q);
    ph_yield();
    ph_cancel(p);
    cr_assert_eq(ph_join(p), PH_ECANCELED);
    void *item;
    ph_queue_get(q, &item);
    cr_assert_eq((intptr_t)item, 1);
    cr_assert_eq(ph_queue_try_get(q, &item), PH_EAGAIN, "the cancelled put added nothing");
    ph_queue_free(q);
    return 0;
}

Test(queue, cancelled_producer_adds_nothing) { cr_assert_eq(ph_run(main_queue_put_cancel, NULL), 0); }

/* ---- lock ---- */

static int in_critical, max_in_critical;

static int locker(void *arg) {
    ph_lock *l = arg;
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(ph_lock_acquire(l), 0);
        in_critical++;
        if (in_critical > max_in_critical)
            max_in_critical = in_critical;
        ph_sleep(0.001);
        in_critical--;
        cr_assert_eq(ph_lock_release(l), 0);
    }
    return 0;
}

static int main_lock(void *arg) {
    ph_lock *l = ph_lock_new();
    ph_task *ts[4];
    for (int i = 0; i < 4; i++)
        ts[i] = ph_spawn(locker, l);
    for (int i = 0; i < 4; i++)
        ph_join(ts[i]);
    cr_assert_eq(ph_lock_release(l), PH_ESTATE, "releasing an unheld lock is refused");
    ph_lock_free(l);
    return 0;
}

Test(lock, mutual_exclusion) {
    in_critical = max_in_critical = 0;
    cr_assert_eq(ph_run(main_lock, NULL), 0);
    cr_assert_eq(max_in_critical, 1);
}

typedef struct lock_arg {
    ph_lock *l;
    int id;
} lock_arg;

static int lock_order_fn(void *arg) {
    lock_arg *a = arg;
    ph_lock_acquire(a->l);
    seq[nseq++] = a->id;
    ph_lock_release(a->l);
    return 0;
}

static int main_lock_fifo(void *arg) {
    ph_lock *l = ph_lock_new();
    ph_lock_acquire(l);
    cr_assert_eq(ph_lock_acquire(l), PH_EBUSY, "not recursive");
    lock_arg args[3];
    ph_task *ts[3];
    for (int i = 0; i < 3; i++) {
        args[i].l = l;
        args[i].id = i;
        ts[i] = ph_spawn(lock_order_fn, &args[i]);
    }
    ph_yield();
    ph_lock_release(l);
    for (int i = 0; i < 3; i++)
        ph_join(ts[i]);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(seq[i], i, "first come, first served");
    ph_lock_free(l);
    return 0;
}

Test(lock, waiters_served_in_order) {
    nseq = 0;
    cr_assert_eq(ph_run(main_lock_fifo, NULL), 0);
}

static int acquire_fn(void *arg) { return ph_lock_acquire(arg); }

static int main_lock_cancel(void *arg) {
    ph_lock *l = ph_lock_new();
    ph_lock_acquire(l);
    ph_task *w = ph_spawn(acquire_fn, l);
    ph_yield();
    ph_cancel(w);
    cr_assert_eq(ph_join(w), PH_ECANCELED);
    ph_lock_release(l);
    cr_assert_eq(ph_lock_acquire(l), 0, "the cancelled waiter did not take it");
    ph_lock_release(l);
    ph_lock_free(l);
    return 0;
}

Test(lock, cancelled_waiter_does_not_get_lock) { cr_assert_eq(ph_run(main_lock_cancel, NULL), 0); }

/* ---- gather ---- */

static int g_active, g_max_active;

static int g_sleep_ms(void *arg) {
    int ms = (int)(intptr_t)arg;
    if (++g_active > g_max_active)
        g_max_active = g_active;
    int rc = ph_sleep(ms / 1000.0);
    g_active--;
    return rc < 0 ? rc : ms;
}

static int g_fail(void *arg) {
    ph_sleep(0.005);
    return (int)(intptr_t)arg;
}

static int main_gather(void *arg) {
    ph_task_fn fns[3] = {g_sleep_ms, g_sleep_ms, g_sleep_ms};
    void *args[3] = {(void *)30, (void *)10, (void *)20};
    int results[3];
    g_active = g_max_active = 0;
    cr_assert_eq(ph_gather(3, fns, args, results), 0);
    cr_assert_eq(g_max_active, 3, "all three were suspended at the same time");
    cr_assert_eq(results[0], 30);
    cr_assert_eq(results[1], 10);
    cr_assert_eq(results[2], 20);
    return 0;
}

Test(gather, runs_concurrently_and_collects_results) { cr_assert_eq(ph_run(main_gather, NULL), 0); }

static int main_gather_error(void *arg) {
    ph_task_fn fns[3] = {g_sleep_ms, g_fail, g_fail};
    void *args[3] = {(void *)20, (void *)(intptr_t)PH_EIO, (void *)(intptr_t)PH_EINVAL};
    int results[3];
    int rc = ph_gather(3, fns, args, results);
    cr_assert_eq(rc, PH_EIO, "first error in completion order");
    cr_assert_eq(results[0], 20, "the others still ran to completion");
    cr_assert_eq(results[2], PH_EINVAL);
    return 0;
}

Test(gather, reports_first_error) { cr_assert_eq(ph_run(main_gather_error, NULL), 0); }

static int gather_long(void *arg) {
    ph_task_fn fns[2] = {g_sleep_ms, g_sleep_ms};
    void *args[2] = {(void *)5000, (void *)5000};
    int *results = arg;
    return ph_gather(2, fns, args, results);
}

static int main_gather_cancel(void *arg) {
    int results[2] = {1, 1};
    ph_task *t = ph_spawn(gather_long, results);
    ph_sleep(0.01);
    double t0 = ph_now();
    ph_cancel(t);
    cr_assert_eq(ph_join(t), PH_ECANCELED);
    cr_assert(ph_now() - t0 < 5.0);
    cr_assert_eq(results[0], PH_ECANCELED, "children were cancelled and awaited");
    cr_assert_eq(results[1], PH_ECANCELED);
    return 0;
}

Test(gather, cancelling_caller_cancels_children) { cr_assert_eq(ph_run(main_gather_cancel, NULL), 0); }

static int gather_in_timeout(void *arg) { return gather_long(arg); }

static int main_gather_timeout(void *arg) {
    int results[2];
    return ph_with_timeout(0.02, gather_in_timeout, results);
}

Test(gather, timeout_cancels_children) { cr_assert_eq(ph_run(main_gather_timeout, NULL), PH_ETIMEDOUT); }

static int get_blocking(void *arg) {
    void *item;
    return ph_queue_get(arg, &item);
}

static int put_blocking(void *arg) { return ph_queue_put(arg, (void *)1); }

static int main_queue_timeouts(void *arg) {
    ph_queue *q = ph_queue_new(1);
    cr_assert_eq(ph_with_timeout(0.01, get_blocking, q), PH_ETIMEDOUT, "get on empty times out");
    ph_queue_put(q, (void *)1);
    cr_assert_eq(ph_with_timeout(0.01, put_blocking, q), PH_ETIMEDOUT, "put on full times out");
    cr_assert_eq(ph_queue_len(q), 1, "the timed-out put added nothing");
    ph_queue_free(q);
    return 0;
}

Test(queue, get_and_put_time_out) { cr_assert_eq(ph_run(main_queue_timeouts, NULL), 0); }

static int main_lock_timeout(void *arg) {
    ph_lock *l = ph_lock_new();
    ph_task *holder = ph_spawn(acquire_fn, l);
    ph_yield(); /* the holder owns it now and has finished without releasing */
    cr_assert_eq(ph_join(holder), 0);
    cr_assert_eq(ph_with_timeout(0.01, acquire_fn, l), PH_ETIMEDOUT);
    ph_lock_free(l);
    return 0;
}

Test(lock, acquire_times_out) { cr_assert_eq(ph_run(main_lock_timeout, NULL), 0); }

static int joiner(void *arg) { return ph_join(arg); }

static int long_child(void *arg) { return ph_sleep(30); }

static int main_join_cancel(void *arg) {
    ph_task *child = ph_spawn(long_child, NULL);
    ph_task *j = ph_spawn(joiner, child);
    ph_yield();
    double t0 = ph_now();
    ph_cancel(j);
    cr_assert_eq(ph_join(j), PH_ECANCELED, "the joiner sees the cancellation");
    /* The child was cancelled too and frees itself; ph_run returns promptly. */
    cr_assert(ph_now() - t0 < 5.0);
    return 0;
}

Test(task_join, cancelling_joiner_cancels_child) { cr_assert_eq(ph_run(main_join_cancel, NULL), 0); }
