/*
 * Task stacks. Each stack is one anonymous mapping reserved with
 * MAP_NORESERVE, so only the pages a task touches become resident; a
 * PROT_NONE guard page sits below it so an overflow faults instead of
 * silently corrupting the neighbouring memory. Free stacks are kept in a
 * per-loop pool because mmap/mprotect/munmap cost system calls and TLB
 * shootdowns that spawning a task should not pay.
 *
 * The guard page splits the mapping in two, and Linux caps mappings per
 * process (vm.max_map_count, 65530 by default). When the cap is hit the
 * mprotect fails; the stack is then used without a guard and a warning says
 * to raise the sysctl, instead of refusing to start the task.
 *
 * An overflow is reported by a SIGSEGV handler running on an alternate
 * signal stack (the faulting stack is unusable): if the faulting address is
 * in the guard page of the stack the thread runs on, it names the task and
 * the stack size, then lets the default action terminate the process.
 */
#include "stack.h"

#include "runtime/asan.h"
#include "runtime/loop.h"

#include "util/alloc.h"
#include "util/log.h"

#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef PH_HAVE_VALGRIND
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(a, b) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)(id))
#endif

/* Guarded stacks mapped by the whole process (each costs two mappings). */
static atomic_long guarded_stacks;
/* Free unguarded slab stacks of this thread's loops. */
static _Thread_local ph__stack *slab_free;

size_t ph__page_size(void) {
    static size_t page;
    if (!page) {
        long p = sysconf(_SC_PAGESIZE);
        page = p > 0 ? (size_t)p : 4096;
    }
    return page;
}

static size_t round_pages(size_t n) {
    size_t page = ph__page_size();
    return (n + page - 1) & ~(page - 1);
}

void ph__stack_pool_init(ph__stack_pool *p, size_t size, size_t max_free) {
    memset(p, 0, sizeof(*p));
    p->size = round_pages(size ? size : PH__STACK_DEFAULT);
    if (p->size < 4 * ph__page_size())
        p->size = 4 * ph__page_size();
    p->max_free = max_free ? max_free : 1024;
}

static void stack_unmap(ph__stack *s) {
    VALGRIND_STACK_DEREGISTER(s->vg_id);
    if (s->guarded)
        atomic_fetch_sub(&guarded_stacks, 1);
    if (s->slab) {
        /* Slab stacks are never unmapped one by one (that would split the
         * slab's mapping); their pages are returned to the system instead. */
        madvise(s->base, s->size, MADV_DONTNEED);
        s->next = slab_free;
        slab_free = s;
        return;
    }
    munmap(s->map, s->map_size);
}

void ph__stack_pool_close(ph__stack_pool *p) {
    while (p->free) {
        ph__stack *s = p->free;
        p->free = s->next;
        stack_unmap(s);
    }
    p->nfree = 0;
}

/* How many guarded stacks fit under vm.max_map_count, leaving room for the
 * rest of the process (libraries, heap arenas, thread stacks). */
static long guarded_budget(void) {
    static long budget = -1;
    if (budget < 0) {
        long max = 65530;
        FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
        if (f) {
            if (fscanf(f, "%ld", &max) != 1)
                max = 65530;
            fclose(f);
        }
        budget = max > 16384 ? (max - 8192) / 2 : max / 4;
    }
    return budget;
}

static ph__stack *describe(char *map, size_t map_size, size_t guard, int guarded, int slab) {
    /* The descriptor sits at the very top of the stack it describes. */
    ph__stack *s = (ph__stack *)(map + map_size - sizeof(ph__stack));
    s->map = map;
    s->map_size = map_size;
    s->base = map + guard;
    s->size = map_size - guard - sizeof(ph__stack);
    s->guarded = guarded;
    s->slab = slab;
    s->next = NULL;
    s->vg_id = VALGRIND_STACK_REGISTER(s->base, s->base + s->size);
    return s;
}

/* An unguarded stack carved from a slab: one mapping for many stacks. */
static ph__stack *slab_stack(size_t size) {
    for (ph__stack **pp = &slab_free; *pp; pp = &(*pp)->next) {
        ph__stack *s = *pp;
        if (s->map_size == size) {
            *pp = s->next;
            s->next = NULL;
            s->vg_id = VALGRIND_STACK_REGISTER(s->base, s->base + s->size);
            return s;
        }
    }
    enum { PER_SLAB = 64 };
    char *slab = mmap(NULL, size * PER_SLAB, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (slab == MAP_FAILED)
        return NULL;
    for (int i = 1; i < PER_SLAB; i++) {
        ph__stack *s = describe(slab + (size_t)i * size, size, 0, 0, 1);
        VALGRIND_STACK_DEREGISTER(s->vg_id);
        s->next = slab_free;
        slab_free = s;
    }
    return describe(slab, size, 0, 0, 1);
}

static ph__stack *stack_map(size_t size) {
    static int warned;
    size_t page = ph__page_size();
    if (atomic_load(&guarded_stacks) >= guarded_budget()) {
        if (!warned) {
            warned = 1;
            PH_LOG_WARN("task stacks: %ld guarded stacks reach vm.max_map_count; further stacks "
                        "have no guard page. Raise vm.max_map_count (two mappings per task).",
                        guarded_budget());
        }
        return slab_stack(size + page);
    }
    size_t map_size = size + page;
    char *map = mmap(NULL, map_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (map == MAP_FAILED)
        return NULL;
    if (mprotect(map, page, PROT_NONE) != 0) {
        munmap(map, map_size);
        return slab_stack(map_size);
    }
    atomic_fetch_add(&guarded_stacks, 1);
    return describe(map, map_size, page, 1, 0);
}

ph__stack *ph__stack_get(ph__stack_pool *p, size_t size) {
    size = size ? round_pages(size) : p->size;
    if (size < 4 * ph__page_size())
        size = 4 * ph__page_size();
    if (size == p->size && p->free) {
        ph__stack *s = p->free;
        p->free = s->next;
        p->nfree--;
        s->next = NULL;
        return s;
    }
    return stack_map(size);
}

void ph__stack_put(ph__stack_pool *p, ph__stack *s) {
    if (s->map_size == p->size + ph__page_size() && p->nfree < p->max_free) {
        s->next = p->free;
        p->free = s;
        p->nfree++;
        return;
    }
    stack_unmap(s);
}

/* ---- overflow reporting ------------------------------------------------ */

static _Thread_local void *altstack;
static struct sigaction previous;
static pthread_once_t handler_once __attribute__((unused)) = PTHREAD_ONCE_INIT;

static void write_str(const char *s) {
    ssize_t r = write(STDERR_FILENO, s, strlen(s));
    (void)r;
}

static void on_segv(int sig, siginfo_t *info, void *uctx) {
    /* The running task, if any, is the loop's current one: found here rather
     * than recorded on every switch, which would cost the hot path. */
    ph__loop *l = ph__loop_get();
    ph_task *t = l ? l->current : NULL;
    const ph__stack *s = t ? t->stack : NULL;
    const char *watched_name = t ? t->name : NULL;
    char *addr = info->si_addr;
    if (s && s->guarded && addr >= s->map && addr < s->base + 64) {
        char size[32];
        snprintf(size, sizeof(size), "%zu", (s->map_size - ph__page_size()) / 1024);
        write_str("phial: stack overflow in task '");
        write_str(watched_name ? watched_name : "?");
        write_str("' (stack size ");
        write_str(size);
        write_str(" KiB); give the task a larger .stack_size\n");
    }
    /* Hand the fault to whoever had it before (the default: terminate). */
    if (previous.sa_flags & SA_SIGINFO && previous.sa_sigaction) {
        previous.sa_sigaction(sig, info, uctx);
        return;
    }
    sigaction(SIGSEGV, &previous, NULL);
    if (previous.sa_handler == SIG_IGN || previous.sa_handler == SIG_DFL)
        signal(SIGSEGV, SIG_DFL);
}

__attribute__((unused)) static void install_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous);
}

void ph__stack_overflow_init_thread(void) {
#ifndef PH_ASAN /* AddressSanitizer reports stack overflows itself. */
    if (altstack)
        return;
    size_t size = 64 * 1024;
    altstack = ph__malloc(size);
    if (!altstack)
        return;
    stack_t ss = {.ss_sp = altstack, .ss_size = size, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) {
        ph__free(altstack);
        altstack = NULL;
        return;
    }
    pthread_once(&handler_once, install_handler);
#endif
}

void ph__stack_overflow_fini_thread(void) {
    if (!altstack)
        return;
    stack_t ss = {.ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    ph__free(altstack);
    altstack = NULL;
}

