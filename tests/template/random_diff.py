#!/usr/bin/python3
"""Random differential testing of phial's template engine against Jinja2.

Generates random expressions and small templates from a grammar over a fixed
context, renders each with Jinja2 and with `phial render --batch`, and prints
the cases where they disagree (different output, or one fails and the other
does not). Not part of `make test` (it is random); a tool for finding bugs:

    /usr/bin/python3 tests/template/random_diff.py [COUNT] [SEED] [PHIAL]
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import jinja2

ADDR = re.compile(r"0x[0-9a-f]+", re.I)
CHARS = re.compile(r"\[(.*?)\|\d+\]")


def spelled(out):
    """A loop's output of [char|index] pieces, as the text it spells."""
    return "".join(CHARS.findall(out)) or out

CTX = {
    "i": 7, "j": -3, "z": 0, "f": 2.5, "g": -0.125, "big": 10 ** 6, "s": "Hello <World> & 'x'",
    "e": "", "u8": "héllo wörld", "l": [3, 1, 2], "ls": ["b", "A", "c"], "ll": [[1, 2], [3]],
    "d": {"a": 1, "b": "two", "c": [1, 2]}, "rows": [{"n": "x", "v": 1}, {"n": "y", "v": 2}, {"n": "x", "v": 3}],
    "t": True, "n": None, "html": "<b>bold</b>",
}

FILTERS = [
    ("abs", []), ("capitalize", []), ("center", ["9"]), ("default", ["'dflt'"]), ("d", ["'q'", "true"]),
    ("escape", []), ("first", []), ("float", []), ("format", []), ("int", []), ("join", ["'-'"]),
    ("last", []), ("length", []), ("list", []), ("lower", []), ("max", []), ("min", []),
    ("replace", ["'l'", "'L'"]), ("reverse", []), ("round", []), ("round", ["1", "'floor'"]), ("safe", []),
    ("sort", []), ("string", []), ("striptags", []), ("sum", []), ("title", []), ("tojson", []),
    ("trim", []), ("truncate", ["5", "true"]), ("unique", []), ("upper", []), ("urlencode", []),
    ("wordcount", []), ("wordwrap", ["4"]), ("indent", ["2", "true"]), ("batch", ["2"]),
    ("slice", ["2"]), ("map", ["'string'"]), ("select", ["'odd'"]), ("reject", ["'none'"]),
    ("dictsort", []), ("items", []), ("e", []), ("forceescape", []), ("count", []),
    ("xmlattr", []), ("urlize", []), ("filesizeformat", []), ("attr", ["'x'"]),
]
TESTS = ["defined", "undefined", "none", "number", "string", "mapping", "sequence", "iterable",
         "odd", "even", "divisibleby 3", "lower", "upper", "escaped", "integer", "float",
         "boolean", "callable", "in [1, 2, 3]", "eq 2", "gt 1"]
# no "**": Python's big integers make `big ** big` run for ever
BINOPS = ["+", "-", "*", "/", "//", "%", "~", "==", "!=", "<", ">", "<=", ">=", "and", "or",
          "in", "not in"]


def literal(rng):
    k = rng.randrange(9)
    if k == 0:
        return str(rng.choice([0, 1, 2, 3, -1, 10, 255, 7, 100]))
    if k == 1:
        return rng.choice(["0.5", "1.0", "2.25", "1e3", "3.14", "-1.5", "0.1", "1e-7", "1e20"])
    if k == 2:
        return rng.choice(["'a'", "'abc'", "''", "'a b c'", "'<&>'", "'x,y'", "'Üml'", "\"it's\"", "'3'", "'4.5'"])
    if k == 3:
        return rng.choice(["true", "false", "none"])
    if k == 4:
        return "[%s]" % ", ".join(literal(rng) for _ in range(rng.randrange(4)))
    if k == 5:
        return "{%s}" % ", ".join("'k%d': %s" % (i, literal(rng)) for i in range(rng.randrange(3)))
    if k == 6:
        return "(%s,)" % literal(rng)
    return rng.choice(list(CTX) + ["missing"])


def expr(rng, depth=0):
    if depth > 3 or rng.random() < 0.3:
        base = literal(rng)
    else:
        k = rng.randrange(8)
        if k < 3:
            base = "(%s %s %s)" % (expr(rng, depth + 1), rng.choice(BINOPS), expr(rng, depth + 1))
        elif k == 3:
            base = "(%s if %s else %s)" % (expr(rng, depth + 1), expr(rng, depth + 1), expr(rng, depth + 1))
        elif k == 4:
            base = "(not %s)" % expr(rng, depth + 1)
        elif k == 5:
            base = "%s[%s]" % (rng.choice(["l", "ls", "s", "d", "ll", "u8", "rows"]),
                               rng.choice(["0", "1", "-1", "'a'", "1:", ":2", "::-1", "5"]))
        elif k == 6:
            base = "(%s is %s%s)" % (expr(rng, depth + 1), rng.choice(["", "not "]), rng.choice(TESTS))
        else:
            base = "%s.%s" % (rng.choice(["d", "rows[0]", "s", "l"]), rng.choice(["a", "n", "v", "upper()", "items()|list", "split()", "count(1)", "get('a')"]))
    for _ in range(rng.randrange(3) if depth < 2 else 0):
        name, args = rng.choice(FILTERS)
        base = "%s|%s%s" % (base, name, "(%s)" % ", ".join(args) if args else "")
    return base


def template(rng):
    k = rng.randrange(6)
    if k < 3:
        return "{{ %s }}" % expr(rng)
    if k == 3:
        return "{%% for x in %s %%}[{{ x }}|{{ loop.index }}]{%% else %%}none{%% endfor %%}" % expr(rng)
    if k == 4:
        return "{%% if %s %%}yes{%% else %%}no{%% endif %%}" % expr(rng)
    return "{%% set v = %s %%}{{ v }}|{{ v is string }}" % expr(rng)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    phial = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.environ.get("PHIAL_BUILD_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")), "phial")
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        src = template(rng)
        name = rng.choice(["t.html", "t.txt"])
        env = jinja2.Environment(loader=jinja2.DictLoader({name: src}),
                                 autoescape=lambda n: n.endswith(".html"))
        try:
            # a fresh copy: some Jinja2 filters mutate their input (`list|indent` extends it)
            exp = {"out": env.get_template(name).render(**json.loads(json.dumps(CTX)))}
        except Exception as e:
            exp = {"error": "%s: %s" % (type(e).__name__, e)}
        cases.append({"files": {name: src}, "template": name, "context": CTX, "options": {}, "exp": exp})
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(cases, f)
    proc = subprocess.run([phial, "render", "--batch", f.name], capture_output=True)
    os.unlink(f.name)
    if proc.returncode != 0:
        print("phial failed:", proc.returncode, proc.stderr.decode(errors="replace")[-2000:])
        return 1
    results = json.loads(proc.stdout)
    bad = 0
    for c, got in zip(cases, results):
        exp = c["exp"]
        if "out" in exp and got.get("rc") == 0 and got.get("out") == exp["out"]:
            continue
        if "error" in exp and got.get("rc") == 1:
            continue
        # iterators print with their address, which differs from run to run
        # (also when a loop has taken the printed text apart character by
        # character: then the digits are compared without the markup between)
        if "out" in exp and got.get("rc") == 0 and (
                ADDR.sub("0x", exp["out"]) == ADDR.sub("0x", got["out"])
                or ADDR.sub("0x", spelled(exp["out"])) == ADDR.sub("0x", spelled(got["out"]))):
            continue
        bad += 1
        print("%s  %s\n   jinja: %r\n   phial: %r" % (c["template"], c["files"][c["template"]], exp, got))
    print("%d of %d differ" % (bad, len(cases)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
