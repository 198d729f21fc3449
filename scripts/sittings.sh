#!/usr/bin/env bash
# Several sittings of one machine: N sweeps (default 3, quick preset) with a pause between,
# each its own run directory, so that a comparison of two machines can use the sitting as its
# replicate. Compare all of them at once — the reference machine's sittings first:
#   lockbench compare A/s1 A/s2 A/s3 B/s1 B/s2 B/s3
# The A columns show how far this machine moves between sittings; a B column beyond those
# is the machine, not the sitting. The last line prints this machine's margin
# (scripts/repeatability.py on the first two sittings).
# Usage: scripts/sittings.sh [N] [PAUSE_SECONDS] [OUT_DIR]
#   (defaults 3, 60, results/<host>-<cpu>/sittings/<UTC>; extra sweep options in SWEEP_ARGS)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n=${1:-3}
pause=${2:-60}
case "$n$pause" in
  *[!0-9]*) echo "error: N and PAUSE_SECONDS must be whole numbers (got '$n', '$pause')" >&2; exit 2 ;;
esac
[ "$n" -ge 2 ] || { echo "error: N must be at least 2 (got $n)" >&2; exit 2; }
cargo build --release --quiet
lb=./target/release/lockbench
host=$("$lb" machine)
out=${3:-results/${host}/sittings/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
for i in $(seq 1 "$n"); do
  [ "$i" -eq 1 ] || { echo "pause ${pause}s" >&2; sleep "$pause"; }
  echo "sitting $i of $n into $out/s$i" >&2
  # shellcheck disable=SC2086 # SWEEP_ARGS is a list of options
  "$lb" sweep --preset quick ${SWEEP_ARGS:-} --out "$out/s$i" 2> "$out/s$i.log" >/dev/null
done
scripts/repeatability.py "$out/s1" "$out/s2" | grep "margin" || true
echo "sittings in $out: compare them with: $lb compare $out/s*" >&2
