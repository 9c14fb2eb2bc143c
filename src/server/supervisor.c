/*
 * The supervisor of prefork workers. It binds one SO_REUSEPORT socket per
 * worker slot before forking, so the kernel spreads connections over the
 * slots, and a replacement worker inherits its slot's socket: connections
 * queued on it are never lost when a worker is replaced or restarted.
 *
 * It runs no event loop: signals arrive through a signalfd, and one poll()
 * waits on it and on each starting worker's readiness pipe (a worker writes
 * one byte once it listens). Signals:
 *   SIGTERM, SIGINT  forwarded as SIGTERM to every worker; exit 0 once all
 *                    have stopped (a second SIGINT kills them);
 *   SIGHUP           start a fresh worker for every slot; when it is ready,
 *                    the older ones of that slot are told to stop gracefully
 *                    (each SIGHUP starts a new generation per slot, so
 *                    signals in quick succession retire every old worker);
 *   SIGCHLD          a worker that died unexpectedly is restarted after a
 *                    backoff that doubles while it keeps dying young. A worker
 *                    whose startup failed (exit status 3) stops the server.
 */
#include "server/serve.h"

#include "server/listen.h"
#include "util/alloc.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_STARTUP_FAILED 3

typedef struct worker {
    pid_t pid;
    int slot;
    int ready_fd; /* read end; -1 once ready */
    int retiring; /* told to stop; do not restart */
    int ready;    /* it has listened */
    unsigned gen; /* the slot's generation it was started for */
    double started;
} worker;

typedef struct slot {
    int fd;
    double backoff;    /* seconds before the next restart */
    double restart_at; /* 0: none pending */
    unsigned gen;      /* generation of the slot: bumped by each SIGHUP */
} slot;

typedef struct sup {
    ph_proto_app app;
    const ph_server_config *cfg;
    int port;
    slot *slots;
    worker *workers;
    size_t nworkers, cap;
    int stopping;
    int failed;
    int announced; /* the "serving on" line has been printed */
    sigset_t old_mask;
    int sfd;
} sup;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int spawn_worker(sup *s, int i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return PH_EIO;
    worker *w = ph__grow(s->workers, &s->cap, s->nworkers, sizeof(*w), 8);
    if (!w) {
        close(p[0]);
        close(p[1]);
        return PH_ENOMEM;
    }
    s->workers = w;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return PH_EIO;
    }
    if (pid == 0) {
        /* If the supervisor dies without stopping us (kill -9, OOM killer),
         * stop gracefully: an orphaned worker would keep serving on the port
         * (SO_REUSEPORT lets it share a fresh server's port) forever. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        close(p[0]);
        close(s->sfd);
        /* With a unix socket every slot holds the same fd: closing the
         * other slots' fds would close this worker's own listener. */
        for (int j = 0; j < s->cfg->workers; j++)
            if (j != i && s->slots[j].fd != s->slots[i].fd)
                close(s->slots[j].fd);
        sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
        int rc = ph__serve_in_process(s->app, s->cfg, s->slots[i].fd, s->port, p[1]);
        _exit(rc == 0 ? 0 : rc == PH_ESTATE ? EXIT_STARTUP_FAILED : 1);
    }
    close(p[1]);
    s->workers[s->nworkers++] =
        (worker){.pid = pid, .slot = i, .ready_fd = p[0], .gen = s->slots[i].gen, .started = now()};
    return 0;
}

static worker *find(sup *s, pid_t pid) {
    for (size_t i = 0; i < s->nworkers; i++)
        if (s->workers[i].pid == pid)
            return &s->workers[i];
    return NULL;
}

static void remove_worker(sup *s, worker *w) {
    if (w->ready_fd >= 0)
        close(w->ready_fd);
    *w = s->workers[--s->nworkers];
}

static void signal_all(sup *s, int sig) {
    for (size_t i = 0; i < s->nworkers; i++)
        kill(s->workers[i].pid, sig);
}

static void on_child_exit(sup *s, pid_t pid, int status) {
    worker *w = find(s, pid);
    if (!w)
        return;
    int i = w->slot;
    int expected = s->stopping || w->retiring;
    double lived = now() - w->started;
    unsigned gen = w->gen;
    remove_worker(s, w);
    if (expected)
        return;
    /* An old worker that dies while its successor starts is not replaced:
     * the successor takes the slot. */
    for (size_t k = 0; k < s->nworkers; k++)
        if (s->workers[k].slot == i && !s->workers[k].retiring && s->workers[k].gen > gen)
            return;
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_STARTUP_FAILED) {
        PH_LOG_ERR("worker %d failed to start; stopping the server", (int)pid);
        s->failed = 1;
        s->stopping = 1;
        signal_all(s, SIGTERM);
        return;
    }
    slot *sl = &s->slots[i];
    sl->backoff = lived > 10 ? 0.1 : (sl->backoff < 0.1 ? 0.1 : sl->backoff * 2);
    if (sl->backoff > 10)
        sl->backoff = 10;
    sl->restart_at = now() + sl->backoff;
    if (WIFSIGNALED(status))
        PH_LOG_WARN("worker %d (slot %d) killed by signal %d; restarting in %.1f s", (int)pid, i,
                    WTERMSIG(status), sl->backoff);
    else
        PH_LOG_WARN("worker %d (slot %d) exited with status %d; restarting in %.1f s", (int)pid, i,
                    WEXITSTATUS(status), sl->backoff);
}

/*
 * Print the "serving on" line once every first-generation worker listens.
 * Printing it before the workers start would announce a server that still
 * refuses connections: a slot's socket is bound by the supervisor but only
 * listens once its worker has run lifespan startup and called listen().
 */
static void announce(sup *s) {
    const ph_server_config *cfg = s->cfg;
    int ready = 0;
    for (size_t i = 0; i < s->nworkers; i++)
        ready += s->workers[i].ready;
    if (s->announced || ready < cfg->workers)
        return;
    s->announced = 1;
    if (cfg->quiet)
        return;
    if (cfg->uds)
        PH_LOG_INF("phial: serving on unix:%s with %d workers (supervisor pid %d)", cfg->uds,
                   cfg->workers, (int)getpid());
    else
        /* An IPv6 literal takes brackets in a URL (RFC 3986 3.2.2). */
        PH_LOG_INF("phial: serving on http://%s%s%s:%d with %d workers (supervisor pid %d; "
                   "press Ctrl+C to quit)",
                   strchr(cfg->host, ':') ? "[" : "", cfg->host, strchr(cfg->host, ':') ? "]" : "",
                   s->port, cfg->workers, (int)getpid());
}

static void retire(worker *w) {
    w->retiring = 1;
    kill(w->pid, SIGTERM);
}

/* A worker listens: retire the older generations of its slot, or itself if
 * a newer generation is already serving (readiness may come out of order). */
static void on_ready(sup *s, worker *w) {
    close(w->ready_fd);
    w->ready_fd = -1;
    w->ready = 1;
    announce(s);
    for (size_t k = 0; k < s->nworkers; k++) {
        worker *x = &s->workers[k];
        if (x == w || x->slot != w->slot || x->retiring)
            continue;
        if (x->gen < w->gen)
            retire(x);
        else if (x->gen > w->gen && x->ready)
            retire(w);
    }
}

static void reload(sup *s) {
    PH_LOG_INF("received SIGHUP: replacing %d worker(s)", s->cfg->workers);
    for (int i = 0; i < s->cfg->workers; i++) {
        /* A slot waiting for a restart gets its fresh worker then. */
        if (s->slots[i].restart_at > 0)
            continue;
        s->slots[i].gen++;
        if (spawn_worker(s, i) < 0)
            s->slots[i].gen--; /* the current workers keep serving */
    }
}

/*
 * Close the supervisor's own copies of the listening sockets. Fixed: they
 * stayed open until every worker had exited, so after SIGTERM, once a worker
 * closed its copy, the kernel still queued new connections on that socket
 * (SO_REUSEPORT) and reset them all when the supervisor exited: accepted
 * by the kernel, never served. Closed at once, each socket dies with its
 * worker's copy and new clients are refused instead.
 */
static void close_listeners(sup *s) {
    for (int i = 0; i < s->cfg->workers; i++) {
        if (s->slots[i].fd >= 0 && (!s->cfg->uds || i == 0))
            close(s->slots[i].fd);
        s->slots[i].fd = -1;
    }
}

static void handle_signals(sup *s) {
    struct signalfd_siginfo si;
    while (read(s->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        switch (si.ssi_signo) {
        case SIGCHLD: {
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
                on_child_exit(s, pid, status);
            break;
        }
        case SIGHUP:
            if (!s->stopping)
                reload(s);
            break;
        case SIGINT:
        case SIGTERM:
            if (s->stopping && si.ssi_signo == SIGINT) {
                PH_LOG_WARN("received SIGINT again: killing %zu worker(s)", s->nworkers);
                signal_all(s, SIGKILL);
                break;
            }
            if (s->stopping)
                break; /* a second SIGTERM: the shutdown is under way */
            PH_LOG_INF("received %s: stopping %zu worker(s)",
                       si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM", s->nworkers);
            s->stopping = 1;
            /* First, so that each socket dies with the worker's own copy. */
            close_listeners(s);
            signal_all(s, SIGTERM);
            break;
        }
    }
}

static void run(sup *s) {
    while (!(s->stopping && s->nworkers == 0)) {
        struct pollfd pfd[1 + 256];
        worker *who[1 + 256];
        nfds_t n = 0;
        pfd[n++] = (struct pollfd){.fd = s->sfd, .events = POLLIN};
        for (size_t i = 0; i < s->nworkers && n < 257; i++)
            if (s->workers[i].ready_fd >= 0) {
                who[n] = &s->workers[i];
                pfd[n++] = (struct pollfd){.fd = s->workers[i].ready_fd, .events = POLLIN};
            }
        double next = -1;
        for (int i = 0; i < s->cfg->workers; i++)
            if (s->slots[i].restart_at > 0 && (next < 0 || s->slots[i].restart_at < next))
                next = s->slots[i].restart_at;
        int timeout = next < 0 ? -1 : (int)((next - now()) * 1e3) + 1;
        if (timeout < -1)
            timeout = 0;
        int r = poll(pfd, n, timeout);
        if (r < 0 && errno != EINTR)
            break;
        /* Readiness first: a byte means ready, EOF means it died (SIGCHLD says so). */
        for (nfds_t k = 1; k < n; k++) {
            if (!(pfd[k].revents & (POLLIN | POLLHUP)))
                continue;
            char b;
            if (read(pfd[k].fd, &b, 1) == 1)
                on_ready(s, who[k]);
            else {
                close(who[k]->ready_fd);
                who[k]->ready_fd = -1;
            }
        }
        if (pfd[0].revents & POLLIN)
            handle_signals(s);
        double t = now();
        for (int i = 0; i < s->cfg->workers; i++)
            if (s->slots[i].restart_at > 0 && s->slots[i].restart_at <= t) {
                s->slots[i].restart_at = 0;
                if (!s->stopping)
                    spawn_worker(s, i);
            }
    }
}

int ph__supervise(ph_proto_app app, const ph_server_config *cfg) {
    sup s = {.app = app, .cfg = cfg, .sfd = -1};
    s.slots = ph__calloc((size_t)cfg->workers, sizeof(slot));
    if (!s.slots)
        return PH_ENOMEM;
    int rc = 0;
    int want = cfg->port < 0 ? 0 : cfg->port;
    ph__listen_id uds_id = {0};
    for (int i = 0; i < cfg->workers; i++) {
        int port = 0;
        /* Unix sockets cannot share a path: every slot uses the one socket. */
        int fd = cfg->uds && i > 0 ? s.slots[0].fd
                                   : ph__listen_socket(cfg, want, 1, &port, i ? NULL : &uds_id);
        if (fd < 0) {
            rc = fd;
            for (int j = 0; j < i; j++)
                close(s.slots[j].fd);
            ph__free(s.slots);
            return rc;
        }
        s.slots[i].fd = fd;
        if (i == 0 && !cfg->uds) {
            s.port = port;
            want = port; /* an ephemeral port: the other slots join it */
        }
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &s.old_mask);
    s.sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    for (int i = 0; i < cfg->workers; i++)
        spawn_worker(&s, i);
    run(&s);
    close(s.sfd);
    sigprocmask(SIG_SETMASK, &s.old_mask, NULL);
    close_listeners(&s);
    ph__listen_remove(cfg->uds, &uds_id);
    ph__free(s.slots);
    ph__free(s.workers);
    return s.failed ? PH_ESTATE : 0;
}
