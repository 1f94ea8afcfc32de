#!/bin/sh
# Screen test of a custom build whose quality gate fails (kubesim's quality_gate
# fault), through the console's build wizard, against a kubesim of its own set up
# as screen_build_wizard.sh's (tests/screen/build_wizard_setup.sh): the wizard's
# progress page ends failed at stage sonarqube with the gate's conditions
# (tests/screen/build-gate/failed.txt); the builds screen shows the build failed,
# its gate ERROR and conditions, and the sonarqube stage's log.
# UPDATE_GOLDEN=1 sh tests/integration/screen_build_gate.sh build  rewrites the golden.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"
# its clock at 20x: nothing of a build is caught running here, only how it ended
# (at 2x its stages up to the gate's verdict, 57 simulated seconds, took 28 s)
BW_SCALE=20
. "$(dirname "$0")/../screen/build_wizard_setup.sh"

kcurl -X PUT -d '{"quality_gate":"fail"}' "$KS_URL/sim/v1/faults" >/dev/null
bw_case build-gate failed.txt
G="$KS_DIR/screen-build-gate"
grep -q "failed at stage sonarqube" "$G/failed.txt" && grep -q "quality gate ERROR: new bugs 3 >" "$G/failed.txt" &&
	ok "the wizard's run failed at sonarqube with the gate's conditions" || fail "no gate failure on the progress page"
grep -Eq "^ 1 +dev +main .* failed +sonarqube +ERROR" "$G/history.txt" &&
	ok "the history: build 1 failed at sonarqube, gate ERROR" || { fail "build 1 not failed in the history"; cat "$G/history.txt"; }
grep -q "new bugs 3 > 0; coverage 41% < 60%" "$G/history.txt" &&
	ok "the history names the gate's conditions" || { fail "no conditions in the history"; cat "$G/history.txt"; }
grep -q "log of stage sonarqube" "$G/stages.txt" && grep -q "quality gate ERROR: new bugs 3 > 0" "$G/stages.txt" &&
	ok "the sonarqube stage's log says the gate failed" || { fail "no gate verdict in the log"; cat "$G/stages.txt"; }
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
finish
