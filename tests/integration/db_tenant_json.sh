#!/bin/sh
# `smartops tenant T -o json` shows each environment's database: a managed PostgreSQL
# checked live with the tenant's own credentials (Secret db-credentials) against a real
# server (tests/integration/pg.sh), a container one from its StatefulSet, Oracle handed off.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

pg_start
S="$BUILD/smartops"
P="$BUILD/tests/dbprobe"
check "the managed database of T12345 prod is made" "$P" --conninfo "$PG_CONNINFO" apply T12345 prod \
	--secret-out "$KS_DIR/pw"
ks_start --start-time "$KS_QUIET_START"
K="kubectl --request-timeout=20s"

# ns TCODE ENV DBKIND PRODUCT
ns() {
	lower=$(echo "$1" | tr 'A-Z' 'a-z')
	cat <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $lower-$2
  labels: {smart.totvs.com/tcode: "$1", smart.totvs.com/env: "$2", smart.totvs.com/product: "$4"}
  annotations: {smart.totvs.com/db: "$3", smart.totvs.com/customer-name: "Test $1"}
YAML
}
# secret NS USER HOST PORT DB PASSWORD_FILE
secret() {
	$K create secret generic db-credentials -n "$1" --from-literal=username="$2" --from-literal=host="$3" \
		--from-literal=port="$4" --from-literal=database="$5" --from-file=password="$6"
}
{ ns T12345 prod postgres-managed erp; echo ---; ns T12345 dev postgres-container erp; echo ---
  ns T33333 prod postgres-managed erp; echo ---; ns T44444 prod oracle esocial; } >"$KS_DIR/ns.yaml"
check "tenant namespaces" $K apply -f "$KS_DIR/ns.yaml"
tr -d '\n' <"$KS_DIR/pw" >"$KS_DIR/pw.raw"
check "Secret db-credentials of t12345-prod" secret t12345-prod t12345_prod "$PG_HOST" "$PG_PORT" t12345_prod "$KS_DIR/pw.raw"
printf 'postgres' >"$KS_DIR/devpw"
check "Secret db-credentials of t12345-dev" secret t12345-dev t12345_dev postgres.t12345-dev.svc 5432 t12345_dev "$KS_DIR/devpw"
cat >"$KS_DIR/sts.yaml" <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: std
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubesim.io/disk
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: postgres, namespace: t12345-dev, labels: {smart.totvs.com/component: postgres}}
spec:
  serviceName: postgres
  selector: {matchLabels: {app: postgres}}
  template:
    metadata: {labels: {app: postgres}}
    spec:
      containers: [{name: postgres, image: "postgres:15"}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
YAML
check "the dev StatefulSet postgres" $K apply -f "$KS_DIR/sts.yaml"
check "rollout status sts/postgres" $K rollout status sts/postgres -n t12345-dev --timeout=60s

db() { "$S" tenant "$1" -o json | jq -c --arg e "$2" '.envs[] | select(.env == $e) | .database'; }
expect_out "prod: managed PostgreSQL, where Secret db-credentials says" \
	"^\{\"engine\":\"postgresql\",\"mode\":\"managed\",\"host\":\"$PG_HOST\",\"port\":$PG_PORT,\"name\":\"t12345_prod\",\"user\":\"t12345_prod\",\"state\":\"ready\"," \
	db T12345 prod
expect_out "prod: its size and connections read live" '"detail":"size [0-9]+ kB, 0 other connections"' db T12345 prod
expect_out "dev: a container, ready from its StatefulSet" \
	'^\{"engine":"postgresql","mode":"container","host":"postgres.t12345-dev.svc","port":5432,"name":"t12345_dev","user":"t12345_dev","state":"ready","detail":"StatefulSet postgres 1/1 ready"\}$' \
	db T12345 dev
expect_out "a managed env without Secret db-credentials: missing" \
	'"state":"missing","detail":"Secret db-credentials does not exist' db T33333 prod
expect_out "eSocial: Oracle, handed off" \
	'^\{"engine":"oracle","mode":"handoff","host":null,"port":1521,"name":null,"user":null,"state":"handed-off","detail":"Oracle, handed off to the DBA \(Secret db-credentials not written yet\)"\}$' \
	db T44444 prod

# a role of its own but no database: missing, read from pg_database
pg_psql "create role t33333_prod login password '$(cat "$KS_DIR/pw.raw")'" >/dev/null
check "Secret db-credentials of t33333-prod" secret t33333-prod t33333_prod "$PG_HOST" "$PG_PORT" t33333_prod "$KS_DIR/pw.raw"
expect_out "a database that does not exist on the server: missing" \
	"\"state\":\"missing\",\"detail\":\"database t33333_prod does not exist on $PG_HOST:$PG_PORT\"" db T33333 prod
"$S" tenant T12345 -o json >"$KS_DIR/t.json" 2>&1
grep -qF "$(cat "$KS_DIR/pw.raw")" "$KS_DIR/t.json" && fail "the password is in the JSON" || ok "the password is not in the JSON"

check "the dev StatefulSet scaled to zero" $K scale sts/postgres -n t12345-dev --replicas=0
zero() { db T12345 dev | grep -q '"state":"unreachable","detail":"StatefulSet postgres 0/0 ready (scaled to zero)"'; }
wait_for "dev: a StatefulSet scaled to zero is unreachable" 30 zero
pg_stop
expect_out "prod: the server stopped is unreachable, said why" \
	"\"state\":\"unreachable\",\"detail\":\"$PG_HOST:$PG_PORT does not answer: " db T12345 prod
finish
