#!/usr/bin/env bash
# Uncontended cost per operation, two independent ways, side by side, compared WHOLE:
#   criterion: `cargo bench` (group `harness`, the bench binary built once) on the harness's exact operation: its loop
#              (`lockbench::harness::time_exclusive_ops`: the same drive/exclusive_loop code,
#              phase check and counters included) around lock + the critical section's loads
#              and stores + unlock; for counters, one increment through the counter loop;
#   harness:   `lockbench run --threads 1 --cs 0 --sample 0`, ns/op = 1e9 / throughput.
# Nothing is subtracted from either (an out-of-order core overlaps the parts, so differences
# of parts are not costs). The harness's figure also holds its loop (phase check, counters):
# the `null` primitive's whole figure is listed as that loop's upper bound.
# Also listed: criterion's bare lock+unlock (empty critical section).
# Writes results/<host>-<cpu>/agreement/criterion-<UTC>/criterion-vs-harness.csv and prints
# the table.
# Usage: scripts/criterion-vs-harness.sh [--no-measure] [PRIMITIVE ...]
#   (default primitives: the registry's spin, mutex and atomic families; --no-measure recomputes the table from the
#   last run's files in results/<host>/agreement/). ROUNDS=N (default 3) repeats both
#   measurements N times, alternating, and uses the median over rounds: on a VM single runs
#   move by 10-20%.
set -euo pipefail
measure=1
if [ "${1:-}" = --no-measure ]; then measure=0; shift; fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Default: every spin lock, mutex and counter the registry lists (`lockbench list`).
cargo build --release --quiet
# Built once, run by path: a source edit during the rounds cannot change what is measured.
bench=$(cargo bench --bench bench_main --no-run 2>&1 | grep -o 'target/release/deps/bench_main-[0-9a-f]*' | tail -1)
prims=("$@")
if [ ${#prims[@]} -eq 0 ]; then
  mapfile -t prims < <(./target/release/lockbench list --format csv |
    awk -F, 'NR > 1 && ($2 == "spin" || $2 == "mutex" || $2 == "atomic") { print $1 }')
fi
host=$(cargo run --release --quiet -- machine)
if [ "$measure" = 1 ]; then
  out="results/${host}/agreement/criterion-$(date -u +%Y%m%dT%H%M%SZ)"
else
  out=$(ls -d "results/${host}/agreement/criterion-"* | tail -1)
fi
mkdir -p "$out"
raw="$out/harness-runs.csv"
crit="$out/criterion-rounds.csv"
if [ "$measure" = 1 ]; then
rm -f "$raw"
echo "round,group,function,primitive,median_ns" > "$crit"
for round in $(seq 1 "${ROUNDS:-3}"); do
  echo "== round $round: criterion (cargo bench, uncontended groups)" >&2
  "$bench" --bench '^baseline/lock\+touch\+unlock/|^(spin|mutex)/lock\+(touch\+)?unlock/|^atomic/increment/|^harness/op/' >&2
  python3 - "$round" >> "$crit" <<'PY'
import json, pathlib, sys
for est in sorted(pathlib.Path("target/criterion").glob("*/*/*/new/estimates.json")):
    group, fn, prim = est.parts[-5], est.parts[-4], est.parts[-3]
    if group in ("baseline", "spin", "mutex", "atomic", "harness") and fn in ("touch", "lock+unlock", "lock+touch+unlock", "increment", "op"):
        print(f"{sys.argv[1]},{group},{fn},{prim},{json.load(open(est))['median']['point_estimate']}")
PY
  echo "== round $round: harness (1 thread, cs 0, no per-op timing, 5 trials of 200 ms)" >&2
  for p in null "${prims[@]}"; do
    ./target/release/lockbench run --lock "$p" --threads 1 --cs 0 --sample 0 --trials 5 \
      --duration 200ms --format csv > "$out/.one.csv"
    if [ -s "$raw" ]; then tail -n +2 "$out/.one.csv" >> "$raw"; else cp "$out/.one.csv" "$raw"; fi
  done
done
rm -f "$out/.one.csv"
fi

python3 - "$raw" "$crit" "$out/criterion-vs-harness.csv" "${prims[@]}" <<'PY'
import csv, statistics, sys
raw, crit_file, dest, prims = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
crit_rows = list(csv.DictReader(open(crit_file)))
rows = list(csv.DictReader(open(raw)))
def ns(p):
    v = [1e9 / float(r["throughput_ops_s"]) for r in rows if r["primitive"] == p]
    return statistics.median(v), min(v), max(v)
null = ns("null")[0]
def crit(group, fn, p):
    # Median over rounds of criterion's per-round median.
    return statistics.median(float(r["median_ns"]) for r in crit_rows
                             if (r["group"], r["function"], r["primitive"]) == (group, fn, p))
null_crit = crit("harness", "op", "null")
out = []
for p in prims:
    fam = next(r["family"] for r in rows if r["primitive"] == p)
    bare = crit("atomic", "increment", p) if fam == "atomic" else crit(fam, "lock+unlock", p)
    same = crit("harness", "op", p)
    med, lo, hi = ns(p)
    out.append(dict(primitive=p, criterion_bare_ns=round(bare, 2),
                    criterion_same_op_ns=round(same, 2),
                    harness_median_ns=round(med, 2), harness_min_ns=round(lo, 2),
                    harness_max_ns=round(hi, 2), null_median_ns=round(null, 2),
                    harness_over_criterion=round(med / same, 3)))
with open(dest, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(out[0]))
    w.writeheader()
    w.writerows(out)
print(f"{'primitive':<24}{'crit bare':>11}{'crit harness op':>17}{'harness':>10}{'harness/crit':>14}")
for o in out:
    print(f"{o['primitive']:<24}{o['criterion_bare_ns']:>8.1f} ns{o['criterion_same_op_ns']:>14.1f} ns"
          f"{o['harness_median_ns']:>7.1f} ns{o['harness_over_criterion']:>14.2f}")
within = sum(1 for o in out if abs(o["harness_over_criterion"] - 1) <= 0.2)
print(f"{within} of {len(out)} within 20%, compared whole; the harness's loop alone (null "
      f"primitive, its stores included): {null:.1f} ns by the harness, {null_crit:.1f} ns by "
      f"criterion; written to {dest}")
PY
