/*
 * Python's str.isspace() for one byte, which the header parsers that
 * follow Werkzeug step for step need (its strip() and split() and the \s
 * of its regular expressions): ASCII's white space and the separators
 * 0x1C-0x1F; with `latin1`, the byte read as a Latin-1 character, as a
 * WSGI header is, which adds NEL (0x85) and NO-BREAK SPACE (0xA0).
 */
#ifndef PH_UTIL_PY_SPACE_H
#define PH_UTIL_PY_SPACE_H

static inline int ph__py_space(unsigned char c, int latin1) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) ||
           (latin1 && (c == 0x85 || c == 0xa0));
}

#endif
