#!/usr/bin/env bash
# Install esock to a temporary prefix, then build a small consumer against it
# through find_package(esock) and through pkg-config, and compile every public
# header alone as C11 and as C++.
set -euo pipefail
src=$1 build=$2
# The library's own compile flags (sanitizers must reach the consumer too).
flags=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp"/prefix/lib*/ | head -1)

# 1. find_package
cmake -S "$here/cmake" -B "$tmp/fp" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_FLAGS="$flags" >/dev/null
cmake --build "$tmp/fp" >/dev/null
LD_LIBRARY_PATH="$libdir" "$tmp/fp/consumer" | grep -q '^consumer ok$'
echo "find_package consumer: ok"

# 2. pkg-config
if command -v pkg-config >/dev/null 2>&1; then
  export PKG_CONFIG_PATH="$libdir/pkgconfig"
  cc -std=c11 $flags -Wall -Wextra -Werror "$here/consumer.c" -o "$tmp/pc" $(pkg-config --cflags --libs esock)
  LD_LIBRARY_PATH="$libdir" "$tmp/pc" | grep -q '^consumer ok$'
  cc -std=c11 $flags "$here/consumer.c" -o "$tmp/pcs" $(pkg-config --cflags esock) "$libdir/libesock.a" -lpthread
  "$tmp/pcs" | grep -q '^consumer ok$'
  echo "pkg-config consumer (shared and static): ok"
else
  echo "pkg-config missing" >&2
  exit 1
fi

# 3. Every public header alone, as C11 and as C++.
for h in "$tmp"/prefix/include/esock/*.h; do
  name=$(basename "$h")
  printf '#include <esock/%s>\nint main(void) { return 0; }\n' "$name" >"$tmp/h.c"
  cc -std=c11 -Wall -Wextra -Werror -pedantic -I"$tmp/prefix/include" $flags -c "$tmp/h.c" -o "$tmp/h.o"
  cp "$tmp/h.c" "$tmp/h.cc"
  c++ -std=c++17 -Wall -Wextra -Werror -I"$tmp/prefix/include" -c "$tmp/h.cc" -o "$tmp/h.o"
done
echo "headers compile as C11 and C++: ok"

# 4. Only ESOCK_API symbols are exported.
bad=$(nm -D --defined-only "$libdir/libesock.so" | awk '$2 ~ /[TDB]/ {print $3}' | grep -v '^esock_' | grep -v '^_' || true)
if [ -n "$bad" ]; then echo "exported non-esock symbols: $bad"; exit 1; fi
if nm -D --defined-only "$libdir/libesock.so" | grep -q ' esock__'; then echo "internal esock__ symbols exported"; exit 1; fi
echo "symbol visibility: ok"
