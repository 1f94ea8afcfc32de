#!/bin/sh
# The console's Hypnus panel and logs screen against kubesim, driven by a key
# script with no terminal: the panel shows the state kubesim holds, the heat
# map and the forecast; a broken usage history gives a clear line; a pod's log
# is followed, searched and paused.
. tests/integration/lib.sh
SO="$(cd "$BUILD" && pwd)/smartops"
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config" TZ=UTC LANG=C.UTF-8

# no simulated requests: the Hypnus state read below must still hold when the
# panel shows it (a user's request woke the tenant in between once, at load 58)
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 1 --no-traffic

"$SO" tenants -o json >"$KS_DIR/t.json" 2>"$KS_DIR/t.err" || { fail "tenants -o json"; cat "$KS_DIR/t.err"; }
TC=$(python3 -c '
import json, sys
for t in json.load(open(sys.argv[1]))["items"]:
    for e in t["envs"]:
        if e["env"] == "prod" and e.get("hypnus") and e["hypnus"].get("state") in ("active", "sleeping"):
            print(t["tcode"], e["hypnus"]["state"]); sys.exit(0)
' "$KS_DIR/t.json")
STATE=${TC#* }; TC=${TC% *}
[ -n "$TC" ] && ok "a tenant with Hypnus in prod: $TC ($STATE)" || fail "no tenant with Hypnus"
NS=$(echo "$TC" | tr 'T' 't')-prod

run_script() {
	HOME="$KS_DIR/home" timeout 60 "$SO" --tenant "$TC" --script "$1" >"$KS_DIR/so.out" 2>&1 || { cat "$KS_DIR/so.out"; return 1; }
}

cd "$KS_DIR" || exit 1
cat >s1 <<'SCRIPT'
:wait-for connected 30
h
:wait-for wakes 20
:save-display hyp.txt
<Esc>
l
:wait-for pick 20
<Enter>
:wait-for FOLLOW 20
:sleep 1500
:save-display log.txt
/INFO<Enter>
:save-display search.txt
<Esc>
<Esc>
:quit
SCRIPT
check "script runs to :quit (exit 0)" run_script s1

expect_out "title names the panel" "Hypnus $TC prod" cat hyp.txt
expect_out "state from the Deployment's annotation" "State $STATE " cat hyp.txt
expect_out "idle timeout shown" "Idle timeout [0-9]+(s|m)" cat hyp.txt
expect_out "hour axis of the heat map" "^ +00 01 02 03 .* 22 23$" cat hyp.txt
expect_out "weekday rows, Sunday first" "^ Sun " cat hyp.txt
[ "$(grep -cE '^ (Sun|Mon|Tue|Wed|Thu|Fri|Sat) ' hyp.txt)" -eq 7 ] && ok "seven weekday rows" || fail "seven weekday rows"
expect_out "legend with the forecast mark" "low .* high .* predicted busy" cat hyp.txt
expect_out "forecast heading with the tenant's offset" "Next predicted wakes, [0-9]+s ahead +\(local time, UTC[-+][0-9]{2}:[0-9]{2}" cat hyp.txt
expect_out "at least one predicted wake" "^ +wake (Sun|Mon|Tue|Wed|Thu|Fri|Sat) [0-9]{2}:[0-9]{2}  busy" cat hyp.txt

expect_out "logs title names the pod" "Logs t[0-9]+-(prod|dev)/" cat log.txt
expect_out "log lines arrive while following" "\[(INFO|WARN|ERROR) *\]" cat log.txt
expect_out "status says following and counts lines" "FOLLOW  lines [0-9]+-[0-9]+ of [0-9]+" cat log.txt
expect_out "a search pauses on a match" "PAUSED  lines" cat search.txt

# A usage history that is not numbers: one clear line, not a crash.
kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' \
	-d '{"data":{"hours":"1,2,x"}}' "$KS_URL/api/v1/namespaces/$NS/configmaps/hypnus-usage" >/dev/null
cat >s2 <<'SCRIPT'
:wait-for connected 30
h
:wait-for unreadable 20
:save-display bad.txt
:quit
SCRIPT
check "script with a broken history exits 0" run_script s2
expect_out "broken history explained" "usage history in $NS is unreadable: hours: value 3 is not a number" cat bad.txt

# No history at all.
kcurl -X DELETE "$KS_URL/api/v1/namespaces/$NS/configmaps/hypnus-usage" >/dev/null
sed 's/unreadable/no usage history/; s/bad.txt/none.txt/' s2 >s3
check "script without a history exits 0" run_script s3
expect_out "missing history explained" "no usage history yet \(ConfigMap hypnus-usage not found in $NS\)" cat none.txt

finish
