#!/usr/bin/env bash
# bench/inet/targets.py computes its verdicts: on made-up rounds with known
# ratios it must say ok, SHORT, (noise) and gen* where they apply.
set -euo pipefail
targets=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=$tmp/raw.txt
# line SERVER WORKLOAD REP VALUE [CLIENT_CPU_PCT]
line() {
    local key=msgs_per_s
    [ "$2" = st16k_c8 ] && key=MB_per_s
    echo "RAW server=$1 workload=$2 rep=$3 server_cpu_s=1.0 all_msgs=$4 client_cpu_pct=${5:-50} $key=$4" >>"$raw"
}
for rep in 1 2 3 4 5; do
    # pp64_c1: esock 1.10x libuv in every round; 0.85x epoll in every round.
    line esock pp64_c1 $rep 110
    line uv pp64_c1 $rep 100
    line epoll pp64_c1 $rep 130
    # conn_c16: esock short of libevent in 3 rounds, ahead in 2; generator-bound.
    line esock conn_c16 $rep 100 99
    if [ $rep -le 3 ]; then line event conn_c16 $rep 104 99; else line event conn_c16 $rep 97 99; fi
    # st16k_c8: the best Erlang backend is erl_socket (MB_per_s).
    line esock st16k_c8 $rep 300
    line erl_inet st16k_c8 $rep 100
    line erl_socket st16k_c8 $rep 200
done
out=$(python3 "$targets" "$raw")
echo "$out"
expect() {
    grep -qF -- "$1" <<<"$out" || { echo "missing: $1"; exit 1; }
}
expect "| pp64_c1 | uv | > 1 | 1.100 | 1.10-1.10 | 5/5 | 0.031 | ok |  | 0.909 |"
expect "| pp64_c1 | epoll | >= 0.9 | 0.846 | 0.85-0.85 | 0/5 | 0.031 | SHORT |"
expect "| conn_c16 | event | > 1 | 0.962 | 0.96-1.03 | 2/5 | 0.500 | SHORT (noise) | gen* |"
expect "| st16k_c8 | erl_socket | > 1 | 1.500 |"
expect "2 of 4 cells on target; 2 short, 1 of them short in the rounds too (p <= 0.05)."
# No esock results: an error, not an empty table.
grep -v "server=esock" "$raw" >"$tmp/noesock.txt"
if python3 "$targets" "$tmp/noesock.txt" 2>/dev/null; then
    echo "accepted a file without esock results"
    exit 1
fi
echo "targets.py: all verdicts as expected"
