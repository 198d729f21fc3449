#!/usr/bin/env python3
"""Median throughput of clean trials per primitive and thread count, as a Markdown table.

Usage: scripts/summary-table.py RUNS_CSV [CS_NS[,CS_NS...]] [FAMILY[,FAMILY...]]
Rows: one per (primitive, stripes/read ratio); columns: thread counts (per critical section). Clean = not degraded,
not timed out, on the point's cache layout (scripts/lockbench_rows.py). Values in ops/s with k/M suffixes; a trailing * marks a flagged point (no clean
trial, or the point ended unstable). Used to build the README's tables from committed runs.
"""
import csv
import statistics
import sys
from collections import defaultdict

from lockbench_rows import clean as clean_rows, flagged as is_flagged

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
    rows = list(csv.DictReader(open(sys.argv[1])))
    cs_values = sorted({int(r["cs_ns"]) for r in rows})
    css = [int(c) for c in sys.argv[2].split(",")] if len(sys.argv) > 2 else cs_values[:1]
    families = sys.argv[3].split(",") if len(sys.argv) > 3 else FAMILIES
    rows = [r for r in rows if int(r["cs_ns"]) in css and r["think_ns"] == "0"
            and r["family"] in families]
    threads = sorted({int(r["threads"]) for r in rows})
    points = defaultdict(list)
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
        points[(r["family"], r["primitive"] + extra, int(r["cs_ns"]), int(r["threads"]))].append(r)

    names = sorted({(f, n) for (f, n, _, _) in points}, key=lambda x: (FAMILIES.index(x[0]), x[1]))
    cols = [(c, t) for c in css for t in threads]
    label = lambda c: f"{c / 1000:g} µs" if c >= 1000 else f"{c} ns"
    print(f"| family | primitive | " + " | ".join(f"{label(c)}, {t} thr" for c, t in cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    for fam, name in names:
        cells = []
        for c, t in cols:
            trials = points.get((fam, name, c, t), [])
            clean = [float(r["throughput_ops_s"]) for r in clean_rows(trials)]
            if not trials:
                cells.append("")
                continue
            flagged = is_flagged(trials)
            value = statistics.median(clean or [float(r["throughput_ops_s"]) for r in trials])
            cells.append(si(value) + (" *" if flagged else ""))
        print(f"| {fam} | `{name}` | " + " | ".join(cells) + " |")
    print(f"\n{len(rows)} rows; * = flagged (no clean trial, or unstable).")


if __name__ == "__main__":
    main()
