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
