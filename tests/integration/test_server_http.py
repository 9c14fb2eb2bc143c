"""Normal HTTP/1.1 traffic against the real server: httpx and curl clients,
keep-alive rules of HTTP/1.0 and 1.1, HEAD, Date and Server, response framing
(Content-Length, chunked, close-delimited), pipelining and header injection
refused by ph_send()."""
import email.utils
import os
import re
import subprocess
import time

import httpx

from server_util import Conn, get, parse_all

IMF_FIXDATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d\d:\d\d:\d\d GMT$")


def test_httpx_get_post_and_keep_alive(shared_server):
    with httpx.Client(timeout=10) as client:
        r = client.get(shared_server.url("/"))
        assert r.status_code == 200
        assert r.text == "hello"
        assert r.headers["content-length"] == "5"
        assert r.http_version == "HTTP/1.1"
        payload = bytes(range(256)) * 1000
        r = client.post(shared_server.url("/echo"), content=payload)
        assert r.status_code == 200
        assert r.content == payload
        r = client.get(shared_server.url("/nope"))
        assert r.status_code == 404
        # All three went over one connection: the scope shows the same client port.
        ports = {client.get(shared_server.url("/scope")).text.split("client_port=")[1].split()[0]
                 for _ in range(3)}
        assert len(ports) == 1


def test_httpx_streaming_response_is_chunked(shared_server):
    with httpx.Client(timeout=10) as client:
        r = client.get(shared_server.url("/stream?n=4&size=3"))
        assert r.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in r.headers
        assert r.text == "aaabbbcccddd"


def test_curl_get_head_and_post(shared_server):
    out = subprocess.run(["curl", "-sS", "-i", "--max-time", "10", shared_server.url("/")],
                         capture_output=True, check=True).stdout
    assert out.startswith(b"HTTP/1.1 200 OK\r\n")
    assert out.endswith(b"\r\n\r\nhello")
    out = subprocess.run(["curl", "-sS", "-I", "--max-time", "10", shared_server.url("/")],
                         capture_output=True, check=True).stdout
    assert b"Content-Length: 5\r\n" in out and out.endswith(b"\r\n\r\n")
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "--data-binary", "@-",
                          shared_server.url("/count")],
                         input=b"z" * 100000, capture_output=True, check=True).stdout
    assert out.split()[0] == b"100000"


def test_curl_chunked_upload(shared_server):
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "-H", "Transfer-Encoding: chunked",
                          "--data-binary", "@-", shared_server.url("/echo")],
                         input=b"0123456789" * 5000, capture_output=True, check=True).stdout
    assert out == b"0123456789" * 5000


def test_date_and_server_headers(shared_server):
    r = get(shared_server.port, "/")
    date = r.header("Date")
    assert date and IMF_FIXDATE.match(date), date
    assert abs(email.utils.parsedate_to_datetime(date).timestamp() - time.time()) < 5
    assert r.header("Server") == "phial"
    assert len(r.header_all("Date")) == 1 and len(r.header_all("Server")) == 1


def test_server_header_configurable(start_server):
    s = start_server("--server-header", "")
    assert get(s.port, "/").header("Server") is None
    s2 = start_server("--server-header", "custom/1")
    assert get(s2.port, "/").header("Server") == "custom/1"


def test_http11_keep_alive_by_default(shared_server):
    with Conn(shared_server.port) as c:
        for _ in range(3):
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            r = c.read_response()
            assert r.status == 200 and r.header("Connection") is None
        assert not c.closed_within(0.3)


def test_http11_connection_close(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.header("Connection") == "close"
        assert c.closed_within(5)


def test_http10_closes_by_default(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET / HTTP/1.0\r\n\r\n")
        r = c.read_response()
        assert r.body == b"hello"
        assert r.header("Connection") == "close"
        assert c.closed_within(5)


def test_http10_keep_alive_on_request(shared_server):
    with Conn(shared_server.port) as c:
        for _ in range(2):
            c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            r = c.read_response()
            assert r.body == b"hello"
            assert r.header("Connection").lower() == "keep-alive"
        assert not c.closed_within(0.3)


def test_http10_streaming_is_close_delimited(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET /stream?n=3&size=2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        data = c.read_until_close()
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Transfer-Encoding" not in head and b"Content-Length" not in head
    assert b"Connection: close" in head
    assert body == b"aabbcc"


def test_head_has_length_but_no_body(shared_server):
    with Conn(shared_server.port) as c:
        c.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
        r = c.read_response(head=True)
        assert r.status == 200 and r.header("Content-Length") == "5"
        # The next bytes are the second response: nothing of a body came between.
        r2 = c.read_response()
        assert r2.body == b"hello"


def test_head_of_streaming_endpoint_sends_no_chunks(shared_server):
    with Conn(shared_server.port) as c:
        c.send("HEAD /stream?n=3 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
        r = c.read_response(head=True)
        # the framing header a GET would get, but no chunk, and the connection stays
        assert r.status == 200 and r.header("Transfer-Encoding") == "chunked"
        assert r.header("Connection") is None
        assert c.read_response().body == b"hello"


def test_content_length_when_app_gives_it(shared_server):
    r = get(shared_server.port, "/big?size=300000")
    assert r.header("Content-Length") == "300000"
    assert r.header("Transfer-Encoding") is None
    assert r.body == b"b" * 300000


def test_single_piece_response_gets_length(shared_server):
    r = get(shared_server.port, "/stream?n=0")
    # start + one empty final body: length 0, no chunking
    assert r.header("Content-Length") == "0" and r.body == b""


def test_bodyless_statuses(shared_server):
    for code in (204, 304):
        with Conn(shared_server.port) as c:
            c.send(f"GET /status?code={code} HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
            r = c.read_response()
            assert r.status == code
            assert r.header("Content-Length") is None and r.header("Transfer-Encoding") is None
            assert c.read_response().body == b"hello"


def test_status_and_reason(shared_server):
    for code, reason in ((201, "Created"), (418, "I'm a teapot"), (503, "Service Unavailable")):
        r = get(shared_server.port, f"/status?code={code}")
        assert (r.status, r.reason) == (code, reason)
        assert r.header("X-Status") == "set"


def test_pipelined_requests_answered_in_order(shared_server):
    reqs = "".join(f"GET /scope?i={i} HTTP/1.1\r\nHost: t\r\n\r\n" for i in range(10))
    reqs += "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
    reqs += "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
    reqs += "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    with Conn(shared_server.port) as c:
        c.send(reqs)
        data = c.read_until_close()
    rs = parse_all(data)
    assert len(rs) == 13
    for i in range(10):
        assert f"query=i={i}\n".encode() in rs[i].body
    assert rs[10].body == b"abc" and rs[11].body == b"de" and rs[12].body == b"hello"


def test_pipelined_byte_at_a_time(shared_server):
    reqs = b"GET /?a HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nokGET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    with Conn(shared_server.port) as c:
        for i in range(len(reqs)):
            c.send(reqs[i:i + 1])
        rs = parse_all(c.read_until_close())
    assert [r.body for r in rs] == [b"hello", b"ok", b"hello"]


def test_unread_body_is_skipped_for_next_request(shared_server):
    with Conn(shared_server.port) as c:
        c.send("POST /early HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nxxxxx"
               "GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b"early"
        assert c.read_response().body == b"hello"


def test_header_injection_refused(shared_server):
    for where in ("value", "name"):
        for kind in ("crlf", "lf", "nul"):
            with Conn(shared_server.port) as c:
                c.send(f"GET /inject?where={where}&kind={kind} HTTP/1.1\r\nHost: t\r\n"
                       "Connection: close\r\n\r\n")
                raw = c.read_until_close()
            assert b"Injected" not in raw, raw
            r = parse_all(raw)[0]
            assert r.status == 500 and r.body == b"refused PH_EINVAL", (where, kind, raw)


def test_app_failure_is_500_and_connection_survives(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().status == 500
        c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b"hello"


def test_app_returning_after_start_gets_empty_body(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET /nobody HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.header("Content-Length") == "0"
        assert c.read_response().body == b"hello"


def test_short_body_closes_connection(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET /partial HTTP/1.1\r\nHost: t\r\n\r\n")
        data = c.read_until_close()
    head, body = data.split(b"\r\n\r\n", 1)
    assert b"Content-Length: 10" in head and body == b"12345"


def test_scope_fields(shared_server):
    r = get(shared_server.port, "/scope?x=%41&y", headers="X-One: 1\r\nx-two:  2 \r\n")
    kv = dict(line.split("=", 1) for line in r.body.decode().splitlines() if not line.startswith("header="))
    assert kv["method"] == "GET" and kv["http_minor"] == "1" and kv["scheme"] == "http"
    assert kv["raw_path"] == "/scope" and kv["query"] == "x=%41&y"
    assert kv["client_host"] == "127.0.0.1" and int(kv["client_port"]) > 0
    assert kv["server_host"] == "127.0.0.1" and int(kv["server_port"]) == shared_server.port
    headers = [line[7:] for line in r.body.decode().splitlines() if line.startswith("header=")]
    assert headers == ["Host: t", "X-One: 1", "x-two: 2"]


def test_percent_decoded_path(shared_server):
    r = get(shared_server.port, "/%73cope")
    assert b"raw_path=/%73cope\n" in r.body and b"path=/scope\n" in r.body


def test_root_path(start_server):
    s = start_server("--root-path", "/mnt")
    assert b"root_path=/mnt\n" in get(s.port, "/scope").body


def test_unknown_method_token_reaches_app(shared_server):
    with Conn(shared_server.port) as c:
        c.send("PROPFIND /scope HTTP/1.1\r\nHost: t\r\n\r\n")
        r = c.read_response()
    assert b"method=PROPFIND\nmethod_bit=0\n" in r.body


def test_http_1_2_served_as_1_1(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET / HTTP/1.2\r\nHost: t\r\n\r\n")
        r = c.read_response()
    assert r.version == "HTTP/1.1" and r.body == b"hello"


def test_access_log_lines(start_server):
    s = start_server()
    get(s.port, "/status?code=404")
    get(s.port, "/?q=1", version="1.0")
    s.wait_log(r'127\.0\.0\.1:\d+ - "GET /status\?code=404 HTTP/1\.1" 404 Not Found')
    s.wait_log(r'127\.0\.0\.1:\d+ - "GET /\?q=1 HTTP/1\.0" 200 OK')
    rc, log = s.stop()
    assert rc == 0


def test_no_access_log(start_server):
    s = start_server("--no-access-log")
    get(s.port, "/")
    rc, log = s.stop()
    assert rc == 0 and '"GET / HTTP/1.1"' not in log


def test_nothing_after_connection_close_is_served(shared_server):
    with Conn(shared_server.port) as c:
        c.send("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
               "GET /scope HTTP/1.1\r\nHost: t\r\n\r\n")
        data = c.read_until_close()
    rs = parse_all(data)
    assert len(rs) == 1 and rs[0].body == b"hello"


def test_many_concurrent_keep_alive_clients(shared_server):
    import threading

    errors, counts = [], []

    def client(i):
        try:
            with httpx.Client(timeout=30) as cl:
                for j in range(20):
                    r = cl.post(shared_server.url("/echo"), content=f"{i}-{j}".encode())
                    assert r.content == f"{i}-{j}".encode()
                counts.append(20)
        except Exception as e:  # noqa: BLE001 - collected and asserted
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and sum(counts) == 800


def test_sigint_stops_gracefully(start_server):
    import signal

    s = start_server()
    assert get(s.port, "/").body == b"hello"
    rc, log = s.stop(signal.SIGINT)
    assert rc == 0 and "received SIGINT: shutting down" in log


def test_ipv6_loopback(start_server):
    import socket

    s = start_server("--host", "::1", "--no-access-log")
    assert f"serving on http://[::1]:{s.port} " in s.log()
    with socket.create_connection(("::1", s.port), timeout=10) as sk:
        sk.sendall(b"GET /scope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sk.recv(65536):
            data += chunk
    r = parse_all(data)[0]
    assert b"client_host=::1\n" in r.body and b"server_host=::1\n" in r.body


def test_wildcard_listener_reports_each_connections_own_address(start_server):
    # bound to 0.0.0.0 the local address is the one the client reached,
    # asked per connection; bound to one address it is the listener's
    s = start_server("--host", "0.0.0.0", "--no-access-log")
    r = get(s.port, "/scope")
    assert b"server_host=127.0.0.1\n" in r.body and f"server_port={s.port}\n".encode() in r.body


def _server_socket_for(pid, client):
    """The server process's own socket for the connection `client` (a
    socket connected to it), duplicated into this process with
    pidfd_getfd(2): its options can then be read as the server set them."""
    import ctypes
    import socket

    client_port, server_port = client.getsockname()[1], client.getpeername()[1]
    inodes = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                local, remote = (int(c.rsplit(":", 1)[1], 16) for c in cols[1:3])
                # the server's end, open (an old connection that used the same
                # ports may linger in TIME_WAIT, with no socket: inode 0)
                if local == server_port and remote == client_port and cols[9] != "0":
                    inodes.append(cols[9])
    assert len(inodes) == 1, f"sockets for the connection in /proc/net: {inodes}"
    inode = inodes[0]
    fd = None
    for n in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{n}") == f"socket:[{inode}]":
                fd = int(n)
        except FileNotFoundError:  # closed while we looked
            pass
    assert fd is not None, f"process {pid} has no socket {inode}"
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        dup = libc.syscall(438, pidfd, fd, 0)  # SYS_pidfd_getfd on x86_64 and aarch64
        assert dup >= 0, os.strerror(ctypes.get_errno())
    finally:
        os.close(pidfd)
    return socket.socket(fileno=dup)


def test_accepted_connections_do_not_delay_small_writes(start_server):
    # TCP_NODELAY: set on the listener, copied to every accepted socket, so
    # that a short response head or a small chunk never waits for an ACK
    import socket

    s = start_server("--no-access-log")
    with socket.create_connection(("127.0.0.1", s.port), timeout=10) as client:
        client.sendall(b"GET /scope HTTP/1.1\r\nHost: t\r\n\r\n")
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        with _server_socket_for(s.pid, client) as theirs:
            assert theirs.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
