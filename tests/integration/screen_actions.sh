#!/bin/sh
# Console actions end to end against a kubesim with a fixed fleet: wake from
# the tenant screen, cancelled dialogs write nothing, a restart replaces the
# pods, the support user and --readonly never reach a dialog nor a write, y
# sends OSC 52 (captured in script mode, and taken by tmux for real).
# Screens are compared with tests/screen/actions_*/; UPDATE_GOLDEN=1 rewrites them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

AUDIT="$KS_DIR/audit.log"
ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 0.001 --audit-log "$AUDIT"
screen_settle

# writes: the kubesim audit lines other than the access reviews
writes() { grep -v -e selfsubjectaccessreviews -e selfsubjectreviews "$AUDIT" 2>/dev/null; }
nwrites() { writes | wc -l; }
annotation() { # annotation NS DEPLOYMENT KEY
	kcurl "$KS_URL/apis/apps/v1/namespaces/$1/deployments/$2" | jq -r --arg k "$3" '.metadata.annotations[$k] // ""'
}
# a Deployment as stored, less what the controllers move on their own (status, resourceVersion)
spec_of() { kcurl "$KS_URL/apis/apps/v1/namespaces/$1/deployments/$2" | jq -cS 'del(.status, .metadata.resourceVersion)'; }
pods_of() { # pods_of NS SERVICE-DEPLOYMENT: sorted pod names
	kcurl "$KS_URL/api/v1/namespaces/$1/pods" | jq -r --arg d "$2" '.items[].metadata.name | select(startswith($d + "-"))' | sort
}
run() { # run NAME [args]: the script, its golden displays
	if screen_run "$@"; then ok "$1: the script ran to its end"
	else fail "$1: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$1/stderr" | head -10; fi
	screen_compare "$1"
}

# 1. wake a sleeping prod: menu, dialog (golden), the watch shows waking
P="hypnus-state"; PREFIX="smart.totvs.com/"
[ "$(annotation t35901-prod hypnus "$PREFIX$P")" = sleeping ] && ok "T35901 prod sleeps before" || fail "T35901 prod does not sleep before"
run actions_wake
# (the clock nearly stands still, but pods start in real time: the wake may be over already)
case "$(annotation t35901-prod hypnus "$PREFIX$P")" in
waking | active) ok "the wake reached the Hypnus Deployment" ;;
*) fail "Hypnus of t35901-prod neither waking nor awake" ;;
esac
writes | grep -q "PATCH /apis/apps/v1/namespaces/t35901-prod/deployments/hypnus user=admin" && ok "one PATCH on t35901-prod/hypnus" || fail "no PATCH of t35901-prod/hypnus in the audit log"
writes | grep -q "POST /api/v1/namespaces/t35901-prod/events" && ok "the wake is audited as an Event" || fail "no audit Event for the wake"

# 2. cancelled dialogs write nothing
before=$(nwrites); obj_prod=$(spec_of t41683-prod hypnus); obj_dev=$(spec_of t41683-dev hypnus)
run actions_cancel
[ "$(nwrites)" = "$before" ] && ok "cancel: nothing written (audit log)" || { fail "cancel wrote:"; writes | tail -n +$((before + 1)) | sed 's/^/    /'; }
[ "$(spec_of t41683-prod hypnus)" = "$obj_prod" ] && [ "$(spec_of t41683-dev hypnus)" = "$obj_dev" ] && ok "cancel: both Hypnus Deployments unchanged" || fail "cancel: a Hypnus Deployment changed"

# 3. restart a public service: its pods are replaced
old=$(pods_of t38792-prod appserver-webapp)
[ -n "$old" ] && ok "appserver-webapp has pods before" || fail "no appserver-webapp pods in t38792-prod"
run actions_restart
restarted=$(kcurl "$KS_URL/apis/apps/v1/namespaces/t38792-prod/deployments/appserver-webapp" | jq -r '.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] // ""')
[ -n "$restarted" ] && ok "restartedAt set on the pod template ($restarted)" || fail "no restartedAt on appserver-webapp"
printf '%s\n' "$old" >"$KS_DIR/old-pods"
replaced() { new=$(pods_of t38792-prod appserver-webapp); [ -n "$new" ] && [ -z "$(printf '%s\n' "$new" | comm -12 - "$KS_DIR/old-pods")" ]; }
wait_for "the webapp pods were replaced (none of the old names left)" 30 replaced

# 4. the support user: reasons shown, no dialog, nothing written
before=$(nwrites)
run actions_denied --context kubesim-support
[ "$(nwrites)" = "$before" ] && ok "support: nothing written" || fail "support: something was written"
grep -q "selfsubjectaccessreviews user=support" "$AUDIT" && ok "support: RBAC asked with an access review" || fail "support: no access review was made"

# 5. --readonly: the same, without even an access review
lines=$(wc -l <"$AUDIT")
run actions_readonly --readonly
[ "$(wc -l <"$AUDIT")" = "$lines" ] && ok "readonly: no write and no review request" || fail "readonly: requests were made"

# 6. copy: the OSC 52 bytes in script mode
run actions_copy
TTY="$KS_DIR/screen-actions_copy/tty.out"
osc() { printf '\033]52;c;%s\a' "$(printf %s "$1" | base64 -w0)"; }
want=$( { osc T73359; osc t73359-dev; } | od -An -c)
got=$(head -c "$( { osc T73359; osc t73359-dev; } | wc -c)" "$TTY" 2>/dev/null | od -An -c)
[ "$got" = "$want" ] && ok "copy: OSC 52 of T73359 then t73359-dev" || { fail "copy: unexpected bytes"; od -c "$TTY" | head; }
pod=$(tail -c +"$(( $( { osc T73359; osc t73359-dev; } | wc -c) + 1 ))" "$TTY" | sed -n 's/^.\]52;c;\([A-Za-z0-9+/=]*\).$/\1/p' | base64 -d 2>/dev/null)
pods_of t73359-prod "${pod%-*-*}" | grep -qx "$pod" && ok "copy: a pod name ($pod)" || fail "copy: the third copy is not a pod of t73359-prod ($pod)"

# 7. in tmux (set-clipboard on): tmux takes the OSC 52 into its paste buffer
if command -v tmux >/dev/null; then
	SOCK="smartops-actions-$$"; T="tmux -L $SOCK -f /dev/null"
	trap '$T kill-server 2>/dev/null; ks_cleanup' EXIT INT TERM
	$T new-session -d -s main -x 100 -y 30 "sleep 600"
	$T set -g set-clipboard on
	$T new-window -d -t main -n c "env TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG --tenant T73359 2>$KS_DIR/tmux.err"
	i=0; while ! $T capture-pane -p -t main:c | grep -q "t73359-prod"; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
	$T send-keys -t main:c y p
	i=0; while [ "$($T show-buffer 2>/dev/null)" != t73359-prod ] && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
	[ "$($T show-buffer 2>/dev/null)" = t73359-prod ] && ok "tmux: y p put t73359-prod in tmux's buffer" || fail "tmux: buffer is \"$($T show-buffer 2>/dev/null)\""
	$T capture-pane -p -t main:c | grep -q "copied namespace t73359-prod" && ok "tmux: the console says what it copied" || fail "tmux: no copy message"
	# greyed keys: dim (SGR 2) on the key bar of a read-only session only
	$T new-window -d -t main -n r "env TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG --readonly 2>$KS_DIR/tmux-ro.err"
	i=0; while ! $T capture-pane -p -t main:r | grep -q "Wake"; do i=$((i + 1)); [ $i -gt 300 ] && break; sleep 0.1; done
	esc=$(printf '\033')
	$T capture-pane -e -p -t main:r | tail -1 | grep -q "${esc}\[2mW${esc}" && ok "tmux: W Wake is greyed (dim) with --readonly" || fail "tmux: W not greyed with --readonly"
	$T capture-pane -e -p -t main:c | tail -1 | grep -q "${esc}\[2m[WZR]${esc}" && fail "tmux: action keys greyed for the admin" || ok "tmux: action keys not greyed for the admin"
	# the support user on the fleet, no tenant opened: W and Z grey once the
	# access review of the tenant under the cursor answered (on a worker)
	$T new-window -d -t main -n s "env TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG --context kubesim-support 2>$KS_DIR/tmux-s.err"
	greyed() { $T capture-pane -e -p -t main:s | tail -1 | grep "${esc}\[2mW${esc}" | grep -q "${esc}\[2mZ${esc}"; }
	i=0; while ! greyed && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
	greyed && ok "tmux: W and Z greyed on the fleet for the support user (no tenant opened)" || fail "tmux: W/Z not greyed on the fleet for the support user"
	$T capture-pane -p -t main:s | grep -q "Fleet" && ok "tmux: still on the fleet screen" || fail "tmux: not on the fleet"
	reviews() { grep -c "selfsubjectaccessreviews user=support" "$AUDIT"; }
	n=$(reviews)
	$T send-keys -t main:s G
	i=0; while { [ "$(reviews)" -le "$n" ] || ! greyed; } && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
	[ "$(reviews)" -gt "$n" ] && greyed && ok "tmux: the last tenant reviewed too when the cursor went there, still greyed" ||
		fail "tmux: no access review after moving the cursor, or W/Z not greyed"
	$T new-window -d -t main -n f "env TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG 2>$KS_DIR/tmux-f.err"
	i=0; while ! $T capture-pane -p -t main:f | grep -q "T41683" && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.1; done
	sleep 1
	$T capture-pane -e -p -t main:f | tail -1 | grep -q "${esc}\[2m[WZ]${esc}" && fail "tmux: W/Z greyed on the admin's fleet" || ok "tmux: W/Z not greyed on the admin's fleet"
	$T send-keys -t main:c q q
	$T send-keys -t main:r q
	$T send-keys -t main:s q
	$T send-keys -t main:f q
	sleep 0.3
	$T kill-server 2>/dev/null
else
	fail "tmux is required (scripts/deps.sh installs it)"
fi
finish
