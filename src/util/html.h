/*
 * HTML escaping as Werkzeug's and MarkupSafe's escape(): & < > " ' become
 * &amp; &lt; &gt; &#34; &#39;.
 */
#ifndef PH_UTIL_HTML_H
#define PH_UTIL_HTML_H

#include "buf.h"

/* Append `s` escaped to `b`; with `br`, newlines become "<br>". 0 or PH_E*. */
int ph__html_escape(ph_buf *b, const char *s, int br);

#endif
