/*
 * Serving one process, and the supervisor over several.
 */
#ifndef PH_SERVER_SERVE_H
#define PH_SERVER_SERVE_H

#include "phial/server.h"

/* Fill zero fields of `c` with their defaults. */
void ph__server_config_defaults(ph_server_config *c);

/*
 * Serve on the bound socket `fd` in this process until SIGTERM/SIGINT.
 * `ready_fd` (>= 0) gets one byte once listening, then is closed.
 */
int ph__serve_in_process(ph_proto_app app, const ph_server_config *cfg, int fd, int port,
                         int ready_fd);

/* Fork cfg->workers workers and look after them until SIGTERM/SIGINT. */
int ph__supervise(ph_proto_app app, const ph_server_config *cfg);

#endif
