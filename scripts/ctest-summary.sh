#!/usr/bin/env bash
# Run a build's tests with CTest, then print each suite's own closing line
# (Criterion's synthesis, pytest's summary) so the totals are visible, and
# end with CTest's verdict. Exits with CTest's status.
set -u
build=$1
jobs=${2:-2}
cd "$build" || exit 1
ctest --output-on-failure -j "$jobs"
status=$?
log=Testing/Temporary/LastTest.log
if [ -f "$log" ]; then
    echo "---- suite summaries ----"
    grep -E '^\[====\] Synthesis|^[0-9]+ passed|^=+ .*(passed|failed).* =+$|^replayed [0-9]+ inputs' "$log" || true
fi
exit $status
