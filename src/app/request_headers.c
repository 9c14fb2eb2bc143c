/*
 * What Werkzeug's request reads out of common headers: referrer, user
 * agent, is_secure, access_route, authorization and the Accept headers,
 * each parsed as Werkzeug 2.2 parses it (src/util/http_list.c,
 * src/util/accept.c) and kept in the request's arena.
 */
#include "app/core.h"

#include "util/accept.h"
#include "util/base64.h"
#include "util/http_list.h"
#include "util/py_space.h"
#include "util/utf8.h"

#include <string.h>
#include <strings.h>

const char *ph_request_referrer(ph_request *req) {
    return req ? ph_request_header(req, "referer") : NULL;
}

const char *ph_request_user_agent(ph_request *req) {
    if (!req)
        return NULL;
    const char *ua = ph_request_header(req, "user-agent");
    return ua ? ua : "";
}

bool ph_request_is_secure(ph_request *req) {
    if (!req)
        return false;
    const char *s = ph_request_scheme(req);
    return !strcmp(s, "https") || !strcmp(s, "wss");
}

/* Every header named `name` joined with ",", as a WSGI server puts repeated
 * headers into one environ value; NULL slice when there is none. */
static ph_slice joined_header(ph_request *req, const char *name) {
    const ph_scope *sc = req->scope;
    size_t n = strlen(name), total = 0, count = 0;
    ph_slice first = {NULL, 0};
    for (size_t i = 0; i < sc->nheaders; i++)
        if (sc->headers[i].name.len == n && !strncasecmp(sc->headers[i].name.ptr, name, n)) {
            if (!count++)
                first = sc->headers[i].value;
            total += sc->headers[i].value.len + 1;
        }
    if (count < 2)
        return first;
    char *buf = ph__arena_alloc(req->arena, total), *w = buf;
    if (!buf)
        return (ph_slice){NULL, 0};
    for (size_t i = 0; i < sc->nheaders; i++)
        if (sc->headers[i].name.len == n && !strncasecmp(sc->headers[i].name.ptr, name, n)) {
            if (w != buf)
                *w++ = ',';
            memcpy(w, sc->headers[i].value.ptr, sc->headers[i].value.len);
            w += sc->headers[i].value.len;
        }
    return (ph_slice){buf, (size_t)(w - buf)};
}

size_t ph_request_access_route(ph_request *req, const char **out, size_t max) {
    if (!req)
        return 0;
    if (!req->route_parsed) {
        req->route_parsed = 1;
        ph_slice xff = joined_header(req, "x-forwarded-for");
        ph_slice *items = NULL;
        long n = 0;
        if (xff.ptr) {
            n = ph__http_list_parse(req->arena, xff.ptr, xff.len, &items);
        } else if (ph_request_remote_addr(req)[0]) {
            items = ph__arena_alloc(req->arena, sizeof(*items));
            if (items) {
                const char *addr = ph_request_remote_addr(req);
                items[0] = (ph_slice){addr, strlen(addr)};
                n = 1;
            }
        }
        req->route = n > 0 ? ph__arena_alloc(req->arena, (size_t)n * sizeof(*req->route)) : NULL;
        for (long i = 0; req->route && i < n; i++)
            req->route[i] = items[i].ptr;
        req->nroute = req->route ? (size_t)n : 0;
    }
    for (size_t i = 0; out && i < max && i < req->nroute; i++)
        out[i] = req->route[i];
    return req->nroute;
}

/* Python's str.split(None, 1) (over ASCII whitespace): the first word and
 * the rest after the whitespace that follows it; 0 when there is no rest. */
static int split_word(ph_slice v, ph_slice *word, ph_slice *rest) {
    size_t i = 0, start;
    while (i < v.len && ph__py_space((unsigned char)v.ptr[i], 0))
        i++;
    for (start = i; i < v.len && !ph__py_space((unsigned char)v.ptr[i], 0); i++)
        ;
    *word = (ph_slice){v.ptr + start, i - start};
    while (i < v.len && ph__py_space((unsigned char)v.ptr[i], 0))
        i++;
    *rest = (ph_slice){v.ptr + i, v.len - i};
    return word->len && rest->len;
}

static int is_word(ph_slice w, const char *lit) {
    return w.len == strlen(lit) && !strncasecmp(w.ptr, lit, w.len);
}

/* A credential as a C string: well-formed UTF-8 (Werkzeug decodes it
 * strictly) without a NUL, which would cut it short. */
static const char *credential(ph_request *req, const char *s, size_t n) {
    if (memchr(s, '\0', n) || !ph__utf8_valid(s, n))
        return NULL;
    return ph__arena_strndup(req->arena, s, n);
}

static ph_authorization *basic(ph_request *req, ph_slice info) {
    for (size_t i = 0; i < info.len; i++)
        if ((unsigned char)info.ptr[i] >= 0x80)
            return NULL; /* b64decode refuses a str that is not ASCII */
    char *raw = ph__arena_alloc(req->arena, ph__base64_decoded_max(info.len) + 1);
    long n = raw ? ph__base64_decode_lenient(raw, info.ptr, info.len) : -1;
    const char *colon = n >= 0 ? memchr(raw, ':', (size_t)n) : NULL;
    if (!colon)
        return NULL;
    ph_authorization *a = ph__arena_calloc(req->arena, sizeof(*a));
    if (!a)
        return NULL;
    a->type = "basic";
    a->username = credential(req, raw, (size_t)(colon - raw));
    a->password = credential(req, colon + 1, (size_t)(raw + n - colon - 1));
    return a->username && a->password ? a : NULL;
}

static const char *param(size_t n, const ph_slice *keys, const ph_slice *values, const char *k) {
    for (size_t i = 0; i < n; i++)
        if (keys[i].len == strlen(k) && !memcmp(keys[i].ptr, k, keys[i].len))
            return values[i].ptr ? values[i].ptr : "";
    return NULL;
}

static ph_authorization *digest(ph_request *req, ph_slice info) {
    ph_slice *keys, *values;
    long n = ph__http_dict_parse(req->arena, info.ptr, info.len, &keys, &values);
    if (n < 0)
        return NULL;
    static const char *const required[] = {"username", "realm", "nonce", "uri", "response"};
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!param((size_t)n, keys, values, required[i]))
            return NULL;
    if (param((size_t)n, keys, values, "qop")) {
        const char *nc = param((size_t)n, keys, values, "nc");
        const char *cnonce = param((size_t)n, keys, values, "cnonce");
        if (!nc || !*nc || !cnonce || !*cnonce)
            return NULL; /* Werkzeug wants both, and not empty */
    }
    ph_authorization *a = ph__arena_calloc(req->arena, sizeof(*a));
    const char **names = ph__arena_alloc(req->arena, ((size_t)n + 1) * sizeof(*names));
    const char **vals = ph__arena_alloc(req->arena, ((size_t)n + 1) * sizeof(*vals));
    if (!a || !names || !vals)
        return NULL;
    for (long i = 0; i < n; i++) {
        names[i] = keys[i].ptr;
        vals[i] = values[i].ptr;
    }
    *a = (ph_authorization){.type = "digest", .nparams = (size_t)n, .param_names = names,
                            .param_values = vals};
    a->username = ph_authorization_param(a, "username");
    return a;
}

const ph_authorization *ph_request_authorization(ph_request *req) {
    if (!req)
        return NULL;
    if (!req->auth_parsed) {
        req->auth_parsed = 1;
        ph_slice v = joined_header(req, "authorization"), word, info;
        size_t n;
        /* Werkzeug reads the header as UTF-8, each invalid byte a U+FFFD */
        const char *text = v.len ? ph__utf8_text(req->arena, v.ptr, v.len, &n) : NULL;
        if (text && split_word((ph_slice){text, n}, &word, &info)) {
            if (is_word(word, "basic"))
                req->auth = basic(req, info);
            else if (is_word(word, "digest"))
                req->auth = digest(req, info);
        }
    }
    return req->auth;
}

const char *ph_authorization_param(const ph_authorization *auth, const char *name) {
    if (!auth || !name)
        return NULL;
    for (size_t i = 0; i < auth->nparams; i++)
        if (!strcmp(auth->param_names[i], name))
            return auth->param_values[i];
    return NULL;
}

/* The Accept header `which` names, parsed by its rules on first use (an
 * 8 KiB header of thousands of items takes a millisecond or two); NULL
 * when out of memory. */
static const ph__accept *accept_header(ph_request *req, ph_accept_header which) {
    static const struct {
        const char *name;
        ph__accept_rules rules;
    } headers[] = {[PH_ACCEPT_MIMETYPES] = {"accept", PH__ACCEPT_MIME},
                   [PH_ACCEPT_LANGUAGES] = {"accept-language", PH__ACCEPT_LANG},
                   [PH_ACCEPT_ENCODINGS] = {"accept-encoding", PH__ACCEPT_PLAIN}};
    if ((unsigned)which >= sizeof(headers) / sizeof(headers[0]))
        return NULL;
    if (!req->accept[which]) {
        ph__accept *acc = ph__arena_alloc(req->arena, sizeof(*acc));
        ph_slice v = joined_header(req, headers[which].name);
        if (!acc || ph__accept_parse(req->arena, headers[which].rules, v.ptr, v.len, acc) < 0)
            return NULL;
        req->accept[which] = acc;
    }
    return req->accept[which];
}

const char *ph_request_accept_best(ph_request *req, ph_accept_header which,
                                   const char *const *offers, size_t n, const char *fallback) {
    const ph__accept *acc = req && offers ? accept_header(req, which) : NULL;
    return acc ? ph__accept_best(acc, offers, n, fallback) : fallback;
}

double ph_request_accept_quality(ph_request *req, ph_accept_header which, const char *value) {
    const ph__accept *acc = req && value ? accept_header(req, which) : NULL;
    return acc ? ph__accept_quality(acc, value) : 0;
}
