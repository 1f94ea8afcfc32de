#!/bin/sh
# Screen tests of the custom-build wizard in the console (the generic wizard pages
# of views/wizard_form.c and the builds screen), against a kubesim of their own
# whose fleet names a bare repository the test makes (fixed dates: the same commits
# every run) as every ERP tenant's custom-repo, its clock at 4x (a build's stages
# take 97 simulated seconds, 24 s: the build is still running for some 20 s after
# its sonarqube stage is caught, while the keys open the tenant's builds screen and
# the running stage's log; 2x took 48 s), its own builds off
# (tests/screen/build_wizard_setup.sh):
# tests/screen/build-wizard.keys (tenants, form, review with the pinned commit, the
# running build's stage and stage log, done). Pages whose text moves with the clock
# (the running build, the history's times, the logs) are checked by grep, the
# others against tests/screen/build-wizard/. A failed quality gate is
# screen_build_gate.sh, with a kubesim of its own, so that the two run side by side.
# UPDATE_GOLDEN=1 sh tests/integration/screen_build_wizard.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

BW_SETTLE=1
BW_SCALE=4
. "$(dirname "$0")/../screen/build_wizard_setup.sh"

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

finish
