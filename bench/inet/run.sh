#!/usr/bin/env bash
# bench/inet/run.sh [PEERS_DIR] - the esock inet echo server ({packet,4},
# active mode) against the peers of ../shared/bench, in one run.
#
#   PEERS_DIR   the peers' folder (default: ../shared/bench from the project root)
#   env: REPS DUR SERVERS WORKLOADS PIN (passed to run_peers.sh; REPS=1 DUR=3 by default)
#        ORDER       rounds (default): run_peers.sh's order, where a round
#                    starts each server once and runs every workload on it,
#                    so esock and a peer meet one workload minutes apart;
#                    interleaved: a round runs one workload on every server
#                    in turn (the order rotating from round to round), then
#                    the next workload, so the servers compared in a cell
#                    ran seconds apart (run_peers.sh once per workload and
#                    round, its raw lines merged with their round numbers)
#        ESOCK_ECHO  the esock server command ({port} is replaced); default:
#                    bench/inet/echo_inet.c (e.g. "build/release/tools/esock echo
#                    --packet 4 --active true 127.0.0.1:{port}" runs the CLI's)
#        BUILD       build folder (default build/bench-inet)
#
# Prints the runner's tables, then the target check of bench/inet/targets.py
# (also saved as targets.md next to the raw results). REPS of 5 or more give
# the check's sign test enough rounds to tell a real shortfall from noise.
#
# The peers' folder may be read-only: it is copied into the build folder and
# built there. When it has no load generator, bench/inet/loadgen.c (same
# command line and RESULT line) is used.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=$(cd "${1:-$ROOT/../shared/bench}" && pwd)
BUILD=${BUILD:-$ROOT/build/bench-inet}
WORK=$BUILD/peers

mkdir -p "$BUILD"
rm -rf "$WORK"
cp -r "$PEERS" "$WORK"
chmod -R u+w "$WORK"
if [ ! -f "$WORK/loadgen/Makefile" ]; then
    mkdir -p "$WORK/loadgen"
    cp "$ROOT/bench/inet/loadgen.c" "$WORK/loadgen/loadgen.c"
    printf 'loadgen: loadgen.c\n\t$(CC) -O2 -Wall -std=gnu11 -o $@ $<\n' >"$WORK/loadgen/Makefile"
fi

cmake -S "$ROOT" -B "$BUILD/esock" -DCMAKE_BUILD_TYPE=Release -DESOCK_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD/esock" -j2 --target esock_echo_inet >/dev/null
ESOCK_ECHO=${ESOCK_ECHO:-"$BUILD/esock/bench/esock_echo_inet 127.0.0.1:{port}"}
echo "esock server: $ESOCK_ECHO" >&2
cd "$WORK"
OUT="$BUILD/results/$(date +%Y%m%d-%H%M%S)"
if [ "${ORDER:-rounds}" = interleaved ]; then
    read -r -a servers <<<"${SERVERS:-erl_inet erl_inet_socket erl_socket uv event epoll esock}"
    mkdir -p "$OUT"
    : >"$OUT/raw.txt"
    for rep in $(seq "${REPS:-1}"); do
        for wl in ${WORKLOADS:-pp64_c1 pp64_c50 st64_c8 st16k_c8 conn_c16}; do
            k=$(((rep - 1) % ${#servers[@]}))
            order="${servers[*]:k} ${servers[*]:0:k}"
            echo "== round $rep, $wl: $order" >&2
            ESOCK_ECHO="$ESOCK_ECHO" REPS=1 DUR=${DUR:-3} SERVERS="$order" WORKLOADS=$wl \
                OUT="$OUT/r$rep-$wl" ./run_peers.sh >/dev/null
            sed "s/ rep=1 / rep=$rep /" "$OUT/r$rep-$wl/raw.txt" >>"$OUT/raw.txt"
        done
    done
    python3 tools/report.py "$OUT/raw.txt" | tee "$OUT/table.md"
else
    ESOCK_ECHO="$ESOCK_ECHO" REPS=${REPS:-1} DUR=${DUR:-3} OUT="$OUT" ./run_peers.sh
fi
# The target, cell by cell, with the rounds' sign test (bench/inet/targets.py).
echo
python3 "$ROOT/bench/inet/targets.py" "$OUT/raw.txt" | tee "$OUT/targets.md"
