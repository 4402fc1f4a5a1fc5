#!/usr/bin/env bash
# Regenerates gen/application.c and gen/application.h, the C bindings of the
# `application` world in wit/plugin.wit, with wit-bindgen's C generator. Run it after
# changing wit/ and commit the result; building the plugin needs only clang.
#
# Needs wit-bindgen 0.63.0 (WIT_BINDGEN=/path/to/wit-bindgen to use another binary):
#   cargo install wit-bindgen-cli --version 0.63.0 --no-default-features --features c
#
# --no-object-file: the component type is not linked in as an object file; the test
# helper (host/tests/common/c_plugin.rs) embeds it from wit/ when it componentizes.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
wit_bindgen="${WIT_BINDGEN:-wit-bindgen}"
want="0.63.0"

have="$("$wit_bindgen" --version | awk '{print $2}')"
if [ "$have" != "$want" ]; then
    echo "warning: $wit_bindgen is $have; the committed bindings come from $want" >&2
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$wit_bindgen" c "$root/wit" --world application --no-object-file --out-dir "$tmp" >/dev/null

for f in application.c application.h; do
    {
        echo "// Generated from wit/plugin.wit (package plughss:plugin@0.1.0, world \`application\`)"
        echo "// by plugins/c-echo/regen.sh with wit-bindgen $have. Do not edit: run regen.sh."
        cat "$tmp/$f"
    } >"$here/gen/$f"
done
echo "regenerated $here/gen/application.{c,h}"
