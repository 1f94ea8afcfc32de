#!/bin/sh
# Promoting custom builds against kubesim: prod before dev refused; promote to dev
# changes only the RPO fields of the AppServer Deployments and of their appserver.ini
# (the rest compared) and reaches ready; `smartops tenant -o json` and `builds` show it;
# --previous restores exactly the earlier values, twice back to none; prod once dev is
# ready with the build; a sleeping env is not woken, its pods take the RPO at the wake;
# eSocial, a failed build and a read-only user refused before any change.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
# a build's stages take 97 simulated seconds: about 5 s at 20x
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 20 --no-traffic

pick_tenants
"$S" apply namespace --tcode "$T" --idle-timeout 86400 --yes >/dev/null 2>"$KS_DIR/err" &&
	ok "namespaces of $T made" || { fail "apply namespace"; cat "$KS_DIR/err"; finish; }

REPO="$KS_DIR/custom.git"
W="$KS_DIR/work"
git_fixture "$W"
printf 'User Function Fat001()\nReturn .T.\n' >"$W/FAT001.prw"
git -C "$W" add -A && git -C "$W" commit -qm one && git -C "$W" tag v1
printf 'User Function Fat002()\nReturn .T.\n' >"$W/FAT002.prw"
git -C "$W" add -A && git -C "$W" commit -qm two
git clone -q --bare "$W" "$REPO"
kubectl annotate namespace "$t-dev" "smart.totvs.com/custom-repo=file://$REPO" >/dev/null

jobs_api="$KS_URL/apis/batch/v1/namespaces"
clear_fleet_builds() {
	for e in dev prod; do
		kcurl "$jobs_api/$t-$e/jobs" |
			jq -r '.items[] | select(.metadata.labels["app.kubernetes.io/managed-by"]!="smartops") | .metadata.name' |
			while read -r j; do kcurl -X DELETE "$jobs_api/$t-$e/jobs/$j" >/dev/null; done
	done
}
build() { clear_fleet_builds; "$S" apply build --tcode "$T" --ref "$1" --yes >/dev/null 2>"$KS_DIR/err"; }
build main && build v1 && ok "builds 1 (main) and 2 (v1) succeeded" || { fail "builds"; cat "$KS_DIR/err"; finish; }
kcurl -X PUT -d '{"quality_gate":"fail"}' "$KS_URL/sim/v1/faults" >/dev/null
build main
[ $? -eq 1 ] && ok "build 3 failed its quality gate" || fail "build 3"
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
rpo_of() { "$S" builds "$T" -o json | jq -r --arg id "$1" '.items[] | select(.id==$id) | .rpo'; }
RPO1=$(rpo_of 1); RPO2=$(rpo_of 2)

# the AppServers of env $1 and their appserver.ini, as they are (less what the API server and
# the Deployment controller move: the revision a rollout counts); and less what promote owns
api="$KS_URL/apis/apps/v1/namespaces"
appservers() {
	kcurl "$api/$t-$1/deployments" |
		jq -S '[.items[] | select(.metadata.labels["smart.totvs.com/component"]=="appserver")
			| del(.status, .metadata.resourceVersion, .metadata.generation, .metadata.managedFields)
			| del(.metadata.annotations["deployment.kubernetes.io/revision"])
			| if .metadata.annotations == {} then del(.metadata.annotations) else . end] | sort_by(.metadata.name)'
}
inis() {
	kcurl "$KS_URL/api/v1/namespaces/$t-$1/configmaps" |
		jq -S '[.items[] | select(.metadata.name | test("^appserver-.*-ini$")) | {name: .metadata.name, ini: .data["appserver.ini"]}] | sort_by(.name)'
}
less_rpo() {
	jq -S 'map(.spec.template.metadata.annotations |= ((. // {}) | with_entries(select(.key | test("^smart.totvs.com/rpo") | not)))
		| .spec.template.spec.containers |= map(.env |= map(select(.name != "RPO_CUSTOM"))))'
}
less_rpocustom() { jq -S 'map(.ini |= (split("\n") | map(select(startswith("RPOCustom=") | not)) | join("\n")))'; }
snapshot() { appservers "$1" >"$KS_DIR/$2.dep"; inis "$1" >"$KS_DIR/$2.ini"; }

# ---- refusals before any change ----
snapshot dev before
snapshot prod prodbefore
expect_out "prod before dev refused" "build 1 is not in dev yet" "$S" promote "$T" 1 --env prod --yes
expect_out "a build that failed refused" "build 3 of $T failed its quality gate \(new bugs 3 > 0; coverage 41% < 60%\)" \
	"$S" promote "$T" 3 --env dev --yes
expect_out "a build that does not exist refused" "$T has no build 99" "$S" promote "$T" 99 --env dev --yes
expect_out "eSocial refused" "$ESOCIAL is a Smart eSocial tenant" "$S" promote "$ESOCIAL" 1 --env dev --yes
"$S" --readonly promote "$T" 1 --env dev --yes >/dev/null 2>&1
[ $? -eq 4 ] && ok "--readonly promote refused (exit 4)" || fail "--readonly promote"
"$S" --context kubesim-support promote "$T" 1 --env dev --yes >/dev/null 2>&1
[ $? -eq 4 ] && ok "the read-only user's promote refused (exit 4)" || fail "read-only user promote"
expect_out "--previous with no promotion refused" "has no promotion to dev to go back from" \
	"$S" promote "$T" --previous --env dev --yes
snapshot dev still
cmp -s "$KS_DIR/before.dep" "$KS_DIR/still.dep" && cmp -s "$KS_DIR/before.ini" "$KS_DIR/still.ini" &&
	ok "nothing changed by the refusals" || fail "a refusal changed something"

# ---- promote 1 to dev: only the RPO fields change, and it reaches ready ----
"$S" promote "$T" 1 --env dev --yes >/dev/null 2>"$KS_DIR/err" && ok "promote 1 to dev: exit 0 (ready)" ||
	{ fail "promote 1 dev"; cat "$KS_DIR/err"; }
snapshot dev p1
less_rpo <"$KS_DIR/before.dep" >"$KS_DIR/a"; less_rpo <"$KS_DIR/p1.dep" >"$KS_DIR/b"
diff -u "$KS_DIR/a" "$KS_DIR/b" >/dev/null && ok "the Deployments otherwise as they were" ||
	{ fail "promote changed more than the RPO"; diff -u "$KS_DIR/a" "$KS_DIR/b" | head -30; }
less_rpocustom <"$KS_DIR/before.ini" >"$KS_DIR/a"; less_rpocustom <"$KS_DIR/p1.ini" >"$KS_DIR/b"
diff -u "$KS_DIR/a" "$KS_DIR/b" >/dev/null && ok "the appserver.ini files otherwise as they were" ||
	{ fail "promote changed more of the ini"; diff -u "$KS_DIR/a" "$KS_DIR/b" | head -30; }
jq -e --arg r "$RPO1" 'length > 0 and all(.[]; .spec.template.metadata.annotations["smart.totvs.com/rpo"] == $r
	and .spec.template.metadata.annotations["smart.totvs.com/rpo-build"] == "1"
	and (.spec.template.spec.containers[0].env[] | select(.name == "RPO_CUSTOM").value) == $r)' "$KS_DIR/p1.dep" >/dev/null &&
	ok "every dev AppServer's template has RPO $RPO1" || fail "template rpo"
jq -e 'length > 0 and all(.[]; .ini | test("\nRPOCustom=/totvs/protheus/apo/custom/1/custom.rpo\n"))' "$KS_DIR/p1.ini" >/dev/null &&
	ok "every role's appserver.ini has RPOCustom= of build 1" || { fail "RPOCustom"; cat "$KS_DIR/p1.ini" | head; }
ready() { kcurl "$api/$t-$1/deployments" | jq -e '[.items[] | select(.metadata.labels["smart.totvs.com/component"]=="appserver")]
	| all(.status.observedGeneration == .metadata.generation and (.status.updatedReplicas // 0) == .spec.replicas and (.status.readyReplicas // 0) == .spec.replicas)'; }
ready dev >/dev/null && ok "the dev AppServers rolled and are ready" || fail "dev not ready after promote"
first=$(jq -r '.[0].metadata.name' "$KS_DIR/p1.dep")
kubectl -n "$t-dev" rollout history "deployment/$first" >"$KS_DIR/hist" 2>&1 && grep -Eq "^2 " "$KS_DIR/hist" &&
	ok "kubectl rollout history shows the promotion as a new revision of $first" || { fail "rollout history"; cat "$KS_DIR/hist"; }
"$S" tenant "$T" -o json | jq -e --arg r "$RPO1" '.envs[] | select(.env=="dev" or (.namespace // "" | endswith("-dev"))) | .custom
	| .rpo == $r and .build == "1" and .promoted != null and .previous_rpo == null and .running_build == null' >/dev/null &&
	ok "tenant -o json: dev's custom RPO is build 1's" || { fail "tenant custom"; "$S" tenant "$T" -o json | jq -c '.envs[] | .custom'; }
"$S" builds "$T" -o json | jq -e '.items[] | select(.id=="1") | .promoted.dev.by == "kubesim-admin" and .promoted.prod == null' >/dev/null &&
	ok "builds: 1 promoted to dev, by whom" || fail "builds promoted"

# ---- promote 2, then back twice: exactly the earlier values each time ----
"$S" promote "$T" 2 --env dev --yes >/dev/null 2>"$KS_DIR/err" || { fail "promote 2 dev"; cat "$KS_DIR/err"; }
"$S" tenant "$T" -o json | jq -e --arg r "$RPO1" '[.envs[].custom | select(. != null and .build == "2")] | .[0].previous_rpo == $r' >/dev/null &&
	ok "promote 2: the previous RPO (build 1's) recorded" || fail "previous_rpo"
"$S" promote "$T" --previous --env dev --yes >"$KS_DIR/prev1.out" 2>&1 || { fail "previous 1"; cat "$KS_DIR/prev1.out"; }
snapshot dev back1
cmp -s "$KS_DIR/p1.dep" "$KS_DIR/back1.dep" && cmp -s "$KS_DIR/p1.ini" "$KS_DIR/back1.ini" &&
	ok "--previous: exactly the values of build 1's promotion" ||
	{ fail "--previous not exact"; cat "$KS_DIR/prev1.out"; "$S" runs --tcode "$T" | head; diff "$KS_DIR/p1.dep" "$KS_DIR/back1.dep" | head -20; diff "$KS_DIR/p1.ini" "$KS_DIR/back1.ini" | head; }
"$S" promote "$T" --previous --env dev --yes >/dev/null 2>"$KS_DIR/err" || { fail "previous 2"; cat "$KS_DIR/err"; }
snapshot dev back0
jq -S 'map(.spec.template.metadata.annotations |= (if . == {} then null else . end)) | map(del(.spec.template.metadata.annotations | nulls))' \
	"$KS_DIR/before.dep" >"$KS_DIR/a"
jq -S 'map(.spec.template.metadata.annotations |= (if . == {} then null else . end)) | map(del(.spec.template.metadata.annotations | nulls))' \
	"$KS_DIR/back0.dep" >"$KS_DIR/b"
cmp -s "$KS_DIR/a" "$KS_DIR/b" && cmp -s "$KS_DIR/before.ini" "$KS_DIR/back0.ini" &&
	ok "--previous again: exactly the values before any promotion" ||
	{ fail "back to none not exact"; diff "$KS_DIR/a" "$KS_DIR/b" | head -20; diff "$KS_DIR/before.ini" "$KS_DIR/back0.ini" | head; }
"$S" builds "$T" -o json | jq -e '[.items[] | select(.id=="1" or .id=="2") | .promoted.dev] | all(. == null)' >/dev/null &&
	ok "builds: the promotions undone are no longer shown" || fail "promotions after --previous"

# ---- prod once dev is ready with the build ----
"$S" promote "$T" 2 --env dev --yes >/dev/null 2>"$KS_DIR/err" || { fail "promote 2 dev again"; cat "$KS_DIR/err"; }
"$S" promote "$T" 2 --env prod --yes >/dev/null 2>"$KS_DIR/err" && ok "promote 2 to prod once dev is ready with it" ||
	{ fail "promote 2 prod"; cat "$KS_DIR/err"; }
ready prod >/dev/null && ok "the prod AppServers are ready" || fail "prod not ready"

# ---- a sleeping env is not woken ----
"$S" promote "$T" 1 --env dev --yes >/dev/null 2>"$KS_DIR/err" || { fail "promote 1 dev"; cat "$KS_DIR/err"; }
"$S" sleep "$T" --env prod --yes >/dev/null 2>"$KS_DIR/err" || { fail "sleep prod"; cat "$KS_DIR/err"; }
prod_replicas() { kcurl "$api/$t-prod/deployments" | jq -c '[.items[] | select(.metadata.labels["smart.totvs.com/component"]=="appserver") | .spec.replicas]'; }
asleep() { prod_replicas | jq -e 'length > 0 and all(. == 0)'; }
wait_for "$T prod asleep: its AppServers at 0" 120 asleep
"$S" promote "$T" 1 --env prod --yes >/dev/null 2>"$KS_DIR/err" && grep -q "the env sleeps (Hypnus): it is not woken" "$KS_DIR/err" &&
	ok "promote 1 to sleeping prod: done, and it says the RPO waits for the next wake" || { fail "promote sleeping"; cat "$KS_DIR/err"; }
asleep >/dev/null && ok "... prod still asleep" || fail "promote woke prod: $(prod_replicas)"
"$S" wake "$T" --env prod --yes >/dev/null 2>"$KS_DIR/err" || { fail "wake prod"; cat "$KS_DIR/err"; }
woke() { kcurl "$KS_URL/api/v1/namespaces/$t-prod/pods" | jq -e --arg r "$RPO1" '[.items[]
	| select(.metadata.labels["smart.totvs.com/component"]=="appserver" and .status.phase=="Running")]
	| length > 0 and all(.spec.containers[0].env[] | select(.name=="RPO_CUSTOM").value == $r)'; }
wait_for "at the wake, the prod AppServer pods run build 1's RPO" 120 woke

finish
