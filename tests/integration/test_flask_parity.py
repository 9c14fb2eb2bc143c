"""Differential test against Flask 2.2 over HTTP. The same app is written
twice, in C (tests/tools/parity_app.c, served by its `run` command) and in
Flask (parity_flask_app.py, served by Werkzeug's server in a thread), and
every case sends the same raw HTTP/1.1 request to both and asserts the same
status code, the same headers an app controls (content type and length,
Location, Allow, Set-Cookie...) and the same body: routing, trailing slashes
and methods, every converter and its arguments, converters of the app's own
(app.url_map.converters: ph_app_add_converter), url_for, redirects, error
pages, query strings, forms, multipart, JSON bodies, jsonify, response
constructors, cookies both ways and the request's URL parts.

Status lines are compared by code only: phial's reason phrases are IANA's
(ph_status_reason, include/phial/http.h), Werkzeug's differ in places
(413 "Request Entity Too Large", 422 "Unprocessable Entity"). Requests the
HTTP server itself refuses before any app runs are compared by status only: Werkzeug's development server answers
those with http.server's page, not with a Flask one.

Cases where phial differs from Flask on purpose, as its documentation says,
are not compared: DOCUMENTED lists them with the reason, and
test_documented_difference checks phial's own documented answer (and
that Flask still answers otherwise: a difference that goes away moves to
the compared cases).
"""
import email.utils
import json
import logging
import re
import threading
import time
import urllib.parse
from typing import NamedTuple

import pytest
from werkzeug.serving import make_server

from conftest import BUILD_DIR
from parity_flask_app import create_app
from server_util import Conn, Server

PARITY_APP = BUILD_DIR / "tests" / "test_parity_app"
# Generous: under AddressSanitizer on a loaded 2-core CI host phial is slow.
TIMEOUT = 60.0


class Case(NamedTuple):
    id: str
    method: str
    target: bytes
    headers: tuple = ()  # (name, value) pairs; a value None drops the default Host
    body: bytes = b""
    # Refused by the HTTP server before any app runs: compare the status only.
    status_only: bool = False
    # JSON keys left out of the comparison (checked in DOCUMENTED instead).
    ignore_keys: tuple = ()


def _bytes(s):
    """Text as it goes on the wire: UTF-8 (raw bytes are given as bytes)."""
    return s if isinstance(s, bytes) else s.encode()


def case(method, target, headers=(), body=b"", id=None, **kw):
    target, body = _bytes(target), _bytes(body)
    if id is None:
        id = f"{method} {target.decode('latin-1')}"
        if headers:
            id += " " + "; ".join(f"{k}: {v!s}" for k, v in headers)
    return Case(id, method, target, tuple(headers), body, **kw)


def get(target, **kw):
    return case("GET", target, **kw)


def post(target, body, ctype=None, id=None, **kw):
    headers = (("Content-Type", ctype),) if ctype else ()
    return case("POST", target, headers, body, id=id or f"POST {target} {ctype or 'no type'}", **kw)


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MULTIPART = "multipart/form-data; boundary=XyZ"

# ---- routing, methods, trailing slashes ------------------------------------

ROUTING = [get(t) for t in [
    "/", "/strict", "/strict/", "/strict?x=1&y=%20", "/noslash", "/noslash/", "/loose", "/loose/",
    "/loose2", "/loose2/", "/a//b/", "/a/b//", "//a/b/", "/a//b", "/a/b", "/a/./b/",
    "/a/../a/b/", "/nothere", "/strict//", "/noslash//", "/a//b/?x=1",
    "/sl/a%20b", "/sl/%C3%A9", "/sl/a%2Fb", "/sl/x?q=%C3%A9&r=a+b",
    "/prec/fixed", "/prec/5", "/prec/abc", "/prec/5.5",
]] + [
    case("POST", "/strict", body="x", id="POST /strict (308 keeps the method)"),
    case("HEAD", "/strict"),
    case("OPTIONS", "/strict"),
    case("POST", "/post"),
    case("GET", "/post"),
    case("HEAD", "/post"),
    case("PUT", "/post"),
    case("OPTIONS", "/post"),
    case("OPTIONS", "/gp"),
    case("OPTIONS", "/all"),
    case("DELETE", "/gp"),
    case("PUT", "/gp"),
    case("HEAD", "/gp"),
    case("OPTIONS", "/noopt"),
    case("OPTIONS", "/split"),
    case("POST", "/split"),
    case("PUT", "/split"),
    case("OPTIONS", "*"),
    case("OPTIONS", "/nothere"),
    case("BREW", "/gp"),
    case("TRACE", "/gp"),
    case("HEAD", "/head"),
    case("GET", "/head"),
    case("POST", "/strict/"),
    case("POST", "/noslash/", id="POST /noslash/ (405, not a slash redirect)"),
    get("/strict", headers=[("Host", "example.com:80")]),
    get("/strict", headers=[("Host", "EXAMPLE.com")]),
]

# ---- converters ---------------------------------------------------------------

CONVERTERS = [get(t) for t in [
    "/int/42", "/int/0", "/int/007", "/int/-1", "/int/+1", "/int/1.0", "/int/9223372036854775807",
    "/int/%34%32", "/int/1_000",
    "/sint/-5", "/sint/+5", "/sint/-0", "/sint/5", "/sint/--5",
    "/rint/0", "/rint/1", "/rint/10", "/rint/11", "/rint/01",
    "/fint/007", "/fint/7", "/fint/0007", "/fint/1234", "/fint/123",
    "/float/1.5", "/float/1", "/float/1.", "/float/.5", "/float/-1.5", "/float/1e5",
    "/float/1.5e3", "/float/inf", "/float/nan", "/float/01.50", "/float/1.0", "/float/0.1",
    "/float/100.0", "/float/123456789.125",
    "/sfloat/-1.5", "/sfloat/+1.5", "/sfloat/1.5",
    "/path/a/b/c", "/path/a//b", "/path/", "/path/a/", "/path/%2F", "/path/a%2Fb", "/path/a%20b",
    "/path/..%2F..", "/path/%C3%A9", "/path/%FF", "/path/%E9", "/path/%C3%A9%C3",
    "/path/%ED%A0%80", "/path/%C0%AF",
    "/path/../x", "/path/./x", "/path/a/../b", "/path/%2E%2E/b", "/path/%5C",
    "/pathmid/a/b/end", "/pathmid/end", "/pathmid/a/end/end",
    "/uuid/12345678-1234-5678-1234-567812345678", "/uuid/12345678-1234-5678-1234-56781234567A",
    "/uuid/12345678123456781234567812345678", "/uuid/{12345678-1234-5678-1234-567812345678}",
    "/uuid/12345678-1234-5678-1234-5678123456",
    "/any/abc", "/any/xyz", "/any/ABC", "/any/ab", "/any/a%20b",
    "/str/hello", "/str/a%2Fb", "/str/a%20b", "/str/a+b", "/str/%C3%A9", "/str/%FF", "/str/%E9",
    "/str/%", "/str/%zz", "/str/;x", "/str/a;b=c", "/str/x?q", "/str/%3F", "/str/%2e%2e",
    "/str/..", "/str/a%20b%09",
    "/slen/abc", "/slen/ab", "/slen/abcd", "/slen/%C3%A9%C3%A9%C3%A9", "/slen/a%C3%A9",
    "/smm/a", "/smm/ab", "/smm/abcd", "/smm/abcde", "/smm/%C3%A9", "/smm/%C3%A9%C3%A9%C3%A9%C3%A9",
    "/two/x/y", "/two/x/y/", "/ext/file.tar.gz", "/ext/a.b", "/ext/.b",
    "/users/", "/users", "/users/page/1", "/users/page/2", "/users/page/1?x=y", "/dflt/x",
]] + [
    # A space in the target: both servers refuse the request line.
    get("/int/ 1", status_only=True),
    get("/any/a b", status_only=True),
]

# The app's converters (Flask: app.url_map.converters): list ('+'), hex with a
# width keyword and a ValidationError for anything but lowercase hex digits,
# and parts, which spans slashes.
CUSTOM_CONVERTERS = [get(t) for t in [
    "/list/a+b+c", "/list/a", "/list/+", "/list/a%20b+%C3%A9", "/list/a%2Bb", "/list/a/b",
    "/list/",
    "/hex/ff", "/hex/0", "/hex/00ff", "/hex/FF", "/hex/xyz", "/hexw/10", "/hexw/g",
    "/pick/ab",
    "/parts/a/b/c", "/parts/a", "/parts/a/end", "/parts/a/b/end", "/parts/a/end/end",
    "/parts/end", "/parts/", "/parts/a//b", "/parts/a%2Fb", "/parts/a/b/",
]]

# ---- url_for --------------------------------------------------------------------

# name: (endpoint, values, options); options as url_for's keywords without "_".
URL_FOR = {
    "q": ("v_int", {"n": 3, "a": "x y", "b": ["1", "2"], "c": True, "d": None, "e": False,
                    "f": 0, "g": 2.5}, {}),
    "qorder": ("v_int", {"n": 3, "z": "1", "a": "2", "m": "3"}, {}),
    "emptylist": ("v_int", {"n": 3, "a": []}, {}),
    "emptystr": ("v_int", {"n": 3, "a": ""}, {}),
    "anchor": ("v_int", {"n": 3}, {"anchor": "sec 1/x?y#z&=%\u00e9"}),
    "anchor_empty": ("v_int", {"n": 3}, {"anchor": ""}),
    "ext": ("v_int", {"n": 3}, {"external": True}),
    "scheme": ("v_int", {"n": 3}, {"external": True, "scheme": "https"}),
    "scheme_wss": ("v_int", {"n": 3}, {"external": True, "scheme": "wss"}),
    "scheme_other": ("v_int", {"n": 3}, {"external": True, "scheme": "ftp"}),
    "extanchor": ("v_int", {"n": 3, "q": "1"}, {"external": True, "anchor": "top"}),
    "path": ("v_path", {"s": "a b/c%d/\u00e9?#&+;=@:~!$'()*,"}, {}),
    "path_lead": ("v_path", {"s": "/x"}, {}),
    "str": ("v_str", {"s": "a/b c?#&+;=@:~!$'()*,%\u00e9"}, {}),
    "float": ("v_float", {"x": 1.5}, {}),
    "floatint": ("v_float", {"x": 2.0}, {}),
    "floatsmall": ("v_float", {"x": 1e-7}, {}),
    "floatbig": ("v_float", {"x": 1e20}, {}),
    "float_int": ("v_float", {"x": 2}, {}),
    "float_str": ("v_float", {"x": "2.50"}, {}),
    "intneg": ("v_sint", {"n": -5}, {}),
    "intnegunsigned": ("v_int", {"n": -5}, {}),
    "fixed": ("v_fint", {"n": 7}, {}),
    "fixedbig": ("v_fint", {"n": 12345}, {}),
    "intfromstr": ("v_int", {"n": "42"}, {}),
    "int_true": ("v_int", {"n": True}, {}),
    "int_float": ("v_int", {"n": 3.7}, {}),
    "int_big": ("v_int", {"n": 9007199254740993}, {}),
    "badint": ("v_int", {"n": "abc"}, {}),
    "missing": ("v_int", {}, {}),
    "uuid": ("v_uuid", {"s": "12345678-1234-5678-1234-567812345678"}, {}),
    "uuid_upper": ("v_uuid", {"s": "12345678-1234-5678-1234-56781234567A"}, {}),
    "anyok": ("v_any", {"s": "abc"}, {}),
    "anybad": ("v_any", {"s": "zzz"}, {}),
    "any_space": ("v_any", {"s": "a b"}, {}),
    "strict": ("strict", {}, {}),
    "loose": ("loose", {}, {}),
    "qesc": ("v_int", {"n": 1, "q": "\u00e9&=+# /?%", "k y": "v"}, {}),
    "under_q": ("v_int", {"n": 1, "_foo": 1}, {}),
    "nested_q": ("v_int", {"n": 1, "d": {"k": 1}}, {}),
    "users1": ("users", {"page": 1}, {}),
    "users2": ("users", {"page": 2}, {}),
    "users1q": ("users", {"page": 1, "x": "y"}, {}),
    "dflt_b": ("dflt", {"a": "x", "b": "dflt"}, {}),
    "dflt_b2": ("dflt", {"a": "x", "b": "other"}, {}),
    "method": ("method_gp", {}, {"method": "PUT"}),
    "unknown": ("nope", {}, {}),
    "slen_ok": ("v_slen", {"s": "abc"}, {}),
    "slen_bad": ("v_slen", {"s": "abcd"}, {}),
    "slen_mb3": ("v_slen", {"s": "\u00e9\u00e9\u00e9"}, {}),
    "slen_mb2": ("v_slen", {"s": "a\u00e9"}, {}),
    "rint_ok": ("v_rint", {"n": 10}, {}),
    "rint_bad": ("v_rint", {"n": 11}, {}),
    "two": ("two", {"a": "x", "b": "y.z"}, {}),
    "var_null": ("v_str", {"s": None}, {}),
    "var_list": ("v_str", {"s": ["a", "b"]}, {}),
    "list": ("v_list", {"items": ["a b", "c/d", "+", "\u00e9?"]}, {}),
    "list_scalars": ("v_list", {"items": [1, 2.5, True, 1e20]}, {}),
    "list_q": ("v_list", {"items": ["x"], "q": "1"}, {}),
    "list_empty": ("v_list", {"items": []}, {}),
    "list_missing": ("v_list", {}, {}),
    "hex": ("v_hex", {"n": 48879}, {}),
    "hexw": ("v_hexw", {"n": 255}, {}),
    "hexw_neg": ("v_hexw", {"n": -1}, {}),
    "hexw_big": ("v_hexw", {"n": 1048575}, {}),
    "hex_str": ("v_hex", {"n": "ff"}, {}),
    "hex_float": ("v_hex", {"n": 2.5}, {}),
    "parts": ("v_parts", {"p": ["a", "b c", "d"]}, {}),
    "parts_end": ("v_parts_end", {"p": ["x", "y"]}, {"external": True}),
}
# The host (with its port) goes into external URLs: lowercased, default port dropped.
URL_FOR_HOSTS = ["localhost", "example.com:8080", "example.com:80", "Example.COM:8080",
                 "xn--bcher-kva.example"]


def url_for_target(name):
    endpoint, values, options = URL_FOR[name]
    query = {"endpoint": endpoint, "values": json.dumps(values)}
    for k, v in options.items():
        query[k] = "1" if v is True else v
    return "/url_for?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)


def url_for_case(name, host="localhost"):
    headers = [] if host == "localhost" else [("Host", host)]
    suffix = "" if host == "localhost" else f" Host: {host}"
    return get(url_for_target(name), headers=headers, id=f"url_for {name}{suffix}")


# Keys in DOCUMENTED below are left out here.
URL_FOR_DIFFERENT = {"nested_q", "var_list", "any_space"}
URL_FOR_CASES = [url_for_case(name, host) for host in URL_FOR_HOSTS for name in URL_FOR
                 if name not in URL_FOR_DIFFERENT]

# ---- redirects and errors -------------------------------------------------------

REDIRECTS = [get("/redir" + q) for q in [
    "", "?to=/x%20y", "?to=http://e.com/a?b=c%26d", "?to=/%C3%A9", "?to=/caf%C3%A9%20x",
    "?to=%2Frel&code=301", "?code=303", "?code=307", "?code=308", "?code=300",
    "?to=%3Cscript%3E%22", "?to=rel/path", "?to=//evil.com", "?to=/a%2Fb", "?to=",
    "?to=http://[::1]:80/x",
    # a host outside ASCII takes its IDNA form (labels lowercased, too long ones dropped)
    "?to=http://%C3%A9x.com/%C3%A9", "?to=http://b%C3%BCcher.de:8080/x", "?to=//m%C3%BCnchen.de/",
    "?to=http://user@%C3%A9x.com/", "?to=https://a.%C3%A9x.b.com/?q=%C3%A9%23f",
    "?to=http://%C3%89X.com/", "?to=http://x." + "%C3%A9" * 70 + ".com/",
]] + [get("/redir?to=/a?x=%C3%A9 y", status_only=True)]

# The codes Werkzeug has an exception for, and some it turns into a 500.
ABORT_CODES = ([400, 401, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417,
                418, 422, 423, 424, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505]
               + [200, 302, 399, 600, 999])
ERRORS = [get(f"/abort/{n}") for n in ABORT_CODES] + [
    case("HEAD", "/abort/404"),
    get("/abortmsg"),
    get("/none"),
]

# ---- request data -----------------------------------------------------------------

ARGS = [get("/args" + q) for q in [
    "?a=1&a=2&b=&c&a=%20+x", "?a=%ZZ&b=%C3%A9", "?;a=1;b=2", "?a=1&&a=&=3", "?a=%FF&b=%E9x",
    "?a=%2B%26%3D", "?a", "?=", "?", "", "?a=1;b=2", "?a==b", "?%61=1", "?a+b=c+d",
    "?a=%u0041", "?a=%C3%A9%C3", "?a=%FF&%FE=b", "?a=%ED%A0%80",
]]

MP = (b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nv1\r\n'
      b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="h.txt"\r\n'
      b'Content-Type: text/x-foo\r\n\r\nabc\r\n'
      b'--XyZ\r\nContent-Disposition: form-data; name="g"; filename=""\r\n\r\n\r\n'
      b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n'
      b'Content-Type: text/plain; charset=utf-8\r\n\r\nv2\xc3\xa9\r\n'
      b'--XyZ\r\nContent-Disposition: form-data; name="h"; filename="../x y.txt"\r\n\r\nz\r\n'
      b"--XyZ\r\nContent-Disposition: form-data; name=\"u\"; filename*=UTF-8''%C3%A9.txt\r\n"
      b"\r\nz\r\n"
      b"--XyZ--\r\n")
FORMS = [
    post("/form", "a=1&a=2&b=x+y&c&d=%zz&e=%C3%A9&=v", FORM),
    post("/form", "a=%C3%A9", FORM + "; charset=utf-8"),
    post("/form", "a=%FF", FORM, id="POST /form urlencoded %FF"),
    post("/form", "a=%FF&%FE=b", FORM, id="POST /form urlencoded %FF in a name"),
    post("/form", b"a=\xff\xfe&b=\xc3\xa9", FORM, id="POST /form urlencoded raw bytes"),
    post("/form", "a=1", "text/plain"),
    post("/form", "a=1"),
    post("/form", "", FORM, id="POST /form empty"),
    post("/form", MP, MULTIPART),
    post("/form", MP, 'multipart/form-data; boundary="XyZ"'),
    post("/form", b"junk\r\n" + MP, MULTIPART, id="POST /form multipart with a preamble"),
    post("/form", b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n--XyZ--\r\n',
         MULTIPART, id="POST /form multipart raw \\xff"),
]

JSON_BODIES = [post("/json", body, ctype, id=f"POST /json {name}") for name, body, ctype in [
    ("ok", '{"a": [1, 2]}', JSON),
    ("text/plain", '{"a":1}', "text/plain"),
    ("truncated", '{"a":', JSON),
    ("empty", "", JSON),
    ("vnd+json", '{"a":1}', "application/vnd.api+json"),
    ("charset", '{"a":1}', JSON + "; charset=latin-1"),
    ("no type", '{"a":1}', None),
    ("string", '"s"', JSON),
    ("two documents", '{"a":1}{"b":2}', JSON),
    ("duplicate keys", '{"a":1,"a":2}', JSON),
    ("bad utf8", b"\xff", JSON),
    ("whitespace", ' \n{"a":1}\n ', JSON),
    ("upper type", '{"a":1}', "APPLICATION/JSON"),
    ("json-seq", '{"a":1}', "application/json-seq"),
    ("x-json", '{"a":1}', "application/x-json"),
    ("null", "null", JSON),
    ("trailing comma", "[1,]", JSON),
    ("single quotes", "{'a':1}", JSON),
]] + [
    get("/json", id="GET /json no body"),
    post("/jsonsilent", '{"a":1}', "text/plain"),
    post("/jsonsilent", '{"a":', JSON, id="POST /jsonsilent malformed"),
    post("/jsonsilent", "null", JSON, id="POST /jsonsilent null"),
    case("POST", "/data", [("Transfer-Encoding", "chunked")], b"3\r\nabc\r\n0\r\n\r\n",
         id="POST /data chunked"),
]

REQUEST_COOKIES = [get("/rc", headers=[("Cookie", c)]) for c in [
    "a=1; b=2", 'a="x y"', 'a="x\\073y"', "a=1;b=2;a=3", "a=; b", "a", "a=1,b=2", "d d=1",
    "a=%20x", "a = 1 ; b = 2 ", 'a="unterminated', "c=\u00e9", "a=1; ; b=2", "b=2; a=x=y",
    "$Version=1; a=1", 'a=""', 'a="\\""',
]] + [get("/rc", headers=[("Cookie", b'a=\xff; b=%FF; c="\\377"')],
          id="GET /rc Cookie: a=<raw \\xff>; b=%FF; c=<octal 377>")]

# Host "a b", no Host and non-ASCII URLs are in DOCUMENTED.
REQUEST_URL = [get(t) for t in ["/hdr", "/hdr?a=1", "/hdr?", "/hdr/a%20b?x=%20"]] + [
    get("/hdr", headers=[("Host", "Example.COM:80")]),
    get("/hdr", headers=[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "e.com")]),
    get("/hdr", headers=[("X-T", "1")]),
    # request.url and base_url differ (DOCUMENTED); the rest must not.
    get("/hdr/%C3%A9?q=%C3%A9", ignore_keys=("url", "base")),
    get("/hdr/a%2Fb", ignore_keys=("url", "base")),
    get("/hdr/%FF?a=%FF", ignore_keys=("url", "base")),
]

# ---- responses ----------------------------------------------------------------------

JSONIFY_VALUES = {
    "list": [1, "a", None, True, 1.5],
    "nested": {"b": {"z": 1, "a": [1, {"y": 2, "x": 1}]}, "a": 0},
    "unicode": {"s": "\u00e9\u2028</script>&'\"\U0001F600\x01\x1f\x7f\t\n\\/"},
    "floats": [1.0, 0.1, 1e20, 1e-7, 123456789012345678.0, -0.0, 1e16, 1.5e300, 1e15, 0.0001,
               1e-5],
    "order": {"b": 1, "B": 2, "a": 3, "_": 4, "10": 5, "9": 6, "\u00e9": 7, "\U0001F600": 8},
    "str": "just a string",
    "int": 2**62,
    "empty": {},
    "emptylist": [],
    "null": None,
    "true": True,
}


def jsonify_target(value, status=None):
    q = "v=" + urllib.parse.quote(json.dumps(value), safe="")
    return "/jsonify?" + q + (f"&status={status}" if status else "")


RESPONSES = [get(jsonify_target(v), id=f"jsonify {k}") for k, v in JSONIFY_VALUES.items()] + [
    get(jsonify_target([1, 2], 201), id="jsonify with status 201"),
    case("HEAD", jsonify_target([1, 2]), id="HEAD jsonify"),
] + [get(t) for t in ["/mk", "/csv", "/txt", "/html", "/empty", "/s204"]]

# name: the set_cookie / delete_cookie calls (keyword arguments).
SET_COOKIES = {
    "basic": [{"key": "a", "value": "b"}],
    "max_age": [{"key": "a", "value": "b", "max_age": 3600}],
    "expires": [{"key": "a", "value": "b", "expires": 1700000000}],
    "expires 0": [{"key": "a", "value": "b", "expires": 0}],
    "max_age and expires": [{"key": "a", "value": "b", "max_age": 60, "expires": 1700000000}],
    "all attributes": [{"key": "a", "value": "b", "path": "/x", "domain": "example.com",
                        "secure": True, "httponly": True, "samesite": "Lax"}],
    "dot domain": [{"key": "a", "value": "b", "domain": ".example.com"}],
    "domain localhost": [{"key": "a", "value": "b", "domain": "localhost"}],
    "samesite None": [{"key": "a", "value": "b", "samesite": "None", "secure": True}],
    "samesite Strict": [{"key": "a", "value": "b", "samesite": "Strict"}],
    "quoted value": [{"key": "a", "value": 'x y;z,"q"\\\u00e9'}],
    "safe value": [{"key": "a", "value": "a=b:c/d?e[f]{g}@h!#$%&'()*+-._~|`^"}],
    "empty value": [{"key": "a", "value": ""}],
    "max_age 0": [{"key": "a", "value": "b", "max_age": 0}],
    "two": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}],
    "path with a space": [{"key": "a", "value": "b", "path": "/p q"}],
    "delete": [{"delete": True, "key": "a"}],
    "delete with path and domain": [{"delete": True, "key": "a", "path": "/p",
                                     "domain": "example.com"}],
}


def cookie_target(calls):
    return "/cookie?" + "&".join("c=" + urllib.parse.quote(json.dumps(c), safe="") for c in calls)


SET_COOKIE_CASES = [get(cookie_target(calls), id=f"set_cookie {name}")
                    for name, calls in SET_COOKIES.items()]

# A language code moved between the URL and g by a blueprint's URL processors.
URL_PROCESSORS = [get(t) for t in ["/en/", "/fr/about", "/de/about?x=1", "/a%20b/about",
                                   "/%C3%A9/", "/en", "/en/nope"]]

# Method views: Flask's UserAPI example, and a view with its own HEAD.
METHOD_VIEWS = [case(m, t) for m, t in [
    ("GET", "/mv/"), ("POST", "/mv/"), ("PUT", "/mv/"), ("HEAD", "/mv/"), ("OPTIONS", "/mv/"),
    ("GET", "/mv/3"), ("PUT", "/mv/3"), ("DELETE", "/mv/3"), ("POST", "/mv/3"),
    ("PATCH", "/mv/3"), ("HEAD", "/mv/3"), ("OPTIONS", "/mv/3"),
    ("GET", "/mvitem"), ("HEAD", "/mvitem"), ("POST", "/mvitem"), ("OPTIONS", "/mvitem")]]

COMPARED = (ROUTING + CONVERTERS + CUSTOM_CONVERTERS + URL_FOR_CASES + REDIRECTS + ERRORS + ARGS + FORMS + JSON_BODIES
            + REQUEST_COOKIES + REQUEST_URL + RESPONSES + SET_COOKIE_CASES + URL_PROCESSORS
            + METHOD_VIEWS)

# ---- differences phial documents ---------------------------------------------------


class Documented(NamedTuple):
    case: Case
    reason: str
    status: int
    json: dict = None  # members the JSON body must have
    headers: dict = None  # headers (lowercase names) that must have these values
    body_has: bytes = None


NUL = "NUL: a C string ends at NUL; a path holding one matches no route (docs/flask-map.md)"
ASCII_TARGET = "the request target must be visible ASCII (docs/internals/http_parser.md)"
RFC8259 = "JSON as RFC 8259 has it, not Python's json (docs/flask-map.md, request.get_json)"
ABORT = ("abort() of a code Werkzeug has no exception for answers that code; Flask: "
         "LookupError, 500 (docs/flask-map.md, abort)")
AS_URI = ("request.url and base_url keep the URI as sent (percent-escapes kept), where "
          "Werkzeug decodes the path into an IRI (docs/flask-map.md)")
REDIRECT_CODE = ("ph_redirect refuses a code outside 300-399 with a 500 (app.h); Werkzeug's "
                 "redirect sends any code")
HOST = "Host: exactly one, of reg-name, IP-literal and port characters (http_parser.md)"

DOCUMENTED = [
    Documented(case("get", "/gp"), "methods are case-sensitive (RFC 9110 9.1, http.h "
               "ph_method_from_name); Werkzeug upper-cases them", 405,
               headers={"allow": "GET, HEAD, OPTIONS, PUT"}),
    Documented(get("/str/a%00b"), NUL, 404),
    Documented(get("/slen/ab%00"), NUL, 404),
    Documented(get("/path/a%00b"), NUL, 404),
    Documented(get("/args?a=%00"), NUL, 200, json={"a": [""], "items": [["a", ""]]}),
    Documented(get("/args?c=%00d"), NUL, 200, json={"items": [["c", ""]]}),
    Documented(post("/form", "c=%00d", FORM, id="POST /form c=%00d"), NUL, 200, json={"items": [["c", ""]]}),
    Documented(get(b"/str/\xc3\xa9", id="GET /str/<raw UTF-8>"), ASCII_TARGET, 400),
    Documented(get(b"/str/\xff", id="GET /str/<raw \\xff>"), ASCII_TARGET, 400),
    Documented(get(b"/args?a=\xc3\xa9&b=\xff", id="GET /args?<raw bytes>"), ASCII_TARGET, 400),
    Documented(get("http://localhost/str/x"),
               "absolute-form targets are refused: phial is never a proxy (docs/server.md)", 400),
    Documented(get("/args?a=1#frag"), "'#' is not special in a target: it stays in the query "
               "(http_parser.md); Werkzeug's server drops the fragment", 200,
               json={"a": ["1#frag"], "qs": "a=1#frag"}),
    Documented(get("/hdr", headers=[("Host", None)], id="GET /hdr without Host"), HOST, 400),
    Documented(get("/hdr", headers=[("Host", "a b")]), HOST, 400),
    Documented(post("/form", b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nv1\r\n',
                    MULTIPART, id="POST /form multipart without its last boundary"),
               "a malformed multipart body is 400; Werkzeug gives an empty form (flask-map.md)",
               400),
    Documented(post("/json", "NaN", JSON, id="POST /json NaN"), RFC8259, 400),
    Documented(post("/json", "[1.0, 1e400, 12345678901234567890]", JSON,
                    id="POST /json numbers past double and int64"), RFC8259, 400),
    Documented(post("/json", '"\\ud800"', JSON, id="POST /json lone surrogate"), RFC8259, 400),
    Documented(post("/json", b'\xef\xbb\xbf{"a":1}', JSON, id="POST /json UTF-8 BOM"),
               RFC8259 + ": section 8.1 lets a parser refuse a BOM", 400),
    Documented(post("/json", '{"a":1}'.encode("utf-16"), JSON, id="POST /json UTF-16"),
               RFC8259 + ": section 8.1, JSON between systems is UTF-8", 400),
    Documented(get("/redir?to=%20/x"), "ph_redirect makes white space %20 (app.h); Flask's "
               "redirect sends ' /x' as it is", 302, headers={"location": "%20/x"}),
    Documented(get("/redir?to=/a%0Db"), "ph_redirect refuses CR and LF in a location: 500 "
               "(app.h); Werkzeug sends %0D", 500),
    Documented(get(url_for_target("nested_q"), id="url_for nested_q"), "a dict in url_for's "
               "values is Python's repr in Flask; phial's values are JSON scalars and arrays "
               "(docs/internals/router.md)", 200, body_has=b"ERR"),
    Documented(get(url_for_target("var_list"), id="url_for var_list"), "a list for a path "
               "variable is Python's str() in Flask; phial refuses it (router.md)", 200,
               body_has=b"ERR"),
    Documented(get("/hdr/%C3%A9?q=%C3%A9"), AS_URI, 200,
               json={"url": "http://localhost/hdr/%C3%A9?q=%C3%A9",
                     "base": "http://localhost/hdr/%C3%A9", "path": "/hdr/\u00e9"}),
    Documented(get("/hdr/a%2Fb"), AS_URI, 200,
               json={"url": "http://localhost/hdr/a%2Fb", "path": "/hdr/a/b"}),
    Documented(get("/hdr/%FF?a=%FF"), AS_URI, 200,
               json={"url": "http://localhost/hdr/%FF?a=%FF", "path": "/hdr/\ufffd"}),
    Documented(get("/int/%D9%A3"), "the int and float converters match ASCII digits; "
               "Python's \\d and int() take any Unicode digit (docs/flask-map.md, url_map)", 404),
    Documented(get(url_for_target("any_space"), id="url_for any_space"), "url_for quotes an "
               "any converter's value as any other (a valid URL); Werkzeug 2.2 leaves it as is "
               "(docs/flask-map.md, url_for)", 200, body_has=b"/any/a%20b"),
    Documented(get("/pick/zz"), "a converter's ValidationError lets the next rule match, as "
               "Werkzeug documents it; Werkzeug 2.2 answers 404 (docs/internals/router.md)", 200,
               body_has=b"pick_str"),
    Documented(get("/pick/AB"), "a converter's ValidationError lets the next rule match, as "
               "Werkzeug documents it; Werkzeug 2.2 answers 404 (docs/internals/router.md)", 200,
               body_has=b"pick_str"),
    Documented(get("/redir?code=200"), REDIRECT_CODE, 500),
    Documented(get("/redir?code=404"), REDIRECT_CODE, 500),
] + [
    Documented(get(f"/abort/{n}"), ABORT, n, body_has=f"<title>{n} ".encode())
    for n in [402, 407, 419, 420, 421, 425, 426, 427, 430, 506, 507, 508, 509, 510, 511]
]

# ---- the servers ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def flask_port():
    log = logging.getLogger("werkzeug")
    level = log.level
    log.setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="flask-parity", daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    server.server_close()
    thread.join(TIMEOUT)
    log.setLevel(level)


@pytest.fixture(scope="module")
def phial_port(tmp_path_factory):
    assert PARITY_APP.exists(), f"{PARITY_APP} is not built"
    s = Server("run", "--no-access-log", exe=PARITY_APP,
               log_dir=tmp_path_factory.mktemp("parity"))
    yield s.port
    rc, log = s.stop(timeout=TIMEOUT)
    assert rc == 0, log


# ---- requests and answers -----------------------------------------------------------


def raw_request(c):
    headers = {"Host": "localhost"}
    for name, value in c.headers:
        headers[name] = value
    if c.body and "Content-Length" not in headers and "Transfer-Encoding" not in headers:
        headers["Content-Length"] = str(len(c.body))
    headers["Connection"] = "close"
    out = c.method.encode() + b" " + c.target + b" HTTP/1.1\r\n"
    for name, value in headers.items():
        if value is not None:
            out += name.encode() + b": " + _bytes(value) + b"\r\n"
    return out + b"\r\n" + c.body


def exchange(port, c):
    """Every byte of the answer to `c` (the connection is closed after it)."""
    with Conn(port, timeout=TIMEOUT) as conn:
        conn.send(raw_request(c))
        return conn.read_until_close()


def unchunk(body):
    out = b""
    while body:
        size, _, body = body.partition(b"\r\n")
        n = int(size.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out, body = out + body[:n], body[n + 2:]
    return out


# Headers an app decides; Date, Server and Connection are the server's.
COMPARED_HEADERS = {"content-type", "content-length", "location", "allow", "vary", "set-cookie",
                    "x-a", "x-method", "cache-control", "www-authenticate", "retry-after"}


def relative_expires(cookie):
    """Expires of a cookie with Max-Age is the time of the answer plus Max-Age:
    replaced by a marker once checked, so the two servers' clocks may differ."""
    m = re.search(r"Max-Age=(\d+)", cookie)
    e = re.search(r"Expires=([^;]+)", cookie)
    if not m or not e:
        return cookie
    when = email.utils.parsedate_to_datetime(e.group(1)).timestamp()
    if abs(when - (time.time() + int(m.group(1)))) > TIMEOUT:
        return cookie  # a fixed date (delete_cookie's 1970, an explicit expires)
    return cookie.replace(e.group(0), "Expires=<now + Max-Age>")


def answer(port, c):
    """The parts of the answer to `c` that the two servers must agree on."""
    data = exchange(port, c)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    if c.status_only:
        return {"status": status}
    headers = {}
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "transfer-encoding" and "chunked" in value:
            body = unchunk(body)
        if name not in COMPARED_HEADERS or (name == "content-length" and c.ignore_keys):
            continue
        if name == "allow":
            value = ", ".join(sorted(v.strip() for v in value.split(",")))
        if name == "set-cookie":
            value = relative_expires(value)
        headers.setdefault(name, []).append(value.replace(f":{port}", ":PORT"))
    body = body.replace(f":{port}".encode(), b":PORT")
    if c.ignore_keys:
        body = json.loads(body)
        for k in c.ignore_keys:
            body.pop(k, None)
    return {"status": status, "headers": headers, "body": body}


def _ids(cases):
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, duplicates
    return ids


# ---- the tests -----------------------------------------------------------------------


@pytest.mark.parametrize("c", COMPARED, ids=_ids(COMPARED))
def test_same_answer_as_flask(c, flask_port, phial_port):
    want = answer(flask_port, c)
    got = answer(phial_port, c)
    assert got == want


@pytest.mark.parametrize("d", DOCUMENTED, ids=_ids([d.case for d in DOCUMENTED]))
def test_documented_difference(d, flask_port, phial_port):
    """phial's own answer where it differs from Flask on purpose (d.reason)."""
    got = answer(phial_port, d.case)
    assert got != answer(flask_port, d.case), "the same answer as Flask: compare it instead"
    assert got["status"] == d.status, d.reason
    for name, value in (d.headers or {}).items():
        assert got["headers"].get(name) == [value], d.reason
    if d.json is not None:
        body = json.loads(got["body"])
        assert {k: body.get(k) for k in d.json} == d.json, d.reason
    if d.body_has is not None:
        assert d.body_has in got["body"], d.reason
