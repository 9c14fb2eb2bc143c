/*
 * HTML escaping as Werkzeug's and MarkupSafe's escape(): & < > " ' become
 * &amp; &lt; &gt; &#34; &#39;.
 */
#ifndef PH_UTIL_HTML_H
#define PH_UTIL_HTML_H

#include "buf.h"

/* Append the n bytes at s escaped to b (16 bytes at a time where the
 * machine allows). 0 or PH_E* (ENOMEM, ETOOBIG past the buffer's limit). */
int ph__html_escape_n(ph_buf *b, const char *s, size_t n);

/* Append the string s escaped to b; with `br`, newlines become "<br>".
 * 0 or PH_E*. */
int ph__html_escape(ph_buf *b, const char *s, int br);

#endif
