"""Installing phial (`cmake --install`, `make install PREFIX=...`) and
building a small app against the installed copy only: through pkg-config
and through CMake's find_package(phial), with the shared and the static
library."""
import os
import re
import subprocess

import pytest

from conftest import BUILD_DIR, EXTRA_CFLAGS, SOURCE_DIR

SMALL_APP = r"""
#include <phial.h>

static ph_response *index_view(ph_request *req) { return ph_text(req, 200, "small"); }

static int hello(ph_cli_ctx *ctx) {
    ph_cli_echo(ctx, "hello from %s, phial %s", ph_app_name(ph_cli_app(ctx)), ph_version());
    return 0;
}

int main(int argc, char **argv) {
    ph_app *app = ph_app_new("small");
    ph_route(app, "/", index_view, .endpoint = "index");
    ph_cli_command(app, "hello", hello);
    int rc = ph_app_main(app, argc, argv);
    ph_app_free(app);
    return rc;
}
"""

CMAKE_PROJECT = """
cmake_minimum_required(VERSION 3.18)
project(small LANGUAGES C)
find_package(phial {version} REQUIRED CONFIG)
add_executable(small main.c)
target_link_libraries(small PRIVATE phial::phial)
add_executable(small_static main.c)
target_link_libraries(small_static PRIVATE phial::phial_static)
"""


def project_version():
    text = (SOURCE_DIR / "CMakeLists.txt").read_text()
    return re.search(r"project\(phial VERSION ([0-9.]+)", text).group(1)


def run(cmd, **kw):
    res = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)
    assert res.returncode == 0, f"{cmd} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    p = tmp_path_factory.mktemp("prefix")
    run(["cmake", "--install", BUILD_DIR, "--prefix", p])
    return p


def libdir(prefix):
    return next(d for d in [prefix / "lib", *prefix.glob("lib/*-linux-gnu*")]
                if (d / "pkgconfig" / "phial.pc").exists())


def test_installed_files(prefix):
    lib = libdir(prefix)
    for path in [prefix / "include" / "phial.h", prefix / "include" / "phial" / "cli.h",
                 lib / "libphial.a", lib / "libphial.so", lib / "pkgconfig" / "phial.pc",
                 lib / "cmake" / "phial" / "phialConfig.cmake",
                 lib / "cmake" / "phial" / "phialConfigVersion.cmake",
                 lib / "cmake" / "phial" / "phialTargets.cmake", prefix / "bin" / "phial"]:
        assert path.exists(), path
    # Internal headers stay private.
    assert not (prefix / "include" / "app").exists()


def test_pkg_config_file_names_the_install_prefix(prefix):
    pc = (libdir(prefix) / "pkgconfig" / "phial.pc").read_text()
    assert f"prefix={prefix}\n" in pc
    assert f"Version: {project_version()}\n" in pc


def test_build_with_pkg_config(prefix, tmp_path):
    (tmp_path / "main.c").write_text(SMALL_APP)
    env = dict(os.environ, PKG_CONFIG_PATH=str(libdir(prefix) / "pkgconfig"))
    flags = run(["pkg-config", "--cflags", "--libs", "phial"], env=env).stdout.split()
    assert f"-I{prefix}/include" in flags
    exe = tmp_path / "small"
    run(["cc", "-std=c11", "-Wall", "-Werror", *EXTRA_CFLAGS, tmp_path / "main.c", "-o", exe,
         *flags, f"-Wl,-rpath,{libdir(prefix)}"])
    out = run([exe, "hello"]).stdout
    assert out == f"hello from small, phial {project_version()}\n"
    assert run([exe, "routes"]).stdout.splitlines()[2].split() == ["index", "GET", "/"]
    # The program uses the installed shared library, not the build tree's.
    ldd = run(["ldd", exe]).stdout
    assert str(libdir(prefix) / "libphial.so") in ldd


def test_phial_new_says_where_pkg_config_finds_a_private_install(prefix, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PKG_CONFIG_PATH"}
    out = run([prefix / "bin" / "phial", "new", "one"], cwd=tmp_path, env=env).stdout
    pc = libdir(prefix) / "pkgconfig"
    assert f"  export PKG_CONFIG_PATH={pc}${{PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}}\n" in out
    # the line, run by a shell, lets the new project's cmake find phial
    run(["sh", "-c", out.split("\n")[2] + " && pkg-config --exists phial"], env=env)
    # already on PKG_CONFIG_PATH: nothing to say
    env["PKG_CONFIG_PATH"] = f"/nowhere:{pc}"
    out = run([prefix / "bin" / "phial", "new", "two"], cwd=tmp_path, env=env).stdout
    assert "PKG_CONFIG_PATH" not in out


def test_build_with_find_package(prefix, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.c").write_text(SMALL_APP)
    (src / "CMakeLists.txt").write_text(CMAKE_PROJECT.format(version=project_version()))
    build = tmp_path / "build"
    run(["cmake", "-S", src, "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}",
         f"-DCMAKE_C_FLAGS={' '.join(EXTRA_CFLAGS)}"])
    run(["cmake", "--build", build, "-j2"])
    for exe in ["small", "small_static"]:
        out = run([build / exe, "hello"]).stdout
        assert out == f"hello from small, phial {project_version()}\n"
    assert "libphial.so" not in run(["ldd", build / "small_static"]).stdout


def test_find_package_refuses_another_minor_version(prefix, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "main.c").write_text(SMALL_APP)
    major, minor = project_version().split(".")[:2]
    (src / "CMakeLists.txt").write_text(CMAKE_PROJECT.format(version=f"{major}.{int(minor) + 1}"))
    res = subprocess.run(["cmake", "-S", str(src), "-B", str(tmp_path / "build"),
                          f"-DCMAKE_PREFIX_PATH={prefix}"], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode != 0


def test_make_install_prefix(tmp_path):
    dest = tmp_path / "dest"
    res = subprocess.run(["make", "-C", str(SOURCE_DIR), "install", f"PREFIX={dest}",
                          f"BUILD={BUILD_DIR}", "JOBS=2"], capture_output=True, text=True,
                         timeout=900)
    assert res.returncode == 0, res.stdout + res.stderr
    pc = (libdir(dest) / "pkgconfig" / "phial.pc").read_text()
    assert f"prefix={dest}\n" in pc
    assert (dest / "include" / "phial.h").exists()
