# Shared by tests/integration/screen_*.sh: run the real console on a key
# script with no terminal, normalise what moves (clock times, ages, pod name
# suffixes, ports), compare each saved display with its golden file here.
# UPDATE_GOLDEN=1 rewrites the golden files instead.
SCREEN_DIR=$(cd "$(dirname "$0")/../screen" && pwd)
BUILD=$(cd "$BUILD" && pwd)
# The cluster's clock starts here (a Tuesday, 10:00 in Sao Paulo), so contract
# dates, "today" and the Hypnus hours are the same whatever day the tests run.
SCREEN_START=2026-11-03T13:00:00Z

# screen_normalise FILE: in place
screen_normalise() {
	sed -E -i \
		-e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}/HH:MM:SS/g' \
		-e 's/[0-9]{2}:[0-9:]{0,4}~/HH:MM:SS~/g' \
		-e 's/since [0-9]{1,2}~/since HH:MM:SS~/g' \
		-e 's/last change [0-9]+s ago/last change Ns ago/' \
		-e 's/stale [0-9]+[smhd]: .*$/stale AGE: .../' \
		-e 's/stale [0-9]+[smhd]/stale AGE/g' \
		-e 's/last seen [0-9]+[smhd] ago/last seen AGE ago/' \
		-e 's/snapshot [0-9]+[smhd] old.*$/snapshot AGE old .../' \
		-e 's/127\.0\.0\.1:[0-9]+.*$/127.0.0.1:PORT: .../' \
		-e 's/(-[a-z0-9]{10})-[a-z0-9]{5}/\1-xxxxx/g' \
		-e 's/restarts +[0-9]+[smhd]/restarts  AGE/g' \
		-e 's/(Pending|checked) [0-9]+[smhd]/\1 AGE/g' \
		-e 's/(does not answer: ).*$/\1.../' \
		-e 's/(│|┘|┐|└|┌|\||\+) *[0-9]+[smhd]$/\1 AGE/' \
		"$1"
}

# screen_run NAME [smartops args]: runs tests/screen/NAME.keys in its own
# folder ($KS_DIR/NAME), with a cache of its own (no fleet snapshot of an
# earlier run unless $SCREEN_CACHE names a shared one); env lines
# "# env: VAR=value ..." at the top apply.
screen_run() {
	name=$1; shift
	keys="$SCREEN_DIR/$name.keys"
	dir="$KS_DIR/screen-$name"
	mkdir -p "$dir"
	envs=$(sed -n 's/^# env: //p' "$keys" | tr '\n' ' ')
	(cd "$dir" && env TZ=UTC LANG=C.UTF-8 LC_ALL= COLUMNS=80 LINES=24 TERM=xterm-256color \
		XDG_CACHE_HOME="${SCREEN_CACHE:-$dir/cache}" $envs \
		timeout 120 "$BUILD/smartops" --kubeconfig "$KUBECONFIG" --script "$keys" "$@" \
		>"$dir/stdout" 2>"$dir/stderr")
}

# screen_compare NAME [FILE...]: every FILE.txt the script saved (or those
# named) against NAME/FILE.txt.
screen_compare() {
	name=$1; shift
	dir="$KS_DIR/screen-$name"
	saved=${*:-$(sed -n 's/^:save-display //p' "$SCREEN_DIR/$name.keys")}
	if [ -z "$saved" ]; then fail "$name: the script saves no display"; return; fi
	for f in $saved; do
		if [ ! -f "$dir/$f" ]; then
			fail "$name: $f was not saved"; sed 's/^/    /' "$dir/stderr" | head -5; continue
		fi
		screen_normalise "$dir/$f"
		golden="$SCREEN_DIR/$name/$f"
		if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
			mkdir -p "$SCREEN_DIR/$name"; cp "$dir/$f" "$golden"; ok "$name/$f (golden updated)"
		elif [ ! -f "$golden" ]; then
			fail "$name/$f: no golden file (run with UPDATE_GOLDEN=1)"
		elif diff -u "$golden" "$dir/$f" >"$dir/diff"; then
			ok "$name/$f"
		else
			fail "$name/$f differs from the golden file:"; sed 's/^/    /' "$dir/diff" | head -40
		fi
	done
}

# screen_settle [awake]: waits until the fleet reads the same twice in a row and
# the simulated controllers have done their first round (fleet_made); with
# "awake", also until no tenant reads waking (on a running clock a staged wake
# ends after a cold start of 20-59 simulated seconds: the same two reads a
# second apart can still be waking on a loaded machine, and a golden then
# caught one waking).
screen_settle() {
	prev=""; i=0
	while [ $i -lt 60 ]; do
		"$BUILD/smartops" --kubeconfig "$KUBECONFIG" tenants -o wide >"$KS_DIR/settle" 2>/dev/null
		cur=$(md5sum <"$KS_DIR/settle")
		[ -n "$prev" ] && [ "$cur" = "$prev" ] && fleet_made &&
			{ [ "${1:-}" != awake ] || ! grep -qw waking "$KS_DIR/settle"; } && return 0
		prev=$cur; i=$((i + 1)); sleep 1
	done
	fail "the fleet did not settle"
}

# fleet_made: every Deployment and StatefulSet has the pods its spec asks for
# (status.replicas, observedGeneration) and no pod is Pending. Two reads a
# second apart alone can be the same while the controllers (at nice 5) wait
# for a CPU: at load 19 a snapshot's golden caught the last five tenants down,
# their pods not made yet.
fleet_made() {
	kcurl "$KS_URL/apis/apps/v1/deployments" "$KS_URL/apis/apps/v1/statefulsets" |
		jq -se '[.[].items[] | select((.status.replicas // 0) != (.spec.replicas // 1) or
			(.status.observedGeneration // 0) != .metadata.generation)] | length == 0' >/dev/null &&
		[ "$(kcurl "$KS_URL/api/v1/pods?fieldSelector=status.phase%3DPending" | jq '.items | length')" = 0 ]
}
