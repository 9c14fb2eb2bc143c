"""Request and response bodies against the real server: chunked uploads,
100-continue, large bodies under backpressure in both directions, the body
size limit (413), the body read timeout, and a client that disconnects while
its request is being served."""
import os
import socket
import threading
import time

import httpx

from server_util import Conn, parse_all


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def count_reply(data):
    return f"{len(data)} {fnv1a64(data):016x}".encode()


def chunked(pieces, trailers=""):
    out = b""
    for p in pieces:
        out += f"{len(p):x}\r\n".encode() + p + b"\r\n"
    return out + b"0\r\n" + trailers.encode() + b"\r\n"


# ---- chunked uploads ------------------------------------------------------

def test_chunked_upload_many_small_chunks(shared_server):
    pieces = [bytes([i % 256]) * (i % 7 + 1) for i in range(2000)]
    data = b"".join(pieces)
    with Conn(shared_server.port) as c:
        c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(pieces))
        assert c.read_response().body == count_reply(data)


def test_chunked_upload_large_chunks(shared_server):
    pieces = [os.urandom(3 << 20), os.urandom(100), os.urandom(1 << 20)]
    data = b"".join(pieces)
    with Conn(shared_server.port) as c:
        c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(pieces))
        assert c.read_response().body == count_reply(data)


def test_chunked_upload_byte_at_a_time_with_trailers(shared_server):
    body = chunked([b"hello ", b"chunked ", b"world"], trailers="X-Check: 1\r\n")
    with Conn(shared_server.port) as c:
        c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(len(body)):
            c.send(body[i:i + 1])
        r = c.read_response()
        assert r.body == b"hello chunked world"
        # keep-alive still works after a trickled chunked body
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b"hello"


def test_chunked_upload_httpx_generator(shared_server):
    def gen():
        for i in range(50):
            yield bytes([65 + i % 26]) * 1000

    with httpx.Client(timeout=20) as client:
        r = client.post(shared_server.url("/count"), content=gen())
    expected = b"".join(bytes([65 + i % 26]) * 1000 for i in range(50))
    assert r.text.encode() == count_reply(expected)


def test_empty_chunked_body(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        r = c.read_response()
        assert r.body == b"" and r.header("X-Receives") == "1"


def test_body_without_length_is_no_body(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.body == b"" and r.header("X-Receives") == "1"


# ---- 100-continue ---------------------------------------------------------

def test_expect_100_continue_sent_when_app_reads(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        interim = c.read_response(allow_1xx=True)
        assert interim.status == 100 and interim.reason == "Continue"
        c.send("body")
        r = c.read_response()
        assert r.status == 200 and r.body == b"body"


def test_expect_100_continue_chunked(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
               "Expect: 100-continue\r\n\r\n")
        assert c.read_response(allow_1xx=True).status == 100
        c.send(chunked([b"ab", b"cd"]))
        assert c.read_response().body == b"abcd"


def test_expect_100_not_sent_when_app_answers_first(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /early HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n"
               "Expect: 100-continue\r\n\r\n")
        data = c.read_until_close()
    assert b"100 Continue" not in data
    r = parse_all(data)[0]
    # The body never came, so the connection cannot be reused.
    assert r.status == 200 and r.body == b"early" and r.header("Connection") == "close"


def test_expect_100_over_limit_gets_413_without_continue(start_server):
    s = start_server("--max-body", 100, "--no-access-log")
    with Conn(s.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\nExpect: 100-continue\r\n\r\n")
        data = c.read_until_close()
    assert b"100 Continue" not in data and data.startswith(b"HTTP/1.1 413 ")


def test_expect_ignored_in_http10(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /echo HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nok")
        data = c.read_until_close()
    assert b"100 Continue" not in data and parse_all(data)[0].body == b"ok"


def test_curl_uses_100_continue(shared_server, tmp_path):
    import subprocess
    f = tmp_path / "up.bin"
    f.write_bytes(b"q" * 2_000_000)
    out = subprocess.run(["curl", "-sS", "-v", "--max-time", "20", "-H", "Expect: 100-continue",
                          "--data-binary", f"@{f}", shared_server.url("/count")],
                         capture_output=True, check=True)
    assert out.stdout.split()[0] == b"2000000"
    assert b"HTTP/1.1 100 Continue" in out.stderr


# ---- large bodies and backpressure ----------------------------------------

def test_large_upload_with_slow_app_is_flow_controlled(shared_server):
    """The app waits 3 s before its first receive: the server must stop
    reading rather than buffer the upload, so the client's sends block."""
    total = 48 << 20
    block = os.urandom(1 << 16)
    sent = [0]
    err = []

    def sender(sock):
        try:
            sock.sendall(f"POST /count?wait=3 HTTP/1.1\r\nHost: t\r\nContent-Length: {total}\r\n\r\n".encode())
            while sent[0] < total:
                sock.sendall(block)
                sent[0] += len(block)
        except OSError as e:
            err.append(e)

    rss0 = shared_server.rss_bytes()
    with Conn(shared_server.port, timeout=60) as c:
        t = threading.Thread(target=sender, args=(c.sock,))
        t.start()
        time.sleep(1.5)
        # The server holds at most a 64 KiB window; socket buffers a few MiB
        # more. Without flow control all 48 MiB would be in by now.
        assert sent[0] < 24 << 20, sent[0]
        assert shared_server.rss_bytes() - rss0 < 24 << 20
        t.join(120)
        assert not err and not t.is_alive()
        r = c.read_response()
    n, h = r.body.split()
    assert int(n) == total


def test_large_download_to_slow_client_is_flow_controlled(shared_server):
    total = 64 << 20
    before = int(dict(l.split("=") for l in
                      httpx.get(shared_server.url("/stats")).text.split())["big_sent"])
    rss0 = shared_server.rss_bytes()
    with Conn(shared_server.port, timeout=60) as c:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
        c.send(f"GET /big?size={total} HTTP/1.1\r\nHost: t\r\n\r\n")
        time.sleep(1.5)
        stats = dict(l.split("=") for l in httpx.get(shared_server.url("/stats")).text.split())
        produced = int(stats["big_sent"]) - before
        # The app is suspended in ph_send once ~256 KiB are queued.
        assert produced < 16 << 20, produced
        assert shared_server.rss_bytes() - rss0 < 16 << 20
        # The connection serves on. The next request is sent now, not after
        # the body is read: the server is done (and its keep-alive timeout
        # runs) once the last bytes are in the socket buffers, several MiB
        # before this slow reader has them all.
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        r = c.read_response()
        assert len(r.body) == total and r.body[:1] == b"b"
        assert c.read_response().body == b"hello"


def test_large_echo_round_trip_httpx(shared_server):
    payload = os.urandom(8 << 20)
    with httpx.Client(timeout=60) as client:
        r = client.post(shared_server.url("/echo"), content=payload)
    assert r.status_code == 200 and r.content == payload


# ---- body size limit --------------------------------------------------------

def test_body_limit(start_server):
    s = start_server("--max-body", 1000, "--no-access-log")
    ok = b"x" * 1000
    with Conn(s.port) as c:
        c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + ok)
        assert c.read_response().body == count_reply(ok)
        c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
               chunked([ok[:600], ok[600:]]))
        assert c.read_response().body == count_reply(ok)
    # Content-Length over the limit: refused from the head, before any body byte.
    with Conn(s.port) as c:
        c.send("POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n")
        r = parse_all(c.read_until_close())[0]
        assert r.status == 413 and r.header("Connection") == "close"
    # A chunked body whose chunks add up to more than the limit.
    with Conn(s.port) as c:
        c.send(b"POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
               chunked([b"y" * 600, b"y" * 401]))
        r = parse_all(c.read_until_close())[0]
        assert r.status == 413 and r.header("Connection") == "close"
    # One chunk that announces more than the limit: refused before its data.
    with Conn(s.port) as c:
        c.send("POST /count HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3e9\r\n")
        r = parse_all(c.read_until_close())[0]
        assert r.status == 413


def test_unlimited_body_still_refuses_chunk_size_overflow(start_server):
    s = start_server("--max-body", 2 ** 64 - 1, "--no-access-log")
    with Conn(s.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               "fffffffffffffffffff\r\nabc\r\n0\r\n\r\n")
        r = parse_all(c.read_until_close())[0]
    assert r.status == 400


# ---- body read timeout ------------------------------------------------------

def test_body_read_timeout(start_server):
    s = start_server("--timeout-body", 1, "--no-access-log")
    with Conn(s.port) as c:
        c.send("POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345")
        t0 = time.monotonic()
        data = c.read_until_close(timeout=15)
        waited = time.monotonic() - t0
    r = parse_all(data)[0]
    assert r.status == 408 and r.header("Connection") == "close"
    assert waited >= 0.9


# ---- a client that goes away ------------------------------------------------

def wait_record(path, word, timeout=10, count=1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().split("\n").count(word) >= count:
            return True
        time.sleep(0.02)
    return False


def wait_in_app(s, n=1, timeout=15):
    """Wait until n requests are in the app besides the /stats request that
    asks: the request just sent has reached its view."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = dict(l.split("=") for l in httpx.get(s.url("/stats"), timeout=10).text.split())
        if int(stats["inflight"]) - 1 >= n:
            return True
        time.sleep(0.02)
    return False


def test_disconnect_mid_body_reaches_app(start_server, tmp_path):
    rec = tmp_path / "events"
    s = start_server("--record", rec, "--no-access-log")
    with Conn(s.port) as c:
        c.send("POST /watch HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\npartial")
        assert wait_in_app(s)
    assert wait_record(rec, "disconnect"), rec.read_text() if rec.exists() else "no record"


def test_disconnect_after_body_reaches_app_waiting_in_receive(start_server, tmp_path):
    rec = tmp_path / "events"
    s = start_server("--record", rec, "--no-access-log")
    with Conn(s.port) as c:
        c.send("POST /watch HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
        assert wait_in_app(s)
        time.sleep(0.3)  # time for a wrong disconnect to show
        assert "disconnect" not in rec.read_text()
    assert wait_record(rec, "disconnect")


def test_disconnect_cancels_sleeping_app_task(start_server, tmp_path):
    rec = tmp_path / "events"
    s = start_server("--record", rec, "--no-access-log")
    for i in range(3):
        with Conn(s.port) as c:
            c.send("GET /watch-sleep HTTP/1.1\r\nHost: t\r\n\r\n")
            assert wait_in_app(s)
        assert wait_record(rec, "cancelled", count=i + 1), rec.read_text()
    events = [l for l in rec.read_text().splitlines() if not l.startswith("lifespan")]
    assert events == ["cancelled"] * 3
    stats = dict(l.split("=") for l in httpx.get(s.url("/stats")).text.split())
    assert stats["cancels"] == "3" and stats["inflight"] == "1"  # only /stats itself


def test_keep_cancelled_lets_app_finish(start_server):
    s = start_server("--keep-cancelled")
    with Conn(s.port) as c:
        c.send("GET /sleep?s=0.5&tag=k HTTP/1.1\r\nHost: t\r\n\r\n")
        s.wait_log(r"proto_server: sleep k\n")  # the app has the request
    s.wait_log(r'"GET /sleep\?s=0\.5&tag=k HTTP/1\.1" 200 OK')
    assert get_ok(s)


def get_ok(s):
    return httpx.get(s.url("/"), timeout=10).text == "hello"


def test_disconnect_mid_response_ends_the_app_task(start_server):
    s = start_server("--no-access-log")
    with Conn(s.port) as c:
        c.send("GET /stream?n=200&size=1000&delay=0.02 HTTP/1.1\r\nHost: t\r\n\r\n")
        c.sock.recv(100)  # the response has started
    # The app's next send fails (or its sleep is cancelled): its task ends.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        stats = dict(l.split("=") for l in httpx.get(s.url("/stats"), timeout=10).text.split())
        if stats["inflight"] == "1":
            break
        time.sleep(0.1)
    assert stats["inflight"] == "1"
