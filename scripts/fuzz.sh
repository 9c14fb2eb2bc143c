#!/usr/bin/env bash
# Run each libFuzzer target of a fuzz build for the given number of seconds,
# starting from its corpus (tests/fuzz/corpus/<target>) and dictionary. New
# inputs go to a scratch folder; crashes are left in tests/fuzz/artifacts/ so
# they can be kept as regression inputs. Prints executions per second.
set -u
build=${1:-build-fuzz}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/tests/fuzz/artifacts"
status=0
for f in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    name=$(basename "$f")
    scratch=$(mktemp -d)
    dict=()
    [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
    echo "== $name for ${seconds}s"
    if ! "$f" "$scratch" "$root/tests/fuzz/corpus/$name" "${dict[@]}" \
        -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$root/tests/fuzz/artifacts/$name-" 2>"$scratch.log"; then
        status=1
        tail -40 "$scratch.log"
    fi
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec" "$scratch.log" || true
    rm -rf "$scratch" "$scratch.log"
done
exit $status
