#!/bin/sh
# Goal 4 of the speed issue: several clusters at once. Four kubesims of 1,250
# tenants each read with --context c1,c2,c3,c4 against one kubesim of 5,000
# tenants, `smartops tenants -o json`, best of RUNS, in the same run; then one of
# the four stopped (SIGSTOP: it accepts and never answers) with --deadline D:
# the others' tenants still come, and the whole costs about D more than the
# four alive, not more. Goal: four of 1,250 no slower than one of 5,000.
. tests/integration/lib.sh
BUILD=$(cd "$BUILD" && pwd)
SO="$BUILD/smartops"
RUNS=${RUNS:-3}
D=${D:-5}
PIDS=""
more_cleanup() { for p in $PIDS; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done; ks_cleanup; }
trap more_cleanup EXIT INT TERM

# one kubesim of 5,000 (the library's), then four of 1,250 with their contexts renamed
ks_start --fleet "${ONE_N:-5000}" --seed 3 --time-scale 1 --quiet --start-time "$KS_QUIET_START"
ONE=$KUBECONFIG
MANY=""
for i in 1 2 3 4; do
	kc="$KS_DIR/c$i.kubeconfig"
	"$BUILD/kubesim" --port 0 --kubeconfig-out "$kc.orig" --fleet "${EACH_N:-1250}" --seed $((10 + i)) \
		--time-scale 1 --quiet --start-time "$KS_QUIET_START" 2>"$KS_DIR/c$i.log" &
	PIDS="$PIDS $!"
	eval "PID_$i=$!"
done
for i in 1 2 3 4; do
	n=0; while [ ! -s "$KS_DIR/c$i.kubeconfig.orig" ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
	sed "s/\"kubesim-/\"c$i-/g; s/\"kubesim\"/\"c$i\"/g" "$KS_DIR/c$i.kubeconfig.orig" >"$KS_DIR/c$i.kubeconfig"
	MANY="$MANY${MANY:+:}$KS_DIR/c$i.kubeconfig"
done
CTXS=c1-admin,c2-admin,c3-admin,c4-admin
export XDG_CACHE_HOME="$KS_DIR/cache"

best() { # best LABEL command...: the best wall time of RUNS, the tenants counted
	label=$1; shift
	python3 - "$label" "$RUNS" "$@" <<'PY'
import json, subprocess, sys, time
label, runs, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
best, n = None, -1
for _ in range(runs):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.monotonic() - t0
    try:
        n = len(json.loads(p.stdout)["items"])
    except Exception:
        n = -1
    best = dt if best is None or dt < best else best
print("%-44s %6.2f s  %5d tenants" % (label, best, n))
PY
}
echo "kubesim: one of 5,000 and four of 1,250 serving; $RUNS runs each, best shown"
best "one cluster, 5,000 tenants" "$SO" --kubeconfig "$ONE" tenants -o json
best "four clusters, 1,250 each (--context x4)" env KUBECONFIG="$MANY" "$SO" --context "$CTXS" tenants -o json
kill -STOP "$PID_4"
best "four, one stopped (--deadline $D)" env KUBECONFIG="$MANY" "$SO" --deadline "$D" --context "$CTXS" tenants -o json
kill -CONT "$PID_4"
