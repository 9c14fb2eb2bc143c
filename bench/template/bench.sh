#!/usr/bin/env bash
# Template benchmark: the same pages rendered by phial and by Jinja2 in one
# run; prints both rates and the ratio for each page, and checks that the two
# outputs are identical.
#
#   orders.html  the realistic page: inheritance, an imported macro called
#                twice per row, 100 rows, filters, autoescaping (30 KB)
#   rows.html    the same 100 orders as a plain table, three escaped fields
#                per row, no macros or filters (14 KB); also written by hand
#                in C (bench_handwritten.c), the floor under any engine that
#                reads the same JSON and escapes the same way
#
#   bench/template/bench.sh [BUILD_DIR] [SECONDS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-bench}
seconds=${2:-${BENCH_SECONDS:-3}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$here/make_context.py" > "$tmp/ctx.json"
status=0
for page in orders.html rows.html; do
    phial_line=$("$build/bench/template/bench_template" "$here/page" "$tmp/ctx.json" "$seconds" \
        "$tmp/phial.html" "$page")
    jinja_line=$(/usr/bin/python3 "$here/bench_jinja.py" "$here/page" "$tmp/ctx.json" "$seconds" \
        "$tmp/jinja.html" "$page")
    echo "== $page"
    echo "$phial_line"
    echo "$jinja_line"
    if cmp -s "$tmp/phial.html" "$tmp/jinja.html"; then same=identical; else same=DIFFERENT; status=1; fi
    awk -v p="$phial_line" -v j="$jinja_line" -v same="$same" 'BEGIN {
        split(p, a, " "); split(j, b, " ");
        printf "ratio %.1fx (phial/jinja2 renders per second); outputs %s\n", a[2] / b[2], same }'
    if [ "$page" = rows.html ]; then
        hand_line=$("$build/bench/template/bench_handwritten" "$tmp/ctx.json" "$seconds" "$tmp/hand.html")
        echo "$hand_line"
        if cmp -s "$tmp/phial.html" "$tmp/hand.html"; then same=identical; else same=DIFFERENT; status=1; fi
        awk -v p="$phial_line" -v h="$hand_line" -v same="$same" 'BEGIN {
            split(p, a, " "); split(h, b, " ");
            printf "engine/handwritten %.2fx (CPU per render); outputs %s\n", a[4] / b[4], same }'
    fi
done
exit $status
