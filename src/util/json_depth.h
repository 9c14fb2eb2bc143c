/*
 * A nesting-depth check for JSON text, run before jansson's parser: jansson
 * recurses once per level (up to 2048 levels), which a task's stack must not
 * be asked to hold for hostile input.
 */
#ifndef PH_UTIL_JSON_DEPTH_H
#define PH_UTIL_JSON_DEPTH_H

#include <stddef.h>

/* Nonzero when no array or object in s[0, n) nests deeper than `max`. */
int ph__json_depth_ok(const char *s, size_t n, int max);

#endif
