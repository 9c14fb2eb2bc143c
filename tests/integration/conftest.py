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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
