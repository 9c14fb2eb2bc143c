"""ph_stream_template over a real socket (Flask 2.2's stream_template).

The app is tests/tools/stream_app.c, with the templates of stream_templates/
and two globals: slow(ms) sleeps with ph_sleep (the worker goes on serving),
count() counts its calls. One worker, so another request answered while a
page waits on slow() shows the wait does not block the worker.

- The first chunk arrives before slow(300) returns, another request is
  answered meanwhile, and the page is complete only after the wait.
- The body equals Jinja2's rendering of the same templates and context
  (Debian's python3-jinja2, set up with Flask's autoescape rule): a
  differential check over inheritance, includes, imports, macros, call
  blocks, set blocks, filters and autoescape.
- An error in the middle of the page ends the response without the last
  chunk, which an HTTP client reports as an incomplete body; the server
  logs it and serves on.
- A client that leaves in the middle stops the render.
"""
import json
import socket
import threading
import time
import urllib.parse

import httpx
import jinja2
import pytest

from conftest import BUILD_DIR, SOURCE_DIR
from server_util import Server

STREAM_APP = BUILD_DIR / "tests" / "test_stream_app"
TEMPLATES = SOURCE_DIR / "tests" / "integration" / "stream_templates"

CONTEXT = {
    "title": "Orders <Q3> & co",
    "site": "phial",
    "year": 2026,
    "note": "it's \"fine\"",
    "raw": "<b>bold</b>",
    "pad": 1500,
    "rows": [
        {"name": "ann o'neil", "total": 12.5, "tags": ["new", "<vip>"]},
        {"name": "bob & sons", "total": 7, "tags": []},
        {"name": "cy", "total": 1234.125, "tags": ["a&b"]},
    ],
    "totals": {"b": 2, "a": 1.5, "c": None},
}


def jinja_render(name, context):
    """The page as Flask's Jinja2 renders it, with the globals the app has."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    env.globals.update(slow=lambda ms: "", count=lambda: "")
    return env.get_template(name).render(**context)


def page_url(server, name, context=None):
    query = {"t": name}
    if context is not None:
        query["ctx"] = json.dumps(context)
    return server.url("/page?" + urllib.parse.urlencode(query))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert STREAM_APP.exists(), f"{STREAM_APP} is not built"
    s = Server("run", "--no-access-log", "--workers", "1", exe=STREAM_APP,
               log_dir=tmp_path_factory.mktemp("log"), env={"STREAM_TEMPLATES": str(TEMPLATES)})
    yield s
    s.kill()


def test_first_chunk_arrives_before_the_slow_part_and_the_worker_serves_meanwhile(server):
    times = {}
    chunks = []
    with httpx.Client(timeout=10) as client:
        start = time.monotonic()
        with client.stream("GET", page_url(server, "page.html", CONTEXT)) as r:
            assert r.status_code == 200
            assert r.headers["transfer-encoding"] == "chunked"
            assert r.headers["content-type"] == "text/html; charset=utf-8"
            for chunk in r.iter_raw():
                if not chunks:
                    times["first"] = time.monotonic() - start
                    # while the page waits on slow(300), the one worker answers another request
                    with httpx.Client(timeout=10) as other:
                        ping = other.get(server.url("/ping"))
                    times["ping"] = time.monotonic() - start
                    assert ping.text == "pong"
                chunks.append(chunk)
            times["end"] = time.monotonic() - start
    first = chunks[0].decode()
    assert "<h1>Orders &lt;Q3&gt; &amp; co</h1>" in first, first
    assert "After the wait" not in first, "the first chunk is what came before slow()"
    assert times["first"] < 0.25, times
    assert times["ping"] < times["end"], times
    assert times["ping"] - times["first"] < 0.25, times
    assert times["end"] >= 0.3, times
    assert len(chunks) > 2, "sent in pieces"


def test_the_streamed_page_is_jinja2s_page(server):
    want = jinja_render("page.html", CONTEXT)
    assert "After the wait" in want and len(want) > 16384 * 2
    r = httpx.get(page_url(server, "page.html", CONTEXT), timeout=10)
    assert r.status_code == 200
    assert r.text == want
    small = dict(CONTEXT, rows=[], pad=0, note="")
    r = httpx.get(page_url(server, "page.html", small), timeout=10)
    assert r.text == jinja_render("page.html", small)


def read_until_close(port, request, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            got = s.recv(65536)
            if not got:
                return data
            data += got


def test_an_error_mid_page_ends_the_body_without_its_last_chunk(server):
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(page_url(server, "error.html", CONTEXT), timeout=10)
    path = urllib.parse.urlparse(page_url(server, "error.html", CONTEXT))
    raw = read_until_close(server.port, f"GET {path.path}?{path.query} HTTP/1.1\r\n"
                                        f"Host: x\r\n\r\n".encode())
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0]
    assert b"transfer-encoding: chunked" in head.lower()
    assert b"<p>start</p>" in body, "what came before the error was sent"
    assert b"<i>10</i>" not in body, "what was buffered after the last send is dropped"
    assert not body.endswith(b"0\r\n\r\n"), "no last chunk"
    server.wait_log(r"exception on GET /page \[TemplateError\]: error\.html:2:.*cut short")
    assert httpx.get(server.url("/ping"), timeout=10).text == "pong", "the server lives on"


def test_missing_template_is_a_500_before_any_byte(server):
    r = httpx.get(page_url(server, "missing.html"), timeout=10)
    assert r.status_code == 500
    assert "transfer-encoding" not in r.headers


def test_a_client_that_leaves_stops_the_render(server):
    before = int(httpx.get(server.url("/count"), timeout=10).text)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /page?t=rows.html HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while b"<p>3</p>" not in got:
            more = s.recv(65536)
            assert more, "the page ended early"
            got += more
    # 1000 rows of 5 ms would take 5 s; the count must stop growing well before
    deadline = time.monotonic() + 5
    last = None
    while time.monotonic() < deadline:
        n = int(httpx.get(server.url("/count"), timeout=10).text) - before
        if n == last:
            break
        last = n
        time.sleep(0.1)
    assert last is not None and last < 200, f"the render went on: {last} rows"
