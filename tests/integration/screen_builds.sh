#!/bin/sh
# The custom builds screen against kubesim: a tenant made by the namespace
# wizard, its dev history seeded with a succeeded and a failed build (the
# ConfigMap custom-builds, written as the build executor writes it); the
# history, a failed build's stages whose Job is gone, the refusals (a failed
# build, prod before dev), promote to dev (only the RPO fields of the
# AppServers change, the history records it, the tenant screen's RPO line
# shows it), the roll back to the earlier values, and --readonly refused
# before any request. Screens are compared with tests/screen/builds*/. Then
# real builds run by kubesim (a succeeded one, one failed by a compile fault):
# the failed build's stages from its pod and the logs of its stages.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"
S="$BUILD/smartops"
AUDIT="$KS_DIR/audit.log"
ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 0.001 --audit-log "$AUDIT"

kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json"
T=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active")][0].tcode' "$KS_DIR/catalog.json")
t=$(echo "$T" | tr 'T' 't')
[ "$T" = T83415 ] && ok "the fresh tenant of seed 7 is $T (the goldens name it)" || fail "fresh tenant $T, not T83415"
"$S" apply namespace --tcode "$T" --yes >"$KS_DIR/apply.out" 2>&1 && ok "$T made by the namespace wizard" ||
	{ fail "apply namespace $T"; tail -5 "$KS_DIR/apply.out"; }

# the history as the build executor keeps it (kubesim's build Jobs are not
# used here: the builds are recorded, their Jobs long gone)
jq -n --arg t "$t" '[
 {id:"2", env:"dev", repo:"file:///srv/git/\($t)-custom.git", ref:"feature/tax",
  commit:"9c1e5d0b7a2f4e6c8d3b1a0f9e8d7c6b5a4f3e2d", state:"failed", stage:"sonarqube",
  reason:"QualityGateFailed: quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%",
  quality_gate:"ERROR", conditions:["new bugs 3 > 0", "coverage 41% < 60%"], rpo:null,
  started:"2026-11-03T12:40:00Z", finished:"2026-11-03T12:46:10Z", by:"admin", promoted:{dev:null, prod:null}},
 {id:"1", env:"dev", repo:"file:///srv/git/\($t)-custom.git", ref:"main",
  commit:"4b8d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d", state:"succeeded", stage:"upload", reason:null,
  quality_gate:"OK", conditions:[], rpo:"s3://smart-rpo/\($t)/1/custom.rpo",
  started:"2026-11-03T12:00:00Z", finished:"2026-11-03T12:08:30Z", by:"admin", promoted:{dev:null, prod:null}}
]' >"$KS_DIR/builds.json"
jq -n --arg t "$T" --rawfile b "$KS_DIR/builds.json" '{apiVersion:"v1", kind:"ConfigMap",
	metadata:{name:"custom-builds", labels:{"smart.totvs.com/tcode":$t, "smart.totvs.com/env":"dev"}},
	data:{"builds.json":$b}}' >"$KS_DIR/cm.json"
kcurl -X POST -H 'Content-Type: application/json' --data @"$KS_DIR/cm.json" \
	"$KS_URL/api/v1/namespaces/$t-dev/configmaps" >/dev/null && ok "dev's history seeded" || fail "seeding the history"

run_ids() { # the run ids and durations of the engine's pages move from one run to the next
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] && sed -E -i -e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' "$f"
	done
}
run() { # run NAME [args]: the script, its golden displays (the tenant screen's: only its RPO lines)
	if screen_run "$@"; then ok "$1: the script ran to its end"
	else fail "$1: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$1/stderr" | head -10; fi
	run_ids "$1"
	for f in "$KS_DIR/screen-$1"/tenant-*.txt; do [ -f "$f" ] && grep '^rpo ' "$f" >"$f.rpo" && mv "$f.rpo" "$f"; done
	screen_compare "$1"
}
writes() { grep -v -e selfsubjectaccessreviews -e selfsubjectreviews "$AUDIT" 2>/dev/null | wc -l; }
dep() { kcurl "$KS_URL/apis/apps/v1/namespaces/$t-dev/deployments/appserver-$1"; }
ini() { kcurl "$KS_URL/api/v1/namespaces/$t-dev/configmaps/appserver-$1-ini" | jq -r '.data["appserver.ini"]'; }
# an AppServer as stored, less what moves on its own (full: with the RPO fields a promotion sets)
full_of() {
	dep "$1" | jq -cS 'del(.status, .metadata.resourceVersion, .metadata.generation, .metadata.managedFields,
		.metadata.annotations["deployment.kubernetes.io/revision"])'
}
rest_of() {
	full_of "$1" | jq -cS '.spec.template.metadata.annotations = ((.spec.template.metadata.annotations // {}) | with_entries(select(.key | test("/rpo") | not)))
		| .spec.template.spec.containers |= map(.env |= ((. // []) | map(select(.name != "RPO_CUSTOM"))))'
}
history() { kcurl "$KS_URL/api/v1/namespaces/$t-dev/configmaps/custom-builds" | jq -r '.data["builds.json"]'; }

# 1. the history, the stages, the refusals: nothing written
before=$(writes)
run builds --tenant "$T"
[ "$(writes)" = "$before" ] && ok "history and refusals: nothing written" || fail "history and refusals wrote to the cluster"

# 2. promote to dev: only the RPO fields of the AppServers change
for r in rest webapp; do full_of $r >"$KS_DIR/full-$r.before"; rest_of $r >"$KS_DIR/rest-$r.before"; ini $r >"$KS_DIR/ini-$r.before"; done
run builds-promote --tenant "$T"
P=$KS_DIR/screen-builds-promote
for r in rest webapp; do
	[ "$(dep $r | jq -r '.spec.template.metadata.annotations["smart.totvs.com/rpo-build"] // ""')" = 1 ] &&
		ok "appserver-$r's template runs build 1" || fail "appserver-$r's template does not name build 1"
	[ "$(rest_of $r)" = "$(cat "$KS_DIR/rest-$r.before")" ] && ok "appserver-$r: nothing but the RPO fields changed" ||
		fail "appserver-$r: more than the RPO fields changed"
	ini $r >"$KS_DIR/ini-$r.after"
	changed=$(diff "$KS_DIR/ini-$r.before" "$KS_DIR/ini-$r.after" | grep '^[<>]')
	[ -n "$changed" ] && ! printf '%s\n' "$changed" | grep -qv 'RPOCustom=' &&
		ok "appserver-$r-ini: only RPOCustom= changed" || { fail "appserver-$r-ini: changed lines other than RPOCustom="; printf '%s\n' "$changed" | head; }
done
[ "$(history | jq -r '.[] | select(.id=="1") | .promoted.dev.by // ""')" = kubesim-admin ] &&
	ok "the history records build 1 promoted to dev by kubesim-admin" || fail "no promotion recorded in the history"
kubectl -n "$t-dev" rollout status deployment/appserver-rest --timeout=60s >/dev/null 2>&1 &&
	ok "appserver-rest rolled out (kubectl rollout status)" || fail "appserver-rest did not roll out"

# 3. roll dev back: exactly the earlier values
run builds-rollback --tenant "$T"
for r in rest webapp; do
	[ "$(full_of $r)" = "$(cat "$KS_DIR/full-$r.before")" ] && ok "appserver-$r: exactly as before the promotion" ||
		{ fail "appserver-$r differs from before the promotion"; }
	[ "$(ini $r)" = "$(cat "$KS_DIR/ini-$r.before")" ] && ok "appserver-$r-ini: exactly as before" || fail "appserver-$r-ini differs from before"
done
[ -z "$(history | jq -r '.[] | select(.id=="1") | .promoted.dev.at // ""')" ] &&
	ok "the history no longer has build 1 in dev" || fail "the history still has build 1 promoted to dev"

# 4. --readonly: refused with the reason, no request that writes, no review either
lines=$(wc -l <"$AUDIT")
run builds-readonly --tenant "$T" --readonly
[ "$(wc -l <"$AUDIT")" = "$lines" ] && ok "readonly: nothing written, nothing asked" || fail "readonly: requests were made"
grep -q "read-only session (--readonly): promoting is refused" "$KS_DIR/screen-builds-readonly/readonly-promote.txt" &&
	ok "readonly: p says why" || fail "readonly: no reason for p"

# 5. real builds: kubesim runs their Jobs, so the stages come from the pod and
# each stage has its log. A kubesim of its own whose clock runs (stages take
# simulated time: at 100x a build's 97 simulated seconds take about 1 s; nothing
# here catches a build running, only finished ones), the tenant kept awake (a
# day's idle timeout, some 14 minutes at 100x; the build Jobs are kept a day).
kill "$KS_PID" 2>/dev/null; wait "$KS_PID" 2>/dev/null; rm -f "$KUBECONFIG"
ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 100 --no-traffic
"$S" apply namespace --tcode "$T" --idle-timeout 86400 --yes >"$KS_DIR/apply.out" 2>&1 && ok "$T made again" ||
	{ fail "apply namespace $T"; tail -5 "$KS_DIR/apply.out"; finish; }
W="$KS_DIR/work"; REPO="$KS_DIR/custom.git"
git_fixture "$W"
printf 'User Function Fat001()\nReturn .T.\n' >"$W/FAT001.prw"
git -C "$W" add -A && git -C "$W" commit -qm one
git clone -q --bare "$W" "$REPO"
kubectl annotate namespace "$t-dev" "smart.totvs.com/custom-repo=file://$REPO" >/dev/null
"$S" apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/err" && ok "build 1 (main) succeeded" ||
	{ fail "build 1"; cat "$KS_DIR/err"; }
kcurl -X PUT -d '{"compile":"fail"}' "$KS_URL/sim/v1/faults" >/dev/null
"$S" apply build --tcode "$T" --ref main --yes >/dev/null 2>"$KS_DIR/err"
[ $? -eq 1 ] && ok "build 2 failed (compile fault)" || fail "build 2 did not fail"
kcurl -X DELETE "$KS_URL/sim/v1/faults" >/dev/null
if screen_run builds-logs --tenant "$T"; then ok "builds-logs: the script ran to its end"
else fail "builds-logs: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-builds-logs/stderr" | head -10; fi
L=$KS_DIR/screen-builds-logs
grep -q "stages of pod custombuild-2-" "$L/failed-compile.txt" && ok "build 2's stages read from its pod" || fail "build 2's stages not from its pod"
grep -Eq "^ *> 3 compile +failed" "$L/failed-compile.txt" && ok "the compile stage failed, selected first" || fail "compile not shown failed"
grep -Eq "^ +1 checkout +succeeded" "$L/failed-compile.txt" && ok "checkout succeeded" || fail "checkout not shown succeeded"
grep -Eq "^ +4 upload +pending" "$L/failed-compile.txt" && ok "upload never ran (pending)" || fail "upload not pending"
grep -q "compiling FAT001.prw" "$L/failed-compile.txt" && ok "the compile log lists the repository's source" || fail "no compile log line"
grep -q "log of stage checkout" "$L/checkout.txt" && grep -q "\[checkout\]" "$L/checkout.txt" &&
	ok "Up twice: the checkout stage's log" || fail "no checkout log"

# 6. the API hangs (requests accepted, never answered) while the stages are on
# screen: moving between stages starts a log read that hangs, and leaving it
# must not wait for it on the UI thread (it is cancelled and set aside). Every
# key within 200 ms, less the time the UI thread waited for a CPU (as in
# console_hung_keys.sh); the keys are typed once the console says UNREACHABLE,
# so they surely ran during the hang.
H="$KS_DIR/hang"; mkdir -p "$H"
{
	echo ':wait-for "rpo  dev" 60'
	echo 'b'
	echo ':wait-for "compile   OK" 60'
	echo '<Enter>'
	echo ':wait-for "compile failed: 1 error" 60'
	echo ':save-display ready.txt'
	echo ':early'
	echo ':wait-for "UNREACHABLE" 120'
	for k in '<Up>' '<Up>' '<Down>' '<Up>' '<Down>' '<Down>' '<Esc>' '<Enter>' '<Up>' '<Up>' '<Esc>'; do
		printf ':early\n%s\n' "$k"
	done
	echo ':early'
	echo ':save-display during.txt'
	echo ':early'
	echo ':wait-for "connected" 120'
	echo ':quit'
} >"$H/keys"
(cd "$H" && env TZ=UTC LANG=C.UTF-8 LC_ALL= COLUMNS=120 LINES=30 TERM=xterm-256color SMARTOPS_KEY_TIMING=1 \
	timeout 300 "$BUILD/smartops" --script keys --tenant "$T" >stdout 2>stderr; echo $? >rc) &
CONSOLE=$!
ready() { [ -s "$H/ready.txt" ] || [ -s "$H/rc" ]; }
wait_for "the failed build's stages on screen" 120 ready
kcurl -o /dev/null -X PUT -d '{"hang": true}' "$KS_URL/sim/v1/faults"
during() { [ -s "$H/during.txt" ] || [ -s "$H/rc" ]; }
wait_for "the keys typed during the hang" 200 during
kcurl -o /dev/null -X DELETE "$KS_URL/sim/v1/faults"
wait "$CONSOLE"
[ "$(cat "$H/rc")" = 0 ] && ok "hang: the script ran to its end" || { fail "hang: the console exit $(cat "$H/rc")"; tail -5 "$H/stderr"; }
grep -q UNREACHABLE "$H/during.txt" && ok "the keys ran while the API hung (UNREACHABLE on screen)" ||
	fail "the screen after the keys does not say UNREACHABLE"
set -- $(sed -n 's/^key-to-frame less CPU queueing: \([0-9]*\) keys, p50 \([0-9]*\) us, p99 \([0-9]*\) us, max \([0-9]*\) us$/\1 \2 \3 \4/p' "$H/stderr")
if [ $# -eq 4 ]; then
	[ "$1" -ge 11 ] && [ "$4" -le 200000 ] && ok "$1 keys, every one within 200 ms while the API hangs (max $4 us)" ||
		fail "$1 keys, the slowest took $(($4 / 1000)) ms while the API hangs (the bound is 200 ms)"
else
	fail "the console reported no key-to-frame figures"; tail -5 "$H/stderr"
fi
finish
