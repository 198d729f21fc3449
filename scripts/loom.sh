#!/usr/bin/env bash
# Model-check every hand-written primitive with loom (used by .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A separate target dir keeps the loom build from invalidating the normal one.
RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}" LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}" \
  cargo test --release --target-dir target/loom --test loom -- --test-threads=2 "$@"
