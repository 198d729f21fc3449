#!/usr/bin/env bash
# The whole suite into one directory: probe, sweep, break-even, charts and reports.
#   results/<host>-<cpu>/<UTC timestamp>/
#     probe.txt                  lockbench probe (sentinel series, sleep/wake, core-to-core)
#     sweep/                     runs.csv, histograms.csv, meta.json, charts/, report.html
#     breakeven/                 the break-even run, its chart, verdict.txt, charts/, report.html
#     claims/                    lockbench claims: claims.md/.csv, report.html, one run per experiment
# Usage: scripts/run-suite.sh [quick|standard|full]   (default: standard)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
preset=${1:-standard}
case "$preset" in
  quick|standard|full) ;;
  *) echo "error: unknown preset '$preset' (quick, standard or full)" >&2; exit 2 ;;
esac
breakeven_preset=quick
[ "$preset" = full ] && breakeven_preset=fine

cargo build --release --quiet
lb=./target/release/lockbench
host=$(cargo run --release --quiet -- machine)
dir="results/${host}/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dir"
echo "suite ($preset) into $dir" >&2

"$lb" probe | tee "$dir/probe.txt"
"$lb" sweep --preset "$preset" --out "$dir/sweep"
"$lb" breakeven --preset "$breakeven_preset" --out "$dir/breakeven" | tee "$dir/breakeven.txt"
claims_preset=quick
[ "$preset" = quick ] || claims_preset=standard
"$lb" claims --preset "$claims_preset" --out "$dir/claims"
for run in sweep breakeven; do
  "$lb" plot "$dir/$run"
  "$lb" report "$dir/$run"
done
echo "done: $dir/sweep/report.html, $dir/breakeven/report.html, $dir/claims/claims.md" >&2
echo "README findings from it: scripts/readme-findings.py $dir/claims" >&2
