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

# make_repo DIR: a small bare git repository of custom sources at DIR/custom.git, which
# every ERP tenant of the demo names as its custom-repo, so the build wizard has
# something to build; prints its file:// URL (nothing when git is missing)
make_repo() {
	command -v git >/dev/null 2>&1 || return 0
	w="$1/work"
	export GIT_AUTHOR_NAME=demo GIT_AUTHOR_EMAIL=demo@customer.example \
		GIT_COMMITTER_NAME=demo GIT_COMMITTER_EMAIL=demo@customer.example
	git init -q -b main "$w" 2>/dev/null || git init -q "$w" || return 0
	mkdir -p "$w/src"
	printf '#include "protheus.ch"\n\nUser Function FATA001()\n\tLocal nTotal := 0\nReturn nTotal\n' >"$w/src/FATA001.prw"
	printf '#include "protheus.ch"\n\nUser Function MT100GRV()\nReturn .T.\n' >"$w/src/MT100GRV.prw"
	printf 'namespace custom.fiscal\n\nuser function calcTax(nBase)\nreturn nBase * 0.18\n' >"$w/src/tax.tlpp"
	git -C "$w" add -A && git -C "$w" commit -qm "first custom sources" || return 0
	git -C "$w" branch -q -M main
	printf 'User Function FATA002()\nReturn .T.\n' >"$w/src/FATA002.prw"
	git -C "$w" add -A && git -C "$w" commit -qm "FATA002" && git -C "$w" tag -a v1.1 -m v1.1 || return 0
	git clone -q --bare "$w" "$1/custom.git" && echo "file://$1/custom.git"
}

if [ "${SMARTOPS_RUN_KUBESIM:-0}" = 1 ]; then
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT INT TERM
	kc="$dir/kubeconfig"
	repo=$(make_repo "$dir")
	echo "Starting kubesim with a demo fleet of 200 tenants, its clock 60x faster (Ctrl-C stops it)."
	echo "In another terminal:"
	echo "  $build/smartops --kubeconfig $kc                       # the console"
	echo "  $build/smartops --kubeconfig $kc tenants --watch     # the fleet, live"
	echo "  $build/smartops --kubeconfig $kc tenant T10001"
	echo "  KUBECONFIG=$kc kubectl get deploy -A -l smart.totvs.com/tier=base"
	[ -n "$repo" ] && echo "  $build/smartops --kubeconfig $kc apply build --tcode T10001 --ref main   # a custom build"
	# no exec: the trap removes the folder (and the sample repository) at the end
	"$build/kubesim" --port 0 --kubeconfig-out "$kc" --fleet 200 --seed 1 --time-scale 60 \
		${repo:+--custom-repo "$repo"} && exit 0 || exit $?
fi

# pg_as CMD...: as the server's user (it refuses to run as root)
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_dir=""
pg_up=0
missing=""
repo_dir=""
stop_pg() {
	if [ "$pg_up" = 1 ]; then
		pg_as "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w -t 30 -s stop >/dev/null 2>&1 || true
		pg_up=0
	fi
	[ -n "$pg_dir" ] && rm -rf "$pg_dir"
	pg_dir=""
	[ -n "$repo_dir" ] && rm -rf "$repo_dir"
	repo_dir=""
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

repo_dir=$(mktemp -d "${TMPDIR:-/tmp}/smartops-run-git.XXXXXX")
repo=$(make_repo "$repo_dir")
if [ -n "$repo" ]; then
	echo "The tenants' custom sources: a sample git repository at $repo (removed at the end)"
else
	echo "  no git: the demo's tenants name no custom-repo (the build wizard asks for one)"
fi
echo "Starting a PostgreSQL 15 for the demo's managed database..."
if start_pg; then
	echo "  PostgreSQL on 127.0.0.1:$pg_port (stopped when the console exits)"
	# no exec: the server is stopped by the trap when the console returns
	"$build/smartops" --demo ${repo:+--demo-custom-repo "$repo"} \
		--demo-postgres "host=127.0.0.1 port=$pg_port user=$PG_ADMIN dbname=postgres sslmode=disable" \
		--demo-postgres-password-file "$pg_dir/pwfile" && rc=0 || rc=$?
else
	echo "  no PostgreSQL: $missing; the demo opens without one"
	stop_pg
	"$build/smartops" --demo ${repo:+--demo-custom-repo "$repo"} --demo-postgres-missing "$missing" && rc=0 || rc=$?
fi
exit $rc
