#!/bin/sh
# Screen tests of the namespace wizard and the runs screen against a kubesim
# of their own (fleet 10, seed 7, clock 60x): every wizard page and refusal,
# a full apply to done, Esc -> pause -> the run paused in the runs screen ->
# resume to done, a rollback (objects gone, checked through the API), the
# read-only user refused at the review, --readonly refused at once.
# UPDATE_GOLDEN=1 sh tests/integration/screen_wizard.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

ks_start --fleet 10 --seed 7 --time-scale 60

# run ids, run times and durations move from one run to the next
wizard_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		sed -E -i \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} HH:MM:SS/DATE HH:MM:SS/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' \
			"$f"
	done
}

# wizard_case NAME [smartops args]: runs NAME.keys, compares its displays
wizard_case() {
	name=$1; shift
	if screen_run "$name" "$@"; then ok "$name: the script ran to its end"
	else fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10; fi
	for f in "$KS_DIR/screen-$name"/*.txt; do [ -f "$f" ] && screen_normalise "$f"; done
	wizard_normalise "$name"
	screen_compare "$name"
}

objects_of() { # TCODE: the number of its objects (namespaces and deployments) via the API
	t=$(echo "$1" | tr 'T' 't')
	n1=$(kcurl "$KS_URL/api/v1/namespaces?labelSelector=smart.totvs.com/tcode=$1" | jq '.items | length')
	n2=$(kcurl "$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments" | jq '.items | length' 2>/dev/null)
	echo $((n1 + ${n2:-0}))
}

wizard_case wizard
[ "$(objects_of T89197)" -gt 2 ] && ok "the apply made T89197's namespaces and deployments" || fail "T89197 not provisioned"
grep -q "T89197" "$KS_DIR/screen-wizard/fleet-after.txt" && ok "the tenant appears in the fleet" || fail "T89197 not in the fleet"

[ -n "${WIZARD_KEEP:-}" ] && rm -rf "$WIZARD_KEEP" && cp -r "$KS_DIR" "$WIZARD_KEEP"
finish
