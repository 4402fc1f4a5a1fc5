#!/usr/bin/env bash
# Reproduces the README's benchmark table on this machine: builds release, starts
# `plughss serve` on 127.0.0.1 ephemeral ports with a temporary data directory (sled
# store, built-in S6a plugin), provisions subscribers through the REST API, runs
# `plughss bench` for AIR and ULR in several shapes, and prints markdown tables with the
# command behind every row. The generator and the server share the machine's cores.
#
# Knobs (environment), defaults keep a full run to a few minutes:
#   DURATION=5s            measured time per row (the README's figures use 30s)
#   WARMUP=1s              unmeasured load before each row
#   SUBSCRIBERS=1000       the base subscriber count
#   LARGE=100000           a larger subscriber count (1000000 for 1M; 0 skips): imported
#                          from a CSV file with `plughss subscriber import` (timed), then
#                          an AIR row on the first request of each subscriber, an
#                          unmeasured pass so every one has been seen, and an AIR row
#                          in that steady state
#   PASS=<LARGE/20000+5>s  the length of that unmeasured pass
#   CONNECTIONS="1 4 16 64"  INFLIGHT="1 8 128"  VECTORS="2 3 4 5"
#   RATE=50000             the open-loop AIR row's total rate (0 skips)
#   FLUSH=true             sled flush_every_write (true is the operator default)
#   THREADS=1              the generator's runtime threads
#   STORES="csv mongodb"   other stores, one AIR and one ULR row each (mongodb runs on
#                          nx-27017, a MongoDB-wire server on SQLite, started here)
#   SKIP_BUILD=1           use the binaries already in target/release
#   OUT=FILE               also write the tables to FILE
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
LARGE=${LARGE:-100000}
PASS=${PASS:-$(( LARGE / 20000 + 5 ))s}
CONNECTIONS=${CONNECTIONS:-1 4 16 64}
INFLIGHT=${INFLIGHT:-1 8 128}
VECTORS=${VECTORS:-2 3 4 5}
RATE=${RATE:-50000}
FLUSH=${FLUSH:-true}
THREADS=${THREADS:-1}
OUT=${OUT:-}
STORES=${STORES-csv mongodb}

if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build --release --locked -p plughss --bin plughss --example fixed_aia_responder
    if [[ " $STORES " == *" mongodb "* ]]; then
        cargo build --release --locked -p plughss-store-mongodb
    fi
fi
BIN=$PWD/target/release/plughss
RESPONDER=$PWD/target/release/examples/fixed_aia_responder
for b in "$BIN" "$RESPONDER"; do
    [ -x "$b" ] || { echo "bench.sh: $b is missing (run without SKIP_BUILD)" >&2; exit 1; }
done

# Dirty pages left by earlier work (a build, a previous run's million subscribers) would
# be written back during the runs and slow every fsync: write them out first.
sync

TMP=$(mktemp -d)
SERVER_PID=
RESPONDER_PID=
MONGO_PID=
cleanup() {
    for p in $RESPONDER_PID $SERVER_PID $MONGO_PID; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

cat >"$TMP/plughss.toml" <<EOF
data_dir = "$TMP/data"

[diameter]
listen = ["127.0.0.1:0"]
# Every bench connection comes from 127.0.0.1, and a row may start while the previous
# row's connections are still closing.
max_connections = 16384
max_connections_per_address = 16384

[api]
listen = "127.0.0.1:0"

[store]
backend = "sled"
flush_every_write = $FLUSH

[log]
level = "info"
EOF

# Starts the server (label, optional config file); sets SERVER_PID, DIAMETER, API and
# STARTUP_MS.
start_server() {
    local log=$TMP/serve-$1.log t0 config=${2:-$TMP/plughss.toml}
    t0=$(now_ms)
    "$BIN" serve --config "$config" 2>"$log" &
    SERVER_PID=$!
    for _ in $(seq 600); do
        grep -q "REST API listening" "$log" 2>/dev/null && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; echo "bench.sh: plughss serve exited" >&2; exit 1; }
        sleep 0.05
    done
    STARTUP_MS=$(( $(now_ms) - t0 ))
    DIAMETER=$(sed -n 's/.*Diameter listening.*addr=\([0-9.:]*\).*/\1/p' "$log" | head -n1)
    API=http://$(sed -n 's/.*REST API listening.*addr=\([0-9.:]*\).*/\1/p' "$log" | head -n1)
    [ -n "$DIAMETER" ] || { cat "$log" >&2; echo "bench.sh: no Diameter address in the log" >&2; exit 1; }
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

# One table row: LABEL then `plughss bench` arguments. Each run also gets --target,
# --duration, --warmup, --threads, --server-pid and --json, and --api for --provision.
ROWS=()
row() {
    local label=$1 target=$2 pid=$3
    shift 3
    # Each row starts on a quiet disk: what the previous rows left dirty (sled's SQN
    # blocks and serving records) would otherwise be written back during this one.
    sync
    local args=("$@" --duration "$DURATION" --warmup "$WARMUP" --threads "$THREADS")
    local extra=(--target "$target" --json)
    [ -n "$pid" ] && extra+=(--server-pid "$pid")
    [[ " $* " == *" --provision "* ]] && extra+=(--api "$API")
    local json
    if ! json=$("$BIN" bench "${args[@]}" "${extra[@]}" 2>"$TMP/bench.err"); then
        if [ -z "$json" ]; then
            cat "$TMP/bench.err" >&2
            echo "bench.sh: plughss bench ${args[*]} failed" >&2
            exit 1
        fi
    fi
    grep -h "provisioned" "$TMP/bench.err" >&2 || true
    local cells
    cells=$(python3 -c '
import json, sys
r = json.loads(sys.argv[1])
l = r["latency_us"] or {}
f = lambda v, d=1: "-" if v is None else f"{v:,.{d}f}"
rss = r["server_rss_kib"]
cells = [f(r["throughput"], 0), f(l.get("p50")), f(l.get("p99")), f(l.get("p99_9")), str(r["errors"]),
         f(r["server_cpu_us_per_answer"], 2), "-" if rss is None else f(rss / 1024), f(r["generator_cpu_us_per_answer"], 2)]
print(" | ".join(cells))
' "$json")
    ROWS+=("| $label | $cells | \`plughss bench ${args[*]}\` |")
    echo "  $label: $cells" >&2
}

HEADER="| Run | answers/s | p50 µs | p99 µs | p99.9 µs | errors | server CPU µs/answer | server RSS MiB | generator CPU µs/answer | command |
|---|---|---|---|---|---|---|---|---|---|"

echo "bench.sh: the generator alone, against a bare responder with a fixed AIA" >&2
"$RESPONDER" 127.0.0.1:0 >"$TMP/responder.out" &
RESPONDER_PID=$!
for _ in $(seq 100); do grep -q listening "$TMP/responder.out" 2>/dev/null && break; sleep 0.05; done
RESPONDER_ADDR=$(sed -n 's/^listening on //p' "$TMP/responder.out")
for c in 1 4; do
    row "fixed-AIA responder, $c conn" "$RESPONDER_ADDR" "$RESPONDER_PID" air --connections "$c" --inflight 128
done
kill -TERM "$RESPONDER_PID"; wait "$RESPONDER_PID" 2>/dev/null || true; RESPONDER_PID=

echo "bench.sh: plughss serve (cold start, then warm restart)" >&2
start_server cold
COLD_MS=$STARTUP_MS
stop_server
start_server warm
WARM_MS=$STARTUP_MS
sleep 1
IDLE_RSS=$(rss_mib "$SERVER_PID")

S="--imsi-count $SUBSCRIBERS"
first=1
for c in $CONNECTIONS; do
    p=(); [ $first = 1 ] && p=(--provision); first=0
    row "AIR, $c conn x 32" "$DIAMETER" "$SERVER_PID" air --connections "$c" --inflight 32 $S "${p[@]}"
done
for n in $INFLIGHT; do
    row "AIR, 4 conn x $n" "$DIAMETER" "$SERVER_PID" air --connections 4 --inflight "$n" $S
done
for v in $VECTORS; do
    row "AIR, $v vectors" "$DIAMETER" "$SERVER_PID" air --connections 4 --inflight 32 --vectors "$v" $S
done
if [ "$RATE" != 0 ]; then
    row "AIR, open loop $RATE/s" "$DIAMETER" "$SERVER_PID" air --connections 4 --inflight 256 --rate "$RATE" $S
fi
for c in $CONNECTIONS; do
    row "ULR, $c conn x 32" "$DIAMETER" "$SERVER_PID" ulr --connections "$c" --inflight 32 $S
done
IMPORT_S=-
if [ "$LARGE" != 0 ]; then
    echo "bench.sh: importing $LARGE subscribers with plughss subscriber import" >&2
    awk -v n="$LARGE" 'BEGIN {
        print "imsi,k,opc,amf,sqn,msisdn,apn"
        for (i = 0; i < n; i++)
            printf "001011%09d,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf,8000,32,4917%08d,internet\n", i, i
    }' >"$TMP/large.csv"
    t0=$(now_ms)
    "$BIN" subscriber import "$TMP/large.csv" --api "$API" >&2
    IMPORT_S=$(awk -v ms=$(( $(now_ms) - t0 )) 'BEGIN { printf "%.1f", ms / 1000 }')
    rm -f "$TMP/large.csv"
    sync # the import's write-back would otherwise land in the rows below
    L=(--connections 4 --inflight 32 --imsi-start 001011000000000 --imsi-count "$LARGE")
    row "AIR, $LARGE subscribers, first request of each" "$DIAMETER" "$SERVER_PID" air "${L[@]}"
    echo "bench.sh: one unmeasured pass of $PASS over the $LARGE subscribers" >&2
    "$BIN" bench air --target "$DIAMETER" "${L[@]}" --duration "$PASS" >/dev/null 2>&1
    row "AIR, $LARGE subscribers, each seen before" "$DIAMETER" "$SERVER_PID" air "${L[@]}"
fi
LOADED_RSS=$(rss_mib "$SERVER_PID")
stop_server

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The same AIR and ULR rows on the other stores.
for store in $STORES; do
    case $store in
        csv) table='backend = "csv"' ;;
        mongodb)
            port=$(free_port)
            mkdir -p "$TMP/nx"
            nx-27017 --host 127.0.0.1 --port "$port" --data-dir "$TMP/nx/data" \
                --log-file "$TMP/nx/internal.log" --pid-file "$TMP/nx/nx.pid" >"$TMP/nx/nx.log" 2>&1 &
            MONGO_PID=$!
            for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
            table="backend = \"mongodb\"
uri = \"mongodb://127.0.0.1:$port\"
database = \"open5gs\"" ;;
        *) echo "bench.sh: unknown store $store" >&2; exit 1 ;;
    esac
    sed '/^\[store\]/,/^$/d' "$TMP/plughss.toml" >"$TMP/plughss-$store.toml"
    printf '[store]\n%s\n' "$table" >>"$TMP/plughss-$store.toml"
    start_server "$store" "$TMP/plughss-$store.toml"
    row "AIR, $store store, 4 conn x 32" "$DIAMETER" "$SERVER_PID" air --connections 4 --inflight 32 $S --provision
    row "ULR, $store store, 4 conn x 32" "$DIAMETER" "$SERVER_PID" ulr --connections 4 --inflight 32 $S
    stop_server
    if [ -n "$MONGO_PID" ]; then kill -TERM "$MONGO_PID"; wait "$MONGO_PID" 2>/dev/null || true; MONGO_PID=; fi
done

{
    echo
    echo "plughss bench, $(nproc) cores shared by server and generator, sled flush_every_write=$FLUSH, $(date -u +%Y-%m-%d)."
    echo "Each run also had --target <address> --server-pid <pid> --json (and --api <url> with --provision)."
    echo
    echo "$HEADER"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| Server | value |"
    echo "|---|---|"
    echo "| start-up to API listening, cold (empty component cache) | $COLD_MS ms |"
    echo "| start-up, warm cache | $WARM_MS ms |"
    echo "| resident memory idle | $IDLE_RSS MiB |"
    echo "| resident memory after the runs ($SUBSCRIBERS + $LARGE subscribers) | $LOADED_RSS MiB |"
    if [ "$LARGE" != 0 ]; then
        echo "| \`plughss subscriber import\` of $LARGE subscribers (CSV, through the REST API) | $IMPORT_S s |"
    fi
} | tee ${OUT:+"$OUT"}
