/* Stack overflow is reported with the task's name, not silent corruption. */
#include "phial.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int recurse(int depth) {
    volatile char pad[1024];
    memset((char *)pad, depth, sizeof(pad));
    return depth > 100000000 ? pad[0] : recurse(depth + 1) + pad[1];
}

static int overflow(void *arg) { return recurse(0); }

static int main_overflow(void *arg) {
    ph_task *t = ph_spawn(overflow, NULL, .name = "deep-recursion", .stack_size = 64 * 1024);
    return ph_join(t);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

Test(stack, overflow_is_reported_with_task_name) {
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        ph_run(main_overflow, NULL);
        _exit(0);
    }
    close(fds[1]);
    char out[4096] = {0};
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], out + got, sizeof(out) - 1 - got)) > 0)
        got += (size_t)n;
    int status;
    waitpid(pid, &status, 0);
    cr_assert(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0),
              "the process must not carry on after an overflow");
#ifndef UNDER_ASAN
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    cr_assert(strstr(out, "stack overflow in task 'deep-recursion'") != NULL, "stderr: %s", out);
    cr_assert(strstr(out, "64 KiB") != NULL, "stderr: %s", out);
#else
    cr_assert(strstr(out, "stack-overflow") != NULL, "stderr: %s", out);
#endif
}
