#!/bin/sh
# Rollback deletes what the run created and nothing else; one run per tenant (the
# second operator is told who holds the lease); faults in the middle of an apply
# are retried or leave a journal that resumes to the truth.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
# the fleet starts no builds of its own (--no-builds): a build Job in a tenant the
# test made is an object the run did not create, and its roll back keeps the namespace
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 5 --time-scale 60 --no-builds

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select(.provisioned==false and .model==\"smart\" and .status==\"active\")][$1].tcode" "$KS_DIR/catalog.json"; }
A=$(pick 0); B=$(pick 1); C=$(pick 2); D=$(pick 3)
lower() { echo "$1" | tr 'T' 't'; }
echo "tenants $A $B $C $D"
count() { # objects matching a label selector, outside smartops-system
	# shellcheck disable=SC2086
	klists "$1" $NS_PLAN_KINDS | jq -r '.items[] | .metadata.namespace // "-"' | grep -vc '^smartops-system$'
}
run_of() { "$S" runs --tcode "$1" -o json | jq -r '.items[0].run'; }
# applying FILE: waits until the apply whose stderr is FILE works on its first
# step, printed only once its journal says running (a file read a poll, not a
# smartops and a jq: those polls took the CPU the apply needed)
applying() {
	i=0; while ! grep -q '^smartops: \[1/' "$1" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 1500 ] && break; sleep 0.02; done
}

# ---- a whole run rolled back; what existed before stays ----
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/default/configmaps" \
	-d '{"metadata":{"name":"keep-me"},"data":{"a":"b"}}' >/dev/null
before=$(kcurl "$KS_URL/api/v1/namespaces" | jq '.items | length')
"$S" apply namespace --tcode "$A" --yes >"$KS_DIR/runA" 2>"$KS_DIR/err"; rc=$?
RA=$(cat "$KS_DIR/runA")
N=$(count "smart.totvs.com/run=$RA")
[ $rc -eq 0 ] && [ "$N" -gt 40 ] && ok "apply of $A made $N objects" || { fail "apply $A (rc $rc)"; tail "$KS_DIR/err"; }
"$S" runs rollback "$RA" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "rolled back: $N deleted, 0 restored, 0 kept" "$KS_DIR/err" && ok "rollback of $A deleted $N objects" || { fail "rollback $A (rc $rc)"; tail "$KS_DIR/err"; }
[ "$(count "smart.totvs.com/run=$RA")" = 0 ] && [ "$(count "smart.totvs.com/tcode=$A")" = 0 ] && ok "nothing the run created is left" || fail "objects of $A left"
[ "$(kcurl "$KS_URL/api/v1/namespaces/default/configmaps/keep-me" | jq -r .data.a)" = b ] && ok "the object that existed before is untouched" || fail "keep-me gone"
[ "$(kcurl "$KS_URL/api/v1/namespaces" | jq '.items | length')" = "$before" ] && ok "the namespaces that existed before are all there" || fail "namespace count changed"
[ "$("$S" runs "$RA" -o json | jq -r .state)" = rolled-back ] && ok "journal says rolled-back" || fail "journal state after rollback"
expect_out "a rolled-back run cannot be resumed" "was rolled back" "$S" runs resume "$RA" --yes
[ "$(grep -c "run=$RA action=delete .*result=ok" "$SMARTOPS_AUDIT_LOG")" = "$N" ] && ok "audit log has one delete per object" || fail "audit deletes"

# ---- a stopped run rolled back around an object someone else put in its namespace ----
SMARTOPS_TEST_KILL_AFTER=20 "$S" apply namespace --tcode "$B" --yes >/dev/null 2>&1
RB=$(run_of "$B")
b=$(lower "$B")
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/api/v1/namespaces/$b-prod/configmaps" \
	-d '{"metadata":{"name":"customer-notes"},"data":{"note":"keep"}}' >/dev/null
"$S" runs rollback "$RB" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && grep -q "namespace $b-prod kept: it holds configmaps/customer-notes" "$KS_DIR/err" &&
	ok "rollback keeps a namespace holding an object the run did not create, and says why" || { fail "rollback $B (rc $rc)"; cat "$KS_DIR/err"; }
[ "$(kcurl "$KS_URL/api/v1/namespaces/$b-prod/configmaps/customer-notes" | jq -r .data.note)" = keep ] && ok "that object is untouched" || fail "customer-notes gone"
[ "$(count "smart.totvs.com/run=$RB")" = 1 ] && ok "of the run's objects only that namespace is left" || fail "$(count "smart.totvs.com/run=$RB") objects of run $RB left"
[ "$("$S" runs "$RB" -o json | jq -r '.steps[0].state')" = kept ] && ok "journal marks the namespace kept" || fail "journal step 0 state"

# ---- one run per tenant ----
kcurl -X PUT -d '{"latency_ms":15}' "$KS_URL/sim/v1/faults" >/dev/null
SMARTOPS_LEASE_SECONDS=3 "$S" apply namespace --tcode "$C" --yes >"$KS_DIR/runC" 2>"$KS_DIR/errC" &
first=$!
applying "$KS_DIR/errC"
"$S" apply namespace --tcode "$C" --yes >/dev/null 2>"$KS_DIR/err2"; rc2=$?
c=$(lower "$C")
renew_time() { kcurl "$KS_URL/apis/coordination.k8s.io/v1/namespaces/smartops-system/leases/provision-$c" | jq -r .spec.renewTime; }
renew1=$(renew_time)
# the run renews its 3 s lease every second or so: until the time moves (or the lease goes)
i=0; while renew2=$(renew_time) && [ "$renew2" = "$renew1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
wait $first; rc1=$?
[ "$renew1" != null ] && [ "$renew2" != null ] && [ "$renew1" != "$renew2" ] &&
	ok "the lease is renewed while the run works ($renew1 -> $renew2)" || fail "lease not renewed ($renew1, $renew2)"
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
RC=$(cat "$KS_DIR/runC")
[ $rc1 -eq 0 ] && [ $rc2 -eq 1 ] && grep -q "tenant $C is being changed by .* run=$RC" "$KS_DIR/err2" &&
	ok "a second apply for $C is refused, the holder named" || { fail "concurrent applies (rc $rc1, $rc2)"; cat "$KS_DIR/err2"; }
[ "$(kcurl "$KS_URL/apis/coordination.k8s.io/v1/namespaces/smartops-system/leases" | jq '.items | length')" = 0 ] &&
	ok "leases released at the end" || fail "a lease was left behind"

# ---- permission lost mid-run (a burst of 403s): stop, offer rollback, roll back ----
"$S" runs rollback "$RC" --yes >/dev/null 2>&1 && [ "$(count "smart.totvs.com/tcode=$C")" = 0 ] || fail "rollback of $C"
kcurl -X PUT -d '{"latency_ms":15}' "$KS_URL/sim/v1/faults" >/dev/null
"$S" apply namespace --tcode "$C" --yes >/dev/null 2>"$KS_DIR/err403" &
pid=$!
applying "$KS_DIR/err403"
sleep 0.3
kcurl -X PUT -d '{"error_rate":1,"error_code":403}' "$KS_URL/sim/v1/faults" >/dev/null
sleep 1
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
wait $pid; rc=$?
R403=$(run_of "$C")
[ $rc -eq 5 ] && grep -q "permission denied" "$KS_DIR/err403" && grep -q "runs rollback $R403" "$KS_DIR/err403" &&
	ok "a 403 mid-run stops the run and offers rollback" || { fail "403 mid-run (rc $rc)"; tail -4 "$KS_DIR/err403"; }
made=$(count "smart.totvs.com/run=$R403")
"$S" runs rollback "$R403" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && [ "$made" -gt 0 ] && [ "$(count "smart.totvs.com/run=$R403")" = 0 ] &&
	ok "rollback after the 403 removed the $made objects the run had made" || { fail "rollback after 403 (rc $rc, made $made)"; tail -3 "$KS_DIR/err"; }

# ---- stop on request (SIGTERM, as when the SSH link drops): paused, then resumed ----
kcurl -X PUT -d '{"latency_ms":15}' "$KS_URL/sim/v1/faults" >/dev/null
"$S" apply namespace --tcode "$A" --yes >/dev/null 2>"$KS_DIR/errP" &
pid=$!
applying "$KS_DIR/errP"
kill -TERM $pid; wait $pid; rc=$?
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
RP=$(run_of "$A")
[ $rc -eq 5 ] && [ "$("$S" runs "$RP" -o json | jq -r .state)" = paused ] && grep -q "paused before" "$KS_DIR/errP" &&
	ok "SIGTERM pauses the run at a step boundary (exit 5, journal paused)" || { fail "pause (rc $rc)"; tail -3 "$KS_DIR/errP"; }
[ "$(kcurl "$KS_URL/apis/coordination.k8s.io/v1/namespaces/smartops-system/leases" | jq '.items | length')" = 0 ] &&
	ok "a paused run gives its lease back" || fail "lease kept by a paused run"
"$S" runs resume "$RP" --yes >/dev/null 2>&1 && [ "$("$S" runs "$RP" -o json | jq -r .state)" = done ] &&
	ok "the paused run resumes to done" || fail "resume after pause"

# ---- someone else's lease: refused while fresh, taken over once expired (and recorded) ----
a=$(lower "$A")
lease() { # renewTime
	kcurl -X PUT -H 'Content-Type: application/json' \
		"$KS_URL/apis/coordination.k8s.io/v1/namespaces/smartops-system/leases/provision-$a" \
		-d "{\"metadata\":{\"name\":\"provision-$a\",\"namespace\":\"smartops-system\"},\"spec\":{\"holderIdentity\":\"vera@elsewhere:42 run=other\",\"leaseDurationSeconds\":30,\"renewTime\":\"$1\"}}" >/dev/null 2>&1 ||
	true
}
kcurl -X POST -H 'Content-Type: application/json' "$KS_URL/apis/coordination.k8s.io/v1/namespaces/smartops-system/leases" \
	-d "{\"metadata\":{\"name\":\"provision-$a\"},\"spec\":{\"holderIdentity\":\"vera@elsewhere:42 run=other\",\"leaseDurationSeconds\":30,\"renewTime\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000000Z)\"}}" >/dev/null
expect_out "a fresh lease of another operator refuses the run, naming the holder" \
	"tenant $A is being changed by vera@elsewhere:42 run=other" "$S" apply namespace --tcode "$A" --yes
lease "2020-01-01T00:00:00.000000Z"
"$S" apply namespace --tcode "$A" --yes >"$KS_DIR/runT" 2>"$KS_DIR/errT"; rc=$?
[ $rc -eq 0 ] && "$S" runs "$(cat "$KS_DIR/runT")" -o json | jq -e '.notes[] | select(test("lease taken over from vera@elsewhere:42 run=other \\(lease expired\\)"))' >/dev/null &&
	ok "an expired lease is taken over and the takeover recorded" || { fail "expired lease takeover (rc $rc)"; tail -3 "$KS_DIR/errT"; }

# ---- faults mid-apply: 503 bursts, then cut (truncated) bodies ----
fault_round() { # tenant fault-json what seconds [apply options]
	T=$1; t=$(lower "$T"); FJ=$2; WHAT=$3; SECS=$4; shift 4
	# the API's writes slowed down so that the apply is surely still running
	# when the fault comes, however loaded the machine (an apply takes ~2 s
	# otherwise); its observation and dry run, reads, keep their pace
	kcurl -X PUT -d '{"write_latency_ms":40}' "$KS_URL/sim/v1/faults" >/dev/null
	: >"$KS_DIR/errF" # emptied before: the apply's own truncation may come after the wait's first read
	"$S" apply namespace --tcode "$T" --yes "$@" >/dev/null 2>"$KS_DIR/errF" &
	pid=$!
	applying "$KS_DIR/errF"
	kcurl -X PUT -d "$(echo "$FJ" | jq -c '. + {write_latency_ms: 40}')" "$KS_URL/sim/v1/faults" >/dev/null
	# on for a while in the middle of the apply: SECS, or less when the apply has
	# ended meanwhile (the outage's apply gives up long before its 15 s)
	i=0; n=$(awk -v s="$SECS" 'BEGIN { print int(s * 20) }')
	while kill -0 $pid 2>/dev/null && [ $i -lt "$n" ]; do sleep 0.05; i=$((i + 1)); done
	kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
	wait $pid; rc=$?
	R=$(run_of "$T")
	state=$("$S" runs "$R" -o json | jq -r .state)
	echo "    $WHAT: apply exit $rc, journal $state $(grep -m1 'stopped' "$KS_DIR/errF")" | tee -a "$KS_DIR/rounds"
	if [ $rc -eq 0 ]; then
		[ "$state" = done ] || fail "$WHAT: exit 0 but journal $state"
	elif [ $rc -eq 5 ]; then
		grep -q "runs resume $R" "$KS_DIR/errF" && ok "$WHAT: stopped run says how to resume" || fail "$WHAT: no resume hint"
		"$S" runs resume "$R" --yes >/dev/null 2>"$KS_DIR/errF"; rc=$?
		[ $rc -eq 0 ] || { fail "$WHAT: resume after the fault (rc $rc)"; tail -5 "$KS_DIR/errF"; }
	else
		fail "$WHAT: apply exit $rc"; tail -5 "$KS_DIR/errF"
	fi
	"$S" runs "$R" -o json >"$KS_DIR/runF.json"
	nplan=$(jq '.steps | length' "$KS_DIR/runF.json")
	have=$(count "smart.totvs.com/run=$R")
	# each step's object read back (one curl for all: one answer, one run label, a line each)
	ours=$(kcurl -g $(jq -r --arg u "$KS_URL" '.steps[] | $u + .path' "$KS_DIR/runF.json") |
		jq -r '.metadata.labels["smart.totvs.com/run"]' | grep -cxF "$R")
	bad=$((nplan - ours))
	[ "$have" = "$nplan" ] && [ $bad -eq 0 ] && [ "$(jq -r .state "$KS_DIR/runF.json")" = done ] &&
		ok "$WHAT: every planned object exists once, made by the run, journal done" ||
		fail "$WHAT: $have objects for $nplan steps, $bad missing, journal $(jq -r .state "$KS_DIR/runF.json")"
}
fault_round "$D" '{"error_rate":0.5,"error_code":503,"retry_after_s":0}' "503 burst" 0.5
E=$(pick 4)
fault_round "$E" '{"truncate_rate":0.5}' "cut bodies" 0.5
# an outage longer than the engine's patience: it must stop, not claim success
F=$(pick 5)
# (longer than a step's write is tried: 8 s, reads included)
fault_round "$F" '{"error_rate":1,"error_code":503,"retry_after_s":0}' "503 outage" 15 --timeout 2
[ "$(grep -c 'outage: apply exit 5' "$KS_DIR/rounds")" = 1 ] && ok "503 outage: the apply stopped (exit 5) rather than report success" || fail "503 outage did not stop the apply"
finish
