/*
 * Growable byte buffer with a hard maximum set at init: appending past the
 * maximum fails with PH_ETOOBIG instead of growing without bound.
 */
#ifndef PH_UTIL_BUF_H
#define PH_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ph_buf ph_buf;

/*
 * Where a buffer's bytes can go instead of making it grow (a streaming
 * render sends its output this way). When an append does not fit in the
 * room allocated and the buffer holds bytes, ph__buf_reserve first calls
 * drain(), which may send and drop them (len back to 0) or leave them, and
 * only then grows the buffer if it must. A negative return fails the append
 * with that code. The sink belongs to whoever set it; embed it in a larger
 * struct to carry state.
 */
typedef struct ph_buf_sink ph_buf_sink;
struct ph_buf_sink {
    int (*drain)(ph_buf_sink *sink, ph_buf *b);
};

struct ph_buf {
    char *data;        /* bytes; NUL-terminated after every successful append */
    size_t len;        /* bytes used, not counting the terminator */
    size_t cap;        /* bytes allocated */
    size_t max;        /* hard cap on len; 0 = SIZE_MAX / 2 */
    ph_buf_sink *sink; /* NULL: the buffer only grows */
};

void ph__buf_init(ph_buf *b, size_t max);
void ph__buf_close(ph_buf *b);

/* Make room for `n` more bytes, draining into the sink first when it has
 * one and the bytes do not fit (so `max` bounds what is held, not what went
 * through). 0, PH_ENOMEM, PH_ETOOBIG or the sink's error. */
int ph__buf_reserve(ph_buf *b, size_t n);

int ph__buf_append(ph_buf *b, const void *p, size_t n);
int ph__buf_append_str(ph_buf *b, const char *s);
int ph__buf_append_char(ph_buf *b, char c);
int ph__buf_printf(ph_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ph__buf_vprintf(ph_buf *b, const char *fmt, va_list ap);

/* Drop the first `n` bytes, moving the rest to the front. */
void ph__buf_consume(ph_buf *b, size_t n);

/* Hand the bytes to the caller (free with ph__free) and empty the buffer. */
char *ph__buf_steal(ph_buf *b, size_t *len);

#endif
