#!/bin/sh
# Rolling back a run that updated objects of an earlier run: the prior values of
# the fields it changed are journalled with the intent and put back (server-side
# apply, the same field manager); an object changed since by someone else is
# kept and the rollback says so; a crash at the intent leaves nothing to put
# back; an update whose prior state would not fit in the journal is refused.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
# no builds of the fleet's own (--no-builds): a build Job in a tenant the test made
# would be an object the run did not create, which its roll back keeps
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 11 --time-scale 60 --no-builds

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
# an ERP tenant with enough licences that size s has fewer AppServers than the default
T=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active" and .products==["erp"] and .licences.prod > 50)][0].tcode' "$KS_DIR/catalog.json")
t=$(echo "$T" | tr 'T' 't')
echo "tenant $T"
ING="apis/networking.k8s.io/v1/namespaces"
hosts() { # every Ingress host of the tenant, sorted, one line (one curl, one jq for both lists)
	kcurl -g "$KS_URL/$ING/$t-prod/ingresses" "$KS_URL/$ING/$t-dev/ingresses" |
		jq -r '.items[] | .spec.rules[].host, .spec.tls[]?.hosts[]' | sort | tr '\n' ' '
}
objects() { # "kind/ns/name uid" of the objects with a label selector, outside smartops-system
	# shellcheck disable=SC2086
	klists "$1" $NS_PLAN_KINDS | jq -r '.items[] | "\(.kind)/\(.metadata.namespace // "")/\(.metadata.name) \(.metadata.uid)"' |
		grep -v '/smartops-system/' | sort
}
journal_text() { kcurl "$KS_URL/api/v1/namespaces/smartops-system/configmaps/run-$1" | jq -r .data.journal; }

# ---- the first run, then a new domain: 4 Ingresses updated ----
"$S" apply namespace --tcode "$T" --yes >"$KS_DIR/r1" 2>"$KS_DIR/err"; rc=$?
R1=$(cat "$KS_DIR/r1")
[ $rc -eq 0 ] && ok "first apply ($R1)" || { fail "first apply (rc $rc)"; tail -5 "$KS_DIR/err"; }
N=$("$S" runs "$R1" -o json | jq '.steps | length')
objects "smart.totvs.com/run=$R1" >"$KS_DIR/objs1"
H1=$(hosts)
echo "hosts: $H1"
"$S" apply namespace --tcode "$T" --domain new.example.com --yes >"$KS_DIR/r2" 2>"$KS_DIR/err"; rc=$?
R2=$(cat "$KS_DIR/r2")
[ $rc -eq 0 ] && grep -q "0 created, 4 updated" "$KS_DIR/err" && ok "new domain: 4 Ingresses updated ($R2)" ||
	{ fail "second apply (rc $rc)"; tail -5 "$KS_DIR/err"; }
H2=$(hosts)
[ "$H2" != "$H1" ] && echo "$H2" | grep -q "new.example.com" && ok "the hosts follow the new domain" || fail "hosts after the update: $H2"

# the journal holds the prior values of exactly the changed fields
"$S" runs "$R2" -o json >"$KS_DIR/r2.json"
[ "$(jq -c '[.steps[] | select(.prior) | .kind]' "$KS_DIR/r2.json")" = '["Ingress","Ingress","Ingress","Ingress"]' ] &&
	ok "the journal records a prior state for the 4 updated Ingresses, none for the rest" || fail "prior states in the journal"
jq -r '.steps[] | select(.prior) | .prior.changed[] | .path | map(tostring) | join(".")' "$KS_DIR/r2.json" | sort -u >"$KS_DIR/paths"
printf 'spec.rules.0.host\nspec.tls.0.hosts.0\n' | cmp -s - "$KS_DIR/paths" &&
	ok "the changed fields recorded are the host fields" || { fail "changed paths"; cat "$KS_DIR/paths"; }
webapp_prior=$(jq -r '.steps[] | select(.id=="prod/ingresses/webapp") | .prior.config.spec.rules[0].host' "$KS_DIR/r2.json")
[ "$webapp_prior" = "webapp-$t.smart.example.com" ] && ok "the prior value is the first domain's host ($webapp_prior)" || fail "prior host $webapp_prior"
size=$(jq '[.steps[] | select(.prior) | .prior | tojson | length] | add' "$KS_DIR/r2.json")
total=$(journal_text "$R2" | wc -c)
echo "    prior states: $size bytes for 4 Ingresses; journal $total bytes"

# ---- rollback of the second run: hosts back, nothing deleted ----
"$S" runs rollback "$R2" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "rolled back: 0 deleted, 4 restored, $((N - 4)) kept" "$KS_DIR/err" &&
	ok "rollback: 0 deleted, 4 restored, $((N - 4)) kept" || { fail "rollback of the update (rc $rc)"; tail -5 "$KS_DIR/err"; }
[ "$(grep -c 'restore .*ingresses/' "$KS_DIR/err")" = 4 ] && ok "progress names each restored step" || fail "no per-step restore lines"
[ "$(hosts)" = "$H1" ] && ok "every host is back to the first domain" || fail "hosts after rollback: $(hosts)"
objects "smart.totvs.com/run=$R1" >"$KS_DIR/objs2"
cmp -s "$KS_DIR/objs1" "$KS_DIR/objs2" && ok "the first run's $N objects are intact (same uids, same run label)" ||
	{ fail "objects changed by the rollback"; diff "$KS_DIR/objs1" "$KS_DIR/objs2" | head; }
"$S" runs "$R2" -o json >"$KS_DIR/r2b.json"
[ "$(jq -r .state "$KS_DIR/r2b.json")" = rolled-back ] &&
	[ "$(jq '[.steps[] | select(.state=="restored")] | length' "$KS_DIR/r2b.json")" = 4 ] &&
	ok "journal: rolled-back, the 4 updates restored" || fail "journal after the rollback"
[ "$(grep -c "run=$R2 action=restore .*Ingress.*result=ok" "$SMARTOPS_AUDIT_LOG")" = 4 ] && ok "audit log has the 4 restores" || fail "audit restores"
"$S" apply namespace --tcode "$T" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "0 created, 0 updated, $N unchanged" "$KS_DIR/err" &&
	ok "an apply with the first inputs finds nothing to change: the objects are as the first run left them" ||
	{ fail "re-apply after the rollback (rc $rc)"; tail -3 "$KS_DIR/err"; }
m=$(kcurl "$KS_URL/$ING/$t-prod/ingresses/webapp" | jq -r '[.metadata.managedFields[] | .manager] | unique | join(",")')
[ "$m" = smartops ] && ok "the fields stay smartops's (field managers: $m)" || fail "field managers after restore: $m"

# ---- changed since by someone else: that object is kept, the others restored ----
"$S" apply namespace --tcode "$T" --domain other.example.com --yes >"$KS_DIR/r3" 2>"$KS_DIR/err" || fail "third apply"
R3=$(cat "$KS_DIR/r3")
kcurl -X PATCH -H 'Content-Type: application/json-patch+json' \
	-d '[{"op":"replace","path":"/spec/rules/0/host","value":"shop.customer.example"}]' \
	"$KS_URL/$ING/$t-prod/ingresses/webapp?fieldManager=kubectl-edit" >/dev/null
"$S" runs rollback "$R3" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "rolled back: 0 deleted, 3 restored" "$KS_DIR/err" &&
	grep -q "prod/ingresses/webapp kept, not put back: changed since this run (spec.rules\[0\].host is \"shop.customer.example\", not \"webapp-$t.other.example.com\" as this run wrote it)" "$KS_DIR/err" &&
	ok "an Ingress edited since the run is kept, and the rollback says what changed" || { fail "rollback over an edit (rc $rc)"; tail -5 "$KS_DIR/err"; }
[ "$(kcurl "$KS_URL/$ING/$t-prod/ingresses/webapp" | jq -r '.spec.rules[0].host')" = shop.customer.example ] &&
	ok "the edit is not clobbered" || fail "the edited host was overwritten"
[ "$(kcurl "$KS_URL/$ING/$t-dev/ingresses/webapp" | jq -r '.spec.rules[0].host')" = "webapp-$t-dev.smart.example.com" ] &&
	ok "the other Ingresses are back to the first domain" || fail "dev webapp host"
[ "$("$S" runs "$R3" -o json | jq -r '.steps[] | select(.id=="prod/ingresses/webapp") | .state')" = kept ] &&
	ok "journal marks the edited one kept" || fail "journal state of the edited Ingress"
"$S" apply namespace --tcode "$T" --yes >/dev/null 2>&1 || fail "apply to repair the edit"

# ---- a crash between the intent and the change: the prior state is already there ----
jq -r '.steps | map(.id) | index("dev/ingresses/rest")' "$KS_DIR/r2.json" >"$KS_DIR/k"
K=$(cat "$KS_DIR/k")
SMARTOPS_TEST_KILL_AT_INTENT=$K "$S" apply namespace --tcode "$T" --domain crash.example.com --yes >/dev/null 2>&1
RK=$("$S" runs --tcode "$T" -o json | jq -r '[.items[] | select(.state=="running")][0].run')
"$S" runs "$RK" -o json >"$KS_DIR/rk.json"
[ "$(jq -r ".steps[$K].state" "$KS_DIR/rk.json")" = applying ] &&
	[ "$(jq -r ".steps[$K].prior.config.spec.rules[0].host" "$KS_DIR/rk.json")" = "rest-$t-dev.smart.example.com" ] &&
	ok "killed at the intent of step $K: the journal holds the intent with the prior state" || fail "journal at the intent: $(jq -c ".steps[$K] | {state,prior}" "$KS_DIR/rk.json")"
"$S" runs rollback "$RK" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "0 deleted, 3 restored" "$KS_DIR/err" &&
	[ "$(jq -r '.steps[] | select(.state=="kept" and (.message | test("had not taken"))) | .id' <"$("$S" runs "$RK" -o json >"$KS_DIR/rk2.json"; echo "$KS_DIR/rk2.json")")" = dev/ingresses/rest ] &&
	[ "$(hosts)" = "$H1" ] &&
	ok "rolled back: the 3 updates made put back, the one that had not taken kept, hosts as before" ||
	{ fail "rollback after the crash (rc $rc)"; tail -4 "$KS_DIR/err"; hosts; }
SMARTOPS_TEST_KILL_AT_INTENT=$K "$S" apply namespace --tcode "$T" --domain crash.example.com --yes >/dev/null 2>&1
RK=$("$S" runs --tcode "$T" -o json | jq -r '[.items[] | select(.state=="running")][0].run')
"$S" runs resume "$RK" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && [ "$(kcurl "$KS_URL/$ING/$t-dev/ingresses/rest" | jq -r '.spec.rules[0].host')" = "rest-$t-dev.crash.example.com" ] &&
	ok "the run killed at the intent resumes to done" || { fail "resume after the crash (rc $rc)"; tail -3 "$KS_DIR/err"; }
"$S" runs rollback "$RK" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "0 deleted, 4 restored" "$KS_DIR/err" && [ "$(hosts)" = "$H1" ] &&
	ok "and its rollback puts all 4 back" || { fail "rollback of the resumed run (rc $rc)"; tail -3 "$KS_DIR/err"; }

# ---- a new size: Deployments updated, rolled back to their replica counts ----
PUB="$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments"
reps() { kcurl "$PUB" | jq -c '[.items[] | select(.metadata.annotations["smart.totvs.com/hypnus-replicas"]) | [.metadata.name, .spec.replicas, .metadata.annotations["smart.totvs.com/hypnus-replicas"]]]'; }
before=$(reps)
"$S" apply namespace --tcode "$T" --size s --yes >"$KS_DIR/rs" 2>"$KS_DIR/err"; rc=$?
after=$(reps)
if [ "$before" = "$after" ]; then
	fail "size s changed nothing ($before): pick a tenant with more licences"
else
	"$S" runs rollback "$(cat "$KS_DIR/rs")" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
	[ $rc -eq 0 ] && [ "$(reps)" = "$before" ] && ok "size s ($after) rolled back to $before" || { fail "size rollback (rc $rc): $(reps)"; tail -3 "$KS_DIR/err"; }
fi

# ---- a prior state that would not fit in the journal: refused before any change ----
limit=$((total - size / 2))
SMARTOPS_TEST_JOURNAL_MAX=$limit "$S" apply namespace --tcode "$T" --domain big.example.com --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 1 ] && grep -q "refused, nothing changed" "$KS_DIR/err" && grep -q "the 4 updates would need .* bytes of journal to be undone" "$KS_DIR/err" &&
	[ "$(hosts)" = "$H1" ] && ok "updates whose prior state would not fit (limit $limit bytes) are refused, nothing changed" ||
	{ fail "journal limit (rc $rc)"; tail -4 "$KS_DIR/err"; }

# ---- the first run rolled back last: everything goes ----
"$S" runs rollback "$R1" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "rolled back: $N deleted, 0 restored, 0 kept" "$KS_DIR/err" && [ -z "$(objects "smart.totvs.com/tcode=$T")" ] &&
	ok "rolling back the first run deletes its $N objects" || { fail "rollback of the first run (rc $rc)"; tail -4 "$KS_DIR/err"; }
finish
