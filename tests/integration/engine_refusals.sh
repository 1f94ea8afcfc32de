#!/bin/sh
# A refused run sends no write (issue #14, D7): with the read-only user,
# `apply namespace`, `runs resume` and `runs rollback` are each refused with
# exit 4 (as the README says for refusals for lack of rights) and kubesim's
# audit log shows no write from that user but access reviews: not a journal
# PATCH, not a Lease. The run's journal is left as it was.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/smartops-audit.log"
AUDIT="$KS_DIR/api-audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 0.001 --audit-log "$AUDIT"

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select(.provisioned==false and .model==\"smart\" and .status==\"active\")][$1].tcode" "$KS_DIR/catalog.json"; }
A=$(pick 0); B=$(pick 1)
echo "tenants $A $B"
# support_writes: the read-only user's requests that are not reads nor access reviews
support_writes() {
	grep ' user=support' "$AUDIT" 2>/dev/null | grep -vE ' (GET|HEAD) ' |
		grep -v '/selfsubjectaccessreviews' | wc -l
}

# a run of the admin, stopped after a few steps (killed: the journal says running)
SMARTOPS_TEST_KILL_AFTER=4 "$S" apply namespace --tcode "$A" --yes >/dev/null 2>"$KS_DIR/err"
R=$("$S" runs --tcode "$A" -o json | jq -r '.items[0].run')
[ -n "$R" ] && [ "$R" != null ] && ok "a stopped run of the admin: $R" || fail "no run for $A"
"$S" runs "$R" -o json >"$KS_DIR/before.json"
grep -q ' user=support' "$AUDIT" && fail "the support user wrote before the test" || true

# 1. apply: refused (no permission), nothing written, not even the journal
w0=$(support_writes)
"$S" --context kubesim-support apply namespace --tcode "$B" --yes >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "no permission for this plan" "$KS_DIR/out" &&
	ok "read-only apply refused, exit 4" || { fail "read-only apply (rc $rc)"; head -5 "$KS_DIR/out"; }
[ "$(support_writes)" = "$w0" ] && ok "apply refused: no write reached the server (audit log)" ||
	{ fail "apply refused, yet writes:"; grep ' user=support' "$AUDIT" | grep -vE ' (GET|HEAD) ' | grep -v selfsubject | head -5; }
[ "$("$S" runs --tcode "$B" -o json | jq '.items | length')" = 0 ] && ok "no run of $B listed" ||
	fail "a refused run of $B is stored"

# 2. resume: refused, nothing written
w0=$(support_writes)
"$S" --context kubesim-support runs resume "$R" --yes >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "no permission" "$KS_DIR/out" &&
	ok "read-only resume refused, exit 4" || { fail "read-only resume (rc $rc)"; head -5 "$KS_DIR/out"; }
[ "$(support_writes)" = "$w0" ] && ok "resume refused: no write reached the server (audit log)" ||
	{ fail "resume refused, yet writes:"; grep ' user=support' "$AUDIT" | grep -vE ' (GET|HEAD) ' | grep -v selfsubject | head -5; }

# 3. rollback: refused for lack of rights (exit 4), no Lease, no journal write
w0=$(support_writes)
"$S" --context kubesim-support runs rollback "$R" --yes >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "no permission to roll back" "$KS_DIR/out" &&
	ok "read-only rollback refused, exit 4" || { fail "read-only rollback (rc $rc)"; head -5 "$KS_DIR/out"; }
[ "$(support_writes)" = "$w0" ] && ok "rollback refused: no write reached the server (audit log)" ||
	{ fail "rollback refused, yet writes:"; grep ' user=support' "$AUDIT" | grep -vE ' (GET|HEAD) ' | grep -v selfsubject | head -5; }

# the run is as it was, and the admin can still finish it
"$S" runs "$R" -o json >"$KS_DIR/after.json"
cmp -s "$KS_DIR/before.json" "$KS_DIR/after.json" && ok "the run's journal is as it was" ||
	{ fail "the journal changed"; diff "$KS_DIR/before.json" "$KS_DIR/after.json" | head -5; }
"$S" runs rollback "$R" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && ok "the admin rolls it back" || { fail "admin rollback (rc $rc)"; tail -3 "$KS_DIR/err"; }
finish
