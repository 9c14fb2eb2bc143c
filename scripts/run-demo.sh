#!/usr/bin/env bash
# Serve the demo app (examples/notes) on http://127.0.0.1:8000 from the build
# folder given. Its database lives in <build>/examples/notes/notes.db; log in
# as demo / demo. Falls back to examples/raw when notes was not built.
set -eu
build=${1:-build-run}
notes="$build/examples/notes/notes"
raw="$build/examples/raw/raw"
if [ -x "$notes" ]; then
    echo "run-demo: the notes app on http://127.0.0.1:8000 (log in as demo / demo; Ctrl+C stops it)" >&2
    exec "$notes" run --host 127.0.0.1 --port 8000
fi
if [ -x "$raw" ]; then
    exec "$raw" --host 127.0.0.1 --port 8000
fi
echo "run-demo: no demo app was built in $build" >&2
exit 1
