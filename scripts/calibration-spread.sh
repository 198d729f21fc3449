#!/usr/bin/env bash
# The busy-work calibration's spread across fresh processes, for one or more lockbench
# binaries alternated (e.g. two builds, to compare calibration methods in one sitting).
# Each process is `lockbench run --lock null` (one short trial) started after an idle gap of
# GAP seconds (default 0.3: a fresh process after an idle moment is the case that reads slow);
# its `busy_units_per_ns` is the start-up calibration. N processes per binary (default 50).
# Usage: scripts/calibration-spread.sh OUT_DIR BIN [BIN...]
set -euo pipefail
out=${1:?usage: scripts/calibration-spread.sh OUT_DIR BIN [BIN...]}; shift
[ $# -ge 1 ] || { echo "error: no lockbench binary given" >&2; exit 2; }
n=${N:-50}; gap=${GAP:-0.3}
mkdir -p "$out"
echo "process,binary,busy_units_per_ns" > "$out/calibrations.csv"
for i in $(seq 1 "$n"); do
  for bin in "$@"; do
    sleep "$gap"
    rate=$("$bin" run --lock null --threads 1 --sample 0 --trials 1 --duration 20ms --warmup 5ms \
      --no-sentinel --format csv 2>/dev/null |
      python3 -c "import csv,sys; print(next(csv.DictReader(sys.stdin))['busy_units_per_ns'])")
    echo "$i,$bin,$rate" >> "$out/calibrations.csv"
  done
done
python3 - "$out/calibrations.csv" <<'PY' | tee "$out/summary.txt"
import csv, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
for b in dict.fromkeys(r["binary"] for r in rows):
    rates = [float(r["busy_units_per_ns"]) for r in rows if r["binary"] == b]
    med = st.median(rates)
    fives = [rates[i:i + 5] for i in range(0, len(rates) - 4, 5)]
    spreads = sorted((max(g) - min(g)) / st.median(g) for g in fives)
    low = sum(r < med * 0.99 for r in rates)
    print(f"{b}: {len(rates)} processes, {min(rates):.4f}–{max(rates):.4f} steps/ns, "
          f"spread {(max(rates) - min(rates)) / med * 100:.2f}% (max − min over median); "
          f"{low} more than 1% below the median; groups of 5: median {st.median(spreads) * 100:.2f}%, "
          f"worst {spreads[-1] * 100:.2f}% (target ≤ 2%)")
PY
