#!/bin/sh
# kubesim's StorageClasses and claim expansion, through the real kubectl: `get sc` prints
# the columns a real API server sends (PROVISIONER, RECLAIMPOLICY, VOLUMEBINDINGMODE,
# ALLOWVOLUMEEXPANSION, the default class marked); the seeded claims have sizes their
# provider takes; a bound claim grows only where its class allows expansion (the resizer's
# Events, then the new capacity), never shrinks, and a pending claim's spec stays as made.
. tests/integration/lib.sh
if ! command -v kubectl >/dev/null 2>&1; then
	echo "FAIL: kubectl is not installed: scripts/deps.sh installs it"
	exit 1
fi
K="kubectl --request-timeout=20s"
# the NFS resizer takes 15 s, so that the patch (kubectl) and the read of the capacity
# before it is done fit in it on a loaded machine: 5 s did not, once, at load 58
ks_start --start-time "$KS_QUIET_START" --fleet 12 --seed 3 --no-traffic --provisioner nfs.csi.k8s.io=15000

# --- StorageClasses as kubectl prints them ------------------------------------------------
$K get sc >"$KS_DIR/sc.txt" 2>&1
head -1 "$KS_DIR/sc.txt" | grep -Eq '^NAME +PROVISIONER +RECLAIMPOLICY +VOLUMEBINDINGMODE +ALLOWVOLUMEEXPANSION +AGE$' &&
	ok "get sc: the columns of a real API server" || { fail "get sc header"; cat "$KS_DIR/sc.txt"; }
grep -Eq '^efs-sc +efs.csi.aws.com +Retain +Immediate +false ' "$KS_DIR/sc.txt" &&
	grep -Eq '^filestore-sc +filestore.csi.storage.gke.io +Retain +Immediate +true ' "$KS_DIR/sc.txt" &&
	grep -Eq '^totvs-nfs +nfs.csi.k8s.io +Retain +Immediate +true ' "$KS_DIR/sc.txt" &&
	ok "get sc: each seeded class's provisioner, policies and expansion" || { fail "get sc rows"; cat "$KS_DIR/sc.txt"; }
expect_out "the Filestore class names its tier" '^standard$' \
	$K get sc filestore-sc -o 'jsonpath={.parameters.tier}'
cat >"$KS_DIR/sc.yaml" <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubesim.io/disk
YAML
check "a default class of our own" $K apply -f "$KS_DIR/sc.yaml"
expect_out "get sc: the default class marked, its policies as they default" \
	'^local \(default\) +kubesim.io/disk +Delete +Immediate +false ' $K get sc local

# --- seeded claims: sizes their provider takes ---------------------------------------------
$K get pvc -A -l smart.totvs.com/component=fileserver \
	-o jsonpath='{range .items[*]}{.metadata.namespace} {.spec.storageClassName} {.spec.resources.requests.storage}{"\n"}{end}' \
	>"$KS_DIR/claims.txt"
n=$(wc -l <"$KS_DIR/claims.txt")
small=$(awk '$2 == "filestore-sc" && $3 != "1Ti"' "$KS_DIR/claims.txt")
[ "$n" -ge 4 ] && grep -q ' filestore-sc ' "$KS_DIR/claims.txt" && [ -z "$small" ] &&
	ok "every seeded Filestore claim holds its tier's least size, 1Ti ($n claims)" ||
	{ fail "seeded claims"; cat "$KS_DIR/claims.txt"; }
ns_of() { awk -v c="$1" '$2 == c {print $1; exit}' "$KS_DIR/claims.txt"; }
NFS=$(ns_of totvs-nfs)
EFS=$(ns_of efs-sc)
mounted=$($K get deploy -n "$NFS" -l smart.totvs.com/component=appserver \
	-o jsonpath='{range .items[*]}{.spec.template.spec.volumes[?(@.name=="fileserver")].persistentVolumeClaim.claimName}:{.spec.template.spec.containers[0].volumeMounts[?(@.name=="fileserver")].mountPath}{"\n"}{end}' | sort -u)
[ "$mounted" = "fileserver:/totvs/protheus_data" ] && ok "seeded AppServers mount the claim at RootPath" ||
	fail "seeded mounts: \"$mounted\""

# --- expansion ---------------------------------------------------------------------------
grow() { $K patch pvc fileserver -n "$1" -p "{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"$2\"}}}}"; }
if [ -n "$EFS" ]; then
	expect_out "EFS (no allowVolumeExpansion): growing is forbidden" \
		'persistentvolumeclaims "fileserver" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize' \
		grow "$EFS" 200Gi
else
	# no AWS tenant in this fleet: a class of our own without expansion
	fail "the seeded fleet has no AWS tenant (seed 3 has had one)"
fi
expect_out "shrinking is refused" \
	'spec.resources.requests.storage: Forbidden: field can not be less than previous value' grow "$NFS" 1Gi
old=$($K get pvc fileserver -n "$NFS" -o jsonpath='{.status.capacity.storage}')
expect_out "the NFS class (allowVolumeExpansion) takes a larger request" "persistentvolumeclaim/fileserver patched" \
	grow "$NFS" 300Gi
# read at once through the API (a curl, not a second kubectl start)
now=$(kcurl "$KS_URL/api/v1/namespaces/$NFS/persistentvolumeclaims/fileserver" | jq -r .status.capacity.storage)
[ "$now" = "$old" ] && ok "... the capacity stays $old until the resizer is done" || fail "capacity moved at once ($old -> $now)"
cap() { [ "$($K get pvc fileserver -n "$NFS" -o jsonpath='{.status.capacity.storage}')" = 300Gi ]; }
wait_for "... then the capacity is 300Gi" 60 cap
events() {
	$K get events -n "$NFS" --field-selector involvedObject.name=fileserver \
		-o jsonpath='{range .items[*]}{.reason}|{.source.component}|{.message}{"\n"}{end}'
}
expect_out "Event Resizing from the provisioner's resizer" \
	'^Resizing\|external-resizer nfs.csi.k8s.io\|External resizer is resizing volume pvc-' events
expect_out "Event VolumeResizeSuccessful" '^VolumeResizeSuccessful\|external-resizer nfs.csi.k8s.io\|Resize volume succeeded$' events

# --- each homologated provisioner at its own pace (Filestore 1.2 s unless told) -------------
check "a namespace of our own" $K create ns pace
cat >"$KS_DIR/gcp.yaml" <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: files, namespace: pace}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: filestore-sc
  resources: {requests: {storage: 1Ti}}
YAML
check "a Filestore claim" $K apply -f "$KS_DIR/gcp.yaml"
gbound() { [ "$($K get pvc files -n pace -o jsonpath='{.status.phase}')" = Bound ]; }
wait_for "... Bound" 30 gbound
ev_time() {
	$K get events -n pace --field-selector "reason=$1" -o jsonpath='{.items[0].lastTimestamp}'
}
t0=$(date -u -d "$(ev_time Provisioning)" +%s 2>/dev/null); t1=$(date -u -d "$(ev_time ProvisioningSucceeded)" +%s 2>/dev/null)
[ -n "$t0" ] && [ -n "$t1" ] && [ $((t1 - t0)) -ge 1 ] &&
	ok "Filestore took its time: Provisioning, then ProvisioningSucceeded $((t1 - t0)) s later" ||
	fail "Filestore's pace: Provisioning at \"$t0\", ProvisioningSucceeded at \"$t1\""

# --- a pending claim's spec is immutable, and other spec fields of a bound one ------------
cat >"$KS_DIR/pvc.yaml" <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: waits, namespace: default}
spec:
  accessModes: [ReadWriteMany]
  storageClassName: nowhere
  resources: {requests: {storage: 1Gi}}
YAML
check "a claim of a class that does not exist" $K apply -f "$KS_DIR/pvc.yaml"
expect_out "a pending claim cannot grow" \
	'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims' \
	$K patch pvc waits -n default -p '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}'
expect_out "a bound claim's access modes stay" 'spec: Forbidden: spec is immutable' \
	$K patch pvc fileserver -n "$NFS" -p '{"spec":{"accessModes":["ReadWriteOnce"]}}'
finish
