/*
 * Helpers shared by the framework's behaviour tests (tests/unit/app/fw_*.c):
 * run a test body in a task with a client, expect a status and a body, and
 * capture the log (stderr) around a block.
 */
#ifndef TESTS_FW_COMMON_H
#define TESTS_FW_COMMON_H

#include "fw.h"

/* Case tables leave trailing fields out on purpose. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Check the status (and the body when not NULL) of `r`, then free it. */
#define fw_expect(r, st, bd)                                                                      \
    do {                                                                                          \
        ph_test_response *r_ = (r);                                                               \
        cr_assert_not_null(r_, "no response");                                                    \
        cr_assert_eq(r_->status, (st), "status %d, expected %d; body: %s", r_->status, (st),      \
                     r_->body);                                                                   \
        const char *bd_ = (bd);                                                                   \
        if (bd_)                                                                                  \
            cr_assert_str_eq(r_->body, bd_, "got \"%s\"", r_->body);                                                      \
        ph_test_response_free(r_);                                                                \
    } while (0)

/* Check a header of `r` (not freed): exact value, or absent when `v` is NULL. */
#define fw_expect_header(r, name, v)                                                              \
    do {                                                                                          \
        const char *h_ = ph_test_response_header((r), (name));                                    \
        const char *v_ = (v);                                                                     \
        if (v_) {                                                                                 \
            cr_assert_not_null(h_, "header %s missing", (name));                                  \
            cr_assert_str_eq(h_, v_, "header %s", (name));                                        \
        } else {                                                                                  \
            cr_assert_null(h_, "header %s present: %s", (name), h_);                              \
        }                                                                                         \
    } while (0)

/* A fresh app named "t". */
static inline ph_app *fw_app(void) {
    ph_app *app = ph_app_new("t");
    cr_assert_not_null(app);
    return app;
}

/* A view answering its endpoint: tells which rule matched. */
static inline ph_response *fw_endpoint_view(ph_request *req) {
    return ph_text(req, 200, ph_request_endpoint(req));
}

/* A view answering "ok". */
static inline ph_response *fw_ok_view(ph_request *req) { return ph_text(req, 200, "ok"); }

/*
 * Capture what is written to stderr (the log) between fw_log_begin() and
 * fw_log_end(); the text is returned malloc'd.
 */
typedef struct fw_log {
    int saved;
    FILE *tmp;
} fw_log;

static inline void fw_log_begin(fw_log *l) {
    fflush(stderr);
    l->tmp = tmpfile();
    cr_assert_not_null(l->tmp);
    l->saved = dup(2);
    dup2(fileno(l->tmp), 2);
}

static inline char *fw_log_end(fw_log *l) {
    fflush(stderr);
    dup2(l->saved, 2);
    close(l->saved);
    int fd = fileno(l->tmp);
    off_t n = lseek(fd, 0, SEEK_END);
    char *s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
    if (n > 0 && pread(fd, s, (size_t)n, 0) != (ssize_t)n)
        s[0] = '\0';
    fclose(l->tmp);
    return s;
}

/* One request and what to expect of it; NULL body or header name: not checked. */
typedef struct fw_case {
    const char *method, *url;
    int status;
    const char *body;
    const char *hname, *hvalue; /* hvalue NULL: the header must be absent */
} fw_case;

static const fw_case *fw_cases_;
static size_t fw_ncases_;

static inline int fw_cases_body(ph_app *app, ph_test_client *c) {
    for (size_t i = 0; i < fw_ncases_; i++) {
        const fw_case *k = &fw_cases_[i];
        ph_test_response *r = ph_client_request_(c, k->method, k->url, &(ph_client_opts){0});
        cr_assert_not_null(r, "%s %s: no response", k->method, k->url);
        cr_assert_eq(r->status, k->status, "%s %s: status %d, expected %d; body: %s", k->method,
                     k->url, r->status, k->status, r->body);
        if (k->body)
            cr_assert_str_eq(r->body, k->body, "%s %s: got \"%s\"", k->method, k->url, r->body);
        if (k->hname)
            fw_expect_header(r, k->hname, k->hvalue);
        ph_test_response_free(r);
    }
    return 0;
}

/* Run each case in order against `app` (then freed). */
static inline void fw_check(ph_app *app, const fw_case *cases, size_t n) {
    fw_cases_ = cases;
    fw_ncases_ = n;
    fw_run(app, fw_cases_body);
}
#define FW_CHECK(app, ...)                                                                        \
    do {                                                                                          \
        static const fw_case cases_[] = {__VA_ARGS__};                                            \
        fw_check((app), cases_, sizeof(cases_) / sizeof(cases_[0]));                              \
    } while (0)

#endif
