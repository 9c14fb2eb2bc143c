"""Differential test: phial's template engine against Jinja2, byte for byte.

gen_cases.py defines the cases and renders each with Debian's Jinja2 (set up
as Flask sets it up). This file renders all of them with one run of
`phial render --batch` (built binary from PHIAL_BUILD_DIR, default
build/ of this checkout) and compares:

- a case Jinja2 renders must render to exactly the same bytes;
- a case Jinja2 rejects must fail in phial too (exit 1), and for syntax
  errors on the same line.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gen_cases  # noqa: E402

BUILD_DIR = pathlib.Path(os.environ.get("PHIAL_BUILD_DIR", pathlib.Path(__file__).resolve().parents[2] / "build"))
PHIAL = BUILD_DIR / "phial"

CASES = gen_cases.all_cases()


@pytest.fixture(scope="session")
def results():
    assert PHIAL.exists(), "phial binary not built at %s" % PHIAL
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cases.json")
        with open(path, "w") as f:
            json.dump([{k: c[k] for k in ("files", "template", "context", "options")} for c in CASES], f)
        proc = subprocess.run([str(PHIAL), "render", "--batch", path], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    res = json.loads(proc.stdout)
    assert len(res) == len(CASES)
    return res


def describe(c):
    return json.dumps({"files": c["files"], "context": c["context"], "options": c["options"]})[:2000]


@pytest.mark.parametrize("idx", range(len(CASES)))
def test_case(results, idx):
    c, got = CASES[idx], results[idx]
    exp = c["expected"]
    if "out" in exp:
        assert got["rc"] == 0, "phial failed: %s\ncase: %s" % (got.get("err"), describe(c))
        assert got["out"] == exp["out"], "case: %s" % describe(c)
    else:
        assert got["rc"] == 1, "Jinja2 fails (%s) but phial rendered %r\ncase: %s" % (
            exp["error"], got.get("out"), describe(c))
        if exp.get("line"):
            assert got.get("line") == exp["line"], "error line: jinja %s, phial %s (%s)" % (
                exp["line"], got.get("line"), got.get("err"))


def test_enough_cases():
    assert len(CASES) >= 400
