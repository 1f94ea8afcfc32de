# Bad input never crashes kubesim: each gets the right Status.
. tests/integration/lib.sh
ks_start --start-time "$KS_QUIET_START"
status() { # status "what" expected_code reason curl-args...
	what=$1; code=$2; reason=$3; shift 3
	got=$(kcurl -o "$KS_DIR/body" -w '%{http_code}' "$@")
	if [ "$got" = "$code" ] && grep -q "\"kind\":\"Status\"" "$KS_DIR/body" && grep -q "\"reason\":\"$reason\"" "$KS_DIR/body"; then
		ok "$what -> $code $reason"
	else
		fail "$what: got HTTP $got"; head -c 300 "$KS_DIR/body"; echo
	fi
}
J='Content-Type: application/json'
status "malformed JSON" 400 BadRequest -X POST -H "$J" -d '{"metadata":{"name":' "$KS_URL/api/v1/namespaces"
status "a JSON array body" 400 BadRequest -X POST -H "$J" -d '[1,2]' "$KS_URL/api/v1/namespaces"
head -c 4000000 /dev/zero | tr '\0' 'a' >"$KS_DIR/huge"
status "a 4 MB body" 413 RequestEntityTooLarge -X POST -H "$J" --data-binary @"$KS_DIR/huge" "$KS_URL/api/v1/namespaces"
status "an unknown resource" 404 NotFound "$KS_URL/api/v1/widgets"
status "an unknown group" 404 NotFound "$KS_URL/apis/example.com/v1/things"
status "a bad path" 404 NotFound "$KS_URL/api/v1/namespaces/default/pods/a/b/c/d"
status "an unknown subresource" 404 NotFound "$KS_URL/api/v1/namespaces/default/pods/x/exec2"
status "a bad label selector" 400 BadRequest "$KS_URL/api/v1/pods?labelSelector=a%20in%20(b"
status "an unsupported field selector" 400 BadRequest "$KS_URL/api/v1/pods?fieldSelector=spec.foo%3Dbar"
status "a bad name" 422 Invalid -X POST -H "$J" -d '{"metadata":{"name":"Not_Valid"}}' "$KS_URL/api/v1/namespaces"
status "a kind that does not match the path" 400 BadRequest -X POST -H "$J" -d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}' "$KS_URL/api/v1/namespaces"
status "a missing namespace" 404 NotFound -X POST -H "$J" -d '{"metadata":{"name":"x"}}' "$KS_URL/api/v1/namespaces/nope/configmaps"
status "a bad limit" 400 BadRequest "$KS_URL/api/v1/namespaces?limit=abc"
status "a bad continue token" 400 BadRequest "$KS_URL/api/v1/namespaces?limit=1&continue=%%%"
status "an unknown patch type" 415 UnsupportedMediaType -X PATCH -H 'Content-Type: text/plain' -d 'x' "$KS_URL/api/v1/namespaces/default"
status "a stale update" 409 Conflict -X PUT -H "$J" -d '{"metadata":{"name":"kube-public","resourceVersion":"1"}}' "$KS_URL/api/v1/namespaces/kube-public"
status "a duplicate" 409 AlreadyExists -X POST -H "$J" -d '{"metadata":{"name":"default"}}' "$KS_URL/api/v1/namespaces"
code=$(curl -sS --cacert "$KS_CA" -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer wrong' "$KS_URL/api/v1/namespaces")
[ "$code" = 401 ] && ok "an unknown token -> 401" || fail "an unknown token got $code"
code=$(curl -sS --cacert "$KS_CA" -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces")
[ "$code" = 401 ] && ok "no credentials -> 401" || fail "no credentials got $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$KS_URL/version" 2>/dev/null)
[ "$code" = 000 ] && ok "a client that does not trust kubesim's CA is refused by TLS" || fail "TLS without the CA gave $code"
status "a fault out of range" 400 BadRequest -X PUT -H "$J" -d '{"write_latency_ms":-1}' "$KS_URL/sim/v1/faults"
# write_latency_ms holds the writes it names (not reads, not dry runs); only
# the lower bound is asserted, the rest depends on the machine's load
kcurl -X PUT -H "$J" -d '{"write_latency_ms":400,"write_path":"/configmaps"}' "$KS_URL/sim/v1/faults" >/dev/null
expect_out "write_latency_ms is shown with the faults" '"write_latency_ms":400' kcurl "$KS_URL/sim/v1/faults"
secs=$(kcurl -o /dev/null -w '%{time_total}' -X POST -H "$J" -d '{"metadata":{"name":"slow"}}' "$KS_URL/api/v1/namespaces/default/configmaps")
awk -v s="$secs" 'BEGIN { exit !(s >= 0.4) }' && ok "a write under write_latency_ms waits (${secs}s)" || fail "the write took ${secs}s, under 0.4 s"
expect_out "and is made" '"name":"slow"' kcurl "$KS_URL/api/v1/namespaces/default/configmaps/slow"
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
kill -0 "$KS_PID" && ok "kubesim is still running" || fail "kubesim died"
# the controllers (threads named kubesim beside the main one) yield to the API's
# readers: nice 5 by default; the server's threads keep the API's priority
nices() { for t in /proc/"$KS_PID"/task/*; do printf '%s=%s ' "$(cat "$t/comm")" "$(cut -d')' -f2- "$t/stat" | awk '{print $17}')"; done; }
n=$(nices)
case "$n" in *"kubesim=5 "*) ok "controller threads run at nice 5 ($n)" ;; *) fail "no controller thread at nice 5: $n" ;; esac
case "$n" in *"MHD-listen=0 "*) ok "the listener keeps nice 0" ;; *) fail "the listener is not at nice 0: $n" ;; esac
expect_out "--controller-nice out of range is refused" 'from 0 to 19' sh -c '"$1/kubesim" --controller-nice 20 2>&1' sh "$BUILD"
expect_out "and still answers" '"gitVersion"' kcurl "$KS_URL/version"
finish
