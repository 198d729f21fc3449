#!/usr/bin/env bash
# The honest end-to-end check of `lockbench advise`: profile a real program
# (examples/kvstore.rs) with its lock, ask `advise` which lock to use, then swap the leader in
# and measure the program's own throughput, today's lock and the leader interleaved, RUNS
# runs each. The prediction (the leader ÷ today's lock on the harness) is set beside the
# measured change (median of the program's runs, with their range).
# Usage: scripts/advise-check.sh NAME "KVSTORE OPTIONS" [RUNS] [OUT_DIR]
#        scripts/advise-check.sh --summary OUT TODAY LEADER "KVSTORE OPTIONS" RUNS
#   e.g. scripts/advise-check.sh spin-4t "--lock spin --threads 4"
#   (defaults: 5 runs of 3 s, results/<host>-<cpu>/advise-check/<UTC>-NAME)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# summary.md from the files of OUT: the advice, and the program's change measured as the
# median of the per-run ratios (each run pairs the two locks back to back, so drift of the
# machine between runs cancels), beside the ratio of the two medians.
summarize() {
  python3 - "$@" <<'PY' | tee "$1/summary.md"
import csv, statistics, sys
out, today, leader, opts, runs = sys.argv[1:]
a = next(csv.DictReader(open(f"{out}/advise/advice.csv")))
rows = list(csv.DictReader(open(f"{out}/swap.csv")))
t = [float(r["throughput_ops_s"]) for r in rows if r["lock"] == today]
l = [float(r["throughput_ops_s"]) for r in rows if r["lock"] == leader]
ratios = sorted(x / y for x, y in zip(l, t))
paired = statistics.median(ratios)
of_medians = statistics.median(l) / statistics.median(t)
predicted = float(a["leader_ops_s"]) / float(a["today_ops_s"]) if a["today_ops_s"] else float("nan")
print(f"# advise check: kvstore {opts}\n")
print(f"Written by `scripts/advise-check.sh` ({runs} interleaved runs of 3 s per lock).\n")
print(f"- advice: **{a['call']}** (today {a['today']}, leader {a['leader']}); {a['why']}")
gain = f" (interval ×{float(a['gain_lo']):.2f}–×{float(a['gain_hi']):.2f})" if a["gain"] else " (no interval: not a switch)"
print(f"- predicted leader ÷ today on the harness: ×{predicted:.2f}{gain}")
print(f"- measured in the program, leader ÷ today: ×{paired:.2f} (median of the {len(ratios)} paired runs' ratios, ×{ratios[0]:.2f}–×{ratios[-1]:.2f}); ratio of the medians ×{of_medians:.2f} ({statistics.median(l):.0f} ÷ {statistics.median(t):.0f} requests/s)")
print(f"- prediction error: {100 * (predicted - paired) / paired:+.1f}% of the measured change (paired)")
PY
}

if [ "${1:-}" = "--summary" ]; then
  # Re-write OUT's summary.md from its files: --summary OUT TODAY LEADER "OPTS" RUNS
  shift
  summarize "$@"
  exit 0
fi
name=${1:?usage: scripts/advise-check.sh NAME \"KVSTORE OPTIONS\" [RUNS] [OUT_DIR]}
opts=${2:?usage: scripts/advise-check.sh NAME \"KVSTORE OPTIONS\" [RUNS] [OUT_DIR]}
runs=${3:-5}
case "$runs" in
  ''|*[!0-9]*) echo "error: RUNS must be a whole number (got '$runs')" >&2; exit 2 ;;
esac
cargo build --release --quiet --example kvstore
cargo build --release --quiet
lb=./target/release/lockbench
kv=./target/release/examples/kvstore
host=$("$lb" machine)
out=${4:-results/${host}/advise-check/$(date -u +%Y%m%dT%H%M%SZ)-${name}}
mkdir -p "$out" || { echo "error: cannot create $out" >&2; exit 2; }
today=$(sed -n 's/.*--lock \([a-z_]*\).*/\1/p' <<<"$opts")
[ -n "$today" ] || { echo "error: KVSTORE OPTIONS must name --lock" >&2; exit 2; }

echo "1. profile: kvstore $opts --seconds 3 --profile $out/profile" >&2
# shellcheck disable=SC2086 # opts is a list of options
"$kv" $opts --seconds 3 --profile "$out/profile" > "$out/profiled-run.txt" 2> "$out/profile.txt"
echo "2. advise" >&2
"$lb" advise "$out/profile" --lock kvstore --out "$out/advise" > /dev/null 2> "$out/advise.log"
# The leader's kvstore name.
leader=$(python3 - "$out/advise/advice.csv" <<'PY'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1])))
names = {"parking-lot-mutex": "parking_lot", "std-mutex": "std", "spin-rs": "spin",
         "futex-mutex": "futex", "spin-ttas-backoff": "ttas", "adaptive-mutex": "adaptive"}
print(names.get(row["leader"], ""))
PY
)
[ -n "$leader" ] || { echo "error: the leader is not a lock kvstore can run (see $out/advise/advice.csv)" >&2; exit 1; }
echo "3. swap: $today against $leader, $runs runs each, interleaved" >&2
echo "run,lock,throughput_ops_s" > "$out/swap.csv"
base=$(sed 's/--lock [a-z_]*//' <<<"$opts")
for i in $(seq 1 "$runs"); do
  for lock in "$today" "$leader"; do
    # shellcheck disable=SC2086
    t=$("$kv" $base --lock "$lock" --seconds 3 | sed -n 's/.*throughput_ops_s=\([0-9]*\).*/\1/p')
    echo "$i,$lock,$t" >> "$out/swap.csv"
  done
done
summarize "$out" "$today" "$leader" "$opts" "$runs"
echo "wrote $out (profile/, advise/, swap.csv, summary.md)" >&2
