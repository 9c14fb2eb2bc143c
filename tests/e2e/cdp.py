"""A small Chrome DevTools Protocol client for headless Chromium, with no
dependency beyond the Python standard library.

Chromium is started with --remote-debugging-pipe: it reads commands from its
file descriptor 3 and writes replies and events to descriptor 4, each a JSON
message ended by a NUL byte (the transport Puppeteer's "pipe" option uses).
No port is opened, so nothing else on the machine can drive the browser.

    with Browser() as b:
        page = b.new_page(width=1000, height=760)
        page.goto("http://127.0.0.1:8000/")
        page.type_into("#username", "demo")
        page.click_and_wait("#login")
        png = page.screenshot()

Protocol reference: https://chromedevtools.github.io/devtools-protocol/
"""
import base64
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
    "--remote-debugging-pipe",
]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(Exception):
    pass


def _high_fd(fd):
    """A copy of `fd` numbered 10 or more, so moving the pipes to 3 and 4 in
    the child can never overwrite one with the other."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new


class Browser:
    def __init__(self, executable=None, timeout=30.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise CDPError("no chromium executable found")
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="phial-e2e-")
        to_r, self._to_w = (_high_fd(fd) for fd in os.pipe())
        self._from_r, from_w = (_high_fd(fd) for fd in os.pipe())

        # bash (dash takes one-digit descriptors only) moves the pipes to descriptors 3 and 4, then becomes Chromium.
        move = f'exec "$0" "$@" 3<&{to_r} 4>&{from_w} {to_r}<&- {from_w}>&-'
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", move, self.executable, *CHROMIUM_FLAGS,
             f"--user-data-dir={self.profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            pass_fds=(to_r, from_w))
        os.close(to_r)
        os.close(from_w)
        self._next_id = 0
        self._lock = threading.Condition()
        self._replies = {}
        self._events = []
        self._closed = False
        self._stderr = []
        threading.Thread(target=self._read_loop, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.version = self.send("Browser.getVersion")

    # ---- transport ----------------------------------------------------------

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))
            del self._stderr[:-50]

    def _read_loop(self):
        buf = b""
        while True:
            chunk = os.read(self._from_r, 1 << 16)
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._lock:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self._events.append(msg)
                    self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def send(self, method, params=None, session=None, timeout=None):
        """Send a command and wait for its reply; returns its result."""
        with self._lock:
            self._next_id += 1
            mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self._to_w, data):]
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            while mid not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise CDPError(f"{method}: no reply ({'browser exited' if self._closed else 'timeout'})"
                                   f"\n{''.join(self._stderr[-10:])}")
                self._lock.wait(left)
            reply = self._replies.pop(mid)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method, session=None, since=0, timeout=None, match=None):
        """Wait for an event named `method` (of `session`) among those received
        after position `since`; returns (event params, next position)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        with self._lock:
            while True:
                for i in range(since, len(self._events)):
                    ev = self._events[i]
                    if ev["method"] == method and (session is None or ev.get("sessionId") == session) \
                            and (match is None or match(ev.get("params", {}))):
                        return ev.get("params", {}), i + 1
                since = max(since, len(self._events))
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise CDPError(f"no {method} event within the time allowed")
                self._lock.wait(left)

    def event_mark(self):
        with self._lock:
            return len(self._events)

    # ---- pages --------------------------------------------------------------

    def new_page(self, width=1000, height=760):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        page.send("Page.enable")
        page.send("Runtime.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        return page

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
            except CDPError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self._to_w,):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    """One tab, driven the way a person would: load pages, click on what is
    shown, type with the keyboard, and read what the page shows."""

    def __init__(self, browser, session):
        self.browser = browser
        self.session = session

    def send(self, method, params=None):
        return self.browser.send(method, params, session=self.session)

    def _loaded_after(self, mark):
        self.browser.wait_event("Page.loadEventFired", self.session, since=mark)

    def goto(self, url):
        mark = self.browser.event_mark()
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CDPError(f"navigate to {url}: {result['errorText']}")
        self._loaded_after(mark)

    def eval(self, expression):
        """Evaluate JavaScript in the page; returns the value (JSON-able)."""
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise CDPError(f"{expression}: {r['exceptionDetails'].get('text')} "
                           f"{r['exceptionDetails'].get('exception', {}).get('description', '')}")
        return r["result"].get("value")

    def center_of(self, selector):
        box = self.eval(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2, r.width, r.height]; })()")
        if not box or box[2] == 0 or box[3] == 0:
            raise CDPError(f"{selector}: not on the page, or not visible")
        return box[0], box[1]

    def click(self, selector):
        """A left click in the middle of the element, as a mouse makes it."""
        x, y = self.center_of(selector)
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def click_and_wait(self, selector):
        """Click something that loads a new page (a link, a submit button)
        and wait until that page has loaded."""
        mark = self.browser.event_mark()
        self.click(selector)
        self._loaded_after(mark)

    def type_into(self, selector, text):
        """Click into a field and type `text`, as a keyboard would."""
        self.click(selector)
        self.send("Input.insertText", {"text": text})

    def press_enter(self):
        mark = self.browser.event_mark()
        for kind in ("rawKeyDown", "char", "keyUp"):
            params = {"type": kind, "key": "Enter", "code": "Enter",
                      "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}
            if kind == "char":
                params["text"] = "\r"
            self.send("Input.dispatchKeyEvent", params)
        self._loaded_after(mark)

    def text(self, selector):
        return self.eval(f"document.querySelector({json.dumps(selector)})?.innerText ?? null")

    def texts(self, selector):
        return self.eval(f"[...document.querySelectorAll({json.dumps(selector)})]"
                         ".map(e => e.innerText.trim())")

    def path(self):
        return self.eval("location.pathname + location.search")

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path
