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

. "$(dirname "$0")/pg_scratch.sh"
repo_dir=""
stop_all() {
	stop_pg
	[ -n "$repo_dir" ] && rm -rf "$repo_dir"
	repo_dir=""
}
trap stop_all EXIT
trap 'stop_all; exit 130' HUP INT TERM

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
