#!/usr/bin/env bash
# Template benchmark: the same realistic page rendered by phial and by
# Jinja2 in one run; prints both rates and the ratio, and checks that the
# two outputs are identical.
#
#   bench/template/bench.sh [BUILD_DIR] [SECONDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
seconds=${2:-${BENCH_SECONDS:-3}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/make_context.py" > "$tmp/ctx.json"
phial_line=$("$build/bench/template/bench_template" "$here/page" "$tmp/ctx.json" "$seconds" "$tmp/phial.html")
jinja_line=$(/usr/bin/python3 "$here/bench_jinja.py" "$here/page" "$tmp/ctx.json" "$seconds" "$tmp/jinja.html")
echo "$phial_line"
echo "$jinja_line"
if cmp -s "$tmp/phial.html" "$tmp/jinja.html"; then same=identical; else same=DIFFERENT; fi
awk -v p="$phial_line" -v j="$jinja_line" -v same="$same" 'BEGIN {
    split(p, a, " "); split(j, b, " ");
    printf "ratio %.1fx (phial/jinja2 renders per second); outputs %s\n", a[2] / b[2], same }'
