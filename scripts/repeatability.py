#!/usr/bin/env python3
"""Repeatability of two runs of one build: do unflagged points agree, and how many are flagged?

Usage: scripts/repeatability.py RUN_A RUN_B [TOLERANCE]   (run directories; tolerance 0.10)

A point is everything but the trial (as lockbench matches them). Its value is the median
throughput of its clean trials (not degraded, not timed out); it is flagged when it has no
clean trial or its last row says stable=false (lockbench's own verdict). Prints Markdown: the
share of points flagged in each run, and of the points unflagged in both, the share whose
medians lie within TOLERANCE of each other (|b/a - 1| <= tolerance), then the points outside.
"""
import csv
import statistics
import sys
from collections import defaultdict

KEY = ["primitive", "threads", "cs_ns", "think_ns", "read_ratio", "stripes", "key_skew", "placement", "layout"]


def points(run_dir):
    rows = list(csv.DictReader(open(f"{run_dir}/runs.csv")))
    grouped = defaultdict(list)
    for r in rows:
        grouped[tuple(r.get(k, "") for k in KEY)].append(r)
    out = {}
    for key, trials in grouped.items():
        clean = [float(r["throughput_ops_s"]) for r in trials
                 if r["degraded"] == "false" and r["timed_out"] == "false"]
        flagged = not clean or trials[-1]["stable"] != "true"
        out[key] = (statistics.median(clean) if clean else None, flagged)
    return out


def describe(key):
    p = dict(zip(KEY, key))
    s = f"{p['primitive']} ×{p['threads']} cs={p['cs_ns']} ns"
    for k in ("read_ratio", "stripes", "key_skew"):
        if p[k]:
            s += f" {k}={p[k]}"
    return s


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    a, b = points(sys.argv[1]), points(sys.argv[2])
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 0.10
    common = [k for k in a if k in b]
    flag_a = sum(1 for k in a if a[k][1])
    flag_b = sum(1 for k in b if b[k][1])
    both = [k for k in common if not a[k][1] and not b[k][1]]
    ratio = {k: b[k][0] / a[k][0] for k in both}
    within = [k for k in both if abs(ratio[k] - 1) <= tol]
    print(f"# Repeatability: {sys.argv[1]} vs {sys.argv[2]}\n")
    print("| figure | value |\n|---|---|")
    print(f"| points in A / B / both | {len(a)} / {len(b)} / {len(common)} |")
    print(f"| flagged in A | {flag_a} ({100 * flag_a / len(a):.1f}%) |")
    print(f"| flagged in B | {flag_b} ({100 * flag_b / len(b):.1f}%) |")
    print(f"| unflagged in both | {len(both)} |")
    print(f"| of those, medians within {tol:.0%} | {len(within)} ({100 * len(within) / max(len(both), 1):.1f}%) |")
    if both:
        dev = sorted(abs(r - 1) for r in ratio.values())
        print(f"| median / p90 / max deviation | {100 * dev[len(dev) // 2]:.1f}% / "
              f"{100 * dev[int(0.9 * (len(dev) - 1))]:.1f}% / {100 * dev[-1]:.1f}% |")
    outside = sorted((k for k in both if k not in within), key=lambda k: -abs(ratio[k] - 1))
    if outside:
        print(f"\n## Unflagged in both, outside {tol:.0%}\n")
        print("| point | A ops/s | B ops/s | B / A |\n|---|---|---|---|")
        for k in outside:
            print(f"| {describe(k)} | {a[k][0]:.4g} | {b[k][0]:.4g} | {ratio[k]:.2f} |")


if __name__ == "__main__":
    main()
