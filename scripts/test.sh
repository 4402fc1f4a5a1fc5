#!/usr/bin/env bash
# The one test command: installs what the tests need (idempotently), then runs every
# test of the workspace. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
python3 scripts/auc_xcheck.py >/dev/null
cargo test --workspace --all-targets --locked
