#!/usr/bin/env bash
# Uncontended cost per operation, two independent ways, side by side:
#   criterion: `cargo bench` lock+unlock (or one increment) on the primitive itself;
#   harness:   `lockbench run --threads 1 --cs 0 --sample 0`, ns/op = 1e9 / throughput, minus
#              the harness's own per-op cost (the `null` primitive at the same settings).
# Writes results/<host>/agreement/criterion-vs-harness.csv and prints the table.
# Usage: scripts/criterion-vs-harness.sh [PRIMITIVE ...]   (default: spin, mutex, atomic)
set -euo pipefail
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
rm -f "$raw"

echo "== criterion (cargo bench, uncontended groups)" >&2
cargo bench --quiet --bench bench_main -- '^(spin|mutex)/lock\+unlock/|^atomic/increment/' >&2

echo "== harness (1 thread, cs 0, no per-op timing, 5 trials of 200 ms each)" >&2
for p in null "${prims[@]}"; do
  ./target/release/lockbench run --lock "$p" --threads 1 --cs 0 --sample 0 --trials 5 \
    --duration 200ms --format csv > "$out/.one.csv"
  if [ -s "$raw" ]; then tail -n +2 "$out/.one.csv" >> "$raw"; else cp "$out/.one.csv" "$raw"; fi
done
rm -f "$out/.one.csv"

python3 - "$raw" "$out/criterion-vs-harness.csv" "${prims[@]}" <<'PY'
import csv, json, statistics, sys, pathlib
raw, dest, prims = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = list(csv.DictReader(open(raw)))
def ns(p):
    v = [1e9 / float(r["throughput_ops_s"]) for r in rows if r["primitive"] == p]
    return statistics.median(v), min(v), max(v)
null = ns("null")[0]
out = []
for p in prims:
    fam = next(r["family"] for r in rows if r["primitive"] == p)
    group, fn = ("atomic", "increment") if fam == "atomic" else (fam, "lock+unlock")
    est = pathlib.Path("target/criterion") / group / fn / p / "new" / "estimates.json"
    crit = json.load(open(est))["median"]["point_estimate"]
    med, lo, hi = ns(p)
    net = med - null
    out.append(dict(primitive=p, criterion_median_ns=round(crit, 2),
                    harness_median_ns=round(med, 2), harness_min_ns=round(lo, 2),
                    harness_max_ns=round(hi, 2), null_median_ns=round(null, 2),
                    harness_net_ns=round(net, 2), net_over_criterion=round(net / crit, 3)))
with open(dest, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(out[0]))
    w.writeheader()
    w.writerows(out)
print(f"{'primitive':<24}{'criterion':>11}{'harness':>10}{'- null':>9}{'= net':>9}{'net/crit':>10}")
for o in out:
    print(f"{o['primitive']:<24}{o['criterion_median_ns']:>8.1f} ns{o['harness_median_ns']:>7.1f} ns"
          f"{o['null_median_ns']:>6.1f} ns{o['harness_net_ns']:>6.1f} ns{o['net_over_criterion']:>10.2f}")
within = sum(1 for o in out if abs(o["net_over_criterion"] - 1) <= 0.2)
print(f"{within} of {len(out)} within 20%; written to {dest}")
PY
