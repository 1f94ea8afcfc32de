#!/bin/sh
# A hostile journal (fault matrix row 24): the journal ConfigMap of a finished run
# is edited by someone with write access to smartops-system to name objects that
# are not the run's (with their real uids, marked created), a path outside the
# API, and a huge field. A journal with a path that names no object is refused
# whole; without it, a rollback deletes what the run made and nothing else, and
# says what it kept.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
API_LOG="$KS_DIR/api.log"
# no builds of the fleet's own (--no-builds): a build Job in a tenant the test made
# would be an object the run did not create, which its roll back keeps
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 5 --time-scale 60 --no-builds --audit-log "$API_LOG"

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
A=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active")][0].tcode' "$KS_DIR/catalog.json")
SEEDED=$(jq -r '[.items[] | select(.provisioned==true)][0].tcode' "$KS_DIR/catalog.json")
SNS=$(echo "$SEEDED" | tr T t)-prod
"$S" apply namespace --tcode "$A" --yes >"$KS_DIR/run" 2>"$KS_DIR/err"; rc=$?
RA=$(cat "$KS_DIR/run")
[ $rc -eq 0 ] && ok "apply of $A ($RA)" || { fail "apply (rc $rc)"; tail "$KS_DIR/err"; }

# someone else's objects: a ConfigMap of nobody, a seeded tenant's Deployment
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/default/configmaps" \
	-d '{"metadata":{"name":"precious"},"data":{"a":"b"}}' >"$KS_DIR/precious.json"
PUID=$(jq -r .metadata.uid "$KS_DIR/precious.json")
DUID=$(kcurl "$KS_URL/apis/apps/v1/namespaces/$SNS/deployments/license" | jq -r .metadata.uid)
[ -n "$PUID" ] && [ "$DUID" != null ] && ok "victims in place" || fail "victims (uid $PUID, $DUID)"

# the journal, edited
CM="$KS_URL/api/v1/namespaces/smartops-system/configmaps/run-$RA"
kcurl "$CM" >"$KS_DIR/cm.json"
jq -r .data.journal "$KS_DIR/cm.json" >"$KS_DIR/journal.json"
N=$(jq '[.steps[] | select(.created == true)] | length' "$KS_DIR/journal.json")
head -c 200000 /dev/zero | tr '\0' 'x' >"$KS_DIR/huge"
jq --arg puid "$PUID" --arg duid "$DUID" --arg sns "$SNS" --rawfile huge "$KS_DIR/huge" '
	.steps += [
	  {"id":"evil-cm","kind":"ConfigMap","path":"/api/v1/namespaces/default/configmaps/precious","state":"applied","created":true,"uid":$puid},
	  {"id":"evil-deploy","kind":"Deployment","path":("/apis/apps/v1/namespaces/" + $sns + "/deployments/license"),"state":"applied","created":true,"uid":$duid},
	  {"id":"evil-path","kind":"ConfigMap","path":"/../../etc/passwd","state":"applied","created":true},
	  {"id":"evil-huge","kind":"ConfigMap","path":"/api/v1/namespaces/default/configmaps/nothing","state":"applied","created":true,"message":$huge}
	]' "$KS_DIR/journal.json" >"$KS_DIR/journal.bad"
# put_journal FILE: the run's journal ConfigMap with FILE as its journal
put_journal() {
	kcurl "$CM" | jq --rawfile j "$1" '.data.journal = ($j | rtrimstr("\n"))' >"$KS_DIR/cm.bad"
	code=$(kcurl -o "$KS_DIR/put.out" -w '%{http_code}' -X PUT -H 'Content-Type: application/json' --data-binary @"$KS_DIR/cm.bad" "$CM")
	[ "$code" = 200 ] && ok "the journal was edited ($2)" || { fail "PUT of the edited journal: $code"; head -c 300 "$KS_DIR/put.out"; }
}

# first, with a path that names no object of the API: the whole rollback is refused
put_journal "$KS_DIR/journal.bad" "a path outside the API among them"
dels0=$(grep -c " DELETE " "$API_LOG")
"$S" runs rollback "$RA" --yes >"$KS_DIR/rb0.out" 2>"$KS_DIR/rb0.err"; rc=$?
[ $rc -eq 1 ] && grep -q "damaged: step .* (evil-path)" "$KS_DIR/rb0.err" &&
	[ "$(grep -c " DELETE " "$API_LOG")" = "$dels0" ] &&
	ok "a journal with a path outside the API: rollback refused, the step named, nothing deleted" ||
	{ fail "damaged journal (rc $rc)"; head -3 "$KS_DIR/rb0.err"; }

# then without it: what the run made goes, the others' objects stay
jq '.steps |= map(select(.id != "evil-path"))' "$KS_DIR/journal.bad" >"$KS_DIR/journal.bad2"
put_journal "$KS_DIR/journal.bad2" "others' objects with their uids and a 200 KB field"
"$S" runs rollback "$RA" --yes >"$KS_DIR/rb.out" 2>"$KS_DIR/rb.err"; rc=$?
echo "    rollback exit $rc; what it said of the foreign steps:"; grep -E "kept|evil|precious|license|passwd|nothing" "$KS_DIR/rb.err" | cut -c1-200 | sed 's/^/    /'
[ "$(kcurl "$KS_URL/api/v1/namespaces/default/configmaps/precious" | jq -r .metadata.uid)" = "$PUID" ] &&
	ok "a ConfigMap not the run's, named in the journal with its uid, is not deleted" || fail "precious deleted"
[ "$(kcurl "$KS_URL/apis/apps/v1/namespaces/$SNS/deployments/license" | jq -r .metadata.uid)" = "$DUID" ] &&
	ok "another tenant's Deployment named in the journal is not deleted" || fail "seeded Deployment deleted"
left=0
for p in api/v1/namespaces api/v1/configmaps apis/apps/v1/deployments; do
	left=$((left + $(kcurl "$KS_URL/$p?labelSelector=smart.totvs.com/run=$RA" | jq '[.items[] | select(.metadata.namespace != "smartops-system")] | length')))
done
[ "$left" = 0 ] && ok "what the run made is gone" || fail "$left objects of the run left"
check "the foreign steps are said as kept" sh -c "grep -q 'kept .*evil-cm' '$KS_DIR/rb.err' && grep -q 'kept .*evil-deploy' '$KS_DIR/rb.err'"
a=$(echo "$A" | tr T t)
[ "$(grep -c " DELETE .*/namespaces/$a-" "$API_LOG")" -ge 40 ] && ok "the rollback's DELETEs are in kubesim's audit log" || fail "no DELETEs in the audit log"
grep " DELETE " "$API_LOG" | grep -v -e "/namespaces/$a-prod" -e "/namespaces/$a-dev" -e "/namespaces/smartops-system/" >"$KS_DIR/foreign.del"
[ ! -s "$KS_DIR/foreign.del" ] && ok "no DELETE reached kubesim outside the tenant's namespaces (audit log)" ||
	{ fail "DELETEs outside the tenant's namespaces"; head -5 "$KS_DIR/foreign.del"; }
check "no raw control bytes in what was said" sh -c "! grep -q \"\$(printf '\\033')\" '$KS_DIR/rb.err'"
finish
