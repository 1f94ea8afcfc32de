#!/bin/sh
# Screen tests of the wizards without page files of their own (views/
# wizard_form.c), on the file-server wizard, against a kubesim of their own
# (fleet 10, seed 7, clock at real speed, GCP Filestore claims bound after
# 4 s): every page, a refusal on its field, the review, apply to done through
# the claim's Bound and the AppServers' rolling update (checked through the
# API too); --readonly: the review shown (dev asleep, said so), apply refused;
# two clusters: the plan goes to the row's; the tenant list says what each
# tenant has (a database, a file server, a custom RPO); the tenant screen's
# key; an eSocial tenant refused. And the namespace wizard's first page with
# the catalogue's contracts awaiting onboarding.
# UPDATE_GOLDEN=1 sh tests/integration/screen_fileserver.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

ks_start --fleet 10 --seed 7 --start-time "$SCREEN_START" --time-scale 1 --no-traffic \
	--provisioner filestore.csi.storage.gke.io=4000

# run ids and durations move from one run to the next
fs_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		sed -E -i \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/t[0-9]{5}-[0-9]{1,13}~/tNNNNN-RUNID~/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' \
			-e 's/^ [^ ]+ step /  * step /' \
			"$f"
	done
}

# fs_case NAME [FILES] -- [smartops args]: runs NAME.keys, compares FILES (all saved when none)
fs_case() {
	name=$1; shift
	files=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do files="$files $1"; shift; done
	[ "${1:-}" = -- ] && shift
	if screen_run "$name" "$@"; then ok "$name: the script ran to its end"
	else fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10; fi
	for f in "$KS_DIR/screen-$name"/*.txt; do [ -f "$f" ] && screen_normalise "$f"; done
	fs_normalise "$name"
	screen_compare "$name" $files
}

# the catalogue first: T89197 still awaits onboarding
fs_case wizard-catalog
C="$KS_DIR/screen-wizard-catalog"
grep -q "T89197 *Logistica" "$C/list.txt" && ! grep -q "T10007" "$C/list.txt" &&
	ok "the contracts awaiting onboarding are offered, the provisioned ones not" || fail "catalogue list"
grep -q "TCODE: \[T97116" "$C/completed.txt" && ok "Down then Tab completes the TCODE" || fail "Tab did not complete"

"$BUILD/smartops" --kubeconfig "$KUBECONFIG" apply namespace --tcode T89197 --yes >/dev/null 2>"$KS_DIR/ns.err" &&
	ok "T89197's namespaces made" || { fail "apply namespace T89197"; cat "$KS_DIR/ns.err"; finish; }

fs_case fileserver tenants.txt tenants-filter.txt tenants-complete.txt form.txt form-refused.txt \
	review.txt confirm.txt bound-wait.txt done.txt
F="$KS_DIR/screen-fileserver"
grep -q "^T89197 .* -$" "$F/tenants.txt" && grep -q "^T10007 .* db fs$" "$F/tenants.txt" &&
	ok "the tenant list says what each has: nothing yet for T89197, a database and a file server for T10007" ||
	fail "the tenant list does not say what each tenant has"
grep -q "waiting for claim fileserver to be Bound: Pending" "$F/bound-wait.txt" &&
	ok "the wait for the claim said in plain words" || fail "no plain wait for the claim"
grep -Eq "rolling update of appserver-(rest|webapp): [0-9] of [0-9] ready" "$F/rolling.txt" &&
	ok "the AppServers' rolling update shown" || { fail "no rolling update shown"; cat "$F/rolling.txt"; }
claim=$(kcurl "$KS_URL/api/v1/namespaces/t89197-prod/persistentvolumeclaims/fileserver")
[ "$(echo "$claim" | jq -r .status.phase)" = Bound ] && ok "the claim is Bound (API)" || fail "claim not Bound"
mounts=$(kcurl "$KS_URL/apis/apps/v1/namespaces/t89197-prod/deployments" |
	jq '[.items[] | select(.metadata.labels["smart.totvs.com/component"]=="appserver")
	     | select(any(.spec.template.spec.volumes[]?; .persistentVolumeClaim.claimName=="fileserver"))] | length')
[ "$mounts" -ge 1 ] && ok "$mounts AppServer Deployments mount the claim (API)" || fail "no Deployment mounts the claim"

# dev asleep: the review says the run does not wake it
"$BUILD/smartops" --kubeconfig "$KUBECONFIG" sleep T89197 --env dev --yes >/dev/null 2>"$KS_DIR/sleep.err" ||
	{ fail "sleep T89197 dev"; cat "$KS_DIR/sleep.err"; }
fs_case fileserver-readonly -- --readonly
R="$KS_DIR/screen-fileserver-readonly"
grep -q "dev is asleep: the run does not wake it" "$R/review.txt" &&
	ok "a sleeping env: the review says it is not woken" || fail "no word of the sleeping env"
grep -q "read-only session" "$R/refused.txt" && ok "read-only: the review shown, apply refused with the reason" ||
	fail "read-only: no refusal"
[ "$(kcurl "$KS_URL/api/v1/namespaces/t89197-dev/persistentvolumeclaims/fileserver" | jq -r .kind)" != PersistentVolumeClaim ] &&
	ok "read-only: no claim made in dev (API)" || fail "read-only: a claim was made"

fs_case fileserver-clusters tenants.txt -- --context kubesim-admin,kubesim-support
C="$KS_DIR/screen-fileserver-clusters"
grep -q "Plan for T89197 on kubesim-support" "$C/review-support.txt" && grep -q "not allowed" "$C/review-support.txt" &&
	ok "two clusters: the plan went to the row's cluster, refused by its access review" ||
	{ fail "two clusters: not planned on kubesim-support"; cat "$C/review-support.txt"; }

fs_case fileserver-tenant choose.txt form.txt tenant-page.txt
grep -q "^T89197 .* fs:prod$" "$KS_DIR/screen-fileserver-tenant/tenant-page.txt" &&
	ok "the wizard opened anew shows the file server made in prod since" ||
	fail "the tenant list does not show T89197's new file server"
grep -q "T73359 is Smart eSocial: the fileserver wizard is for SMART ERP tenants only" \
	"$KS_DIR/screen-fileserver-tenant/esocial.txt" && ok "eSocial tenant refused from the tenant screen" ||
	{ fail "eSocial not refused"; cat "$KS_DIR/screen-fileserver-tenant/esocial.txt"; }

finish
