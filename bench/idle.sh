#!/bin/sh
# Goal 6's quiet half: the console at N tenants (default 5,000) when nothing
# changes — kubesim's clock nearly stopped and no simulated traffic, so no
# workload moves. Once the fleet is on screen and settled (SETTLE seconds),
# for SECS seconds (default 60): the console's CPU (its own, from /proc) and
# the bytes it writes to the terminal (tmux pipe-pane), at 120x40.
# Goals: CPU under 2% of a core, under 2 KB a minute to the terminal.
. tests/integration/lib.sh
. bench/tmux.sh
N=${N:-5000}
SECS=${SECS:-60}

ks_start --fleet "$N" --seed 3 --time-scale 0.001 --no-traffic --quiet --start-time "$KS_QUIET_START"
# the controllers' first pass makes every pod and then their states move
# (minutes at 5,000 tenants): until a 10 s watch of the pods and one of the
# Deployments see no change, at most 10 minutes
changes() { # KIND-PATH: changes seen by a 10 s watch from now
	rv=$(kcurl "$KS_URL/$1?limit=1" | jq -r .metadata.resourceVersion)
	kcurl -N "$KS_URL/$1?watch=1&resourceVersion=$rv&timeoutSeconds=10" | grep -c '"type":"\(ADDED\|MODIFIED\|DELETED\)"'
}
i=0
until [ "$(changes api/v1/pods)" = 0 ] && [ "$(changes apis/apps/v1/deployments)" = 0 ]; do
	i=$((i + 1)); [ $i -gt 30 ] && { echo "the fleet kept changing for 10 minutes"; exit 1; }
done
echo "kubesim: no pod or Deployment changed for 10 s each"
$T new-session -d -x 120 -y 40 "exec $SO --kubeconfig $KUBECONFIG"
PID=$($T list-panes -F '#{pane_pid}')
i=0
until $T capture-pane -p | grep -q "connected"; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "the console did not say connected in 120 s"; exit 1; }
	sleep 0.2
done
sleep "${SETTLE:-20}"
cpu() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
: >"$KS_DIR/pane.out"
$T pipe-pane -o "cat >>'$KS_DIR/pane.out'"
c0=$(cpu)
sleep "$SECS"
c1=$(cpu)
$T pipe-pane
bytes=$(wc -c <"$KS_DIR/pane.out")
hz=$(getconf CLK_TCK)
python3 - "$c0" "$c1" "$hz" "$SECS" "$bytes" "$N" <<'PY'
import sys
c0, c1, hz, secs, nbytes, n = (float(x) for x in sys.argv[1:7])
cpu = (c1 - c0) / hz / secs * 100
per_min = nbytes * 60 / secs
print("%d tenants, nothing changing, %d s: console CPU %.2f%% of a core (goal < 2%%: %s), %.0f bytes a minute to the terminal (goal < 2048: %s)" % (
    n, secs, cpu, "met" if cpu < 2 else "NOT met", per_min, "met" if per_min < 2048 else "NOT met"))
PY
