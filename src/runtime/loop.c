/*
 * The loop and the scheduler: ph_run(), the run queue, and the switches
 * between the scheduler context (the thread's own stack) and tasks.
 *
 * Tasks only ever switch to and from the scheduler, never directly to each
 * other: ph__sched_drain() pops a ready task, switches into it, and gets
 * control back when the task suspends, yields or finishes. Wakes from inside
 * a task just enqueue; wakes from libuv callbacks enqueue and the callback
 * drains at its end, so a woken task runs in the same loop iteration. An idle
 * handle is a safety net that keeps libuv from blocking in poll while the
 * queue is not empty.
 *
 * When libuv runs out of work while tasks are still suspended, nothing can
 * ever wake them: ph_run() reports the deadlock and cancels them so their
 * cleanup runs, instead of hanging or leaking.
 */
#include "runtime/loop.h"

#include "runtime/asan.h"
#include "util/alloc.h"
#include "util/log.h"

#include <string.h>

static _Thread_local ph__loop *tls_loop;

ph__loop *ph__loop_get(void) { return tls_loop; }

uv_loop_t *ph__uv(void) { return tls_loop ? &tls_loop->uv : NULL; }

double ph_now(void) { return tls_loop ? (double)uv_now(&tls_loop->uv) / 1e3 : 0.0; }

int ph__err_from_uv(int e) {
    switch (e) {
    case 0:
        return 0;
    case UV_ENOMEM:
        return PH_ENOMEM;
    case UV_EINVAL:
        return PH_EINVAL;
    case UV_ECANCELED:
        return PH_ECANCELED;
    case UV_ETIMEDOUT:
        return PH_ETIMEDOUT;
    case UV_EBUSY:
        return PH_EBUSY;
    case UV_ENOENT:
    case UV_ENOTDIR:
        return PH_ENOENT;
    case UV_EACCES:
    case UV_EPERM:
        return PH_EACCES;
    case UV_ECONNREFUSED:
        return PH_ECONNREFUSED;
    case UV_ECONNRESET:
    case UV_EPIPE:
    case UV_ECONNABORTED:
        return PH_ECONNRESET;
    case UV_EOF:
        return PH_ECLOSED;
    case UV_EADDRINUSE:
        return PH_EADDRINUSE;
    case UV_EEXIST:
        return PH_EEXIST;
    case UV_ENOTSUP:
        return PH_ENOTSUP;
    case UV_EMFILE:
    case UV_ENFILE:
        return PH_EBUSY;
    case UV_EAI_AGAIN:
    case UV_EAI_FAIL:
    case UV_EAI_NONAME:
    case UV_EAI_NODATA:
    case UV_EAI_SERVICE:
    case UV_EAI_FAMILY:
    case UV_EAI_ADDRFAMILY:
        return PH_EDNS;
    case UV_EAI_MEMORY:
        return PH_ENOMEM;
    default:
        return PH_EIO;
    }
}

/* ---- run queue ---------------------------------------------------------- */

static void on_idle(uv_idle_t *h) { ph__sched_drain(h->data); }

void ph__sched_enqueue(ph__loop *l, ph_task *t) {
    t->state = PH__TASK_READY;
    t->run_next = NULL;
    if (l->run_tail)
        l->run_tail->run_next = t;
    else
        l->run_head = t;
    l->run_tail = t;
    if (!l->current && !l->draining && !uv_is_active((uv_handle_t *)&l->idle))
        uv_idle_start(&l->idle, on_idle);
}

static ph_task *dequeue(ph__loop *l) {
    ph_task *t = l->run_head;
    if (t) {
        l->run_head = t->run_next;
        if (!l->run_head)
            l->run_tail = NULL;
        t->run_next = NULL;
    }
    return t;
}

void ph__task_release(ph_task *t);
void ph__task_finished(ph_task *t);

static void resume(ph__loop *l, ph_task *t) {
    l->current = t;
    t->state = PH__TASK_RUNNING;
    l->switches++;
    ph__asan_start(&l->sched_fake_stack, t->stack->base, t->stack->size);
    ph__ctx_switch(&l->sched_ctx, &t->ctx);
    ph__asan_finish(l->sched_fake_stack, NULL, NULL);
    l->current = NULL;
    if (t->state == PH__TASK_DONE)
        ph__task_finished(t);
}

/*
 * Tasks made ready for the first time in a pass (a spawned task, the next
 * pipelined request) always run in it. Tasks that run again in the same pass
 * (they yielded, or were woken by a task that ran after them) draw on a
 * budget; when it is spent, the rest waits for the next loop iteration, so
 * tasks yielding in a loop cannot starve timers and I/O, while the cost of a
 * loop iteration is shared by many yields.
 */
#define REPEAT_BUDGET 64

void ph__sched_drain(ph__loop *l) {
    if (!l || l->current || l->draining)
        return;
    l->draining = 1;
    uint64_t gen = ++l->drain_gen;
    int budget = REPEAT_BUDGET;
    ph_task *t;
    while ((t = dequeue(l)) != NULL) {
        if (t->drain_gen == gen && budget-- <= 0) {
            t->run_next = l->run_head; /* back to the front: first next time */
            l->run_head = t;
            if (!l->run_tail)
                l->run_tail = t;
            break;
        }
        t->drain_gen = gen;
        resume(l, t);
    }
    l->draining = 0;
    if (l->run_head) {
        if (!uv_is_active((uv_handle_t *)&l->idle))
            uv_idle_start(&l->idle, on_idle); /* come back without blocking in poll */
    } else if (uv_is_active((uv_handle_t *)&l->idle)) {
        uv_idle_stop(&l->idle);
    }
}

void ph__sched_switch_out(ph_task *t) {
    ph__loop *l = t->loop;
    ph__asan_start(&t->asan_fake_stack, l->sched_stack_bottom, l->sched_stack_size);
    ph__ctx_switch(&t->ctx, &l->sched_ctx);
    ph__asan_finish(t->asan_fake_stack, &l->sched_stack_bottom, &l->sched_stack_size);
}

/* ---- ph_run ------------------------------------------------------------- */

static void after_timers(void *data) { ph__sched_drain(data); }

static void close_any(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void cancel_all(ph__loop *l) {
    for (ph_task *t = l->live; t; t = t->live_next)
        ph__task_interrupt(t, PH_ECANCELED);
    for (ph_task *t = l->live; t; t = t->live_next)
        t->cancelled = 1;
}

int ph_run_(ph_task_fn main, void *arg, const ph_run_opts *opts) {
    static const ph_run_opts defaults;
    if (!opts) /* called directly, not through ph_run() */
        opts = &defaults;
    if (!main)
        return PH_EINVAL;
    if (tls_loop)
        return PH_EBUSY;
    ph__loop *l = ph__calloc(1, sizeof(*l));
    if (!l)
        return PH_ENOMEM;
    if (uv_loop_init(&l->uv) != 0) {
        ph__free(l);
        return PH_ENOMEM;
    }
    ph__wheel_init(&l->wheel, &l->uv, after_timers, l);
    uv_idle_init(&l->uv, &l->idle);
    l->idle.data = l;
    ph__stack_pool_init(&l->stacks, opts->stack_size, opts->stack_pool_max);
    tls_loop = l;
    ph__stack_overflow_init_thread();

    int rc;
    ph_task *m = ph_spawn(main, arg, .name = opts->name ? opts->name : "main");
    if (!m) {
        rc = PH_ENOMEM;
    } else {
        for (int round = 0;; round++) {
            ph__sched_drain(l);
            uv_run(&l->uv, UV_RUN_DEFAULT);
            if (l->nlive == 0)
                break;
            if (round == 3) {
                PH_LOG_ERR("ph_run: %zu task(s) still suspended after cancellation; giving up",
                           l->nlive);
                break;
            }
            PH_LOG_ERR("ph_run: deadlock: %zu task(s) suspended with nothing left to wake "
                       "them (first: '%s'); cancelling them",
                       l->nlive, l->live->name);
            cancel_all(l);
        }
        rc = m->state == PH__TASK_DONE ? m->result : PH_ECANCELED;
        if (m->state == PH__TASK_DONE)
            ph__task_release(m);
    }

    ph__wheel_close(&l->wheel, NULL);
    uv_close((uv_handle_t *)&l->idle, NULL);
    uv_run(&l->uv, UV_RUN_DEFAULT);
    if (uv_loop_close(&l->uv) == UV_EBUSY) {
        uv_walk(&l->uv, close_any, NULL);
        uv_run(&l->uv, UV_RUN_DEFAULT);
        uv_loop_close(&l->uv);
    }
    ph__stack_pool_close(&l->stacks);
    ph__stack_overflow_fini_thread();
    tls_loop = NULL;
    ph__free(l);
    return rc;
}
