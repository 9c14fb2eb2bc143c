/*
 * Helpers of the app protocol that every app and middleware uses.
 */
#include "phial/protocol.h"

#include <string.h>
#include <strings.h>

ph_slice ph_scope_header(const ph_scope *scope, const char *name) {
    if (!scope || !name)
        return (ph_slice){NULL, 0};
    size_t n = strlen(name);
    for (size_t i = 0; i < scope->nheaders; i++) {
        const ph_header *h = &scope->headers[i];
        if (h->name.len == n && strncasecmp(h->name.ptr, name, n) == 0)
            return h->value;
    }
    return (ph_slice){NULL, 0};
}
