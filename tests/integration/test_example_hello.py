"""examples/hello: the aioflask README example. The index view sleeps one
second without blocking, then renders templates/index.html; concurrent
requests overlap, so ten of them take about one second, not ten."""
import subprocess
import time

import httpx
import pytest

from conftest import BUILD_DIR
from server_util import Conn, Server

HELLO = BUILD_DIR / "examples" / "hello" / "hello"


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    s = Server("run", exe=HELLO, log_dir=tmp_path_factory.mktemp("hello"))
    try:
        yield s
        s.stop_cleanly()
    finally:
        s.kill()


def test_index_renders_after_one_second(hello):
    t0 = time.monotonic()
    r = httpx.get(hello.url("/"), timeout=10)
    elapsed = time.monotonic() - t0
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Hello, World!</h1>" in r.text and r.text.startswith("<!doctype html>")
    assert 0.95 <= elapsed < 3.0, elapsed


@pytest.mark.parametrize("n", [10, 100])
def test_concurrent_requests_overlap(hello, n):
    """n requests sent at once on n connections (raw sockets, so the client
    costs nothing): the one-second sleeps overlap on the worker's loop, and
    all n answers arrive in about one second, not n."""
    t0 = time.monotonic()
    conns = [Conn(hello.port, timeout=15) for _ in range(n)]
    try:
        for c in conns:
            c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        responses = [c.read_response() for c in conns]
    finally:
        for c in conns:
            c.close()
    elapsed = time.monotonic() - t0
    assert [r.status for r in responses] == [200] * n
    assert all(b"<h1>Hello, World!</h1>" in r.body for r in responses)
    # Serially this would take n seconds.
    assert elapsed < 2.5, f"{n} concurrent requests took {elapsed:.2f}s"


def test_other_paths_are_404(hello):
    r = httpx.get(hello.url("/nope"), timeout=10)
    assert r.status_code == 404


def test_bad_command_line_exits_2():
    r = subprocess.run([str(HELLO), "--bogus"], capture_output=True, timeout=10)
    assert r.returncode == 2
