"""examples/hello: the aioflask README example. The index view sleeps one
second without blocking, then renders templates/index.html; concurrent
requests overlap, so ten of them take about one second, not ten."""
import concurrent.futures
import subprocess
import time

import httpx
import pytest

from conftest import BUILD_DIR
from server_util import Server

HELLO = BUILD_DIR / "examples" / "hello" / "hello"


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    s = Server("run", exe=HELLO, log_dir=tmp_path_factory.mktemp("hello"))
    try:
        yield s
        rc, log = s.stop()  # graceful; under `make asan` also leak-free
        assert rc == 0 and "Sanitizer" not in log, log[-3000:]
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


def test_ten_concurrent_requests_overlap(hello):
    def one(_):
        with httpx.Client(timeout=15) as c:  # one connection per request
            r = c.get(hello.url("/"))
            return r.status_code, "Hello, World!" in r.text

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        results = list(pool.map(one, range(10)))
    elapsed = time.monotonic() - t0
    assert results == [(200, True)] * 10
    # Serially this would take ten seconds; the sleeps overlap on one loop.
    assert elapsed < 2.5, f"10 concurrent requests took {elapsed:.2f}s"


def test_other_paths_are_404(hello):
    r = httpx.get(hello.url("/nope"), timeout=10)
    assert r.status_code == 404


def test_bad_command_line_exits_2():
    r = subprocess.run([str(HELLO), "--bogus"], capture_output=True, timeout=10)
    assert r.returncode == 2
