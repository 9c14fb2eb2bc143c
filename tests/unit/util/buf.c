/* Growable buffer with a hard maximum. */
#include "phial/common.h"
#include "util/alloc.h"
#include "util/buf.h"

#include <criterion/criterion.h>
#include <string.h>

Test(buf, append_grows_and_terminates) {
    ph_buf b;
    ph__buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(ph__buf_append(&b, "ab", 2), 0);
    cr_assert_eq(b.len, 2000);
    cr_assert_eq(b.data[b.len], '\0');
    cr_assert_eq(memcmp(b.data, "abab", 4), 0);
    ph__buf_close(&b);
}

Test(buf, append_past_limit_fails) {
    ph_buf b;
    ph__buf_init(&b, 10);
    cr_assert_eq(ph__buf_append(&b, "0123456789", 10), 0);
    cr_assert_eq(ph__buf_append_char(&b, 'x'), PH_ETOOBIG);
    cr_assert_eq(b.len, 10, "a refused append changes nothing");
    ph__buf_close(&b);
}

Test(buf, printf_appends_formatted) {
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__buf_append_str(&b, "n=");
    ph__buf_printf(&b, "%d %s", 7, "seven");
    cr_assert_str_eq(b.data, "n=7 seven");
    ph__buf_close(&b);
}

Test(buf, consume_drops_prefix) {
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__buf_append_str(&b, "hello world");
    ph__buf_consume(&b, 6);
    cr_assert_str_eq(b.data, "world");
    ph__buf_consume(&b, 100);
    cr_assert_eq(b.len, 0);
    ph__buf_close(&b);
}

Test(buf, steal_hands_over_bytes) {
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__buf_append_str(&b, "abc");
    size_t len;
    char *d = ph__buf_steal(&b, &len);
    cr_assert_eq(len, 3);
    cr_assert_str_eq(d, "abc");
    cr_assert_null(b.data);
    ph__free(d);
}

Test(buf, out_of_memory_reports_enomem) {
    ph_buf b;
    ph__buf_init(&b, 0);
    ph__alloc_fail_after(0);
    cr_assert_eq(ph__buf_append_str(&b, "x"), PH_ENOMEM);
    ph__alloc_fail_after(-1);
    cr_assert_eq(ph__alloc_failures(), 0);
    ph__buf_close(&b);
}

/* A sink that keeps what it is handed, or refuses it. */
typedef struct test_sink {
    ph_buf_sink sink;
    char got[512];
    size_t ngot;
    int calls;
    int keep;  /* leave the bytes in the buffer instead of taking them */
    int error; /* returned instead of taking them */
} test_sink;

static int take(ph_buf_sink *s, ph_buf *b) {
    test_sink *t = (test_sink *)s;
    t->calls++;
    if (t->error || t->keep)
        return t->error;
    memcpy(t->got + t->ngot, b->data, b->len);
    t->ngot += b->len;
    b->len = 0;
    return 0;
}

Test(buf, sink_is_drained_instead_of_growing) {
    test_sink t = {.sink = {take}};
    ph_buf b;
    ph__buf_init(&b, 64);
    cr_assert_eq(ph__buf_reserve(&b, 63), 0); /* 64 bytes with the terminator */
    b.sink = &t.sink;
    for (int i = 0; i < 20; i++)
        cr_assert_eq(ph__buf_append(&b, "abcdefg", 7), 0, "140 bytes through a 64-byte maximum");
    cr_assert_eq(b.cap, 64, "the buffer never grew");
    memcpy(t.got + t.ngot, b.data, b.len);
    t.ngot += b.len;
    cr_assert_eq(t.ngot, 140);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(memcmp(t.got + 7 * i, "abcdefg", 7), 0, "bytes kept in order");
    cr_assert_eq(t.calls, 2, "drained only when an append did not fit (after 63 bytes)");
    ph__buf_close(&b);
}

Test(buf, sink_that_keeps_the_bytes_lets_the_buffer_grow_to_its_maximum) {
    test_sink t = {.sink = {take}, .keep = 1};
    ph_buf b;
    ph__buf_init(&b, 20);
    b.sink = &t.sink;
    cr_assert_eq(ph__buf_append(&b, "0123456789", 10), 0);
    cr_assert_eq(ph__buf_append(&b, "0123456789", 10), 0);
    cr_assert_eq(ph__buf_append_char(&b, 'x'), PH_ETOOBIG, "what is held stays bounded");
    cr_assert_eq(b.len, 20);
    cr_assert_eq(t.ngot, 0);
    ph__buf_close(&b);
}

Test(buf, sink_error_fails_the_append) {
    test_sink t = {.sink = {take}, .error = PH_ECLOSED};
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__buf_append(&b, "abc", 3), 0, "an empty buffer is not drained");
    b.sink = &t.sink;
    char big[70];
    memset(big, 'z', sizeof(big));
    cr_assert_eq(ph__buf_append(&b, big, sizeof(big)), PH_ECLOSED);
    cr_assert_eq(b.len, 3, "a refused append changes nothing");
    ph__buf_close(&b);
}
