"""The server's websockets (RFC 6455) against test_proto_server's /ws/*
endpoints, an app of the raw protocol: the handshake and its failures,
messages both ways, fragmentation, ping, the close handshake, the protocol
errors and the close code each earns, many websockets at once beside HTTP,
backpressure, and shutdown. The client is wsproto over a real socket, or
hand-written bytes where the test forges what a client must not send."""
import base64
import hashlib
import os
import signal
import socket
import time

import pytest
from wsproto.events import Ping, Pong

from server_util import Conn, read_lines, wait_until
from ws_util import KEY, WS, Rejected, handshake, masked_frame, read_server_frame


@pytest.fixture
def server(start_server, tmp_path):
    return start_server("--ws-max-size", "65536", "--record", tmp_path / "events")


def events(tmp_path):
    return read_lines(tmp_path / "events")


def wait_event(tmp_path, text, timeout=10):
    assert wait_until(lambda: text in events(tmp_path), timeout), \
        f"no event {text!r} in {events(tmp_path)}"


# ---- the handshake --------------------------------------------------------


def test_handshake_answers_101_with_the_accept_key(server):
    status, head, s = handshake(server.port)
    s.close()
    assert status == b"HTTP/1.1 101 Switching Protocols"
    lines = head.lower().split(b"\r\n")
    want = base64.b64encode(hashlib.sha1(KEY + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    assert b"sec-websocket-accept: " + want.lower() in lines
    assert b"upgrade: websocket" in lines
    assert b"connection: upgrade" in lines
    assert b"x-echo: yes" in lines  # the app's own header


def test_subprotocol_is_the_one_the_app_picks(server):
    ws = WS(server.port, subprotocols=["chat.v2", "chat.v1"])
    assert ws.accepted.subprotocol == "chat.v2"
    ws.send_text("scope")
    assert ws.recv() == "path=/ws/echo query= scheme=ws protocols=chat.v2,chat.v1"
    ws.close()


def test_scope_carries_path_and_query(server):
    ws = WS(server.port, "/ws/echo?room=7&x=%20")
    ws.send_text("scope")
    assert ws.recv() == "path=/ws/echo query=room=7&x=%20 scheme=ws protocols="
    ws.close()


def test_behind_a_tls_proxy_the_scheme_is_wss(start_server, tmp_path):
    s = start_server("--proxy-headers", "127.0.0.1")
    ws = WS(s.port, headers=[("X-Forwarded-Proto", "https")])
    ws.send_text("scope")
    assert ws.recv() == "path=/ws/echo query= scheme=wss protocols="
    ws.close()


@pytest.mark.parametrize("key,version,status", [
    (None, b"13", b"400"),
    (b"not-a-key", b"13", b"400"),
    (b"dGhlIHNhbXBsZSBub25jZXh4eA==", b"13", b"400"),  # 17 bytes
    (KEY, None, b"400"),
    (KEY, b"8", b"426"),
])
def test_bad_handshakes_are_refused_by_the_server(server, key, version, status):
    line, head, s = handshake(server.port, key=key, version=version)
    s.close()
    assert line.split(b" ")[1] == status, head
    if status == b"426":
        assert b"\r\nSec-WebSocket-Version: 13\r\n" in head


def test_upgrade_on_a_request_with_a_body_is_plain_http(server):
    """A body (or another method) keeps the request HTTP: no 101, and the
    bytes after the head are read as its body, never as frames."""
    c = Conn(server.port)
    c.send(b"GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: " + KEY + b"\r\nSec-WebSocket-Version: 13\r\n"
              b"Content-Length: 5\r\n\r\nhello")
    r = c.read_response()
    assert r.status == 200 and r.body == b"hello"
    c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: " + KEY + b"\r\nSec-WebSocket-Version: 13\r\n"
              b"Content-Length: 2\r\n\r\nok")
    r = c.read_response()
    assert r.status == 200 and r.body == b"ok"
    c.close()


def test_refusals(server):
    with pytest.raises(Rejected) as e:
        WS(server.port, "/ws/deny")
    assert e.value.status == 403
    with pytest.raises(Rejected) as e:
        WS(server.port, "/ws/return")
    assert e.value.status == 403
    with pytest.raises(Rejected) as e:
        WS(server.port, "/ws/reject")
    assert e.value.status == 401 and e.value.body == b"nope"
    with pytest.raises(Rejected) as e:
        WS(server.port, "/ws/fail")
    assert e.value.status == 500
    with pytest.raises(Rejected) as e:
        WS(server.port, "/ws/nowhere")
    assert e.value.status == 404


def test_app_failing_after_accept_closes_with_1011(server):
    ws = WS(server.port, "/ws/send-fail")
    assert ws.expect_close()[0] == 1011


# ---- messages ----------------------------------------------------------------


def test_echo_text_and_binary(server):
    ws = WS(server.port)
    ws.send_text("héllo wörld")
    assert ws.recv() == "héllo wörld"
    ws.send_bytes(b"\x00\xff\x10")
    assert ws.recv() == b"\x00\xff\x10"
    ws.send_text("")
    assert ws.recv() == ""
    big = os.urandom(60000)
    ws.send_bytes(big)
    assert ws.recv() == big
    ws.close()


def test_fragmented_message_with_a_ping_between_fragments(server):
    ws = WS(server.port)
    ws.send_text("frag", fin=False)
    ws.send(Ping(payload=b"in-between"))
    ws.send_text("men", fin=False)
    ws.send_text("ted")
    ev = ws.event()
    assert isinstance(ev, Pong) and ev.payload == b"in-between"
    assert ws.recv() == "fragmented"
    ws.close()


def test_ping_is_answered_with_a_pong_of_its_payload(server):
    ws = WS(server.port)
    ws.send(Ping(payload=b"are you there"))
    ev = ws.event()
    assert isinstance(ev, Pong) and ev.payload == b"are you there"
    ws.close()


def test_client_close_is_echoed_and_the_app_gets_code_and_reason(server, tmp_path):
    ws = WS(server.port)
    assert ws.close(4001, "see you") == (4001, "")
    wait_event(tmp_path, "ws disconnect 4001 see you")
    assert ws.wait_eof() == b""


def test_server_close_carries_the_apps_code_and_reason(server, tmp_path):
    ws = WS(server.port)
    ws.send_text("close 4002 done here")
    assert ws.expect_close() == (4002, "done here")
    wait_event(tmp_path, "ws disconnect 4002 done here")  # the client echoed both
    assert ws.wait_eof() == b""


# ---- protocol errors -------------------------------------------------------------


def raw_websocket(port, path="/ws/echo"):
    line, head, s = handshake(port, path)
    assert line.startswith(b"HTTP/1.1 101"), head
    return s, head.split(b"\r\n\r\n", 1)[1]


def close_code(payload):
    return int.from_bytes(payload[:2], "big")


@pytest.mark.parametrize("frame,code", [
    (masked_frame(0x81, b"hi", masked=False), 1002),        # unmasked
    (masked_frame(0xC1, b"hi"), 1002),                      # RSV1 without an extension
    (masked_frame(0x83, b"hi"), 1002),                      # reserved opcode
    (masked_frame(0x09, b"hi"), 1002),                      # fragmented ping
    (masked_frame(0x89, b"x" * 126), 1002),                 # control frame over 125 bytes
    (masked_frame(0x80, b"hi"), 1002),                      # continuation of nothing
    (masked_frame(0x81, b"caf\xc3"), 1007),                 # text ending mid-character
    (masked_frame(0x81, b"\xed\xa0\x80"), 1007),            # a surrogate
    (masked_frame(0x82, b"z" * 65537), 1009),               # over --ws-max-size
    (masked_frame(0x02, b"z" * 40000) + masked_frame(0x80, b"z" * 30000), 1009),
])
def test_protocol_errors_close_with_their_code(server, tmp_path, frame, code):
    s, rest = raw_websocket(server.port)
    s.sendall(frame)
    op, payload, rest = read_server_frame(s, rest)
    assert op == 0x8 and close_code(payload) == code
    wait_event(tmp_path, f"ws disconnect {code} ")
    s.close()


def test_oversize_is_refused_before_its_payload_arrives(server, tmp_path):
    s, rest = raw_websocket(server.port)
    s.sendall(masked_frame(0x82, b"z" * 100000)[:14])  # the header alone
    op, payload, rest = read_server_frame(s, rest)
    assert op == 0x8 and close_code(payload) == 1009
    s.close()


def test_bad_close_frames(server):
    for payload, code in [(b"\x03", 1002), (b"\x03\xed", 1002), (b"\x03\xe8\xff", 1007)]:
        s, rest = raw_websocket(server.port)
        s.sendall(masked_frame(0x88, payload))
        op, got, rest = read_server_frame(s, rest)
        assert op == 0x8 and close_code(got) == code, payload
        s.close()


# ---- many at once, backpressure, shutdown ---------------------------------------


def test_five_hundred_websockets_at_once_beside_http(server):
    socks = []
    try:
        for i in range(500):
            socks.append(WS(server.port, timeout=30))
        c = Conn(server.port, timeout=10)
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        r = c.read_response()
        assert r.status == 200 and r.body == b"hello"
        for i, ws in enumerate(socks):
            ws.send_text(f"n{i}")
        for i, ws in enumerate(socks):
            assert ws.recv() == f"n{i}"
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert c.read_response().status == 200
    finally:
        for ws in socks:
            ws.close_socket()


def test_send_suspends_while_the_client_does_not_read(server, tmp_path):
    """200 messages of 64 KiB (12.5 MiB): while the client reads nothing the
    sender waits after a few hundred KiB, and finishes once it reads."""
    ws = WS(server.port, "/ws/flood?n=200&size=65536")
    ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    time.sleep(1.0)
    assert not any(e.startswith("ws flood done") for e in events(tmp_path))
    for _ in range(200):
        assert len(ws.recv()) == 65536
    wait_event(tmp_path, "ws flood done 200")
    assert ws.expect_close()[0] == 1000


def test_shutdown_closes_websockets_with_1001(server, tmp_path):
    ws = WS(server.port)
    ws.send_text("still here")
    assert ws.recv() == "still here"
    server.send_signal(signal.SIGTERM)
    assert ws.expect_close()[0] == 1001
    wait_event(tmp_path, "ws disconnect 1001 ")
    rc, log = server.stop()
    assert rc == 0, log
