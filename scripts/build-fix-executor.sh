#!/usr/bin/env bash
# Build QuickFIX/C++'s `executor` example (Debian's libquickfix-doc) into .fix-executor/ (git-ignored): the FIX
# counterparty the *.fix-executor.test.ts tests and the README's "Paper trading over FIX" trade against.
# Needs libquickfix-dev and g++ (apt-get install -y libquickfix-dev g++). The executor's source is fetched
# with apt at build time and never committed: it is QuickFIX's (the QuickFIX Software License).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.fix-executor
bin="$out/executor"
if [ -x "$bin" ] && [ "${1:-}" != "--force" ]; then echo "fix executor: $bin (already built; --force rebuilds)"; exit 0; fi
if [ ! -f /usr/include/quickfix/Session.h ]; then
  echo "fix executor: libquickfix-dev is not installed (apt-get install -y libquickfix-dev)" >&2; exit 1
fi
mkdir -p "$out/src"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current folder; _apt cannot always write to it, so a world-writable one.
chmod 777 "$work"
(cd "$work" && apt-get download -q libquickfix-doc >/dev/null 2>&1) || { apt-get update -q >/dev/null && (cd "$work" && apt-get download -q libquickfix-doc >/dev/null); }
dpkg-deb -x "$work"/libquickfix-doc_*.deb "$work/x"
src="$work/x/usr/share/doc/libquickfix-doc/examples/executor/C++"
cp "$src/Application.h" "$src/executor.cpp" "$out/src/"
if [ -f "$src/Application.cpp.gz" ]; then gzip -dc "$src/Application.cpp.gz" > "$out/src/Application.cpp"; else cp "$src/Application.cpp" "$out/src/"; fi
# The example includes the autotools "config.h" of QuickFIX's own build; it needs nothing from it.
: > "$out/src/config.h"
# C++14: the example still declares dynamic exception specifications (removed in C++17).
g++ -std=c++14 -O1 -w -I"$out/src" -o "$bin" "$out/src/executor.cpp" "$out/src/Application.cpp" -lquickfix -lpthread
echo "fix executor: built $bin"
