#!/usr/bin/env bash
# What lockbench::profile's wrapper costs, against the bare lock and against locktick (the
# crates.io lock profiler), interleaved round after round (scripts/profile-overhead/, a
# separate crate so that lockbench itself does not depend on locktick).
# Writes overhead.csv (one row per round, case, variant) and summary.md (medians, ranges,
# ratios to the bare lock) into OUT.
# Usage: scripts/profile-overhead.sh [ROUNDS] [OUT_DIR]
#   (defaults 11, results/<host>-<cpu>/profile-overhead/<UTC>)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-11}
case "$rounds" in
  ''|*[!0-9]*) echo "error: ROUNDS must be a whole number (got '$rounds')" >&2; exit 2 ;;
esac
cargo build --release --quiet
host=$(./target/release/lockbench machine)
out=${2:-results/${host}/profile-overhead/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out" || { echo "error: cannot create $out" >&2; exit 2; }
cargo build --release --quiet --manifest-path scripts/profile-overhead/Cargo.toml
scripts/profile-overhead/target/release/profile-overhead "$rounds" > "$out/overhead.csv"
{
  echo "# lockbench::profile overhead on $host"
  echo
  echo "Written by \`scripts/profile-overhead.sh $rounds\` at lockbench $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo "parking_lot's mutex bare, through \`lockbench::profile::Mutex\` (default: one acquisition"
  echo "in 16 timed; and every one timed) and through \`locktick::parking_lot::Mutex\`; variants"
  echo "interleaved, $rounds rounds; ns per op (two threads: wall time ÷ ops of both)."
  echo
  python3 - "$out/overhead.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cases = list(dict.fromkeys(r["case"] for r in rows))
variants = list(dict.fromkeys(r["variant"] for r in rows))
print("| case | variant | median ns/op | range | × bare | + ns over bare |")
print("|---|---|---|---|---|---|")
for c in cases:
    med = {}
    for v in variants:
        xs = [float(r["ns_per_op"]) for r in rows if r["case"] == c and r["variant"] == v]
        med[v] = (statistics.median(xs), min(xs), max(xs))
    bare = med[variants[0]][0] if variants[0] == "parking_lot" else med["parking_lot"][0]
    for v in variants:
        m, lo, hi = med[v]
        print(f"| {c} | {v} | {m:.1f} | {lo:.1f}–{hi:.1f} | ×{m / bare:.2f} | {m - bare:+.1f} |")
PY
} > "$out/summary.md"
cat "$out/summary.md"
echo "wrote $out/{overhead.csv,summary.md}" >&2
