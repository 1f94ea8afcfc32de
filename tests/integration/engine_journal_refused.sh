#!/bin/sh
# No change starts without a durable intent (docs/reliability.md row 23): when
# the journal cannot be written (kubesim's refuse_write fault answers 500 to the
# writes of the journal's ConfigMaps and makes none), a new run changes nothing
# in the tenant's namespaces, and a resumed run stops before the step whose
# intent it could not write; both say so, and the run resumes once the journal
# can be written again.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
AUDIT="$KS_DIR/api-audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 0.001 --audit-log "$AUDIT"

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
pick() { jq -r "[.items[] | select(.provisioned==false and .model==\"smart\" and .status==\"active\")][$1].tcode" "$KS_DIR/catalog.json"; }
lower() { echo "$1" | tr 'T' 't'; }
faults() { kcurl -X PUT -H 'Content-Type: application/json' "$KS_URL/sim/v1/faults" -d "$1" >/dev/null; }
JPATH=/api/v1/namespaces/smartops-system/configmaps
A=$(pick 0); B=$(pick 1)
a=$(lower "$A"); b=$(lower "$B")
echo "tenants $A $B"

# the fault itself: a write refused is not made
faults '{"refuse_write":1,"write_path":"/api/v1/namespaces/default/configmaps"}'
code=$(kcurl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	"$KS_URL/api/v1/namespaces/default/configmaps" -d '{"metadata":{"name":"probe"}}')
got=$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces/default/configmaps/probe")
[ "$code" = 500 ] && [ "$got" = 404 ] && [ "$(kcurl "$KS_URL/sim/v1/faults" | jq .refuse_write)" = 0 ] &&
	ok "refuse_write: answered 500, nothing made, the count used up" || fail "refuse_write: $code, then $got"
faults '{}'

# 1. a new run whose journal cannot be written changes nothing
faults "{\"refuse_write\":1000,\"write_path\":\"$JPATH\"}"
n0=$(wc -l <"$AUDIT")
"$S" apply namespace --tcode "$A" --yes >/dev/null 2>"$KS_DIR/errA"; rc=$?
faults '{}'
[ $rc -ne 0 ] && ok "the apply fails (exit $rc)" || fail "the apply succeeded without a journal"
grep -qi "journal" "$KS_DIR/errA" && ok "it says the journal could not be written: $(grep -i journal "$KS_DIR/errA" | head -1)" ||
	{ fail "no word of the journal"; tail -3 "$KS_DIR/errA"; }
tail -n +"$((n0 + 1))" "$AUDIT" | grep -E " (POST|PUT|PATCH|DELETE) /api" | grep -v "$JPATH" |
	grep -v "leases\|accessreviews\|dryRun\|POST /api/v1/namespaces/smartops-system/events" >"$KS_DIR/writesA"
[ ! -s "$KS_DIR/writesA" ] && ok "no write reached the cluster besides the refused journal, the lease and the audit Event" ||
	{ fail "writes without a journal:"; head -5 "$KS_DIR/writesA"; }
for env in prod dev; do
	c=$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL/api/v1/namespaces/$a-$env")
	[ "$c" = 404 ] && ok "namespace $a-$env was not made" || fail "namespace $a-$env: $c"
done

# 2. a run killed at an intent, resumed while the journal refuses writes:
#    it stops before that step's change, which is then made once on a resume
SMARTOPS_TEST_KILL_AT_INTENT=4 "$S" apply namespace --tcode "$B" --yes >/dev/null 2>&1
RB=$("$S" runs --tcode "$B" -o json | jq -r '[.items[] | select(.state=="running")][0].run')
"$S" runs "$RB" -o json >"$KS_DIR/rb.json"
P=$(jq -r '.steps[4].path' "$KS_DIR/rb.json")
echo "    run $RB killed at the intent of step 4: $P"
[ "$(jq -r '.steps[4].state' "$KS_DIR/rb.json")" = applying ] || fail "step 4 is $(jq -r '.steps[4].state' "$KS_DIR/rb.json")"
P5=$(jq -r '.steps[5].path' "$KS_DIR/rb.json")
n0=$(wc -l <"$AUDIT")
faults "{\"refuse_write\":1000,\"write_path\":\"$JPATH\"}"
"$S" runs resume "$RB" --yes >/dev/null 2>"$KS_DIR/errB"; rc=$?
faults '{}'
[ $rc -ne 0 ] && grep -qi "journal" "$KS_DIR/errB" && ok "the resume stops (exit $rc), naming the journal" ||
	{ fail "resume without a journal: exit $rc"; tail -3 "$KS_DIR/errB"; }
c=$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL$P5")
[ "$c" = 404 ] && ok "the next step's object ($P5) was not made" || fail "$P5 exists ($c) without its intent"
tail -n +"$((n0 + 1))" "$AUDIT" | grep -E "(POST|PUT|PATCH) " | grep -F "$P5 " | grep -v dryRun >"$KS_DIR/writesB"
[ ! -s "$KS_DIR/writesB" ] && ok "no write was sent for it (audit log)" || { fail "writes for $P5:"; head -3 "$KS_DIR/writesB"; }
"$S" runs resume "$RB" --yes >/dev/null 2>"$KS_DIR/errB2"; rc=$?
[ $rc -eq 0 ] && [ "$(kcurl -o /dev/null -w '%{http_code}' "$KS_URL$P5")" = 200 ] &&
	ok "with the journal writable again, the resume finishes the run" || { fail "second resume: exit $rc"; tail -3 "$KS_DIR/errB2"; }
finish
