"""examples/notes, the demo app, over real HTTP: login and logout with the
session cookie, the pages (forms, validation, flashed messages, CSRF), the
JSON API beside them, error pages, the static stylesheet, SQLite storage
(hashed passwords, users kept apart) and serving with several workers."""
import concurrent.futures
import os
import re
import signal
import shutil
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from conftest import BUILD_DIR, SOURCE_DIR, free_port, wait_listening
from server_util import Server

NOTES = BUILD_DIR / "examples" / "notes" / "notes"
CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def start_notes(tmp_path, *args, **env):
    env = {"PHIAL_DATABASE": str(tmp_path / "notes.db"), "PHIAL_SECRET_KEY": "test-secret",
           **env}
    return Server("run", *args, exe=NOTES, log_dir=tmp_path, env=env)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = start_notes(tmp_path_factory.mktemp("notes"))
    try:
        yield s
        s.stop_cleanly()  # after every test of the module
    finally:
        s.kill()


def client(server):
    return httpx.Client(base_url=server.url(""), timeout=15)


def csrf(c, path="/auth/login"):
    m = CSRF_RE.search(c.get(path).text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def login(c, username="demo", password="demo", next_=None):
    data = {"csrf_token": csrf(c), "username": username, "password": password}
    if next_ is not None:
        data["next"] = next_
    return c.post("/auth/login", data=data)


def flashes(html):
    return re.findall(r'<li class="flash (\w+)">([^<]*)</li>', html)


def main_text(html):
    return html[html.index("<main"):html.index("</main>")]


def titles(html):
    """The titles of the notes listed on a page, in order."""
    return re.findall(r'<h2><a href="/notes/\d+">([^<]*)</a></h2>', html)


def add_note(c, title, body=""):
    return c.post("/notes/new", data={"csrf_token": csrf(c, "/notes/new"), "title": title,
                                      "body": body})


def register(c, username, password="correct horse", confirm=None):
    return c.post("/auth/register", data={
        "csrf_token": csrf(c, "/auth/register"), "username": username, "password": password,
        "confirm": password if confirm is None else confirm})


# ---- pages and login --------------------------------------------------------


def test_pages_need_a_login_and_come_back_after_it(server):
    with client(server) as c:
        r = c.get("/notes/new?from=x")
        assert r.status_code == 302
        assert r.headers["location"] == "/auth/login?next=%2Fnotes%2Fnew%3Ffrom%3Dx"
        r = c.get(r.headers["location"])
        assert r.status_code == 200
        assert ("info", "Please log in to see your notes.") in flashes(r.text)
        assert 'name="next" value="/notes/new?from=x"' in r.text
        r = login(c, next_="/notes/new?from=x")
        assert (r.status_code, r.headers["location"]) == (303, "/notes/new?from=x")
        r = c.get("/")
        assert r.status_code == 200
        assert ("success", "Welcome back, you are logged in.") in flashes(r.text)
        assert '<span class="who" title="Logged in">demo</span>' in r.text


def test_wrong_password_is_refused(server):
    with client(server) as c:
        r = login(c, password="nope")
        assert r.status_code == 401
        assert ("error", "Wrong user name or password.") in flashes(r.text)
        assert 'value="demo"' in r.text  # the name is kept in the form
        r = login(c, username="nobody", password="demo")
        assert r.status_code == 401
        assert c.get("/").status_code == 302


def test_login_refuses_to_redirect_off_site(server):
    for bad in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
                "/x\ny", "\\\\evil.example", "javascript:alert(1)"):
        with client(server) as c:
            r = login(c, next_=bad)
            assert (r.status_code, r.headers["location"]) == (303, "/"), bad


def test_session_cookie_attributes(server):
    with client(server) as c:
        r = login(c)
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("session=")
        for attr in ("HttpOnly", "Path=/", "SameSite=Lax", "Expires="):
            assert attr in cookie
        assert c.get("/").headers["cache-control"] == "no-store"


def test_add_a_note_then_see_it_listed_and_flashed(server):
    with client(server) as c:
        login(c)
        r = add_note(c, "Buy <milk>", "two litres\nand bread")
        assert (r.status_code, r.headers["location"]) == (303, "/")
        r = c.get("/")
        assert ("success", "Note “Buy &lt;milk&gt;” added.") in flashes(r.text)
        m = re.search(r'<a href="/notes/(\d+)">Buy &lt;milk&gt;</a>', r.text)
        assert m, main_text(r.text)
        r = c.get(f"/notes/{m.group(1)}")
        assert r.status_code == 200
        assert '<div class="body">two litres\nand bread</div>' in r.text
        # The flash was shown once and is gone.
        assert flashes(c.get("/").text) == []


def test_note_form_validation(server):
    with client(server) as c:
        login(c)
        r = add_note(c, "   ", "a body")
        assert r.status_code == 400
        assert '<p class="error" id="title-error">Please give the note a title.</p>' in r.text
        assert ">a body</textarea>" in r.text  # what was typed is kept
        r = add_note(c, "é" * 121)
        assert r.status_code == 400 and "The title is too long" in r.text
        assert add_note(c, "é" * 120).status_code == 303  # characters, not bytes
        r = add_note(c, "long", "x" * 10001)
        assert r.status_code == 400 and "The note is too long" in r.text


def test_edit_and_delete_a_note(server):
    with client(server) as c:
        login(c)
        add_note(c, "Draft", "first")
        nid = re.search(r'<a href="/notes/(\d+)">Draft</a>', c.get("/").text).group(1)
        r = c.get(f"/notes/{nid}/edit")
        assert r.status_code == 200 and 'value="Draft"' in r.text and ">first</textarea>" in r.text
        token = CSRF_RE.search(r.text).group(1)
        r = c.post(f"/notes/{nid}/edit", data={"csrf_token": token, "title": "", "body": "x"})
        assert r.status_code == 400 and "Please give the note a title." in r.text
        r = c.post(f"/notes/{nid}/edit", data={"csrf_token": token, "title": "Final",
                                              "body": "second"})
        assert (r.status_code, r.headers["location"]) == (303, f"/notes/{nid}")
        r = c.get(f"/notes/{nid}")
        assert ("success", "Note saved.") in flashes(r.text)
        assert "<h1>Final</h1>" in r.text and "second" in r.text
        r = c.post(f"/notes/{nid}/delete", data={"csrf_token": token})
        assert (r.status_code, r.headers["location"]) == (303, "/")
        assert ("info", "Note “Final” deleted.") in flashes(c.get("/").text)
        assert c.get(f"/notes/{nid}").status_code == 404
        assert c.post(f"/notes/{nid}/delete", data={"csrf_token": token}).status_code == 404


def test_search(server):
    with client(server) as c:
        login(c)
        add_note(c, "Alpha searchable", "zebra")
        add_note(c, "Beta", "a SEARCHABLE body")
        add_note(c, "Gamma", "nothing")
        c.get("/")  # shows the flashes
        r = c.get("/", params={"q": "searchable"})
        assert titles(r.text) == ["Beta", "Alpha searchable"]
        assert "2 notes matching “searchable”" in r.text
        r = c.get("/", params={"q": "no-such-thing"})
        assert "No note matches “no-such-thing”." in r.text


def test_forms_need_the_csrf_token(server):
    with client(server) as c:
        login(c)
        r = c.post("/notes/new", data={"title": "forged"})
        assert r.status_code == 400
        assert "The form was out of date or came from another site." in r.text
        r = c.post("/notes/new", data={"title": "forged", "csrf_token": "0" * 64})
        assert r.status_code == 400
        r = c.post("/auth/logout")
        assert r.status_code == 400
        assert "forged" not in c.get("/").text


def test_logout(server):
    with client(server) as c:
        login(c)
        token = CSRF_RE.search(c.get("/").text).group(1)
        r = c.post("/auth/logout", data={"csrf_token": token})
        assert (r.status_code, r.headers["location"]) == (303, "/auth/login")
        r = c.get("/auth/login")
        assert ("info", "You have been logged out.") in flashes(r.text)
        assert "Log out" not in r.text
        assert c.get("/").status_code == 302
        assert c.get("/api/me").status_code == 401


def test_register_validates_and_keeps_users_apart(server):
    with client(server) as c:
        r = register(c, "x")
        assert r.status_code == 400 and "Choose a name of 3 to 32 characters." in r.text
        r = register(c, "bad name!")
        assert r.status_code == 400 and "Use only letters, digits" in r.text
        r = register(c, "alice", "short")
        assert r.status_code == 400 and "at least 8 characters" in r.text
        r = register(c, "alice", "long enough", confirm="different")
        assert r.status_code == 400 and "The two passwords differ." in r.text
        r = register(c, "DEMO")
        assert r.status_code == 400 and "That name is taken." in r.text
        r = register(c, "alice")
        assert (r.status_code, r.headers["location"]) == (303, "/")
        r = c.get("/")
        assert ("success", "Your account is ready. Write your first note!") in flashes(r.text)
        assert "No notes yet." in r.text
        add_note(c, "Alice's secret")
        alice_note = c.get("/api/notes").json()["notes"][0]["id"]
    with client(server) as c:
        login(c)
        assert "Alice&#39;s secret" not in titles(c.get("/").text)
        assert c.get(f"/notes/{alice_note}").status_code == 404
        assert c.get(f"/api/notes/{alice_note}").status_code == 404
    with client(server) as c:
        assert login(c, "alice", "correct horse").status_code == 303


# ---- the JSON API -----------------------------------------------------------


def test_api_needs_a_login(server):
    with client(server) as c:
        r = c.get("/api/notes")
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/json"
        body = r.json()
        assert body["status"] == 401 and body["error"] == "Unauthorized"
        assert "Log in first" in body["message"]


def test_api_crud(server):
    with client(server) as c:
        login(c)
        assert c.get("/api/me").json() == {"id": 1, "username": "demo"}
        r = c.post("/api/notes", json={"title": "  From the API ", "body": "hello"})
        assert r.status_code == 201
        note = r.json()
        assert note["title"] == "From the API" and note["body"] == "hello"
        assert r.headers["location"] == f"/api/notes/{note['id']}"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", note["created"])
        assert c.get(r.headers["location"]).json() == note
        listed = c.get("/api/notes").json()["notes"]
        assert listed[0] == note  # newest first, the same fields as one note
        r = c.put(f"/api/notes/{note['id']}", json={"title": "Renamed", "body": ""})
        assert r.status_code == 200 and r.json()["title"] == "Renamed"
        assert "Renamed" in c.get("/").text  # the pages see the API's notes
        r = c.delete(f"/api/notes/{note['id']}")
        assert r.status_code == 204 and r.content == b""
        r = c.get(f"/api/notes/{note['id']}")
        assert r.status_code == 404 and r.json()["error"] == "Not Found"
        assert c.delete(f"/api/notes/{note['id']}").status_code == 404


def test_api_validation_errors(server):
    with client(server) as c:
        login(c)
        r = c.post("/api/notes", json={"title": "", "body": 5})
        assert r.status_code == 422
        assert r.json() == {"status": 422, "error": "Unprocessable Entity",
                            "message": "The note is not valid.",
                            "fields": {"title": "Please give the note a title.",
                                       "body": "The body must be a string."}}
        r = c.post("/api/notes", content=b"title=x",
                   headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 400 and r.json()["error"] == "Bad Request"
        r = c.post("/api/notes", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400
        r = c.post("/api/notes", json=["a list"])
        assert r.status_code == 422


# ---- errors, static files, storage ------------------------------------------


def test_error_pages(server):
    with client(server) as c:
        r = c.get("/no/such/page")
        assert r.status_code == 404
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert '<p class="code">404</p>' in r.text and "<h1>Not Found</h1>" in r.text
        assert "<title>404 Not Found · phial notes</title>" in r.text
        r = c.get("/api/no/such/thing")
        assert r.status_code == 404 and r.json()["error"] == "Not Found"
        r = c.get("/auth/logout")
        assert r.status_code == 405 and "<h1>Method Not Allowed</h1>" in r.text
        r = c.post("/api/me")
        assert r.status_code == 405 and r.json()["status"] == 405
        r = c.post("/auth/login", content=b"x" * (1024 * 1024 + 1),
                   headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 413


def test_static_stylesheet(server):
    with client(server) as c:
        r = c.get("/static/style.css")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/css")
        assert "public" in r.headers["cache-control"] and "max-age=3600" in r.headers["cache-control"]
        assert ".flash.success" in r.text
        r2 = c.get("/static/style.css", headers={"if-none-match": r.headers["etag"]})
        assert r2.status_code == 304
        assert c.get("/static/../main.c").status_code == 404
        assert '<link rel="stylesheet" href="/static/style.css">' in c.get("/auth/login").text


def test_passwords_are_stored_hashed(server, tmp_path):
    with client(server) as c:
        register(c, "hashcheck", "a fine password")
    db = sqlite3.connect(server.env["PHIAL_DATABASE"])
    try:
        rows = dict(db.execute("SELECT username, password FROM users").fetchall())
    finally:
        db.close()
    assert rows["demo"].startswith("pbkdf2_sha256$100000$")
    stored = rows["hashcheck"]
    assert "a fine password" not in stored
    _, iterations, salt, digest = stored.split("$")
    import hashlib
    assert hashlib.pbkdf2_hmac("sha256", b"a fine password", bytes.fromhex(salt),
                               int(iterations)).hex() == digest


def thread_cpu_ns(pid):
    """CPU time of each thread of the process, in nanoseconds."""
    import os
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                out[int(tid)] = int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return out


def test_slow_work_stays_off_the_loop(server):
    """Password checks (PBKDF2, tens of milliseconds each) run on the thread
    pool, not on the loop: over eight logins, the loop's thread (the main
    one) spends a small part of the process's CPU, the pool's threads the
    rest. Measured as CPU time, so a busy machine does not change it."""
    def slow_login(_):
        with client(server) as c:
            return login(c).status_code

    before = thread_cpu_ns(server.pid)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert list(pool.map(slow_login, range(8))) == [303] * 8
    after = thread_cpu_ns(server.pid)
    spent = {tid: ns - before.get(tid, 0) for tid, ns in after.items()}
    loop, total = spent[server.pid], sum(spent.values())
    assert total > 0.1e9, spent  # eight hashes of 100,000 rounds
    assert loop < total / 4, (loop, total)


# ---- processes --------------------------------------------------------------


def test_several_workers_share_sessions_and_storage(tmp_path):
    s = start_notes(tmp_path, "--workers", "3", "--no-access-log")
    try:
        with client(s) as c:
            login(c)
            ids = set()
            for i in range(12):  # new connections land on different workers
                with client(s) as other:
                    other.cookies = c.cookies
                    r = other.post("/api/notes", json={"title": f"n{i}"})
                    assert r.status_code == 201, r.text
                    ids.add(r.json()["id"])
            assert len(ids) == 12
            titles = {n["title"] for n in c.get("/api/notes").json()["notes"]}
            assert {f"n{i}" for i in range(12)} <= titles
        rc, log = s.stop()
        assert rc == 0, log
    finally:
        s.kill()


def test_random_secret_key_is_announced(tmp_path):
    s = start_notes(tmp_path, PHIAL_SECRET_KEY="")
    try:
        with client(s) as c:
            assert login(c).status_code == 303
        s.wait_log(r"PHIAL_SECRET_KEY is not set")
    finally:
        s.kill()


def test_adduser_command(tmp_path):
    env = {"PHIAL_DATABASE": str(tmp_path / "cli.db"), "PATH": "/usr/bin:/bin"}

    def notes(*args, **extra):
        return subprocess.run([str(NOTES), *args], capture_output=True, text=True, timeout=30,
                              env={**env, **extra})

    r = notes("adduser", "carol", "--password", "a long password")
    assert (r.returncode, r.stdout) == (0, "Created the user 'carol' (id 2).\n"), r.stderr
    r = notes("adduser", "Carol", NOTES_PASSWORD="another password")
    assert r.returncode == 1 and "the name 'Carol' is taken" in r.stderr
    r = notes("adduser", "x", "-p", "short")
    assert r.returncode == 1
    assert "username: Choose a name of 3 to 32 characters." in r.stderr
    assert "password: Choose a password of at least 8 characters." in r.stderr
    r = notes("adduser", "dave")
    assert r.returncode == 2 and "Missing option '-p' / '--password'" in r.stderr
    s = start_notes(tmp_path, "--no-access-log", PHIAL_DATABASE=env["PHIAL_DATABASE"])
    try:
        with client(s) as c:
            assert login(c, "carol", "a long password").status_code == 303
    finally:
        s.kill()


def test_in_process_with_the_test_client():
    """examples/notes/test_notes.c: the same app through phial's test client,
    with no socket (the C level of docs/guide.md section 10)."""
    exe = BUILD_DIR / "examples" / "notes" / "test_notes"
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "test_notes: all checks passed" in r.stdout


def test_bad_command_line_exits_2():
    r = subprocess.run([str(NOTES), "run", "--bogus"], capture_output=True, timeout=10)
    assert r.returncode == 2


# ---- deployed as docs/guide.md says -----------------------------------------

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    upstream notes_app {{
        server 127.0.0.1:{app_port};
        keepalive 32;
        keepalive_timeout 4s;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        location /static/ {{
            alias {static}/;
            expires 1h;
        }}
        location / {{
            proxy_pass http://notes_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def workers_of(pid):
    """The child processes of `pid` (a supervisor's workers)."""
    out = set()
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/children") as f:
            out |= {int(x) for x in f.read().split()}
    return out


def test_behind_nginx_with_workers_and_a_reload(tmp_path):
    """The deployment of docs/guide.md section 11, minus systemd: nginx in
    front (serving /static/ itself), two workers behind it, and a SIGHUP
    reload of the workers while requests keep coming."""
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    assert nginx, "nginx is not installed (make test installs it: scripts/deps.sh test)"
    app = start_notes(tmp_path, "--workers", "2", "--no-access-log")
    port = free_port()
    conf = tmp_path / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=tmp_path, app_port=app.port, port=port,
                                      static=SOURCE_DIR / "examples" / "notes" / "static"))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                            stderr=subprocess.PIPE)
    try:
        wait_listening(port, proc)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as c:
            r = c.get("/static/style.css")
            assert r.status_code == 200 and r.headers["server"].startswith("nginx")
            assert "max-age=3600" in r.headers["cache-control"]
            assert login(c).status_code == 303
            assert add_note(c, "Behind nginx").status_code == 303
            assert "Behind nginx" in titles(c.get("/").text)
            # Reload: every worker is replaced; no request fails meanwhile.
            # Requests go on from the signal until both workers are new ones
            # (not for a fixed time, which a slow reload could outlast).
            old = workers_of(app.pid)
            assert len(old) == 2, old
            app.send_signal(signal.SIGHUP)
            statuses = []
            deadline = time.monotonic() + 30
            while not ((now := workers_of(app.pid)) and len(now) == 2 and not (now & old)):
                assert time.monotonic() < deadline, (old, now, app.log()[-2000:])
                statuses.append(c.get("/api/me").status_code)
            statuses += [c.get("/api/me").status_code for _ in range(5)]
            assert set(statuses) == {200}, statuses
            app.wait_log(r"received SIGHUP: replacing 2 worker")
            assert c.get("/api/notes").json()["notes"][0]["title"] == "Behind nginx"
        rc, log = app.stop()
        assert rc == 0, log
    finally:
        proc.terminate()
        proc.wait(10)
        app.kill()


# ---- in a browser -----------------------------------------------------------


def test_in_headless_chromium(tmp_path):
    """tests/e2e/notes_e2e.py drives Chromium through the app as a person
    would (log in, add a note, see it listed and flashed, log out); its
    screenshots are kept in tests/e2e/artifacts/."""
    assert shutil.which("chromium") or shutil.which("chromium-browser"), \
        "chromium is not installed (make test installs it: scripts/deps.sh test)"
    s = start_notes(tmp_path, "--no-access-log")
    try:
        script = SOURCE_DIR / "tests" / "e2e" / "notes_e2e.py"
        out = SOURCE_DIR / "tests" / "e2e" / "artifacts"
        r = subprocess.run([sys.executable, str(script), "--url", s.url(""), "--out", str(out)],
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stdout + r.stderr + s.log()
        assert "e2e: all steps passed" in r.stdout
        assert (out / "3-note-added.png").stat().st_size > 10000
        s.stop_cleanly()
    finally:
        s.kill()
