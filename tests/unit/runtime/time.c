/* Sleeping, yielding, deadlines, and the timer wheel under them. */
#include "phial.h"
#include "runtime/loop.h"

#include <criterion/criterion.h>

static int sleep_for(void *arg) {
    double s = *(double *)arg;
    double t0 = ph_now();
    int rc = ph_sleep(s);
    cr_assert_eq(rc, 0);
    double took = ph_now() - t0;
    cr_assert(took >= s - 0.0015, "slept %f, wanted %f", took, s);
    cr_assert(took < s + 2.0, "slept %f, wanted %f", took, s);
    return 0;
}

Test(time, sleep_lasts_about_as_asked) {
    double s = 0.05;
    cr_assert_eq(ph_run(sleep_for, &s), 0);
}

Test(time, sleep_across_wheel_levels) {
    double s = 0.3; /* > 64 ms: filed on level 1, cascaded down */
    cr_assert_eq(ph_run(sleep_for, &s), 0);
}

static int woke[16], nwoke;
static int sleep_and_note(void *arg) {
    int ms = (int)(intptr_t)arg;
    ph_sleep(ms / 1000.0);
    woke[nwoke++] = ms;
    return 0;
}

static int main_sleep_order(void *arg) {
    int ms[] = {90, 10, 70, 30, 150, 1, 50};
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
        ph_spawn(sleep_and_note, (void *)(intptr_t)ms[i], .detached = 1);
    return 0;
}

Test(time, sleepers_wake_in_deadline_order) {
    nwoke = 0;
    ph_run(main_sleep_order, NULL);
    int want[] = {1, 10, 30, 50, 70, 90, 150};
    cr_assert_eq(nwoke, 7);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(woke[i], want[i], "position %d: %d", i, woke[i]);
}

static int yielder(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 3; i++) {
        woke[nwoke++] = id;
        ph_yield();
    }
    return 0;
}

static int main_yield(void *arg) {
    ph_task *a = ph_spawn(yielder, (void *)1);
    ph_task *b = ph_spawn(yielder, (void *)2);
    ph_join(a);
    ph_join(b);
    return 0;
}

Test(time, yield_round_robins_ready_tasks) {
    nwoke = 0;
    ph_run(main_yield, NULL);
    int want[] = {1, 2, 1, 2, 1, 2};
    cr_assert_eq(nwoke, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(woke[i], want[i]);
}

static int zero_sleep(void *arg) {
    cr_assert_eq(ph_sleep(0), 0);
    cr_assert_eq(ph_sleep(-1), 0);
    return 0;
}

Test(time, sleep_of_zero_or_less_yields) { cr_assert_eq(ph_run(zero_sleep, NULL), 0); }

static int long_sleep(void *arg) { return ph_sleep(5.0); }
static int returns_three(void *arg) { return 3; }

static int main_timeout(void *arg) {
    double t0 = ph_now();
    cr_assert_eq(ph_with_timeout(0.03, long_sleep, NULL), PH_ETIMEDOUT);
    double took = ph_now() - t0;
    cr_assert(took >= 0.025 && took < 3.0, "took %f", took);
    cr_assert_eq(ph_with_timeout(1.0, returns_three, NULL), 3);
    /* After the scope, suspensions work again. */
    cr_assert_eq(ph_sleep(0.001), 0);
    return 0;
}

Test(time, with_timeout_interrupts_and_recovers) { cr_assert_eq(ph_run(main_timeout, NULL), 0); }

static int after_expiry(void *arg) {
    int first = ph_sleep(5.0);
    int second = ph_sleep(0.001);
    cr_assert_eq(first, PH_ETIMEDOUT);
    cr_assert_eq(second, PH_ETIMEDOUT, "later suspensions in the scope fail fast");
    return 0;
}

static int main_timeout_later(void *arg) {
    return ph_with_timeout(0.02, after_expiry, NULL) == PH_ETIMEDOUT ? 0 : 1;
}

Test(time, expired_scope_fails_later_suspensions) { cr_assert_eq(ph_run(main_timeout_later, NULL), 0); }

static int inner_long(void *arg) { return ph_with_timeout(10.0, long_sleep, NULL); }

static int main_nested(void *arg) {
    int *inner_rc = arg;
    double t0 = ph_now();
    int rc = ph_with_timeout(0.03, inner_long, NULL);
    cr_assert(ph_now() - t0 < 5.0);
    *inner_rc = rc;
    return 0;
}

Test(time, outer_timeout_expires_nested_scope) {
    int rc = 0;
    ph_run(main_nested, &rc);
    cr_assert_eq(rc, PH_ETIMEDOUT);
}

static int inner_short(void *arg) {
    int rc = ph_with_timeout(0.01, long_sleep, NULL);
    cr_assert_eq(rc, PH_ETIMEDOUT);
    return ph_sleep(0.001); /* the outer scope has not expired */
}

static int main_nested_inner(void *arg) { return ph_with_timeout(5.0, inner_short, NULL); }

Test(time, inner_timeout_leaves_outer_scope_running) {
    cr_assert_eq(ph_run(main_nested_inner, NULL), 0);
}

static int count_done;
static int many_sleeper(void *arg) {
    int ms = (int)(intptr_t)arg;
    if (ph_sleep(ms / 1000.0) == 0)
        count_done++;
    return 0;
}

static int main_many(void *arg) {
    int n = *(int *)arg;
    for (int i = 0; i < n; i++) {
        ph_task *t = ph_spawn(many_sleeper, (void *)(intptr_t)(200 + i % 300), .detached = 1,
                              .stack_size = 16 * 1024);
        cr_assert_not_null(t, "spawn %d failed", i);
    }
    return 0;
}

Test(time, hundred_thousand_concurrent_sleepers_complete, .timeout = 120) {
    int n = 100000;
    count_done = 0;
    cr_assert_eq(ph_run(main_many, &n, .stack_size = 16 * 1024, .stack_pool_max = 200000), 0);
    cr_assert_eq(count_done, n);
}

static ph__timer timers[3];
static int fired[3];
static void on_fire(ph__timer *t) { fired[t - timers]++; }
static void stop_others(ph__timer *t) {
    fired[0]++;
    ph__timer_stop(&ph__loop_get()->wheel, &timers[1]);
}

static int main_wheel(void *arg) {
    ph__wheel *w = &ph__loop_get()->wheel;
    ph__timer_init(&timers[0], stop_others);
    ph__timer_init(&timers[1], on_fire);
    ph__timer_init(&timers[2], on_fire);
    ph__timer_start(w, &timers[0], 20);
    ph__timer_start(w, &timers[1], 20); /* same tick: stopped by timers[0]'s callback */
    ph__timer_start(w, &timers[2], 5000);
    ph__timer_stop(w, &timers[2]);
    cr_assert(!ph__timer_active(&timers[2]));
    ph_sleep(0.05);
    return 0;
}

Test(time, timer_callback_may_stop_timer_of_same_batch) {
    cr_assert_eq(ph_run(main_wheel, NULL), 0);
    cr_assert_eq(fired[0], 1);
    cr_assert_eq(fired[1] + fired[0] - 1, 0, "timer 1 was stopped before it fired");
    cr_assert_eq(fired[2], 0, "a stopped timer never fires");
}

static int spin_stop, spins;
static int spinner(void *arg) {
    while (!spin_stop) {
        ph_yield();
        spins++;
    }
    return 0;
}

static int main_no_starvation(void *arg) {
    spin_stop = spins = 0;
    ph_task *t = ph_spawn(spinner, NULL);
    cr_assert_eq(ph_sleep(0.02), 0, "a timer fires although another task keeps yielding");
    spin_stop = 1;
    cr_assert(spins > 0, "the yielding task ran meanwhile");
    return ph_join(t);
}

Test(time, yielding_task_does_not_starve_timers, .timeout = 30) {
    cr_assert_eq(ph_run(main_no_starvation, NULL), 0);
}
