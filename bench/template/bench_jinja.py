#!/usr/bin/python3
"""Jinja2 side of the template benchmark: the same page, set up as Flask sets
Jinja2 up (autoescape for .html, FileSystemLoader with the cache), rendered
for SECONDS of CPU time. Prints "jinja2 <renders/s> renders/s <us> us/render"
and writes the output to OUT so the two can be compared byte for byte.

    bench_jinja.py PAGE_DIR CONTEXT.json SECONDS OUT.html [TEMPLATE]
"""
import json
import sys
import time

import jinja2

page_dir, ctx_file, seconds, out_file = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
page = sys.argv[5] if len(sys.argv) > 5 else "orders.html"
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(page_dir),
    autoescape=lambda name: name is None or name.endswith((".html", ".htm", ".xml", ".xhtml")),
)
ctx = json.load(open(ctx_file))
out = env.get_template(page).render(**ctx)
with open(out_file, "w") as f:
    f.write(out)
n = 0
start = time.process_time()
now = start
while now - start < seconds:
    for _ in range(10):
        env.get_template(page).render(**ctx)
    n += 10
    now = time.process_time()
per = (now - start) / n
print("jinja2 %.0f renders/s %.2f us/render" % (1 / per, per * 1e6))
