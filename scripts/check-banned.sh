#!/usr/bin/env bash
# Functions phial's C never calls (STYLE.md section 9).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
hits=$(grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|gets|alloca)\s*\(' \
    "$root/src" "$root/include" "$root/tools" "$root/examples" --include='*.c' --include='*.h' \
    | grep -v '^\s*//' || true)
if [ -n "$hits" ]; then
    echo "banned functions:"
    echo "$hits"
    exit 1
fi
echo "no banned functions"
