#!/bin/sh
# Goals 1 and 2 at N tenants (default 5,000), kubesim's controllers running
# (clock 60x, measured from the moment kubesim serves):
#  1. instant first frame: the console's first frame with rows, from the
#     snapshot of its last run (rows marked stale): goal < 300 ms from start;
#     with no snapshot, its first rows (the namespaces' first page) within
#     300 ms of the first list page coming in (SMARTOPS_TRACE);
#  2. fresh within a second: the complete fresh frame (every list in, health
#     known) and `smartops tenants -o json`: goal < 1.0 s each, and at most 1.5x
#     the transfer limit: the same pages fetched over one keep-alive connection
#     and not parsed (bench/transfer.py), measured in the same run.
# Each is measured while the controllers still work (first) and once they have
# settled (SETTLE seconds later), REPEAT runs.
# The seconds are the best of the runs. The limit a run is held to is the mean
# of the two transfers beside it (just before and just after), the ratio the
# median of those over the runs:
# while the controllers make the fleet its pages double (74 MB
# a second after kubesim serves, 158 MB half a minute later; 76 MB then 101 MB
# across one round's runs), and the best transfer of a round, its first,
# fetched fewer bytes than any client run after it. The bytes each transfer
# fetched are printed; so is the best of the runs against the best transfer.
. tests/integration/lib.sh
BUILD=$(cd "$BUILD" && pwd)
N=${N:-5000}
REPEAT=${REPEAT:-3}
SO="$BUILD/smartops"
export TZ=UTC LANG=C.UTF-8
t0=$(date +%s%N)
# KUBESIM_ARGS: more for kubesim (e.g. --controller-nice 0, to compare)
# shellcheck disable=SC2086
ks_start --fleet "$N" --seed 3 --time-scale 60 --quiet --start-time "$KS_QUIET_START" ${KUBESIM_ARGS:-}
echo "kubesim of $N tenants serving in $((($(date +%s%N) - t0) / 1000000)) ms"
printf ':early\n:save-display %s/first.txt\n:quit\n' "$KS_DIR" >"$KS_DIR/first.keys"

frame() { # frame LABEL: one console run; ms from the process start to its first frame and to the complete one
	python3 - "$SO" "$KS_DIR/first.keys" "$1" <<'PY'
import os, re, subprocess, sys, time
so, keys, label = sys.argv[1:4]
env = dict(os.environ, SMARTOPS_KEY_TIMING="1", COLUMNS="100", LINES="30")
t0 = time.time() * 1000
p = subprocess.run([so, "--script", keys], env=env, capture_output=True, text=True)
m = re.search(r"first at (\d+) ms, first with data at (\d+) ms, first idle at (\d+) ms", p.stderr)
if p.returncode or not m:
    print("%s: the console failed: %s" % (label, p.stderr.strip()[:300])); sys.exit(1)
print("%.0f %.0f" % (int(m.group(1)) - t0, int(m.group(3)) - t0))
PY
}
tenants() { # seconds of one `smartops tenants -o json`
	python3 -c 'import subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.3f" % (time.monotonic() - t))' "$SO" tenants -o json
}
transfer() { python3 bench/transfer.py "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN" 1 | cut -d' ' -f2,3; }

round() { # round LABEL
	label=$1
	best_first=""; best_fresh=""; best_ten=""; best_tr=""; pairs=""
	i=0
	while [ $i -lt "$REPEAT" ]; do
		i=$((i + 1))
		set -- $(transfer)
		tr=$1; by=$2
		set -- $(frame "$label")
		first=$1; fresh=$2
		stale=$(grep -c 'stale [0-9]*[smhd]: ' "$KS_DIR/first.txt")
		ten=$(tenants)
		set -- $(transfer)
		tr2=$1; by2=$2
		pairs="$pairs $fresh,$ten,$tr,$tr2"
		echo "   run $i: transfers ${tr} s ($((by / 1000000)) MB) and ${tr2} s ($((by2 / 1000000)) MB) beside it; console first frame ${first} ms ($stale rows marked stale), complete ${fresh} ms; tenants -o json ${ten} s"
		tr=$(python3 -c "print(min($tr, $tr2))")
		best_first=$(python3 -c "print(min(x for x in [$first, ${best_first:-1e9}]))")
		best_fresh=$(python3 -c "print(min(x for x in [$fresh, ${best_fresh:-1e9}]))")
		best_ten=$(python3 -c "print(min(x for x in [$ten, ${best_ten:-1e9}]))")
		best_tr=$(python3 -c "print(min(x for x in [$tr, ${best_tr:-1e9}]))")
	done
	python3 - "$label" "$best_first" "$best_fresh" "$best_ten" "$best_tr" "$pairs" <<'PY'
import statistics, sys
label, first, fresh, ten, tr = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]) / 1000, float(sys.argv[4]), float(sys.argv[5])
runs = [tuple(float(x) for x in p.split(",")) for p in sys.argv[6].split()]
fr = statistics.median(f / 1000 / ((a + b) / 2) for f, t, a, b in runs)
tn = statistics.median(t / ((a + b) / 2) for f, t, a, b in runs)
print("%s: first frame %.0f ms (best of runs; goal < 300: %s); complete fresh frame %.2f s (best of runs), "
      "%.2fx the transfers beside each run (median of runs) (goal < 1.0 s and <= 1.5x: %s); "
      "tenants -o json %.2f s, %.2fx (%s)" % (
    label, first, "met" if first < 300 else "NOT met", fresh, fr,
    "met" if fresh < 1.0 and fr <= 1.5 else "NOT met", ten, tn,
    "met" if ten < 1.0 and tn <= 1.5 else "NOT met"))
# as before: the best of the runs against the best of the transfers (which,
# while the fleet grows, fetched fewer bytes than the runs)
print("%s, best of runs against the best transfer: complete frame %.2f s = %.2fx of %.2f s; tenants -o json %.2f s = %.2fx" % (
    label, fresh, fresh / tr, tr, ten, ten / tr))
PY
}

# the first run, with no snapshot of a last run (it writes the one the others
# start from): its first rows, from the first list page in (goal < 300 ms)
rm -f "$KS_DIR/cold.trace"
set -- $(SMARTOPS_TRACE="$KS_DIR/cold.trace" frame "no snapshot")
awk -v start="$1" '/list first page in/ && !p { p = $1 } /frame: first with data/ && !f { f = $1 }
END { if (!p || !f) { print "no snapshot: no trace of the first page or rows"; exit }
      printf "no snapshot: first rows %.0f ms after the first list page came in (goal < 300 ms: %s); first frame %s ms from start\n",
             (f - p) / 1000, (f - p) < 300000 ? "met" : "NOT met", start }' "$KS_DIR/cold.trace"
echo "while the controllers make the fleet:"
round "controllers running"
sleep "${SETTLE:-60}"
echo "after ${SETTLE:-60} s more:"
round "controllers settled"
echo "memory: kubesim $(awk '/VmRSS/{print $2}' /proc/$KS_PID/status) kB"
