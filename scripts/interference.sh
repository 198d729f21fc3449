#!/usr/bin/env bash
# Interference detection, measured on this machine (issue "Trust I"):
#   1. spin-ttas at 2×CPUs threads: a spinner's CPU share must stay ~1.0 in every trial
#      (the CPU time is read over exactly the measured window);
#   2. spin-ttas at 2 threads, 5 trials, quiet: at most one trial flagged;
#   3. the same with a busy loop pinned on the second CPU for the whole run: ≥ 4 of 5 flagged.
# Usage: scripts/interference.sh [OUT_DIR]  (default results/<host>-<cpu>/interference/<UTC>)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
lb=./target/release/lockbench
cpus=$(nproc)
if [ "$cpus" -lt 2 ]; then echo "error: needs 2 CPUs, this machine has $cpus" >&2; exit 2; fi
host=$(cargo run --release --quiet -- machine)
out=${1:-results/${host}/interference/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
second=$(cut -d, -f2 <<< "$(taskset -pc $$ | sed 's/.*: //; s/-/,/')")
run() { "$lb" run --lock spin-ttas --cs 100ns --trials 5 --format csv "$@"; }

echo "1/3 spin-ttas, $((2 * cpus)) threads on $cpus CPUs" >&2
run --threads $((2 * cpus)) > "$out/oversubscribed.csv"
echo "2/3 spin-ttas, 2 threads, quiet" >&2
run --threads 2 > "$out/quiet.csv"
echo "3/3 spin-ttas, 2 threads, a busy loop pinned on CPU $second" >&2
taskset -c "$second" sh -c 'while :; do :; done' &
hog=$!
trap 'kill $hog 2>/dev/null || true' EXIT
sleep 0.2
run --threads 2 > "$out/hog.csv"
kill $hog
python3 - "$out" <<'PY' | tee "$out/summary.txt"
import csv, sys, statistics
out = sys.argv[1]
for name in ["oversubscribed", "quiet", "hog"]:
    rows = list(csv.DictReader(open(f"{out}/{name}.csv")))
    share = [float(r["cpu_share"]) for r in rows if r["cpu_share"]]
    flagged = [r for r in rows if r["degraded"] == "true"]
    why = sorted({s for r in flagged for s in r["degraded_by"].split(";") if s})
    print(f"{name:15} threads {rows[0]['threads']}: CPU share per trial "
          + " ".join(f"{s:.3f}" for s in share)
          + f" (median {statistics.median(share):.3f}); flagged {len(flagged)} of {len(rows)}"
          + (f" by {', '.join(why)}" if why else ""))
PY
