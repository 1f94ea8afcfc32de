#!/bin/sh
# -v and -vv (docs/reliability.md row 16): each request a command makes, on
# stderr, with its answer and time; with -vv the headers sent and received too,
# the bearer token masked. The kubeconfig's token must appear nowhere in
# either, at any verbosity, and stdout stays the command's answer alone.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
ks_start --start-time "$KS_QUIET_START" --fleet 3 --seed 7 --time-scale 0.001
TOKEN=$(awk '/token:/ {print $2; exit}' "$KUBECONFIG" | tr -d '"')
[ -n "$TOKEN" ] && [ ${#TOKEN} -ge 8 ] || fail "the test's kubeconfig has no token to look for"

"$S" tenants -o json >"$KS_DIR/plain.json" 2>"$KS_DIR/plain.err" || fail "tenants"
"$S" -v tenants -o json >"$KS_DIR/v.json" 2>"$KS_DIR/v.err" || fail "tenants -v"
"$S" -vv tenants -o json >"$KS_DIR/vv.json" 2>"$KS_DIR/vv.err" || fail "tenants -vv"
[ ! -s "$KS_DIR/plain.err" ] || ! grep -q "http:" "$KS_DIR/plain.err" && ok "without -v, no request lines" || fail "request lines without -v"
grep -qE "^smartops: http: GET https://127\.0\.0\.1:[0-9]+/api/v1/namespaces.* -> 200 \([0-9]+ ms, [0-9]+ bytes\)$" "$KS_DIR/v.err" &&
	ok "-v: a line per request, its answer, time and size" || { fail "-v lines"; head -3 "$KS_DIR/v.err"; }
grep -q "^smartops: http: [<>] " "$KS_DIR/v.err" && fail "-v shows headers" || ok "-v shows no headers"
grep -qi "^smartops: http: > authorization: \[redacted\]" "$KS_DIR/vv.err" &&
	ok "-vv: the Authorization header sent, its token masked" || { fail "-vv: no masked Authorization"; grep -i author "$KS_DIR/vv.err" | head -2; }
grep -qi "^smartops: http: < content-type: application/json" "$KS_DIR/vv.err" &&
	ok "-vv: the headers received" || fail "-vv: no response headers"
for f in v.err vv.err v.json vv.json; do
	grep -qF "$TOKEN" "$KS_DIR/$f" && fail "the token is in $f"
done
ok "the token appears in no output at -v or -vv"
jq -S 'del(.items[].age, .generated)' "$KS_DIR/plain.json" >"$KS_DIR/a" 2>/dev/null
jq -S 'del(.items[].age, .generated)' "$KS_DIR/vv.json" >"$KS_DIR/b" 2>/dev/null
[ -s "$KS_DIR/b" ] && jq -e '.items | length == 3' "$KS_DIR/vv.json" >/dev/null &&
	ok "stdout holds the answer alone at -vv (valid JSON, 3 tenants)" || fail "stdout at -vv is not the answer"
# a write: the trace of an action names its method, and a refused one its status
"$S" -v wake "$(jq -r '.items[0].tcode' "$KS_DIR/plain.json")" --env dev --dry-run >/dev/null 2>"$KS_DIR/wake.err"
grep -qE "^smartops: http: (PATCH|GET) " "$KS_DIR/wake.err" && ok "-v traces an action's requests" || { fail "-v on wake"; tail -3 "$KS_DIR/wake.err"; }
finish
