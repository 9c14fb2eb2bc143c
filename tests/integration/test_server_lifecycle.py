"""The server's life: lifespan startup and shutdown order and failure,
graceful shutdown under load (every request accepted before SIGTERM
completes), prefork workers (kill -9 of one: the others keep serving and the
supervisor restarts it; SIGHUP reload under load without a failed request),
unix domain sockets, and the proxy-headers middleware."""
import os
import re
import signal
import socket
import subprocess
import threading
import time

import httpx
import pytest

from conftest import free_port
from server_util import PROTO_SERVER, Conn, Server, get, read_lines, wait_until


# ---- lifespan ---------------------------------------------------------------

def test_lifespan_startup_before_first_request_and_shutdown_after_drain(tmp_path):
    port = free_port()
    s = Server("--port", port, "--lifespan-delay", 1, log_dir=tmp_path, wait=False)
    try:
        # Connect as early as possible: nothing is accepted before startup completes.
        body = [None]

        def early():
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    with Conn(port) as c:
                        c.send("GET /lifespan HTTP/1.1\r\nHost: t\r\n\r\n")
                        body[0] = c.read_response().body
                        return
                except (ConnectionRefusedError, ConnectionResetError):
                    time.sleep(0.01)

        t = threading.Thread(target=early)
        t.start()
        t.join(30)
        assert body[0] == b"started"
        s.wait_serving()
        # A request in flight at SIGTERM finishes before lifespan shutdown runs.
        res = []
        th = threading.Thread(target=lambda: res.append(get(port, "/sleep?s=1&tag=inflight").body))
        th.start()
        s.wait_log(r"proto_server: sleep inflight")  # the app has the request
        rc, log = s.stop()
        th.join()
        assert rc == 0 and res == [b"slept"]
        lines = log.splitlines()

        def index(pattern):
            return next(i for i, l in enumerate(lines) if re.search(pattern, l))

        assert index("lifespan startup begins") < index("lifespan startup complete") < index("serving on")
        assert index(r'"GET /sleep\?s=1&tag=inflight HTTP/1.1" 200') < \
            index(r"lifespan shutdown \(requests served: 2\)")
    finally:
        s.kill()


def test_lifespan_startup_failure_exits_nonzero(tmp_path):
    port = free_port()
    r = subprocess.run([str(PROTO_SERVER), "--port", str(port), "--lifespan-fail"],
                       capture_output=True, timeout=30)
    assert r.returncode != 0
    err = r.stderr.decode()
    assert "application startup failed: test database unreachable" in err
    assert "serving on" not in err
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_lifespan_startup_failure_with_workers_exits_nonzero(tmp_path):
    r = subprocess.run([str(PROTO_SERVER), "--port", "-1", "--workers", "2",
                        "--lifespan-fail"], capture_output=True, timeout=30)
    assert r.returncode != 0
    err = r.stderr.decode()
    assert "application startup failed: test database unreachable" in err
    assert "failed to start; stopping the server" in err and "serving on" not in err


def test_lifespan_off(start_server):
    s = start_server("--lifespan", "off")
    assert get(s.port, "/lifespan").body == b"none"
    rc, log = s.stop()
    assert rc == 0 and "lifespan startup" not in log


# ---- graceful shutdown under load -------------------------------------------

@pytest.mark.parametrize("workers", [1, 2])
def test_graceful_shutdown_completes_accepted_requests(start_server, tmp_path, workers):
    rec = tmp_path / "events"
    # A long keep-alive timeout: the idle connection below can only be
    # closed by the shutdown.
    s = start_server("--workers", workers, "--record", rec, "--timeout-keep-alive", 60)
    n = 30
    results = [None] * n

    def one(i):
        try:
            with Conn(s.port, timeout=30) as c:
                c.send(f"GET /sleep?s=4&tag={i} HTTP/1.1\r\nHost: t\r\n\r\n")
                r = c.read_response()
                results[i] = (r.status, r.body, r.header("Connection"))
        except Exception as e:  # noqa: BLE001 - recorded and asserted below
            results[i] = e

    # An idle keep-alive connection: closed within the shutdown grace (until
    # it has been quiet 1 s), while the requests in flight still run (each
    # sleeps 4 s from before the signal: the server, which waits for them,
    # would close it no earlier than that if it did not close idle ones).
    idle = Conn(s.port)
    idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    assert idle.read_response().body == b"hello"
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    # Every request has reached the app before the signal.
    assert wait_until(lambda: sum(l.startswith("sleep ") for l in read_lines(rec)) == n)
    t0 = time.monotonic()
    s.send_signal(signal.SIGTERM)
    assert idle.closed_within(3)
    idle.close()
    # New connections are no longer accepted: the listener closed as the
    # shutdown began, before the idle connection's grace started.
    if workers == 1:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
    for t in threads:
        t.join(60)
    assert results == [(200, b"slept", "close")] * n, results
    rc, log = s.stop()
    assert rc == 0
    assert time.monotonic() - t0 < 20
    assert log.count('"GET /sleep?s=4') == n
    if workers == 1:
        assert log.rindex('"GET /sleep?s=4') < log.index("lifespan shutdown")


def test_connection_accepted_before_sigterm_is_still_served(start_server):
    """A request arriving just after SIGTERM on a connection accepted before
    it, or one half received, is served (with Connection: close)."""
    s = start_server("--no-access-log")
    fresh = Conn(s.port)  # accepted, no request yet
    partial = Conn(s.port)
    partial.send("GET /?partial HTTP/1.1\r\nHost: t\r\n")  # half a head
    # A request on a third connection, answered: the server (one loop) has
    # accepted the two connections queued before it, and read the half head
    # that was there before this connection was made.
    with Conn(s.port) as probe:
        probe.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert probe.read_response().body == b"hello"
    s.send_signal(signal.SIGTERM)
    s.wait_log("received SIGTERM")
    fresh.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")  # within the grace of an idle connection
    time.sleep(0.6)  # a head in progress has the header timeout, not the grace
    partial.send("\r\n")
    for c in (fresh, partial):
        r = c.read_response()
        assert r.body == b"hello" and r.header("Connection") == "close"
        assert c.closed_within(5)
        c.close()
    rc, _ = s.stop()
    assert rc == 0


def test_graceful_timeout_cancels_stragglers(start_server):
    s = start_server("--timeout-graceful", 1, "--no-access-log")
    c = Conn(s.port)
    c.send("GET /sleep?s=30&tag=straggler HTTP/1.1\r\nHost: t\r\n\r\n")
    s.wait_log(r"proto_server: sleep straggler")  # the app has the request
    t0 = time.monotonic()
    rc, log = s.stop(timeout=20)
    assert rc == 0 and time.monotonic() - t0 < 10
    assert "cancelling them" in log
    data = c.read_until_close(timeout=5)
    assert data == b"" or data.startswith(b"HTTP/1.1 ")
    c.close()


# ---- prefork workers --------------------------------------------------------

def worker_pids(s, want, tries=400):
    seen = set()
    for _ in range(tries):
        with Conn(s.port) as c:
            c.send("GET /pid HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            seen.add(int(c.read_response().body))
        if len(seen) >= want:
            break
    return seen


def child_pids(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return {int(x) for x in out.stdout.split()}


def test_workers_share_the_port(start_server):
    s = start_server("--workers", 3, "--no-access-log")
    pids = worker_pids(s, 3)
    assert len(pids) == 3 and pids == child_pids(s.pid)


def test_kill_9_worker_others_serve_and_supervisor_restarts(start_server):
    s = start_server("--workers", 2, "--no-access-log")
    pids = worker_pids(s, 2)
    assert len(pids) == 2
    victim = min(pids)
    os.kill(victim, signal.SIGKILL)
    # Every request after the kill succeeds: the other worker serves, and
    # connections hashed to the dead worker's socket wait for its successor.
    answers = []
    for _ in range(60):
        with Conn(s.port, timeout=15) as c:
            c.send("GET /pid HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            answers.append(int(c.read_response().body))
    assert victim not in answers
    s.wait_log(rf"worker {victim} \(slot \d\) killed by signal 9; restarting")
    assert wait_until(lambda: len(child_pids(s.pid)) == 2 and victim not in child_pids(s.pid))
    new = worker_pids(s, 2)
    assert len(new) == 2 and victim not in new and (pids - {victim}) < new
    rc, log = s.stop()
    assert rc == 0


def test_workers_stop_when_the_supervisor_is_killed(start_server):
    s = start_server("--workers", 2, "--no-access-log")
    workers = child_pids(s.pid)
    assert len(workers) == 2
    os.kill(s.pid, signal.SIGKILL)
    s.proc.wait()

    def alive(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(") ", 1)[1][0] != "Z"  # a zombie has exited
        except FileNotFoundError:
            return False

    def gone():
        return not any(alive(p) for p in workers)

    assert wait_until(gone, timeout=15)


def test_sighup_reload_under_load_fails_no_request(start_server):
    s = start_server("--workers", 2, "--no-access-log")
    old = worker_pids(s, 2)
    assert len(old) == 2
    stop = threading.Event()
    # Set once every old worker has exited: a request sent after that can
    # only be served by a new one.
    reloaded = threading.Event()
    errors, served = [], []  # served: (sent after the reload, pid)

    def load(keep_alive):
        client = httpx.Client(timeout=20) if keep_alive else None
        while not stop.is_set():
            after = reloaded.is_set()
            try:
                if client:
                    r = client.get(s.url("/pid"))
                    served.append((after, int(r.text)))
                else:
                    with Conn(s.port, timeout=20) as c:
                        c.send("GET /pid HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                        served.append((after, int(c.read_response().body)))
            except Exception as e:  # noqa: BLE001 - every failure counts
                errors.append(repr(e))
        if client:
            client.close()

    # A long request in flight across the reload must complete too.
    long_result = []
    long_t = threading.Thread(
        target=lambda: long_result.append(get(s.port, "/sleep?s=1.5&tag=long").body))
    # new connections per request, and keep-alive clients (httpx pools)
    threads = [threading.Thread(target=load, args=(ka,)) for ka in (False, False, True, True)]
    for t in threads:
        t.start()
    assert wait_until(lambda: len(served) > 20, timeout=30), len(served)  # under load
    long_t.start()
    s.wait_log(r"proto_server: sleep long")  # in a worker's app
    s.send_signal(signal.SIGHUP)
    s.wait_log(r"received SIGHUP: replacing 2 worker\(s\)")
    assert wait_until(lambda: (c := child_pids(s.pid)) and len(c) == 2 and not (c & old), timeout=20)
    reloaded.set()
    assert wait_until(lambda: sum(after for after, _ in served) >= 10, timeout=30), served[-10:]
    stop.set()
    for t in threads:
        t.join(30)
    long_t.join(30)
    assert errors == []
    assert long_result == [b"slept"]
    new = {pid for after, pid in served if after}
    assert new and not (new & old)
    rc, log = s.stop()
    assert rc == 0


def test_sighup_twice_in_quick_succession_retires_every_old_worker(start_server):
    s = start_server("--workers", 2, "--lifespan-delay", 0.3, "--no-access-log")
    old = child_pids(s.pid)
    assert len(old) == 2
    s.send_signal(signal.SIGHUP)
    time.sleep(0.05)
    s.send_signal(signal.SIGHUP)  # while the first replacements still start
    assert wait_until(lambda: len(c := child_pids(s.pid)) == 2 and not (c & old), timeout=20), \
        child_pids(s.pid)
    time.sleep(1.0)  # and it stays at two
    assert len(child_pids(s.pid)) == 2
    assert len(worker_pids(s, 2)) == 2
    rc, _ = s.stop()
    assert rc == 0


# ---- unix domain sockets ------------------------------------------------------

def test_unix_socket_with_curl_and_httpx(start_server, tmp_path):
    path = str(tmp_path / "phial.sock")
    s = start_server("--uds", path)
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "--unix-socket", path, "http://x/scope"],
                         capture_output=True, check=True).stdout
    assert b"client_host=\n" in out and b"method=GET\n" in out
    transport = httpx.HTTPTransport(uds=path)
    with httpx.Client(transport=transport, timeout=10) as client:
        assert client.get("http://x/").text == "hello"
        assert client.post("http://x/echo", content=b"over uds").content == b"over uds"
    with Conn(uds=path) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert c.read_response().body == b"hello" and c.read_response().body == b"hello"
    s.wait_log(r'unix - "GET /scope HTTP/1.1" 200 OK')
    rc, _ = s.stop()
    assert rc == 0
    assert not os.path.exists(path), "the socket file goes with the server"


def test_unix_socket_with_workers_and_stale_file(start_server, tmp_path):
    path = str(tmp_path / "w.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # leaves a socket file nobody listens on
    s = start_server("--uds", path, "--workers", 2, "--no-access-log")
    transport = httpx.HTTPTransport(uds=path)
    with httpx.Client(transport=transport, timeout=10) as client:
        for _ in range(10):
            assert client.get("http://x/", headers={"Connection": "close"}).text == "hello"
    rc, _ = s.stop()
    assert rc == 0
    assert not os.path.exists(path), "the supervisor removes the socket file"


def test_unix_socket_file_taken_over_is_left_alone(start_server, tmp_path):
    path = str(tmp_path / "t.sock")
    s = start_server("--uds", path, "--no-access-log")
    os.unlink(path)
    other = socket.socket(socket.AF_UNIX)
    other.bind(path)  # another server's socket at the path now
    try:
        rc, _ = s.stop()
        assert rc == 0 and os.path.exists(path), "only the file this server made is removed"
    finally:
        other.close()


def test_listen_failures_name_the_address_and_the_reason(tmp_path):
    r = subprocess.run([str(PROTO_SERVER), "--uds", str(tmp_path / "no" / "dir" / "x.sock")],
                       capture_output=True, timeout=30)
    assert r.returncode != 0
    assert f"cannot listen on unix socket {tmp_path}/no/dir/x.sock: bind: No such file or " \
           "directory" in r.stderr.decode()
    r = subprocess.run([str(PROTO_SERVER), "--uds", "/tmp/" + "x" * 120],
                       capture_output=True, timeout=30)
    assert r.returncode != 0 and "the path is over 107 bytes" in r.stderr.decode()
    r = subprocess.run([str(PROTO_SERVER), "--host", "192.0.2.1", "--port", "28999"],
                       capture_output=True, timeout=30)
    assert r.returncode != 0
    assert "cannot listen on 192.0.2.1:28999: Cannot assign requested address" in r.stderr.decode()


def test_unix_socket_path_that_is_not_a_socket(tmp_path):
    path = tmp_path / "regular"
    path.write_text("keep me")
    r = subprocess.run([str(PROTO_SERVER), "--uds", str(path)],
                       capture_output=True, timeout=30)
    assert r.returncode != 0 and path.read_text() == "keep me"
    assert "is not a socket" in r.stderr.decode()


# ---- proxy headers ---------------------------------------------------------------

def scope_of(s, headers):
    r = httpx.get(s.url("/scope"), headers=headers, timeout=10)
    return dict(l.split("=", 1) for l in r.text.splitlines() if not l.startswith("header="))


def test_proxy_headers_from_trusted_peer(start_server):
    s = start_server("--proxy-headers", "127.0.0.1", "--no-access-log")
    sc = scope_of(s, {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert sc["client_host"] == "203.0.113.7" and sc["scheme"] == "https"
    # The nearest untrusted address of a chain, right to left.
    sc = scope_of(s, {"X-Forwarded-For": "198.51.100.1, 203.0.113.9, 127.0.0.1"})
    assert sc["client_host"] == "203.0.113.9" and sc["scheme"] == "http"
    # Unknown schemes are ignored.
    assert scope_of(s, {"X-Forwarded-Proto": "gopher"})["scheme"] == "http"


def test_proxy_headers_chain_of_trusted_proxies(start_server):
    s = start_server("--proxy-headers", "127.0.0.1, 10.0.0.2", "--no-access-log")
    sc = scope_of(s, {"X-Forwarded-For": "198.51.100.1, 10.0.0.2", "X-Forwarded-Proto": "http, https"})
    assert sc["client_host"] == "198.51.100.1" and sc["scheme"] == "https"


def test_proxy_headers_from_untrusted_peer_ignored(start_server):
    s = start_server("--proxy-headers", "10.0.0.1", "--no-access-log")
    sc = scope_of(s, {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert sc["client_host"] == "127.0.0.1" and sc["scheme"] == "http"


def test_proxy_headers_trust_all(start_server):
    s = start_server("--proxy-headers", "*", "--no-access-log")
    assert scope_of(s, {"X-Forwarded-For": "192.0.2.1"})["client_host"] == "192.0.2.1"


def test_proxy_headers_bad_list_refused():
    r = subprocess.run([str(PROTO_SERVER), "--port", "-1",
                        "--proxy-headers", "not an address"], capture_output=True, timeout=30)
    assert r.returncode == 2 and b"bad --proxy-headers" in r.stderr


def test_port_in_use_is_a_clear_startup_error(start_server):
    s = start_server("--no-access-log")
    r = subprocess.run([str(PROTO_SERVER), "--port", str(s.port)], capture_output=True, timeout=30)
    assert r.returncode != 0
    assert f"cannot listen on 127.0.0.1:{s.port}: Address already in use" in r.stderr.decode()
    assert get(s.port, "/").body == b"hello"


def test_app_declining_lifespan(start_server):
    s = start_server("--lifespan-decline", "--no-access-log")  # auto: accepted
    assert get(s.port, "/lifespan").body == b"none"
    rc, _ = s.stop()
    assert rc == 0
    r = subprocess.run([str(PROTO_SERVER), "--port", "-1", "--lifespan", "on", "--lifespan-decline"],
                       capture_output=True, timeout=30)
    assert r.returncode != 0
    assert "application startup failed: the app does not support lifespan" in r.stderr.decode()


def test_a_second_sigint_cancels_the_requests_still_running(start_server):
    s = start_server("--no-access-log", "--timeout-graceful", 30)
    c = Conn(s.port, timeout=15)
    c.send("GET /sleep?s=20&tag=long HTTP/1.1\r\nHost: t\r\n\r\n")
    s.wait_log(r"proto_server: sleep long")  # the app has the request
    t0 = time.monotonic()
    s.proc.send_signal(signal.SIGINT)
    s.wait_log(r"received SIGINT: shutting down")
    s.proc.send_signal(signal.SIGINT)
    s._told_to_stop = True
    rc, log = s.stop()
    took = time.monotonic() - t0
    c.close()
    assert rc == 0 and took < 5, (took, log[-2000:])
    assert "received SIGINT again: cancelling 1 request(s) now" in log, log[-2000:]


def test_sigterm_then_sigint_is_still_graceful(start_server):
    """A worker gets SIGTERM from its supervisor and Ctrl+C's SIGINT from the
    terminal: that pair must not cut its requests short."""
    s = start_server("--no-access-log")
    c = Conn(s.port, timeout=15)
    c.send("GET /sleep?s=1&tag=inflight HTTP/1.1\r\nHost: t\r\n\r\n")
    s.wait_log(r"proto_server: sleep inflight")  # the app has the request
    s.proc.send_signal(signal.SIGTERM)
    s.wait_log(r"received SIGTERM: shutting down")
    s.proc.send_signal(signal.SIGINT)
    r = c.read_response()
    c.close()
    assert r.status == 200
    s._told_to_stop = True
    rc, log = s.stop()
    assert rc == 0 and "again" not in log, log[-2000:]
