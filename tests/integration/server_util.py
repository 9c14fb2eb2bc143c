"""Helpers shared by the server suites: run a phial server program as a real
process (its log goes to a file), wait until it serves, talk raw HTTP/1.1 to
it over a socket, and stop it with a signal collecting its output.

Nothing here knows the server's internals; every check goes over a socket or
through what the process prints."""
import os
import re
import signal
import socket
import subprocess
import time

from conftest import BUILD_DIR

PROTO_SERVER = BUILD_DIR / "tests" / "test_proto_server"
RAW_EXAMPLE = BUILD_DIR / "examples" / "raw" / "raw"

SERVING_RE = re.compile(rb"serving on (?:http://(?:\[[^\]\s]+\]|[^:\s]+):(\d+)|unix:(\S+))")


class Server:
    """A server process. `args` are its command-line options; without --port
    or --uds it gets --port -1 and the port it prints is read back."""

    def __init__(self, *args, exe=PROTO_SERVER, log_dir, env=None, wait=True):
        self.exe = str(exe)
        self.args = [str(a) for a in args]
        if "--port" not in self.args and "--uds" not in self.args:
            self.args += ["--port", "-1"]
        self.log_path = os.path.join(str(log_dir), f"server-{os.getpid()}-{time.monotonic_ns()}.log")
        self.port = None
        self.proc = None
        self.env = dict(os.environ, **(env or {}))
        self._log = None
        try:
            self.start(wait)
        except BaseException:
            self.kill()  # never leave a process behind a failed start
            raise

    def start(self, wait=True):
        self._log = open(self.log_path, "wb")
        self._told_to_stop = False
        # Its own process group, so that teardown reaches workers too.
        self.proc = subprocess.Popen([self.exe] + self.args, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=self.env,
                                     start_new_session=True)
        if wait:
            self.wait_serving()

    @property
    def pid(self):
        return self.proc.pid

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, pattern, timeout=15.0):
        """Wait until the log matches `pattern` (a regex); return the match."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log())
            if m:
                return m
            time.sleep(0.02)
        raise AssertionError(f"log never matched {pattern!r}:\n{self.log()}")

    def wait_serving(self, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                m = SERVING_RE.search(f.read())
            if m:
                if m.group(1):
                    self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            time.sleep(0.02)
        raise AssertionError(f"server did not start within {timeout}s:\n{self.log()}")

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def send_signal(self, sig):
        if sig in (signal.SIGTERM, signal.SIGINT):
            self._told_to_stop = True
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=30.0):
        """Send `sig`, wait for the exit; return (returncode, log text).

        A server already sent SIGTERM or SIGINT is only waited for: a second
        signal could land after it has put back the default handlers on its
        way out, and kill it."""
        if self.proc.poll() is None:
            if not self._told_to_stop:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"server ignored signal {sig} for {timeout}s:\n{self.log()}")
        self._log.close()
        return self.proc.returncode, self.log()

    def stop_cleanly(self):
        """A graceful stop that must end with status 0 and, under `make asan`,
        no leak or sanitizer report at exit."""
        rc, log = self.stop()
        assert rc == 0 and "Sanitizer" not in log, log[-3000:]

    def kill(self):
        """Kill the process and everything in its group (workers)."""
        if self.proc:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        if self._log:
            self._log.close()

    def cpu_seconds(self, pid=None):
        """User + system CPU time of the process so far."""
        with open(f"/proc/{pid or self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_bytes(self, pid=None):
        with open(f"/proc/{pid or self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0


class Response:
    def __init__(self, version, status, reason, headers, body):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value) as received
        self.body = body

    def header(self, name):
        """The first value of `name` (case-insensitive), or None."""
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def __repr__(self):
        return f"<Response {self.status} {self.headers} {self.body[:80]!r}>"


class ConnectionClosed(Exception):
    pass


class Conn:
    """A raw client connection with a read buffer: send bytes, read parsed
    responses, and find out whether the server closed."""

    def __init__(self, port=None, uds=None, timeout=10.0):
        if uds:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(uds)
        else:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False
        # Whether the end came as a reset (RST) rather than a close (FIN):
        # read_response reports both as ConnectionClosed.
        self.reset = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def _fill(self):
        if self.eof:
            raise ConnectionClosed()
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            self.reset = True
            chunk = b""
        if not chunk:
            self.eof = True
            raise ConnectionClosed()
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n")
        line = bytes(self.buf[:i])
        del self.buf[:i + 2]
        return line

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_response(self, head=False, allow_1xx=False):
        """One response. `head`: it answers a HEAD (no body whatever the
        headers say). Interim 1xx responses are returned only with allow_1xx."""
        while True:
            line = self._line().decode("latin-1")
            version, status, reason = (line.split(" ", 2) + [""])[:3]
            status = int(status)
            headers = []
            while True:
                h = self._line().decode("latin-1")
                if not h:
                    break
                name, value = h.split(":", 1)
                headers.append((name, value.strip()))
            resp = Response(version, status, reason, headers, b"")
            if 100 <= status < 200:
                if allow_1xx:
                    return resp
                continue
            break
        te = resp.header("Transfer-Encoding")
        cl = resp.header("Content-Length")
        if head or status in (204, 304):
            return resp
        if te is not None:
            assert te.lower() == "chunked", te
            body = bytearray()
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                body += self._take(size)
                assert self._take(2) == b"\r\n"
            resp.body = bytes(body)
        elif cl is not None:
            resp.body = self._take(int(cl))
        else:
            resp.body = self.read_until_close()
        return resp

    def read_until_close(self, timeout=None):
        """Everything until the server closes; raises socket.timeout if it
        does not within `timeout`."""
        self.sock.settimeout(timeout or self.timeout)
        try:
            while not self.eof:
                try:
                    self._fill()
                except ConnectionClosed:
                    break
        finally:
            self.sock.settimeout(self.timeout)
        out, self.buf = bytes(self.buf), bytearray()
        return out

    def closed_within(self, timeout):
        """True when the server closes the connection within `timeout` s
        (bytes it sends first are kept in the buffer)."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                self._fill()
            except ConnectionClosed:
                return True
            except socket.timeout:
                return False
            finally:
                self.sock.settimeout(self.timeout)
        return True


def read_lines(path):
    """The lines of a file a server records events in; none before it exists."""
    return path.read_text().splitlines() if path.exists() else []


def wait_until(cond, timeout=15.0, step=0.02):
    """Poll `cond` until it holds (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return False


def exchange(port, data, timeout=10.0):
    """Send `data` on a new connection and return every byte the server
    sends until it closes (raises socket.timeout if it keeps it open)."""
    with Conn(port, timeout=timeout) as c:
        c.send(data)
        return c.read_until_close()


def get(port, path="/", headers="", version="1.1"):
    """One request on a new connection; returns the parsed response."""
    with Conn(port) as c:
        c.send(f"GET {path} HTTP/{version}\r\nHost: t\r\n{headers}\r\n")
        return c.read_response()


def parse_all(data):
    """Split bytes holding whole responses (no HEAD answers) into Responses."""
    class Fake(Conn):
        def __init__(self, raw):
            self.buf, self.eof, self.timeout = bytearray(raw), False, 1

        def _fill(self):
            self.eof = True
            raise ConnectionClosed()

        def read_until_close(self, timeout=None):
            out, self.buf = bytes(self.buf), bytearray()
            return out

    f, out = Fake(data), []
    while f.buf:
        out.append(f.read_response())
    return out
