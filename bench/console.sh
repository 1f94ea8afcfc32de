#!/bin/sh
# The console at 5,000 tenants (kubesim, seed 3, clock 60x so that the fleet churns):
#  - time to the first fleet frame: cold (no cache folder: the rows once the
#    namespaces are listed), warm (rows painted from the last good listing), and
#    the first complete frame (every list in, health known);
#  - key-to-frame p50/p99 over a script of moves, filters, a tenant and back;
#  - bytes written to the terminal in one minute of churn, the console in tmux
#    (pane output counted with pipe-pane) against `watch -n2 kubectl get deploy -A`
#    in a pane of the same size, measured over the same minute.
# Goals: first frame < 500 ms, key-to-frame p99 < 10 ms, bytes <= 1/10 of watch's.
. tests/integration/lib.sh
. bench/tmux.sh
N=${N:-5000}
SECS=${SECS:-60}

ks_start --fleet "$N" --seed 3 --time-scale 60 --quiet --start-time "$KS_QUIET_START"
# let the controllers make the pods before measuring
"$SO" tenants -o json >/dev/null 2>&1
sleep "${SETTLE:-20}"

# ---- first frame ----
printf ':save-display %s/first.txt\n:quit\n' "$KS_DIR" >"$KS_DIR/first.keys"
frame() { # frame LABEL: one run of the console, times from the process start
	python3 - "$SO" "$KS_DIR/first.keys" "$1" <<'PY'
import os, re, subprocess, sys, time
so, keys, label = sys.argv[1:4]
env = dict(os.environ, SMARTOPS_KEY_TIMING="1", COLUMNS="100", LINES="30")
t0 = time.time() * 1000
p = subprocess.run([so, "--script", keys], env=env, capture_output=True, text=True)
m = re.search(r"first with data at (\d+) ms, first idle at (\d+) ms", p.stderr)
if p.returncode or not m:
    print("%s: the console failed: %s" % (label, p.stderr.strip()[:300])); sys.exit(1)
print("first frame (%s): rows at %.0f ms, complete at %.0f ms" % (label, int(m.group(1)) - t0, int(m.group(2)) - t0))
PY
}
rm -rf "$XDG_CACHE_HOME"
frame "cold, no cache"
frame "warm, from the cache"
frame "warm, from the cache"
sed -n 2p "$KS_DIR/first.txt" | sed 's/^/   counts: /'

# ---- key-to-frame ----
{
	echo ':wait-for "available" 60'
	i=0; while [ $i -lt 60 ]; do echo '<Down>'; i=$((i + 1)); done
	echo '<PgDn>'; echo '<PgDn>'; echo '<PgUp>'
	echo 's'; echo 'S'; echo 's'
	echo '/health:down<Enter>'; echo '<Down>'; echo '<Down>'; echo '/<Enter>'
	echo '/product:esocial<Enter>'; echo '/<Enter>'
	i=0; while [ $i -lt 40 ]; do echo '<Up>'; i=$((i + 1)); done
	echo '<Enter>'; echo ':sleep 300'; echo '<Down>'; echo '<Down>'; echo 'q'
	echo '?'; echo 'q'
	echo ':quit'
} >"$KS_DIR/keys.keys"
SMARTOPS_KEY_TIMING=1 COLUMNS=100 LINES=30 "$SO" --script "$KS_DIR/keys.keys" 2>"$KS_DIR/keys.err" >/dev/null
grep '^key-to-frame' "$KS_DIR/keys.err" || { echo "key script failed:"; head -5 "$KS_DIR/keys.err"; }

# ---- bytes to the terminal over one minute of churn ----
$T new-session -d -s main -x 100 -y 30 -n console \
	"TERM=tmux-256color '$SO' --kubeconfig '$KUBECONFIG' 2>'$KS_DIR/console.err'"
$T new-window -d -t main -n watch "TERM=tmux-256color watch -n2 kubectl get deploy -A"
$T resize-window -t main -x 100 -y 30 2>/dev/null
# wait until the console has its fleet and watch its first answer
i=0
until $T capture-pane -p -t main:console | grep -q 'connected' &&
	$T capture-pane -p -t main:watch | grep -q 'NAMESPACE'; do
	i=$((i + 1)); [ $i -gt 1200 ] && { echo "console or watch did not come up"; exit 1; }
	sleep 0.1
done
: >"$KS_DIR/console.bytes"; : >"$KS_DIR/watch.bytes"
$T pipe-pane -o -t main:console "cat >>'$KS_DIR/console.bytes'"
$T pipe-pane -o -t main:watch "cat >>'$KS_DIR/watch.bytes'"
sleep "$SECS"
$T pipe-pane -t main:console
$T pipe-pane -t main:watch
cb=$(wc -c <"$KS_DIR/console.bytes"); wb=$(wc -c <"$KS_DIR/watch.bytes")
echo "bytes to the terminal in ${SECS} s (100x30): console $cb, watch -n2 kubectl get deploy -A $wb"
python3 -c 'import sys; c, w, s = map(int, sys.argv[1:4]); print("per minute: console %.0f B, watch %.0f B; console/watch = %s" % (c * 60 / s, w * 60 / s, ("%.3f" % (c / w)) if w else "n/a"))' "$cb" "$wb" "$SECS"
