#!/bin/sh
# The soak (issue #14, 6): the console (in tmux) and `smartops tenants --watch`
# against a churning kubesim fleet (clock 60x, users waking and sleeping tenants)
# for SECS seconds (default an hour), with kubesim's faults switched on and off
# in a cycle: errors with Retry-After, cut watches, 410 Gone, a hung server,
# slow answers, malformed bodies, then none. Every SAMPLE seconds it records
# each process's resident memory, open file descriptors and CPU time to
# soak.csv; at the end it prints first/last/largest of each, whether every
# process is still alive, and the console's last screen (which must show the
# fleet, not UNREACHABLE: the faults are off for the last cycle).
# make bench runs it for the hour at 5,000 tenants (BENCH_SIZE=small: 4 minutes
# at 200); by hand: SECS=3600 N=5000 sh bench/soak.sh build
. tests/integration/lib.sh
. bench/tmux.sh
N=${N:-500}
SECS=${SECS:-3600}
SAMPLE=${SAMPLE:-30}
CYCLE=${CYCLE:-60} # seconds each fault stays on
OUT=${OUT:-soak.csv}

ks_start --fleet "$N" --seed 3 --time-scale 60 --quiet --start-time "$KS_QUIET_START"
faults() { kcurl -X PUT -H 'Content-Type: application/json' "$KS_URL/sim/v1/faults" -d "$1" >/dev/null 2>&1; }

$T new-session -d -x 120 -y 40 "exec $SO --kubeconfig $KUBECONFIG"
CONSOLE_PID=$($T list-panes -F '#{pane_pid}')
# The watch prints the whole fleet on each change (at 5,000 tenants megabytes
# a time, tens of gigabytes an hour): only its bytes are counted, not kept
mkfifo "$KS_DIR/watch.fifo"
wc -c <"$KS_DIR/watch.fifo" >"$KS_DIR/watch.bytes" &
WC_PID=$!
"$SO" --kubeconfig "$KUBECONFIG" tenants --watch -o json >"$KS_DIR/watch.fifo" 2>"$KS_DIR/watch.err" &
WATCH_PID=$!
BENCH_PIDS=$WATCH_PID

stat_of() { # pid -> "rss_kb fds cpu_s", or "dead"
	if [ ! -r "/proc/$1/status" ]; then echo "dead dead dead"; return; fi
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status")
	fds=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
	cpu=$(awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$1/stat")
	echo "$rss $fds $cpu"
}
set -- '{"error_rate":0.3,"error_code":503,"retry_after_s":2}' '{"watch_cut_s":5}' \
	'{"gone_watch":true}' '{"hang":true}' '{"latency_ms":400}' '{"malformed_rate":0.05}' '{}'
n_faults=$#
echo "t,fault,console_rss_kb,console_fds,console_cpu_s,watch_rss_kb,watch_fds,watch_cpu_s,kubesim_rss_kb" >"$OUT"
start=$(date +%s)
next_fault=0
i=0
fault='{}'
while :; do
	now=$(date +%s)
	el=$((now - start))
	[ $el -ge "$SECS" ] && break
	if [ $el -ge $next_fault ]; then
		# the last cycle before the end is always fault-free
		if [ $((SECS - el)) -le $((CYCLE * 2)) ]; then fault='{}'; else
			k=$((i % n_faults + 1)); eval "fault=\${$k}"; i=$((i + 1))
		fi
		faults "$fault"
		next_fault=$((el + CYCLE))
	fi
	c=$(stat_of "$CONSOLE_PID"); w=$(stat_of "$WATCH_PID"); k=$(stat_of "$KS_PID")
	echo "$el,$(echo "$fault" | tr ',' ';'),$(echo "$c" | tr ' ' ','),$(echo "$w" | tr ' ' ','),${k%% *}" >>"$OUT"
	sleep "$SAMPLE"
done
faults '{}'
sleep 20
$T capture-pane -p >"$KS_DIR/last-screen.txt" 2>/dev/null
python3 - "$OUT" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def col(name):
    return [r[name] for r in rows]
for who in ("console", "watch"):
    for what, unit in (("rss_kb", "KiB"), ("fds", "fds"), ("cpu_s", "s CPU")):
        v = col(who + "_" + what)
        if "dead" in v:
            print("%-8s DIED at t=%s s" % (who, rows[v.index("dead")]["t"])); break
        nums = [float(x) for x in v]
        print("%-8s %-7s first %10.0f  last %10.0f  largest %10.0f %s" % (who, what, nums[0], nums[-1], max(nums), unit))
ks = [float(x) for x in col("kubesim_rss_kb") if x != "dead"]
if ks:
    print("kubesim  rss_kb  first %10.0f  last %10.0f  largest %10.0f KiB" % (ks[0], ks[-1], max(ks)))
print("samples: %d over %s s" % (len(rows), rows[-1]["t"] if rows else 0))
PY
echo "the console's last screen:"
head -3 "$KS_DIR/last-screen.txt"
if grep -q UNREACHABLE "$KS_DIR/last-screen.txt"; then echo "FAIL: the console still says UNREACHABLE after the faults ended"; exit 1; fi
if ! kill -0 "$CONSOLE_PID" 2>/dev/null || ! kill -0 "$WATCH_PID" 2>/dev/null; then
	echo "FAIL: a process died"; tail -3 "$KS_DIR/watch.err"; exit 1
fi
kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null; BENCH_PIDS=""; wait "$WC_PID"
echo "tenants --watch -o json printed $(( $(cat "$KS_DIR/watch.bytes") / 1048576 )) MB in $SECS s"
echo "soak: both alive; figures in $OUT"
