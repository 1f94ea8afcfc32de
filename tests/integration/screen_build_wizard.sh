#!/bin/sh
# Screen tests of the custom-build wizard in the console (the generic wizard pages
# of views/wizard_form.c and the builds screen), against a kubesim of their own
# whose fleet names a bare repository the test makes (fixed dates: the same commits
# every run) as every ERP tenant's custom-repo, its clock at 2x (a build's stages
# take 97 simulated seconds), its own builds off: tests/screen/build-wizard.keys
# (tenants, form, review with the pinned commit, the running build's stage and
# stage log, done) and build-gate.keys (the quality_gate fault: failed at
# sonarqube with the gate's conditions). Pages whose text moves with the clock
# (the running build, the history's times, the logs) are checked by grep, the
# others against tests/screen/build-wizard/ and build-gate/.
# UPDATE_GOLDEN=1 sh tests/integration/screen_build_wizard.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

REPO="$KS_DIR/custom.git"
W="$KS_DIR/work"
export GIT_AUTHOR_DATE=2026-11-01T12:00:00Z GIT_COMMITTER_DATE=2026-11-01T12:00:00Z
export GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=dev@customer.example GIT_COMMITTER_NAME=dev GIT_COMMITTER_EMAIL=dev@customer.example
git init -q -b main "$W"
printf 'User Function Fat001()\nReturn .T.\n' >"$W/FAT001.prw"
printf 'namespace custom.fin\nfunction fin002()\nreturn\n' >"$W/fin002.tlpp"
git -C "$W" add -A && git -C "$W" commit -qm one
git clone -q --bare "$W" "$REPO"
MAIN=$(git -C "$REPO" rev-parse main)

ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 2 --no-traffic --no-builds \
	--custom-repo "file://$REPO"
screen_settle # the tenants' health in the goldens: once the fleet's pods are up
T=T38792
"$BUILD/smartops" --kubeconfig "$KUBECONFIG" tenant "$T" -o json >"$KS_DIR/t.json" 2>/dev/null
[ "$(jq -r '"\(.product) \(.provider)"' "$KS_DIR/t.json")" = "erp totvs" ] &&
	ok "$T of seed 7 is an ERP tenant on TOTVS (the goldens name it)" || fail "$T is not ERP on TOTVS"

# bw_normalise NAME: what moves from one run to the next: the run ids, the
# durations, the repository's path; the review's plan body (wrapped JSON) left out
bw_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		screen_normalise "$f"
		sed -E -i \
			-e "s|file://$REPO|file://REPO|g" \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' \
			-e 's/^ [^ ]+ step /  * step /' \
			"$f"
	done
	f="$KS_DIR/screen-$1/review.txt"
	[ -f "$f" ] && sed -i '/applies to its spec:/,/^ kubesim-admin/{/^ kubesim-admin/!d}' "$f"
}
# bw_case NAME FILES: runs NAME.keys, compares FILES against their goldens
bw_case() {
	name=$1; shift
	if screen_run "$name"; then ok "$name: the script ran to its end"
	else fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10; fi
	bw_normalise "$name"
	screen_compare "$name" "$@"
}

bw_case build-wizard tenants.txt tenants-filter.txt form.txt form-required.txt form-repo.txt form-env.txt \
	review.txt done.txt
B="$KS_DIR/screen-build-wizard"
grep -q "branch main is commit $MAIN" "$B/review.txt" && ok "the review shows main pinned to $MAIN" ||
	fail "the review does not name main's commit"
grep -q "Apply the plan" "$B/confirm.txt" && ok "apply asks first" || fail "no confirmation asked"
grep -q "waiting for Job t38792-dev/custombuild-1 complete (stage sonarqube 2/4)" "$B/running.txt" &&
	ok "the progress page names the running stage" || { fail "no stage on the progress page"; cat "$B/running.txt"; }
grep -Eq "build 1 running: (sonarqube|compile|upload)" "$B/builds-running.txt" &&
	grep -Eq "^ 1 +dev +main +${MAIN%"${MAIN#???????}"} running" "$B/builds-running.txt" &&
	ok "the builds screen shows build 1 running with its stage" || { fail "build 1 not shown running"; cat "$B/builds-running.txt"; }
stage=$(sed -nE 's/^ > [0-9] ([a-z]+) +running.*/\1/p' "$B/stages-running.txt")
[ -n "$stage" ] && grep -q "log of stage $stage" "$B/stages-running.txt" && grep -q "\[$stage\]  FOLLOW" "$B/stages-running.txt" &&
	ok "the running stage ($stage) selected, its log followed in the log pane" ||
	{ fail "the running stage's log not shown"; cat "$B/stages-running.txt"; }
grep -q "checkout   succeeded checked out ${MAIN%"${MAIN#????????????}"} (2 files)" "$B/stages-running.txt" &&
	ok "checkout read the repository at the commit" || fail "no checkout line"
[ "$(kcurl "$KS_URL/apis/batch/v1/namespaces/t38792-dev/jobs/custombuild-1" | jq -r '.status.succeeded')" = 1 ] &&
	ok "Job custombuild-1 succeeded (API)" || fail "Job custombuild-1 did not succeed"

kcurl -X PUT -d '{"quality_gate":"fail"}' "$KS_URL/sim/v1/faults" >/dev/null
bw_case build-gate failed.txt
G="$KS_DIR/screen-build-gate"
grep -q "failed at stage sonarqube" "$G/failed.txt" && grep -q "quality gate ERROR: new bugs 3 >" "$G/failed.txt" &&
	ok "the wizard's run failed at sonarqube with the gate's conditions" || fail "no gate failure on the progress page"
grep -Eq "^ 2 +dev +main .* failed +sonarqube +ERROR" "$G/history.txt" &&
	ok "the history: build 2 failed at sonarqube, gate ERROR" || { fail "build 2 not failed in the history"; cat "$G/history.txt"; }
grep -q "new bugs 3 > 0; coverage 41% < 60%" "$G/history.txt" &&
	ok "the history names the gate's conditions" || { fail "no conditions in the history"; cat "$G/history.txt"; }
grep -q "log of stage sonarqube" "$G/stages.txt" && grep -q "quality gate ERROR: new bugs 3 > 0" "$G/stages.txt" &&
	ok "the sonarqube stage's log says the gate failed" || { fail "no gate verdict in the log"; cat "$G/stages.txt"; }
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
finish
