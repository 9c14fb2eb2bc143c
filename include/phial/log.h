/*
 * phial — logging levels and the process-wide log threshold.
 */
#ifndef PHIAL_LOG_H
#define PHIAL_LOG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Levels, as Python's logging numbers them, so config values carry over. */
typedef enum ph_log_level {
    PH_LOG_DEBUG = 10,
    PH_LOG_INFO = 20,
    PH_LOG_WARNING = 30,
    PH_LOG_ERROR = 40,
    PH_LOG_CRITICAL = 50,
} ph_log_level;

/*
 * Set the threshold: messages below `level` are dropped. The default is
 * PH_LOG_INFO, or the level named by the PHIAL_LOG_LEVEL environment
 * variable ("debug", "info", "warning", "error", "critical").
 *
 * Suspends: no.
 * Thread:   safe.
 */
PH_EXTERN void ph_log_set_level(int level);

/* The current threshold. Suspends: no. */
PH_EXTERN int ph_log_get_level(void);

/*
 * Parse a level name ("warning") or number ("30").
 *
 * Returns:  the level; PH_EINVAL for anything else.
 * Suspends: no.
 */
PH_EXTERN int ph_log_level_parse(const char *name);

/*
 * Write one line at `level` to stderr:
 *   "2026-11-28 10:24:15.123 [1234] WARNING: message"
 *
 * Suspends: no (stderr is written directly; lines are short).
 * Thread:   safe.
 */
PH_EXTERN void ph_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
