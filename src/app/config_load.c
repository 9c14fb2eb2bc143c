/*
 * Config from environment variables and JSON files, following Flask 2.2's
 * Config.from_prefixed_env, from_file and from_mapping.
 *
 * from_prefixed_env: for each variable PREFIX_KEY in sorted order, try
 * json.loads on the value and keep the string when that fails; split KEY on
 * "__" and walk (creating) nested dicts to set the last part. Where Python
 * would raise TypeError (a nested key under a string), we return PH_EINVAL
 * with a message, and leave the config as it was: the variables are applied
 * to a copy that replaces the original only when all of them succeed.
 *
 * Known differences from Python, all about values JSON in C cannot hold:
 * NaN/Infinity and integers outside int64 stay strings (Python parses them);
 * invalid UTF-8 in a name or value is refused (Python keeps surrogate
 * escapes). "Uppercase" keys of a file are judged on ASCII letters; other
 * characters count as uncased.
 *
 * This module does not read `environ` itself nor decide the prefix; the
 * framework passes them. References: flask/config.py (2.2.2).
 */
#include "config_load.h"

#include "phial/common.h"
#include "util/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONFIG_FILE_MAX (16 * 1024 * 1024)

static int fail(int code, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(int code, char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int utf8_valid(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len;) {
        unsigned c = s[i];
        size_t n = c < 0x80             ? 0
                   : (c & 0xe0) == 0xc0 ? 1
                   : (c & 0xf0) == 0xe0 ? 2
                   : (c & 0xf8) == 0xf0 ? 3
                                        : 9;
        if (n == 9 || i + n >= len)
            return 0;
        unsigned cp = n == 0 ? c : c & (0x3f >> n);
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        /* Overlong forms, surrogates and values past U+10FFFF are invalid. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return 0;
        i += n + 1;
    }
    return 1;
}

/* ---- Environment ------------------------------------------------------ */

static int cmp_names(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t xl = strcspn(x, "="), yl = strcspn(y, "=");
    int c = memcmp(x, y, xl < yl ? xl : yl);
    return c ? c : (xl > yl) - (xl < yl);
}

static const char *json_kind(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return "null";
}

int ph__config_bool_word(const char *t) {
    static const char *const yes[] = {"1", "true", "t", "yes", "y", "on"};
    static const char *const no[] = {"0", "false", "f", "no", "n", "off"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(t, yes[i]) == 0)
            return 1;
        if (strcasecmp(t, no[i]) == 0)
            return 0;
    }
    return -1;
}

/*
 * The keys phial reads itself, with the kind it reads them as. A value of
 * another kind would be read as the default without a word (a string
 * "true   # HTTPS" for SESSION_COOKIE_SECURE is not true), so loading it
 * fails instead; null is accepted everywhere and means the default.
 */
enum { K_BOOL, K_INT, K_STR };
static const struct typed_key {
    const char *name;
    int kind;
} typed_keys[] = {
    {"APPLICATION_ROOT", K_STR},
    {"DEBUG", K_BOOL},
    {"JSONIFY_PRETTYPRINT_REGULAR", K_BOOL},
    {"MAX_CONTENT_LENGTH", K_INT},
    {"MAX_COOKIE_SIZE", K_INT},
    {"PERMANENT_SESSION_LIFETIME", K_INT},
    {"PREFERRED_URL_SCHEME", K_STR},
    {"PROPAGATE_EXCEPTIONS", K_BOOL},
    {"ROOT_PATH", K_STR},
    {"SECRET_KEY", K_STR},
    {"SEND_FILE_MAX_AGE_DEFAULT", K_INT},
    {"SERVER_NAME", K_STR},
    {"SESSION_COOKIE_DOMAIN", K_STR},
    {"SESSION_COOKIE_HTTPONLY", K_BOOL},
    {"SESSION_COOKIE_NAME", K_STR},
    {"SESSION_COOKIE_PATH", K_STR},
    {"SESSION_COOKIE_SAMESITE", K_STR},
    {"SESSION_COOKIE_SECURE", K_BOOL},
    {"SESSION_REFRESH_EACH_REQUEST", K_BOOL},
    {"STATIC_CONFINE_SYMLINKS", K_BOOL},
    {"STATIC_FOLDER", K_STR},
    {"STATIC_URL_PATH", K_STR},
    {"TEMPLATES_AUTO_RELOAD", K_BOOL},
    {"TEMPLATE_FOLDER", K_STR},
    {"TESTING", K_BOOL},
};

/* The kind phial reads top-level key `key` as, or -1 for a key of the app's. */
static int key_kind(const char *key, size_t len) {
    for (size_t i = 0; i < sizeof(typed_keys) / sizeof(typed_keys[0]); i++)
        if (strlen(typed_keys[i].name) == len && memcmp(typed_keys[i].name, key, len) == 0)
            return typed_keys[i].kind;
    return -1;
}

/* 0 when `v` may be read as `kind`, else PH_EINVAL with a message that
 * starts with `what` (the variable or the file). */
static int check_kind(int kind, const char *key, size_t klen, const json_t *v, const char *what,
                      int what_len, char *err, size_t errlen) {
    static const char *const expected[] = {"true or false", "an integer", "a string"};
    int ok = json_is_null(v) || (kind == K_BOOL && (json_is_boolean(v) || json_is_integer(v))) ||
             (kind == K_INT && json_is_integer(v)) || (kind == K_STR && json_is_string(v));
    if (ok || kind < 0)
        return 0;
    return fail(PH_EINVAL, err, errlen, "%.*s: %.*s must be %s, not %s", what_len, what,
                (int)klen, key, expected[kind], json_kind(v));
}

/* json.loads(value), or the string itself when it is not JSON; for a key
 * phial reads as a string, the text itself whatever it parses as
 * (PHIAL_SECRET_KEY=12345 is the string "12345"), except null; for a
 * boolean key, also the words the command line takes (PHIAL_DEBUG=yes is
 * both the config's DEBUG and `run --debug`'s variable). */
static json_t *env_value(const char *v, size_t len, int kind) {
    json_t *j = json_loadb(v, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (j && kind == K_STR && !json_is_string(j) && !json_is_null(j)) {
        json_decref(j);
        j = NULL;
    }
    int word = !j && kind == K_BOOL && strlen(v) == len ? ph__config_bool_word(v) : -1;
    if (word >= 0)
        return json_boolean(word);
    return j ? j : json_stringn(v, len);
}

/* Set one variable `name` (full, with prefix; `key` after the prefix) into `cfg`. */
static int apply_env(json_t *cfg, const char *name, size_t name_len, const char *key,
                     const char *value, char *err, size_t errlen) {
    size_t vlen = strlen(value);
    if (!utf8_valid(name, name_len) || !utf8_valid(value, vlen))
        return fail(PH_EPARSE, err, errlen, "%.*s: name or value is not valid UTF-8", (int)name_len,
                    name);
    json_t *cur = cfg;
    const char *part = key, *end = name + name_len;
    for (;;) {
        const char *sep = memmem(part, (size_t)(end - part), "__", 2);
        if (!sep)
            break;
        size_t plen = (size_t)(sep - part);
        json_t *next = json_object_getn(cur, part, plen);
        if (!next) {
            next = json_object();
            if (!next || json_object_setn_new(cur, part, plen, next) < 0)
                return fail(PH_ENOMEM, err, errlen, "%.*s: out of memory", (int)name_len, name);
        } else if (!json_is_object(next)) {
            return fail(PH_EINVAL, err, errlen,
                        "%.*s: cannot set a key inside \"%.*s\", which holds %s, not an object",
                        (int)name_len, name, (int)plen, part, json_kind(next));
        }
        cur = next;
        part = sep + 2;
    }
    size_t klen = (size_t)(end - part);
    int kind = cur == cfg ? key_kind(part, klen) : -1;
    json_t *v = env_value(value, vlen, kind);
    if (!v)
        return fail(PH_ENOMEM, err, errlen, "%.*s: out of memory", (int)name_len, name);
    int rc = check_kind(kind, part, klen, v, name, (int)name_len, err, errlen);
    if (rc < 0) {
        json_decref(v);
        return rc;
    }
    if (json_object_setn_new(cur, part, klen, v) < 0)
        return fail(PH_ENOMEM, err, errlen, "%.*s: out of memory", (int)name_len, name);
    return 0;
}

int ph__config_from_prefixed_env(json_t *config, const char *prefix, char *const *envp, char *err,
                                 size_t errlen) {
    if (!json_is_object(config) || !prefix || !envp)
        return fail(PH_EINVAL, err, errlen, "config must be an object");
    size_t plen = strlen(prefix), n = 0;
    for (size_t i = 0; envp[i]; i++)
        n++;
    const char **names = ph__malloc((n ? n : 1) * sizeof(*names));
    if (!names)
        return fail(PH_ENOMEM, err, errlen, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = envp[i];
        if (strncmp(e, prefix, plen) == 0 && e[plen] == '_' && strchr(e, '='))
            names[m++] = e;
    }
    qsort(names, m, sizeof(*names), cmp_names);
    json_t *copy = json_deep_copy(config);
    int rc = copy ? 0 : fail(PH_ENOMEM, err, errlen, "out of memory");
    for (size_t i = 0; rc == 0 && i < m; i++) {
        const char *eq = strchr(names[i], '=');
        rc = apply_env(copy, names[i], (size_t)(eq - names[i]), names[i] + plen + 1, eq + 1, err,
                       errlen);
    }
    if (rc == 0 && json_object_update(config, copy) < 0)
        rc = fail(PH_ENOMEM, err, errlen, "out of memory");
    json_decref(copy);
    ph__free(names);
    return rc < 0 ? rc : (int)m;
}

/* ---- JSON files ------------------------------------------------------- */

/* Python's str.isupper() judged on ASCII: a capital, and no small letter. */
static int is_upper_key(const char *k, size_t len) {
    int upper = 0;
    for (size_t i = 0; i < len; i++) {
        if (k[i] >= 'a' && k[i] <= 'z')
            return 0;
        upper |= k[i] >= 'A' && k[i] <= 'Z';
    }
    return upper;
}

int ph__config_from_json(json_t *config, const char *text, size_t len, const char *name, char *err,
                         size_t errlen) {
    if (!json_is_object(config) || (!text && len))
        return fail(PH_EINVAL, err, errlen, "config must be an object");
    name = name ? name : "<json>";
    json_error_t jerr;
    json_t *obj = json_loadb(text ? text : "", len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
    if (!obj) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return fail(PH_ENOMEM, err, errlen, "%s: out of memory", name);
        return fail(PH_EPARSE, err, errlen, "%s: line %d, column %d: %s", name, jerr.line,
                    jerr.column, jerr.text);
    }
    if (!json_is_object(obj)) {
        int rc = fail(PH_EPARSE, err, errlen, "%s: the top level is %s, expected an object", name,
                      json_kind(obj));
        json_decref(obj);
        return rc;
    }
    const char *key;
    size_t klen;
    json_t *v;
    int count = 0, rc = 0;
    json_object_keylen_foreach(obj, key, klen, v) {
        if (!is_upper_key(key, klen))
            continue;
        if ((rc = check_kind(key_kind(key, klen), key, klen, v, name, (int)strlen(name), err,
                             errlen)) < 0)
            break;
    }
    json_object_keylen_foreach(obj, key, klen, v) {
        if (rc < 0)
            break;
        if (!is_upper_key(key, klen))
            continue;
        if (json_object_setn(config, key, klen, v) < 0) {
            rc = fail(PH_ENOMEM, err, errlen, "%s: out of memory", name);
            break;
        }
        count++;
    }
    json_decref(obj);
    return rc < 0 ? rc : count;
}

int ph__config_from_json_file(json_t *config, const char *path, int silent, char *err,
                              size_t errlen) {
    if (!path)
        return fail(PH_EINVAL, err, errlen, "no configuration file named");
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (silent && (e == ENOENT || e == EISDIR))
            return 0;
        int code = e == ENOENT ? PH_ENOENT : e == EACCES ? PH_EACCES : PH_EIO;
        return fail(code, err, errlen, "Unable to load configuration file (%s): %s", strerror(e),
                    path);
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 4096;
            char *nb = ncap > CONFIG_FILE_MAX + 1 ? NULL : ph__realloc(buf, ncap);
            if (!nb) {
                rc = ncap > CONFIG_FILE_MAX + 1
                         ? fail(PH_ETOOBIG, err, errlen, "%s: larger than 16 MiB", path)
                         : fail(PH_ENOMEM, err, errlen, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno;
                if (silent && e == EISDIR)
                    break; /* Linux opens a directory, then fails to read it */
                rc = fail(PH_EIO, err, errlen, "Unable to load configuration file (%s): %s",
                          strerror(e), path);
            }
            break;
        }
    }
    int is_dir_skip = rc == 0 && ferror(f);
    fclose(f);
    if (rc == 0 && !is_dir_skip)
        rc = ph__config_from_json(config, buf, len, path, err, errlen);
    ph__free(buf);
    return rc;
}
