"""Shared fixtures for the black-box suites: where the build is, and how to
start a phial program on a free loopback port and wait until it listens."""
import os
import pathlib
import socket
import subprocess
import time

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("PHIAL_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
BUILD_DIR = pathlib.Path(os.environ.get("PHIAL_BUILD_DIR", SOURCE_DIR / "build"))
# Flags programs built against this build of phial need (the sanitizers of an
# ASan build): add them to every compile and link the suites run.
EXTRA_CFLAGS = os.environ.get("PHIAL_EXTRA_CFLAGS", "").split()


@pytest.fixture(scope="session")
def build_dir():
    return BUILD_DIR


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


def free_port():
    """A loopback port for a server that must be given its port before it
    starts. Where a server can be asked for any port (--port -1) and prints
    the one it got, ask it that way instead.

    Binding port 0, closing, and handing the number over would leave a
    window in which any other process asking the kernel for a port (the
    other suites of a parallel CI run, every outgoing connection) can be
    given the same one. So the port stays reserved: a connection to it is
    accepted and the accepting end closes first, which leaves that end in
    TIME_WAIT on the port for a minute. Meanwhile the kernel hands the port
    to no one asking for an unspecified port (bind to port 0, connect), and
    a server binding it by number with SO_REUSEADDR, as phial's server and
    nginx do, gets it."""
    with socket.socket() as listener:
        # inherited by the accepted end, so that the server's SO_REUSEADDR bind shares the port
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            accepted, _ = listener.accept()
            accepted.close()
            # the accepted end's FIN has come: it closed first, and is the one in TIME_WAIT
            assert client.recv(1) == b""
    return port


def wait_listening(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"server did not listen on {port} within {timeout}s")


# ---- server suites (tests/integration/test_server_*.py) -------------------


@pytest.fixture
def start_server(tmp_path):
    """Start server processes (server_util.Server) that are killed at the end
    of the test whatever happens: start_server("--workers", 2, ...)."""
    from server_util import Server

    started = []

    def start(*args, **kw):
        kw.setdefault("log_dir", tmp_path)
        s = Server(*args, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.kill()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One test_proto_server per module for tests that only send requests."""
    from server_util import Server

    s = Server("--no-access-log", log_dir=tmp_path_factory.mktemp("server"))
    yield s
    s.kill()
