#!/bin/sh
# smartops tenants / tenant against kubesim: the health of every seeded tenant equals
# the scenario kubesim staged; unreachable clusters; malformed answers; escaping;
# --watch under faults.
. tests/integration/lib.sh
SO="$BUILD/smartops"
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config"

ks_start --start-time "$KS_QUIET_START" --fleet 500 --seed 11 --time-scale 1

# ---- usage ----
expect_out "help lists the commands" "tenants" "$SO" --help
"$SO" bogus >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown command: exit 2" || fail "unknown command: exit 2"
"$SO" tenants -o xml >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad -o: exit 2" || fail "bad -o: exit 2"
"$SO" tenant nope >/dev/null 2>&1; [ $? -eq 2 ] && ok "bad TCODE: exit 2" || fail "bad TCODE: exit 2"

# ---- health equals the staged scenarios ----
cat >"$KS_DIR/compare.py" <<'EOF'
import json, sys
fleet = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
assert ours["kind"] == "TenantList"
tcodes = [t["tcode"] for t in ours["items"]]
assert tcodes == sorted(set(tcodes)), "tenants out of order or twice"
by = {}
for t in ours["items"]:
    for e in t["envs"]:
        by[(t["tcode"], e["env"])] = (t, e)
bad, moving, n = [], 0, 0
for t in fleet["items"]:
    for e in t["envs"]:
        n += 1
        key = (t["tcode"], e["env"])
        if key not in by:
            bad.append("%s %s missing" % key); continue
        tt, oe = by[key]
        if tt["customer"] != t["customer"] or tt["product"] != t["product"]:
            bad.append("%s %s: customer/product %r/%r" % (key + (tt["customer"], tt["product"])))
        want, got = e["scenario"], oe["health"]
        if want in ("available", "sleeping", "waking") and got in ("available", "sleeping", "waking"):
            moving += want != got   # Hypnus moves these with time
            continue
        if want != got:
            bad.append("%s %s: staged %s, got %s (%s)" % (key + (want, got, oe["cause"])))
        elif want == "down" and oe["cause_component"] != e["cause"]:
            bad.append("%s %s: cause %s, got %s" % (key + (e["cause"], oe["cause"])))
if len(by) != n:
    bad.append("%d environments listed, %d seeded" % (len(by), n))
if moving > n // 50:
    bad.append("%d of %d sleeping/waking/available environments differ" % (moving, n))
print("%d environments compared, %d moved with Hypnus, %d wrong" % (n, moving, len(bad)))
for b in bad[:20]:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
compare() {
	kcurl "$KS_URL/sim/v1/fleet" >"$KS_DIR/fleet.json" &&
		"$SO" tenants -o json >"$KS_DIR/ours.json" 2>"$KS_DIR/ours.err" &&
		python3 "$KS_DIR/compare.py" "$KS_DIR/fleet.json" "$KS_DIR/ours.json" >"$KS_DIR/cmp.out"
}
# Crash loops need a first restart before the licence reason shows: retry a while.
i=0
until compare; do
	i=$((i + 1)); [ $i -gt 30 ] && break
	sleep 2
done
if [ $i -le 30 ]; then ok "health of 1000 environments equals the staged scenarios ($(cat "$KS_DIR/cmp.out" | head -1))"
else fail "health differs from the staged scenarios"; sed 's/^/    /' "$KS_DIR/cmp.out" "$KS_DIR/ours.err" | head -30; fi

# ---- table: 80 columns, no control bytes ----
"$SO" tenants >"$KS_DIR/table.txt" 2>/dev/null
check "table fits 80 columns" python3 -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert len(lines) > 500, len(lines)
assert lines[0].startswith("TCODE"), lines[0]
wide = [l for l in lines if len(l) > 80]
assert not wide, wide[:3]' "$KS_DIR/table.txt"
"$SO" tenants -o wide >/dev/null 2>&1 && ok "wide table" || fail "wide table"
"$SO" tenants -o json --health down,blocked >"$KS_DIR/down.json" 2>/dev/null
check "--health filters" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["items"], "no down or blocked tenant"
assert all(t["health"] in ("down", "blocked") for t in d["items"])' "$KS_DIR/down.json"

# ---- one tenant ----
DOWN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["tcode"])' "$KS_DIR/down.json")
"$SO" tenant "$DOWN" -o json >"$KS_DIR/one.json" 2>"$KS_DIR/one.err"
check "tenant $DOWN -o json has pods, restarts and events" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "Tenant" and d["tcode"] == sys.argv[2], d.get("tcode")
pods = [p for e in d["envs"] for p in e["pods"]]
assert pods, "no pods"
assert all("restarts" in p for p in pods)
assert any(e["events"] for e in d["envs"]), "no events"' "$KS_DIR/one.json" "$DOWN"
expect_out "tenant $DOWN as text" "^TCODE +$DOWN" "$SO" tenant "$DOWN"
"$SO" tenant T00001 >/dev/null 2>&1; [ $? -eq 1 ] && ok "absent tenant: exit 1" || fail "absent tenant: exit 1"

# ---- a cluster object cannot send escape sequences ----
NS=$(echo "$DOWN" | tr 'T' 't')-prod
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' \
	-d '{"metadata":{"annotations":{"smart.totvs.com/customer-name":"Evil\u001b[2J\u001b]0;x\u0007Corp"}}}' \
	"$KS_URL/api/v1/namespaces/$NS" >/dev/null
"$SO" tenants >"$KS_DIR/esc.txt" 2>&1
"$SO" tenants -o json >"$KS_DIR/esc.json" 2>&1
"$SO" tenant "$DOWN" >"$KS_DIR/esc1.txt" 2>&1
check "ESC[2J in an annotation is printed escaped" python3 -c '
import sys
for f in sys.argv[1:]:
    b = open(f, "rb").read()
    assert b"\x1b" not in b and b"\x07" not in b, f
t = open(sys.argv[1]).read()
assert "Evil\\x1b[2J" in t, "escaped form missing"
assert "\\u001b[2J" in open(sys.argv[2]).read()' "$KS_DIR/esc.txt" "$KS_DIR/esc.json" "$KS_DIR/esc1.txt"

# ---- several clusters; unreachable ones ----
KC2="$KS_DIR/kc2"
"$BUILD/kubesim" --port 0 --kubeconfig-out "$KC2.raw" --start-time "$KS_QUIET_START" --fleet 20 --seed 5 2>"$KS_DIR/ks2.log" &
KS2=$!
i=0; while [ ! -s "$KC2.raw" ] && [ $i -lt 600 ]; do i=$((i + 1)); sleep 0.1; done
sed 's/"kubesim-admin"/"second"/g; s/"kubesim-support"/"second-support"/g; s/"kubesim"/"second-cluster"/g' \
	"$KC2.raw" >"$KC2"
BOTH="$KUBECONFIG:$KC2"
KUBECONFIG=$BOTH "$SO" --context kubesim-admin,second tenants -o json >"$KS_DIR/two.json" 2>"$KS_DIR/two.err"
rc=$?
check "two clusters answer (exit $rc)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
cl = {}
for t in d["items"]: cl[t["cluster"]] = cl.get(t["cluster"], 0) + 1
assert cl.get("kubesim-admin") == 500 and cl.get("second") == 20, cl
assert sys.argv[2] == "0"' "$KS_DIR/two.json" "$rc"
kill "$KS2"; wait "$KS2" 2>/dev/null
KUBECONFIG=$BOTH "$SO" --context kubesim-admin,second tenants -o json >"$KS_DIR/two.json" 2>"$KS_DIR/two.err"
rc=$?
check "a stopped cluster: its tenants unknown, the other answers, exit 0 (exit $rc)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
second = [t for t in d["items"] if t["cluster"] == "second"]
first = [t for t in d["items"] if t["cluster"] == "kubesim-admin"]
assert len(second) == 20 and all(t["health"] == "unknown" for t in second), second[:1]
assert "since" in second[0]["cause"], second[0]["cause"]
assert len(first) == 500 and not any(t["health"] == "unknown" for t in first)
assert sys.argv[2] == "0"' "$KS_DIR/two.json" "$rc"
expect_out "the stopped cluster is named on stderr" "cluster second: cluster unreachable" cat "$KS_DIR/two.err"
KUBECONFIG=$BOTH "$SO" --context second tenants >/dev/null 2>&1; rc=$?
[ $rc -eq 3 ] && ok "no cluster reachable: exit 3" || fail "no cluster reachable: exit 3 (got $rc)"
"$SO" tenants >/dev/null 2>&1 || fail "first cluster still fine"

# ---- malformed answers ----
kcurl -X PUT -d '{"malformed_rate":1}' "$KS_URL/sim/v1/faults" >/dev/null
"$SO" tenants -o json >"$KS_DIR/bad.out" 2>"$KS_DIR/bad.err"; rc=$?
[ $rc -eq 1 ] && ok "malformed bodies: exit 1" || fail "malformed bodies: exit 1 (got $rc)"
expect_out "malformed bodies: a clear error" "^error: " cat "$KS_DIR/bad.err"
[ -s "$KS_DIR/bad.out" ] && fail "malformed bodies: nothing on stdout" || ok "malformed bodies: nothing on stdout"
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null

# ---- --watch keeps going under faults and ends with the true state ----
# kubesim cuts (and answers 410 Gone to) only the watches opened after the
# fault is set: the watch's own are cut every 2 s from the start, so that they
# resume under the faults below. Its trace (SMARTOPS_TRACE) says each list
# after the first (relisted=1), which only a 410 Gone brings.
kcurl -X PUT -d '{"watch_cut_s":2}' "$KS_URL/sim/v1/faults" >/dev/null
SMARTOPS_TRACE="$KS_DIR/watch.trace" "$SO" tenants -o json --watch >"$KS_DIR/watch.out" 2>"$KS_DIR/watch.err" &
WP=$!
wait_for "watch prints a first list" 60 test -s "$KS_DIR/watch.out"
kcurl -X PUT -d '{"latency_ms":30,"error_rate":0.2,"error_code":503,"retry_after_s":1,"watch_cut_s":2,"truncate_rate":0.1}' \
	"$KS_URL/sim/v1/faults" >/dev/null
AV=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(next(t["tcode"] for t in d["items"] if t["health"] == "available"))' "$KS_DIR/ours.json")
AVNS=$(echo "$AV" | tr 'T' 't')-prod
# the change itself may meet an injected 503: repeat it until it is taken
i=0
until [ "$(kcurl -o /dev/null -w '%{http_code}' -X PATCH -H 'Content-Type: application/merge-patch+json' \
	-d '{"spec":{"replicas":0}}' "$KS_URL/apis/apps/v1/namespaces/$AVNS/deployments/dbaccess")" = 200 ]; do
	i=$((i + 1)); [ $i -gt 20 ] && { fail "could not scale dbaccess down under faults"; break; }
	sleep 0.5
done
watch_sees() {
	tail -1 "$KS_DIR/watch.out" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
t = next(t for t in d["items"] if t["tcode"] == sys.argv[1])
e = next(e for e in t["envs"] if e["env"] == "prod")
assert e["health"] == "down" and e["cause_component"] == "dbaccess", e["cause"]' "$AV"
}
# the last line read again only once the watch has printed another (python
# costs some 70 ms of CPU a read)
seen_lines=""
watch_sees_new() {
	n=$(wc -l <"$KS_DIR/watch.out")
	[ "$n" != "$seen_lines" ] || return 1
	seen_lines=$n
	watch_sees
}
# the watch lives through the faults until the change comes through them (a
# fixed 6 s before); then until a watch of its, resumed, is answered 410 Gone
# and it lists again (a fixed 3 s before, in which no watch of its resumed)
wait_for "watch shows $AV prod down (dbaccess scaled to 0) under the faults" 60 watch_sees_new
relists() { grep -c "relisted=1" "$KS_DIR/watch.trace"; }
relists0=$(relists)
kcurl -X PUT -d '{"gone_watch":1}' "$KS_URL/sim/v1/faults" >/dev/null
relisted() { [ "$(relists)" -gt "$relists0" ]; }
wait_for "a watch resumed under the fault is answered 410 Gone: the watch lists again" 60 relisted
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
wait_for "watch shows $AV prod down (dbaccess scaled to 0) after the faults" 60 watch_sees
kill -0 "$WP" 2>/dev/null || { fail "the watch ended before it was asked to"; sed 's/^/    /' "$KS_DIR/watch.err" | tail -8; }
kill -INT "$WP"; wait "$WP"; rc=$?
[ $rc -eq 0 ] && ok "watch ends on SIGINT with exit 0" || fail "watch ends on SIGINT with exit 0 (got $rc)"
check "every watch line is one TenantList" python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    assert json.loads(line)["kind"] == "TenantList"; n += 1
assert n >= 2, n' "$KS_DIR/watch.out"
finish
