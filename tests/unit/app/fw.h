/* Shared by the framework's tests: run a test body as a task with a client. */
#ifndef TESTS_FW_H
#define TESTS_FW_H

#include "phial.h"

#include <criterion/criterion.h>

typedef int (*fw_body)(ph_app *app, ph_test_client *client);

typedef struct fw_ctx {
    ph_app *app;
    fw_body body;
} fw_ctx;

static int fw_task(void *arg) {
    fw_ctx *c = arg;
    ph_test_client *client = ph_test_client_new(c->app);
    int rc = c->body(c->app, client);
    ph_test_client_free(client);
    return rc;
}

/* Run `body` in a task with a client for `app`, then free the app. */
static inline void fw_run(ph_app *app, fw_body body) {
    fw_ctx c = {app, body};
    int rc = ph_run(fw_task, &c);
    ph_app_free(app);
    cr_assert_eq(rc, 0, "test body returned %d", rc);
}

#endif
