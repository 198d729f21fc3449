#!/usr/bin/env bash
# Does the default configuration's latency sampling change throughput? Every exclusive
# primitive and counter at 1, 2 and 4 threads, cs 0 and 100 ns: a trial with the default
# sampling and one with `--sample 0` (nothing timed), back to back in one process
# (`examples/sampling_cost.rs`: same calibration, same code placement, each trial guarded by
# the sentinel, the order alternating, the untimed trial warmed up as long as the default
# one's warm-up and latency window together), REPS times (default 5). Pairs of separate `lockbench run` processes differed
# by up to ±20% at 1 thread from process to process, which hid the effect measured here.
# Writes results/<host>/sampling-cost/<UTC time>/: pairs.csv (one line per trial) and
# summary.txt (per point the median over pairs of default ÷ sample 0; how far the ratio of two
# locks at one setting moves between the configurations). Degraded trials and pairs whose two
# trials saw cache distances more than x1.5 apart are left out, and counted.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# `scripts/sampling-cost.sh --summarise DIR` rewrites DIR/summary.txt from DIR/pairs.csv.
reps=${REPS:-5}
cargo build --release --quiet
bin=./target/release/lockbench
if [ "${1:-}" = --summarise ]; then
  out=${2:?usage: scripts/sampling-cost.sh --summarise DIR}
  pairs="$out/pairs.csv"
  reps=$(python3 -c "import csv,sys; print(max(int(r['rep']) for r in csv.DictReader(open(sys.argv[1]))))" "$pairs")
else
  host=$($bin machine)
  out="results/${host}/sampling-cost/$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$out"
  pairs="$out/pairs.csv"
  cargo build --release --quiet --example sampling_cost
  REPS="$reps" ./target/release/examples/sampling_cost > "$pairs"
fi
python3 - "$pairs" "$out" "$reps" "$($bin --version)" <<'PY'
import csv, statistics, sys, pathlib
pairs, out, reps, version = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = list(csv.DictReader(open(pairs)))
by = {(r["rep"], r["config"], r["primitive"], int(r["threads"]), int(r["cs_ns"])): r for r in rows}
def num(v):
    try:
        x = float(v)
        return x if x > 0 else None
    except ValueError:
        return None
ratios, dropped_degraded, dropped_layout = {}, 0, 0
for (rep, config, prim, t, cs), a in by.items():
    if config != "default":
        continue
    b = by.get((rep, "sample0", prim, t, cs))
    if not b:
        continue
    if a["degraded"] == "true" or b["degraded"] == "true":
        dropped_degraded += 1
        continue
    ds = [x for r in (a, b) for x in (num(r["core_to_core_before_ns"]), num(r["core_to_core_ns"])) if x]
    if ds and max(ds) / min(ds) > 1.5:
        dropped_layout += 1
        continue
    ratios.setdefault((prim, t, cs), []).append(float(a["throughput_ops_s"]) / float(b["throughput_ops_s"]))
lines = [f"default sampling ÷ --sample 0 throughput, one trial each, back to back in one process, {reps} pairs per point; {version}",
         f"pairs left out: {dropped_degraded} with a degraded trial, {dropped_layout} whose trials saw cache distances more than x1.5 apart",
         ""]
med = {}
for k in sorted(ratios):
    xs = ratios[k]
    med[k] = statistics.median(xs)
    lines.append(f"{k[0]:30} {k[1]}t cs {k[2]:>3} ns  x{med[k]:.3f}  (pairs: {' '.join(f'{x:.3f}' for x in xs)})")
vals = sorted(med.values())
outside = [k for k, v in med.items() if abs(v - 1) > 0.05]
lines += ["", f"points: {len(vals)}; median x{statistics.median(vals):.3f}, range x{vals[0]:.3f} .. x{vals[-1]:.3f}; "
          f"within ±5%: {len(vals) - len(outside)} of {len(vals)}"]
lines += [f"  outside: {k[0]} {k[1]}t cs {k[2]} ns: x{med[k]:.3f} (pairs {' '.join(f'{x:.3f}' for x in ratios[k])})" for k in sorted(outside)]
lines += ["", "largest change of a two-lock ratio between the configurations, per setting (max ÷ min of the points' ratios; null and racy-counter left out):"]
for s in sorted({(k[1], k[2]) for k in med}):
    at = [(v, k[0]) for k, v in med.items() if (k[1], k[2]) == s and k[0] not in ("null", "racy-counter")]
    if len(at) >= 2:
        hi, lo = max(at), min(at)
        lines.append(f"  {s[0]}t cs {s[1]:>3} ns: x{hi[0] / lo[0]:.3f} ({hi[1]} x{hi[0]:.3f} vs {lo[1]} x{lo[0]:.3f})")
# Pooled per setting: every pair of every primitive (null and racy-counter left out). One
# pair's ratio carries two trials' noise; the pooled median shows whether the configuration
# moves throughput at all, the quartiles how far single back-to-back trials differ anyway.
lines += ["", "pooled per setting, all pairs: median ratio (quartiles) [pairs]; a configuration that moved throughput would move the median"]
for s in sorted({(k[1], k[2]) for k in ratios}):
    xs = sorted(x for k, v in ratios.items() if (k[1], k[2]) == s and k[0] not in ("null", "racy-counter") for x in v)
    q = lambda f: xs[min(len(xs) - 1, int(f * len(xs)))]
    lines.append(f"  {s[0]}t cs {s[1]:>3} ns: x{statistics.median(xs):.3f} ({q(0.25):.3f}–{q(0.75):.3f}) [{len(xs)}]")
text = "\n".join(lines) + "\n"
(out / "summary.txt").write_text(text)
print(text)
PY
echo "wrote $out" >&2
