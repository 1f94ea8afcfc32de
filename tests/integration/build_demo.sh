#!/bin/sh
# What the demo needs to build: kubesim's fleet names the RPO buckets in ConfigMap
# smartops-system/smart-platform (kept when --managed-postgres adds its key), and
# --custom-repo URL gives every seeded ERP tenant's namespaces that custom-repo (eSocial
# tenants none); a seeded tenant is then built with no --repo and no setup of the
# platform, the upload going to its provider's bucket. Bad --custom-repo refused.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"

# kubesim's own refusals first
"$BUILD/kubesim" --port 0 --custom-repo file:///srv/git/custom.git --start-time "$KS_QUIET_START" \
	>"$KS_DIR/out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -q "needs --fleet" "$KS_DIR/out" && ok "--custom-repo without a fleet refused (exit 2)" ||
	{ fail "--custom-repo without --fleet: rc $rc"; cat "$KS_DIR/out"; }
"$BUILD/kubesim" --port 0 --fleet 2 --custom-repo 'file:///srv/my repo.git' --start-time "$KS_QUIET_START" \
	>"$KS_DIR/out" 2>&1; rc=$?
[ $rc -ne 0 ] && grep -q "blank or control character" "$KS_DIR/out" && ok "a URL with a blank refused" ||
	{ fail "--custom-repo with a blank: rc $rc"; cat "$KS_DIR/out"; }

REPO="$KS_DIR/custom.git"
W="$KS_DIR/work"
git_fixture "$W"
printf 'User Function Fat001()\nReturn .T.\n' >"$W/FAT001.prw"
git -C "$W" add -A && git -C "$W" commit -qm one
git clone -q --bare "$W" "$REPO"
MAIN=$(git -C "$REPO" rev-parse main)

# a build's stages take 97 simulated seconds: ~10 s at 10x
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 10 --no-traffic \
	--custom-repo "file://$REPO" --managed-postgres "host=pg.example port=5432 user=smartops_admin"

kubectl -n smartops-system get configmap smart-platform -o json >"$KS_DIR/platform.json"
[ "$(jq -r '.data | "\(.["rpo.aws"]) \(.["rpo.gcp"]) \(.["rpo.totvs"])"' "$KS_DIR/platform.json")" = \
	"s3://smart-rpo gs://smart-rpo https://store.totvs.example/smart-rpo" ] &&
	ok "smart-platform names a bucket per provider" || { fail "no RPO buckets"; jq .data "$KS_DIR/platform.json"; }
[ "$(jq -r '.data["postgres.conninfo"]' "$KS_DIR/platform.json")" = "host=pg.example port=5432 user=smartops_admin" ] &&
	ok "... beside --managed-postgres's conninfo" || fail "postgres.conninfo lost"

kubectl get namespaces -l smart.totvs.com/tcode -o json >"$KS_DIR/ns.json"
erp_without=$(jq --arg u "file://$REPO" '[.items[] | select(.metadata.labels["smart.totvs.com/product"]=="erp")
	| select(.metadata.annotations["smart.totvs.com/custom-repo"] != $u)] | length' "$KS_DIR/ns.json")
erp=$(jq '[.items[] | select(.metadata.labels["smart.totvs.com/product"]=="erp")] | length' "$KS_DIR/ns.json")
esocial_with=$(jq '[.items[] | select(.metadata.labels["smart.totvs.com/product"]=="esocial")
	| select(.metadata.annotations["smart.totvs.com/custom-repo"])] | length' "$KS_DIR/ns.json")
[ "$erp" -gt 0 ] && [ "$erp_without" = 0 ] && ok "all $erp ERP namespaces name the repository" ||
	fail "$erp_without of $erp ERP namespaces without the custom-repo"
[ "$esocial_with" = 0 ] && ok "eSocial namespaces name none" || fail "$esocial_with eSocial namespaces name a repository"

# a seeded ERP tenant, built with no --repo
T=$(jq -r '[.items[] | select(.metadata.labels["smart.totvs.com/product"]=="erp")][0].metadata.labels["smart.totvs.com/tcode"]' "$KS_DIR/ns.json")
t=$(echo "$T" | tr 'T' 't')
PROVIDER=$(jq -r --arg n "$t-dev" '.items[] | select(.metadata.name==$n).metadata.annotations["smart.totvs.com/provider"]' "$KS_DIR/ns.json")
case "$PROVIDER" in aws) BUCKET=s3://smart-rpo ;; gcp) BUCKET=gs://smart-rpo ;; *) BUCKET=https://store.totvs.example/smart-rpo ;; esac
# kubesim's fleet starts builds of its own now and then: none in the way of ours
jobs_api="$KS_URL/apis/batch/v1/namespaces"
for e in dev prod; do
	kcurl "$jobs_api/$t-$e/jobs" | jq -r '.items[].metadata.name' |
		while read -r j; do kcurl -X DELETE "$jobs_api/$t-$e/jobs/$j" >/dev/null; done
done
"$S" plan build --tcode "$T" --ref main -o json >"$KS_DIR/plan.json" 2>"$KS_DIR/err" &&
	ok "plan build of seeded $T ($PROVIDER) with no --repo" || { fail "plan build $T"; cat "$KS_DIR/err"; }
[ "$(jq -r '.steps[0].body.metadata.annotations["smart.totvs.com/commit"]' "$KS_DIR/plan.json")" = "$MAIN" ] &&
	ok "the plan pins main's commit" || fail "the plan's commit is not main's"
"$S" apply build --tcode "$T" --ref main --yes >"$KS_DIR/out" 2>"$KS_DIR/err" &&
	ok "the build succeeded" || { fail "apply build $T"; cat "$KS_DIR/err"; }
"$S" builds "$T" -o json >"$KS_DIR/builds.json"
rpo=$(jq -r --arg c "$MAIN" '[.items[] | select(.commit==$c)][0].rpo' "$KS_DIR/builds.json")
case "$rpo" in "$BUCKET/$t/dev/"*/custom.rpo) ok "its RPO in the $PROVIDER bucket: $rpo" ;;
*) fail "RPO \"$rpo\" not in $BUCKET/$t/dev/" ;; esac
finish
