#!/bin/sh
# The custom-build wizard with a build running (the set-up of build_wizard.sh, in
# tests/integration/build_setup.sh): two builds at once, the second refused naming
# the first; SIGKILL of smartops during a build, then `smartops builds` still tells
# the truth. Its clock at 10x: a build runs about 10 s, long enough to be caught
# running on a loaded machine.
. "$(dirname "$0")/lib.sh"
BW_SCALE=10
. "$(dirname "$0")/build_setup.sh"

# ---- one build per tenant at a time ----
"$S" apply build --tcode "$T" --ref main --no-wait --yes >/dev/null 2>"$KS_DIR/err" &&
	grep -q "build 1 started" "$KS_DIR/err" && ok "--no-wait: build 1 started, the command returned" ||
	{ fail "--no-wait"; cat "$KS_DIR/err"; }
"$S" apply build --tcode "$T" --ref main --env prod --yes >/dev/null 2>"$KS_DIR/err"
rc=$?
[ $rc -eq 1 ] && grep -q "build 1 of $T is running in dev (Job $t-dev/custombuild-1, started by kubesim-admin)" "$KS_DIR/err" &&
	ok "a second build of the tenant refused, the running one and its holder named" || { fail "second build (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(our_jobs prod)" = 0 ] && ok "... and no Job made for it" || fail "second build made a Job"
done1() { build_json 1 | jq -e '.state == "succeeded"'; }
wait_for "build 1 succeeds on its own" 120 done1

# ---- SIGKILL of smartops during a build: builds still tells the truth ----
"$S" apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/kill.err" &
AP=$!
running2() { kcurl "$jobs_api/$t-dev/jobs/custombuild-2" | jq -e '.status.active == 1'; }
wait_for "build 2 runs" 60 running2
kill -9 $AP; wait $AP 2>/dev/null
[ "$(build_json 2 | jq -r .state)" = running ] && ok "killed mid-build: builds says 2 is running" ||
	{ fail "state after kill"; build_json 2; }
wait_for "after the kill, builds says 2 succeeded (read from its Job)" 120 sh -c \
	"\"$S\" builds $T -o json | jq -e '.items[] | select(.id==\"2\") | .state==\"succeeded\" and .quality_gate==\"OK\"'"
kubectl -n "$t-dev" get configmap custom-builds -o jsonpath='{.data.builds\.json}' |
	jq -e '.[] | select(.id=="2" and .state=="succeeded")' >/dev/null &&
	ok "... and the history ConfigMap was made true" || fail "history after kill"
"$S" builds "$T" >"$KS_DIR/table" 2>&1 && grep -Eq "^ *2 +dev +succeeded" "$KS_DIR/table" &&
	ok "builds as a table" || { fail "builds table"; cat "$KS_DIR/table"; }
expect_out "builds of a bad TCODE: usage" "TCODE must be" "$S" builds T1

finish
