#!/bin/sh
# The file-server wizard against kubesim: the plan (golden file); apply makes the claim
# (Bound) and mounts it at each AppServer's RootPath, the Deployments otherwise as they
# were; a second apply changes nothing; each provider's rule, eSocial, a missing class and
# a read-only user refused before any change; rollback takes the mounts out and keeps the
# claim unless the TCODE is typed.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
GOLDEN=tests/golden/plan_fileserver.json
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60 --no-traffic

pick_tenants
"$S" apply namespace --tcode "$T" --yes >/dev/null 2>"$KS_DIR/err" &&
	ok "namespaces of $T made" || { fail "apply namespace"; cat "$KS_DIR/err"; finish; }

api=apis/apps/v1/namespaces
appservers() { # name and template of each AppServer Deployment of env $1
	kcurl "$KS_URL/$api/$t-$1/deployments" |
		jq -c '[.items[] | select(.metadata.labels["smart.totvs.com/component"]=="appserver")] | sort_by(.metadata.name)[]'
}
# a Deployment less the volume and the mount, and what its controllers and managers move
less_mount() {
	jq -c 'del(.status, .metadata.resourceVersion, .metadata.generation, .metadata.managedFields,
		.metadata.annotations)
		| .spec.template.spec.volumes |= map(select(.name != "fileserver"))
		| .spec.template.spec.containers |= map(.volumeMounts |= map(select(.name != "fileserver")))'
}
claim() { kcurl "$KS_URL/api/v1/namespaces/$t-$1/persistentvolumeclaims/fileserver"; }
runs_of() { "$S" runs --tcode "$T" -o json | jq '[.items[] | select(.wizard=="fileserver")] | length'; }

# ---- the plan, as a golden file ----
"$S" plan fileserver --tcode "$T" --env prod -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"
rc=$?
jq -S . "$KS_DIR/plan.json" >"$KS_DIR/plan.pretty" 2>/dev/null
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
[ "$(jq -r '.wizard' "$KS_DIR/plan.json")" = fileserver ] && ok "the plan says wizard fileserver" || fail "plan wizard"
[ "$(jq -r '.steps[0] | "\(.object.kind) \(.wait) \(.rollback // "")"' "$KS_DIR/plan.json")" = \
	"PersistentVolumeClaim bound keep-unless-confirmed" ] && ok "the claim waits for Bound, kept unless confirmed" ||
	{ fail "claim step"; jq -c '.steps[0] | del(.body)' "$KS_DIR/plan.json"; }
n_as=$(appservers prod | wc -l)
[ "$n_as" -ge 1 ] && [ "$(jq '.steps | length' "$KS_DIR/plan.json")" = $((n_as + 1)) ] &&
	ok "one mount step per AppServer Deployment ($n_as)" || fail "mount steps ($n_as AppServers)"
expect_out "plan as a table names the claim" "prod/persistentvolumeclaims/fileserver +bound" \
	"$S" plan fileserver --tcode "$T" --env prod
case "$PROVIDER" in
aws) expect_out "EFS: the size is recorded, not a limit" "recorded on the claim, not a limit" \
	"$S" plan fileserver --tcode "$T" --env prod ;;
*) ok "provider $PROVIDER: no EFS note to check" ;;
esac

"$S" plan fileserver --tcode "$T" --env prod --dry-run >/dev/null 2>"$KS_DIR/err" &&
	grep -q "access and the server's dry run accept this plan" "$KS_DIR/err" &&
	ok "plan --dry-run: access and the server's dry run accept it" || { fail "plan --dry-run"; cat "$KS_DIR/err"; }
expect_out "a namespace option is refused for the file server" "--roles belongs to the namespace wizard" \
	"$S" plan fileserver --tcode "$T" --roles rest
expect_out "an env that does not exist yet is refused" "--env takes prod or dev" \
	"$S" plan fileserver --tcode "$T" --env stage

# ---- refusals before any change ----
appservers dev >"$KS_DIR/dev.before"
expect_out "eSocial refused" "$ESOCIAL is a Smart eSocial tenant: eSocial has no file server" \
	"$S" apply fileserver --tcode "$ESOCIAL" --yes
expect_out "a size that is no quantity refused" "is not a Kubernetes quantity" \
	"$S" apply fileserver --tcode "$T" --env dev --size lots --yes
expect_out "Filestore under its minimum refused" "GCP Filestore tier standard takes at least 1Ti" \
	"$S" apply fileserver --tcode "$T" --env dev --provider gcp --size 500Gi --yes
kcurl -X DELETE "$KS_URL/apis/storage.k8s.io/v1/storageclasses/totvs-nfs" >/dev/null
expect_out "a provider with no StorageClass refused" "the cluster has no StorageClass for provider totvs" \
	"$S" apply fileserver --tcode "$T" --env dev --provider totvs --yes
"$S" --context kubesim-support apply fileserver --tcode "$T" --env dev --provider gcp --yes >"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 4 ] && grep -q "no permission for this plan" "$KS_DIR/out" && ok "read-only user refused, exit 4" ||
	{ fail "read-only user (rc $rc)"; head -5 "$KS_DIR/out"; }
[ "$(claim dev | jq -r .kind)" = Status ] && ok "refused: no claim in $t-dev" || fail "a refused run made a claim"
appservers dev | cmp -s - "$KS_DIR/dev.before" && ok "refused: the dev AppServers unchanged" || fail "a refusal changed the AppServers"
[ "$(runs_of)" = 0 ] && ok "refused: no run stored" || fail "a refused run was stored"

# ---- apply ----
appservers prod >"$KS_DIR/prod.before"
"$S" apply fileserver --tcode "$T" --env prod --yes >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "1 created, $n_as updated" "$KS_DIR/err" && ok "apply: the claim created, $n_as AppServers updated" ||
	{ fail "apply (rc $rc)"; cat "$KS_DIR/err"; }
R=$(cat "$KS_DIR/out")
claim prod >"$KS_DIR/claim.json"
[ "$(jq -r '.status.phase' "$KS_DIR/claim.json")" = Bound ] && ok "claim Bound" || fail "claim not Bound: $(jq -c .status "$KS_DIR/claim.json")"
[ "$(jq -r '"\(.spec.accessModes[0]) \(.metadata.labels["smart.totvs.com/component"]) \(.metadata.labels["smart.totvs.com/tcode"]) \(.metadata.labels["smart.totvs.com/env"]) \(.metadata.labels["smart.totvs.com/run"])"' "$KS_DIR/claim.json")" = \
	"ReadWriteMany fileserver $T prod $R" ] && ok "claim ReadWriteMany, labelled, of run $R" || fail "claim labels: $(jq -c .metadata.labels "$KS_DIR/claim.json")"
appservers prod >"$KS_DIR/prod.after"
bad=0
while read -r d; do
	name=$(echo "$d" | jq -r .metadata.name)
	cm=$(echo "$d" | jq -r '.spec.template.spec.volumes[] | select(.configMap) | .configMap.name')
	root=$(kcurl "$KS_URL/api/v1/namespaces/$t-prod/configmaps/$cm" | jq -r '.data["appserver.ini"]' |
		sed -n 's/^[[:space:]]*RootPath[[:space:]]*=[[:space:]]*//p' | tr -d '\r' | head -1)
	got=$(echo "$d" | jq -r '.spec.template.spec.containers[0].volumeMounts[] | select(.name=="fileserver") | .mountPath')
	vol=$(echo "$d" | jq -r '.spec.template.spec.volumes[] | select(.name=="fileserver") | .persistentVolumeClaim.claimName')
	if [ -n "$root" ] && [ "$got" = "$root" ] && [ "$vol" = fileserver ]; then :; else
		bad=1; echo "    $name: mount '$got' (RootPath '$root'), volume '$vol'"; fi
done <"$KS_DIR/prod.after"
[ $bad = 0 ] && ok "each AppServer mounts the claim at its appserver.ini's RootPath" || fail "mounts"
less_mount <"$KS_DIR/prod.before" >"$KS_DIR/a"; less_mount <"$KS_DIR/prod.after" >"$KS_DIR/b"
cmp -s "$KS_DIR/a" "$KS_DIR/b" && ok "the AppServers' other fields untouched" ||
	{ fail "other fields changed"; diff "$KS_DIR/a" "$KS_DIR/b" | head -5; }
"$S" apply fileserver --tcode "$T" --env prod --yes >/dev/null 2>"$KS_DIR/err"
grep -q "0 created, 0 updated, $((n_as + 1)) unchanged" "$KS_DIR/err" && ok "a second apply changes nothing" ||
	{ fail "second apply"; cat "$KS_DIR/err"; }
appservers prod | jq -c 'del(.status)' >"$KS_DIR/a"; jq -c 'del(.status)' "$KS_DIR/prod.after" >"$KS_DIR/b"
cmp -s "$KS_DIR/a" "$KS_DIR/b" && ok "... the AppServers not even rewritten" || fail "second apply rewrote the AppServers"

# ---- resize: never smaller, larger only where the class allows it ----
expect_out "a smaller claim refused" "holds 500Gi: a claim cannot shrink to 100Gi" \
	"$S" apply fileserver --tcode "$T" --env prod --size 100Gi --yes
expect_out "a larger claim in a class without expansion refused" "StorageClass efs-sc does not allow volume expansion" \
	"$S" apply fileserver --tcode "$T" --env prod --size 600Gi --yes
[ "$(claim prod | jq -r .spec.resources.requests.storage)" = 500Gi ] && ok "... the claim as it was" || fail "claim resized"

# ---- a quota that would refuse the claim, before any change ----
n_runs=$(runs_of)
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/$t-dev/resourcequotas" \
	-d '{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"storage-limit"},"spec":{"hard":{"requests.storage":"200Gi"}}}' >/dev/null
expect_out "a storage quota too small refused" "ResourceQuota $t-dev/storage-limit allows 200Gi of storage requests" \
	"$S" apply fileserver --tcode "$T" --env dev --provider gcp --yes
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$t-dev/resourcequotas/storage-limit" >/dev/null
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/$t-dev/resourcequotas" \
	-d '{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"filestore-claims"},"spec":{"hard":{"filestore-sc.storageclass.storage.k8s.io/persistentvolumeclaims":"0"}}}' >/dev/null
expect_out "a claim-count quota of the class refused" "ResourceQuota $t-dev/filestore-claims allows 0 claims" \
	"$S" apply fileserver --tcode "$T" --env dev --provider gcp --yes
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$t-dev/resourcequotas/filestore-claims" >/dev/null
[ "$(claim dev | jq -r .kind)" = Status ] && [ "$(runs_of)" = "$n_runs" ] && ok "quota refusals: no claim, no run" || fail "a quota refusal made something"

# ---- Filestore: the default size grows to the tier's minimum ----
"$S" apply fileserver --tcode "$T" --env dev --provider gcp --yes >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && [ "$(claim dev | jq -r '"\(.status.phase) \(.spec.storageClassName) \(.spec.resources.requests.storage)"')" = "Bound filestore-sc 1Ti" ] &&
	ok "dev on GCP Filestore: Bound, 1Ti (the tier's minimum)" || { fail "dev gcp (rc $rc)"; cat "$KS_DIR/err"; }
RDEV=$(cat "$KS_DIR/out")

# ---- rollback: the mounts go, the claim stays unless the TCODE is typed ----
"$S" runs rollback "$R" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "kept: deleted only when the rollback is confirmed with the TCODE" "$KS_DIR/err" &&
	ok "rollback without the TCODE: the claim kept" || { fail "rollback (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(claim prod | jq -r .status.phase)" = Bound ] && ok "... and still Bound" || fail "claim gone without confirmation"
appservers prod | jq -c 'del(.status, .metadata.resourceVersion, .metadata.generation, .metadata.managedFields, .metadata.annotations)' >"$KS_DIR/a"
jq -c 'del(.status, .metadata.resourceVersion, .metadata.generation, .metadata.managedFields, .metadata.annotations)' "$KS_DIR/prod.before" >"$KS_DIR/b"
cmp -s "$KS_DIR/a" "$KS_DIR/b" && ok "... the AppServers as before the run (mount and volume taken out)" ||
	{ fail "AppServers after rollback"; diff "$KS_DIR/a" "$KS_DIR/b" | head -5; }
expect_out "a wrong TCODE does not confirm" "is not the run's tenant" \
	"$S" runs rollback "$RDEV" --confirm-tcode T00001 --yes
[ "$(claim dev | jq -r .status.phase)" = Bound ] && ok "... nothing changed" || fail "wrong TCODE changed something"
"$S" runs rollback "$RDEV" --confirm-tcode "$T" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && wait_for "rollback with the TCODE typed: the claim deleted" 30 \
	sh -c "[ \"\$(curl -sS --cacert '$KS_CA' -H 'Authorization: Bearer $KS_ADMIN_TOKEN' '$KS_URL/api/v1/namespaces/$t-dev/persistentvolumeclaims/fileserver' | jq -r .kind)\" = Status ]" ||
	{ fail "confirmed rollback (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(appservers dev | jq -r '.spec.template.spec.volumes[].name' | grep -c fileserver)" = 0 ] &&
	ok "... and the dev mounts taken out" || fail "dev mounts left"
# ---- which class: the platform's map, and never a default picked silently ----
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/apis/storage.k8s.io/v1/storageclasses" \
	-d '{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"acme-nfs"},"provisioner":"nfs.acme.example","reclaimPolicy":"Retain","volumeBindingMode":"Immediate"}' >/dev/null
expect_out "an unmapped provisioner is no provider's" "no StorageClass for provider totvs" \
	"$S" plan fileserver --tcode "$T" --env dev --provider totvs
# (the fleet's smart-platform names the RPO buckets already: the map is added to it)
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' "$KS_URL/api/v1/namespaces/smartops-system/configmaps/smart-platform" \
	-d '{"data":{"fileserver.providers":"nfs.acme.example=totvs\nefs.csi.aws.com=aws\nfilestore.csi.storage.gke.io=gcp"}}' >/dev/null
[ "$("$S" plan fileserver --tcode "$T" --env dev --provider totvs -o json 2>/dev/null | jq -r '.steps[0].body.spec.storageClassName')" = acme-nfs ] &&
	ok "fileserver.providers of smart-platform maps a provisioner to a provider" || fail "provider map"
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/apis/storage.k8s.io/v1/storageclasses" \
	-d '{"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"efs-default","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"efs.csi.aws.com","reclaimPolicy":"Delete","volumeBindingMode":"Immediate"}' >/dev/null
expect_out "two classes for a provider: the operator chooses, even with a default" \
	"provider aws has several StorageClasses .efs-default, efs-sc.: choose one with --class" \
	"$S" plan fileserver --tcode "$T" --env dev --provider aws
[ "$("$S" plan fileserver --tcode "$T" --env dev --provider aws --class efs-sc -o json 2>/dev/null | jq -r '.steps[0].body.spec.storageClassName')" = efs-sc ] &&
	ok "--class chooses" || fail "--class"

# ---- asleep: the mount goes into the template, the tenant is not woken ----
dev_replicas() { appservers dev | jq -s -c '[.[].spec.replicas]'; }
asleep() { dev_replicas | jq -e 'length > 0 and all(. == 0)'; }
"$S" sleep "$T" --env dev --yes >/dev/null 2>"$KS_DIR/err" || { fail "sleep $T dev"; cat "$KS_DIR/err"; }
wait_for "$T dev asleep: its AppServers at 0" 60 asleep

# ---- killed at each step boundary, resumed: each object once ----
SMARTOPS_TEST_KILL_AFTER=0 "$S" apply fileserver --tcode "$T" --env dev --provider totvs --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 137 ] && ok "apply killed after the claim" || { fail "kill after 0 (rc $rc)"; cat "$KS_DIR/err"; }
RK=$("$S" runs --tcode "$T" -o json | jq -r '[.items[] | select(.wizard=="fileserver" and .state=="running")][0].run')
uid=$(claim dev | jq -r .metadata.uid)
SMARTOPS_TEST_KILL_AFTER=1 "$S" runs resume "$RK" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 137 ] && ok "resume killed after the first mount" || { fail "kill after 1 (rc $rc)"; cat "$KS_DIR/err"; }
"$S" runs resume "$RK" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && [ "$(claim dev | jq -r '"\(.metadata.uid) \(.status.phase) \(.spec.storageClassName)"')" = "$uid Bound acme-nfs" ] &&
	ok "resumed to the end: the same claim, Bound" || { fail "resume (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(appservers dev | jq -r '[.spec.template.spec.volumes[].name] | map(select(. == "fileserver")) | length' | sort -u)" = 1 ] &&
	ok "each dev AppServer mounts it once" || fail "dev mounts after resume"
asleep >/dev/null && ok "... and the dev AppServers still asleep (the mount waits for the next wake)" ||
	fail "the file server woke the sleeping tenant: $(dev_replicas)"
"$S" wake "$T" --env dev --yes >/dev/null 2>"$KS_DIR/err" || { fail "wake $T dev"; cat "$KS_DIR/err"; }
woke() { kcurl "$KS_URL/api/v1/namespaces/$t-dev/pods" | jq -e '[.items[] | select(.metadata.labels["smart.totvs.com/component"]=="appserver" and .status.phase=="Running") | .spec.volumes[]? | select(.persistentVolumeClaim.claimName=="fileserver")] | length > 0'; }
wait_for "at the wake, the AppServer pods mount the claim" 60 woke
finish
