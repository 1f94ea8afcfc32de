#!/bin/sh
# End to end in tmux: the console in a real terminal (TERM=tmux-256color) is
# resized, shows health in colour, and on every way out (q, SIGTERM, SIGHUP,
# a crash, the pane killed, q while the cluster does not answer) ends promptly
# and leaves the terminal as it found it.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-test-$$"
T="tmux -L $SOCK -f /dev/null"
tmux_cleanup() { $T kill-server 2>/dev/null; ks_cleanup; }
trap tmux_cleanup EXIT INT TERM

ks_start --start-time "$KS_QUIET_START" --fleet 30 --seed 7 --time-scale 0.001
W="$KS_DIR/w"; mkdir -p "$W"
# The pane runs this: terminal modes before and after, the exit status, the pid.
cat >"$W/run.sh" <<EOS
#!/bin/sh
stty -g >"\$1.before"
echo \$\$ >"\$1.pid"
# the inner shell becomes smartops (same pid), in the foreground on the terminal
sh -c 'echo \$\$ >"\$0.app"; exec env TZ=UTC LANG=C.UTF-8 "$BUILD/smartops" --kubeconfig "$KUBECONFIG" 2>"\$0.err"' "\$1"
echo \$? >"\$1.rc"
stty -g >"\$1.after"
sleep 30
EOS
chmod +x "$W/run.sh"

start() { # start NAME [ENV...]: a new window running the console
	rm -f "$W/$1".*
	$T new-window -d -t main -n "$1" "TERM=tmux-256color $W/run.sh $W/$1 '${2:-}'"
	i=0; while [ ! -s "$W/$1.app" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}
screen_of() { $T capture-pane -p -t "main:$1" 2>/dev/null; }
wait_screen() { # wait_screen WIN TEXT SECS
	i=0; while ! screen_of "$1" | grep -q -- "$2"; do
		i=$((i + 1)); [ $i -gt $(($3 * 10)) ] && return 1; sleep 0.1; done
}
wait_rc() { # wait_rc NAME SECS: the console ended and run.sh wrote its status
	i=0; while [ ! -s "$W/$1.after" ]; do i=$((i + 1)); [ $i -gt $(($2 * 10)) ] && return 1; sleep 0.1; done
}
restored() { cmp -s "$W/$1.before" "$W/$1.after"; }

$T new-session -d -s main -x 100 -y 30 "sleep 600"
$T set -g default-terminal tmux-256color
$T set -g remain-on-exit off

# 1. draw, colours, resizes, quit with q
start a
wait_screen a "Fleet" 30 && ok "the fleet shows in tmux" || fail "no fleet screen"
wait_screen a "[1-9][0-9]* available" 30 # every list in: health known, not "loading"
if $T capture-pane -e -p -t main:a | grep -q "$(printf '\033')\[[0-9;]*3[1-7]m[^ ]*\(available\|down\|degraded\)"; then ok "health is drawn in colour"
else fail "no colour on the health words"; $T capture-pane -e -p -t main:a | head -5 | cat -v; fi
$T resize-window -t main:a -x 70 -y 20
widest() { screen_of a | sed 's/│/|/g' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }'; }
# redrawn: the key bar's last line fits and the status bar sits on line 19
narrow() { [ "$(widest)" -le 70 ] && screen_of a | grep -q "Fleet" && [ "$(screen_of a | wc -l)" -le 20 ] &&
	screen_of a | sed -n 19p | grep -q "connected"; }
i=0; while ! narrow && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
w=$(widest)
narrow && ok "redrawn at 70x20 (widest line $w)" || { fail "not redrawn at 70x20 (widest $w)"; screen_of a; }
$T resize-window -t main:a -x 50 -y 10
wait_screen a "Terminal too small" 5 && ok "too small at 50x10 says so" || fail "no too-small message"
$T resize-window -t main:a -x 100 -y 30
wait_screen a "Fleet" 5 && ok "back at 100x30" || fail "did not come back"
$T send-keys -t main:a q
wait_rc a 5 && ok "q quits" || fail "q did not quit"
[ "$(cat "$W/a.rc")" = 0 ] && ok "exit status 0 after q" || fail "exit status $(cat "$W/a.rc") after q"
restored a && ok "terminal modes restored after q" || fail "terminal modes differ after q"
screen_of a | grep -q "Fleet" && fail "the console is still on screen after q" || ok "the screen is given back after q"

# 2. SIGTERM, SIGHUP and a crash: each ends at once and restores the terminal
for sig in TERM HUP SEGV; do
	start "s$sig"
	wait_screen "s$sig" "Fleet" 30
	kill -"$sig" "$(cat "$W/s$sig.app")"
	if wait_rc "s$sig" 5; then ok "SIG$sig ends the console (status $(cat "$W/s$sig.rc"))"
	else fail "SIG$sig did not end the console in 5 s"; fi
	restored "s$sig" && ok "terminal modes restored after SIG$sig" || fail "terminal modes differ after SIG$sig"
done
[ "$(cat "$W/sTERM.rc")" = 143 ] && ok "SIGTERM: status 143" || fail "SIGTERM: status $(cat "$W/sTERM.rc")"
[ "$(cat "$W/sSEGV.rc")" = 139 ] && ok "a crash re-raises SIGSEGV (139)" || fail "crash status $(cat "$W/sSEGV.rc")"

# 3. the pane goes away (the SSH link drops): the process ends within seconds
start k
wait_screen k "Fleet" 30
app=$(cat "$W/k.app")
$T kill-window -t main:k
i=0; while kill -0 "$app" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -0 "$app" 2>/dev/null && { fail "still running 5 s after its terminal went away"; kill -9 "$app"; } \
	|| ok "ends within $((i / 10)).$((i % 10)) s when its terminal goes away"

# 4. an unknown TERM is a clear message, not an abort
$T new-window -d -t main -n u "TERM=no-such-term $BUILD/smartops --kubeconfig $KUBECONFIG 2>$W/u.err; echo \$? >$W/u.rc; sleep 30"
i=0; while [ ! -s "$W/u.rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$W/u.rc" 2>/dev/null)" = 1 ] && grep -q "unknown terminal type TERM=no-such-term" "$W/u.err" \
	&& ok "unknown TERM: $(cat "$W/u.err")" || fail "unknown TERM: status $(cat "$W/u.rc" 2>/dev/null), $(cat "$W/u.err")"
# 5. q while the cluster does not answer (every request held 20 s; a tenant's
# pods, events and access review in flight): the console still ends within a
# second, status 0, the terminal restored, and nothing is written to the
# terminal after the screen was given back (every byte of the pane recorded)
start d
wait_screen d "[1-9][0-9]* available" 30
$T pipe-pane -t main:d -o "cat >>$W/d.bytes"
kcurl -X PUT -H 'Content-Type: application/json' "$KS_URL/sim/v1/faults" -d '{"latency_ms":20000}' >/dev/null
$T send-keys -t main:d Down Enter
wait_screen d "Tenant" 5 || fail "the tenant screen did not open"
sleep 0.5
$T send-keys -t main:d q
wait_screen d "Fleet" 5 || fail "q did not go back to the fleet"
t0=$(date +%s%N)
$T send-keys -t main:d q
if wait_rc d 10; then
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -le 1000 ] && ok "q with a cluster not answering ends in $ms ms" || fail "q with a cluster not answering took $ms ms"
else
	fail "q with a cluster not answering: still running after 10 s"
fi
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
[ "$(cat "$W/d.rc")" = 0 ] && ok "exit status 0" || fail "exit status $(cat "$W/d.rc")"
restored d && ok "terminal modes restored" || fail "terminal modes differ"
[ -s "$W/d.err" ] && fail "written to stderr: $(head -3 "$W/d.err")" || ok "nothing on stderr"
# the pane's last bytes reach the file (tmux's pipe is asynchronous)
i=0; until grep -q "$(printf '\033')\[?1049l" "$W/d.bytes" || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
# after the last exit from the alternate screen: escape sequences only
after=$(LC_ALL=C awk 'BEGIN { RS = "\033\\[\\?1049l" } { last = $0 } END { printf "%s", last }' "$W/d.bytes" |
	LC_ALL=C sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1b[=>]//g' | tr -d '\r\n')
grep -q "$(printf '\033')\[?1049l" "$W/d.bytes" && [ -z "$after" ] && ok "nothing written after the screen was restored" ||
	fail "written after the screen was restored: \"$after\""
finish
