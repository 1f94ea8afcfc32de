#!/bin/sh
# The PostgreSQL layer (core/db_*) against a real PostgreSQL 15 (tests/integration/pg.sh)
# through build/tests/dbprobe: what apply makes (checked with psql as the admin), the
# password (logs in, sent only as a SCRAM verifier, in no server log), idempotence
# (no DDL the second time), conflicts, locks, a terminated backend and a stopped server
# mid-run, privileges, TLS as the conninfo says, and undo's guards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

pg_start
P="$BUILD/tests/dbprobe"
A="$PG_CONNINFO"
S=$KS_DIR/secrets
mkdir -p "$S" && chmod 700 "$S"

# tenant_psql USER DB SQL: psql as a tenant, its password read from the Secret file F
tenant_psql() {
	printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$1" "$(cat "$S/$1")" >"$S/pgpass.$1"
	chmod 600 "$S/pgpass.$1"
	PGPASSFILE="$S/pgpass.$1" psql "host=$PG_HOST port=$PG_PORT user=$1 dbname=$2 sslmode=disable" \
		-X -q -A -t -w -v ON_ERROR_STOP=1 -c "$3"
}
# count REGEX: lines of the whole server log matching
count() { grep -cE "$1" "$PG_DIR/server.log"; }
DDL='(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT) '

roles_before=$(pg_psql "select string_agg(rolname, ',' order by rolname) from pg_roles")
dbs_before=$(pg_psql "select string_agg(datname, ',' order by datname) from pg_database")

# --- apply makes exactly the role and the database -------------------------------
expect_out "apply makes the role, the database and the privileges" \
	'^access t12345_prod: granted$' "$P" --conninfo "$A" apply T12345 prod --secret-out "$S/t12345_prod"
grep -q '^role t12345_prod: created$' "$KS_DIR/out" && grep -q '^database t12345_prod: created$' "$KS_DIR/out" &&
	ok "apply says what it created" || fail "apply output: $(cat "$KS_DIR/out")"
roles_after=$(pg_psql "select string_agg(rolname, ',' order by rolname) from pg_roles where rolname <> 't12345_prod'")
dbs_after=$(pg_psql "select string_agg(datname, ',' order by datname) from pg_database where datname <> 't12345_prod'")
[ "$roles_before" = "$roles_after" ] && [ "$dbs_before" = "$dbs_after" ] &&
	ok "apply made exactly one role and one database" || fail "other roles or databases changed"
expect_out "the database is owned by the role, WIN1252, C/C" '^t12345_prod\|WIN1252\|C\|C$' \
	pg_psql "select pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype from pg_database where datname = 't12345_prod'"
expect_out "the role logs in, is no superuser, has a connection limit of 50" '^t\|f\|f\|f\|50$' \
	pg_psql "select rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolconnlimit from pg_roles where rolname = 't12345_prod'"
expect_out "the password is stored as a SCRAM-SHA-256 verifier" '^SCRAM-SHA-256\$4096:' \
	pg_psql "select rolpassword from pg_authid where rolname = 't12345_prod'"
pg_psql "create role stranger login password 'x'" >/dev/null
expect_out "CONNECT: the role yes, PUBLIC none, another role no" '^t\|0\|f$' \
	pg_psql "select has_database_privilege('t12345_prod', 't12345_prod', 'CONNECT'),
	  (select count(*) from pg_database d, aclexplode(d.datacl) a where d.datname = 't12345_prod' and a.grantee = 0),
	  has_database_privilege('stranger', 't12345_prod', 'CONNECT')"
expect_out "the generated password logs in to the tenant's database" '^t12345_prod\|t12345_prod$' \
	tenant_psql t12345_prod t12345_prod "select current_user, current_database()"
expect_out "the role may create its tables in schema public" '^0$' \
	tenant_psql t12345_prod t12345_prod "create table probe_t (a int); drop table probe_t; select 0"
[ "$(wc -c <"$S/t12345_prod")" -eq 33 ] && [ "$(stat -c %a "$S/t12345_prod")" = 600 ] &&
	ok "the password was handed over (32 characters, a file of mode 600)" || fail "password file"
PW=$(cat "$S/t12345_prod")
if grep -qF "$PW" "$PG_DIR/server.log"; then fail "the password is in the server log (log_statement=all)"
else ok "the password is nowhere in the server log, which logs every statement"; fi
grep -qF "$PW" "$KS_DIR/out" && fail "the password was printed" || ok "the password was not printed"
"$P" plan T12345 prod | grep -Ev '^--|pg_try_advisory_lock' >"$KS_DIR/plan.sql"
sed -n 's/^.*execute <unnamed>: //p' "$PG_DIR/server.log" | grep -E '^(CREATE|COMMENT|REVOKE|GRANT) ' |
	sed "s/PASSWORD 'SCRAM-SHA-256\$[^']*'/PASSWORD '<SCRAM-SHA-256 verifier of a generated password>'/" >"$KS_DIR/ran.sql"
if [ -s "$KS_DIR/plan.sql" ] && diff "$KS_DIR/plan.sql" "$KS_DIR/ran.sql" >"$KS_DIR/plan.diff"; then
	ok "the plan's statements are those the server ran ($(wc -l <"$KS_DIR/ran.sql") statements)"
else fail "plan and server log differ"; cat "$KS_DIR/plan.diff"; fi
expect_out "verify finds the role and database as planned" '^verified t12345_prod$' \
	"$P" --conninfo "$A" verify T12345 prod

# --- a second apply: no DDL, the same password --------------------------------------
pg_log_mark
expect_out "a second apply changes nothing" '^access t12345_prod: unchanged$' \
	"$P" --conninfo "$A" apply T12345 prod --secret-out "$S/second"
grep -q '^role t12345_prod: unchanged$' "$KS_DIR/out" && grep -q '^database t12345_prod: unchanged$' "$KS_DIR/out" &&
	ok "role and database unchanged" || fail "second apply: $(cat "$KS_DIR/out")"
n=$(pg_log_since | grep -cE "execute .*: $DDL")
[ "$n" -eq 0 ] && ok "the second apply issued no DDL" || { fail "the second apply issued $n DDL statements"; pg_log_since | grep -E "$DDL"; }
[ ! -e "$S/second" ] && ok "no new password was made" || fail "a second password was written"
expect_out "the first password still logs in" '^1$' tenant_psql t12345_prod t12345_prod "select 1"

# --- the live check -----------------------------------------------------------------
expect_out "state: ready with size and connections" '^detail: size [0-9]+ kB, 0 other connections$' \
	"$P" state "$PG_HOST" "$PG_PORT" t12345_prod t12345_prod --secret "$S/t12345_prod"
cp "$S/t12345_prod" "$S/t12345_dev"
expect_out "state: missing, read from the catalogs with the admin session" \
	'^detail: role t12345_dev does not exist on 127.0.0.1:' \
	"$P" --conninfo "$A" state "$PG_HOST" "$PG_PORT" t12345_dev t12345_dev --secret "$S/t12345_dev" --admin
expect_out "state: unreachable when nothing answers" '^state: unreachable$' \
	"$P" state "$PG_HOST" 1 t12345_prod t12345_prod --secret "$S/t12345_prod"

# --- conflicts: another's role or database is refused before any change -------------
pg_psql "create role t22222_prod login" >/dev/null
pg_log_mark
"$P" --conninfo "$A" apply T22222 prod --secret-out "$S/t22222_prod" >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 4 ] && grep -q "role t22222_prod already exists and is not T22222's: it is left alone, and nothing was changed" "$KS_DIR/out" &&
	ok "a foreign role of the same name is a conflict (exit 4)" || { fail "foreign role: exit $rc"; cat "$KS_DIR/out"; }
[ "$(pg_log_since | grep -cE "execute .*: $DDL")" -eq 0 ] && ok "nothing was issued for it" || fail "DDL after a conflict"
expect_out "undo leaves the foreign role alone" "role t22222_prod is not T22222's: it is not dropped" \
	"$P" --conninfo "$A" undo T22222 prod
expect_out "the foreign role is still there" '^1$' pg_psql "select count(*) from pg_roles where rolname = 't22222_prod'"
pg_psql "create database t33333_prod" >/dev/null
"$P" --conninfo "$A" apply T33333 prod --secret-out "$S/t33333_prod" >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 4 ] && grep -q "database t33333_prod already exists, owned by $PG_ADMIN, and is not T33333's" "$KS_DIR/out" &&
	ok "a foreign database of the same name is a conflict (exit 4)" || { fail "foreign database: exit $rc"; cat "$KS_DIR/out"; }
expect_out "and no role was made for it" '^0$' pg_psql "select count(*) from pg_roles where rolname = 't33333_prod'"

# --- a user that may not create is refused before any change ------------------------
pg_psql "create role smartops_ro login password 'ro-secret-123'" >/dev/null
printf '%s:%s:*:smartops_ro:ro-secret-123\n' "$PG_HOST" "$PG_PORT" >>"$PGPASSFILE"
"$P" --conninfo "host=$PG_HOST port=$PG_PORT user=smartops_ro dbname=postgres sslmode=disable" \
	apply T66666 prod >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 5 ] && grep -q "PostgreSQL user smartops_ro may not create roles and databases" "$KS_DIR/out" &&
	ok "a user without CREATEROLE/CREATEDB is refused before any change (exit 5)" || { fail "read-only: exit $rc"; cat "$KS_DIR/out"; }

# --- the admin's password: libpq's files first, else the Secret's, never argv --------
printf '%s\n' "$PG_ADMIN_PASSWORD" >"$S/admin"
chmod 600 "$S/admin"
PGPASSFILE=/nonexistent "$P" --conninfo "$A" verify T12345 prod >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "no password supplied" "$KS_DIR/out" &&
	ok "without a password file or Secret the server's demand is said" || { fail "no password: exit $rc"; cat "$KS_DIR/out"; }
expect_out "the Secret's password is used when libpq finds none" '^verified t12345_prod$' \
	env PGPASSFILE=/nonexistent "$P" --conninfo "$A" --password-file "$S/admin" verify T12345 prod
cat >"$S/pg_service.conf" <<SVC
[smart]
host=$PG_HOST
port=$PG_PORT
user=$PG_ADMIN
dbname=postgres
sslmode=disable
password=$PG_ADMIN_PASSWORD
SVC
chmod 600 "$S/pg_service.conf"
expect_out "conninfo service=smart: host, user and password come from the service file" '^verified t12345_prod$' \
	env PGPASSFILE=/nonexistent PGSERVICEFILE="$S/pg_service.conf" "$P" --conninfo "service=smart" verify T12345 prod
"$P" --conninfo "$A password=xyz" verify T12345 prod >"$KS_DIR/out" 2>&1
grep -q "the PostgreSQL connection string holds a password" "$KS_DIR/out" && ! grep -q xyz "$KS_DIR/out" &&
	ok "a conninfo holding a password is refused, the password not repeated" || fail "conninfo with password: $(cat "$KS_DIR/out")"
"$P" --conninfo "host=$PG_HOST port=$PG_PORT user=$PG_ADMIN dbname=postgres sslmode=require" verify T12345 prod >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "server does not support SSL, but SSL was required" "$KS_DIR/out" &&
	ok "TLS as the conninfo says: sslmode=require on a server without TLS fails, saying so" || { fail "sslmode=require: exit $rc"; cat "$KS_DIR/out"; }

# --- one run per tenant: the advisory lock ------------------------------------------
rm -f "$KS_DIR/go" "$KS_DIR/holder"
"$P" --conninfo "$A" --pause-file "$KS_DIR/go" hold-lock T12345 >"$KS_DIR/holder" 2>&1 &
holder=$!
wait_for "another session holds T12345's lock" 60 grep -q "^paused after lock" "$KS_DIR/holder"
"$P" --conninfo "$A" apply T12345 prod >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 6 ] && grep -q "the database lock of T12345 is held by backend [0-9]* (smartops_admin, smartops)" "$KS_DIR/out" &&
	ok "a second run for the tenant is refused, the holder named (exit 6)" || { fail "lock: exit $rc"; cat "$KS_DIR/out"; }
touch "$KS_DIR/go"; wait $holder

# --- a backend terminated mid-run, then a rerun -------------------------------------
# Each paused run's output is removed before it starts: the shell truncates it
# only once the run in the background starts, and a grep before that saw the
# last run's "paused after role" (four at a time on a loaded machine the server
# was then stopped while this run made its role: made twice, no password file).
rm -f "$KS_DIR/go" "$KS_DIR/run"
"$P" --conninfo "$A" --pause-after role --pause-file "$KS_DIR/go" apply T44444 prod \
	--secret-out "$S/t44444_prod" >"$KS_DIR/run" 2>&1 &
run=$!
wait_for "the run paused after the role" 60 grep -q "^paused after role (backend" "$KS_DIR/run"
pid=$(sed -n 's/^paused after role (backend \([0-9]*\))$/\1/p' "$KS_DIR/run")
expect_out "its backend is terminated (pg_terminate_backend)" '^t$' pg_psql "select pg_terminate_backend($pid)"
touch "$KS_DIR/go"; wait $run; rc=$?
[ $rc -eq 3 ] && grep -q "^error (unreachable): .*: the connection to the server was lost (.*): run again once the server answers" "$KS_DIR/run" &&
	! grep -q "^database t44444_prod" "$KS_DIR/run" &&
	ok "the terminated session is a clear error (exit 3), the database not made" || { fail "terminated: exit $rc"; cat "$KS_DIR/run"; }
expect_out "a rerun finishes: the role kept, the database made" '^database t44444_prod: created$' \
	"$P" --conninfo "$A" apply T44444 prod --secret-out "$S/t44444_again"
[ "$(count 'CREATE ROLE "t44444_prod"')" -eq 1 ] && [ "$(count 'CREATE DATABASE "t44444_prod"')" -eq 1 ] &&
	ok "each object was made once" || fail "t44444_prod made more than once"
expect_out "the first run's password logs in after the rerun" '^1$' tenant_psql t44444_prod t44444_prod "select 1"

# --- the server stopped mid-run, then started again ---------------------------------
rm -f "$KS_DIR/go" "$KS_DIR/run"
"$P" --conninfo "$A" --pause-after role --pause-file "$KS_DIR/go" apply T55555 prod \
	--secret-out "$S/t55555_prod" >"$KS_DIR/run" 2>&1 &
run=$!
wait_for "the run paused after the role" 60 grep -q "^paused after role" "$KS_DIR/run"
pg_stop
touch "$KS_DIR/go"; wait $run; rc=$?
[ $rc -eq 3 ] && grep -q "^error (unreachable): .*: the connection to the server was lost (.*): run again once the server answers" "$KS_DIR/run" &&
	ok "the server stopped mid-run is a clear error (exit 3)" || { fail "stopped: exit $rc"; cat "$KS_DIR/run"; }
"$P" --conninfo "$A" apply T55555 prod >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "no session with PostgreSQL at 127.0.0.1:$PG_PORT (no answer, or TLS refused): .*Connection refused" "$KS_DIR/out" &&
	ok "a run while it is down says it cannot reach it (exit 3)" || { fail "down: exit $rc"; cat "$KS_DIR/out"; }
pg_restart
expect_out "once it is back a rerun finishes" '^access t55555_prod: granted$' \
	"$P" --conninfo "$A" apply T55555 prod --secret-out "$S/t55555_again"
[ "$(count 'CREATE ROLE "t55555_prod"')" -eq 1 ] && [ "$(count 'CREATE DATABASE "t55555_prod"')" -eq 1 ] &&
	ok "each object was made once" || fail "t55555_prod made more than once"
expect_out "verify after the rerun" '^verified t55555_prod$' "$P" --conninfo "$A" verify T55555 prod

# --- the process killed (SIGKILL) at each step boundary, then a rerun ----------------
no_lock() { [ "$(pg_psql "select count(*) from pg_locks where locktype = 'advisory'")" = 0 ]; }
for step in lock role database; do
	rm -f "$KS_DIR/go" "$KS_DIR/run"
	"$P" --conninfo "$A" --pause-after $step --pause-file "$KS_DIR/go" apply T77777 prod \
		--secret-out "$S/t77777_prod.$step" >"$KS_DIR/run" 2>&1 &
	run=$!
	wait_for "the run paused after the $step" 60 grep -q "^paused after $step" "$KS_DIR/run"
	kill -9 $run; wait $run 2>/dev/null
	# the server notices the dead client and ends its session, freeing the lock
	wait_for "the killed run's session ended, its lock with it" 20 no_lock
done
expect_out "after three killed runs a rerun finishes (the dead sessions' lock was freed)" \
	'^access t77777_prod: granted$' "$P" --conninfo "$A" apply T77777 prod
[ "$(count 'CREATE ROLE "t77777_prod"')" -eq 1 ] && [ "$(count 'CREATE DATABASE "t77777_prod"')" -eq 1 ] &&
	[ "$(count 'GRANT CONNECT ON DATABASE "t77777_prod"')" -eq 1 ] &&
	ok "each object was made once" || fail "t77777_prod made more than once"
cp "$S/t77777_prod.role" "$S/t77777_prod"
expect_out "the password of the run that made the role logs in" '^1$' tenant_psql t77777_prod t77777_prod "select 1"

# --- rotation: a new password, the old one refused -----------------------------------
cp "$S/t55555_prod" "$S/old"
expect_out "rotate sets a new password" '^role t55555_prod: new password$' \
	"$P" --conninfo "$A" rotate T55555 prod --secret-out "$S/t55555_prod"
expect_out "the new password logs in" '^1$' tenant_psql t55555_prod t55555_prod "select 1"
cp "$S/old" "$S/t55555_prod"
tenant_psql t55555_prod t55555_prod "select 1" >/dev/null 2>&1 && fail "the old password still logs in" ||
	ok "the old password is refused"

# --- undo: guarded ------------------------------------------------------------------
tenant_psql t12345_prod t12345_prod "create table sx1 (a int)" >/dev/null
"$P" --conninfo "$A" undo T12345 prod >"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 5 ] && grep -q "database t12345_prod holds 1 table and has 0 connections: it is not dropped; confirm with the TCODE (T12345)" "$KS_DIR/out" &&
	ok "undo refuses a database that holds a table (exit 5)" || { fail "undo with a table: exit $rc"; cat "$KS_DIR/out"; }
expect_out "the database and its role are still there" '^1\|1$' \
	pg_psql "select (select count(*) from pg_database where datname = 't12345_prod'), (select count(*) from pg_roles where rolname = 't12345_prod')"
expect_out "confirmed, undo drops the database and the role" '^role t12345_prod: dropped$' \
	"$P" --conninfo "$A" undo T12345 prod --confirm
expect_out "undo of an empty database needs no confirmation" '^role t44444_prod: dropped$' \
	"$P" --conninfo "$A" undo T44444 prod
expect_out "what undo dropped is gone" '^0\|0$' \
	pg_psql "select (select count(*) from pg_database where datname in ('t12345_prod', 't44444_prod')), (select count(*) from pg_roles where rolname in ('t12345_prod', 't44444_prod'))"
expect_out "undo of what is absent is fine" '^role t12345_prod: absent$' "$P" --conninfo "$A" undo T12345 prod

for f in "$S"/t*_prod "$S"/t*_again; do
	[ -s "$f" ] || continue
	grep -qF "$(cat "$f")" "$PG_DIR/server.log" && fail "a tenant password ($(basename "$f")) is in the server log"
done
ok "no tenant password in the server log"
finish
