#!/usr/bin/env bash
# Uncontended cost per operation, two independent ways, side by side:
#   criterion: `cargo bench` on the primitive itself: lock + the harness's critical-section
#              stores + unlock, minus the stores alone (`baseline/touch/null`); for counters,
#              one increment;
#   harness:   `lockbench run --threads 1 --cs 0 --sample 0`, ns/op = 1e9 / throughput, minus
#              the harness's own per-op cost (the `null` primitive at the same settings).
#   (for counters nothing is subtracted: `null`'s stores are not in a counter's op).
# Also listed: criterion's bare lock+unlock (empty critical section).
# Writes results/<host>/agreement/criterion-vs-harness.csv and prints the table.
# Usage: scripts/criterion-vs-harness.sh [--no-measure] [PRIMITIVE ...]
#   (default primitives: spin, mutex, atomic; --no-measure recomputes the table from the
#   last run's files in results/<host>/agreement/). ROUNDS=N (default 3) repeats both
#   measurements N times, alternating, and uses the median over rounds: on a VM single runs
#   move by 10-20%.
set -euo pipefail
measure=1
if [ "${1:-}" = --no-measure ]; then measure=0; shift; fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."

default=(spin-tas spin-ttas spin-ttas-backoff spin-ticket spin-mcs spin-rs spin-rs-ticket
  futex-mutex adaptive-mutex std-mutex parking-lot-mutex parking-lot-fair-mutex
  cas-counter fetch-add-counter sharded-counter)
prims=("$@")
[ ${#prims[@]} -gt 0 ] || prims=("${default[@]}")

cargo build --release --quiet
host=$(tr -c 'A-Za-z0-9._\n-' '-' < /proc/sys/kernel/hostname)
out="results/${host}/agreement"
mkdir -p "$out"
raw="$out/harness-runs.csv"
crit="$out/criterion-rounds.csv"
if [ "$measure" = 1 ]; then
rm -f "$raw"
echo "round,group,function,primitive,median_ns" > "$crit"
for round in $(seq 1 "${ROUNDS:-3}"); do
  echo "== round $round: criterion (cargo bench, uncontended groups)" >&2
  cargo bench --quiet --bench bench_main -- '^baseline/touch/|^(spin|mutex)/lock\+(touch\+)?unlock/|^atomic/increment/' >&2
  python3 - "$round" >> "$crit" <<'PY'
import json, pathlib, sys
for est in sorted(pathlib.Path("target/criterion").glob("*/*/*/new/estimates.json")):
    group, fn, prim = est.parts[-5], est.parts[-4], est.parts[-3]
    if group in ("baseline", "spin", "mutex", "atomic") and fn in ("touch", "lock+unlock", "lock+touch+unlock", "increment"):
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
touch = crit("baseline", "touch", "null")
out = []
for p in prims:
    fam = next(r["family"] for r in rows if r["primitive"] == p)
    if fam == "atomic":
        bare = same = crit("atomic", "increment", p)
    else:
        bare = crit(fam, "lock+unlock", p)
        same = crit(fam, "lock+touch+unlock", p) - touch
    med, lo, hi = ns(p)
    # `null` runs the loop plus the critical-section stores; a counter's op has no stores,
    # so for counters nothing is subtracted (the loop itself is under a nanosecond).
    net = med if fam == "atomic" else med - null
    out.append(dict(primitive=p, criterion_bare_ns=round(bare, 2),
                    criterion_same_op_ns=round(same, 2),
                    harness_median_ns=round(med, 2), harness_min_ns=round(lo, 2),
                    harness_max_ns=round(hi, 2), null_median_ns=round(null, 2),
                    harness_net_ns=round(net, 2), net_over_criterion=round(net / same, 3)))
with open(dest, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(out[0]))
    w.writeheader()
    w.writerows(out)
print(f"{'primitive':<24}{'crit bare':>11}{'crit same op':>14}{'harness':>10}{'- null':>9}{'= net':>9}{'net/crit':>10}")
for o in out:
    print(f"{o['primitive']:<24}{o['criterion_bare_ns']:>8.1f} ns{o['criterion_same_op_ns']:>11.1f} ns"
          f"{o['harness_median_ns']:>7.1f} ns{o['null_median_ns']:>6.1f} ns{o['harness_net_ns']:>6.1f} ns"
          f"{o['net_over_criterion']:>10.2f}")
within = sum(1 for o in out if abs(o["net_over_criterion"] - 1) <= 0.2)
print(f"{within} of {len(out)} within 20%; criterion's touch (stores alone) {touch:.1f} ns; written to {dest}")
PY
