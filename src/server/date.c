/*
 * The Date header, formatted once per second by an unreferenced libuv timer
 * (it never keeps the loop alive) instead of once per response.
 */
#include "server/server.h"

#include "util/httpdate.h"

#include <string.h>
#include <time.h>

static void refresh(ph__server *srv) {
    char d[PH__HTTPDATE_LEN + 1];
    if (ph__httpdate_format((int64_t)time(NULL), d, sizeof(d)) < 0)
        return;
    memcpy(srv->date, "Date: ", 6);
    memcpy(srv->date + 6, d, PH__HTTPDATE_LEN);
    memcpy(srv->date + 6 + PH__HTTPDATE_LEN, "\r\n", 2);
    srv->date_len = 6 + PH__HTTPDATE_LEN + 2;
}

/* The tick also retries an accept that paused for want of memory. */
static void on_tick(uv_timer_t *t) {
    refresh(t->data);
    ph__server_accept_retry(t->data);
}

void ph__date_start(ph__server *srv) {
    refresh(srv);
    uv_timer_init(srv->uv, &srv->date_timer);
    srv->date_timer.data = srv;
    /* Align ticks to the wall clock's seconds so the header never lags. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t first = 1000 - (uint64_t)(ts.tv_nsec / 1000000);
    uv_timer_start(&srv->date_timer, on_tick, first, 1000);
    uv_unref((uv_handle_t *)&srv->date_timer);
}

void ph__date_stop(ph__server *srv) {
    uv_timer_stop(&srv->date_timer);
    ph__server_close_handle(srv, (uv_handle_t *)&srv->date_timer);
}
