#!/bin/sh
# `make test`: the unit tests and the integration tests of build folder $1, side
# by side: the integration tests spend most of their time waiting (for kubesim's
# simulated clock, its controllers, a console's screen), so the unit tests run
# meanwhile on the CPU they leave. The unit tests' report is printed whole once
# both are done (never mixed with the integration tests' lines). With
# INTEGRATION_JOBS=1 (one test at a time, as under the sanitizers) the unit
# tests run first and the integration tests after them, as before.
# The exit status is 0 only when both passed.
set -u
build=${1:-build}
here=$(dirname "$0")
if [ "${INTEGRATION_JOBS:-}" = 1 ]; then
	"$here/run-unit.sh" "$build" || { "$here/run-integration.sh" "$build"; exit 1; }
	exec "$here/run-integration.sh" "$build"
fi
log=$(mktemp)
unit=""
trap '[ -n "$unit" ] && kill "$unit" 2>/dev/null; rm -f "$log" "$log.rc"' EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
("$here/run-unit.sh" "$build" >"$log" 2>&1; echo $? >"$log.rc"; echo "unit: done after $(( $(date +%s) - start ))s" >>"$log") &
unit=$!
"$here/run-integration.sh" "$build"
irc=$?
wait "$unit"
unit=""
cat "$log"
urc=$(cat "$log.rc" 2>/dev/null || echo 1)
echo "make test: $(( $(date +%s) - start ))s, unit $([ $urc -eq 0 ] && echo passed || echo FAILED), integration $([ $irc -eq 0 ] && echo passed || echo FAILED)"
[ $irc -eq 0 ] && [ $urc -eq 0 ]
