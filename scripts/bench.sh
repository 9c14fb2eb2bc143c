#!/usr/bin/env bash
# `make bench`: every benchmark under bench/, each printing its figures and
# its ratios to a peer measured in the same run.
set -eu
build=${1:-build-bench}
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/tune-host.sh"
echo "### runtime"; "$build/bench/runtime/bench_runtime"
if [ -x "$build/bench/router/bench_router" ]; then
    echo "### router"; "$build/bench/router/bench_router"
fi
echo "### server"; "$root/bench/server/run.sh" "$build" "${BENCH_SECONDS:-10}"
for extra in "$root"/bench/*/bench.sh; do
    [ -x "$extra" ] || continue
    echo "### $(basename "$(dirname "$extra")")"; "$extra" "$build"
done
