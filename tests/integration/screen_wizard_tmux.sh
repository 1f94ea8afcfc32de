#!/bin/sh
# In tmux (TERM=tmux-256color, a real terminal): the file-server wizard's
# pages at 80x24, then resized to 150x40 while open: the tenant list widens
# (names no longer cut), the form keeps what was typed, the review fits.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SOCK="smartops-test-$$"
T="tmux -L $SOCK -f /dev/null"
tmux_cleanup() { $T kill-server 2>/dev/null; ks_cleanup; }
trap tmux_cleanup EXIT INT TERM

ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 60
W="$KS_DIR/w"; mkdir -p "$W"
screen_of() { $T capture-pane -p -t main 2>/dev/null; }
wait_screen() { # wait_screen TEXT SECS
	i=0; while ! screen_of | grep -q -- "$1"; do
		i=$((i + 1)); [ $i -gt $(($2 * 10)) ] && return 1; sleep 0.1; done
}

$T new-session -d -s main -x 80 -y 24 \
	"env TERM=tmux-256color TZ=UTC LANG=C.UTF-8 HOME=$W '$BUILD/smartops' --kubeconfig '$KUBECONFIG' 2>'$W/err'; echo rc=\$? >'$W/rc'; sleep 30"
wait_screen "[1-9][0-9]* available" 60 || fail "the fleet did not load"

$T send-keys -t main ":new fileserver" Enter
wait_screen "File server .* Tenant" 10 && ok "80x24: :new fileserver opens the tenant page" || fail "no tenant page"
screen_of >"$W/tenants-80.txt"
grep -q "^T17926  Supermercados Fern[a-z ]*~ " "$W/tenants-80.txt" && grep -q " HEALTH  *HAS *$" "$W/tenants-80.txt" &&
	ok "80x24: long customer names cut with ~, the HAS column whole" ||
	{ fail "80x24: the list"; cat "$W/tenants-80.txt"; }
[ "$(wc -L <"$W/tenants-80.txt")" -le 80 ] &&
	ok "80x24: no line wider than the terminal" || fail "80x24: a line wider than 80"

$T resize-window -t main -x 150 -y 40
wait_screen "Supermercados Fernandes Nordeste S.A." 10 && ok "150x40: the list widens, names whole" ||
	{ fail "150x40: names still cut"; screen_of; }

$T send-keys -t main T25845 Tab Enter
wait_screen "File server for T25845 .* Options" 10 && ok "the form for the tenant picked" || fail "no form"
$T send-keys -t main Down C-u 100Gi
$T resize-window -t main -x 80 -y 24
wait_screen "Size: \[100Gi" 10 && ok "resized back to 80x24: the size typed is kept" || { fail "the form lost its value"; screen_of; }
$T send-keys -t main Enter
wait_screen "Plan for T25845" 30 && ok "the review at 80x24" || { fail "no review"; screen_of; }
screen_of >"$W/review-80.txt"
[ "$(wc -L <"$W/review-80.txt")" -le 80 ] &&
	ok "80x24 review: no line wider than the terminal" || fail "80x24 review: a line wider than 80"
grep -q "Dry run" "$W/review-80.txt" && ok "the review shows the dry run's verdict" || fail "no verdict"

$T send-keys -t main Escape Escape Escape q
i=0; while [ ! -s "$W/rc" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$W/rc" 2>/dev/null)" = "rc=0" ] && ok "Esc page by page, then q: exit 0" || fail "exit: $(cat "$W/rc" 2>/dev/null)"
[ -s "$W/err" ] && fail "written to stderr: $(head -3 "$W/err")" || ok "nothing on stderr"
finish
