#!/usr/bin/env bash
# Compare the latest suite run of every host under results/ (see scripts/run-suite.sh):
# a table per metric into results/compare/, and overlay charts (one series per host).
# Usage: scripts/compare-hosts.sh [REFERENCE_HOST]   (default: the first host found)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
lb=./target/release/lockbench

runs=()
for host_dir in results/*/; do
  latest=$(ls -d "${host_dir}"*/sweep 2>/dev/null | sort | tail -n 1 || true)
  [ -n "$latest" ] && runs+=("$latest")
done
if [ -n "${1:-}" ]; then
  ref=$(printf '%s\n' "${runs[@]}" | grep "^results/$1/" | head -n 1 || true)
  [ -n "$ref" ] || { echo "error: no suite run for host '$1' under results/" >&2; exit 2; }
  others=()
  for r in "${runs[@]}"; do [ "$r" = "$ref" ] || others+=("$r"); done
  runs=("$ref" "${others[@]}")
fi
if [ ${#runs[@]} -lt 2 ]; then
  echo "error: need suite runs (results/<host>/<time>/sweep) from at least two hosts; found ${#runs[@]}" >&2
  exit 2
fi
out=results/compare
mkdir -p "$out"
echo "comparing ${runs[*]}" >&2
"$lb" compare "${runs[@]}" --format markdown --plot "$out" | tee "$out/throughput.md"
"$lb" compare "${runs[@]}" --metric efficiency --format markdown > "$out/efficiency.md"
"$lb" compare "${runs[@]}" --metric wait-p99 --format markdown > "$out/wait-p99.md"
"$lb" compare "${runs[@]}" --format csv > "$out/throughput.csv"
echo "written: $out/{throughput,efficiency,wait-p99}.md, throughput.csv, compare-*.png" >&2
