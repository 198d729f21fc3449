#!/usr/bin/env bash
# Interference detection, measured on this machine:
#   1. spin-ttas at 2×CPUs threads: a spinner's CPU share must stay ~1.0 in every trial
#      (the CPU time is read over exactly the measured window);
#   2. spin-ttas and futex-mutex at 2 threads, cs 1 µs, 5 trials, quiet: at most one flagged;
#   3. the same with a busy loop pinned on the second CPU for the whole run: ≥ 4 of 5 flagged;
#   4. the same with a loop there busy 60 ms of every 200 ms: ≥ 4 of 5 flagged;
#   5. the parking_lot mirror configuration unpinned (std-mutex, 2 threads, --steps 1/0,
#      inline, --sample 0, --pin none), 20 trials, quiet: at most one degraded.
# Cases 2-4 judge each trial once (--sentinel-retries 0); case 5 runs as `run` does.
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
run() { "$lb" run --trials 5 --duration 300ms --warmup 50ms --format csv "$@"; }
hog=""
trap '[ -n "$hog" ] && kill $hog 2>/dev/null || true' EXIT

echo "1/5 spin-ttas, $((2 * cpus)) threads on $cpus CPUs" >&2
run --lock spin-ttas --cs 100ns --threads $((2 * cpus)) > "$out/oversubscribed.csv"
for lock in spin-ttas futex-mutex; do
  echo "2/5 $lock, 2 threads, quiet" >&2
  run --lock "$lock" --cs 1us --threads 2 --sentinel-retries 0 > "$out/quiet-$lock.csv"
  echo "3/5 $lock, 2 threads, a busy loop pinned on CPU $second" >&2
  taskset -c "$second" sh -c 'while :; do :; done' &
  hog=$!
  sleep 0.2
  run --lock "$lock" --cs 1us --threads 2 --sentinel-retries 0 > "$out/hog-$lock.csv"
  kill $hog; hog=""
  echo "4/5 $lock, 2 threads, a loop on CPU $second busy 60 ms of every 200 ms" >&2
  taskset -c "$second" python3 -c '
import time
while True:
    end = time.perf_counter() + 0.060
    while time.perf_counter() < end:
        pass
    time.sleep(0.140)' &
  hog=$!
  sleep 0.2
  run --lock "$lock" --cs 1us --threads 2 --sentinel-retries 0 > "$out/intermittent-$lock.csv"
  kill $hog; hog=""
done
echo "5/5 the parking_lot mirror configuration, unpinned, 20 trials" >&2
"$lb" run --lock std-mutex --threads 2 --steps 1/0 --layout inline --sample 0 --pin none \
  --trials 20 --duration 100ms --warmup 20ms --format csv > "$out/unpinned.csv"
python3 - "$out" <<'PY' | tee "$out/summary.txt"
import csv, sys, statistics, pathlib
out = pathlib.Path(sys.argv[1])
names = ["oversubscribed"] + [f"{case}-{lock}" for lock in ("spin-ttas", "futex-mutex")
                              for case in ("quiet", "hog", "intermittent")] + ["unpinned"]
for name in names:
    rows = list(csv.DictReader(open(out / f"{name}.csv")))
    share = [float(r["cpu_share"]) for r in rows if r["cpu_share"]]
    runq = [float(r["runq_share"]) for r in rows if r["runq_share"]]
    flagged = [r for r in rows if r["degraded"] == "true"]
    why = sorted({s for r in flagged for s in r["degraded_by"].split(";") if s})
    print(f"{name:26} {rows[0]['primitive']:>11} threads {rows[0]['threads']}: "
          f"CPU share median {statistics.median(share):.3f}, run-queue share "
          + " ".join(f"{s:.3f}" for s in runq)
          + f"; flagged {len(flagged)} of {len(rows)}"
          + (f" by {', '.join(why)}" if why else ""))
PY
