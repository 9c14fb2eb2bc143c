/*
 * phial — HTTP vocabulary shared by the server, the app protocol and the
 * framework: request methods as bits (so a route can take a set of them) and
 * status reason phrases.
 */
#ifndef PHIAL_HTTP_H
#define PHIAL_HTTP_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Request methods as bits; a route's `.methods` is an OR of them. */
typedef enum ph_method {
    PH_GET = 1u << 0,
    PH_HEAD = 1u << 1,
    PH_POST = 1u << 2,
    PH_PUT = 1u << 3,
    PH_DELETE = 1u << 4,
    PH_PATCH = 1u << 5,
    PH_OPTIONS = 1u << 6,
    PH_TRACE = 1u << 7,
    PH_CONNECT = 1u << 8,
} ph_method;

/*
 * The method bit for a method name (case-sensitive, as HTTP methods are).
 *
 * Returns:  the bit; 0 for an unknown method or NULL.
 * Suspends: no.
 */
PH_EXTERN unsigned ph_method_from_name(const char *name, size_t len);

/* The name of a single method bit ("GET"); NULL if `m` is not one. Suspends: no. */
PH_EXTERN const char *ph_method_name(unsigned m);

/* The reason phrase of a status code ("Not Found"); "Unknown" if none. Suspends: no. */
PH_EXTERN const char *ph_status_reason(int status);

#ifdef __cplusplus
}
#endif
#endif
