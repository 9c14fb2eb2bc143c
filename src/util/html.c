/*
 * HTML escaping for the pages the framework writes itself (error pages,
 * redirects, the debug page). The template engine has its own, faster
 * escaper for rendering; both produce the same bytes.
 */
#include "html.h"

#include <string.h>

int ph__html_escape(ph_buf *b, const char *s, int br) {
    int rc = 0;
    while (rc == 0 && *s) {
        size_t plain = strcspn(s, br ? "&<>\"'\n" : "&<>\"'");
        if (plain)
            rc = ph__buf_append(b, s, plain);
        s += plain;
        if (rc || !*s)
            break;
        switch (*s++) {
        case '&':
            rc = ph__buf_append_str(b, "&amp;");
            break;
        case '<':
            rc = ph__buf_append_str(b, "&lt;");
            break;
        case '>':
            rc = ph__buf_append_str(b, "&gt;");
            break;
        case '"':
            rc = ph__buf_append_str(b, "&#34;");
            break;
        case '\'':
            rc = ph__buf_append_str(b, "&#39;");
            break;
        default: /* '\n' with br */
            rc = ph__buf_append_str(b, "<br>");
        }
    }
    return rc;
}
