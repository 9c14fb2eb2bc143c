/*
 * A self-contained check of the machine context switch, built without the
 * rest of phial so it can also be cross-compiled for aarch64 and run under
 * qemu: values in callee-saved registers and floating-point state survive
 * switches both ways, and the first switch enters the function with its
 * argument.
 */
#include "runtime/ctx.h"

#include <stdio.h>
#include <stdlib.h>

static ph__ctx main_ctx, other_ctx;
static volatile double acc;
static long counter;

static void entry(void *arg) {
    double x = *(double *)arg;
    for (;;) {
        acc += x * 1.5;
        counter++;
        ph__ctx_switch(&other_ctx, &main_ctx);
    }
}

int main(void) {
    char *stack = malloc(65536);
    double arg = 2.0;
    if (!stack)
        return 1;
    ph__ctx_make(&other_ctx, stack, 65536, entry, &arg);
    double local = 3.25;
    long sum = 0;
    for (long i = 0; i < 1000; i++) {
        ph__ctx_switch(&main_ctx, &other_ctx);
        sum += i;
        local *= 1.0000001;
    }
    if (counter != 1000 || acc != 3000.0 || sum != 499500 || local < 3.25) {
        printf("FAIL: counter %ld acc %f sum %ld\n", counter, acc, sum);
        return 1;
    }
    printf("ok: %ld switches\n", counter * 2);
    free(stack);
    return 0;
}
