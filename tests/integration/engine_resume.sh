#!/bin/sh
# A run killed (SIGKILL) at every step boundary in turn, and between a step's
# intent and its change at a few steps, each time resumed by a new process: in
# the end every object exists once, created once (watched through the API),
# with the uid the journal recorded, and the dead holders' leases were taken over.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 11 --time-scale 60

T=$(kcurl "$KS_URL/catalog/v1/tenants" |
	jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active")][0].tcode')
echo "tenant $T"

# watch every kind the plan makes, from now on
WATCHERS=""
for p in api/v1/namespaces api/v1/configmaps api/v1/services api/v1/serviceaccounts \
	api/v1/resourcequotas api/v1/limitranges apis/apps/v1/deployments \
	apis/networking.k8s.io/v1/ingresses apis/networking.k8s.io/v1/networkpolicies \
	apis/rbac.authorization.k8s.io/v1/rolebindings; do
	f="$KS_DIR/watch.$(echo "$p" | tr '/' '_')"
	kcurl -N "$KS_URL/$p?watch=true&labelSelector=smart.totvs.com/tcode=$T" >"$f" 2>/dev/null &
	WATCHERS="$WATCHERS $!"
done
stop_watchers() { for w in $WATCHERS; do kill "$w" 2>/dev/null; wait "$w" 2>/dev/null; done; WATCHERS=""; }
trap 'stop_watchers; ks_cleanup' EXIT INT TERM
sleep 0.5

N=$("$S" plan namespace --tcode "$T" -o json | jq '.steps | length')
SMARTOPS_TEST_KILL_AFTER=0 "$S" apply namespace --tcode "$T" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 137 ] && ok "first process killed after step 0" || { fail "first process (rc $rc)"; cat "$KS_DIR/err"; }
RUN=$("$S" runs --tcode "$T" -o json | jq -r '.items[0].run')
[ "$("$S" runs "$RUN" -o json | jq -r .state)" = running ] && ok "journal of the killed run says running" || fail "journal state after kill"

killed=1; intent_ok=0
K=1
while [ $K -lt "$N" ]; do
	case " 1 9 26 40 $((N - 1)) " in
	*" $K "*)
		SMARTOPS_TEST_KILL_AT_INTENT=$K "$S" runs resume "$RUN" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
		st=$("$S" runs "$RUN" -o json | jq -r ".steps[$K].state")
		[ $rc -eq 137 ] && [ "$st" = applying ] && intent_ok=$((intent_ok + 1)) ||
			{ fail "kill at intent $K (rc $rc, step $st)"; cat "$KS_DIR/err"; }
		;;
	esac
	SMARTOPS_TEST_KILL_AFTER=$K "$S" runs resume "$RUN" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
	if [ $rc -eq 137 ]; then killed=$((killed + 1)); else fail "resume killed after $K (rc $rc)"; cat "$KS_DIR/err"; fi
	K=$((K + 1))
done
[ $killed -eq "$N" ] && ok "killed at each of the $N step boundaries" || fail "only $killed of $N kills"
[ $intent_ok -eq 5 ] && ok "killed between intent and change at 5 steps, the journal showing 'applying'" || fail "intent kills: $intent_ok of 5"
"$S" runs resume "$RUN" --yes >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc -eq 0 ] && ok "last resume finished the run" || { fail "last resume (rc $rc)"; tail -5 "$KS_DIR/err"; }
sleep 0.5
stop_watchers

"$S" runs "$RUN" -o json >"$KS_DIR/run.json"
[ "$(jq -r .state "$KS_DIR/run.json")" = done ] && ok "journal says done" || fail "journal state $(jq -r .state "$KS_DIR/run.json")"
[ "$(jq '[.steps[] | select(.created)] | length' "$KS_DIR/run.json")" = "$N" ] && ok "every step recorded as created by the run" || fail "created flags"
jq -e '[.notes[] | select(test("lease taken over from .*its process is gone"))] | length > 0' "$KS_DIR/run.json" >/dev/null &&
	ok "the dead holder's lease takeover is in the journal" || fail "no takeover note"

# each object: ADDED once, never DELETED, and its uid is the journal's (the run's
# own journal ConfigMap in smartops-system is not a planned object)
cat "$KS_DIR"/watch.* | jq -r 'select(.type=="ADDED") | "\(.object.kind)/\(.object.metadata.namespace // "")/\(.object.metadata.name) \(.object.metadata.uid)"' |
	grep -v '^ConfigMap/smartops-system/' | sort >"$KS_DIR/added"
dups=$(cut -d' ' -f1 "$KS_DIR/added" | uniq -d | wc -l)
added=$(wc -l <"$KS_DIR/added")
deleted=$(cat "$KS_DIR"/watch.* | jq -r 'select(.type=="DELETED") | .object.metadata.name' | wc -l)
[ "$added" -eq "$N" ] && [ "$dups" -eq 0 ] && [ "$deleted" -eq 0 ] &&
	ok "watches saw $N objects added once each, none deleted" || fail "watch: $added added, $dups twice, $deleted deleted (want $N, 0, 0)"
jq -r '.steps[] | "\(.kind) \(.uid) \(.path)"' "$KS_DIR/run.json" >"$KS_DIR/journal.uids"
# the live objects in one curl (one TLS handshake, in the journal's order) and
# one jq, not a curl and a jq each: a line per object, "null" for one not found
awk -v u="$KS_URL" '{ print "url = \"" u $3 "\"" }' "$KS_DIR/journal.uids" >"$KS_DIR/live.urls"
kcurl -K "$KS_DIR/live.urls" | jq -r .metadata.uid >"$KS_DIR/live.uids"
added_uids=" $(cut -d' ' -f2 "$KS_DIR/added" | tr '\n' ' ') "
[ "$(wc -l <"$KS_DIR/live.uids")" -eq "$(wc -l <"$KS_DIR/journal.uids")" ] || fail "not every journal step's object read back"
paste -d' ' "$KS_DIR/journal.uids" "$KS_DIR/live.uids" | while read -r kind uid path live; do
	[ "$live" = "$uid" ] || echo "    $path: journal $uid, live $live"
	case "$added_uids" in *" $uid "*) ;; *) echo "    $path: uid $uid never seen added" ;; esac
done >"$KS_DIR/uid.bad"
bad=$(wc -l <"$KS_DIR/uid.bad")
cat "$KS_DIR/uid.bad"
[ $bad -eq 0 ] && ok "every live uid is the one the journal recorded and the watch saw created" || fail "$bad uid mismatches"
creates=$(grep -c "run=$RUN action=create .*result=ok" "$SMARTOPS_AUDIT_LOG")
[ "$creates" -eq "$N" ] && ok "audit log: $N creates, one per object" || fail "audit log: $creates creates for $N objects"
events=$(kcurl "$KS_URL/api/v1/events" | jq --arg r "$RUN" '[.items[] | select(.reason=="SmartopsCreate" and (.message | contains($r)))] | length')
[ "$events" -eq "$N" ] && ok "one SmartopsCreate Event per object across the $((N + 6)) processes" || fail "$events create Events for $N objects"
finish
