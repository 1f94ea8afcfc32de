#!/bin/sh
# TLS to PostgreSQL is what the connection string says (core/pg_conn.h): against a real
# server with a certificate for localhost signed by a test CA (tests/integration/pg.sh,
# PG_TLS=1), verify-full connects with the right CA and host name, and refuses another CA
# or a host name the certificate does not hold, saying why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

PG_TLS=1
pg_start
P="$BUILD/tests/dbprobe"
T="$PG_DIR/tls"
# the password file names the host as the conninfo does
printf 'localhost:%s:*:%s:%s\n' "$PG_PORT" "$PG_ADMIN" "$PG_ADMIN_PASSWORD" >>"$PGPASSFILE"
base="port=$PG_PORT user=$PG_ADMIN dbname=postgres"

expect_out "verify-full with the signing CA and host localhost connects (and finds nothing to verify)" \
	'^role t12345_prod does not exist$' \
	"$P" --conninfo "host=localhost $base sslmode=verify-full sslrootcert=$T/ca.crt" verify T12345 prod
expect_out "the session was encrypted" '^t$' \
	psql "host=localhost $base sslmode=verify-full sslrootcert=$T/ca.crt" -X -A -t -c \
	"select ssl from pg_stat_ssl where pid = pg_backend_pid()"
"$P" --conninfo "host=localhost $base sslmode=verify-full sslrootcert=$T/other-ca.crt" verify T12345 prod \
	>"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q "certificate verify failed" "$KS_DIR/out" &&
	ok "another CA is refused, saying the certificate did not verify (exit 3)" || { fail "other CA: exit $rc"; cat "$KS_DIR/out"; }
"$P" --conninfo "host=127.0.0.1 $base sslmode=verify-full sslrootcert=$T/ca.crt" verify T12345 prod \
	>"$KS_DIR/out" 2>&1
rc=$?
[ $rc -eq 3 ] && grep -q 'server certificate for "localhost" (and 1 other name) does not match host name "127.0.0.1"' "$KS_DIR/out" &&
	ok "a host name the certificate does not hold is refused (exit 3)" || { fail "wrong host: exit $rc"; cat "$KS_DIR/out"; }
expect_out "sslmode=require skips the name check, as libpq documents" '^role t12345_prod does not exist$' \
	"$P" --conninfo "host=127.0.0.1 $base sslmode=require" verify T12345 prod
finish
