#!/bin/sh
# The namespace provisioner against kubesim: the plan (golden file), apply creates
# exactly the plan, a second apply changes nothing, the fleet sees the tenant, and
# every kind of wrong input is refused before any change.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
GOLDEN=tests/golden/plan_namespace.json
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
# no simulated user requests: a tenant put to sleep stays asleep until asked
# (a request during the size checks woke it and failed them on a busy machine)
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60 --no-traffic

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select($1)][${2:-0}].tcode" "$KS_DIR/catalog.json"; }
FRESH='.provisioned==false and .model=="smart" and .status=="active"'
T=$(pick "$FRESH" 0)
T2=$(pick "$FRESH" 1)
T3=$(pick "$FRESH" 2)
EXPIRED=$(pick '.status=="expired"')
TRAD=$(pick '.model=="traditional"')
SEEDED=$(pick '.provisioned==true')
t=$(echo "$T" | tr 'T' 't')
echo "fresh $T $T2 $T3, expired $EXPIRED, traditional $TRAD, seeded $SEEDED"

# objects labelled with a selector, one line each: "kind/ns/name uid" and the object as
# stored less its status and resourceVersion, which the workload controllers move on their
# own time (a Deployment's status settles after the apply has seen it Ready); over the
# plan's kinds, the run's own journal in smartops-system left out
# (as smartops made it: the annotations kubesim's Hypnus keeps on its own time,
# state, last activity, last wake, cold start, and other field managers left out too)
OBJ_JQ='.items[] | "\(.kind)/\(.metadata.namespace // "")/\(.metadata.name) \(.metadata.uid) \(
	del(.status, .metadata.resourceVersion)
	| if .metadata.annotations then .metadata.annotations |= with_entries(select(.key | test("/hypnus-(state|last-activity|last-wake|cold-start-seconds)$") | not)) else . end
	| if .metadata.managedFields then .metadata.managedFields |= map(select(.manager == "smartops")) else . end
	| tojson)"'
objects() {
	# shellcheck disable=SC2086
	klists "$1" $NS_PLAN_KINDS | jq -r "$OBJ_JQ" | grep -v '/smartops-system/' | sort
}

# ---- the plan, as a golden file ----
"$S" plan namespace --tcode "$T" -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"
rc=$?
jq -S . "$KS_DIR/plan.json" >"$KS_DIR/plan.pretty" 2>/dev/null
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
n_steps=$(jq '.steps | length' "$KS_DIR/plan.json")
[ "$(jq '[.steps[] | select(.diff=="create")] | length' "$KS_DIR/plan.json")" = "$n_steps" ] &&
	ok "every one of $n_steps steps is a create on a fresh tenant" || fail "plan diff of a fresh tenant"
expect_out "plan as a table names the steps" "prod/deployments/license +ready" "$S" plan namespace --tcode "$T"

# ---- wrong input: refused, nothing made ----
"$S" plan namespace --tcode T12a45 >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "TCODE must be a T followed by 5 digits" "$KS_DIR/out" && ok "malformed TCODE is a usage error" || { fail "malformed TCODE (rc $rc)"; cat "$KS_DIR/out"; }
expect_out "unknown TCODE refused" "T99998 is not in the contract catalogue" "$S" apply namespace --tcode T99998 --yes
expect_out "expired contract refused" "contract $EXPIRED expired on" "$S" apply namespace --tcode "$EXPIRED" --yes
expect_out "traditional contract refused" "not in the SMART model" "$S" apply namespace --tcode "$TRAD" --yes
expect_out "a seeded tenant's namespaces are not ours" "Namespace $(echo "$SEEDED" | tr T t)-prod exists and was not created by smartops" \
	"$S" apply namespace --tcode "$SEEDED" --yes
expect_out "bad domain refused" "domain \"Bad_Domain\" is not a DNS name" "$S" apply namespace --tcode "$T" --domain Bad_Domain --yes
expect_out "bad idle timeout refused" "idle timeout 5 s is out of range" "$S" apply namespace --tcode "$T" --idle-timeout 5 --yes
expect_out "no terminal and no --yes refused" "add --yes" "$S" apply namespace --tcode "$T" </dev/null
# namespaces held by another tenant
t3=$(echo "$T3" | tr 'T' 't')
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces" \
	-d "{\"metadata\":{\"name\":\"$t3-prod\",\"labels\":{\"smart.totvs.com/tcode\":\"$SEEDED\",\"app.kubernetes.io/managed-by\":\"smartops\"}}}" >/dev/null
expect_out "namespace of another tenant refused" "Namespace $t3-prod belongs to tenant $SEEDED" "$S" apply namespace --tcode "$T3" --yes
# the read-only user: refused before any change, after naming what it may not do
"$S" --context kubesim-support apply namespace --tcode "$T2" --yes >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "no permission" "$KS_DIR/out" && grep -q "not allowed: create namespaces" "$KS_DIR/out" &&
	ok "read-only user refused before any change" || { fail "read-only user (rc $rc)"; cat "$KS_DIR/out"; }
# --readonly: refused even for the admin, before anything is read for the run
"$S" --readonly apply namespace --tcode "$T2" --yes >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "read-only session" "$KS_DIR/out" &&
	ok "--readonly refuses the apply (exit 4)" || { fail "--readonly apply (rc $rc)"; cat "$KS_DIR/out"; }
[ -z "$(objects "smart.totvs.com/tcode=$T2")" ] && ok "nothing of $T2 exists after the refusal" || fail "the refusal left objects"
[ "$(kcurl "$KS_URL/api/v1/namespaces/smartops-system/configmaps?labelSelector=app.kubernetes.io/component=run-journal" | jq '.items | length')" = 0 ] &&
	ok "no journal written by refused runs" || fail "refused runs wrote journals"

# a namespace of a tenant being deleted (held by a finalizer): a clear refusal, no retry loop
t2=$(echo "$T2" | tr 'T' 't')
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces" \
	-d "{\"metadata\":{\"name\":\"$t2-dev\",\"finalizers\":[\"example.com/hold\"],\"labels\":{\"smart.totvs.com/tcode\":\"$T2\",\"app.kubernetes.io/managed-by\":\"smartops\"}}}" >/dev/null
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$t2-dev" >/dev/null
[ "$(kcurl "$KS_URL/api/v1/namespaces/$t2-dev" | jq -r .status.phase)" = Terminating ] &&
	ok "kubesim keeps a namespace with finalizers Terminating" || fail "no Terminating namespace"
expect_out "a Terminating namespace is refused with a clear message" \
	"Namespace $t2-dev is being deleted \\(Terminating\\); wait until it is gone" "$S" apply namespace --tcode "$T2" --yes
[ -z "$(objects "smart.totvs.com/tcode=$T2" | grep -v "^Namespace/")" ] && ok "nothing made next to it" || fail "objects made beside a Terminating namespace"
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"finalizers":null}}' \
	"$KS_URL/api/v1/namespaces/$t2-dev" >/dev/null
[ "$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces/$t2-dev")" = 404 ] &&
	ok "the namespace goes once its finalizers are removed" || fail "namespace still there without finalizers"

# ---- apply ----
start=$(date +%s)
"$S" apply namespace --tcode "$T" --yes >"$KS_DIR/run" 2>"$KS_DIR/apply.err"; rc=$?
RUN=$(cat "$KS_DIR/run")
echo "apply took $(( $(date +%s) - start )) s, run $RUN"
[ $rc -eq 0 ] && ok "apply succeeded ($RUN)" || { fail "apply (rc $rc)"; tail -20 "$KS_DIR/apply.err"; }
# Whether a readiness is still pending when a later step needs it depends on the
# machine's speed (a pod is ready 300 ms after it starts; under AddressSanitizer every
# one was ready before it was needed, and nothing was waited for): each wait that is
# said names the object and what it awaits. That a pending wait is said at all is
# test_engine_steps' (a fake executor that is not ready yet).
grep "waiting for" "$KS_DIR/apply.err" >"$KS_DIR/waits"
! grep -Ev "^smartops: waiting for [A-Za-z]+ $t-(prod|dev)/[a-z0-9-]+ (ready|exists|complete|bound)" "$KS_DIR/waits" >/dev/null &&
	ok "progress names what it waits for ($(wc -l <"$KS_DIR/waits") waits said)" ||
	{ fail "a wait said without its object"; grep -Ev "^smartops: waiting for [A-Za-z]+ $t-" "$KS_DIR/waits" | head -3; }
objects "smart.totvs.com/run=$RUN" >"$KS_DIR/objs1"
jq -r '.steps[] | "\(.object.kind)/\(.object.namespace)/\(.object.name)"' "$KS_DIR/plan.json" | sort >"$KS_DIR/planned"
cut -d' ' -f1 "$KS_DIR/objs1" >"$KS_DIR/made"
if diff -u "$KS_DIR/planned" "$KS_DIR/made" >"$KS_DIR/made.diff"; then ok "apply created exactly the plan ($n_steps objects)"
else fail "apply created something else than the plan"; head -20 "$KS_DIR/made.diff"; fi
"$S" runs "$RUN" -o json >"$KS_DIR/runs.json"
[ "$(jq -r .state "$KS_DIR/runs.json")" = done ] && ok "journal says done" || fail "journal state"
[ "$(jq '[.steps[] | select(.created and .uid != "")] | length' "$KS_DIR/runs.json")" = "$n_steps" ] &&
	ok "journal recorded every step created with its uid" || fail "journal steps"
[ "$(grep -c "run=$RUN action=create .* result=ok" "$SMARTOPS_AUDIT_LOG")" = "$n_steps" ] &&
	ok "audit log has one create line per object" || fail "audit log lines"
[ "$(kcurl "$KS_URL/api/v1/namespaces/$t-prod/events" | jq '[.items[] | select(.reason=="SmartopsCreate")] | length')" -ge 20 ] &&
	ok "changes recorded as Kubernetes Events" || fail "no audit events"
wait_for "the fleet sees $T available" 20 sh -c "'$S' tenant '$T' -o json | jq -e '.health==\"available\"'"
expect_out "smartops runs lists the run" "$RUN +$T +namespace +done" "$S" runs
# several contexts: one list, each run with its cluster; one that cannot be read is said, the others still listed
expect_out "runs over two contexts names each run's cluster" "$RUN +$T +kubesim-support +namespace +done" \
	"$S" --context kubesim-admin,kubesim-support runs
[ "$("$S" --context kubesim-admin,kubesim-support runs -o json | jq -r --arg r "$RUN" '[.items[] | select(.run == $r) | .cluster] | sort | join(",")')" = kubesim-admin,kubesim-support ] &&
	ok "runs -o json over two contexts: a cluster on each item" || fail "runs -o json over two contexts"
dead_kubeconfig "$KS_DIR/dead.kubeconfig"
KUBECONFIG="$KUBECONFIG:$KS_DIR/dead.kubeconfig" "$S" --context kubesim-admin,dead runs >"$KS_DIR/runs2.out" 2>"$KS_DIR/runs2.err"; rc=$?
[ $rc -eq 0 ] && grep -q "^smartops: cluster dead: GET https://127.0.0.1:1" "$KS_DIR/runs2.err" && grep -Eq "$RUN +$T +kubesim-admin " "$KS_DIR/runs2.out" &&
	ok "runs with one context unreachable: said on stderr, the other's runs listed, exit 0" || { fail "runs with a dead context (rc $rc)"; cat "$KS_DIR/runs2.err"; }
KUBECONFIG="$KUBECONFIG:$KS_DIR/dead.kubeconfig" "$S" --context dead,dead runs >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok "runs with no context reachable: exit 3" || fail "runs with no context reachable: exit $rc"

# ---- plan --dry-run: the apply's checks, nothing changed ----
"$S" plan namespace --tcode "$T" --domain other.example.com --dry-run >"$KS_DIR/dry.out" 2>"$KS_DIR/dry.err"; rc=$?
[ $rc -eq 0 ] && grep -q "dry run accept" "$KS_DIR/dry.err" && [ "$(grep -c ' change ' "$KS_DIR/dry.out")" -eq 4 ] &&
	ok "plan --dry-run of a new domain: 4 Ingresses to change, accepted by the server" || { fail "plan --dry-run (rc $rc)"; cat "$KS_DIR/dry.err"; grep change "$KS_DIR/dry.out"; }
"$S" --context kubesim-support plan namespace --tcode "$T2" --dry-run >/dev/null 2>"$KS_DIR/dry.err"; rc=$?
[ $rc -eq 1 ] && grep -q "not allowed: create namespaces" "$KS_DIR/dry.err" && grep -q "would be refused" "$KS_DIR/dry.err" &&
	ok "plan --dry-run tells the read-only user the apply would be refused" || { fail "read-only dry run (rc $rc)"; cat "$KS_DIR/dry.err"; }
objects "smart.totvs.com/run=$RUN" >"$KS_DIR/objs1b"
cmp -s "$KS_DIR/objs1" "$KS_DIR/objs1b" && ok "dry runs changed nothing" || fail "a dry run changed objects"

# ---- a second apply changes nothing ----
"$S" apply namespace --tcode "$T" --yes >"$KS_DIR/run2" 2>"$KS_DIR/apply2.err"; rc=$?
grep -q "0 created, 0 updated, $n_steps unchanged" "$KS_DIR/apply2.err" && [ $rc -eq 0 ] &&
	ok "second apply: $n_steps unchanged" || { fail "second apply (rc $rc)"; tail -5 "$KS_DIR/apply2.err"; }
objects "smart.totvs.com/run=$RUN" >"$KS_DIR/objs2"
cmp -s "$KS_DIR/objs1" "$KS_DIR/objs2" && ok "second apply left every object as it was (uid, metadata, spec, data)" ||
	{ fail "second apply changed objects"; diff "$KS_DIR/objs1" "$KS_DIR/objs2" | cut -c1-300 | head; }
[ -z "$(objects "smart.totvs.com/run=$(cat "$KS_DIR/run2")")" ] && ok "second run owns nothing" || fail "second run labelled objects"

# ---- a changed input: only what differs is updated, in place, still the first run's ----
"$S" apply namespace --tcode "$T" --domain other.example.com --yes >"$KS_DIR/run3" 2>"$KS_DIR/apply3.err"; rc=$?
grep -q "0 created, 4 updated, $((n_steps - 4)) unchanged" "$KS_DIR/apply3.err" && [ $rc -eq 0 ] &&
	ok "new domain: 4 Ingresses updated, the rest unchanged" || { fail "domain change (rc $rc)"; tail -3 "$KS_DIR/apply3.err"; }
[ "$(kcurl "$KS_URL/apis/networking.k8s.io/v1/namespaces/$t-dev/ingresses/rest" | jq -r '.spec.rules[0].host')" = "rest-$t-dev.other.example.com" ] &&
	ok "the Ingress host follows the domain" || fail "Ingress host"
objects "smart.totvs.com/run=$RUN" | cut -d' ' -f1,2 >"$KS_DIR/objs3"
cut -d' ' -f1,2 "$KS_DIR/objs1" | cmp -s - "$KS_DIR/objs3" && ok "updated in place: same objects, same uids, still labelled with the first run" ||
	fail "objects replaced or relabelled by the update"
[ "$(grep -c "run=$(cat "$KS_DIR/run3") action=update .*Ingress.*result=ok" "$SMARTOPS_AUDIT_LOG")" = 4 ] && ok "audit log has the 4 updates" || fail "audit updates"

# ---- asleep: Hypnus owns the replica counts, a re-apply leaves the tenant asleep ----
PUB="$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments"
pub_replicas() { kcurl "$PUB" | jq -c '[.items[] | select(.metadata.annotations["smart.totvs.com/hypnus-replicas"]) | .spec.replicas]'; }
asleep() { pub_replicas | jq -e 'length > 0 and all(. == 0)'; }
"$S" sleep "$T" --env prod --yes >/dev/null 2>"$KS_DIR/err" || { fail "sleep $T"; cat "$KS_DIR/err"; }
wait_for "$T prod asleep: its public Deployments at 0" 30 asleep
[ "$(kcurl "$PUB/appserver-rest" | jq -r '[.metadata.managedFields[] | select(.fieldsV1["f:spec"]["f:replicas"]) | "\(.manager)/\(.operation)"] | join(",")')" = hypnus/Update ] &&
	ok "kubesim moved spec.replicas to Hypnus's field manager, as the API server does for an update" || fail "replicas ownership after Hypnus scaled"
"$S" apply namespace --tcode "$T" --domain other.example.com --yes >/dev/null 2>"$KS_DIR/apply4.err"; rc=$?
[ $rc -eq 0 ] && grep -q "0 created, 0 updated, $n_steps unchanged" "$KS_DIR/apply4.err" && asleep >/dev/null &&
	ok "re-apply on the sleeping tenant: nothing changed, still asleep" || { fail "re-apply woke or changed the sleeping tenant (rc $rc, $(pub_replicas))"; grep -v unchanged "$KS_DIR/apply4.err" | tail -8; }
for size in s l; do
	want=$("$S" plan namespace --tcode "$T" --domain other.example.com --size $size -o json |
		jq -r '.steps[] | select(.object.namespace=="'"$t"'-prod" and .object.name=="appserver-rest" and .object.kind=="Deployment") | .body.metadata.annotations["smart.totvs.com/hypnus-replicas"]')
	"$S" apply namespace --tcode "$T" --domain other.example.com --size $size --yes >/dev/null 2>"$KS_DIR/apply5.err"; rc=$?
	got=$(kcurl "$PUB/appserver-rest" | jq -r '.metadata.annotations["smart.totvs.com/hypnus-replicas"]')
	[ $rc -eq 0 ] && asleep >/dev/null && [ -n "$want" ] && [ "$got" = "$want" ] &&
		ok "size $size while asleep: applied without a conflict, still asleep, the next wake brings $got" ||
		{ fail "size $size while asleep (rc $rc, $(pub_replicas), wake size $got, planned $want)"; tail -3 "$KS_DIR/apply5.err"; }
done

# ---- no cluster: exit 3, nothing else ----
sed "s#https://127.0.0.1:[0-9]*#https://127.0.0.1:1#" "$KUBECONFIG" >"$KS_DIR/dead.kubeconfig"
"$S" --kubeconfig "$KS_DIR/dead.kubeconfig" apply namespace --tcode "$T2" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 3 ] && ok "unreachable cluster: exit 3 ($(head -1 "$KS_DIR/err"))" || { fail "unreachable cluster (rc $rc)"; cat "$KS_DIR/err"; }
finish
