/*
 * Internal logging: one line per message to stderr, with a level and the
 * process id, in the format documented in docs/logging.md.
 */
#ifndef PH_UTIL_LOG_H
#define PH_UTIL_LOG_H

#include "phial/log.h"

void ph__log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write regardless of the process threshold (the caller applied its own). */
void ph__log_always(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define PH_LOG_ERR(...) ph__log(PH_LOG_ERROR, __VA_ARGS__)
#define PH_LOG_WARN(...) ph__log(PH_LOG_WARNING, __VA_ARGS__)
#define PH_LOG_INF(...) ph__log(PH_LOG_INFO, __VA_ARGS__)
#define PH_LOG_DBG(...) ph__log(PH_LOG_DEBUG, __VA_ARGS__)

#endif
