#!/bin/sh
# bench/packet/run.sh [BENCH_BINARY]: decode_packet throughput in one run:
# esock (bench_packet), the length/memchr ceiling, and Erlang's
# erlang:decode_packet/3 (erl_decode.escript) on the identical inputs, with
# the same decode calls (their count per pass is checked to be equal).
# Build the binary in a release build first (-DCMAKE_BUILD_TYPE=Release).
# Prints the date, machine and load, then a markdown table; ns are per
# message (packet, line, or whole HTTP request/response including its
# headers), best of several rounds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/release/bench/esock_bench_packet}
[ -x "$bin" ] || { echo "no bench binary at $bin (pass it as the argument)" >&2; exit 2; }
command -v escript >/dev/null || { echo "escript not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" --dump "$tmp"
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
"$bin" > "$tmp/c.txt"
escript "$here/erl_decode.escript" "$tmp" > "$tmp/erl.txt"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -1)
otp=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().' 2>/dev/null || echo '?')
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); ${cpu:-unknown CPU}, $(nproc 2>/dev/null || echo '?') CPUs;" \
     "load average $load0 at start, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?') at end; OTP $otp"
echo
echo "| case | bytes/msg | decodes/pass | esock ns/msg | ceiling ns/msg | esock/ceiling | Erlang ns/msg | esock speed-up vs Erlang |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
awk 'NR == FNR { if ($1 !~ /^#/) { erl[$1] = $3; calls[$1] = $4 } next }
     $1 !~ /^#/ { same = calls[$1] == $6 ? "" : " (Erlang: " calls[$1] "!)"
                  printf "| %s | %d | %d%s | %.1f | %.1f | %.2fx | %.1f | %.1fx |\n",
                  $1, $5, $6, same, $3, $4, $3 / $4, erl[$1], erl[$1] / $3 }' "$tmp/erl.txt" "$tmp/c.txt"
