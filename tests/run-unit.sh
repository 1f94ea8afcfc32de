#!/bin/sh
# Runs every cmocka unit test binary in $1/tests; each in its own scratch directory.
set -u
build=${1:-build}
fail=0; n=0
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$((n + 1))
	dir=$(mktemp -d)
	if (cd "$dir" && "$OLDPWD/$t" >"$dir/out" 2>&1); then
		echo "  ok      $(basename "$t")"
	else
		echo "  FAIL    $(basename "$t")"; cat "$dir/out"; fail=1
	fi
	rm -rf "$dir"
done
echo "unit: $n test programs, $([ $fail -eq 0 ] && echo all passed || echo FAILURES)"
exit $fail
