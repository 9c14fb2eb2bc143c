#!/usr/bin/env bash
# Run every unit-test executable of a build under Valgrind memcheck; any
# error fails. Criterion runs each test in a child process, so children are
# traced. The 100,000-task test is left out: under Valgrind it takes hours,
# and the same code paths run in the smaller tests.
set -eu
build=${1:-build-vg}
status=0
for t in "$build"/tests/unit_*; do
    [ -x "$t" ] || continue
    echo "== valgrind $t"
    if ! valgrind --quiet --trace-children=yes --error-exitcode=9 --leak-check=full \
        --errors-for-leak-kinds=definite "$t" --jobs 1 -q --filter '!(time/hundred*)'; then
        status=1
    fi
done
exit $status
