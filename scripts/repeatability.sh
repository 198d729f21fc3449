#!/usr/bin/env bash
# Repeatability (issue "Trust III"): two quick sweeps of one build, back to back, on a quiet
# machine; scripts/repeatability.py then reports the share of points flagged in each and, of
# the points unflagged in both, the share whose medians agree within 10%.
# Usage: scripts/repeatability.sh [OUT_DIR]  (default results/<host>-<cpu>/repeatability/<UTC>)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
lb=./target/release/lockbench
host=$("$lb" machine)
out=${1:-results/${host}/repeatability/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
for run in a b; do
  echo "sweep $run of 2 into $out/$run" >&2
  "$lb" sweep --preset quick --out "$out/$run" 2> "$out/$run.log" >/dev/null
done
scripts/repeatability.py "$out/a" "$out/b" | tee "$out/repeatability.md"
