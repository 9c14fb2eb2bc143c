/*
 * Creating listening sockets (see listen.h). A stale unix socket file left by
 * a previous run is removed before binding; any other file at that path is
 * left alone and reported. Every failure is logged here, with the address
 * and the system's own words for it (an address that is not this
 * machine's, a path too long for a socket), which the PH_E* code alone
 * cannot say.
 */
#include "server/listen.h"

#include "util/log.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int errno_to_ph(int e) {
    switch (e) {
    case EADDRINUSE:
        return PH_EADDRINUSE;
    case EACCES:
    case EPERM:
        return PH_EACCES;
    case ENOENT:
        return PH_ENOENT;
    case EADDRNOTAVAIL:
    case EINVAL:
        return PH_EINVAL;
    default:
        return PH_EIO;
    }
}

static int unix_fail(const char *path, const char *what, int e) {
    PH_LOG_ERR("cannot listen on unix socket %s: %s: %s", path, what, strerror(e));
    return errno_to_ph(e);
}

static int unix_socket(const char *path, ph__listen_id *id) {
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof(a.sun_path)) {
        PH_LOG_ERR("cannot listen on unix socket %s: the path is over %zu bytes", path,
                   sizeof(a.sun_path) - 1);
        return PH_EINVAL;
    }
    strncpy(a.sun_path, path, sizeof(a.sun_path) - 1);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            PH_LOG_ERR("cannot listen on unix socket %s: it exists and is not a socket", path);
            return PH_EEXIST;
        }
        if (unlink(path) != 0)
            return unix_fail(path, "cannot remove the old socket", errno);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return unix_fail(path, "socket", errno);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        int e = errno;
        close(fd);
        return unix_fail(path, "bind", e);
    }
    if (id && lstat(path, &st) == 0) {
        id->dev = st.st_dev;
        id->ino = st.st_ino;
    }
    return fd;
}

void ph__listen_remove(const char *path, const ph__listen_id *id) {
    struct stat st;
    /* Only the file this server made: another server may have taken the
     * path since (it removes a stale socket before binding its own). */
    if (path && id && id->ino && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_dev == id->dev && st.st_ino == id->ino)
        unlink(path);
}

int ph__listen_socket(const ph_server_config *cfg, int port, int reuseport, int *bound_port,
                      ph__listen_id *id) {
    *bound_port = 0;
    if (id)
        *id = (ph__listen_id){0};
    if (cfg->uds)
        return unix_socket(cfg->uds, id);
    char service[16];
    snprintf(service, sizeof(service), "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    const char *host = cfg->host ? cfg->host : "127.0.0.1";
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        PH_LOG_ERR("cannot resolve listen address %s: %s", host, gai_strerror(g));
        return PH_EDNS;
    }
    int rc = PH_EINVAL, err = EINVAL;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            rc = errno_to_ph(err = errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (reuseport)
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            rc = errno_to_ph(err = errno);
            close(fd);
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &len);
        *bound_port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                               : ntohs(((struct sockaddr_in *)&ss)->sin_port);
        freeaddrinfo(res);
        return fd;
    }
    freeaddrinfo(res);
    PH_LOG_ERR("cannot listen on %s:%d: %s", host, port, strerror(err));
    return rc;
}
