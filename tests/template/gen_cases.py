#!/usr/bin/python3
"""Differential cases for phial's template engine, with Jinja2 as the oracle.

Each case is a set of templates (given as strings, found by name as with a
DictLoader), the name to render, a JSON context and options. `expected()`
renders every case with Debian's python3-jinja2 set up as Flask sets it up
(autoescape on for .html/.htm/.xml/.xhtml), so the expected output is what
Flask would produce. Run it directly to print a summary or to dump the cases
with their expected results as JSON:

    /usr/bin/python3 tests/template/gen_cases.py [--dump FILE]
"""
import json
import sys

import jinja2

CASES = []


def case(src, ctx=None, name="t.html", files=None, **opts):
    allf = dict(files or {})
    allf[name] = src
    CASES.append({"files": allf, "template": name, "context": ctx or {}, "options": opts})


def txt(src, ctx=None, **kw):
    """A case rendered without autoescaping (a .txt template under Flask's rule)."""
    case(src, ctx, name="t.txt", **kw)


# --------------------------------------------------------------------------
# Output of values: Python's str() and repr(), escaping
# --------------------------------------------------------------------------
VALUES = {
    "i": 42, "neg": -7, "big": 12345678901234, "f": 1.0, "f2": 0.1, "f3": 1e16, "f4": 1.5e-7,
    "f5": 123456.789, "f6": -0.0, "f7": 2.5, "f8": 1e22, "f9": 3.14159, "t": True, "n": None,
    "s": "héllo <b>&'\"", "l": [1, "a", None, True, 2.5], "d": {"a": 1, "b": [1, 2], "c": {"x": "y"}},
    "e": [], "ed": {}, "q": "it's", "qq": 'say "hi"', "both": "it's \"x\"", "nl": "a\nb\tc\\",
}
for k in VALUES:
    case("{{ %s }}" % k, VALUES)
    txt("{{ %s }}" % k, VALUES)
for expr in ["1 + 1", "7 / 2", "7 // 2", "-7 // 2", "7 % 3", "-7 % 3", "7.5 % 2", "2 ** 10",
             "2 ** -1", "2 ** 3 ** 2", "1 / 3", "10 / 5", "0.1 + 0.2", "1e300 * 1e10", "-2 ** 2",
             "3 * 'ab'", "'ab' * 0", "[1, 2] + [3]", "[0] * 3", "(1, 2)", "(1,)", "()", "1.5 * 2",
             "true + 1", "5 - 7.5", "7 // 2.0", "-7.5 // 2", "'a' ~ 1 ~ none", "1 ~ 2",
             "'%s-%s' % (1, 'x')", "'%05.1f' % 3.14159", "'%d%%' % 50", "'%(a)s' % {'a': 1}",
             "'%x %o %X' % (255, 8, 255)", "'%r' % 'q'", "'%-5s|' % 'ab'", "'%5s|' % 'ab'",
             "'%e' % 12345.678", "'%g' % 0.00001234", "'%.3g' % 1234567", "'%c' % 65",
             "'%05d|%x|%#o|%#x' % (-42, -255, 8, 0)", "'%+.3d|% 5d|%-+6d|' % (7, -3, 4)", "'%c%c' % (233, 'x')",
             "'%#05x|%#X|%.0d' % (255, 255, 0)", "'%600d'|length",
             "{'a': 1, 'b': 'x'}", "[1, [2, (3, 4)], {'k': none}]", "1_000", "0x1f", "0o17", "0b101",
             "1e3", "1.5e-3", "'a' 'b'", "\"dq\"", "'\\u00e9\\n'", "-(3)", "+4", "not 1",
             "not none", "1 if true else 2", "1 if false", "none is none", "'x' if '' else 'y'"]:
    case("{{ %s }}" % expr)
    txt("{{ %s }}" % expr)


def _floats(seed, count):
    """Floats of every kind a page prints: amounts with a few decimals,
    quotients, huge, tiny and subnormal values, and random bit patterns."""
    import random
    import struct
    rng = random.Random(seed)
    out = [0.0, -0.0, 0.1 + 0.2, 2.0 ** 52, 2.0 ** 52 - 1, 2.0 ** 53, 2.0 ** 52 + 0.5, 5e-324,
           1.7976931348623157e308, 9.999999999999998, 1e-5, 1e-4, 1e15, 1e16, 1e17]
    while len(out) < count:
        c = rng.random()
        if c < 0.3:
            v = round(rng.uniform(-1e6, 1e6), rng.randint(0, 8))
        elif c < 0.5:
            v = rng.randint(-10 ** 17, 10 ** 17) / 10 ** rng.randint(0, 20)
        elif c < 0.7:
            v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        elif c < 0.8:
            v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(52)))[0]
        else:
            v = rng.uniform(0, 1) * 10 ** rng.randint(-30, 30)
        if v == v and abs(v) != float("inf"):
            out.append(v)
    return out


# str() of floats: the shortest digits that read back, as Python prints them
for seed in range(4):
    txt("{% for x in xs %}{{ x }} {% endfor %}", {"xs": _floats(seed, 500)})


def _texts(seed, count):
    """Strings of 0-60 characters mixing ASCII runs with two-, three- and
    four-byte characters, so that character counts and offsets are taken
    across every mix of byte lengths."""
    import random
    rng = random.Random(seed)
    alphabet = ["a", "b", " ", "Z", "7", ".", "é", "ß", "ж", "€", "中", "😀", "𝄞"]
    out = []
    for _ in range(count):
        ascii_run = rng.random() < 0.5
        out.append("".join(rng.choice(alphabet[:6] if ascii_run and rng.random() < 0.9 else alphabet)
                           for _ in range(rng.randint(0, 60))))
    return out


# character counts and offsets over mixed UTF-8 (length, truncate, slices, center)
for seed in range(3):
    txt("{% for t in ts %}{{ t|length }}|{{ t|truncate(20) }}|{{ t|truncate(9, true, '~', 0) }}|"
        "{{ t[3:17] }}|{{ t[-5:] }}|{{ t|center(70) }}\n{% endfor %}",
        {"ts": _texts(seed, 120)})
# wordwrap as textwrap wraps: hyphenated words split after the hyphen (not
# "1e-07"), em-dashes are chunks of their own, a long word is cut after its
# last hyphen that fits, whitespace (a no-break space too) is dropped at line
# ends, even a piece of a long run of it
def _wrap_texts(seed, count):
    import random
    rng = random.Random(seed)
    parts = ["ab", "cd-", "-", "--", " ", "  ", "\t", "x", "é", "1", "_", "'", ",", "?", "well-known",
             "a--b", "\u00a0", "ü-ö", "1e-07", "state-of-the-art"]
    return ["".join(rng.choice(parts) for _ in range(rng.randint(1, 12))) for _ in range(count)]


for seed in range(2):
    txt("{% for t in ts %}{% set w = loop.index % 9 + 1 %}{{ t|wordwrap(w) }}|{{ t|wordwrap(w, false, '/') }}|"
        "{{ t|wordwrap(w, true, '/', false) }}\n{% endfor %}", {"ts": _wrap_texts(seed, 150)})
# searches from the right with needles long enough for the backward
# Knuth-Morris-Pratt search: periodic ones, overlapping hits, a hit at
# either end, none
txt("{% for q in qs %}{{ s.rfind(q) }} {{ s.rsplit(q, 2) }} {{ s.rpartition(q) }} "
    "{{ s.rfind(q, 3, 60) }}|{% endfor %}",
    {"s": "ab" * 30 + "abc" + "a" * 40 + "xyz" * 8,
     "qs": ["ab" * 9, "ab" * 9 + "c", "a" * 17, "a" * 40, "a" * 41, "xyz" * 7, "xyz" * 8 + "!",
            "b" + "a" * 20, "ab" * 30 + "abc" + "a" * 40 + "xyz" * 8, "cab" * 6, "é" * 9]})
# a long word cut many times (each piece's width taken from what is left),
# and many lines, some empty, in one text
txt("{% for w in [1, 3, 7] %}{{ t|wordwrap(w) }}|{% endfor %}",
    {"t": "é" * 40 + "ab" * 25 + " x " + "ü-ö" * 9 + "\n\n\n" + "\n".join("w%d" % i for i in range(50))})
# str.casefold(): full case folding ('ß' to 'ss', final 'ς' to 'σ'), over
# every assigned character of the first three planes
def _all_chars():
    import unicodedata
    return "".join(chr(c) for c in range(0x20, 0x30000)
                   if not 0xD800 <= c < 0xE000 and unicodedata.category(chr(c)) not in ("Cs", "Cn", "Co", "Cc"))


ALL_CHARS = _all_chars()
txt("{% for t in ts %}{{ t.casefold() }}\n{% endfor %}",
    {"ts": [ALL_CHARS[i:i + 4000] for i in range(0, len(ALL_CHARS), 4000)]})
txt("{{ 'ΑΣ ß ﬁ İ ǅ'.casefold() }}|{{ 'ΑΣ'.lower() }}")

# dict copy, pop, popitem, setdefault and clear change the dicts the template
# makes (the app's JSON never changes: a copy is the template's)
DICTM = {"j": {"a": 1, "copy": "key", "b": [1]}}
for src in ["{% set d = {'a': 1, 'b': 2} %}{{ d.pop('a') }}{{ d }}{{ d.pop('z', 'dflt') }}{{ d.popitem() }}{{ d }}",
            "{% set d = {'a': 1} %}{{ d.setdefault('a', 5) }}{{ d.setdefault('b', []) }}"
            "{% set _ = d.setdefault('b').append(1) %}{{ d }}{% set _ = d.clear() %}{{ d }}",
            "{% set d = {'a': 1} %}{% set e = d.copy() %}{% set _ = e.update(b=2) %}{{ d }}{{ e }}{{ j.copy() }}",
            "{{ j.pop('zz', 3) }}{{ j.setdefault('a', 9) }}{{ j.pop is defined }}{{ j['copy'] }}"
            "{% set d = {1: 'i'} %}{{ d.pop(1.0) }}{{ d }}",
            "{{ {}.popitem() }}", "{{ {'a': 1}.pop('x') }}", "{{ {'a': 1}.pop([1], 2) }}"]:
    case(src, DICTM)

# dict views print and compare as Python's (dict_items([...]), keys and
# items as sets, values only to themselves), take no index (undefined, as
# Jinja2 catches the TypeError; a slice is an error), are not sequences and
# not JSON; dict(mapping, **kw) keeps the mapping's order first
VIEWS = {"d": {"b": 2, "a": [1, {"x": None}]}, "e": {}}
for src in ["{{ d.items() }}|{{ d.keys() }}|{{ d.values() }}|{{ e.items() }}|{{ d.items()|list }}|{{ [d.keys()] }}",
            "{{ d.keys() == d.keys() }}|{{ d.values() == d.values() }}|{% set v = d.values() %}{{ v == v }}|"
            "{{ d.keys() == ['b', 'a'] }}|{{ range(2) == range(0, 2) }}|{{ range(2) == [0, 1] }}|{{ ('b', 2) in d.items() }}",
            "{{ d.items()[0] }}|{{ ([1]|map('string'))[0] }}|{{ d.keys() is sequence }}|{{ range(3) is sequence }}|"
            "{{ d.keys()|sort }}|{{ d.items()|first }}|{{ dict(d, c=3) }}|{{ dict(d, b=0) }}",
            "{{ d.keys()[0:1] }}", "{{ d.items()|tojson }}", "{{ range(3)|tojson }}", "{{ ([1]|map('string'))[0:1] }}"]:
    case(src, VIEWS)

# a generator equals only itself (even one that failed, whose error waits
# for its items), a range only a range; reversed(range) is a range_iterator
GENS = {"l": [1, 2, 3], "d": {"a": 1}}
for src in ["{% set g = l|map('string') %}{{ g == g }}|{{ l|map('string') == l|map('string') }}|"
            "{{ l|map('string') == ['1', '2', '3'] }}|{{ [] == l|select('odd')|reject('odd') }}|"
            "{{ l|select('odd') != l|select('odd') }}|{% set r = l|reverse %}{{ r == r }}|{{ l|reverse == [3, 2, 1] }}",
            "{{ [] == (1 is odd)|map('string') }}|{{ (1 is odd)|map('string') == (1 is odd)|map('string') }}",
            "{{ range(3)|reverse|list }}|{{ (range(3)|reverse) is sequence }}|{{ range(4)[::2] == range(0, 3, 2) }}|"
            "{{ range(3) != range(3) }}|{{ range(3) in [range(0, 3)] }}|{{ d.keys() != d.keys() }}",
            "{{ (range(3)|reverse)[0] }}", "{{ range(3)|reverse|tojson }}"]:
    case(src, GENS)

# operators over every pair of kinds of value, and slices (a slice of a range
# is a range); float ** that overflows is an error
def _operator_cases(seed, count):
    import random
    rng = random.Random(seed)
    vals = ["3", "-2", "0", "2.5", "-0.0", "true", "false", "none", "'ab'", "'é'", "''", "[1, 2]", "[]", "(1,)",
            "{'a': 1}", "1e308", "7", "-7", "0.1", "'3'", "x", "missing"]
    ops = ["+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "~", "and", "or"]
    out = ["{{ %s %s %s }}" % (rng.choice(vals), rng.choice(ops), rng.choice(vals)) for _ in range(count)]
    for _ in range(count // 4):
        v = rng.choice(["'héllo wörld'", "[1, 2, 3, 4, 5]", "(1, 2, 3)", "range(10)", "range(2, 20, 3)",
                        "range(9, 0, -2)"])
        sl = "[%s:%s:%s]" % tuple(rng.choice(["", "0", "1", "-1", "2", "-3", "9", "-9", "none"]) for _ in range(3))
        out.append("{{ %s%s }}|{{ (%s%s)|list|length }}" % (v, sl, v, sl))
    return out


for src in _operator_cases(1, 240):
    txt(src, {"x": 5})

# str methods over random text: find, rfind, index, count, startswith and
# endswith take Python's start and end (characters, negative from the end)
def _method_cases(seed, count):
    import random
    rng = random.Random(seed)
    parts = ["a", "ab", "B", " ", "\t", "é", "ß", "-", "x", "ǅ", "İ", "1", "_", "'", "ﬁ", "σ", "Σ", "\n", "aa", "٣"]
    meths = ["find('a')", "rfind('a', 1)", "find('ab', -3, -1)", "count('a')", "count('')", "count('a', 2)",
             "count('', 1, 3)", "count('', 9)", "find('', 9)", "find('', 2, 1)", "rfind('', 1, 3)",
             "replace('a', 'Z')", "replace('', '-')", "replace('a', '', 1)", "startswith('a')",
             "startswith(('x', 'a'), 1)", "endswith('a', 0, 3)", "startswith('', 9)", "endswith('', 2, 1)",
             "center(7, '*')", "ljust(6)", "rjust(6, '.')", "zfill(6)", "partition('a')", "rpartition(' ')",
             "expandtabs(4)", "title()", "capitalize()", "swapcase()", "isalpha()", "isalnum()", "isdecimal()",
             "isdigit()", "isnumeric()", "split('a')", "split(None, 1)", "rsplit(' ', 1)", "strip('a ')",
             "removeprefix('a')", "islower()", "istitle()", "isupper()", "find('a', none, -1)"]
    return ["{%% set s = %r %%}{{ s.%s }}" % ("".join(rng.choice(parts) for _ in range(rng.randint(0, 7))),
                                             rng.choice(meths)) for _ in range(count)]


for src in _method_cases(1, 150):
    txt(src)

# line breaks as str.splitlines() sees them (\v, \f, \x1c-\x1e, U+0085,
# U+2028, U+2029 too) in splitlines (keepends), indent and wordwrap
def _line_texts(seed, count):
    import random
    rng = random.Random(seed)
    parts = ["a", "b c", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
             "\u2029", " ", "é"]
    return ["".join(rng.choice(parts) for _ in range(rng.randint(0, 8))) for _ in range(count)]


txt("{% for t in ts %}{{ t|indent(2) }}|{{ t|indent(1, true, true) }}|{{ t|wordwrap(3) }}|{{ t.splitlines() }}|"
    "{{ t.splitlines(true) }}|{{ t.splitlines(keepends=true) }}|{{ t|pprint }}\n{% endfor %}",
    {"ts": _line_texts(1, 200)})

# case-insensitive sort, unique, min, max, dictsort and groupby compare
# Python's str.lower() of each key, in every script
def _case_lists(seed, count):
    import random
    rng = random.Random(seed)
    words = ["a", "B", "b", "A", "é", "É", "z", "ß", "SS", "ss", "10", "9", "", "İ", "i", "ǅ", "ǆ", "Ǆ",
             "ﬁ", "FI", "σ", "Σ", "ς"]
    return [[rng.choice(words) for _ in range(rng.randint(0, 6))] for _ in range(count)]


txt("{% for l in ls %}{{ l|sort }}|{{ l|sort(true) }}|{{ l|unique|list }}|{{ l|max }}|{{ l|min }}|"
    "{{ l|groupby('0', default='-')|map(attribute='grouper')|list }}\n{% endfor %}",
    {"ls": _case_lists(1, 200)})
# unique keeps a set: numbers equal across int, float and bool (1, 1.0,
# true; 0, -0.0, false) are one key, tuples hash by their items, and a few
# thousand distinct keys (with repeats) keep their first order
txt("{{ [1, 1.0, true, 0, false, 0.0, -0.0, none, none, 'a', 'A', 'a'|safe, (1, 2), (1, 2), (2, 1), "
    "9007199254740992, 9007199254740993, 9007199254740992.0, 2.5, 2.50, 'ß']|unique|list }}|"
    "{{ [1, 1.0, true, 'a', 'A']|unique(true)|list }}|{{ ws|unique|list|length }}|"
    "{{ (ws|unique|list)[-5:] }}|{{ ns|unique|list|length }}",
    {"ws": ["w%d" % (i * 7 % 3001) for i in range(6000)], "ns": [i % 1000 / 4 for i in range(5000)]})
txt("{% for d in ds %}{{ d|dictsort }}|{{ d|dictsort(true, 'value') }}\n{% endfor %}",
    {"ds": [{w: i for i, w in enumerate(l)} for l in _case_lists(2, 100)]})

# printf-style and str.format fields over many specs: %a and !a are ascii(),
# %d of a float past 64 bits prints its exact integer, object's __format__
# takes no spec (None, lists), unknown conversions are errors
def _format_cases(seed, count):
    import random
    rng = random.Random(seed)
    flags = ["", "-", "+", " ", "#", "0", "-0", "+ ", "#0"]
    vals = ["3", "-3", "0", "3.14159", "-2.5", "1e10", "1e-5", "'x'", "'héllo'", "true", "none", "[1, 'é']",
            "255", "65", "-0.0", "1e300", "123456789"]
    specs = ["", "!r", "!a", "!s", ":>10", ":<5", ":^9", ":*^9", ":+", ": ", ":,", ":_", ":.2f", ":10.3e",
             ":g", ":%", ":x", ":#x", ":o", ":b", ":08.2f", ":,.2f", ":=+10", ":n", ":.3", ":s", ":#b", ":X"]
    out = []
    for _ in range(count):
        spec = ("%" + rng.choice(flags) + rng.choice(["", "5", "10", "1", "0"]) +
                rng.choice(["", ".0", ".2", ".5", "."]) + rng.choice("diouxXeEfFgGcrsa%"))
        v = rng.choice(vals)
        out.append("{{ %r|format(%s) }}|{{ %r.format(%s) }}" % ("<" + spec + ">", v, "<{" + rng.choice(specs) + "}>", v))
    return out


for i, src in enumerate(_format_cases(3, 160)):
    txt(src)
txt("{{ '{!x}'.format(1) }}")

# int and float read text as Python's int(text, base) and float(text):
# underscores only between digits, base prefixes and base 0, digits of any
# script, Unicode whitespace around; int falls back to int(float(text)) (nan
# gives the default); floor and ceil rounding never give -0.0
def _number_texts(seed, count):
    import random
    rng = random.Random(seed)
    parts = ["1", "0", "9", "-", "+", ".", "e", "E", "_", " ", "x", "0x", "0b", "0o", "inf", "nan",
             "Infinity", "\u0661", "\u00b2", "\t", "1_000", "0_1", "__", "\u00a0", "\x1c", "a", "f"]
    return ["".join(rng.choice(parts) for _ in range(rng.randint(1, 5))) for _ in range(count)]


txt("{% for t in ts %}{{ t|int }}|{{ t|int(-1, 16) }}|{{ t|int(base=0) }}|{{ t|float(-1) }}|{{ t|int(7, 2) }}|"
    "{{ t|int(base=8) }}|{{ t|int(3, base=1) }}|{{ t|int(4, base='x') }}\n{% endfor %}",
    {"ts": [t for t in _number_texts(1, 400) if "inf" not in t.lower()]})
txt("{{ 'nan'|int }}|{{ '-nan'|int(5) }}|{{ (0.0 / 1)|int }}|{{ '1_0.5_0e1_0'|float }}|{{ '.5'|float }}|{{ '5.'|float }}|"
    "{{ '-Infinity'|float }}|{{ 'infinit'|float(-1) }}|{{ '0x10'|float(-1) }}|{{ '0x_1f'|int(base=0) }}|"
    "{{ '010'|int(-1, 0) }}|{{ '0_0'|int(-1, 0) }}|{{ -0.72|round(0, 'ceil') }}|{{ -0.5|round(0, 'floor') }}|"
    "{{ -84.0|round(-3, 'ceil') }}|{{ '1e400'|float }}")
case("{{ 'inf'|int }}")
# urlize as Jinja2's _http_re and _email_re: Unicode word characters, label
# lengths in characters, IP hosts, xn-- domains, ports; the scheme test for
# "https://" is case-sensitive (HTTP://x.com gets https:// put before it)
def _url_texts(seed, count):
    import random
    rng = random.Random(seed)
    parts = ["http://", "https://", "HTTP://", "www.", "WWW.", "a", "ab", "é", "éé", "中文", ".", "-", "%", "_",
             "com", "org", "info", "xn--", "xn--abc", "1", "123", ":80", ":123456", "/", "?", "#", "[", "]",
             "::1", "1.2.3.4", "@", "mailto:", "x@y.z", "(", ")", "<", ">", ",", "'", " "]
    return ["".join(rng.choice(parts) for _ in range(rng.randint(1, 7))) for _ in range(count)]


case("{% for t in ts %}{{ t|urlize }}\n{% endfor %}", {"ts": _url_texts(1, 300)})
case("{{ 'é.com foo@bar.com!x@y.org http://1.2.3.4:80/x https://[::1]/ HTTP://UP.COM www.xn--abc.com'|urlize }}")
# striptags as markupsafe: comments out before tags, then html.unescape with
# every HTML5 name, legacy names without ';', the longest known start of an
# unknown name, numeric references repaired as the standard says; Markup's
# unescape() and striptags()
def _ref_texts(seed, count):
    import html.entities
    import random
    rng = random.Random(seed)
    names = sorted(html.entities.html5)

    def piece():
        r = rng.random()
        if r < 0.35:
            return "&" + rng.choice(names)
        if r < 0.45:
            return "&" + rng.choice(names).rstrip(";") + rng.choice(["", "x", "it;", ";", "1"])
        if r < 0.6:
            return ("&#" + rng.choice(["", "x", "X"]) +
                    "".join(rng.choice("0123456789abcdefABCDEFg") for _ in range(rng.randint(0, 9))) +
                    rng.choice([";", "", " "]))
        if r < 0.7:
            return "&" + "".join(rng.choice("abcxyzAZ;#&é") for _ in range(rng.randint(0, 40)))
        return rng.choice(["a", " ", "\t", "é", ";", "#", "<b>", "&", "\n", "<!-- c -->", "<", ">", "-->"])
    return ["".join(piece() for _ in range(rng.randint(1, 6))) for _ in range(count)]


txt("{% for t in ts %}{{ t|striptags }}|{{ (t|safe).unescape() }}|{{ (t|safe).striptags() }}\n{% endfor %}",
    {"ts": _ref_texts(1, 200)})
txt("{{ '<<!-- c -->'|striptags }}|{{ '&#0;&#13;&#128;&#150;&#xD800;&#x110000;&#9999999999;&#1;&#xFFFE;'|striptags }}|"
    "{{ '&ampx &lt3 &notit; &notin; &EACUTE; &Eacute; &frac12'|striptags }}")
# Unicode character classes: \\w for wordcount, str.isalpha() and the rest
CLASS_TEXTS = ["héllo wörld", "naïve_café 42", "€ 😀 𝄞", "x²+y½", "Ǆemal", "ǅemal", "ǆemal",
               "ΣΑΣ", "σας", "١٢٣", "ⅫⅠ", "\u00a0\u2003\u3000", " \t\n", "", "_", "a-b c", "ÅNGSTRÖM",
               "straße", "ǅ", "Ⅻ", "ⓐⓑ", "Ⓐ", "ﬁ", "中文字", "漢字 かな カナ", "x\u200by", "a\u0301"]
for expr in ["t|wordcount", "t.isalpha()", "t.isdigit()", "t.isalnum()", "t.isspace()",
             "t.islower()", "t.isupper()"]:
    txt("{% for t in ts %}{{ " + expr + " }},{% endfor %}|"
        "{% for t in more %}{{ " + expr + " }}{% endfor %}",
        {"ts": CLASS_TEXTS, "more": _texts(9, 150)})

# --------------------------------------------------------------------------
# Comparisons, logic, membership
# --------------------------------------------------------------------------
for expr in ["1 < 2", "1 < 2 < 3", "3 > 2 > 2", "1 == 1.0", "'a' < 'b'", "[1, 2] < [1, 3]",
             "1 != 2", "1 <= 1", "2 >= 3", "'a' in 'cat'", "'z' not in 'cat'", "2 in [1, 2]",
             "'k' in {'k': 1}", "0 and 1", "0 or 'x'", "1 and 2", "none or []", "'' or 0",
             "not (1 and 0)", "1 == true", "none == none", "x == y", "x is defined and x > 1",
             "[] == []", "(1, 2) == (1, 2)", "{'a': 1} == {'a': 1}", "'1' == 1",
             "u == u", "u is undefined", "u == none", "(1, 2) < (1, 3)", "[1] <= [1]",
             "(1,) < [2]", "[1] >= (0,)", "[(2, 1), (1, 2)]|sort", "[[1], (0,)]|sort",
             "[1, 2]|select('odd') < [3]"]:
    case("{{ %s }}" % expr, {"x": 3, "y": 3})

# --------------------------------------------------------------------------
# Attribute and item access, slices, methods
# --------------------------------------------------------------------------
CTX = {
    "user": {"name": "Ann", "tags": ["x", "y", "z"], "address": {"city": "Oslo"}, "items": "k"},
    "rows": [{"id": i, "name": "row%d" % i, "price": i * 1.5, "grp": "ab"[i % 2]} for i in range(1, 6)],
    "word": "Hello World", "nums": [5, 3, 8, 1, 9, 2], "mixed": ["b", "A", "c", "B"],
    "text": "  The quick brown fox jumps over the lazy dog  ", "html": "<p>Hi & bye</p>",
    "matrix": [[1, 2], [3, 4]], "pairs": [["a", 1], ["b", 2]], "empty": [], "zero": 0,
    "nested": {"a": {"b": {"c": "deep"}}}, "flag": True, "price": 1234.5678, "count": 3,
}
for expr in ["user.name", "user['name']", "user.tags[1]", "user.tags[-1]", "user.tags.0",
             "user.address.city", "user['address']['city']", "user.missing", "user.missing is defined",
             "rows[0].name", "rows|length", "word[0]", "word[-1]", "word[1:4]", "word[::-1]",
             "word[::2]", "nums[1:]", "nums[:2]", "nums[-2:]", "nums[::-2]", "nums[10:]",
             "word.upper()", "word.lower()", "word.split()", "word.split('o')", "word.split('o', 1)",
             "word.startswith('He')", "word.endswith(('x', 'ld'))", "word.replace('o', '0')",
             "word.replace('o', '0', 1)", "text.strip()", "text.lstrip()", "text.rstrip()",
             "'x,y'.split(',')", "'-'.join(['a', 'b'])", "word.find('o')", "word.rfind('o')",
             "word.count('l')", "word.title()", "'hello world'.capitalize()", "word.swapcase()",
             "'42'.isdigit()", "'ab'.isalpha()", "'ab'.islower()", "'AB'.isupper()",
             "'ab'.center(6, '*')", "'ab'.ljust(4) ~ '|'", "'ab'.rjust(4)", "'42'.zfill(5)",
             "'{} and {}'.format(1, 'x')", "'{0}{1}{0}'.format('a', 'b')", "'{n}!'.format(n=5)",
             "'{:>6}|'.format('ab')", "'{:<6}|'.format('ab')", "'{:^7}|'.format('ab')",
             "'{:.2f}'.format(3.14159)", "'{:,}'.format(1234567)", "'{:08.3f}'.format(-3.5)",
             "'{:+d}'.format(5)", "'{:x}'.format(255)", "'{:b}'.format(5)", "'{:%}'.format(0.25)",
             "'{:*^9}'.format('mid')", "'{!r}'.format('q')", "'{:e}'.format(1234.5)",
             "'{:#x}|{:#b}|{:06}|{:.3}|{:.1}|{:,.2f}|{:=+8d}'.format(255, 5, 'ab', 12.5, 3.14, 1234.5, 42)",
             "'{}|{:>4}|{:n}|{:.0}|{:c}'.format(true, true, 1234567.891, 100.0, 233)",
             "user.get('name')", "user.get('nope', 'dflt')", "user.get('nope')",
             "user.keys()|list", "user.items()|list|length", "user.values()|list|length",
             "nums.index(8)", "nums.count(3)", "nested.a.b.c", "matrix[1][0]",
             "'a\\nb'.splitlines()", "{'a': 1}.items()|list", "dict(a=1, b=2)", "range(3)|list",
             "range(1, 10, 3)|list", "range(5, 0, -2)|list"]:
    case("{{ %s }}" % expr, CTX)

# --------------------------------------------------------------------------
# Whitespace control, comments, raw, trim/lstrip, trailing newline
# --------------------------------------------------------------------------
WS = [
    "a\n{% if true %}\nb\n{% endif %}\nc\n",
    "  {% if true %}\n  x\n  {% endif %}\n",
    "a  {%- if true -%}  b  {%- endif -%}  c",
    "{{- 'x' -}}   \n  {{ 'y' }}",
    "a {# comment #} b\n{# multi\nline #}c",
    "a {#- comment -#} b",
    "{% raw %}{{ not rendered }}{% endraw %}",
    "{%- raw -%}  {{ x }}  {%- endraw -%}",
    "x\n  {%+ if true %}y{% endif %}\n",
    "<ul>\n{% for i in [1, 2] %}\n  <li>{{ i }}</li>\n{% endfor %}\n</ul>\n",
    "line1\r\nline2\rline3\n",
    "trailing\n\n",
    "{% for i in [1,2] %}{{ i }}\n{% endfor %}",
    "   {# c #}\nx",
    "{% if true %}  \n{% endif %}",
    "a\n    {% for x in [1] %}\n    {{ x }}\n    {% endfor %}\nb",
    "{% set x = 1 %}\n{{ x }}\n",
    "{{ '{{' }} {{ '}}' }}",
    "{% raw %}\n  {% x %}\n{% endraw %}\n",
]
for src in WS:
    txt(src)
    txt(src, trim_blocks=True)
    txt(src, lstrip_blocks=True)
    txt(src, trim_blocks=True, lstrip_blocks=True)
    txt(src, keep_trailing_newline=True)

# --------------------------------------------------------------------------
# Statements: if, for, set, with, filter blocks, autoescape
# --------------------------------------------------------------------------
STMTS = [
    "{% if zero %}a{% elif flag %}b{% else %}c{% endif %}",
    "{% if empty %}a{% else %}b{% endif %}",
    "{% for r in rows %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
    "{{ loop.first }}{{ loop.last }}{{ loop.length }},{% endfor %}",
    "{% for r in rows %}{{ loop.cycle('odd', 'even') }} {% endfor %}",
    "{% for n in nums %}{{ loop.previtem|default('-') }}>{{ n }}>{{ loop.nextitem|default('-') }} {% endfor %}",
    "{% for a, b in pairs %}{{ a }}={{ b }};{% endfor %}",
    "{% for k, v in user.items() %}{{ k }}:{{ v|length }} {% endfor %}",
    "{% for k in user %}{{ k }} {% endfor %}",
    "{% for c in 'abc' %}{{ c }}.{% endfor %}",
    "{% for x in empty %}{{ x }}{% else %}none!{% endfor %}",
    "{% for n in nums if n > 3 %}{{ n }}{{ loop.last }} {% endfor %}",
    "{% for n in nums if n > 100 %}{{ n }}{% else %}no{% endfor %}",
    "{% for row in matrix %}{% for c in row %}{{ loop.depth }}{{ c }}{% endfor %}{% endfor %}",
    "{% for r in rows %}{% if loop.changed(r.grp) %}[{{ r.grp }}]{% endif %}{{ r.id }}{% endfor %}",
    "{% set x = 5 %}{% for i in [1] %}{% set x = 9 %}{{ x }}{% endfor %}{{ x }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}",
    "{% set ns = namespace(total=0) %}{% for n in nums %}{% set ns.total = ns.total + n %}{% endfor %}{{ ns.total }}",
    "{% set block %}<b>{{ word }}</b>{% endset %}{{ block }}|{{ block|length }}",
    "{% set up | upper %}shout {{ word }}{% endset %}{{ up }}",
    "{% with a = 1, b = 'x' %}{{ a }}{{ b }}{% endwith %}{{ a|default('gone') }}",
    "{% filter upper %}hello {{ word }}{% endfilter %}",
    "{% filter replace('o', '0')|upper %}foo{% endfilter %}",
    "{% autoescape false %}{{ html }}{% endautoescape %}{{ html }}",
    "{% autoescape true %}{{ html }}{% endautoescape %}",
    "{{ html|safe }} {{ html|e }} {{ html|escape|escape }} {{ html|forceescape }}",
    "{{ '<' ~ html|safe }} {{ '<' + html|safe }}",
    "{% for item in rows recursive %}{{ item.id }}{% endfor %}",
    "{% for x in tree recursive %}<{{ x.n }}{% if x.c %}:{{ loop(x.c) }}{% endif %}>{% endfor %}",
    "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.next() }}{{ c.current }}",
    "{% set j = joiner('|') %}{% for i in nums %}{{ j() }}{{ i }}{% endfor %}",
    "{% for i in range(3) %}{{ i }}{% endfor %}",
    "{{ rows[0] }}",
    "{% if u %}yes{% else %}no{% endif %}{{ u }}{% for x in u %}{{ x }}{% endfor %}",
    "{{ u|default('dflt') }} {{ ''|default('e', true) }} {{ none|d('n') }} {{ 0|default(5) }}",
    "{% set l = [] %}{% set _ = l.append(1) %}{{ l }}",
    "{% set l = [1, 2, 3] %}{% for x in l if x > 1 %}{{ x }}{% endfor %}{{ l }}{% for x in nums if x > 3 %}{% endfor %}{{ nums }}",
    "{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }}{% endfor %}",
    "{{ loop is defined }}{% for i in [1] %}{{ loop is defined }}{% endfor %}",
]
TREE = {"tree": [{"n": 1, "c": [{"n": 2, "c": []}, {"n": 3, "c": [{"n": 4}]}]}, {"n": 5}]}
for src in STMTS:
    case(src, {**CTX, **TREE})
    txt(src, {**CTX, **TREE})

# --------------------------------------------------------------------------
# Macros and call blocks
# --------------------------------------------------------------------------
MACROS = [
    "{% macro hi(name, greet='Hello') %}{{ greet }}, {{ name }}!{% endmacro %}{{ hi('Ann') }} {{ hi('Bo', greet='Hey') }} {{ hi(greet='Yo', name='C') }}",
    "{% macro v() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ v(1, 2, a=3) }}",
    "{% macro w(a) %}{{ a }}|{{ varargs|join(',') }}{% endmacro %}{{ w(1, 2, 3) }}",
    "{% macro m(x) %}{{ x }}{% endmacro %}{{ m() }}|{{ m('<i>') }}",
    "{% macro box() %}<div>{{ caller() }}</div>{% endmacro %}{% call box() %}inside {{ word }}{% endcall %}",
    "{% macro lst(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) lst(nums) %}[{{ x }}]{% endcall %}",
    "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * fact(n - 1)|int }}{% endif %}{% endmacro %}{{ fact(5) }}",
    "{% macro d(a, b=a ~ '!') %}{{ a }}{{ b }}{% endmacro %}{{ d('x') }}",
    "{% macro e() %}<{{ word }}>{% endmacro %}{{ e() }} {{ e()|upper }} {{ e()|length }}",
    "{% set x = 'outer' %}{% macro sees() %}{{ x }}{% endmacro %}{{ sees() }}",
    "{% macro m() %}{{ caller is defined }}{% endmacro %}{{ m() }}",
]
for src in MACROS:
    case(src, CTX)
    txt(src, CTX)

# --------------------------------------------------------------------------
# include, import, extends
# --------------------------------------------------------------------------
LIB = {
    "macros.html": "{% macro input(name, value='', type='text') %}<input type=\"{{ type }}\" name=\"{{ name }}\" value=\"{{ value|e }}\">{% endmacro %}"
                   "{% macro label(t) %}<label>{{ t }}</label>{% endmacro %}{% set exported = 'yes' %}",
    "part.html": "[part {{ word|default('no word') }} {{ local|default('no local') }}]",
    "part.txt": "[txt {{ html }}]",
    "base.html": "<html><head><title>{% block title %}Base{% endblock %}</title></head>"
                 "<body>{% block body %}base body{% endblock %}|{% block footer %}(c) {{ year }}{% endblock %}</body></html>",
    "mid.html": "{% extends 'base.html' %}{% block title %}Mid - {{ super() }}{% endblock %}"
                "{% block body %}<main>{% block content %}mid content{% endblock %}</main>{% endblock %}",
    "scoped.html": "{% for i in [1, 2] %}{% block item scoped %}<{{ i }}>{% endblock %}{% endfor %}",
    "vars.html": "{% set v = 'from vars' %}{{ v }}",
    "req.html": "<{% block r required %}{% endblock %}>",
}
INH = [
    ("{% include 'part.html' %}", {}),
    ("{% set local = 'L' %}{% include 'part.html' %}", {}),
    ("{% for local in ['a', 'b'] %}{% include 'part.html' %}{% endfor %}", {}),
    ("{% include 'part.html' without context %}", {}),
    ("{% include 'nope.html' ignore missing %}ok", {}),
    ("{% include ['nope.html', 'part.html'] %}", {}),
    ("{% include 'part.txt' %}", {}),
    ("{% import 'macros.html' as f %}{{ f.input('q', value='<x>') }}{{ f.label('L') }}{{ f.exported }}", {}),
    ("{% from 'macros.html' import input, label as lab %}{{ input('n', type='password') }}{{ lab('x') }}", {}),
    ("{% extends 'base.html' %}", {"year": 2024}),
    ("{% extends 'base.html' %}{% block title %}Child{% endblock %}ignored text", {"year": 2024}),
    ("{% extends 'base.html' %}{% block title %}{{ super() }} + child{% endblock %}{% block body %}<p>{{ word }}</p>{% endblock %}", {}),
    ("{% extends 'mid.html' %}{% block content %}child content; {{ super() }}{% endblock %}", {}),
    ("{% extends 'mid.html' %}{% block title %}T: {{ super() }}{% endblock %}", {}),
    ("{% extends 'scoped.html' %}{% block item %}[{{ i }}]{% endblock %}", {}),
    ("{% set layout = 'base.html' %}{% extends layout %}{% block body %}dyn{% endblock %}", {}),
    ("{% extends 'base.html' %}{% set v = 'set in child' %}{% block body %}{{ v }}{% endblock %}", {}),
    ("{% include 'vars.html' %}{{ v|default('not leaked') }}", {}),
    ("{% block a %}A{% block b %}B{% endblock %}{% endblock %}", {}),
    ("{% extends 'req.html' %}{% block r %}given{% endblock %}", {}),
    ("{% include 'req.html' %}", {}),
    ("{% block t %}T{% endblock %}|{{ self.t() }}|{% block x %}{{ self.t()|upper }}{% endblock %}", {}),
    ("{% extends 'base.html' %}{% block title %}Kid{% endblock %}{% block body %}[{{ self.title() }}]{% endblock %}", {}),
    ("{% extends 'base.html' %}{% block footer %}{{ self.title() if false else 'f' }}{% endblock %}", {}),
    # After extends, plain output is not even evaluated (a stray {{ user.name }}
    # with no user renders in Flask); statements still run, and an include,
    # a call block and a filter block still write, before the parent's output.
    ("{% extends 'base.html' %}{{ 1/0 }}{{ missing.attr }}{% for r in rows %}{{ r.n.x.y }}{% endfor %}"
     "{% with a = 1 %}{{ a.b.c }}{% endwith %}{% autoescape true %}{{ missing.x }}{% endautoescape %}", {}),
    ("{% extends 'base.html' %}{% set n = 3 %}{% for i in range(n) %}{% set x = i %}{{ nope.x }}{% endfor %}"
     "{% macro q() %}{{ 1/0 }}{% endmacro %}{{ q() }}{% block body %}[{{ n }}]{% endblock %}", {}),
    ("{% extends 'base.html' %}{% include 'part.html' %}{% macro w() %}<w>{{ caller() }}</w>{% endmacro %}"
     "{% call w() %}x{% endcall %}{% filter upper %}{{ missing.x }}{% include 'part.html' %}{% endfilter %}", {}),
    ("{% if true %}{% extends 'base.html' %}{% endif %}{{ 1/0 }}{% include 'part.html' %}"
     "{% filter center(5) %}{% endfilter %}", {}),
    ("A{{ word }}{% extends 'base.html' %}Z{{ word }}", {}),
    # A block inside a loop (a with, a macro) of a child still renders where
    # it stands; one at the top level, or in an if there, is the parent's.
    ("{% extends 'base.html' %}{% for i in [1, 2] %}{% block title %}T{{ i }}{% endblock %}{% endfor %}"
     "{% if true %}{% block body %}if{% endblock %}{% endif %}", {}),
    # extends only at the top level (an if is top level), with one name
    ("{% if false %}{% elif true %}{% extends 'base.html' %}{% endif %}{% block title %}elif{% endblock %}", {}),
    ("{% for t in ['base.html'] %}{% extends t %}{% endfor %}", {}),
    ("{% with a = 1 %}\n{% extends 'base.html' %}{% endwith %}", {}),
    ("{% block b %}{% autoescape true %}{% extends 'base.html' %}{% endautoescape %}{% endblock %}", {}),
    ("{% macro m() %}{% extends 'base.html' %}{% endmacro %}\n{{ 'unclosed' }", {}),
    ("{% extends ['nope.html', 'base.html'] %}", {}),
    ("{% import ['macros.html'] as m %}", {}),
]
for src, ctx in INH:
    case(src, {**CTX, **ctx}, files=LIB)

# --------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------
FILTERS = [
    "-5|abs", "-2.5|abs", "rows|attr('x')", "user|attr('items') is defined", "nums|batch(4)|list",
    "nums|batch(4, 0)|list", "'hello'|capitalize", "'HELLO world'|capitalize", "'ab'|center(7)",
    "'ab'|center(6)", "'abc'|center(6)", "u|default('x')", "{'b': 1, 'a': 2, 'C': 3}|dictsort",
    "{'b': 1, 'a': 2}|dictsort(by='value')", "{'b': 1, 'a': 2, 'A': 0}|dictsort(true)",
    "{'b': 1, 'a': 2}|dictsort(reverse=true)", "html|escape", "html|e", "nums|first", "empty|first",
    "'abc'|first", "'3.5'|float", "'x'|float", "'x'|float(1.5)", "5|float", "'%s=%d'|format('a', 3)",
    "'%(x)s'|format(x='kw')", "nums|join(',')", "rows|join(',', attribute='id')", "nums|last",
    "word|length", "user|length", "nums|count", "nums|list", "'ab'|list", "user|list", "word|lower",
    "nums|max", "nums|min", "mixed|max", "mixed|min", "mixed|max(case_sensitive=true)",
    "rows|max(attribute='price')", "rows|min(attribute='name')", "empty|max", "rows|map(attribute='name')|join(' ')",
    "mixed|map('upper')|list", "nums|map('string')|join", "rows|map(attribute='nope', default='d')|list",
    "nums|reject('odd')|list", "nums|select('odd')|list", "nums|select('gt', 4)|list",
    "nums|select('divisibleby', 3)|list", "[0, 1, '', 'a', none]|select|list",
    "rows|selectattr('grp', 'eq', 'a')|map(attribute='id')|list", "rows|rejectattr('id', 'odd')|map(attribute='id')|list",
    "rows|selectattr('id')|list|length", "'a-b-c'|replace('-', '+')", "'aaa'|replace('a', 'b', 2)",
    "html|replace('&', 'and')", "nums|reverse|list", "word|reverse", "2.5|round", "3.5|round",
    "2.675|round(2)", "-2.5|round", "1234.5678|round(2, 'floor')", "1.1|round(0, 'ceil')", "42|round",
    "0.125|round(2)", "1234.5|round(-2)", "'<b>x</b>'|safe", "nums|slice(3)|list",
    "nums|slice(4, 'x')|list", "nums|sort", "nums|sort(reverse=true)", "mixed|sort", "mixed|sort(case_sensitive=true)",
    "rows|sort(attribute='grp')|map(attribute='id')|list", "rows|sort(attribute='grp,id', reverse=true)|map(attribute='id')|list",
    "42|string", "[1, 2]|string", "'<a href=\"x\">link</a> <!-- c --> &amp; more'|striptags",
    "'  a  \n b '|striptags", "nums|sum", "rows|sum(attribute='price')", "nums|sum(start=10)",
    "'hello wORLD-foo (bar) [baz]'|title", "\"it's o'neil\"|title", "{'a': 1, 'b': '<x>', 'c': [1, 2]}|tojson",
    "'<script>\"&\\''|tojson", "{'z': 1, 'a': {'y': [1.5, none, true]}}|tojson", "'é☃😀'|tojson",
    "{'a': 1, 'b': [1, 2]}|tojson(2)", "'  x  '|trim", "'xxhixx'|trim('x')", "text|truncate(20)",
    "text|truncate(20, true)", "text|truncate(20, false, '…')", "text|truncate(45)", "text|truncate(10, leeway=0)",
    "'abc'|truncate(9)", "['a', 'B', 'a', 'b', 'c']|unique|list", "['a', 'B', 'A', 'b']|unique(case_sensitive=true)|list",
    "rows|unique(attribute='grp')|map(attribute='id')|list", "word|upper", "'a b&c/d?e=é'|urlencode",
    "{'q': 'a b', 'n': 1}|urlencode", "[('a', 'x y'), ('b', '&')]|urlencode", "text|wordcount",
    "'hello, world! it\\'s 42'|wordcount", "text|wordwrap(10)", "text|wordwrap(12, wrapstring='<br>')",
    "'a verylongwordthatneverends b'|wordwrap(8)", "'a verylongwordthatneverends b'|wordwrap(8, false)",
    "'one\ntwo three four'|wordwrap(7)", "'abc defghijk l'|wordwrap(4)", "'xx yyyyyy'|wordwrap(3)",
    "'ab cd efghij klm'|wordwrap(2)", "{'class': 'x', 'id': 'y<>', 'n': none}|xmlattr",
    "{'a': 1}|xmlattr(false)", "'line1\nline2\n\nline4'|indent", "'line1\nline2'|indent(2, true)",
    "'a\n\nb\n'|indent(blank=true)", "'a\nb'|indent('> ')", "'x'|indent", "'12'|int", "'3.9'|int",
    "'x'|int", "'x'|int(7)", "3.99|int", "'0x1A'|int(0, 16)", "' 42 '|int", "true|int",
    "rows|groupby('grp')|map(attribute='grouper')|list",
    "{% for g, items in rows|groupby('grp') %}{{ g }}:{{ items|map(attribute='id')|join(',') }};{% endfor %}",
    "{% for g in rows|groupby('grp') %}{{ g.grouper }}={{ g.list|length }} {% endfor %}",
    "{% for g in mixed|groupby('0') %}{{ g.grouper }}{{ g.list }} {% endfor %}",
    "'visit http://example.com/x?y=1, or www.test.org. mail me@ex.com (see https://a.b/c)'|urlize",
    "'<b>not a link</b> & http://x.io'|urlize", "'plain words only'|urlize", "'mailto:a@b.co'|urlize",
    "user|items|list|length", "{'a': 1}|items|list", "u|items|list",
    "1234567|filesizeformat", "1024|filesizeformat(true)", "1|filesizeformat", "'%.2f'|format(price)",
    "nums|map('abs')|sum", "pairs|map('first')|list", "matrix|map('sum')|list", "nested|dictsort",
    "mixed|join('<br>'|safe)", "[html|safe, html]|join", "[html|safe, html]|join(', ')",
]
for f in FILTERS:
    src = f if f.startswith("{%") else "{{ %s }}" % f
    case(src, CTX)
    if not f.startswith("{%"):
        txt(src, CTX)

# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------
TESTS = ["u is defined", "u is undefined", "word is defined", "none is none", "0 is none",
         "true is boolean", "1 is boolean", "1 is number", "1.5 is number", "true is number",
         "1 is integer", "true is integer", "1.0 is float", "1 is float", "'a' is string",
         "1 is string", "user is mapping", "nums is mapping", "nums is sequence", "'a' is sequence",
         "user is sequence", "1 is sequence", "nums is iterable", "'x' is iterable", "5 is iterable",
         "range is callable", "word is callable", "4 is even", "3 is even", "3 is odd", "9 is divisibleby 3",
         "9 is divisibleby(4)", "1 is eq 1", "1 is ne 2", "1 is lt 2", "2 is le 1", "3 is gt 2",
         "3 is ge 3", "2 is in [1, 2]", "'a' is in 'abc'", "'abc' is lower", "'aBc' is lower",
         "'ABC' is upper", "'123' is upper", "none is sameas none", "true is sameas true",
         "html|e is escaped", "html is escaped", "1 is not none", "u is not defined", "1 is equalto 1",
         "2 is greaterthan 1", "1 is lessthan 2", "'upper' is filter", "'nope' is filter",
         "'odd' is test", "true is true", "0 is false", "(1 is odd) and (2 is even)",
         "nums|select('lt', 3)|list"]
for t in TESTS:
    case("{{ %s }}" % t, CTX)

# --------------------------------------------------------------------------
# Undefined and strict mode
# --------------------------------------------------------------------------
UNDEF = ["{{ u }}|", "{{ u.x }}", "{{ u + 1 }}", "{{ u ~ 'a' }}", "{{ u|length }}", "{{ u|upper }}",
         "{% for x in u %}{% endfor %}ok", "{{ user.missing }}", "{{ user.missing.deeper }}",
         "{{ u is defined }}", "{{ u|default('d') }}", "{% if u %}y{% else %}n{% endif %}",
         "{{ none.x }}", "{{ nums[10] }}|", "{{ u() }}", "{{ 'a' in u }}", "{{ u == none }}"]
for src in UNDEF:
    case(src, CTX)
    case(src, CTX, strict=True)

# --------------------------------------------------------------------------
# Autoescape by extension and explicit options
# --------------------------------------------------------------------------
for name in ["t.html", "t.htm", "t.xml", "t.xhtml", "t.txt", "t.j2", "t.HTML"]:
    case("{{ html }}|{{ html|safe }}|{{ '<' ~ html }}|{{ [html] }}", CTX, name=name)
case("{{ html }}", CTX, name="t.txt", autoescape=True)
case("{{ html }}", CTX, name="t.html", autoescape=False)
case("{% macro m() %}<{{ html }}>{% endmacro %}{{ m() }}", CTX, name="t.txt", autoescape=True)
case("{% set s %}{{ html }}{% endset %}{{ s }}", CTX)
case("{{ html|safe|upper }} {{ html|safe|replace('<', '[') }} {{ html|safe|trim }}", CTX)
case("{{ '<%s>'|format(html) }} {{ '<%s>'|safe|format(html) }}", CTX)
case("{{ html|safe ~ html }} {{ (html|safe).upper() }}", CTX)

# --------------------------------------------------------------------------
# Errors: syntax and runtime (rc 1 and, for syntax errors, the line)
# --------------------------------------------------------------------------
ERRORS = [
    # Jinja2's compile-time checks: `loop` assigned in a for loop (the target,
    # a set in its body, nested loops, macros, else), reported after any
    # syntax error; with and macro parameters named loop are allowed
    "{% for i in [1] %}\n{% set loop = 1 %}{% endfor %}", "{% for loop in [1] %}x{% endfor %}",
    "{% for i, loop in [[1, 2]] %}{% endfor %}", "{% for i, (j, loop) in [[1, [2, 3]]] %}{% endfor %}",
    "{% for a, (b, c) in [[1, 2]] %}{% endfor %}", "{% for i in [1] %}{% else %}\n\n{% set loop %}x{% endset %}{% endfor %}",
    "{% for i in [1] %}{% macro m() %}\n{% set loop = 3 %}{% endmacro %}{% endfor %}",
    "{% for i in [1] %}{% set loop = 1 %}{% endfor %}\n{% if %}",
    "{% set loop = 1 %}{{ loop }}{% for i in [1] %}{% with loop = 5 %}{{ loop }}{% endwith %}{% endfor %}"
    "{% macro m(loop) %}{{ loop }}{% endmacro %}{{ m(2) }}",
    "{% macro m(a, b, a) %}{% endmacro %}", "{% macro m(caller) %}{{ caller() }}{% endmacro %}",
    "{% call(x, x) m() %}{% endcall %}", "{% macro true() %}{% endmacro %}", "{% import 'macros.html' as none %}",
    "{% from 'macros.html' import input as False %}", "{% from 'macros.html' import _private %}",
    "{% if x %}unclosed", "{% for x in y %}no end", "{{ 1 + }}", "{{ }}", "line1\n{{ x..y }}",
    "{% endif %}", "{% unknowntag %}", "{{ 'unterminated }}", "{% block a %}{% endblock b %}",
    "{% block a %}{% endblock %}{% block a %}{% endblock %}", "a\nb\n{% if %}{% endif %}",
    "{{ x | nosuchfilter }}", "{{ 1 is nosuchtest }}", "{{ 1 / 0 }}", "{{ 'a' + 1 }}", "{{ [1] < 'a' }}",
    "{% include 'missing.html' %}", "{% extends 'missing.html' %}", "{{ 5|length }}",
    "{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", "{% macro m(a) %}{% endmacro %}{{ m(b=1) }}",
    "{% for a, b in [1] %}{% endfor %}", "{{ x.y.z }}", "{{ nums|batch(0)|list }}",
    "{% from 'macros.html' import nothere %}{{ nothere() }}", "{{ [1]|first }}{{ []|first + 1 }}", "{% set 1 = 2 %}", "{{ (1, 2 }}", "{{ [1, 2 }}",
    "{{ {'a' 1} }}", "{% raw %}never closed", "{# never closed", "{{ 1 }\n}}",
    "\n\n{% for %}", "{{ foo(}}", "{{ 'a' 'b' | }}", "{% extends 'base.html' %}{% extends 'base.html' %}",
]
for src in ERRORS:
    case(src, CTX, files=LIB)

# *args and **kwargs in calls: macros (with varargs/kwargs), globals, filters,
# tests and methods; a keyword naming a parameter given by position.
STAR_MACROS = ("{% macro m(a, b=2, c=3) %}[{{ a }} {{ b }} {{ c }} {{ varargs }} {{ kwargs }}]"
               "{% endmacro %}{% macro v() %}<{{ varargs }}|{{ kwargs|dictsort }}>{% endmacro %}"
               "{% macro p(a, b=2) %}{{ a }}{{ b }}{% endmacro %}")
for src in ["{{ m(*[1, 5]) }} {{ m(1, **{'c': 9}) }} {{ m(*xs, **kw) }} {{ m(1, c=4, *[], **{}) }}",
            "{{ v(1, *xs, x=1, **kw) }} {{ v(*'ab') }} {{ v(*{'k': 1}) }} {{ m(1, 2, b=3) }}",
            "{{ range(*[1, 7, 2])|list }} {{ dict(**kw) }} {{ '{}-{}'.format(*xs) }} {{ '%s'|format(*['z']) }}",
            "{{ [3, 1, 2]|sort(*[true]) }} {{ 4 is divisibleby(*[2]) }} {{ xs|join(*['+']) }} {{ 'a-b'.split(*['-']) }}",
            "{% call(x) m(*xs) %}{{ x }}{% endcall %}", "{{ m(*xs, c=5) }} {{ m(**{'a': 'k'}) }}",
            "{{ m(*1) }}", "{{ range(**1) }}", "{{ dict(a=1, **{'a': 2}) }}", "{{ m(*xs, 1) }}",
            "{{ m(**kw, *xs) }}", "{{ m(**kw, b=1) }}", "{{ m(*xs, *xs) }}", "{{ p(1, 2, b=3) }}",
            "{{ p(1, a=3) }}", "{{ m(*undefined_thing) }}",
            "{% call p(1) %}x{% endcall %}", "{% call v(1) %}x{% endcall %}"]:
    case(STAR_MACROS + src, {"xs": [10, 20], "kw": {"b": 7}})

# Macro attributes, as Jinja2's Macro object has them.
case("{% macro m(a, b=2) %}{{ varargs }}{{ caller() }}{% endmacro %}{{ m.name }}|{{ m.arguments }}|"
     "{{ m.catch_kwargs }}|{{ m.catch_varargs }}|{{ m.caller }}|{{ m.defaults is defined }}|{{ m }}"
     "{% macro k() %}{{ kwargs }}{% endmacro %}{{ k.catch_kwargs }} {{ k.arguments }} {{ k.arguments|length }}")

# random and lipsum: random on purpose, so only what does not vary is compared.
for src in ["{{ [1, 2, 3]|random in [1, 2, 3] }} {{ 'abc'|random in 'abc' }} {{ []|random is defined }}",
            "{{ (xs|random) in xs }} {{ lipsum(0) }}|{{ lipsum(1, false, 3, 4)|wordcount }}",
            "{{ lipsum(1, false, 3, 4)[-1] }} {{ (lipsum()|length) > 100 }} {{ lipsum(3)|safe|string|wordcount > 50 }}",
            "{{ lipsum(2, min=5, max=6).count('<p>') }} {{ lipsum(1, min=5, max=6) is escaped }}",
            "{{ lipsum(1, false, 3, 3) }}", "{{ {'a': 1}|random }}"]:
    case(src, {"xs": [10, 20, 30]})

# pprint: Python's pformat (width 80, dicts sorted), short values and the
# broken-up layouts of long dicts, lists, tuples and strings; repr() of
# characters Python cannot print.
PP_VALS = [1, "short", None, True, 1.5, [], {}, [1, 2, 3], {"b": 1, "a": [1, 2]},
           "nbsp\xa0soft\xadzw\u200b\U000e0001 sep\u2028", list(range(40)),
           {"k%02d" % i: "v" * i for i in range(12)}, "word " * 30, "x" * 120,
           "line one\nline two\n" * 5, "a\r\nb\rc\x0bd\x0ce\x85f\u2028g",
           [{"name": "x" * 30, "tags": ["a" * 20, "b" * 20, "c" * 20]},
            {"deep": {"deeper": {"deepest": list(range(30))}}}],
           {"text": "lorem ipsum dolor sit amet " * 6, "n": 1},
           ["it's " * 20, 'say "hi" ' * 12, "tab\there " * 12, "é" * 90, "😀 " * 50],
           [[1, 2], [3, [4, [5, [6, "z" * 70]]]]], {"zeta": 1, "Alpha": 2, "beta": {"y": 1, "x": 2}}]
case("{% for v in vals %}{{ v|pprint }}\n---\n{% endfor %}{{ (1, 2)|pprint }}|"
     "{{ (['a' * 40, 'b' * 40],)|pprint }}|{{ {1: 'a', 2: 'b'}|pprint }}|{{ dict(b=1, a=2)|pprint }}|"
     "{{ vals[9:10] }} {{ {'k': vals[9]} }}", {"vals": PP_VALS})

# Case mapping across scripts: full mappings (ß, ligatures, İ, Greek with
# iota), title-case letters (ǅ), the final sigma, and scripts beyond Latin.
CASE_WORDS = ["straße", "ǆemal ǅemal ǄEMAL", "ΟΔΟΣ ΟΔΟΣ.", "ΑΣ-ΑΣ", "Σ", "ΑΣ'Β", "ΑΣ\u0301",
              "ΣΑΣ ΑΣΑ", "İstanbul", "ﬁnance ﬂow", "ŉ", "Հայաստան", "ქართული", "Tiếng Việt",
              "ＡＢＣ ａｂｃ", "ᾳ ᾈ ᾀ", "Ꭰꭰ", "𐐀𐐨", "ΐ ΰ", "ǰ ẖ", "a\u00a0b\u2003c-d", "ß-ß", "ǈa ǉ",
              "Ⓐⓑ", "ǅ"]
case("{% for w in ws %}{{ w|upper }}|{{ w|lower }}|{{ w|capitalize }}|{{ w|title }}|"
     "{{ w.title() }}|{{ w.swapcase() }}|{{ w.upper() }}|{{ w.lower() }}|{{ w.capitalize() }}\n"
     "{% endfor %}", {"ws": CASE_WORDS})

# Generator filters (map, select, reject, selectattr, rejectattr, batch,
# slice, unique, items) and reverse's iterators, as Python runs them: an
# error inside waits until the items are read; map and the select family
# yield nothing from a false value; one read empties them (`first` and `in`
# read only what they need); they print as Python's objects (the address
# differs, so only what precedes it is compared); + and * refuse them.
GENERATORS = [
    "{% if none|map('upper') %}y{% endif %}", "{% if 5|select('odd') %}y{% endif %}",
    "{% if [1, 2]|map('nosuch') %}y{% endif %}", "{{ (nums|map('x') is iterable) }}",
    "{{ none|map('upper')|list }}{{ 0|select('odd')|list }}{{ ''|rejectattr('q')|list }}",
    "{{ none|map()|list }}{{ false|selectattr()|list }}",
    "{% set g = nums|map('string') %}{{ g|first }}|{{ g|list }}|{{ g|list }}",
    "{% set g = nums|select('odd') %}{{ 3 in g }}|{{ g|list }}",
    "{% set g = nums|select('odd') %}{{ 1 is in g }}|{{ g|join(',') }}",
    "{% set g = nums|reject('odd') %}{% for x in g %}{{ x }}{% endfor %}/"
    "{% for x in g %}{{ x }}{% else %}empty{% endfor %}",
    "{% set g = nums|batch(4) %}{{ g|list }}{{ g|list|length }}",
    "{% set g = word|unique %}{{ g|sort|join }}{{ g|list }}",
    "{% set g = {'a': 1}|items %}{% for k, v in g %}{{ k }}={{ v }}{% endfor %}{{ g|list }}",
    "{% set a, b = nums|slice(2) %}{{ a }} {{ b }}",
    "{{ (nums|map('string')|string)[:29] }}", "{{ (nums|select|string)[:34] }}",
    "{{ (nums|batch(2)|string)[:26] }}|{{ (nums|slice(2)|string)[:31] }}",
    "{{ ({'a': 1}|items|string)[:26] }}|{{ (nums|unique|string)[:27] }}",
    "{{ (nums|reverse|string)[:28] }}|{{ ((1, 2)|reverse|string)[:16] }}",
    "{{ ({'a': 1}|reverse|string)[:31] }}|{{ nums|map('string')|reverse|list }}",
    "{{ nums|select('odd')|wordcount }} {{ nums|map('int') is lower }}",
    "{{ nums|select('odd')|e|length > 20 }}", "{% if missing|reverse %}y{% endif %}",
    "{{ 'a%sb' % missing }}|{{ 'x' % [1] }}|{{ '%s' % [1, 2] }}|{{ 'x' % {'a': 1} }}",
    "{{ rows|urlencode }}|{{ {'k0': 1}|reverse|urlencode }}|{{ ['ab', ('c', 1)]|urlencode }}",
    "{{ nums|select('odd')|urlencode }}",
]
for src in GENERATORS:
    txt(src, CTX)
GENERATOR_ERRORS = [
    "{{ nums|map('nosuch')|list }}", "{{ 5|select('odd')|first }}", "{{ none|items|list }}",
    "{{ [[1], [1]]|unique|list }}", "{{ nums|batch('x')|join }}", "{% for x in 3|slice(2) %}{% endfor %}",
    "{{ nums|select('odd') + [1] }}", "{{ [1] + nums|select('odd') }}", "{{ nums|map('int') * 2 }}",
    "{{ (1,) + [2] }}", "{{ [1] + (2,) }}", "{{ nums|select|length }}", "{{ nums|select|last }}",
    "{{ nums|select|truncate(5) }}", "{{ nums|select|random }}", "{{ nums|select|tojson }}",
    "{{ [1]|urlencode }}", "{{ ['abc']|urlencode }}", "{{ ['a']|urlencode }}",
    "{{ [[1]]|select('odd')|urlencode }}", "{{ 'x' % (1,) }}", "{{ 'x' % 1 }}",
    "{{ {(1, [2]): 3} }}", "{{ (1, [2]) in {} }}",
]
for src in GENERATOR_ERRORS:
    txt(src, CTX)
# What Jinja2's globals, ranges, cyclers, joiners and bound methods print as
# (up to an address, where Python prints one).
REPRS = [
    "{{ self }}|{{ range }}|{{ dict }}|{{ namespace }}|{{ cycler }}|{{ joiner }}",
    "{{ range(3) }}|{{ range(2, 9, 3) }}|{{ range(5, 2) }}|{{ [range(2)] }}|{{ range(-3)|string|upper }}",
    "{{ range(3).append }}|{{ range(4)|sum }}|{{ range(4)|reverse|list }}",
    "{{ (cycler(1)|string)[:29] }}|{{ (joiner()|string)[:29] }}|{{ (lipsum|string)[:32] }}",
    "{{ (''.upper|string)[:35] }}|{{ ({}.items|string)[:36] }}|{{ (nums.append|string)[:37] }}",
]
for src in REPRS:
    txt(src, CTX)
# super() in a scoped block sees the block's scope (the loop variable), in
# each level of a three-level chain and through an include.
SCOPED = {
    "sbase.html": "<{% for i in [1, 2] %}{% block c scoped %}{{ i }}{% endblock %}{% endfor %}>"
                  "{% block d %}{{ i|default('-') }}{% endblock %}",
    "smid.html": "{% extends 'sbase.html' %}{% block c %}({{ i }}{{ super() }}){% endblock %}"
                 "{% block d %}[{{ super() }}]{% endblock %}",
    "stop.html": "{% extends 'smid.html' %}{% block c %}{{ i * 10 }}{{ super() }}{% endblock %}",
}
for src in ["{% extends 'smid.html' %}", "{% extends 'stop.html' %}", "{% include 'stop.html' %}|",
            "{% extends 'sbase.html' %}{% block c %}{% set i = 7 %}{{ super() }}{{ i }}{% endblock %}"]:
    txt(src, CTX, files=SCOPED)
# str methods Jinja2 passes through to Python: splitting from the right,
# partition, prefixes, tabs and character classes, over ASCII, Unicode
# whitespace and cased scripts; whitespace as str.isspace() sees it in
# split, strip, trim and striptags.
for s_ in ["'a.b.c'", "'  a b  c  '", "''", "'a\\tb\\n\\tcd\\t'", "'Hello World'", "'ǅungla Ab'", "'½²'",
           "'x\\u00a0y'", "'a,b,,c,'", "'ΣΑΣ Σας'", "'\\x07'", "'\\u3000a\\u2003b\\u00a0'"]:
    ms = ["rsplit()", "rsplit(None, 1)", "rsplit(',', 1)", "rsplit('.', 0)", "rsplit(' ', 2)", "partition('.')",
          "rpartition(' ')", "partition('zz')", "rpartition('zz')", "removeprefix('a')", "removesuffix('c')",
          "expandtabs()", "expandtabs(4)", "istitle()", "isascii()", "isprintable()", "isnumeric()",
          "split(None, 1)", "rsplit(None, 0)", "split(None, 0)", "strip()", "lstrip()", "rstrip()"]
    txt("|".join("{{ %s.%s }}" % (s_, m) for m in ms), CTX)
txt("{{ 'abcb'.rindex('b') }}{{ 'éèé'.strip('é') }}|{{ 'xéx'.lstrip('éx') }}|{{ 'aé'.rstrip('è') }}|"
    "{{ '\\u00a0x\\u3000'|trim }}|{{ 'éxé'|trim('é') }}|{{ 'a&nbsp;b <b>x</b>\\u3000y'|striptags }}|"
    "{{ 'a\\u00a0\\u00a0b'|striptags }}|{{ '\\x85a\\x85'.strip() }}|{{ 'a\\u200bb'.split() }}", CTX)
txt("{{ 'abc'.rindex('z') }}", CTX)
# urlize's arguments (trim_url_limit, nofollow, target, rel, extra_schemes)
# and which bare domains it links (labels of two characters or more).
for src in [
        "{{ 'see http://x.com/a?b=1&c=2, or www.y.org.'|urlize(10, true, '_blank') }}",
        "{{ 'http://example.com/very/long'|urlize(5) }}|{{ 'http://ex.com'|urlize(0) }}|"
        "{{ 'http://ex.com'|urlize(none, false, none, 'me  you') }}",
        "{{ 'go http://a.com'|urlize(rel='nofollow noopener ext') }}|{{ 'xy.com'|urlize(target='<t>') }}",
        "{{ 'ftp://files.x/a and tel:+123 and ftp:'|urlize(extra_schemes=['ftp://', 'tel:']) }}",
        "{{ 'a'|urlize(extra_schemes=['x']) }}", "{{ 'a\\u00a0http://x.com\\u3000b'|urlize }}",
        "{{ 'mail me@x.org now'|urlize(nofollow=true, target='_new') }}", "{{ 'http://é.com/ü'|urlize(9) }}",
        "{{ 'x.com ab.com a.bc.com ab.c.org xy.example.org ab.cd.info ab.io'|urlize }}"]:
    txt(src, CTX)
# Markup's methods as markupsafe has them: string arguments escaped first
# (strip, replace, center, partition ...), join and format escape what is
# not markup, split keeps markup; title makes plain text.
MARKUP = {"h": "<b>&</b>"}
for src in [
        "{{ (h|safe).strip('<') }}|{{ (h|safe).lstrip('<b') }}|{{ (h|safe).replace('&', '<&>') }}|"
        "{{ (h|safe).replace('b', 'i', 1) }}|{{ (h|safe).center(12, '*') }}|{{ (h|safe).ljust(10, '-') }}",
        "{{ (h|safe).partition('&') }}|{{ (h|safe).rpartition('/') }}|{{ (h|safe).split('&') }}|{{ (h|safe).zfill(12) }}",
        "{{ (h|safe).join(['<', '>']) }}|{{ (h|safe).join([1, none, '<', h|safe]) }}",
        "{{ ('{}'|safe).format(h) }}|{{ ('{0}{x!r}'|safe).format(h, x=h) }}|{{ ('{:>12}'|safe).format(h) }}|"
        "{{ ('{}'|safe).format(h|safe) }}|{{ '{}'.format(h) }}",
        "{{ (h|safe).startswith('<b') }}|{{ (h|safe).find('&') }}|{{ (h|safe).title() }}|{{ h|safe|title }}|"
        "{{ h|title }}|{{ (h|safe)|upper }}|{{ (h|safe).capitalize() }}",
        "{{ (h|safe).center(12, '<') }}", "{{ 'x'.ljust(3, 'ab') }}"]:
    case(src, MARKUP)
# A character indexed out of Markup is Markup (last, random, [i]); one met by
# iterating it is plain str (first, list, for, sort, min, max).
case("{{ (h|safe)|last }}|{{ (h|safe)|first }}|{{ (h|safe)[-1] }}|{{ (h|safe)|list|last }}|"
     "{{ (h|safe)|reverse|first }}|{{ (h|safe)|min }}|{{ (h|safe)|max }}|"
     "{% for c in (h|safe)[:2] %}{{ c }}{% endfor %}|{{ ('<'|safe)|random }}|{{ '<'|random }}", MARKUP)
# round() of an integer to tens, hundreds...: halves to even, as Python's.
txt("{{ 7|round(-1) }}|{{ 15|round(-1) }}|{{ 25|round(-1) }}|{{ -15|round(-1) }}|{{ -25|round(-1) }}|"
    "{{ 149|round(-2) }}|{{ 150|round(-2) }}|{{ 250|round(-2) }}|{{ 5|round(-1) }}|{{ 3|round(2) }}|"
    "{{ true|round(-1) }}|{{ 7|round(-1, 'floor') }}|{{ 12345|round(-30) }}|{{ 7.5|round(-1) }}", CTX)
# An included template sees the includer's loop variable but not its loop;
# the list methods that change a template's own list.
txt("{% for item in [1, 2] %}{% include 'inc.txt' %}{% endfor %}", CTX,
    files={"inc.txt": "[{{ item }}{{ loop.index if loop is defined else '-' }}"
                      "{% for j in [7] %}{{ loop.index }}{% endfor %}]"})
txt("{% for i in [1] %}{% import 'm.txt' as m with context %}{{ m.x }}{{ m.loop is defined }}{% endfor %}",
    CTX, files={"m.txt": "{% set x = loop is defined %}"})
txt("{% set x = [1, 2, 3] %}{{ x.pop() }}{{ x.pop(0) }}{{ x }}{{ x.extend([4, 5]) }}{{ x.insert(1, 9) }}"
    "{{ x.insert(-10, 0) }}{{ x.insert(99, 7) }}{{ x }}{{ x.remove(9) }}{{ x }}{{ x.reverse() }}{{ x }}"
    "{{ x.copy() is sameas x }}{{ x.copy() == x }}{{ x.clear() }}{{ x }}{{ (1, 2).pop is defined }}"
    "{{ range(3).pop is defined }}{{ nums.copy() }}", CTX)
for src in ["{{ [].pop() }}", "{{ [1].remove(2) }}", "{{ [1].pop(5) }}"]:
    txt(src, CTX)
# The lower and upper tests are str(value).islower() / .isupper(), Unicode
# classes included, for any value.
for src in ["{{ ['x,y', 'Üml'] is lower }}{{ ['a'] is lower }}{{ 5 is lower }}{{ none is upper }}",
            "{{ 'σας' is lower }}{{ 'ǅ' is upper }}{{ 'ÀB' is upper }}{{ 'ß' is lower }}{{ 'Σ1' is upper }}",
            "{{ {'a': 1} is lower }}{{ ('A',) is upper }}{{ 'ﬁ' is lower }}{{ 'ǆ' is lower }}"]:
    txt(src, CTX)

# --------------------------------------------------------------------------
# More: unicode, scoping corners, imports with context, compile-time checks
# --------------------------------------------------------------------------
MORE = [
    "{{ 'héllo wörld'|length }} {{ 'héllo'[1] }} {{ 'héllo'[1:3] }} {{ 'héllo'|reverse }} {{ 'héllo'|center(9) }}",
    "{{ 'naïve café'|title }} {{ 'ÉCOLE'|lower }} {{ 'snow ☃ man'|truncate(7, true, '') }}",
    "{{ 'tab\there' }} {{ 'q\'s' }} {{ \"d\\\"q\" }} {{ '\x41\101' }}",
    "{% if false %}{{ x|nosuchfilter }}{% endif %}",
    "{% for x in tree recursive %}{{ loop.depth }}{{ loop.depth0 }}{% if x.c %}({{ loop(x.c) }}){% endif %}{% endfor %}",
    "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}",
    "{% for i in [1, 2] %}{% set y = i %}{% endfor %}{{ y|default('no y') }}",
    # parameters named like the specials are ordinary ones; caller with a default
    "{% macro m(varargs, kwargs) %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2) }}",
    "{% macro m(caller=none) %}{{ caller is none }}{% endmacro %}{{ m() }}{% call m() %}x{% endcall %}",
    "{% macro m(x, caller=none) %}{{ x }}{{ caller() if caller else '-' }}{% endmacro %}{{ m(1) }}{% call m(2) %}c{% endcall %}",
    # x[] is x[()]; numbers have Python's real, imag, numerator, denominator
    "{{ [1, 2][] }}|{{ {'a': 1}[] }}|{{ (1).real }}{{ 1.real }}{{ (2.5).real }}{{ true.real }}{{ (3).imag }}"
    "{{ (2.5).imag }}{{ (7).numerator }}{{ (7).denominator }}{{ (2.5).numerator }}|{{ (-4).real }}",
    # autoescape and filter blocks are scopes: what they set is gone after them
    "{% autoescape false %}{% set x = 1 %}{% macro q() %}Q{% endmacro %}{% endautoescape %}"
    "{{ x|default('gone') }}{{ q is defined }}{% filter upper %}{% set z = 1 %}{{ z }}{% endfilter %}"
    "{{ z|default('gone') }}{% set ns = namespace(a=1) %}{% autoescape false %}{% set ns.a = 2 %}{% endautoescape %}{{ ns.a }}",
    # targets unpack nested tuples
    "{% for a, (b, c) in [[1, [2, 3]], [4, [5, 6]]] %}{{ a }}{{ b }}{{ c }};{% endfor %}"
    "{% set x, (y, z) = 1, (2, 3) %}{{ x }}{{ y }}{{ z }}{% for (p, q), r in [[[1, 2], 3]] %}{{ p }}{{ q }}{{ r }}{% endfor %}",
    # what a loop body sets lasts one row: the next row reads the outer value again
    "{% set x = 1 %}{% for i in [1, 2, 3] %}{% set x = x + i %}{{ x }}{% endfor %}|{{ x }}",
    "{% for i in [1, 2] %}{% if loop.first %}{% set f = i %}{% endif %}{{ f|default('u') }}{% endfor %}",
    "{% for i in [1, 2] %}{% macro m() %}{{ i }}{% endmacro %}{% if loop.first %}{% set g = m %}{% endif %}"
    "{{ g is defined }}{% endfor %}",
    "{% for a, b in [[1, 2], [3, 4]] if a > 0 %}{{ c|default('-') }}{% set c = a + b %}{{ c }}{% endfor %}",
    "{% set ns = namespace(t=0) %}{% for i in [1, 2] %}{% set ns.t = ns.t + i %}{% set t = ns.t %}{{ t }}{% endfor %}",
    "{% macro outer() %}{% macro inner() %}in{% endmacro %}{{ inner() }}-{{ caller() }}{% endmacro %}{% call outer() %}c{% endcall %}",
    "{% import 'ctxlib.html' as c with context %}{{ c.show() }}",
    "{% import 'ctxlib.html' as c %}{{ c.show() }}",
    "{% from 'ctxlib.html' import show with context %}{{ show() }}",
    "{% macro m() %}{% include 'part.html' %}{% endmacro %}{{ m() }}",
    "{% set items = [3, 1, 2] %}{{ items|sort|first }}{{ items|max }}{{ items|sum / items|length }}",
    "{{ (1, 2, 3)|join('-') }} {{ [[1, 2], [3]]|sum(start=[]) }} {{ 'abc'|list|reverse|join }}",
    "{{ {'b': 2, 'a': 1}|dictsort|first }} {{ {'a': 1}.get('a') + 1 }}",
    "{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}{{ v }}{% endfor %}",
    "{{ range(10)|batch(3)|map('sum')|list }} {{ range(7)|slice(3)|map('length')|list }}",
    "{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}) %}{{ d }}",
    "{{ 10|string ~ '%' }} {{ 3.0|int }} {{ '1e3'|float }} {{ '1_000'|int }} {{ '-12'|int|abs }}",
    "{{ [1, 2, 3] | select('in', [2, 3]) | list }} {{ ['a', 'b'] is sequence }}",
    "{{ nums|map('string')|map('int')|sum }} {{ rows|map(attribute='id')|select('even')|list }}",
    "{{ word|wordcount }} {{ word|striptags }} {{ word|urlencode }} {{ word|lower|replace(' ', '-') }}",
    "{% filter indent(2) %}a\nb{% endfilter %}",
    "{{ 1 if 0 else 2 if 0 else 3 }} {{ (1 if 1) ~ (2 if 0) }} {{ not 1 == 2 }} {{ -1 ** 2 }}",
    "{{ 'abc' < 'abd' < 'b' }} {{ 2 * 3 + 4 // 3 - -1 }} {{ 2 ** 0.5 }} {{ 10 % 3 ** 2 }}",
]
MORE += [
 "{% macro m(a, b=2) %}{{ caller(a, b) }}{% endmacro %}{% call(x, y=9) m(1) %}{{ x }}-{{ y }}{% endcall %}",
 "{% macro outer() %}[{{ caller() }}]{% endmacro %}{% macro inner() %}<{{ caller() }}>{% endmacro %}{% call outer() %}{% call inner() %}in{% endcall %}{% endcall %}",
 "{% macro m() %}{% set z = 1 %}{{ z }}{% endmacro %}{{ m() }}{{ z|default('no') }}",
 "{% for a in [1,1,2,2,1] %}{% if loop.changed(a) %}{{ a }}{% endif %}{% endfor %}",
 "{% for a in [1,2] %}{% for b in [1,2,3] %}{{ loop.cycle('x','y') }}{% endfor %}|{% endfor %}",
 "{% for c in 'héllo' %}[{{ c }}]{% endfor %}",
 "{{ {'a': 1, 'a': 2} }}",
 "{{ none|string }} {{ none|lower }} {{ true|upper }} {{ 1.5|string }}",
 "{{ 2 ** 62 }} {{ -2 ** 63 }}",
 "{% set x = [1, 2] %}{% set y = x %}{{ y is sameas x }}",
 "{{ 'a' is in 'abc' }} {{ 3 is divisibleby(3) }} {{ none is none }}",
 "{{ [3, 1, 2]|sort|join }} {{ 'cba'|sort|join }} {{ {'b': 1, 'a': 2}|sort|join }}",
 "{{ 'hello world'|replace('o', 'O', 1) }} {{ 'a.b.c'.split('.', 1) }} {{ ' x '.strip() ~ '|' }}",
 "{{ '%s' % none }} {{ '%d' % 3.9 }} {{ '%5.1f|' % 2.25 }} {{ '%-6d|' % 42 }} {{ '%+d' % 5 }}",
 "{{ range(3)|list|tojson }} {{ {'x': none}|tojson }} {{ [1.0, 2.5e-5]|tojson }}",
 "{{ 1e100 }} {{ 123456789012345680000.0 }} {{ 1.5e300 * 1e10 }} {{ -1e-10 }} {{ 100.0 }} {{ 1e15 }} {{ 1e16 }} {{ 0.0001 }} {{ 0.00001 }}",
 "{{ (1, 2)|list }} {{ [(1, 2)]|map('list')|list }} {{ (1,) + (2,) }}",
 "{{ 'abc'|center(2) }}|{{ 'abc'|center(8) }}|{{ 'ab'|center(5) }}|",
 "{{ 5 // 0.5 }} {{ -5 % 3 }} {{ 5 % -3 }} {{ -5.5 // 2 }} {{ 2 ** 0.5 }} {{ 1 / 3 * 3 }}",
 "{% for x in [1, 2, 3] %}{{ loop.previtem }}|{{ loop.nextitem }};{% endfor %}",
 # nothing repeated a huge number of times is nothing, at once
 "{{ '' * 1000000000000000 }}|{{ ([] * 1000000000000000)|length }}|{{ (() * 10**15)|length }}|{{ 'ab' * 3 }}|{{ 'x' * -2 }}|{{ [1] * 2 }}",
]
for src in MORE:
    case(src, {**CTX, **TREE, "word": "Hello World"}, files={**LIB, "ctxlib.html": "{% macro show() %}[{{ word|default('no word') }}]{% endmacro %}"})
    txt(src, {**CTX, **TREE}, files={**LIB, "ctxlib.html": "{% macro show() %}[{{ word|default('no word') }}]{% endmacro %}"})

# --------------------------------------------------------------------------
# Whitespace control at random (fixed seed): text, tags with -/+ on either
# side, comments, raw, nested if/for, under random option combinations
# --------------------------------------------------------------------------
def _ws_cases(seed, count):
    import random
    rng = random.Random(seed)
    texts = [" ", "  ", "\t", "\n", "\n\n", " \n", "a", "b c", " x ", "\r\n", "  \n  "]

    def sign():
        return rng.choice(["", "-", "+"])

    def tag(depth):
        k = rng.randrange(7)
        left, right = sign(), sign()
        if k == 0:
            return "{{%s 1 %s}}" % (left.replace("+", ""), right.replace("+", ""))
        if k == 1:
            return "{#%s c %s#}" % (left.replace("+", ""), right.replace("+", ""))
        if k == 2 and depth < 3:
            return "{%%%s if true %s%%}%s{%%%s endif %s%%}" % (left, right, body(depth + 1), sign(), sign())
        if k == 3 and depth < 3:
            return "{%%%s for i in [1,2] %s%%}%s{%%%s endfor %s%%}" % (left, right, body(depth + 1), sign(), sign())
        if k == 4:
            return "{%%%s raw %s%%}%s{{ x }}%s{%%%s endraw %s%%}" % (
                left, right.replace("+", ""), rng.choice(texts), rng.choice(texts), sign(), rng.choice(["", "-"]))
        if k == 5:
            return "{%%%s set x = 1 %s%%}" % (left, right)
        return rng.choice(texts)

    def body(depth):
        return "".join(rng.choice(texts) if rng.random() < 0.5 else tag(depth) for _ in range(rng.randrange(1, 6)))

    for _ in range(count):
        src = body(0)
        opts = {k: True for k in ("trim_blocks", "lstrip_blocks", "keep_trailing_newline") if rng.random() < 0.5}
        txt(src, **opts)


_ws_cases(7, 250)

# --------------------------------------------------------------------------
# A realistic page
# --------------------------------------------------------------------------
PAGE_FILES = {
    "layout.html": "<!doctype html>\n<html>\n<head><title>{% block title %}{% endblock %} - Site</title></head>\n"
                   "<body>\n{% block nav %}<nav>{% for l in links %}<a href=\"{{ l.url }}\">{{ l.text }}</a>{% endfor %}</nav>{% endblock %}\n"
                   "{% block content %}{% endblock %}\n</body>\n</html>\n",
    "forms.html": "{% macro cell(v) %}<td>{{ v }}</td>{% endmacro %}",
}
PAGE = ("{% extends 'layout.html' %}\n{% from 'forms.html' import cell %}\n{% block title %}Orders{% endblock %}\n"
        "{% block content %}\n<table>\n{% for r in rows %}\n<tr class=\"{{ loop.cycle('odd', 'even') }}\">"
        "{{ cell(r.id) }}{{ cell(r.name|title) }}{{ cell('%.2f'|format(r.price)) }}</tr>\n{% endfor %}\n</table>\n"
        "<p>Total: {{ rows|sum(attribute='price')|round(2) }}</p>\n{% endblock %}\n")
LINKS = [{"url": "/a?x=1&y=<2>", "text": "A & B"}, {"url": "/c", "text": "C's"}]
for opts in [{}, {"trim_blocks": True, "lstrip_blocks": True}]:
    case(PAGE, {**CTX, "links": LINKS}, files=PAGE_FILES, **opts)


def make_env(c):
    o = c["options"]
    ae = o.get("autoescape")

    def flask_rule(name):
        return True if name is None else name.endswith((".html", ".htm", ".xml", ".xhtml"))

    return jinja2.Environment(
        loader=jinja2.DictLoader(c["files"]),
        autoescape=flask_rule if ae is None else ae,
        trim_blocks=o.get("trim_blocks", False),
        lstrip_blocks=o.get("lstrip_blocks", False),
        keep_trailing_newline=o.get("keep_trailing_newline", False),
        undefined=jinja2.StrictUndefined if o.get("strict") else jinja2.Undefined,
    )


def expected(c):
    """Jinja2's result for case `c`: {"out": text} or {"error": message, "line": n}."""
    try:
        env = make_env(c)
        return {"out": env.get_template(c["template"]).render(**c["context"])}
    except jinja2.TemplateSyntaxError as e:
        return {"error": str(e), "line": e.lineno}
    except Exception as e:  # runtime errors of any kind are template errors for phial
        return {"error": "%s: %s" % (type(e).__name__, e), "line": None}


def all_cases():
    out = []
    for i, c in enumerate(CASES):
        c = dict(c)
        c["id"] = i
        c["expected"] = expected(c)
        out.append(c)
    return out


if __name__ == "__main__":
    cases = all_cases()
    if len(sys.argv) == 3 and sys.argv[1] == "--dump":
        with open(sys.argv[2], "w") as f:
            json.dump(cases, f, indent=1)
    errs = sum(1 for c in cases if "error" in c["expected"])
    print("%d cases (%d expected errors)" % (len(cases), errs))
