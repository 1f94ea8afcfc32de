#!/bin/sh
# kubesim runs custom-build Jobs as a cluster would (docs/fleet.md, "Build Jobs"), checked
# with the real kubectl and a real git repository made here: the stages are the pod's init
# containers, run in order in simulated time with their own logs and statuses; checkout
# reads the repository at the commit with git, compile lists its sources; a missing commit
# and the quality_gate and compile faults fail the build at their stage with the reason.
. tests/integration/lib.sh
for tool in kubectl git; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "FAIL: $tool is not installed: scripts/deps.sh installs it"
		exit 1
	fi
done
K="kubectl --request-timeout=20s"
# stages run 97 simulated seconds in all: about 2.4 s of wall time at 40x
ks_start --start-time "$KS_QUIET_START" --time-scale 40

# --- a repository of the customer's sources ---------------------------------------------
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
REPO="$KS_DIR/custom.git"
WORK="$KS_DIR/work"
git init -q --bare "$REPO" && git init -q "$WORK" || { fail "git init"; finish; }
mkdir -p "$WORK/src" "$WORK/tlpp" "$WORK/inc" "$WORK/docs"
echo "# custom sources" >"$WORK/README.md"
echo "User Function ZMATA410()" >"$WORK/src/MATA410.PRW"
echo "User Function ZFIN050()" >"$WORK/src/zfin050.prw"
echo "namespace custom.fat" >"$WORK/tlpp/api.pedidos.TLPP"
echo "#define ZLIB" >"$WORK/inc/ZLIB.prx"
echo "notes" >"$WORK/docs/notes.txt"
echo "old" >"$WORK/src/old.prw.bak"
(cd "$WORK" && git add . && git commit -qm "first sources" && git push -q "$REPO" HEAD:refs/heads/main) ||
	{ fail "git commit"; finish; }
COMMIT=$(git --git-dir="$REPO" rev-parse main)
git --git-dir="$REPO" ls-tree -r --name-only "$COMMIT" | grep -iE '\.(prw|prx|tlpp)$' | sed 's/^/compiling /' >"$KS_DIR/want-sources"
[ "$(wc -l <"$KS_DIR/want-sources")" -eq 4 ] && ok "the repository holds 4 sources" || fail "sources: $(cat "$KS_DIR/want-sources")"
MISSING=0123456789abcdef0123456789abcdef01234567

# job ID COMMIT REPO_URL [TTL]: a build Job of the contract
job() {
	ttl=${4:-86400}
	env="        env:
        - {name: REPO, value: \"$3\"}
        - {name: COMMIT, value: \"$2\"}
        - {name: BUILD_ID, value: \"$1\"}
        - {name: RPO_LOCATION, value: \"s3://smart-rpo/t12345\"}"
	cat <<YAML
apiVersion: batch/v1
kind: Job
metadata:
  name: custombuild-$1
  namespace: builds
  labels: {smart.totvs.com/component: custombuild}
  annotations: {smart.totvs.com/build-id: "$1", smart.totvs.com/commit: "$2"}
spec:
  backoffLimit: 0
  ttlSecondsAfterFinished: $ttl
  template:
    metadata:
      labels: {smart.totvs.com/component: custombuild}
    spec:
      restartPolicy: Never
      initContainers:
      - name: checkout
        image: registry.example.com/git:2
$env
      - name: sonarqube
        image: registry.example.com/sonar-scanner:5
$env
      - name: compile
        image: registry.example.com/advpl:7
$env
      - name: upload
        image: registry.example.com/upload:1
$env
      containers:
      - name: finish
        image: registry.example.com/upload:1
$env
YAML
}
apply_job() { job "$@" | $K apply -f - >"$KS_DIR/apply.out" 2>&1 || { fail "apply job $1"; cat "$KS_DIR/apply.out"; }; }
pod_of() { $K get pods -n builds -l "job-name=custombuild-$1" -o 'jsonpath={.items[0].metadata.name}'; }
# stage_field ID INDEX JSONPATH-UNDER-THE-STATUS
stage_field() { $K get pods -n builds -l "job-name=custombuild-$1" -o "jsonpath={.items[0].status.initContainerStatuses[$2]$3}"; }
job_cond() { [ "$($K get job -n builds "custombuild-$1" -o "jsonpath={.status.conditions[?(@.type==\"$2\")].status}")" = True ]; }

check "create namespace builds" $K create ns builds

# --- a build that succeeds, watched stage by stage --------------------------------------
$K get pods -n builds -l job-name=custombuild-b1 -w --no-headers >"$KS_DIR/watch-b1" 2>&1 &
WATCH=$!
apply_job b1 "$COMMIT" "file://$REPO"
check "the Job completes (kubectl wait)" $K wait -n builds --for=condition=complete job/custombuild-b1 --timeout=120s
wait_for "the watch saw the pod Completed" 30 grep -q ' Completed ' "$KS_DIR/watch-b1"
kill $WATCH 2>/dev/null
for st in Init:0/4 Init:1/4 Init:2/4 Init:3/4 Running Completed; do
	grep -q " $st " "$KS_DIR/watch-b1" && ok "kubectl get -w shows STATUS $st" || { fail "no $st in the watch"; cat "$KS_DIR/watch-b1"; }
done
P1=$(pod_of b1)
case "$P1" in custombuild-b1-?????) ok "the pod is named <job>-<5 chars> ($P1)" ;; *) fail "pod name \"$P1\"" ;; esac
expect_out "the pod is owned by the Job (controller)" '^Job custombuild-b1 true$' \
	$K get pod -n builds "$P1" -o 'jsonpath={.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].controller}'
expect_out "the pod carries job-name and controller-uid" '^custombuild-b1 [0-9a-f-]{36}$' \
	$K get pod -n builds "$P1" -o 'jsonpath={.metadata.labels.job-name} {.metadata.labels.controller-uid}'
expect_out "the init containers are in order, each Completed with exit 0" \
	'^checkout:0:Completed sonarqube:0:Completed compile:0:Completed upload:0:Completed $' \
	$K get pod -n builds "$P1" -o 'jsonpath={range .status.initContainerStatuses[*]}{.name}:{.state.terminated.exitCode}:{.state.terminated.reason} {end}'
expect_out "finish ran and the pod Succeeded" '^finish:0 Succeeded$' \
	$K get pod -n builds "$P1" -o 'jsonpath={.status.containerStatuses[0].name}:{.status.containerStatuses[0].state.terminated.exitCode} {.status.phase}'
expect_out "sonarqube's termination message is the gate's verdict" '^quality gate OK$' stage_field b1 1 '.state.terminated.message'
expect_out "compile's termination message counts the sources" '^compiled 4 sources$' stage_field b1 2 '.state.terminated.message'
expect_out "upload's termination message is the RPO written" '^s3://smart-rpo/t12345/b1/custom.rpo$' stage_field b1 3 '.state.terminated.message'
s1=$(stage_field b1 1 '.state.terminated.startedAt'); f0=$(stage_field b1 0 '.state.terminated.finishedAt')
[ -n "$s1" ] && [ "$s1" \> "$f0" -o "$s1" = "$f0" ] && ok "sonarqube started when checkout had finished ($f0, $s1)" ||
	fail "checkout finished $f0, sonarqube started $s1"
s1=$(date -u -d "$s1" +%s); f1=$(date -u -d "$(stage_field b1 1 '.state.terminated.finishedAt')" +%s)
# (at least: a stage ends at the controller's first turn after it is due, late by as
# much as the machine's load delays that turn, times the clock's speed)
[ $((f1 - s1)) -ge 45 ] && ok "the stages took simulated time (sonarqube 45 s: $((f1 - s1)) s)" ||
	fail "sonarqube took $((f1 - s1)) s, less than 45"
$K logs -n builds "$P1" -c compile | grep '^compiling ' >"$KS_DIR/got-sources"
cmp -s "$KS_DIR/want-sources" "$KS_DIR/got-sources" && ok "kubectl logs -c compile lists exactly the repository's sources" ||
	{ fail "compile log"; diff "$KS_DIR/want-sources" "$KS_DIR/got-sources"; }
expect_out "the compile log ends with a summary" '^compiled 4 sources into custom.rpo$' sh -c "$K logs -n builds $P1 -c compile | tail -1"
expect_out "kubectl logs -c checkout names the commit" "HEAD is now at $(echo "$COMMIT" | cut -c1-12)" $K logs -n builds "$P1" -c checkout
expect_out "kubectl logs -c sonarqube ends with the verdict" '^quality gate OK$' sh -c "$K logs -n builds $P1 -c sonarqube | tail -1"
expect_out "kubectl logs (no -c) is finish's log" '^custom RPO: s3://smart-rpo/t12345/b1/custom.rpo$' $K logs -n builds "$P1"
check "kubectl logs -f of a finished stage ends" timeout 30 $K logs -f -n builds "$P1" -c upload
expect_out "the Job's status: succeeded 1, active 0, a completionTime" '^1 0 2026-' \
	$K get job -n builds custombuild-b1 -o 'jsonpath={.status.succeeded} {.status.active} {.status.completionTime}'

# --- a commit the repository does not have: checkout fails with git's message -------------
apply_job b2 "$MISSING" "file://$REPO"
check "the Job fails (kubectl wait)" $K wait -n builds --for=condition=failed job/custombuild-b2 --timeout=120s
P2=$(pod_of b2)
expect_out "checkout exited 128 with reason Error" '^128 Error$' stage_field b2 0 '.state.terminated.exitCode} {.items[0].status.initContainerStatuses[0].state.terminated.reason'
expect_out "its termination message is git's" "^fatal: Not a valid object name $MISSING" stage_field b2 0 '.state.terminated.message'
expect_out "kubectl logs -c checkout has git's message" "fatal: Not a valid object name $MISSING" $K logs -n builds "$P2" -c checkout
expect_out "the later stages never started" '^PodInitializing$' stage_field b2 1 '.state.waiting.reason'
expect_out "kubectl logs of a stage not started: the API server's error" \
	"container \"compile\" in pod \"$P2\" is waiting to start: PodInitializing" $K logs -n builds "$P2" -c compile
expect_out "kubectl get pods shows Init:Error" "^$P2 +0/1 +Init:Error " $K get pods -n builds "$P2" --no-headers
expect_out "the Job failed: BackoffLimitExceeded, failed 1" '^BackoffLimitExceeded 1$' \
	$K get job -n builds custombuild-b2 -o 'jsonpath={.status.conditions[?(@.type=="Failed")].reason} {.status.failed}'

# --- the build faults --------------------------------------------------------------------
code=$(kcurl -o "$KS_DIR/bad.json" -w '%{http_code}' -X PUT "$KS_URL/sim/v1/faults" -d '{"quality_gate":"maybe"}')
[ "$code" = 400 ] && grep -q 'fault quality_gate must be' "$KS_DIR/bad.json" && ok "a bad quality_gate fault is refused (400)" ||
	fail "quality_gate maybe: $code $(cat "$KS_DIR/bad.json")"
kcurl -X PUT "$KS_URL/sim/v1/faults" -d '{"quality_gate":"fail"}' >/dev/null
apply_job b3 "$COMMIT" "file://$REPO"
check "quality_gate fault: the Job fails" $K wait -n builds --for=condition=failed job/custombuild-b3 --timeout=120s
expect_out "checkout passed" '^0$' stage_field b3 0 '.state.terminated.exitCode'
expect_out "sonarqube failed with the gate's conditions (exit 1, Error)" \
	'^1 Error quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%$' \
	stage_field b3 1 '.state.terminated.exitCode} {.items[0].status.initContainerStatuses[1].state.terminated.reason} {.items[0].status.initContainerStatuses[1].state.terminated.message'
expect_out "the scanner log ends with the verdict" '^quality gate ERROR: new bugs 3 > 0; coverage 41% < 60%$' \
	sh -c "$K logs -n builds $(pod_of b3) -c sonarqube | tail -1"
expect_out "the fault is used up (one-shot)" '"quality_gate":0' kcurl "$KS_URL/sim/v1/faults"
kcurl -X PUT "$KS_URL/sim/v1/faults" -d '{"compile":"fail"}' >/dev/null
apply_job b4 "$COMMIT" "file://$REPO"
check "compile fault: the Job fails" $K wait -n builds --for=condition=failed job/custombuild-b4 --timeout=120s
expect_out "sonarqube passed" '^quality gate OK$' stage_field b4 1 '.state.terminated.message'
FIRST=$(head -1 "$KS_DIR/want-sources" | sed 's/^compiling //')
expect_out "compile failed with the compiler's error at the first source" "^1 compile failed: $FIRST\\([0-9]+\\): error C2001 syntax error\$" \
	stage_field b4 2 '.state.terminated.exitCode} {.items[0].status.initContainerStatuses[2].state.terminated.message'
expect_out "upload never started" '^PodInitializing$' stage_field b4 3 '.state.waiting.reason'

# --- a non-bare repository; logs -f follows a running stage to its end ---------------------
apply_job b5 "$COMMIT" "file://$WORK" 300
wait_for "b5's sonarqube started" 60 sh -c "$K get pods -n builds -l job-name=custombuild-b5 -o jsonpath='{.items[0].status.initContainerStatuses[1].state}' | grep -Eq 'running|terminated'"
P5=$(pod_of b5)
timeout 60 $K logs -f -n builds "$P5" -c sonarqube >"$KS_DIR/follow" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(tail -1 "$KS_DIR/follow")" = "quality gate OK" ] && ok "kubectl logs -f follows sonarqube to its verdict, then ends" ||
	{ fail "logs -f: exit $rc"; cat "$KS_DIR/follow"; }
check "a build from a non-bare repository completes" $K wait -n builds --for=condition=complete job/custombuild-b5 --timeout=120s
# ttlSecondsAfterFinished 300: the Job and its pod go 300 simulated seconds (7.5 s) after it
# finished; kubectl wait --for=delete watches for it (one kubectl, not one every 0.2 s)
check "ttlSecondsAfterFinished deletes the Job" $K wait -n builds --for=delete job/custombuild-b5 --timeout=120s
check "and its pod" $K wait -n builds --for=delete "pod/$P5" --timeout=120s
check "... no pod of the Job is left" sh -c "[ -z \"\$($K get pods -n builds -l job-name=custombuild-b5 -o name)\" ]"
$K get job -n builds custombuild-b1 >/dev/null 2>&1 && ok "a Job with a day's TTL is still there" || fail "b1 was deleted"

# --- a repository without sources -----------------------------------------------------
(cd "$WORK" && git rm -q src/*.PRW src/*.prw tlpp/*.TLPP inc/*.prx && git commit -qm "no sources" && git push -q "$REPO" HEAD:refs/heads/main)
EMPTY=$(git --git-dir="$REPO" rev-parse main)
apply_job b6 "$EMPTY" "file://$REPO"
check "no sources: the Job fails" $K wait -n builds --for=condition=failed job/custombuild-b6 --timeout=120s
expect_out "compile says there is nothing to compile" "^no sources to compile \(.prw, .prx, .tlpp\) at $(echo "$EMPTY" | cut -c1-12)$" \
	stage_field b6 2 '.state.terminated.message'

finish
