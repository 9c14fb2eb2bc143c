/*
 * Tasks and the one suspend/wake primitive every awaitable is built on.
 *
 * An awaitable embeds a ph__wait, links it wherever the awaited thing will be
 * found (a waiter list, a libuv request), and calls ph__suspend(). Whoever
 * completes the thing calls ph__wake() with a result. Cancellation, the
 * suspension's own timeout and enclosing ph_with_timeout() scopes all go
 * through the wait's `cancel` hook:
 *   - it returns 0 after unlinking the wait: the task is woken at once with
 *     the interruption's error;
 *   - it returns 1 when the thing cannot be abandoned (a thread-pool job
 *     already running): the source still calls ph__wake() later, and the
 *     suspension then returns the interruption's error instead of the result.
 * A NULL hook means there is nothing to unlink.
 */
#ifndef PH_RUNTIME_TASK_H
#define PH_RUNTIME_TASK_H

#include "phial/runtime.h"
#include "runtime/ctx.h"
#include "runtime/stack.h"
#include "runtime/timer.h"

#include <stdint.h>

typedef struct ph__loop ph__loop;
typedef struct ph__wait ph__wait;

struct ph__wait {
    ph_task *task;                /* set by ph__suspend */
    int (*cancel)(ph__wait *w);   /* see above; may be NULL */
    int interrupted;              /* an interruption was delivered */
    int error;                    /* ...and its error, returned instead of the result */
};

/* Flags for ph__suspend. */
#define PH__SHIELD 1 /* ignore cancellation and enclosing timeouts */

/*
 * Park the current task until ph__wake(w, result) or an interruption.
 * `timeout_ms` < 0: none; when it passes, the suspension returns
 * `timeout_result` (ph_sleep passes 0: its timeout is its success).
 *
 * Returns the wake result, or the interruption's error; PH_ECANCELED or
 * PH_ETIMEDOUT at once if the task is already cancelled or past a deadline;
 * PH_ENOTASK outside a task.
 */
int ph__suspend(ph__wait *w, int64_t timeout_ms, int timeout_result, int flags);

/*
 * Whether the current task may park now: 0; PH_ECANCELED; PH_ETIMEDOUT (an
 * enclosing deadline passed); PH_ENOTASK. Awaitables that start an
 * operation which must be waited for once started check this first.
 */
int ph__interrupted(void);

/* Wake the task parked on `w`. Reports and ignores a wait nobody is parked on. */
void ph__wake(ph__wait *w, int result);

typedef enum ph__task_state {
    PH__TASK_READY,     /* in the run queue */
    PH__TASK_RUNNING,   /* on the CPU */
    PH__TASK_SUSPENDED, /* parked in ph__suspend */
    PH__TASK_DONE,      /* body and defers finished; awaiting join or release */
} ph__task_state;

typedef struct ph__defer {
    void (*fn)(void *arg);
    void *arg;
    struct ph__defer *next;
} ph__defer;

struct ph_task {
    ph__ctx ctx;
    ph__loop *loop;
    ph__stack *stack;
    ph__task_state state;
    ph_task_fn fn;
    void *arg;
    int result;
    int wake_result;
    unsigned cancelled : 1;
    unsigned detached : 1;
    unsigned shielded : 1;
    int scope_depth;   /* ph_with_timeout nesting */
    int expired_depth; /* outermost expired scope; 0 = none */
    ph__wait *wait;    /* while suspended */
    ph__timer timer;   /* the suspension's own timeout */
    int timeout_result;
    ph_task *run_next;               /* run queue */
    uint64_t drain_gen;              /* the drain pass that last resumed it */
    ph_task *live_next, **live_pprev; /* the loop's unfinished tasks */
    ph__wait *join_wait;             /* a task joining this one */
    ph__defer *defers;
    void *locals[PH_TASK_LOCAL_SLOTS];
    void *asan_fake_stack;
    char name[32];
};

/* Interrupt `t` with `err` as a cancellation or scope expiry would. */
void ph__task_interrupt(ph_task *t, int err);

#endif
