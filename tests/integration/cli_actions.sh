#!/bin/sh
# smartops wake / sleep / restart against kubesim: each action seen through the API
# (Hypnus state, replaced pods), refusals before any write (support context,
# --readonly) checked in kubesim's request log, usage errors, the audit Event and
# the local audit log.
. tests/integration/lib.sh
SO="$BUILD/smartops"
K="kubectl --request-timeout=20s"
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config" XDG_STATE_HOME="$KS_DIR/state"
AUDIT="$XDG_STATE_HOME/smartops/audit.log"
API_LOG="$KS_DIR/api-audit.log"

ks_start --start-time "$KS_QUIET_START" --fleet 30 --seed 7 --time-scale 60 --audit-log "$API_LOG"

# rc "what" want command...: the exit status must be want; stdout kept in $KS_DIR/rc.out,
# stderr in $KS_DIR/err
rc() {
	what=$1; want=$2; shift 2
	"$@" >"$KS_DIR/rc.out" 2>"$KS_DIR/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else
		fail "$what: exit $got, wanted $want"; sed 's/^/    /' "$KS_DIR/rc.out" "$KS_DIR/err" | head -10; fi
}
# err_has "what" regex: the last command's stderr matches
err_has() {
	if grep -Eq -- "$2" "$KS_DIR/err"; then ok "$1"; else fail "$1 (wanted /$2/)"; sed 's/^/    /' "$KS_DIR/err" | head -5; fi
}

# pick HEALTH [EXCLUDED_TCODES...]: prints "TCODE ENV NS" of an environment in that
# health with a Hypnus, from smartops tenants -o json.
cat >"$KS_DIR/pick.py" <<'EOF'
import json, sys
want, skip = sys.argv[1], set(sys.argv[2:])
d = json.load(sys.stdin)
for t in d["items"]:
    if t["tcode"] in skip:
        continue
    for e in t["envs"]:
        if e["health"] == want and e["hypnus"]:
            print(t["tcode"], e["env"], e["namespace"]); sys.exit(0)
sys.exit(1)
EOF
pick() { "$SO" tenants -o json 2>/dev/null | python3 "$KS_DIR/pick.py" "$@"; }
hyp_state() { $K get deploy hypnus -n "$1" -o "jsonpath={.metadata.annotations.smart\.totvs\.com/hypnus-state}"; }
events() { $K get events -n "$1" -o custom-columns=R:.reason,C:.reportingComponent,M:.message --no-headers; }
patches() { grep -c " PATCH " "$API_LOG"; }

wait_for "some environment is available" 60 pick available

# ---- usage ----
rc "malformed TCODE" 2 "$SO" wake T1234 --env prod --yes
err_has "... says what a TCODE looks like" "T followed by 5 digits"
rc "missing --env" 2 "$SO" sleep T12345 --yes
err_has "... says --env is required" "--env is required: --env prod or --env dev"
rc "bad --env" 2 "$SO" wake T12345 --env qa --yes
rc "restart without --service" 2 "$SO" restart T12345 --env prod --yes
err_has "... says --service is required" "--service is required"
rc "unknown TCODE" 2 "$SO" wake T99999 --env prod --yes
err_has "... says the tenant has no namespace" "tenant T99999 has no prod namespace \(t99999-prod\)"
rc "two contexts" 2 "$SO" --context kubesim-admin,kubesim-support wake T12345 --env prod --yes
set -- $(pick available)
rc "unknown service" 2 "$SO" restart "$1" --env "$2" --service nosuch --yes
err_has "... names the services there are" "has no service nosuch; its services are .*dbaccess"

# ---- wake a sleeping environment ----
done_wake=""
for try in 1 2 3 4 5 6 7 8; do
	set -- $(pick sleeping) || { sleep 1; continue; }
	T=$1 E=$2 NS=$3
	"$SO" wake "$T" --env "$E" --yes -o json >"$KS_DIR/wake.json" 2>"$KS_DIR/err"
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["result"] != "ok")' "$KS_DIR/wake.json"; then
		done_wake=1; break
	fi
	sleep 1 # woken by its own traffic meanwhile: take another
done
if [ -n "$done_wake" ]; then
	ok "wake $T $E answered ok"
	check "the JSON is an ActionResult by admin on the Hypnus Deployment" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "ActionResult" and d["action"] == "wake", d
assert d["user"] == "admin" and d["object"] == {"kind": "Deployment", "name": "hypnus"}, d
assert d["dry_run"] is False and d["description"].startswith("Wake "), d' "$KS_DIR/wake.json"
	wait_for "$NS becomes active through the API" 30 sh -c "[ \"\$($K get deploy hypnus -n $NS -o 'jsonpath={.metadata.annotations.smart\.totvs\.com/hypnus-state}')\" = active ]"
	expect_out "kubesim's Hypnus saw the wake request" "HypnusWake +<none> +wake requested" events "$NS"
	expect_out "the audit Event SmartopsWake is visible with kubectl" "SmartopsWake +smartops +woke $T $E: Hypnus marked waking by admin" events "$NS"
	expect_out "kubectl get events lists it" "SmartopsWake" $K get events -n "$NS"
	expect_out "the audit log has the line" "user=\"admin\" cluster=\"kubesim-admin\" action=\"wake\" tcode=\"$T\" env=\"$E\" object=\"$NS/deployments/hypnus\" result=\"ok\"" cat "$AUDIT"
	rc "waking it again: nothing to do" 0 "$SO" wake "$T" --env "$E" --yes
	expect_out "... and says so" "already (active|waking): nothing to do" cat "$KS_DIR/rc.out"
else
	fail "no sleeping environment could be woken"
fi
WOKEN=${T:-}

# ---- sleep an active environment ----
done_sleep=""
for try in 1 2 3 4 5 6 7 8; do
	set -- $(pick available $WOKEN) || { sleep 1; continue; }
	T=$1 E=$2 NS=$3
	"$SO" sleep "$T" --env "$E" --yes >"$KS_DIR/sleep.out" 2>"$KS_DIR/err"
	if grep -q "^put $T $E to sleep" "$KS_DIR/sleep.out"; then done_sleep=1; break; fi
	sleep 1
done
if [ -n "$done_sleep" ]; then
	ok "sleep $T $E answered: $(cat "$KS_DIR/sleep.out")"
	# Simulated users may wake it again at once; kubesim's own event shows it slept.
	wait_for "kubesim's Hypnus put $NS to sleep on request" 20 sh -c "$K get events -n $NS -o custom-columns=R:.reason,M:.message --no-headers | grep -Eq 'HypnusSleep +sleep requested'"
	expect_out "the audit Event SmartopsSleep" "SmartopsSleep +smartops +put $T $E to sleep" events "$NS"
	expect_out "the audit log has the line" "action=\"sleep\" tcode=\"$T\" env=\"$E\" .*result=\"ok\"" cat "$AUDIT"
else
	fail "no active environment could be put to sleep"
fi
SLEPT=${T:-}

# ---- restart a service: its pods are replaced ----
set -- $(pick available $WOKEN $SLEPT)
T=$1 E=$2 NS=$3
sel="smart.totvs.com/component=dbaccess"
old=$($K get pods -n "$NS" -l "$sel" -o 'jsonpath={range .items[*]}{.metadata.name}/{.metadata.uid} {end}')
[ -n "$old" ] && ok "dbaccess of $NS runs: $old" || fail "dbaccess of $NS has no pods"
rc "restart --dry-run" 0 "$SO" restart "$T" --env "$E" --service dbaccess --dry-run
expect_out "... says nothing changed" "^dry run, nothing changed: would restart dbaccess" cat "$KS_DIR/rc.out"
check "... and the template has no restartedAt" sh -c "! $K get deploy dbaccess -n $NS -o 'jsonpath={.spec.template.metadata.annotations}' | grep -q restartedAt"
# On a terminal, without --yes: the description, then a question; "n" does nothing.
n0=$(patches)
printf 'n\n' | script -qec "$SO restart $T --env $E --service dbaccess" /dev/null >"$KS_DIR/tty.out" 2>&1
expect_out "on a terminal the confirmation shows what will happen" "Restart dbaccess of $T $E: a rollout restart replaces its 1 pod with new ones; appserver, hypnus wait for it" cat "$KS_DIR/tty.out"
expect_out "... asks" "Proceed\? \[y/N\]" cat "$KS_DIR/tty.out"
expect_out "... and 'n' does nothing" "not confirmed, nothing done" cat "$KS_DIR/tty.out"
[ "$(patches)" -eq "$n0" ] && ok "... not one PATCH reached kubesim" || fail "a PATCH reached kubesim after 'n'"
rc "without a terminal and without --yes: refused" 2 "$SO" restart "$T" --env "$E" --service dbaccess
err_has "... saying to add --yes" "not on a terminal: add --yes"
printf 'y\n' | script -qec "$SO restart $T --env $E --service dbaccess" /dev/null >"$KS_DIR/tty.out" 2>&1
expect_out "on a terminal 'y' restarts" "restarted dbaccess of $T $E \(deployments/dbaccess\) by admin" cat "$KS_DIR/tty.out"
expect_out "the template carries kubectl's restartedAt" "kubectl.kubernetes.io/restartedAt" $K get deploy dbaccess -n "$NS" -o 'jsonpath={.spec.template.metadata.annotations}'
replaced() {
	now=$($K get pods -n "$NS" -l "$sel" -o 'jsonpath={range .items[*]}{.metadata.name}/{.metadata.uid}/{.status.containerStatuses[0].ready} {end}')
	[ -n "$now" ] || return 1
	for p in $old; do case " $now" in *" $p/"*) return 1 ;; esac; done
	case "$now" in *"/true"*) return 0 ;; esac
	return 1
}
wait_for "the dbaccess pods are replaced (new names and uids, ready)" 40 replaced
ra() { $K get deploy dbaccess -n "$NS" -o "jsonpath={.spec.template.metadata.annotations.kubectl\.kubernetes\.io/restartedAt}"; }
v1=$(ra)
"$SO" restart "$T" --env "$E" --service dbaccess --yes >/dev/null 2>&1
v2=$(ra)
[ -n "$v1" ] && [ "$v1" != "$v2" ] && ok "a second restart at once changes the template again ($v1 -> $v2)" || fail "restartedAt did not change: '$v1' '$v2'"
expect_out "the audit Event SmartopsRestart" "SmartopsRestart +smartops +restarted dbaccess of $T $E" events "$NS"
check "the Event says who, for kubectl" sh -c "$K get events -n $NS -o json | python3 -c '
import json, sys
ev = [e for e in json.load(sys.stdin)[\"items\"] if e[\"reason\"] == \"SmartopsRestart\"]
assert ev, \"no SmartopsRestart event\"
e = ev[0]
assert e[\"reportingComponent\"] == \"smartops\" and e[\"source\"][\"component\"] == \"smartops\", e
assert e[\"metadata\"][\"annotations\"][\"smart.totvs.com/actor\"] == \"admin\", e
assert e[\"involvedObject\"][\"kind\"] == \"Deployment\" and e[\"involvedObject\"][\"name\"] == \"dbaccess\", e'"
expect_out "the audit log has the line" "action=\"restart\" tcode=\"$T\" env=\"$E\" service=\"dbaccess\" object=\"$NS/deployments/dbaccess\" result=\"ok\"" cat "$AUDIT"
expect_out "... and the dry run's" "service=\"dbaccess\" .*result=\"dry-run\"" cat "$AUDIT"

# ---- the support context is refused before any write ----
n0=$(patches)
rc "support may not restart" 4 "$SO" --context kubesim-support restart "$T" --env "$E" --service dbaccess --yes
err_has "... with a clear reason" "denied: user support may not patch deployments in $NS \(cluster kubesim-support\)"
rc "support may not sleep" 4 "$SO" --context kubesim-support sleep "$T" --env "$E" --yes -o json
check "... the JSON says denied" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["result"] == "denied" and d["user"] == "support", d' "$KS_DIR/rc.out"
check "support asked kubesim what it may do" grep -q "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews user=support" "$API_LOG"
check "... and never sent a PATCH" sh -c "! grep -q ' PATCH .* user=support' '$API_LOG'"
[ "$(patches)" -eq "$n0" ] && ok "no PATCH at all while support was refused" || fail "a PATCH reached kubesim"
expect_out "the refusal is in the local audit log" "user=\"support\" cluster=\"kubesim-support\" action=\"restart\" .*result=\"denied\"" cat "$AUDIT"

# ---- --readonly: refused even for admin, without a single request ----
lines0=$(wc -l <"$API_LOG")
rc "--readonly wake is refused for admin" 4 "$SO" --readonly wake "$T" --env "$E" --yes
err_has "... saying why" "read-only session: started with --readonly"
rc "--readonly restart is refused" 4 "$SO" --readonly restart "$T" --env "$E" --service dbaccess --yes --dry-run
rc "--readonly without --yes is refused the same way" 4 "$SO" --readonly sleep "$T" --env "$E"
[ "$(wc -l <"$API_LOG")" -eq "$lines0" ] && ok "--readonly sent no write request to kubesim" || fail "--readonly sent requests"
expect_out "the local audit log records the refusals" "action=\"wake\" tcode=\"$T\" env=\"$E\" result=\"read-only\"" cat "$AUDIT"

# ---- a cluster that does not answer ----
sed 's#server: .*#server: https://127.0.0.1:1#' "$KUBECONFIG" >"$KS_DIR/gone.yaml"
rc "an unreachable cluster is exit 3" 3 "$SO" --kubeconfig "$KS_DIR/gone.yaml" wake "$T" --env "$E" --yes
err_has "... saying so" "cannot read namespace $NS"

# ---- the Hypnus forecast in smartops tenant -o json ----
"$SO" tenant "$T" -o json >"$KS_DIR/tenant.json" 2>"$KS_DIR/err"
check "tenant -o json reports each environment's forecast" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kind"] == "Tenant", d["kind"]
for e in d["envs"]:
    f = e["hypnus"]["forecast"]
    assert f is not None, e["env"]
    assert isinstance(f["windows"], list) and isinstance(f["wakes"], list), f
    assert f["utc_offset_minutes"] in range(-720, 841), f
    for w in f["windows"]:
        assert w["weekday"] in ("Sun","Mon","Tue","Wed","Thu","Fri","Sat") and 0 <= w["hour"] < 24 and 1 <= w["hours"] <= 168, w
    prev = ""
    for k in f["wakes"]:
        assert k["wake"] < k["start"] < k["end"], k
        assert k["wake"] >= prev, "wakes out of order"
        prev = k["wake"]
    if f["windows"]:
        assert f["next_wake"] == (f["wakes"][0]["wake"] if f["wakes"] else f["next_wake"]), f
print(sum(len(e["hypnus"]["forecast"]["windows"]) for e in d["envs"]), "windows")' "$KS_DIR/tenant.json"
check "some tenant of the fleet has forecast windows and wakes" sh -c "for t in \$('$SO' tenants -o json | python3 -c 'import json,sys; print(\" \".join(t[\"tcode\"] for t in json.load(sys.stdin)[\"items\"][:10]))'); do '$SO' tenant \$t -o json; done | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    for e in json.loads(line)[\"envs\"]:
        f = (e[\"hypnus\"] or {}).get(\"forecast\")
        n += bool(f and f[\"windows\"] and f[\"wakes\"])
assert n > 0, \"no forecast windows in 10 tenants\"'"

finish
