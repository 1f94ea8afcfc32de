#!/bin/sh
# Screen tests of the namespace wizard and the runs screen against a kubesim
# of their own (fleet 10, seed 7, clock 60x): every wizard page and refusal,
# a full apply to done, Esc -> pause -> the run paused in the runs screen ->
# resume to done, a rollback (objects gone, checked through the API), the
# read-only user refused at the review, --readonly refused at once; ? and :
# on the pages and the runs screen; with two clusters, the cluster asked.
# UPDATE_GOLDEN=1 sh tests/integration/screen_wizard.sh build  rewrites the goldens.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

# no builds of the fleet's own: one started in a tenant the test made would keep
# its namespace through the roll back (how many start depends on the wall time taken)
ks_start --fleet 10 --seed 7 --start-time "$SCREEN_START" --time-scale 60 --no-builds

# run ids, run times and durations move from one run to the next
wizard_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		sed -E -i \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} HH:MM:SS/DATE HH:MM:SS/g' \
			-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{0,4}~/DATE~/g' \
			-e 's/[0-9]{4}-[0-9]{2}-[0-9]{0,2}~/DATE~/g' \
			-e 's/t[0-9]{5}-[0-9]{1,13}~/tNNNNN-RUNID~/g' \
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

# pause, runs, resume, rollback: the API's writes slowed down until the run is
# paused (its reads and dry runs keep their pace: the wizard's pages do not wait)
kcurl -X PUT -H 'Content-Type: application/json' "$KS_URL/sim/v1/faults" -d '{"write_latency_ms":150}' >/dev/null
screen_run runs &
run_pid=$!
i=0
while [ ! -f "$KS_DIR/screen-runs/paused.txt" ] && [ $i -lt 900 ]; do sleep 0.1; i=$((i + 1)); done
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
if wait "$run_pid"; then ok "runs: the script ran to its end"
else fail "runs: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-runs/stderr" | head -10; fi
R="$KS_DIR/screen-runs"
grep -q "Pause.*Roll back.*Continue" "$R/ask.txt" && ok "Esc asks: pause, roll back or continue" || fail "no question on Esc"
grep -q "Paused after" "$R/paused.txt" && grep -q "stopped" "$R/paused.txt" && ok "the run paused at a step boundary" || fail "not paused"
grep -Eq "T97116 +namespace +paused" "$R/runs-paused.txt" && ok "the runs screen shows the run paused" || fail "run not shown paused"
grep -q "Done after" "$R/resumed.txt" && ok "resumed to done from the console" || fail "resume did not finish"
grep -Eq "T97116 +namespace +done +52/52" "$R/runs-done.txt" && ok "the runs screen shows it done, 52/52" || fail "run not done in the list"
grep -q "Rolled back after" "$R/rolled-back.txt" && ok "rolled back from the console" || fail "rollback did not finish"
[ "$(objects_of T97116)" = 0 ] && ok "T97116's objects are gone (API)" ||
	{ fail "objects left after the rollback:"; kcurl "$KS_URL/api/v1/namespaces?labelSelector=smart.totvs.com/tcode=T97116" |
		jq -r '.items[].metadata.name'; sed 's/^/    /' "$R/rolled-back.txt"; }
for f in "$R"/*.txt; do screen_normalise "$f"; done
wizard_normalise runs
screen_compare runs runs-done.txt confirm-resume.txt

wizard_case wizard-denied --context kubesim-support
[ "$(objects_of T54630)" = 0 ] && ok "the read-only user changed nothing" || fail "objects of T54630 exist"

wizard_case wizard-readonly --readonly

# ? and : on every page that is not typing, the run's page too: the API's
# writes are slowed down until the display after help on the run page is saved
kcurl -X PUT -H 'Content-Type: application/json' "$KS_URL/sim/v1/faults" -d '{"write_latency_ms":100}' >/dev/null
screen_run wizard-keys &
run_pid=$!
K="$KS_DIR/screen-wizard-keys"
i=0
while [ ! -f "$K/run-back.txt" ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
if wait "$run_pid"; then ok "wizard-keys: the script ran to its end"
else fail "wizard-keys: smartops failed"; sed 's/^/    /' "$K/stderr" | head -10; fi
grep -q "Applying T54630" "$K/run-back.txt" && ok "help opened while the run applied, Esc went back to it" ||
	fail "the run page was not back after help (or the run ended first)"
[ "$(objects_of T54630)" -gt 2 ] && ok "the apply after help and the command line made T54630" || fail "T54630 not provisioned"
for f in "$K"/*.txt; do screen_normalise "$f"; done
wizard_normalise wizard-keys
screen_compare wizard-keys $(sed -n 's/^:save-display //p' "$SCREEN_DIR/wizard-keys.keys" | grep -v run-back)

# two clusters: the wizard asks which; the plan and the apply go there
t97116_before=$(objects_of T97116)
wizard_case wizard-clusters --context kubesim-admin,kubesim-support
C="$KS_DIR/screen-wizard-clusters"
grep -q "Plan for T97116 on kubesim-support" "$C/review-support.txt" && grep -q "not allowed" "$C/review-support.txt" &&
	ok "two clusters: the plan for kubesim-support was refused by its access review" || fail "two clusters: no refusal from kubesim-support"
grep -q "on cluster kubesim-admin" "$C/done.txt" && ok "two clusters: applied on kubesim-admin" || fail "two clusters: not applied on kubesim-admin"
[ "$t97116_before" = 0 ] && [ "$(objects_of T97116)" -gt 2 ] && ok "T97116 made through the second choice" || fail "T97116 not provisioned"
grep -q "T97116 kubesim-admin " "$C/runs.txt" && grep -q "T97116 kubesim-support " "$C/runs.txt" &&
	ok "two clusters: the runs screen lists each cluster's runs, named" || fail "two clusters: runs not listed per cluster"

# two clusters, one unreachable: its failure is said, the other's runs still listed
R="$KS_DIR/screen-runs-clusters"; mkdir -p "$R"
dead_kubeconfig "$KS_DIR/dead.kubeconfig"
(cd "$R" && env TZ=UTC LANG=C.UTF-8 LC_ALL= COLUMNS=80 LINES=24 TERM=xterm-256color \
	KUBECONFIG="$KUBECONFIG:$KS_DIR/dead.kubeconfig" timeout 120 "$BUILD/smartops" \
	--context kubesim-admin,dead --script "$SCREEN_DIR/runs-clusters.keys" >stdout 2>stderr) &&
	ok "runs-clusters: the script ran to its end" || { fail "runs-clusters: smartops failed"; head -5 "$R/stderr"; }
grep -q "^ *dead: .*127.0.0.1" "$R/runs.txt" && ok "runs, a cluster unreachable: named with why, above the list" ||
	{ fail "runs: the unreachable cluster not named"; cat "$R/runs.txt"; }
[ "$(grep -c "^T[0-9]\{5\} kubesim-admin " "$R/runs.txt")" -ge 4 ] &&
	ok "runs, a cluster unreachable: the other's runs still listed" || { fail "runs: the reachable cluster's runs missing"; cat "$R/runs.txt"; }

[ -n "${WIZARD_KEEP:-}" ] && rm -rf "$WIZARD_KEEP" && cp -r "$KS_DIR" "$WIZARD_KEEP"
finish
