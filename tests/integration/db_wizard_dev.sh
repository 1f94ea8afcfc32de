#!/bin/sh
# The database wizard for an ERP dev environment, PostgreSQL as a container, against
# kubesim with the real kubectl: the plan (golden file; the Secret's body never shown);
# apply makes Secret db-credentials, the headless Service and StatefulSet postgres, whose
# claim data-postgres-0 is made and Bound and whose rollout kubectl sees through;
# dbaccess.ini points at postgres.<ns>.svc and DbAccess rolls; the password is in no
# output, journal or audit line; a second apply changes nothing; rollback keeps the
# StatefulSet (its data) unless the TCODE is typed.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
GOLDEN=tests/golden/plan_database_dev.json
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 60 --no-traffic
K="kubectl --request-timeout=20s"

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
T=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp")))][0].tcode' "$KS_DIR/catalog.json")
ESOCIAL=$(jq -r '[.items[] | select(.model=="smart" and .status=="active" and (.products | index("erp") | not))][0].tcode' "$KS_DIR/catalog.json")
t=$(echo "$T" | tr 'T' 't'); NS=$t-dev; N=${t}_dev
echo "tenant $T, eSocial $ESOCIAL"
"$S" apply namespace --tcode "$T" --yes >/dev/null 2>"$KS_DIR/err" && ok "namespaces of $T made" ||
	{ fail "apply namespace"; cat "$KS_DIR/err"; finish; }
cat >"$KS_DIR/sc.yaml" <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubesim.io/disk
YAML
check "a default StorageClass" $K apply -f "$KS_DIR/sc.yaml"
secret_key() { kcurl "$KS_URL/api/v1/namespaces/$NS/secrets/db-credentials" | jq -r ".data.$1 // empty" | base64 -d; }

# ---- the plan ----
"$S" plan database --tcode "$T" --env dev -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"
rc=$?
jq -S . "$KS_DIR/plan.json" 2>/dev/null | sed -e "s/$T/TCODE/g" -e "s/$t/tcode/g" \
	-e 's/\(dbaccess-config": \)"[0-9a-f]*"/\1"HASH"/' >"$KS_DIR/plan.pretty"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
[ "$(jq -r '[.steps[] | .id] | join(",")' "$KS_DIR/plan.json")" = \
	"dev/secrets/db-credentials,dev/services/postgres,dev/statefulsets/postgres,dev/configmaps/dbaccess-ini,dev/deployments/dbaccess" ] &&
	ok "plan: Secret, Service, StatefulSet, dbaccess.ini, DbAccess" || fail "plan steps: $(jq -c '[.steps[].id]' "$KS_DIR/plan.json")"
jq -e '.steps[0].secret == true and (.steps[0] | has("body") | not)' "$KS_DIR/plan.json" >/dev/null &&
	ok "the Secret's step is a secret: no body shown" || fail "Secret body shown"
jq -e '.steps[2].body.spec.volumeClaimTemplates[0].spec.resources.requests.storage == "20Gi"
	and .steps[2].body.spec.template.spec.containers[0].image == "postgres:15"
	and (.steps[2].body.spec.template.spec.containers[0].readinessProbe.exec.command[2] | test("pg_isready"))
	and .steps[1].body.spec.clusterIP == "None"
	and .steps[2].rollback == "keep-unless-confirmed"' "$KS_DIR/plan.json" >/dev/null &&
	ok "StatefulSet postgres: 20Gi claim, postgres:15, ready by pg_isready; headless Service" || fail "plan bodies"
expect_out "size l: a 50Gi claim" '"storage":"50Gi"' "$S" plan database --tcode "$T" --env dev --size l -o json
expect_out "a bad size refused" 'size takes s, m or l' "$S" plan database --tcode "$T" --env dev --size xl
expect_out "an eSocial tenant refused (Oracle)" "eSocial tenant" "$S" plan database --tcode "$ESOCIAL" --env dev

# ---- apply ----
"$S" apply database --tcode "$T" --env dev --yes >"$KS_DIR/apply.out" 2>"$KS_DIR/apply.err" &&
	ok "apply database --env dev" || { fail "apply"; cat "$KS_DIR/apply.err"; finish; }
RUN=$(cat "$KS_DIR/apply.out")
[ "$(kcurl "$KS_URL/api/v1/namespaces/$NS/persistentvolumeclaims/data-postgres-0" | jq -r '.status.phase')" = Bound ] &&
	ok "claim data-postgres-0 made and Bound" || fail "claim data-postgres-0"
check "kubectl rollout status sts/postgres" $K rollout status sts/postgres -n "$NS" --timeout=60s
[ "$(secret_key username)|$(secret_key database)|$(secret_key host)|$(secret_key port)" = "$N|$N|postgres.$NS.svc|5432" ] &&
	ok "Secret db-credentials: username, database, host postgres.$NS.svc, port" || fail "Secret keys"
PW=$(secret_key password)
[ ${#PW} -eq 32 ] && ok "a 32-character password" || fail "password length ${#PW}"
"$S" runs "$RUN" -o json >"$KS_DIR/journal.json" 2>&1
leaks=0
for f in "$KS_DIR/apply.out" "$KS_DIR/apply.err" "$KS_DIR/plan.json" "$KS_DIR/journal.json" "$SMARTOPS_AUDIT_LOG"; do
	grep -qF "$PW" "$f" && { fail "the password is in $(basename "$f")"; leaks=1; }
done
[ $leaks = 0 ] && ok "the password is in no output, plan, journal or audit line"
kcurl "$KS_URL/apis/apps/v1/namespaces/$NS/statefulsets/postgres" |
	jq -e '[.spec.template.spec.containers[0].env[] | select(.valueFrom.secretKeyRef.name == "db-credentials")] | length == 3' >/dev/null &&
	ok "the container's user, password and database come from the Secret" || fail "container env"
kcurl "$KS_URL/api/v1/namespaces/$NS/configmaps/dbaccess-ini" | jq -r '.data["dbaccess.ini"]' >"$KS_DIR/ini"
grep -qx "Server=postgres.$NS.svc" "$KS_DIR/ini" && grep -qx "Database=$N" "$KS_DIR/ini" && grep -qx "Port=5432" "$KS_DIR/ini" &&
	ok "dbaccess.ini points at postgres.$NS.svc" || { fail "dbaccess.ini"; cat "$KS_DIR/ini"; }
check "DbAccess rolled out" $K rollout status deploy/dbaccess -n "$NS" --timeout=60s

# ---- a second apply, rollback ----
"$S" apply database --tcode "$T" --env dev --yes >/dev/null 2>"$KS_DIR/err2"
grep -q "5 unchanged" "$KS_DIR/err2" && ok "a second apply changes nothing" || { fail "second apply"; cat "$KS_DIR/err2"; }
[ "$(secret_key password)" = "$PW" ] && ok "the password is as it was" || fail "password changed"
expect_out "rollback keeps the StatefulSet (its data)" "kept: deleted only when the rollback is confirmed" \
	"$S" runs rollback "$RUN" --yes
kcurl "$KS_URL/apis/apps/v1/namespaces/$NS/statefulsets/postgres" | jq -e '.metadata.name == "postgres"' >/dev/null &&
	ok "StatefulSet postgres kept" || fail "StatefulSet deleted without confirmation"
grep -qx "Server=postgres.$NS.svc" "$KS_DIR/ini" && ! kcurl "$KS_URL/api/v1/namespaces/$NS/configmaps/dbaccess-ini" |
	jq -r '.data["dbaccess.ini"]' | grep -qx "Server=postgres.$NS.svc" && ok "dbaccess.ini put back" || fail "dbaccess.ini not put back"
expect_out "rollback with the TCODE typed" "rolled back" "$S" runs rollback "$RUN" --yes --confirm-tcode "$T"
[ "$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/apis/apps/v1/namespaces/$NS/statefulsets/postgres")" = 404 ] &&
	[ "$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces/$NS/secrets/db-credentials")" = 404 ] &&
	ok "confirmed: StatefulSet and Secret deleted" || fail "left after a confirmed rollback"

finish
