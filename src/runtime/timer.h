/*
 * The loop's one timer structure: a hierarchical timer wheel with millisecond
 * ticks, driven by a single libuv timer. Every sleep, timeout and server
 * deadline is an intrusive ph__timer in it: starting and stopping are O(1)
 * and allocate nothing.
 */
#ifndef PH_RUNTIME_TIMER_H
#define PH_RUNTIME_TIMER_H

#include <stdint.h>
#include <uv.h>

typedef struct ph__timer ph__timer;
typedef void (*ph__timer_cb)(ph__timer *t);

struct ph__timer {
    ph__timer *next;   /* private: slot list */
    ph__timer **pprev; /* private: NULL when not armed */
    uint64_t expire;   /* private: tick (ms) it fires at */
    unsigned char level, slot; /* private: where it is filed; level 0xFF: in a batch */
    ph__timer_cb cb;   /* called from the loop, never from inside a task */
};

#define PH__WHEEL_LEVELS 4
#define PH__WHEEL_BITS 6
#define PH__WHEEL_SLOTS (1u << PH__WHEEL_BITS)

typedef struct ph__wheel {
    uv_timer_t handle;
    uint64_t now; /* last tick processed */
    uint64_t armed_for; /* tick the libuv timer is set for; UINT64_MAX: stopped */
    size_t count;
    uint64_t bitmap[PH__WHEEL_LEVELS];
    ph__timer *slots[PH__WHEEL_LEVELS][PH__WHEEL_SLOTS];
    void (*after_expire)(void *data); /* run after each batch of callbacks */
    void *data;
} ph__wheel;

int ph__wheel_init(ph__wheel *w, uv_loop_t *loop, void (*after_expire)(void *), void *data);
/* Stop the libuv timer and close it; `closed` runs once it is released. */
void ph__wheel_close(ph__wheel *w, uv_close_cb closed);

void ph__timer_init(ph__timer *t, ph__timer_cb cb);
/* Arm (or re-arm) `t` to fire `ms` milliseconds from the loop's now. */
void ph__timer_start(ph__wheel *w, ph__timer *t, uint64_t ms);
/* Disarm; harmless when not armed. */
void ph__timer_stop(ph__wheel *w, ph__timer *t);
static inline int ph__timer_active(const ph__timer *t) { return t->pprev != NULL; }

#endif
