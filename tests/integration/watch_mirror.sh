#!/bin/sh
# Fault-matrix row 4: an informer keeps a collection while it churns and the API cuts
# its watches, answers 410 Gone to them and cuts list bodies in half; once the faults
# stop, its copy equals the server's object by object (name and resourceVersion), and
# no list or watch delivered an object twice; a server that answers every watch 410 is
# not hammered. Waits are for conditions: the copy is
# compared until it matches, within a generous bound.
. "$(dirname "$0")/lib.sh"
P="$BUILD/tests/k8sprobe"
ks_start --start-time "$KS_QUIET_START" --fleet 1 --seed 3 --time-scale 1 --no-traffic
NS=mirror
COLL="/api/v1/namespaces/$NS/configmaps"
kcurl -X POST -H 'Content-Type: application/json' -d "{\"metadata\":{\"name\":\"$NS\"}}" "$KS_URL/api/v1/namespaces" >/dev/null
cm() { printf '{"metadata":{"name":"%s"},"data":{"v":"%s"}}' "$1" "$2"; }
for i in $(seq 1 40); do kreq POST "$KS_URL$COLL" "$(cm "cm-$i" 0)"; done | kcurl_many

fault() { kcurl -X PUT -d "$1" "$KS_URL/sim/v1/faults" >/dev/null; }
# from the start: watches closed after a second
fault '{"watch_cut_s":1}'
"$P" --kubeconfig "$KUBECONFIG" --limit 10 mirror "$COLL" "$KS_DIR/mirror" "$KS_DIR/stop" 2>"$KS_DIR/mirror.err" &
MP=$!
listed() { grep -q '^# synced=1 ' "$KS_DIR/mirror" 2>/dev/null; }
wait_for "the mirror lists the collection" 60 listed

# churn: creates, updates and deletes, one after another, until told to stop: a round's
# three requests through one curl, about 6 rounds a second (as many as three curls a
# round made alone; a loop with no pause took all the CPU the machine had free, and
# with one curl a round made 209 rounds where those made 78)
churn() {
	n=41
	while [ ! -f "$KS_DIR/churn.stop" ]; do
		{
			kreq POST "$KS_URL$COLL" "$(cm "cm-$n" 0)"
			kreq PATCH "$KS_URL$COLL/cm-$((n % 37 + 1))" "{\"data\":{\"v\":\"$n\"}}" application/merge-patch+json
			kreq DELETE "$KS_URL$COLL/cm-$((n - 13))"
		} | kcurl_many 2>/dev/null
		sleep 0.05
		n=$((n + 1))
		echo "$n" >"$KS_DIR/churn.at"
	done
	echo "$n" >"$KS_DIR/churn.n"
}
churn &
CP=$!
stop_all() { touch "$KS_DIR/churn.stop" "$KS_DIR/stop"; wait $CP 2>/dev/null; wait $MP 2>/dev/null; }
trap 'stop_all; ks_cleanup' EXIT INT TERM

lists() { sed -n 's/^# .* lists=\([0-9]*\).*/\1/p' "$KS_DIR/mirror"; }
watches() { sed -n 's/^# .* watches=\([0-9]*\).*/\1/p' "$KS_DIR/mirror"; }
errors() { sed -n 's/^# .* errors=\([0-9]*\).*/\1/p' "$KS_DIR/mirror"; }
more_watches() { [ "$(watches)" -ge 4 ]; }
wait_for "watches cut after a second each: reopened from their resourceVersion (3 times or more)" 60 more_watches
# then every watch answers 410 Gone and every list body is cut in half: the lists fail
e0=$(errors)
fault '{"gone_watch":1,"truncate_rate":1}'
more_errors() { [ "$(errors)" -ge $((e0 + 3)) ]; }
wait_for "410 Gone, then lists cut short: errors the informer backs off from" 60 more_errors
# lists whole again, watches still 410: each time a fresh list
l0=$(lists)
fault '{"gone_watch":1}'
more_lists() { [ "$(lists)" -ge $((l0 + 3)) ]; }
wait_for "410 Gone on the watch: the informer relisted (3 times or more)" 60 more_lists
fault '{"watch_cut_s":1}'
churned() { [ "$(cat "$KS_DIR/churn.at" 2>/dev/null || echo 0)" -ge 81 ]; }
wait_for "the churn went on through it all (40 rounds or more)" 120 churned
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
touch "$KS_DIR/churn.stop"; wait $CP
echo "churn made $(($(cat "$KS_DIR/churn.n") - 41)) rounds of create, update, delete"

server() { kcurl "$KS_URL$COLL" | jq -r '.items[] | "\(.metadata.name) \(.metadata.resourceVersion)"' | sort; }
same() { server >"$KS_DIR/server"; grep -v '^#' "$KS_DIR/mirror" >"$KS_DIR/copy"; cmp -s "$KS_DIR/server" "$KS_DIR/copy"; }
if wait_for "the informer's copy equals the server's, name by name and resourceVersion" 60 same; then :; else
	diff "$KS_DIR/server" "$KS_DIR/copy" | head -10
fi
head -1 "$KS_DIR/mirror"
[ "$(lists)" -lt 100 ] && ok "a server that answers every watch 410 is relisted with a backoff, not in a loop ($(lists) lists)" ||
	fail "$(lists) lists: the informer relists in a loop"
grep -q ' dups=0 unknown=0$' "$KS_DIR/mirror" && ok "no object delivered twice, no change for an object not held" ||
	fail "duplicates or unknown objects: $(head -1 "$KS_DIR/mirror")"
[ "$(wc -l <"$KS_DIR/server")" -gt 20 ] && ok "the collection holds $(wc -l <"$KS_DIR/server") objects" || fail "collection too small"
touch "$KS_DIR/stop"; wait $MP && ok "the mirror stops when asked" || fail "mirror exit"

# row 1: a cluster that refuses connections is retried with a growing backoff (0.8 s
# doubling, jittered, up to 30 s), never in a loop: in 12 s a handful of attempts
dead_kubeconfig "$KS_DIR/dead.kubeconfig"
KUBECONFIG="$KUBECONFIG:$KS_DIR/dead.kubeconfig" "$P" --context dead mirror "$COLL" "$KS_DIR/dead" "$KS_DIR/dead.stop" 2>/dev/null &
DP=$!
sleep 12
touch "$KS_DIR/dead.stop"; wait $DP
e=$(sed -n 's/^# .* errors=\([0-9]*\).*/\1/p' "$KS_DIR/dead")
head -1 "$KS_DIR/dead"
[ -n "$e" ] && [ "$e" -ge 2 ] && [ "$e" -le 8 ] && ok "a refusing cluster: $e attempts in 12 s, backing off" ||
	fail "a refusing cluster: ${e:-no} attempts in 12 s (wanted 2 to 8)"
finish
