#!/bin/sh
# Goal 2, kubesim's side: do its controllers starve its list readers? At N
# tenants (default 5,000), clock 60x, from the moment kubesim serves: for the
# first WINDOW seconds (default 80, while the controllers make the fleet's
# pods), alternately `smartops tenants -o json` and the transfer limit (the same
# pages over one keep-alive connection, not parsed: bench/transfer.py), then the
# same pairs once the controllers have settled (SETTLE seconds later). Prints
# each pair, the median of each phase and the ratio tenants / transfer.
# KUBESIM=path runs another kubesim binary (to compare two builds in one run);
# SMARTOPS_ALT=path another smartops, run in each pair as well (its order with
# this build's alternating), with its own median and ratio.
# Then the store alone (tests/tools/store_readers): a reader listing every
# Deployment in pages of 500 while two writers change them, the writers' work
# at work and not, in alternate phases.
. tests/integration/lib.sh
BUILD=$(cd "$BUILD" && pwd)
TOOLS="$BUILD/tests"
N=${N:-5000}
WINDOW=${WINDOW:-80}
SETTLE=${SETTLE:-60}
PAIRS=${PAIRS:-3}
SO="$BUILD/smartops"
export TZ=UTC LANG=C.UTF-8
if [ -n "${KUBESIM:-}" ]; then # ks_start runs $BUILD/kubesim: a folder of our own holding the other one
	mkdir -p "$KS_DIR/alt" && ln -s "$KUBESIM" "$KS_DIR/alt/kubesim"
	BUILD="$KS_DIR/alt"
fi
s0=$(date +%s)
# KUBESIM_ARGS: more for kubesim (e.g. --controller-nice 0, to compare)
# shellcheck disable=SC2086
ks_start --fleet "$N" --seed 3 --time-scale 60 --quiet --start-time "$KS_QUIET_START" ${KUBESIM_ARGS:-}
t0=$(date +%s) # the window counts from the moment kubesim serves
echo "kubesim ($N tenants) serving after $((t0 - s0)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"

tenants() { # seconds of one `smartops tenants -o json` (of $1, else this build's), and its tenant count
	python3 -c 'import json, subprocess, sys, time
t = time.monotonic(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
dt = time.monotonic() - t
try: n = len(json.loads(p.stdout)["items"])
except Exception: n = -1
print("%.3f %d" % (dt, n))' "${1:-$SO}" tenants -o json
}
transfer() { python3 bench/transfer.py "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN" 1 | cut -d' ' -f2; }

phase() { # phase LABEL UNTIL_EPOCH_SECONDS MAX_PAIRS: pairs until then (at least one)
	label=$1; until=$2; max=$3; i=0; : >"$KS_DIR/phase"
	while :; do
		i=$((i + 1))
		el=$(($(date +%s) - t0))
		if [ -z "${SMARTOPS_ALT:-}" ]; then
			tr=$(transfer); set -- $(tenants)
			echo "   $label, t=${el} s: transfer ${tr} s, tenants -o json $1 s ($2 tenants)"
			echo "$tr $1" >>"$KS_DIR/phase"
		else # this build and the other, in turn first
			tr=$(transfer)
			if [ $((i % 2)) = 1 ]; then a=$(tenants); b=$(tenants "$SMARTOPS_ALT"); else
				b=$(tenants "$SMARTOPS_ALT"); a=$(tenants); fi
			set -- $a $b
			echo "   $label, t=${el} s: transfer ${tr} s, tenants -o json $1 s ($2 tenants), other smartops $3 s ($4 tenants)"
			echo "$tr $1 $3" >>"$KS_DIR/phase"
		fi
		[ "$(date +%s)" -ge "$until" ] && break
		[ "$max" -gt 0 ] && [ $i -ge "$max" ] && break
	done
	python3 - "$label" "$KS_DIR/phase" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
tr = statistics.median(r[0] for r in rows); te = statistics.median(r[1] for r in rows)
ratios = [r[1] / r[0] for r in rows if r[0] > 0]
print("%s: %d pairs; median transfer %.2f s, tenants -o json %.2f s; tenants/transfer median %.2fx (per pair %s)" % (
    sys.argv[1], len(rows), tr, te, statistics.median(ratios), ", ".join("%.2f" % r for r in ratios)))
if all(len(r) > 2 for r in rows):
    tb = statistics.median(r[2] for r in rows)
    rb = [r[2] / r[0] for r in rows if r[0] > 0]
    print("%s, the other smartops: tenants -o json %.2f s; tenants/transfer median %.2fx (per pair %s)" % (
        sys.argv[1], tb, statistics.median(rb), ", ".join("%.2f" % r for r in rb)))
PY
}
phase "controllers running" $((t0 + WINDOW)) 0
echo "pods made so far: $(kcurl "$KS_URL/api/v1/pods?limit=1" | python3 -c 'import json,sys; m=json.load(sys.stdin)["metadata"]; print(m.get("remainingItemCount",0)+1)')"
sleep "$SETTLE"
phase "settled" $(($(date +%s) + 100000)) "$PAIRS"
echo "kubesim RSS $(awk '/VmRSS/{print $2}' /proc/$KS_PID/status) kB; load $(cut -d' ' -f1-3 /proc/loadavg)"
# the store alone, in this process's build: writers doing their work under the
# store's lock, and no writers, in alternate phases of the same run
kill "$KS_PID" 2>/dev/null; wait "$KS_PID" 2>/dev/null; KS_PID=""
echo "kubesim's store alone (tests/tools/store_readers.c), $N tenants:"
"$TOOLS/store_readers" "$N" "${STORE_SECS:-10}" 2 | sed 's/^/   /'
