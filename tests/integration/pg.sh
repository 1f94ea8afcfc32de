# A real PostgreSQL 15 for the database tests: Debian's server binaries, a scratch
# directory, a free port on 127.0.0.1, SCRAM authentication, log_statement=all.
# Sourced after lib.sh (it chains its own stop onto lib.sh's cleanup):
#   . tests/integration/lib.sh; . tests/integration/pg.sh
#   pg_start            a copy of a cluster made once (pg_template) + start; exits the test (failing) if it cannot
#   pg_psql SQL         runs SQL as the admin in database postgres, unaligned, no headers
#   pg_stop / pg_restart  stop the server (fast) / start it again on the same port
#   pg_log_mark; pg_log_since   the server log written after the mark
# With PG_TLS=1 set before pg_start the server also speaks TLS, with a certificate for
# DNS name localhost (no IP address in it) signed by $PG_DIR/tls/ca.crt; $PG_DIR/tls/other-ca.crt
# is a CA that did not sign it.
# After pg_start: PG_PORT, PG_HOST, PG_ADMIN, PG_CONNINFO (no password) and PGPASSFILE
# (exported: libpq and psql find the admin's password there, never in argv or environ).
# The server refuses to run as root: as root it runs as the user `postgres`
# (runuser), and the scratch directory is owned by that user; otherwise as ourselves.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
# psql of the server's version, not Debian's wrapper (a Perl program that picks one
# first: about 80 ms of CPU a call); the tests' own psql commands find it first too
PG_PSQL=psql
if [ -x "$PG_BIN/psql" ]; then
	PG_PSQL="$PG_BIN/psql"
	mkdir -p "$KS_DIR/bin" && ln -sf "$PG_PSQL" "$KS_DIR/bin/psql" && PATH="$KS_DIR/bin:$PATH"
fi
PG_DIR=""
PG_PID_RUNNING=0
PG_ADMIN=smartops_admin
PG_HOST=127.0.0.1
PG_LOG_MARK=0

# pg_as CMD...: runs CMD as the server's user
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_die() {
	echo "FAIL: PostgreSQL test server: $*"
	[ -n "$PG_DIR" ] && [ -f "$PG_DIR/server.log" ] && tail -20 "$PG_DIR/server.log" | sed 's/^/    /'
	exit 1
}

pg_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_server_start() {
	tls=""
	[ "${PG_TLS:-0}" = 1 ] &&
		tls="-c ssl=on -c ssl_cert_file=$PG_DIR/tls/server.crt -c ssl_key_file=$PG_DIR/tls/server.key"
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -s \
		-o "-p $PG_PORT -k $PG_DIR/sock -c listen_addresses=$PG_HOST -c log_statement=all $tls" \
		start >"$PG_DIR/pg_ctl.out" 2>&1
}

# a CA, a server certificate for localhost signed by it, and another CA
pg_tls_files() {
	command -v openssl >/dev/null 2>&1 || pg_die "PG_TLS=1 needs openssl (scripts/deps.sh installs it)"
	t="$PG_DIR/tls"
	mkdir -p "$t"
	for ca in ca other-ca; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=smartops test $ca" \
			-keyout "$t/$ca.key" -out "$t/$ca.crt" >"$t/openssl.log" 2>&1 || pg_die "openssl: $(cat "$t/openssl.log")"
	done
	printf 'subjectAltName=DNS:localhost\n' >"$t/san.ext"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr" \
		>"$t/openssl.log" 2>&1 &&
		openssl x509 -req -in "$t/server.csr" -CA "$t/ca.crt" -CAkey "$t/ca.key" -CAcreateserial -days 2 \
			-extfile "$t/san.ext" -out "$t/server.crt" >"$t/openssl.log" 2>&1 || pg_die "openssl: $(cat "$t/openssl.log")"
	chmod 600 "$t/server.key"
}

# pg_template: a cluster made by initdb once per build folder, copied by every
# pg_start (initdb takes seconds, most of them importing the system's collations);
# its admin password is its own, replaced in each copy
pg_template() {
	PG_TEMPLATE="$(cd "$BUILD" && pwd)/pg-template-$("$PG_BIN/postgres" -V | awk '{print $3}')"
	[ -f "$PG_TEMPLATE/ready" ] && return 0
	tpl=$(mktemp -d "$PG_TEMPLATE.XXXXXX")
	chmod 755 "$tpl"
	head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$tpl/admin.pw"
	chmod 600 "$tpl/admin.pw"
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$tpl"
	pg_as "$PG_BIN/initdb" -D "$tpl/data" -U "$PG_ADMIN" --pwfile="$tpl/admin.pw" -N \
		--auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$tpl/initdb.log" 2>&1 ||
		{ cat "$tpl/initdb.log"; rm -rf "$tpl"; pg_die "initdb failed"; }
	touch "$tpl/ready"
	# another test may have made it meanwhile: theirs is kept
	mv -T "$tpl" "$PG_TEMPLATE" 2>/dev/null || rm -rf "$tpl"
}

pg_start() {
	[ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] ||
		pg_die "no server binaries in $PG_BIN: install the Debian package postgresql-15 (scripts/deps.sh does)"
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		pg_die "running as root and there is no user postgres to run the server as (the server refuses root)"
	fi
	pg_template
	PG_DIR=$(mktemp -d)
	chmod 755 "$PG_DIR"
	mkdir -p "$PG_DIR/sock"
	# the admin's password: random, in a password file of ours (mode 600), set below
	PG_ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
	[ "${PG_TLS:-0}" = 1 ] && pg_tls_files
	cp -a "$PG_TEMPLATE/data" "$PG_DIR/data" || pg_die "cannot copy $PG_TEMPLATE"
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$PG_DIR"
	export PGPASSFILE="$KS_DIR/pgpass"
	tries=0
	while :; do
		PG_PORT=$(pg_free_port) || pg_die "no free port (python3 missing?)"
		# the template's password until the copy has ours
		printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$PG_ADMIN" "$(cat "$PG_TEMPLATE/admin.pw")" >"$PGPASSFILE"
		chmod 600 "$PGPASSFILE"
		if pg_server_start; then break; fi
		tries=$((tries + 1))
		# another process may have taken the port between the probe and the bind
		[ $tries -ge 3 ] && { cat "$PG_DIR/pg_ctl.out"; pg_die "the server did not start (3 tries)"; }
	done
	PG_PID_RUNNING=1
	# on stdin, not in argv; kept out of the server's log
	printf "set log_statement = 'none';\nalter role %s password '%s';\n" "$PG_ADMIN" "$PG_ADMIN_PASSWORD" |
		"$PG_PSQL" "host=$PG_HOST port=$PG_PORT user=$PG_ADMIN dbname=postgres sslmode=disable" -X -q -v ON_ERROR_STOP=1 \
		>"$PG_DIR/password.out" 2>&1 || { cat "$PG_DIR/password.out"; pg_die "cannot set the admin's password"; }
	printf '%s:%s:*:%s:%s\n' "$PG_HOST" "$PG_PORT" "$PG_ADMIN" "$PG_ADMIN_PASSWORD" >"$PGPASSFILE"
	PG_CONNINFO="host=$PG_HOST port=$PG_PORT user=$PG_ADMIN dbname=postgres sslmode=disable"
	pg_psql "select 1" | grep -qx 1 || pg_die "the server started but psql cannot log in as $PG_ADMIN"
	echo "postgres: PostgreSQL $(pg_psql 'show server_version') on $PG_HOST:$PG_PORT"
}

pg_psql() {
	"$PG_PSQL" "host=$PG_HOST port=$PG_PORT user=$PG_ADMIN dbname=${PG_DB:-postgres} sslmode=disable" \
		-X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

pg_stop() {
	[ "$PG_PID_RUNNING" -eq 1 ] || return 0
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 -s stop >/dev/null 2>&1
	PG_PID_RUNNING=0
}

pg_restart() {
	pg_server_start || { cat "$PG_DIR/pg_ctl.out"; pg_die "the server did not start again on port $PG_PORT"; }
	PG_PID_RUNNING=1
}

# pg_log_mark: remember where the server log ends; pg_log_since: what came after
pg_log_mark() { PG_LOG_MARK=$(wc -c <"$PG_DIR/server.log"); }
pg_log_since() { tail -c +$((PG_LOG_MARK + 1)) "$PG_DIR/server.log"; }
pg_log() { cat "$PG_DIR/server.log"; }

pg_cleanup() {
	pg_stop
	[ -n "$PG_DIR" ] && rm -rf "$PG_DIR"
	ks_cleanup
}
trap pg_cleanup EXIT INT TERM
