#!/bin/sh
# kubesim's Deployments and ReplicaSets as a cluster keeps them, checked with the real
# kubectl: one ReplicaSet per revision, owned by the Deployment, the old ones at 0;
# rollout history (change causes, --revision) and undo (a revision's ReplicaSet reused);
# pods owned by the current ReplicaSet with its pod-template-hash; deleting the
# Deployment takes its ReplicaSets and their pods. (Was part of kubesim_builds.sh.)
. tests/integration/lib.sh
if ! command -v kubectl >/dev/null 2>&1; then
	echo "FAIL: kubectl is not installed: scripts/deps.sh installs it"
	exit 1
fi
K="kubectl --request-timeout=20s"
ks_start --start-time "$KS_QUIET_START" --time-scale 40
check "create namespace builds" $K create ns builds

# --- ReplicaSets: rollout history and undo -------------------------------------------------
check "a Deployment (nginx:1.25)" $K -n builds create deployment web --image=nginx:1.25 --replicas=2
rs_count() { [ "$($K -n builds get rs -l app=web -o name | wc -l)" -eq "$1" ]; }
wait_for "its first ReplicaSet" 60 rs_count 1
check "the template changes (nginx:1.26)" $K -n builds set image deploy/web nginx=nginx:1.26
wait_for "a second ReplicaSet" 60 rs_count 2
check "a change cause" $K -n builds annotate deploy/web kubernetes.io/change-cause="image 1.27 for the RPO"
check "and again (nginx:1.27)" $K -n builds set image deploy/web nginx=nginx:1.27
wait_for "a third ReplicaSet" 60 rs_count 3
check "the rollout completes" $K -n builds rollout status deploy/web --timeout=60s
$K -n builds rollout history deploy/web >"$KS_DIR/history" 2>&1
[ "$(awk 'NR > 2 && NF { print $1 }' "$KS_DIR/history" | tr '\n' ' ')" = "1 2 3 " ] &&
	ok "kubectl rollout history shows revisions 1, 2, 3" || { fail "rollout history"; cat "$KS_DIR/history"; }
expect_out "the change cause shows in the history" '^3 +image 1.27 for the RPO$' $K -n builds rollout history deploy/web
expect_out "kubectl rollout history --revision=1 shows the first template" 'Image:[[:space:]]+nginx:1.25' \
	$K -n builds rollout history deploy/web --revision=1
expect_out "the Deployment's revision is its current ReplicaSet's" '^3 nginx:1.27$' \
	$K -n builds get deploy web -o 'jsonpath={.metadata.annotations.deployment\.kubernetes\.io/revision} {.spec.template.spec.containers[0].image}'
$K -n builds get rs -l app=web -o 'jsonpath={range .items[*]}{.metadata.annotations.deployment\.kubernetes\.io/revision}:{.spec.replicas}:{.spec.template.spec.containers[0].image}:{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].controller} {end}' |
	tr ' ' '\n' | sort >"$KS_DIR/rs"
printf '1:0:nginx:1.25:Deployment/true\n2:0:nginx:1.26:Deployment/true\n3:2:nginx:1.27:Deployment/true\n' >"$KS_DIR/rs-want"
cmp -s "$KS_DIR/rs" "$KS_DIR/rs-want" && ok "one ReplicaSet per revision, owned by the Deployment, the old ones at 0" ||
	{ fail "ReplicaSets"; diff "$KS_DIR/rs-want" "$KS_DIR/rs"; }
expect_out "kubectl get rs prints DESIRED CURRENT READY" '^web-[a-z0-9]{10} +2 +2 +2 ' sh -c "$K -n builds get rs --no-headers | grep ' 2 '"
CUR=$($K -n builds get rs -l app=web -o 'jsonpath={range .items[?(@.spec.replicas==2)]}{.metadata.name}{end}')
expect_out "the pods carry the current ReplicaSet's pod-template-hash" "^$CUR-[a-z0-9]{5}\$" \
	sh -c "$K -n builds get pods -l app=web,pod-template-hash=${CUR#web-} -o name | sed 's|pod/||' | head -1"
# owners as on a cluster: Deployment -> ReplicaSet -> Pod
owned_by_rs() { # owned_by_rs RS: every pod of app=web is owned (controller) by ReplicaSet RS and its uid
	want="ReplicaSet/$1/$($K -n builds get rs "$1" -o 'jsonpath={.metadata.uid}')/true"
	got=$($K -n builds get pods -l app=web -o yaml |
		python3 -c 'import sys, yaml
for p in yaml.safe_load(sys.stdin)["items"]:
    if p["metadata"].get("deletionTimestamp"): continue
    r = p["metadata"]["ownerReferences"][0]
    print("%s/%s/%s/%s" % (r["kind"], r["name"], r["uid"], str(r["controller"]).lower()))' | sort -u)
	[ "$got" = "$want" ]
}
check "kubectl get pods -o yaml: the pods are owned by the current ReplicaSet $CUR" owned_by_rs "$CUR"
expect_out "... which is owned by the Deployment" "^Deployment/web/$($K -n builds get deploy web -o 'jsonpath={.metadata.uid}')\$" \
	$K -n builds get rs "$CUR" -o 'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}'
expect_out "kubectl describe pod names its controller" "Controlled By: +ReplicaSet/$CUR" \
	sh -c "$K -n builds describe \$($K -n builds get pods -l app=web -o name | head -1)"
check "kubectl rollout undo --to-revision=1" $K -n builds rollout undo deploy/web --to-revision=1
expect_out "the first template is back" '^nginx:1.25$' $K -n builds get deploy web -o 'jsonpath={.spec.template.spec.containers[0].image}'
check "the rollout completes" $K -n builds rollout status deploy/web --timeout=60s
$K -n builds rollout history deploy/web >"$KS_DIR/history" 2>&1
[ "$(awk 'NR > 2 && NF { print $1 }' "$KS_DIR/history" | tr '\n' ' ')" = "2 3 4 " ] &&
	ok "revision 1's ReplicaSet is reused as revision 4 (history 2, 3, 4)" || { fail "history after undo"; cat "$KS_DIR/history"; }
expect_out "no fourth ReplicaSet was made" '^3$' sh -c "$K -n builds get rs -l app=web -o name | wc -l"
FIRST=$($K -n builds get rs -l app=web -o 'jsonpath={range .items[?(@.spec.replicas==2)]}{.metadata.name}{end}')
wait_for "after the undo the pods are owned by revision 1's ReplicaSet, reused ($FIRST)" 60 owned_by_rs "$FIRST"
check "kubectl rollout undo (to the previous: revision 3)" $K -n builds rollout undo deploy/web
expect_out "nginx:1.27 is back" '^nginx:1.27$' $K -n builds get deploy web -o 'jsonpath={.spec.template.spec.containers[0].image}'
# ReplicaSets are written when first read or when the template changes: one never read
# before its change still has revision 1 in its history
check "a Deployment nobody looked at (api, nginx:1.25)" $K -n builds create deployment api --image=nginx:1.25
check "its rollout completes" $K -n builds rollout status deploy/api --timeout=60s
check "its template changes" $K -n builds set image deploy/api nginx=nginx:1.26
check "its rollout completes" $K -n builds rollout status deploy/api --timeout=60s
expect_out "rollout history shows revision 1 and 2" '^1 2 $' \
	sh -c "$K -n builds rollout history deploy/api | awk 'NR > 2 && NF { print \$1 }' | tr '\n' ' '"
expect_out "revision 1 is the template before the change" 'Image:[[:space:]]+nginx:1.25' \
	$K -n builds rollout history deploy/api --revision=1
check "kubectl delete deploy" $K -n builds delete deploy web
wait_for "its ReplicaSets go with it" 60 rs_count 0
web_pods() { [ "$($K -n builds get pods -l app=web -o name | wc -l)" = "$1" ]; }
wait_for "... and the pods its ReplicaSet owned" 60 web_pods 0

finish
