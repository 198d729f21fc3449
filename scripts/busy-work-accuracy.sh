#!/usr/bin/env bash
# Do critical sections and think times last what they say, and is a length the busy work
# cannot make refused? The `null` primitive (no lock) at 1 thread, nothing timed, at cs = X
# and at think = X for X in 0, 2, 5, 8, 10, 15, 20, 50, 100 ns and 1 µs: per-op time at X minus
# per-op time at 0 should be X (within max(2 ns, 10%)), or the request is refused with an error
# naming the floor (exit 2). A second pass times the critical sections (default sampling): the
# achieved_cs_ns it reports should be within 10% of the added per-op time. Each length runs in
# its own process, ROUNDS rounds interleaved; medians are reported, and the busy-work
# calibration of every process (its spread across processes is the last check).
# Usage: scripts/busy-work-accuracy.sh [OUT_DIR]   (ROUNDS=5 by default)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
lb=./target/release/lockbench
rounds=${ROUNDS:-5}
host=$(cargo run --release --quiet -- machine)
out=${1:-results/${host}/busy-work/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
raw="$out/runs.csv"
timed="$out/timed.csv"
refused="$out/refused.txt"
rm -f "$raw" "$timed" "$refused"
lengths=(0ns 2ns 5ns 8ns 10ns 15ns 20ns 50ns 100ns 1us)
append() { if [ -s "$1" ]; then tail -n +2; else cat; fi >> "$1"; }
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds" >&2
  for what in cs think; do
    for x in "${lengths[@]}"; do
      if ! "$lb" run --lock null --threads 1 --sample 0 --trials 3 --duration 200ms \
        --warmup 50ms --no-sentinel --"$what" "$x" --format csv 2>"$out/err.txt" > "$out/one.csv"; then
        [ "$round" = 1 ] && echo "$what $x: $(head -1 "$out/err.txt")" >> "$refused"
        continue
      fi
      append "$raw" < "$out/one.csv"
    done
  done
  for x in "${lengths[@]}"; do
    "$lb" run --lock null --threads 1 --trials 3 --duration 200ms --warmup 50ms --no-sentinel \
      --cs "$x" --format csv 2>/dev/null > "$out/one.csv" && append "$timed" < "$out/one.csv" || true
  done
done
rm -f "$out/one.csv" "$out/err.txt"
python3 - "$raw" "$timed" "$refused" <<'PY' | tee "$out/summary.txt"
import csv, os, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
timed = list(csv.DictReader(open(sys.argv[2]))) if os.path.exists(sys.argv[2]) else []
def per_op(r): return 1e9 / float(r["throughput_ops_s"])
def med(xs): return st.median(xs) if xs else float("nan")
base = med([per_op(r) for r in rows if r["cs_ns"] == "0" and r["think_ns"] == "0"])
print(f"null, 1 thread, untimed: {base:.1f} ns/op at cs = think = 0 (median)")
if os.path.exists(sys.argv[3]):
    print("refused (exit 2):")
    for line in open(sys.argv[3]):
        print("  " + line.rstrip())
print(f"{'request':>9} {'length':>7} {'added ns/op (median)':>21} {'min–max':>16} {'error':>8}  within max(2 ns, 10%)")
added_cs = {}
for what in ["cs_ns", "think_ns"]:
    other = "think_ns" if what == "cs_ns" else "cs_ns"
    for x in sorted({int(r[what]) for r in rows if int(r[what]) > 0}):
        added = [per_op(r) - base for r in rows if r[what] == str(x) and r[other] == "0"]
        m = med(added)
        if what == "cs_ns":
            added_cs[x] = m
        ok = abs(m - x) <= max(2, 0.10 * x)
        print(f"{what[:-3]:>9} {x:>5}ns {m:>21.1f} {min(added):>7.1f}–{max(added):<7.1f} {m - x:>+7.1f}  {'yes' if ok else 'NO'}")
if timed:
    print(f"timed critical sections (default sampling): achieved_cs_ns against the added per-op time, within 10%")
    for x in sorted(added_cs):
        ach = [float(r["achieved_cs_ns"]) for r in timed if r["cs_ns"] == str(x) and r["achieved_cs_ns"]]
        a = med(ach)
        ok = abs(a - added_cs[x]) <= 0.10 * added_cs[x]
        print(f"       cs {x:>5}ns  achieved {a:>7.1f} ({min(ach):.1f}–{max(ach):.1f})  added {added_cs[x]:>7.1f}  {'yes' if ok else 'NO'}")
# Each process wrote 3 rows (its trials) with its own calibration.
rates = sorted(float(r["busy_units_per_ns"]) for r in rows[::3])
spread = (rates[-1] - rates[0]) / st.median(rates)
print(f"busy-work calibration over {len(rates)} processes: {rates[0]:.4f}–{rates[-1]:.4f} steps/ns, "
      f"spread {spread * 100:.2f}% (max − min over median)")
in_order = [float(r["busy_units_per_ns"]) for r in rows[::3]]
fives = [in_order[i:i + 5] for i in range(0, len(in_order) - 4, 5)]
spreads = sorted((max(g) - min(g)) / st.median(g) for g in fives)
print(f"over {len(fives)} groups of 5 consecutive processes: spread median {st.median(spreads) * 100:.2f}%, "
      f"worst {spreads[-1] * 100:.2f}% (target ≤ 2%)")
PY
