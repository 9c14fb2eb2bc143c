"""Limits and timeouts of the real server: request line (414), header block
size and count (431), the header, keep-alive and body timeouts, slowloris
(hundreds of connections trickling headers while a normal client is still
answered within a second), and the connection cap (the next connection waits,
without a busy loop, and is served once one closes)."""
import socket
import threading
import time

import httpx

from server_util import Conn, get, parse_all


def status_of(port, raw):
    with Conn(port, timeout=15) as c:
        c.send(raw)
        data = c.read_until_close()
    r = parse_all(data)
    assert len(r) == 1, data
    assert r[0].header("Connection") == "close"
    return r[0].status


def test_request_line_limit(start_server):
    s = start_server("--max-request-line", 100, "--no-access-log")
    line = "GET /" + "a" * (100 - len("GET / HTTP/1.1")) + " HTTP/1.1"
    assert len(line) == 100
    with Conn(s.port) as c:
        c.send(line + "\r\nHost: t\r\n\r\n")
        assert c.read_response().status == 404
    assert status_of(s.port, "GET /" + "a" * 100 + " HTTP/1.1\r\nHost: t\r\n\r\n") == 414
    # refused as soon as the limit is passed, before the line ends
    with Conn(s.port) as c:
        c.send("GET /" + "a" * 200)
        data = c.read_until_close()
    assert data.startswith(b"HTTP/1.1 414 ")


def test_header_bytes_limit(start_server):
    s = start_server("--max-header-bytes", 200, "--no-access-log")
    with Conn(s.port) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\nX: " + "v" * 150 + "\r\n\r\n")
        assert c.read_response().status == 200
    assert status_of(s.port, "GET / HTTP/1.1\r\nHost: t\r\nX: " + "v" * 250 + "\r\n\r\n") == 431
    # split over many small fields, too
    many = "".join(f"X{i}: 1234567890\r\n" for i in range(20))
    assert status_of(s.port, "GET / HTTP/1.1\r\nHost: t\r\n" + many + "\r\n") == 431


def test_header_count_limit(start_server):
    s = start_server("--max-headers", 5, "--no-access-log")
    four = "".join(f"X-{i}: v\r\n" for i in range(4))
    with Conn(s.port) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\n" + four + "\r\n")
        assert c.read_response().status == 200
    assert status_of(s.port, "GET / HTTP/1.1\r\nHost: t\r\n" + four + "X-5: v\r\n\r\n") == 431


def test_default_limits_with_httpx(shared_server):
    r = httpx.get(shared_server.url("/" + "a" * 9000), timeout=10)
    assert r.status_code == 414
    r = httpx.get(shared_server.url("/"), headers={"X-Big": "v" * 17000}, timeout=10)
    assert r.status_code == 431
    r = httpx.get(shared_server.url("/"), headers={f"X-{i}": "v" for i in range(120)}, timeout=10)
    assert r.status_code == 431


# ---- timeouts ---------------------------------------------------------------

def test_header_timeout_closes_trickling_connection(start_server):
    s = start_server("--timeout-header", 1, "--no-access-log")
    with Conn(s.port) as c:
        t0 = time.monotonic()
        c.send("GET / HTTP/1.1\r\n")
        closed = False
        # Keep trickling: the timeout covers the whole head, not each byte.
        for _ in range(40):
            try:
                c.send("X: y\r\n")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if c.closed_within(0.25):
                closed = True
                break
        elapsed = time.monotonic() - t0
    assert closed
    assert 0.9 <= elapsed < 8, elapsed


def test_keep_alive_timeout_closes_idle_connection(start_server):
    s = start_server("--timeout-keep-alive", 1, "--no-access-log")
    with Conn(s.port) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b"hello"
        t0 = time.monotonic()
        assert c.closed_within(10)
        assert time.monotonic() - t0 >= 0.9
    # A connection that never sends a byte is idle too.
    with Conn(s.port) as c:
        assert c.closed_within(10)


def test_keep_alive_connection_survives_within_timeout(start_server):
    s = start_server("--timeout-keep-alive", 3, "--no-access-log")
    with Conn(s.port) as c:
        for _ in range(3):
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            assert c.read_response().body == b"hello"
            time.sleep(0.5)


def test_long_running_request_not_cut_by_keep_alive_or_header_timeout(start_server):
    s = start_server("--timeout-keep-alive", 0.5, "--timeout-header", 0.5, "--no-access-log")
    with Conn(s.port) as c:
        c.send("GET /sleep?s=1.5 HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b"slept"


def test_write_timeout_gives_up_on_a_client_that_does_not_read(start_server):
    s = start_server("--timeout-write", 1, "--no-access-log")
    c = Conn(s.port)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 14)
    c.send("GET /big?size=268435456 HTTP/1.1\r\nHost: t\r\n\r\n")
    # The app is suspended in ph_send; after timeout_write its send fails and
    # the request ends: only the /stats request itself is left in flight.
    def inflight():
        r = httpx.get(s.url("/stats"), timeout=10)
        return dict(l.split("=") for l in r.text.split())["inflight"]

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and inflight() != "1":
        time.sleep(0.2)
    assert inflight() == "1"
    # and the connection is closed: reading drains what was queued, then EOF
    c.sock.settimeout(10)
    total = 0
    try:
        while True:
            b = c.sock.recv(1 << 20)
            if not b:
                break
            total += len(b)
    except ConnectionResetError:
        pass
    assert total < 268435456
    c.close()


# ---- slowloris ----------------------------------------------------------------

def test_slowloris_does_not_starve_normal_clients(start_server):
    s = start_server("--no-access-log")
    n = 300
    socks = []
    for _ in range(n):
        sk = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        sk.setblocking(False)
        socks.append(sk)
    head = b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X-Slow: " + b"z" * 200
    pos = [0] * n
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            for i, sk in enumerate(socks):
                if pos[i] < len(head):
                    try:
                        sk.send(head[pos[i]:pos[i] + 1])
                        pos[i] += 1
                    except BlockingIOError:
                        pass
            time.sleep(0.05)

    t = threading.Thread(target=trickle)
    t.start()
    try:
        time.sleep(0.5)
        worst = 0.0
        with httpx.Client(timeout=10) as client:
            for i in range(20):
                t0 = time.monotonic()
                r = client.get(s.url("/"), headers={"Connection": "close"} if i % 2 else {})
                worst = max(worst, time.monotonic() - t0)
                assert r.text == "hello"
                time.sleep(0.1)
        assert worst < 1.0, worst
        # The slow connections are all still open (within the 10 s header timeout).
        alive = 0
        for sk in socks:
            try:
                sk.recv(1)  # b"" (closed) or a response: not what we expect
            except BlockingIOError:
                alive += 1  # open, nothing to read
        assert alive == n
    finally:
        stop.set()
        t.join()
        for sk in socks:
            sk.close()


def test_slowloris_connections_dropped_at_header_timeout(start_server):
    s = start_server("--timeout-header", 1, "--no-access-log")
    socks = [socket.create_connection(("127.0.0.1", s.port), timeout=10) for _ in range(100)]
    for sk in socks:
        sk.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n")
    time.sleep(1.2)
    deadline = time.monotonic() + 10
    for sk in socks:
        sk.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            assert sk.recv(100) == b""
        except ConnectionResetError:
            pass
        sk.close()
    assert get(s.port, "/").body == b"hello"


# ---- the connection cap ---------------------------------------------------------

def test_connection_cap_queues_without_busy_loop(start_server):
    s = start_server("--limit-concurrency", 2, "--no-access-log", "--timeout-keep-alive", 60)
    held = [Conn(s.port), Conn(s.port)]
    try:
        for c in held:
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            assert c.read_response().body == b"hello"
        third = Conn(s.port)  # the kernel completes the handshake; we wait in the backlog
        third.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        cpu0 = s.cpu_seconds()
        third.sock.settimeout(1.5)
        try:
            got = third.sock.recv(100)
        except socket.timeout:
            got = None
        assert got is None, got  # not refused, not served: waiting
        # paused accepting is not a busy loop
        assert s.cpu_seconds() - cpu0 < 0.3
        held[0].close()
        third.sock.settimeout(10)
        r = third.read_response()
        assert r.body == b"hello"
        third.close()
    finally:
        for c in held:
            c.close()


def test_connection_cap_serves_all_clients_eventually(start_server):
    s = start_server("--limit-concurrency", 3, "--no-access-log")
    results = []

    def one(i):
        r = httpx.get(s.url(f"/sleep?s=0.2&i={i}"), timeout=30, headers={"Connection": "close"})
        results.append(r.text)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["slept"] * 12


def test_no_descriptor_leak_across_connection_endings(start_server):
    """Connections that end in every way (served, idle, mid-head, mid-body,
    rejected, reset) all release their descriptor."""
    import os
    s = start_server("--no-access-log", "--timeout-keep-alive", 60)
    get(s.port, "/")
    def open_fds():
        """What the server's descriptors are: "socket:[inode]", a path..."""
        found = []
        for n in os.listdir(f"/proc/{s.pid}/fd"):
            try:
                found.append(os.readlink(f"/proc/{s.pid}/fd/{n}"))
            except FileNotFoundError:  # closed while we looked
                pass
        return sorted(found)

    fds = lambda: len(os.listdir(f"/proc/{s.pid}/fd"))  # noqa: E731
    # The server has seen that request's client close: of its sockets, only
    # the listener is left.
    deadline = time.monotonic() + 15
    while sum(f.startswith("socket:") for f in open_fds()) > 1:
        assert time.monotonic() < deadline, open_fds()
        time.sleep(0.02)
    base = fds()
    before = open_fds()
    endings = [
        b"GET / HTTP/1.1\r\nHost: t\r\n\r\n",                       # served, then client closes
        b"",                                                        # idle
        b"GET / HTTP/1.1\r\nHo",                                    # mid-head
        b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nabc",  # mid-body
        b"GET / HTTP/1.1\nHost: t\n\n",                             # rejected (400)
        b"GET /sleep?s=5 HTTP/1.1\r\nHost: t\r\n\r\n",              # app running
    ]
    for _ in range(20):
        for data in endings:
            sk = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            if data:
                sk.sendall(data)
            time.sleep(0.005)
            sk.close()
        # and one reset by the client (SO_LINGER 0) mid-request
        sk = socket.create_connection(("127.0.0.1", s.port), timeout=10)
        sk.sendall(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 99\r\n\r\nxx")
        sk.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sk.close()
    def queued():
        """Connections waiting in the listener's accept queue (the rx_queue
        column of a listening socket in /proc/net/tcp)."""
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if int(cols[1].rsplit(":", 1)[1], 16) == s.port and cols[3] == "0A":
                    return int(cols[4].split(":")[1], 16)
        raise AssertionError(f"no listener on port {s.port}")

    # Settled once no connection is left to accept and then none is left
    # open. The descriptor count alone is not enough: a busy server can
    # still be accepting connections the client has long closed, and the
    # count dips to the base between closing one and accepting the next.
    def settled():
        return queued() == 0 and fds() <= base

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not settled():
        time.sleep(0.1)
    # a failure says what the extra descriptor is
    assert settled(), f"before: {before}\nafter: {open_fds()}\n{s.log()[-3000:]}"
    assert get(s.port, "/").body == b"hello"
