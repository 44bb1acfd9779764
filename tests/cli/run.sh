#!/usr/bin/env bash
# Drives the esock tool as a user would, and compares parse / ntoa /
# format-error output with a sample of the golden vectors' expectations
# (read from the vector files here, not written into this script).
set -u
esock=$1 vectors=$2
fail=0 pass=0
check() { # name, expected, actual
  if [ "$2" == "$3" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1: expected [$2] got [$3]"; fi
}

# demo: runs, prints the socket table and the counters, leaves nothing open.
out=$("$esock" demo) ; rc=$?
check "demo exit" 0 "$rc"
grep -q 'rstate' <<<"$out"; check "demo shows i() table" 0 $?
grep -q 'listening' <<<"$out"; check "demo table lists the listener" 0 $?
grep -q '^sockets open after close: 0' <<<"$out"; check "demo closes everything" 0 $?
grep -q 'inet_tcp .*CONNECTED' <<<"$out"; check "demo shows inet:i()" 0 $?
grep -q 'client: gen_tcp:recv(S, 0) -> {ok,<<"ping">>}' <<<"$out"; check "demo {packet,4} echo" 0 $?
grep -q 'client: \[{recv_oct,[1-9]' <<<"$out"; check "demo prints getstat" 0 $?
grep -q '^inet sockets open after close: 0' <<<"$out"; check "demo closes its inet sockets" 0 $?

# usage errors exit 2, --help exits 0 on every subcommand.
"$esock" >/dev/null 2>&1; check "no command" 2 $?
"$esock" frobnicate >/dev/null 2>&1; check "unknown command" 2 $?
for c in $("$esock" --help | awk '/^  esock /{print $2}'); do
  "$esock" "$c" --help >/dev/null; check "$c --help" 0 $?
done

# parse: every 23rd line of address_parse.tsv whose input is plain ASCII.
flag_of() { case $1 in parse_address) echo --address;; parse_strict_address) echo --strict;;
  parse_ipv4_address) echo --ipv4;; parse_ipv4strict_address) echo --ipv4strict;;
  parse_ipv6_address) echo --ipv6;; parse_ipv6strict_address) echo --ipv6strict;; esac; }
n=0
while IFS=$'\t' read -r fn input result; do
  n=$((n+1)); [ $((n % 23)) -eq 0 ] || continue
  case $input in *\\*|'""') continue;; esac
  arg=${input#\"}; arg=${arg%\"}
  case $result in
    ok:*) want="{ok,{${result#ok:}}}";;
    error:einval) want="{error,einval}";;
  esac
  got=$("$esock" parse "$(flag_of "$fn")" -- "$arg" 2>/dev/null)
  check "parse $fn $input" "$want" "$got"
done < <(tail -n +2 "$vectors/address_parse.tsv")

# ntoa: every 3rd line of address_ntoa.tsv.
n=0
while IFS=$'\t' read -r input result; do
  n=$((n+1)); [ $((n % 3)) -eq 0 ] || continue
  [ "$input" == "-" ] && continue
  case $result in error:einval) want="{error,einval}";; *) want=$result;; esac
  got=$("$esock" ntoa "$input" 2>/dev/null)
  check "ntoa $input" "$want" "$got"
done < <(tail -n +2 "$vectors/address_ntoa.tsv")

# format-error: every line.
while IFS=$'\t' read -r atom result; do
  check "format-error $atom" "$result" "$("$esock" format-error "$atom")"
done < <(tail -n +2 "$vectors/format_error.tsv")

# decode: every 5th line of decode_packet.tsv, one decode_packet/3 call each
# (--tsv prints the result/value/rest columns the tool computed).
n=0
while IFS=$'\t' read -r type opts input result value rest; do
  n=$((n+1)); [ $((n % 5)) -eq 0 ] || continue
  args=(--packet "$type" --tsv --hex-input)
  if [ "$opts" != "-" ]; then
    IFS=, read -r -a kv <<<"$opts"
    for o in "${kv[@]}"; do args+=("--${o%%=*}" "${o#*=}"); done
    args=("${args[@]//--packet_size/--packet-size}")
    args=("${args[@]//--line_length/--line-length}")
    args=("${args[@]//--line_delimiter/--line-delimiter}")
  fi
  got=$(printf '%s' "$input" | "$esock" decode "${args[@]}" 2>/dev/null)
  check "decode $type $opts ${input:0:40}" "$result"$'\t'"$value"$'\t'"$rest" "$got"
done < <(tail -n +2 "$vectors/decode_packet.tsv")

# echo and cat talk to each other: every packet mode over TCP and local
# stream sockets, every active mode once, and UDP (datagrams) over inet and local.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
start_echo() { # args...: starts a server, sets $echo_pid and $echo_addr
  # Emptied here, not by the background redirection: that one truncates
  # the file in the child, later, so the loop below could see the last
  # server's address and then read an empty file.
  : >"$tmp/addr"
  "$esock" echo "$@" >>"$tmp/addr" 2>"$tmp/echo.err" & echo_pid=$!
  # Up to 20 s (a loaded CI machine once took over 5 s to start one), for
  # a whole line.
  for _ in $(seq 400); do [ "$(wc -l <"$tmp/addr")" -ge 1 ] && break; sleep 0.05; done
  echo_addr=$(head -1 "$tmp/addr")
  [ -n "$echo_addr" ] || { echo "echo $* printed no address; its stderr:"; cat "$tmp/echo.err"; }
}
stop_echo() { kill -TERM "$echo_pid"; wait "$echo_pid"; check "echo stops cleanly on SIGTERM ($*)" 0 $?; }
lines=$'hello\nsecond message\n\nlast'
for mode in 1 2 4 raw line; do
  for where in tcp local; do
    if [ $where = tcp ]; then start_echo --packet $mode 127.0.0.1:0; target=("$echo_addr")
    else start_echo --packet $mode --local "$tmp/s.$mode"; target=(--local "$tmp/s.$mode"); fi
    want=$lines # raw/line: the same bytes back; 1/2/4: one reply per line
    got=$(printf '%s\n' "$lines" | timeout 10 "$esock" cat --packet $mode "${target[@]}"; echo "rc=$?")
    check "echo/cat packet $mode over $where" "$want"$'\n'"rc=0" "$got"
    stop_echo "$mode $where"
  done
done
for active in true false once 3; do
  start_echo --packet 2 --active $active 127.0.0.1:0
  got=$(seq 1 20 | timeout 10 "$esock" cat --packet 2 "$echo_addr")
  check "echo --active $active" "$(seq 1 20)" "$got"
  stop_echo "active $active"
done
start_echo --udp 127.0.0.1:0
got=$(printf 'a\nbb\n' | timeout 10 "$esock" cat --udp --packet 4 "$echo_addr")
check "echo/cat over udp" $'a\nbb' "$got"
stop_echo udp
start_echo --udp --local "$tmp/u"
got=$(printf 'x\ny\n' | timeout 10 "$esock" cat --udp --packet 1 --local "$tmp/u")
check "echo/cat over local datagrams" $'x\ny' "$got"
stop_echo "udp local"
if "$esock" parse --ipv6 ::1 >/dev/null && start_echo --packet 4 '[::1]:0' && [ -n "$echo_addr" ]; then
  got=$(echo six | timeout 10 "$esock" cat --packet 4 "$echo_addr")
  check "echo/cat over ::1" six "$got"
  stop_echo inet6
fi
# Many connections at once to one server.
start_echo --packet 4 127.0.0.1:0
for i in $(seq 1 10); do (seq 1 50 | "$esock" cat --packet 4 "$echo_addr" >"$tmp/c$i") & done
wait $(jobs -p | grep -v "^$echo_pid\$")
ok=0; for i in $(seq 1 10); do cmp -s "$tmp/c$i" <(seq 1 50) && ok=$((ok+1)); done
check "10 concurrent cat clients" 10 $ok
stop_echo concurrent
# Failures: format_error text and a non-zero exit code.
msg=$("$esock" cat --packet 4 --local "$tmp/nobody" </dev/null 2>&1); rc=$?
check "cat to nobody fails" 1 $rc
grep -q "no such file or directory" <<<"$msg"; check "cat failure says why ($msg)" 0 $?
"$esock" echo --packet nope 127.0.0.1:0 >/dev/null 2>&1; check "echo bad packet type" 2 $?
# A send error (a {packet,1} message over 255 bytes) ends cat with exit 1,
# not a wait for a peer that never closes.
start_echo --packet 1 127.0.0.1:0
printf '%0300d\n' 0 | timeout 10 "$esock" cat --packet 1 "$echo_addr" >/dev/null 2>&1
check "cat exits 1 after a send error" 1 $?
stop_echo "send error"
# A --local path too long for the client's name PATH.catPID is refused and
# the server's socket file stays (107 bytes: the longest path allowed).
long=$tmp/$(printf 's%.0s' $(seq $((107 - ${#tmp} - 1))))
start_echo --udp --local "$long"
echo hi | timeout 10 "$esock" cat --udp --local "$long" >/dev/null 2>&1
check "cat refuses a path with no room for .catPID" 2 $?
[ -S "$long" ]; check "cat leaves the server's socket file" 0 $?
stop_echo "udp local long path"

# Bad command lines and unreadable input.
timeout 10 "$esock" decode --packet 1 "$tmp" >/dev/null 2>&1; check "decode of a directory fails" 1 $?
for bad in zz '0 41' 041 4g; do
  printf '%s' "$bad" | timeout 10 "$esock" decode --packet raw --tsv --hex-input >/dev/null 2>&1
  check "decode --hex-input rejects '$bad'" 1 $?
done
got=$(printf '0041\n' | timeout 10 "$esock" decode --packet raw --tsv --hex-input); check "decode --hex-input" $'ok\t0041\t-' "$got"
: >"$tmp/a.bin"; : >"$tmp/b.bin"
timeout 10 "$esock" decode --packet 1 "$tmp/a.bin" "$tmp/b.bin" >/dev/null 2>&1; check "decode takes one file" 2 $?
timeout 10 "$esock" resolve --timeout abc localhost >/dev/null 2>&1; check "resolve --timeout abc" 2 $?
timeout 10 "$esock" resolve --timeout 99999999999999999999 localhost >/dev/null 2>&1; check "resolve --timeout huge" 2 $?
timeout 10 "$esock" resolve --timeout -1 localhost >/dev/null 2>&1; check "resolve --timeout -1" 2 $?
msg=$(timeout 10 "$esock" resolve --timeout 2>&1); rc=$?
check "resolve --timeout without a value" 2 $rc
grep -q "needs a value" <<<"$msg"; check "resolve says the value is missing ($msg)" 0 $?
timeout 30 "$esock" demo --bogus >/dev/null 2>&1; check "demo --bogus" 2 $?
timeout 30 "$esock" demo extra >/dev/null 2>&1; check "demo extra" 2 $?

# bench: runs briefly and reports its figures.
out=$(timeout 30 "$esock" bench --connections 2 --seconds 1 2>/dev/null); rc=$?
check "bench exit" 0 $rc
grep -q '^messages/s: [1-9]' <<<"$out"; check "bench reports messages/s" 0 $?
grep -q '^latency (us): p50' <<<"$out"; check "bench reports latency" 0 $?

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
