"""A websocket client for the black-box suites: wsproto (sans-IO) driven over
a plain socket, so every byte on the wire is the test's to see or to forge.

    ws = WS(port, "/ws/echo")          # handshake; ws.response is the 101
    ws.send_text("hi"); ws.recv()      # -> "hi"
    ws.close(1000, "bye")              # -> the server's close event
"""
import socket
from collections import deque

from wsproto import ConnectionType, WSConnection
from wsproto.events import (AcceptConnection, BytesMessage, CloseConnection, Message, Ping, Pong,
                            RejectConnection, RejectData, Request, TextMessage)

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="


class Rejected(Exception):
    """The server answered the handshake with an HTTP response."""

    def __init__(self, status, headers, body):
        super().__init__(f"handshake refused with {status}")
        self.status = status
        self.headers = headers
        self.body = body


class WS:
    def __init__(self, port, path="/ws/echo", subprotocols=(), headers=(), timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.conn = WSConnection(ConnectionType.CLIENT)
        self.events = deque()
        self.sock.sendall(self.conn.send(Request(
            host="localhost", target=path, subprotocols=list(subprotocols),
            extra_headers=[(k.encode(), v.encode()) for k, v in headers])))
        ev = self.event()
        if isinstance(ev, RejectConnection):
            status, head, body = ev.status_code, dict(ev.headers), b""
            more = ev.has_body
            while more:
                ev = self.event()
                assert isinstance(ev, RejectData), ev
                body += ev.data
                more = not ev.body_finished
            self.close_socket()
            raise Rejected(status, head, body)
        assert isinstance(ev, AcceptConnection), ev
        self.accepted = ev

    def event(self):
        """The next event from the server (EOFError once the socket ends)."""
        while not self.events:
            data = self.sock.recv(1 << 16)
            self.conn.receive_data(data or None)
            self.events.extend(self.conn.events())
            if not data and not self.events:
                raise EOFError("the server closed the connection")
        return self.events.popleft()

    def send(self, event):
        self.sock.sendall(self.conn.send(event))

    def send_text(self, text, fin=True):
        self.send(Message(data=text, message_finished=fin))

    def send_bytes(self, data, fin=True):
        self.send(Message(data=bytes(data), message_finished=fin))

    def recv(self):
        """The next whole message (str or bytes), skipping pongs."""
        parts = []
        while True:
            ev = self.event()
            if isinstance(ev, (TextMessage, BytesMessage)):
                parts.append(ev.data)
                if ev.message_finished:
                    return "".join(parts) if isinstance(ev, TextMessage) else b"".join(parts)
            elif isinstance(ev, Pong):
                continue
            else:
                raise AssertionError(f"expected a message, got {ev!r}")

    def expect_close(self):
        """Wait for the server's close frame; answer it; return (code, reason)."""
        while True:
            ev = self.event()
            if isinstance(ev, CloseConnection):
                try:
                    self.send(ev.response())
                except Exception:
                    pass
                return ev.code, ev.reason
            if isinstance(ev, (TextMessage, BytesMessage, Pong, Ping)):
                continue
            raise AssertionError(f"expected a close, got {ev!r}")

    def close(self, code=1000, reason=""):
        """Start the close handshake; return the server's close (code, reason)."""
        self.send(CloseConnection(code=code, reason=reason))
        while True:
            ev = self.event()
            if isinstance(ev, CloseConnection):
                return ev.code, ev.reason

    def wait_eof(self):
        """Read until the server closes the TCP connection; return the bytes."""
        out = b""
        while True:
            data = self.sock.recv(1 << 16)
            if not data:
                return out
            out += data

    def close_socket(self):
        try:
            self.sock.close()
        except OSError:
            pass


def handshake(port, path="/ws/echo", extra=b"", key=KEY, version=b"13"):
    """Send a hand-written handshake; return (status line, head, socket)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    req = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\n")
    if key is not None:
        req += b"Sec-WebSocket-Key: " + key + b"\r\n"
    if version is not None:
        req += b"Sec-WebSocket-Version: " + version + b"\r\n"
    s.sendall(req + extra + b"\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        data = s.recv(4096)
        if not data:
            break
        head += data
    return head.split(b"\r\n", 1)[0], head, s


def masked_frame(opcode_byte, payload, mask=b"\x01\x02\x03\x04", masked=True):
    """A client frame by hand: first byte as given, payload masked unless told."""
    n = len(payload)
    m = 0x80 if masked else 0
    if n < 126:
        head = bytes([opcode_byte, m | n])
    elif n <= 0xFFFF:
        head = bytes([opcode_byte, m | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([opcode_byte, m | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def read_server_frame(sock, buf=b""):
    """One frame from the server (unmasked): (opcode, payload, rest of buf)."""
    def need(n):
        nonlocal buf
        while len(buf) < n:
            data = sock.recv(1 << 16)
            if not data:
                raise EOFError
            buf += data
    need(2)
    n = buf[1] & 0x7F
    at = 2
    if n == 126:
        need(4)
        n = int.from_bytes(buf[2:4], "big")
        at = 4
    elif n == 127:
        need(10)
        n = int.from_bytes(buf[2:10], "big")
        at = 10
    need(at + n)
    return buf[0] & 0x0F, buf[at:at + n], buf[at + n:]
