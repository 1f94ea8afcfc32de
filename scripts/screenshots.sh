#!/bin/sh
# `make screenshots`: screenshots/*.png from the real console against kubesim
# (fixed seed, its clock nearly stopped so that the pictures repeat), in tmux at
# 100x30 (fleet, tenant, Hypnus, custom builds, help, the file-server wizard's
# tenants and form, the build wizard's review with its pinned commit), 80x24 (narrow),
# and the database wizard (its form, a run to done against a scratch PostgreSQL,
# scripts/pg_scratch.sh, and an eSocial tenant's Oracle form with its password masked)
# at 100x30: keys with send-keys, the pane with `capture-pane -e -p`, drawn by
# scripts/ansi_png.py.
# Installs tmux, python3-pil and fonts-dejavu-core from Debian when missing.
set -u
BUILD=$(cd "${1:-build}" && pwd)
OUT=${OUT:-screenshots}
missing=""
for p in tmux python3-pil fonts-dejavu-core; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "screenshots: installing Debian packages:$missing" >&2
	SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 || {
		echo "screenshots: cannot install$missing; install them and run again" >&2; exit 1; }
fi
mkdir -p "$OUT"
DIR=$(mktemp -d)
SOCK="smartops-shots-$$"
T="tmux -L $SOCK -f /dev/null"
KS_PID=""
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_ADMIN=smartops_admin
. scripts/pg_scratch.sh
cleanup() { $T kill-server 2>/dev/null; [ -n "$KS_PID" ] && kill "$KS_PID" 2>/dev/null; stop_pg; rm -rf "$DIR"; }
trap cleanup EXIT INT TERM
export HOME="$DIR/home" XDG_CACHE_HOME="$DIR/cache" KUBECONFIG="$DIR/kubeconfig" TZ=UTC LANG=C.UTF-8
mkdir -p "$HOME"

# the customer's sources, which every ERP tenant names as its custom-repo (the build wizard)
export GIT_AUTHOR_DATE=2026-11-01T12:00:00Z GIT_COMMITTER_DATE=2026-11-01T12:00:00Z \
	GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=dev@customer.example GIT_COMMITTER_NAME=dev GIT_COMMITTER_EMAIL=dev@customer.example
git init -q -b main "$DIR/work" && printf 'User Function FATA001()\nReturn .T.\n' >"$DIR/work/FATA001.prw" &&
	git -C "$DIR/work" add -A && git -C "$DIR/work" commit -qm "custom sources" &&
	git clone -q --bare "$DIR/work" "$DIR/custom.git" || { echo "screenshots: cannot make the git repository"; exit 1; }
"$BUILD/kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" --fleet 60 --seed 11 --time-scale 0.001 \
	--start-time 2026-11-03T13:00:00Z --no-builds --custom-repo "file://$DIR/custom.git" \
	--quiet 2>"$DIR/kubesim.log" &
KS_PID=$!
i=0; while [ ! -s "$KUBECONFIG" ]; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "screenshots: kubesim did not start"; exit 1; }
	sleep 0.1
done
sleep 3 # the controllers make the pods

pane() { $T capture-pane -p -t main 2>/dev/null; }
wait_text() { # wait_text TEXT SECS
	i=0; while ! pane | grep -q -- "$1"; do
		i=$((i + 1)); [ $i -gt $(($2 * 10)) ] && { echo "screenshots: \"$1\" never showed"; pane | grep -v "^$"; cat "$DIR/console.err"; exit 1; }
		sleep 0.1
	done
}
shot() { # shot NAME COLS ROWS
	sleep 0.5
	$T capture-pane -e -p -t main >"$DIR/$1.txt"
	/usr/bin/python3 scripts/ansi_png.py "$DIR/$1.txt" "$OUT/$1.png" "$2" "$3" && echo "  $OUT/$1.png"
}
console() { # console COLS ROWS: a fresh session running the console
	if $T has-session -t main 2>/dev/null; then
		$T kill-server; sleep 0.5
	fi
	$T new-session -d -s main -x "$1" -y "$2" \
		"TERM=tmux-256color '$BUILD/smartops' --kubeconfig '$KUBECONFIG' 2>'$DIR/console.err'; echo rc=\$?; sleep 30"
	$T resize-window -t main -x "$1" -y "$2" 2>/dev/null
	wait_text connected 60
}

console 100 30
shot fleet 100 30
TC=$("$BUILD/smartops" --kubeconfig "$KUBECONFIG" tenants -o json |
	python3 -c 'import json,sys
items = json.load(sys.stdin)["items"]
pick = [t for t in items if t["health"] == "available" and t["product"] == "erp"] or items
print(pick[0]["tcode"])')
$T send-keys -t main ":tenant $TC" Enter
wait_text "Tenant $TC" 20
sleep 1.5 # pods and events
shot tenant 100 30
$T send-keys -t main h
wait_text "Hypnus" 20
sleep 1
shot hypnus 100 30
# the custom builds screen: dev's history as the build executor keeps it
t=$(echo "$TC" | tr T t)
cat >"$DIR/builds.json" <<EOF
[{"id":"3","env":"dev","repo":"https://git.smart.example.com/$t/custom.git","ref":"release/2026.11","commit":"e41c09b7d2a5f8c3b6e9a1d4f7c0b3e6a9d2f5c8","state":"failed","stage":"compile","reason":"CompileError: FATR030.prw(412): undeclared variable nValTot","quality_gate":"OK","conditions":[],"rpo":null,"started":"2026-11-03T12:31:00Z","finished":"2026-11-03T12:38:42Z","by":"ana.souza","promoted":{"dev":null,"prod":null}},
 {"id":"2","env":"dev","repo":"https://git.smart.example.com/$t/custom.git","ref":"feature/tax","commit":"9c1e5d0b7a2f4e6c8d3b1a0f9e8d7c6b5a4f3e2d","state":"failed","stage":"sonarqube","reason":"QualityGateFailed: quality gate ERROR","quality_gate":"ERROR","conditions":["new bugs 3 > 0","coverage 41% < 60%"],"rpo":null,"started":"2026-11-03T11:40:00Z","finished":"2026-11-03T11:46:10Z","by":"ana.souza","promoted":{"dev":null,"prod":null}},
 {"id":"1","env":"dev","repo":"https://git.smart.example.com/$t/custom.git","ref":"main","commit":"4b8d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d","state":"succeeded","stage":"upload","reason":null,"quality_gate":"OK","conditions":[],"rpo":"s3://smart-rpo/$t/1/custom.rpo","started":"2026-11-03T10:00:00Z","finished":"2026-11-03T10:08:30Z","by":"ana.souza","promoted":{"dev":{"at":"2026-11-03T10:20:00Z","by":"ana.souza"},"prod":null}}]
EOF
kubectl create configmap custom-builds -n "$t-dev" --from-file=builds.json="$DIR/builds.json" >/dev/null ||
	{ echo "screenshots: cannot write the build history of $t-dev"; exit 1; }
$T send-keys -t main Escape b
wait_text "quality gate OK" 20
$T send-keys -t main Down
sleep 1
shot builds 100 30
$T send-keys -t main ":fleet" Enter
wait_text "Fleet" 10
$T send-keys -t main '?'
wait_text "Help" 10
shot help 100 30

$T send-keys -t main Escape
$T send-keys -t main ":new fileserver" Enter
wait_text "File server" 10
shot fileserver 100 30
$T send-keys -t main "$TC" Tab Enter
wait_text "Options" 10
shot fileserver-form 100 30
$T send-keys -t main Escape Escape Escape
$T send-keys -t main ":new build" Enter
wait_text "Custom build" 10
$T send-keys -t main "$TC" Enter
wait_text "Options" 10
$T send-keys -t main main Enter
wait_text "Dry run" 30
shot build-wizard 100 30

console 80 24
shot narrow 80 24

# The database wizard on a PostgreSQL of its own: a kubesim at real speed (its DbAccess
# rolls) naming the server as the platform's managed PostgreSQL; a tenant's namespaces
# made, then the wizard's form and its run to done.
$T kill-server 2>/dev/null
kill "$KS_PID" 2>/dev/null; wait "$KS_PID" 2>/dev/null; KS_PID=""
start_pg || { echo "screenshots: no PostgreSQL for the database wizard: $missing"; exit 1; }
rm -f "$KUBECONFIG"
"$BUILD/kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" --fleet 10 --seed 7 --time-scale 1 --no-traffic \
	--start-time 2026-11-03T13:00:00Z --quiet \
	--managed-postgres "host=127.0.0.1 port=$pg_port user=$PG_ADMIN dbname=postgres sslmode=disable" \
	--managed-postgres-password-file "$pg_dir/pwfile" 2>"$DIR/kubesim-db.log" &
KS_PID=$!
i=0; while [ ! -s "$KUBECONFIG" ]; do
	i=$((i + 1)); [ $i -gt 600 ] && { echo "screenshots: kubesim (database) did not start"; exit 1; }
	sleep 0.1
done
DB_TC=T89197 ORA_TC=T62549 # awaiting onboarding in this fleet: an ERP and an eSocial contract
for tc in $DB_TC $ORA_TC; do
	"$BUILD/smartops" --kubeconfig "$KUBECONFIG" apply namespace --tcode $tc --yes >/dev/null 2>"$DIR/ns.err" ||
		{ echo "screenshots: apply namespace $tc failed:"; cat "$DIR/ns.err"; exit 1; }
done
console 100 30
$T send-keys -t main ":new database" Enter
wait_text "Database" 10
$T send-keys -t main "$DB_TC" Tab Enter
wait_text "Options" 10
shot database-form 100 30
$T send-keys -t main Enter
wait_text "Dry run:" 30
$T send-keys -t main Enter
wait_text "Apply the plan" 10
$T send-keys -t main y
wait_text "Done after" 120
shot database-done 100 30
# the eSocial tenant's Oracle, handed off: the server typed, the password masked
$T send-keys -t main Enter ":new database" Enter
wait_text "Which tenant" 10
$T send-keys -t main "$ORA_TC" Tab Enter
wait_text "Options" 10
$T send-keys -t main Down ora01.example.com Down Down ESOCIAL Down Down "Typed-Once-Here"
wait_text "OraclePassword: \[•" 10
shot database-oracle 100 30
