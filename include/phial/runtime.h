/*
 * phial — the runtime: tasks (stackful coroutines) on a libuv loop, and the
 * awaitables built on one suspend/wake primitive.
 *
 * A task is a plain C function running on its own stack. When it calls
 * something that "Suspends: yes", the task is parked and the loop runs other
 * tasks until the awaited thing happens; there is no function colouring, so a
 * helper that calls ph_sleep() suspends its caller's task.
 *
 * Cancellation never unwinds the stack: once a task is cancelled, the
 * suspension it is in and every later one return PH_ECANCELED, so its ordinary
 * cleanup code runs. Each loop and its tasks belong to one thread.
 */
#ifndef PHIAL_RUNTIME_H
#define PHIAL_RUNTIME_H

#include "common.h"

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_task ph_task;

/* The body of a task: returns >= 0 on success or a negative PH_E* code. */
typedef int (*ph_task_fn)(void *arg);

/* ------------------------------------------------------------------------ */
/* Running a loop                                                           */
/* ------------------------------------------------------------------------ */

/* Options for ph_run(); zero means the default. */
typedef struct ph_run_opts {
    int reserved_;         /* private: lets the options macro take no options */
    size_t stack_size;     /* bytes per task stack, rounded up to pages; default 256 KiB */
    size_t stack_pool_max; /* free stacks kept for reuse; default 1024 */
    const char *name;      /* name of the main task; default "main" */
} ph_run_opts;

/*
 * Create a loop on the calling thread, run `main(arg)` as its first task, and
 * keep running until every task has finished and no I/O is pending.
 *
 * Returns:  main's return value; PH_ENOMEM; PH_EBUSY when this thread already
 *           runs a loop; PH_EINVAL for a NULL `main`.
 * Owns:     nothing of `arg`.
 * Suspends: no: it blocks the thread until the loop is done.
 * Example:
 *     static int hello(void *arg) { ph_sleep(0.01); return 0; }
 *     int main(void) { return ph_run(hello, NULL) < 0; }
 */
PH_EXTERN int ph_run_(ph_task_fn main, void *arg, const ph_run_opts *opts);
#define ph_run(main, arg, ...) ph_run_((main), (arg), &(ph_run_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Seconds since an arbitrary start, from the loop's clock (milliseconds,
 * refreshed once per loop iteration). 0 outside a loop.
 *
 * Suspends: no.
 */
PH_EXTERN double ph_now(void);

/* ------------------------------------------------------------------------ */
/* Tasks                                                                    */
/* ------------------------------------------------------------------------ */

/* Options for ph_spawn(); zero means the default. */
typedef struct ph_spawn_opts {
    int reserved_;     /* private */
    const char *name;  /* copied; shown in overflow reports and logs; default "task" */
    size_t stack_size; /* default: the loop's */
    int detached;      /* nonzero: nobody will join; freed when it finishes */
} ph_spawn_opts;

/*
 * Start `fn(arg)` as a new task on the current loop. It first runs when the
 * caller next suspends (or, from a loop callback, right after it).
 *
 * Every task, joinable or detached, is tracked by its loop: ph_run() returns
 * only once all have finished, and ph_drain() waits for them.
 *
 * Returns:  a handle to pass to ph_join()/ph_cancel(); NULL when out of memory,
 *           outside a loop or for a NULL `fn`. For a detached task the handle is valid only
 *           until the caller next suspends.
 * Owns:     nothing of `arg`: it must stay valid until the task is done.
 * Suspends: no.
 * Context:  a task or a loop callback.
 */
PH_EXTERN ph_task *ph_spawn_(ph_task_fn fn, void *arg, const ph_spawn_opts *opts);
#define ph_spawn(fn, arg, ...) ph_spawn_((fn), (arg), &(ph_spawn_opts){.reserved_ = 0, __VA_ARGS__})

/*
 * Wait for `t` to finish, then free it. Each joinable task must be joined
 * exactly once.
 *
 * Returns:  the task's return value; PH_ECANCELED if the *caller* was
 *           cancelled while waiting (then `t` is cancelled too, and will be
 *           freed when it finishes); PH_EINVAL for a detached task or NULL;
 *           PH_ENOTASK outside a task.
 * Suspends: yes.
 */
PH_EXTERN int ph_join(ph_task *t);

/*
 * Let `t` finish on its own and free it then; it may no longer be joined.
 *
 * Returns:  0; PH_EINVAL if already detached or NULL.
 * Suspends: no.
 */
PH_EXTERN int ph_detach(ph_task *t);

/*
 * Cancel `t`: its current suspension (if any) and every later one return
 * PH_ECANCELED. Cancelling a finished or already cancelled task does nothing.
 *
 * Returns:  0; PH_EINVAL for NULL.
 * Suspends: no.
 */
PH_EXTERN int ph_cancel(ph_task *t);

/* The running task; NULL outside a task. Suspends: no. */
PH_EXTERN ph_task *ph_current(void);

/* The task's name (borrowed, valid while the task is); "?" for NULL. Suspends: no. */
PH_EXTERN const char *ph_task_name(const ph_task *t);

/* Nonzero once `t` (the current task when NULL) has been cancelled. Suspends: no. */
PH_EXTERN int ph_cancelled(const ph_task *t);

/*
 * Wait until every task of this loop other than the caller has finished, or
 * `timeout` seconds pass (< 0: no limit). Graceful shutdown uses it to wait for
 * background work.
 *
 * Returns:  0; PH_ETIMEDOUT; PH_ECANCELED; PH_ENOTASK.
 * Suspends: yes.
 */
PH_EXTERN int ph_drain(double timeout);

/*
 * Run `fn(arg)` when the current task finishes, after its body returns, in
 * reverse order of registration. The usual way to release what a task holds.
 *
 * Returns:  0; PH_ENOMEM (then `fn` is not registered); PH_ENOTASK; PH_EINVAL
 *           for a NULL `fn`.
 * Suspends: no; `fn` must not suspend either.
 */
PH_EXTERN int ph_defer(void (*fn)(void *arg), void *arg);

/* ------------------------------------------------------------------------ */
/* Time                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Suspend the current task for `seconds` (millisecond resolution, counted on
 * the loop's clock: by the wall clock it may end up to a millisecond early or
 * a little late; <= 0 acts as ph_yield()).
 *
 * Returns:  0; PH_ECANCELED; PH_ETIMEDOUT if an enclosing ph_with_timeout()
 *           expired; PH_ENOTASK.
 * Suspends: yes.
 */
PH_EXTERN int ph_sleep(double seconds);

/*
 * Let every other ready task run once, then continue.
 *
 * Returns:  0; PH_ECANCELED; PH_ENOTASK.
 * Suspends: yes.
 */
PH_EXTERN int ph_yield(void);

/*
 * Call `fn(arg)` in the current task with a deadline `seconds` from now. When
 * it passes, the suspension `fn` is in and every later one inside `fn` return
 * PH_ETIMEDOUT, so `fn` unwinds through its ordinary error paths. Scopes nest.
 *
 * Returns:  fn's return value; PH_ETIMEDOUT if the deadline passed (whatever fn
 *           returned); PH_ENOTASK; PH_EINVAL for a NULL `fn`.
 * Suspends: yes, as `fn` does.
 */
PH_EXTERN int ph_with_timeout(double seconds, ph_task_fn fn, void *arg);

/* ------------------------------------------------------------------------ */
/* Running many                                                             */
/* ------------------------------------------------------------------------ */

/*
 * Run `fns[i](args[i])` for i < n concurrently, each in its own task, and wait
 * for all of them. `results` (may be NULL) receives each return value. If the
 * caller is cancelled, every child is cancelled and still awaited.
 *
 * Returns:  0 when all returned >= 0; otherwise the first error in order of
 *           completion; PH_ENOMEM if the tasks could not be started (none
 *           then runs); PH_EINVAL when `fns` or one of them is NULL (none
 *           runs); PH_ENOTASK.
 * Suspends: yes.
 */
PH_EXTERN int ph_gather(size_t n, ph_task_fn const fns[], void *const args[], int results[]);

/* ------------------------------------------------------------------------ */
/* Synchronisation (one loop; not for use across threads)                   */
/* ------------------------------------------------------------------------ */

typedef struct ph_event ph_event;

/* A new, clear event; NULL when out of memory. Suspends: no. */
PH_EXTERN ph_event *ph_event_new(void);

/* Free it. No task may be waiting on it. ph_event_free(NULL) does nothing. */
PH_EXTERN void ph_event_free(ph_event *e);

/* Set the event and wake every waiter, in the order they began to wait. NULL does nothing. */
PH_EXTERN void ph_event_set(ph_event *e);

/* Clear it; later waiters wait again. NULL does nothing. */
PH_EXTERN void ph_event_clear(ph_event *e);

/* Nonzero when set; 0 for NULL. */
PH_EXTERN int ph_event_is_set(const ph_event *e);

/*
 * Wait until the event is set (returns at once if it is).
 *
 * Returns:  0; PH_ECANCELED; PH_ETIMEDOUT (enclosing timeout); PH_ENOTASK;
 *           PH_EINVAL for NULL.
 * Suspends: yes.
 */
PH_EXTERN int ph_event_wait(ph_event *e);

typedef struct ph_queue ph_queue;

/* A FIFO of pointers holding at most `capacity` (>= 1) items; NULL on failure. */
PH_EXTERN ph_queue *ph_queue_new(size_t capacity);

/* Free it; items still inside are not freed. No task may be waiting on it. */
PH_EXTERN void ph_queue_free(ph_queue *q);

/*
 * Append `item`, waiting while the queue is full. Producers are served in the
 * order they began to wait.
 *
 * Returns:  0; PH_ECLOSED once closed; PH_ECANCELED; PH_ETIMEDOUT; PH_ENOTASK;
 *           PH_EINVAL for a NULL queue.
 * Suspends: yes, while full.
 */
PH_EXTERN int ph_queue_put(ph_queue *q, void *item);

/* Append without waiting. 0; PH_EBUSY when full; PH_ECLOSED; PH_EINVAL for a NULL queue.
 * Suspends: no. */
PH_EXTERN int ph_queue_try_put(ph_queue *q, void *item);

/*
 * Take the oldest item into `*item`, waiting while the queue is empty.
 *
 * Returns:  0; PH_ECLOSED once closed and empty; PH_ECANCELED; PH_ETIMEDOUT;
 *           PH_ENOTASK; PH_EINVAL for a NULL queue or `item`.
 * Suspends: yes, while empty.
 */
PH_EXTERN int ph_queue_get(ph_queue *q, void **item);

/* Take without waiting. 0; PH_EAGAIN when empty; PH_ECLOSED; PH_EINVAL for a NULL
 * queue or `item`. Suspends: no. */
PH_EXTERN int ph_queue_try_get(ph_queue *q, void **item);

/* Close: waiting producers get PH_ECLOSED, consumers drain then get it. NULL does nothing. */
PH_EXTERN void ph_queue_close(ph_queue *q);

/* Items in the queue now; 0 for NULL. */
PH_EXTERN size_t ph_queue_len(const ph_queue *q);

typedef struct ph_lock ph_lock;

/* A new, unlocked lock; NULL when out of memory. */
PH_EXTERN ph_lock *ph_lock_new(void);

/* Free it; it must be unlocked with no waiters. ph_lock_free(NULL) does nothing. */
PH_EXTERN void ph_lock_free(ph_lock *l);

/*
 * Take the lock, waiting while another task holds it (first come, first
 * served). Not recursive: a holder that acquires again gets PH_EBUSY.
 *
 * Returns:  0; PH_EBUSY; PH_ECANCELED; PH_ETIMEDOUT; PH_ENOTASK; PH_EINVAL for
 *           NULL.
 * Suspends: yes, while held by another task.
 */
PH_EXTERN int ph_lock_acquire(ph_lock *l);

/* Release it. 0; PH_ESTATE if the caller does not hold it; PH_EINVAL for NULL. Suspends: no. */
PH_EXTERN int ph_lock_release(ph_lock *l);

/* ------------------------------------------------------------------------ */
/* Blocking work on the thread pool                                         */
/* ------------------------------------------------------------------------ */

/*
 * Run `fn(arg)` on libuv's thread pool (size: UV_THREADPOOL_SIZE, default 4)
 * and suspend until it returns. This is how apps use blocking libraries
 * (SQLite, a sync client) without stalling the loop.
 *
 * `fn` must not call phial's task functions. If the task is cancelled before
 * the job has started, the job never runs; once it runs, the task waits for it
 * to return (so `arg` stays valid) and then gets PH_ECANCELED.
 *
 * Returns:  0 with fn's result in `*result` (may be NULL); PH_ECANCELED;
 *           PH_ETIMEDOUT; PH_ENOTASK; PH_EINVAL for a NULL `fn`.
 * Suspends: yes.
 * Thread:   `fn` runs on another thread.
 */
PH_EXTERN int ph_to_thread(void *(*fn)(void *arg), void *arg, void **result);

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

/* What ph_fs_stat() reports. */
typedef struct ph_stat {
    uint64_t size;     /* bytes */
    double mtime;      /* seconds since the epoch, with nanoseconds */
    uint64_t ino;      /* inode number */
    uint64_t dev;      /* device id */
    unsigned int mode; /* st_mode: type and permission bits */
} ph_stat;

/*
 * Stat `path` without blocking the loop.
 *
 * Returns:  0; PH_ENOENT; PH_EACCES; PH_EIO; PH_ECANCELED; PH_ENOTASK;
 *           PH_EINVAL for a NULL `path` or `st`.
 * Suspends: yes.
 */
PH_EXTERN int ph_fs_stat(const char *path, ph_stat *st);

/*
 * Read the whole of `path` (at most `max` bytes; 0 = no limit) without
 * blocking the loop. `*data` is NUL-terminated for convenience.
 *
 * Returns:  0; PH_ENOENT; PH_EACCES; PH_ETOOBIG (larger than `max`); PH_EIO;
 *           PH_ENOMEM; PH_ECANCELED; PH_ENOTASK; PH_EINVAL for a NULL `path`
 *           or `data` (`len` may be NULL).
 * Owns:     `*data` is the caller's, freed with ph_free().
 * Suspends: yes.
 */
PH_EXTERN int ph_fs_read_file(const char *path, size_t max, char **data, size_t *len);

/*
 * Read up to `len` bytes of `path` from `offset` into `buf`.
 *
 * Returns:  the number of bytes read (0 at or past the end); PH_ENOENT;
 *           PH_EACCES; PH_EIO; PH_ECANCELED; PH_ENOTASK; PH_EINVAL for a NULL
 *           `path`, or a NULL `buf` with `len` > 0.
 * Suspends: yes.
 */
PH_EXTERN ssize_t ph_fs_read_range(const char *path, uint64_t offset, void *buf, size_t len);

/* Free memory that phial handed to the caller. ph_free(NULL) does nothing. */
PH_EXTERN void ph_free(void *p);

/* ------------------------------------------------------------------------ */
/* TCP client                                                               */
/* ------------------------------------------------------------------------ */

typedef struct ph_tcp ph_tcp;

/*
 * Resolve `host` (through libuv's getaddrinfo) and connect to the first
 * address that accepts, within `timeout` seconds (< 0: no limit).
 *
 * Returns:  the connection, or NULL with `*err` set (`err` may be NULL):
 *           PH_EDNS, PH_ECONNREFUSED, PH_ETIMEDOUT, PH_ECANCELED, PH_ENOMEM,
 *           PH_EIO, PH_ENOTASK, PH_EINVAL (a NULL `host`, a bad port).
 * Owns:     the caller owns the connection; ph_tcp_close() frees it.
 * Suspends: yes.
 */
PH_EXTERN ph_tcp *ph_tcp_connect(const char *host, int port, double timeout, int *err);

/*
 * Read what is available, up to `len` bytes, waiting up to `timeout` seconds
 * (< 0: no limit) for at least one.
 *
 * Returns:  bytes read (> 0); 0 at end of stream; PH_ETIMEDOUT;
 *           PH_ECONNRESET; PH_ECANCELED; PH_EIO; PH_ENOTASK; PH_EINVAL (a NULL
 *           connection or `buf`, `len` 0, or a read already in progress).
 * Suspends: yes.
 */
PH_EXTERN ssize_t ph_tcp_read(ph_tcp *c, void *buf, size_t len, double timeout);

/*
 * Write all `len` bytes, waiting up to `timeout` seconds (< 0: no limit).
 *
 * Returns:  0; PH_ETIMEDOUT; PH_ECLOSED; PH_ECONNRESET; PH_ECANCELED;
 *           PH_ENOMEM; PH_EIO; PH_ENOTASK; PH_EINVAL (a NULL connection, or
 *           NULL data with `len` > 0). After a failure the connection can only
 *           be closed.
 * Owns:     copies what it could not write at once.
 * Suspends: yes, when the socket buffer is full.
 */
PH_EXTERN int ph_tcp_write(ph_tcp *c, const void *data, size_t len, double timeout);

/* Close and free the connection. ph_tcp_close(NULL) does nothing. Suspends: no. */
PH_EXTERN void ph_tcp_close(ph_tcp *c);

/* ------------------------------------------------------------------------ */
/* Task-local slots                                                         */
/* ------------------------------------------------------------------------ */

/* The number of task-local slots. */
#define PH_TASK_LOCAL_SLOTS 8

/*
 * Reserve a task-local slot for the whole process (the framework takes two:
 * the app context and the request context).
 *
 * Returns:  a key in [0, PH_TASK_LOCAL_SLOTS); PH_EBUSY when all are taken.
 * Suspends: no.
 * Thread:   safe.
 */
PH_EXTERN int ph_task_local_key(void);

/* The current task's value for `key`; NULL outside a task. Suspends: no. */
PH_EXTERN void *ph_task_local_get(int key);

/*
 * Set the current task's value for `key`. A new task starts with every slot
 * NULL: values are not inherited by spawned tasks.
 *
 * Returns:  0; PH_EINVAL bad key; PH_ENOTASK.
 * Suspends: no.
 */
PH_EXTERN int ph_task_local_set(int key, void *value);

#ifdef __cplusplus
}
#endif
#endif
