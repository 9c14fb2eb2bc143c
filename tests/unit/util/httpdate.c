/*
 * Unit tests for HTTP dates (src/util/httpdate.c): IMF-fixdate formatting,
 * parsing of the three formats of RFC 9110 5.6.7, round trips and ranges.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "phial/common.h"
#include "util/httpdate.h"

#define RFC_EXAMPLE 784111777 /* Sun, 06 Nov 1994 08:49:37 GMT */

static int parse(const char *s, int64_t *t) {
    return ph__httpdate_parse_at(s, strlen(s), 1700000000 /* 2023 */, t);
}

Test(httpdate, formats_the_rfc_example) {
    char buf[PH__HTTPDATE_LEN + 1];
    cr_assert_eq(ph__httpdate_format(RFC_EXAMPLE, buf, sizeof(buf)), PH__HTTPDATE_LEN);
    cr_expect_str_eq(buf, "Sun, 06 Nov 1994 08:49:37 GMT");
}

Test(httpdate, formats_the_epoch) {
    char buf[32];
    ph__httpdate_format(0, buf, sizeof(buf));
    cr_expect_str_eq(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
}

Test(httpdate, formats_a_leap_day) {
    char buf[32];
    ph__httpdate_format(951782400, buf, sizeof(buf)); /* 2000-02-29 */
    cr_expect_str_eq(buf, "Tue, 29 Feb 2000 00:00:00 GMT");
}

Test(httpdate, formats_before_the_epoch) {
    char buf[32];
    ph__httpdate_format(-1, buf, sizeof(buf));
    cr_expect_str_eq(buf, "Wed, 31 Dec 1969 23:59:59 GMT");
}

Test(httpdate, format_matches_gmtime_and_strftime) {
    char mine[32], libc[64];
    for (int64_t t = -2000000000; t < 4000000000; t += 7777777) {
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        strftime(libc, sizeof(libc), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        ph__httpdate_format(t, mine, sizeof(mine));
        cr_assert_str_eq(mine, libc, "t=%lld", (long long)t);
    }
}

Test(httpdate, format_needs_room_for_the_nul) {
    char buf[PH__HTTPDATE_LEN];
    cr_expect_eq(ph__httpdate_format(0, buf, sizeof(buf)), PH_ETOOBIG);
}

Test(httpdate, format_out_of_range_is_einval) {
    char buf[32];
    cr_expect_eq(ph__httpdate_format(253402300800LL, buf, sizeof(buf)), PH_EINVAL);
    cr_expect_eq(ph__httpdate_format(-62135596801LL, buf, sizeof(buf)), PH_EINVAL);
    cr_expect_eq(ph__httpdate_format(0, NULL, 32), PH_EINVAL);
    cr_expect_eq(ph__httpdate_format(253402300799LL, buf, sizeof(buf)), PH__HTTPDATE_LEN);
    cr_expect_str_eq(buf, "Fri, 31 Dec 9999 23:59:59 GMT");
}

Test(httpdate, parses_imf_fixdate) {
    int64_t t;
    cr_assert_eq(parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
    cr_expect_eq(t, RFC_EXAMPLE);
}

Test(httpdate, parses_rfc850_date) {
    int64_t t;
    cr_assert_eq(parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), 0);
    cr_expect_eq(t, RFC_EXAMPLE);
}

Test(httpdate, parses_asctime_date) {
    int64_t t;
    cr_assert_eq(parse("Sun Nov  6 08:49:37 1994", &t), 0);
    cr_expect_eq(t, RFC_EXAMPLE);
    cr_assert_eq(parse("Wed Nov 16 08:49:37 1994", &t), 0);
    cr_expect_eq(t, RFC_EXAMPLE + 10 * 86400);
}

Test(httpdate, rfc850_year_more_than_50_years_ahead_is_last_century) {
    int64_t t, now = 1700000000; /* November 2023 */
    cr_assert_eq(ph__httpdate_parse_at("Friday, 01-Jan-70 00:00:00 GMT", 30, now, &t), 0);
    cr_expect_eq(t, 3155760000LL, "2070 is within 50 years");
    cr_assert_eq(ph__httpdate_parse_at("Monday, 01-Jan-80 00:00:00 GMT", 30, now, &t), 0);
    cr_expect_eq(t, 315532800, "2080 would be more than 50 years ahead: 1980");
}

Test(httpdate, round_trips_through_format_and_parse) {
    for (int64_t t = -5000000000LL; t < 10000000000LL; t += 123456789) {
        char buf[32];
        int64_t back;
        cr_assert_eq(ph__httpdate_format(t, buf, sizeof(buf)), PH__HTTPDATE_LEN);
        cr_assert_eq(ph__httpdate_parse(buf, PH__HTTPDATE_LEN, &back), 0, "%s", buf);
        cr_expect_eq(back, t, "%s", buf);
    }
}

Test(httpdate, leap_second_is_accepted) {
    int64_t t;
    cr_assert_eq(parse("Sat, 31 Dec 2016 23:59:60 GMT", &t), 0);
    cr_expect_eq(t, 1483228800);
}

Test(httpdate, invalid_dates_are_rejected) {
    const char *bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 29 Feb 1900 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "Sun,06 Nov 1994 08:49:37 GMT ",
        "Sun, 06 Nov 1994 08:49:37 GMT ",
        "Sun, 06 Nov +994 08:49:37 GMT",
        "Sun, 06 Nov 0000 08:49:37 GMT",
        "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sunday, 06 Nov 94 08:49:37 GMT",
        "Sundae, 06-Nov-94 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov  6 08:49:37 94  ",
        "Sun Nov 06 08:49:37 1994 ",
        "1994-11-06T08:49:37Z",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t t;
        cr_expect_eq(parse(bad[i], &t), PH_EPARSE, "accepted \"%s\"", bad[i]);
    }
}

Test(httpdate, asctime_with_two_digit_day_is_accepted) {
    int64_t t;
    cr_expect_eq(parse("Sun Nov 06 08:49:37 1994", &t), 0);
    cr_expect_eq(t, RFC_EXAMPLE);
}

Test(httpdate, weekday_is_not_checked_against_the_date) {
    int64_t t;
    cr_assert_eq(parse("Mon, 06 Nov 1994 08:49:37 GMT", &t), 0);
    cr_expect_eq(t, RFC_EXAMPLE);
}

Test(httpdate, parse_null_is_einval) {
    int64_t t;
    cr_expect_eq(ph__httpdate_parse(NULL, 0, &t), PH_EINVAL);
    cr_expect_eq(ph__httpdate_parse("x", 1, NULL), PH_EINVAL);
}
