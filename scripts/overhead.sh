#!/usr/bin/env bash
# Measure the harness's own per-op cost (the `null` primitive: no lock, 1 thread) with and
# without per-op latency timing, and write the runs as CSV under results/<host>/overhead/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --quiet
host=$(cargo run --release --quiet -- machine)
out="results/${host}/overhead"
mkdir -p "$out"
for sample in 0 1 16; do
  ./target/release/lockbench run --lock null --threads 1 --duration 300ms --trials 9 \
    --sample "$sample" --format csv > "$out/null-sample${sample}.csv"
done
# ns per op = 1e9 / throughput (1 thread); print median, min, max over the trials.
python3 - "$out" <<'PY'
import csv, statistics, sys, pathlib
for f in sorted(pathlib.Path(sys.argv[1]).glob("null-sample*.csv")):
    ns = [1e9 / float(r["throughput_ops_s"]) for r in csv.DictReader(open(f))]
    print(f"{f.name}: median {statistics.median(ns):.1f} ns/op, min {min(ns):.1f}, max {max(ns):.1f} ({len(ns)} trials)")
PY
