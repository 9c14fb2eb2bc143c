#!/usr/bin/env bash
# Every symbol libphial exports starts with ph_ (STYLE.md section 2): the
# rest is hidden by -fvisibility=hidden.
set -eu
lib=$1
# Sanitizer builds add their own (__odr_asan.*, __asan_*); those are not ours.
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRV]/ {print $3}' |
    grep -v -E '^(ph_|PH_|__odr_asan|__asan|__ubsan|__sanitizer)' || true)
if [ -n "$bad" ]; then
    echo "exported symbols without the ph_ prefix:"
    echo "$bad"
    exit 1
fi
echo "$(nm -D --defined-only "$lib" | grep -c ' [TDBRV] ') exported symbols, all ph_"
