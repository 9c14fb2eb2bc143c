/*
 * Growable byte buffer. Capacity doubles, so appends are amortised O(1); the
 * hard maximum keeps a hostile peer from growing one without bound. A buffer
 * with a sink is drained before it grows, so it can carry any amount of
 * output in the room of one chunk.
 */
#include "buf.h"

#include "alloc.h"
#include "phial/common.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

void ph__buf_init(ph_buf *b, size_t max) {
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
    b->sink = NULL;
}

void ph__buf_close(ph_buf *b) {
    ph__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int ph__buf_reserve(ph_buf *b, size_t n) {
    /* cap > len whenever data is allocated (room for the terminator), and
     * len is 0 when it is not: the room left is never negative */
    if (b->sink && b->len && n >= b->cap - b->len) {
        int rc = b->sink->drain(b->sink, b);
        if (rc < 0)
            return rc;
    }
    if (n > b->max || b->len > b->max - n)
        return PH_ETOOBIG;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *d = ph__realloc(b->data, cap);
    if (!d)
        return PH_ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

int ph__buf_append(ph_buf *b, const void *p, size_t n) {
    int rc = ph__buf_reserve(b, n);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int ph__buf_append_str(ph_buf *b, const char *s) { return ph__buf_append(b, s, strlen(s)); }

int ph__buf_append_char(ph_buf *b, char c) { return ph__buf_append(b, &c, 1); }

int ph__buf_vprintf(ph_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return PH_EINVAL;
    int rc = ph__buf_reserve(b, (size_t)n);
    if (rc < 0)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int ph__buf_printf(ph_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = ph__buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void ph__buf_consume(ph_buf *b, size_t n) {
    if (n >= b->len) {
        b->len = 0;
    } else {
        memmove(b->data, b->data + n, b->len - n);
        b->len -= n;
    }
    if (b->data)
        b->data[b->len] = '\0';
}

char *ph__buf_steal(ph_buf *b, size_t *len) {
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
