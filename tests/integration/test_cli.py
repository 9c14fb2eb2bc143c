"""The app's command line (ph_app_main) as a user meets it: a small app,
compiled here against the build's libphial.a, run as a real process.

- `run` serves on a free port (curl fetches a page), reads PHIAL_RUN_*
  defaults and PHIAL_* config, applies --debug, serves on a unix socket and
  with workers, and stops on SIGTERM with status 0;
- `run --reload` restarts the server when a watched file or the executable
  changes (the pid the app reports changes);
- `routes` prints what `flask routes` prints for the same rules (Flask 2.2
  is the oracle), in every sort order;
- app commands, help and usage errors give exit statuses 0, 1 and 2.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import BUILD_DIR, EXTRA_CFLAGS, SOURCE_DIR, free_port

APP_C = r"""
#include <phial.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static ph_response *index_view(ph_request *req) { return ph_text(req, 200, "hello from cliapp"); }
static ph_response *pid_view(ph_request *req) {
    return ph_text(req, 200, ph_request_printf(req, "%d", (int)getpid()));
}
static ph_response *config_view(ph_request *req) {
    json_t *v = json_object_get(ph_app_config(ph_request_app(req)), ph_view_arg(req, "key"));
    return ph_jsonify(req, v ? json_incref(v) : json_null());
}
static ph_response *item_view(ph_request *req) { return ph_text(req, 200, "item"); }

static int greet(ph_cli_ctx *ctx) {
    for (int64_t i = 0; i < ph_cli_get_int(ctx, "count"); i++)
        ph_cli_echo(ctx, "Hello, %s!", ph_cli_get_str(ctx, "name"));
    return 0;
}
static int fail(ph_cli_ctx *ctx) {
    ph_cli_error(ctx, "failing on purpose");
    return 1;
}
static int app_name(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "%s %s", ph_app_name(ph_current_app()),
                ph_config_str(ph_current_app(), "GREETING", "none"));
    return ph_sleep(0.01);
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("cliapp");
    if (getenv("CLIAPP_DEBUG_IN_CODE"))
        ph_config_set_bool(app, "DEBUG", true);
    ph_static_register(app, NULL, NULL);
    ph_route(app, "/", index_view, .endpoint = "index");
    ph_route(app, "/pid", pid_view, .endpoint = "pid");
    ph_route(app, "/config/<key>", config_view, .endpoint = "config");
    ph_route(app, "/items/<int:id>", item_view, .endpoint = "item",
             .methods = PH_GET | PH_PUT | PH_DELETE);
    ph_route(app, "/api/submit", item_view, .endpoint = "api.submit", .methods = PH_POST);
    ph_cli_command *c = ph_cli_command(app, "greet", greet, .help = "Greet someone.");
    ph_cli_option(c, "-n, --name", PH_CLI_STRING, .default_value = "world");
    ph_cli_option(c, "-c, --count", PH_CLI_INT, .default_value = "1", .envvar = "GREET_COUNT");
    ph_cli_command(app, "fail", fail, .help = "Fail.");
    ph_cli_command(app, "db whoami", app_name, .help = "Print the app's name.");
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
"""

FLASK_APP = r"""
from flask import Flask
app = Flask(__name__)
def view(**kw):
    return "x"
app.add_url_rule("/", "index", view)
app.add_url_rule("/pid", "pid", view)
app.add_url_rule("/config/<key>", "config", view)
app.add_url_rule("/items/<int:id>", "item", view, methods=["GET", "PUT", "DELETE"])
app.add_url_rule("/api/submit", "api.submit", view, methods=["POST"])
"""


def pkg_libs():
    out = subprocess.run(["pkg-config", "--libs", "libuv", "jansson", "libcrypto", "zlib"],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


@pytest.fixture(scope="module")
def cliapp(tmp_path_factory):
    d = tmp_path_factory.mktemp("cliapp")
    (d / "app.c").write_text(APP_C)
    exe = d / "cliapp"
    subprocess.run(["cc", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Werror", *EXTRA_CFLAGS, "-I",
                    str(SOURCE_DIR / "include"), str(d / "app.c"), str(BUILD_DIR / "libphial.a")]
                   + pkg_libs() + ["-lpthread", "-lm", "-o", str(exe)], check=True)
    return exe


def cli(exe, *args, env=None, cwd=None):
    return subprocess.run([str(exe)] + [str(a) for a in args], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), cwd=cwd, timeout=30)


class Running:
    """`cliapp run ...` in its own process group, output to a file."""

    def __init__(self, exe, *args, env=None, cwd=None, log_dir):
        self.log_path = os.path.join(str(log_dir), f"run-{time.monotonic_ns()}.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([str(exe), "run"] + [str(a) for a in args], stdout=self._log,
                                    stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True,
                                    env=dict(os.environ, **(env or {})))

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_log(self, text, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r}:\n{self.log()}")

    def serving_port(self, timeout=15.0):
        """The port of its "serving on http://127.0.0.1:PORT" line, once
        printed: started with --port -1, the server binds a port the kernel
        picks, so no other process can have taken it first."""
        self.wait_log("serving on http://127.0.0.1:", timeout)
        return int(re.search(r"serving on http://127\.0\.0\.1:(\d+)", self.log()).group(1))

    def stop(self, timeout=20):
        self.proc.send_signal(signal.SIGTERM)
        rc = self.proc.wait(timeout)
        self._log.close()
        return rc

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self._log.close()


@pytest.fixture
def running(tmp_path):
    started = []

    def start(exe, *args, **kw):
        r = Running(exe, *args, log_dir=tmp_path, **kw)
        started.append(r)
        return r

    yield start
    for r in started:
        r.kill()


def curl(*args):
    return subprocess.run(["curl", "-s", "--max-time", "5"] + list(args), capture_output=True,
                          text=True, timeout=10)


def get(port, path="/"):
    return curl(f"http://127.0.0.1:{port}{path}").stdout


def wait_port(port, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


# ---- run -------------------------------------------------------------------


def test_run_serves_and_stops_on_sigterm(cliapp, running):
    r = running(cliapp, "--port", -1)
    port = r.serving_port()
    assert get(port) == "hello from cliapp"
    assert r.stop() == 0
    log = r.log()
    assert " * Serving app 'cliapp'\n * Debug mode: off\n" in log
    assert "received SIGTERM" in log


def test_run_defaults_from_environment(cliapp, running):
    # the port from the environment too: -1 (any), not the default 8000
    r = running(cliapp, env={"PHIAL_RUN_PORT": "-1", "PHIAL_GREETING": '"hi"',
                             "PHIAL_MAX_ITEMS": "12"})
    port = r.serving_port()
    assert port != 8000
    # PHIAL_* variables become config keys, JSON-parsed when they parse.
    assert get(port, "/config/GREETING") == '"hi"\n'
    assert get(port, "/config/MAX_ITEMS") == "12\n"
    assert get(port, "/config/DEBUG") == "false\n"
    assert r.stop() == 0


def test_run_command_line_beats_environment(cliapp, running):
    r = running(cliapp, "-p", -1, "--no-reload", "--debug",
                env={"PHIAL_RUN_PORT": "1", "PHIAL_DEBUG": "0"})
    port = r.serving_port()
    assert port != 1
    assert get(port, "/config/DEBUG") == "true\n"
    assert " * Debug mode: on" in r.log()
    assert r.stop() == 0


def test_run_keeps_the_apps_own_debug_setting(cliapp, running):
    r = running(cliapp, "--port", -1, "--no-reload", env={"CLIAPP_DEBUG_IN_CODE": "1"})
    port = r.serving_port()
    assert get(port, "/config/DEBUG") == "true\n"
    assert " * Debug mode: on" in r.log()
    assert r.stop() == 0


def test_run_debug_from_environment_turns_on_the_reloader(cliapp, running):
    r = running(cliapp, "--port", -1, env={"PHIAL_DEBUG": "1"})
    port = r.serving_port()
    assert "Restarting with stat polling" in r.log()
    assert get(port, "/config/DEBUG") == "true\n"
    assert r.stop() == 0


def test_run_on_a_unix_socket(cliapp, running, tmp_path):
    path = tmp_path / "app.sock"
    r = running(cliapp, "--uds", path, "--no-access-log")
    r.wait_log(f"serving on unix:{path}")
    assert curl("--unix-socket", str(path), "http://localhost/").stdout == "hello from cliapp"
    assert r.stop() == 0


def test_run_with_workers(cliapp, running):
    r = running(cliapp, "--port", -1, "--workers", "2", "--log-level", "info")
    port = r.serving_port()
    r.wait_log(f"serving on http://127.0.0.1:{port} with 2 workers")
    pids = {get(port, "/pid") for _ in range(20)}
    assert all(p.isdigit() for p in pids) and str(r.proc.pid) not in pids
    assert r.stop() == 0


def test_run_usage_errors(cliapp):
    res = cli(cliapp, "run", "--port", "eighty")
    assert res.returncode == 2
    assert res.stderr.endswith(
        "Error: Invalid value for '-p' / '--port': 'eighty' is not a valid integer.\n")
    res = cli(cliapp, "run", "--port", "70000")
    assert res.returncode == 2
    assert res.stderr.endswith(
        "Error: Invalid value for '-p' / '--port': 70000 is not in the range -1<=x<=65535.\n")
    res = cli(cliapp, "run", "--workers", "0")
    assert res.returncode == 2
    assert "Invalid value for '-w' / '--workers': 0 is not in the range 1<=x<=1024." in res.stderr
    # a zero timeout would silently be the default: refused
    for opt in ["--timeout-keep-alive", "--timeout-body", "--timeout-graceful-shutdown"]:
        res = cli(cliapp, "run", opt, "0")
        assert res.returncode == 2
        assert res.stderr.endswith(f"Error: Invalid value for '{opt}': must be > 0.\n"), res.stderr
    res = cli(cliapp, "run", env={"PHIAL_RUN_BACKLOG": "lots"})
    assert res.returncode == 2 and "'lots' is not a valid integer" in res.stderr


def test_run_port_in_use_fails_with_1(cliapp):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        res = cli(cliapp, "run", "--port", s.getsockname()[1])
    assert res.returncode == 1
    assert "Error: could not serve: address already in use" in res.stderr


def test_bad_config_environment_fails_with_1(cliapp):
    res = cli(cliapp, "greet", env={"PHIAL_DEBUG": "true", "PHIAL_DEBUG__X": "1"})
    assert res.returncode == 1
    assert res.stderr.startswith("Error: cannot load the config from the environment")


# ---- reload ------------------------------------------------------------------


def wait_pid_change(port, old, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = get(port, "/pid")
        if now.isdigit() and now != old:
            return now
        time.sleep(0.1)
    raise AssertionError(f"the server never restarted (pid still {old})")


def test_reload_on_a_watched_file(cliapp, running, tmp_path):
    watched = tmp_path / "watched"
    watched.mkdir()
    (watched / "page.html").write_text("one")
    # A port given by number: each server the reloader starts binds it again.
    port = free_port()
    r = running(cliapp, "--port", port, "--reload", "--reload-dir", watched)
    r.wait_log(f"serving on http://127.0.0.1:{port}")
    first = get(port, "/pid")
    assert first.isdigit() and first != str(r.proc.pid)
    time.sleep(0.6)
    (watched / "page.html").write_text("two, longer")
    second = wait_pid_change(port, first)
    assert f"Detected a change in '{watched}'" in r.log()
    # A new file in a watched folder restarts it too.
    time.sleep(0.6)
    (watched / "new.css").write_text("x")
    wait_pid_change(port, second)
    assert r.stop() == 0
    # The child went with the reloader.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()


def test_reload_watches_the_template_folder_by_default(cliapp, running, tmp_path):
    (tmp_path / "templates").mkdir()
    port = free_port()
    r = running(cliapp, "--port", port, "--reload", cwd=tmp_path)
    r.wait_log(f"serving on http://127.0.0.1:{port}")
    first = get(port, "/pid")
    time.sleep(0.6)
    (tmp_path / "templates" / "index.html").write_text("<p>new</p>")
    wait_pid_change(port, first)
    assert "Detected a change in 'templates'" in r.log()
    assert r.stop() == 0


def test_reload_when_the_executable_is_rebuilt(cliapp, running, tmp_path):
    exe = tmp_path / "copy"
    shutil.copy2(cliapp, exe)
    port = free_port()
    r = running(exe, "--port", port, "--reload", cwd=tmp_path)
    r.wait_log(f"serving on http://127.0.0.1:{port}")
    first = get(port, "/pid")
    time.sleep(0.6)
    # As a linker does: a new file replaces the old one.
    shutil.copy2(cliapp, tmp_path / "copy.new")
    os.utime(tmp_path / "copy.new")
    os.replace(tmp_path / "copy.new", exe)
    wait_pid_change(port, first)
    assert r.stop() == 0


def test_reload_waits_for_a_change_after_a_crash(cliapp, running, tmp_path):
    watched = tmp_path / "w"
    watched.mkdir()
    port = free_port()
    r = running(cliapp, "--port", port, "--reload", "--reload-dir", watched)
    r.wait_log(f"serving on http://127.0.0.1:{port}")
    pid = int(get(port, "/pid"))
    os.kill(pid, signal.SIGKILL)
    r.wait_log("The server exited (signal 9); waiting for a change to restart it")
    (watched / "f").write_text("x")
    r.wait_log("Detected a change")
    wait_port(port)
    assert get(port) == "hello from cliapp"
    assert r.stop() == 0


# ---- routes --------------------------------------------------------------------


@pytest.fixture(scope="module")
def flask_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("flaskapp")
    (d / "flaskapp.py").write_text(FLASK_APP)
    return d


@pytest.mark.parametrize("args", [[], ["--sort", "rule"], ["--sort", "methods"],
                                  ["-s", "match"], ["--all-methods"],
                                  ["--sort", "rule", "--all-methods"]])
def test_routes_match_flask(cliapp, flask_dir, args):
    ours = cli(cliapp, "routes", *args)
    assert ours.returncode == 0, ours.stderr
    flask = subprocess.run(["/usr/bin/python3", "-m", "flask", "--app", "flaskapp", "routes"]
                           + args, capture_output=True, text=True, cwd=flask_dir, timeout=60,
                           env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert flask.returncode == 0, flask.stderr
    assert ours.stdout == flask.stdout


def test_routes_bad_sort(cliapp):
    res = cli(cliapp, "routes", "--sort", "size")
    assert res.returncode == 2
    assert "'size' is not one of 'endpoint', 'methods', 'rule', 'match'." in res.stderr


# ---- app commands, help, exit statuses --------------------------------------------


def test_app_command(cliapp):
    res = cli(cliapp, "greet", "-n", "you", "--count=2")
    assert (res.returncode, res.stdout, res.stderr) == (0, "Hello, you!\nHello, you!\n", "")
    res = cli(cliapp, "greet", env={"GREET_COUNT": "3"})
    assert res.stdout == "Hello, world!\n" * 3


def test_app_command_in_a_group_sees_the_app_and_its_config(cliapp):
    res = cli(cliapp, "db", "whoami", env={"PHIAL_GREETING": "hey"})
    assert (res.returncode, res.stdout) == (0, "cliapp hey\n")


def test_exit_statuses(cliapp):
    assert cli(cliapp, "fail").returncode == 1
    assert cli(cliapp, "fail").stderr == "failing on purpose\n"
    res = cli(cliapp, "greet", "--count", "many")
    assert res.returncode == 2
    assert res.stderr == ("Usage: cliapp greet [OPTIONS]\n"
                          "Try 'cliapp greet --help' for help.\n\n"
                          "Error: Invalid value for '-c' / '--count': 'many' is not a valid "
                          "integer.\n")
    res = cli(cliapp, "nope")
    assert res.returncode == 2 and "Error: No such command 'nope'." in res.stderr
    res = cli(cliapp, "greet", "--bogus")
    assert res.returncode == 2 and "Error: No such option: --bogus" in res.stderr


def test_help_at_each_level(cliapp):
    top = cli(cliapp, "--help")
    assert top.returncode == 0
    assert top.stdout.startswith("Usage: cliapp [OPTIONS] COMMAND [ARGS]...\n")
    for line in ["  db\n", "  fail    Fail.", "  greet   Greet someone.",
                 "  routes  Show the routes for the app.", "  run     Run a development server."]:
        assert line in top.stdout
    assert cli(cliapp).stdout == top.stdout
    db = cli(cliapp, "db", "--help")
    assert db.returncode == 0 and "  whoami  Print the app's name.\n" in db.stdout
    run = cli(cliapp, "run", "--help")
    assert run.returncode == 0
    for opt in ["--host", "--port", "--uds", "--workers", "--debug / --no-debug",
                "--reload / --no-reload", "--reload-dir", "--access-log / --no-access-log",
                "--log-level", "--timeout-keep-alive", "--timeout-body",
                "--timeout-graceful-shutdown", "--limit-concurrency", "--backlog", "--ws-max-size"]:
        assert opt in run.stdout
    ver = cli(cliapp, "--version")
    assert ver.returncode == 0 and ver.stdout.startswith("cliapp, phial ")
