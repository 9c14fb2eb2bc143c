"""What the request reads from its headers, compared over a real socket
with what Werkzeug 2.2 (Debian's python3-werkzeug, Flask's) reads from the
same header values: request.authorization (Basic and Digest), access_route
(X-Forwarded-For lists with quoting), the Accept headers' best_match and
quality (MIMEAccept, LanguageAccept, Accept), referrer, user_agent,
is_secure, and the body's content_type, mimetype, mimetype_params, is_json
and content_length.

The app is tests/tools/headers_app.c; the oracle is werkzeug.http itself,
run on the header value the server received. Cases are hand-picked edge
cases plus a few hundred generated from a fixed seed, so a failure names a
reproducible value."""
import base64
import io
import random

import httpx
import pytest
from werkzeug.datastructures import Accept, LanguageAccept, MIMEAccept
from werkzeug.http import parse_accept_header, parse_authorization_header, parse_list_header
from werkzeug.wrappers import Request

from conftest import BUILD_DIR
from server_util import Server

HEADERS_APP = BUILD_DIR / "tests" / "test_headers_app"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    assert HEADERS_APP.exists(), f"{HEADERS_APP} is not built"
    s = Server("run", "--no-access-log", exe=HEADERS_APP, log_dir=tmp_path_factory.mktemp("log"))
    with httpx.Client(base_url=f"http://127.0.0.1:{s.port}", timeout=30) as c:
        yield c
    s.kill()


def b64(raw):
    return base64.b64encode(raw).decode()


AUTH_CASES = [
    "Basic " + b64(b"alice:secret"),
    "basic " + b64(b"alice:secret"),
    "BASIC   " + b64(b"alice:se:cret"),
    "Basic " + b64(b"alice"),                     # no colon
    "Basic " + b64(b":"),
    "Basic " + b64("j\u00f6rg:p\u00e4ss".encode()),
    "Basic " + b64(b"\xff:x"),                    # not UTF-8
    "Basic " + b64(b"a\x00b:c"),                  # NUL: refused by phial, see below
    "Basic " + b64(b"alice:secret")[:-1],         # missing padding
    "Basic " + b64(b"alice:secret") + "==junk",  # "=" with no group open: skipped
    "Basic YWxp Y2U6 c2Vj cmV0",                 # whitespace inside: skipped
    "Basic YWxpY2U6c2VjcmV0!!",                  # outside the alphabet: skipped
    "Basic YQ=:Yg==",
    "Basic YWJj=ZGVm",
    "Basic =YWxpY2U6eA==",
    "Basic \u00e9" + b64(b"a:b"),                 # not ASCII
    "Basic",
    "",
    "Bearer abc.def.ghi",
    "Token " + b64(b"alice:secret"),
    'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
    'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", '
    'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    'Digest username="a", realm="r", nonce="n", uri="/", response="x"',
    'Digest username="a", realm="r", nonce="n", uri="/"',                  # no response
    'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth',  # no nc
    'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth, nc="", cnonce=c',
    'Digest username, realm=r, nonce=n, uri=/, response=x',                # username without value
    'Digest username="a,b", realm="r\\"q", nonce=n, uri="/a,b", response=x, realm="second"',
    'Digest username=""a"", realm="\\\\x", nonce=n, uri=/, response=x',
    'Digest  username = "a" , realm=r,nonce=n,uri=/,response=x',
    'Digest username="\u00e9", realm=r, nonce=n, uri=/, response=x',
    'Digest username="unterminated, realm=r, nonce=n, uri=/, response=x',
]

DIGEST_KEYS = ["username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce", "opaque"]
DIGEST_VALUES = ["x", '"x"', '"a,b"', '"a\\"b"', "", '""', '"x y"', '"\\\\"', '""q""', "a=b",
                 '"', "x", '"y"', "z"]


def generated_auth(n, seed=20261207):
    """Basic credentials (sometimes damaged) and Digest parameter lists
    (sometimes missing a key, repeating one, or oddly quoted)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        if rng.random() < 0.5:
            words = [b"alice", b"", b"a:b", b"j\xc3\xb6rg", b" ", b"\xff", b"x" * 40]
            raw = rng.choice(words) + rng.choice([b":", b":", b""]) + rng.choice(words)
            text = b64(raw)
            if rng.random() < 0.3 and text:
                i = rng.randrange(len(text))
                text = text[:i] + rng.choice(["", "=", " ", "!", "==", "A"]) + text[i + 1:]
            scheme = rng.choice(["Basic", "basic", "BASIC"])
        else:
            keys = [k for k in DIGEST_KEYS[:5] if rng.random() < 0.95]
            keys += [k for k in DIGEST_KEYS[5:] if rng.random() < 0.4]
            rng.shuffle(keys)
            if rng.random() < 0.2:
                keys.append(rng.choice(DIGEST_KEYS))
            parts = []
            for k in keys:
                eq = rng.choice(["=", "=", "=", " = ", ""])
                parts.append(k + eq + (rng.choice(DIGEST_VALUES) if eq else ""))
            text = rng.choice([", ", ",", " ,"]).join(parts)
            scheme = rng.choice(["Digest", "digest"])
        out.append((scheme + rng.choice([" ", "  ", "\t"]) + text).strip(" \t"))
    return out


def werkzeug_auth(value):
    a = parse_authorization_header(value)
    if a is None:
        return None
    if a.type == "basic":
        if "\x00" in a.username or "\x00" in a.password:
            return None  # a C string cannot hold it: phial refuses the credentials
        return {"type": "basic", "username": a.username, "password": a.password, "params": []}
    return {"type": "digest", "username": a.username, "password": None,
            "params": [[k, v] for k, v in a.items()]}


@pytest.mark.parametrize("value", AUTH_CASES + generated_auth(400))
def test_authorization_reads_as_werkzeug_reads_it(client, value):
    headers = {"Authorization": value.encode("utf-8")} if value else {"Authorization": ""}
    got = client.get("/auth", headers=headers)
    assert got.status_code == 200
    # the server received the bytes; Werkzeug gets them as WSGI's latin-1 text
    wsgi_value = value.encode("utf-8").decode("latin-1")
    assert got.json() == werkzeug_auth(wsgi_value), value


def test_no_authorization_header_is_none(client):
    assert client.get("/auth").json() is None


ROUTE_CASES = [
    "203.0.113.7",
    "203.0.113.7, 198.51.100.2",
    "203.0.113.7,198.51.100.2 ,  10.0.0.1",
    '"203.0.113.7", "2001:db8::1"',
    '"a,b", c',
    '"a\\"b", "x\\\\y"',
    '""a""',
    "a,,b",
    "a,",
    ",a",
    '"',
    '"unterminated, x',
    "unknown",
]


@pytest.mark.parametrize("value", ROUTE_CASES)
def test_access_route_reads_x_forwarded_for_as_werkzeug(client, value):
    got = client.get("/route", headers={"X-Forwarded-For": value}).json()
    assert got["access_route"] == parse_list_header(value)


def test_access_route_joins_repeated_headers_and_falls_back_to_the_client(client):
    got = client.get("/route", headers=[("X-Forwarded-For", "1.1.1.1"),
                                        ("X-Forwarded-For", "2.2.2.2, 3.3.3.3")]).json()
    assert got["access_route"] == ["1.1.1.1", "2.2.2.2", "3.3.3.3"]
    assert client.get("/route").json()["access_route"] == ["127.0.0.1"]


def test_referrer_user_agent_and_is_secure(client):
    got = client.get("/route", headers={"Referer": "https://example.com/from",
                                        "User-Agent": "phial-test/1.0"}).json()
    assert got["referrer"] == "https://example.com/from"
    assert got["user_agent"] == "phial-test/1.0"
    assert got["is_secure"] is False
    bare = client.get("/route", headers={"User-Agent": ""}).json()
    assert bare["referrer"] is None and bare["user_agent"] == ""


# ---- content negotiation -------------------------------------------------------

ACCEPT_KINDS = {
    "mime": ("Accept", MIMEAccept,
             ["text/html", "application/json", "*/*", "text/*", "application/*", "image/png",
              "text/html;level=1", "TEXT/HTML", "application/xhtml+xml",
              "text/plain; charset=utf-8", "*/html", "html", "text/html;level=2;x=y"],
             ["text/html", "application/json", "text/plain", "image/png", "text/html;level=1",
              "application/xml", "TEXT/Html", "*/*", "text/*", "text/plain;charset=utf-8"]),
    "lang": ("Accept-Language", LanguageAccept,
             ["en", "en-US", "en_us", "fr", "fr-CA", "de", "*", "EN-gb", "zh-Hant-TW", "es-419"],
             ["en", "en-US", "en-GB", "fr", "fr-FR", "de-DE", "es", "zh", "pt-BR", "EN_us"]),
    "enc": ("Accept-Encoding", Accept,
            ["gzip", "deflate", "br", "identity", "*", "GZIP", "x-gzip"],
            ["gzip", "br", "identity", "zstd", "Deflate"]),
}
WEIGHTS = ["", "", ";q=0", ";q=0.5", ";q=1", ";q=0.9", " ; q=0.3", ";q=", ";q=abc", ";q=1.5",
           ";q=.25", ";q=0.5;ext=1", ";q=007", ";x=1;q=0.2"]

ACCEPT_CASES = [
    ("mime", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     ["application/json", "text/html"]),
    ("mime", "application/json", ["text/html"]),
    ("mime", "*/*", ["text/html", "application/json"]),
    ("mime", "text/*;q=0.5, text/html", ["text/plain", "text/html"]),
    ("mime", "text/html;level=1, text/html;q=0.5", ["text/html", "text/html;level=1"]),
    ("mime", "application/json;q=0", ["application/json"]),
    ("lang", "en-US,en;q=0.9,fr;q=0.8", ["fr", "en-GB", "de"]),
    ("lang", "en", ["en-US", "en-GB"]),
    ("lang", "en-US", ["en"]),
    ("lang", "fr-CA;q=0.5, *;q=0.1", ["de", "fr-FR"]),
    ("enc", "gzip, deflate, br", ["br", "gzip"]),
    ("enc", "*;q=0, identity", ["gzip", "identity"]),
]


def generated_accept(n, seed=7):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        kind = ["mime", "lang", "enc"][i % 3]
        _, _, items, offers = ACCEPT_KINDS[kind]
        value = rng.choice([",", ", ", " ,"]).join(
            rng.choice(items) + rng.choice(WEIGHTS) for _ in range(rng.randrange(1, 5)))
        out.append((kind, value, rng.sample(offers, rng.randrange(1, 4))))
    return out


@pytest.mark.parametrize("kind,value,offers", ACCEPT_CASES + generated_accept(300))
def test_accept_headers_negotiate_as_werkzeug(client, kind, value, offers):
    header, cls, _, _ = ACCEPT_KINDS[kind]
    got = client.get("/accept", params=[("h", kind), ("default", "none!")] +
                     [("offer", o) for o in offers], headers={header: value}).json()
    acc = parse_accept_header(value, cls)
    assert got["best"] == acc.best_match(offers, "none!"), (value, offers)
    assert got["quality"] == [acc.quality(o) for o in offers], (value, offers)


def test_no_accept_header_accepts_nothing(client):
    got = client.get("/accept", params=[("offer", "text/html"), ("default", "x")],
                     headers={"Accept": ""}).json()
    assert got == {"best": "x", "quality": [0]}


# ---- Content-Type and Content-Length ---------------------------------------------

CONTENT_TYPES = [
    "text/html",
    "Text/HTML; Charset=UTF-8",
    "application/json",
    "APPLICATION/JSON;x",
    "application/json garbage",
    "application/json\t; a=b",
    "application/vnd.api+json",
    "application/ld+json;",
    "application/+json",
    "application/jsonx",
    "app/json+json",
    "text/json",
    "a,b",
    ";x=1",
    ",application/json",
    "=",
    "multipart/form-data; boundary=abc",
]


def generated_content_types(n, seed=11):
    """Media types glued from pieces that Werkzeug's lenient scan and the
    JSON test care about: case, separators, spaces, parameters."""
    rng = random.Random(seed)
    pieces = ["application", "APPLICATION", "text", "x", "/", "json", "JSON", "+json", "+",
              "vnd.a", ";", ",", " ", "\t", "=", '"', "charset=utf-8", "q", "\\"]
    out = []
    while len(out) < n:
        # a client sends no white space around a value (h11 refuses it)
        v = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 7))).strip(" \t")
        if v:
            out.append(v)
    return out


def werkzeug_request(content_type):
    env = {"REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO(), "SERVER_NAME": "x",
           "SERVER_PORT": "80", "wsgi.url_scheme": "http", "PATH_INFO": "/", "QUERY_STRING": ""}
    if content_type is not None:
        env["CONTENT_TYPE"] = content_type
    return Request(env)


@pytest.mark.parametrize("value", CONTENT_TYPES + generated_content_types(200))
def test_mimetype_and_is_json_read_as_werkzeug_reads_them(client, value):
    got = client.get("/content", headers={"Content-Type": value}).json()
    # the oracle reads what the server received (it strips surrounding spaces)
    want = werkzeug_request(got["content_type"])
    assert got["content_type"] == value.strip(" \t")
    assert (got["mimetype"], got["is_json"]) == (want.mimetype, want.is_json), value


@pytest.mark.parametrize("value,names", [
    ("text/plain; charset=utf-8", ["charset", "format"]),
    ("Text/HTML; Charset=UTF-8", ["charset", "CHARSET"]),
    ("text/plain;charset=utf-8;format=flowed", ["format", "charset"]),
    ('text/plain; charset="utf\\"8"', ["charset"]),
    ('text/plain; title="a;b, c"', ["title"]),
    ("text/x; a=1; a=2", ["a"]),
    ("multipart/form-data; boundary=----x", ["boundary"]),
])
def test_mimetype_params_of_well_formed_headers_read_as_werkzeug(client, value, names):
    got = client.get("/content", params=[("p", n) for n in names],
                     headers={"Content-Type": value}).json()
    params = werkzeug_request(value).mimetype_params
    assert got["params"] == [params.get(n.lower()) for n in names]


@pytest.mark.parametrize("value", ['text/plain; charset="open; c=d', "text/plain; c=d e", "x; c=d",
                                   'text/plain; c=a"b'])
def test_mimetype_params_of_malformed_headers_are_none(client, value):
    """A documented difference: Werkzeug's lenient parser finds parameters
    in these; phial reads parameters only from a header that follows RFC
    9110's grammar."""
    got = client.get("/content", params=[("p", "charset"), ("p", "c")],
                     headers={"Content-Type": value}).json()
    assert got["params"] == [None, None]
    assert werkzeug_request(value).mimetype_params != {}


def test_a_parameter_without_a_value_is_empty(client):
    """A documented difference: Werkzeug reads it as None."""
    got = client.get("/content", params=[("p", "q")],
                     headers={"Content-Type": "text/plain; q"}).json()
    assert got["params"] == [""]
    assert werkzeug_request("text/plain; q").mimetype_params == {"q": None}


def test_no_content_type_is_an_empty_mimetype(client):
    got = client.get("/content").json()
    want = werkzeug_request(None)
    assert (got["content_type"], got["mimetype"], got["is_json"]) == (
        None, want.mimetype, want.is_json) == (None, "", False)


def test_non_ascii_mimetypes_keep_their_bytes(client):
    """A documented difference: Werkzeug lowercases the header read as
    Latin-1 ("\u00c9" is two Latin-1 letters), phial ASCII letters only."""
    got = client.get("/content", headers={"Content-Type": "T\u00c9XT/x".encode()}).json()
    assert got["mimetype"] == "t\u00c9xt/x"


def test_content_length_is_the_header_and_none_when_chunked(client):
    got = client.post("/content", content=b"hello").json()
    assert got["content_length"] == 5
    assert client.post("/content", content=b"").json()["content_length"] == 0
    assert client.get("/content").json()["content_length"] is None

    def chunks():
        yield b"he"
        yield b"llo"
    assert client.post("/content", content=chunks()).json()["content_length"] is None
