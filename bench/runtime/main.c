/*
 * bench/runtime — the cost of phial's tasks beside the thread-per-task
 * baseline, measured in the same run:
 *   - one context switch, alone and as a whole yield round trip through the
 *     scheduler;
 *   - spawning a task that returns at once, until it is finished;
 *   - resident memory per suspended task at 10,000 and 100,000 tasks;
 * and for pthreads: create+join of a thread that returns at once, and
 * resident memory per blocked thread at 10,000 threads. Prints each figure
 * and phial's advantage as a ratio.
 */
#include "phial.h"
#include "runtime/loop.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- context switch ---- */

static ph__ctx ctx_main, ctx_other;
static void ping(void *arg) {
    for (;;)
        ph__ctx_switch(&ctx_other, &ctx_main);
}

/* The machine switch alone: two contexts handing control back and forth. */
static double raw_switch_ns(void) {
    static char stack[64 * 1024];
    ph__ctx_make(&ctx_other, stack, sizeof(stack), ping, NULL);
    long n = 20000000;
    double t0 = now();
    for (long i = 0; i < n; i++)
        ph__ctx_switch(&ctx_main, &ctx_other);
    return (now() - t0) * 1e9 / (double)(2 * n);
}

static double switch_ns;

static int yielder(void *arg) {
    long n = (long)(intptr_t)arg;
    for (long i = 0; i < n; i++)
        ph_yield();
    return 0;
}

static int bench_switch(void *arg) {
    long n = 5000000;
    ph_task *t = ph_spawn(yielder, (void *)(intptr_t)n);
    ph__loop *l = ph__loop_get();
    ph_yield(); /* let it start */
    uint64_t s0 = l->switches;
    double t0 = now();
    ph_join(t);
    double dt = now() - t0;
    uint64_t sw = l->switches - s0;
    /* Each resume is a switch in and, when the task parks again, one out. */
    switch_ns = dt * 1e9 / (double)sw; /* one yield: out to the scheduler and back */
    return 0;
}

/* ---- spawn ---- */

static int nothing(void *arg) { return 0; }

static double spawn_ns;

static int bench_spawn(void *arg) {
    long n = 1000000;
    double t0 = now();
    for (long i = 0; i < n; i += 100) {
        ph_task *ts[100];
        for (int k = 0; k < 100; k++)
            ts[k] = ph_spawn(nothing, NULL);
        for (int k = 0; k < 100; k++)
            ph_join(ts[k]);
    }
    spawn_ns = (now() - t0) * 1e9 / (double)n;
    return 0;
}

static void *thread_nothing(void *arg) { return arg; }

static double pthread_spawn_ns(void) {
    long n = 20000;
    double t0 = now();
    for (long i = 0; i < n; i++) {
        pthread_t th;
        pthread_create(&th, NULL, thread_nothing, NULL);
        pthread_join(th, NULL);
    }
    return (now() - t0) * 1e9 / (double)n;
}

/* ---- memory per suspended task ---- */

static ph_event *gate;
static long parked_count;
static double per_task_kib;

static int parked(void *arg) {
    volatile char frame[512]; /* a little of what a real handler keeps on its stack */
    memset((char *)frame, 1, sizeof(frame));
    parked_count++;
    ph_event_wait(gate);
    return frame[0] - 1;
}

static int bench_memory(void *arg) {
    long n = (long)(intptr_t)arg;
    gate = ph_event_new();
    parked_count = 0;
    long before = rss_kib();
    for (long i = 0; i < n; i++)
        ph_spawn(parked, NULL, .detached = 1);
    while (parked_count < n)
        ph_yield();
    long after = rss_kib();
    per_task_kib = (double)(after - before) / (double)n;
    ph_event_set(gate);
    ph_yield();
    ph_event_free(gate);
    return 0;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int released;
static long started;

static void *thread_parked(void *arg) {
    volatile char frame[512];
    memset((char *)frame, 1, sizeof(frame));
    pthread_mutex_lock(&mu);
    started++;
    pthread_cond_broadcast(&cv);
    while (!released)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return NULL;
}

static double pthread_memory_kib(long n) {
    pthread_t *th = calloc((size_t)n, sizeof(*th));
    long before = rss_kib();
    long made = 0;
    for (; made < n; made++)
        if (pthread_create(&th[made], NULL, thread_parked, NULL) != 0)
            break;
    pthread_mutex_lock(&mu);
    while (started < made)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    long after = rss_kib();
    pthread_mutex_lock(&mu);
    released = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    for (long i = 0; i < made; i++)
        pthread_join(th[i], NULL);
    free(th);
    if (made < n)
        fprintf(stderr, "pthreads: only %ld of %ld threads could be created\n", made, n);
    return made ? (double)(after - before) / (double)made : 0;
}

int main(void) {
    ph_log_set_level(PH_LOG_ERROR);
    double raw = raw_switch_ns();
    ph_run(bench_switch, NULL);
    ph_run(bench_spawn, NULL);
    double th_spawn = pthread_spawn_ns();
    ph_run(bench_memory, (void *)(intptr_t)10000, .stack_pool_max = 200000);
    double mem10k = per_task_kib;
    ph_run(bench_memory, (void *)(intptr_t)100000, .stack_pool_max = 200000);
    double mem100k = per_task_kib;
    double th_mem = pthread_memory_kib(10000);

    printf("phial runtime benchmark (pthreads measured in the same run)\n");
    printf("%-44s %12s %12s %10s\n", "measure", "phial", "pthreads", "ratio");
    printf("%-44s %10.1f ns %12s %10s\n", "context switch (machine switch alone)", raw, "-", "-");
    printf("%-44s %10.1f ns %12s %10s\n", "yield round trip (task -> scheduler -> task)",
           switch_ns, "-", "-");
    printf("%-44s %10.0f ns %9.0f ns %9.1fx\n", "spawn + finish + join, empty body", spawn_ns,
           th_spawn, th_spawn / spawn_ns);
    printf("%-44s %8.2f KiB %8.2f KiB %9.1fx\n", "resident memory per suspended task (10,000)",
           mem10k, th_mem, th_mem / mem10k);
    printf("%-44s %8.2f KiB %12s %10s\n", "resident memory per suspended task (100,000)", mem100k,
           "-", "-");
    return 0;
}
