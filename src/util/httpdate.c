/*
 * HTTP date formatting and parsing, RFC 9110 section 5.6.7. Calendar
 * arithmetic is done here on plain integers (proleptic Gregorian, the
 * days-from-civil method) rather than with gmtime_r/timegm, so results do
 * not depend on the C library, the time zone or the locale, and the parser
 * can check each field's range itself. Leap second 60 is accepted, as the
 * grammar allows, and lands on the next second. It does not parse any other
 * date format (ISO 8601, cookies' Expires variants).
 *
 * References: RFC 9110 5.6.7; RFC 5322 3.3 (IMF date); H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms" (days_from_civil).
 */
#include "util/httpdate.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "phial/common.h"

static const char day_names[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
static const char month_names[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const long_days[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

/* Days since 1970-01-01 of y-m-d (m 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m) {
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

static void put2(char *p, int v) {
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* Seconds of 0001-01-01 and of 10000-01-01, the range we format. */
#define MIN_T (-62135596800LL)
#define MAX_T (253402300800LL)

int ph__httpdate_format(int64_t t, char *out, size_t cap) {
    if (!out || t < MIN_T || t >= MAX_T)
        return PH_EINVAL;
    if (cap < PH__HTTPDATE_LEN + 1)
        return PH_ETOOBIG;
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int wd = (int)(((days % 7) + 7) % 7); /* 1970-01-01 was a Thursday */
    char *p = out;
    memcpy(p, day_names[wd], 3);
    memcpy(p + 3, ", ", 2);
    put2(p + 5, d);
    p[7] = ' ';
    memcpy(p + 8, month_names[m - 1], 3);
    p[11] = ' ';
    put2(p + 12, (int)(y / 100));
    put2(p + 14, (int)(y % 100));
    p[16] = ' ';
    put2(p + 17, (int)(secs / 3600));
    p[19] = ':';
    put2(p + 20, (int)(secs / 60 % 60));
    p[22] = ':';
    put2(p + 23, (int)(secs % 60));
    memcpy(p + 25, " GMT", 5); /* with the NUL */
    return PH__HTTPDATE_LEN;
}

/* ---- parsing ------------------------------------------------------------ */

/* n decimal digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned dg = (unsigned char)s[i] - '0';
        if (dg > 9)
            return -1;
        v = v * 10 + (int)dg;
    }
    return v;
}

static int month_index(const char *s) {
    for (int i = 0; i < 12; i++)
        if (memcmp(s, month_names[i], 3) == 0)
            return i + 1;
    return -1;
}

static bool short_day(const char *s) {
    for (int i = 0; i < 7; i++)
        if (memcmp(s, day_names[i], 3) == 0)
            return true;
    return false;
}

/* "HH:MM:SS" at s. */
static int parse_time(const char *s, int *sec) {
    int h = digits(s, 2), mi = digits(s + 3, 2), se = digits(s + 6, 2);
    if (h < 0 || mi < 0 || se < 0 || s[2] != ':' || s[5] != ':' || h > 23 || mi > 59 || se > 60)
        return PH_EPARSE;
    *sec = h * 3600 + mi * 60 + se;
    return 0;
}

static int combine(int64_t y, int m, int d, int sec, int64_t *t) {
    if (y < 1 || m < 1 || d < 1 || d > days_in_month(y, m))
        return PH_EPARSE;
    *t = days_from_civil(y, m, d) * 86400 + sec;
    return 0;
}

/* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" (29 bytes). */
static int parse_imf(const char *s, int64_t *t) {
    int d = digits(s + 5, 2), m = month_index(s + 8), y = digits(s + 12, 4), sec;
    if (!short_day(s) || memcmp(s + 3, ", ", 2) != 0 || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || memcmp(s + 25, " GMT", 4) != 0 || d < 0 || m < 0 || y < 0 ||
        parse_time(s + 17, &sec) < 0)
        return PH_EPARSE;
    return combine(y, m, d, sec, t);
}

/* asctime: "Sun Nov  6 08:49:37 1994" (24 bytes); the day is space-padded. */
static int parse_asctime(const char *s, int64_t *t) {
    int m = month_index(s + 4), y = digits(s + 20, 4), sec;
    int d = s[8] == ' ' ? digits(s + 9, 1) : digits(s + 8, 2);
    if (!short_day(s) || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' || m < 0 ||
        y < 0 || d < 0 || parse_time(s + 11, &sec) < 0)
        return PH_EPARSE;
    return combine(y, m, d, sec, t);
}

/* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"; the day name is spelled out. */
static int parse_rfc850(const char *s, size_t len, int64_t now, int64_t *t) {
    size_t n = 0;
    while (n < len && s[n] != ',')
        n++;
    bool named = false;
    for (int i = 0; i < 7 && !named; i++)
        named = strlen(long_days[i]) == n && memcmp(s, long_days[i], n) == 0;
    if (!named || len != n + 24)
        return PH_EPARSE;
    const char *p = s + n;
    int d = digits(p + 2, 2), m = month_index(p + 5), yy = digits(p + 9, 2), sec;
    if (p[1] != ' ' || p[4] != '-' || p[8] != '-' || p[11] != ' ' ||
        memcmp(p + 20, " GMT", 4) != 0 || d < 0 || m < 0 || yy < 0 || parse_time(p + 12, &sec) < 0)
        return PH_EPARSE;
    /* The most recent year ending in yy that is not more than 50 years ahead. */
    int64_t ny, cy;
    int nm, nd;
    civil_from_days(now >= 0 ? now / 86400 : -((-now + 86399) / 86400), &ny, &nm, &nd);
    cy = ny - ny % 100 + yy;
    if (cy > ny + 50)
        cy -= 100;
    else if (cy <= ny - 50)
        cy += 100;
    return combine(cy, m, d, sec, t);
}

int ph__httpdate_parse_at(const char *s, size_t len, int64_t now, int64_t *t) {
    if (!s || !t)
        return PH_EINVAL;
    if (len == PH__HTTPDATE_LEN && s[3] == ',')
        return parse_imf(s, t);
    if (len == 24 && s[3] == ' ')
        return parse_asctime(s, t);
    if (len > 24 && len <= 33)
        return parse_rfc850(s, len, now, t);
    return PH_EPARSE;
}

int ph__httpdate_parse(const char *s, size_t len, int64_t *t) {
    return ph__httpdate_parse_at(s, len, (int64_t)time(NULL), t);
}
