/*
 * Static files through the test client: the static route, ph_send_file()
 * and ph_send_from_directory() with Werkzeug 2.2's headers, conditional
 * requests, byte ranges and safe joining. Each test works in a fresh
 * temporary directory (Criterion runs each test in its own process, so the
 * chdir stays local to it).
 */
#include "fw_common.h"

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <zlib.h>

static char root[PATH_MAX]; /* the temporary directory, also the current one */

static void write_file(const char *path, const char *data, size_t len) {
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot create %s", path);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* static/a.txt (23 bytes, mtime 1577934245.5), static/sub/s.css, secret.txt outside. */
static void setup_tree(void) {
    char tmpl[] = "/tmp/phial-static-XXXXXX";
    cr_assert_not_null(mkdtemp(tmpl));
    cr_assert_eq(chdir(tmpl), 0);
    cr_assert_not_null(getcwd(root, sizeof(root)));
    cr_assert_eq(mkdir("static", 0755), 0);
    cr_assert_eq(mkdir("static/sub", 0755), 0);
    write_file("static/a.txt", "hello world 0123456789\n", 23);
    struct timespec ts[2] = {{1577934245, 500000000}, {1577934245, 500000000}};
    cr_assert_eq(utimensat(AT_FDCWD, "static/a.txt", ts, 0), 0);
    write_file("static/sub/s.css", "body{}\n", 7);
    write_file("secret.txt", "top secret\n", 11);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    return remove(path);
}

/* Criterion's .fini of every test: delete the temporary directory. */
static void remove_tree(void) {
    if (root[0] && strncmp(root, "/tmp/phial-static-", 18) == 0) {
        if (chdir("/") == 0)
            nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}

static ph_app *static_app(void) {
    setup_tree();
    ph_app *app = fw_app();
    cr_assert_eq(ph_static_register(app, NULL, NULL), 0);
    return app;
}

static const char *hdr(ph_test_response *r, const char *name) {
    return ph_test_response_header(r, name);
}

static char *expected_etag(const char *abs_path, const char *mtime, unsigned size) {
    static char buf[PATH_MAX + 64];
    uLong a = adler32(1L, (const Bytef *)abs_path, (uInt)strlen(abs_path));
    snprintf(buf, sizeof(buf), "\"%s-%u-%lu\"", mtime, size, (unsigned long)a);
    return buf;
}

/* ---- the static route -------------------------------------------------------------- */

static int body_serves(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/static/a.txt");
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_str_eq(r->body, "hello world 0123456789\n");
    fw_expect_header(r, "Content-Type", "text/plain; charset=utf-8");
    fw_expect_header(r, "Content-Length", "23");
    fw_expect_header(r, "Last-Modified", "Thu, 02 Jan 2020 03:04:05 GMT");
    fw_expect_header(r, "Cache-Control", "no-cache");
    fw_expect_header(r, "Content-Disposition", "inline; filename=a.txt");
    char abs[PATH_MAX + 16];
    snprintf(abs, sizeof(abs), "%s/static/a.txt", root);
    fw_expect_header(r, "ETag", expected_etag(abs, "1577934245.5", 23));
    fw_expect_header(r, "Accept-Ranges", NULL);
    fw_expect_header(r, "Expires", NULL);
    ph_test_response_free(r);
    r = ph_client_get(c, "/static/sub/s.css");
    cr_assert_eq(r->status, 200);
    cr_assert_str_eq(r->body, "body{}\n");
    fw_expect_header(r, "Content-Type", "text/css; charset=utf-8");
    ph_test_response_free(r);
    return 0;
}

Test(static_send, static_route_serves_files_with_werkzeug_headers, .fini = remove_tree) {
    fw_run(static_app(), body_serves);
}

static int body_head(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_head(c, "/static/a.txt");
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->len, 0);
    fw_expect_header(r, "Content-Length", "23");
    ph_test_response_free(r);
    fw_expect(ph_client_post(c, "/static/a.txt"), 405, NULL);
    return 0;
}

Test(static_send, head_has_headers_and_no_body_post_is_405, .fini = remove_tree) {
    fw_run(static_app(), body_head);
}

static int body_url_for(ph_app *app, ph_test_client *c) {
    ph_request_ctx *ctx = ph_request_context_push(app, "GET", "/");
    cr_assert_not_null(ctx);
    const char *u = ph_url_for(ph_current_request(), "static",
                               .values = json_pack("{s:s}", "filename", "sub/s.css"));
    cr_assert_str_eq(u, "/static/sub/s.css");
    ph_request_context_pop(ctx);
    return 0;
}

Test(static_send, url_for_static_builds_the_path, .fini = remove_tree) {
    fw_run(static_app(), body_url_for);
}

static int body_custom(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/assets/a.txt"), 200, "hello world 0123456789\n");
    fw_expect(ph_client_get(c, "/static/a.txt"), 404, NULL);
    return 0;
}

Test(static_send, url_path_and_folder_are_configurable, .fini = remove_tree) {
    setup_tree();
    ph_app *app = fw_app();
    cr_assert_eq(ph_static_register(app, "/assets/", "static"), 0);
    fw_run(app, body_custom);
}

static int body_public(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/public/a.txt"), 200, "hello world 0123456789\n");
    return 0;
}

Test(static_send, default_url_path_is_the_folder_name, .fini = remove_tree) {
    setup_tree();
    cr_assert_eq(rename("static", "public"), 0);
    ph_app *app = fw_app();
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof(abs), "%s/public", root);
    cr_assert_eq(ph_static_register(app, NULL, abs), 0);
    cr_assert_eq(ph_static_register(app, "assets", "x"), PH_EINVAL);
    fw_run(app, body_public);
}

/* ---- conditional requests and ranges --------------------------------------------------- */

static int body_conditional(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/static/a.txt");
    char etag[256];
    snprintf(etag, sizeof(etag), "%s", hdr(r, "ETag"));
    ph_test_response_free(r);

    r = ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"If-None-Match", etag, NULL});
    cr_assert_eq(r->status, 304);
    cr_assert_eq(r->len, 0);
    fw_expect_header(r, "ETag", etag);
    fw_expect_header(r, "Cache-Control", "no-cache");
    fw_expect_header(r, "Content-Disposition", "inline; filename=a.txt");
    fw_expect_header(r, "Content-Type", NULL);
    fw_expect_header(r, "Content-Length", NULL);
    fw_expect_header(r, "Last-Modified", NULL);
    ph_test_response_free(r);

    char weak[300];
    snprintf(weak, sizeof(weak), "\"x\", W/%s", etag);
    fw_expect(
        ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"If-None-Match", weak, NULL}),
        304, "");
    fw_expect(ph_client_get(c, "/static/a.txt",
                            .headers = (const char *[]){"If-None-Match", "\"other\"", NULL}),
              200, "hello world 0123456789\n");
    fw_expect(ph_client_get(c, "/static/a.txt",
                            .headers = (const char *[]){"If-Modified-Since",
                                                        "Thu, 02 Jan 2020 03:04:05 GMT", NULL}),
              304, "");
    fw_expect(ph_client_get(c, "/static/a.txt",
                            .headers = (const char *[]){"If-Modified-Since",
                                                        "Thu, 02 Jan 2020 03:04:04 GMT", NULL}),
              200, NULL);
    fw_expect(ph_client_get(c, "/static/a.txt",
                            .headers = (const char *[]){"If-Match", "\"other\"", NULL}),
              412, "hello world 0123456789\n");
    fw_expect(
        ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"If-Match", etag, NULL}), 200,
        NULL);
    return 0;
}

Test(static_send, etag_and_dates_give_304_and_412, .fini = remove_tree) {
    fw_run(static_app(), body_conditional);
}

static int body_ranges(ph_app *app, ph_test_client *c) {
    ph_test_response *r =
        ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"Range", "bytes=0-4", NULL});
    cr_assert_eq(r->status, 206);
    cr_assert_str_eq(r->body, "hello");
    fw_expect_header(r, "Content-Range", "bytes 0-4/23");
    fw_expect_header(r, "Content-Length", "5");
    fw_expect_header(r, "Accept-Ranges", "bytes");
    ph_test_response_free(r);

    r = ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"Range", "bytes=-3", NULL});
    cr_assert_eq(r->status, 206);
    cr_assert_str_eq(r->body, "89\n");
    fw_expect_header(r, "Content-Range", "bytes 20-22/23");
    ph_test_response_free(r);

    r = ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"Range", "bytes=12-", NULL});
    cr_assert_eq(r->status, 206);
    cr_assert_str_eq(r->body, "0123456789\n");
    ph_test_response_free(r);

    const char *bad[] = {"bytes=100-", "bytes=0-1,3-4", "bytes=3-2", "items=0-1", "bytes=x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"Range", bad[i], NULL});
        cr_assert_eq(r->status, 416, "%s: %d", bad[i], r->status);
        fw_expect_header(r, "Content-Range", "bytes */23");
        cr_assert(strstr(r->body, "416 Requested Range Not Satisfiable"));
        ph_test_response_free(r);
    }

    r = ph_client_get(c, "/static/a.txt",
                      .headers =
                          (const char *[]){"Range", "bytes=0-4", "If-Range", "\"old\"", NULL});
    cr_assert_eq(r->status, 200, "a stale If-Range gives the whole file");
    cr_assert_eq(r->len, 23);
    ph_test_response_free(r);
    r = ph_client_get(c, "/static/a.txt",
                      .headers = (const char *[]){"Range", "bytes=0-4", "If-Range",
                                                  "Thu, 02 Jan 2020 03:04:05 GMT", NULL});
    cr_assert_eq(r->status, 206);
    ph_test_response_free(r);
    r = ph_client_head(c, "/static/a.txt", .headers = (const char *[]){"Range", "bytes=1-2", NULL});
    cr_assert_eq(r->status, 206);
    cr_assert_eq(r->len, 0);
    fw_expect_header(r, "Content-Length", "2");
    ph_test_response_free(r);
    return 0;
}

Test(static_send, single_byte_ranges_give_206_and_bad_ones_416, .fini = remove_tree) {
    fw_run(static_app(), body_ranges);
}

static ph_response *on_416(ph_request *req, const ph_error *err) {
    return ph_text(req, 416, "custom range page");
}

static int body_416_handler(ph_app *app, ph_test_client *c) {
    fw_expect(
        ph_client_get(c, "/static/a.txt", .headers = (const char *[]){"Range", "bytes=99-", NULL}),
        416, "custom range page");
    return 0;
}

Test(static_send, unsatisfiable_range_goes_through_error_handlers, .fini = remove_tree) {
    ph_app *app = static_app();
    ph_errorhandler(app, 416, on_416);
    fw_run(app, body_416_handler);
}

/* ---- safe joining through the route ---------------------------------------------------- */

static int body_traversal(ph_app *app, ph_test_client *c) {
    const char *attempts[] = {
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/sub/../../secret.txt",
        "/static/sub/%2e%2e/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/sub%2F..%2F..%2Fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/sub\\..\\..\\secret.txt",
        "/static/a.txt%00.png",
        "/static/%00",
        "/static//etc/passwd",
        "/static/%2fetc/passwd",
        "/static/sub/",
        "/static/sub",
        "/static/missing.txt",
    };
    for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
        ph_test_response *r = ph_client_get(c, attempts[i]);
        cr_assert_not_null(r);
        cr_assert(r->status == 404 || r->status == 308, "%s gave %d: %s", attempts[i], r->status,
                  r->body);
        cr_assert_null(strstr(r->body, "top secret"), "%s leaked the file", attempts[i]);
        cr_assert_null(strstr(r->body, "root:"), "%s leaked /etc/passwd", attempts[i]);
        ph_test_response_free(r);
    }
    /* As in Flask: normalising drops the trailing slash. */
    fw_expect(ph_client_get(c, "/static/sub/s.css/"), 200, "body{}\n");
    return 0;
}

Test(static_send, traversal_attempts_get_404, .fini = remove_tree) {
    fw_run(static_app(), body_traversal);
}

static int body_symlink_followed(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/static/link.txt"), 200, "top secret\n");
    fw_expect(ph_client_get(c, "/static/inner.txt"), 200, "hello world 0123456789\n");
    return 0;
}

static int body_symlink_confined(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/static/link.txt"), 404, NULL);
    fw_expect(ph_client_get(c, "/static/linkdir/secret.txt"), 404, NULL);
    fw_expect(ph_client_get(c, "/static/inner.txt"), 200, "hello world 0123456789\n");
    return 0;
}

static ph_app *symlink_app(bool confine) {
    ph_app *app = static_app();
    char target[PATH_MAX + 16];
    snprintf(target, sizeof(target), "%s/secret.txt", root);
    cr_assert_eq(symlink(target, "static/link.txt"), 0);
    cr_assert_eq(symlink("..", "static/linkdir"), 0);
    cr_assert_eq(symlink("a.txt", "static/inner.txt"), 0);
    if (confine)
        ph_config_set_bool(app, "STATIC_CONFINE_SYMLINKS", true);
    return app;
}

Test(static_send, symlinks_are_followed_as_in_werkzeug, .fini = remove_tree) {
    fw_run(symlink_app(false), body_symlink_followed);
}

Test(static_send, confined_symlinks_may_not_leave_the_folder, .fini = remove_tree) {
    fw_run(symlink_app(true), body_symlink_confined);
}

/* ---- max age ------------------------------------------------------------------------------ */

static int body_max_age(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/static/a.txt");
    fw_expect_header(r, "Cache-Control", "public, max-age=60");
    cr_assert_not_null(hdr(r, "Expires"));
    ph_test_response_free(r);
    return 0;
}

Test(static_send, send_file_max_age_default_from_config, .fini = remove_tree) {
    ph_app *app = static_app();
    ph_config_set_int(app, "SEND_FILE_MAX_AGE_DEFAULT", 60);
    fw_run(app, body_max_age);
}

/* ---- ph_send_file options -------------------------------------------------------------- */

static ph_response *send_view(ph_request *req) {
    const char *w = ph_request_arg(req, "w");
    if (!w)
        return ph_send_file(req, "static/a.txt");
    if (!strcmp(w, "attach"))
        return ph_send_file(req, "static/a.txt", .as_attachment = true,
                            .download_name = "r\xc3\xa9sum\xc3\xa9 \xef\xac\x81le.txt");
    if (!strcmp(w, "quoted"))
        return ph_send_file(req, "static/a.txt", .download_name = "a \"b\".txt");
    if (!strcmp(w, "mime"))
        return ph_send_file(req, "static/a.txt", .mimetype = "text/x-foo");
    if (!strcmp(w, "json"))
        return ph_send_file(req, "static/a.txt", .mimetype = "application/json");
    if (!strcmp(w, "gz"))
        return ph_send_file(req, "static/a.txt", .download_name = "a.tar.gz");
    if (!strcmp(w, "gzatt"))
        return ph_send_file(req, "static/a.txt", .download_name = "a.tar.gz",
                            .as_attachment = true);
    if (!strcmp(w, "etag"))
        return ph_send_file(req, "static/a.txt", .etag = "custom");
    if (!strcmp(w, "badetag"))
        return ph_send_file(req, "static/a.txt", .etag = "a\"b");
    if (!strcmp(w, "noetag"))
        return ph_send_file(req, "static/a.txt", .no_etag = true, .last_modified = 1000,
                            .has_last_modified = true);
    if (!strcmp(w, "age0"))
        return ph_send_file(req, "static/a.txt", .max_age = 0, .has_max_age = true);
    if (!strcmp(w, "uncond"))
        return ph_send_file(req, "static/a.txt", .conditional = -1);
    if (!strcmp(w, "missing"))
        return ph_send_file(req, "static/nope.txt");
    if (!strcmp(w, "dir"))
        return ph_send_file(req, "static");
    if (!strcmp(w, "abs"))
        return ph_send_file(req, ph_request_printf(req, "%s/secret.txt", root));
    if (!strcmp(w, "fromdir"))
        return ph_send_from_directory(req, "static", ph_request_arg(req, "p"));
    return ph_abort(req, 400);
}

static ph_test_response *get_w(ph_test_client *c, const char *q, const char *const *headers) {
    return ph_client_get(c, "/send", .query = q, .headers = headers);
}

static int body_send_file(ph_app *app, ph_test_client *c) {
    ph_test_response *r = get_w(c, NULL, NULL);
    cr_assert_eq(r->status, 200);
    char abs[PATH_MAX + 16];
    snprintf(abs, sizeof(abs), "%s/static/a.txt", root);
    fw_expect_header(r, "ETag", expected_etag(abs, "1577934245.5", 23));
    ph_test_response_free(r);

    r = get_w(c, "w=attach", NULL);
    fw_expect_header(r, "Content-Disposition",
                     "attachment; filename=\"resume file.txt\"; "
                     "filename*=UTF-8''r%C3%A9sum%C3%A9%20%EF%AC%81le.txt");
    ph_test_response_free(r);
    r = get_w(c, "w=quoted", NULL);
    fw_expect_header(r, "Content-Disposition", "inline; filename=\"a \\\"b\\\".txt\"");
    ph_test_response_free(r);
    r = get_w(c, "w=mime", NULL);
    fw_expect_header(r, "Content-Type", "text/x-foo; charset=utf-8");
    ph_test_response_free(r);
    r = get_w(c, "w=json", NULL);
    fw_expect_header(r, "Content-Type", "application/json");
    ph_test_response_free(r);
    r = get_w(c, "w=gz", NULL);
    fw_expect_header(r, "Content-Type", "application/x-tar");
    fw_expect_header(r, "Content-Encoding", "gzip");
    ph_test_response_free(r);
    r = get_w(c, "w=gzatt", NULL);
    fw_expect_header(r, "Content-Encoding", NULL);
    ph_test_response_free(r);
    r = get_w(c, "w=etag", NULL);
    fw_expect_header(r, "ETag", "\"custom\"");
    ph_test_response_free(r);
    fw_expect(get_w(c, "w=etag", (const char *[]){"If-None-Match", "\"custom\"", NULL}), 304, "");
    fw_expect(get_w(c, "w=badetag", NULL), 500, NULL);
    r = get_w(c, "w=noetag", NULL);
    fw_expect_header(r, "ETag", NULL);
    fw_expect_header(r, "Last-Modified", "Thu, 01 Jan 1970 00:16:40 GMT");
    ph_test_response_free(r);
    r = get_w(c, "w=age0", NULL);
    fw_expect_header(r, "Cache-Control", "no-cache, max-age=0");
    cr_assert_not_null(hdr(r, "Expires"));
    ph_test_response_free(r);
    fw_expect(get_w(c, "w=uncond", (const char *[]){"Range", "bytes=0-1", NULL}), 200,
              "hello world 0123456789\n");
    fw_expect(get_w(c, "w=missing", NULL), 500, NULL);
    fw_expect(get_w(c, "w=dir", NULL), 500, NULL);
    fw_expect(get_w(c, "w=abs", NULL), 200, "top secret\n");
    return 0;
}

Test(static_send, send_file_options_as_flask, .fini = remove_tree) {
    setup_tree();
    ph_app *app = fw_app();
    ph_route(app, "/send", send_view);
    fw_log log;
    fw_log_begin(&log);
    fw_run(app, body_send_file);
    free(fw_log_end(&log));
}

static int body_from_dir(ph_app *app, ph_test_client *c) {
    fw_expect(get_w(c, "w=fromdir&p=a.txt", NULL), 200, "hello world 0123456789\n");
    fw_expect(get_w(c, "w=fromdir&p=sub/../a.txt", NULL), 200, "hello world 0123456789\n");
    const char *bad[] = {"w=fromdir&p=../secret.txt",
                         "w=fromdir&p=/etc/passwd",
                         "w=fromdir&p=sub/../../secret.txt",
                         "w=fromdir&p=..%5Csecret.txt",
                         "w=fromdir&p=sub",
                         "w=fromdir&p=",
                         "w=fromdir"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ph_test_response *r = get_w(c, bad[i], NULL);
        cr_assert_eq(r->status, 404, "%s gave %d", bad[i], r->status);
        ph_test_response_free(r);
    }
    return 0;
}

Test(static_send, send_from_directory_refuses_escapes, .fini = remove_tree) {
    setup_tree();
    ph_app *app = fw_app();
    ph_route(app, "/send", send_view);
    fw_run(app, body_from_dir);
}

/* ---- a file larger than a read piece ----------------------------------------------------- */

#define BIG_LEN (3 * 64 * 1024 + 123)

static int body_big(ph_app *app, ph_test_client *c) {
    ph_test_response *r = ph_client_get(c, "/static/big.bin");
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->len, BIG_LEN);
    for (size_t i = 0; i < BIG_LEN; i++)
        if ((unsigned char)r->body[i] != (unsigned char)(i * 7 + i / 251))
            cr_assert_fail("byte %zu differs", i);
    fw_expect_header(r, "Content-Type", "application/octet-stream");
    ph_test_response_free(r);
    /* A range across a piece boundary. */
    r = ph_client_get(c, "/static/big.bin",
                      .headers = (const char *[]){"Range", "bytes=65530-131080", NULL});
    cr_assert_eq(r->status, 206);
    cr_assert_eq(r->len, 131080 - 65530 + 1);
    for (size_t i = 0; i < r->len; i++) {
        size_t k = 65530 + i;
        if ((unsigned char)r->body[i] != (unsigned char)(k * 7 + k / 251))
            cr_assert_fail("range byte %zu differs", i);
    }
    ph_test_response_free(r);
    return 0;
}

Test(static_send, large_file_streams_in_pieces, .fini = remove_tree) {
    ph_app *app = static_app();
    char *data = malloc(BIG_LEN);
    for (size_t i = 0; i < BIG_LEN; i++)
        data[i] = (char)(i * 7 + i / 251);
    write_file("static/big.bin", data, BIG_LEN);
    free(data);
    fw_run(app, body_big);
}

/* ---- ph_safe_join ------------------------------------------------------------------------ */

static int body_safe_join(ph_app *app, ph_test_client *c) {
    ph_request_ctx *ctx = ph_request_context_push(app, "GET", "/");
    ph_request *req = ph_current_request();
    cr_assert_str_eq(ph_safe_join(req, "/srv", "a/./b"), "/srv/a/b");
    cr_assert_null(ph_safe_join(req, "/srv", "a/../../b"));
    cr_assert_null(ph_safe_join(req, "/srv", NULL));
    ph_request_context_pop(ctx);
    return 0;
}

Test(static_send, safe_join_public_api, .fini = remove_tree) { fw_run(fw_app(), body_safe_join); }

static int body_root(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/a.txt"), 200, "hello world 0123456789\n");
    fw_expect(ph_client_get(c, "/sub/s.css"), 200, "body{}\n");
    return 0;
}

Test(static_send, empty_url_path_serves_at_the_root, .fini = remove_tree) {
    setup_tree();
    ph_app *app = fw_app();
    cr_assert_eq(ph_static_register(app, "", "static"), 0);
    fw_run(app, body_root);
}

static ph_response *post_view(ph_request *req) { return ph_send_file(req, "static/a.txt"); }

static int body_post(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/p", .headers = (const char *[]){"Range", "bytes=0-1", NULL}), 200,
              "hello world 0123456789\n");
    return 0;
}

Test(static_send, other_methods_get_no_conditional_handling, .fini = remove_tree) {
    setup_tree();
    ph_app *app = fw_app();
    ph_route(app, "/p", post_view, .methods = PH_POST);
    fw_run(app, body_post);
}

static int body_busy(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/static/a.txt"), 200, NULL);
    cr_assert_eq(ph_static_register(app, "/late", "static"), PH_EBUSY);
    return 0;
}

Test(static_send, register_errors, .fini = remove_tree) {
    ph_app *app = static_app();
    cr_assert_eq(ph_static_register(NULL, NULL, NULL), PH_EINVAL);
    cr_assert_eq(ph_static_register(app, "nolead", NULL), PH_EINVAL);
    fw_run(app, body_busy);
}
