/*
 * Sessions in Flask 2.2's cookie format (SecureCookieSessionInterface) and
 * message flashing on top of them. The session is loaded from its cookie on
 * first use (or at the end, to refresh a permanent one); at the end of the request it is compared with what was loaded,
 * so any change made through the JSON object is noticed, and Flask's
 * save_session rules decide whether a Set-Cookie goes out. The format work
 * (signing, tagged JSON, compression) is in session_codec.c.
 */
#include "app/core.h"

#include "app/session_codec.h"
#include "phial/session.h"
#include "util/alloc.h"
#include "util/log.h"

#include <string.h>
#include <strings.h>
#include <time.h>

/* The app's codec for its current SECRET_KEY; NULL without a key. */
static ph_session_codec *codec(ph_app *app) {
    const char *key = ph_config_str(app, "SECRET_KEY", NULL);
    if (!key || !*key)
        return NULL;
    if (app->codec && app->codec_key && strcmp(app->codec_key, key) == 0)
        return app->codec;
    ph__session_codec_free(app->codec);
    ph__free(app->codec_key);
    app->codec = NULL;
    app->codec_key = ph__strdup(key);
    if (!app->codec_key)
        return NULL;
    ph_slice k = {app->codec_key, strlen(app->codec_key)};
    ph_session_opts o = {.keys = &k, .nkeys = 1};
    app->codec = ph__session_codec_new(&o);
    return app->codec;
}

static const char *cookie_name(ph_app *app) {
    return ph_config_str(app, "SESSION_COOKIE_NAME", "session");
}

static void load(ph_request *req) {
    if (req->session_state)
        return;
    req->session_state = 1;
    ph_app *app = req->app;
    json_t *obj = NULL;
    const char *cookie = ph_request_cookie(req, cookie_name(app));
    ph_session_codec *c = cookie ? codec(app) : NULL;
    if (c) {
        int64_t max_age = ph_config_int(app, "PERMANENT_SESSION_LIFETIME", 2678400);
        int rc = ph__session_decode(c, cookie, strlen(cookie), max_age, (uint64_t)time(NULL), &obj);
        if (rc == PH_ENOMEM) {
            /* Not the cookie's fault: an empty session here would be saved
             * over the client's good one. The request fails instead (see
             * ph__session_save). Fixed: this logged the user out. */
            req->session_state = -1;
            PH_LOG_ERR("%s: out of memory loading the session", app->name);
            return;
        }
        if (rc < 0) {
            obj = NULL; /* tampered, expired, foreign: an empty session */
            PH_LOG_DBG("%s: session cookie refused (%s)", app->name, ph_err_name(rc));
        }
    }
    req->session = obj ? obj : json_object();
    if (!req->session) {
        req->session_state = -1;
        return;
    }
    req->session_loaded = json_deep_copy(req->session);
}

json_t *ph__session_peek(ph_request *req) {
    load(req);
    return req->session;
}

json_t *ph_session(ph_request *req) {
    if (!req)
        return NULL;
    load(req);
    req->session_accessed = 1;
    return req->session;
}

json_t *ph_session_get(ph_request *req, const char *key) {
    json_t *s = key ? ph_session(req) : NULL;
    return s ? json_object_get(s, key) : NULL;
}

int ph_session_set(ph_request *req, const char *key, json_t *value) {
    if (!req) {
        json_decref(value);
        return PH_EINVAL;
    }
    json_t *s = ph_session(req);
    if (!s || !key || !value) {
        json_decref(value);
        return s ? PH_EINVAL : PH_ENOMEM;
    }
    return json_object_set_new(s, key, value) == 0 ? 0 : PH_ENOMEM;
}

int ph_session_remove(ph_request *req, const char *key) {
    if (!req || !key)
        return PH_EINVAL;
    json_t *s = ph_session(req);
    if (!s)
        return PH_ENOMEM;
    json_object_del(s, key);
    return 0;
}

int ph_session_clear(ph_request *req) {
    if (!req)
        return PH_EINVAL;
    json_t *s = ph_session(req);
    if (!s)
        return PH_ENOMEM;
    json_object_clear(s);
    return 0;
}

int ph_session_set_permanent(ph_request *req, bool permanent) {
    if (!req)
        return PH_EINVAL;
    json_t *s = ph_session(req);
    if (!s)
        return PH_ENOMEM;
    if (permanent)
        return json_object_set_new(s, "_permanent", json_true()) == 0 ? 0 : PH_ENOMEM;
    json_object_del(s, "_permanent");
    return 0;
}

bool ph_session_permanent(ph_request *req) {
    json_t *s = ph_session(req);
    return s && json_is_true(json_object_get(s, "_permanent"));
}

/* ---- flashing ------------------------------------------------------------ */

int ph_flash(ph_request *req, const char *message, const char *category) {
    if (!req)
        return PH_EINVAL;
    json_t *s = ph_session(req);
    if (!s || !message)
        return s ? PH_EINVAL : PH_ENOMEM;
    json_t *list = json_object_get(s, "_flashes");
    if (!json_is_array(list)) {
        list = json_array();
        if (!list || json_object_set_new(s, "_flashes", list) < 0)
            return PH_ENOMEM;
    }
    json_t *pair = json_pack("[ss]", category ? category : "message", message);
    return pair && json_array_append_new(list, pair) == 0 ? 0 : PH_ENOMEM;
}

static int in_filter(const char *cat, const char *const *filter) {
    for (size_t i = 0; filter[i]; i++)
        if (strcmp(filter[i], cat) == 0)
            return 1;
    return 0;
}

json_t *ph_get_flashed_messages(ph_request *req, bool with_categories,
                                const char *const *filter) {
    if (!req)
        return NULL;
    if (!req->flashes) {
        /* Taken out of the session once per request, as Flask does. */
        json_t *s = ph_session(req);
        json_t *f = s ? json_object_get(s, "_flashes") : NULL;
        if (json_is_array(f)) {
            req->flashes = json_incref(f);
            json_object_del(s, "_flashes");
        } else {
            req->flashes = json_array();
        }
    }
    json_t *out = json_array();
    size_t i;
    json_t *pair;
    json_array_foreach(req->flashes, i, pair) {
        const char *cat = json_string_value(json_array_get(pair, 0));
        json_t *msg = json_array_get(pair, 1);
        if (!cat || !msg || (filter && !in_filter(cat, filter)))
            continue;
        json_array_append(out, with_categories ? pair : msg);
    }
    return out;
}

/* ---- saving -------------------------------------------------------------- */

static void add_vary_cookie(ph_response *resp) {
    const char *vary = ph_response_header(resp, "Vary");
    if (!vary) {
        ph_response_set_header(resp, "Vary", "Cookie");
    } else if (!strcasestr(vary, "cookie")) {
        char buf[512];
        snprintf(buf, sizeof(buf), "%s, Cookie", vary);
        ph_response_set_header(resp, "Vary", buf);
    }
}

static ph_samesite_opt samesite(ph_app *app) {
    const char *v = ph_config_str(app, "SESSION_COOKIE_SAMESITE", NULL);
    if (!v)
        return PH_SAMESITE_DEFAULT;
    if (strcasecmp(v, "strict") == 0)
        return PH_SAMESITE_ATTR_STRICT;
    if (strcasecmp(v, "lax") == 0)
        return PH_SAMESITE_ATTR_LAX;
    if (strcasecmp(v, "none") == 0)
        return PH_SAMESITE_ATTR_NONE;
    return PH_SAMESITE_DEFAULT;
}

/* The response becomes a 500: the session could not be kept. */
static void fail_response(ph_request *req, ph_response *resp) {
    ph_response *page = ph__default_error_page(req, 500, NULL);
    if (page)
        *resp = *page;
}

void ph__session_save(ph_request *req, ph_response *resp) {
    if (req->session_state < 0 && !resp->is_marker) {
        /* The session could not be loaded (out of memory): whatever the
         * view made of that, answer 500 rather than lose the session. */
        fail_response(req, resp);
        return;
    }
    if (resp->is_marker)
        return;
    ph_app *app = req->app;
    if (!req->session_state && ph_config_bool(app, "SESSION_REFRESH_EACH_REQUEST", true) &&
        ph_request_cookie(req, cookie_name(app))) {
        /* Flask opens the session on every request, so a permanent one is
         * sent again (its expiry moved on) even when the view never used
         * it. Loaded here for that alone: a failure to load changes
         * nothing. */
        load(req);
        if (req->session_state < 0)
            return;
    }
    if (!req->session_state || !req->session)
        return;
    const char *name = cookie_name(app);
    const char *domain = ph_config_str(app, "SESSION_COOKIE_DOMAIN", NULL);
    const char *path = ph_config_str(app, "SESSION_COOKIE_PATH", NULL);
    if (!path)
        path = ph_config_str(app, "APPLICATION_ROOT", "/");
    bool secure = ph_config_bool(app, "SESSION_COOKIE_SECURE", false);
    bool httponly = ph_config_bool(app, "SESSION_COOKIE_HTTPONLY", true);
    if (req->session_accessed)
        add_vary_cookie(resp);
    int modified = !req->session_loaded || !json_equal(req->session, req->session_loaded);
    if (json_object_size(req->session) == 0) {
        if (modified && json_object_size(req->session_loaded) > 0) {
            ph_response_set_cookie(resp, name, "", .max_age = 0, .has_max_age = true,
                                   .expires = 0, .has_expires = true, .path = path,
                                   .domain = domain, .secure = secure, .httponly = httponly,
                                   .samesite = samesite(app));
            add_vary_cookie(resp);
        }
        return;
    }
    bool permanent = json_is_true(json_object_get(req->session, "_permanent"));
    if (!modified && !(permanent && ph_config_bool(app, "SESSION_REFRESH_EACH_REQUEST", true)))
        return;
    ph_session_codec *c = codec(app);
    if (!c) {
        PH_LOG_ERR("%s: the session is unavailable because no secret key was set. Set "
                   "SECRET_KEY in the app's config to something unique and secret.",
                   app->name);
        fail_response(req, resp);
        return;
    }
    ph_buf b;
    ph__buf_init(&b, 0);
    time_t now = time(NULL);
    int rc = ph__session_encode(c, req->session, (uint64_t)now, &b);
    if (rc == 0) {
        int64_t lifetime = ph_config_int(app, "PERMANENT_SESSION_LIFETIME", 2678400);
        rc = ph_response_set_cookie(resp, name, b.data, .expires = (int64_t)now + lifetime,
                                    .has_expires = permanent, .path = path, .domain = domain,
                                    .secure = secure, .httponly = httponly,
                                    .samesite = samesite(app));
        add_vary_cookie(resp);
    }
    if (rc < 0) {
        PH_LOG_ERR("%s: the session could not be saved (%s)", app->name, ph_err_name(rc));
        fail_response(req, resp);
    }
    ph__buf_close(&b);
}

void ph__session_release(ph_request *req) {
    json_decref(req->session);
    json_decref(req->session_loaded);
    json_decref(req->flashes);
    req->session = req->session_loaded = req->flashes = NULL;
}
