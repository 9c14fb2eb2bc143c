/*
 * Request bodies through the test client: the raw body and its size limit
 * (MAX_CONTENT_LENGTH, 413), urlencoded and multipart forms, uploaded files
 * with their filename and content type, large files spooled to a temporary
 * file removed when the request ends, and the same results when the body
 * arrives in small chunks.
 */
#include "fw_common.h"

#include <sys/stat.h>

/* ---- the raw body ----------------------------------------------------------------- */

static ph_response *body_view(ph_request *req) {
    const char *data;
    size_t len;
    int rc = ph_request_body(req, &data, &len);
    if (rc < 0)
        return NULL; /* the recorded 413 or 400 is sent */
    const char *again;
    size_t len2;
    ph_request_body(req, &again, &len2);
    cr_expect_eq(again, data, "the body is read once and kept");
    cr_expect_eq(data[len], '\0', "NUL-terminated");
    return ph_response_new(req, 200, data, len, "application/octet-stream");
}

static ph_app *body_app(int64_t max) {
    ph_app *app = fw_app();
    if (max)
        ph_config_set_int(app, "MAX_CONTENT_LENGTH", max);
    ph_route(app, "/", body_view, .methods = PH_GET | PH_POST | PH_PUT);
    return app;
}

static int body_raw(ph_app *app, ph_test_client *c) {
    static const char bin[] = {'a', '\0', 'b', '\n', (char)0xff};
    ph_test_response *r = ph_client_post(c, "/", .body = bin, .body_len = sizeof(bin),
                                         .content_type = "application/octet-stream");
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->len, sizeof(bin));
    cr_expect(memcmp(r->body, bin, sizeof(bin)) == 0, "binary bytes kept");
    ph_test_response_free(r);
    fw_expect(ph_client_get(c, "/"), 200, "");
    return 0;
}

Test(fw_forms, raw_body_is_delivered_whole_with_binary_bytes) { fw_run(body_app(0), body_raw); }

static int body_raw_chunks(ph_app *app, ph_test_client *c) {
    char big[10000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    ph_test_response *r =
        ph_client_put(c, "/", .body = big, .body_len = sizeof(big), .chunk_size = 7);
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->len, sizeof(big));
    cr_expect(memcmp(r->body, big, sizeof(big)) == 0);
    ph_test_response_free(r);
    return 0;
}

Test(fw_forms, raw_body_in_small_chunks_is_the_same) { fw_run(body_app(0), body_raw_chunks); }

static int body_too_big(ph_app *app, ph_test_client *c) {
    char buf[101];
    memset(buf, 'x', sizeof(buf));
    ph_test_response *r = ph_client_post(c, "/", .body = buf, .body_len = 101);
    cr_expect_eq(r->status, 413);
    cr_expect(strstr(r->body, "<title>413 Request Entity Too Large</title>") != NULL, "%s",
              r->body);
    ph_test_response_free(r);
    fw_expect(ph_client_post(c, "/", .body = buf, .body_len = 100), 200, NULL);
    return 0;
}

Test(fw_forms, body_over_max_content_length_gives_413) { fw_run(body_app(100), body_too_big); }

static int body_too_big_chunked(ph_app *app, ph_test_client *c) {
    char buf[300];
    memset(buf, 'x', sizeof(buf));
    fw_expect(ph_client_post(c, "/", .body = buf, .body_len = 300, .chunk_size = 16), 413, NULL);
    return 0;
}

Test(fw_forms, body_over_the_limit_in_chunks_gives_413) {
    fw_run(body_app(100), body_too_big_chunked);
}

static int body_view_status(ph_request *req) {
    const char *d;
    size_t n;
    return ph_request_body(req, &d, &n);
}

static ph_response *body_rc_view(ph_request *req) {
    int rc = body_view_status(req);
    if (rc == PH_ETOOBIG)
        return NULL;
    return ph_text(req, 200, ph_err_name(rc));
}

static int body_no_length(ph_app *app, ph_test_client *c) {
    char buf[300];
    memset(buf, 'y', sizeof(buf));
    /* A Content-Length that understates the body comes first (the app reads
     * the first one): only counting the received bytes can catch it. */
    const char *h[] = {"Content-Length", "5", NULL};
    fw_expect(ph_client_post(c, "/", .body = buf, .body_len = 300, .headers = h, .chunk_size = 50),
              413, NULL);
    return 0;
}

Test(fw_forms, body_limit_counts_received_bytes_not_only_the_header) {
    ph_app *app = fw_app();
    ph_config_set_int(app, "MAX_CONTENT_LENGTH", 100);
    ph_route(app, "/", body_rc_view, .methods = PH_POST);
    fw_run(app, body_no_length);
}

/* ---- urlencoded forms ------------------------------------------------------------ */

static ph_response *form_view(ph_request *req) {
    const char *tags[4];
    size_t n = ph_request_form_all(req, "tag", tags, 4);
    const char *name = ph_request_form(req, "name");
    if (ph_request_error(req))
        return NULL;
    char all[256] = "";
    size_t len = 0;
    const char *k, *v;
    for (size_t i = 0; ph_request_form_at(req, i, &k, &v); i++)
        len += (size_t)snprintf(all + len, sizeof(all) - len, "%s%s=%s", i ? "," : "", k, v);
    return ph_text(req, 200,
                   ph_request_printf(req, "name=%s tags=%zu:%s:%s all=[%s]", name ? name : "-", n,
                                     n > 0 ? tags[0] : "-", n > 1 ? tags[1] : "-", all));
}

static ph_app *form_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/", form_view, .methods = PH_GET | PH_POST);
    return app;
}

static const char *const FORM[] = {"name", "Ada Lovelace", "tag", "a&b", "tag", "c=d", "e", "",
                                   NULL};
#define FORM_ANSWER "name=Ada Lovelace tags=2:a&b:c=d all=[name=Ada Lovelace,tag=a&b,tag=c=d,e=]"

static int body_urlencoded(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/", .form = FORM), 200, FORM_ANSWER);
    return 0;
}

Test(fw_forms, urlencoded_form_fields_in_order) { fw_run(form_app(), body_urlencoded); }

static int body_urlencoded_chunks(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/", .form = FORM, .chunk_size = 1), 200, FORM_ANSWER);
    return 0;
}

Test(fw_forms, urlencoded_form_in_one_byte_chunks_is_the_same) {
    fw_run(form_app(), body_urlencoded_chunks);
}

static int body_raw_urlencoded(ph_app *app, ph_test_client *c) {
    static const char raw[] = "name=caf%C3%A9+au+lait&tag=%2B";
    fw_expect(ph_client_post(c, "/", .body = raw, .body_len = strlen(raw),
                             .content_type = "application/x-www-form-urlencoded; charset=utf-8"),
              200, "name=caf\xc3\xa9 au lait tags=1:+:- all=[name=caf\xc3\xa9 au lait,tag=+]");
    return 0;
}

Test(fw_forms, urlencoded_form_decodes_plus_and_escapes) { fw_run(form_app(), body_raw_urlencoded); }

/* Invalid UTF-8 becomes U+FFFD, as Werkzeug decodes form fields. */
#define FFFD "\xef\xbf\xbd"

static int body_form_text(ph_app *app, ph_test_client *c) {
    static const char raw[] = "name=%FFa&tag=%C3&%E2%82=%ED%A0%80";
    fw_expect(ph_client_post(c, "/", .body = raw, .body_len = strlen(raw),
                             .content_type = "application/x-www-form-urlencoded"),
              200,
              "name=" FFFD "a tags=1:" FFFD ":- all=[name=" FFFD "a,tag=" FFFD "," FFFD "=" FFFD
              FFFD FFFD "]");
    static const char mp[] = "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n"
                             "\xffz\r\n--b--\r\n";
    fw_expect(ph_client_post(c, "/", .body = mp, .body_len = strlen(mp),
                             .content_type = "multipart/form-data; boundary=b"),
              200, "name=" FFFD "z tags=0:-:- all=[name=" FFFD "z]");
    return 0;
}

Test(fw_forms, invalid_utf8_in_form_fields_becomes_u_fffd) { fw_run(form_app(), body_form_text); }

/* request.values: args first, then (not for GET) the form, as Werkzeug 2.2. */
static ph_response *values_view(ph_request *req) {
    const char *a = ph_request_value(req, "a"), *b = ph_request_value(req, "b");
    return ph_text(req, 200, ph_request_printf(req, "a=%s b=%s", a ? a : "-", b ? b : "-"));
}

static int body_values(ph_app *app, ph_test_client *c) {
    static const char form[] = "a=2&b=3";
    fw_expect(ph_client_post(c, "/v?a=1", .body = form, .body_len = 7, /* Flask 2.2 answers alike */
                             .content_type = "application/x-www-form-urlencoded"),
              200, "a=1 b=3");
    fw_expect(ph_client_get(c, "/v?a=1", .body = form, .body_len = 7,
                            .content_type = "application/x-www-form-urlencoded"),
              200, "a=1 b=-");
    fw_expect(ph_client_post(c, "/v"), 200, "a=- b=-");
    return 0;
}

Test(fw_forms, values_are_args_then_the_form_except_for_get) {
    ph_app *app = fw_app();
    ph_route(app, "/v", values_view, .methods = PH_GET | PH_POST);
    fw_run(app, body_values);
}

static int body_no_form(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_get(c, "/"), 200, "name=- tags=0:-:- all=[]");
    static const char raw[] = "name=x";
    fw_expect(ph_client_post(c, "/", .body = raw, .body_len = 6, .content_type = "text/plain"),
              200, "name=- tags=0:-:- all=[]");
    return 0;
}

Test(fw_forms, form_is_empty_without_a_form_content_type) { fw_run(form_app(), body_no_form); }

static int body_form_413(ph_app *app, ph_test_client *c) {
    const char *big[] = {"name", "0123456789012345678901234567890123456789", NULL};
    fw_expect(ph_client_post(c, "/", .form = big), 413, NULL);
    return 0;
}

Test(fw_forms, form_over_max_content_length_gives_413) {
    ph_app *app = form_app();
    ph_config_set_int(app, "MAX_CONTENT_LENGTH", 20);
    fw_run(app, body_form_413);
}

/* ---- multipart forms and files ------------------------------------------------------ */

static char spooled_path[512];
static int spooled_existed;

static ph_response *files_view(ph_request *req) {
    const char *title = ph_request_form(req, "title");
    if (ph_request_error(req))
        return NULL;
    char out[1024] = "";
    size_t len = (size_t)snprintf(out, sizeof(out), "title=%s", title ? title : "-");
    const ph_file *f;
    for (size_t i = 0; (f = ph_request_file_at(req, i)) != NULL; i++) {
        len += (size_t)snprintf(out + len, sizeof(out) - len, " [%s %s %s %llu %s]", f->name,
                                f->filename, f->content_type, (unsigned long long)f->size,
                                f->path ? "disk" : "memory");
        if (f->path) {
            snprintf(spooled_path, sizeof(spooled_path), "%s", f->path);
            struct stat st;
            spooled_existed = stat(f->path, &st) == 0 && (uint64_t)st.st_size == f->size;
        }
    }
    const ph_file *doc = ph_request_file(req, "doc");
    if (doc && doc->data)
        len += (size_t)snprintf(out + len, sizeof(out) - len, " doc=%.*s", (int)doc->size,
                                doc->data);
    if (ph_request_file(req, "nope"))
        return ph_text(req, 500, "found a file that was not sent");
    return ph_text(req, 200, out);
}

static ph_app *files_app(void) {
    ph_app *app = fw_app();
    ph_route(app, "/", files_view, .methods = PH_POST);
    return app;
}

static const char *const TITLE[] = {"title", "My files", NULL};
static const ph_client_file TWO_FILES[] = {
    {"doc", "notes.txt", "text/plain", "hello notes", 11},
    {"pic", "caf\xc3\xa9.png", "image/png", "\x89PNG\0\1", 6},
};
#define TWO_FILES_ANSWER                                                                          \
    "title=My files [doc notes.txt text/plain 11 memory] [pic caf\xc3\xa9.png image/png 6 "       \
    "memory] doc=hello notes"

static int body_multipart(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/", .form = TITLE, .files = TWO_FILES, .nfiles = 2), 200,
              TWO_FILES_ANSWER);
    return 0;
}

Test(fw_forms, multipart_fields_and_files_with_names_and_types) {
    fw_run(files_app(), body_multipart);
}

static int body_file_text(ph_app *app, ph_test_client *c) {
    static const ph_client_file bad[] = {{"d\xff", "a\xc3.txt", "text/plain", "\xff", 1}};
    fw_expect(ph_client_post(c, "/", .files = bad, .nfiles = 1), 200,
              "title=- [d\xef\xbf\xbd a\xef\xbf\xbd.txt text/plain 1 memory]");
    return 0;
}

/* A file's field name and filename are text, as Werkzeug's; its bytes are not. */
Test(fw_forms, invalid_utf8_in_file_names_becomes_u_fffd) { fw_run(files_app(), body_file_text); }

static int body_multipart_chunks(ph_app *app, ph_test_client *c) {
    for (size_t chunk = 1; chunk <= 13; chunk += 4)
        fw_expect(ph_client_post(c, "/", .form = TITLE, .files = TWO_FILES, .nfiles = 2,
                                 .chunk_size = chunk),
                  200, TWO_FILES_ANSWER);
    return 0;
}

Test(fw_forms, multipart_in_small_chunks_is_the_same) { fw_run(files_app(), body_multipart_chunks); }

static ph_response *file_bytes_view(ph_request *req) {
    const ph_file *f = ph_request_file(req, "bin");
    if (!f)
        return ph_text(req, 400, "no file");
    return ph_response_new(req, 200, f->data, f->size, f->content_type);
}

static int body_binary_file(ph_app *app, ph_test_client *c) {
    char data[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 7);
    /* A boundary-like line inside the data must not end the part. */
    memcpy(data + 100, "\r\n--", 4);
    ph_client_file f = {"bin", "data.bin", NULL, data, sizeof(data)};
    ph_test_response *r = ph_client_post(c, "/", .files = &f, .nfiles = 1, .chunk_size = 333);
    cr_assert_eq(r->status, 200);
    cr_assert_eq(r->len, sizeof(data));
    cr_expect(memcmp(r->body, data, sizeof(data)) == 0);
    fw_expect_header(r, "Content-Type", "application/octet-stream");
    ph_test_response_free(r);
    return 0;
}

Test(fw_forms, binary_file_bytes_are_kept_and_type_defaults) {
    ph_app *app = fw_app();
    ph_route(app, "/", file_bytes_view, .methods = PH_POST);
    fw_run(app, body_binary_file);
}

static int body_same_field(ph_app *app, ph_test_client *c) {
    const ph_client_file fs[] = {{"doc", "a.txt", "text/plain", "first", 5},
                                 {"doc", "b.txt", "text/plain", "second", 6}};
    fw_expect(ph_client_post(c, "/", .files = fs, .nfiles = 2), 200,
              "title=- [doc a.txt text/plain 5 memory] [doc b.txt text/plain 6 memory] "
              "doc=first");
    return 0;
}

Test(fw_forms, files_under_one_field_all_kept_first_returned) {
    fw_run(files_app(), body_same_field);
}

static char *big_data(size_t n) {
    char *d = malloc(n);
    for (size_t i = 0; i < n; i++)
        d[i] = (char)('A' + (i * 31) % 53);
    return d;
}

static int body_large_file(ph_app *app, ph_test_client *c) {
    size_t n = 600 * 1024;
    char *d = big_data(n);
    ph_client_file f = {"big", "big.bin", "application/x-big", d, n};
    spooled_path[0] = '\0';
    spooled_existed = 0;
    fw_expect(ph_client_post(c, "/", .files = &f, .nfiles = 1), 200,
              "title=- [big big.bin application/x-big 614400 disk]");
    cr_expect(spooled_existed, "the temporary file held the whole upload");
    cr_assert(spooled_path[0]);
    struct stat st;
    cr_expect(stat(spooled_path, &st) != 0, "%s removed when the request ended", spooled_path);
    free(d);
    return 0;
}

Test(fw_forms, large_file_is_spooled_to_a_temporary_file_removed_at_the_end) {
    fw_run(files_app(), body_large_file);
}

static ph_response *spool_content_view(ph_request *req) {
    const ph_file *f = ph_request_file(req, "big");
    if (!f || !f->path)
        return ph_text(req, 400, "not spooled");
    char *data;
    size_t len;
    if (ph_fs_read_file(f->path, 2 << 20, &data, &len) < 0)
        return ph_text(req, 500, "unreadable");
    ph_response *r = ph_response_new(req, 200, data, len, NULL);
    ph_free(data);
    return r;
}

static int body_large_chunks(ph_app *app, ph_test_client *c) {
    size_t n = 700 * 1024 + 3;
    char *d = big_data(n);
    ph_client_file f = {"big", "big.bin", NULL, d, n};
    ph_test_response *r = ph_client_post(c, "/", .files = &f, .nfiles = 1, .chunk_size = 4093);
    cr_assert_eq(r->status, 200, "%s", r->body);
    cr_assert_eq(r->len, n);
    cr_expect(memcmp(r->body, d, n) == 0, "the spooled file holds the exact bytes");
    ph_test_response_free(r);
    free(d);
    return 0;
}

Test(fw_forms, spooled_file_holds_the_bytes_when_sent_in_chunks) {
    ph_app *app = fw_app();
    ph_route(app, "/", spool_content_view, .methods = PH_POST);
    fw_run(app, body_large_chunks);
}

static ph_response *spool_then_fail(ph_request *req) {
    const ph_file *f = ph_request_file(req, "big");
    if (f && f->path)
        snprintf(spooled_path, sizeof(spooled_path), "%s", f->path);
    return ph_abort(req, 409);
}

static int body_spool_fail(ph_app *app, ph_test_client *c) {
    size_t n = 520 * 1024;
    char *d = big_data(n);
    ph_client_file f = {"big", "big.bin", NULL, d, n};
    spooled_path[0] = '\0';
    fw_expect(ph_client_post(c, "/", .files = &f, .nfiles = 1), 409, NULL);
    cr_assert(spooled_path[0]);
    struct stat st;
    cr_expect(stat(spooled_path, &st) != 0, "removed after an error too");
    free(d);
    return 0;
}

Test(fw_forms, spooled_file_is_removed_when_the_view_fails) {
    ph_app *app = fw_app();
    ph_route(app, "/", spool_then_fail, .methods = PH_POST);
    fw_run(app, body_spool_fail);
}

static int body_small_file_memory(ph_app *app, ph_test_client *c) {
    size_t n = 100 * 1024;
    char *d = big_data(n);
    ph_client_file f = {"big", "b", "x/y", d, n};
    fw_expect(ph_client_post(c, "/", .files = &f, .nfiles = 1), 200,
              "title=- [big b x/y 102400 memory]");
    free(d);
    return 0;
}

Test(fw_forms, file_under_500k_stays_in_memory) { fw_run(files_app(), body_small_file_memory); }

static int body_bad_multipart(ph_app *app, ph_test_client *c) {
    static const char bad[] = "--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue";
    fw_expect(ph_client_post(c, "/", .body = bad, .body_len = strlen(bad),
                             .content_type = "multipart/form-data; boundary=XYZ"),
              400, NULL);
    fw_expect(ph_client_post(c, "/", .body = bad, .body_len = strlen(bad),
                             .content_type = "multipart/form-data"),
              400, NULL);
    return 0;
}

Test(fw_forms, malformed_multipart_or_no_boundary_gives_400) {
    fw_run(files_app(), body_bad_multipart);
}

static int body_multipart_413(ph_app *app, ph_test_client *c) {
    size_t n = 4096;
    char *d = big_data(n);
    ph_client_file f = {"big", "b", NULL, d, n};
    fw_expect(ph_client_post(c, "/", .files = &f, .nfiles = 1, .chunk_size = 512), 413, NULL);
    free(d);
    return 0;
}

Test(fw_forms, multipart_over_max_content_length_gives_413) {
    ph_app *app = files_app();
    ph_config_set_int(app, "MAX_CONTENT_LENGTH", 1000);
    fw_run(app, body_multipart_413);
}

static ph_response *body_then_form(ph_request *req) {
    const char *d;
    size_t n;
    ph_request_body(req, &d, &n);
    return files_view(req);
}

static int body_body_first(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/", .form = TITLE, .files = TWO_FILES, .nfiles = 2,
                             .chunk_size = 10),
              200, TWO_FILES_ANSWER);
    return 0;
}

Test(fw_forms, multipart_parses_after_the_raw_body_was_read) {
    ph_app *app = fw_app();
    ph_route(app, "/", body_then_form, .methods = PH_POST);
    fw_run(app, body_body_first);
}

static ph_response *form_then_body(ph_request *req) {
    const ph_file *f = ph_request_file(req, "doc");
    const char *d = NULL;
    size_t n = 99;
    int rc = ph_request_body(req, &d, &n);
    return ph_text(req, 200,
                   ph_request_printf(req, "%s rc=%d len=%zu", f ? f->filename : "-", rc, n));
}

static int body_form_first(ph_app *app, ph_test_client *c) {
    fw_expect(ph_client_post(c, "/", .files = TWO_FILES, .nfiles = 2, .chunk_size = 64), 200,
              "notes.txt rc=0 len=0");
    return 0;
}

Test(fw_forms, body_read_after_a_streamed_multipart_form_is_empty) {
    ph_app *app = fw_app();
    ph_route(app, "/", form_then_body, .methods = PH_POST);
    fw_run(app, body_form_first);
}

static int body_quoted_boundary(ph_app *app, ph_test_client *c) {
    static const char raw[] = "--b=1 2\r\n"
                              "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
                              "quoted\r\n"
                              "--b=1 2\r\n"
                              "Content-Disposition: form-data; name=\"doc\"; filename=\"n.txt\"\r\n"
                              "\r\n"
                              "no type\r\n"
                              "--b=1 2--\r\n";
    fw_expect(ph_client_post(c, "/", .body = raw, .body_len = strlen(raw),
                             .content_type = "multipart/form-data; boundary=\"b=1 2\"",
                             .chunk_size = 5),
              200, "title=quoted [doc n.txt  7 memory] doc=no type");
    return 0;
}

Test(fw_forms, quoted_boundary_and_a_part_without_content_type) {
    fw_run(files_app(), body_quoted_boundary);
}
