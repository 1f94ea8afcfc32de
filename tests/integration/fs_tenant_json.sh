#!/bin/sh
# `smartops tenant T -o json` shows each environment's file server (claim fileserver: its
# provider, class, phase, sizes, which AppServers mount it and where, a sibling that does
# not), and the health names what an environment waits for: AppServers whose claim is not
# Bound, and a database that does not exist on a real server (tests/integration/pg.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"

pg_start
S="$BUILD/smartops"
ks_start --start-time "$KS_QUIET_START" --provisioner "nfs.csi.k8s.io=300" \
	--provisioner "filestore.csi.storage.gke.io=fail:quota exceeded for Filestore instances in southamerica-east1"
K="kubectl --request-timeout=20s"

. "$(dirname "$0")/../fixtures/fs_tenant.sh"
fs_tenant_objects >"$KS_DIR/objs.yaml"
check "namespaces, classes, claims and AppServers" $K apply -f "$KS_DIR/objs.yaml"
bound() { [ "$($K get pvc fileserver -n t12345-prod -o jsonpath='{.status.phase}')" = Bound ]; }
wait_for "the prod claim is Bound by the NFS provisioner" 30 bound
failed() { $K get events -n t12345-dev --field-selector reason=ProvisioningFailed -o name | grep -q .; }
wait_for "the dev claim's provisioner fails (ProvisioningFailed)" 30 failed

# a role of the tenant's own on the real server, but no database
printf '%s' "tenant-pw-$$" >"$KS_DIR/pw"
pg_psql "create role t12345_prod login password 'tenant-pw-$$'" >/dev/null
check "Secret db-credentials of t12345-prod" $K create secret generic db-credentials -n t12345-prod \
	--from-literal=username=t12345_prod --from-literal=host="$PG_HOST" --from-literal=port="$PG_PORT" \
	--from-literal=database=t12345_prod --from-file=password="$KS_DIR/pw"

"$S" tenant T12345 -o json >"$KS_DIR/t.json" 2>"$KS_DIR/t.err" || { fail "tenant -o json"; cat "$KS_DIR/t.err"; }
fs() { jq -c --arg e "$1" '.envs[] | select(.env == $e) | .fileserver' "$KS_DIR/t.json"; }
want='{"provider":"totvs","class":"totvs-nfs","claim":"fileserver","phase":"Bound","capacity":"100Gi","requested":"100Gi","access_modes":["ReadWriteMany"],"mounted_by":["rest","webapp"],"not_mounted_by":["portal"],"path":"/totvs/protheus_data","detail":"Bound, 100Gi; mounted by rest, webapp; not mounted by portal"}'
[ "$(fs prod)" = "$want" ] && ok "prod: the fileserver block, portal flagged as not mounting it" ||
	{ fail "prod fileserver block"; fs prod; }
fs dev | grep -Eq '^\{"provider":"gcp","class":"filestore-sc","claim":"fileserver","phase":"Pending","capacity":null,"requested":"1Ti","access_modes":\["ReadWriteMany"\],"mounted_by":\["webapp"\],"not_mounted_by":\[\],"path":"/totvs/protheus_data","detail":"Pending [0-9]+[smhd]: ProvisioningFailed: failed to provision volume with StorageClass \\"filestore-sc\\": quota exceeded' &&
	ok "dev: Pending, the provisioner's failure in plain words" || { fail "dev fileserver block"; fs dev; }

# health: the causes outside the workloads
cause() { jq -r --arg e "$1" '.envs[] | select(.env == $e) | "\(.health): \(.cause)"' "$KS_DIR/t.json"; }
[ "$(cause prod)" = "down: dbaccess waits for its database: t12345_prod does not exist on $PG_HOST:$PG_PORT" ] &&
	ok "prod: down, dbaccess waits for its database, named on its server" || { fail "prod cause"; cause prod; }
cause dev | grep -Eq '^degraded: webapp waits for the file server: claim fileserver Pending [0-9]+[smhd]: ProvisioningFailed: ' &&
	ok "dev: the AppServer waits for its unbound claim" || { fail "dev cause"; cause dev; }
[ "$(jq -r .health "$KS_DIR/t.json")" = down ] && ok "the tenant is down (prod is)" || fail "tenant health"
expect_out "the text form has the file-server line" '^  files    totvs totvs-nfs Bound, 100Gi; mounted by rest, webapp; not mounted by portal at /totvs/protheus_data$' \
	"$S" tenant T12345

# the fleet (tenants, as the console's fleet screen): the database named as the cause
"$S" tenants -o json >"$KS_DIR/f.json" 2>"$KS_DIR/f.err" || { fail "tenants -o json"; cat "$KS_DIR/f.err"; }
[ "$(jq -r '.items[] | select(.tcode == "T12345") | .cause' "$KS_DIR/f.json")" = \
	"prod: dbaccess waits for its database: t12345_prod does not exist on $PG_HOST:$PG_PORT" ] &&
	ok "tenants: the fleet's cause names the missing database" ||
	{ fail "tenants cause"; jq -c '.items[] | {tcode, health, cause}' "$KS_DIR/f.json"; }
"$S" tenants -o wide >"$KS_DIR/wide.txt" 2>&1
head -1 "$KS_DIR/wide.txt" | grep -Eq ' CONTRACT +DATABASE +CAUSE$' && grep -Eq '^T12345 .* managed missing +prod: dbaccess waits for its database' "$KS_DIR/wide.txt" &&
	ok "tenants -o wide: a DATABASE column, managed missing" || { fail "tenants -o wide"; cat "$KS_DIR/wide.txt"; }

# once the database exists, the cause goes
pg_psql "create database t12345_prod owner t12345_prod" >/dev/null
"$S" tenant T12345 -o json >"$KS_DIR/t.json" 2>/dev/null
cause prod | grep -q 'waits for its database' && fail "prod still waits for its database" ||
	ok "prod: the database made, no longer a cause ($(cause prod))"
[ "$(jq -r '.envs[] | select(.env == "prod") | .database.state' "$KS_DIR/t.json")" = ready ] &&
	ok "... and the database block says ready" || fail "database state"
expect_out "tenants -o wide: managed ready, DbAccess down for its own reasons" '^T12345 .* managed ready +prod: dbaccess down' \
	"$S" tenants -o wide

# an env without a claim: null phase, said so
$K delete pvc fileserver -n t12345-prod --wait=false >/dev/null 2>&1
gone() { ! $K get pvc fileserver -n t12345-prod >/dev/null 2>&1; }
wait_for "the prod claim deleted" 30 gone
"$S" tenant T12345 -o json >"$KS_DIR/t.json" 2>/dev/null
fs prod | grep -q '^{"provider":null,"class":null,"claim":null,"phase":null,.*"mounted_by":\["rest","webapp"\].*"detail":"no claim fileserver, yet AppServers mount it: their pods cannot start; not mounted by portal"}$' &&
	ok "no claim: phase null, and the AppServers that still mount it named" || { fail "no-claim block"; fs prod; }
finish
