#!/bin/sh
# kubesim's storage and platform objects, through the real kubectl: a StatefulSet with
# volumeClaimTemplates gets its claims made and bound by the provisioner of their
# StorageClass (with its delay and the Events a real provisioner writes, or its failure),
# the API server defaults spec.updateStrategy so `kubectl rollout status sts/NAME` works,
# and --managed-postgres writes the platform's ConfigMap and Secret.
. tests/integration/lib.sh
if ! command -v kubectl >/dev/null 2>&1; then
	echo "FAIL: kubectl is not installed: scripts/deps.sh installs it"
	exit 1
fi
K="kubectl --request-timeout=20s"

# a conninfo holding a password is refused, without repeating it
"$BUILD/kubesim" --port 0 --start-time "$KS_QUIET_START" \
	--managed-postgres "host=pg.example user=admin password=hunter2" >"$KS_DIR/bad.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "the connection string holds a password; give it with --managed-postgres-password-file" "$KS_DIR/bad.out" &&
	! grep -q hunter2 "$KS_DIR/bad.out" && ok "a conninfo with a password is refused (exit 1), not echoed" ||
	{ fail "conninfo with password: exit $rc"; cat "$KS_DIR/bad.out"; }
"$BUILD/kubesim" --port 0 --start-time "$KS_QUIET_START" --provisioner "nfs" >"$KS_DIR/bad.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q 'want NAME=MILLISECONDS or NAME=fail:MESSAGE' "$KS_DIR/bad.out" &&
	ok "a malformed --provisioner is refused (exit 2)" || { fail "--provisioner nfs: exit $rc"; cat "$KS_DIR/bad.out"; }

printf 'admin-pw-on-file\n' >"$KS_DIR/pgpw"
ks_start --start-time "$KS_QUIET_START" --provisioner kubesim.io/disk=1500 \
	--provisioner "broken.example=fail:no capacity left in zone a" \
	--managed-postgres "host=pg.example port=5432 user=smartops_admin dbname=postgres sslmode=verify-full" \
	--managed-postgres-password-file "$KS_DIR/pgpw"

# --- the platform's objects -------------------------------------------------------------
expect_out "ConfigMap smart-platform holds postgres.conninfo" \
	'^host=pg.example port=5432 user=smartops_admin dbname=postgres sslmode=verify-full$' \
	$K get cm smart-platform -n smartops-system -o 'jsonpath={.data.postgres\.conninfo}'
pw=$($K get secret smart-platform-postgres -n smartops-system -o 'jsonpath={.data.password}' | base64 -d)
[ "$pw" = admin-pw-on-file ] && ok "Secret smart-platform-postgres holds the password file's line" ||
	fail "Secret password: \"$pw\""
grep -q admin-pw-on-file "$KS_DIR/kubesim.log" && fail "the password is in kubesim's log" ||
	ok "the password is not in kubesim's log"

# --- a StatefulSet's claims, made and bound ---------------------------------------------
check "create namespace" $K create ns db-a
cat >"$KS_DIR/sts.yaml" <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: std
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubesim.io/disk
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: broken}
provisioner: broken.example
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: db-a, labels: {component: postgres}}
spec:
  serviceName: postgres
  replicas: 1
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers:
      - name: postgres
        image: postgres:15
        ports: [{containerPort: 5432, name: postgres}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Gi}}
YAML
expect_out "apply -f creates the StatefulSet" "statefulset.apps/postgres created" $K apply -f "$KS_DIR/sts.yaml"
expect_out "the API server defaulted updateStrategy (RollingUpdate, partition 0)" \
	'^\{"rollingUpdate":\{"partition":0\},"type":"RollingUpdate"\}$' \
	$K get sts postgres -n db-a -o 'jsonpath={.spec.updateStrategy}'
expect_out "kubectl rollout status sts/postgres completes" "partitioned roll out complete: 1 new pods have been updated" \
	$K rollout status sts/postgres -n db-a --timeout=60s
bound() { [ "$($K get pvc data-postgres-0 -n db-a -o 'jsonpath={.status.phase}')" = Bound ]; }
wait_for "claim data-postgres-0 is made and Bound" 30 bound
expect_out "get pvc shows it bound to its volume, 10Gi RWO, class std" \
	'^data-postgres-0 +Bound +pvc-[0-9a-f-]+ +10Gi +RWO +std' $K get pvc -n db-a
expect_out "the claim carries the StatefulSet's selector labels" '^postgres$' \
	$K get pvc data-postgres-0 -n db-a -o 'jsonpath={.metadata.labels.app}'
evs() { $K get events -n db-a --field-selector "involvedObject.name=$1" -o 'jsonpath={range .items[*]}{.reason}{" "}{end}'; }
expect_out "the claim's Events: ExternalProvisioning, Provisioning, ProvisioningSucceeded" \
	'ExternalProvisioning Provisioning ProvisioningSucceeded' evs data-postgres-0
expect_out "the provisioner names itself as the Events' source" '^kubesim.io/disk kubesim.io/disk $' \
	$K get events -n db-a --field-selector 'involvedObject.name=data-postgres-0,reason!=ExternalProvisioning' \
	-o 'jsonpath={range .items[*]}{.source.component}{" "}{end}'
expect_out "the StatefulSet's Event says it made the claim" \
	'create Claim data-postgres-0 Pod postgres-0 in StatefulSet postgres success' \
	$K get events -n db-a --field-selector involvedObject.name=postgres
expect_out "the pod mounts its claim" '^data-postgres-0$' \
	$K get pod postgres-0 -n db-a -o 'jsonpath={.spec.volumes[?(@.name=="data")].persistentVolumeClaim.claimName}'
# the order the cluster wrote them in: resourceVersion of the Events
rv_of() { $K get events -n db-a --field-selector "involvedObject.name=$1,reason=$2" \
	-o 'jsonpath={.items[0].metadata.resourceVersion}'; }
bound_rv=$(rv_of data-postgres-0 ProvisioningSucceeded); started_rv=$(rv_of postgres-0 Started)
[ -n "$bound_rv" ] && [ -n "$started_rv" ] && [ "$started_rv" -gt "$bound_rv" ] &&
	ok "the pod's containers started only after its claim was bound" ||
	fail "pod started (rv $started_rv) before the claim was bound (rv $bound_rv)"
expect_out "get sts shows READY 1/1" '^postgres +1/1' $K get sts -n db-a
expect_out "apply -f again is unchanged (defaults do not count as changes)" "statefulset.apps/postgres unchanged" \
	$K apply -f "$KS_DIR/sts.yaml"
check "scale to 2" $K scale sts/postgres -n db-a --replicas=2
bound1() { [ "$($K get pvc data-postgres-1 -n db-a -o 'jsonpath={.status.phase}')" = Bound ]; }
wait_for "scaled up, claim data-postgres-1 is made and Bound" 30 bound1
check "scale back to 1" $K scale sts/postgres -n db-a --replicas=1
expect_out "rollout status after scaling" "partitioned roll out complete" \
	$K rollout status sts/postgres -n db-a --timeout=60s
expect_out "claims are kept when the set shrinks (Retain)" '^data-postgres-1 +Bound' $K get pvc data-postgres-1 -n db-a

# --- a provisioner that fails -------------------------------------------------------------
cat >"$KS_DIR/bad.yaml" <<'YAML'
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: files, namespace: db-a}
spec:
  storageClassName: broken
  accessModes: [ReadWriteMany]
  resources: {requests: {storage: 5Gi}}
YAML
check "create a claim of the failing provisioner" $K apply -f "$KS_DIR/bad.yaml"
failed() { evs files | grep -q ProvisioningFailed; }
wait_for "its provisioner reports ProvisioningFailed" 30 failed
expect_out "with the provisioner's reason" \
	'Warning +ProvisioningFailed +persistentvolumeclaim/files +failed to provision volume with StorageClass "broken": no capacity left in zone a' \
	$K get events -n db-a --field-selector involvedObject.name=files
expect_out "and the claim stays Pending" '^files +Pending' $K get pvc files -n db-a
sed -e 's/name: postgres, namespace: db-a/name: stuck, namespace: db-a/' -e 's/app: postgres/app: stuck/g' \
	-e 's/      accessModes: \[ReadWriteOnce\]/      storageClassName: broken\n      accessModes: [ReadWriteOnce]/' \
	"$KS_DIR/sts.yaml" | awk '/^kind: StatefulSet/{p=1} p' | sed '1i apiVersion: apps/v1' >"$KS_DIR/stuck.yaml"
check "a StatefulSet whose claim cannot be provisioned" $K apply -f "$KS_DIR/stuck.yaml"
unsched() { evs stuck-0 | grep -q FailedScheduling; }
wait_for "its pod is not scheduled: FailedScheduling" 30 unsched
expect_out "the scheduler names the unbound claim" \
	'Warning +FailedScheduling +pod/stuck-0 +0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims \(data-stuck-0\)' \
	$K get events -n db-a --field-selector involvedObject.name=stuck-0
expect_out "the pod stays Pending" '^Pending$' $K get pod stuck-0 -n db-a -o 'jsonpath={.status.phase}'
expect_out "rollout status waits for it (and times out)" 'Waiting for 1 pods to be ready' \
	$K rollout status sts/stuck -n db-a --timeout=2s
finish
