# kubesim's fleet through the API as clients see it: kubectl on a seeded fleet, Hypnus
# sleeping and waking under --time-scale, a blocked licence, and each fault doing what it
# says until it is switched off.
. tests/integration/lib.sh
ks_start --start-time "$KS_QUIET_START" --fleet 40 --seed 5 --time-scale 120
K="kubectl --request-timeout=20s"
P=smart.totvs.com
have_kubectl=1
command -v kubectl >/dev/null 2>&1 || { have_kubectl=0; echo "note: kubectl is not installed; its checks here were not run"; }
py() { python3 -c "$@"; }
kcurl "$KS_URL/sim/v1/fleet" >"$KS_DIR/fleet.json"

# ---- a blocked tenant: the licence server crash-loops and says why ----
BNS=$(py 'import json,sys
d=json.load(open(sys.argv[1]))
print(next(e["namespace"] for t in d["items"] for e in t["envs"] if e["scenario"]=="blocked"))' "$KS_DIR/fleet.json")
lic_state() {
	kcurl "$KS_URL/api/v1/namespaces/$BNS/pods?labelSelector=$P%2Fcomponent%3Dlicense" | py 'import json,sys
p=json.load(sys.stdin)["items"][0]; c=p["status"]["containerStatuses"][0]
print(c["state"].get("waiting",{}).get("reason",""), c.get("lastState",{}).get("terminated",{}).get("reason",""), c["restartCount"])'
}
crashing() { lic_state | grep -Eq '^CrashLoopBackOff Contract(Expired|Invalid) [1-9]'; }
wait_for "blocked $BNS: license crash-loops with a Contract reason" 30 crashing
# it restarts again (its back-off is at most 5 simulated minutes, 2.5 s at 120x): read
# until it has. The bound is 30 s, not those 2.5 s: under AddressSanitizer beside other
# tests kubesim's controller (nice 5) lags the clock, and 4 s once was not enough
r1=$(lic_state | awk '{print $3}'); end=$(( $(date +%s) + 30 ))
while r2=$(lic_state | awk '{print $3}') && [ "$r2" -le "$r1" ] && [ "$(date +%s)" -le "$end" ]; do sleep 0.3; done
[ "$r2" -gt "$r1" ] && ok "its restarts climb ($r1 -> $r2)" || fail "restarts did not climb ($r1 -> $r2)"
notready() { kcurl "$KS_URL/apis/apps/v1/namespaces/$BNS/deployments/dbaccess" | py 'import json,sys
d=json.load(sys.stdin); sys.exit(0 if d["status"].get("readyReplicas",0)==0 else 1)'; }
check "... and the chain after it is not ready (dbaccess 0 ready)" notready
if [ $have_kubectl -eq 1 ]; then
	expect_out "kubectl get pods -A shows fleet pods" "^t[0-9]{5}-(prod|dev) +appserver-" $K get pods -A
	LP=$($K get pods -n "$BNS" -l $P/component=license -o name | head -1)
	expect_out "kubectl logs of the blocked licence server names the contract" "[Cc]ontract" $K logs -n "$BNS" "$LP" --tail=20
fi

# ---- Hypnus: traffic wakes a sleeping env; the watch sees the deployment change ----
SNS=$(kcurl "$KS_URL/apis/apps/v1/deployments?labelSelector=$P%2Fcomponent%3Dhypnus" | py 'import json,sys
for d in json.load(sys.stdin)["items"]:
    if d["metadata"]["annotations"].get("smart.totvs.com/hypnus-state")=="sleeping":
        print(d["metadata"]["namespace"]); break')
if [ -z "$SNS" ]; then
	fail "no sleeping environment to wake"
else
	TC=$(echo "$SNS" | sed 's/-.*//' | tr t T); ENV=${SNS##*-}
	if [ $have_kubectl -eq 1 ]; then
		timeout 60 $K get deploy -n "$SNS" -w >"$KS_DIR/w.out" 2>&1 &
		# the watch's first lines list what is there: wait for them, not for a time
		listed() { grep -q "^appserver-" "$KS_DIR/w.out"; }
		wait_for "kubectl get -w lists $SNS's deployments" 30 listed
		n_listed=$(grep -c "^appserver-" "$KS_DIR/w.out")
		# a user request of the simulation may have woken it meanwhile (a loaded machine is
		# slow to start kubectl): then put it back to sleep, which the watch sees too
		if ! grep -q "^appserver-[^ ]*  *0/0 " "$KS_DIR/w.out"; then
			"$BUILD/smartops" sleep "$TC" --env "$ENV" --yes >/dev/null 2>&1
			asleep_now() { kcurl "$KS_URL/apis/apps/v1/namespaces/$SNS/deployments" |
				jq -e '[.items[] | select(.metadata.annotations["smart.totvs.com/hypnus-replicas"]) | .spec.replicas] | length > 0 and all(. == 0)'; }
			wait_for "$SNS, awake on its own meanwhile, put back to sleep" 30 asleep_now
		fi
	fi
	code=$(kcurl -o /dev/null -w '%{http_code}' -X POST "$KS_URL/sim/v1/traffic?tcode=$TC&env=$ENV")
	[ "$code" = 200 ] && ok "POST /sim/v1/traffic to $TC $ENV" || fail "traffic answered $code"
	state() { kcurl "$KS_URL/apis/apps/v1/namespaces/$SNS/deployments/hypnus" | py 'import json,sys
a=json.load(sys.stdin)["metadata"]["annotations"]; print(a.get("smart.totvs.com/hypnus-state"), a.get("smart.totvs.com/hypnus-cold-start-seconds",""))'; }
	active() { state | grep -q '^active [0-9]'; }
	wait_for "$SNS wakes: waking -> active with a cold-start time" 30 active
	if [ $have_kubectl -eq 1 ]; then
		scaled() { [ "$(grep -c '^appserver-' "$KS_DIR/w.out")" -gt "$n_listed" ]; }
		wait_for "kubectl get -w saw Hypnus scale the public deployments" 30 scaled || cat "$KS_DIR/w.out"
	fi
fi
code=$(kcurl -o /dev/null -w '%{http_code}' -X POST "$KS_URL/sim/v1/traffic?tcode=T1&env=prod")
[ "$code" = 400 ] && ok "traffic to a malformed TCODE: 400" || fail "traffic to a malformed TCODE: $code"

# ---- Hypnus puts an idle env to sleep after its timeout (sim clock, 120x) ----
asleep_on_time() { kcurl "$KS_URL/apis/apps/v1/deployments?labelSelector=$P%2Fcomponent%3Dhypnus" >"$KS_DIR/h.json"
	py 'import json,sys,datetime
# Hypnus moves only environments staged healthy; staged faults stay put
movable={e["namespace"] for t in json.load(open(sys.argv[2]))["items"] for e in t["envs"]
         if e["scenario"] in ("available","sleeping","waking")}
for d in json.load(open(sys.argv[1]))["items"]:
    a=d["metadata"]["annotations"]
    if a.get("smart.totvs.com/hypnus-state")!="active" or d["metadata"]["namespace"] not in movable: continue
    last=datetime.datetime.fromisoformat(a["smart.totvs.com/hypnus-last-activity"].replace("Z","+00:00")).timestamp()
    print(int(last)+int(a["smart.totvs.com/hypnus-idle-timeout"]), d["metadata"]["namespace"], int(last))' "$KS_DIR/h.json" "$KS_DIR/fleet.json" | sort -n | head -1; }
simnow() { kcurl -X POST -H 'Content-Type: application/json' -d '{"metadata":{"generateName":"clock-"}}' \
	"$KS_URL/api/v1/namespaces/default/configmaps?dryRun=All" | py 'import json,sys,datetime
print(int(datetime.datetime.fromisoformat(json.load(sys.stdin)["metadata"]["creationTimestamp"].replace("Z","+00:00")).timestamp()))'; }
read due ns last0 <<EOF2
$(asleep_on_time)
EOF2
now=$(simnow)
wall=$(( (due - now) / 120 + 1 ))
if [ -n "$ns" ] && [ "$wall" -lt 40 ]; then
	[ "$wall" -lt 0 ] && wall=0
	# read its state until it sleeps or has had a request since, or until 3 s past
	# its due time; then judge what was read last
	hyp_state() { kcurl "$KS_URL/apis/apps/v1/namespaces/$ns/deployments/hypnus" | py 'import json,sys
a=json.load(sys.stdin)["metadata"]["annotations"]; print(a.get("smart.totvs.com/hypnus-state"), a["smart.totvs.com/hypnus-last-activity"])'; }
	decided() { case "$1" in sleeping*) return 0 ;; active*) py 'import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")).timestamp(); sys.exit(0 if t > int(sys.argv[2]) else 1)' "${1#* }" "$last0" ;; *) return 1 ;; esac; }
	end=$(( $(date +%s) + wall + 3 ))
	while st=$(hyp_state) && ! decided "$st" && [ "$(date +%s)" -le "$end" ]; do sleep 0.5; done
	case "$st" in
	sleeping*) ok "$ns fell asleep once idle past its timeout ($wall s of wall time at 120x)" ;;
	active*) last=$(echo "$st" | awk '{print $2}')
		py 'import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1].replace("Z","+00:00")).timestamp(); sys.exit(0 if t > int(sys.argv[2]) else 1)' "$last" "$last0" \
			&& ok "$ns got a request before its timeout and stays active" \
			|| fail "$ns is still active past last activity + idle timeout" ;;
	*) fail "$ns: unexpected state $st" ;;
	esac
else
	ok "no active environment due to sleep within 40 s of wall time (skipping the timing check honestly)"
fi

# ---- faults: each does what it says, and switches off ----
NSL="$KS_URL/api/v1/namespaces"
fault() { kcurl -o /dev/null -w '%{http_code}' -X PUT -d "$1" "$KS_URL/sim/v1/faults"; }
clear_faults() { kcurl -o /dev/null -X DELETE "$KS_URL/sim/v1/faults"; }
valid_json() { kcurl "$1" | py 'import json,sys; json.load(sys.stdin)'; }

[ "$(fault '{"latency_ms":400}')" = 200 ] || fail "setting latency"
t=$(kcurl -o /dev/null -w '%{time_total}' "$NSL")
py "import sys; sys.exit(0 if $t >= 0.4 else 1)" && ok "latency_ms=400: a GET takes ${t}s" || fail "latency: ${t}s"
clear_faults
t=$(kcurl -o /dev/null -w '%{time_total}' "$NSL")
py "import sys; sys.exit(0 if $t < 0.3 else 1)" && ok "latency off: ${t}s" || fail "latency still on: ${t}s"

for code in 503 429; do
	fault "{\"error_rate\":1,\"error_code\":$code,\"retry_after_s\":7}" >/dev/null
	kcurl -D "$KS_DIR/h" -o "$KS_DIR/b" "$NSL"
	grep -q "^HTTP/1.1 $code" "$KS_DIR/h" && grep -qi "^Retry-After: 7" "$KS_DIR/h" && grep -q '"kind":"Status"' "$KS_DIR/b" &&
		ok "error_code $code with Retry-After and a Status" || { fail "error_code $code"; cat "$KS_DIR/h"; }
	clear_faults
done
[ "$(kcurl -o /dev/null -w '%{http_code}' "$NSL")" = 200 ] && ok "errors off" || fail "errors still on"

fault '{"watch_cut_s":1}' >/dev/null
t0=$(date +%s); kcurl -N "$NSL?watch=true&timeoutSeconds=20" >/dev/null 2>&1; t1=$(date +%s)
[ $((t1 - t0)) -le 4 ] && ok "watch_cut_s=1 cuts a watch ($((t1 - t0)) s)" || fail "watch not cut ($((t1 - t0)) s)"
clear_faults
rv=$(kcurl "$NSL?limit=1" | py 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')
fault '{"gone_watch":1}' >/dev/null
[ "$(kcurl -o /dev/null -w '%{http_code}' "$NSL?watch=true&resourceVersion=$rv&timeoutSeconds=2")" = 410 ] && ok "gone_watch: 410" || fail "gone_watch"
clear_faults
[ "$(kcurl -o /dev/null -w '%{http_code}' "$NSL?watch=true&resourceVersion=$rv&timeoutSeconds=1")" = 200 ] && ok "gone_watch off" || fail "gone_watch still on"
cont=$(kcurl "$NSL?limit=5" | py 'import json,sys; print(json.load(sys.stdin)["metadata"]["continue"])')
fault '{"gone_continue":1}' >/dev/null
[ "$(kcurl -o /dev/null -w '%{http_code}' "$NSL?limit=5&continue=$cont")" = 410 ] && ok "gone_continue: 410 Expired" || fail "gone_continue"
clear_faults
[ "$(kcurl -o /dev/null -w '%{http_code}' "$NSL?limit=5&continue=$cont")" = 200 ] && ok "gone_continue off: the token works" || fail "gone_continue still on"
for f in truncate_rate malformed_rate; do
	fault "{\"$f\":1}" >/dev/null
	valid_json "$NSL" 2>/dev/null && fail "$f=1 left the body valid" || ok "$f=1: the body is not valid JSON"
	clear_faults
	valid_json "$NSL" && ok "$f off" || fail "$f still on"
done
size=$(kcurl "$NSL" | wc -c)
fault '{"slow_bps":20000}' >/dev/null
t=$(kcurl -o /dev/null -w '%{time_total}' "$NSL")
py "import sys; sys.exit(0 if $t >= $size / 20000.0 * 0.7 else 1)" && ok "slow_bps=20000: $size bytes in ${t}s" || fail "slow_bps: $size bytes in ${t}s"
clear_faults
code=$(curl -sS --cacert "$KS_CA" -H "Authorization: Bearer $KS_SUPPORT_TOKEN" -o /dev/null -w '%{http_code}' -X PUT -d '{"latency_ms":1}' "$KS_URL/sim/v1/faults")
[ "$code" = 403 ] && ok "the read-only user may not set faults (403)" || fail "support set faults: $code"
[ "$(fault '{"latency_ms":"x"}')" = 400 ] && ok "a bad fault value: 400" || fail "a bad fault value accepted"
[ "$(fault '{"nonsense":1}')" = 400 ] && ok "an unknown fault: 400" || fail "an unknown fault accepted"
finish
