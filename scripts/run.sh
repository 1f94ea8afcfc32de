#!/bin/sh
# `make run`: the console on its embedded demo fleet (kubesim inside, 200 tenants,
# the clock 60x faster), with a real PostgreSQL 15 as the platform's managed database:
# Debian's server binaries, a scratch directory, a free port on 127.0.0.1, SCRAM; its
# kubesim names it (--managed-postgres) as a cluster's ConfigMap smart-platform would. The
# server is stopped and its directory removed when the console exits. Without the server
# binaries the demo still opens, and its banner says what is missing.
# SMARTOPS_RUN_KUBESIM=1 instead starts kubesim alone with the same fleet and says how to
# look at it with the headless commands and kubectl.
set -eu
build=${1:-build}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_ADMIN=smartops_admin

if [ "${SMARTOPS_RUN_KUBESIM:-0}" = 1 ]; then
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT INT TERM
	kc="$dir/kubeconfig"
	echo "Starting kubesim with a demo fleet of 200 tenants, its clock 60x faster (Ctrl-C stops it)."
	echo "In another terminal:"
	echo "  $build/smartops --kubeconfig $kc                       # the console"
	echo "  $build/smartops --kubeconfig $kc tenants --watch     # the fleet, live"
	echo "  $build/smartops --kubeconfig $kc tenant T10001"
	echo "  KUBECONFIG=$kc kubectl get deploy -A -l smart.totvs.com/tier=base"
	exec "$build/kubesim" --port 0 --kubeconfig-out "$kc" --fleet 200 --seed 1 --time-scale 60
fi

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
trap stop_pg EXIT
trap 'stop_pg; exit 130' HUP INT TERM

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

echo "Starting a PostgreSQL 15 for the demo's managed database..."
if start_pg; then
	echo "  PostgreSQL on 127.0.0.1:$pg_port (stopped when the console exits)"
	# no exec: the server is stopped by the trap when the console returns
	"$build/smartops" --demo \
		--demo-postgres "host=127.0.0.1 port=$pg_port user=$PG_ADMIN dbname=postgres sslmode=disable" \
		--demo-postgres-password-file "$pg_dir/pwfile" && rc=0 || rc=$?
else
	echo "  no PostgreSQL: $missing; the demo opens without one"
	stop_pg
	"$build/smartops" --demo --demo-postgres-missing "$missing" && rc=0 || rc=$?
fi
exit $rc
