/*
 * The lifespan scope: the app is called once in a task of its own with a
 * channel whose receive yields "startup", then (when the server stops)
 * "shutdown". The server waits for the app's reply to each. An app that
 * returns before replying to startup does not take part (allowed unless the
 * config requires lifespan); a startup failure stops the server.
 */
#include "server/lifespan.h"

#include "util/alloc.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

typedef struct lifespan {
    ph_channel ch;
    ph_proto_app app;
    ph_scope scope;
    ph_event *startup_done, *shutdown_requested, *shutdown_done;
    int received;      /* messages handed to the app */
    int startup_ok, startup_failed, shutdown_failed;
    int returned;      /* the app call is over */
    int rc;
    char why[256];
    ph_task *task;
} lifespan;

static int ls_receive(ph_channel *ch, ph_message *m) {
    lifespan *l = (lifespan *)ch;
    memset(m, 0, sizeof(*m));
    if (l->received == 0) {
        l->received = 1;
        m->type = PH_MSG_LIFESPAN_STARTUP;
        return 0;
    }
    int rc = ph_event_wait(l->shutdown_requested);
    if (rc < 0)
        return rc;
    l->received = 2;
    m->type = PH_MSG_LIFESPAN_SHUTDOWN;
    return 0;
}

static void keep_why(lifespan *l, const char *msg) {
    snprintf(l->why, sizeof(l->why), "%s", msg ? msg : "no reason given");
}

static int ls_send(ph_channel *ch, const ph_message *m) {
    lifespan *l = (lifespan *)ch;
    switch (m->type) {
    case PH_MSG_LIFESPAN_STARTUP_COMPLETE:
        l->startup_ok = 1;
        ph_event_set(l->startup_done);
        return 0;
    case PH_MSG_LIFESPAN_STARTUP_FAILED:
        l->startup_failed = 1;
        keep_why(l, m->message);
        ph_event_set(l->startup_done);
        return 0;
    case PH_MSG_LIFESPAN_SHUTDOWN_COMPLETE:
        ph_event_set(l->shutdown_done);
        return 0;
    case PH_MSG_LIFESPAN_SHUTDOWN_FAILED:
        l->shutdown_failed = 1;
        keep_why(l, m->message);
        ph_event_set(l->shutdown_done);
        return 0;
    default:
        return PH_EINVAL;
    }
}

static const ph_channel_ops ls_ops = {ls_receive, ls_send};

static int ls_main(void *arg) {
    lifespan *l = arg;
    l->rc = l->app.call(l->app.self, &l->scope, &l->ch);
    l->returned = 1;
    ph_event_set(l->startup_done);
    ph_event_set(l->shutdown_done);
    return 0;
}

static void ls_free(lifespan *l) {
    ph_event_free(l->startup_done);
    ph_event_free(l->shutdown_requested);
    ph_event_free(l->shutdown_done);
    ph__free(l);
}

int ph__lifespan_startup(ph__lifespan **out, ph_proto_app app, void *state, int mode) {
    *out = NULL;
    if (mode < 0)
        return 0;
    lifespan *l = ph__calloc(1, sizeof(*l));
    if (!l)
        return PH_ENOMEM;
    l->ch.ops = &ls_ops;
    l->app = app;
    l->scope.type = PH_SCOPE_LIFESPAN;
    l->scope.state = state;
    l->startup_done = ph_event_new();
    l->shutdown_requested = ph_event_new();
    l->shutdown_done = ph_event_new();
    if (!l->startup_done || !l->shutdown_requested || !l->shutdown_done) {
        ls_free(l);
        return PH_ENOMEM;
    }
    l->task = ph_spawn(ls_main, l, .name = "lifespan");
    if (!l->task) {
        ls_free(l);
        return PH_ENOMEM;
    }
    ph_event_wait(l->startup_done);
    if (l->startup_failed) {
        PH_LOG_ERR("application startup failed: %s", l->why);
        ph__lifespan_shutdown((ph__lifespan *)l);
        return PH_ESTATE;
    }
    if (!l->startup_ok) {
        /* The app returned without answering startup. */
        if (mode > 0) {
            PH_LOG_ERR("application startup failed: the app does not support lifespan (%s)",
                       ph_err_name(l->rc));
            ph__lifespan_shutdown((ph__lifespan *)l);
            return PH_ESTATE;
        }
        PH_LOG_DBG("lifespan: not supported by the app (%s); continuing", ph_err_name(l->rc));
    }
    *out = (ph__lifespan *)l;
    return 0;
}

int ph__lifespan_shutdown(ph__lifespan *handle) {
    lifespan *l = (lifespan *)handle;
    if (!l)
        return 0;
    if (!l->returned && l->startup_ok) {
        ph_event_set(l->shutdown_requested);
        ph_event_wait(l->shutdown_done);
    }
    if (!l->returned)
        ph_cancel(l->task);
    ph_join(l->task);
    int rc = 0;
    if (l->shutdown_failed) {
        PH_LOG_ERR("application shutdown failed: %s", l->why);
        rc = PH_ESTATE;
    }
    ls_free(l);
    return rc;
}
