/*
 * Logging to stderr. Each line is formatted into a stack buffer and written
 * with one write(2), so lines from several worker processes never interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static atomic_int threshold = -1;

int ph_log_level_parse(const char *name) {
    static const struct {
        const char *name;
        int level;
    } names[] = {{"debug", PH_LOG_DEBUG},     {"info", PH_LOG_INFO},
                 {"warning", PH_LOG_WARNING}, {"warn", PH_LOG_WARNING},
                 {"error", PH_LOG_ERROR},     {"critical", PH_LOG_CRITICAL},
                 {"trace", PH_LOG_DEBUG}};
    if (!name || !*name)
        return PH_EINVAL;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].level;
    char *end;
    long v = strtol(name, &end, 10);
    if (*end == '\0' && v >= 0 && v <= 100)
        return (int)v;
    return PH_EINVAL;
}

int ph_log_get_level(void) {
    int t = atomic_load(&threshold);
    if (t < 0) {
        const char *env = getenv("PHIAL_LOG_LEVEL");
        t = env ? ph_log_level_parse(env) : PH_LOG_INFO;
        if (t < 0)
            t = PH_LOG_INFO;
        atomic_store(&threshold, t);
    }
    return t;
}

void ph_log_set_level(int level) { atomic_store(&threshold, level); }

static const char *level_name(int level) {
    if (level >= PH_LOG_CRITICAL)
        return "CRITICAL";
    if (level >= PH_LOG_ERROR)
        return "ERROR";
    if (level >= PH_LOG_WARNING)
        return "WARNING";
    if (level >= PH_LOG_INFO)
        return "INFO";
    return "DEBUG";
}

static void vlog(int level, int check, const char *fmt, va_list ap) {
    if (check && level < ph_log_get_level())
        return;
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "%04d-%02d-%02d %02d:%02d:%02d.%03d [%d] %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), (int)getpid(), level_name(level));
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}

void ph_log(int level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(level, 1, fmt, ap);
    va_end(ap);
}

void ph__log(int level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(level, 1, fmt, ap);
    va_end(ap);
}

void ph__log_always(int level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog(level, 0, fmt, ap);
    va_end(ap);
}
