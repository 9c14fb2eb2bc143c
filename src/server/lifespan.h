/*
 * Running an app's lifespan scope (startup before serving, shutdown after).
 */
#ifndef PH_SERVER_LIFESPAN_H
#define PH_SERVER_LIFESPAN_H

#include "phial/protocol.h"
#include "phial/runtime.h"

typedef struct ph__lifespan ph__lifespan;

/*
 * Start the lifespan task and wait for the app's startup reply. `mode` is the
 * config's lifespan field: 0 auto, 1 required, -1 off (nothing runs).
 * Returns 0 (with *out NULL when off or declined... or the handle) or
 * PH_ESTATE when startup failed (already logged). Suspends: yes.
 */
int ph__lifespan_startup(ph__lifespan **out, ph_proto_app app, void *state, int mode);

/* Send shutdown, wait for the reply and the app call to end. Suspends: yes. */
int ph__lifespan_shutdown(ph__lifespan *l);

#endif
