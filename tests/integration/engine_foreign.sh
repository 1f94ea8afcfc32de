#!/bin/sh
# A foreign object is never adopted (issue #14, D3): when an object of a planned
# name appears, someone else's, between the observation and the write, and the
# write's answer is lost, the run refuses it instead of applying over it, and a
# rollback leaves it alone. A create of the run's own whose answer is lost is
# recognised by its run label and accepted, written once. kubesim's faults
# foreign_create and lose_write_reply stage both; its audit log counts writes.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/smartops-audit.log"
AUDIT="$KS_DIR/api-audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 0.001 --audit-log "$AUDIT"

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select(.provisioned==false and .model==\"smart\" and .status==\"active\")][$1].tcode" "$KS_DIR/catalog.json"; }
lower() { echo "$1" | tr 'T' 't'; }
A=$(pick 0); B=$(pick 1)
a=$(lower "$A"); b=$(lower "$B")
echo "tenants $A $B"
faults() { kcurl -X PUT -H 'Content-Type: application/json' "$KS_URL/sim/v1/faults" -d "$1" >/dev/null; }
run_of() { "$S" runs --tcode "$1" -o json | jq -r '.items[0].run'; }

# the write faults: bad values refused, counts used up one write at a time
code=$(kcurl -o "$KS_DIR/bad.json" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
	"$KS_URL/sim/v1/faults" -d '{"write_path":5}')
[ "$code" = 400 ] && grep -q "write_path must be a string" "$KS_DIR/bad.json" &&
	ok "fault write_path must be a string (400)" || fail "bad write_path: $code $(cat "$KS_DIR/bad.json")"
faults '{"lose_write_reply":2,"write_path":"/api/v1/namespaces/default/configmaps"}'
code=$(kcurl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	"$KS_URL/api/v1/namespaces/default/configmaps" -d '{"metadata":{"name":"probe"}}')
[ "$code" = 503 ] && [ "$(kcurl "$KS_URL/api/v1/namespaces/default/configmaps/probe" | jq -r .metadata.name)" = probe ] &&
	[ "$(kcurl "$KS_URL/sim/v1/faults" | jq .lose_write_reply)" = 1 ] &&
	ok "lose_write_reply: the create made, answered 503, one left" || fail "lose_write_reply: $code"
faults '{}'

# 1. someone else's ConfigMap appears as the run creates its first one, and the
#    answer is lost: refused, not adopted; the rollback keeps it
faults "{\"foreign_create\":1,\"lose_write_reply\":1,\"write_path\":\"/api/v1/namespaces/$a-prod/configmaps\"}"
"$S" apply namespace --tcode "$A" --yes >/dev/null 2>"$KS_DIR/errA"; rc=$?
faults '{}'
RA=$(run_of "$A")
"$S" runs "$RA" -o json >"$KS_DIR/runA.json"
P=$(jq -r '[.steps[] | select(.state == "failed")][0].path' "$KS_DIR/runA.json")
echo "    run $RA stopped at $P"
[ $rc -eq 5 ] && grep -q "not created by smartops" "$KS_DIR/errA" &&
	ok "foreign object: the apply stopped (exit 5), saying it is not ours" || { fail "foreign object: exit $rc"; tail -5 "$KS_DIR/errA"; }
case "$P" in /api/v1/namespaces/$a-prod/configmaps/*) ok "the failed step is the contested ConfigMap" ;;
*) fail "the failed step is $P" ;; esac
kcurl "$KS_URL$P" >"$KS_DIR/foreign.json"
[ "$(jq -r '.metadata.labels["app.kubernetes.io/managed-by"]' "$KS_DIR/foreign.json")" = someone-else ] &&
	[ "$(jq -r '.metadata.labels["smart.totvs.com/run"] // "none"' "$KS_DIR/foreign.json")" = none ] &&
	ok "the foreign ConfigMap is as its owner made it: no smartops label, no run label" ||
	{ fail "the foreign ConfigMap was written over"; jq -c .metadata.labels "$KS_DIR/foreign.json"; }
[ "$(jq -r --arg p "$P" '.steps[] | select(.path == $p) | .created' "$KS_DIR/runA.json")" = false ] &&
	ok "the journal does not say the run created it" || fail "the journal claims the foreign object"
[ "$(grep -c "PATCH $P " "$AUDIT")" = 0 ] && ok "no apply was sent over it (audit log)" ||
	{ fail "writes over the foreign object:"; grep " $P " "$AUDIT" | head -3; }
"$S" runs rollback "$RA" --yes >/dev/null 2>"$KS_DIR/errRA"; rc=$?
[ $rc -eq 0 ] && ok "the run rolls back" || { fail "rollback (rc $rc)"; tail -3 "$KS_DIR/errRA"; }
[ "$(kcurl "$KS_URL$P" | jq -r '.metadata.labels["app.kubernetes.io/managed-by"]')" = someone-else ] &&
	ok "the rollback left the foreign ConfigMap alone" || fail "the rollback deleted someone else's ConfigMap"
grep -q "DELETE $P " "$AUDIT" && fail "a DELETE of the foreign object was sent" || ok "no DELETE of it was sent (audit log)"
grep -q "namespace $a-prod kept: it holds configmaps/" "$KS_DIR/errRA" &&
	ok "its namespace is kept, and the rollback says why" || { fail "namespace not kept for it"; tail -3 "$KS_DIR/errRA"; }

# 2. the run's own create, its answer lost: recognised by the run label, not sent twice
faults "{\"lose_write_reply\":1,\"write_path\":\"/api/v1/namespaces/$b-prod/configmaps\"}"
"$S" apply namespace --tcode "$B" --yes >/dev/null 2>"$KS_DIR/errB"; rc=$?
faults '{}'
RB=$(run_of "$B")
"$S" runs "$RB" -o json >"$KS_DIR/runB.json"
[ $rc -eq 0 ] && [ "$(jq -r .state "$KS_DIR/runB.json")" = done ] &&
	ok "lost reply of the run's own create: the apply finished (exit 0, done)" || { fail "lost reply: exit $rc"; tail -5 "$KS_DIR/errB"; }
posts=$(grep -c "POST /api/v1/namespaces/$b-prod/configmaps " "$AUDIT")
n_cm=$(jq '[.steps[] | select(.path | startswith("/api/v1/namespaces/'"$b"'-prod/configmaps/"))] | length' "$KS_DIR/runB.json")
[ "$posts" = "$n_cm" ] && ok "each ConfigMap created once ($posts POSTs for $n_cm), the lost one not sent again" ||
	fail "$posts POSTs for $n_cm ConfigMaps"
[ "$(jq '[.steps[] | select(.created != true)] | length' "$KS_DIR/runB.json")" = 0 ] &&
	ok "every step recorded as created by the run" || fail "a step not recorded as the run's"
finish
