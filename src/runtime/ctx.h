/*
 * Machine context switch between task stacks.
 *
 * On x86_64 (System V) and aarch64 (AAPCS64) the switch is a few lines of
 * assembly that save the callee-saved registers on the old stack, swap stack
 * pointers and restore them from the new stack: no system call, no signal
 * mask. Elsewhere (or with -DPH_CTX_UCONTEXT) ucontext is the portable
 * fallback; it is slower because swapcontext saves the signal mask.
 */
#ifndef PH_RUNTIME_CTX_H
#define PH_RUNTIME_CTX_H

#include <stddef.h>

#if !defined(PH_CTX_UCONTEXT) && !defined(__x86_64__) && !defined(__aarch64__)
#define PH_CTX_UCONTEXT 1
#endif

#ifdef PH_CTX_UCONTEXT
#include <ucontext.h>
typedef struct ph__ctx {
    ucontext_t uc;
} ph__ctx;
#else
typedef struct ph__ctx {
    void *sp; /* saved stack pointer; the registers sit just above it */
} ph__ctx;
#endif

/*
 * Prepare `c` so that the first switch to it calls `entry(arg)` on the stack
 * [stack, stack + size). `entry` must never return: it ends by switching away
 * for the last time.
 */
void ph__ctx_make(ph__ctx *c, void *stack, size_t size, void (*entry)(void *), void *arg);

/* Save the current context in `from` and continue in `to`. */
void ph__ctx_switch(ph__ctx *from, ph__ctx *to);

#endif
