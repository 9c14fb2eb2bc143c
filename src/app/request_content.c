/*
 * The request's Content-Type and Content-Length as Werkzeug 2.2's request
 * reads them (content_type, mimetype, mimetype_params, is_json,
 * content_length). The mimetype is found as leniently as Werkzeug finds
 * it, so that get_json() and is_json agree with Flask on a malformed
 * header; parameters come from the strict parser the form and multipart
 * readers use.
 */
#include "app/core.h"

#include "util/mime.h"

#include <string.h>
#include <strings.h>

const char *ph_request_content_type(ph_request *req) {
    return req ? ph_request_header(req, "content-type") : NULL;
}

const char *ph_request_mimetype(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->mimetype) {
        ph_slice v = ph_scope_header(req->scope, "content-type");
        ph_slice mt = ph__mime_leading_type(v.ptr, v.len);
        char *low = ph__arena_strndup(req->arena, mt.ptr ? mt.ptr : "", mt.len);
        if (!low)
            return "";
        for (char *p = low; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        req->mimetype = low;
    }
    return req->mimetype;
}

bool ph_request_is_json(ph_request *req) {
    const char *mt = ph_request_mimetype(req);
    return mt && ph__mime_is_json(mt, strlen(mt));
}

const char *ph_request_mimetype_param(ph_request *req, const char *name) {
    if (!req || !name)
        return NULL;
    ph_slice v = ph_scope_header(req->scope, "content-type");
    ph_content_type ct;
    if (!v.ptr || ph__content_type_parse(&ct, req->arena, v.ptr, v.len) < 0)
        return NULL;
    /* Werkzeug keeps the parameters in a dict: the last of a repeated name. */
    size_t n = strlen(name);
    for (size_t i = ct.nparams; i-- > 0;)
        if (ct.params[i].name.len == n && strncasecmp(ct.params[i].name.ptr, name, n) == 0)
            return ct.params[i].value.ptr;
    return NULL;
}

int64_t ph_request_content_length(ph_request *req) {
    if (!req)
        return -1;
    /* A chunked body has no length (the server refuses a request that
     * sends both headers, so this is Werkzeug's answer too). */
    if (ph_request_header(req, "transfer-encoding"))
        return -1;
    const char *cl = ph_request_header(req, "content-length");
    if (!cl || !*cl)
        return -1;
    int64_t v = 0;
    for (const char *p = cl; *p; p++) {
        if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}
