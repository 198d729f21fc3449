#!/usr/bin/env bash
# Core-to-core latency: lockbench's probe against core-to-core-latency's CAS benchmark, same
# host, same sitting, alternating the two tools for ROUNDS rounds (default 3).
# Usage: scripts/agree-core-to-core.sh PATH_TO_CORE_TO_CORE_LATENCY_CHECKOUT [OUT_DIR]
# (Fetching the checkout is your step, e.g. a clone of nviennot/core-to-core-latency.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
peer=${1:?usage: scripts/agree-core-to-core.sh PATH_TO_CORE_TO_CORE_LATENCY_CHECKOUT [OUT_DIR]}
[ -f "$peer/Cargo.toml" ] || { echo "error: $peer: no Cargo.toml (not a core-to-core-latency checkout)" >&2; exit 2; }
rounds=${ROUNDS:-3}
host=$(cargo run --release --quiet -- machine)
out=${2:-results/${host}/agreement/core-to-core-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
cargo build --release --quiet
(cd "$peer" && cargo build --release --quiet)
lb=./target/release/lockbench
c2c="$peer/target/release/core-to-core-latency"
read -r a b < <(taskset -pc $$ | sed 's/.*: //; s/-/ /; s/,/ /')
echo "round,tool,ns" > "$out/rounds.csv"
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds" >&2
  # core-to-core-latency: 300 samples of 1000 round trips on CPUs a,b; CSV matrix (mean ns).
  "$c2c" 1000 300 --cores "$a,$b" --csv 2> "$out/c2c-$round.log" > "$out/c2c-$round.matrix.txt"
  v=$(grep -o '[0-9.]\+' "$out/c2c-$round.matrix.txt" | head -1)
  echo "$round,core-to-core-latency,$v" >> "$out/rounds.csv"
  "$lb" probe --duration 1s --format json > "$out/probe-$round.json"
  v=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['core_to_core_ns']; print(m[1][0] if m[1][0]==m[1][0] else m[0][1])" "$out/probe-$round.json")
  echo "$round,lockbench,$v" >> "$out/rounds.csv"
done
python3 - "$out/rounds.csv" <<'PY' | tee "$out/summary.txt"
import csv, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
by = {}
for r in rows:
    by.setdefault(r["tool"], []).append(float(r["ns"]))
peer, ours = st.median(by["core-to-core-latency"]), st.median(by["lockbench"])
for tool, v in by.items():
    print(f"{tool:22} one-way ns per round: {', '.join(f'{x:.1f}' for x in v)} (median {st.median(v):.1f})")
ratio = ours / peer
print(f"lockbench / core-to-core-latency = {ratio:.3f} ({'within' if abs(ratio - 1) <= 0.15 else 'OUTSIDE'} 15%)")
PY
