/*
 * Context switch for x86_64, System V ABI.
 *
 *   void ph__ctx_swap(void **save_sp, void *load_sp)
 *
 * Saves rbp, rbx, r12-r15 and the SSE/x87 control words (callee-saved by the
 * ABI) on the current stack, stores the stack pointer in *save_sp, loads
 * load_sp and restores the same set from there. A new context is prepared by
 * ph__ctx_make so that its first restore "returns" into ph__ctx_trampoline
 * with the entry function in r12 and its argument in r13.
 */
#if defined(__x86_64__) && !defined(PH_CTX_UCONTEXT)
    .text
    .globl ph__ctx_swap
    .hidden ph__ctx_swap
    .type ph__ctx_swap, @function
ph__ctx_swap:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size ph__ctx_swap, .-ph__ctx_swap

    .globl ph__ctx_trampoline
    .hidden ph__ctx_trampoline
    .type ph__ctx_trampoline, @function
ph__ctx_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    movq %r13, %rdi
    callq *%r12
    ud2
    .cfi_endproc
    .size ph__ctx_trampoline, .-ph__ctx_trampoline
#endif
    .section .note.GNU-stack,"",@progbits
