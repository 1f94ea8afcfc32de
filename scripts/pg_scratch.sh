# Shared by scripts/run.sh and scripts/screenshots.sh: a scratch PostgreSQL 15 (Debian's
# server binaries) in a temporary directory on a free port of 127.0.0.1, SCRAM, the admin
# $PG_ADMIN with a random password in $pg_dir/pwfile; as the user postgres when run as root
# (the server refuses root). start_pg sets pg_port and pg_dir (or says in $missing why
# there is no server); stop_pg stops it and removes the directory. The caller sets
# PG_BIN and PG_ADMIN, and traps stop_pg.

# pg_as CMD...: as the server's user (it refuses to run as root)
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_dir=""
pg_up=0
missing=""
stop_pg() {
	if [ "$pg_up" = 1 ]; then
		pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w -t 30 -s stop >/dev/null 2>&1 || true
		pg_up=0
	fi
	[ -n "$pg_dir" ] && rm -rf "$pg_dir"
	pg_dir=""
}

# start_pg: sets pg_port and pg_dir, or says in $missing why there is no server
start_pg() {
	if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ]; then
		missing="no server binaries in $PG_BIN (install postgresql-15)"
		return 1
	fi
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		missing="run as root and no user postgres to run the server as"
		return 1
	fi
	pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/smartops-run-pg.XXXXXX")
	chmod 755 "$pg_dir"
	mkdir -p "$pg_dir/sock"
	( umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$pg_dir/pwfile" )
	echo >>"$pg_dir/pwfile"
	[ "$(id -u)" -eq 0 ] && chown -R postgres "$pg_dir"
	if ! pg_as "$PG_BIN/initdb" -D "$pg_dir/data" -U "$PG_ADMIN" --pwfile="$pg_dir/pwfile" \
		--auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1; then
		missing="initdb failed: $(tail -1 "$pg_dir/initdb.log")"
		return 1
	fi
	for try in 1 2 3; do
		pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) ||
			{ missing="no free port (python3 missing)"; return 1; }
		if pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 -s \
			-o "-p $pg_port -k $pg_dir/sock -c listen_addresses=127.0.0.1" start >"$pg_dir/pg_ctl.out" 2>&1; then
			pg_up=1
			return 0
		fi
	done
	missing="the server did not start: $(tail -1 "$pg_dir/server.log" 2>/dev/null)"
	return 1
}
