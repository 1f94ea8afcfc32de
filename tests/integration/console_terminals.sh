#!/bin/sh
# Terminals of every kind, in tmux: TERM dumb or unknown is refused with a clear
# message and a hint; NO_COLOR with LANG=C draws no colour and no byte that is
# not ASCII; 1x1 and 20x5 show "too small" and the console survives; after a
# storm of resizes the fleet is drawn again at full size.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-terms-$$"
T="tmux -L $SOCK -f /dev/null"
tmux_cleanup() { $T kill-server 2>/dev/null; ks_cleanup; }
trap tmux_cleanup EXIT INT TERM

ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 0.001
W="$KS_DIR/w"; mkdir -p "$W"
$T new-session -d -s main -x 100 -y 30 "sleep 600"
run() { # run WINDOW ENV...: the console in a window, its status in $W/WINDOW.rc
	w=$1; shift
	$T new-window -d -t main -n "$w" "env $* $BUILD/smartops --kubeconfig $KUBECONFIG 2>$W/$w.err; echo \$? >$W/$w.rc; sleep 60"
}
pane() { $T capture-pane -p -t "main:$1" 2>/dev/null; }
has() { pane "$1" | grep -q -- "$2"; }
rc_is() { [ "$(cat "$W/$1.rc" 2>/dev/null)" = "$2" ]; }

# ---- row 21: TERM dumb, TERM unknown ----
run dumb TERM=dumb LANG=C.UTF-8
run unknown TERM=no-such-terminal LANG=C.UTF-8
wait_for "TERM=dumb: exit 1" 20 rc_is dumb 1
check "TERM=dumb: says the terminal cannot move the cursor, points to smartops tenants" \
	grep -q "TERM=dumb cannot move the cursor; use .smartops tenants." "$W/dumb.err"
wait_for "TERM unknown: exit 1" 20 rc_is unknown 1
check "TERM unknown: names it and says what to do" \
	grep -q "unknown terminal type TERM=no-such-terminal; set TERM" "$W/unknown.err"

# ---- row 21: NO_COLOR and LANG=C ----
run plain TERM=tmux-256color NO_COLOR=1 LANG=C LC_ALL=C
wait_for "NO_COLOR LANG=C: the fleet shows" 30 has plain "[0-9] available"
$T capture-pane -e -p -t main:plain >"$W/plain.ansi"
check "NO_COLOR: no colour escape (SGR 30-37, 40-47, 90-97, 38;/48;)" python3 - "$W/plain.ansi" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read().decode("latin-1")
bad = []
for m in re.finditer(r"\x1b\[([0-9;]*)m", b):
    ps = [p for p in m.group(1).split(";") if p]
    for i, p in enumerate(ps):
        n = int(p)
        if 30 <= n <= 37 or 40 <= n <= 47 or 90 <= n <= 97 or 100 <= n <= 107 or n in (38, 48):
            bad.append(m.group(0))
assert not bad, "colour sequences: %r" % bad[:5]
PY
check "LANG=C: no byte outside ASCII on the screen" python3 -c '
import sys; b = open(sys.argv[1], "rb").read(); assert all(c < 0x80 for c in b), "non-ASCII bytes"' "$W/plain.ansi"

# ---- row 20: 1x1, 20x5, a storm of resizes ----
$T resize-window -t main:plain -x 1 -y 1
sleep 0.5 # tmux has nothing to show at 1x1; what counts is what follows
$T resize-window -t main:plain -x 20 -y 5
wait_for "20x5: too small" 10 has plain "Terminal too small"
i=0
while [ $i -lt 40 ]; do
	$T resize-window -t main:plain -x $((10 + (i * 37) % 150)) -y $((3 + (i * 11) % 50))
	i=$((i + 1))
done
$T resize-window -t main:plain -x 100 -y 30
wait_for "after a 1x1 and 40 resizes: the fleet at 100x30" 10 has plain "TCODE  CUSTOMER"
alive() { [ ! -s "$W/plain.rc" ]; }
check "the console survived it all" alive
$T send-keys -t main:plain q
wait_for "q ends it" 10 rc_is plain 0
finish
