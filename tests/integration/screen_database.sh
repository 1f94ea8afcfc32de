#!/bin/sh
# Screen tests of the database wizard in the console (views/wizard_form.c) against a
# real PostgreSQL 15 (tests/integration/pg.sh) wired into kubesim with
# --managed-postgres, the admin's password only in Secret smart-platform-postgres
# (the console is given no password file): the platform's user may not create roles
# (the review says an apply would be refused, Enter refuses, nothing made); then
# prod's managed PostgreSQL page by page (tenants, filter, form, review, confirmation,
# progress to done) and the tenant screen's database line (managed, host and name,
# ready, size, connections); then dev's PostgreSQL as a container to done. The
# passwords of both Secrets db-credentials appear in none of the screens.
# UPDATE_GOLDEN=1 sh tests/integration/screen_database.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg.sh"
. "$(dirname "$0")/../screen/screen.sh"

pg_start
printf '%s\n' "$PG_ADMIN_PASSWORD" >"$KS_DIR/admin.pw"
ks_start --fleet 10 --seed 7 --start-time "$SCREEN_START" --time-scale 1 --no-traffic \
	--managed-postgres "$PG_CONNINFO" --managed-postgres-password-file "$KS_DIR/admin.pw"
rm -f "$KS_DIR/admin.pw"
T=T89197; t=t89197
DDL='(CREATE|ALTER|DROP|GRANT|REVOKE|COMMENT) '

# run ids, durations, the server's port and the database's size move from one run to the next
db_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		sed -E -i \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/t[0-9]{5}-[0-9]{1,13}~/tNNNNN-RUNID~/g' \
			-e "s/$PG_PORT/PGPORT/g" \
			-e 's/size [0-9.]+ (bytes|kB|MB)/size N kB/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' \
			-e 's/^ [^ ]+ step /  * step /' \
			"$f"
		# a tenant screen: its top (the pods' ages and the events below move with the clock)
		case $f in */tenant.txt) sed -i '/^  pods$/,$d' "$f" ;; esac
	done
}

# db_case NAME [FILES] -- [smartops args]: runs NAME.keys without a password file of
# libpq's (the platform's Secret is the only way to the admin's password), compares FILES
db_case() {
	name=$1; shift
	files=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files="$files $1"; shift; done
	[ "${1:-}" = -- ] && shift
	if (PGPASSFILE="$KS_DIR/no-pgpass"; export PGPASSFILE; screen_run "$name" "$@"); then
		ok "$name: the script ran to its end"
	else
		fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10
	fi
	db_normalise "$name"
	screen_compare "$name" $files
}

"$BUILD/smartops" --kubeconfig "$KUBECONFIG" apply namespace --tcode $T --yes >/dev/null 2>"$KS_DIR/ns.err" &&
	ok "$T's namespaces made" || { fail "apply namespace $T"; cat "$KS_DIR/ns.err"; finish; }

# ---- the platform's user may not create roles and databases: refused on the review ----
pg_psql "create role ro_admin login password 'ro-secret-1'" >/dev/null
patch_platform() { # patch_platform CONNINFO PASSWORD_BASE64
	kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' \
		"$KS_URL/api/v1/namespaces/smartops-system/configmaps/smart-platform" \
		-d "{\"data\":{\"postgres.conninfo\":\"$1\"}}" >/dev/null &&
		kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' \
			"$KS_URL/api/v1/namespaces/smartops-system/secrets/smart-platform-postgres" \
			-d "{\"data\":{\"password\":\"$2\"}}" >/dev/null
}
admin_b64=$(kcurl "$KS_URL/api/v1/namespaces/smartops-system/secrets/smart-platform-postgres" | jq -r .data.password)
check "the platform pointed at a read-only PostgreSQL user" patch_platform \
	"host=$PG_HOST port=$PG_PORT user=ro_admin dbname=postgres sslmode=disable" "$(printf 'ro-secret-1' | base64)"
pg_log_mark
db_case database-refused
R="$KS_DIR/screen-database-refused"
grep -q "an apply of this plan would be refused" "$R/review.txt" && grep -q "ro_admin may not create roles" "$R/review.txt" &&
	ok "read-only user: the review says an apply would be refused, and why" || { fail "read-only user: review"; cat "$R/review.txt"; }
grep -q "this plan cannot be applied" "$R/refused.txt" && ok "read-only user: Enter refuses the apply" ||
	{ fail "read-only user: not refused"; cat "$R/refused.txt"; }
[ "$(pg_log_since | grep -cE "statement: $DDL")" = 0 ] &&
	[ "$(pg_psql "select count(*) from pg_roles where rolname = '${t}_prod'")" = 0 ] &&
	ok "read-only user: no DDL on the server, no role" || fail "read-only user: something was made"
check "the platform's admin back" patch_platform "$PG_CONNINFO" "$admin_b64"

# ---- prod, the managed PostgreSQL, page by page ----
db_case database tenants.txt tenants-filter.txt form.txt review.txt review-ini.txt confirm.txt done.txt
grep -Eq "rolling update of dbaccess: [0-9] of [0-9] ready" "$KS_DIR/screen-database/rolling.txt" &&
	ok "progress: DbAccess's rolling update shown" || { fail "no rolling update of DbAccess"; cat "$KS_DIR/screen-database/rolling.txt"; }
[ "$(pg_psql "select pg_get_userbyid(datdba) from pg_database where datname = '${t}_prod'")" = "${t}_prod" ] &&
	ok "the role and its database made on the server" || fail "no database ${t}_prod"
db_case database-tenant
D="$KS_DIR/screen-database-tenant"
grep -Eq "^  database  ready  managed PostgreSQL \(external, dbaccess needs it\) ${t}_prod on 127\.0\.0\.1:PGPORT" \
	"$D/tenant.txt" && grep -Eq "^    size N kB, [0-9]+ other connections?, checked" "$D/tenant.txt" &&
	ok "the tenant screen's database line: managed, its name and server, ready, size and connections" ||
	{ fail "tenant screen's database line"; cat "$D/tenant.txt"; }

# ---- dev, PostgreSQL as a container ----
cat >"$KS_DIR/sc.yaml" <<'YAML'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: kubesim.io/disk
YAML
check "a default StorageClass" kubectl --request-timeout=20s apply -f "$KS_DIR/sc.yaml"
db_case database-dev
[ "$(kcurl "$KS_URL/apis/apps/v1/namespaces/$t-dev/statefulsets/postgres" | jq -r .status.readyReplicas)" = 1 ] &&
	ok "dev: StatefulSet postgres ready (API)" || fail "dev: no ready StatefulSet postgres"

# ---- no password on any screen ----
leaks=0
for env in prod dev; do
	pw=$(kcurl "$KS_URL/api/v1/namespaces/$t-$env/secrets/db-credentials" | jq -r '.data.password // empty' | base64 -d)
	if [ "${#pw}" -lt 16 ]; then fail "$env: Secret db-credentials holds no password"; leaks=1; continue; fi
	for f in "$KS_DIR"/screen-database*/*.txt "$KS_DIR"/screen-database*/stdout "$KS_DIR"/screen-database*/stderr; do
		grep -qF "$pw" "$f" && { fail "$env's password is in $(basename "$(dirname "$f")")/$(basename "$f")"; leaks=1; }
	done
done
[ $leaks = 0 ] && ok "neither Secret's password is in any screen capture nor the console's output"
finish
