"""File-descriptor exhaustion: the server runs with a small open-file limit
(prlimit --nofile) and clients open more connections than it can hold.
Accepting must not spin (the server's CPU stays low while descriptors are
out), clients past the limit are closed or wait, the connections already
open keep being served, and service resumes for new clients once
descriptors free up."""
import os
import shutil
import socket
import time

import pytest

from server_util import PROTO_SERVER, Conn, ConnectionClosed, Server

LIMIT = 64


def setup_module():
    assert shutil.which("prlimit"), "prlimit is missing (util-linux; make test installs it)"


# How long a request may take before it counts as not served (left waiting
# in the backlog): far more than a served one takes, even under ASan on a
# busy machine.
WAIT = 5.0


def served(port, timeout=WAIT):
    """A new connection's request answered within `timeout`: its body, or
    None when the connection was closed, refused or left waiting."""
    try:
        with Conn(port, timeout=timeout) as c:
            c.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            return c.read_response().body
    except (ConnectionClosed, ConnectionResetError, ConnectionRefusedError, socket.timeout,
            BrokenPipeError):
        return None


def test_descriptor_exhaustion_pauses_without_spinning_and_recovers(start_server):
    s = start_server("--nofile=%d" % LIMIT, PROTO_SERVER, "--no-access-log",
                     "--timeout-keep-alive", 60, "--timeout-header", 60, exe="prlimit")
    assert served(s.port) == b"hello"
    base = len(os.listdir(f"/proc/{s.pid}/fd"))
    held = []
    try:
        # Fill the server's descriptor table with live keep-alive connections.
        for _ in range(LIMIT):
            c = Conn(s.port, timeout=WAIT)
            held.append(c)
            try:
                c.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                if c.read_response().body != b"hello":
                    break
            except (ConnectionClosed, ConnectionResetError, socket.timeout, BrokenPipeError):
                break
        fds = len(os.listdir(f"/proc/{s.pid}/fd"))
        assert fds >= LIMIT - 2, (base, fds)
        # Out of descriptors: more clients arrive and are not served ...
        extra = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(20)]
        for sk in extra:
            sk.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        # ... and accepting does not turn into a busy loop.
        cpu0 = s.cpu_seconds()
        time.sleep(2.0)
        spent = s.cpu_seconds() - cpu0
        assert spent < 0.4, f"{spent:.2f} s of CPU in 2 s while out of descriptors"
        # The connections already open still work.
        for c in held[:5]:
            if not c.eof:
                c.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                assert c.read_response().body == b"hello"
        assert s.proc.poll() is None
        for sk in extra:
            sk.close()
    finally:
        for c in held:
            c.close()
    # Descriptors free up: service resumes for new clients.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if served(s.port) == b"hello":
            break
        time.sleep(0.2)
    else:
        raise AssertionError(f"service did not resume:\n{s.log()[-2000:]}")
    for _ in range(20):
        assert served(s.port) == b"hello"
    log = s.log()
    assert "Sanitizer" not in log, log[-4000:]
