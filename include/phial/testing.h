/*
 * phial — the test client (aioflask's coroutine test client): requests made
 * in-process through the app protocol, no sockets. Each request runs the app
 * in a task of its own, as the server would, while the caller waits; call it
 * from inside a task (ph_run), so a test can also await other things.
 */
#ifndef PHIAL_TESTING_H
#define PHIAL_TESTING_H

#include "app.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ph_test_client ph_test_client;

/* A response as the client received it. Free with ph_test_response_free(). */
typedef struct ph_test_response {
    int status;
    ph_header *headers; /* in the order sent; names and values NUL-terminated */
    size_t nheaders;
    char *body;         /* NUL-terminated for convenience */
    size_t len;
    const char *url;    /* the URL of the last request (after redirects) */
    int redirects;      /* redirects followed */
    json_t *json_;      /* private */
} ph_test_response;

/* A file for a multipart upload. */
typedef struct ph_client_file {
    const char *field;
    const char *filename;
    const char *content_type; /* default application/octet-stream */
    const void *data;
    size_t len;
} ph_client_file;

/* Options of a test request; zero means the default. */
typedef struct ph_client_opts {
    int reserved_;                 /* private */
    const char *const *headers;    /* {"Name", "value", ..., NULL} */
    const char *query;             /* appended to the URL's query string */
    const char *const *form;       /* {"field", "value", ..., NULL}: urlencoded, or multipart
                                      when files are given */
    const ph_client_file *files;   /* multipart uploads */
    size_t nfiles;
    json_t *json;                  /* a JSON body (stolen), Content-Type application/json */
    const void *body;              /* a raw body */
    size_t body_len;
    const char *content_type;      /* for a raw body */
    bool follow_redirects;         /* follow 301/302/303/307/308 (up to 10) */
    size_t chunk_size;             /* hand the body to the app in pieces of this size */
} ph_client_opts;

/*
 * A client for `app`, with a cookie jar kept across its requests (Set-Cookie
 * stores, Max-Age=0 or a past Expires deletes).
 *
 * Returns:  the client; NULL when out of memory.
 * Owns:     borrows `app`; free with ph_test_client_free().
 * Suspends: no.
 */
PH_EXTERN ph_test_client *ph_test_client_new(ph_app *app);
/* Any app of the protocol (a middleware stack, a raw app). */
PH_EXTERN ph_test_client *ph_test_client_new_proto(ph_proto_app app);
PH_EXTERN void ph_test_client_free(ph_test_client *c);

/* A cookie in the jar ("" for an empty one); NULL when absent (or `c` or `name` is NULL). */
PH_EXTERN const char *ph_test_client_cookie(const ph_test_client *c, const char *name);
/* Put a cookie in the jar. 0; PH_EINVAL (NULL client, name or value); PH_ENOMEM. */
PH_EXTERN int ph_test_client_set_cookie(ph_test_client *c, const char *name, const char *value);

/*
 * Make a request: `url` is "/path?query" (percent-encoded as on the wire).
 *
 * Returns:  the response; NULL when out of memory, on bad arguments, or when
 *           the app returned without sending a response (as a server would
 *           answer 500, the client returns one with status 500 instead).
 * Owns:     the caller owns the response.
 * Suspends: yes (the app runs in its own task meanwhile).
 * Context:  inside a task.
 * Example:
 *     ph_test_response *r = ph_client_get(client, "/hello", .query = "name=x");
 */
PH_EXTERN ph_test_response *ph_client_request_(ph_test_client *c, const char *method,
                                               const char *url, const ph_client_opts *opts);
#define PH__CLIENT(c, m, url, ...)                                                                \
    ph_client_request_((c), (m), (url), &(ph_client_opts){.reserved_ = 0, __VA_ARGS__})
#define ph_client_get(c, url, ...) PH__CLIENT(c, "GET", url, __VA_ARGS__)
#define ph_client_post(c, url, ...) PH__CLIENT(c, "POST", url, __VA_ARGS__)
#define ph_client_put(c, url, ...) PH__CLIENT(c, "PUT", url, __VA_ARGS__)
#define ph_client_patch(c, url, ...) PH__CLIENT(c, "PATCH", url, __VA_ARGS__)
#define ph_client_delete(c, url, ...) PH__CLIENT(c, "DELETE", url, __VA_ARGS__)
#define ph_client_head(c, url, ...) PH__CLIENT(c, "HEAD", url, __VA_ARGS__)
#define ph_client_options(c, url, ...) PH__CLIENT(c, "OPTIONS", url, __VA_ARGS__)

/* The first header named `name` (case-insensitive); NULL if absent. */
PH_EXTERN const char *ph_test_response_header(const ph_test_response *r, const char *name);

/* The body parsed as JSON, borrowed from the response; NULL if it is not JSON (or `r` is NULL). */
PH_EXTERN json_t *ph_test_response_json(ph_test_response *r);

PH_EXTERN void ph_test_response_free(ph_test_response *r);

#ifdef __cplusplus
}
#endif
#endif
