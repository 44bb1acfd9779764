#!/bin/bash
# callgrind.sh [SERVER] [WORKLOAD] : instructions per echoed message, by function.
#
# Runs the echo server (default: the release build's esock_echo_inet) under
# valgrind's callgrind against the load generator for 4 s, then prints the
# functions that execute the most instructions, each as instructions per
# message the generator saw echoed. Unlike time, the counts do not depend
# on the machine's load: a change to the per-packet path shows up exactly,
# even on a noisy machine (docs/bench.md, "Instructions per packet").
#   WORKLOAD: st64_c8 (default) or pp64_c50
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
S=${1:-$ROOT/build/release/bench/esock_echo_inet}
L=${LOADGEN:-$ROOT/build/release/bench/esock_loadgen}
case ${2:-st64_c8} in
st64_c8) a="-m stream -c 8 -s 64 -W 64" ;;
pp64_c50) a="-m pingpong -c 50 -s 64" ;;
*) echo "unknown workload $2" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
valgrind --tool=callgrind --callgrind-out-file="$out" "$S" "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
sleep 3 # valgrind starts slowly
# shellcheck disable=SC2086
r=$("$L" $a -p "$port" -d 4 | grep RESULT)
kill -TERM $pid
wait $pid 2>/dev/null || true
m=$(echo "$r" | grep -o 'all_msgs=[0-9]*' | cut -d= -f2)
echo "messages echoed: $m"
callgrind_annotate --inclusive=no "$out" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -"${TOP:-20}" |
    awk -v m="$m" '{x = $1; gsub(",", "", x); $1 = ""; printf "%8.1f %s\n", x / m, $0}'
