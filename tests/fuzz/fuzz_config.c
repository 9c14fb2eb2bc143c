/*
 * libFuzzer target for the config loader (src/app/config_load.c), the
 * parser behind Config.from_file and Config.from_prefixed_env.
 *
 * The first input byte picks the entry point, the rest is its input:
 *   even  ph__config_from_json over the bytes (a JSON object of settings)
 *   odd   ph__config_from_prefixed_env over an environment made of the
 *         bytes split at NUL bytes, each piece a "NAME=value" string (only
 *         names starting "PHIAL_" apply; "__" nests)
 * A call must return a count or a PH_E* code with the config still an
 * object; anything else, a crash or a sanitizer report, is a finding.
 */
#include "app/config_load.h"

#include <phial.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    json_t *cfg = json_pack("{s:b,s:i}", "DEBUG", 0, "PORT", 8000);
    if (!cfg)
        abort();
    char err[256];
    int rc;
    if ((data[0] & 1) == 0) {
        rc = ph__config_from_json(cfg, (const char *)data + 1, size - 1, "fuzz.json", err,
                                  sizeof(err));
    } else {
        /* NUL-terminated copies of the pieces, as a real environment holds. */
        char *copy = malloc(size);
        if (!copy)
            abort();
        memcpy(copy, data + 1, size - 1);
        copy[size - 1] = '\0';
        char *envp[MAX_VARS + 1];
        size_t n = 0;
        for (char *p = copy; p < copy + size - 1 && n < MAX_VARS; p += strlen(p) + 1)
            if (*p)
                envp[n++] = p;
        envp[n] = NULL;
        rc = ph__config_from_prefixed_env(cfg, "PHIAL", envp, err, sizeof(err));
        free(copy);
    }
    if (!json_is_object(cfg) || (rc < 0 && rc != PH_EINVAL && rc != PH_EPARSE && rc != PH_ENOMEM)) {
        fprintf(stderr, "unexpected result %d (%s)\n", rc, rc < 0 ? ph_err_name(rc) : "count");
        abort();
    }
    json_decref(cfg);
    return 0;
}
