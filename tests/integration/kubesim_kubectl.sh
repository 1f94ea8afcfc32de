# Conformance of kubesim with the real kubectl: what an operator types must work.
. tests/integration/lib.sh
if ! command -v kubectl >/dev/null 2>&1; then
	echo "SKIPPED: kubectl is not installed on this machine; kubesim's kubectl conformance was not checked"
	exit 0
fi
ks_start --start-time "$KS_QUIET_START"
K="kubectl --request-timeout=20s"

expect_out "kubectl version talks to kubesim" "Server Version: v1\.31" $K version
expect_out "get ns lists the built-in namespaces" "^default +Active" $K get ns
check "create namespace" $K create ns conf-a
expect_out "get ns shows it Active" "^conf-a +Active" $K get ns conf-a

cat >"$KS_DIR/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: conf-a
  labels: {app: web, tier: public}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: appserver
        image: protheus/appserver:12.1.2310
        ports: [{containerPort: 1234, name: tcp}]
        env: [{name: TZ, value: America/Sao_Paulo}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: conf-a}
spec:
  selector: {app: web}
  ports: [{port: 1234, targetPort: 1234, name: tcp}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-ini, namespace: conf-a}
data:
  appserver.ini: "[General]\nMaxStringSize=10\n"
YAML
expect_out "apply -f creates" "deployment.apps/web created" $K apply -f "$KS_DIR/app.yaml"
expect_out "apply -f again is unchanged" "deployment.apps/web unchanged" $K apply -f "$KS_DIR/app.yaml"
expect_out "apply -f again: service unchanged" "service/web unchanged" $K apply -f "$KS_DIR/app.yaml"
sed -i 's/12.1.2310/12.1.2410/' "$KS_DIR/app.yaml"
expect_out "apply -f with a changed image configures" "deployment.apps/web configured" $K apply -f "$KS_DIR/app.yaml"
expect_out "the image changed in the cluster" "12.1.2410" $K get deploy web -n conf-a -o jsonpath='{.spec.template.spec.containers[0].image}'
expect_out "get deploy -o json" '"kind": "Deployment"' $K get deploy web -n conf-a -o json

check "scale to 3" $K scale deploy/web -n conf-a --replicas=3
ready3() { [ "$($K get deploy web -n conf-a -o jsonpath='{.status.readyReplicas}')" = 3 ]; }
wait_for "scaled deployment becomes 3/3 ready" 30 ready3
expect_out "get deploy shows READY 3/3" "^web +3/3" $K get deploy -n conf-a
expect_out "get pods -A shows the pods with their namespace" "^conf-a +web-[a-z0-9]+-[a-z0-9]{5} +1/1 +Running" $K get pods -A
pod=$($K get pods -n conf-a -o jsonpath='{.items[0].metadata.name}')
expect_out "logs of a pod" "Application Server|\[INFO" $K logs -n conf-a "$pod" --tail=5
three() { [ "$($K logs -n conf-a "$pod" --tail=3 | wc -l)" -eq 3 ]; }
wait_for "logs --tail=3 gives 3 lines once the pod has written them" 20 three
n=$($K logs -n conf-a "$pod" | wc -l)
[ "$n" -ge 3 ] && ok "logs without --tail gives them all ($n)" || fail "logs without --tail gave $n lines"
timeout 30 $K logs -n conf-a "$pod" --tail=1 -f >"$KS_DIR/follow.out" 2>&1 &
follow=$!
followed() { [ "$(wc -l <"$KS_DIR/follow.out")" -ge 2 ]; }
wait_for "logs -f follows new lines (the last one, then one written since)" 20 followed || cat "$KS_DIR/follow.out"
kill $follow 2>/dev/null; wait $follow 2>/dev/null
expect_out "get pods -l selector" "^web-" $K get pods -n conf-a -l app=web
expect_out "field selector metadata.name" "^$pod" $K get pods -n conf-a --field-selector metadata.name="$pod"

# a watch sees a change
timeout 30 $K get cm -n conf-a -w >"$KS_DIR/watch.out" 2>&1 &
watch=$!
# its list printed (the watch goes on from the list's resourceVersion, so a
# change made from then on is seen however soon the watch request follows)
listed() { [ -s "$KS_DIR/watch.out" ]; }
wait_for "get -w lists first" 20 listed
$K create configmap watched -n conf-a --from-literal=a=b >/dev/null
wait_for "get -w sees a created configmap" 20 grep -q "^watched" "$KS_DIR/watch.out" || cat "$KS_DIR/watch.out"
kill $watch 2>/dev/null; wait $watch 2>/dev/null

expect_out "auth can-i (admin)" "^yes" $K auth can-i create deployments -n conf-a
expect_out "auth can-i (support cannot create)" "^no" $K --context kubesim-support auth can-i create deployments -n conf-a
expect_out "auth can-i (support can list)" "^yes" $K --context kubesim-support auth can-i list pods -n conf-a
expect_out "auth whoami (SelfSubjectReview)" "Username +support" $K --context kubesim-support auth whoami
expect_out "support reads" "^web" $K --context kubesim-support get deploy -n conf-a
expect_out "support is refused a write with a Forbidden status" "forbidden: User \"support\" cannot create resource \"configmaps\"" $K --context kubesim-support create configmap nope -n conf-a --from-literal=a=b
expect_out "a bad name is refused as Invalid" "Invalid value: \"Bad_Name\"" $K create configmap Bad_Name -n conf-a
expect_out "an existing name is refused" "AlreadyExists|already exists" $K create configmap watched -n conf-a
expect_out "dry-run=server creates nothing" "created \(server dry run\)" $K create configmap dry -n conf-a --dry-run=server
expect_out "... and it is not there" "NotFound|not found" $K get configmap dry -n conf-a
expect_out "delete a deployment" "deleted" $K delete deploy web -n conf-a
gone() { [ -z "$($K get pods -n conf-a -o name)" ]; }
wait_for "its pods go with it" 20 gone
expect_out "delete the namespace" "deleted" $K delete ns conf-a
expect_out "the namespace is gone" "NotFound|not found" $K get ns conf-a
expect_out "a client certificate signs in (operator)" "^default" $K --context kubesim-operator-cert get ns
expect_out "the certificate's group gives the operator role" "^yes" $K --context kubesim-operator-cert auth can-i create deployments -n default
expect_out "... which may not delete namespaces" "^no" $K --context kubesim-operator-cert auth can-i delete namespaces
expect_out "auth can-i --list answers from the rules review" "deployments.apps" $K --context kubesim-support auth can-i --list -n default
expect_out "a wrong token gets 401" "Unauthorized|provide credentials" kubectl --token=nope get ns
finish
