#!/bin/sh
# A hung API server (kubesim's hang fault: accepts, never answers) and a hung
# credential plugin: headless commands give up within --deadline with exit 3
# and say why; a plugin and what it started do not outlive the command. Also
# the kubeconfig mistakes of D9: a directory, a missing file.
. tests/integration/lib.sh
SO="$BUILD/smartops"
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config"

ks_start --start-time "$KS_QUIET_START" --fleet 3 --seed 5 --time-scale 1
check "tenants answers before the fault" "$SO" tenants

# timed CMD...: runs it, sets RC and SECS
timed() { t0=$(date +%s); "$@" >"$KS_DIR/t.out" 2>&1; RC=$?; SECS=$(( $(date +%s) - t0 )); }

# ---- D2: a hung API ----
kcurl -o /dev/null -X PUT -d '{"hang": true}' "$KS_URL/sim/v1/faults"
kcurl "$KS_URL/sim/v1/faults" >"$KS_DIR/faults.json"
check "the hang fault is on" grep -q '"hang":true' "$KS_DIR/faults.json"
timed "$SO" --deadline 4 tenants
[ $RC -eq 3 ] && ok "tenants --deadline 4 on a hung API: exit 3" || { fail "tenants --deadline 4: exit $RC (want 3)"; cat "$KS_DIR/t.out"; }
# the deadline is 4 s; a slow machine gets as much again before this fails
[ $SECS -le 8 ] && ok "tenants --deadline 4 gave up after ${SECS}s" || fail "tenants --deadline 4 took ${SECS}s"
check "tenants says the cluster is unreachable" grep -q "unreachable" "$KS_DIR/t.out"
timed "$SO" --deadline 3 tenant T10005
[ $RC -eq 3 ] && [ $SECS -le 7 ] && ok "tenant --deadline 3: exit 3 after ${SECS}s" || { fail "tenant --deadline 3: exit $RC after ${SECS}s"; cat "$KS_DIR/t.out"; }
"$SO" --deadline x tenants >/dev/null 2>&1; [ $? -eq 2 ] && ok "--deadline x: usage error" || fail "--deadline x: usage error"
check "--help documents --deadline and its default" sh -c "'$SO' --help | grep -A2 -- '--deadline S' | grep -q 'default 30'"
kcurl -o /dev/null -X DELETE "$KS_URL/sim/v1/faults"
check "tenants answers once the fault is cleared" "$SO" --deadline 20 tenants

# ---- D8: a credential plugin that hangs ----
PLUG="$KS_DIR/plugin.sh"
cat >"$PLUG" <<'EOS'
#!/bin/sh
# hangs, and what it started holds its output
sleep 300 &
echo $! >"$PLUGIN_PIDFILE"
wait
EOS
chmod +x "$PLUG"
SERVER=$(awk '/server:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
CADATA=$(awk '/certificate-authority-data:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
cat >"$KS_DIR/exec.kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster:
    server: $SERVER
    certificate-authority-data: $CADATA
users:
- name: plug
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $PLUG
      interactiveMode: Never
      env:
      - name: PLUGIN_PIDFILE
        value: $KS_DIR/plugin.pid
contexts:
- name: plug
  context: {cluster: sim, user: plug}
current-context: plug
EOK
timed "$SO" --kubeconfig "$KS_DIR/exec.kubeconfig" --deadline 4 tenants
[ $RC -eq 1 ] && [ $SECS -le 8 ] && ok "a hung plugin: exit 1 after ${SECS}s" || { fail "a hung plugin: exit $RC after ${SECS}s (want 1)"; cat "$KS_DIR/t.out"; }
check "a hung plugin: the reason names the plugin" grep -q "exec plugin .*plugin.sh: no credential after" "$KS_DIR/t.out"
PID=$(cat "$KS_DIR/plugin.pid" 2>/dev/null)
alive() { [ -n "$PID" ] && [ -e "/proc/$PID" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$PID/stat" 2>/dev/null; }
gone() { ! alive; }
[ -n "$PID" ] && wait_for "what the plugin started does not outlive the command" 5 gone || fail "the plugin wrote no pid"

# ---- D9: kubeconfig mistakes ----
mkdir -p "$KS_DIR/kcdir"
"$SO" --kubeconfig "$KS_DIR/kcdir" tenants >"$KS_DIR/t.out" 2>&1
check "a directory as kubeconfig is named as such" grep -q "is a directory" "$KS_DIR/t.out"
check "... not as an I/O error" sh -c "! grep -q 'Input/output' '$KS_DIR/t.out'"
"$SO" --kubeconfig "$KS_DIR/missing" tenants >"$KS_DIR/t.out" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "a missing kubeconfig: exit 1 (no leak turns it into 23 under LeakSanitizer)" || { fail "a missing kubeconfig: exit $rc"; cat "$KS_DIR/t.out"; }

finish
