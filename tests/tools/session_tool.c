/*
 * session_tool: encode and decode Flask session cookies with phial's codec,
 * for tests/integration/test_session_interop.py, which checks it against
 * Flask in both directions.
 *
 *   session_tool encode [--tagged] SECRET_KEY < session.json   -> cookie value
 *   session_tool decode [--tagged] SECRET_KEY [MAX_AGE] < cookie -> JSON
 *
 * --tagged uses the lossless tagged form (PH_TAGGED_JSON_KEEP). The clock is
 * time(NULL) unless PHIAL_SESSION_TOOL_NOW gives the seconds to use (tests
 * only: it fixes the timestamp so outputs can be compared byte for byte).
 * Decoded JSON is printed compact with sorted keys.
 *
 * Exit status: 0 ok; 2 usage or unreadable input; 3 PH_EBADSIG;
 * 4 PH_EEXPIRED; 5 PH_EPARSE; 6 PH_ETOOBIG; 1 anything else. The error name
 * goes to stderr.
 */
#include "app/session_codec.h"
#include "app/tagged_json.h"
#include "util/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *read_stdin(size_t *len) {
    size_t cap = 4096, n = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb)
                free(buf);
            buf = nb;
        }
    }
    *len = n;
    return buf;
}

static int usage(void) {
    fprintf(stderr, "usage: session_tool encode [--tagged] SECRET_KEY < json\n"
                    "       session_tool decode [--tagged] SECRET_KEY [MAX_AGE] < cookie\n");
    return 2;
}

static int exit_code(int rc) {
    switch (rc) {
    case 0:
        return 0;
    case PH_EBADSIG:
        return 3;
    case PH_EEXPIRED:
        return 4;
    case PH_EPARSE:
        return 5;
    case PH_ETOOBIG:
        return 6;
    }
    return 1;
}

static int encode(ph_session_codec *c, uint64_t now) {
    size_t len;
    char *in = read_stdin(&len);
    json_error_t jerr;
    json_t *session = in ? json_loadb(in, len, JSON_ALLOW_NUL, &jerr) : NULL;
    free(in);
    if (!session) {
        fprintf(stderr, "session_tool: bad JSON on stdin: %s\n", in ? jerr.text : "no memory");
        return 2;
    }
    ph_buf out;
    ph__buf_init(&out, 0);
    int rc = ph__session_encode(c, session, now, &out);
    json_decref(session);
    if (rc == 0)
        printf("%s\n", out.data);
    else
        fprintf(stderr, "session_tool: %s\n", ph_err_name(rc));
    ph__buf_close(&out);
    return exit_code(rc);
}

static int decode(ph_session_codec *c, int64_t max_age, uint64_t now) {
    size_t len;
    char *in = read_stdin(&len);
    if (!in)
        return 2;
    while (len && (in[len - 1] == '\n' || in[len - 1] == '\r' || in[len - 1] == ' '))
        len--;
    json_t *session;
    int rc = ph__session_decode(c, in, len, max_age, now, &session);
    free(in);
    if (rc < 0) {
        fprintf(stderr, "session_tool: %s\n", ph_err_name(rc));
        return exit_code(rc);
    }
    char *text = json_dumps(session, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    json_decref(session);
    if (!text)
        return 1;
    printf("%s\n", text);
    free(text);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3)
        return usage();
    const char *cmd = argv[1];
    int i = 2, flags = 0;
    if (strcmp(argv[i], "--tagged") == 0) {
        flags = PH_TAGGED_JSON_KEEP;
        i++;
    }
    if (i >= argc)
        return usage();
    ph_slice key = {argv[i], strlen(argv[i])};
    i++;
    const char *fixed = getenv("PHIAL_SESSION_TOOL_NOW");
    uint64_t now = fixed ? strtoull(fixed, NULL, 10) : (uint64_t)time(NULL);
    int64_t max_age = -1;
    if (strcmp(cmd, "decode") == 0 && i < argc) {
        char *end;
        max_age = strtoll(argv[i++], &end, 10);
        if (*end || max_age < 0)
            return usage();
    }
    if (i != argc || (strcmp(cmd, "encode") != 0 && strcmp(cmd, "decode") != 0))
        return usage();
    ph_session_opts opts = {.keys = &key, .nkeys = 1, .tagged_flags = flags};
    ph_session_codec *c = ph__session_codec_new(&opts);
    if (!c) {
        fprintf(stderr, "session_tool: cannot make a codec (empty key?)\n");
        return 1;
    }
    int rc = strcmp(cmd, "encode") == 0 ? encode(c, now) : decode(c, max_age, now);
    ph__session_codec_free(c);
    return rc;
}
