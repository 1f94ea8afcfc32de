#!/bin/sh
# Fault-matrix row 8: the terminal of a running apply goes away (SIGHUP). The run
# stops at its next step boundary, well before it would have finished, exits on its
# own with the journal saying where it stopped (nothing half-done), holds no CPU after,
# and a resume by a new process finishes it with every object made once.
# Timing is not asserted against the machine: each request is slowed by kubesim so
# that the whole apply takes far longer than the generous bound given to the stop.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 11 --time-scale 60

T=$(kcurl "$KS_URL/catalog/v1/tenants" |
	jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active")][0].tcode')
t=$(echo "$T" | tr 'T' 't')
N=$("$S" plan namespace --tcode "$T" -o json | jq '.steps | length')
echo "tenant $T, $N steps"
[ "$N" -gt 20 ] || { fail "plan has $N steps"; finish; }

# every write 300 ms (reads and dry runs keep their pace): the apply's steps,
# a write or more each, take over 15 s in all
kcurl -X PUT -d '{"write_latency_ms":300}' "$KS_URL/sim/v1/faults" >/dev/null
"$S" apply namespace --tcode "$T" --yes >"$KS_DIR/apply.out" 2>"$KS_DIR/apply.err" &
PID=$!
# the fourth step's line (printed as it starts): three steps done, the journal
# saying so (a file read a poll, not two smartops and jq)
wait_for "the apply is under way (3 steps done)" 120 grep -q '^smartops: \[4/' "$KS_DIR/apply.err"
kill -HUP $PID
"$S" runs --tcode "$T" -o json | jq -r '.items[0].run // empty' >"$KS_DIR/run"
t0=$(date +%s)
i=0
while kill -0 $PID 2>/dev/null && [ $i -lt 75 ]; do sleep 0.2; i=$((i + 1)); done
if kill -0 $PID 2>/dev/null; then
	fail "still running 15 s after SIGHUP"; kill -9 $PID
else
	ok "the apply ended by itself $(($(date +%s) - t0)) s after SIGHUP"
fi
wait $PID; rc=$?
[ $rc -eq 6 ] || [ $rc -eq 5 ] && ok "its exit status says it stopped before the end ($rc)" || { fail "exit status $rc"; cat "$KS_DIR/apply.err"; }
grep -q "stopping at the next step boundary" "$KS_DIR/apply.err" && ok "it said it stops at the next step boundary" ||
	{ fail "no word of stopping"; cat "$KS_DIR/apply.err"; }
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
RUN=$(cat "$KS_DIR/run")
"$S" runs "$RUN" -o json >"$KS_DIR/j.json"
st=$(jq -r .state "$KS_DIR/j.json")
nd=$(jq '[.steps[] | select(.state=="applied" or .state=="ready")] | length' "$KS_DIR/j.json")
na=$(jq '[.steps[] | select(.state=="applying")] | length' "$KS_DIR/j.json")
[ "$st" != done ] && [ "$nd" -lt "$N" ] && ok "the journal says $st after $nd of $N steps" || fail "journal: state $st, $nd done"
[ "$na" = 0 ] && ok "no step left between intent and change" || fail "$na step(s) left applying"
"$S" runs resume "$RUN" --yes >"$KS_DIR/out" 2>&1 && ok "a new process resumes the run" || { fail "resume"; cat "$KS_DIR/out"; }
"$S" runs "$RUN" -o json >"$KS_DIR/j.json"
[ "$(jq -r .state "$KS_DIR/j.json")" = done ] && [ "$(jq '[.steps[] | select(.state=="applied" or .state=="ready")] | length' "$KS_DIR/j.json")" = "$N" ] &&
	ok "the run is done, all $N steps" || fail "after resume: $(jq -c '[.state, ([.steps[].state] | unique)]' "$KS_DIR/j.json")"
n_cm=$(kcurl "$KS_URL/api/v1/namespaces/$t-prod/configmaps" | jq '[.items[].metadata.name] | length')
n_uniq=$(kcurl "$KS_URL/api/v1/namespaces/$t-prod/configmaps" | jq '[.items[].metadata.name] | unique | length')
[ "$n_cm" = "$n_uniq" ] && [ "$n_cm" -gt 0 ] && ok "each ConfigMap once ($n_cm)" || fail "ConfigMaps $n_cm, unique $n_uniq"
finish
