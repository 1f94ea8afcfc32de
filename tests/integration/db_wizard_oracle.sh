#!/bin/sh
# The database wizard for a Smart eSocial tenant: Oracle is handed off to the DBA. Against
# kubesim: the plan (golden file) and its refusals (no host, a bad port, PostgreSQL
# options); apply writes dbaccess.ini's [ORACLE/<alias>], Secret db-credentials without a
# password, the DBA's script (ConfigMap db-handoff, printed and written to a file by
# `db handoff-script`) and the namespace's db-handoff=pending, and rolls DbAccess;
# `db set-password --password-stdin` puts the DBA's password in the Secret (nowhere else);
# `db handoff-done` marks it done, and a second apply keeps it done; rollback.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
GOLDEN=tests/golden/plan_database_oracle.json
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60 --no-traffic

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
E=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp") | not))][0].tcode' "$KS_DIR/catalog.json")
e=$(echo "$E" | tr 'T' 't'); NS=$e-prod; A=${e}_prod; U=$(echo "$A" | tr 'a-z' 'A-Z')
echo "eSocial tenant $E"
"$S" apply namespace --tcode "$E" --yes >/dev/null 2>"$KS_DIR/err" && ok "namespaces of $E made" ||
	{ fail "apply namespace"; cat "$KS_DIR/err"; finish; }
ORA="--oracle-host ora01.example.com --oracle-service ESOCIAL"
secret_key() { kcurl "$KS_URL/api/v1/namespaces/$NS/secrets/db-credentials" | jq -r ".data.$1 // empty" | base64 -d; }
handoff() { kcurl "$KS_URL/api/v1/namespaces/$NS" | jq -r '.metadata.annotations["smart.totvs.com/db-handoff"] // empty'; }

# ---- the plan and its refusals ----
"$S" plan database --tcode "$E" --env prod $ORA -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"
rc=$?
jq -S . "$KS_DIR/plan.json" 2>/dev/null | sed -e "s/$E/TCODE/g" -e "s/$e/tcode/g" -e "s/$U/TCODE_PROD/g" \
	-e 's/\(dbaccess-config": \)"[0-9a-f]*"/\1"HASH"/' >"$KS_DIR/plan.pretty"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
[ "$(jq -r '[.steps[] | .id] | join(",")' "$KS_DIR/plan.json")" = \
	"prod/configmaps/dbaccess-ini,prod/secrets/db-credentials,prod/configmaps/db-handoff,prod/namespaces/$NS,prod/deployments/dbaccess" ] &&
	ok "plan: dbaccess.ini, Secret, the DBA's script, the namespace's hand-off, DbAccess" ||
	fail "plan steps: $(jq -c '[.steps[].id]' "$KS_DIR/plan.json")"
jq -e '[.steps[] | select(.id | test("pg-|statefulsets"))] | length == 0' "$KS_DIR/plan.json" >/dev/null &&
	ok "nothing of PostgreSQL is planned" || fail "PostgreSQL steps in an eSocial plan"
expect_out "no --oracle-host: refused, saying what to give" "give --oracle-host and --oracle-service" \
	"$S" plan database --tcode "$E" --env prod
expect_out "a bad port refused" '--oracle-port "99999" is not a port' "$S" plan database --tcode "$E" $ORA --oracle-port 99999
expect_out "--pg-conninfo refused for Oracle" "is for PostgreSQL" "$S" plan database --tcode "$E" $ORA --pg-conninfo "host=x"

# ---- apply ----
"$S" apply database --tcode "$E" --env prod $ORA --yes >"$KS_DIR/apply.out" 2>"$KS_DIR/apply.err" &&
	ok "apply database (Oracle hand-off)" || { fail "apply"; cat "$KS_DIR/apply.err"; finish; }
RUN=$(cat "$KS_DIR/apply.out")
kcurl "$KS_URL/api/v1/namespaces/$NS/configmaps/dbaccess-ini" | jq -r '.data["dbaccess.ini"]' >"$KS_DIR/ini"
awk -v s="[ORACLE/$A]" '$0==s{f=1;next} /^\[/{f=0} f' "$KS_DIR/ini" | sort >"$KS_DIR/sect"
grep -qx "Server=ora01.example.com" "$KS_DIR/sect" && grep -qx "Port=1521" "$KS_DIR/sect" &&
	grep -qx "Service=ESOCIAL" "$KS_DIR/sect" && grep -qx "User=$U" "$KS_DIR/sect" && ! grep -q "^\[POSTGRES" "$KS_DIR/ini" &&
	ok "dbaccess.ini's [ORACLE/$A]: server, port 1521, service, user $U" || { fail "dbaccess.ini"; cat "$KS_DIR/ini"; }
[ "$(secret_key username)|$(secret_key host)|$(secret_key port)|$(secret_key database)|$(secret_key password)" = \
	"$U|ora01.example.com|1521|ESOCIAL|" ] && ok "Secret db-credentials: where, who; no password yet (the DBA's)" || fail "Secret"
[ "$(handoff)" = pending ] && ok "the namespace says the hand-off is pending" || fail "annotation: $(handoff)"
"$S" db handoff-script --tcode "$E" --env prod --out "$KS_DIR/dba.sql" >"$KS_DIR/printed.sql" 2>"$KS_DIR/err" &&
	cmp -s "$KS_DIR/dba.sql" "$KS_DIR/printed.sql" && grep -q "CREATE USER $U IDENTIFIED BY" "$KS_DIR/dba.sql" &&
	grep -q "CREATE BIGFILE TABLESPACE ${U}_DATA" "$KS_DIR/dba.sql" && grep -q "GRANT CREATE SESSION" "$KS_DIR/dba.sql" &&
	ok "the DBA's script: written to a file and printed (tablespace, user, grants)" || { fail "handoff-script"; cat "$KS_DIR/err"; }
check "DbAccess rolled out" kubectl --request-timeout=20s rollout status deploy/dbaccess -n "$NS" --timeout=60s

# ---- the DBA's password, done ----
PW="Dba-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
printf '%s\n' "$PW" | "$S" db set-password --tcode "$E" --env prod --password-stdin >"$KS_DIR/sp.out" 2>"$KS_DIR/sp.err" &&
	ok "set-password --password-stdin" || { fail "set-password"; cat "$KS_DIR/sp.err"; }
[ "$(secret_key password)" = "$PW" ] && [ "$(secret_key username)" = "$U" ] && ok "the Secret holds the DBA's password, the rest as it was" ||
	fail "Secret after set-password"
grep -qF "$PW" "$KS_DIR/sp.out" "$KS_DIR/sp.err" "$SMARTOPS_AUDIT_LOG" && fail "the password was written out" ||
	ok "the password is in no output or audit line"
"$S" db set-password --tcode "$E" --env prod </dev/null >"$KS_DIR/out" 2>&1
[ $? -eq 1 ] && grep -q "not a terminal" "$KS_DIR/out" && ok "set-password without a terminal nor --password-stdin refused" ||
	{ fail "set-password without a terminal"; cat "$KS_DIR/out"; }
check "handoff-done" "$S" db handoff-done --tcode "$E" --env prod --yes
[ "$(handoff)" = done ] && ok "the namespace says the hand-off is done" || fail "annotation after done: $(handoff)"
"$S" apply database --tcode "$E" --env prod $ORA --yes >/dev/null 2>"$KS_DIR/err2"
grep -q "5 unchanged" "$KS_DIR/err2" && [ "$(handoff)" = done ] && [ "$(secret_key password)" = "$PW" ] &&
	ok "a second apply changes nothing: still done, the password kept" || { fail "second apply"; cat "$KS_DIR/err2"; }
expect_out "handoff-done for a PostgreSQL tenant is refused" "no Oracle hand-off" \
	"$S" db handoff-done --tcode "$(jq -r '[.items[] | select(.provisioned==true and (.products | index("erp")))][0].tcode' "$KS_DIR/catalog.json")" --env prod --yes

# ---- rollback ----
expect_out "rollback of the hand-off" "rolled back" "$S" runs rollback "$RUN" --yes
[ "$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces/$NS/configmaps/db-handoff")" = 404 ] &&
	[ "$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces/$NS/secrets/db-credentials")" = 404 ] &&
	ok "the script and the Secret deleted" || fail "left after rollback"

finish
