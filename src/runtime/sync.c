/*
 * Event, bounded queue and lock: waiter lists of ph__wait records that live on
 * the waiting tasks' stacks, served first come, first served. A cancelled or
 * timed-out waiter unlinks itself through its cancel hook, so no record is
 * ever left behind. Hand-offs (an item to a waiting consumer, the lock to the
 * next waiter) happen at wake time, so a woken task cannot lose what it was
 * given to a task that runs before it.
 */
#include "runtime/loop.h"

#include "util/alloc.h"

typedef struct waiter {
    ph__wait w;
    struct waiter *next, *prev;
    struct wlist *list;
    void *item; /* queue: the item handed over or offered */
} waiter;

typedef struct wlist {
    waiter *head, *tail;
} wlist;

static void wl_push(wlist *l, waiter *x) {
    x->list = l;
    x->next = NULL;
    x->prev = l->tail;
    if (l->tail)
        l->tail->next = x;
    else
        l->head = x;
    l->tail = x;
}

static void wl_remove(waiter *x) {
    wlist *l = x->list;
    if (!l)
        return;
    if (x->prev)
        x->prev->next = x->next;
    else
        l->head = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        l->tail = x->prev;
    x->list = NULL;
}

static waiter *wl_pop(wlist *l) {
    waiter *x = l->head;
    if (x)
        wl_remove(x);
    return x;
}

static int waiter_cancel(ph__wait *w) {
    wl_remove(ph__container_of(w, waiter, w));
    return 0;
}

static int wait_on(wlist *l, waiter *x) {
    x->w.cancel = waiter_cancel;
    x->list = NULL;
    wl_push(l, x);
    int rc = ph__suspend(&x->w, -1, 0, 0);
    if (rc < 0)
        wl_remove(x); /* refused before parking: still linked */
    return rc;
}

/* ---- event -------------------------------------------------------------- */

struct ph_event {
    int set;
    wlist waiters;
};

ph_event *ph_event_new(void) { return ph__calloc(1, sizeof(ph_event)); }

void ph_event_free(ph_event *e) { ph__free(e); }

void ph_event_set(ph_event *e) {
    if (!e)
        return;
    e->set = 1;
    waiter *x;
    while ((x = wl_pop(&e->waiters)) != NULL)
        ph__wake(&x->w, 0);
}

void ph_event_clear(ph_event *e) {
    if (e)
        e->set = 0;
}

int ph_event_is_set(const ph_event *e) { return e && e->set; }

int ph_event_wait(ph_event *e) {
    if (!ph_current())
        return PH_ENOTASK;
    if (!e)
        return PH_EINVAL;
    if (e->set)
        return 0;
    waiter x = {0};
    return wait_on(&e->waiters, &x);
}

/* ---- queue -------------------------------------------------------------- */

struct ph_queue {
    void **ring;
    size_t cap, head, len;
    int closed;
    wlist getters, putters;
};

ph_queue *ph_queue_new(size_t capacity) {
    if (capacity == 0)
        return NULL;
    ph_queue *q = ph__calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->ring = ph__calloc(capacity, sizeof(void *));
    if (!q->ring) {
        ph__free(q);
        return NULL;
    }
    q->cap = capacity;
    return q;
}

void ph_queue_free(ph_queue *q) {
    if (!q)
        return;
    ph__free(q->ring);
    ph__free(q);
}

size_t ph_queue_len(const ph_queue *q) { return q ? q->len : 0; }

static void ring_push(ph_queue *q, void *item) {
    q->ring[(q->head + q->len) % q->cap] = item;
    q->len++;
}

static void *ring_pop(ph_queue *q) {
    void *item = q->ring[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return item;
}

int ph_queue_try_put(ph_queue *q, void *item) {
    if (!q)
        return PH_EINVAL;
    if (q->closed)
        return PH_ECLOSED;
    waiter *g = wl_pop(&q->getters);
    if (g) {
        g->item = item;
        ph__wake(&g->w, 0);
        return 0;
    }
    if (q->len == q->cap)
        return PH_EBUSY;
    ring_push(q, item);
    return 0;
}

int ph_queue_put(ph_queue *q, void *item) {
    if (!ph_current())
        return PH_ENOTASK;
    if (!q)
        return PH_EINVAL;
    int rc = ph_queue_try_put(q, item);
    if (rc != PH_EBUSY)
        return rc;
    waiter x = {.item = item};
    return wait_on(&q->putters, &x);
}

int ph_queue_try_get(ph_queue *q, void **item) {
    if (!q || !item)
        return PH_EINVAL;
    if (q->len > 0) {
        *item = ring_pop(q);
        waiter *p = wl_pop(&q->putters);
        if (p) {
            ring_push(q, p->item);
            ph__wake(&p->w, 0);
        }
        return 0;
    }
    return q->closed ? PH_ECLOSED : PH_EAGAIN;
}

int ph_queue_get(ph_queue *q, void **item) {
    if (!ph_current())
        return PH_ENOTASK;
    if (!q || !item)
        return PH_EINVAL;
    int rc = ph_queue_try_get(q, item);
    if (rc != PH_EAGAIN)
        return rc;
    waiter x = {0};
    rc = wait_on(&q->getters, &x);
    if (rc == 0)
        *item = x.item;
    return rc;
}

void ph_queue_close(ph_queue *q) {
    if (!q)
        return;
    q->closed = 1;
    waiter *x;
    while ((x = wl_pop(&q->putters)) != NULL)
        ph__wake(&x->w, PH_ECLOSED);
    while ((x = wl_pop(&q->getters)) != NULL)
        ph__wake(&x->w, PH_ECLOSED);
}

/* ---- lock --------------------------------------------------------------- */

struct ph_lock {
    ph_task *owner;
    wlist waiters;
};

ph_lock *ph_lock_new(void) { return ph__calloc(1, sizeof(ph_lock)); }

void ph_lock_free(ph_lock *l) { ph__free(l); }

int ph_lock_acquire(ph_lock *l) {
    ph_task *self = ph_current();
    if (!self)
        return PH_ENOTASK;
    if (!l)
        return PH_EINVAL;
    if (l->owner == self)
        return PH_EBUSY;
    if (!l->owner) {
        if (ph_cancelled(self))
            return PH_ECANCELED;
        l->owner = self;
        return 0;
    }
    waiter x = {0};
    return wait_on(&l->waiters, &x); /* ownership is handed over before the wake */
}

int ph_lock_release(ph_lock *l) {
    if (!l)
        return PH_EINVAL;
    if (!l->owner || l->owner != ph_current())
        return PH_ESTATE;
    waiter *x = wl_pop(&l->waiters);
    l->owner = x ? x->w.task : NULL;
    if (x)
        ph__wake(&x->w, 0);
    return 0;
}
