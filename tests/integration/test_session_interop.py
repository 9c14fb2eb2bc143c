"""Session cookies: phial's codec against Flask 2.2 as the oracle, both ways.

Flask creates cookies (through SecureCookieSessionInterface's own signing
serializer, and through a real request in Flask's test client) and phial's
session_tool must decode them to the same data; session_tool encodes values
and Flask must load them equal; with the timestamp fixed on both sides the
two encodings must be the same bytes; and tampered, truncated, wrong-key and
expired cookies must be refused by both.

The tool is tests/tools/session_tool.c, built as tests/test_session_tool.
Plain mode maps Flask's tagged Python types to JSON (tuple -> array, bytes ->
base64 text, Markup -> text, UUID -> "8-4-4-4-12", datetime -> HTTP date);
--tagged mode keeps the tagged wire form (see src/app/tagged_json.h).
"""
import base64
import datetime
import json
import os
import random
import subprocess
import time
import uuid

import pytest
from flask import Flask, session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadData, TimestampSigner
from markupsafe import Markup
from werkzeug.http import http_date

KEY = "phial-interop-secret"
MONTH = 31 * 24 * 3600


@pytest.fixture(scope="module")
def tool(build_dir):
    path = build_dir / "tests" / "test_session_tool"
    assert path.exists(), f"{path} is not built (cmake --build ... --target test_session_tool)"

    def run(*args, data, now=None):
        env = dict(os.environ)
        if now is not None:
            env["PHIAL_SESSION_TOOL_NOW"] = str(now)
        return subprocess.run([str(path), *args], input=data.encode(), capture_output=True,
                              env=env, timeout=30)

    return run


def flask_app(key=KEY):
    app = Flask("interop")
    app.secret_key = key
    return app


def serializer(app, ts=None):
    """Flask's own session serializer; `ts` fixes the signing time."""
    s = SecureCookieSessionInterface().get_signing_serializer(app)
    if ts is not None:
        class Fixed(TimestampSigner):
            def get_timestamp(self):
                return ts
        s.signer = Fixed
    return s


def flask_dumps(value, ts=None, key=KEY):
    """What Flask writes for `value`: inside an app context, as save_session does."""
    app = flask_app(key)
    with app.app_context():
        return serializer(app, ts).dumps(value)


def flask_loads(cookie, max_age=MONTH, key=KEY):
    app = flask_app(key)
    with app.app_context():
        return serializer(app).loads(cookie, max_age=max_age)


def plain(v):
    """The JSON value phial's plain mode gives for a Python session value."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, Markup):
        return str(v)
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        return http_date(v)
    return v


def tagged_text(v):
    app = flask_app()
    with app.app_context():
        return TaggedJSONSerializer().dumps(v)


# ---- Session values ----------------------------------------------------

FIXED_VALUES = [
    {},
    {"user_id": 42, "name": "ada", "admin": False, "score": 0.1, "none": None},
    {"nested": {"a": {"b": {"c": [1, 2, {"d": []}]}}}, "empty": {}},
    {"unicode": "héllo wörld ✓ 😀 \u2028 \x7f \x00 \t\n\"\\/", "日本": "語"},
    {"big": "x" * 3000},
    {"compressible": ["same text again"] * 200},
    {"floats": [0.1, 1e16, 1e-05, 1.0, -0.0, 1e15, 123456789.123, 5e-324, 1.7976931348623157e308]},
    {"ints": [0, -1, 2**63 - 1, -2**63]},
    {"powers_of_two": [2.0 ** k for k in range(-1074, 1024, 7)]},
    {" t": [1, 2]},
    {" di": {" t": 1}},
    {"x": {" b": "not bytes"}, "y": {" u": 1, " m": 2}},
    {"keys": {"Z": 1, "z": 2, "é": 3, " ": 4, "": 5, "_": 6}},
]

TYPED_VALUES = [
    {"tuple": (1, "two", 3.0)},
    {"bytes": b"\x00\xffbinary\n"},
    {"markup": Markup("<b>bold</b> &amp;")},
    {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"when": datetime.datetime(2015, 10, 21, 7, 28, tzinfo=datetime.timezone.utc)},
    {"mixed": [(1, b"x"), {"k": (uuid.UUID(int=7),)}], " t": (b"",)},
]


def random_value(rng, depth=0):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.randint(-2**63, 2**63 - 1)
    if kind == 1:
        return rng.choice([rng.random() * 10 ** rng.randint(-30, 30), float(rng.randint(-99, 99))])
    if kind == 2:
        return random_text(rng)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return rng.choice(["", "é", " t", "x" * rng.randint(0, 300)])
    if kind == 5:
        return rng.randint(-1000, 1000)
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return random_dict(rng, depth + 1)


def random_text(rng):
    pools = ["abcXYZ019 _-./", "\"\\\b\f\n\r\t\x01\x1f\x7f", "éüßñ€", "✓☃日本語", "😀𝄞", "\x00"]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 20)))


def random_key(rng):
    return rng.choice([" t", " b", " di", " u", " m", " d"]) if rng.random() < 0.15 else \
        random_text(rng).replace("\x00", "")


def random_dict(rng, depth=0):
    return {random_key(rng): random_value(rng, depth) for _ in range(rng.randint(0, 5))}


RANDOM_VALUES = [random_dict(random.Random(seed)) for seed in range(150)]
ALL_PLAIN = FIXED_VALUES + RANDOM_VALUES


def decode_json(result):
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


# ---- 1. Flask writes, phial reads ---------------------------------------

@pytest.mark.parametrize("value", ALL_PLAIN + TYPED_VALUES)
def test_phial_decodes_flask_cookie(tool, value):
    now = int(time.time())
    cookie = flask_dumps(value, ts=now)
    assert decode_json(tool("decode", KEY, str(MONTH), data=cookie, now=now + 5)) == plain(value)


@pytest.mark.parametrize("value", FIXED_VALUES + TYPED_VALUES)
def test_phial_tagged_mode_decodes_flask_wire_form(tool, value):
    cookie = flask_dumps(value)
    got = decode_json(tool("decode", "--tagged", KEY, data=cookie))
    assert got == json.loads(tagged_text(value))


def test_phial_decodes_cookie_from_a_real_flask_request(tool):
    app = flask_app()

    @app.route("/login")
    def login():
        session["user"] = {"id": 7, "roles": ("admin", "dev")}
        session["token"] = b"\x01\x02"
        return "ok"

    response = app.test_client().get("/login")
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    got = decode_json(tool("decode", KEY, str(MONTH), data=cookie))
    assert got == {"user": {"id": 7, "roles": ["admin", "dev"]}, "token": "AQI="}


# ---- 2. phial writes, Flask reads ---------------------------------------

@pytest.mark.parametrize("value", ALL_PLAIN)
def test_flask_loads_phial_cookie(tool, value):
    result = tool("encode", KEY, data=json.dumps(value))
    assert result.returncode == 0, result.stderr.decode()
    assert flask_loads(result.stdout.decode().strip()) == value


@pytest.mark.parametrize("value", TYPED_VALUES)
def test_flask_loads_python_types_from_phial_tagged_cookie(tool, value):
    result = tool("encode", "--tagged", KEY, data=tagged_text(value))
    assert result.returncode == 0, result.stderr.decode()
    assert flask_loads(result.stdout.decode().strip()) == value


def test_real_flask_request_reads_phial_cookie(tool):
    value = {"user": {"id": 7, "name": "José"}, "cart": [1, 2, 3]}
    cookie = tool("encode", KEY, data=json.dumps(value)).stdout.decode().strip()
    app = flask_app()

    @app.route("/me")
    def me():
        return {"session": dict(session)}

    client = app.test_client()
    client.set_cookie("localhost", "session", cookie)
    assert client.get("/me").get_json() == {"session": value}


# ---- 3. Same timestamp, same bytes -----------------------------------------

@pytest.mark.parametrize("value", ALL_PLAIN)
def test_encodings_are_byte_identical(tool, value):
    ts = 1700000000
    result = tool("encode", KEY, data=json.dumps(value), now=ts)
    assert result.stdout.decode().strip() == flask_dumps(value, ts=ts)


@pytest.mark.parametrize("value", TYPED_VALUES)
def test_tagged_encodings_are_byte_identical(tool, value):
    ts = 1234567890
    result = tool("encode", "--tagged", KEY, data=tagged_text(value), now=ts)
    assert result.stdout.decode().strip() == flask_dumps(value, ts=ts)


def test_timestamp_zero_and_large_are_byte_identical(tool):
    for ts in (0, 1, 255, 256, 2**32, 2**40 + 5):
        result = tool("encode", KEY, data='{"a":1}', now=ts)
        assert result.stdout.decode().strip() == flask_dumps({"a": 1}, ts=ts)


# ---- 4. Both refuse bad cookies ---------------------------------------------

BAD_SIG, EXPIRED, MALFORMED, TOO_BIG = 3, 4, 5, 6


def both_refuse(tool, cookie, code=BAD_SIG, max_age=MONTH, key=KEY):
    with pytest.raises(BadData):  # BadSignature, SignatureExpired or BadPayload
        flask_loads(cookie, max_age=max_age, key=key)
    result = tool("decode", key, str(max_age), data=cookie)
    assert result.returncode == code, (cookie, result.stderr.decode())


def flip(text, i):
    c = text[i]
    return text[:i] + ("B" if c == "A" else "A") + text[i + 1:]


@pytest.mark.parametrize("value", [FIXED_VALUES[1], FIXED_VALUES[5]])
def test_tampered_cookies_are_refused(tool, value):
    cookie = flask_dumps(value)
    payload_end = cookie.rindex(".", 0, cookie.rindex("."))
    for i in range(0, len(cookie), max(1, len(cookie) // 40)):
        if cookie[i] == ".":
            continue
        if i == len(cookie) - 1:
            continue  # Flask ignores the last character's spare bits; see below
        both_refuse(tool, flip(cookie, i))
    assert payload_end > 0


def test_signature_with_spare_bits_set_is_refused_by_phial(tool):
    # The last character of a SHA1 signature carries 4 bits of the MAC and 2
    # spare bits. Flask's lenient base64 ignores the spare bits, so it accepts
    # a cookie with them set; phial's strict decoder accepts only the
    # canonical text (one text per MAC), which no genuine signer changes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    cookie = flask_dumps({"a": 1})
    last = alphabet.index(cookie[-1])
    odd = cookie[:-1] + alphabet[last ^ 1]
    assert flask_loads(odd) == {"a": 1}
    assert tool("decode", KEY, data=odd).returncode == BAD_SIG


def test_wrong_key_is_refused(tool):
    both_refuse(tool, flask_dumps({"a": 1}), key="not-the-key")


def test_truncated_cookies_are_refused(tool):
    cookie = flask_dumps({"user": "x" * 50})
    for n in range(len(cookie)):
        both_refuse(tool, cookie[:n])


def test_extended_cookies_are_refused(tool):
    cookie = flask_dumps({"a": 1})
    for extra in ("A", ".", ".A", "AAAA"):
        both_refuse(tool, cookie + extra)


def test_expired_cookies_are_refused(tool):
    old = int(time.time()) - 100
    both_refuse(tool, flask_dumps({"a": 1}, ts=old), code=EXPIRED, max_age=50)
    ours = tool("encode", KEY, data='{"a":1}', now=old).stdout.decode().strip()
    both_refuse(tool, ours, code=EXPIRED, max_age=50)


def test_cookies_from_the_future_are_refused(tool):
    future = int(time.time()) + 3600
    both_refuse(tool, flask_dumps({"a": 1}, ts=future), code=EXPIRED)


def test_garbage_is_refused(tool):
    for junk in ("", ".", "..", "abc", "e30.ZVPxAA", "e30..", "....", "\u00e9.a.b"):
        both_refuse(tool, junk)


def test_signed_garbage_payloads_are_malformed(tool):
    # A valid signature over a payload that is not a session: phial says
    # malformed (exit 5); Flask raises BadPayload (which open_session does not
    # catch: only the holder of the key can make such a cookie).
    signer = serializer(flask_app()).make_signer()
    for payload in (b"!!!", b".AAAA", b"eyJhIjo", b"eyJhIjp7IiB1Ijoibm8ifX0"):
        both_refuse(tool, signer.sign(payload).decode(), code=MALFORMED)


def test_signed_non_object_payload_is_malformed_for_phial(tool):
    # "[]" signed: Flask's serializer returns a list (open_session then makes
    # an empty session of it); phial refuses anything but an object.
    signer = serializer(flask_app()).make_signer()
    cookie = signer.sign(b"W10").decode()
    assert flask_loads(cookie) == []
    assert tool("decode", KEY, data=cookie).returncode == MALFORMED


def test_zip_bomb_is_refused_by_phial(tool):
    # Flask would inflate this; phial caps the JSON at 64 KiB.
    cookie = flask_dumps({"a": "x" * (2 * 1024 * 1024)})
    assert len(cookie) < 8000
    assert tool("decode", KEY, data=cookie).returncode == TOO_BIG


def test_session_json_cap_is_64_kib(tool):
    # {"a":"xxx..."}: 8 bytes around the string
    under = flask_dumps({"a": "x" * (64 * 1024 - 8)})
    over = flask_dumps({"a": "x" * (64 * 1024 - 7)})
    assert len(over) < 1000
    assert tool("decode", KEY, data=under).returncode == 0
    assert tool("decode", KEY, data=over).returncode == TOO_BIG
