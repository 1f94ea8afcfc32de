#!/bin/sh
# Screen test: the cluster goes away while the console runs. The console must
# show a banner and stale (unknown) tenants within seconds, never freeze, and
# still answer keys; the screens after the loss are compared with golden files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 0.001
screen_settle
screen_run stale &
run_pid=$!
i=0
while [ ! -f "$KS_DIR/screen-stale/before.txt" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
if [ -f "$KS_DIR/screen-stale/before.txt" ]; then ok "the console drew the live fleet"; else fail "no first screen in 60 s"; fi
start=$(date +%s)
kill "$KS_PID"; wait "$KS_PID" 2>/dev/null; KS_PID=""
if wait "$run_pid"; then ok "the console ran its script to the end after the cluster went away"
else fail "smartops failed"; sed 's/^/    /' "$KS_DIR/screen-stale/stderr" | head; fi
secs=$(( $(date +%s) - start ))
[ "$secs" -le 15 ] && ok "loss noticed and script done in ${secs}s" || fail "took ${secs}s after the kill"
grep -q "30 unknown" "$KS_DIR/screen-stale/after.txt" && ok "every tenant is unknown" || fail "tenants not unknown"
grep -q "cluster kubesim-admin unreachable since" "$KS_DIR/screen-stale/after.txt" && ok "banner names the cluster" || fail "no banner"
grep -q "UNREACHABLE" "$KS_DIR/screen-stale/after.txt" && ok "status bar says unreachable" || fail "status bar"
screen_compare stale after.txt after-tenant.txt after-filter.txt
finish
