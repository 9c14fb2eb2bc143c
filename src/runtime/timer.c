/*
 * Hierarchical timer wheel (after Varghese and Lauck's hashed and
 * hierarchical timing wheels): four levels of 64 slots, level L covering
 * 64^(L+1) ms, so the wheel spans about 4.6 hours; a timer further away waits
 * in the last level and is re-filed as it comes closer. A bitmap per level
 * says which slots hold timers, which makes the next expiry cheap to find, so
 * the single libuv timer sleeps until exactly then (no periodic tick while
 * idle).
 *
 * Expired timers are unlinked in a batch before their callbacks run, so a
 * callback may start or stop any timer, including the others of the batch.
 */
#include "timer.h"

#include <string.h>

#define MASK (PH__WHEEL_SLOTS - 1)

static void on_uv_timer(uv_timer_t *h);

int ph__wheel_init(ph__wheel *w, uv_loop_t *loop, void (*after_expire)(void *), void *data) {
    memset(w, 0, sizeof(*w));
    int rc = uv_timer_init(loop, &w->handle);
    if (rc < 0)
        return rc;
    w->handle.data = w;
    w->now = uv_now(loop);
    w->armed_for = UINT64_MAX;
    w->after_expire = after_expire;
    w->data = data;
    return 0;
}

void ph__wheel_close(ph__wheel *w, uv_close_cb closed) {
    uv_timer_stop(&w->handle);
    uv_close((uv_handle_t *)&w->handle, closed);
}

void ph__timer_init(ph__timer *t, ph__timer_cb cb) {
    t->next = NULL;
    t->pprev = NULL;
    t->expire = 0;
    t->cb = cb;
}

static void link_slot(ph__wheel *w, int level, unsigned slot, ph__timer *t) {
    ph__timer **head = &w->slots[level][slot];
    t->next = *head;
    if (*head)
        (*head)->pprev = &t->next;
    *head = t;
    t->pprev = head;
    t->level = (unsigned char)level;
    t->slot = (unsigned char)slot;
    w->bitmap[level] |= 1ull << slot;
}

/* File `t` by how far its expiry is from the wheel's now. */
static void place(ph__wheel *w, ph__timer *t) {
    uint64_t delta = t->expire - w->now;
    for (int level = 0; level < PH__WHEEL_LEVELS; level++) {
        unsigned shift = PH__WHEEL_BITS * (unsigned)level;
        if (delta < (1ull << (shift + PH__WHEEL_BITS)) || level == PH__WHEEL_LEVELS - 1) {
            uint64_t when = t->expire;
            if (level == PH__WHEEL_LEVELS - 1 && delta >= (1ull << (shift + PH__WHEEL_BITS)))
                when = w->now + (1ull << (shift + PH__WHEEL_BITS)) - (1ull << shift);
            link_slot(w, level, (unsigned)(when >> shift) & MASK, t);
            return;
        }
    }
}

static void unlink_timer(ph__wheel *w, ph__timer *t) {
    *t->pprev = t->next;
    if (t->next)
        t->next->pprev = t->pprev;
    t->pprev = NULL;
    t->next = NULL;
    if (t->level < PH__WHEEL_LEVELS && !w->slots[t->level][t->slot])
        w->bitmap[t->level] &= ~(1ull << t->slot);
}

/* The earliest tick at which something is due or must be re-filed. */
static uint64_t next_event(const ph__wheel *w) {
    uint64_t best = UINT64_MAX;
    for (int level = 0; level < PH__WHEEL_LEVELS; level++) {
        uint64_t bits = w->bitmap[level];
        if (!bits)
            continue;
        unsigned shift = PH__WHEEL_BITS * (unsigned)level;
        uint64_t cur = w->now >> shift;
        /* Rotate so bit 0 is the slot after the current one. */
        unsigned start = (unsigned)((cur + 1) & MASK);
        uint64_t rot = start ? (bits >> start) | (bits << (PH__WHEEL_SLOTS - start)) : bits;
        unsigned k = (unsigned)__builtin_ctzll(rot);
        uint64_t tick = (cur + 1 + k) << shift;
        if (tick < best)
            best = tick;
    }
    return best;
}

static void arm(ph__wheel *w) {
    if (w->count == 0) {
        if (w->armed_for != UINT64_MAX) {
            uv_timer_stop(&w->handle);
            w->armed_for = UINT64_MAX;
        }
        return;
    }
    uint64_t next = next_event(w);
    if (next == w->armed_for)
        return;
    uint64_t now = uv_now(w->handle.loop);
    uv_timer_start(&w->handle, on_uv_timer, next > now ? next - now : 0, 0);
    w->armed_for = next;
}

void ph__timer_start(ph__wheel *w, ph__timer *t, uint64_t ms) {
    if (t->pprev)
        ph__timer_stop(w, t);
    uint64_t now = uv_now(w->handle.loop);
    /* The wheel may lag the loop's clock until its timer fires; measure from
     * the loop's now, and keep expiry > wheel now. That clock counts whole
     * milliseconds and is read once per loop iteration, so by the wall
     * clock a timer may end up to a millisecond early (as libuv's own do). */
    t->expire = now + (ms ? ms : 1);
    if (t->expire <= w->now)
        t->expire = w->now + 1;
    place(w, t);
    w->count++;
    if (t->expire < w->armed_for)
        arm(w);
}

void ph__timer_stop(ph__wheel *w, ph__timer *t) {
    if (!t->pprev)
        return;
    unlink_timer(w, t);
    w->count--;
    if (w->count == 0)
        arm(w);
}

/* Move the timers of a higher-level slot down to where they now belong. */
static void cascade(ph__wheel *w, int level, unsigned slot) {
    ph__timer *t = w->slots[level][slot];
    w->slots[level][slot] = NULL;
    w->bitmap[level] &= ~(1ull << slot);
    while (t) {
        ph__timer *next = t->next;
        t->pprev = NULL;
        place(w, t);
        t = next;
    }
}

/* Move the level-0 slot for tick `w->now` onto the end of `*batch`. Slots
 * are filled at the head, so reversing puts timers started for the same
 * tick back in the order they were started. */
static void collect(ph__wheel *w, ph__timer **batch) {
    unsigned slot = (unsigned)(w->now & MASK);
    ph__timer *t = w->slots[0][slot];
    if (!t)
        return;
    w->slots[0][slot] = NULL;
    w->bitmap[0] &= ~(1ull << slot);
    ph__timer **tail = batch;
    while (*tail)
        tail = &(*tail)->next;
    ph__timer *rev = NULL;
    while (t) {
        ph__timer *next = t->next;
        t->next = rev;
        rev = t;
        t = next;
    }
    *tail = rev;
    for (ph__timer **pp = tail; *pp; pp = &(*pp)->next) {
        (*pp)->pprev = pp;
        (*pp)->level = 0xFF;
    }
}

static void advance(ph__wheel *w, uint64_t target, ph__timer **batch) {
    while (w->now < target) {
        uint64_t next = next_event(w);
        if (next > target) {
            w->now = target;
            return;
        }
        w->now = next;
        /* At a level boundary, bring the higher levels' slots down first,
         * highest level first so a timer falls through as far as it must. */
        for (int level = PH__WHEEL_LEVELS - 1; level >= 1; level--) {
            unsigned shift = PH__WHEEL_BITS * (unsigned)level;
            if ((w->now & ((1ull << shift) - 1)) == 0)
                cascade(w, level, (unsigned)(w->now >> shift) & MASK);
        }
        collect(w, batch);
    }
}

static void on_uv_timer(uv_timer_t *h) {
    ph__wheel *w = h->data;
    w->armed_for = UINT64_MAX;
    ph__timer *batch = NULL;
    advance(w, uv_now(h->loop), &batch);
    while (batch) {
        ph__timer *t = batch;
        batch = t->next;
        if (batch)
            batch->pprev = &batch;
        t->pprev = NULL;
        t->next = NULL;
        w->count--;
        t->cb(t);
    }
    arm(w);
    if (w->after_expire)
        w->after_expire(w->data);
}
