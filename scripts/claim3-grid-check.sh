#!/usr/bin/env bash
# Does claim 3 (spin under ~1 µs, sleep beyond) say the same from a claims run's own rows and
# from a fine break-even run's? Copies CLAIMS_DIR to a scratch directory, replaces its
# 03-spin-vs-sleep experiment with BREAKEVEN_DIR's run (the same two locks, think 0 panels),
# re-judges both with `lockbench claims --only`, and prints claim 3's verdict from each; exits 1
# when they differ.
# Usage: scripts/claim3-grid-check.sh CLAIMS_DIR BREAKEVEN_DIR
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
claims=${1:?usage: scripts/claim3-grid-check.sh CLAIMS_DIR BREAKEVEN_DIR}
breakeven=${2:?usage: scripts/claim3-grid-check.sh CLAIMS_DIR BREAKEVEN_DIR}
cargo build --release --quiet
lb=./target/release/lockbench
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
verdict() { # the verdict column of claim 3 in DIR/claims.csv
  python3 -c "import csv,sys; print(next(r['verdict'] for r in csv.DictReader(open(sys.argv[1])) if r['id']=='3'))" "$1/claims.csv"
}
cp -r "$claims" "$scratch/own"
"$lb" claims --only "$scratch/own" > /dev/null
cp -r "$claims" "$scratch/fine"
rm -rf "$scratch/fine/03-spin-vs-sleep"
mkdir "$scratch/fine/03-spin-vs-sleep"
cp "$breakeven"/{runs.csv,histograms.csv,meta.json} "$scratch/fine/03-spin-vs-sleep/"
"$lb" claims --only "$scratch/fine" > /dev/null
own=$(verdict "$scratch/own")
fine=$(verdict "$scratch/fine")
echo "claim 3 from $claims: $own"
echo "claim 3 with $breakeven substituted: $fine"
[ "$own" = "$fine" ]
