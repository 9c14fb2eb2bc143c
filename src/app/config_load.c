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

/* json.loads(value), or the string itself when it is not JSON. */
static json_t *env_value(const char *v, size_t len) {
    json_t *j = json_loadb(v, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
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
    json_t *v = env_value(value, vlen);
    if (!v || json_object_setn_new(cur, part, (size_t)(end - part), v) < 0)
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
