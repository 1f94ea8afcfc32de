#!/bin/sh
# Onboarding an eSocial tenant (DESIGN §4): the plan (golden file), the apply makes
# the eSocial shape (role esocial only, Oracle, no file server, no custom builds,
# no PostgreSQL), kubesim adopts it and the fleet shows it available as an eSocial
# tenant, and a rollback removes it all.
# UPDATE_GOLDEN=1 sh tests/integration/engine_esocial.sh build  rewrites the golden file.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
GOLDEN=tests/golden/plan_namespace_esocial.json
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
ESOCIAL='.provisioned==false and .model=="smart" and .status=="active" and .products==["esocial"]'
n_es=$(jq "[.items[] | select($ESOCIAL)] | length" "$KS_DIR/catalog.json")
[ "$n_es" -ge 2 ] && ok "the catalogue has $n_es eSocial contracts to onboard" || fail "eSocial contracts to onboard: $n_es"
E=$(jq -r "[.items[] | select($ESOCIAL)][0].tcode" "$KS_DIR/catalog.json")
e=$(echo "$E" | tr 'T' 't')
echo "eSocial tenant $E"
KINDS="api/v1/namespaces api/v1/configmaps api/v1/services api/v1/serviceaccounts api/v1/resourcequotas
	api/v1/limitranges api/v1/persistentvolumeclaims api/v1/secrets apis/apps/v1/deployments
	apis/apps/v1/statefulsets apis/batch/v1/jobs apis/networking.k8s.io/v1/ingresses
	apis/networking.k8s.io/v1/networkpolicies apis/rbac.authorization.k8s.io/v1/rolebindings"
objects() { # "Kind/ns/name" of every object in the tenant's namespaces and the namespaces
	objects_unsorted | sort
}
objects_unsorted() { # (one curl, one connection, and one jq over the lists one after another)
	urls="$KS_URL/api/v1/namespaces?labelSelector=smart.totvs.com/tcode=$E"
	for env in prod dev; do
		for p in $KINDS; do
			[ "$p" = api/v1/namespaces ] && continue
			urls="$urls $KS_URL/${p%%/v1/*}/v1/namespaces/$e-$env/${p#*/v1/}"
		done
	done
	# shellcheck disable=SC2086
	kcurl -g $urls 2>/dev/null | jq -r 'if .kind == "NamespaceList" then .items[] | "Namespace//\(.metadata.name)"
		else .items[]? | "\(.kind)/\(.metadata.namespace)/\(.metadata.name)" end'
}

# ---- the plan, as a golden file ----
"$S" plan namespace --tcode "$E" -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"; rc=$?
jq -S . "$KS_DIR/plan.json" >"$KS_DIR/plan.pretty" 2>/dev/null
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
P="$KS_DIR/plan.json"
[ "$(jq -r '.inputs.roles' "$P")" = esocial ] && ok "the role is esocial by default" || fail "roles $(jq -r .inputs.roles "$P")"
[ "$(jq -c '[.steps[] | select(.object.kind=="Deployment") | .object.name] | unique' "$P")" = '["appserver-esocial","dbaccess","hypnus","license","lockserver"]' ] &&
	ok "Deployments: license, lockserver, dbaccess, appserver-esocial, hypnus" || fail "deployments $(jq -c '[.steps[] | select(.object.kind=="Deployment") | .object.name] | unique' "$P")"
[ "$(jq '[.steps[] | select(.object.kind=="PersistentVolumeClaim" or .object.kind=="StatefulSet" or .object.kind=="Job" or .object.kind=="Secret")] | length' "$P")" = 0 ] &&
	ok "no file server, database container, build job or secret in the plan" || fail "storage or builds in the eSocial plan"
[ "$(jq '[.steps[] | select(.body.metadata.labels["smart.totvs.com/product"] != "esocial")] | length' "$P")" = 0 ] &&
	ok "every object is labelled product=esocial" || fail "product labels"
[ "$(jq -r '[.steps[] | select(.object.kind=="Namespace") | .body.metadata.annotations["smart.totvs.com/db"]] | unique | join(",")' "$P")" = oracle ] &&
	ok "both namespaces say db=oracle" || fail "db annotation"
jq -r '.steps[] | select(.object.kind=="ConfigMap") | .body.data[]' "$P" >"$KS_DIR/ini"
grep -q "^\[ORACLE/${e}_prod\]" "$KS_DIR/ini" && grep -q "^\[ORACLE/${e}_dev\]" "$KS_DIR/ini" && grep -q "^TopDatabase=ORACLE" "$KS_DIR/ini" &&
	ok "dbaccess.ini and appserver.ini point at Oracle in prod and dev" || fail "Oracle configuration"
! grep -qi "postgres" "$KS_DIR/ini" && ok "no PostgreSQL anywhere in the configuration" || fail "PostgreSQL in an eSocial configuration"
! grep -q "CustomRpoPath" "$KS_DIR/ini" && ok "no custom RPO path (no custom builds)" || fail "custom RPO path in an eSocial appserver.ini"
[ "$(jq -r '[.steps[] | select(.object.kind=="Ingress") | .body.spec.rules[0].host] | join(" ")' "$P")" = "esocial-$e.smart.example.com esocial-$e-dev.smart.example.com" ] &&
	ok "one Ingress per env, for esocial" || fail "ingresses $(jq -r '[.steps[] | select(.object.kind=="Ingress") | .body.spec.rules[0].host] | join(" ")' "$P")"
expect_out "ERP roles are refused for an eSocial tenant" "role \"webapp\" is not for eSocial tenants|eSocial tenants have the role esocial only" \
	"$S" plan namespace --tcode "$E" --roles webapp

# ---- apply: exactly the plan; kubesim adopts it as an eSocial tenant ----
"$S" apply namespace --tcode "$E" --yes >"$KS_DIR/run" 2>"$KS_DIR/err"; rc=$?
RUN=$(cat "$KS_DIR/run")
n_steps=$(jq '.steps | length' "$P")
[ $rc -eq 0 ] && grep -q "$n_steps created, 0 updated" "$KS_DIR/err" && ok "apply created $n_steps objects ($RUN)" || { fail "apply (rc $rc)"; tail -5 "$KS_DIR/err"; }
jq -r '.steps[] | "\(.object.kind)/\(.object.namespace)/\(.object.name)"' "$P" | sort >"$KS_DIR/planned"
wait_for "the fleet sees $E available" 30 sh -c "'$S' tenant '$E' -o json | jq -e '.health==\"available\"'"
objects >"$KS_DIR/have"
# kubesim's ReplicaSets and pods aside, the namespaces hold exactly what was planned:
# no database container, no volume claim, no secret added by anyone
if diff -u "$KS_DIR/planned" "$KS_DIR/have" >"$KS_DIR/have.diff"; then ok "the namespaces hold exactly the plan, nothing else (no PVC, StatefulSet, Job or Secret)"
else fail "objects differ from the plan"; head -20 "$KS_DIR/have.diff"; fi
"$S" tenant "$E" -o json >"$KS_DIR/tenant.json"
[ "$(jq -r .product "$KS_DIR/tenant.json")" = esocial ] && [ "$(jq -r .contract.products "$KS_DIR/tenant.json")" = esocial ] &&
	ok "the fleet shows $E as an eSocial tenant" || fail "tenant product $(jq -r .product "$KS_DIR/tenant.json")"
[ "$(jq -c '[.envs[] | [.env, .health, ([.public[].service] | join(","))]]' "$KS_DIR/tenant.json")" = '[["prod","available","esocial"],["dev","available","esocial"]]' ] &&
	ok "prod and dev available, each serving esocial" || fail "envs $(jq -c '[.envs[] | [.env, .health, ([.public[].service] | join(","))]]' "$KS_DIR/tenant.json")"
[ "$(jq -c '[.envs[0].base[].component] | sort' "$KS_DIR/tenant.json")" = '["dbaccess","license","lockserver"]' ] &&
	ok "base services: license, lockserver, dbaccess (no database container)" || fail "base $(jq -c '[.envs[0].base[].component]' "$KS_DIR/tenant.json")"
[ "$(kcurl "$KS_URL/catalog/v1/tenants/$E" | jq -r .provisioned)" = true ] && ok "the catalogue says $E is provisioned" || fail "catalogue provisioned"
listed() { "$S" tenants --product esocial -o json | jq --arg t "$E" '[.. | objects | select(.tcode? == $t)] | length'; }
[ "$(listed)" -ge 1 ] && ok "the fleet lists $E among the eSocial tenants" || fail "$E not in tenants --product esocial"
"$S" apply namespace --tcode "$E" --yes >/dev/null 2>"$KS_DIR/err2"; rc=$?
[ $rc -eq 0 ] && grep -q "0 created, 0 updated, $n_steps unchanged" "$KS_DIR/err2" && ok "a second apply changes nothing" || { fail "second apply (rc $rc)"; tail -3 "$KS_DIR/err2"; }

# ---- rollback: all of it goes, the fleet and the catalogue forget it ----
"$S" runs rollback "$RUN" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "rolled back: $n_steps deleted, 0 restored, 0 kept" "$KS_DIR/err" && ok "rollback deleted the $n_steps objects" || { fail "rollback (rc $rc)"; tail -5 "$KS_DIR/err"; }
[ -z "$(objects)" ] && ok "nothing of $E is left" || { fail "objects left"; objects | head; }
unprovisioned() { kcurl "$KS_URL/catalog/v1/tenants/$E" | jq -e '.provisioned==false'; }
wait_for "the catalogue says $E is not provisioned" 20 unprovisioned
[ "$(listed)" = 0 ] && ok "the fleet no longer lists $E" || fail "$E still in the fleet"
finish
