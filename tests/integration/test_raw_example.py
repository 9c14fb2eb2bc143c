"""examples/raw: the hello app written against the app protocol alone,
served by phial's server: its four endpoints, keep-alive, a unix socket and
two workers."""
import subprocess

import httpx

from server_util import RAW_EXAMPLE, Conn


def start_raw(start_server, *args):
    return start_server(*args, exe=RAW_EXAMPLE)


def test_raw_endpoints(start_server):
    s = start_raw(start_server)
    with httpx.Client(timeout=10) as client:
        r = client.get(s.url("/"))
        assert (r.status_code, r.text, r.headers["content-type"]) == (200, "Hello, World!", "text/plain")
        r = client.get(s.url("/plaintext"))
        assert (r.status_code, r.text) == (200, "Hello, World!")
        r = client.get(s.url("/json"))
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {"message": "Hello, World!"}
        r = client.post(s.url("/echo"), content=b"\x00binary\xff" * 1000)
        assert r.status_code == 200 and r.content == b"\x00binary\xff" * 1000
        assert r.headers["content-type"] == "application/octet-stream"
        r = client.get(s.url("/missing"))
        assert (r.status_code, r.text) == (404, "Not Found")
        r = client.get(s.url("/echo"))  # GET is not the echo
        assert r.status_code == 404
    rc, log = s.stop()
    assert rc == 0
    assert '"POST /echo HTTP/1.1" 200 OK' in log and '"GET /missing HTTP/1.1" 404 Not Found' in log


def test_raw_echo_streams_chunked_upload(start_server):
    s = start_raw(start_server, "--no-access-log")
    with Conn(s.port) as c:
        c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
               "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        r = c.read_response()
        assert r.body == b"hello world"
        c.send("GET /json HTTP/1.1\r\nHost: t\r\n\r\n")
        assert c.read_response().body == b'{"message":"Hello, World!"}'


def test_raw_with_curl_and_head(start_server):
    s = start_raw(start_server, "--no-access-log")
    out = subprocess.run(["curl", "-sS", "-I", "--max-time", "10", s.url("/plaintext")],
                         capture_output=True, check=True).stdout
    assert out.startswith(b"HTTP/1.1 200 OK") and b"Content-Length: 13\r\n" in out
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "-d", "posted", s.url("/echo")],
                         capture_output=True, check=True).stdout
    assert out == b"posted"


def test_raw_on_unix_socket_with_workers(start_server, tmp_path):
    path = str(tmp_path / "raw.sock")
    s = start_raw(start_server, "--uds", path, "--workers", 2, "--no-access-log")
    with httpx.Client(transport=httpx.HTTPTransport(uds=path), timeout=10) as client:
        for _ in range(5):
            assert client.get("http://raw/json").json() == {"message": "Hello, World!"}
    rc, _ = s.stop()
    assert rc == 0


def test_raw_bad_option_exits_2():
    r = subprocess.run([str(RAW_EXAMPLE), "--bogus"], capture_output=True, timeout=10)
    assert r.returncode == 2 and b"usage:" in r.stderr
