"""What the generators of src/template/*.h share: writing a C table of
numbers a few rows to a line, and either printing the header or, with
--check, failing when the checked-in copy differs from what they make."""
import pathlib
import sys


def table(w, decl, rows, fmt, per_line=4):
    """Write `decl = {` then each row as `fmt % row`, per_line to a line."""
    w(decl + " = {\n")
    for i in range(0, len(rows), per_line):
        w("    " + " ".join(fmt % tuple(r) for r in rows[i:i + per_line]) + "\n")
    w("};\n")


def emit(text, header, script):
    """Print the header, or with --check exit 1 when `header` (a path from the
    repository root) is not `text`."""
    if "--check" in sys.argv[1:]:
        path = pathlib.Path(__file__).resolve().parents[1] / header
        if path.read_text(encoding="utf-8") != text:
            sys.exit("%s is stale: run scripts/%s > %s" % (path, script, path))
        return
    sys.stdout.write(text)
