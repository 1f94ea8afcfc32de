#!/bin/sh
# The headless watch at N tenants (default 5,000) under churn (clock 60x, as
# the soak): `tenants --watch -o json` (the whole list on each change) beside
# `tenants --watch --changes -o json` (the list once, then one event a line),
# side by side. For each: the bytes it printed from its start to its end
# (SETTLE, default 60 s, then SECS, default 120 s; counted through a pipe,
# never kept), its CPU over the last SECS and its resident memory at the end;
# and the lines (events) of the second.
. tests/integration/lib.sh
SO="$BUILD/smartops"
N=${N:-5000}
SECS=${SECS:-120}

ks_start --fleet "$N" --seed 3 --time-scale 60 --quiet --start-time "$KS_QUIET_START"
for w in whole changes; do
	mkfifo "$KS_DIR/$w.fifo"
	if [ $w = whole ]; then
		wc -c <"$KS_DIR/$w.fifo" >"$KS_DIR/$w.bytes" &
	else # bytes and lines
		wc -c -l <"$KS_DIR/$w.fifo" >"$KS_DIR/$w.bytes" &
	fi
done
"$SO" --kubeconfig "$KUBECONFIG" tenants --watch -o json >"$KS_DIR/whole.fifo" 2>"$KS_DIR/whole.err" &
WHOLE=$!
"$SO" --kubeconfig "$KUBECONFIG" tenants --watch --changes -o json >"$KS_DIR/changes.fifo" 2>"$KS_DIR/changes.err" &
CHANGES=$!
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
sleep "${SETTLE:-60}"
w0=$(cpu $WHOLE); c0=$(cpu $CHANGES)
sleep "$SECS"
w1=$(cpu $WHOLE); c1=$(cpu $CHANGES)
wr=$(rss $WHOLE); cr=$(rss $CHANGES)
kill -INT $WHOLE $CHANGES
wait $WHOLE; wait $CHANGES
sleep 1
hz=$(getconf CLK_TCK)
python3 - "$hz" "$SECS" "$w0" "$w1" "$c0" "$c1" "$wr" "$cr" "$N" "$((SECS + ${SETTLE:-60}))" \
	$(cat "$KS_DIR/whole.bytes") $(cat "$KS_DIR/changes.bytes") <<'PY'
import sys
hz, secs, w0, w1, c0, c1, wr, cr, n, total, wb, cl, cb = (float(x) for x in sys.argv[1:14])
print("%d s in all: the whole list printed %.1f MB (%.0f KB a second), the changes %.2f MB (%.1f KB a second, %.1f events a second): %.0fx fewer bytes" % (
    total, wb / 1e6, wb / total / 1e3, cb / 1e6, cb / total / 1e3, (cl - 1) / total, wb / max(cb, 1)))
print("%d tenants, clock 60x, %d s: CPU whole list %.1f%%, changes %.1f%% of a core; resident %.0f MB against %.0f MB" % (
    n, secs, (w1 - w0) / hz / secs * 100, (c1 - c0) / hz / secs * 100, wr / 1024, cr / 1024))
PY
