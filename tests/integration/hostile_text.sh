#!/bin/sh
# Text from the cluster or from files reaches the terminal escaped: C0/C1
# controls as \xNN, bidirectional controls as \uNNNN (an Event message with
# U+202E through smartops tenant and the tenant screen; a pod's log lines, told
# through kubesim's POST /sim/v1/podlog, on the logs screen followed, searched and
# unwrapped; the Hypnus usage history's time zone and a malformed offset on the
# Hypnus panel and through smartops tenant; a run journal edited with the same
# through smartops runs and the runs screen; kubeconfig context names with an
# OSC title sequence or bidi controls in the "contexts are" error message).
. tests/integration/lib.sh
SO="$(cd "$BUILD" && pwd)/smartops"
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config"

ks_start --start-time "$KS_QUIET_START" --fleet 3 --seed 5 --time-scale 1

# raw_free FILE: no ESC, BEL, C1 CSI or any bidi control byte sequence in FILE
raw_free() {
	python3 - "$1" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
bad = [b"\x1b", b"\x07", b"\xc2\x9b"] + [chr(c).encode() for c in
       list(range(0x202a, 0x202f)) + list(range(0x2066, 0x206a)) + [0x200e, 0x200f, 0x061c]]
found = [x for x in bad if x in b]
assert not found, "raw bytes in output: %r" % found
PY
}

# ---- D5: an Event message with bidi and escape characters ----
T=$("$SO" tenants -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["tcode"])')
NS=$(echo "$T" | tr 'A-Z' 'a-z')-prod
python3 - "$KS_DIR/event.json" "$NS" <<'PY'
import json, sys
msg = "quota \u202eexe.txt\u202c \u2066iso\u2069 \u200f\u200e\u061c \x1b]0;owned\x07 done"
ev = {"apiVersion": "v1", "kind": "Event",
      "metadata": {"name": "hostile.1", "namespace": sys.argv[2]},
      "involvedObject": {"kind": "Namespace", "name": sys.argv[2], "namespace": sys.argv[2]},
      "reason": "Hostile\u202eReason", "message": msg, "type": "Warning", "count": 1,
      "firstTimestamp": "2026-11-04T06:00:00Z", "lastTimestamp": "2026-11-04T06:00:00Z"}
open(sys.argv[1], "w").write(json.dumps(ev))
PY
kcurl -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$KS_DIR/event.json" \
	"$KS_URL/api/v1/namespaces/$NS/events"
"$SO" tenant "$T" >"$KS_DIR/tenant.txt" 2>&1
check "smartops tenant $T shows the hostile Event" grep -q 'quota' "$KS_DIR/tenant.txt"
check "smartops tenant: no raw control or bidi character" raw_free "$KS_DIR/tenant.txt"
check "smartops tenant: U+202E written as \\u202e" grep -qF '\u202eexe.txt\u202c' "$KS_DIR/tenant.txt"
check "smartops tenant: the OSC sequence written as text" grep -qF '\x1b]0;owned\x07' "$KS_DIR/tenant.txt"
"$SO" tenant "$T" -o json >"$KS_DIR/tenant.json" 2>"$KS_DIR/tenant.json.err"; head -c 300 "$KS_DIR/tenant.json.err"
check "smartops tenant -o json: valid JSON, the message whole, no raw ESC" sh -c \
	"python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '$KS_DIR/tenant.json' && python3 -c 'import sys; b=open(sys.argv[1],\"rb\").read(); assert b\"\\x1b\" not in b and b\"exe.txt\" in b' '$KS_DIR/tenant.json'"

# console_script DIR COLUMNS: runs DIR/keys in the console's script mode in DIR,
# 50 lines high, and says how it ended
console_script() {
	(cd "$1" && env TZ=UTC LANG=C.UTF-8 LC_ALL= COLUMNS="$2" LINES=50 TERM=xterm-256color \
		timeout 120 "$SO" --script keys >stdout 2>stderr; echo "    console exit $?"; head -3 stderr)
}

# ---- D5 in the console: the tenant screen with the same Event ----
mkdir -p "$KS_DIR/console"
cat >"$KS_DIR/console/keys" <<EOK
:wait-for "$T" 60
:tenant $T
:wait-for "exe.txt" 30
:save-display tenant.txt
:quit
EOK
console_script "$KS_DIR/console" 160
check "console: the tenant screen shows the hostile Event" grep -q "exe.txt" "$KS_DIR/console/tenant.txt"
check "console: no raw control or bidi character on the screen" raw_free "$KS_DIR/console/tenant.txt"
check "console: U+202E drawn as \\u202e" grep -qF '\u202eexe.txt' "$KS_DIR/console/tenant.txt"

# ---- the logs screen: a pod's log lines with bidi, OSC and C1 text (told
# through kubesim's POST /sim/v1/podlog), followed and searched ----
LOGLINE=$(printf 'log \342\200\256exe.txt\342\200\254 \033]0;pwned\007 \302\23331m c1 \342\201\246iso\342\201\251 end')
for ns in "$NS" "${NS%-prod}-dev"; do
	kcurl "$KS_URL/api/v1/namespaces/$ns/pods" |
		jq -r '.items[] | .metadata.namespace as $n | .metadata.name as $p | .spec.containers[] | "\($n) \($p) \(.name)"'
done >"$KS_DIR/containers"
check "$T has pods to read the log of" test -s "$KS_DIR/containers"
while read -r ns pod c; do
	printf '%s\n' "$LOGLINE" | kcurl -o /dev/null -X POST --data-binary @- \
		"$KS_URL/sim/v1/podlog?namespace=$ns&pod=$pod&container=$c"
done <"$KS_DIR/containers"
read -r ns pod c <"$KS_DIR/containers"
kcurl "$KS_URL/api/v1/namespaces/$ns/pods/$pod/log?container=$c" >"$KS_DIR/told.log"
check "kubesim serves the told log line as sent" grep -qF "$LOGLINE" "$KS_DIR/told.log"
expect_out "POST /sim/v1/podlog: an unknown pod is 404" '"code":404' \
	kcurl -X POST --data-binary x "$KS_URL/sim/v1/podlog?namespace=$ns&pod=nope"
expect_out "POST /sim/v1/podlog: no pod named is 400" '"code":400' \
	kcurl -X POST --data-binary x "$KS_URL/sim/v1/podlog?namespace=$ns"
expect_out "POST /sim/v1/podlog: the read-only user is refused (403)" '"code":403' \
	curl -sS --cacert "$KS_CA" -H "Authorization: Bearer $KS_SUPPORT_TOKEN" -X POST --data-binary x \
	"$KS_URL/sim/v1/podlog?namespace=$ns&pod=$pod&container=$c"
mkdir -p "$KS_DIR/logs"
cat >"$KS_DIR/logs/keys" <<EOK
:wait-for "$T" 60
:tenant $T
:wait-for "$NS" 60
l
:wait-for "Pick a pod" 30
<Enter>
:wait-for "exe.txt" 30
:save-display log.txt
/exe<Enter>
:save-display search.txt
w
:save-display nowrap.txt
:quit
EOK
console_script "$KS_DIR/logs" 160
check "console: the logs screen shows the hostile line" grep -q "exe.txt" "$KS_DIR/logs/log.txt"
for f in log search nowrap; do
	check "console: logs screen ($f), no raw control or bidi character" raw_free "$KS_DIR/logs/$f.txt"
done
check "console: the log's U+202E drawn as \\u202e" grep -qF '\u202eexe.txt\u202c' "$KS_DIR/logs/log.txt"
check "console: the log's OSC sequence drawn as text" grep -qF '\x1b]0;pwned\x07' "$KS_DIR/logs/log.txt"
check "console: the log's C1 CSI drawn as text" grep -qF '\x9b31m' "$KS_DIR/logs/log.txt"
check "console: a search on the log draws the match escaped" grep -qF '\u202eexe.txt' "$KS_DIR/logs/search.txt"

# ---- the Hypnus panel: the usage history's time zone (prod) and a malformed
# offset (dev) with the same characters; the panel draws both escaped ----
HOSTILE_TZ=$(printf 'Sao_Paulo \342\200\256exe.txt\342\200\254 \033]0;pwned\007 \302\233')
for env in prod dev; do
	ns=${NS%-prod}-$env
	kcurl "$KS_URL/api/v1/namespaces/$ns/configmaps/hypnus-usage" >"$KS_DIR/usage-$env.json"
	HOSTILE_TZ="$HOSTILE_TZ" python3 - "$KS_DIR/usage-$env.json" "$env" <<'PY'
import json, os, sys
cm = json.load(open(sys.argv[1]))
bad = os.environ["HOSTILE_TZ"]
if sys.argv[2] == "prod":
    cm["data"]["timezone"] = bad
else:
    cm["data"]["utc-offset-minutes"] = bad
for k in ("resourceVersion", "managedFields"):
    cm["metadata"].pop(k, None)
open(sys.argv[1], "w").write(json.dumps(cm))
PY
	kcurl -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary @"$KS_DIR/usage-$env.json" \
		"$KS_URL/api/v1/namespaces/$ns/configmaps/hypnus-usage"
done
mkdir -p "$KS_DIR/hypnus"
cat >"$KS_DIR/hypnus/keys" <<EOK
:wait-for "$T" 60
:tenant $T
:wait-for "$NS" 60
h
:wait-for "exe.txt" 30
:save-display prod.txt
e
:wait-for "utc-offset-minutes" 30
:save-display dev.txt
:quit
EOK
# 100 columns: the forecast spans the width (its time zone is not cut)
console_script "$KS_DIR/hypnus" 100
check "console: the Hypnus panel shows the hostile time zone" grep -q "Sao_Paulo" "$KS_DIR/hypnus/prod.txt"
check "console: the Hypnus panel says the dev history is unreadable" grep -q "utc-offset-minutes" "$KS_DIR/hypnus/dev.txt"
for f in prod dev; do
	check "console: Hypnus panel ($f), no raw control or bidi character" raw_free "$KS_DIR/hypnus/$f.txt"
	# dev's message is cut at the screen's width just after the U+202E
	check "console: Hypnus panel ($f), U+202E drawn as \\u202e" grep -qF 'Sao_Paulo \u202e' "$KS_DIR/hypnus/$f.txt"
done
"$SO" tenant "$T" >"$KS_DIR/tenant-hypnus.txt" 2>&1
check "smartops tenant with the hostile usage history: no raw control or bidi character" \
	raw_free "$KS_DIR/tenant-hypnus.txt"
check "smartops tenant: the unreadable usage history's text written escaped" \
	grep -qF 'not a number: "Sao_Paulo \u202eexe.txt\u202c \x1b]0;pwned\x07 \x9b"' "$KS_DIR/tenant-hypnus.txt"

# ---- a run journal edited with hostile text (anyone who may write smartops-system
# can): smartops runs, runs RUN and the console's runs screen draw it escaped ----
T2=$(kcurl "$KS_URL/catalog/v1/tenants" |
	jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active")][0].tcode')
"$SO" apply namespace --tcode "$T2" --yes >/dev/null 2>"$KS_DIR/apply.err" || { fail "apply namespace $T2"; cat "$KS_DIR/apply.err"; }
RUN=$("$SO" runs --tcode "$T2" -o json | jq -r '.items[0].run // empty')
kcurl "$KS_URL/api/v1/namespaces/smartops-system/configmaps/run-$RUN" >"$KS_DIR/run.cm"
python3 - "$KS_DIR/run.cm" <<'PY'
import json, sys
cm = json.load(open(sys.argv[1]))
j = json.loads(cm["data"]["journal"])
bad = "jrn \u202egnp.exe\u202c \x1b]0;owned\x07 \u009b31m end"
j["message"] = bad
j["operator"] = "op\u202eator"
j["lastOperator"] = "op\u202eator"
j["steps"][0]["message"] = bad
cm["data"]["journal"] = json.dumps(j)
for k in ("resourceVersion", "managedFields"):
    cm["metadata"].pop(k, None)
open(sys.argv[1], "w").write(json.dumps(cm))
PY
kcurl -o /dev/null -X PUT -H 'Content-Type: application/json' --data-binary @"$KS_DIR/run.cm" \
	"$KS_URL/api/v1/namespaces/smartops-system/configmaps/run-$RUN"
"$SO" runs >"$KS_DIR/runs.txt" 2>&1
"$SO" runs "$RUN" >"$KS_DIR/run.txt" 2>&1
check "smartops runs RUN shows the edited message" grep -q 'gnp.exe' "$KS_DIR/run.txt"
cat "$KS_DIR/runs.txt" "$KS_DIR/run.txt" >"$KS_DIR/runs.all"
check "smartops runs, runs RUN: no raw control or bidi character" raw_free "$KS_DIR/runs.all"
check "smartops runs RUN: U+202E written as \\u202e" grep -qF '\u202egnp.exe' "$KS_DIR/run.txt"
mkdir -p "$KS_DIR/console2"
cat >"$KS_DIR/console2/keys" <<EOK
:wait-for "$T" 60
:runs
:wait-for "$T2" 30
:save-display runs.txt
<Enter>
:wait-for "gnp.exe" 30
:save-display run.txt
:quit
EOK
console_script "$KS_DIR/console2" 160
check "console: the runs screen and the run's steps show the edited journal" grep -q "gnp.exe" "$KS_DIR/console2/run.txt"
check "console: runs screen, no raw control or bidi character" raw_free "$KS_DIR/console2/runs.txt"
check "console: the run's steps, no raw control or bidi character" raw_free "$KS_DIR/console2/run.txt"

# ---- D6: kubeconfig context names in error messages ----
HOSTILE="$KS_DIR/hostile.kubeconfig"
python3 - "$HOSTILE" <<'PY'
import sys
names = ["evil\x1b]0;pwned\x07title", "rtl\u202etxt.exe", "c1\u009b31m"]
out = ["apiVersion: v1", "kind: Config", "clusters:", "- name: c", "  cluster:",
       "    server: https://127.0.0.1:1", "users:", "- name: u", "  user: {}", "contexts:"]
for n in names:
    out += ['- name: "%s"' % n.encode("unicode_escape").decode().replace("\\x", "\\x"),
            "  context:", "    cluster: c", "    user: u"]
out.append('current-context: "%s"' % names[0].encode("unicode_escape").decode())
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
"$SO" --kubeconfig "$HOSTILE" --context nope tenants >"$KS_DIR/ctx.out" 2>&1
rc=$?
[ $rc -eq 2 ] || [ $rc -eq 1 ] && ok "--context nope: refused (exit $rc)" || fail "--context nope: refused (exit $rc)"
check "--context nope names the contexts" grep -q 'contexts are' "$KS_DIR/ctx.out"
check "--context nope: no raw control or bidi character" raw_free "$KS_DIR/ctx.out"
check "--context nope: the OSC name written as text" grep -qF 'evil\x1b]0;pwned\x07title' "$KS_DIR/ctx.out"
check "--context nope: the bidi name written as text" grep -qF 'rtl\u202etxt.exe' "$KS_DIR/ctx.out"
"$SO" --kubeconfig "$HOSTILE" tenants >"$KS_DIR/cur.out" 2>&1
check "current hostile context, unreachable: no raw control or bidi character" raw_free "$KS_DIR/cur.out"

finish
