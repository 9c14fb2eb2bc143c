#!/usr/bin/python3
"""The benchmark table's report: reads the rows bench.sh measured and prints
the table (each peer's ratio to phial beside it) and the aims of issue #7,
met or missed; writes table.csv, table.json, bench-table.md and
bench-chart.png (gnuplot) into RESULTS_DIR.

    report.py ROWS META RESULTS_DIR

ROWS: one line per run, "server endpoint conns seconds requests req/s p50_ms
p99_ms errors cpu_s rss_kb". META: "key value..." lines.
"""
import csv
import json
import os
import subprocess
import sys

rows_file, meta_file, out_dir = sys.argv[1:4]

FIELDS = ["server", "endpoint", "conns", "seconds", "requests", "rps", "p50_ms", "p99_ms",
          "errors", "cpu_s", "rss_kb", "steady_rps"]
rows = []
for line in open(rows_file):
    parts = line.split()
    if len(parts) != len(FIELDS):
        continue
    r = dict(zip(FIELDS, parts))
    for k in ("conns", "requests", "errors", "rss_kb"):
        r[k] = int(float(r[k]))
    for k in ("seconds", "rps", "p50_ms", "p99_ms", "cpu_s", "steady_rps"):
        r[k] = float(r[k])
    # The rate compared: the steady one where measured (/sleep), else wrk's.
    r["rate"] = r["steady_rps"] if r["steady_rps"] > 0 else r["rps"]
    r["cpu_pct"] = 100.0 * r["cpu_s"] / r["seconds"] if r["seconds"] else 0.0
    r["us_per_req"] = r["cpu_s"] * 1e6 / r["requests"] if r["requests"] else None
    r["req_per_cpu_s"] = r["requests"] / r["cpu_s"] if r["cpu_s"] else None
    rows.append(r)

meta = {"versions": {}, "pages": {}}
for line in open(meta_file):
    key, _, rest = line.strip().partition(" ")
    if key == "version":
        name, _, ver = rest.partition(" ")
        meta["versions"][name] = ver
    elif key == "page":
        name, digest, size = rest.split()
        meta["pages"][name] = {"md5": digest, "bytes": int(size)}
    else:
        meta[key] = rest

phial = {r["endpoint"]: r for r in rows if r["server"] == "phial"}
for r in rows:
    p = phial.get(r["endpoint"]) if not r["server"].endswith("-10k") else None
    r["phial_x_rps"] = p["rate"] / r["rate"] if p and r["rate"] else None
    r["phial_x_cpu"] = (p["req_per_cpu_s"] / r["req_per_cpu_s"]
                        if p and p["req_per_cpu_s"] and r["req_per_cpu_s"] else None)


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def ratio(v):
    return "" if v is None else ("%.2fx" % v if v < 10 else "%.0fx" % v)


ENDPOINTS = ["/plaintext", "/json", "/template", "/sleep"]
HEAD = ["server", "req/s", "steady req/s", "p50 ms", "p99 ms", "errors", "CPU %", "CPU us/req",
        "req/CPU-s", "phial x req/s", "phial x req/CPU-s"]


def head(steady):
    return HEAD if steady else HEAD[:2] + HEAD[3:]


def cells(r, steady=True):
    c = cells_all(r)
    return c if steady else c[:2] + c[3:]


def cells_all(r):
    return [r["server"], "%.0f" % r["rps"],
            "%.0f" % r["steady_rps"] if r["steady_rps"] > 0 else "", "%.2f" % r["p50_ms"], "%.2f" % r["p99_ms"],
            str(r["errors"]), "%.0f" % r["cpu_pct"], fmt(r["us_per_req"], ".1f"),
            fmt(r["req_per_cpu_s"], ",.0f"),
            "" if r["server"] == "phial" else ratio(r["phial_x_rps"]),
            "" if r["server"] == "phial" else ratio(r["phial_x_cpu"])]


# ---- aims (issue #7) ------------------------------------------------------
def find(server, ep):
    for r in rows:
        if r["server"] == server and r["endpoint"] == ep:
            return r
    return None


aims = []


def aim(text, ok, got):
    aims.append({"aim": text, "met": ok, "measured": got})


for ep in ("/plaintext", "/json", "/template", "/sleep"):
    for peer in ("kore", "ulfius"):
        p, q = find("phial", ep), find(peer, ep)
        if p and q and p["req_per_cpu_s"] and q["req_per_cpu_s"]:
            x = p["req_per_cpu_s"] / q["req_per_cpu_s"]
            aim("%s: ahead of %s per server CPU-second" % (ep, peer.capitalize()), x > 1,
                "%.2fx" % x)
for ep, limit in (("/plaintext", 8), ("/json", 8), ("/template", 15)):
    p = find("phial", ep)
    if p and p["us_per_req"] is not None:
        aim("%s: under %d us of server CPU per request" % (ep, limit), p["us_per_req"] < limit,
            "%.2f us" % p["us_per_req"])
for ep, want in (("/plaintext", 15), ("/json", 15), ("/template", 30)):
    for peer in ("flask", "quart"):
        p, q = find("phial", ep), find(peer, ep)
        if p and q and p["req_per_cpu_s"] and q["req_per_cpu_s"]:
            x = p["req_per_cpu_s"] / q["req_per_cpu_s"]
            aim("%s: >= %dx %s per server CPU-second" % (ep, want, peer.capitalize()), x >= want,
                "%.1fx" % x)
p = find("phial", "/sleep")
if p:
    aim("/sleep: >= 98% of the ideal 10,000 req/s (1,000 connections)",
        p["rate"] >= 9800 and p["errors"] == 0,
        "%.0f req/s steady (%.0f over the whole run), %d errors"
        % (p["rate"], p["rps"], p["errors"]))
    aim("/sleep: p99 under 110 ms", p["p99_ms"] < 110, "%.1f ms" % p["p99_ms"])
p = find("phial-10k", "/sleep")
if p:
    peak = int(meta.get("rss10k_peak_kb", 0))
    idle = int(meta.get("rss10k_idle_kb", 0))
    aim("10,000 connections awaiting 1 s: >= 9,500 req/s",
        p["rate"] >= 9500 and p["errors"] == 0,
        "%.0f req/s steady (%.0f over the whole run), %d errors, p99 %.0f ms, "
        "worker RSS %.1f MiB peak (%.1f idle)"
        % (p["rate"], p["rps"], p["errors"], p["p99_ms"], peak / 1024, idle / 1024))

# ---- print ----------------------------------------------------------------
print()
print("Benchmark table: %s s per run; load %s at start, %s at end; phial %s"
      % (meta.get("seconds", "?"), meta.get("loadavg_start", "?"), meta.get("loadavg_end", "?"),
         meta.get("phial_rev", "?")))
WIDTHS = [14, 9, 13, 9, 9, 7, 7, 11, 11, 14, 18]
for ep in ENDPOINTS + ["10k"]:
    group = [r for r in rows if r["endpoint"] == ep and not r["server"].endswith("-10k")]
    if ep == "10k":
        group = [r for r in rows if r["server"].endswith("-10k")]
    if not group:
        continue
    title = ep if ep != "10k" else "/sleep (1 s), 10,000 connections"
    print("\n%s (%d connections)" % (title, group[0]["conns"]) if ep != "10k" else "\n" + title)
    steady = ep in ("/sleep", "10k")
    widths = WIDTHS if steady else WIDTHS[:2] + WIDTHS[3:]
    print("".join(h.rjust(w) if i else h.ljust(w)
                  for i, (h, w) in enumerate(zip(head(steady), widths))))
    for r in group:
        c = cells(r, steady)
        print("".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(c, widths))))
print("\n(CPU: the server worker's user+system time, all threads; 'phial x': phial's figure "
      "divided by the peer's)")
pages = meta["pages"]
if pages:
    digests = {v["md5"] for v in pages.values()}
    print("/template pages: %s" % ("identical across %d servers (%d bytes)"
                                   % (len(pages), next(iter(pages.values()))["bytes"])
                                   if len(digests) == 1 else
                                   "DIFFERENT: " + ", ".join("%s %s" % (k, v["md5"][:8])
                                                            for k, v in pages.items())))
print("\nAims (issue #7):")
for a in aims:
    print("  [%s] %s: %s" % ("met " if a["met"] else "MISS", a["aim"], a["measured"]))

# ---- files ----------------------------------------------------------------
os.makedirs(out_dir, exist_ok=True)
cols = FIELDS + ["rate", "cpu_pct", "us_per_req", "req_per_cpu_s", "phial_x_rps", "phial_x_cpu"]
with open(os.path.join(out_dir, "table.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r[c] is None else (round(r[c], 4) if isinstance(r[c], float) else r[c])
                    for c in cols])
with open(os.path.join(out_dir, "table.json"), "w") as f:
    json.dump({"meta": meta, "rows": rows, "aims": aims}, f, indent=1)

md = ["<!-- Generated by bench/table/bench.sh (report.py); do not edit by hand. -->", "",
      "Measured %s on %s; load average %s at start, %s at end; %s s per run; phial %s."
      % (meta.get("started", "?"), meta.get("cpu", "?"), meta.get("loadavg_start", "?"),
         meta.get("loadavg_end", "?"), meta.get("seconds", "?"), meta.get("phial_rev", "?")), ""]
for ep in ENDPOINTS:
    group = [r for r in rows if r["endpoint"] == ep and not r["server"].endswith("-10k")]
    if not group:
        continue
    steady = ep == "/sleep"
    md += ["### %s (%d connections)" % (ep, group[0]["conns"]), "",
           "| " + " | ".join(head(steady)) + " |", "|" + "---|" * len(head(steady))]
    md += ["| " + " | ".join(cells(r, steady)) + " |" for r in group]
    md.append("")
p = find("phial-10k", "/sleep")
if p:
    md += ["### /sleep (1 s), 10,000 connections", "",
           "| server | req/s | steady req/s | p50 ms | p99 ms | errors | CPU % | worker RSS idle "
           "| worker RSS peak |",
           "|---|---|---|---|---|---|---|---|---|",
           "| phial | %.0f | %.0f | %.0f | %.0f | %d | %.0f | %.1f MiB | %.1f MiB |"
           % (p["rps"], p["steady_rps"], p["p50_ms"], p["p99_ms"], p["errors"], p["cpu_pct"],
              int(meta.get("rss10k_idle_kb", 0)) / 1024, int(meta.get("rss10k_peak_kb", 0)) / 1024),
           ""]
md += ["### Aims", ""]
md += ["- %s %s: %s" % ("met:" if a["met"] else "**missed:**", a["aim"], a["measured"])
       for a in aims]
md.append("")
with open(os.path.join(out_dir, "bench-table.md"), "w") as f:
    f.write("\n".join(md))

# ---- chart ----------------------------------------------------------------
servers = []
for r in rows:
    if r["server"] not in servers and not r["server"].endswith("-10k"):
        servers.append(r["server"])
cpu_eps = ["/plaintext", "/json", "/template"]
cpu_servers = [s for s in servers
               if any(find(s, ep) and find(s, ep)["req_per_cpu_s"] for ep in cpu_eps)]
dat = os.path.join(out_dir, "chart-cpu.dat")
with open(dat, "w") as f:
    f.write("endpoint " + " ".join(cpu_servers) + "\n")
    for ep in cpu_eps:
        vals = []
        for s in cpu_servers:
            r = find(s, ep)
            vals.append("%.0f" % r["req_per_cpu_s"] if r and r["req_per_cpu_s"] else "NaN")
        f.write(ep + " " + " ".join(vals) + "\n")
sleep_dat = os.path.join(out_dir, "chart-sleep.dat")
with open(sleep_dat, "w") as f:
    for s in servers:
        r = find(s, "/sleep")
        if r:
            f.write("%s %.0f\n" % (s, r["rate"]))
png = os.path.join(out_dir, "bench-chart.png")
gp = """
set terminal pngcairo size 1200,520 font "sans,10"
set output '%(png)s'
set multiplot layout 1,2 title "phial and its peers: one worker on one core (load %(load)s)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right font ",9"
set logscale y
set yrange [50:5e6]
set format y "%%.0s%%c"
set ylabel "requests per second of server CPU (log)"
set title "/plaintext, /json, /template (64 connections)"
plot for [i=2:%(ncol)d] '%(dat)s' using i:xtic(1) title columnheader(i)
unset logscale y
set format y "%%g"
set ylabel "requests per second"
set title "/sleep: 100 ms each, 1,000 connections: steady req/s (ideal 10,000)"
set style histogram rowstacked
set boxwidth 0.6
set xtics rotate by -30
set yrange [0:11000]
unset key
plot '%(sdat)s' using 2:xtic(1) lc rgb "#4477aa" notitle, 10000 with lines dt 2 lc rgb "red" notitle
unset multiplot
""" % {"png": png, "load": meta.get("loadavg_start", "?"), "ncol": len(cpu_servers) + 1,
       "dat": dat, "sdat": sleep_dat}
with open(os.path.join(out_dir, "chart.gp"), "w") as f:
    f.write(gp)
try:
    subprocess.run(["gnuplot", os.path.join(out_dir, "chart.gp")], check=True)
    print("\nwrote %s/{table.csv,table.json,bench-table.md,bench-chart.png}" % out_dir)
except (OSError, subprocess.CalledProcessError) as e:
    print("\nwrote %s/{table.csv,table.json,bench-table.md}; no chart (%s)" % (out_dir, e))
