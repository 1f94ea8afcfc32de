#!/bin/sh
# Passwords and tokens never reach a process's argv or environment (fault matrix row
# 15): while smartops works with a secret, its /proc/PID/cmdline and /proc/PID/environ,
# and those of every process it starts, are read again and again, and none holds the
# secret. Two cases: a database wizard apply against a real PostgreSQL (the platform
# admin's password from Secret smart-platform-postgres, the tenant's generated
# password), and a command whose credential comes from an exec plugin (the token it
# hands out; expired at once, so the plugin runs again for every request, started by
# a smartops that already holds the token).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

S="$BUILD/smartops"
TOKEN="tok-exec-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
pg_start
printf '%s\n' "$PG_ADMIN_PASSWORD" >"$KS_DIR/admin.pw"
printf '%s,opsbot,ops,cluster-admin\n' "$TOKEN" >"$KS_DIR/users"
ks_start --start-time "$KS_QUIET_START" --fleet 5 --seed 7 --time-scale 60 --no-traffic \
	--users "$KS_DIR/users" \
	--managed-postgres "$PG_CONNINFO" --managed-postgres-password-file "$KS_DIR/admin.pw"
rm -f "$KS_DIR/admin.pw" "$KS_DIR/users"
SO_PGPASS="$KS_DIR/no-pgpass" # smartops finds the admin's password in the Secret only

# A round reads /proc with the shell's own builtins and one cat a file, so that
# rounds are many and cheap (a busy loop: its CPU is the watched command's time).
# descendants PID: PID and every process under it (children of any of its threads)
descendants() {
	echo "$1"
	for f in /proc/"$1"/task/*/children; do
		kids=""; read -r kids 2>/dev/null <"$f"
		for c in $kids; do descendants "$c"; done
	done
}
# alive PID: PID runs (a child of ours that ended stays a zombie until waited for)
alive() {
	st=""; read -r st 2>/dev/null <"/proc/$1/stat" || [ -n "$st" ] || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}
# proc_watch PID DIR: until PID ends, copies the cmdline and environ of PID and of
# every process under it into DIR/N.cmdline, DIR/N.environ (N a process id), NUL
# bytes as newlines (once it ended); DIR/samples counts the rounds
proc_watch() {
	mkdir -p "$2"
	n=0
	while alive "$1"; do
		for p in $(descendants "$1"); do
			cat "/proc/$p/cmdline" >>"$2/$p.cmdline" 2>/dev/null
			cat "/proc/$p/environ" >>"$2/$p.environ" 2>/dev/null
		done
		n=$((n + 1))
	done
	echo "$n" >"$2/samples"
	for f in "$2"/*.cmdline "$2"/*.environ; do
		[ -f "$f" ] && tr '\0' '\n' <"$f" >"$f.txt" && mv "$f.txt" "$f"
	done
}
# leaks DIR SECRET...: the files of DIR that hold one of the secrets
leaks() {
	d=$1; shift
	for s in "$@"; do grep -lF -- "$s" "$d"/*.cmdline "$d"/*.environ 2>/dev/null; done
}

# ---- a database wizard apply ----
kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
T=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp")))][0].tcode' "$KS_DIR/catalog.json")
t=$(echo "$T" | tr 'T' 't')
PGPASSFILE="$SO_PGPASS" "$S" apply namespace --tcode "$T" --yes >/dev/null 2>"$KS_DIR/err" &&
	ok "namespaces of $T made" || { fail "apply namespace $T"; cat "$KS_DIR/err"; finish; }
# every API request a little slow: the apply lasts long enough to be read many times
kcurl -X PUT -H 'Content-Type: application/json' -d '{"latency_ms":50}' "$KS_URL/sim/v1/faults" >/dev/null
PGPASSFILE="$SO_PGPASS" "$S" apply database --tcode "$T" --env prod --yes >"$KS_DIR/db.out" 2>"$KS_DIR/db.err" &
SO=$!
proc_watch "$SO" "$KS_DIR/db"
wait "$SO" && ok "apply database" || { fail "apply database"; cat "$KS_DIR/db.err"; }
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
PW=$(kcurl "$KS_URL/api/v1/namespaces/$t-prod/secrets/db-credentials" | jq -r '.data.password // empty' | base64 -d)
[ "${#PW}" -ge 16 ] && ok "the tenant's password is in Secret db-credentials" || fail "no tenant password"
rounds=$(cat "$KS_DIR/db/samples" 2>/dev/null || echo 0)
[ "$rounds" -ge 5 ] && grep -q "^apply$" "$KS_DIR/db/$SO.cmdline" && grep -q "^HOME=" "$KS_DIR/db/$SO.environ" &&
	ok "smartops's argv and environment read $rounds times during the apply" ||
	fail "the apply was read $rounds times (wanted 5 or more, with its argv and environment)"
l=$(leaks "$KS_DIR/db" "$PW" "$PG_ADMIN_PASSWORD")
[ -z "$l" ] && ok "neither the tenant's nor the admin's password in the argv or environment of smartops or a child ($(ls "$KS_DIR/db" | grep -c cmdline) processes)" ||
	fail "a password in: $(echo "$l" | xargs -n1 basename | tr '\n' ' ')"

# ---- an exec credential plugin's token ----
cat >"$KS_DIR/plugin.sh" <<EOF
#!/bin/sh
# hands out the token of $KS_DIR/token, already expired; slow enough to be seen running
sleep 0.3
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2001-01-01T00:00:00Z"}}\n' "\$(cat "$KS_DIR/token")"
EOF
chmod +x "$KS_DIR/plugin.sh"
printf '%s\n' "$TOKEN" >"$KS_DIR/token"
server=$(awk '/server:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
cat >"$KS_DIR/exec.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: ks
  cluster:
    server: $server
    certificate-authority: $KS_CA
users:
- name: bot
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: $KS_DIR/plugin.sh
      interactiveMode: Never
contexts:
- name: bot
  context: {cluster: ks, user: bot}
current-context: bot
EOF
"$S" --kubeconfig "$KS_DIR/exec.kubeconfig" tenants -o json >"$KS_DIR/ex.out" 2>"$KS_DIR/ex.err" &
SO=$!
proc_watch "$SO" "$KS_DIR/ex"
wait "$SO" && jq -e '.items | length > 0' "$KS_DIR/ex.out" >/dev/null &&
	ok "tenants with the plugin's token" || { fail "tenants with the exec plugin"; head -5 "$KS_DIR/ex.err"; }
plugins=$(grep -l "plugin.sh" "$KS_DIR"/ex/*.cmdline 2>/dev/null | grep -vc "/$SO.cmdline")
[ "$plugins" -ge 2 ] && grep -q "^HOME=" "$KS_DIR/ex/$SO.environ" &&
	ok "smartops and $plugins runs of the plugin read while the command ran" ||
	fail "the plugin was seen running $plugins times (wanted 2 or more)"
grep -q "^KUBERNETES_EXEC_INFO=" "$KS_DIR"/ex/*.environ && ok "the plugin's environment was read (KUBERNETES_EXEC_INFO)" ||
	fail "no plugin environment read"
l=$(leaks "$KS_DIR/ex" "$TOKEN")
[ -z "$l" ] && ok "the token in the argv or environment of neither smartops nor a plugin it started" ||
	fail "the token in: $(echo "$l" | xargs -n1 basename | tr '\n' ' ')"
grep -qF "$TOKEN" "$KS_DIR/ex.out" "$KS_DIR/ex.err" && fail "the token in smartops's output" ||
	ok "the token not in smartops's output"
finish
