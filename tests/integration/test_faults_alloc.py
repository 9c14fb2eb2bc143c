"""Allocation failure on the request path, through the whole stack over a
real socket: the server, the framework's dispatch, request.form, the
session (decode and encode), a flash, and a template rendered from a string.

tests/tools/abuse_app.c's /__arm?n=N&once=1 makes the one phial allocation
after N more fail (ph__alloc_fail_once); without once=1 every allocation
after N fails (ph__alloc_fail_after) until SIGUSR2 ends it.

The sweep arms each N from 0 up to past the last allocation of the request
and sends the request: it must get a 200, a 500 (503 when the server cannot
start the request's task) or a closed connection — never a hang or a
crash — and the server must serve the next request normally. It stops once
a whole request runs without reaching the countdown. With every allocation
failing nothing can be answered: a connection that arrives then waits in
the backlog (accepting pauses, and is retried each second) or holds its
request, and is answered once memory is back. A 200 must be the exact page
and session of a normal run: a failure is never swallowed into a wrong
answer. The tests run twice: with phial's own allocations failing, and with
jansson's too (ABUSE_JANSSON_HOOK). Under `make asan` the
server's exit is checked for LeakSanitizer and AddressSanitizer reports,
so a path that leaks when an allocation fails fails the test."""
import signal
import socket
import time

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from conftest import BUILD_DIR
from server_util import Conn, ConnectionClosed, Server

ABUSE_APP = BUILD_DIR / "tests" / "test_abuse_app"
ANSWERS = (200, 500, 503, "closed")


def cookie():
    f = Flask("x")
    f.secret_key = "abuse-secret"
    return SecureCookieSessionInterface().get_signing_serializer(f).dumps(
        {"n": 1, "user": "alice", "_flashes": [["message", "old"]]})


def work_request():
    body = b"v=hello+world&other=%E2%82%AC"
    return (b"POST /work HTTP/1.1\r\nHost: t\r\nCookie: session=" + cookie().encode() +
            b"\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def session_of(resp):
    f = Flask("x")
    f.secret_key = "abuse-secret"
    ck = resp.header("Set-Cookie")
    if not ck:
        return None
    return SecureCookieSessionInterface().get_signing_serializer(f).loads(
        ck.split(";")[0].split("=", 1)[1])


def answer(port, raw, timeout=10):
    """The response to `raw`, or "closed"."""
    with Conn(port, timeout=timeout) as c:
        try:
            c.send(raw)
            return c.read_response()
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
            return "closed"


def outcome(port, raw, timeout=10):
    """The status of the one response to `raw`, or "closed"."""
    with Conn(port, timeout=timeout) as c:
        try:
            c.send(raw)
            return c.read_response().status
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
            return "closed"


def failures(port):
    """Failed allocations since the arm; None when this request itself took
    the failure (the countdown outlived the request before it)."""
    with Conn(port) as c:
        try:
            c.send(b"GET /__failures HTTP/1.1\r\nHost: t\r\n\r\n")
            r = c.read_response()
        except (ConnectionClosed, ConnectionResetError):
            return None
        return int(r.body) if r.status == 200 else None


def finish(s):
    """Stop the server; its exit must be clean and sanitizer-quiet."""
    rc, log = s.stop(signal.SIGTERM)
    assert "Sanitizer" not in log, log[-6000:]
    assert rc == 0, log[-3000:]


@pytest.fixture(params=["phial", "phial+jansson"])
def app(tmp_path, request):
    """The app; in the second run jansson allocates through ph__malloc too,
    so JSON values (the session, the template context) fail as well."""
    env = {"ABUSE_JANSSON_HOOK": "1"} if request.param == "phial+jansson" else {}
    s = Server("run", "--no-access-log", exe=ABUSE_APP, log_dir=tmp_path, env=env)
    yield s
    s.kill()


def json_request():
    body = b'{"items": [1, 2.5, "three", {"four": [true, null]}], "name": "\\u20ac"}'
    return (b"POST /json HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


@pytest.mark.parametrize("make_request", [work_request, json_request], ids=["work", "json"])
def test_each_allocation_of_a_request_failing_once(app, request, make_request):
    work = make_request()
    ref = answer(app.port, work)
    assert ref.status == 200
    # A 200 must be the whole, right answer, in both runs: a failure may not
    # be swallowed into a wrong page (a template context missing a name) or
    # a lost session (a cookie dropped as corrupt because jansson ran out of
    # memory parsing it).
    seen = {}
    n = 0
    while True:
        # The arm request's own end may take the failure: any answer will do.
        arm = outcome(app.port, b"GET /__arm?once=1&n=%d HTTP/1.1\r\nHost: t\r\n\r\n" % n)
        assert arm in ANSWERS, (n, arm)
        try:
            r = answer(app.port, work)
        except socket.timeout:
            raise AssertionError(f"request hung with allocation {n} failing:\n{app.log()[-3000:]}")
        got = r if r == "closed" else r.status
        if got == 200:
            assert (r.body, session_of(r)) == (ref.body, session_of(ref)), (n, r.body)
        assert app.proc.poll() is None, f"server died at n={n}:\n{app.log()}"
        assert got in ANSWERS, (n, got)
        seen[got] = seen.get(got, 0) + 1
        failed = failures(app.port)
        if failed is None:
            failed = failures(app.port)  # now it answers
            assert failed == 1, failed
            failed = 0  # the failure came after the request
        if failed == 0 and got == 200:
            break  # the request ran whole before the countdown ended
        n += 1
        assert n < 5000, "the sweep does not end"
    assert outcome(app.port, work) == 200
    assert seen.get(500, 0) + seen.get(503, 0) + seen.get("closed", 0) > 0, seen
    print(f"one-shot sweep: {n} allocations on the path; outcomes {seen}")
    finish(app)


@pytest.mark.parametrize("steps", [(0, 2, 5, 13, 34, 89)])
def test_every_allocation_failing_then_memory_coming_back(app, steps):
    work = work_request()
    outcomes = []
    for n in steps:
        arm = outcome(app.port, b"GET /__arm?n=%d HTTP/1.1\r\nHost: t\r\n\r\n" % n)
        c = None
        got = "skipped"
        if arm == 200:
            c = Conn(app.port, timeout=1)
            try:
                c.send(work)
                got = c.read_response().status
            except (ConnectionClosed, ConnectionResetError, BrokenPipeError):
                got = "closed"
            except socket.timeout:
                got = "pending"
        app.send_signal(signal.SIGUSR2)
        time.sleep(0.01)
        if got == "pending":
            # Memory is back: the waiting request is answered or closed,
            # within the one-second accept retry and some slack.
            c.sock.settimeout(5)
            try:
                got = c.read_response().status
            except (ConnectionClosed, ConnectionResetError):
                got = "closed"
            except socket.timeout:
                raise AssertionError(f"request hung after n={n}:\n{app.log()[-3000:]}")
        if c:
            c.close()
        assert got in ANSWERS + ("skipped",), (n, got)
        outcomes.append(got)
        assert app.proc.poll() is None, f"server died at n={n}:\n{app.log()}"
        assert outcome(app.port, work) == 200, f"not serving after n={n}:\n{app.log()[-3000:]}"
    # the sweep reached the request: some step failed it (else it tested
    # only the recovery of a server that never ran short)
    assert any(got not in (200, "skipped") for got in outcomes), outcomes
    print(f"steps {steps}: outcomes {outcomes}")
    finish(app)
