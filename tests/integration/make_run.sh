#!/bin/sh
# `make run` (scripts/run.sh) in tmux: the console opens on the demo fleet with a real
# PostgreSQL 15 as its managed database; q ends both (the server stopped, its scratch
# directory gone); a second run works the same; without the server binaries the demo
# still opens and its title bar says what is missing.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "FAIL: tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-run-$$"
T="tmux -L $SOCK -f /dev/null"
run_cleanup() { $T kill-server 2>/dev/null; ks_cleanup; }
trap run_cleanup EXIT INT TERM
export TMPDIR="$KS_DIR/tmp"
mkdir -p "$TMPDIR"
chmod 755 "$KS_DIR" "$TMPDIR" # the server's user reaches its scratch directory under it

screen_of() { $T capture-pane -p -t main 2>/dev/null; }
has() { screen_of | grep -q -- "$1"; }
pg_data() { ls -d "$TMPDIR"/smartops-run-pg.*/data 2>/dev/null | head -1; }
done_rc() { [ -s "$KS_DIR/rc" ]; }

# start [ENV=VALUE...]: scripts/run.sh in a 150x30 pane, its exit status into $KS_DIR/rc
start() {
	rm -f "$KS_DIR/rc"
	cmd="cd '$PWD' && env TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $* sh scripts/run.sh '$BUILD'; echo \$? >'$KS_DIR/rc'; sleep 60"
	if $T has-session -t main 2>/dev/null; then
		$T respawn-pane -k -t main "$cmd"
	else
		$T new-session -d -s main -x 150 -y 30 "$cmd"
	fi
}

# gone PID: the process has ended (an exited server whose parent is gone may stay
# a zombie a moment, until the container's init reaps it: that is ended too)
gone() {
	! kill -0 "$1" 2>/dev/null && return 0
	[ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ]
}

one_run() { # one_run N: a run with the server, checked, then q
	start
	wait_for "run $1: the console opens on the demo fleet" 90 has "200 tenants" || { screen_of; return; }
	wait_for "run $1: its title says the managed PostgreSQL is up" 30 has "DEMO: kubesim, 200 tenants, clock x60, managed PostgreSQL up"
	data=$(pg_data)
	port=$(sed -n 4p "$data/postmaster.pid" 2>/dev/null)
	pid=$(sed -n 1p "$data/postmaster.pid" 2>/dev/null)
	[ -n "$port" ] && "${PG_BIN:-/usr/lib/postgresql/15/bin}/pg_isready" -q -h 127.0.0.1 -p "$port" &&
		ok "run $1: PostgreSQL answers on 127.0.0.1:$port" || fail "run $1: no PostgreSQL answering (data \"$data\")"
	repo=$(ls -d "$TMPDIR"/smartops-run-git.*/custom.git 2>/dev/null | head -1)
	[ -n "$repo" ] && git -C "$repo" rev-parse -q --verify main >/dev/null &&
		ok "run $1: the tenants' sample repository is there, with a main branch" || fail "run $1: no sample repository"
	# the demo builds as it is: its buckets and the tenants' repository are there
	kc=$(ls "$TMPDIR"/smartops-demo-*/kubeconfig 2>/dev/null | head -1)
	erp=$("$BUILD/smartops" --kubeconfig "$kc" tenants -o json 2>/dev/null |
		jq -r '[.items[] | select(.product == "erp" and .health != "blocked")][0].tcode')
	"$BUILD/smartops" --kubeconfig "$kc" plan build --tcode "$erp" --ref main >"$KS_DIR/plan.out" 2>&1 &&
		grep -q "branch main is commit $(git -C "$repo" rev-parse main)" "$KS_DIR/plan.out" &&
		ok "run $1: the demo plans a build of $erp's main, no --repo given" ||
		{ fail "run $1: the demo cannot plan a build of $erp"; head -5 "$KS_DIR/plan.out"; }
	$T send-keys -t main q
	wait_for "run $1: q ends it" 60 done_rc
	[ -z "$(ls -d "$TMPDIR"/smartops-run-git.* 2>/dev/null)" ] && ok "run $1: the sample repository removed" ||
		fail "run $1: the sample repository left behind"
	[ "$(cat "$KS_DIR/rc")" = 0 ] && ok "run $1: exit status 0" || fail "run $1: exit status $(cat "$KS_DIR/rc")"
	if [ -n "$pid" ]; then wait_for "run $1: the server stopped" 15 gone "$pid"; else fail "run $1: no server pid"; fi
	[ -z "$(pg_data)" ] && ok "run $1: its scratch directory removed" || fail "run $1: $(pg_data) left behind"
}

if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
	fail "no PostgreSQL 15 server binaries: scripts/deps.sh installs postgresql-15"
else
	one_run 1
	one_run 2
fi

start PG_BIN=/nonexistent
wait_for "no server binaries: the console still opens" 90 has "200 tenants"
wait_for "... and its title says what is missing" 30 \
	has "no PostgreSQL: no server binaries in /nonexistent (install postgresql-15)"
$T send-keys -t main q
wait_for "... q ends it" 60 done_rc
[ "$(cat "$KS_DIR/rc")" = 0 ] && ok "... exit status 0" || fail "... exit status $(cat "$KS_DIR/rc")"
finish
