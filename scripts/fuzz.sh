#!/usr/bin/env bash
# Run each libFuzzer target of a fuzz build for the given number of seconds,
# starting from its corpus (tests/fuzz/corpus/<target>) and dictionary. New
# inputs go to a scratch folder; crashes are left in tests/fuzz/artifacts/ so
# they can be kept as regression inputs (copy one into the target's corpus:
# the normal build replays every corpus file as a test). Ends with a table:
# target, seconds run, executions, executions per second, result.
#
#   scripts/fuzz.sh BUILD [SECONDS] [TARGET...]
#
# FUZZ_RSS_MB (default 2048) caps each target's memory.
set -u
build=${1:-build-fuzz}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : $# ))
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/tests/fuzz/artifacts"
status=0
summary=$(mktemp)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for f in "$build"/tests/fuzz/fuzz_*; do
        [ -x "$f" ] && targets+=("$(basename "$f")")
    done
fi
if [ ${#targets[@]} -eq 0 ]; then
    echo "no fuzz targets under $build/tests/fuzz (configure with -DPHIAL_FUZZ=ON)" >&2
    exit 1
fi
for name in "${targets[@]}"; do
    f="$build/tests/fuzz/$name"
    scratch=$(mktemp -d)
    dict=()
    [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
    echo "== $name for ${seconds}s"
    result=clean
    if ! "$f" "$scratch" "$root/tests/fuzz/corpus/$name" "${dict[@]}" \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
        -artifact_prefix="$root/tests/fuzz/artifacts/$name-" 2>"$scratch.log"; then
        status=1
        result=FOUND
        tail -40 "$scratch.log"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$scratch.log")
    ran=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$scratch.log")
    printf '%-24s %6s s %12s execs %8s exec/s  %s\n' "$name" "${ran:-?}" "${execs:-?}" \
        "${rate:-?}" "$result" | tee -a "$summary"
    rm -rf "$scratch" "$scratch.log"
done
echo "== summary"
cat "$summary"
rm -f "$summary"
exit $status
