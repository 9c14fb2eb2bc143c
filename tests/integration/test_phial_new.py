"""`phial new` and `phial version` from an installed phial: the new project
builds against the installed copy (pkg-config), passes its own test at
once, lists its routes, and serves with `run`."""
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BUILD_DIR, EXTRA_CFLAGS, SOURCE_DIR


def run(cmd, **kw):
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)
    assert res.returncode == 0, f"{cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    p = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", BUILD_DIR, "--prefix", p])
    return p


@pytest.fixture(scope="module")
def phial(prefix):
    return prefix / "bin" / "phial"


@pytest.fixture(scope="module")
def demo(prefix, phial, tmp_path_factory):
    """`phial new demo` built with PKG_CONFIG_PATH pointing at the prefix."""
    work = tmp_path_factory.mktemp("work")
    out = run([phial, "new", "demo"], cwd=work).stdout
    assert out.startswith("Created demo in demo.")
    project = work / "demo"
    pcdir = next(prefix.glob("lib*/**/pkgconfig"))
    env = dict(os.environ, PKG_CONFIG_PATH=str(pcdir))
    run(["cmake", "-S", project, "-B", project / "build",
         f"-DCMAKE_C_FLAGS={' '.join(EXTRA_CFLAGS)}"], env=env)
    run(["cmake", "--build", project / "build", "-j2"])
    return project


def test_skeleton_files(demo):
    for f in ["CMakeLists.txt", "app.c", "app.h", "main.c", "test_app.c", "README.md",
              "templates/base.html", "templates/index.html", "static/style.css"]:
        assert (demo / f).exists(), f
    assert "@NAME@" not in (demo / "app.c").read_text()
    assert "pkg_check_modules(PHIAL REQUIRED IMPORTED_TARGET phial)" in \
        (demo / "CMakeLists.txt").read_text()
    assert '{% extends "base.html" %}' in (demo / "templates/index.html").read_text()


def test_skeleton_passes_its_own_test(demo):
    res = run(["ctest", "--output-on-failure"], cwd=demo / "build")
    assert "100% tests passed" in res.stdout


def test_skeleton_routes_and_command(demo):
    out = run([demo / "build" / "demo", "routes"]).stdout
    assert out.splitlines()[2:] == [
        "hello     GET      /api/hello/<name>",
        "index     GET      /",
        "static    GET      /static/<path:filename>",
    ]
    assert run([demo / "build" / "demo", "greet", "-n", "you"]).stdout == "Hello, you!\n"


def test_skeleton_serves(demo, tmp_path):
    log = open(tmp_path / "log", "wb")
    # From another folder: the app finds its templates by APP_ROOT. On a
    # port the kernel picks (-1), read back from the line the server prints.
    proc = subprocess.Popen([str(demo / "build" / "demo"), "run", "--port", "-1"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 15
        while not (m := re.search(rb"serving on http://127\.0\.0\.1:(\d+)",
                                  (tmp_path / "log").read_bytes())):
            assert time.monotonic() < deadline and proc.poll() is None, \
                (tmp_path / "log").read_text()
            time.sleep(0.05)
        port = int(m.group(1))
        page = run(["curl", "-s", f"http://127.0.0.1:{port}/"]).stdout
        assert "<h1>Hello, world!</h1>" in page and 'href="/static/style.css"' in page
        css = run(["curl", "-s", f"http://127.0.0.1:{port}/static/style.css"]).stdout
        assert css == (demo / "static" / "style.css").read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_new_with_a_directory_and_a_dashed_name(phial, tmp_path):
    run([phial, "new", "my-app", tmp_path / "here"])
    text = (tmp_path / "here" / "CMakeLists.txt").read_text()
    assert "add_executable(my-app main.c)" in text and "my_app_app" in text


def test_new_refusals(phial, tmp_path):
    def status(*args):
        return subprocess.run([str(phial), "new", *map(str, args)], capture_output=True,
                              text=True, cwd=tmp_path).returncode
    assert status() == 2
    assert status("9lives") == 2
    assert status("a/b") == 2
    assert status("--force", "x") == 2
    assert status("a", "b", "c") == 2
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "file").write_text("x")
    assert status("taken") == 1
    assert status("--help") == 0


def test_version(phial):
    version = re.search(r"project\(phial VERSION ([0-9.]+)",
                        (SOURCE_DIR / "CMakeLists.txt").read_text()).group(1)
    assert run([phial, "version"]).stdout == f"phial {version}\n"
    assert subprocess.run([str(phial), "version", "extra"], capture_output=True).returncode == 2
    assert f"phial {version}" in run([BUILD_DIR / "phial", "version"]).stdout
