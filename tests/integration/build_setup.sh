# Shared by tests/integration/build_wizard.sh and build_wizard_busy.sh (after
# lib.sh; BW_SCALE the clock's speed): a kubesim of the test's own (fleet 20,
# seed 7, no traffic, no builds of the fleet's own), an unprovisioned ERP tenant
# $T with its namespaces made, an eSocial tenant $ESOCIAL, and a bare repository
# (fixed dates: the same commits every run) that both its namespaces name as
# their custom-repo; helpers our_jobs ENV and build_json ID.
S="$BUILD/smartops"
export SMARTOPS_AUDIT_LOG="$KS_DIR/audit.log"
# a build's stages take 97 simulated seconds: ~10 s at 10x, 2.4 s at 40x;
# the fleet starts no builds of its own (--no-builds): only ours run
ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale "$BW_SCALE" --no-traffic --no-builds

pick_tenants
"$S" apply namespace --tcode "$T" --idle-timeout 86400 --yes >/dev/null 2>"$KS_DIR/err" &&
	ok "namespaces of $T made" || { fail "apply namespace"; cat "$KS_DIR/err"; finish; }

# ---- the customer's repository: fixed dates, so the commits are the same every run ----
REPO="$KS_DIR/custom.git"
W="$KS_DIR/work"
git_fixture "$W"
mkdir -p "$W/src"
printf 'User Function Fat001()\nReturn .T.\n' >"$W/src/FAT001.prw"
printf 'namespace custom.fin\nfunction fin002()\nreturn\n' >"$W/src/fin002.tlpp"
printf 'docs\n' >"$W/README.md"
git -C "$W" add -A && git -C "$W" commit -qm "first sources"
git -C "$W" tag -a v1 -m "release 1"
printf 'User Function Fat003()\nReturn .F.\n' >"$W/src/FAT003.PRX"
git -C "$W" add -A && git -C "$W" commit -qm "FAT003"
git clone -q --bare "$W" "$REPO"
MAIN=$(git -C "$REPO" rev-parse main)
V1=$(git -C "$REPO" rev-parse 'v1^{commit}')
URL="file://$REPO"
kubectl annotate namespace "$t-dev" "smart.totvs.com/custom-repo=$URL" >/dev/null
kubectl annotate namespace "$t-prod" "smart.totvs.com/custom-repo=$URL" >/dev/null
# the fleet's smart-platform names the RPO buckets
[ "$(kubectl -n smartops-system get configmap smart-platform -o json | jq -r '.data | "\(.["rpo.aws"]) \(.["rpo.gcp"]) \(.["rpo.totvs"])"')" = \
	"s3://smart-rpo gs://smart-rpo https://store.totvs.example/smart-rpo" ] && ok "smart-platform names the RPO buckets" ||
	fail "smart-platform"
case "$PROVIDER" in aws) SCHEME=s3:// ;; gcp) SCHEME=gs:// ;; *) SCHEME=https:// ;; esac

jobs_api="$KS_URL/apis/batch/v1/namespaces"
our_jobs() { kcurl "$jobs_api/$t-$1/jobs" | jq '[.items[] | select(.metadata.labels["app.kubernetes.io/managed-by"]=="smartops")] | length'; }
build_json() { "$S" builds "$T" -o json | jq -c --arg id "$1" '.items[] | select(.id==$id)'; }

