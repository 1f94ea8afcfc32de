#!/bin/sh
# Tenants provisioned through the API join kubesim's fleet like seeded ones: smartops
# provisions one, the fleet report and the catalogue see it, Hypnus puts it to sleep on
# the sim clock and wakes it on traffic, smartops tenants agrees; an expired contract
# made by hand crash-loops its licence server; deleting the namespaces takes the tenant
# out again. Then, on a fast clock, a new tenant's Hypnus records its usage history hour
# by hour and smartops reads it.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
P=smart.totvs.com
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 5 --time-scale 120

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select(.provisioned==false and .model==\"smart\" and $1)][0].tcode" "$KS_DIR/catalog.json"; }
T=$(pick '.status=="active"')
X=$(pick '.status=="expired"')
t=$(echo "$T" | tr T t)
x=$(echo "$X" | tr T t)
echo "provisioned here: $T (active), $X (expired)"
fleet() { kcurl "$KS_URL/sim/v1/fleet"; }
# env_scn TCODE ENV: the scenario the fleet report gives the env ("" when absent)
env_scn() { fleet | jq -r --arg t "$1" --arg e "$2" '.items[] | select(.tcode==$t) | .envs[] | select(.env==$e) | .scenario'; }
provisioned() { kcurl "$KS_URL/catalog/v1/tenants/$1" | jq -r .provisioned; }
hyp() { kcurl "$KS_URL/apis/apps/v1/namespaces/$1/deployments/hypnus" | jq -r ".metadata.annotations[\"$P/$2\"] // \"\""; }
simnow() { kcurl -X POST -H 'Content-Type: application/json' -d '{"metadata":{"generateName":"clock-"}}' \
	"$KS_URL/api/v1/namespaces/default/configmaps?dryRun=All" | jq -r '.metadata.creationTimestamp | fromdate'; }
health() { "$S" tenants -o json | jq -r --arg t "$1" --arg e "$2" '.items[] | select(.tcode==$t) | .envs[] | select(.env==$e) | .health'; }

[ "$(provisioned "$T")" = false ] && ok "$T starts unprovisioned" || fail "$T provisioned before the apply"
[ -z "$(fleet | jq -r --arg t "$T" '.items[] | select(.tcode==$t) | .tcode')" ] && ok "... and is not in the fleet report" || fail "$T in the report before the apply"

# ---- provision it with smartops ----
"$S" apply namespace --tcode "$T" --yes --idle-timeout 300 >/dev/null 2>"$KS_DIR/apply.err"; rc=$?
[ $rc -eq 0 ] && ok "smartops apply namespace --tcode $T (idle timeout 300 s)" || { fail "apply (rc $rc)"; tail -5 "$KS_DIR/apply.err"; }
[ "$(provisioned "$T")" = true ] && ok "the catalogue now says $T is provisioned" || fail "catalogue provisioned: $(provisioned "$T")"
fleet | jq -e --arg t "$T" '.items[] | select(.tcode==$t) | .adopted and ([.envs[].namespace] | sort == ["'"$t"'-dev","'"$t"'-prod"])' >/dev/null &&
	ok "the fleet report lists $T, adopted, with $t-prod and $t-dev" || { fail "fleet report"; fleet | jq -c --arg t "$T" '.items[] | select(.tcode==$t)'; }
[ "$(hyp "$t-prod" hypnus-idle-timeout)" = 300 ] && ok "its Hypnus has the 300 s idle timeout" || fail "idle timeout annotation"
# the licence check passed: every base pod of the adopted env is ready
kcurl "$KS_URL/api/v1/namespaces/$t-prod/pods?labelSelector=$P%2Ftier%3Dbase" |
	jq -e '(.items | length) == 3 and all(.items[]; any(.status.conditions[]; .type=="Ready" and .status=="True"))' >/dev/null &&
	ok "license, lockserver and dbaccess pods of $t-prod are ready (contract active)" || fail "base pods not ready"

# A usage history of zeros for both envs: no simulated requests from now on, so the
# envs sleep exactly idle-timeout after their last activity.
zeros=$(awk 'BEGIN { for (i = 0; i < 672; i++) printf(i ? ",0" : "0") }')
start=$(date -u -d "@$(( ($(simnow) / 3600 - 672) * 3600 ))" +%Y-%m-%dT%H:%M:%SZ)
for e in prod dev; do
	kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/$t-$e/configmaps" \
		-d "{\"metadata\":{\"name\":\"hypnus-usage\",\"labels\":{\"$P/component\":\"hypnus\"}},\"data\":{\"start\":\"$start\",\"utc-offset-minutes\":\"-180\",\"hours\":\"$zeros\"}}" >/dev/null
done

# ---- Hypnus: asleep after 300 simulated seconds of idleness ----
asleep() { [ "$(env_scn "$T" prod)" = sleeping ] && [ "$(env_scn "$T" dev)" = sleeping ]; }
wait_for "both envs of $T fall asleep (sim clock at 120x)" 30 asleep
last=$(hyp "$t-prod" hypnus-last-activity | jq -Rr 'fromdate')
ev=$(kcurl "$KS_URL/api/v1/namespaces/$t-prod/events" | jq -r '[.items[] | select(.reason=="HypnusSleep") | .lastTimestamp | fromdate] | max')
idle=$((ev - last))
[ "$idle" -ge 300 ] && [ "$idle" -le 600 ] && ok "HypnusSleep came $idle simulated s after the last activity (timeout 300)" ||
	fail "slept after $idle s (last activity $last, event $ev)"
kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments?labelSelector=$P%2Ftier%3Dpublic" >"$KS_DIR/pub.json"
jq -e '(.items | length) >= 2 and all(.items[]; .spec.replicas == 0 and (.metadata.annotations["'$P'/hypnus-replicas"] | tonumber) >= 1)' "$KS_DIR/pub.json" >/dev/null &&
	ok "its public deployments are at 0, the awake count kept in hypnus-replicas" || { fail "public deployments"; jq -c '.items[] | [.metadata.name, .spec.replicas, .metadata.annotations]' "$KS_DIR/pub.json"; }
want=$(jq '[.items[].metadata.annotations["'$P'/hypnus-replicas"] | tonumber] | add' "$KS_DIR/pub.json")
sleeping_both() { [ "$(health "$T" prod)" = sleeping ] && [ "$(health "$T" dev)" = sleeping ]; }
wait_for "smartops tenants agrees: both envs of $T sleeping" 20 sleeping_both

# ---- traffic wakes prod, measured ----
code=$(kcurl -o /dev/null -w '%{http_code}' -X POST "$KS_URL/sim/v1/traffic?tcode=$T&env=prod")
[ "$code" = 200 ] && ok "POST /sim/v1/traffic to $T prod" || fail "traffic answered $code"
awake() { [ "$(hyp "$t-prod" hypnus-state)" = active ] && [ -n "$(hyp "$t-prod" hypnus-cold-start-seconds)" ]; }
wait_for "$t-prod wakes to active with a measured cold start" 30 awake
cold=$(hyp "$t-prod" hypnus-cold-start-seconds)
[ "$cold" -gt 0 ] 2>/dev/null && ok "cold start: $cold simulated s" || fail "cold start \"$cold\""
kcurl "$KS_URL/api/v1/namespaces/$t-prod/events" | jq -e '[.items[].reason] | index("HypnusWake") and index("HypnusAwake")' >/dev/null &&
	ok "Events HypnusWake and HypnusAwake" || fail "wake events"
# prod's idle timeout is 2.5 s of wall time at 120x, less than these checks may
# take on a busy machine: each look comes with a request that keeps prod awake
poke() { kcurl -o /dev/null -X POST "$KS_URL/sim/v1/traffic?tcode=$T&env=prod"; }
ready_all() {
	poke
	ready=$(kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments?labelSelector=$P%2Ftier%3Dpublic" | jq '[.items[].status.readyReplicas // 0] | add')
	[ "$ready" = "$want" ]
}
wait_for "public deployments back to their $want awake replicas, all ready" 30 ready_all || echo "    ready replicas $ready, want $want"
reported() { poke; [ "$(env_scn "$T" prod)" = available ] && [ "$(env_scn "$T" dev)" = sleeping ]; }
wait_for "fleet report: prod available, dev still sleeping" 30 reported ||
	echo "    report after wake: $(env_scn "$T" prod) / $(env_scn "$T" dev)"
agree() { poke; [ "$(health "$T" prod)" = available ] && [ "$(health "$T" dev)" = sleeping ]; }
wait_for "smartops tenants agrees: prod available, dev sleeping" 30 agree
# the annotation wakes dev the same way
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' -d "{\"metadata\":{\"annotations\":{\"$P/hypnus-state\":\"waking\"}}}" \
	"$KS_URL/apis/apps/v1/namespaces/$t-dev/deployments/hypnus" >/dev/null
dev_awake() { [ "$(hyp "$t-dev" hypnus-state)" = active ]; }
wait_for "hypnus-state=waking set by a client wakes $t-dev" 30 dev_awake

# ---- an expired contract, made by hand: blocked ----
mkns() { kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces" \
	-d "{\"metadata\":{\"name\":\"$1\",\"labels\":{\"$P/tcode\":\"$X\",\"$P/env\":\"$2\",\"$P/product\":\"erp\"}}}" >/dev/null; }
mkdeploy() { # ns name component tier
	kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/apis/apps/v1/namespaces/$1/deployments" -d "{
	\"metadata\":{\"name\":\"$2\",\"labels\":{\"$P/tcode\":\"$X\",\"$P/component\":\"$3\",\"$P/tier\":\"$4\"}},
	\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app.kubernetes.io/name\":\"$2\"}},
	\"template\":{\"metadata\":{\"labels\":{\"app.kubernetes.io/name\":\"$2\",\"$P/tcode\":\"$X\",\"$P/component\":\"$3\",\"$P/tier\":\"$4\"}},
	\"spec\":{\"containers\":[{\"name\":\"$3\",\"image\":\"registry.smart.example.com/totvs/$3:1\"}]}}}}" >/dev/null; }
mkns "$x-prod" prod
for c in license lockserver dbaccess; do mkdeploy "$x-prod" "$c" "$c" base; done
lic() { kcurl "$KS_URL/api/v1/namespaces/$x-prod/pods?labelSelector=$P%2Fcomponent%3Dlicense" |
	jq -r '.items[0].status.containerStatuses[0] | "\(.state.waiting.reason // "") \(.lastState.terminated.reason // "")"'; }
crashing() { [ "$(lic)" = "CrashLoopBackOff ContractExpired" ]; }
wait_for "$x-prod (contract expired): license crash-loops with ContractExpired" 30 crashing
waiting() { kcurl "$KS_URL/api/v1/namespaces/$x-prod/pods?labelSelector=$P%2Fcomponent%3Ddbaccess" |
	jq -e '.items[0].status.conditions[] | select(.type=="Ready") | .status=="False" and .reason=="WaitingForPredecessor"' >/dev/null; }
wait_for "... and dbaccess waits for its predecessor" 20 waiting
[ "$(env_scn "$X" prod)" = blocked ] && ok "fleet report: $X prod blocked" || fail "report for $X: \"$(env_scn "$X" prod)\""
[ "$(provisioned "$X")" = true ] && ok "the catalogue says $X is provisioned" || fail "$X provisioned: $(provisioned "$X")"
blocked() { [ "$(health "$X" prod)" = blocked ]; }
wait_for "smartops tenants: $X prod health blocked" 20 blocked

# ---- deleting the namespaces takes the tenants out ----
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$t-dev" >/dev/null
# prod is available or, with no traffic for 300 simulated s (2.5 s here), asleep again
only_prod() { [ "$(env_scn "$T" dev)" = "" ] && [ -n "$(env_scn "$T" prod)" ]; }
wait_for "$t-dev deleted: the report keeps $T with prod only" 30 only_prod
[ "$(provisioned "$T")" = true ] && ok "... and the catalogue still says provisioned" || fail "provisioned after one env went"
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$t-prod" >/dev/null
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$x-prod" >/dev/null
gone() { [ -z "$(fleet | jq -r --arg t "$T" --arg x "$X" '.items[] | select(.tcode==$t or .tcode==$x) | .tcode')" ]; }
wait_for "both namespaces of $T (and $X's) deleted: they leave the fleet report" 10 gone
[ "$(provisioned "$T")" = false ] && [ "$(provisioned "$X")" = false ] && ok "the catalogue says unprovisioned again" ||
	fail "provisioned after delete: $T $(provisioned "$T"), $X $(provisioned "$X")"
code=$(kcurl -o /dev/null -w '%{http_code}' -X POST "$KS_URL/sim/v1/traffic?tcode=$T&env=prod")
[ "$code" = 404 ] && ok "traffic to the departed tenant: 404" || fail "traffic after delete: $code"

# a seeded tenant leaves the report the same way
SEEDED=$(fleet | jq -r '.items[0].tcode'); s=$(echo "$SEEDED" | tr T t)
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$s-prod" >/dev/null
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$s-dev" >/dev/null
seeded_gone() { [ -z "$(env_scn "$SEEDED" prod)$(env_scn "$SEEDED" dev)" ] && [ "$(provisioned "$SEEDED")" = false ]; }
wait_for "seeded $SEEDED deleted: out of the report, unprovisioned" 10 seeded_gone

# ---- a new tenant's Hypnus records its usage: an hour is a second at 3600x ----
kill "$KS_PID"; wait "$KS_PID" 2>/dev/null; rm -f "$KUBECONFIG"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 5 --time-scale 3600
kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
U=$(pick '.status=="active"'); u=$(echo "$U" | tr T t)
"$S" apply namespace --tcode "$U" --yes >/dev/null 2>"$KS_DIR/apply2.err"; rc=$?
[ $rc -eq 0 ] && ok "smartops apply namespace --tcode $U (clock at 3600x)" || { fail "apply $U (rc $rc)"; tail -5 "$KS_DIR/apply2.err"; }
usage() { kcurl "$KS_URL/api/v1/namespaces/$u-prod/configmaps/hypnus-usage"; }
nhours() { usage | jq -r '.data.hours // "" | split(",") | length'; }
created() { [ "$(nhours)" -ge 1 ]; }
wait_for "its Hypnus created ConfigMap hypnus-usage in $u-prod after its first whole hour" 20 created
usage >"$KS_DIR/u1.json"
jq -e --arg t "$U" '.metadata.labels["'$P'/tcode"] == $t and .metadata.labels["'$P'/component"] == "hypnus"
	and (.data.start | test("^[0-9-]{10}T[0-9]{2}:00:00Z$")) and (.data["utc-offset-minutes"] | test("^-?[0-9]+$"))' \
	"$KS_DIR/u1.json" >/dev/null && ok "... labelled, start on the hour, the tenant's offset $(jq -r '.data["utc-offset-minutes"]' "$KS_DIR/u1.json") min" ||
	{ fail "ConfigMap contents"; jq -c .data "$KS_DIR/u1.json"; }
n1=$(nhours)
# requests of our own on top of the simulated ones: they must show in the counts
for i in 1 2 3 4 5; do kcurl -o /dev/null -X POST "$KS_URL/sim/v1/traffic?tcode=$U&env=prod"; done
grown() { [ "$(nhours)" -ge $((n1 + 6)) ]; }
wait_for "one hour appended per simulated hour (from $n1 to $((n1 + 6)) or more)" 30 grown
usage >"$KS_DIR/u2.json"
start1=$(jq -r .data.start "$KS_DIR/u1.json"); start2=$(jq -r .data.start "$KS_DIR/u2.json")
[ "$start1" = "$start2" ] && ok "start stays at the first hour while the history is short" || fail "start moved: $start1 -> $start2"
jq -e '[.data.hours | split(",")[] | tonumber] | (add >= 5) and (max <= 5000)' "$KS_DIR/u2.json" >/dev/null &&
	ok "plausible counts: $(jq -r '.data.hours' "$KS_DIR/u2.json" | cut -c1-60) (at least our 5 requests, none above the peak)" ||
	{ fail "counts"; jq -r .data.hours "$KS_DIR/u2.json"; }
dev_rec() { [ "$(kcurl "$KS_URL/api/v1/namespaces/$u-dev/configmaps/hypnus-usage" | jq -r '.data.hours // "" | split(",") | length')" -ge 1 ]; }
wait_for "$u-dev has its own history" 10 dev_rec
"$S" tenant "$U" -o json >"$KS_DIR/tenant.json" 2>"$KS_DIR/tenant.err"
jq -e '[.. | objects | select(has("forecast")) | .forecast] | length == 2 and all(. != null and has("windows"))' "$KS_DIR/tenant.json" >/dev/null &&
	ok "smartops tenant $U -o json reads the short history: a forecast for both envs" ||
	{ fail "tenant -o json has no forecast"; cut -c1-400 "$KS_DIR/tenant.json"; cat "$KS_DIR/tenant.err"; }
finish
