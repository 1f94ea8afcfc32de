#!/bin/sh
# The console through an outage, in tmux: a hung API (kubesim's hang fault)
# is said as UNREACHABLE within seconds while keys still answer (D2); after a
# brief stop of kubesim (SIGSTOP, then SIGCONT) the status bar says connected
# again once the watches reopen, although no object changed (D1).
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-outage-$$"
T="tmux -L $SOCK -f /dev/null"
tmux_cleanup() { [ -n "$KS_PID" ] && kill -CONT "$KS_PID" 2>/dev/null; $T kill-server 2>/dev/null; ks_cleanup; }
trap tmux_cleanup EXIT INT TERM

# a nearly stopped clock: nothing changes in the fleet on its own
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 3 --time-scale 0.001
W="$KS_DIR/w"; mkdir -p "$W"
cat >"$W/run.sh" <<EOS
#!/bin/sh
env TZ=UTC LANG=C.UTF-8 "$BUILD/smartops" --kubeconfig "$KUBECONFIG" 2>"$W/err"
echo \$? >"$W/rc"
sleep 60
EOS
chmod +x "$W/run.sh"
screen_of() { $T capture-pane -p -t main:c 2>/dev/null; }
status_of() { screen_of | grep -E "connected|UNREACHABLE|loading|connecting" | tail -1; }
says() { status_of | grep -q -- "$1"; }

$T new-session -d -s main -x 120 -y 30 "sleep 600"
$T new-window -d -t main -n c "TERM=tmux-256color $W/run.sh"
wait_for "the console says connected" 60 says "connected"

# ---- D2: a hung API ----
kcurl -o /dev/null -X PUT -d '{"hang": true}' "$KS_URL/sim/v1/faults"
t0=$(date +%s)
# the watches fall silent; after 5 s of it the client probes the server, whose
# answer is awaited 5 s (k8s/client.h: the watchdog)
wait_for "a hung API is said as UNREACHABLE" 60 says "UNREACHABLE"
echo "    (after $(( $(date +%s) - t0 )) s)"
$T send-keys -t main:c '?'
help_up() { screen_of | grep -q "│ Help"; }
wait_for "keys still answer while the API hangs (help opens)" 5 help_up
$T send-keys -t main:c Escape
kcurl -o /dev/null -X DELETE "$KS_URL/sim/v1/faults"
wait_for "connected again once the fault is cleared" 60 says "connected"

# ---- D1: a brief outage ----
kill -STOP "$KS_PID"
wait_for "kubesim stopped: UNREACHABLE" 60 says "UNREACHABLE"
kill -CONT "$KS_PID"
# nothing changes in the fleet: only a reopened watch or a bookmark can say so
wait_for "kubesim continued: connected again, no object changed" 60 says "connected"
none_unknown() { screen_of | grep -q " 0 unknown "; }
wait_for "no tenant left unknown" 10 none_unknown

$T send-keys -t main:c q
rc_in() { [ -s "$W/rc" ]; }
wait_for "q ends the console" 10 rc_in
[ "$(cat "$W/rc" 2>/dev/null)" = 0 ] && ok "exit status 0" || fail "exit status $(cat "$W/rc" 2>/dev/null)"

# ---- D9: no cluster read, no data cached: the empty fleet says so ----
dead_kubeconfig "$W/dead.kubeconfig"
cat >"$W/dead.sh" <<EOS
#!/bin/sh
env TZ=UTC LANG=C.UTF-8 XDG_CACHE_HOME="$W/empty-cache" KUBECONFIG="$KUBECONFIG:$W/dead.kubeconfig" "$BUILD/smartops" --context dead 2>/dev/null
sleep 60
EOS
chmod +x "$W/dead.sh"
$T new-window -d -t main -n d "TERM=tmux-256color $W/dead.sh"
dead_screen() { $T capture-pane -p -t main:d 2>/dev/null; }
dead_says() { dead_screen | grep -q -- "$1"; }
wait_for "a dead cluster: UNREACHABLE" 30 dead_says "UNREACHABLE"
wait_for "a dead cluster with no data: 'No tenants known'" 10 dead_says "No tenants known"
dead_says "No tenants in the cluster" && fail "a dead cluster claims no tenants" || ok "no claim of an empty cluster"
$T send-keys -t main:d q

# ---- D8: a credential plugin that hangs does not outlive the console ----
PLUG="$W/plugin.sh"
cat >"$PLUG" <<'EOS'
#!/bin/sh
sleep 300 &
echo $! >"$PLUGIN_PIDFILE"
wait
EOS
chmod +x "$PLUG"
SERVER=$(awk '/server:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
CADATA=$(awk '/certificate-authority-data:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
cat >"$W/exec.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {server: $SERVER, certificate-authority-data: $CADATA}
users:
- name: plug
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $PLUG
      interactiveMode: Never
      env: [{name: PLUGIN_PIDFILE, value: $W/plugin.pid}]
contexts:
- name: plug
  context: {cluster: sim, user: plug}
current-context: plug
EOK
cat >"$W/plug.sh" <<EOS
#!/bin/sh
env TZ=UTC LANG=C.UTF-8 XDG_CACHE_HOME="$W/empty-cache2" "$BUILD/smartops" --kubeconfig "$W/exec.kubeconfig" 2>/dev/null
echo \$? >"$W/plug.rc"
sleep 60
EOS
chmod +x "$W/plug.sh"
$T new-window -d -t main -n p "TERM=tmux-256color $W/plug.sh"
pid_written() { [ -s "$W/plugin.pid" ]; }
wait_for "the console runs the credential plugin" 30 pid_written
$T send-keys -t main:p q
plug_ended() { [ -s "$W/plug.rc" ]; }
wait_for "q ends the console while its plugin hangs" 5 plug_ended
PID=$(cat "$W/plugin.pid")
plugin_gone() { [ ! -e "/proc/$PID" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$PID/stat" 2>/dev/null; }
wait_for "what the plugin started does not outlive the console" 5 plugin_gone
finish
