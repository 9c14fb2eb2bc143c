#!/usr/bin/env bash
# Run every unit-test executable of a build under Valgrind memcheck; any
# error fails. Criterion runs each test in a child process, so children are
# traced. The 100,000-task test is left out: under Valgrind it takes hours,
# and the same code paths run in the smaller tests.
#
#   scripts/valgrind-units.sh BUILD [unit_NAME...]
#
# Each executable ends with one line: "valgrind unit_x: clean", "...: memcheck
# errors" (Valgrind's exit status 9; its report is above) or "...: tests
# failed (status N)" (a test failed under Valgrind's slowdown: Criterion's
# own report is above).
set -u
build=${1:-build-vg}
shift $(( $# >= 1 ? 1 : 0 ))
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for t in "$build"/tests/unit_*; do
        [ -x "$t" ] && names+=("$(basename "$t")")
    done
fi
status=0
summary=""
for name in "${names[@]}"; do
    t="$build/tests/$name"
    echo "== valgrind $t"
    valgrind --quiet --trace-children=yes --error-exitcode=9 --leak-check=full \
        --errors-for-leak-kinds=definite "$t" --jobs 1 --short-filename \
        --filter '!(time/hundred*)'
    rc=$?
    case $rc in
        0) line="valgrind $name: clean" ;;
        9) line="valgrind $name: memcheck errors"; status=1 ;;
        *) line="valgrind $name: tests failed (status $rc)"; status=1 ;;
    esac
    echo "$line"
    summary+="$line"$'\n'
done
echo "== summary"
printf '%s' "$summary"
exit $status
