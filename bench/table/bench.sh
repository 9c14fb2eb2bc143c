#!/usr/bin/env bash
# bench/table: the benchmark table. The same four endpoints on phial and on
# its peers, measured in one run:
#
#   /plaintext  /json  /template (64 connections)   /sleep (1,000 connections)
#
#   phial          bench_table_phial (phial_app.c), one worker
#   nginx          /plaintext only, one worker (nginx.conf.in)
#   kore           Kore 4.1, one worker, a C module (kore_app.c, kore.conf.in)
#   ulfius         Ulfius 2.7 (libmicrohttpd, a thread per connection)
#   starlette      Starlette under uvicorn (uvloop, httptools), one worker
#   quart          Quart under uvicorn, one worker
#   flask          Flask under gunicorn, one sync worker (gunicorn's default)
#   flask-gthread  Flask under gunicorn, one gthread worker with 100 threads
#                  (/sleep only)
#
# Every server runs pinned to CPU 0 and wrk (one thread) to CPU 1. On a
# 2-core machine one wrk thread saturates before a fast server does, so the
# figure that compares servers is the server's CPU time per request, read
# from /proc/PID/stat of the worker process (all its threads) around each
# run: "req/cpu-s" is requests per second of server CPU. Each peer's ratio to
# phial is printed beside it. Then phial serves 10,000 connections that each
# await 1 s, and its worker's memory is reported.
#
#   bench/table/bench.sh [BUILD_DIR]
#
# The rows measured are kept in RESULTS/raw (with each wrk output), so the
# report can be made again: bench/table/report.py RAW/rows.txt RAW/meta.txt RESULTS
#
# Environment:
#   BENCH_SECONDS     seconds per measured run (default 8)
#   BENCH_WARMUP      seconds of unmeasured load before each run (default 1)
#   BENCH_10K_SECONDS seconds of the 10,000-connection run (default 15)
#   BENCH_SERVERS     which servers, in order (default: all of the above)
#   BENCH_RESULTS     where CSV, JSON, Markdown and PNG go (default bench/results)
#   BENCH_PUBLISH=1   also copy the table and chart to docs/bench-table.md and
#                     docs/bench-chart.png
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build-bench}
case $build in /*) ;; *) build=$root/$build ;; esac
secs=${BENCH_SECONDS:-8}
warm=${BENCH_WARMUP:-1}
secs10k=${BENCH_10K_SECONDS:-15}
servers=${BENCH_SERVERS:-phial nginx kore ulfius starlette quart flask flask-gthread}
results=${BENCH_RESULTS:-$root/bench/results}
py=/usr/bin/python3
port=29400
mkdir -p "$results/raw"
tmp=$(mktemp -d)
srv_pid=""
# stop_server: SIGTERM, and SIGKILL (server and worker) after 5 s: a blocking
# worker would otherwise finish its queue of 100 ms requests first.
stop_server() {
    if [ -n "$srv_pid" ]; then
        kill -TERM "$srv_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$srv_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$srv_pid" 2>/dev/null; then
            [ -n "${wpid:-}" ] && { kill -KILL "$wpid" 2>/dev/null || true; }
            kill -KILL "$srv_pid" 2>/dev/null || true
        fi
        wait "$srv_pid" 2>/dev/null || true
        srv_pid=""
    fi
}
trap 'stop_server; rm -rf "$tmp"' EXIT

# 10,000 connections need as many descriptors in wrk and in the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
hz=$(getconf CLK_TCK)

$py "$root/bench/template/make_context.py" >"$tmp/ctx.json"
export BENCH_TEMPLATES=$root/bench/template/page BENCH_CONTEXT=$tmp/ctx.json

have() { command -v "$1" >/dev/null 2>&1; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# next_port: the next port nobody listens on (other servers may run here).
next_port() {
    port=$((port + 1))
    have ss || return 0
    while ss -ltn "sport = :$port" | grep -q LISTEN; do port=$((port + 1)); done
}

# wait_up URL: until the server answers (up to 15 s).
wait_up() {
    for _ in $(seq 150); do
        if curl -s -o /dev/null -m 1 "$1"; then return 0; fi
        sleep 0.1
    done
    return 1
}

# start_server NAME: starts it on CPU 0 at $port; sets srv_pid (to stop) and
# wpid (the worker to measure). Returns 1 when the server is not available
# (not_built set when it is installed but its app was not built).
start_server() {
    local name=$1
    next_port
    wpid=""
    case $name in
    phial)
        taskset -c 0 "$build/bench/table/bench_table_phial" --port $port \
            --templates "$BENCH_TEMPLATES" --context "$BENCH_CONTEXT" 2>"$tmp/$name.log" &
        srv_pid=$! ;;
    nginx)
        have nginx || return 1
        sed -e "s|@DIR@|$tmp|g" -e "s|@PORT@|$port|g" "$here/nginx.conf.in" >"$tmp/nginx.conf"
        taskset -c 0 nginx -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" 2>"$tmp/$name.log" &
        srv_pid=$! ;;
    kore)
        have kore || return 1
        [ -f "$build/bench/table/kore_app.so" ] || { not_built=1; return 1; }
        sed -e "s|@DIR@|$tmp|g" -e "s|@PORT@|$port|g" \
            -e "s|@MODULE@|$build/bench/table/kore_app.so|g" "$here/kore.conf.in" >"$tmp/kore.conf"
        taskset -c 0 kore -c "$tmp/kore.conf" -f -n -r -q >"$tmp/$name.log" 2>&1 &
        srv_pid=$! ;;
    ulfius)
        pkg-config --exists libulfius || return 1
        [ -x "$build/bench/table/bench_table_ulfius" ] || { not_built=1; return 1; }
        taskset -c 0 "$build/bench/table/bench_table_ulfius" $port "$BENCH_TEMPLATES" \
            "$BENCH_CONTEXT" 2>"$tmp/$name.log" &
        srv_pid=$! ;;
    starlette | quart)
        have uvicorn || return 1
        taskset -c 0 uvicorn --app-dir "$here" --host 127.0.0.1 --port $port --workers 1 \
            --no-access-log --log-level warning --backlog 4096 "${name}_app:app" \
            2>"$tmp/$name.log" &
        srv_pid=$! ;;
    flask | flask-gthread)
        have gunicorn || return 1
        local kind="--worker-class sync"
        [ "$name" = flask-gthread ] && kind="--worker-class gthread --threads 100"
        # shellcheck disable=SC2086
        taskset -c 0 gunicorn --chdir "$here" --bind 127.0.0.1:$port --workers 1 $kind \
            --backlog 4096 --log-level warning flask_app:app 2>"$tmp/$name.log" &
        srv_pid=$! ;;
    *) echo "unknown server $name" >&2; return 1 ;;
    esac
    if ! wait_up "http://127.0.0.1:$port/plaintext"; then
        echo "table: $name did not start:" >&2
        tail -5 "$tmp/$name.log" >&2
        stop_server
        return 1
    fi
    # The worker: the child for servers with a master process.
    case $name in
    nginx | kore | flask | flask-gthread) wpid=$(pgrep -P "$srv_pid" | head -1) ;;
    *) wpid=$srv_pid ;;
    esac
    [ -n "$wpid" ] || { stop_server; return 1; }
}

# lat_ms VALUE: wrk's "812.00us" / "1.20ms" / "2.00s" in milliseconds.
lat_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
        printf "%.3f", n }'
}

# measure NAME ENDPOINT CONNS SECONDS -> appends a row to $tmp/rows
measure() {
    local name=$1 ep=$2 conns=$3 dur=$4
    local url="http://127.0.0.1:$port$ep"
    local wrkt="taskset -c 1 wrk -t1 -c$conns --timeout 2s"
    # Warm-up (caches, Python's first requests) except for /sleep, which has
    # nothing to warm and where a blocking worker would still be answering
    # the warm-up's queued requests during the measured run.
    if [ "$warm" != 0 ] && [ "$ep" != /sleep ]; then
        $wrkt -d"${warm}s" "$url" >/dev/null 2>&1 || true
    fi
    local t0 t1 out
    t0=$(cpu_ticks "$wpid")
    local script=""
    [ "$ep" = /sleep ] && script="-s $here/steady.lua"
    # shellcheck disable=SC2086
    out=$($wrkt -d"${dur}s" --latency $script "$url" 2>&1) || true
    t1=$(cpu_ticks "$wpid")
    echo "$out" >"$results/raw/wrk-$name-${ep#/}.txt"
    local reqs rps steady p50 p99 errs
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    steady=$(echo "$out" | awk '/^Steady:/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errs=$(echo "$out" | awk '
        /Socket errors/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
        /Non-2xx/ { e += $NF } END { print e + 0 }')
    local cpu
    cpu=$(awk -v d=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.3f", d / hz }')
    echo "$name $ep $conns $dur ${reqs:-0} ${rps:-0} $(lat_ms "${p50:-0}") $(lat_ms "${p99:-0}") $errs $cpu $(rss_kb "$wpid") ${steady:-0}" >>"$tmp/rows"
    printf '  %-14s %-10s %6s conns %10s req/s%s  p99 %9s  errors %s\n' "$name" "$ep" "$conns" \
        "${rps:-0}" "${steady:+ (steady $steady)}" "${p99:-?}" "$errs"
}

{
    echo "started $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "loadavg_start $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$tmp/meta"
: >"$tmp/rows"
echo "table: ${secs}s per run after ${warm}s of warm-up; servers on CPU 0, wrk on CPU 1; load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in $servers; do
    not_built=""
    if ! start_server "$name"; then
        if [ -n "$not_built" ]; then
            # CMake looks for the peers once, when it configures the build
            echo "  $name: installed, but its app is not in $build (configured before it was installed: run cmake $build again), skipped"
        else
            echo "  $name: not available (scripts/deps.sh bench installs it), skipped"
        fi
        continue
    fi
    case $name in
    nginx) eps="/plaintext" ;;
    flask-gthread) eps="/sleep" ;;
    *) eps="/plaintext /json /template /sleep" ;;
    esac
    for ep in $eps; do
        if [ "$ep" = /sleep ]; then measure "$name" "$ep" 1000 "$secs"; else measure "$name" "$ep" 64 "$secs"; fi
    done
    # The page each server sends, to check they all render the same one.
    [ "$name" = nginx ] || [ "$name" = flask-gthread ] || curl -s "http://127.0.0.1:$port/template" >"$tmp/page-$name.html" 2>/dev/null || true
    stop_server
done

# phial, 10,000 connections each awaiting 1 s.
if echo "$servers" | grep -qw phial; then
    next_port
    taskset -c 0 "$build/bench/table/bench_table_phial" --port $port --templates "$BENCH_TEMPLATES" \
        --context "$BENCH_CONTEXT" --sleep 1 --limit 20000 --backlog 16384 2>"$tmp/phial10k.log" &
    srv_pid=$!
    wpid=$srv_pid
    if wait_up "http://127.0.0.1:$port/plaintext"; then
        idle=$(rss_kb "$wpid")
        echo "  phial 10k: idle RSS ${idle} KiB, fds limit $(ulimit -n)"
        warm_saved=$warm
        warm=0
        measure phial-10k /sleep 10000 "$secs10k"
        warm=$warm_saved
        echo "rss10k_idle_kb $idle" >>"$tmp/meta"
        echo "rss10k_peak_kb $(hwm_kb "$wpid")" >>"$tmp/meta"
    fi
    stop_server
fi
{
    echo "loadavg_end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "seconds $secs"
    echo "seconds10k $secs10k"
    echo "cpu $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo) x $(nproc)"
    echo "phial_rev $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
} >>"$tmp/meta"
for p in kore libulfius2.7 nginx-light gunicorn uvicorn python3-flask python3-quart \
         python3-starlette python3-jinja2 python3-uvloop python3-httptools wrk; do
    v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)
    [ -n "$v" ] && echo "version $p $v" >>"$tmp/meta"
done
for f in "$tmp"/page-*.html; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .html)
    echo "page ${n#page-} $(md5sum <"$f" | cut -c1-32) $(wc -c <"$f")" >>"$tmp/meta"
done

cp "$tmp/rows" "$results/raw/rows.txt"
cp "$tmp/meta" "$results/raw/meta.txt"
$py "$here/report.py" "$results/raw/rows.txt" "$results/raw/meta.txt" "$results"
if [ "${BENCH_PUBLISH:-0}" = 1 ]; then
    cp "$results/bench-table.md" "$root/docs/bench-table.md"
    cp "$results/bench-chart.png" "$root/docs/bench-chart.png"
    echo "table: published docs/bench-table.md and docs/bench-chart.png"
fi
