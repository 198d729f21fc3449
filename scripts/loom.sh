#!/usr/bin/env bash
# Model-check every hand-written primitive with loom (used by .ci/run).
# LOOM_MAX_PREEMPTIONS, if set, overrides the models' default preemption bound of 3 (models
# with an explicit smaller bound keep theirs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# A separate target dir keeps the loom build from invalidating the normal one.
RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}" \
  cargo test --release --target-dir target/loom --test loom --test loom_rwlock -- --test-threads=2 "$@"
