/*
 * The public face of config loading and the app logger. Parsing rules live
 * in config_load.c.
 */
#include "app/core.h"

#include "app/config_load.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

extern char **environ;

int ph_config_from_prefixed_env(ph_app *app, const char *prefix, char *err, size_t errlen) {
    if (!app)
        return PH_EINVAL;
    return ph__config_from_prefixed_env(app->config, prefix ? prefix : "PHIAL", environ, err,
                                        errlen);
}

int ph_config_from_file(ph_app *app, const char *path, bool silent, char *err, size_t errlen) {
    if (!app || !path)
        return PH_EINVAL;
    return ph__config_from_json_file(app->config, path, silent, err, errlen);
}

void ph_app_log(const ph_app *app, int level, const char *fmt, ...) {
    if (!app)
        return;
    int threshold = ph_config_bool(app, "DEBUG", false) ? PH_LOG_DEBUG : ph_log_get_level();
    if (level < threshold)
        return;
    char msg[1800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ph__log_always(level, "[%s] %s", app->name, msg);
}
