/*
 * Byte classes of HTTP syntax (RFC 9110), shared by everything that reads or
 * checks it: the request parser and chunked trailers, media types, the
 * header names a response is given. One table lookup per byte instead of a
 * chain of comparisons.
 */
#ifndef PH_UTIL_HTTP_CHARS_H
#define PH_UTIL_HTTP_CHARS_H

#define PH__HTTP_TCHAR 1u  /* token character, RFC 9110 section 5.6.2 */
#define PH__HTTP_TARGET 2u /* visible ASCII 0x21-0x7E: allowed in a request target */
#define PH__HTTP_VALUE 4u  /* field-value byte: HTAB, SP, VCHAR, obs-text 0x80-0xFF */
#define PH__HTTP_HOST 8u   /* byte allowed in a Host value: reg-name, IP literal, port */
extern const unsigned char ph__http_ctype[256];

/* c is an RFC 9110 token character (a header name's, a media type's). */
static inline int ph__is_tchar(unsigned char c) { return ph__http_ctype[c] & PH__HTTP_TCHAR; }

#endif
