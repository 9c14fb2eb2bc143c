"""Framework-level abuse over real sockets, against tests/tools/abuse_app.c
(built as tests/test_abuse_app, served with its `run` command): deep JSON
nesting, forged, tampered, expired and replayed session cookies, CR/LF and
NUL in a redirect target, a header value and a cookie value the app sets
from client input, and path traversal through send_from_directory with the
path taken from the query string (test_static.py covers the URL path)."""
import socket
import time
import urllib.parse
import zlib
import base64

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from conftest import BUILD_DIR
from server_util import Conn, Server

ABUSE_APP = BUILD_DIR / "tests" / "test_abuse_app"
SECRET = "abuse-secret"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("abuse")
    site = root / "site"
    (site / "sub").mkdir(parents=True)
    (site / "a.txt").write_text("public a\n")
    (site / "sub" / "b.txt").write_text("public b\n")
    (root / "secret.txt").write_text("top secret\n")
    return site


@pytest.fixture(scope="module")
def app(files, tmp_path_factory):
    assert ABUSE_APP.exists(), f"{ABUSE_APP} is not built"
    s = Server("run", "--no-access-log", exe=ABUSE_APP, log_dir=tmp_path_factory.mktemp("log"),
               env={"ABUSE_FILES": str(files)})
    yield s
    s.kill()


def request(port, method, path, headers=(), body=b""):
    with Conn(port, timeout=15) as c:
        head = f"{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
        for name, value in headers:
            head += f"{name}: {value}\r\n"
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        c.send(head.encode("latin-1") + b"\r\n" + body)
        return c.read_response()


def raw_response(port, path):
    with Conn(port, timeout=15) as c:
        c.send(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        return c.read_until_close()


def post_json(port, body):
    return request(port, "POST", "/json", [("Content-Type", "application/json")], body)


# ---- deep JSON --------------------------------------------------------------------


def test_json_within_the_depth_limit_is_served(app):
    r = post_json(app.port, b"[" * 128 + b"]" * 128)
    assert r.status == 200
    assert r.body.strip() == b"[" * 128 + b"]" * 128


@pytest.mark.parametrize("depth", [129, 513, 1000, 100000])
def test_json_nesting_past_the_limit_is_400(app, depth):
    t0 = time.monotonic()
    r = post_json(app.port, b"[" * depth + b"]" * depth)
    assert r.status == 400
    assert time.monotonic() - t0 < 5


def test_unclosed_deep_json_is_400(app):
    assert post_json(app.port, b'{"a":' * 50000).status == 400


def test_large_json_is_parsed_off_the_loop(app):
    """A large body costs the parser long (3.6 MB of `[]`: about half a
    second): the worker answers other requests meanwhile. Parsed on the
    loop, the other request would wait for the parse and the JSON answer
    would come first."""
    import select
    n = 1_200_000
    body = b"[" + b"[]," * (n - 1) + b"[]]"
    with Conn(app.port, timeout=60) as big:
        big.send(b"POST /json/size HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                 b"Content-Type: application/json\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.05)  # the last bytes arrive and the parse begins
        r = request(app.port, "GET", "/")
        assert r.status == 200 and r.body == b"ok"
        readable, _, _ = select.select([big.sock], [], [], 0)
        assert not readable, "the JSON answer came before the other request's"
        r = big.read_response()
        assert r.status == 200 and r.body == str(n).encode()


def test_large_malformed_or_deep_json_off_the_loop_is_400(app):
    assert post_json(app.port, b"[" + b"[]," * 100_000 + b"[}").status == 400
    assert post_json(app.port, b"[" * 20_000 + b"]" * 20_000).status == 400
    r = post_json(app.port, b"[" + b"1," * 10_000 + b"1]")
    assert r.status == 200 and r.body.strip() == b"[" + b"1," * 10_000 + b"1]"


def test_brackets_inside_strings_do_not_count(app):
    body = b'["' + b"[" * 5000 + b'"]'
    r = post_json(app.port, body)
    assert r.status == 200


# ---- session cookies ----------------------------------------------------------------


def flask_cookie(data, key=SECRET):
    f = Flask("forge")
    f.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(f).dumps(data)


def whoami(port, cookie):
    return request(port, "GET", "/whoami", [("Cookie", f"session={cookie}")]).body


def test_session_signed_with_the_key_is_read(app):
    assert whoami(app.port, flask_cookie({"user": "alice"})) == b"alice"


@pytest.mark.parametrize("forge", [
    lambda: flask_cookie({"user": "admin"}, key="guessed-key"),
    lambda: flask_cookie({"user": "alice"})[:-3] + "AAA",                 # bad signature
    lambda: "eyJ1c2VyIjoiYWRtaW4ifQ.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA",  # made up
    lambda: base64.urlsafe_b64encode(b'{"user":"admin"}').decode().rstrip("="),  # unsigned
    lambda: flask_cookie({"user": "alice"}).split(".", 1)[1],             # payload cut off
    lambda: "." + "A" * 3000,                                             # "compressed" junk
    lambda: "x" * 3900,
    lambda: "",
])
def test_forged_session_cookies_give_an_empty_session(app, forge):
    assert whoami(app.port, forge()) == b"anon"


def test_tampered_payload_with_the_old_signature_is_refused(app):
    good = flask_cookie({"user": "alice"})
    payload, rest = good.split(".", 1)
    evil = base64.urlsafe_b64encode(b'{"user":"admin"}').decode().rstrip("=")
    assert whoami(app.port, evil + "." + rest) == b"anon"


def test_compression_bomb_in_a_signed_cookie_is_refused(app):
    """Even with the key, a payload inflating past the cap is dropped, fast."""
    from itsdangerous import URLSafeTimedSerializer
    import hashlib
    bomb = zlib.compress(b'{"user":"' + b"a" * (4 * 1024 * 1024) + b'"}', 9)
    payload = "." + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    # the input is fixed, so the bomb is too: about 4 KiB, within one header
    assert len(payload) <= 7000, len(payload)
    s = URLSafeTimedSerializer(SECRET, salt="cookie-session",
                               signer_kwargs={"key_derivation": "hmac",
                                              "digest_method": hashlib.sha1})
    cookie = s.make_signer("cookie-session").sign(payload.encode()).decode()
    t0 = time.monotonic()
    assert whoami(app.port, cookie) == b"anon"
    assert time.monotonic() - t0 < 3


def test_expired_session_cookie_is_refused(app):
    """A captured cookie replays only until PERMANENT_SESSION_LIFETIME (31
    days): one signed 32 days ago is refused."""
    f = Flask("forge")
    f.secret_key = SECRET
    ser = SecureCookieSessionInterface().get_signing_serializer(f)
    old = time.time() - 32 * 24 * 3600
    signer = ser.make_signer("cookie-session")
    signer.get_timestamp = lambda: int(old)
    payload = ser.dump_payload({"user": "alice"})
    cookie = signer.sign(payload).decode()
    assert whoami(app.port, cookie) == b"anon"


def test_replayed_session_cookie_is_accepted_as_flask_does(app):
    """Sessions live in the cookie (as Flask's default): a copy taken before
    the session changed still reads as the old session. docs/security.md
    says so; an app that must revoke keeps server-side state."""
    r = request(app.port, "GET", "/login?user=alice")
    first = r.header("Set-Cookie").split(";")[0].split("=", 1)[1]
    r = request(app.port, "GET", "/login?user=bob", [("Cookie", f"session={first}")])
    second = r.header("Set-Cookie").split(";")[0].split("=", 1)[1]
    assert whoami(app.port, second) == b"bob"
    assert whoami(app.port, first) == b"alice"


# ---- CR/LF and NUL in values the app sets -------------------------------------------


BAD = ["%0d%0aX-Injected:%201", "%0aX-Injected:%201", "%0dX-Injected:%201",
       "%0d%0a%0d%0a<script>x</script>"]


def no_injection(raw):
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nX-Injected" not in head and b"\nX-Injected" not in head, raw
    assert b"<script>" not in head


@pytest.mark.parametrize("bad", BAD)
def test_redirect_target_with_crlf_is_refused(app, bad):
    raw = raw_response(app.port, "/redirect?to=/next" + bad)
    assert raw.startswith(b"HTTP/1.1 500 "), raw[:100]
    no_injection(raw)


@pytest.mark.parametrize("bad", BAD)
def test_app_set_header_with_crlf_is_refused(app, bad):
    raw = raw_response(app.port, "/header?value=v" + bad)
    assert raw.startswith(b"HTTP/1.1 500 "), raw[:100]
    no_injection(raw)


@pytest.mark.parametrize("path", ["/redirect?to=/a%00b", "/header?value=a%00b",
                                  "/cookie?value=a%00b"])
def test_nul_in_a_query_value_never_reaches_the_wire(app, path):
    """Query values reach the app as C strings, so a decoded NUL ends the
    value there ("a"); nothing after it, and no NUL, is ever sent."""
    raw = raw_response(app.port, path)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\0" not in head and b"b\r\n" not in head, head


@pytest.mark.parametrize("bad", BAD)
def test_cookie_value_with_crlf_is_quoted_not_injected(app, bad):
    raw = raw_response(app.port, "/cookie?value=v" + bad)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nX-Injected" not in head
    assert b'Set-Cookie: c="v\\' in head, head  # quoted, octal escapes
    for line in head.split(b"\r\n")[1:]:
        assert b"\n" not in line and b"\r" not in line and b"\0" not in line


def test_clean_values_pass(app):
    assert request(app.port, "GET", "/redirect?to=/next").header("Location") == "/next"
    assert request(app.port, "GET", "/header?value=fine").header("X-App") == "fine"


# ---- traversal through send_from_directory --------------------------------------------


@pytest.mark.parametrize("p", [
    "../secret.txt", "sub/../../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt",
    "..%5csecret.txt", "sub%5c..%5c..%5csecret.txt", "/etc/passwd", "%2fetc%2fpasswd",
    "//etc/passwd", "%00", ".", "..", "sub", "sub/",
    "C:%5cWindows", "~/secret.txt", "sub/./../../secret.txt",
])
def test_send_from_directory_refuses_traversal(app, p):
    r = request(app.port, "GET", "/files?p=" + p)
    assert r.status in (400, 404), (p, r.status)
    assert b"top secret" not in r.body and b"root:" not in r.body


def test_nul_in_a_file_name_cuts_it_inside_the_folder(app):
    """The app sees "a.txt" (the value ends at the decoded NUL): what is
    after the NUL cannot lead out of the folder."""
    r = request(app.port, "GET", "/files?p=a.txt%00/../../secret.txt")
    assert b"top secret" not in r.body
    assert r.status in (200, 400, 404)


def test_send_from_directory_serves_inside(app):
    assert request(app.port, "GET", "/files?p=sub/b.txt").body == b"public b\n"
    assert request(app.port, "GET", "/files?p=a.txt").body == b"public a\n"


@pytest.mark.parametrize("path", [
    "/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt",
    "/static/%2e%2e%2fsecret.txt", "/static/..%5csecret.txt", "/static/a.txt%00",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd",
])
def test_static_folder_refuses_traversal(app, path):
    r = request(app.port, "GET", path)
    if r.status == 308:
        loc = r.header("Location")
        assert loc.startswith("/static/") or loc.startswith("http://t/static/"), loc
        r = request(app.port, "GET", urllib.parse.urlsplit(loc).path)
    assert r.status in (400, 404), (path, r.status)
    assert b"top secret" not in r.body and b"root:" not in r.body


# ---- request.stream -----------------------------------------------------------------

def test_a_streamed_upload_is_not_held_in_memory(app):
    """64 MiB read through request.stream: the worker's resident memory
    grows by far less than the body, which it never holds whole."""
    piece = bytes(range(256)) * 4096  # 1 MiB
    pieces = 64
    crc = 0
    for _ in range(pieces):
        crc = zlib.crc32(piece, crc)
    rss0 = app.rss_bytes()
    with Conn(app.port, timeout=60) as c:
        c.send(b"POST /stream HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % (pieces * len(piece)))
        for _ in range(pieces):
            c.send(piece)
        r = c.read_response()
    assert r.status == 200 and r.body.decode() == f"{pieces * len(piece)} {crc:08x}"
    assert app.rss_bytes() - rss0 < 16 * 1024 * 1024, app.rss_bytes() - rss0


def test_a_small_streamed_upload_in_chunks(app):
    data = b"hello, stream"
    with Conn(app.port, timeout=15) as c:
        c.send(b"POST /stream HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n8\r\n, stream\r\n0\r\n\r\n")
        r = c.read_response()
    assert r.status == 200 and r.body.decode() == f"{len(data)} {zlib.crc32(data):08x}"


def test_still_serving(app):
    assert request(app.port, "GET", "/").body == b"ok"


# ---- a stalled body, a client that leaves ------------------------------------


def test_a_form_body_that_stalls_is_408(files, tmp_path):
    s = Server("run", "--no-access-log", "--timeout-body", "1", exe=ABUSE_APP, log_dir=tmp_path,
               env={"ABUSE_FILES": str(files)})
    try:
        with Conn(s.port, timeout=15) as c:
            c.send("POST /work HTTP/1.1\r\nHost: t\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n"
                   "Content-Length: 100\r\n\r\nv=a")
            t0 = time.monotonic()
            r = c.read_response()
            waited = time.monotonic() - t0
        assert r.status == 408 and waited >= 0.9, (r.status, waited)
        assert request(s.port, "GET", "/").status == 200
    finally:
        s.kill()


def test_a_response_the_client_left_is_logged_incomplete_and_quietly(files, tmp_path):
    """A client that goes away mid-download is no error of the app's: no
    ERROR line, and the access line says the response did not arrive whole."""
    (files / "big.bin").write_bytes(b"x" * (32 << 20))
    s = Server("run", exe=ABUSE_APP, log_dir=tmp_path, env={"ABUSE_FILES": str(files)})
    try:
        for _ in range(3):
            with Conn(s.port, timeout=15) as c:
                c.send("GET /files?p=big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
                c.sock.recv(1024)  # the head has come; leave without the rest
        s.wait_log(r'"GET /files\?p=big\.bin HTTP/1\.1" 200 OK \(incomplete\)')
        assert request(s.port, "GET", "/files?p=a.txt").status == 200
        s.wait_log(r'"GET /files\?p=a\.txt HTTP/1\.1" 200 OK\n')
        assert "ERROR" not in s.log(), s.log()[-2000:]
    finally:
        s.kill()
        (files / "big.bin").unlink()


def test_a_client_that_leaves_while_its_json_is_parsed(files, tmp_path):
    """The request is cancelled while its body is parsed on the thread pool:
    the parse runs out, its value is freed (LeakSanitizer checks it at exit
    in the sanitizer run), nothing is logged as an error, and the server
    keeps serving."""
    s = Server("run", exe=ABUSE_APP, log_dir=tmp_path, env={"ABUSE_FILES": str(files)})
    try:
        body = b"[" + b"[]," * 600_000 + b"[]]"
        for _ in range(2):
            with Conn(s.port, timeout=15) as c:
                c.send(b"POST /json/size HTTP/1.1\r\nHost: t\r\n"
                       b"Content-Type: application/json\r\n"
                       + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        s.wait_log(r'"POST /json/size HTTP/1\.1" \d+ [^\n]*\(incomplete\)(?:[^\n]*\n){0,5}'
                   r'[^\n]*"POST /json/size HTTP/1\.1" \d+ [^\n]*\(incomplete\)')
        assert request(s.port, "GET", "/").status == 200
        rc, log = s.stop()
        assert rc == 0, log[-2000:]
        assert "ERROR" not in log and "Sanitizer" not in log, log[-3000:]
    finally:
        s.kill()


def test_shutdown_keeps_to_its_timeout_with_a_client_that_does_not_read(files, tmp_path):
    """--timeout-graceful-shutdown bounds the shutdown: a client that takes
    no more of its response is dropped then, not after the write timeout,
    and the warning is said once."""
    (files / "big.bin").write_bytes(b"x" * (32 << 20))
    s = Server("run", "--no-access-log", "--timeout-graceful-shutdown", "1", exe=ABUSE_APP,
               log_dir=tmp_path, env={"ABUSE_FILES": str(files)})
    try:
        with Conn(s.port, timeout=15) as c:
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.send("GET /files?p=big.bin HTTP/1.1\r\nHost: t\r\n\r\n")
            c.sock.recv(1024)  # the response has begun; read no more of it
            time.sleep(0.3)
            t0 = time.monotonic()
            rc, log = s.stop()
            took = time.monotonic() - t0
        assert rc == 0, log[-2000:]
        assert took < 3.5, (took, log[-2000:])
        assert log.count("graceful shutdown:") == 1, log[-2000:]
    finally:
        s.kill()
        (files / "big.bin").unlink()


# ---- form memory ---------------------------------------------------------------
# Fields that are not files live in memory: an urlencoded form and the text
# fields of a multipart form share the same 1 MiB limit, refused with 413 as
# soon as the body passes it; files are spooled and not counted.

def multipart(parts, boundary="XX"):
    out = b""
    for name, value, filename in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\n\r\n".encode() + value + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def test_a_multipart_text_field_over_the_form_limit_is_413(app):
    body = multipart([("v", b"A" * (2 << 20), None)])
    r = request(app.port, "POST", "/work", [("Content-Type", "multipart/form-data; boundary=XX")],
                body)
    assert r.status == 413


def test_multipart_text_fields_share_the_limit(app):
    body = multipart([(f"f{i}", b"B" * (300 << 10), None) for i in range(4)])
    r = request(app.port, "POST", "/work", [("Content-Type", "multipart/form-data; boundary=XX")],
                body)
    assert r.status == 413


def test_a_large_file_is_not_counted_against_the_form_limit(app):
    body = multipart([("v", b"small", None), ("up", b"C" * (3 << 20), "big.bin")])
    r = request(app.port, "POST", "/work", [("Content-Type", "multipart/form-data; boundary=XX")],
                body)
    assert r.status == 200, r.body[:200]


def test_an_urlencoded_form_over_the_limit_is_413(app):
    r = request(app.port, "POST", "/work",
                [("Content-Type", "application/x-www-form-urlencoded")], b"v=" + b"A" * (2 << 20))
    assert r.status == 413
    assert request(app.port, "GET", "/").status == 200
