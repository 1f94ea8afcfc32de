#!/bin/sh
# smartops tenants --watch --changes -o json: the whole TenantList first, then
# one event a line for what changed only. The first listing's rows come
# loading, their health by events after; then a Deployment scaled to 0 is its
# tenant's MODIFIED (prod down), a tenant's namespaces deleted its DELETED and
# the cluster's count a ClusterEvent. The events applied to the first list
# give the tenants a one-shot `tenants -o json` lists, and no tenant is printed
# again unchanged (crash-looping pods' restarts do change theirs). --changes without --watch -o json: exit 2.
. "$(dirname "$0")/lib.sh"
SO="$BUILD/smartops"

ks_start --start-time "$KS_QUIET_START" --fleet 40 --seed 7 --time-scale 1 --no-traffic --no-builds

"$SO" tenants --changes -o json >/dev/null 2>"$KS_DIR/u.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '--changes goes with --watch -o json' "$KS_DIR/u.err" &&
	ok "--changes without --watch: exit 2, says what it goes with" || fail "--changes without --watch: exit $rc"
"$SO" tenants --watch --changes >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "--changes with a table: exit 2" || fail "--changes with a table: exit $rc"

cat >"$KS_DIR/apply.py" <<'PY'
# The watch's first list with its events applied (each checked against what
# it holds). "known": exit 0 once no tenant's health is unknown, printing the
# lines read and two available tenants with both envs. "changed MARK AV GONE
# SMARTOPS": exit 0 once the events after line MARK hold AV's prod down
# (dbaccess) and GONE deleted, the state has the tenants and the cluster's
# count of a one-shot list. A MODIFIED the same as the tenant held, an ADDED
# held or a DELETED not held fails at once.
import json, subprocess, sys
lines = open(sys.argv[1]).read().splitlines()
mode = sys.argv[2]
first = json.loads(lines[0])
assert first["kind"] == "TenantList", first["kind"]
items = {(t["tcode"], t["cluster"]): t for t in first["items"]}
clusters = {c["name"]: c for c in first["clusters"]}
mark = int(sys.argv[3]) if mode == "changed" else len(lines)
seen, modified_av, deleted_gone = set(), False, False
for i, l in enumerate(lines[1:], 1):
    e = json.loads(l)
    assert e["kind"] in ("TenantEvent", "ClusterEvent"), "not an event: " + e["kind"]
    o = e["object"]
    if e["kind"] == "ClusterEvent":
        assert e["type"] == "MODIFIED" and o["name"] in clusters, l
        clusters[o["name"]] = o
        continue
    k = (o["tcode"], o["cluster"])
    if e["type"] == "DELETED":
        assert k in items, "DELETED but not held: %s" % (k,)
        del items[k]
    elif e["type"] == "ADDED":
        assert k not in items, "ADDED but held: %s" % (k,)
        items[k] = o
    else:
        assert e["type"] == "MODIFIED" and k in items, "%s %s" % (e["type"], k)
        assert items[k] != o, "MODIFIED, the same as held: %s" % (k,)
        items[k] = o
    if i < mark:
        continue
    seen.add(o["tcode"])
    if mode == "changed":
        deleted_gone |= e["type"] == "DELETED" and o["tcode"] == sys.argv[5]
        if e["type"] == "MODIFIED" and o["tcode"] == sys.argv[4]:
            p = [x for x in o["envs"] if x["env"] == "prod"][0]
            modified_av |= p["health"] == "down" and p["cause_component"] == "dbaccess"
if mode == "known":
    if any(t["health"] == "unknown" for t in items.values()):
        sys.exit("tenants still unknown")
    ok = [t["tcode"] for t in items.values() if t["health"] == "available" and len(t["envs"]) == 2]
    print(len(lines), ok[0], ok[1])
    sys.exit(0)
if not modified_av:
    sys.exit("no MODIFIED with %s prod down (dbaccess) yet" % sys.argv[4])
if not deleted_gone:
    sys.exit("no DELETED for %s yet" % sys.argv[5])
now = json.loads(subprocess.run([sys.argv[6], "tenants", "-o", "json"], capture_output=True,
                                check=True).stdout)
want = sorted((t["tcode"], t["cluster"]) for t in now["items"])
if sorted(items) != want:
    sys.exit("the events give %d tenants, a list %d" % (len(items), len(want)))
c = now["clusters"][0]
if clusters[c["name"]]["tenants"] != c["tenants"]:
    sys.exit("the cluster's count: %s, a list's %d" % (clusters[c["name"]]["tenants"], c["tenants"]))
print("%d tenants, %d events since, %d tenants named in them" % (len(items), len(lines) - mark, len(seen)))
PY

"$SO" tenants --watch --changes -o json >"$KS_DIR/w.out" 2>"$KS_DIR/w.err" &
WP=$!
stop_watch() { kill -INT "$WP" 2>/dev/null; wait "$WP"; }
wait_for "the watch prints the whole list first" 60 test -s "$KS_DIR/w.out"
known() { python3 "$KS_DIR/apply.py" "$KS_DIR/w.out" known >"$KS_DIR/known.out" 2>&1; }
wait_for "the events bring every tenant's health" 60 known ||
	{ sed 's/^/    /' "$KS_DIR/known.out" | tail -5; stop_watch; finish; exit 1; }
read -r MARK AV GONE <"$KS_DIR/known.out"
ok "the first list, then events to line $MARK: every tenant known ($AV and $GONE available)"

# a second watch, of the tenants down only: AV enters it, then leaves it
"$SO" tenants --watch --changes --health down -o json >"$KS_DIR/d.out" 2>"$KS_DIR/d.err" &
DP=$!
wait_for "the watch of the tenants down prints its list" 60 test -s "$KS_DIR/d.out"
t=$(echo "$AV" | tr T t)
kcurl -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"spec":{"replicas":0}}' \
	"$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess"
g=$(echo "$GONE" | tr T t)
kcurl -o /dev/null -X DELETE "$KS_URL/api/v1/namespaces/$g-prod"
kcurl -o /dev/null -X DELETE "$KS_URL/api/v1/namespaces/$g-dev"
changed() { python3 "$KS_DIR/apply.py" "$KS_DIR/w.out" changed "$MARK" "$AV" "$GONE" "$SO" >"$KS_DIR/apply.out" 2>&1; }
if wait_for "the events: $AV MODIFIED prod down, $GONE DELETED, the tenants of a list" 60 changed; then
	ok "the events applied to the first list: $(tail -1 "$KS_DIR/apply.out")"
else
	sed 's/^/    /' "$KS_DIR/apply.out" | tail -5
fi
# the events of AV in the second watch: ADDED, then (once dbaccess is back)
# DELETED, MODIFIED between them only; each object as it passed the filter
av_events() {
	python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert not [t for t in json.loads(lines[0])["items"] if t["tcode"] == sys.argv[2]], "down at first"
ev = [(e["type"], e["object"]["health"]) for e in map(json.loads, lines[1:])
      if e["kind"] == "TenantEvent" and e["object"]["tcode"] == sys.argv[2]]
print(ev)
assert all(h == "down" for _, h in ev), ev
types = [t for t, _ in ev if t != "MODIFIED"]
assert types == sys.argv[3:] and ev[0][0] == "ADDED", ev
assert sys.argv[3:] != ["ADDED", "DELETED"] or ev[-1][0] == "DELETED", ev' "$KS_DIR/d.out" "$AV" "$@" \
		>"$KS_DIR/av.out" 2>&1
}
wait_for "$AV ADDED to the watch of the tenants down" 60 av_events ADDED
kcurl -o /dev/null -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"spec":{"replicas":1}}' \
	"$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/dbaccess"
wait_for "$AV DELETED from it once dbaccess is back" 90 av_events ADDED DELETED ||
	{ tail -3 "$KS_DIR/av.out"; "$SO" tenant "$AV" | head -12; }
kill -INT "$DP"; wait "$DP"
kill -0 "$WP" 2>/dev/null || { fail "the watch ended before it was asked to"; tail -5 "$KS_DIR/w.err"; }
stop_watch; rc=$?
[ $rc -eq 0 ] && ok "the watch ends on SIGINT with exit 0" || fail "the watch ends on SIGINT with exit 0 (got $rc)"
finish
