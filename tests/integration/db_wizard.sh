#!/bin/sh
# The database wizard (managed PostgreSQL of an ERP prod environment) against a real
# PostgreSQL 15 (tests/integration/pg.sh) wired into kubesim with --managed-postgres, the
# admin's password only in Secret smart-platform-postgres: the plan (golden file); apply
# makes exactly the role and database (checked with psql as the admin), the Secret's
# password logs in and appears nowhere else; dbaccess.ini names the server and DbAccess
# rolls; a second apply issues no DDL and keeps the password; rollback drops what the run
# made, refuses a database with tables unless the TCODE is typed; foreign objects and a
# read-only PostgreSQL user refused before any change.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

S="$BUILD/smartops"
GOLDEN=tests/golden/plan_database.json
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
pg_start
printf '%s\n' "$PG_ADMIN_PASSWORD" >"$KS_DIR/admin.pw"
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60 --no-traffic \
	--managed-postgres "$PG_CONNINFO" --managed-postgres-password-file "$KS_DIR/admin.pw"
rm -f "$KS_DIR/admin.pw"
# smartops finds the admin's password in the platform's Secret only: no password file
SO_PGPASS="$KS_DIR/no-pgpass"
so() { PGPASSFILE="$SO_PGPASS" "$S" "$@"; }

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select($1)][${2:-0}].tcode" "$KS_DIR/catalog.json"; }
T=$(pick '.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp"))')
T2=$(pick '.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp"))' 1)
t=$(echo "$T" | tr 'T' 't'); t2=$(echo "$T2" | tr 'T' 't')
N=${t}_prod
echo "tenant $T, second tenant $T2"
for x in "$T" "$T2"; do
	so apply namespace --tcode "$x" --yes >/dev/null 2>"$KS_DIR/err" &&
		ok "namespaces of $x made" || { fail "apply namespace $x"; cat "$KS_DIR/err"; finish; }
done

secret_key() { kcurl "$KS_URL/api/v1/namespaces/$1-prod/secrets/db-credentials" | jq -r ".data.$2 // empty" | base64 -d; }
ini() { kcurl "$KS_URL/api/v1/namespaces/$1-prod/configmaps/dbaccess-ini" | jq -r '.data["dbaccess.ini"]'; }
# tenant_psql USER PASSWORD_FILE SQL: psql as the tenant, its password in a pgpass file of ours
tenant_psql() {
	printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$1" "$(cat "$2")" >"$KS_DIR/pgpass.t"
	chmod 600 "$KS_DIR/pgpass.t"
	PGPASSFILE="$KS_DIR/pgpass.t" psql "host=$PG_HOST port=$PG_PORT user=$1 dbname=$1 sslmode=disable" \
		-X -q -A -t -w -v ON_ERROR_STOP=1 -c "$3"
}
DDL='(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT) '
# role_db NAME: "roles|databases" of that name on the server, in one psql (each
# is a connection, a backend and a SCRAM exchange: some 65 ms of CPU)
role_db() { pg_psql "select (select count(*) from pg_roles where rolname = '$1') || '|' || (select count(*) from pg_database where datname = '$1')"; }
runs_db() { so runs --tcode "$1" -o json | jq -r '[.items[] | select(.wizard=="database")][0].run // empty'; }

# ---- the plan, as a golden file ----
so plan database --tcode "$T" --env prod -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"
rc=$?
# the server's port and the tenant differ from run to run: the golden file has placeholders
jq -S . "$KS_DIR/plan.json" 2>/dev/null | sed -e "s/$PG_PORT/PGPORT/g" -e "s/$T/TCODE/g" -e "s/$t/tcode/g" \
	-e 's/\(dbaccess-config": \)"[0-9a-f]*"/\1"HASH"/' >"$KS_DIR/plan.pretty"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
[ "$(jq -r '[.steps[] | .diff] | join(",")' "$KS_DIR/plan.json")" = "create,create,create,change,change" ] &&
	ok "plan: role, database, access to create; dbaccess.ini and DbAccess to change" ||
	fail "plan diffs: $(jq -c '[.steps[] | [.id, .diff, .reason]]' "$KS_DIR/plan.json")"
jq -r '.steps[1].body.statements[0]' "$KS_DIR/plan.json" | grep -q "^CREATE DATABASE \"$N\" OWNER \"$N\" TEMPLATE template0 ENCODING 'WIN1252' LC_COLLATE 'C' LC_CTYPE 'C'$" &&
	ok "the plan shows CREATE DATABASE with its encoding and collation" || fail "plan statements: $(jq -c '.steps[1].body' "$KS_DIR/plan.json")"
jq -r '.steps[0].body.statements[0]' "$KS_DIR/plan.json" | grep -q "PASSWORD '<SCRAM-SHA-256 verifier of a generated password>'$" &&
	ok "the plan shows CREATE ROLE with the verifier elided" || fail "role statement: $(jq -r '.steps[0].body.statements[0]' "$KS_DIR/plan.json")"
expect_out "the plan as a table names the SQL steps" "prod/pg-database/$N +exists" so plan database --tcode "$T"
expect_out "plan --dry-run: the server's checks (privileges) accept it" "dry run accept this plan" \
	so plan database --tcode "$T" --dry-run
n_before=$(pg_psql "select count(*) from pg_roles where rolname = '$N'")
[ "$n_before" = 0 ] && ok "planning made nothing on the server" || fail "plan made a role"

# ---- apply ----
roles_dbs_before=$(pg_psql "select (select string_agg(rolname, ',' order by rolname) from pg_roles) || '|' ||
	(select string_agg(datname, ',' order by datname) from pg_database)")
pg_log_mark
so apply database --tcode "$T" --env prod --yes >"$KS_DIR/apply.out" 2>"$KS_DIR/apply.err" &&
	ok "apply database" || { fail "apply database"; cat "$KS_DIR/apply.err"; }
RUN=$(cat "$KS_DIR/apply.out")
roles_dbs_after=$(pg_psql "select (select string_agg(rolname, ',' order by rolname) from pg_roles where rolname <> '$N') || '|' ||
	(select string_agg(datname, ',' order by datname) from pg_database where datname <> '$N')")
[ "$roles_dbs_before" = "$roles_dbs_after" ] &&
	[ "$(pg_psql "select count(*) from pg_roles where rolname = '$N'")" = 1 ] &&
	ok "apply made exactly one role and one database" || fail "other roles or databases changed"
expect_out "the database: owned by the role, WIN1252, C/C" "^$N\|WIN1252\|C\|C$" \
	pg_psql "select pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype from pg_database where datname = '$N'"
expect_out "the role: login, no superuser, connection limit 50, marked with the run" "^t\|f\|50\|smartops tenant $T prod run $RUN$" \
	pg_psql "select rolcanlogin, rolsuper, rolconnlimit, shobj_description(oid, 'pg_authid') from pg_roles where rolname = '$N'"
pg_psql "create role stranger login password 'x'" >/dev/null
expect_out "CONNECT: the role yes, PUBLIC none, another role no" '^t\|0\|f$' \
	pg_psql "select has_database_privilege('$N', '$N', 'CONNECT'),
	  (select count(*) from pg_database d, aclexplode(d.datacl) a where d.datname = '$N' and a.grantee = 0),
	  has_database_privilege('stranger', '$N', 'CONNECT')"
secret_key "$t" password >"$KS_DIR/pw"
[ "$(wc -c <"$KS_DIR/pw")" -eq 32 ] && ok "Secret db-credentials holds a 32-character password" || fail "Secret password"
[ "$(secret_key "$t" username)|$(secret_key "$t" database)|$(secret_key "$t" host)|$(secret_key "$t" port)" = \
	"$N|$N|$PG_HOST|$PG_PORT" ] && ok "Secret db-credentials: username, database, host, port" || fail "Secret keys"
expect_out "the Secret's password logs in to the tenant's database" "^$N\|$N$" \
	tenant_psql "$N" "$KS_DIR/pw" "select current_user, current_database()"
PW=$(cat "$KS_DIR/pw")
so runs "$RUN" -o json >"$KS_DIR/journal.json" 2>&1
kcurl "$KS_URL/api/v1/namespaces/smartops-system/configmaps/run-$RUN" >"$KS_DIR/journal.cm"
leaks=0
for f in "$PG_DIR/server.log" "$KS_DIR/apply.out" "$KS_DIR/apply.err" "$KS_DIR/plan.json" "$KS_DIR/journal.json" \
	"$KS_DIR/journal.cm" "$SMARTOPS_AUDIT_LOG"; do
	grep -qF "$PW" "$f" && { fail "the password is in $(basename "$f")"; leaks=1; }
done
[ $leaks = 0 ] && ok "the password is in none of: the server log (log_statement=all), the output, the plan, the journal, the audit log"
[ -s "$SMARTOPS_AUDIT_LOG" ] && grep -q "run=$RUN" "$SMARTOPS_AUDIT_LOG" && ok "the run is audited" || fail "no audit lines"
n=$(pg_log_since | grep -cE "statement: $DDL|execute .*: $DDL")
[ "$n" -ge 5 ] && ok "apply issued its DDL ($n statements)" || fail "apply DDL count $n"
ini "$t" >"$KS_DIR/ini"
awk -v s="[POSTGRES/$N]" '$0==s{f=1;next} /^\[/{f=0} f' "$KS_DIR/ini" | tr -d '\r' | sort >"$KS_DIR/ini.sect"
grep -qx "Server=$PG_HOST" "$KS_DIR/ini.sect" && grep -qx "Port=$PG_PORT" "$KS_DIR/ini.sect" &&
	grep -qx "Database=$N" "$KS_DIR/ini.sect" && grep -qx "User=$N" "$KS_DIR/ini.sect" &&
	ok "dbaccess.ini's [POSTGRES/$N] names the server, port, database and user" || { fail "dbaccess.ini"; cat "$KS_DIR/ini"; }
grep -qiE '^ *password *=' "$KS_DIR/ini" && fail "dbaccess.ini holds a password" || ok "dbaccess.ini holds no password"
ann=$(kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess" |
	jq -r '.spec.template.metadata.annotations["smart.totvs.com/dbaccess-config"] // empty')
[ -n "$ann" ] && ok "DbAccess rolled (template annotation $ann)" || fail "DbAccess not rolled"
kubectl --request-timeout=20s rollout status deploy/dbaccess -n "$t-prod" --timeout=60s >/dev/null 2>&1 &&
	ok "DbAccess ready after the roll" || fail "DbAccess not ready"

# ---- a second apply: no DDL, the same password ----
pg_log_mark
so apply database --tcode "$T" --env prod --yes >"$KS_DIR/out2" 2>"$KS_DIR/err2" &&
	ok "a second apply" || { fail "second apply"; cat "$KS_DIR/err2"; }
n=$(pg_log_since | grep -cE "$DDL")
[ "$n" -eq 0 ] && ok "the second apply issued no DDL" || { fail "the second apply issued $n DDL statements"; pg_log_since | grep -E "$DDL"; }
grep -q "5 unchanged" "$KS_DIR/err2" && ok "the second apply changed nothing" || fail "second apply: $(cat "$KS_DIR/err2")"
[ "$(secret_key "$t" password)" = "$PW" ] && ok "the password is as it was" || fail "the password changed"
expect_out "the first password still logs in" '^1$' tenant_psql "$N" "$KS_DIR/pw" "select 1"

# ---- rollback: drops what the run made ----
ann_before=$(kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess" | jq -c '.spec.template.metadata.annotations // {}')
expect_out "rollback of the run" "rolled back: 2 deleted, 2 restored" so runs rollback "$RUN" --yes
[ "$(role_db "$N")" = "0|0" ] &&
	ok "rollback dropped the role and the database" || fail "role or database left after rollback"
[ -z "$(secret_key "$t" username)" ] && ok "rollback deleted Secret db-credentials" || fail "Secret left after rollback"
ini "$t" | grep -qx "Database=$N" && fail "dbaccess.ini not put back" || ok "dbaccess.ini put back as it was"
kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess" |
	jq -e '.spec.template.metadata.annotations["smart.totvs.com/dbaccess-config"] == null' >/dev/null &&
	ok "DbAccess's roll annotation taken back" || fail "roll annotation left"

# ---- rollback refuses a database with tables, unless the TCODE is typed ----
so apply database --tcode "$T" --yes >"$KS_DIR/apply.out" 2>"$KS_DIR/err" && ok "apply again" || { fail "apply again"; cat "$KS_DIR/err"; }
RUN2=$(cat "$KS_DIR/apply.out")
secret_key "$t" password >"$KS_DIR/pw"
check "the tenant makes a table" tenant_psql "$N" "$KS_DIR/pw" "create table sc5010 (a int); insert into sc5010 values (1)"
so runs rollback "$RUN2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "holds 1 table" "$KS_DIR/out" && grep -q -- "TCODE ($T)" "$KS_DIR/out" &&
	ok "rollback refuses the database with a table, and says how to confirm (exit $rc)" || { fail "rollback with a table (rc $rc)"; cat "$KS_DIR/out"; }
[ "$(role_db "$N")" = "1|1" ] &&
	ok "the database and its role are still there" || fail "dropped despite the table"
expect_out "the tenant's data is intact" '^1$' tenant_psql "$N" "$KS_DIR/pw" "select count(*) from sc5010"
expect_out "rollback with the TCODE typed goes ahead" "rolled back" so runs rollback "$RUN2" --yes --confirm-tcode "$T"
[ "$(role_db "$N")" = "0|0" ] &&
	ok "confirmed: the database and the role dropped" || fail "left after a confirmed rollback"

# ---- a foreign role or database of the same name is refused, nothing made ----
N2=${t2}_prod
pg_psql "create role $N2 login password 'x'" >/dev/null
so apply database --tcode "$T2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "role $N2 .* is not $T2's" "$KS_DIR/out" && grep -q "nothing changed" "$KS_DIR/out" &&
	ok "a foreign role of the tenant's name refused (exit 1)" || { fail "foreign role (rc $rc)"; cat "$KS_DIR/out"; }
[ -z "$(runs_db "$T2")" ] && [ -z "$(secret_key "$t2" username)" ] && [ "$(pg_psql "select count(*) from pg_database where datname = '$N2'")" = 0 ] &&
	ok "nothing was made for it (no journal, no Secret, no database)" || fail "something made for a foreign role"
pg_psql "drop role $N2" >/dev/null
pg_psql "create database $N2 owner stranger" >/dev/null
so apply database --tcode "$T2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "database $N2 .* owned by stranger" "$KS_DIR/out" && [ "$(pg_psql "select count(*) from pg_roles where rolname = '$N2'")" = 0 ] &&
	ok "a foreign database refused, no role made (exit 1)" || { fail "foreign database (rc $rc)"; cat "$KS_DIR/out"; }
pg_psql "drop database $N2" >/dev/null

# ---- a read-only Kubernetes user is refused before any change: it may not even read
# the platform's password ----
pg_log_mark
so --context kubesim-support apply database --tcode "$T2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "nothing changed" "$KS_DIR/out" && grep -q "smart-platform-postgres could not be read" "$KS_DIR/out" &&
	[ "$(pg_log_since | grep -cE "$DDL")" = 0 ] && [ -z "$(runs_db "$T2")" ] &&
	ok "a read-only Kubernetes user refused, saying the platform's Secret is not readable: no DDL, no journal" ||
	{ fail "read-only Kubernetes user (rc $rc)"; cat "$KS_DIR/out"; }
PGPASSFILE="$PGPASSFILE" "$S" --context kubesim-support apply database --tcode "$T2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "cannot read Secret $t2-prod/db-credentials: .*forbidden" "$KS_DIR/out" &&
	[ "$(pg_log_since | grep -cE "$DDL")" = 0 ] && [ -z "$(runs_db "$T2")" ] &&
	ok "... and with the server's password at hand, refused: it may not read the tenant's Secret (exit 1)" ||
	{ fail "read-only Kubernetes user with a password file (rc $rc)"; cat "$KS_DIR/out"; }

# ---- a read-only PostgreSQL user is refused before any change ----
pg_psql "create role ro_admin login password 'ro-secret-1'" >/dev/null
kubectl --request-timeout=20s -n smartops-system get configmap smart-platform -o json >"$KS_DIR/platform.json"
ro_ci="host=$PG_HOST port=$PG_PORT user=ro_admin dbname=postgres sslmode=disable"
ro_b64=$(printf 'ro-secret-1' | base64)
check "the platform pointed at a read-only user" kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' \
	"$KS_URL/api/v1/namespaces/smartops-system/configmaps/smart-platform" -d "{\"data\":{\"postgres.conninfo\":\"$ro_ci\"}}"
admin_b64=$(kcurl "$KS_URL/api/v1/namespaces/smartops-system/secrets/smart-platform-postgres" | jq -r .data.password)
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' "$KS_URL/api/v1/namespaces/smartops-system/secrets/smart-platform-postgres" \
	-d "{\"data\":{\"password\":\"$ro_b64\"}}" >/dev/null
pg_log_mark
so apply database --tcode "$T2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "ro_admin may not create roles and databases" "$KS_DIR/out" && grep -q "nothing changed" "$KS_DIR/out" &&
	ok "a read-only PostgreSQL user refused before any change (exit 1)" || { fail "read-only user (rc $rc)"; cat "$KS_DIR/out"; }
[ "$(pg_log_since | grep -cE "$DDL")" = 0 ] && [ -z "$(runs_db "$T2")" ] && ok "no DDL, no journal" || fail "read-only: something was done"
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' "$KS_URL/api/v1/namespaces/smartops-system/configmaps/smart-platform" \
	-d "{\"data\":{\"postgres.conninfo\":\"$PG_CONNINFO\"}}" >/dev/null
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' "$KS_URL/api/v1/namespaces/smartops-system/secrets/smart-platform-postgres" \
	-d "{\"data\":{\"password\":\"$admin_b64\"}}" >/dev/null

# ---- the server stopped: a clear error, nothing changed; mid-run: a resumable journal ----
pg_stop
so apply database --tcode "$T2" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "$PG_HOST" "$KS_DIR/out" && grep -q "nothing changed" "$KS_DIR/out" &&
	ok "server down before the run: refused with a clear error (exit 1)" || { fail "server down (rc $rc)"; cat "$KS_DIR/out"; }
pg_restart
SMARTOPS_TEST_KILL_AFTER=0 PGPASSFILE="$SO_PGPASS" "$S" apply database --tcode "$T2" --yes >/dev/null 2>&1
R3=$(runs_db "$T2")
[ -n "$R3" ] && ok "a run killed after its role ($R3)" || fail "no run journalled"
pg_stop
so runs resume "$R3" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -qi "connect\|unreachable\|refus" "$KS_DIR/out" && ok "resume with the server down: a clear error (exit $rc)" ||
	{ fail "resume with the server down (rc $rc)"; cat "$KS_DIR/out"; }
[ -n "$R3" ] && so runs "$R3" -o json | jq -e '.state == "running" or .state == "failed" or .state == "paused"' >/dev/null &&
	ok "the journal is kept, resumable" || fail "journal state: $(so runs "$R3" -o json | jq -r .state)"
pg_restart
expect_out "resumed once the server is back: done" "done" so runs resume "$R3" --yes
[ "$(role_db "$N2")" = "1|1" ] &&
	ok "each object made once" || fail "objects after resume"
secret_key "$t2" password >"$KS_DIR/pw2"
expect_out "its Secret's password logs in" '^1$' tenant_psql "$N2" "$KS_DIR/pw2" "select 1"
so runs rollback "$R3" --yes >/dev/null 2>&1

# ---- killed at every step boundary, and between intent and change, then resumed ----
# objects: role and database count, the role's and database's run, the Secret's password logs in
made_once() { # RUN
	[ "$(pg_psql "select (select count(*) from pg_roles where rolname = '$N') || '|' ||
		(select count(*) from pg_database where datname = '$N') || '|' ||
		coalesce((select shobj_description(oid, 'pg_authid') from pg_roles where rolname = '$N'), '') || '|' ||
		coalesce((select shobj_description(oid, 'pg_database') from pg_database where datname = '$N'), '')")" = \
		"1|1|smartops tenant $T prod run $1|smartops tenant $T prod run $1" ] &&
	secret_key "$t" password >"$KS_DIR/pwk" && tenant_psql "$N" "$KS_DIR/pwk" "select 1" >/dev/null 2>&1 &&
	[ "$(ini "$t" | grep -c "^\[POSTGRES/$N\]")" = 1 ]
}
for hook in AFTER=0 AFTER=1 AFTER=2 AFTER=3 AFTER=4 AT_INTENT=0 AT_INTENT=1 AT_INTENT=2; do
	env "SMARTOPS_TEST_KILL_$hook" PGPASSFILE="$SO_PGPASS" "$S" apply database --tcode "$T" --yes >/dev/null 2>&1
	rc=$?
	R=$(runs_db "$T")
	so runs resume "$R" --yes >"$KS_DIR/out" 2>&1 || { fail "kill $hook: resume (run $R)"; cat "$KS_DIR/out"; continue; }
	made_once "$R" && ok "killed at $hook (exit $rc), resumed: each object once, made by the run, the password logs in" ||
		fail "killed at $hook: objects after resume"
	so runs rollback "$R" --yes >/dev/null 2>&1
	[ "$(pg_psql "select count(*) from pg_roles where rolname = '$N'")" = 0 ] || fail "kill $hook: rollback left the role"
done
# a run that died between CREATE DATABASE and its COMMENT (they cannot share a transaction):
# the database is unmarked, owned by the run's role; the rollback drops both
SMARTOPS_TEST_KILL_AT_INTENT=1 PGPASSFILE="$SO_PGPASS" "$S" apply database --tcode "$T" --yes >/dev/null 2>&1
R=$(runs_db "$T")
pg_psql "create database $N owner $N template template0 encoding 'WIN1252' lc_collate 'C' lc_ctype 'C'" >/dev/null
so runs rollback "$R" --yes >"$KS_DIR/out" 2>&1
[ "$(role_db "$N")" = "0|0" ] &&
	ok "died before the database's comment: rollback drops the unmarked database and the role" ||
	{ fail "unmarked database after rollback"; cat "$KS_DIR/out"; }
# a run that died between CREATE ROLE and the Secret: the resume sets a new password and writes it
SMARTOPS_TEST_KILL_AFTER=0 PGPASSFILE="$SO_PGPASS" "$S" apply database --tcode "$T" --yes >/dev/null 2>&1
R=$(runs_db "$T")
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$t-prod/secrets/db-credentials" >/dev/null
so runs resume "$R" --yes >"$KS_DIR/out" 2>&1 && made_once "$R" &&
	ok "the Secret lost after the role: the resume rotated the password and wrote it" || { fail "lost Secret"; cat "$KS_DIR/out"; }
so runs rollback "$R" --yes >/dev/null 2>&1

# ---- the tenant's lock held on the server by someone else: refused, nothing changed ----
tnum=$(echo "$T" | sed 's/^T0*//')
( pg_psql "select pg_advisory_lock(5459279, $tnum), pg_sleep(60)" >/dev/null 2>&1 ) &
LOCKER=$!
wait_for "another session holds the tenant's lock" 20 sh -c \
	"[ \"\$(psql '$PG_CONNINFO' -X -A -t -c \"select count(*) from pg_locks where locktype = 'advisory' and classid = 5459279 and objid = $tnum and granted\")\" = 1 ]"
so apply database --tcode "$T" --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -qi "lock" "$KS_DIR/out" && grep -q "nothing changed" "$KS_DIR/out" &&
	[ "$(pg_psql "select count(*) from pg_roles where rolname = '$N'")" = 0 ] &&
	ok "the tenant's advisory lock held elsewhere: refused (exit 1), nothing made" || { fail "lock held (rc $rc)"; cat "$KS_DIR/out"; }
pg_psql "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and classid = 5459279 and objid = $tnum" >/dev/null
wait "$LOCKER" 2>/dev/null

# ---- backends terminated during the run: resumed until done, each object once ----
: >"$KS_DIR/terms"
# the first three sessions smartops opens are cut, whenever they are
( while [ ! -e "$KS_DIR/stop" ] && [ "$(awk '{s += $1} END {print s + 0}' "$KS_DIR/terms")" -lt 3 ]; do
	pg_psql "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'smartops'" >>"$KS_DIR/terms" 2>/dev/null
  done ) &
TERM_PID=$!
wait_for "the session cutter runs" 10 sh -c "[ -s '$KS_DIR/terms' ]"
# an apply cut before its first change is refused and leaves no run: applied again;
# one cut after is resumed
R=""; rc=1; i=0
while [ $rc -ne 0 ] && [ $i -lt 8 ]; do
	if [ -z "$R" ]; then
		so apply database --tcode "$T" --yes >"$KS_DIR/out.run" 2>"$KS_DIR/out"
		rc=$?
		R=$(cat "$KS_DIR/out.run")
	else
		so runs resume "$R" --yes >/dev/null 2>"$KS_DIR/out"
		rc=$?
	fi
	i=$((i + 1))
done
touch "$KS_DIR/stop"; wait "$TERM_PID"
hits=$(awk '{s += $1} END {print s + 0}' "$KS_DIR/terms")
[ $rc -eq 0 ] && made_once "$R" &&
	ok "backends terminated during the run ($hits terminations, $i attempts): done, each object once" ||
	{ fail "terminated backends: rc $rc after $i attempts"; cat "$KS_DIR/out"; }

# ---- smartops db rotate-password: a new verifier, the Secret, DbAccess rolled ----
secret_key "$t" password >"$KS_DIR/old.pw"
pg_log_mark
so db rotate-password --tcode "$T" --env prod --yes >"$KS_DIR/rot.out" 2>"$KS_DIR/rot.err" &&
	ok "rotate-password" || { fail "rotate-password"; cat "$KS_DIR/rot.err"; }
secret_key "$t" password >"$KS_DIR/new.pw"
[ "$(wc -c <"$KS_DIR/new.pw")" -eq 32 ] && ! cmp -s "$KS_DIR/old.pw" "$KS_DIR/new.pw" &&
	ok "the Secret holds a new 32-character password" || fail "Secret not rotated"
tenant_psql "$N" "$KS_DIR/old.pw" "select 1" >/dev/null 2>&1 && fail "the old password still logs in" ||
	ok "the old password no longer logs in"
expect_out "the new password logs in" '^1$' tenant_psql "$N" "$KS_DIR/new.pw" "select 1"
NEWPW=$(cat "$KS_DIR/new.pw")
grep -qF "$NEWPW" "$KS_DIR/rot.out" "$KS_DIR/rot.err" "$SMARTOPS_AUDIT_LOG" && fail "the new password was written out" ||
	{ pg_log_since | grep -qF "$NEWPW" && fail "the new password is in the server log" ||
	  ok "the new password is in no output, audit line or server log line"; }
kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess" |
	jq -e '.spec.template.metadata.annotations["smart.totvs.com/dbaccess-password"] != null' >/dev/null &&
	ok "DbAccess rolled for the new password" || fail "DbAccess not rolled"
grep -q "rotate-password" "$SMARTOPS_AUDIT_LOG" && ok "the rotation is audited" || fail "rotation not audited"
so --readonly db rotate-password --tcode "$T" --env prod --yes >/dev/null 2>&1
rc=$?
[ $rc -eq 4 ] && [ "$(secret_key "$t" password)" = "$NEWPW" ] && ok "a read-only session may not rotate (exit 4)" ||
	fail "read-only rotation: rc $rc"
so db rotate-password --tcode "$T2" --env dev --yes >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "not the managed PostgreSQL" "$KS_DIR/out" && ok "dev (a container database) refused (exit 1)" ||
	{ fail "rotate dev: rc $rc"; cat "$KS_DIR/out"; }

# ---- --pg-conninfo for one run: its password from libpq's files, never the platform's Secret ----
CI2="host=$PG_HOST port=$PG_PORT user=$PG_ADMIN dbname=postgres sslmode=disable connect_timeout=7"
so plan database --tcode "$T2" --pg-conninfo "$CI2" >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -qi "password" "$KS_DIR/out" &&
	ok "a typed server is not given the platform's password (exit 1, says a password is missing)" || { fail "typed conninfo without pgpass (rc $rc)"; cat "$KS_DIR/out"; }
PGPASSFILE="$PGPASSFILE" "$S" apply database --tcode "$T2" --pg-conninfo "$CI2" --yes >"$KS_DIR/r.out" 2>"$KS_DIR/r.err" &&
	ok "with the password in PGPASSFILE, apply --pg-conninfo" || { fail "apply --pg-conninfo"; cat "$KS_DIR/r.err"; }
R=$(cat "$KS_DIR/r.out")
[ -n "$R" ] && so runs "$R" -o json | jq -e --arg c "$CI2" '.inputs.pgConninfo == $c' >/dev/null &&
	ok "the run records the typed server in its inputs" || fail "pgConninfo not in the run's inputs"
[ "$(pg_psql "select count(*) from pg_roles where rolname = '$N2'")" = 1 ] && ok "made on it" || fail "no role"
PGPASSFILE="$PGPASSFILE" "$S" runs rollback "$R" --yes >/dev/null 2>&1 &&
	[ "$(pg_psql "select count(*) from pg_roles where rolname = '$N2'")" = 0 ] && ok "rolled back on the same server" ||
	fail "rollback of a --pg-conninfo run"
expect_out "a typed conninfo with a password refused" "holds a password" so plan database --tcode "$T2" --pg-conninfo "host=x password=hunter2"

finish
