#!/usr/bin/env bash
# bench/server: wrk against examples/raw and nginx (the peer), each serving
# with one worker pinned to CPU 0 while wrk runs pinned to CPU 1, in the same
# run. On a 2-core machine one wrk thread saturates before a fast server
# does, so besides req/s and latency it reports the server's CPU time per
# request, read from /proc, and each figure's ratio to nginx.
#
#   bench/server/run.sh BUILD_DIR [SECONDS]
set -eu
build=${1:-build-bench}
secs=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
port_raw=18601
port_nginx=18602

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# run NAME PID PORT PATH [wrk args...] -> prints one result line
run() {
    local name=$1 pid=$2 port=$3 path=$4
    shift 4
    local t0 t1 out
    t0=$(cpu_ticks "$pid")
    out=$(taskset -c 1 wrk -t1 -c64 -d"${secs}s" --latency "$@" "http://127.0.0.1:$port$path")
    t1=$(cpu_ticks "$pid")
    local reqs rps p50 p99 errs
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errs=$(echo "$out" | awk '/Non-2xx|Socket errors/ {print}' | tr '\n' ' ')
    local us
    us=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')
    echo "$name $rps $p50 $p99 $us ${errs:-none}"
}

taskset -c 0 "$build/examples/raw/raw" --port $port_raw --no-access-log 2>"$tmp/raw.log" &
raw_pid=$!
sed -e "s|@DIR@|$tmp|g" -e "s|@PORT@|$port_nginx|g" "$here/nginx.conf.in" >"$tmp/nginx.conf"
taskset -c 0 nginx -c "$tmp/nginx.conf" -e "$tmp/error.log" &
sleep 1
nginx_pid=$(cat "$tmp/nginx.pid")
nginx_worker=$(pgrep -P "$nginx_pid" | head -1)
nginx_worker=${nginx_worker:-$nginx_pid}

results=$tmp/results
: >"$results"
for path in /plaintext /json; do
    run "phial$path" $raw_pid $port_raw $path >>"$results"
    run "nginx$path" "$nginx_worker" $port_nginx $path >>"$results"
done
for path in /plaintext; do
    run "phial$path(pipelined-16)" $raw_pid $port_raw $path -s "$here/pipeline.lua" >>"$results"
    run "nginx$path(pipelined-16)" "$nginx_worker" $port_nginx $path -s "$here/pipeline.lua" >>"$results"
done

printf '%-28s %12s %10s %10s %12s %10s %12s\n' test req/s p50 p99 "cpu us/req" "cpu vs nginx" errors
while read -r name rps p50 p99 us errs; do
    peer=$(echo "$name" | sed 's/^phial/nginx/')
    ratio=-
    if [ "${name#phial}" != "$name" ]; then
        peer_us=$(awk -v p="$peer" '$1 == p {print $5}' "$results")
        ratio=$(awk -v a="$us" -v b="$peer_us" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')
    fi
    printf '%-28s %12s %10s %10s %12s %10s %12s\n' "$name" "$rps" "$p50" "$p99" "$us" "$ratio" "$errs"
done <"$results"
echo "(cpu us/req: server CPU time per request; 'cpu vs nginx' < 1 means phial spends less)"
