/* Tasks: spawn, join, detach, cancel, defer, task-local slots, misuse. */
#include "phial.h"
#include "runtime/loop.h"

#include <criterion/criterion.h>
#include <string.h>

static int return_arg(void *arg) { return (int)(intptr_t)arg; }

static int main_join(void *arg) {
    ph_task *t = ph_spawn(return_arg, (void *)(intptr_t)42, .name = "child");
    cr_assert_not_null(t);
    cr_assert_str_eq(ph_task_name(t), "child");
    return ph_join(t);
}

Test(task, join_returns_child_result) { cr_assert_eq(ph_run(main_join, NULL), 42); }

Test(task, run_returns_main_result) { cr_assert_eq(ph_run(return_arg, (void *)(intptr_t)-7), -7); }

static int order[8], norder;
static int record(void *arg) {
    order[norder++] = (int)(intptr_t)arg;
    return 0;
}

static int main_order(void *arg) {
    ph_task *ts[4];
    for (int i = 0; i < 4; i++)
        ts[i] = ph_spawn(record, (void *)(intptr_t)i);
    cr_assert_eq(norder, 0, "spawned tasks must not run before the spawner suspends");
    for (int i = 0; i < 4; i++)
        ph_join(ts[i]);
    return 0;
}

Test(task, spawned_tasks_run_in_spawn_order_after_spawner_suspends) {
    norder = 0;
    ph_run(main_order, NULL);
    cr_assert_eq(norder, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(order[i], i);
}

static int sleeper(void *arg) {
    int rc = ph_sleep(10.0);
    *(int *)arg = rc;
    return rc;
}

static int main_cancel(void *arg) {
    int seen = 1;
    ph_task *t = ph_spawn(sleeper, &seen);
    ph_yield(); /* let it park in the sleep */
    double t0 = ph_now();
    ph_cancel(t);
    int rc = ph_join(t);
    cr_assert_eq(rc, PH_ECANCELED);
    cr_assert_eq(seen, PH_ECANCELED);
    cr_assert(ph_now() - t0 < 5.0);
    return 0;
}

Test(task, cancel_wakes_sleeping_task_with_ecanceled) { cr_assert_eq(ph_run(main_cancel, NULL), 0); }

static int twice(void *arg) {
    int a = ph_sleep(0.001);
    int b = ph_yield();
    int c = ph_sleep(0.001);
    ((int *)arg)[0] = a;
    ((int *)arg)[1] = b;
    ((int *)arg)[2] = c;
    return 0;
}

static int main_cancel_later(void *arg) {
    int r[3] = {1, 1, 1};
    ph_task *t = ph_spawn(twice, r);
    ph_cancel(t); /* before it ever runs */
    ph_join(t);
    cr_assert_eq(r[0], PH_ECANCELED);
    cr_assert_eq(r[1], PH_ECANCELED);
    cr_assert_eq(r[2], PH_ECANCELED, "every later suspension fails too");
    return 0;
}

Test(task, cancelled_task_fails_every_later_suspension) {
    cr_assert_eq(ph_run(main_cancel_later, NULL), 0);
}

static int finished;
static int quick(void *arg) {
    ph_sleep(0.001);
    finished++;
    return 0;
}

static int main_detach(void *arg) {
    for (int i = 0; i < 10; i++)
        cr_assert_eq(ph_detach(ph_spawn(quick, NULL)), 0);
    return 0;
}

Test(task, run_waits_for_detached_tasks) {
    finished = 0;
    cr_assert_eq(ph_run(main_detach, NULL), 0);
    cr_assert_eq(finished, 10);
}

static int main_detach_spawn(void *arg) {
    ph_spawn(quick, NULL, .detached = 1);
    ph_task *t = ph_spawn(quick, NULL);
    ph_detach(t);
    cr_assert_eq(ph_detach(t), PH_EINVAL, "detaching twice is refused");
    cr_assert_eq(ph_join(t), PH_EINVAL, "a detached task cannot be joined");
    return 0;
}

Test(task, detached_task_cannot_be_joined) {
    finished = 0;
    cr_assert_eq(ph_run(main_detach_spawn, NULL), 0);
    cr_assert_eq(finished, 2);
}

static int main_self_join(void *arg) { return ph_join(ph_current()); }

Test(task, joining_self_is_refused) { cr_assert_eq(ph_run(main_self_join, NULL), PH_EINVAL); }

static int deferred[4], ndeferred;
static void note(void *arg) { deferred[ndeferred++] = (int)(intptr_t)arg; }

static int with_defers(void *arg) {
    ph_defer(note, (void *)1);
    ph_defer(note, (void *)2);
    ph_sleep(0.001);
    ph_defer(note, (void *)3);
    return 5;
}

Test(task, defers_run_in_reverse_order_at_task_end) {
    ndeferred = 0;
    cr_assert_eq(ph_run(with_defers, NULL), 5);
    cr_assert_eq(ndeferred, 3);
    cr_assert_eq(deferred[0], 3);
    cr_assert_eq(deferred[1], 2);
    cr_assert_eq(deferred[2], 1);
}

static int cancelled_with_defers(void *arg) {
    ph_defer(note, (void *)9);
    return ph_sleep(60);
}

static int main_cancel_defers(void *arg) {
    ph_task *t = ph_spawn(cancelled_with_defers, NULL);
    ph_yield();
    ph_cancel(t);
    return ph_join(t);
}

Test(task, defers_run_when_task_is_cancelled) {
    ndeferred = 0;
    cr_assert_eq(ph_run(main_cancel_defers, NULL), PH_ECANCELED);
    cr_assert_eq(ndeferred, 1);
    cr_assert_eq(deferred[0], 9);
}

static int key;
static int local_child(void *arg) {
    cr_assert_null(ph_task_local_get(key), "slots are not inherited");
    ph_task_local_set(key, arg);
    ph_yield();
    cr_assert_eq(ph_task_local_get(key), arg);
    return 0;
}

static int main_locals(void *arg) {
    ph_task_local_set(key, (void *)0x1);
    ph_task *a = ph_spawn(local_child, (void *)0xa);
    ph_task *b = ph_spawn(local_child, (void *)0xb);
    ph_join(a);
    ph_join(b);
    cr_assert_eq(ph_task_local_get(key), (void *)0x1);
    cr_assert_eq(ph_task_local_set(PH_TASK_LOCAL_SLOTS, NULL), PH_EINVAL);
    return 0;
}

Test(task, task_local_slots_are_per_task) {
    key = ph_task_local_key();
    cr_assert(key >= 0);
    cr_assert_eq(ph_run(main_locals, NULL), 0);
}

Test(task, task_local_keys_run_out_with_ebusy) {
    /* every slot is handed out once, each a distinct key, then PH_EBUSY */
    bool seen[PH_TASK_LOCAL_SLOTS] = {false};
    for (int i = 0; i < PH_TASK_LOCAL_SLOTS; i++) {
        int k = ph_task_local_key();
        cr_assert(k >= 0 && k < PH_TASK_LOCAL_SLOTS, "key %d of %d: %d", i, PH_TASK_LOCAL_SLOTS, k);
        cr_assert(!seen[k], "key %d handed out twice", k);
        seen[k] = true;
    }
    cr_assert_eq(ph_task_local_key(), PH_EBUSY);
}

Test(task, suspending_outside_a_task_is_reported) {
    cr_assert_eq(ph_sleep(0.01), PH_ENOTASK);
    cr_assert_eq(ph_yield(), PH_ENOTASK);
    cr_assert_eq(ph_join(NULL), PH_ENOTASK);
    cr_assert_null(ph_spawn(return_arg, NULL), "no loop, no task");
    cr_assert_eq(ph_defer(note, NULL), PH_ENOTASK);
    cr_assert_eq(ph_task_local_set(0, NULL), PH_ENOTASK);
    cr_assert_null(ph_current());
}

static int nested_run(void *arg) { return ph_run(return_arg, NULL); }

Test(task, nested_run_on_same_thread_is_refused) {
    cr_assert_eq(ph_run(nested_run, NULL), PH_EBUSY);
}

static int wait_forever(void *arg) {
    ph_event *e = arg;
    return ph_event_wait(e);
}

static int main_deadlock(void *arg) {
    ph_event *e = ph_event_new();
    ph_defer((void (*)(void *))ph_event_free, e);
    return wait_forever(e);
}

Test(task, deadlocked_tasks_are_cancelled_not_hung) {
    cr_assert_eq(ph_run(main_deadlock, NULL), PH_ECANCELED);
}

static int misuse_main(void *arg) {
    ph__wait w = {0};
    w.task = ph_current(); /* not parked on it */
    ph__wake(&w, 0);       /* reported and ignored */
    return ph_yield();
}

Test(task, waking_a_task_not_parked_is_ignored) { cr_assert_eq(ph_run(misuse_main, NULL), 0); }

static int spin_many(void *arg) {
    for (int i = 0; i < 1000; i++)
        ph_yield();
    return 0;
}

static int main_many_spawn(void *arg) {
    for (int round = 0; round < 20; round++) {
        ph_task *ts[50];
        for (int i = 0; i < 50; i++)
            ts[i] = ph_spawn(spin_many, NULL);
        for (int i = 0; i < 50; i++)
            cr_assert_eq(ph_join(ts[i]), 0);
    }
    return 0;
}

Test(task, stacks_are_reused_across_many_tasks) { cr_assert_eq(ph_run(main_many_spawn, NULL), 0); }

static int drain_child(void *arg) { return ph_sleep(0.02); }

static int main_drain(void *arg) {
    for (int i = 0; i < 5; i++)
        ph_spawn(drain_child, NULL, .detached = 1);
    double t0 = ph_now();
    cr_assert_eq(ph_drain(-1), 0);
    cr_assert(ph_now() - t0 >= 0.015);
    int seen = 0;
    ph_task *slow = ph_spawn(sleeper, &seen);
    cr_assert_eq(ph_drain(0.05), PH_ETIMEDOUT);
    ph_cancel(slow);
    cr_assert_eq(ph_join(slow), PH_ECANCELED);
    return 0;
}

Test(task, drain_waits_for_background_tasks_with_timeout) {
    cr_assert_eq(ph_run(main_drain, NULL), 0);
}
