#!/bin/sh
# A namespace re-apply after the other wizards edited its configuration files: the
# database wizard's [POSTGRES/<alias>] in dbaccess.ini (the real server, port, database and
# user, against a real PostgreSQL 15 wired into kubesim) and a promoted build's RPOCustom=
# in an AppServer's appserver.ini (written as the promotion writes it: an apply as the field
# manager smartops). `apply namespace` again keeps both, still applies its own keys, and a
# third plan finds the ConfigMaps unchanged.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

S="$BUILD/smartops"
pg_start
printf '%s\n' "$PG_ADMIN_PASSWORD" >"$KS_DIR/admin.pw"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 60 --no-traffic \
	--managed-postgres "$PG_CONNINFO" --managed-postgres-password-file "$KS_DIR/admin.pw"
rm -f "$KS_DIR/admin.pw"
T=T89197; t=t89197; N=${t}_prod
RPO=s3://smart-rpo/$t/7/custom.rpo
cm() { kcurl "$KS_URL/api/v1/namespaces/$t-prod/configmaps/$1"; }
ini() { cm dbaccess-ini | jq -r '.data["dbaccess.ini"]'; }
section() { awk -v s="[POSTGRES/$N]" '$0==s{f=1;next} /^\[/{f=0} f' | tr -d '\r' | grep . | sort; }

"$S" apply namespace --tcode $T --yes >/dev/null 2>"$KS_DIR/err" && ok "namespaces of $T made" ||
	{ fail "apply namespace"; cat "$KS_DIR/err"; finish; }
"$S" apply database --tcode $T --env prod --yes >/dev/null 2>"$KS_DIR/err" && ok "apply database (prod, managed)" ||
	{ fail "apply database"; cat "$KS_DIR/err"; finish; }
ini | section >"$KS_DIR/db.before"
grep -qx "Server=$PG_HOST" "$KS_DIR/db.before" && grep -qx "Port=$PG_PORT" "$KS_DIR/db.before" &&
	grep -qx "Database=$N" "$KS_DIR/db.before" && ok "dbaccess.ini names the real server after the database wizard" ||
	{ fail "dbaccess.ini before"; cat "$KS_DIR/db.before"; }

# the promotion's edit: RPOCustom= after SourcePath, applied as smartops (labels kept)
cm appserver-webapp-ini | jq --arg rpo "$RPO" '{apiVersion, kind,
	metadata: {name: .metadata.name, namespace: .metadata.namespace, labels: .metadata.labels},
	data: {"appserver.ini": (.data["appserver.ini"] | sub("(?<l>SourcePath=[^\n]*\n)"; "\(.l)RPOCustom=\($rpo)\n"))}}' \
	>"$KS_DIR/promoted.json"
check "RPOCustom= put in appserver-webapp-ini as the promotion does" kcurl -f -X PATCH \
	-H 'Content-Type: application/apply-patch+yaml' \
	"$KS_URL/api/v1/namespaces/$t-prod/configmaps/appserver-webapp-ini?fieldManager=smartops" -d @"$KS_DIR/promoted.json"
cm appserver-webapp-ini | jq -r '.data["appserver.ini"]' | grep -qx "RPOCustom=$RPO" && ok "appserver.ini holds RPOCustom=" ||
	fail "RPOCustom= not written"

# ---- the namespace again ----
"$S" plan namespace --tcode $T -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/err" || { fail "plan namespace"; cat "$KS_DIR/err"; }
[ "$(jq -r '[.steps[] | select(.id == "prod/configmaps/dbaccess-ini" or .id == "prod/configmaps/appserver-webapp-ini") | .diff] | join(",")' "$KS_DIR/plan.json")" = "unchanged,unchanged" ] &&
	ok "the namespace plan finds dbaccess.ini and appserver.ini as they are (unchanged)" ||
	{ fail "namespace plan diffs"; jq -c '.steps[] | select(.plural == "configmaps" or (.id | test("configmaps"))) | [.id, .diff, .reason]' "$KS_DIR/plan.json"; }
jq -r '.steps[] | select(.id == "prod/configmaps/dbaccess-ini") | .body.data["dbaccess.ini"]' "$KS_DIR/plan.json" |
	grep -qx "Server=$PG_HOST" && ok "the plan's dbaccess.ini keeps the database wizard's server" || fail "the plan's dbaccess.ini"
"$S" apply namespace --tcode $T --domain other.example.com --yes >/dev/null 2>"$KS_DIR/err" &&
	ok "apply namespace again (a new domain: its own objects change)" || { fail "apply namespace again"; cat "$KS_DIR/err"; }
ini | section >"$KS_DIR/db.after"
diff "$KS_DIR/db.before" "$KS_DIR/db.after" >/dev/null && ok "dbaccess.ini still names the real server, port, database and user" ||
	{ fail "dbaccess.ini lost the database wizard's keys"; diff "$KS_DIR/db.before" "$KS_DIR/db.after"; }
ini | grep -qx "LicenseServer=license" && ok "dbaccess.ini keeps the namespace's own keys" || fail "dbaccess.ini's [General]"
cm appserver-webapp-ini | jq -r '.data["appserver.ini"]' >"$KS_DIR/as.ini"
grep -qx "RPOCustom=$RPO" "$KS_DIR/as.ini" && ok "appserver.ini still holds RPOCustom=" || { fail "RPOCustom= dropped"; cat "$KS_DIR/as.ini"; }
[ "$(kcurl "$KS_URL/apis/networking.k8s.io/v1/namespaces/$t-prod/ingresses/webapp" | jq -r '.spec.rules[0].host')" = \
	"webapp-$t.other.example.com" ] && ok "the namespace's own change (the Ingress host) applied" || fail "the new domain not applied"
expect_out "the tenant's database still ready (its credentials log in)" '"state":"ready"' \
	sh -c '"$0" tenant "$1" -o json | jq -c ".envs[] | select(.env == \"prod\") | .database"' "$S" $T
finish
