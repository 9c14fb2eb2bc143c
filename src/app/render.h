/*
 * What render.c (whole pages) and render_stream.c (streamed pages) share:
 * the app's template environment, bound to the configuration, and the
 * message a template error is recorded and logged with.
 */
#ifndef PH_APP_RENDER_H
#define PH_APP_RENDER_H

#include "app/core.h"
#include "phial/render.h"

/* The environment for a render of `name` or `source` (one of them not
 * NULL), its folders and auto-reload bound at the app's first render; NULL
 * with a 500 recorded on the request and `context` released. */
ph_tmpl_env *ph__render_env(ph_request *req, const char *name, const char *source,
                            json_t *context);

/* The message for a template error `rc` described in `err`. */
void ph__render_message(int rc, const char *name, const ph_tmpl_error *err, char *msg,
                        size_t size);

#endif
