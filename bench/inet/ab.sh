#!/bin/bash
# ab.sh WORKLOAD N SERVER... : a same-run A/B of echo servers on one workload.
#
# Runs every SERVER in turn, N rounds, each for DUR seconds (default 2)
# against the load generator (LOADGEN, default the release build's
# esock_loadgen), server on CPU 0 and generator on CPU 1 as run.sh does.
# Prints per server the median msg/s, the server's CPU per message and the
# generator's CPU per message (µs): alternating the servers keeps the
# machine's drift out of the comparison, which a sequential run.sh cannot.
# A SERVER whose path contains "esock" or "echo_inet" is given
# 127.0.0.1:PORT, the peers just PORT. VERBOSE=1 prints every run on stderr.
#   WORKLOAD: pp64_c1 pp64_c50 st64_c8 st16k_c8 conn_c16
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
L=${LOADGEN:-$ROOT/build/release/bench/esock_loadgen}
[ $# -ge 3 ] || { sed -n '2,13p' "$0"; exit 2; }
w=$1; N=$2; shift 2
case $w in
pp64_c1) a="-m pingpong -c 1 -s 64" ;;
pp64_c50) a="-m pingpong -c 50 -s 64" ;;
st64_c8) a="-m stream -c 8 -s 64 -W 64" ;;
st16k_c8) a="-m stream -c 8 -s 16384 -W 64" ;;
conn_c16) a="-m connect -c 16 -s 64" ;;
*) echo "unknown workload $w" >&2; exit 2 ;;
esac
free_port() { python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"; }
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
run() {
    local port arg pid t0 t1 r m rate lg
    port=$(free_port)
    case $1 in *esock* | *echo_inet*) arg=127.0.0.1:$port ;; *) arg=$port ;; esac
    taskset -c 0 "$1" "$arg" >/dev/null &
    pid=$!
    sleep 0.3
    t0=$(ticks $pid)
    # shellcheck disable=SC2086
    r=$({ /usr/bin/time -f "LGCPU %U %S" taskset -c 1 "$L" $a -p "$port" -d "${DUR:-2}"; } 2>&1 | grep -E "RESULT|LGCPU")
    t1=$(ticks $pid)
    kill $pid; wait $pid 2>/dev/null || true
    m=$(echo "$r" | grep -o 'all_msgs=[0-9]*' | cut -d= -f2)
    rate=$(echo "$r" | grep -o 'msgs_per_s=[0-9]*' | cut -d= -f2)
    lg=$(echo "$r" | awk '/LGCPU/ {print $2+$3}')
    echo "$rate $(echo "scale=3; ($t1-$t0)*1000000/$hz/$m" | bc) $(echo "scale=3; $lg*1000000/$m" | bc)"
}
med() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A R C G
for _ in $(seq "$N"); do
    for b in "$@"; do
        read -r x y z < <(run "$b")
        R[$b]+="$x "; C[$b]+="$y "; G[$b]+="$z "
        [ -z "${VERBOSE:-}" ] || echo "$b $x $y $z" >&2
    done
done
printf "%-10s %-40s %10s %14s %14s\n" workload server msg/s "server us/msg" "loadgen us/msg"
for b in "$@"; do
    printf "%-10s %-40s %10s %14s %14s\n" "$w" "$b" "$(echo "${R[$b]}" | med)" "$(echo "${C[$b]}" | med)" "$(echo "${G[$b]}" | med)"
done
