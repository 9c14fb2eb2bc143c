#!/usr/bin/env bash
# Serve the demo app on http://127.0.0.1:8000 from the build folder given.
set -eu
build=${1:-build-run}
for app in "$build/examples/notes/notes" "$build/examples/raw/raw"; do
    if [ -x "$app" ]; then
        case "$app" in
            */notes) exec "$app" run --host 127.0.0.1 --port 8000 ;;
            *) exec "$app" --host 127.0.0.1 --port 8000 ;;
        esac
    fi
done
echo "run-demo: no demo app was built in $build" >&2
exit 1
