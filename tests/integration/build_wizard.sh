#!/bin/sh
# The custom-build wizard against kubesim, with a bare repository the test makes: the
# plan (golden file); the commit built is the one `git rev-parse REF` gives and the
# compile log lists the repository's sources; a missing ref, a URL with a password,
# eSocial and a read-only user refused before any Job is made; the quality_gate and
# compile faults fail the build at their stage with the reason (exit 1, the gate's
# conditions on stderr) and such a build is never promoted. Its clock at 40x: every
# build here is awaited by the command that starts it. (Two builds at once and a
# SIGKILL mid-build: build_wizard_busy.sh, on the same set-up, build_setup.sh.)
. "$(dirname "$0")/lib.sh"
GOLDEN=tests/golden/plan_build.json
BW_SCALE=40
. "$(dirname "$0")/build_setup.sh"

# ---- the plan, as a golden file ----
"$S" plan build --tcode "$T" --ref main -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/plan.err"
rc=$?
jq -S . "$KS_DIR/plan.json" 2>/dev/null | sed "s|$REPO|REPO|g" >"$KS_DIR/plan.pretty"
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$KS_DIR/plan.pretty" "$GOLDEN"; ok "golden file rewritten: $GOLDEN"
elif [ $rc -eq 0 ] && diff -u "$GOLDEN" "$KS_DIR/plan.pretty" >"$KS_DIR/plan.diff"; then
	ok "plan matches $GOLDEN"
else
	fail "plan differs from $GOLDEN (rc $rc; UPDATE_GOLDEN=1 regenerates)"; head -40 "$KS_DIR/plan.diff"; cat "$KS_DIR/plan.err"
fi
[ "$(jq -r '.steps[0].body.metadata.annotations["smart.totvs.com/commit"]' "$KS_DIR/plan.json")" = "$MAIN" ] &&
	ok "the plan builds the commit git rev-parse main gives" || fail "plan commit"
[ "$(jq -r '[.steps[0].body.spec.template.spec.initContainers[].name] | join(",")' "$KS_DIR/plan.json")" = \
	checkout,sonarqube,compile,upload ] && ok "the stages are the init containers, in order" || fail "stages"
grep -q "branch main is commit $MAIN" "$KS_DIR/plan.err" && ok "the plan says which commit main is" ||
	{ fail "plan note"; cat "$KS_DIR/plan.err"; }

# ---- refusals before any Job is made ----
expect_out "a missing ref refused, naming it" 'has no branch or tag "nope"' "$S" apply build --tcode "$T" --ref nope --yes
expect_out "a commit the repository lacks refused" "has no commit 0123456789012345678901234567890123456789" \
	"$S" apply build --tcode "$T" --ref 0123456789012345678901234567890123456789 --yes
"$S" apply build --tcode "$T" --ref main --repo "https://olga:s3cret@git.example.com/x.git" --yes >/dev/null 2>"$KS_DIR/err"
[ $? -ne 0 ] && grep -q "holds a password" "$KS_DIR/err" && ! grep -q s3cret "$KS_DIR/err" &&
	ok "a URL with a password refused, the password never repeated" || { fail "password URL"; cat "$KS_DIR/err"; }
expect_out "an unreachable repository refused" "cannot read repository file:///nonexistent.git" \
	"$S" apply build --tcode "$T" --ref main --repo file:///nonexistent.git --yes
expect_out "eSocial refused" "$ESOCIAL is a Smart eSocial tenant: eSocial has no custom builds" \
	"$S" apply build --tcode "$ESOCIAL" --ref main --repo "$URL" --yes
"$S" --readonly apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/err"
[ $? -eq 4 ] && ok "--readonly refused (exit 4)" || { fail "--readonly"; cat "$KS_DIR/err"; }
"$S" --context kubesim-support apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/err"
[ $? -eq 4 ] && ok "the read-only user refused (exit 4)" || { fail "read-only user"; cat "$KS_DIR/err"; }
[ "$(our_jobs dev)" = 0 ] && [ "$(our_jobs prod)" = 0 ] && ok "no Job made by any refusal" ||
	fail "a refusal made a Job"

# ---- a build: the commit of main, the sources compiled, the RPO in the bucket ----
"$S" apply build --tcode "$T" --ref main --yes >"$KS_DIR/out" 2>"$KS_DIR/err"
rc=$?
[ $rc -eq 0 ] && ok "build 1 of main: exit 0" || { fail "apply build (rc $rc)"; cat "$KS_DIR/err"; }
grep -q "build 1 succeeded: commit $MAIN, quality gate OK" "$KS_DIR/err" && ok "... said succeeded, gate OK" ||
	{ fail "build 1 outcome"; cat "$KS_DIR/err"; }
job=$(kcurl "$jobs_api/$t-dev/jobs/custombuild-1")
[ "$(echo "$job" | jq -r '.metadata.annotations["smart.totvs.com/commit"]')" = "$MAIN" ] &&
	[ "$(echo "$job" | jq -r '.spec.template.spec.initContainers[2].env[] | select(.name=="COMMIT").value')" = "$MAIN" ] &&
	ok "the Job builds $MAIN (the annotation and COMMIT)" || fail "Job commit"
[ "$(echo "$job" | jq -r '.spec.backoffLimit, .spec.ttlSecondsAfterFinished' | tr '\n' ' ')" = "0 86400 " ] &&
	ok "backoffLimit 0, a TTL" || fail "backoffLimit/ttl"
pod=$(kubectl -n "$t-dev" get pods -l job-name=custombuild-1 -o jsonpath='{.items[0].metadata.name}')
kubectl -n "$t-dev" logs "$pod" -c compile >"$KS_DIR/compile.log" 2>&1
grep -q "src/FAT001.prw" "$KS_DIR/compile.log" && grep -q "src/fin002.tlpp" "$KS_DIR/compile.log" &&
	grep -q "src/FAT003.PRX" "$KS_DIR/compile.log" && ! grep -q README "$KS_DIR/compile.log" &&
	ok "the compile log lists the repository's sources" || { fail "compile log"; cat "$KS_DIR/compile.log"; }
"$S" builds "$T" 1 --logs >"$KS_DIR/logs" 2>&1 && grep -q "^==> compile <==" "$KS_DIR/logs" &&
	grep -q "compiling src/FAT003.PRX" "$KS_DIR/logs" && grep -q "^quality gate OK" "$KS_DIR/logs" &&
	grep -q "^commit  *$MAIN" "$KS_DIR/logs" && ok "builds T 1 --logs: the build, then each stage's log" ||
	{ fail "builds --logs"; head -30 "$KS_DIR/logs"; }
b1=$(build_json 1)
[ "$(echo "$b1" | jq -r '.state, .quality_gate, .commit, .ref, .env' | tr '\n' ' ')" = "succeeded OK $MAIN main dev " ] &&
	ok "builds: 1 succeeded, gate OK, the commit and ref" || { fail "builds entry"; echo "$b1"; }
[ "$(echo "$b1" | jq -r .rpo)" = "${SCHEME}$(echo "$b1" | jq -r .rpo | cut -d/ -f3-)" ] &&
	echo "$b1" | jq -e '.rpo | endswith("/'"$t"'/dev/1/custom.rpo")' >/dev/null &&
	ok "the RPO in the $PROVIDER bucket: $(echo "$b1" | jq -r .rpo)" || { fail "rpo"; echo "$b1"; }
"$S" builds "$T" -o json | jq -e '.kind=="BuildList" and (.items[0] | has("promoted") and has("started") and has("by"))' >/dev/null &&
	ok "builds -o json is a BuildList" || fail "BuildList shape"
kubectl -n "$t-dev" get configmap custom-builds -o jsonpath='{.data.builds\.json}' |
	jq -e '.[] | select(.id=="1" and .state=="succeeded" and .run != null)' >/dev/null &&
	ok "the history ConfigMap custom-builds records it" || fail "history ConfigMap"

# ---- an annotated tag: its commit ----
"$S" apply build --tcode "$T" --ref v1 --yes >/dev/null 2>"$KS_DIR/err" || { fail "build v1"; cat "$KS_DIR/err"; }
[ "$(build_json 2 | jq -r .commit)" = "$V1" ] && ok "tag v1 built at the commit it points to" || fail "tag commit"

# ---- the quality gate fails: exit 1, the conditions on stderr, never promoted ----
kcurl -X PUT -d '{"quality_gate":"fail"}' "$KS_URL/sim/v1/faults" >/dev/null
"$S" apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/err"
rc=$?
[ $rc -eq 1 ] && grep -q "quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%" "$KS_DIR/err" &&
	grep -q "build 3 failed at stage sonarqube" "$KS_DIR/err" &&
	ok "a failed quality gate: exit 1, the stage and the conditions on stderr" || { fail "gate fault (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(build_json 3 | jq -r '.state, .stage, .quality_gate, (.conditions | length)' | tr '\n' ' ')" = "failed sonarqube ERROR 2 " ] &&
	ok "builds: 3 failed at sonarqube with 2 conditions" || { fail "gate entry"; build_json 3; }
expect_out "a build that failed its gate is never promoted" "failed its quality gate .*never promoted" \
	"$S" promote "$T" 3 --env dev --yes

# ---- compile fails ----
kcurl -X PUT -d '{"compile":"fail"}' "$KS_URL/sim/v1/faults" >/dev/null
"$S" apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/err"
rc=$?
[ $rc -eq 1 ] && grep -q "build 4 failed at stage compile" "$KS_DIR/err" && grep -q "compile failed: " "$KS_DIR/err" &&
	ok "a failed compile: exit 1, the stage and its message" || { fail "compile fault (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(build_json 4 | jq -r '.state, .stage, .quality_gate' | tr '\n' ' ')" = "failed compile OK " ] &&
	ok "builds: 4 failed at compile, its gate OK" || { fail "compile entry"; build_json 4; }
expect_out "a build that failed is never promoted" "build 4 of $T failed at stage compile.*never promoted" \
	"$S" promote "$T" 4 --env dev --yes
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null

finish
