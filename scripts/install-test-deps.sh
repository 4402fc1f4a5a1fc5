#!/usr/bin/env bash
# Installs what the test suite talks to, idempotently: the Rust target for plugins,
# tshark (decodes captured Diameter), and python-diameter (an independent Diameter
# peer). Safe to run again; does nothing when everything is present.
set -euo pipefail

need_apt=()
command -v tshark >/dev/null 2>&1 || need_apt+=(tshark)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-pip)
# host/tests/plugin_c.rs builds the C plugin example (plugins/c-echo) with clang for
# wasm32, linked by wasm-ld; no wasi-libc is needed.
command -v clang-14 >/dev/null 2>&1 || need_apt+=(clang-14)
command -v wasm-ld-14 >/dev/null 2>&1 || need_apt+=(lld-14)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    # tshark asks whether non-root users may capture; the default answer is fine.
    $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

py_need=()
python3 -c 'import diameter' >/dev/null 2>&1 || py_need+=(python-diameter)
# scripts/auc_xcheck.py recomputes the TS 35.208 vectors with an independent Milenage.
python3 -c 'import cryptography' >/dev/null 2>&1 || py_need+=(cryptography)
# host/tests/store_mongodb.rs: a MongoDB wire-protocol server (on SQLite) and pymongo,
# the independent client that writes and reads the Open5GS documents.
command -v nx-27017 >/dev/null 2>&1 || py_need+=(nx-27017)
python3 -c 'import pymongo' >/dev/null 2>&1 || py_need+=(pymongo)
if [ ${#py_need[@]} -gt 0 ]; then
    python3 -m pip install --quiet --disable-pip-version-check "${py_need[@]}"
fi

rustup target add wasm32-wasip2 >/dev/null 2>&1 || true
echo "test dependencies present: $(tshark --version 2>/dev/null | head -n1); python-diameter $(python3 -c 'import importlib.metadata as m; print(m.version("python-diameter"))')"
