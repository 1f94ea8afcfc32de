#!/bin/sh
# Runs every fuzz harness of BUILD_DIR/fuzz for SECONDS each, one after the
# other, at low priority: first over its seed corpus (fuzz/corpus/NAME, in the
# tree, crashes found before included: they are the regression tests), then
# fuzzing, new inputs kept in BUILD_DIR/corpus/NAME. Fails on the first crash,
# leak or timeout, and says how to replay it.
# Usage: fuzz/run.sh BUILD_DIR SECONDS [NAME...]
# FUZZ_RUNS=N also stops each harness after N executions (the long runs by
# hand; FUZZ_TIMEOUT=S for a slow input, 10 by default: at nice 19 on a loaded
# machine a starved process can pass 10 s of wall time without being slow),
# e.g. FUZZ_RUNS=10000000 fuzz/run.sh build-fuzz 3600 fuzz_jscan.
set -u
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS [NAME...]}
secs=${2:?usage: fuzz/run.sh BUILD_DIR SECONDS [NAME...]}
shift 2
names=$*
[ -n "$names" ] || names=$(cd "$build/fuzz" && ls fuzz_* | grep -v '\.[od]$')
fail=0
for n in $names; do
	bin="$build/fuzz/$n"
	seeds="fuzz/corpus/${n#fuzz_}"
	work="$build/corpus/${n#fuzz_}"
	mkdir -p "$work" "$build/crashes"
	log="$build/$n.log"
	if nice -n "${FUZZ_NICE:-10}" "$bin" ${FUZZ_RUNS:+-runs=$FUZZ_RUNS} -max_total_time="$secs" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$build/crashes/$n-" -print_final_stats=1 "$work" "$seeds" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		echo "  ok      $n (${secs}s, ${execs:-?} executions)"
	else
		echo "  FAIL    $n: see $log; replay with $bin $build/crashes/$n-*"
		grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -10 | sed 's/^/        /'
		fail=1
	fi
done
exit $fail
