#!/usr/bin/env bash
# check-vectors must evaluate for real: it passes on the true vectors, and it
# fails as soon as one expected result in a copy is changed.
set -euo pipefail
check=$1 vectors=$2 build=$3
export ESOCK_BUILD_DIR=$build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$check" "$vectors" >/dev/null
for f in "$vectors"/*.tsv; do
  base=$(basename "$f")
  rm -f "$tmp"/*.tsv
  # Change the last field of the data line in the middle of the file.
  n=$(( ($(wc -l <"$f") + 1) / 2 + 1 ))
  awk -v n="$n" 'BEGIN{FS=OFS="\t"} NR==n{ $NF = ($NF=="-" ? "00" : $NF "x") } {print}' "$f" >"$tmp/$base"
  if cmp -s "$f" "$tmp/$base"; then echo "tamper did not change $base"; exit 1; fi
  if "$check" "$tmp" >/dev/null; then
    echo "check-vectors accepted a tampered $base"
    exit 1
  fi
  echo "$base: tampering detected"
done
