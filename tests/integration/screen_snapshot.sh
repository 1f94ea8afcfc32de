#!/bin/sh
# Screen test: the console's snapshot of the last fleet seen (core/fleet_cache).
# A second start shows it at once, marked stale with its age, until the fresh
# fleet replaces it; the file is private and holds no Secret data; another
# cluster's snapshot (same context name) is never shown; a corrupt or foreign
# file is ignored with a warning.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 0.001
screen_settle
SCREEN_CACHE="$KS_DIR/cache-shared"
SNAPS="$SCREEN_CACHE/smartops"

# ---- the first run writes the snapshot ----
screen_run snapshot-save && ok "first run: the fleet loaded" || { fail "first run"; cat "$KS_DIR/screen-snapshot-save/stderr"; }
set -- "$SNAPS"/fleet-kubesim-admin-*.snapshot
SNAP=$1
[ -f "$SNAP" ] && [ $# -eq 1 ] && ok "one snapshot written: $(basename "$SNAP")" || fail "snapshot files: $*"
[ "$(stat -c %a "$SNAP")" = 600 ] && ok "the snapshot is mode 600" || fail "snapshot mode $(stat -c %a "$SNAP")"
[ "$(stat -c %a "$SNAPS")" = 700 ] && ok "its folder is mode 700" || fail "folder mode $(stat -c %a "$SNAPS")"
[ "$(grep -c '^t[0-9]*-\(prod\|dev\)	' "$SNAP")" = 60 ] && ok "it holds the 60 environments" || fail "rows: $(grep -c '^t' "$SNAP")"
# never Secret data: no value of any Secret of the cluster is in it
kcurl "$KS_URL/api/v1/secrets" | jq -r '.items[].data // {} | .[]' | sort -u | while read -r b64; do
	v=$(printf '%s' "$b64" | base64 -d 2>/dev/null | tr -d '\n')
	[ ${#v} -ge 6 ] && grep -qF -- "$v" "$SNAP" && echo "$v"
done >"$KS_DIR/leaked"
[ "$(kcurl "$KS_URL/api/v1/secrets" | jq '.items | length')" -gt 0 ] && [ ! -s "$KS_DIR/leaked" ] &&
	ok "no Secret value is in the snapshot" || fail "Secret values in the snapshot: $(head -3 "$KS_DIR/leaked")"

# ---- the next start: stale rows at once, then fresh ones ----
kcurl -X PUT "$KS_URL/sim/v1/faults" -d '{"latency_ms":1500}' >/dev/null
screen_run snapshot &
run=$!
i=0; while [ ! -f "$KS_DIR/screen-snapshot/stale.txt" ] && kill -0 $run 2>/dev/null; do sleep 0.1; done
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
wait $run && ok "second run: stale first, then the fleet" || { fail "second run"; cat "$KS_DIR/screen-snapshot/stderr"; }
S="$KS_DIR/screen-snapshot/stale.txt"
if [ -f "$S" ]; then
	rows=$(grep -c '^T[0-9]\{5\} ' "$S")
	marked=$(grep '^T[0-9]\{5\} ' "$S" | grep -c 'stale [0-9]*[smhd]: ')
	[ "$rows" -gt 10 ] && [ "$rows" = "$marked" ] && ok "every one of the $rows rows is marked stale with its age" || fail "$marked of $rows rows marked stale"
	grep -q "STALE: the fleet as last seen [0-9]*[smhd] ago" "$S" && ok "the line above the table says the fleet is stale" || fail "no STALE line"
	grep -q "STALE (snapshot [0-9]*[smhd] old), loading" "$S" && ok "the status bar says so" || fail "status bar"
	grep -q "available  *[0-9]* \|[0-9] available" "$S" && fail "health counted from the snapshot" || ok "no health counted from the snapshot"
fi
F="$KS_DIR/screen-snapshot/fresh.txt"
[ -f "$F" ] && ! grep -q "stale\|STALE" "$F" && ok "the fresh fleet replaced every stale row" || fail "stale rows left in the fresh frame"
screen_compare snapshot stale.txt fresh.txt

# ---- another cluster behind the same context name: never shown its snapshot ----
KC2="$KS_DIR/kc2"
"$BUILD/kubesim" --port 0 --kubeconfig-out "$KC2" --start-time "$SCREEN_START" --time-scale 0.001 --fleet 5 --seed 3 2>"$KS_DIR/ks2.log" &
KS2=$!
trap 'kill $KS2 2>/dev/null; ks_cleanup' EXIT INT TERM
i=0; while [ ! -s "$KC2" ] && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
other() { # other NAME: the console on the second cluster, its first frame and its fresh one
	KC1=$KUBECONFIG; KUBECONFIG=$KC2
	screen_run snapshot-other || { fail "$1: console failed"; cat "$KS_DIR/screen-snapshot-other/stderr"; }
	KUBECONFIG=$KC1
	mv "$KS_DIR/screen-snapshot-other" "$KS_DIR/screen-$1"
}
other other1
grep -q "STALE\|stale" "$KS_DIR/screen-other1/first.txt" || grep -q "T22954" "$KS_DIR/screen-other1/first.txt" &&
	fail "the first cluster's snapshot shown for the second" || ok "the first cluster's snapshot is not shown for the second (same context name)"
set -- "$SNAPS"/fleet-kubesim-admin-*.snapshot
[ $# -eq 2 ] && ok "each cluster has its own snapshot" || fail "snapshot files: $*"
for f in "$@"; do [ "$f" != "$SNAP" ] && SNAP2=$f; done
# the first cluster's file put under the second's name: refused as foreign
cp "$SNAP" "$SNAP2"
other other2
grep -q "T22954" "$KS_DIR/screen-other2/first.txt" && fail "a foreign snapshot was shown" || ok "a foreign snapshot is not shown"
grep -q "snapshot ignored: written for another cluster" "$KS_DIR/screen-other2/first.txt" "$KS_DIR/screen-other2/fresh.txt" &&
	ok "... and the console says it ignored it, and why" || { fail "no warning for the foreign snapshot"; cat "$KS_DIR/screen-other2/fresh.txt"; }
# its own file cut short: refused as corrupt
head -c 300 "$SNAP2" >"$KS_DIR/cut" && cat "$KS_DIR/cut" >"$SNAP2"
other other3
grep -q "T22954\|STALE" "$KS_DIR/screen-other3/first.txt" && fail "a corrupt snapshot was shown" || ok "a truncated snapshot is not shown"
grep -q "snapshot ignored: truncated" "$KS_DIR/screen-other3/first.txt" "$KS_DIR/screen-other3/fresh.txt" &&
	ok "... and the console says so" || { fail "no warning for the corrupt snapshot"; cat "$KS_DIR/screen-other3/fresh.txt"; }
grep -q '^smartops-fleet-snapshot	1$' "$SNAP2" && ok "the second cluster's snapshot is written again once its fleet is in" || fail "not rewritten"
finish
