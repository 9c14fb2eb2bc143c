#!/usr/bin/python3
"""Generate docs/api.md from the comments in include/phial/*.h.

Every PH_EXTERN declaration (and every options macro next to it) is listed
with the comment block above it, grouped by header. With --check, exit 1 if
docs/api.md is out of date, or if a public function has no comment; with
--examples DIR, write each "Example:" block of the headers as a compilable C
file into DIR (the test suite compiles them).
"""
import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
HEADERS = sorted((ROOT / "include" / "phial").glob("*.h"))


def declarations(text):
    """Yield (comment, declaration) for each PH_EXTERN declaration."""
    lines = text.split("\n")
    i = 0
    comment = None
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if i > 0 and lines[i - 1].rstrip().endswith("\\"):
            i += 1  # continuation of a macro: keeps the comment for what follows
            continue
        if stripped.startswith("/*"):
            block = [line]
            while "*/" not in lines[i] and i + 1 < len(lines):
                i += 1
                block.append(lines[i])
            comment = "\n".join(block)
            i += 1
            continue
        if stripped.startswith("PH_EXTERN"):
            decl = [line]
            while not decl[-1].rstrip().endswith(";") and i + 1 < len(lines):
                i += 1
                decl.append(lines[i])
            yield comment, "\n".join(decl)
            # a group of declarations shares the comment above the first
            i += 1
            continue
        if stripped and not stripped.startswith("#define"):
            comment = None
        i += 1


def clean_comment(c):
    if not c:
        return ""
    body = []
    for l in c.split("\n"):
        l = l.strip()
        l = re.sub(r"^/\*+ ?", "", l)
        l = re.sub(r"\*/$", "", l)
        l = re.sub(r"^\* ?", "", l)
        body.append(l.rstrip())
    while body and not body[0]:
        body.pop(0)
    while body and not body[-1]:
        body.pop()
    return "\n".join(body)


def name_of(decl):
    m = re.search(r"(\w+)\s*\(", decl.replace("\n", " "))
    if m:
        return m.group(1)
    m = re.search(r"(\w+)\s*;", decl)
    return m.group(1) if m else "?"


def generate():
    out = ["# phial API reference", "",
           "Generated from the comments in `include/phial/*.h` by `scripts/api-docs.py`;",
           "the headers are the source of truth. Each entry gives what the function does,",
           "who owns what, whether it suspends, and what it returns on failure.", ""]
    missing = []
    for h in HEADERS:
        text = h.read_text()
        decls = list(declarations(text))
        if not decls:
            continue
        head = clean_comment(text.split("*/")[0] + "*/")
        out += [f"## {h.name}", "", head.split("\n\n")[0].replace("\n", " "), ""]
        last_comment = object()
        for comment, decl in decls:
            name = name_of(decl)
            if comment is None:
                missing.append(f"{h.name}: {name}")
            out.append(f"### `{name}`")
            out.append("")
            out.append("```c")
            out.append(re.sub(r"\s+", " ", decl.replace("PH_EXTERN ", "")).strip())
            out.append("```")
            if comment is not None and comment is not last_comment:
                out.append("")
                out.append(clean_comment(comment))
            elif comment is last_comment:
                out.append("")
                out.append("(See the entry above.)")
            out.append("")
            last_comment = comment
    return "\n".join(out) + "\n", missing


# Names the examples use without defining them.
PRELUDE = """\
static ph_response *show_post(ph_request *r) { (void)r; return NULL; }
static ph_response *index_view(ph_request *r) { (void)r; return NULL; }
static ph_response *user_get(ph_request *r) { (void)r; return NULL; }
static ph_response *user_create(ph_request *r) { (void)r; return NULL; }
static ph_response *user_update(ph_request *r) { (void)r; return NULL; }
static ph_response *user_delete(ph_request *r) { (void)r; return NULL; }
"""


def examples(outdir):
    outdir.mkdir(parents=True, exist_ok=True)
    n = 0
    for h in HEADERS:
        for comment, decl in declarations(h.read_text()):
            if not comment or "Example:" not in comment:
                continue
            text = clean_comment(comment)
            ex = text.split("Example:", 1)[1]
            code = []
            for l in ex.split("\n"):
                if re.match(r"^(See|Thread|Context|Suspends|Owns|Returns):", l.strip()):
                    break
                code.append(l[4:] if l.startswith("    ") else l.strip())
            body = "\n".join(code).strip()
            if not body:
                continue
            n += 1
            name = name_of(decl)
            # Definitions (a line at column 0 opening a block) stay at file
            # scope; the rest becomes the body of a function that has the
            # usual names in scope (req, app, bp, resp, client, ctx, c).
            defs, stmts, depth = [], [], 0
            for l in body.split("\n"):
                if depth == 0 and re.match(r"^(static |int |void |ph_\w+ \*?)(\w+ \*?)?\w+\([^=]*\)\s*\{", l):
                    defs.append(l)
                    depth = l.count("{") - l.count("}")
                    continue
                if depth > 0:
                    defs.append(l)
                    depth += l.count("{") - l.count("}")
                    continue
                stmts.append(l)
            src = ["#include <phial.h>", "", PRELUDE] + defs
            if any(x.strip() for x in stmts):
                src += [f"ph_response *example_{n}(void);",
                        f"ph_response *example_{n}(void) {{",
                        "    ph_request *req = NULL; ph_app *app = NULL; ph_blueprint *bp = NULL;",
                        "    ph_response *resp = NULL; ph_test_client *client = NULL;",
                        "    ph_cli_ctx *ctx = NULL; ph_cli_command *c = NULL;",
                        "    (void)req; (void)app; (void)bp; (void)resp; (void)client; (void)ctx; (void)c;",
                        "    {"] + stmts + ["    }", "    return NULL;", "}"]
            (outdir / f"example_{n:02d}_{name}.c").write_text("\n".join(src) + "\n")
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--examples")
    a = ap.parse_args()
    if a.examples:
        print(f"{examples(pathlib.Path(a.examples))} examples written")
        return 0
    text, missing = generate()
    target = ROOT / "docs" / "api.md"
    if a.check:
        ok = True
        if missing:
            print("public declarations without a comment:\n  " + "\n  ".join(missing))
            ok = False
        if not target.exists() or target.read_text() != text:
            print("docs/api.md is out of date: run scripts/api-docs.py")
            ok = False
        return 0 if ok else 1
    target.write_text(text)
    print(f"wrote {target} ({text.count('### ')} entries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
