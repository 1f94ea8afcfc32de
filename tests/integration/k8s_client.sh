# The k8s/ client library against a real kubesim, through build/tests/k8sprobe:
# authentication of every kind, kubeconfig merging and errors, TLS refusals, paging,
# watches, writes and access reviews. Credentials must never show up in the output.
. tests/integration/lib.sh
P="$BUILD/tests/k8sprobe"
FIX="$(pwd)/tests/fixtures/kubeconfig"
D="$KS_DIR/k8s"
mkdir -p "$D"

# Users of our own (token,user,groups,role); the tokens are secrets the output must not show.
cat >"$D/users" <<'USERS'
it-admin-secret-1,alice,smart-admins,cluster-admin
it-admin-secret-2,carol,smart-admins,cluster-admin
it-viewer-secret-3,bob,smart-support,view
USERS
ks_start --start-time "$KS_QUIET_START" --users "$D/users"
KC="$KUBECONFIG"
unset KUBECONFIG
SERVER=$(sed -n 's/^ *server: *//p' "$KC" | head -1 | tr -d '"')
CADATA=$(sed -n 's/^ *certificate-authority-data: *//p' "$KC" | head -1 | tr -d '"')

# kc FILE CONTEXT USER-YAML: writes a one-context kubeconfig (user body indented 4).
kc() {
	{
		echo "apiVersion: v1"
		echo "kind: Config"
		echo "current-context: $2"
		echo "clusters:"
		echo "- name: ks"
		echo "  cluster:"
		echo "    server: $SERVER"
		echo "    certificate-authority-data: $CADATA"
		echo "users:"
		echo "- name: u-$2"
		echo "  user:"
		printf '%s\n' "$3"
		echo "contexts:"
		echo "- name: $2"
		echo "  context: {cluster: ks, user: u-$2, namespace: default}"
	} >"$1"
}

# Every probe run's output goes to all-output too: it is searched for secrets at the end.
# exit_is "what" CODE command...: the exit status must be CODE
exit_is() {
	what=$1; want=$2; shift 2
	"$@" >"$D/out" 2>&1; rc=$?
	cat "$D/out" >>"$D/all-output"
	if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else fail "$what (exit $rc, wanted $want)"; sed 's/^/    /' "$D/out" | head; fi
}
# out_has "what" REGEX command...
out_has() {
	what=$1; re=$2; shift 2
	"$@" >"$D/out" 2>&1
	cat "$D/out" >>"$D/all-output"
	if grep -Eq -- "$re" "$D/out"; then ok "$what"; else fail "$what (wanted /$re/)"; sed 's/^/    /' "$D/out" | head; fi
}

# ---- the kubeconfig kubesim wrote: token auth, context namespace, extension ----
out_has "config: current context and the catalogue extension" \
	'context=kubesim-admin .*auth=token' "$P" --kubeconfig "$KC" config
out_has "config: extension smart.totvs.com/catalog carries a url" 'catalog=\{"url":' \
	"$P" --kubeconfig "$KC" config
out_has "token auth: get the default namespace" 'got kind=Namespace name=default' \
	"$P" --kubeconfig "$KC" get /api/v1/namespaces/default
out_has "support context is read-only (can-i delete namespaces: no)" '^no' \
	"$P" --kubeconfig "$KC" --context kubesim-support can-i delete "" namespaces
out_has "admin context may delete namespaces" '^yes' \
	"$P" --kubeconfig "$KC" can-i delete "" namespaces

# ---- 401 ----
kc "$D/bad.yaml" bad "    token: not-a-valid-token-xyz"
exit_is "a bad token fails" 1 "$P" --kubeconfig "$D/bad.yaml" get /api/v1/namespaces
out_has "a bad token says 401" '401' "$P" --kubeconfig "$D/bad.yaml" get /api/v1/namespaces

# ---- tokenFile, relative to the kubeconfig, re-read when it changes ----
mkdir -p "$D/tf/tokens"
printf 'it-admin-secret-1\n' >"$D/tf/tokens/t"
kc "$D/tf/config" tf "    tokenFile: tokens/t"
rm -f "$D/go"
"$P" --kubeconfig "$D/tf/config" --twice "$D/go" can-i create "" configmaps default \
	>"$D/tf.out" 2>&1 &
PROBE=$!
sleep 1
printf 'it-viewer-secret-3\n' >"$D/tf/tokens/t.new" && mv "$D/tf/tokens/t.new" "$D/tf/tokens/t"
touch "$D/go"
wait $PROBE
cat "$D/tf.out" >>"$D/all-output"
answers=$(cut -d' ' -f1 "$D/tf.out" | tr '\n' ' ')
if [ "$answers" = "yes no " ]; then
	ok "tokenFile: a rotated token is picked up by the running client (admin yes, then viewer no)"
else
	fail "tokenFile rotation: got '$answers', wanted 'yes no '"; sed 's/^/    /' "$D/tf.out"
fi

# ---- exec plugins ----
exec_user() { # MODE TOKEN
	printf '    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n'
	printf '      command: %s\n      args: [%s]\n' "$FIX/exec-plugin.sh" "$1"
	printf '      env:\n      - {name: PLUGIN_TOKEN, value: %s}\n' "$2"
	printf '      - {name: PLUGIN_COUNT, value: %s}\n' "$D/count"
	printf '      installHint: "install smart-login from the ops portal"\n'
}
kc "$D/exec-ok.yaml" exec-ok "$(exec_user ok it-admin-secret-2)"
rm -f "$D/count" && touch "$D/go"
out_has "exec plugin: its token authenticates" 'got kind=Namespace name=default' \
	"$P" --kubeconfig "$D/exec-ok.yaml" --twice "$D/go" get /api/v1/namespaces/default
[ "$(cat "$D/count")" = 1 ] && ok "exec plugin: a valid credential is cached (1 run for 2 requests)" ||
	fail "exec plugin ran $(cat "$D/count") times for 2 requests, wanted 1"
kc "$D/exec-exp.yaml" exec-exp "$(exec_user expired it-admin-secret-2)"
rm -f "$D/count"
out_has "exec plugin: an expired credential still answers" 'got kind=Namespace' \
	"$P" --kubeconfig "$D/exec-exp.yaml" --twice "$D/go" get /api/v1/namespaces/default
[ "$(cat "$D/count")" = 2 ] && ok "exec plugin: an expired credential is refreshed (2 runs for 2 requests)" ||
	fail "exec plugin ran $(cat "$D/count") times with an expired credential, wanted 2"
kc "$D/exec-401.yaml" exec-401 "$(exec_user ok wrong-token-from-plugin)"
rm -f "$D/count"
exit_is "exec plugin handing out a bad token: 401 is an error" 1 \
	"$P" --kubeconfig "$D/exec-401.yaml" get /api/v1/namespaces/default
[ "$(cat "$D/count")" = 2 ] && ok "exec plugin: run again after a 401 (2 runs)" ||
	fail "exec plugin ran $(cat "$D/count") times around a 401, wanted 2"
kc "$D/exec-fail.yaml" exec-fail "$(exec_user fail x)"
exit_is "failing exec plugin: exit 1" 1 "$P" --kubeconfig "$D/exec-fail.yaml" get /api/v1/namespaces
out_has "failing exec plugin: the message has its stderr and the installHint" \
	'login failed: no session.*install smart-login from the ops portal' \
	"$P" --kubeconfig "$D/exec-fail.yaml" get /api/v1/namespaces

# ---- client certificates (when kubesim's kubeconfig has a user with one) ----
if grep -q 'client-certificate-data:' "$KC"; then
	CERT=$(sed -n 's/^ *client-certificate-data: *//p' "$KC" | head -1 | tr -d '"')
	KEY=$(sed -n 's/^ *client-key-data: *//p' "$KC" | head -1 | tr -d '"')
	kc "$D/cert.yaml" cert "$(printf '    client-certificate-data: %s\n    client-key-data: %s' "$CERT" "$KEY")"
	out_has "client certificate auth" 'got kind=Namespace name=default' \
		"$P" --kubeconfig "$D/cert.yaml" get /api/v1/namespaces/default
else
	echo "note: kubesim's kubeconfig has no client certificate user; client certificates not checked here"
fi

# ---- KUBECONFIG merging: first file wins ----
kc "$D/first.yaml" kubesim-admin "    token: it-viewer-secret-3"
out_has "KUBECONFIG: the first file's current-context and same-named context win (viewer: no)" \
	'^no' env KUBECONFIG="$D/first.yaml:$D/missing.yaml:$KC" "$P" can-i create "" configmaps default
out_has "KUBECONFIG: a context only in the second file is found (support)" \
	'context=kubesim-support' env KUBECONFIG="$D/first.yaml:$KC" "$P" --context kubesim-support config

# ---- broken kubeconfigs ----
exit_is "broken YAML: exit 1" 1 "$P" --kubeconfig "$FIX/broken.yaml" get /api/v1/namespaces
out_has "broken YAML: names the file and the line" "kubeconfig $FIX/broken.yaml: not valid YAML: line" \
	"$P" --kubeconfig "$FIX/broken.yaml" get /api/v1/namespaces
out_has "unknown context: lists the contexts" 'context "nope" not found; contexts are: kubesim-admin' \
	"$P" --kubeconfig "$KC" --context nope config

# ---- writes ----
NSP=/api/v1/namespaces/default/configmaps
CM='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"k8s-it"},"data":{"a":"1"}}'
out_has "apply --dry-run answers" 'dry-run kind=ConfigMap name=k8s-it' \
	"$P" --kubeconfig "$KC" --dry-run apply "$NSP/k8s-it" "$CM"
out_has "dry run stored nothing (404 NotFound)" '\(404 NotFound\)' \
	"$P" --kubeconfig "$KC" get "$NSP/k8s-it"
out_has "server-side apply creates" 'wrote kind=ConfigMap name=k8s-it' \
	"$P" --kubeconfig "$KC" apply "$NSP/k8s-it" "$CM"
out_has "merge patch" 'wrote kind=ConfigMap name=k8s-it' \
	"$P" --kubeconfig "$KC" patch "$NSP/k8s-it" '{"data":{"b":"2"}}'
out_has "create of an existing object: AlreadyExists" '409 AlreadyExists' \
	"$P" --kubeconfig "$KC" create "$NSP" "$CM"
out_has "support user cannot write (403 Forbidden)" '403 Forbidden' \
	"$P" --kubeconfig "$KC" --context kubesim-support patch "$NSP/k8s-it" '{"data":{"c":"3"}}'
out_has "delete" 'deleted' "$P" --kubeconfig "$KC" delete "$NSP/k8s-it"

# ---- watch sees a create ----
out_has "informer: list, watch, and the watch delivers a new configmap" 'watch saw ADDED k8s-watched' \
	"$P" --kubeconfig "$KC" watch-create "$NSP" k8s-watched \
	'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"k8s-watched"}}'

# ---- extra kubesims: paging, TLS refusals ----
extra() { # NAME ARGS...: starts a kubesim, sets EXTRA_PID and EXTRA_KC
	name=$1; shift
	EXTRA_KC="$D/$name.kubeconfig"
	"$BUILD/kubesim" --port 0 --kubeconfig-out "$EXTRA_KC" --start-time "$KS_QUIET_START" "$@" 2>"$D/$name.log" &
	EXTRA_PID=$!
	i=0
	while [ ! -s "$EXTRA_KC" ] && kill -0 "$EXTRA_PID" 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
}
stop_extra() { kill "$EXTRA_PID" 2>/dev/null; wait "$EXTRA_PID" 2>/dev/null; }

extra preload --preload 2000
out_has "paging: 2,000 configmaps in pages of 100" 'items=2000 .*restarts=0 rv-set=yes' \
	"$P" --kubeconfig "$EXTRA_KC" --limit 100 list /api/v1/namespaces/preload/configmaps
stop_extra

extra expired --tls-mode expired
exit_is "TLS expired: refused (exit 3)" 3 "$P" --kubeconfig "$EXTRA_KC" get /api/v1/namespaces
out_has "TLS expired: says so" "TLS: the server's certificate expired" \
	"$P" --kubeconfig "$EXTRA_KC" get /api/v1/namespaces
stop_extra
extra wrong --tls-mode wrong-host
out_has "TLS wrong host: says so" "TLS: certificate is for other hosts" \
	"$P" --kubeconfig "$EXTRA_KC" get /api/v1/namespaces
stop_extra
extra untrusted --tls-mode untrusted
out_has "TLS untrusted: says so" "TLS: the server's certificate is not trusted by the kubeconfig's certificate-authority" \
	"$P" --kubeconfig "$EXTRA_KC" get /api/v1/namespaces
# insecure only by explicit opt-in: the same server with insecure-skip-tls-verify is
# reached, and every process that uses it says so on stderr, naming the file
sed -e '/certificate-authority/d' -e 's/^\( *\)server: \(.*\)$/\1server: \2\
\1insecure-skip-tls-verify: true/' "$EXTRA_KC" >"$D/insecure.kubeconfig"
grep -q "insecure-skip-tls-verify: true" "$D/insecure.kubeconfig" || fail "the insecure kubeconfig was not made"
"$P" --kubeconfig "$D/insecure.kubeconfig" get /api/v1/namespaces/default >"$D/out" 2>"$D/err"; rc=$?
cat "$D/out" "$D/err" >>"$D/all-output"
[ $rc = 0 ] && grep -q 'got kind=Namespace' "$D/out" && ok "TLS untrusted with insecure-skip-tls-verify: reached (opt-in)" ||
	{ fail "insecure opt-in (exit $rc)"; cat "$D/out" "$D/err"; }
grep -q "WARNING: TLS certificate verification is OFF for cluster .*insecure-skip-tls-verify: true in .*insecure.kubeconfig" "$D/err" &&
	ok "the opt-in is warned on stderr, naming the file" || { fail "no warning for insecure-skip-tls-verify"; cat "$D/err"; }
stop_extra

# ---- nothing secret was printed ----
leaked=""
for s in it-admin-secret-1 it-admin-secret-2 it-viewer-secret-3 not-a-valid-token-xyz \
	wrong-token-from-plugin "$KS_ADMIN_TOKEN" "$KS_SUPPORT_TOKEN"; do
	[ -n "$s" ] && grep -qF -- "$s" "$D/all-output" && leaked="$leaked $s"
done
[ -z "$leaked" ] && ok "no token appears in any output" || fail "tokens leaked in the output:$leaked"

finish
