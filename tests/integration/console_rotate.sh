#!/bin/sh
# A new database password from the tenant screen (P, or :rotate-password) against a real
# PostgreSQL 15 wired into kubesim with --managed-postgres: the environment menu greys
# what is not a managed PostgreSQL, the confirmation says what happens, the run gives
# the role a new password written only into Secret db-credentials (the old one refused,
# the new one logs in, neither on the screen), DbAccess rolled; --readonly is refused
# before any change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

S="$(cd "$BUILD" && pwd)/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log" XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config" \
	XDG_STATE_HOME="$KS_DIR/state" TZ=UTC LANG=C.UTF-8
pg_start
printf '%s\n' "$PG_ADMIN_PASSWORD" >"$KS_DIR/admin.pw"
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60 --no-traffic \
	--managed-postgres "$PG_CONNINFO" --managed-postgres-password-file "$KS_DIR/admin.pw"
rm -f "$KS_DIR/admin.pw"
so() { PGPASSFILE="$KS_DIR/no-pgpass" "$S" "$@"; }

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
T=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp")))][0].tcode' "$KS_DIR/catalog.json")
t=$(echo "$T" | tr 'T' 't'); N=${t}_prod
so apply namespace --tcode "$T" --yes >/dev/null 2>"$KS_DIR/err" || { fail "apply namespace $T"; cat "$KS_DIR/err"; finish; }
so apply database --tcode "$T" --env prod --yes >/dev/null 2>"$KS_DIR/err" || { fail "apply database $T"; cat "$KS_DIR/err"; finish; }
ok "tenant $T with its managed database"

secret_pw() { kcurl "$KS_URL/api/v1/namespaces/$t-prod/secrets/db-credentials" | jq -r '.data.password // empty' | base64 -d; }
logs_in() { # PASSWORD: 0 when the tenant's role logs in with it
	printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$N" "$1" >"$KS_DIR/pgpass.t"
	chmod 600 "$KS_DIR/pgpass.t"
	PGPASSFILE="$KS_DIR/pgpass.t" psql "host=$PG_HOST port=$PG_PORT user=$N dbname=$N sslmode=disable" \
		-X -q -A -t -w -c "select 1" >/dev/null 2>&1
}
dbaccess_ann() { kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess" |
	jq -r '.spec.template.metadata.annotations["smart.totvs.com/dbaccess-password"] // empty'; }
OLD=$(secret_pw)
[ -n "$OLD" ] && logs_in "$OLD" && ok "the first password logs in" || fail "no working first password"
ANN0=$(dbaccess_ann)

cd "$KS_DIR" || exit 1
run_script() { # SCRIPT [smartops options]: the console with no terminal
	sc=$1; shift
	HOME="$KS_DIR/home" PGPASSFILE="$KS_DIR/no-pgpass" timeout 120 "$S" "$@" --tenant "$T" --script "$sc" \
		>"$KS_DIR/so.out" 2>&1 || { cat "$KS_DIR/so.out"; return 1; }
}

# ---- P on the tenant screen: the menu, the dialog, the run ----
cat >rot.keys <<'SCRIPT'
:wait-for connected 60
:wait-for "managed PostgreSQL" 60
P
:wait-for "which environment" 60
:save-display menu.txt
p
:wait-for "New database password for" 30
:save-display dialog.txt
y
:wait-for "new password" 120
:save-display done.txt
:quit
SCRIPT
check "P on the tenant screen runs to :quit" run_script rot.keys
expect_out "the menu asks which environment, prod is the managed PostgreSQL" "prod +managed PostgreSQL" cat menu.txt
expect_out "dev (a container) is greyed with its reason" "dev .*container in its namespace" cat menu.txt
expect_out "the dialog says what happens" "SCRAM verifier for the tenant.s role" cat dialog.txt
NEW=$(secret_pw)
[ -n "$NEW" ] && [ "$NEW" != "$OLD" ] && ok "Secret db-credentials holds a new password" || fail "the password did not change"
logs_in "$NEW" && ok "the new password logs in" || fail "the new password does not log in"
logs_in "$OLD" && fail "the old password still logs in" || ok "the old password is refused"
[ -n "$(dbaccess_ann)" ] && [ "$(dbaccess_ann)" != "$ANN0" ] && ok "DbAccess rolled to read it" || fail "DbAccess not rolled"
leaks=0
for f in menu.txt dialog.txt done.txt so.out "$PG_DIR/server.log" "$SMARTOPS_AUDIT_LOG"; do
	[ -f "$f" ] || continue
	grep -qF "$NEW" "$f" && { fail "the new password is in $(basename "$f")"; leaks=1; }
done
[ $leaks = 0 ] && ok "the new password is on no screen, nor in the server log or the audit log"
grep -q 'action="\{0,1\}rotate-password' "$SMARTOPS_AUDIT_LOG" && ok "the rotation is audited" || fail "no rotate-password audit line"

# ---- :rotate-password under --readonly: refused, nothing changed ----
cat >ro.keys <<'SCRIPT'
:wait-for connected 60
:rotate-password prod
:wait-for "read-only session" 60
:save-display ro.txt
:quit
SCRIPT
check ":rotate-password under --readonly runs to :quit" run_script ro.keys --readonly
expect_out "--readonly: refused with its reason" "read-only session" cat ro.txt
[ "$(secret_pw)" = "$NEW" ] && logs_in "$NEW" && ok "--readonly changed nothing" || fail "--readonly changed the password"
finish
