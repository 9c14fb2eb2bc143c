#!/usr/bin/env bash
# Every symbol libphial exports starts with ph_ (STYLE.md section 2): the
# rest is hidden by -fvisibility=hidden.
set -eu
lib=$1
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBRV]/ {print $3}' | grep -v -E '^(ph_|PH_)' || true)
if [ -n "$bad" ]; then
    echo "exported symbols without the ph_ prefix:"
    echo "$bad"
    exit 1
fi
echo "$(nm -D --defined-only "$lib" | grep -c ' [TDBRV] ') exported symbols, all ph_"
