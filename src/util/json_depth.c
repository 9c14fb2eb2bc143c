/*
 * JSON nesting depth, counted over the raw text: brackets inside strings
 * (with their escapes) do not count. Malformed text is left for the parser
 * to refuse; this only bounds how deep it may recurse.
 */
#include "json_depth.h"

int ph__json_depth_ok(const char *s, size_t n, int max) {
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                return 0;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return 1;
}
