"""SIGTERM and SIGHUP under sustained load: clients keep sending requests
without pause (new connections and keep-alive ones) while the signal comes.
Every request the server took must be answered in full: the only failures
allowed are connections refused after the listener closed (SIGTERM).
test_server_lifecycle.py covers a batch of requests in flight at SIGTERM and
one SIGHUP under load; here the load goes on across the signal, several
SIGHUPs follow each other, and SIGTERM ends it."""
import re
import signal
import socket
import threading
import time

import pytest

from server_util import Conn, ConnectionClosed


def wait_until(cond, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


class Load:
    """Client threads that send requests until stopped. A connection refused
    is counted apart (the server was no longer listening); any other
    failure on an established connection is an error."""

    def __init__(self, port, new_conn=3, keep_alive=3):
        self.port = port
        self.stop = threading.Event()
        self.ok = 0
        self.refused = 0
        self.errors = []
        # New connections reset before any byte of a response came back:
        # at SIGTERM, a client whose handshake the kernel completes in the
        # instant between the server's last accept and the listener's close
        # is reset with the listener (nothing can close that window in one
        # process). Counted apart; the server's own count of the requests it
        # took (served_total) shows none of them was a request it took.
        self.unanswered = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.fresh) for _ in range(new_conn)]
        self.threads += [threading.Thread(target=self.kept) for _ in range(keep_alive)]

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join(60)

    def _count(self, r):
        with self.lock:
            if r.status == 200 and r.body == b"hello":
                self.ok += 1
            else:
                self.errors.append(f"bad response {r!r}")

    def _connect(self):
        """A new connection, or None after counting a refusal."""
        try:
            return Conn(self.port, timeout=20)
        except ConnectionRefusedError:
            with self.lock:
                self.refused += 1
            time.sleep(0.01)
            return None

    def fresh(self):
        while not self.stop.is_set():
            c = self._connect()
            if c is None:
                continue
            with c:
                try:
                    c.send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    self._count(c.read_response())
                except (ConnectionClosed, OSError) as e:
                    with self.lock:
                        # A reset can surface in send or, seen by recv, as
                        # ConnectionClosed; a close (FIN) with no answer
                        # would be a request dropped by the server.
                        reset = c.reset or isinstance(e, (ConnectionResetError, BrokenPipeError))
                        what = f"new connection: {e!r}" + (" (reset)" if reset else "")
                        if reset and not c.buf:
                            self.unanswered.append(what)
                        else:
                            self.errors.append(what)

    def kept(self):
        c = None
        while not self.stop.is_set():
            if c is None:
                c = self._connect()
                if c is None:
                    continue
                answered = 0
            try:
                c.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                r = c.read_response()
                self._count(r)
                answered += 1
                if (r.header("Connection") or "").lower() == "close":
                    c.close()
                    c = None
            except (ConnectionClosed, OSError) as e:
                # A keep-alive connection the server closed while idle, before
                # this request reached it, would be retried by a client; one
                # closed after taking the request is a lost request. The
                # server gives idle connections a grace at shutdown, so
                # neither should happen: count both. The exception is this
                # thread's new connection (made after a "Connection: close"
                # answer) reset before any answer: the listener's close, as
                # in fresh().
                reset = c.reset or isinstance(e, (ConnectionResetError, BrokenPipeError))
                with self.lock:
                    if reset and not answered and not c.buf:
                        self.unanswered.append(f"new keep-alive connection: {e!r} (reset)")
                    else:
                        self.errors.append(f"keep-alive: {e!r}")
                c.close()
                c = None
        if c:
            c.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_under_sustained_load_fails_no_accepted_request(start_server, workers):
    s = start_server("--workers", workers, "--no-access-log")
    load = Load(s.port)
    load.start()
    try:
        assert wait_until(lambda: load.ok > 20), (load.ok, load.errors[:5])
        before = load.ok
        s.send_signal(signal.SIGTERM)
        s.proc.wait(30)
        time.sleep(0.3)
    finally:
        load.join()
    assert s.proc.returncode == 0, s.log()[-3000:]
    assert load.errors == [], (load.errors[:10], len(load.errors))
    assert load.ok > before
    # Every request the app took was answered in full...
    assert served_total(s.log()) == load.ok, (served_total(s.log()), load.ok)
    # ...so a reset new connection never had its request taken: it met the
    # listener's close, at most one per connecting client thread.
    assert len(load.unanswered) <= len(load.threads), load.unanswered
    assert "Sanitizer" not in s.log()


def served_total(log):
    """The requests the app was called for, summed over the workers (each
    prints its count at the end of its lifespan)."""
    counts = re.findall(r"lifespan shutdown \(requests served: (\d+)\)", log)
    assert counts, log[-3000:]
    return sum(int(n) for n in counts)


def test_sighup_repeated_under_sustained_load_fails_no_request(start_server):
    s = start_server("--workers", 2, "--no-access-log")
    load = Load(s.port)
    load.start()
    try:
        assert wait_until(lambda: load.ok > 20), (load.ok, load.errors[:5])
        for i in range(3):
            s.send_signal(signal.SIGHUP)
            # this SIGHUP's line (the first one's would match every time)
            deadline = time.monotonic() + 20
            while s.log().count("received SIGHUP") <= i:
                assert time.monotonic() < deadline, s.log()[-3000:]
                time.sleep(0.02)
            time.sleep(1.5)
        n = load.ok
        assert wait_until(lambda: load.ok > n), "no request served after the reloads"
    finally:
        load.join()
    assert load.errors == [], (load.errors[:10], len(load.errors))
    assert load.unanswered == []  # the supervisor keeps the sockets open across reloads
    assert load.refused == 0
    rc, log = s.stop()
    assert rc == 0
    assert log.count("received SIGHUP") == 3, log[-3000:]
    assert "Sanitizer" not in log


def worker_children(pid):
    import os
    out = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as f:
            out |= {int(x) for x in f.read().split()}
    return out


def test_worker_killed_mid_request_others_carry_on(start_server):
    """kill -9 of a worker while it runs a request: that request's
    connection closes (the only loss), requests elsewhere go on under
    load, and the supervisor starts a replacement."""
    import os
    s = start_server("--workers", 2, "--no-access-log")
    deadline = time.monotonic() + 15
    while len(worker_children(s.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim_conn = Conn(s.port, timeout=20)
    victim_conn.send(b"GET /pid HTTP/1.1\r\nHost: t\r\n\r\n")
    victim = int(victim_conn.read_response().body)
    victim_conn.send(b"GET /sleep?s=10&tag=victim HTTP/1.1\r\nHost: t\r\n\r\n")
    load = Load(s.port, new_conn=3, keep_alive=0)
    load.start()
    try:
        s.wait_log(r"proto_server: sleep victim")  # the victim runs the request
        assert wait_until(lambda: load.ok > 20), (load.ok, load.errors[:5])  # under load
        os.kill(victim, signal.SIGKILL)
        with pytest.raises((ConnectionClosed, ConnectionResetError)):
            victim_conn.read_response()
        victim_conn.close()
        s.wait_log(rf"worker {victim} \(slot \d\) killed by signal 9; restarting")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            kids = worker_children(s.pid)
            if len(kids) == 2 and victim not in kids:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"no replacement worker:\n{s.log()[-2000:]}")
        n = load.ok
        assert wait_until(lambda: load.ok > n + 20), (n, load.ok)
    finally:
        load.join()
    # At most the requests in flight on the victim at the kill are lost.
    assert len(load.errors) <= 3, load.errors
    rc, log = s.stop()
    assert rc == 0
    assert "Sanitizer" not in log
