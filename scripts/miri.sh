#!/usr/bin/env bash
# Miri, under Stacked Borrows and then Tree Borrows, over the queue locks' unit tests: nodes
# handed over through raw pointers, reused by their threads, and the final store into a node
# its owner may free at once (MCS, CLH). Miri needs a nightly toolchain with its component
# (`rustup toolchain install nightly --component miri`); CI runs stable only, so it does not
# run this. Extra arguments go to the test binary (e.g. a test name).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  echo "miri.sh: no Miri here: rustup toolchain install nightly --component miri" >&2
  exit 2
fi
tests=(primitives::spin::mcs primitives::spin::clh)
[ "$#" -gt 0 ] && tests=("$@")
for borrows in stacked tree; do
  flags=""
  [ "$borrows" = tree ] && flags="-Zmiri-tree-borrows"
  echo "== Miri, $borrows borrows"
  MIRIFLAGS="$flags ${MIRIFLAGS:-}" cargo +nightly miri test --no-default-features \
    --target-dir target/miri --lib -- "${tests[@]}"
done
