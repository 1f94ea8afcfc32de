#!/bin/sh
# Runs every tests/integration/*.sh (and *.py) with the build folder as $1.
# Each test starts its own kubesim (on a port of its own, --port 0) in its own
# temporary folder and HOME, so tests run side by side: six at a time
# ($INTEGRATION_JOBS; 1 runs them one after another). They mostly wait (for
# kubesim's simulated clock, a build's stages, a console's screen): about 330 s
# of CPU for 72 tests, so six at a time about fill 2 cores without making
# any one of them wait for CPU long (four at a time left half a core idle).
# Tests that failed beside others and passed alone were each found and fixed
# (a window of time overlapping the fleet coming up, a golden catching a tenant
# waking, a wait reading the last run's output before the shell truncated it);
# the next such failure is a bug of the same kind: fix the test, not the number.
# A test whose file holds the line
#   # integration: alone
# shares something with others and runs by itself, after the rest.
# A test's output is printed whole when it fails (every test's with
# INTEGRATION_VERBOSE=1), never mixed with another's; the failures are listed
# again at the end. The longest tests of the previous
# run (kept in BUILD/integration-times) are started first. Tests named after
# the build folder (a path, or a file name of tests/integration/) run alone of
# the rest, e.g. tests/run-integration.sh build-asan kubesim_builds.sh.
set -u
build=${1:-build}
build=$(cd "$build" && pwd)
[ $# -gt 0 ] && shift
some=$*
jobs=${INTEGRATION_JOBS:-6}
case "$jobs" in '' | *[!0-9]* | 0) echo "INTEGRATION_JOBS must be a positive number, not \"$jobs\""; exit 2 ;; esac
times="$build/integration-times"
work=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# the tests, longest first by the last run's times (a test never timed first of all)
for t in ${some:-tests/integration/*.sh tests/integration/*.py}; do
	case "$t" in */*) ;; *) t=tests/integration/$t ;; esac
	[ -f "$t" ] || { [ -z "$some" ] && continue; echo "no test $t"; exit 2; }
	case "$t" in */lib.sh | */pg.sh | */build_setup.sh) continue ;; esac
	name=$(basename "$t")
	secs=$(awk -v n="$name" '$2 == n { s = $1 } END { print s == "" ? 99999 : s }' "$times" 2>/dev/null || echo 99999)
	if grep -q '^# integration: alone$' "$t"; then
		echo "$secs $t" >>"$work/alone"
	else
		echo "$secs $t" >>"$work/shared"
	fi
done
order() { [ -f "$1" ] && sort -k1,1nr -k2 "$1" | cut -d' ' -f2; }

# A finished test writes its name to the fifo; the loop below blocks on it.
mkfifo "$work/done"
exec 3<>"$work/done"

# run_one TEST: runs it in the background, its output in $work/NAME.log
run_one() {
	t=$1; name=$(basename "$t")
	(
		start=$(date +%s)
		case "$t" in
		*.py) run=/usr/bin/python3 ;;
		*) run=sh ;;
		esac
		# the test's CPU (user + system, in clock ticks): what its processes
		# used that were waited for (daemons it leaves, as tmux servers, not)
		sh -c 'timeout 600 "$1" "$2" "$3" >"$4" 2>&1; rc=$?; echo "$rc $(cut -d")" -f2- /proc/$$/stat | awk "{print \$14 + \$15}")"' \
			sh "$run" "$t" "$build" "$work/$name.log" >"$work/$name.rcc" 3>&-
		read -r rc ticks <"$work/$name.rcc"
		echo "$rc $(( $(date +%s) - start )) $ticks" >"$work/$name.rc"
		echo "$name" >&3
	) &
	pids="$pids $!"
	running=$((running + 1))
}

n=0; failed=""; running=0; cpu_ticks=0
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
# collect: waits for one test to end and reports it
collect() {
	read -r name <&3
	running=$((running - 1))
	read -r rc secs ticks <"$work/$name.rc"
	n=$((n + 1))
	cpu=$(awk -v t="${ticks:-0}" -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }')
	cpu_ticks=$((cpu_ticks + ${ticks:-0}))
	echo "$secs $name $cpu" >>"$work/times"
	if [ "$rc" -eq 0 ]; then
		echo "  ok      $name (${secs}s, ${cpu}s CPU)"
		[ "${INTEGRATION_VERBOSE:-}" = 1 ] && sed 's/^/        /' "$work/$name.log"
	else
		echo "  FAIL    $name (exit $rc, ${secs}s)"
		sed 's/^/        /' "$work/$name.log"
		failed="$failed $name"
	fi
}

suite_start=$(date +%s)
for t in $(order "$work/shared"); do
	[ "$running" -ge "$jobs" ] && collect
	run_one "$t"
done
while [ "$running" -gt 0 ]; do collect; done
for t in $(order "$work/alone"); do
	run_one "$t"
	collect
done
pids=""
[ -z "$some" ] && cp "$work/times" "$times" 2>/dev/null

secs=$(( $(date +%s) - suite_start ))
cpu=$(awk -v t="$cpu_ticks" -v hz="$hz" 'BEGIN { printf "%.0f", t / hz }')
if [ -z "$failed" ]; then
	echo "integration: $n tests, all passed (${secs}s, $jobs at a time, ${cpu}s CPU)"
	exit 0
fi
echo "integration: $n tests, FAILED:$failed (${secs}s, $jobs at a time, ${cpu}s CPU)"
exit 1
