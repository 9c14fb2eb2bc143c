/*
 * Listening sockets, made by hand rather than through libuv so that
 * SO_REUSEPORT can be set (one socket per worker slot) and so the
 * supervisor can create them before forking.
 */
#ifndef PH_SERVER_LISTEN_H
#define PH_SERVER_LISTEN_H

#include "phial/server.h"

#include <sys/types.h>

/* Which file a unix socket was bound as, to remove that one and no other. */
typedef struct ph__listen_id {
    dev_t dev;
    ino_t ino; /* 0: none (a TCP socket) */
} ph__listen_id;

/*
 * A bound (not yet listening) socket for cfg's host and port, or its unix
 * socket path. `port` overrides cfg->port (0: ephemeral). With `reuseport`,
 * SO_REUSEPORT is set so several sockets share the port. A failure is
 * logged here, naming the address and the system's reason.
 * Returns the descriptor, the bound port in *bound_port and the socket
 * file's identity in *id (may be NULL); a PH_E* code.
 */
int ph__listen_socket(const ph_server_config *cfg, int port, int reuseport, int *bound_port,
                      ph__listen_id *id);

/* Remove the unix socket file at `path` if it is still the one `id` names
 * (at shutdown: a socket file outlives its server otherwise). */
void ph__listen_remove(const char *path, const ph__listen_id *id);

#endif
