/*
 * Preparing and switching machine contexts (see ctx.h). The assembly lives in
 * ctx_<arch>.S; this file lays out the first frame of a new context to match
 * what that assembly restores, and holds the ucontext fallback.
 */
#include "ctx.h"

#include <stdint.h>
#include <string.h>

#ifndef PH_CTX_UCONTEXT

void ph__ctx_swap(void **save_sp, void *load_sp);
void ph__ctx_trampoline(void);

void ph__ctx_switch(ph__ctx *from, ph__ctx *to) { ph__ctx_swap(&from->sp, to->sp); }

#if defined(__x86_64__)
void ph__ctx_make(ph__ctx *c, void *stack, size_t size, void (*entry)(void *), void *arg) {
    /* The frame ph__ctx_swap restores, from low to high addresses: control
     * words, r15, r14, r13, r12, rbx, rbp, return address. After the final
     * `ret` the stack pointer must be 16-byte aligned so that the trampoline's
     * `call` enters `entry` with the alignment the ABI promises. */
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)(top - 16 - 8 * 8);
    memset(sp, 0, 8 * 8);
    uint32_t mxcsr = 0x1F80; /* all exceptions masked, round to nearest */
    uint16_t fpucw = 0x037F; /* x87 default: extended precision, masked */
    memcpy((char *)sp, &mxcsr, 4);
    memcpy((char *)sp + 4, &fpucw, 2);
    sp[4] = (uint64_t)(uintptr_t)entry; /* r12 */
    sp[3] = (uint64_t)(uintptr_t)arg;   /* r13 */
    sp[7] = (uint64_t)(uintptr_t)ph__ctx_trampoline;
    c->sp = sp;
}
#elif defined(__aarch64__)
void ph__ctx_make(ph__ctx *c, void *stack, size_t size, void (*entry)(void *), void *arg) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)(top - 176);
    memset(sp, 0, 176);
    sp[0] = (uint64_t)(uintptr_t)entry; /* x19 */
    sp[1] = (uint64_t)(uintptr_t)arg;   /* x20 */
    sp[11] = (uint64_t)(uintptr_t)ph__ctx_trampoline; /* x30 */
    c->sp = sp;
}
#endif

#else /* PH_CTX_UCONTEXT */

/* makecontext passes int arguments only, so the pointers travel in halves. */
static void uc_entry(unsigned hi_fn, unsigned lo_fn, unsigned hi_arg, unsigned lo_arg) {
    void (*entry)(void *) =
        (void (*)(void *))(uintptr_t)(((uint64_t)hi_fn << 32) | (uint64_t)lo_fn);
    void *arg = (void *)(uintptr_t)(((uint64_t)hi_arg << 32) | (uint64_t)lo_arg);
    entry(arg);
}

void ph__ctx_make(ph__ctx *c, void *stack, size_t size, void (*entry)(void *), void *arg) {
    uint64_t f = (uint64_t)(uintptr_t)entry, a = (uint64_t)(uintptr_t)arg;
    getcontext(&c->uc);
    c->uc.uc_stack.ss_sp = stack;
    c->uc.uc_stack.ss_size = size;
    c->uc.uc_link = NULL;
    makecontext(&c->uc, (void (*)(void))uc_entry, 4, (unsigned)(f >> 32), (unsigned)f,
                (unsigned)(a >> 32), (unsigned)a);
}

void ph__ctx_switch(ph__ctx *from, ph__ctx *to) { swapcontext(&from->uc, &to->uc); }

#endif
