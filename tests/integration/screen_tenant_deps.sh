#!/bin/sh
# The tenant screen's database and file-server lines, against kubesim and a real
# PostgreSQL (tests/integration/pg.sh): prod's managed database does not exist (the env is
# down and says why, and so does the fleet screen's cause column), then is made (ready,
# its size, the age of the check); prod's claim
# is Bound and the portal AppServer, which does not mount it, is flagged; dev's claim
# stays Pending (its provisioner fails) and its AppServer waits for it. In tmux at 80x24,
# then as golden screens of the key script tests/screen/tenant_deps.keys.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/../screen/screen.sh"
command -v tmux >/dev/null || { echo "FAIL: tmux is required (scripts/deps.sh installs it)"; exit 1; }
SOCK="smartops-deps-$$"
T="tmux -L $SOCK -f /dev/null"
deps_cleanup() { $T kill-server 2>/dev/null; pg_cleanup; }
trap deps_cleanup EXIT INT TERM

pg_start
ks_start --start-time "$SCREEN_START" --provisioner "nfs.csi.k8s.io=300" \
	--provisioner "filestore.csi.storage.gke.io=fail:quota exceeded for Filestore instances in southamerica-east1"
K="kubectl --request-timeout=20s"
. "$(dirname "$0")/../fixtures/fs_tenant.sh"
fs_tenant_objects >"$KS_DIR/objs.yaml"
check "namespaces, classes, claims and AppServers" $K apply -f "$KS_DIR/objs.yaml"
pg_psql "create role t12345_prod login password 'tenant-pw-$$'" >/dev/null
printf '%s' "tenant-pw-$$" >"$KS_DIR/pw"
check "Secret db-credentials of t12345-prod" $K create secret generic db-credentials -n t12345-prod \
	--from-literal=username=t12345_prod --from-literal=host="$PG_HOST" --from-literal=port="$PG_PORT" \
	--from-literal=database=t12345_prod --from-file=password="$KS_DIR/pw"
bound() { [ "$($K get pvc fileserver -n t12345-prod -o jsonpath='{.status.phase}')" = Bound ]; }
wait_for "the prod claim is Bound" 30 bound
failed() { $K get events -n t12345-dev --field-selector reason=ProvisioningFailed -o name | grep -q .; }
wait_for "the dev claim's provisioner failed" 30 failed
# every pod placed (or waiting for its claim) before the screens are taken
placed() { [ "$($K get pods -A --no-headers 2>/dev/null | grep -c ' Running ')" -ge 3 ]; }
wait_for "the AppServers that can run, run" 60 placed

# --- in tmux, 80x24 ---------------------------------------------------------------------
$T new-session -d -s main -x 80 -y 24 \
	"TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG --tenant T12345 2>$KS_DIR/tmux.err; sleep 30"
screen_of() { $T capture-pane -p -t main 2>/dev/null; }
has() { screen_of | grep -q -- "$1"; }
wait_for "tmux: the database line says missing" 30 has "^  database  missing "
screen_of >"$KS_DIR/tmux.txt"
grep -q "^PROD t12345-prod  down" "$KS_DIR/tmux.txt" &&
	grep -q "dbaccess waits for its database: t12345_prod does not exist on" "$KS_DIR/tmux.txt" &&
	ok "tmux: prod is down, waiting for its database" || { fail "tmux: prod health"; cat "$KS_DIR/tmux.txt"; }
grep -q "^  database  missing  managed PostgreSQL (external, dbaccess needs it) t12345_pr" "$KS_DIR/tmux.txt" &&
	ok "tmux: the database line names a managed PostgreSQL as dbaccess's external dependency" ||
	{ fail "tmux: database line"; cat "$KS_DIR/tmux.txt"; }
grep -q "^  files     Bound  100Gi totvs totvs-nfs$" "$KS_DIR/tmux.txt" &&
	grep -q "mounted by rest, webapp at /totvs/protheus_data" "$KS_DIR/tmux.txt" &&
	grep -q "portal does not mount the claim its siblings mount" "$KS_DIR/tmux.txt" &&
	ok "tmux: the file-server line, and portal flagged" || { fail "tmux: files line"; cat "$KS_DIR/tmux.txt"; }
w=$(sed 's/[│→✗─]/x/g' "$KS_DIR/tmux.txt" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
[ "$w" -le 80 ] && ok "tmux: nothing wider than 80 columns" || fail "tmux: a line of $w columns"
$T send-keys -t main q

# --- the fleet screen's cause column, 140 wide ----------------------------------------------
$T respawn-pane -k -t main \
	"TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG 2>$KS_DIR/tmux.err; sleep 30"
$T resize-window -t main -x 140 -y 24
wait_for "tmux: the fleet's cause column names the missing database" 60 \
	has "T12345 .*down .*prod: dbaccess waits for its database: t12345_prod does not exist on" || screen_of
$T send-keys -t main q
$T resize-window -t main -x 80 -y 24

# --- key script, golden screens -----------------------------------------------------------
screen_run tenant_deps && ok "the key script ran to its end (exit 0)" ||
	{ fail "the key script: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-tenant_deps/stderr" | head -20; }
screen_compare tenant_deps
# the database made: ready, its size, the check's age
pg_psql "create database t12345_prod owner t12345_prod" >/dev/null
$T respawn-pane -k -t main \
	"TERM=tmux-256color TZ=UTC LANG=C.UTF-8 $BUILD/smartops --kubeconfig $KUBECONFIG --tenant T12345 2>$KS_DIR/tmux.err; sleep 30"
wait_for "tmux: the database made, the line says ready" 30 has "^  database  ready "
screen_of | grep -Eq "^    size [0-9]+ kB, 0 other connections, checked [0-9]+s ago" &&
	ok "tmux: its size, connections and the age of the check" || { fail "tmux: ready detail"; screen_of; }
screen_of | grep -q "dbaccess waits for its database" && fail "tmux: still waits for its database" ||
	ok "tmux: the database no longer the cause"
$T send-keys -t main q
errs() { grep -l "AddressSanitizer\|runtime error\|LeakSanitizer" "$KS_DIR"/tmux.err 2>/dev/null; }
sleep_until_gone() { ! $T capture-pane -p -t main 2>/dev/null | grep -q "database  ready"; }
wait_for "tmux: the console ended" 30 sleep_until_gone
[ -z "$(errs)" ] && ok "tmux: the console said nothing of sanitizers on stderr" || { fail "tmux: stderr"; cat "$KS_DIR/tmux.err"; }
finish
