#!/bin/sh
# Out of memory in the console, for real: once the fleet shows, the process's
# address space is capped where it stands (prlimit --as), and the fleet keeps
# changing (clock 60x), so the next allocation fails. The console must die
# cleanly: the terminal as it found it, "out of memory" said on stderr, exit 1.
# Under AddressSanitizer (make asan) its allocator is told to return NULL like
# malloc does, instead of ending the process with its own report.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
command -v prlimit >/dev/null || { echo "prlimit (util-linux) is required"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-oom-$$"
T="tmux -L $SOCK -f /dev/null"
tmux_cleanup() { $T kill-server 2>/dev/null; ks_cleanup; }
trap tmux_cleanup EXIT INT TERM

ks_start --start-time "$KS_QUIET_START" --fleet 30 --seed 7 --time-scale 60
W="$KS_DIR/w"; mkdir -p "$W"
cat >"$W/run.sh" <<EOS
#!/bin/sh
stty -g >"$W/before"
sh -c 'echo \$\$ >"$W/pid"; exec env TZ=UTC LANG=C.UTF-8 ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}allocator_may_return_null=1" "$BUILD/smartops" --kubeconfig "$KUBECONFIG" 2>"$W/err"'
echo \$? >"$W/rc"
stty -g >"$W/after"
sleep 60
EOS
chmod +x "$W/run.sh"
$T new-session -d -s main -x 100 -y 30 "sleep 600"
# one run: the console started, the fleet shown, the cap set, keys until it ends
oom_run() {
	rm -f "$W/pid" "$W/rc" "$W/before" "$W/after" "$W/err"
	$T kill-window -t main:c 2>/dev/null
	$T new-window -d -t main -n c "TERM=tmux-256color $W/run.sh"
	wait_for "the fleet shows" 60 shows
	PID=$(cat "$W/pid")
	vs=$(awk '/VmSize/{print $2}' "/proc/$PID/status")
	prlimit --pid "$PID" --as=$((vs * 1024)) && ok "address space capped at ${vs} kB" || fail "prlimit"
	# screens that fetch and draw more: a tenant, its pods and events, help
	i=0
	while ! ended && [ $i -lt 60 ]; do
		for k in Enter Escape '?' Escape Down; do $T send-keys -t main:c "$k" 2>/dev/null; sleep 0.2; done
		i=$((i + 1))
	done
	wait_for "the console ends once memory runs out" 10 ended
}
shows() { $T capture-pane -p -t main:c | grep -q "[1-9][0-9]* available"; }
ended() { [ -s "$W/after" ]; }
# Under AddressSanitizer the first allocation to fail may be the sanitizer's
# own (a new thread's bookkeeping, "bytes of Create"), which ends the process
# with its report, not through our handler. That run is done again, at most 4
# runs, for our own path; on a machine where it keeps failing first, its report
# (ENOMEM, error code 12) is the out-of-memory message, and the terminal must
# still be put back (the console gives the sanitizer a death callback).
asan_own() { grep -q "AddressSanitizer failed to allocate.*error code: 12" "$W/err"; }
n=1
oom_run
while [ $n -lt 4 ] && asan_own && ! grep -q "out of memory" "$W/err"; do
	echo "    run $n: the sanitizer's own allocation failed first ($(grep -m1 -o 'bytes of [A-Za-z]*' "$W/err")): again"
	n=$((n + 1))
	oom_run
done
[ "$(cat "$W/rc" 2>/dev/null)" = 1 ] && ok "exit status 1" || fail "exit status $(cat "$W/rc" 2>/dev/null)"
if grep -q "out of memory" "$W/err"; then
	ok "it says out of memory"
elif asan_own; then
	ok "the sanitizer says it ran out of memory (its own allocation, 4 runs)"
else
	fail "it says out of memory"
	sed 's/^/    stderr: /' "$W/err" | head -10
fi
cmp -s "$W/before" "$W/after" && ok "terminal modes restored" || fail "terminal modes not restored"
left() { ! $T capture-pane -p -t main:c | grep -q "TCODE"; }
wait_for "the fleet screen is gone (alternate screen left)" 5 left
finish
