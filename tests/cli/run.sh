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
grep -q 'sockets open after close: 0' <<<"$out"; check "demo closes everything" 0 $?

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

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
