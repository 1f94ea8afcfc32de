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

. "$(dirname "$0")/pg_scratch.sh"
trap stop_pg EXIT
trap 'stop_pg; exit 130' HUP INT TERM

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
