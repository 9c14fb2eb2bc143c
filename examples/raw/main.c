/*
 * examples/raw — a hello app written against the app protocol alone, with no
 * framework: the smallest thing phial's server can serve.
 *
 *   GET /            Hello, World!          (text/plain)
 *   GET /plaintext   Hello, World!          (text/plain)
 *   GET /json        {"message":"Hello, World!"}
 *   POST /echo       the request body back, streamed as it arrives
 *   anything else    404
 *
 * Run:  ./raw [--host H] [--port P] [--workers N] [--uds PATH] [--no-access-log]
 */
#include <phial.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int respond(ph_channel *ch, int status, const char *type, const char *body) {
    char len[24];
    snprintf(len, sizeof(len), "%zu", strlen(body));
    ph_header h[] = {{PH_SLICE_LIT("Content-Type"), {type, strlen(type)}},
                     {PH_SLICE_LIT("Content-Length"), {len, strlen(len)}}};
    ph_message start = {.type = PH_MSG_HTTP_RESPONSE_START, .status = status, .headers = h,
                        .nheaders = 2};
    int rc = ph_send(ch, &start);
    if (rc < 0)
        return rc;
    ph_message m = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = {body, strlen(body)}};
    return ph_send(ch, &m);
}

static int echo(ph_channel *ch) {
    ph_header h[] = {{PH_SLICE_LIT("Content-Type"), PH_SLICE_LIT("application/octet-stream")}};
    ph_message start = {.type = PH_MSG_HTTP_RESPONSE_START, .status = 200, .headers = h,
                        .nheaders = 1};
    int rc = ph_send(ch, &start);
    for (int more = 1; rc == 0 && more;) {
        ph_message in;
        rc = ph_receive(ch, &in);
        if (rc < 0 || in.type != PH_MSG_HTTP_REQUEST)
            return rc < 0 ? rc : PH_ECLOSED;
        more = in.more_body;
        ph_message out = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = in.body, .more_body = more};
        rc = ph_send(ch, &out);
    }
    return rc;
}

static int app(void *self, const ph_scope *scope, ph_channel *ch) {
    (void)self;
    if (scope->type != PH_SCOPE_HTTP)
        return PH_ENOTSUP; /* no startup or shutdown work */
    ph_slice p = scope->path;
    if (p.len == 5 && memcmp(p.ptr, "/echo", 5) == 0 && scope->method_bit == PH_POST)
        return echo(ch);
    if ((p.len == 1 && p.ptr[0] == '/') || (p.len == 10 && memcmp(p.ptr, "/plaintext", 10) == 0))
        return respond(ch, 200, "text/plain", "Hello, World!");
    if (p.len == 5 && memcmp(p.ptr, "/json", 5) == 0)
        return respond(ch, 200, "application/json", "{\"message\":\"Hello, World!\"}");
    return respond(ch, 404, "text/plain", "Not Found");
}

int main(int argc, char **argv) {
    ph_server_config cfg = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--host") == 0 && v)
            cfg.host = argv[++i];
        else if (strcmp(a, "--port") == 0 && v)
            cfg.port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(a, "--workers") == 0 && v)
            cfg.workers = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(a, "--uds") == 0 && v)
            cfg.uds = argv[++i];
        else if (strcmp(a, "--no-access-log") == 0)
            cfg.access_log = -1;
        else {
            fprintf(stderr, "usage: %s [--host H] [--port P] [--workers N] [--uds PATH] "
                            "[--no-access-log]\n", argv[0]);
            return 2;
        }
    }
    ph_proto_app hello = {.call = app};
    return ph_serve_(hello, &cfg) == 0 ? 0 : 1;
}
