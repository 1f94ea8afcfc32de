# Watches: 100 at once, bookmarks, timeoutSeconds, and 410 for a version older than the window.
. tests/integration/lib.sh
ks_start --start-time "$KS_QUIET_START" --watch-window 200
kcurl -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"w"}}' "$KS_URL/api/v1/namespaces" >/dev/null
rv=$(kcurl "$KS_URL/api/v1/namespaces/w/configmaps?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["resourceVersion"])')

i=0; WPIDS=""
while [ $i -lt 100 ]; do
	kcurl -N "$KS_URL/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=$rv&timeoutSeconds=120" >"$KS_DIR/w$i.out" 2>&1 &
	WPIDS="$WPIDS $!"
	i=$((i + 1))
done
kcurl -X POST -H 'Content-Type: application/json' -d '{"metadata":{"name":"seen-by-all"},"data":{"a":"b"}}' \
	"$KS_URL/api/v1/namespaces/w/configmaps" >/dev/null
# each watch starts from $rv, so it gets the event however late its curl connects:
# a loaded machine only makes the wait longer
n=0; t=0
while [ $t -lt 450 ]; do
	n=$(grep -l '"type":"ADDED".*"name":"seen-by-all"' "$KS_DIR"/w*.out 2>/dev/null | wc -l)
	[ "$n" -eq 100 ] && break
	sleep 0.2; t=$((t + 1))
done
[ "$n" -eq 100 ] && ok "100 concurrent watches each saw the ADDED event" || fail "only $n of 100 watches saw the event"
kill $WPIDS 2>/dev/null; wait $WPIDS 2>/dev/null

# timeoutSeconds ends the stream cleanly
t0=$(date +%s)
kcurl -N "$KS_URL/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=$rv&timeoutSeconds=2" >"$KS_DIR/to.out"
t1=$(date +%s)
[ $((t1 - t0)) -le 10 ] && ok "timeoutSeconds=2 ends the watch ($((t1 - t0))s)" || fail "timeoutSeconds=2 took $((t1 - t0))s"

# bookmarks when allowed (sent after 10 s of quiet)
kcurl -N "$KS_URL/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=$rv&allowWatchBookmarks=true&timeoutSeconds=13" >"$KS_DIR/bm.out"
grep -q '"type":"BOOKMARK"' "$KS_DIR/bm.out" && ok "a quiet watch with allowWatchBookmarks gets a BOOKMARK" || fail "no BOOKMARK"

# rv=0: the current state first, as ADDED
kcurl -N "$KS_URL/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1" >"$KS_DIR/z.out"
grep -q '"type":"ADDED".*seen-by-all' "$KS_DIR/z.out" && ok "watch from 0 starts with the current objects" || fail "watch from 0 missed the current objects"

# push the window past the first version: the old version answers 410 Expired in-stream
# (250 creates in one curl, one connection: a process each took 10 s on a busy machine)
i=0
while [ $i -lt 250 ]; do
	[ $i -gt 0 ] && echo next
	printf 'url = "%s/api/v1/namespaces/w/configmaps"\nrequest = "POST"\n' "$KS_URL"
	printf 'header = "Content-Type: application/json"\nheader = "Authorization: Bearer %s"\n' "$KS_ADMIN_TOKEN"
	printf 'cacert = "%s"\noutput = "/dev/null"\n' "$KS_CA"
	printf 'data = "{\\"metadata\\":{\\"name\\":\\"fill-%d\\"}}"\n' "$i"
	i=$((i + 1))
done >"$KS_DIR/fill.curl"
curl -sS -K "$KS_DIR/fill.curl" || fail "the 250 creates"
[ "$(kcurl "$KS_URL/api/v1/namespaces/w/configmaps" | jq '[.items[] | select(.metadata.name | startswith("fill-"))] | length')" = 250 ] &&
	ok "250 more ConfigMaps made" || fail "not 250 ConfigMaps made"
kcurl -N "$KS_URL/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=$rv&timeoutSeconds=3" >"$KS_DIR/old.out"
grep -q '"type":"ERROR".*"code":410' "$KS_DIR/old.out" && ok "a version older than the window gets an ERROR event with 410" || { fail "no 410 for an old version"; head -c 400 "$KS_DIR/old.out"; }
finish
