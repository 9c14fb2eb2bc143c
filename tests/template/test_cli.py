"""`phial render` as a command: output exactly, options, exit statuses."""
import json
import os
import pathlib
import subprocess

import pytest

BUILD_DIR = pathlib.Path(os.environ.get("PHIAL_BUILD_DIR", pathlib.Path(__file__).resolve().parents[2] / "build"))
PHIAL = BUILD_DIR / "phial"


def setup_module():
    assert PHIAL.exists(), "phial not built at %s" % PHIAL


def run(args, cwd):
    return subprocess.run([str(PHIAL), "render", *args], cwd=cwd, capture_output=True, timeout=30)


def test_renders_exactly_without_added_newline(tmp_path):
    (tmp_path / "page.html").write_text("<p>{{ name }}</p>\n")
    (tmp_path / "ctx.json").write_text(json.dumps({"name": "<Ann>"}))
    p = run(["page.html", "--context", "ctx.json"], tmp_path)
    assert p.returncode == 0
    assert p.stdout == b"<p>&lt;Ann&gt;</p>"


def test_options(tmp_path):
    (tmp_path / "t.txt").write_text("{% if true %}\n  <{{ x }}>\n{% endif %}\n")
    (tmp_path / "c.json").write_text('{"x": "&"}')
    p = run(["t.txt", "--context=c.json", "--trim-blocks", "--autoescape", "--keep-trailing-newline"], tmp_path)
    assert p.returncode == 0
    assert p.stdout == b"  <&amp;>\n"
    p = run(["t.txt", "--context=c.json", "--lstrip-blocks", "--trim-blocks"], tmp_path)
    assert p.stdout == b"  <&>\n"


def test_search_path_order(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.txt").write_text("from b")
    (tmp_path / "b" / "y.txt").write_text("y {% include 'x.txt' %}")
    (tmp_path / "a" / "x.txt").write_text("from a")
    p = run(["y.txt", "--search-path", "a", "--search-path", "b"], tmp_path)
    assert p.returncode == 0 and p.stdout == b"y from a"


def test_template_error_exits_1_with_location(tmp_path):
    (tmp_path / "bad.html").write_text("ok\n{% for x in xs %}\n")
    p = run(["bad.html"], tmp_path)
    assert p.returncode == 1
    assert p.stderr.decode().startswith("bad.html:2:")
    assert b"endfor" in p.stderr
    assert p.stdout == b""


def test_strict_undefined_exits_1(tmp_path):
    (tmp_path / "t.txt").write_text("{{ nope }}")
    assert run(["t.txt"], tmp_path).returncode == 0
    p = run(["t.txt", "--strict-undefined"], tmp_path)
    assert p.returncode == 1 and b"'nope' is undefined" in p.stderr


def test_missing_template_exits_1(tmp_path):
    p = run(["nope.html"], tmp_path)
    assert p.returncode == 1 and b"nope.html" in p.stderr


@pytest.mark.parametrize("args", [[], ["--bogus", "t.txt"], ["a", "b"], ["t.txt", "--context"],
                                  ["t.txt", "--context", "missing.json"], ["t.txt", "--context", "arr.json"]])
def test_usage_errors_exit_2(tmp_path, args):
    (tmp_path / "t.txt").write_text("x")
    (tmp_path / "arr.json").write_text("[1]")
    p = run(args, tmp_path)
    assert p.returncode == 2
    assert b"usage" in p.stderr


@pytest.mark.parametrize("src", ["{{ '%c'|format(55296) }}", "{{ '{:c}'.format(57343) }}",
                                 "{{ '&#xD800;'|striptags }}|{{ '%c'|format(55295) }}"])
def test_output_is_always_utf8(tmp_path, src):
    """A surrogate code point has no UTF-8 form: asked for one by number, the
    render fails (Python makes the character; Flask then fails to encode the
    page) and never writes invalid UTF-8; a reference to one unescapes to
    U+FFFD as in Python."""
    (tmp_path / "t.txt").write_text(src)
    p = run(["t.txt"], tmp_path)
    if "striptags" in src:
        assert p.returncode == 0, p.stderr
        assert p.stdout.decode("utf-8") == "\ufffd|\ud7ff"
    else:
        assert p.returncode == 1
        assert b"t.txt:1:" in p.stderr and b"surrogates not allowed" in p.stderr
        assert p.stdout == b""
