"""Static files over real sockets: test_static_server (tests/tools/static_server.c)
serves a folder, and curl checks on the wire what a Flask 2.2 app would send:
the headers of a file, 304 for If-None-Match / If-Modified-Since, 206 with
Content-Range for `curl -r`, 416, traversal attempts answered 404 (sent with
--path-as-is so curl does not fold the dots itself), a file larger than the
read piece, and the ETag Werkzeug computes for the same file."""
import os
import subprocess
import tempfile
import urllib.parse
import zlib

import pytest

from conftest import BUILD_DIR
from server_util import Server

STATIC_SERVER = BUILD_DIR / "tests" / "test_static_server"
TEXT = b"hello world 0123456789\n"
MTIME = 1577934245.5


def _curl(args):
    """Run curl; return (status, headers with lower-case names, body): headers
    come on stdout (-D -), the body in a file, so they never mix."""
    with tempfile.NamedTemporaryFile() as body:
        p = subprocess.run(["curl", "-s", "-S", "--max-time", "10", "-D", "-", "-o", body.name,
                            *[str(a) for a in args]], capture_output=True, check=True)
        data = open(body.name, "rb").read()
    lines = p.stdout.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return status, headers, data


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    static = root / "static"
    (static / "sub").mkdir(parents=True)
    (static / "a.txt").write_bytes(TEXT)
    os.utime(static / "a.txt", (MTIME, MTIME))
    (static / "sub" / "s.css").write_bytes(b"body{}\n")
    (static / "big.bin").write_bytes(bytes((i * 7 + i // 251) & 0xFF for i in range(300000)))
    (root / "secret.txt").write_bytes(b"top secret\n")
    return root


@pytest.fixture(scope="module")
def server(site, tmp_path_factory):
    s = Server("--folder", site / "static", exe=STATIC_SERVER,
               log_dir=tmp_path_factory.mktemp("log"))
    yield s
    s.kill()


def werkzeug_etag(path):
    st = os.stat(path)
    return f'"{st.st_mtime}-{st.st_size}-{zlib.adler32(str(path).encode()) & 0xFFFFFFFF}"'


def test_head_shows_flask_headers(server, site):
    status, h, _ = _curl(["-I", server.url("/static/a.txt")])
    assert status == 200
    assert h["content-type"] == "text/plain; charset=utf-8"
    assert h["content-length"] == "23"
    assert h["last-modified"] == "Thu, 02 Jan 2020 03:04:05 GMT"
    assert h["cache-control"] == "no-cache"
    assert h["content-disposition"] == "inline; filename=a.txt"
    assert h["etag"] == werkzeug_etag(site / "static" / "a.txt")
    assert "transfer-encoding" not in h


def test_get_body(server):
    status, h, body = _curl([server.url("/static/sub/s.css")])
    assert (status, body) == (200, b"body{}\n")
    assert h["content-type"] == "text/css; charset=utf-8"


def test_if_none_match_gives_304(server):
    _, h, _ = _curl(["-I", server.url("/static/a.txt")])
    status, h2, body = _curl(["-H", f"If-None-Match: {h['etag']}", server.url("/static/a.txt")])
    assert status == 304
    assert body == b""
    assert h2["etag"] == h["etag"]
    assert "content-length" not in h2 and "content-type" not in h2
    status, _, body = _curl(["-H", 'If-None-Match: "other"', server.url("/static/a.txt")])
    assert (status, body) == (200, TEXT)


def test_if_modified_since_gives_304(server):
    status, _, body = _curl(["-H", "If-Modified-Since: Thu, 02 Jan 2020 03:04:05 GMT",
                             server.url("/static/a.txt")])
    assert (status, body) == (304, b"")
    status, _, _ = _curl(["-z", "Wed, 01 Jan 2020 00:00:00 GMT", server.url("/static/a.txt")])
    assert status == 200


def test_range_gives_206(server):
    status, h, body = _curl(["-r", "0-9", server.url("/static/a.txt")])
    assert status == 206
    assert body == TEXT[:10]
    assert h["content-range"] == "bytes 0-9/23"
    assert h["content-length"] == "10"
    assert h["accept-ranges"] == "bytes"
    status, h, body = _curl(["-r", "-5", server.url("/static/a.txt")])
    assert (status, body, h["content-range"]) == (206, TEXT[-5:], "bytes 18-22/23")


def test_unsatisfiable_and_multiple_ranges_give_416(server):
    for r in ["100-", "0-1,4-5"]:
        status, h, body = _curl(["-r", r, server.url("/static/a.txt")])
        assert status == 416, r
        assert h["content-range"] == "bytes */23"
        assert b"416 Requested Range Not Satisfiable" in body


def test_if_range_mismatch_gives_whole_file(server):
    status, _, body = _curl(["-r", "0-4", "-H", 'If-Range: "stale"', server.url("/static/a.txt")])
    assert (status, body) == (200, TEXT)


def test_keep_alive_survives_304_and_206(server):
    """Three requests on one connection: the bodiless 304 and the 206 keep it usable."""
    _, h, _ = _curl(["-I", server.url("/static/a.txt")])
    p = subprocess.run(["curl", "-s", "-v", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null",
                        "-H", f"If-None-Match: {h['etag']}", server.url("/static/a.txt"),
                        "-H", "Range: bytes=1-2", server.url("/static/a.txt"),
                        server.url("/static/sub/s.css")], capture_output=True, check=True)
    err = p.stderr.decode()
    assert err.count("Re-using existing connection") == 2, err


@pytest.mark.parametrize("path", [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/sub/../../secret.txt",
    "/static/..%2fsecret.txt",
    "/static/sub%2f..%2f..%2fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/..\\secret.txt",
    "/static/a.txt%00.png",
    "/static/%2fetc/passwd",
    "/download/../secret.txt",
    "/download/%2e%2e/secret.txt",
    "/static/sub",
    "/static/nope.txt",
])
def test_traversal_gets_404(server, path):
    status, h, body = _curl(["--path-as-is", server.url(path)])
    if status == 308:
        # "//" folded by the router (as Werkzeug's merge_slashes does): the
        # redirect (absolute, as Werkzeug's) stays under /static/ of this
        # server, where the path is refused in turn.
        loc = urllib.parse.urlsplit(h["location"])
        assert loc.netloc == f"127.0.0.1:{server.port}", h
        assert loc.path.startswith("/static/") and "//" not in loc.path, h
        status, _, body = _curl(["--path-as-is", server.url(loc.path)])
    assert status in (400, 404), (path, status)
    assert b"top secret" not in body and b"root:" not in body


def test_download_is_an_attachment(server):
    status, h, body = _curl([server.url("/download/sub/s.css")])
    assert (status, body) == (200, b"body{}\n")
    assert h["content-disposition"] == "attachment; filename=s.css"


def test_large_file_streams_whole_and_in_ranges(server, site):
    data = (site / "static" / "big.bin").read_bytes()
    status, h, body = _curl([server.url("/big")])
    assert status == 200 and body == data
    assert h["content-length"] == str(len(data))
    assert h["cache-control"] == "public, max-age=3600"
    assert "expires" in h
    status, h, body = _curl(["-r", "65530-200000", server.url("/static/big.bin")])
    assert status == 206 and body == data[65530:200001]


def test_url_path_and_symlink_confinement(site, tmp_path):
    link = site / "static" / "escape.txt"
    if not link.exists():
        link.symlink_to(site / "secret.txt")
    s = Server("--folder", site / "static", "--url-path", "/assets", "--confine",
               exe=STATIC_SERVER, log_dir=tmp_path)
    try:
        assert _curl([s.url("/assets/a.txt")])[2] == TEXT
        assert _curl([s.url("/static/a.txt")])[0] == 404
        assert _curl([s.url("/assets/escape.txt")])[0] == 404
    finally:
        s.kill()


# ---- differential: the same requests to Flask 2.2 and to phial ------------------

COMPARED = ["content-type", "content-length", "content-range", "accept-ranges", "etag",
            "last-modified", "cache-control", "content-disposition", "content-encoding"]


def _matrix(etag):
    lm = "Thu, 02 Jan 2020 03:04:05 GMT"
    return [
        {},
        {"If-None-Match": etag},
        {"If-None-Match": f'"x", W/{etag}'},
        {"If-None-Match": '"other"'},
        {"If-None-Match": "*"},
        {"If-Modified-Since": lm},
        {"If-Modified-Since": "Thu, 02 Jan 2020 03:04:04 GMT"},
        {"If-Modified-Since": lm, "If-None-Match": '"other"'},
        {"If-Match": '"other"'},
        {"If-Match": etag},
        {"Range": "bytes=0-9"},
        {"Range": "bytes=-5"},
        {"Range": "bytes=20-"},
        {"Range": "bytes=23-"},
        {"Range": "bytes=-100"},
        {"Range": "bytes=0-1,4-5"},
        {"Range": "items=0-1"},
        {"Range": "bytes= 1 - 2 "},
        {"Range": "bytes=0-4", "If-Range": etag},
        {"Range": "bytes=0-4", "If-Range": '"stale"'},
        {"Range": "bytes=0-4", "If-Range": lm},
        {"Range": "bytes=0-4", "If-Range": "Wed, 01 Jan 2020 00:00:00 GMT"},
        {"Range": "bytes=0-4", "If-None-Match": etag},
        {"Range": "bytes=0-4", "If-Match": '"other"'},
    ]


def test_same_answers_as_flask(server, site):
    from flask import Flask

    app = Flask("oracle", static_folder=str(site / "static"))
    client = app.test_client()
    etag = werkzeug_etag(site / "static" / "a.txt")
    for method in ["GET", "HEAD"]:
        for headers in _matrix(etag):
            want = client.open("/static/a.txt", method=method, headers=headers)
            args = ["-I"] if method == "HEAD" else []
            for k, v in headers.items():
                args += ["-H", f"{k}: {v}"]
            status, got, body = _curl(args + [server.url("/static/a.txt")])
            where = f"{method} {headers}"
            assert status == want.status_code, where
            if method == "GET":
                assert body == want.data, where
            for name in COMPARED:
                assert got.get(name) == want.headers.get(name), (where, name)


def test_slow_download_does_not_hold_up_others(server, site):
    """A client reading a 64 MB file at 1 MB/s keeps its request suspended on
    backpressure; other requests on the same worker are answered meanwhile."""
    import time

    huge = site / "static" / "huge.bin"
    with open(huge, "wb") as f:
        f.truncate(64 << 20)  # sparse: costs no disk
    slow = subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--limit-rate", "1M",
                             server.url("/static/huge.bin")])
    try:
        time.sleep(0.3)
        assert slow.poll() is None, "the slow download should still be running"
        t0 = time.monotonic()
        for _ in range(5):
            assert _curl([server.url("/static/a.txt")])[2] == TEXT
        assert time.monotonic() - t0 < 2.0
        assert slow.poll() is None
    finally:
        slow.kill()
        slow.wait()
    # The client left mid-body: the producer stopped, the server lives on.
    time.sleep(0.2)
    assert server.proc.poll() is None
    assert _curl([server.url("/static/a.txt")])[2] == TEXT
