#!/bin/sh
# Runs every cmocka unit test binary in $1/tests, two at a time ($UNIT_JOBS),
# each in its own scratch directory; a failing one's output is printed whole.
set -u
build=${1:-build}
build=$(cd "$build" && pwd)
jobs=${UNIT_JOBS:-2}
case "$jobs" in '' | *[!0-9]* | 0) echo "UNIT_JOBS must be a positive number, not \"$jobs\""; exit 2 ;; esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkfifo "$work/done"
exec 3<>"$work/done"
fail=0; n=0; running=0
run_one() {
	name=$(basename "$1")
	(
		dir=$(mktemp -d)
		(cd "$dir" && "$build/tests/$name" >"$work/$name.out" 2>&1 3>&-)
		echo $? >"$work/$name.rc"
		rm -rf "$dir"
		echo "$name" >&3
	) &
	running=$((running + 1))
}
collect() {
	read -r name <&3
	running=$((running - 1)); n=$((n + 1))
	if [ "$(cat "$work/$name.rc")" = 0 ]; then
		echo "  ok      $name"
	else
		echo "  FAIL    $name"; cat "$work/$name.out"; fail=1
	fi
}
for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	[ "$running" -ge "$jobs" ] && collect
	run_one "$t"
done
while [ "$running" -gt 0 ]; do collect; done
echo "unit: $n test programs, $([ $fail -eq 0 ] && echo all passed || echo FAILURES)"
exit $fail
