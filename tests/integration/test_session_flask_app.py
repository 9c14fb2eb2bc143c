"""Sessions between a phial app and a Flask app sharing a SECRET_KEY, over
HTTP: cookies Flask issues are read by phial, cookies phial issues are read
by Flask, flashed messages cross over, and a forged cookie is an empty
session on both sides."""
import os
import signal
import subprocess

import flask
import httpx
import pytest

from conftest import free_port, wait_listening

KEY = "interop-secret"


@pytest.fixture(scope="module")
def phial(build_dir):
    port = free_port()
    proc = subprocess.Popen([str(build_dir / "tests" / "test_session_app"), str(port), KEY])
    wait_listening(port, proc)
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def flask_app():
    app = flask.Flask("oracle")
    app.secret_key = KEY

    @app.route("/set")
    def set_():
        for k, v in flask.request.args.items():
            flask.session[k] = v
        return "set"

    @app.route("/get")
    def get():
        return flask.jsonify(dict(flask.session))

    @app.route("/flashes")
    def flashes():
        return flask.jsonify(flask.get_flashed_messages(with_categories=True))

    @app.route("/flash")
    def flash():
        flask.flash(flask.request.args["m"], flask.request.args.get("c", "message"))
        return "flashed"

    return app


def set_cookies(response):
    h = response.headers
    return h.get_list("set-cookie") if hasattr(h, "get_list") else h.getlist("Set-Cookie")


def session_cookie(response):
    for header in set_cookies(response):
        if header.startswith("session="):
            return header.split(";")[0][len("session="):]
    return None


def test_flask_cookie_is_read_by_phial(phial):
    client = flask_app().test_client()
    r = client.get("/set?user=ada&lang=fr")
    cookie = session_cookie(r)
    assert cookie
    got = httpx.get(f"{phial}/get", cookies={"session": cookie}).json()
    assert got == {"user": "ada", "lang": "fr"}


def test_phial_cookie_is_read_by_flask(phial):
    r = httpx.get(f"{phial}/set", params={"user": "grace", "note": "é ✓"})
    cookie = session_cookie(r)
    assert cookie
    client = flask_app().test_client()
    client.set_cookie("localhost", "session", cookie)
    assert client.get("/get").get_json() == {"user": "grace", "note": "é ✓"}


def test_phial_flash_is_seen_by_flask_and_back(phial):
    r = httpx.get(f"{phial}/flash", params={"m": "saved", "c": "info"})
    client = flask_app().test_client()
    client.set_cookie("localhost", "session", session_cookie(r))
    assert client.get("/flashes").get_json() == [["info", "saved"]]
    r2 = client.get("/flash?m=hello&c=warning")
    got = httpx.get(f"{phial}/get", cookies={"session": session_cookie(r2)}).json()
    assert got["_flashes"] == [["warning", "hello"]]


def test_permanent_session_cookie_has_expiry(phial):
    with httpx.Client(base_url=phial) as c:
        c.get("/set", params={"a": "1"})
        r = c.get("/permanent")
        header = [h for h in set_cookies(r) if h.startswith("session=")][0]
        assert "Expires=" in header and "HttpOnly" in header and "Path=/" in header
        client = flask_app().test_client()
        client.set_cookie("localhost", "session", session_cookie(r))
        assert client.get("/get").get_json() == {"a": "1", "_permanent": True}


def test_forged_and_foreign_cookies_give_empty_sessions(phial):
    other = flask.Flask("other")
    other.secret_key = "another key"

    @other.route("/")
    def index():
        flask.session["admin"] = True
        return "x"

    foreign = session_cookie(other.test_client().get("/"))
    assert httpx.get(f"{phial}/get", cookies={"session": foreign}).json() == {}
    good = session_cookie(httpx.get(f"{phial}/set", params={"role": "user"}))
    payload, ts, sig = good.rsplit(".", 2)
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + ts + "." + sig
    r = httpx.get(f"{phial}/get", cookies={"session": tampered})
    assert r.status_code == 200 and r.json() == {}
