/*
 * HTTP dates, RFC 9110 section 5.6.7: format the preferred IMF-fixdate
 * ("Sun, 06 Nov 1994 08:49:37 GMT") for Date and Last-Modified, and parse
 * all three formats a recipient must accept (for If-Modified-Since and
 * friends). Pure functions on seconds since the Unix epoch, UTC; no locale,
 * no time zone, no allocation.
 */
#ifndef PH_UTIL_HTTPDATE_H
#define PH_UTIL_HTTPDATE_H

#include <stddef.h>
#include <stdint.h>

/* Length of an IMF-fixdate, without a terminating NUL. */
#define PH__HTTPDATE_LEN 29

/*
 * Write `t` (seconds since 1970-01-01T00:00:00Z) as an IMF-fixdate plus a NUL
 * into out[0, cap).
 *
 * Returns:  PH__HTTPDATE_LEN; PH_ETOOBIG if cap < PH__HTTPDATE_LEN + 1;
 *           PH_EINVAL if `t` falls outside the years 0001-9999 or out is NULL.
 * Owns:     nothing.
 * Suspends: no.
 */
int ph__httpdate_format(int64_t t, char *out, size_t cap);

/*
 * Parse an HTTP date in IMF-fixdate, obsolete RFC 850 ("Sunday, 06-Nov-94
 * 08:49:37 GMT") or asctime ("Sun Nov  6 08:49:37 1994") form, exactly as
 * the grammar gives it (case-sensitive names, fixed spacing). A two-digit
 * RFC 850 year more than 50 years after `now` means the century before
 * (RFC 9110 5.6.7). The weekday must be a valid name; it is not checked
 * against the date.
 *
 * Returns:  0 and sets *t; PH_EPARSE not a valid HTTP date; PH_EINVAL NULL.
 * Owns:     nothing.
 * Suspends: no.
 */
int ph__httpdate_parse_at(const char *s, size_t len, int64_t now, int64_t *t);

/* ph__httpdate_parse_at() with `now` the current time. Suspends: no. */
int ph__httpdate_parse(const char *s, size_t len, int64_t *t);

#endif
