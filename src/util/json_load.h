/*
 * Parsing JSON text with jansson, telling a client's malformed text from the
 * server running out of memory. jansson reports some of its own allocation
 * failures as syntax errors, so text that fails for any reason but memory is
 * parsed once more: text that parses then was valid, and refusing it as
 * malformed (a 400, a session dropped as corrupt) would blame the client for
 * the server's fault. Malformed text costs two parses, both bounded by the
 * caller's size and depth checks.
 */
#ifndef PH_UTIL_JSON_LOAD_H
#define PH_UTIL_JSON_LOAD_H

#include <jansson.h>
#include <stddef.h>

/* json_loadb(text, len, flags, e). Returns a new reference, or NULL with
 * *err set: PH_ENOMEM when memory ran out, PH_EPARSE when the text is not
 * JSON (`e`, when not NULL, says where). */
json_t *ph__json_load(const char *text, size_t len, size_t flags, json_error_t *e, int *err);

#endif
