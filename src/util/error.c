/*
 * Error names and messages, generated from the one table in
 * include/phial/common.h.
 */
#include "phial/common.h"

const char *ph_strerror(int err) {
    switch (err) {
    case PH_OK:
        return "success";
#define PH__ERR_MSG(name, val, msg)                                                                \
    case PH_##name:                                                                                \
        return msg;
        PH_ERRNO_MAP(PH__ERR_MSG)
#undef PH__ERR_MSG
    }
    return "unknown error";
}

const char *ph_err_name(int err) {
    switch (err) {
    case PH_OK:
        return "PH_OK";
#define PH__ERR_NAME(name, val, msg)                                                               \
    case PH_##name:                                                                                \
        return "PH_" #name;
        PH_ERRNO_MAP(PH__ERR_NAME)
#undef PH__ERR_NAME
    }
    return "PH_EUNKNOWN";
}
