/*
 * phial — sessions and message flashing, byte-compatible with Flask 2.2's
 * default session interface: a signed cookie (itsdangerous, salt
 * "cookie-session", HMAC-SHA1, zlib when shorter, the timestamp) holding
 * Flask's tagged JSON. A cookie Flask issues with the same SECRET_KEY is read
 * here and the reverse. Tampered, truncated, expired or wrong-key cookies
 * give an empty session, never an error page.
 *
 * Config keys: SECRET_KEY, SESSION_COOKIE_NAME, SESSION_COOKIE_DOMAIN,
 * SESSION_COOKIE_PATH, SESSION_COOKIE_HTTPONLY, SESSION_COOKIE_SECURE,
 * SESSION_COOKIE_SAMESITE, PERMANENT_SESSION_LIFETIME (seconds),
 * SESSION_REFRESH_EACH_REQUEST. The cookie is sent only when the session
 * changed (or, for a permanent session, on every request when
 * SESSION_REFRESH_EACH_REQUEST is on, also one whose view never used the
 * session: it is then read at the end of the request for that), with
 * "Vary: Cookie" whenever the session was read or sent.
 */
#ifndef PHIAL_SESSION_H
#define PHIAL_SESSION_H

#include "app.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The session of the request: a JSON object loaded from the cookie on first
 * use. Change it freely (json_object_set_new ...): at the end of the request
 * it is compared with what was loaded, and a changed session is saved.
 *
 * Returns:  the object, borrowed until the request ends; NULL only when out
 *           of memory or `req` is NULL.
 * Suspends: no.
 */
PH_EXTERN json_t *ph_session(ph_request *req);

/* Convenience: get (borrowed) and set (steals `value`, on every path) one key.
 * A NULL request, key or value: NULL, or PH_EINVAL. */
PH_EXTERN json_t *ph_session_get(ph_request *req, const char *key);
PH_EXTERN int ph_session_set(ph_request *req, const char *key, json_t *value);
PH_EXTERN int ph_session_remove(ph_request *req, const char *key);
PH_EXTERN int ph_session_clear(ph_request *req);

/* session.permanent: kept in the session as Flask keeps it ("_permanent").
 * A NULL request: PH_EINVAL, or false. */
PH_EXTERN int ph_session_set_permanent(ph_request *req, bool permanent);
PH_EXTERN bool ph_session_permanent(ph_request *req);

/*
 * flash(message, category): append to the session's "_flashes" list.
 *
 * Returns:  0; PH_EINVAL (NULL request or message); PH_ENOMEM. A NULL
 *           category is "message".
 * Suspends: no.
 */
PH_EXTERN int ph_flash(ph_request *req, const char *message, const char *category);

/*
 * get_flashed_messages(): the flashed messages, taken out of the session on
 * the first call of a request and the same for later calls in it. With a
 * category filter (NULL-terminated list, or NULL for all) only those.
 *
 * Returns:  a new JSON array: of strings, or with `with_categories` of
 *           [category, message] pairs. The caller owns it. NULL for a
 *           NULL request.
 * Suspends: no.
 */
PH_EXTERN json_t *ph_get_flashed_messages(ph_request *req, bool with_categories,
                                          const char *const *category_filter);

#ifdef __cplusplus
}
#endif
#endif
