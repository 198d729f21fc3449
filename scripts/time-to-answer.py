#!/usr/bin/env python3
"""Time to answer: N sweeps of one preset back to back, each timed as a user sees it.

Usage: scripts/time-to-answer.py OUT_DIR [--preset quick|standard] [--sweeps N]

For each sweep: the estimate `--dry-run` announces and the one the sweep itself prints, the
wall clock of the process (build excluded: run `cargo build --release` first), the duty cycle
and where the rest went (meta.json's `time_use`, written by the sweep), the share of points
flagged, and the progress line's ETA against the truth: at 10%, 25%, 50% and 75% of the runs,
the total it implied (elapsed + ETA) ÷ the actual wall. Consecutive sweeps are compared with
scripts/repeatability.py (medians of points unflagged in both within 10%). Writes
OUT_DIR/summary.md, and per sweep its meta.json, `lockbench points` table and timed log (gzip), and
the first sweep's mutex throughput-vs-threads chart; the bulky runs.csv and histograms.csv are
deleted once read.
"""
import argparse
import gzip
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
LB = ROOT / "target" / "release" / "lockbench"
CHART = "throughput-vs-threads-mutex.png"


def secs(text):
    """'45 s', '3.2 min', '1.5 h' → seconds."""
    m = re.match(r"([\d.]+) (s|min|h)", text)
    if not m:
        return None
    return float(m.group(1)) * {"s": 1, "min": 60, "h": 3600}[m.group(2)]


def sweep(preset, out, log_path):
    """Runs one sweep, each stderr line stamped with the seconds since the start."""
    start = time.monotonic()
    lines = []
    with subprocess.Popen(
        [str(LB), "sweep", "--preset", preset, "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    ) as p:
        for line in p.stderr:
            lines.append((time.monotonic() - start, line.rstrip("\n")))
    wall = time.monotonic() - start
    if p.returncode != 0:
        sys.exit(f"sweep into {out} failed (exit {p.returncode}); log in {log_path}")
    with gzip.open(log_path, "wt") as f:
        f.write("".join(f"{t:8.3f} {l}\n" for t, l in lines))
    return wall, lines


def eta_errors(lines, wall):
    """At each fraction of the runs: (elapsed + ETA) ÷ actual wall."""
    progress = []
    for t, line in lines:
        m = re.match(r"\[\s*(\d+)/(\d+)\].*\(ETA (\d+) s\)$", line)
        if m:
            progress.append((t, int(m.group(1)), int(m.group(3))))
    if not progress:
        return {}
    runs = progress[-1][1]
    out = {}
    for frac in (0.10, 0.25, 0.50, 0.75):
        t, _, eta = next(p for p in progress if p[1] >= frac * runs)
        out[frac] = (t + eta) / wall
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--preset", default="quick")
    ap.add_argument("--sweeps", type=int, default=3)
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    names = [chr(ord("a") + i) for i in range(args.sweeps)]
    for name in names:
        dry = subprocess.run([str(LB), "sweep", "--preset", args.preset, "--dry-run"],
                             check=True, capture_output=True, text=True, cwd=ROOT).stdout
        dry_s = secs(re.search(r"estimated ([\d.]+ (?:s|min|h))", dry).group(1))
        run = out / name
        print(f"sweep {name} of {len(names)} into {run}", file=sys.stderr)
        wall, lines = sweep(args.preset, run, out / f"{name}.log.gz")
        announced = next((secs(m.group(1)) for _, l in lines
                          if (m := re.search(r"estimated ([\d.]+ (?:s|min|h))", l))), None)
        summary = next((l for _, l in lines if l.startswith("summary:")), "")
        m = re.search(r"(\d+) point\(s\), (\d+) trial\(s\); (\d+) point\(s\) flagged", summary)
        if not m:
            sys.exit(f"sweep {name}: no summary line in its log")
        points, trials, flagged = (int(m.group(i)) for i in (1, 2, 3))
        meta = json.loads((run / "meta.json").read_text())
        tu = meta["time_use"]
        pts = subprocess.run([str(LB), "points", str(run)], check=True,
                             capture_output=True, text=True, cwd=ROOT).stdout
        (run / "points.csv").write_text(pts)
        rows.append(dict(name=name, wall=wall, build=meta["host"]["git_sha"], dry=dry_s, announced=announced, points=points,
                         trials=trials, flagged=flagged, tu=tu, eta=eta_errors(lines, wall)))
    pairs = []
    for a, b in zip(names, names[1:]):
        text = subprocess.run([sys.executable, str(ROOT / "scripts" / "repeatability.py"),
                               str(out / a), str(out / b)],
                              check=True, capture_output=True, text=True, cwd=ROOT).stdout
        (out / f"repeatability-{a}{b}.md").write_text(text)
        within = re.search(r"medians within 10% \| (\d+) \(([\d.]+)%\)", text)
        both = re.search(r"unflagged in both \| (\d+)", text)
        pairs.append((a, b, within.group(1), both.group(1), within.group(2)))
    # The first sweep's throughput-vs-threads chart of the mutexes (the README shows it).
    with tempfile.TemporaryDirectory() as charts:
        subprocess.run([str(LB), "plot", str(out / names[0]), "--out", charts], check=True,
                       capture_output=True, cwd=ROOT)
        shutil.copy(pathlib.Path(charts) / CHART, out / names[0] / CHART)
    for name in names:
        for f in ("runs.csv", "histograms.csv"):
            (out / name / f).unlink(missing_ok=True)

    md = [f"# Time to answer: {len(names)} `sweep --preset {args.preset}` back to back", "",
          f"Build: `{', '.join(sorted({r['build'] for r in rows}))}` (meta.json). "
          "Wall is the process's, build excluded; duty = (throughput + latency windows) ÷ wall "
          "(meta.json `time_use`); ETA columns: (elapsed + the progress line's ETA) ÷ actual wall "
          "at that share of the runs.", "",
          "| sweep | wall | dry-run estimate ÷ wall | announced ÷ wall (the same model) | duty | throughput / latency windows | warm-up | sentinel (reused) | calibration | threads and rows | retries + pauses | setup | points flagged | trials | ETA at 10% / 25% / 50% / 75% |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        tu = r["tu"]
        eta = " / ".join(f"×{r['eta'][f]:.2f}" for f in sorted(r["eta"]))
        md.append(
            f"| {r['name']} | {r['wall']:.0f} s | ×{r['dry'] / r['wall']:.2f} | ×{r['announced'] / r['wall']:.2f} "
            f"| {(tu['measured_s'] + tu['latency_s']) / tu['wall_s']:.2f} "
            f"| {tu['measured_s']:.0f} s / {tu['latency_s']:.0f} s | {tu['warmup_s']:.1f} s "
            f"| {tu['sentinel_s']:.1f} s ({tu['sentinel_reused']}) | {tu['calibration_s']:.1f} s ({tu['calibrations']}) "
            f"| {tu['trial_rest_s']:.1f} s | {tu['retries_s'] + tu['pauses_s']:.1f} s | {tu['setup_s']:.1f} s "
            f"| {r['flagged']} of {r['points']} ({100 * r['flagged'] / max(r['points'], 1):.1f}%) | {r['trials']} | {eta} |")
    if pairs:
        md += ["", "| pair | points unflagged in both, medians within 10% |", "|---|---|"]
        for a, b, within, both, pct in pairs:
            md.append(f"| {a}–{b} | {within} of {both} ({pct}%) |")
    (out / "summary.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
