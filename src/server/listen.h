/*
 * Listening sockets, made by hand rather than through libuv so that
 * SO_REUSEPORT can be set (one socket per worker slot) and so the
 * supervisor can create them before forking.
 */
#ifndef PH_SERVER_LISTEN_H
#define PH_SERVER_LISTEN_H

#include "phial/server.h"

/*
 * A bound (not yet listening) socket for cfg's host and port, or its unix
 * socket path. `port` overrides cfg->port (0: ephemeral). With `reuseport`,
 * SO_REUSEPORT is set so several sockets share the port.
 * Returns the descriptor and the bound port in *bound_port; a PH_E* code.
 */
int ph__listen_socket(const ph_server_config *cfg, int port, int reuseport, int *bound_port);

#endif
