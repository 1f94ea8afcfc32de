#!/bin/sh
# smartops tenant T --ini: each role's appserver.ini as its Deployment mounts it,
# and comparisons by section and key between prod and dev or between two roles.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
ks_start --start-time "$KS_QUIET_START" --fleet 10 --seed 7 --time-scale 1 --no-traffic
T=$("$S" tenants -o json --product erp | jq -r '.items[0].tcode'); t=$(echo "$T" | tr T t)
CM="$KS_URL/api/v1/namespaces"
ini_of() { kcurl "$CM/$1/configmaps/$2" | jq -r '.data["appserver.ini"]'; }
echo "tenant $T"

# ---- showing ----
"$S" tenant "$T" --ini -o json >"$KS_DIR/list.json"
n=$(jq '.items | length' "$KS_DIR/list.json")
want=$(kcurl "$KS_URL/apis/apps/v1/deployments?labelSelector=smart.totvs.com/component%3Dappserver,smart.totvs.com/tcode%3D$T" | jq '.items | length')
[ "$n" -gt 0 ] && [ "$n" = "$want" ] && ok "--ini: one file per AppServer Deployment ($n)" || fail "--ini lists $n, cluster has $want"
jq -e '.items[0].env == "prod"' "$KS_DIR/list.json" >/dev/null && ok "prod first" || fail "order"
ok_all=1
for i in $(seq 0 $((n - 1))); do
	ns=$(jq -r ".items[$i].namespace" "$KS_DIR/list.json"); cm=$(jq -r ".items[$i].configmap" "$KS_DIR/list.json")
	[ "$(jq -r ".items[$i].ini" "$KS_DIR/list.json")" = "$(ini_of "$ns" "$cm")" ] || ok_all=0
done
[ $ok_all = 1 ] && ok "each file is its ConfigMap's appserver.ini, byte for byte" || fail "file content differs"
"$S" tenant "$T" --ini --env dev --role rest >"$KS_DIR/rest.txt"
head -1 "$KS_DIR/rest.txt" | grep -q "^# $t-dev rest: Deployment appserver-rest, ConfigMap appserver-rest-ini" &&
	[ "$(grep -c '^# t' "$KS_DIR/rest.txt")" = 1 ] && ok "--env dev --role rest: that one file, named" || { fail "one role"; head -3 "$KS_DIR/rest.txt"; }

# ---- prod against dev ----
"$S" tenant "$T" --ini --diff-env --role rest -o json >"$KS_DIR/d0.json"
jq -e '.items[0].changes[] | select(.section=="PROTHEUS12" and .key=="TopAlias" and .a=="'"$t"'_prod" and .b=="'"$t"'_dev")' \
	"$KS_DIR/d0.json" >/dev/null && ok "--diff-env: TopAlias differs, prod's against dev's" || { fail "diff-env TopAlias"; head -c 600 "$KS_DIR/d0.json"; }
base=$(jq '.items[0].changes | length' "$KS_DIR/d0.json")
# dev's rest file rewritten: every line reordered, names in another case, one key added
ini_of "$t-dev" appserver-rest-ini >"$KS_DIR/dev.ini"
python3 - "$KS_DIR/dev.ini" >"$KS_DIR/dev2.ini" <<'PY'
import sys
secs, cur = [], None
for line in open(sys.argv[1]).read().splitlines():
    s = line.strip()
    if not s or s.startswith(';'): continue
    if s.startswith('['): cur = [s.lower(), []]; secs.append(cur); continue
    k, v = s.split('=', 1); cur[1].append(k.upper() + ' = ' + v)
for name, keys in reversed(secs):
    print(name)
    if name == '[protheus12]': keys.append('RPOCustom=s3://smart-rpo/b1/custom.rpo')
    for k in reversed(keys): print(k)
PY
jq -n --rawfile v "$KS_DIR/dev2.ini" '{data: {"appserver.ini": $v}}' |
	kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' --data-binary @- "$CM/$t-dev/configmaps/appserver-rest-ini" >/dev/null
"$S" tenant "$T" --ini --diff-env --role rest -o json >"$KS_DIR/d1.json"
[ "$(jq '.items[0].changes | length' "$KS_DIR/d1.json")" = $((base + 1)) ] &&
	jq -e '.items[0].changes[] | select(.key=="RPOCustom" and .a==null and .b=="s3://smart-rpo/b1/custom.rpo")' "$KS_DIR/d1.json" >/dev/null &&
	ok "reordered, recased and respaced: the one real change (RPOCustom) is all that is new" ||
	{ fail "diff after rewrite"; jq -c '.items[0].changes' "$KS_DIR/d1.json" | head -c 800; }
"$S" tenant "$T" --ini --diff-env --role rest >"$KS_DIR/d1.txt"
grep -q "^--- $t-prod rest (appserver-rest-ini)" "$KS_DIR/d1.txt" && grep -q '^+RPOCustom=s3://smart-rpo/b1/custom.rpo' "$KS_DIR/d1.txt" &&
	ok "text diff: headers and +RPOCustom under its section" || { fail "text diff"; cat "$KS_DIR/d1.txt"; }

# ---- two roles ----
"$S" tenant "$T" --ini --diff webapp,rest -o json >"$KS_DIR/r.json"
jq -e '.items[0].a.role=="webapp" and .items[0].b.role=="rest" and .items[0].a.env=="prod" and
	([.items[0].changes[] | select(.section=="HTTPREST" and .key=="Port" and .b=="8400")] | length == 1)' "$KS_DIR/r.json" >/dev/null &&
	ok "--diff webapp,rest in prod: REST's port is rest's alone" || { fail "role diff"; head -c 600 "$KS_DIR/r.json"; }
"$S" tenant "$T" --ini --role webapp --diff rest -o json | cmp -s - "$KS_DIR/r.json" && ok "--role A --diff B is the same" || fail "--role --diff"

# ---- the file the Deployment mounts, not a name guessed ----
kcurl "$CM/$t-prod/configmaps/appserver-rest-ini" | jq '{apiVersion, kind, metadata: {name: "rest-moved-ini"}, data: {"appserver.ini": "[PROTHEUS12]\nMoved=1\n"}}' |
	kcurl -X POST -H 'Content-Type: application/json' --data-binary @- "$CM/$t-prod/configmaps" >/dev/null
kcurl -X PATCH -H 'Content-Type: application/strategic-merge-patch+json' \
	-d '{"spec":{"template":{"spec":{"volumes":[{"name":"config","configMap":{"name":"rest-moved-ini"}}]}}}}' \
	"$KS_URL/apis/apps/v1/namespaces/$t-prod/deployments/appserver-rest" >/dev/null
"$S" tenant "$T" --ini --env prod --role rest -o json | jq -e '.items[0].configmap=="rest-moved-ini" and (.items[0].ini | contains("Moved=1"))' >/dev/null &&
	ok "the ConfigMap is read from the Deployment's volume" || fail "moved ConfigMap"

# ---- text from the cluster is escaped ----
printf '[General]\nNote=a\033]0;owned\007b\342\200\256c\n' >"$KS_DIR/esc.ini"
jq -n --rawfile v "$KS_DIR/esc.ini" '{data: {"appserver.ini": $v}}' |
	kcurl -X PATCH -H 'Content-Type: application/merge-patch+json' --data-binary @- "$CM/$t-prod/configmaps/rest-moved-ini" >/dev/null
"$S" tenant "$T" --ini --env prod --role rest >"$KS_DIR/esc.txt"
! grep -q "$(printf '\033')" "$KS_DIR/esc.txt" && grep -q 'Note=a\\x1b' "$KS_DIR/esc.txt" &&
	ok "an escape sequence in a file is printed escaped" || { fail "raw escape"; od -c "$KS_DIR/esc.txt" | head; }

# ---- errors ----
"$S" tenant "$T" --ini --role nosuch >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc = 1 ] && grep -q "no role nosuch in prod; roles there: .*rest" "$KS_DIR/err" && ok "unknown role: exit 1, the roles named" || { fail "unknown role rc $rc"; cat "$KS_DIR/err"; }
"$S" tenant "$T" --ini --diff rest >/dev/null 2>&1; [ $? = 2 ] && ok "--diff with one role and no --role: usage" || fail "--diff one role"
"$S" tenant "$T" --ini --diff a,b --diff-env >/dev/null 2>&1; [ $? = 2 ] && ok "--diff with --diff-env: usage" || fail "both diffs"
"$S" tenant "$T" --diff-env >/dev/null 2>&1; [ $? = 2 ] && ok "--diff-env without --ini: usage" || fail "no --ini"
"$S" tenant "$T" --ini --env qa >/dev/null 2>&1; [ $? = 2 ] && ok "--env qa: usage" || fail "env qa"
"$S" tenant T99998 --ini >/dev/null 2>"$KS_DIR/err"; rc=$?
[ $rc = 1 ] && grep -q "tenant T99998 not found" "$KS_DIR/err" && ok "unknown tenant: exit 1" || fail "unknown tenant rc $rc"
dead_kubeconfig "$KS_DIR/dead.yaml"
KUBECONFIG="$KS_DIR/dead.yaml:$KUBECONFIG" "$S" --context dead tenant "$T" --ini >/dev/null 2>&1; rc=$?
[ $rc = 3 ] && ok "unreachable cluster: exit 3" || fail "unreachable rc $rc"
finish
