#!/usr/bin/env python3
"""Repeatability of two runs of one build: do unflagged points agree, and how many are flagged?

Usage: scripts/repeatability.py RUN_A RUN_B [TOLERANCE]   (run directories; tolerance 0.10)

A point is everything but the trial (as lockbench matches them). Its value is the median
throughput of its clean trials (not degraded, not timed out, on the point's cache layout);
it is flagged when it has no clean trial or its last row says stable=false (lockbench's own
verdict). Both come from `lockbench points`, so the rules are lockbench's. Prints Markdown: the
share of points flagged in each run, and of the points unflagged in both, the share whose
medians lie within TOLERANCE of each other (|b/a - 1| <= tolerance), then the points outside.
"""
import csv
import io
import pathlib
import subprocess
import sys
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent



def lockbench(*args):
    return subprocess.run(
        [str(ROOT / "target" / "release" / "lockbench"), *args],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout


def one_layout(a_ns, b_ns):
    """Whether two points' cache layouts are one by lockbench's rule (`lockbench layout`);
    two more than its factor apart are different machines (`compare` marks the pair `L`)."""
    return all(v == "on" for v in lockbench("layout", f"{a_ns},{a_ns}", f"{b_ns},{b_ns}").split()[1:])


AXES, KEY = [], []


def level(ns):
    """Core-to-core distance classes: SMT siblings (< 18 ns), near (< 60 ns), far."""
    return "smt" if ns < 18 else ("near" if ns < 60 else "far")


def lockbench_points(run_dir):
    """`lockbench points RUN_DIR`: one row per point, by lockbench's own rules."""
    return list(csv.DictReader(io.StringIO(lockbench("points", str(run_dir)))))


def points(run_dir):
    rows = list(csv.DictReader(open(f"{run_dir}/runs.csv")))
    grouped = defaultdict(list)
    for r in rows:
        grouped[tuple(r.get(k, "") for k in KEY)].append(r)
    out = {}
    for p in lockbench_points(run_dir):
        key = tuple(p.get(k, "") for k in KEY)
        trials = grouped.get(key, [])
        levels = {level(float(r["core_to_core_ns"])) for r in trials if r.get("core_to_core_ns")}
        median = float(p["throughput_ops_s"]) if p["throughput_ops_s"] else None
        layout = float(p["cache_layout_ns"]) if p["cache_layout_ns"] else None
        out[key] = (median, bool(p["flag"]), levels, layout, int(p["dropped_layout"]))
    return out, rows


def describe(key):
    p = dict(zip(KEY, key))
    s = f"{p['primitive']} ×{p['threads']} cs={p['cs_ns']} ns"
    for k in AXES:
        if k not in ("threads", "cs_ns", "think_ns", "placement") and p[k]:
            s += f" {k}={p[k]}"
    return s


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    # A point is its primitive, its place on every axis (lockbench's own table) and its layout.
    AXES[:] = [a["column"] for a in csv.DictReader(io.StringIO(lockbench("axes", "--format", "csv")))]
    KEY[:] = ["primitive", *AXES, "layout"]
    (a, rows_a), (b, rows_b) = points(sys.argv[1]), points(sys.argv[2])
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
    # Points whose two runs saw cache layouts more than x1.5 apart compare layouts, not noise
    # (lockbench compare marks them L and never tests them).
    apart = [k for k in both if a[k][3] and b[k][3] and not one_layout(a[k][3], b[k][3])]
    same = [k for k in both if k not in apart]
    same_within = [k for k in same if abs(ratio[k] - 1) <= tol]
    apart_within = [k for k in apart if abs(ratio[k] - 1) <= tol]
    print(f"| of those, on the same cache layout in both runs: medians within {tol:.0%} | "
          f"{len(same_within)} of {len(same)} ({100 * len(same_within) / max(len(same), 1):.1f}%) |")
    print(f"| of those, on layouts lockbench calls apart (compare's `L`): within {tol:.0%} | "
          f"{len(apart_within)} of {len(apart)} |")
    if same:
        # The margin a call between two figures of this machine should need (lockbench's
        # `--delta`): what 9 in 10 points unflagged and on one layout move between sittings.
        dev = sorted(abs(ratio[k] - 1) for k in same)
        print(f"| this machine's margin (p90 deviation on one layout: `compare --delta`) | "
              f"{dev[int(0.9 * (len(dev) - 1))]:.3f} |")
    either = [k for k in common if (a[k][1] or b[k][1]) and a[k][0] and b[k][0]]
    either_within = [k for k in either if abs(b[k][0] / a[k][0] - 1) <= tol]
    if either:
        print(f"| flagged in either, medians within {tol:.0%} (for contrast) | "
              f"{len(either_within)} of {len(either)} ({100 * len(either_within) / len(either):.1f}%) |")
    for name, pts, rows in (("A", a, rows_a), ("B", b, rows_b)):
        c2c = [float(r["core_to_core_ns"]) for r in rows if r.get("core_to_core_ns")]
        if not c2c:
            continue
        counts = defaultdict(int)
        for v in c2c:
            counts[level(v)] += 1
        spans = {lv: (min(v for v in c2c if level(v) == lv), max(v for v in c2c if level(v) == lv))
                 for lv in counts}
        desc = ", ".join(f"{lv} {counts[lv]} ({spans[lv][0]:.1f}–{spans[lv][1]:.1f} ns)"
                         for lv in ("smt", "near", "far") if lv in counts)
        print(f"| {name}: core-to-core after each trial | {desc} |")
        multi = [k for k in pts if k[1] != "1" and len(pts[k][2]) > 1]
        single = [k for k in pts if k[1] != "1" and len(pts[k][2]) == 1]
        fl = lambda ks: sum(1 for k in ks if pts[k][1])
        print(f"| {name}: contended points flagged, trials at more than one distance / at one | "
              f"{fl(multi)} of {len(multi)} ({100 * fl(multi) / max(len(multi), 1):.0f}%) / "
              f"{fl(single)} of {len(single)} ({100 * fl(single) / max(len(single), 1):.0f}%) |")
    for name, pts, rows in (("A", a, rows_a), ("B", b, rows_b)):
        signals = defaultdict(int)
        for r in rows:
            for s in filter(None, r.get("degraded_by", "").split(";")):
                signals[s] += 1
        kept = sum(1 for r in rows if r["degraded"] == "true")
        moved = sum(p[4] for p in pts.values())
        print(f"| {name}: trials / left out for another cache layout than their point's (degraded ones counted as degraded) | {len(rows)} / {moved} |")
        print(f"| {name}: trials kept degraded (by signal) | {kept}"
              + (f" ({', '.join(f'{s} {n}' for s, n in sorted(signals.items()))})" if signals else "") + " |")
        by_threads = defaultdict(lambda: [0, 0])
        for k in pts:
            by_threads[(k[1], k[2])][0] += pts[k][1]
            by_threads[(k[1], k[2])][1] += 1
        print(f"| {name}: flagged by threads, cs | " + ", ".join(
            f"×{t} cs={cs}: {f}/{n}" for (t, cs), (f, n) in sorted(by_threads.items(), key=lambda x: (int(x[0][0]), int(x[0][1])))) + " |")
    outside = sorted((k for k in both if k not in within), key=lambda k: -abs(ratio[k] - 1))
    if outside:
        print(f"\n## Unflagged in both, outside {tol:.0%}\n")
        print("| point | A ops/s | B ops/s | B / A |\n|---|---|---|---|")
        for k in outside:
            print(f"| {describe(k)} | {a[k][0]:.4g} | {b[k][0]:.4g} | {ratio[k]:.2f} |")


if __name__ == "__main__":
    main()
