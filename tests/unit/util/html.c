/* HTML escaping for the framework's own pages. */
#include "util/buf.h"
#include "util/html.h"

#include <criterion/criterion.h>

Test(html, escapes_the_five_characters_like_werkzeug) {
    ph_buf b;
    ph__buf_init(&b, 0);
    cr_assert_eq(ph__html_escape(&b, "a<b>&\"c'd\ne", 0), 0);
    cr_assert_str_eq(b.data, "a&lt;b&gt;&amp;&#34;c&#39;d\ne");
    b.len = 0;
    ph__html_escape(&b, "x\ny", 1);
    cr_assert_str_eq(b.data, "x<br>y", "newlines as <br> when asked");
    b.len = 0;
    ph__html_escape(&b, "plain text", 0);
    cr_assert_str_eq(b.data, "plain text");
    ph__buf_close(&b);
}
