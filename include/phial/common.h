/*
 * phial — common definitions: export macro, error codes, string slices.
 *
 * Every public function reports failure the same way: a return value >= 0 is
 * success and a negative PH_E* code is failure (constructors return NULL).
 * The codes come from one X-macro table so the enum, ph_strerror() and
 * ph_err_name() can never disagree.
 *
 * Options are keyword arguments: ph_route(app, "/", view, .methods = PH_GET)
 * is a macro that builds a ph_route_opts and calls ph_route_(). The `_`
 * functions may be called directly too; NULL options mean the defaults.
 */
#ifndef PHIAL_COMMON_H
#define PHIAL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define PH_EXTERN __attribute__((visibility("default")))
#else
#define PH_EXTERN
#endif

/*
 * The error table: name, value, message. Values are stable; new codes go at
 * the end. Parse errors of the HTTP layer each map to one HTTP status (see
 * src/server/).
 */
#define PH_ERRNO_MAP(X)                                                                            \
    X(EAGAIN, -1, "more input needed")                                                             \
    X(ENOMEM, -2, "out of memory")                                                                 \
    X(EINVAL, -3, "invalid argument")                                                              \
    X(ECANCELED, -4, "operation canceled")                                                         \
    X(ETIMEDOUT, -5, "operation timed out")                                                        \
    X(EBUSY, -6, "resource busy")                                                                  \
    X(ENOENT, -7, "no such file or directory")                                                     \
    X(EIO, -8, "input/output error")                                                               \
    X(ECLOSED, -9, "closed by the peer or by the owner")                                           \
    X(ECONNREFUSED, -10, "connection refused")                                                     \
    X(EOVERFLOW, -11, "value too large")                                                           \
    X(ETOOBIG, -12, "limit exceeded")                                                              \
    X(EPARSE, -13, "malformed input")                                                              \
    X(ENOTASK, -14, "must be called from inside a task")                                           \
    X(ESTATE, -15, "object is in the wrong state for this call")                                   \
    X(EEXIST, -16, "already exists")                                                               \
    X(EACCES, -17, "permission denied")                                                            \
    X(ENOTSUP, -18, "operation not supported")                                                     \
    X(EADDRINUSE, -19, "address already in use")                                                   \
    X(EDNS, -20, "name resolution failed")                                                         \
    X(ECONNRESET, -21, "connection reset by peer")                                                 \
    X(ENOTFOUND, -22, "not found")                                                                 \
    X(EURITOOLONG, -23, "request line too long")                                                   \
    X(EHDRTOOLARGE, -24, "request header fields too large")                                        \
    X(EBODYTOOLARGE, -25, "request body too large")                                                \
    X(EVERSION, -26, "HTTP version not supported")                                                 \
    X(ENOTIMPL, -27, "not implemented")                                                            \
    X(ELENGTHREQ, -28, "length required")                                                          \
    X(EMEDIATYPE, -29, "unsupported media type")                                                   \
    X(ETEMPLATE, -30, "template error")                                                            \
    X(EUNDEFINED, -31, "undefined value")                                                          \
    X(ESYS, -32, "system call failed")                                                             \
    X(EBADSIG, -33, "signature does not match")                                                    \
    X(EEXPIRED, -34, "signature expired")

typedef enum ph_err {
    PH_OK = 0,
#define PH__ERR_ENUM(name, val, msg) PH_##name = (val),
    PH_ERRNO_MAP(PH__ERR_ENUM)
#undef PH__ERR_ENUM
} ph_err;

/*
 * Describe an error code in words ("operation timed out").
 *
 * Returns:  a static string; "unknown error" for a code not in the table.
 * Owns:     nothing; the string is static.
 * Suspends: no.
 */
PH_EXTERN const char *ph_strerror(int err);

/*
 * The symbolic name of an error code ("PH_ETIMEDOUT").
 *
 * Returns:  a static string; "PH_EUNKNOWN" for a code not in the table.
 * Suspends: no.
 */
PH_EXTERN const char *ph_err_name(int err);

/*
 * A borrowed run of bytes: not NUL-terminated, owned by someone else. Each
 * function that returns one says until when it stays valid.
 */
typedef struct ph_slice {
    const char *ptr; /* first byte; may be NULL when len is 0 */
    size_t len;      /* number of bytes */
} ph_slice;

#define PH_SLICE_LIT(s) ((ph_slice){(s), sizeof(s) - 1})

#ifdef __cplusplus
}
#endif
#endif
