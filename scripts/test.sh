#!/usr/bin/env bash
# The one test command: installs what the tests need (idempotently), then runs every
# test of the workspace. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
# A fresh clone gains nothing from incremental artifacts; they only take disk.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi
# Independent cross-checks: TS 35.208 vectors by a Python Milenage, and our AVP
# dictionary against Wireshark's.
python3 scripts/auc_xcheck.py >/dev/null
python3 scripts/check_dictionary.py
cargo test --workspace --all-targets --locked
