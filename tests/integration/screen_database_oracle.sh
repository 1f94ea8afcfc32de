#!/bin/sh
# The database wizard in the console on a Smart eSocial tenant (kubesim, fleet 10, seed
# 7): Oracle typed into the form with the user's password typed once (drawn masked; it
# reaches Secret db-credentials and no screen, journal, audit line or DBA's script; the
# command line refuses it), the review, the run to done (golden screens); the tenant
# screen's database line and `tenant -o json` say "handed-off", with the server and the
# service, until an operator marks it done (`smartops db handoff-done`); then "ready".
# UPDATE_GOLDEN=1 sh tests/integration/screen_database_oracle.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

ks_start --fleet 10 --seed 7 --start-time "$SCREEN_START" --time-scale 1 --no-traffic
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
PW=Dba-Typed-Once-7q # as database-oracle.keys types it
E=T62549; e=t62549 # a Smart eSocial contract awaiting onboarding in this fleet

ora_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		sed -E -i \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/t[0-9]{5}-[0-9]{1,13}~/tNNNNN-RUNID~/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' \
			"$f"
		# a tenant screen: its top (the pods' ages and the events below move with the clock)
		case $f in */tenant.txt) sed -i '/^  pods$/,$d' "$f" ;; esac
	done
}
ora_case() {
	name=$1
	if screen_run "$name"; then ok "$name: the script ran to its end"
	else fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10; fi
	ora_normalise "$name"
	screen_compare "$name"
}
db_json() { "$S" tenant $E -o json | jq -c '.envs[] | select(.env == "prod") | .database'; }

"$S" apply namespace --tcode $E --yes >/dev/null 2>"$KS_DIR/ns.err" &&
	ok "$E's namespaces made" || { fail "apply namespace $E"; cat "$KS_DIR/ns.err"; finish; }

expect_out "the command line refuses a password (argv is visible to all): exit 2, says where to give it" \
	"a password is never taken from the command line.*db set-password" \
	sh -c '"$0" plan database --tcode "$1" --oracle-host ora01.example.com --oracle-service ESOCIAL --oracle-password x; echo "rc=$?"' "$S" $E
grep -q "rc=2" "$KS_DIR/out" && ok "... with exit 2" || fail "--oracle-password: not a usage error"

ora_case database-oracle
O="$KS_DIR/screen-database-oracle"
grep -q "OraclePassword: \[•\{17\} *\]" "$O/form.txt" && ok "the form draws the password as 17 bullets" ||
	{ fail "the password field is not masked"; cat "$O/form.txt"; }
[ "$(kcurl "$KS_URL/api/v1/namespaces/$e-prod/secrets/db-credentials" | jq -r .data.password | base64 -d)" = "$PW" ] &&
	ok "Secret db-credentials holds the password typed" || fail "the Secret's password is not the one typed"
"$S" runs --tcode $E -o json >"$KS_DIR/runs.json" 2>&1
run=$(jq -r '[.items[] | select(.wizard=="database")][0].run' "$KS_DIR/runs.json")
"$S" runs "$run" -o json >"$KS_DIR/journal.json" 2>&1
kcurl "$KS_URL/api/v1/namespaces/smartops-system/configmaps/run-$run" >"$KS_DIR/journal.cm"
kcurl "$KS_URL/api/v1/namespaces/$e-prod/configmaps/db-handoff" >"$KS_DIR/handoff.cm"
grep -q '"oracleService"' "$KS_DIR/journal.json" && ok "the run's journal read back ($run)" || fail "no journal of the run"
leaks=0
for f in "$KS_DIR"/screen-database-oracle/*.txt "$KS_DIR"/screen-database-oracle/std* "$KS_DIR/runs.json" \
	"$KS_DIR/journal.json" "$KS_DIR/journal.cm" "$KS_DIR/handoff.cm" "$SMARTOPS_AUDIT_LOG"; do
	grep -qF "$PW" "$f" && { fail "the password is in $(basename "$f")"; leaks=1; }
done
[ $leaks = 0 ] && ok "the password is in no screen capture, the console's output, the journal, the audit log or the DBA's script"
grep -q "^  database  handed-off  Oracle ESOCIAL on ora01.example.com:1521" "$O/tenant.txt" &&
	grep -q "Oracle, handed off to the DBA: service ESOCIAL on ora01.example.com:1521" "$O/tenant.txt" &&
	ok "the tenant screen: Oracle, handed off to the DBA, with its server and service" ||
	{ fail "the tenant screen's database line"; cat "$O/tenant.txt"; }
[ "$(kcurl "$KS_URL/api/v1/namespaces/$e-prod" | jq -r '.metadata.annotations["smart.totvs.com/db-handoff"]')" = pending ] &&
	ok "the namespace says db-handoff=pending (API)" || fail "no pending hand-off on the namespace"
expect_out "tenant -o json: handed-off, with the server and the service" \
	'^\{"engine":"oracle","mode":"handoff","host":"ora01.example.com","port":1521,"name":"ESOCIAL","user":"T62549_PROD","state":"handed-off","detail":"Oracle, handed off to the DBA: service ESOCIAL on ora01.example.com:1521, user T62549_PROD; an operator marks it done' \
	db_json

# a password typed again, once the Secret exists: refused on its field, the Secret as it was
screen_run database-oracle-again || { fail "database-oracle-again: smartops failed"; cat "$KS_DIR/screen-database-oracle-again/stderr"; }
A="$KS_DIR/screen-database-oracle-again/refused.txt"
grep -q "OraclePassword refused:" "$A" && grep -q "exists: a password typed here would" "$A" && grep -q "db set-password" "$A" &&
	! grep -qF "Another-Try-9z" "$A" &&
	ok "a password typed while the Secret exists: refused on its field, saying to use db set-password" ||
	{ fail "a second password not refused"; cat "$A"; }
[ "$(kcurl "$KS_URL/api/v1/namespaces/$e-prod/secrets/db-credentials" | jq -r .data.password | base64 -d)" = "$PW" ] &&
	ok "... and the Secret keeps the first password" || fail "the Secret's password changed"

"$S" db handoff-done --tcode $E --env prod --yes >"$KS_DIR/done.out" 2>&1 &&
	ok "db handoff-done" || { fail "db handoff-done"; cat "$KS_DIR/done.out"; }
expect_out "tenant -o json, once marked done: ready, on the DBA's word" \
	'"state":"ready","detail":"Oracle, made by the DBA \(hand-off marked done\): service ESOCIAL on ora01.example.com:1521, user T62549_PROD; not checked live"' \
	db_json
ora_case database-oracle-done
grep -q "^  database  ready  Oracle ESOCIAL on ora01.example.com:1521" "$KS_DIR/screen-database-oracle-done/tenant.txt" &&
	! grep -q "handed off to the DBA" "$KS_DIR/screen-database-oracle-done/tenant.txt" &&
	ok "the tenant screen, once marked done: ready, no longer handed off" ||
	{ fail "the tenant screen after handoff-done"; cat "$KS_DIR/screen-database-oracle-done/tenant.txt"; }
finish
