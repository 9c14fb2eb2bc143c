/*
 * test_static_server — a phial app serving a static folder, for
 * tests/integration/test_static.py, which talks to it with curl over real
 * sockets (304 and 206 checked on the wire).
 *
 * Usage: test_static_server --folder DIR [--url-path /static] [--max-age N]
 *                           [--confine] [--port N]
 *   /static/<path:filename>   the folder (ph_static_register)
 *   /download/<path:name>     ph_send_from_directory(DIR, name) as an attachment
 *   /big                      ph_send_file(DIR/big.bin) with max_age 3600
 * Nothing here is part of the library.
 */
#include <phial.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *folder = "static";

static ph_response *download(ph_request *req) {
    return ph_send_from_directory(req, folder, ph_view_arg(req, "name"), .as_attachment = true);
}

static ph_response *big(ph_request *req) {
    return ph_send_file(req, ph_request_printf(req, "%s/big.bin", folder), .max_age = 3600,
                        .has_max_age = true);
}

int main(int argc, char **argv) {
    const char *url_path = NULL;
    int port = -1;
    long max_age = -1;
    int confine = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--folder") == 0 && v)
            folder = argv[++i];
        else if (strcmp(a, "--url-path") == 0 && v)
            url_path = argv[++i];
        else if (strcmp(a, "--port") == 0 && v)
            port = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(a, "--max-age") == 0 && v)
            max_age = strtol(argv[++i], NULL, 10);
        else if (strcmp(a, "--confine") == 0)
            confine = 1;
        else {
            fprintf(stderr,
                    "usage: %s --folder DIR [--url-path P] [--max-age N] [--confine] "
                    "[--port N]\n",
                    argv[0]);
            return 2;
        }
    }
    ph_app *app = ph_app_new("static_server");
    if (!app)
        return 1;
    if (max_age >= 0)
        ph_config_set_int(app, "SEND_FILE_MAX_AGE_DEFAULT", max_age);
    if (confine)
        ph_config_set_bool(app, "STATIC_CONFINE_SYMLINKS", true);
    int rc = ph_static_register(app, url_path, folder);
    if (rc == 0)
        rc = ph_route(app, "/download/<path:name>", download, .endpoint = "download");
    if (rc == 0)
        rc = ph_route(app, "/big", big, .endpoint = "big");
    if (rc == 0)
        rc = ph_serve(ph_app_proto(app), .port = port, .access_log = -1);
    if (rc < 0)
        fprintf(stderr, "static_server: %s\n", ph_err_name(rc));
    ph_app_free(app);
    return rc == 0 ? 0 : 1;
}
