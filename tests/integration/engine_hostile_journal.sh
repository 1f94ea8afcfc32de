#!/bin/sh
# A run journal is a ConfigMap anyone with write access to smartops-system can
# edit. A rollback of a hostile journal is refused with a message, writing
# nothing (kubesim's audit log), when a path does not name one object (a path
# without '/' used to crash it); and it deletes nothing that is not the run's
# when the paths name real objects of someone else.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/smartops-audit.log"
AUDIT="$KS_DIR/api-audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 0.001 --audit-log "$AUDIT"

NS=$(kcurl "$KS_URL/api/v1/namespaces?labelSelector=smart.totvs.com/env=prod" | jq -r '.items[0].metadata.name')
TC=$(kcurl "$KS_URL/api/v1/namespaces/$NS" | jq -r '.metadata.labels["smart.totvs.com/tcode"]')
CM=$(kcurl "$KS_URL/api/v1/namespaces/$NS/configmaps" | jq -r '.items[0].metadata.name')
[ -n "$NS" ] && [ "$NS" != null ] && [ -n "$CM" ] && [ "$CM" != null ] && ok "a tenant's namespace $NS and its ConfigMap $CM" ||
	fail "no tenant namespace in the fleet"
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces" \
	-d '{"metadata":{"name":"smartops-system"}}' >/dev/null

# journal RUN STEPS-JSON: a run journal ConfigMap, as an editor of smartops-system could write it
journal() {
	body=$(jq -n --arg run "$1" --arg tc "$TC" --argjson steps "$2" '{run: $run, tcode: $tc, wizard: "namespace",
		operator: "someone@host:1", state: "done", created: "2026-11-28T15:30:12Z", steps: $steps}' | jq -c .)
	jq -n --arg name "run-$1" --arg j "$body" '{metadata: {name: $name, labels:
		{"app.kubernetes.io/component": "run-journal"}}, data: {journal: $j}}' |
		kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/smartops-system/configmaps" -d @- >/dev/null
}
writes() { grep -cvE ' (GET|HEAD) ' "$AUDIT" 2>/dev/null || true; }
step() { # ID KIND PATH
	printf '{"id":"%s","kind":"%s","path":"%s","state":"applied","created":true,"uid":"x"}' "$1" "$2" "$3"
}

# 1. a path without '/' (and others that name no object): refused before any write
R1=t00001-20261128153012-aaaa
journal "$R1" "[$(step "prod/namespaces/$NS" Namespace "/api/v1/namespaces/$NS"),
	$(step prod/configmaps/x ConfigMap x)]"
R2=t00001-20261128153012-bbbb
journal "$R2" "[$(step prod/configmaps/y ConfigMap "/api/v1/namespaces/$NS/configmaps/../../namespaces/$NS")]"
for r in "$R1" "$R2"; do
	w0=$(writes)
	"$S" runs rollback "$r" --yes >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
	[ $rc = 1 ] && ok "hostile journal $r: rollback refused, exit 1" || { fail "hostile journal $r: exit $rc"; head -5 "$KS_DIR/err"; }
	grep -q "refused, nothing changed: the journal of run $r is damaged: step" "$KS_DIR/err" &&
		grep -q "is not the API path of one object" "$KS_DIR/err" &&
		ok "the refusal names the damaged step: $(grep -o 'step [0-9]* ([^)]*)' "$KS_DIR/err")" ||
		{ fail "no clear refusal"; head -5 "$KS_DIR/err"; }
	[ "$(writes)" = "$w0" ] && ok "no write reached the server (audit log)" ||
		{ fail "writes after a refusal:"; tail -n +$((w0 + 1)) "$AUDIT" | grep -vE ' (GET|HEAD) ' | head -5; }
done
[ "$(kcurl "$KS_URL/api/v1/namespaces/$NS" | jq -r .metadata.name)" = "$NS" ] && ok "namespace $NS still there" || fail "namespace $NS gone"

# 2. well-formed paths to someone else's objects, said created by the run: kept
R3=t00001-20261128153012-cccc
journal "$R3" "[$(step "prod/namespaces/$NS" ConfigMap "/api/v1/namespaces/$NS"),
	$(step "prod/configmaps/$CM" ConfigMap "/api/v1/namespaces/$NS/configmaps/$CM")]"
"$S" runs rollback "$R3" --yes >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
[ $rc = 0 ] && grep -q "rolled back: 0 deleted, 0 restored, 2 kept" "$KS_DIR/err" &&
	ok "foreign objects in a journal: both kept" || { fail "foreign objects: exit $rc"; head -5 "$KS_DIR/err"; }
[ "$(kcurl "$KS_URL/api/v1/namespaces/$NS" | jq -r .metadata.name)" = "$NS" ] &&
	[ "$(kcurl "$KS_URL/api/v1/namespaces/$NS/configmaps/$CM" | jq -r .metadata.name)" = "$CM" ] &&
	ok "the tenant's namespace and ConfigMap are untouched" || fail "a foreign object was deleted"
grep -vE ' (GET|HEAD) ' "$AUDIT" | grep -E "DELETE" | grep -v smartops-system && fail "a DELETE reached the server" ||
	ok "no DELETE outside smartops-system reached the server"
finish
