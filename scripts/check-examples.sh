#!/usr/bin/env bash
# Compile every "Example:" block of the public headers (STYLE.md section 5).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
cc=${CC:-cc}
/usr/bin/python3 "$root/scripts/api-docs.py" --examples "$out" >/dev/null
status=0
n=0
for f in "$out"/example_*.c; do
    n=$((n + 1))
    if ! "$cc" -std=c11 -D_GNU_SOURCE -fsyntax-only -w -I"$root/include" \
        $(pkg-config --cflags jansson libuv) "$f"; then
        echo "example does not compile: $f"
        status=1
    fi
done
echo "$n header examples compiled"
exit $status
