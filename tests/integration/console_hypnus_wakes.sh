#!/bin/sh
# Hypnus wakes, end to end: kubesim's Hypnus wakes a sleeping tenant ahead of its
# first busy hour of the morning with no request; an operator's wake and a
# user's request wake it too; the console's Hypnus panel lists the three, newest
# first, each with why and its cold start (from the HypnusWake / HypnusAwake events).
. tests/integration/lib.sh
SO="$(cd "$BUILD" && pwd)/smartops"
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config" TZ=UTC LANG=C.UTF-8

# 09:50 UTC, a Tuesday: before 07:00 in Sao Paulo, the fleet's mornings start within minutes
# no simulated requests: every wake here is the forecast's, the operator's or the test's
ks_start --fleet 30 --seed 7 --start-time 2026-11-03T09:50:00Z --time-scale 60 --no-traffic

forecast_wake() {
	kcurl "$KS_URL/api/v1/events?fieldSelector=reason%3DHypnusWake" |
		jq -r '[.items[] | select(.message | startswith("forecast:"))][0] | "\(.metadata.namespace) \(.message)"' |
		grep -v '^null'
}
wait_for "kubesim's Hypnus wakes a tenant ahead of its busy hours, with no request" 40 forecast_wake
set -- $(forecast_wake)
NS=$1; MSG=$(forecast_wake | cut -d' ' -f2-)
TC=$(echo "${NS%-*}" | tr 't' 'T'); ENV=${NS##*-}
echo "$NS: $MSG"
echo "$MSG" | grep -Eq '^forecast: busy hours from (10|11|12):00 UTC' && ok "its event says which busy hour ($MSG)" || fail "forecast message: $MSG"
state() { "$SO" tenant "$TC" -o json | jq -r --arg e "$ENV" '.envs[] | select(.env==$e) | .hypnus.state'; }
active() { [ "$(state)" = active ]; }
# asleep as Hypnus did it: public services at zero (health "sleeping"), not only asked for
sleeping() { [ "$("$SO" tenant "$TC" -o json | jq -r --arg e "$ENV" '.envs[] | select(.env==$e) | "\(.hypnus.state) \(.health)"')" = "sleeping sleeping" ]; }
wait_for "$TC $ENV awake after the forecast wake" 30 active

"$SO" sleep "$TC" --env "$ENV" --yes >/dev/null 2>&1 && wait_for "put to sleep" 20 sleeping
"$SO" wake "$TC" --env "$ENV" --yes >/dev/null 2>&1 && wait_for "woken by the operator" 30 active
"$SO" sleep "$TC" --env "$ENV" --yes >/dev/null 2>&1 && wait_for "asleep again" 20 sleeping
kcurl -X POST "$KS_URL/sim/v1/traffic?tcode=$TC&env=$ENV" >/dev/null
wait_for "woken by a user's request" 30 active

# the same, headless
"$SO" tenant "$TC" -o json | jq -r --arg e "$ENV" '.envs[] | select(.env==$e) | .hypnus.recent_wakes | map(.cause) | join(",")' >"$KS_DIR/causes"
[ "$(cut -d, -f1-3 "$KS_DIR/causes")" = "request,asked,forecast" ] &&
	ok "tenant -o json: recent_wakes newest first (request, asked, forecast)" || fail "recent_wakes: $(cat "$KS_DIR/causes")"
"$SO" tenant "$TC" -o json | jq -e --arg e "$ENV" '.envs[] | select(.env==$e) | .hypnus.recent_wakes[0] | (.cold_start_s | type) == "number" and .cold_start_s >= 0 and (.ready | type) == "string"' >/dev/null &&
	ok "tenant -o json: the request's cold start and readiness" || fail "recent_wakes[0] fields"

cd "$KS_DIR" || exit 1
key=h; [ "$ENV" = dev ] && key="h
e"
cat >s1 <<SCRIPT
:wait-for connected 30
$key
:wait-for Recent 20
:wait-for a user waited 20
:save-display hyp.txt
:quit
SCRIPT
if HOME="$KS_DIR/home" COLUMNS=120 timeout 60 "$SO" --tenant "$TC" --script s1 >so.out 2>&1; then ok "the console's script ran"; else fail "console script"; cat so.out; fi
expect_out "the panel has the recent wakes" "Recent wakes" cat hyp.txt
grep -oE "ahead, by the forecast|asked for|on a request" hyp.txt | head -3 | tr '\n' '|' >order.txt
[ "$(cat order.txt)" = "on a request|asked for|ahead, by the forecast|" ] &&
	ok "newest first: the request, the operator's wake, the forecast's" || fail "order of the wakes: $(cat order.txt)"
# a cold start is simulated time: at 60x on a loaded machine it can pass a minute
# (the panel then says 6m or 1m05s)
DUR='[0-9]+(s|m|m[0-9]{2}s|h[0-9]{2}m)'
expect_out "a request wake says how long a user waited" "on a request: a user waited $DUR\b" cat hyp.txt
expect_out "the forecast wake has its cold start" "ahead, by the forecast, ready in $DUR\b" cat hyp.txt
finish
