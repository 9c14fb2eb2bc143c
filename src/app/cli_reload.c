/*
 * The reloader of `run --reload`: this process no longer serves; it starts
 * the server as a child (fork, then exec of the same executable with the
 * same arguments, marked by PHIAL_RUN_RELOADER_CHILD=1 so the child serves),
 * polls the executable and the watched paths every half second (stat of
 * every file under each folder: mtime, size, inode), and when something
 * changed and has stayed the same for one more poll (a linker still
 * writing the executable), stops the child with SIGTERM and starts a new
 * one. So rebuilding the app restarts the server.
 *
 * A child that exits on its own is not restarted until something changes
 * (a crash at startup would otherwise loop); SIGTERM or SIGINT to the
 * reloader stops the child and ends it. Polling is used rather than
 * inotify because it also sees a replaced executable and folders created
 * later, at a cost that does not matter for a development server.
 */
#include "app/cli.h"

#include "app/core.h"

#include "util/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POLL_SECONDS 0.5
#define STOP_SECONDS 10.0
#define WATCH_MAX_FILES 100000
#define WATCH_MAX_DEPTH 16

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static void nap(double s) {
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* A fingerprint of `path` and, for a folder, everything under it. */
static uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t scan(const char *path, int depth, size_t *files) {
    struct stat st;
    if (stat(path, &st) < 0)
        return 1; /* absent: a fingerprint of its own */
    uint64_t h = mix(mix(mix(0, (uint64_t)st.st_mtim.tv_sec), (uint64_t)st.st_mtim.tv_nsec),
                     mix((uint64_t)st.st_size, (uint64_t)st.st_ino));
    if (!S_ISDIR(st.st_mode) || depth >= WATCH_MAX_DEPTH)
        return h;
    DIR *d = opendir(path);
    if (!d)
        return h;
    struct dirent *e;
    char sub[PATH_MAX];
    while ((e = readdir(d)) && ++*files < WATCH_MAX_FILES) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and editors' hidden swap files */
        if (snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= (int)sizeof(sub))
            continue;
        /* Order-independent: readdir's order may change between scans. */
        h += scan(sub, depth + 1, files) * 0x100000001b3ull;
    }
    closedir(d);
    return h;
}

typedef struct watch {
    const char **paths;
    size_t n;
    uint64_t *prints;
} watch;

/* Which path changed since the last poll, or -1; updates the fingerprints. */
static long poll_changes(watch *w) {
    long changed = -1;
    for (size_t i = 0; i < w->n; i++) {
        size_t files = 0;
        uint64_t h = scan(w->paths[i], 0, &files);
        if (h != w->prints[i] && changed < 0)
            changed = (long)i;
        w->prints[i] = h;
    }
    return changed;
}

static pid_t start_child(ph_cli_ctx *ctx, const char *exe) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("PHIAL_RUN_RELOADER_CHILD", "1", 1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        execv(exe, ctx->argv);
        fprintf(stderr, "phial: cannot start %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    if (pid < 0)
        ph_cli_error(ctx, " * Cannot start the server: %s", strerror(errno));
    return pid;
}

/* SIGTERM, then SIGKILL after STOP_SECONDS; returns the wait status. */
static int stop_child(pid_t pid) {
    int status = 0;
    kill(pid, SIGTERM);
    for (double waited = 0; waited < STOP_SECONDS; waited += 0.05) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return status;
        nap(0.05);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

/* The watched paths: the executable, then --reload-dir or the app's folders. */
static int watch_paths(ph_cli_ctx *ctx, const char *exe, watch *w) {
    size_t given = ph_cli_get_count(ctx, "reload_dir");
    w->paths = ph__arena_calloc(&ctx->arena, (given + 3) * sizeof(*w->paths));
    w->prints = ph__arena_calloc(&ctx->arena, (given + 3) * sizeof(*w->prints));
    if (!w->paths || !w->prints)
        return PH_ENOMEM;
    w->paths[w->n++] = exe;
    for (size_t i = 0; i < given; i++)
        w->paths[w->n++] = ph_cli_get_str_at(ctx, "reload_dir", i);
    if (given == 0) {
        /* The app's folders, resolved against ROOT_PATH as the app resolves them. */
        static const char *const keys[][2] = {{"TEMPLATE_FOLDER", "templates"},
                                              {"STATIC_FOLDER", "static"}};
        for (size_t i = 0; i < 2; i++) {
            const char *folder = ph_config_str(ph_cli_app(ctx), keys[i][0], keys[i][1]);
            char path[PATH_MAX];
            if (!folder || !*folder)
                continue;
            ph__app_path(ph_cli_app(ctx), folder, path, sizeof(path));
            if (!(w->paths[w->n++] = ph__arena_strdup(&ctx->arena, path)))
                return PH_ENOMEM;
        }
    }
    return 0;
}

int ph__cli_reload(ph_cli_ctx *ctx) {
    static char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0 || !ctx->argv) {
        ph_cli_error(ctx, "Error: the reloader cannot find its own executable.");
        return 1;
    }
    exe[n] = '\0';
    /* A rebuilt executable replaces the old file: /proc/self/exe then ends in " (deleted)". */
    if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
        exe[n - 10] = '\0';
    watch w = {0};
    if (watch_paths(ctx, exe, &w) < 0)
        return PH_ENOMEM;
    poll_changes(&w);
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    ph_cli_error(ctx, " * Restarting with stat polling (reloader pid %d)", (int)getpid());
    pid_t child = start_child(ctx, exe);
    long pending = -1;
    while (!stop_signal) {
        nap(POLL_SECONDS);
        int status;
        if (child > 0 && waitpid(child, &status, WNOHANG) == child) {
            child = 0;
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0; /* the server stopped by itself: so do we */
            ph_cli_error(ctx, " * The server exited (%s %d); waiting for a change to restart it",
                         WIFEXITED(status) ? "status" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        }
        long changed = poll_changes(&w);
        if (changed >= 0) {
            pending = changed; /* wait until it stays the same for one poll */
            continue;
        }
        if (pending < 0 || stop_signal)
            continue;
        ph_cli_error(ctx, " * Detected a change in '%s', reloading", w.paths[pending]);
        pending = -1;
        if (child > 0)
            stop_child(child);
        child = start_child(ctx, exe);
    }
    if (child > 0)
        stop_child(child);
    return 0;
}
