/* Error table and logging levels. */
#include "phial.h"
#include "util/alloc.h"

#include <criterion/criterion.h>

Test(error, every_code_has_name_and_message) {
#define CHECK(name, val, msg)                                                                      \
    cr_assert_str_eq(ph_strerror(PH_##name), msg);                                                 \
    cr_assert_str_eq(ph_err_name(PH_##name), "PH_" #name);
    PH_ERRNO_MAP(CHECK)
#undef CHECK
    cr_assert_str_eq(ph_strerror(0), "success");
    cr_assert_str_eq(ph_strerror(-9999), "unknown error");
    cr_assert_str_eq(ph_err_name(-9999), "PH_EUNKNOWN");
}

Test(log, level_names_parse) {
    cr_assert_eq(ph_log_level_parse("debug"), PH_LOG_DEBUG);
    cr_assert_eq(ph_log_level_parse("WARNING"), PH_LOG_WARNING);
    cr_assert_eq(ph_log_level_parse("40"), PH_LOG_ERROR);
    cr_assert_eq(ph_log_level_parse("loud"), PH_EINVAL);
    cr_assert_eq(ph_log_level_parse(""), PH_EINVAL);
}

Test(log, threshold_is_settable) {
    ph_log_set_level(PH_LOG_ERROR);
    cr_assert_eq(ph_log_get_level(), PH_LOG_ERROR);
    ph_log(PH_LOG_INFO, "dropped");
}

Test(alloc, fail_after_counts_down_then_fails) {
    ph__alloc_fail_after(2);
    void *a = ph__malloc(1), *b = ph__malloc(1), *c = ph__malloc(1);
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_null(c);
    cr_assert_eq(ph__alloc_failures(), 1);
    ph__alloc_fail_after(-1);
    ph__free(a);
    ph__free(b);
}

Test(http_names, methods_and_reasons) {
    cr_assert_eq(ph_method_from_name("GET", 3), PH_GET);
    cr_assert_eq(ph_method_from_name("get", 3), 0u, "methods are case-sensitive");
    cr_assert_str_eq(ph_method_name(PH_PATCH), "PATCH");
    cr_assert_null(ph_method_name(PH_GET | PH_POST));
    cr_assert_str_eq(ph_status_reason(404), "Not Found");
    cr_assert_str_eq(ph_status_reason(799), "Unknown");
    /* every code of IANA's registry has its phrase, not only RFC 9110's */
    static const int registered[] = {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206,
                                     207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
                                     400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410,
                                     411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424,
                                     425, 426, 428, 429, 431, 451, 500, 501, 502, 503, 504,
                                     505, 506, 507, 508, 510, 511};
    for (size_t i = 0; i < sizeof(registered) / sizeof(registered[0]); i++)
        cr_expect_str_neq(ph_status_reason(registered[i]), "Unknown", "%d", registered[i]);
    cr_assert_str_eq(ph_status_reason(423), "Locked");
    cr_assert_str_eq(ph_status_reason(511), "Network Authentication Required");
}
