#!/usr/bin/env python3
"""Median throughput of clean trials per primitive and thread count, as a Markdown table.

Usage: scripts/summary-table.py RUNS_CSV [CS_NS[,CS_NS...]] [FAMILY[,FAMILY...]]
Rows: one per (primitive, stripes/read ratio); columns: thread counts (per critical section). Each value is
the point's median over its clean trials as `lockbench points` reports it (the rule is lockbench's: not
degraded, not timed out, on the point's cache layout), in ops/s with k/M suffixes; a trailing * marks a
flagged point (no clean trial: shown as —, or the point ended unstable).
"""
import csv
import io
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

FAMILIES = ["baseline", "spin", "mutex", "atomic", "rwlock", "striped", "classic"]


def si(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f} M"
    if v >= 1e3:
        return f"{v / 1e3:.1f} k"
    return f"{v:.0f}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = subprocess.run(
        ["cargo", "run", "--release", "--quiet", "--", "points", sys.argv[1]],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    cs_values = sorted({int(r["cs_ns"]) for r in rows})
    css = [int(c) for c in sys.argv[2].split(",")] if len(sys.argv) > 2 else cs_values[:1]
    families = sys.argv[3].split(",") if len(sys.argv) > 3 else FAMILIES
    rows = [r for r in rows if int(r["cs_ns"]) in css and r["think_ns"] == "0"
            and r["family"] in families]
    threads = sorted({int(r["threads"]) for r in rows})
    points = {}
    for r in rows:
        extra = ""
        if r["stripes"]:
            noun = ("accounts" if r["primitive"].startswith("bank")
                    else "permits" if "semaphore" in r["primitive"] else "stripes")
            extra = f" ({r['stripes']} {noun})"
        if r["read_ratio"]:
            extra += f" ({float(r['read_ratio']):.0%} reads)"
        if r["key_skew"] and float(r["key_skew"]) > 0:
            extra += f" (skew {r['key_skew']})"
        # A point is all of its axes: placements and layouts other than the default get rows.
        if r.get("placement", "compact") not in ("", "compact"):
            extra += f" [{r['placement']}]"
        if r.get("layout", "") not in ("", "separate"):
            extra += f" [{r['layout']}]"
        points[(r["family"], r["primitive"] + extra, int(r["cs_ns"]), int(r["threads"]))] = r

    names = sorted({(f, n) for (f, n, _, _) in points}, key=lambda x: (FAMILIES.index(x[0]), x[1]))
    cols = [(c, t) for c in css for t in threads]
    label = lambda c: f"{c / 1000:g} µs" if c >= 1000 else f"{c} ns"
    print(f"| family | primitive | " + " | ".join(f"{label(c)}, {t} thr" for c, t in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for fam, name in names:
        cells = []
        for c, t in cols:
            p = points.get((fam, name, c, t))
            if p is None:
                cells.append("")
                continue
            value = si(float(p["throughput_ops_s"])) if p["throughput_ops_s"] else "—"
            cells.append(value + (" *" if p["flag"] else ""))
        print(f"| {fam} | `{name}` | " + " | ".join(cells) + " |")
    print(f"\n{len(rows)} points; * = flagged (no clean trial, or unstable).")


if __name__ == "__main__":
    main()
