#!/usr/bin/env bash
# Install the Debian 12 packages phial needs, and only those that are missing.
#
#   scripts/deps.sh build     libraries and tools to build the library and the demo
#   scripts/deps.sh test      build + what the test suites use
#   scripts/deps.sh bench     test + the load generator and the peers measured beside phial
#
# Runs `apt-get update` and `apt-get install -y` only when something is missing,
# through sudo when not root. Exits non-zero when an install fails.
set -eu

build_pkgs="build-essential cmake pkg-config libuv1-dev libjansson-dev libssl-dev zlib1g-dev
            libsqlite3-dev"
test_pkgs="libcriterion-dev python3 python3-pytest python3-httpx python3-jinja2 python3-flask
           curl clang libclang-rt-14-dev llvm valgrind procps gcc-aarch64-linux-gnu
           qemu-user-static libc6-dev-arm64-cross chromium nginx-light util-linux"
bench_pkgs="wrk nginx-light gunicorn python3-quart uvicorn python3-starlette gnuplot-nox
            util-linux kore libulfius-dev python3-uvloop python3-httptools"

case "${1:-build}" in
    build) want="$build_pkgs" ;;
    test)  want="$build_pkgs $test_pkgs" ;;
    bench) want="$build_pkgs $test_pkgs $bench_pkgs" ;;
    *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
