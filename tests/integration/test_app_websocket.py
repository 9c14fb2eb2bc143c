"""The framework's websockets (ph_websocket, ph_ws_*), black-box against
build/tests/test_ws_app served by `run`: routing beside HTTP routes, the
request context inside a handler (view arguments, query, cookies, g, the
session, url_for), hooks that see and refuse websocket requests, teardown,
refusals through the error handlers, subprotocols, blueprints, and the
run command's --ws-max-size."""

import httpx
import pytest

from conftest import BUILD_DIR
from server_util import Server, read_lines, wait_until
from ws_util import WS, Rejected, handshake, masked_frame, read_server_frame

WS_APP = BUILD_DIR / "tests" / "test_ws_app"


@pytest.fixture
def app(tmp_path):
    rec = tmp_path / "record"
    s = Server("run", "--ws-max-size", "1000", exe=WS_APP, log_dir=tmp_path,
               env={"WS_APP_RECORD": str(rec)})
    s.record = rec
    yield s
    s.kill()


def records(app):
    return read_lines(app.record)


def wait_record(app, line, timeout=10):
    assert wait_until(lambda: line in records(app), timeout), f"{line!r} not in {records(app)}"


def test_echo_and_close_code_reach_the_handler(app):
    ws = WS(app.port, "/ws/echo")
    ws.send_text("hello")
    assert ws.recv() == "hello"
    ws.send_bytes(b"\x01\x02")
    assert ws.recv() == b"\x01\x02"
    ws.send_text("a", fin=False)
    ws.send_text("b")
    assert ws.recv() == "ab"
    assert ws.close(4100, "bye")[0] == 4100
    wait_record(app, "echo closed 4100")
    wait_record(app, "teardown /ws/echo")
    assert "before ws /ws/echo" in records(app)


def test_handler_reads_the_request_context(app):
    with httpx.Client(base_url=f"http://127.0.0.1:{app.port}") as http:
        r = http.get("/login", params={"name": "bob"})
        session = r.cookies["session"]
    ws = WS(app.port, "/ws/room/7?q=x%20y&user=ann",
            headers=[("Cookie", f"flavour=mint; session={session}")])
    # a websocket endpoint's URL is always whole, with ws:, as Werkzeug builds it
    assert ws.recv() == ("room=7 q=x y cookie=mint g=ann session=bob "
                         "url=ws://localhost/ws/room/9 ws=1")
    ws.close()


def test_http_and_websocket_routes_share_a_rule(app):
    assert httpx.get(f"http://127.0.0.1:{app.port}/ws/room/3").text == "http room 3"
    ws = WS(app.port, "/ws/room/3")
    assert ws.recv().startswith("room=3 ")
    ws.close()


def test_kind_mismatch_is_400_and_unknown_path_404(app):
    r = httpx.get(f"http://127.0.0.1:{app.port}/ws/only")
    assert r.status_code == 400
    with pytest.raises(Rejected) as e:
        WS(app.port, "/http-only")
    assert e.value.status == 400
    with pytest.raises(Rejected) as e:
        WS(app.port, "/nowhere")
    assert e.value.status == 404
    # A converter that does not match is a missing route too.
    with pytest.raises(Rejected) as e:
        WS(app.port, "/ws/room/abc")
    assert e.value.status == 404


def test_before_request_hook_refuses_with_403(app):
    with pytest.raises(Rejected) as e:
        WS(app.port, "/ws/private")
    assert e.value.status == 403
    wait_record(app, "teardown /ws/private")
    ws = WS(app.port, "/ws/private", headers=[("Cookie", "token=yes")])
    assert ws.recv() == "welcome"
    ws.close()


def test_refusals_from_the_handler(app):
    with pytest.raises(Rejected) as e:
        WS(app.port, "/ws/refuse")
    assert e.value.status == 403
    with pytest.raises(Rejected) as e:
        WS(app.port, "/ws/abort")
    assert e.value.status == 401 and e.value.body == b"go away"
    with pytest.raises(Rejected) as e:
        WS(app.port, "/ws/fail")
    assert e.value.status == 500


def test_subprotocol_chosen_by_the_handler(app):
    ws = WS(app.port, "/ws/subproto", subprotocols=["v2.chat", "v1.chat"])
    assert ws.accepted.subprotocol == "v2.chat"
    ws.close()


def test_blueprint_websocket_runs_the_blueprint_hooks(app):
    ws = WS(app.port, "/bp/echo")
    ws.send_text("x")
    assert ws.recv() == "x"
    ws.close()
    wait_record(app, "bp closed 1000")
    assert "bp before /bp/echo" in records(app)


def test_run_ws_max_size_closes_with_1009(app):
    line, head, s = handshake(app.port, "/ws/echo")
    assert line.startswith(b"HTTP/1.1 101")
    rest = head.split(b"\r\n\r\n", 1)[1]
    s.sendall(masked_frame(0x82, b"x" * 1001))
    op, payload, _ = read_server_frame(s, rest)
    assert op == 0x8 and int.from_bytes(payload[:2], "big") == 1009
    s.close()
    wait_record(app, "echo closed 1009")
