#!/usr/bin/env bash
# Check lockbench's sleep/wake figures against an independent tool: `perf bench sched pipe`
# (two tasks ping-ponging through pipes: one round trip = two sleeps and two wake-ups), run
# pinned to one CPU and unpinned, 5 runs each, next to `lockbench probe --format json`.
# Needs perf (Debian: linux-perf). Writes results/<host>/examples/perf-bench-sched-pipe.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v perf >/dev/null || { echo "perf not found (Debian: apt-get install linux-perf)" >&2; exit 2; }
cargo build --release --quiet
host=$(cargo run --release --quiet -- machine)
out="results/${host}/examples/perf-bench-sched-pipe.txt"
mkdir -p "$(dirname "$out")"
run() { perf bench sched pipe -l 50000 2>/dev/null | awk '/usecs\/op/ {print $1}'; }
{
  echo "# perf bench sched pipe -l 50000: usecs per round trip (2 sleeps + 2 wake-ups), 5 runs"
  echo -n "same core (taskset -c 0):"; for i in 1 2 3 4 5; do echo -n " $(taskset -c 0 perf bench sched pipe -l 50000 2>/dev/null | awk '/usecs\/op/ {print $1}')"; done; echo
  echo -n "unpinned (2 CPUs):       "; for i in 1 2 3 4 5; do echo -n " $(run)"; done; echo
  echo "# lockbench probe (futex ping-pong), p50 in ns"
  json=$(mktemp)
  ./target/release/lockbench probe --duration 200ms --format json > "$json" 2>/dev/null
  python3 - "$json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
for k in ("same_core_round_trip", "cross_core_round_trip", "cross_core_wakeup"):
    v = p.get(k)
    print(f"{k}: {v['p50_ns']:.0f}" if v else f"{k}: n/a")
PY
  rm -f "$json"
} | tee "$out"
