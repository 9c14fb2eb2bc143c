/*
 * AddressSanitizer fiber annotations. ASan tracks one stack per thread; each
 * switch between task stacks must be announced (start) and acknowledged
 * (finish), or ASan reports false stack-buffer errors. Compiled to nothing
 * without ASan.
 */
#ifndef PH_RUNTIME_ASAN_H
#define PH_RUNTIME_ASAN_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#define PH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PH_ASAN 1
#endif
#endif

#ifdef PH_ASAN
#include <sanitizer/common_interface_defs.h>
#define ph__asan_start(fake, bottom, size) __sanitizer_start_switch_fiber((fake), (bottom), (size))
#define ph__asan_finish(fake, bottom_old, size_old)                                                \
    __sanitizer_finish_switch_fiber((fake), (bottom_old), (size_old))
#else
#define ph__asan_start(fake, bottom, size) ((void)(fake), (void)(bottom), (void)(size))
#define ph__asan_finish(fake, bottom_old, size_old)                                                \
    ((void)(fake), (void)(bottom_old), (void)(size_old))
#endif

#endif
