#!/bin/sh
# Runs every tests/integration/*.sh (and *.py) with the build folder as $1.
# Each test starts its own kubesim; a test prints what it checks and exits non-zero on failure.
set -u
build=${1:-build}
build=$(cd "$build" && pwd)
fail=0; n=0; failed=""
for t in tests/integration/*.sh tests/integration/*.py; do
	[ -f "$t" ] || continue
	case "$t" in */lib.sh | */pg.sh) continue ;; esac
	n=$((n + 1))
	log=$(mktemp)
	start=$(date +%s)
	case "$t" in
	*.py) timeout 600 /usr/bin/python3 "$t" "$build" >"$log" 2>&1 ;;
	*) timeout 600 sh "$t" "$build" >"$log" 2>&1 ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		echo "  ok      $(basename "$t") (${secs}s)"
	else
		echo "  FAIL    $(basename "$t") (exit $rc, ${secs}s)"; sed 's/^/        /' "$log" | tail -60
		fail=1; failed="$failed $(basename "$t")"
	fi
	rm -f "$log"
done
if [ $fail -eq 0 ]; then echo "integration: $n tests, all passed"; else echo "integration: $n tests, FAILED:$failed"; fi
exit $fail
