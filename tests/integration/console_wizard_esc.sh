#!/bin/sh
# In tmux: Esc in the namespace wizard while its worker waits on a cluster that
# does not answer (kubesim stopped with SIGSTOP: connections are accepted by
# the kernel, never answered) leaves the wizard at once; the worker is left to
# end on its own. Both workers: the TCODE lookup and the plan with its
# preflight; and the file-server wizard's plan. Then q still ends the
# console promptly.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-test-$$"
T="tmux -L $SOCK -f /dev/null"
stopped=""
esc_cleanup() {
	[ -n "$stopped" ] && kill -CONT "$KS_PID" 2>/dev/null
	$T kill-server 2>/dev/null; ks_cleanup
}
trap esc_cleanup EXIT INT TERM

ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 0.001
W="$KS_DIR/w"; mkdir -p "$W"
cat >"$W/run.sh" <<EOS
#!/bin/sh
sh -c 'echo \$\$ >"\$0.app"; exec env TZ=UTC LANG=C.UTF-8 "$BUILD/smartops" --kubeconfig "$KUBECONFIG" 2>"\$0.err"' "\$1"
echo \$? >"\$1.rc"
sleep 30
EOS
chmod +x "$W/run.sh"
screen_of() { $T capture-pane -p -t "main:$1" 2>/dev/null; }
wait_screen() { # wait_screen WIN TEXT SECS
	i=0; while ! screen_of "$1" | grep -q -- "$2"; do
		i=$((i + 1)); [ $i -gt $(($3 * 10)) ] && return 1; sleep 0.1; done
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
freeze() { kill -STOP "$KS_PID"; stopped=1; }
thaw() { kill -CONT "$KS_PID"; stopped=""; }

$T new-session -d -s main -x 100 -y 30 "sleep 600"
$T new-window -d -t main -n a "TERM=tmux-256color $W/run.sh $W/a"
wait_screen a "[1-9][0-9]* available" 60 || fail "the fleet did not load"

# 1. Esc during the TCODE lookup
$T send-keys -t main:a n
wait_screen a "New namespace" 10 || fail "the wizard did not open"
$T send-keys -t main:a T54630
freeze
$T send-keys -t main:a Enter
sleep 0.5
t0=$(date +%s%N)
$T send-keys -t main:a Escape
if wait_screen a "Fleet .* tenants" 10; then
	ms=$(ms_since "$t0")
	[ "$ms" -le 2000 ] && ok "Esc during the lookup, the cluster not answering: the fleet back in $ms ms" ||
		fail "Esc during the lookup took $ms ms (the worker was waited for on the UI thread)"
else
	fail "Esc during the lookup: the wizard still on screen after 10 s"; screen_of a | head -5
fi
t0=$(date +%s%N)
$T send-keys -t main:a '?'
wait_screen a "smartops .* Help" 5 && ok "keys answered after Esc ($(ms_since "$t0") ms)" || fail "no help 5 s after Esc"
$T send-keys -t main:a Escape
thaw
wait_screen a "[1-9][0-9]* available" 60

# 2. Esc during the plan's preflight (access review, dry run)
$T send-keys -t main:a n
wait_screen a "New namespace" 10 || fail "the wizard did not open again"
$T send-keys -t main:a C-u T54630 Enter
wait_screen a "Enter: the options" 30 || fail "the contract page did not show"
$T send-keys -t main:a Enter
wait_screen a "Options" 10 || fail "the options page did not show"
freeze
$T send-keys -t main:a Enter
sleep 0.5
t0=$(date +%s%N)
$T send-keys -t main:a Escape
if wait_screen a "Fleet .* tenants" 10; then
	ms=$(ms_since "$t0")
	[ "$ms" -le 2000 ] && ok "Esc during the plan and preflight: the fleet back in $ms ms" ||
		fail "Esc during the preflight took $ms ms (the worker was waited for on the UI thread)"
else
	fail "Esc during the preflight: the wizard still on screen after 10 s"; screen_of a | head -5
fi

# 2b. the same in the wizards of views/wizard_form.c (the file server's plan)
thaw
wait_screen a "[1-9][0-9]* available" 60
$T send-keys -t main:a ":new fileserver" Enter
wait_screen a "File server .* Tenant" 10 || fail "the file-server wizard did not open"
$T send-keys -t main:a T10007 Tab Enter
wait_screen a "File server for T10007 .* Options" 10 || fail "the file-server form did not show"
freeze
$T send-keys -t main:a Enter
sleep 0.5
t0=$(date +%s%N)
$T send-keys -t main:a Escape
if wait_screen a "Fleet .* tenants" 10; then
	ms=$(ms_since "$t0")
	[ "$ms" -le 2000 ] && ok "Esc while the file server's plan is built: the fleet back in $ms ms" ||
		fail "Esc during the file server's plan took $ms ms (the worker was waited for on the UI thread)"
else
	fail "Esc during the file server's plan: the wizard still on screen after 10 s"; screen_of a | head -5
fi

# 3. q with the abandoned worker still waiting: the console ends promptly
t0=$(date +%s%N)
$T send-keys -t main:a q
i=0; while [ ! -s "$W/a.rc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -s "$W/a.rc" ]; then
	ms=$(ms_since "$t0")
	[ "$ms" -le 3000 ] && ok "q with the worker still waiting ends in $ms ms" || fail "q took $ms ms"
	[ "$(cat "$W/a.rc")" = 0 ] && ok "exit status 0" || fail "exit status $(cat "$W/a.rc")"
else
	fail "q: still running after 10 s"
fi
thaw
[ -s "$W/a.err" ] && fail "written to stderr: $(head -3 "$W/a.err")" || ok "nothing on stderr"
finish
