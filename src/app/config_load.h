/*
 * Config loading helpers, as Flask 2.2's Config does it, over a config held
 * as a jansson object:
 *
 *  - ph__config_from_prefixed_env: Config.from_prefixed_env("PHIAL")
 *  - ph__config_from_json / _file: Config.from_file(path, load=json.load),
 *    which keeps only the UPPERCASE top-level keys (Config.from_mapping)
 *
 * Errors come back as a code and a one-line message naming the variable or
 * file and what is wrong with it, ready for a CLI to print before exiting
 * with status 2. The `err` buffer may be NULL; messages are truncated to
 * `errlen`.
 *
 * Context: setup only (these run before the app serves; the file variant
 * blocks on the file system).
 */
#ifndef PH_APP_CONFIG_LOAD_H
#define PH_APP_CONFIG_LOAD_H

#include <jansson.h>
#include <stddef.h>

/*
 * Apply every environment variable named `prefix` "_" KEY, in sorted order of
 * the names: the value is parsed as JSON when it parses (any JSON value:
 * `true`, `8080`, `"text"`, `[1,2]`, `{"a":1}`), else kept as a string. A
 * "__" in KEY nests: PHIAL_DB__HOST=x sets config["DB"]["HOST"], creating
 * missing intermediate objects. `envp` is a NULL-terminated array of
 * "NAME=value" strings (pass `environ`). The top-level keys phial reads
 * itself are checked against the kind it reads them as (see typed_keys in
 * config_load.c), and a string key takes the variable's text as it is.
 *
 * All or nothing: on an error `config` is unchanged (except after
 * PH_ENOMEM, when some keys may already be set).
 *
 * Returns:  the number of variables applied; PH_EINVAL `config` not an
 *           object, or a nested key runs into a value that is not an object
 *           (PHIAL_A=1 then PHIAL_A__B=2), or one of phial's keys is given a
 *           value of another kind; PH_EPARSE a name or value is not valid
 *           UTF-8; PH_ENOMEM.
 * Owns:     borrows everything; values are copied into `config`.
 * Suspends: no.
 */
/* 1 for "1", "true", "t", "yes", "y", "on", 0 for their opposites (any
 * case), -1 for anything else: the boolean words of environment variables,
 * for config keys and command-line options alike. */
int ph__config_bool_word(const char *text);

int ph__config_from_prefixed_env(json_t *config, const char *prefix, char *const *envp, char *err,
                                 size_t errlen);

/*
 * Parse `text` (a JSON object; `name` labels it in messages) and set each of
 * its UPPERCASE top-level keys in `config`, replacing what was there. Keys
 * with a lowercase letter (or no letter at all) are ignored, as Flask does.
 * Phial's own keys must be of their kind, or nothing is set.
 *
 * Returns:  the number of keys set; PH_EINVAL `config` not an object, or a
 *           key of phial's holds a value of another kind;
 *           PH_EPARSE not JSON (the message gives line and column) or the top
 *           level is not an object; PH_ENOMEM.
 * Owns:     borrows everything.
 * Suspends: no.
 */
int ph__config_from_json(json_t *config, const char *text, size_t len, const char *name, char *err,
                         size_t errlen);

/*
 * Read the file at `path` and apply it as ph__config_from_json does. With
 * `silent`, a missing file (or a directory) is not an error.
 *
 * Returns:  the number of keys set; 0 when silently skipped; PH_ENOENT no
 *           such file; PH_EACCES; PH_EIO other read errors; PH_ETOOBIG file
 *           over 16 MiB; and ph__config_from_json's codes.
 * Owns:     borrows everything.
 * Suspends: no, but blocks on the file system: call at setup only.
 */
int ph__config_from_json_file(json_t *config, const char *path, int silent, char *err,
                              size_t errlen);

#endif
