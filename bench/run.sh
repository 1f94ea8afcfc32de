#!/bin/sh
# `make bench`: every bench/*.sh, by hand only (never part of the tests). Figures on stdout.
set -u
build=${1:-build}
build=$(cd "$build" && pwd)
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	echo "== $(basename "$b")"
	sh "$b" "$build" || echo "   (failed: $b)"
done
