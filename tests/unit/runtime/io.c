/* to_thread, file reads and the TCP client against a loopback server. */
#include "phial.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- to_thread ---- */

static void *square(void *arg) {
    usleep(2000);
    intptr_t v = (intptr_t)arg;
    return (void *)(v * v);
}

static int one_job(void *arg) {
    void *res = NULL;
    int rc = ph_to_thread(square, arg, &res);
    return rc < 0 ? rc : (int)(intptr_t)res;
}

static int main_to_thread(void *arg) {
    enum { N = 200 };
    ph_task_fn fns[N];
    void *args[N];
    int results[N];
    for (int i = 0; i < N; i++) {
        fns[i] = one_job;
        args[i] = (void *)(intptr_t)i;
    }
    cr_assert_eq(ph_gather(N, fns, args, results), 0);
    for (int i = 0; i < N; i++)
        cr_assert_eq(results[i], i * i);
    return 0;
}

Test(to_thread, many_concurrent_jobs_return_their_results) {
    cr_assert_eq(ph_run(main_to_thread, NULL), 0);
}

static atomic_int ran_after_cancel, job_started;
static void *slow_job(void *arg) {
    atomic_store(&job_started, 1);
    usleep(50000);
    atomic_fetch_add(&ran_after_cancel, 1);
    return NULL;
}

static int slow_one(void *arg) { return ph_to_thread(slow_job, NULL, NULL); }

static int main_to_thread_cancel(void *arg) {
    ph_task *t = ph_spawn(slow_one, NULL);
    while (!atomic_load(&job_started))
        ph_sleep(0.001); /* wait until the job is running on its thread */
    ph_cancel(t);
    int rc = ph_join(t);
    cr_assert_eq(rc, PH_ECANCELED);
    cr_assert_eq(atomic_load(&ran_after_cancel), 1, "the running job was waited for");
    return 0;
}

Test(to_thread, cancel_waits_for_running_job) { cr_assert_eq(ph_run(main_to_thread_cancel, NULL), 0); }

static int main_to_thread_timeout(void *arg) { return ph_with_timeout(0.01, slow_one, NULL); }

Test(to_thread, timeout_reports_etimedout) {
    cr_assert_eq(ph_run(main_to_thread_timeout, NULL), PH_ETIMEDOUT);
}

/* ---- files ---- */

static char tmpfile_path[64];

static void make_file(size_t n) {
    strcpy(tmpfile_path, "/tmp/phial-fs-XXXXXX");
    int fd = mkstemp(tmpfile_path);
    cr_assert(fd >= 0);
    for (size_t i = 0; i < n; i++) {
        char c = (char)('a' + i % 26);
        cr_assert_eq(write(fd, &c, 1), 1);
    }
    close(fd);
}

static int main_read_file(void *arg) {
    char *data;
    size_t len;
    cr_assert_eq(ph_fs_read_file(tmpfile_path, 0, &data, &len), 0);
    cr_assert_eq(len, 100000);
    cr_assert_eq(data[0], 'a');
    cr_assert_eq(data[99999], (char)('a' + 99999 % 26));
    cr_assert_eq(data[len], '\0');
    ph_free(data);
    cr_assert_eq(ph_fs_read_file(tmpfile_path, 1000, &data, &len), PH_ETOOBIG);
    cr_assert_null(data);
    cr_assert_eq(ph_fs_read_file("/nonexistent/x", 0, &data, &len), PH_ENOENT);
    char buf[10];
    cr_assert_eq(ph_fs_read_range(tmpfile_path, 26, buf, 10), 10);
    cr_assert_eq(memcmp(buf, "abcdefghij", 10), 0);
    cr_assert_eq(ph_fs_read_range(tmpfile_path, 99995, buf, 10), 5, "short read at the end");
    cr_assert_eq(ph_fs_read_range(tmpfile_path, 200000, buf, 10), 0);
    ph_stat st;
    cr_assert_eq(ph_fs_stat(tmpfile_path, &st), 0);
    cr_assert_eq(st.size, 100000);
    cr_assert(st.mtime > 1e9);
    cr_assert_eq(ph_fs_stat("/nonexistent/x", &st), PH_ENOENT);
    return 0;
}

Test(fs, read_whole_file_range_and_stat) {
    make_file(100000);
    int rc = ph_run(main_read_file, NULL);
    unlink(tmpfile_path);
    cr_assert_eq(rc, 0);
}

static int read_empty(void *arg) {
    char *data;
    size_t len = 99;
    cr_assert_eq(ph_fs_read_file(tmpfile_path, 0, &data, &len), 0);
    cr_assert_eq(len, 0);
    cr_assert_str_eq(data, "");
    ph_free(data);
    return 0;
}

Test(fs, read_empty_file) {
    make_file(0);
    int rc = ph_run(read_empty, NULL);
    unlink(tmpfile_path);
    cr_assert_eq(rc, 0);
}

static int read_cancelled(void *arg) {
    char *data = NULL;
    ph_cancel(ph_current());
    int rc = ph_fs_read_file(tmpfile_path, 0, &data, NULL);
    cr_assert_null(data);
    return rc;
}

Test(fs, cancelled_read_fails_cleanly) {
    make_file(10);
    int rc = ph_run(read_cancelled, NULL);
    unlink(tmpfile_path);
    cr_assert_eq(rc, PH_ECANCELED);
}

/* ---- TCP client, against a plain blocking echo server on a thread ---- */

static int listen_fd;
static int server_port;

static void *echo_server(void *arg) {
    int mode = (int)(intptr_t)arg; /* 0 echo, 1 accept and stay silent */
    int c = accept(listen_fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char buf[65536];
    ssize_t n;
    if (mode == 1) {
        while (read(c, buf, sizeof(buf)) > 0)
            ;
    } else {
        while ((n = read(c, buf, sizeof(buf))) > 0)
            if (write(c, buf, (size_t)n) != n)
                break;
    }
    close(c);
    return NULL;
}

static pthread_t start_server(int mode) {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(bind(listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
    socklen_t len = sizeof(a);
    getsockname(listen_fd, (struct sockaddr *)&a, &len);
    server_port = ntohs(a.sin_port);
    listen(listen_fd, 16);
    pthread_t th;
    pthread_create(&th, NULL, echo_server, (void *)(intptr_t)mode);
    return th;
}

static int main_echo(void *arg) {
    int err = 0;
    ph_tcp *c = ph_tcp_connect("localhost", server_port, 2.0, &err);
    cr_assert_not_null(c, "connect: %s", ph_strerror(err));
    /* Big enough to exceed the socket buffers, so the write has to wait. */
    size_t n = 4 << 20;
    char *out = malloc(n), *in = malloc(n);
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(i * 7);
    ph_task *reader;
    struct {
        ph_tcp *c;
        char *in;
        size_t n;
    } r = {c, in, n};
    int read_all(void *arg);
    reader = ph_spawn(read_all, &r);
    cr_assert_eq(ph_tcp_write(c, out, n, 5.0), 0);
    cr_assert_eq(ph_join(reader), 0);
    cr_assert_eq(memcmp(in, out, n), 0);
    ph_tcp_close(c);
    free(out);
    free(in);
    return 0;
}

int read_all(void *arg) {
    struct {
        ph_tcp *c;
        char *in;
        size_t n;
    } *r = arg;
    size_t got = 0;
    while (got < r->n) {
        ssize_t k = ph_tcp_read(r->c, r->in + got, r->n - got, 5.0);
        if (k <= 0)
            return (int)(k ? k : PH_ECLOSED);
        got += (size_t)k;
    }
    return 0;
}

Test(tcp, echo_large_payload_through_loopback) {
    pthread_t th = start_server(0);
    int rc = ph_run(main_echo, NULL);
    close(listen_fd);
    pthread_join(th, NULL);
    cr_assert_eq(rc, 0);
}

static int main_read_timeout(void *arg) {
    int err = 0;
    ph_tcp *c = ph_tcp_connect("127.0.0.1", server_port, 2.0, &err);
    cr_assert_not_null(c);
    char buf[16];
    double t0 = ph_now();
    cr_assert_eq(ph_tcp_read(c, buf, sizeof(buf), 0.05), PH_ETIMEDOUT);
    cr_assert(ph_now() - t0 >= 0.045);
    ph_tcp_close(c);
    return 0;
}

Test(tcp, read_times_out_on_silent_peer) {
    pthread_t th = start_server(1);
    int rc = ph_run(main_read_timeout, NULL);
    close(listen_fd);
    pthread_join(th, NULL);
    cr_assert_eq(rc, 0);
}

static int main_refused(void *arg) {
    int err = 0;
    ph_tcp *c = ph_tcp_connect("127.0.0.1", *(int *)arg, 2.0, &err);
    cr_assert_null(c);
    return err;
}

Test(tcp, connect_to_closed_port_is_refused) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    int port = ntohs(a.sin_port);
    close(fd); /* bound then closed: nothing listens there */
    cr_assert_eq(ph_run(main_refused, &port), PH_ECONNREFUSED);
}

static int main_bad_host(void *arg) {
    int err = 0;
    cr_assert_null(ph_tcp_connect("no-such-host.invalid", 80, 5.0, &err));
    return err;
}

Test(tcp, unknown_host_fails_with_edns) { cr_assert_eq(ph_run(main_bad_host, NULL), PH_EDNS); }

static int main_eof(void *arg) {
    int err = 0;
    ph_tcp *c = ph_tcp_connect("127.0.0.1", server_port, 2.0, &err);
    cr_assert_not_null(c);
    cr_assert_eq(ph_tcp_write(c, "ping", 4, 1.0), 0);
    char buf[8];
    cr_assert_eq(ph_tcp_read(c, buf, sizeof(buf), 1.0), 4);
    ph_tcp_close(c);
    return 0;
}

Test(tcp, short_exchange_and_close) {
    pthread_t th = start_server(0);
    int rc = ph_run(main_eof, NULL);
    close(listen_fd);
    pthread_join(th, NULL);
    cr_assert_eq(rc, 0);
}

static int reader_task(void *arg) {
    char buf[8];
    return (int)ph_tcp_read(arg, buf, sizeof(buf), -1);
}

static int main_read_cancel(void *arg) {
    int err = 0;
    ph_tcp *c = ph_tcp_connect("127.0.0.1", server_port, 2.0, &err);
    ph_task *r = ph_spawn(reader_task, c);
    ph_sleep(0.01);
    ph_cancel(r);
    cr_assert_eq(ph_join(r), PH_ECANCELED);
    ph_tcp_close(c);
    return 0;
}

Test(tcp, cancel_while_reading) {
    pthread_t th = start_server(1);
    int rc = ph_run(main_read_cancel, NULL);
    close(listen_fd);
    pthread_join(th, NULL);
    cr_assert_eq(rc, 0);
}

static int main_connect_timeout(void *arg) {
    int err = 0;
    double t0 = ph_now();
    ph_tcp *c = ph_tcp_connect("127.0.0.1", *(int *)arg, 0.2, &err);
    cr_assert_null(c);
    cr_assert_eq(err, PH_ETIMEDOUT, "got %s", ph_err_name(err));
    cr_assert(ph_now() - t0 < 2.0);
    return 0;
}

Test(tcp, connect_times_out_when_nobody_answers) {
    /* A listener whose accept queue is full drops further SYNs, so a connect
     * to it waits: the timeout must end the wait. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof(a));
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    listen(fd, 0);
    int fillers[4];
    for (int i = 0; i < 4; i++) {
        fillers[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fillers[i], (struct sockaddr *)&a, sizeof(a));
    }
    usleep(50000);
    int port = ntohs(a.sin_port);
    int rc = ph_run(main_connect_timeout, &port);
    for (int i = 0; i < 4; i++)
        close(fillers[i]);
    close(fd);
    cr_assert_eq(rc, 0);
}
