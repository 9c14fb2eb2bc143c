#include "json_load.h"

#include "phial/common.h"

json_t *ph__json_load(const char *text, size_t len, size_t flags, json_error_t *e, int *err) {
    json_error_t local;
    if (!e)
        e = &local;
    json_t *v = json_loadb(text, len, flags, e);
    if (!v && json_error_code(e) != json_error_out_of_memory)
        v = json_loadb(text, len, flags, e);
    *err = v ? 0 : json_error_code(e) == json_error_out_of_memory ? PH_ENOMEM : PH_EPARSE;
    return v;
}
