/*
 * The per-thread loop: a libuv loop, the timer wheel, the run queue of ready
 * tasks and the scheduler context tasks switch back to.
 */
#ifndef PH_RUNTIME_LOOP_H
#define PH_RUNTIME_LOOP_H

#include "runtime/task.h"

#include <uv.h>

struct ph__loop {
    uv_loop_t uv;
    ph__wheel wheel;
    uv_idle_t idle;           /* keeps the loop from blocking while tasks are ready */
    ph__ctx sched_ctx;        /* where tasks switch back to */
    ph_task *current;         /* the running task; NULL in the scheduler */
    ph_task *run_head, *run_tail;
    int draining;
    uint64_t drain_gen;       /* counts drain passes */
    ph__stack_pool stacks;
    ph_task *live;            /* unfinished tasks */
    size_t nlive;
    size_t ndrainers;         /* tasks inside ph_drain */
    struct ph__drain_waiter *drain_waiters;
    const void *sched_stack_bottom; /* for AddressSanitizer's fiber switches */
    size_t sched_stack_size;
    void *sched_fake_stack;
    uint64_t switches;        /* context switches into tasks, for the bench */
};

/* The calling thread's loop; NULL when it runs none. */
ph__loop *ph__loop_get(void);

/* The calling thread's libuv loop; NULL when it runs none. */
uv_loop_t *ph__uv(void);

/*
 * Run every ready task until none is. Call at the end of each libuv callback
 * that may have woken tasks (a no-op when called from inside a task or while
 * already draining).
 */
void ph__sched_drain(ph__loop *l);

/* Put a ready task at the end of the run queue. */
void ph__sched_enqueue(ph__loop *l, ph_task *t);

/* Switch from the running task `t` to the scheduler; returns when resumed. */
void ph__sched_switch_out(ph_task *t);

/* Translate a libuv error into a PH_E* code. */
int ph__err_from_uv(int uverr);

#define ph__container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#endif
