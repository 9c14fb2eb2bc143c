/*
 * Response objects: status, headers, a body in memory or produced by a
 * streaming function, cookies, redirects and JSON. Everything lives in the
 * request's arena. Header names and values are checked when set: CR, LF or
 * NUL are refused, so nothing an app sets can inject a header.
 */
#include "app/core.h"

#include "app/tagged_json.h"
#include "util/cookie.h"
#include "util/html.h"
#include "util/http_chars.h"
#include "util/idna.h"
#include "util/log.h"
#include "util/url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A header value as RFC 9110 allows it (HTAB, SP, visible bytes, obs-text):
 * no CR or LF to split the response, and no other control byte, which the
 * request parser refuses too and proxies may mangle. */
static int clean(const char *s) {
    if (!s)
        return 0;
    for (; *s; s++)
        if (!(ph__http_ctype[(unsigned char)*s] & PH__HTTP_VALUE))
            return 0;
    return 1;
}

static int valid_name(const char *s) {
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!ph__is_tchar((unsigned char)*s))
            return 0;
    return 1;
}

ph_response *ph_response_new(ph_request *req, int status, const void *body, size_t len,
                             const char *content_type) {
    if (!req)
        return NULL;
    ph_response *r = ph__arena_calloc(req->arena, sizeof(*r));
    if (!r)
        return NULL;
    r->req = req;
    r->status = status;
    r->body = ph__arena_strndup(req->arena, body ? body : "", body ? len : 0);
    r->len = body ? len : 0;
    if (!r->body ||
        ph_response_set_header(r, "Content-Type",
                               content_type ? content_type : "text/html; charset=utf-8") < 0)
        return NULL;
    return r;
}

ph_response *ph_text(ph_request *req, int status, const char *text) {
    return ph_response_new(req, status, text, text ? strlen(text) : 0, "text/plain; charset=utf-8");
}

ph_response *ph_html(ph_request *req, int status, const char *html) {
    return ph_response_new(req, status, html, html ? strlen(html) : 0, NULL);
}

int ph_response_status(const ph_response *r) { return r ? r->status : PH_EINVAL; }

void ph_response_set_status(ph_response *r, int status) {
    if (r)
        r->status = status;
}

const char *ph_response_body(const ph_response *r, size_t *len) {
    if (len)
        *len = !r || r->stream ? 0 : r->len;
    return !r || r->stream ? NULL : r->body;
}

const char *ph_response_header(const ph_response *r, const char *name) {
    if (!r || !name)
        return NULL;
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

void ph_response_remove_header(ph_response *r, const char *name) {
    if (!r || !name)
        return;
    size_t j = 0;
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) != 0)
            r->headers[j++] = r->headers[i];
    r->nheaders = j;
}

int ph_response_add_header(ph_response *r, const char *name, const char *value) {
    if (!r || !valid_name(name) || !clean(value))
        return PH_EINVAL;
    ph__resp_header *h = ph__arena_grow(r->req->arena, r->headers, &r->cap, r->nheaders, sizeof(*h), 8);
    if (!h)
        return PH_ENOMEM;
    r->headers = h;
    char *n = ph__arena_strdup(r->req->arena, name);
    char *v = ph__arena_strdup(r->req->arena, value);
    if (!n || !v)
        return PH_ENOMEM;
    r->headers[r->nheaders++] = (ph__resp_header){n, v};
    return 0;
}

int ph_response_set_header(ph_response *r, const char *name, const char *value) {
    if (!r || !valid_name(name) || !clean(value))
        return PH_EINVAL;
    ph_response_remove_header(r, name);
    return ph_response_add_header(r, name, value);
}

/* ---- JSON ----------------------------------------------------------------- */

/*
 * Re-indent compact JSON text as Python's json.dumps(indent=2) lays it out
 * (what Flask 2.2 sends in debug mode): a newline and two spaces per level
 * inside non-empty containers, ": " after keys, empty containers kept as
 * "{}" and "[]". Working on the compact text keeps one serialiser, so the
 * floats stay in Python's repr form (jansson's own indenting would print
 * 0.1 as 0.10000000000000001).
 */
static int indent_json(ph_buf *out, const char *s, size_t len) {
    int rc = 0;
    size_t depth = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        char c = s[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < len && s[j] != '"')
                j += s[j] == '\\' ? 2 : 1;
            rc = ph__buf_append(out, s + i, j + 1 - i);
            i = j;
            continue;
        }
        if ((c == '{' || c == '[') && i + 1 < len && (s[i + 1] == '}' || s[i + 1] == ']')) {
            rc = ph__buf_append(out, s + i, 2);
            i++;
            continue;
        }
        if (c == '}' || c == ']')
            depth--;
        if (c == '}' || c == ']') {
            rc = ph__buf_append_char(out, '\n');
            for (size_t k = 0; rc == 0 && k < depth; k++)
                rc = ph__buf_append_str(out, "  ");
        }
        if (rc == 0)
            rc = ph__buf_append_char(out, c);
        if (rc == 0 && c == ':')
            rc = ph__buf_append_char(out, ' ');
        if (c == '{' || c == '[')
            depth++;
        if (rc == 0 && (c == '{' || c == '[' || c == ',')) {
            rc = ph__buf_append_char(out, '\n');
            for (size_t k = 0; rc == 0 && k < depth; k++)
                rc = ph__buf_append_str(out, "  ");
        }
    }
    return rc;
}

ph_response *ph_json_response(ph_request *req, int status, json_t *value) {
    if (!req) {
        json_decref(value);
        return NULL;
    }
    if (!value) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_EINVAL, "jsonify of nothing");
        return NULL;
    }
    ph_buf b;
    ph__buf_init(&b, 0);
    /* Flask 2.2's default provider: sorted keys, ASCII only, Python's float
     * repr; compact unless pretty printing is on; a trailing newline. */
    int rc = ph__tagged_json_dumps(value, PH_TAGGED_JSON_KEEP, &b);
    json_decref(value);
    if (rc == 0 && (ph_config_bool(req->app, "JSONIFY_PRETTYPRINT_REGULAR", false) ||
                    ph_config_bool(req->app, "DEBUG", false))) {
        /* Fixed: this used jansson's JSON_INDENT, whose floats are not
         * Python's repr ("0.10000000000000001" for 0.1). */
        ph_buf pretty;
        ph__buf_init(&pretty, 0);
        rc = indent_json(&pretty, b.data, b.len);
        ph__buf_close(&b);
        b = pretty;
    }
    if (rc == 0)
        rc = ph__buf_append_char(&b, '\n');
    ph_response *r = NULL;
    if (rc == 0)
        r = ph_response_new(req, status, b.data, b.len, "application/json");
    ph__buf_close(&b);
    if (!r)
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, rc ? rc : PH_ENOMEM,
                      "the value could not be serialised as JSON");
    return r;
}

ph_response *ph_jsonify(ph_request *req, json_t *value) {
    return ph_json_response(req, 200, value);
}

/* ---- redirects ------------------------------------------------------------ */

/*
 * Werkzeug's iri_to_uri(location, safe_conversion=True): ASCII without white
 * space is kept as it is; otherwise every byte but the unreserved ones, the
 * URI delimiters and '%' (escapes already made) becomes %XX. (Werkzeug
 * would IDNA-encode a non-ASCII host; here it is percent-encoded too.)
 * NULL when out of memory.
 */
/* The host of an absolute ("scheme://") or scheme-relative ("//") location,
 * as Werkzeug's url_parse finds it: after any "user@", up to a ':', '/',
 * '?' or '#'. Returns its offset and sets *len; 0 with *len 0 if none. */
static size_t host_span(const char *s, size_t *len) {
    size_t i = 0;
    *len = 0;
    if ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) {
        i = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.");
        if (s[i] != ':')
            return 0;
        i++;
    }
    if (s[i] != '/' || s[i + 1] != '/')
        return 0;
    size_t start = i + 2, end = start + strcspn(s + start, "/?#");
    for (size_t j = start; j < end; j++)
        if (s[j] == '@')
            start = j + 1;
    if (s[start] == '[')
        return 0; /* an IPv6 literal: ASCII anyway */
    *len = strcspn(s + start, ":/?#");
    return start;
}

static const char *to_uri(ph_request *req, const char *location) {
    int plain = 1;
    for (const unsigned char *p = (const unsigned char *)location; *p && plain; p++)
        plain = *p < 0x80 && *p != ' ' && *p != '\t' && *p != '\v' && *p != '\f';
    if (plain)
        return location;
    /* A host outside ASCII takes its IDNA form, as Werkzeug's
     * encode_netloc gives it; the rest is percent-encoded below. */
    size_t hlen, at = host_span(location, &hlen), alen;
    int wide = 0;
    for (size_t i = at; i < at + hlen; i++)
        wide |= (unsigned char)location[i] >= 0x80;
    if (wide) {
        char *ascii = ph__idna_encode(req->arena, location + at, hlen, &alen);
        if (!ascii && (ascii = ph__arena_strndup(req->arena, location + at, hlen))) {
            /* no IDNA form (a label too long): Werkzeug's ascii_host then
             * drops what is not ASCII */
            char *w = ascii;
            for (const char *p = ascii; *p; p++)
                if ((unsigned char)*p < 0x80)
                    *w++ = *p;
            *w = '\0';
        }
        if (!ascii)
            return NULL;
        location = ph__arena_printf(req->arena, "%.*s%s%s", (int)at, location, ascii,
                                    location + at + hlen);
        if (!location)
            return NULL;
    }
    ph_url_safe safe;
    ph__url_safe_init(&safe, ":/?#[]@!$&'()*+,;=%");
    return ph__url_encode_arena(req->arena, location, strlen(location), &safe, 0, NULL);
}

ph_response *ph_redirect(ph_request *req, const char *location, int code) {
    if (!req)
        return NULL;
    if (!code)
        code = 302;
    if (!location || strpbrk(location, "\r\n") || (code < 300 || code > 399)) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_EINVAL,
                      "redirect to a location holding CR or LF, or with a bad code");
        return NULL;
    }
    const char *display = location;
    if (!(location = to_uri(req, location))) {
        ph__error_set(req, 500, &PH_INTERNAL_ERROR, PH_ENOMEM, "out of memory");
        return NULL;
    }
    ph_buf b;
    ph__buf_init(&b, 0);
    int rc = ph__buf_append_str(&b, "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n"
                                    "<h1>Redirecting...</h1>\n<p>You should be redirected "
                                    "automatically to the target URL: <a href=\"");
    if (rc == 0)
        rc = ph__html_escape(&b, location, 0);
    if (rc == 0)
        rc = ph__buf_append_str(&b, "\">");
    if (rc == 0)
        rc = ph__html_escape(&b, display, 0);
    if (rc == 0)
        rc = ph__buf_append_str(&b, "</a>. If not, click the link.\n");
    ph_response *r = rc == 0 ? ph_response_new(req, code, b.data, b.len, NULL) : NULL;
    ph__buf_close(&b);
    if (r && ph_response_set_header(r, "Location", location) < 0)
        r = NULL;
    return r;
}

/* ---- cookies -------------------------------------------------------------- */

int ph_response_set_cookie_(ph_response *r, const char *name, const char *value,
                            const ph_cookie_attrs *a) {
    static const ph_cookie_attrs defaults;
    if (!a) /* called directly, not through ph_response_set_cookie() */
        a = &defaults;
    if (!r || !name || !value)
        return PH_EINVAL;
    if ((a->path && !clean(a->path)) || (a->domain && !clean(a->domain)))
        return PH_EINVAL;
    ph_cookie_opts o = {.max_age = a->max_age,
                        .has_max_age = a->has_max_age,
                        .expires = a->expires,
                        .has_expires = a->has_expires,
                        .path = a->path,
                        .domain = a->domain,
                        .secure = a->secure,
                        .httponly = a->httponly,
                        .samesite = (ph_samesite)a->samesite};
    ph_buf b;
    ph__buf_init(&b, 16384);
    ptrdiff_t n = ph__cookie_serialize(&b, name, strlen(name), value, strlen(value), &o);
    int rc = n < 0 ? (int)n : ph_response_add_header(r, "Set-Cookie", b.data);
    ph__buf_close(&b);
    return rc;
}

int ph_response_delete_cookie(ph_response *r, const char *name, const char *path,
                              const char *domain) {
    return ph_response_set_cookie(r, name, "", .max_age = 0, .has_max_age = true, .expires = 0,
                                  .has_expires = true, .path = path, .domain = domain);
}

/* ---- streaming ------------------------------------------------------------ */

ph_response *ph_response_stream(ph_request *req, int status, const char *content_type,
                                ph_stream_fn fn, void *arg) {
    if (!req || !fn)
        return NULL;
    ph_response *r = ph_response_new(req, status, NULL, 0, content_type);
    if (r) {
        r->stream = fn;
        r->stream_arg = arg;
    }
    return r;
}

int ph_stream_write(ph_stream *s, const void *data, size_t len) {
    if (!s || (!data && len))
        return PH_EINVAL;
    if (s->error)
        return s->error;
    if (ph_cancelled(NULL)) /* the client left (or shutdown gave up): a write may still be */
        return s->error = PH_ECANCELED; /* taken, by a half-closed socket, but goes nowhere */
    if (len == 0)
        return 0;
    ph_message m = {.type = PH_MSG_HTTP_RESPONSE_BODY, .body = {data, len}, .more_body = 1};
    int rc = ph_send(s->ch, &m);
    if (rc < 0)
        s->error = rc;
    return rc;
}
