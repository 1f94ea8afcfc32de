# Shared by tests/integration/screen_build_wizard.sh and screen_build_gate.sh (after
# lib.sh and screen.sh): a bare repository the test makes (fixed dates: the same
# commits every run), a kubesim of the test's own whose fleet (30 tenants, seed 7)
# names it as every ERP tenant's custom-repo, its clock at $BW_SCALE (2x unless
# set: a build's stages take 97 simulated seconds), its own builds off; BW_SETTLE=1 waits for the
# fleet to settle first, its staged wakes done (goldens that show the tenants'
# health). Then
# bw_case NAME FILES runs tests/screen/NAME.keys and compares FILES.
REPO="$KS_DIR/custom.git"
W="$KS_DIR/work"
git_fixture "$W"
printf 'User Function Fat001()\nReturn .T.\n' >"$W/FAT001.prw"
printf 'namespace custom.fin\nfunction fin002()\nreturn\n' >"$W/fin002.tlpp"
git -C "$W" add -A && git -C "$W" commit -qm one
git clone -q --bare "$W" "$REPO"
MAIN=$(git -C "$REPO" rev-parse main)

ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale "${BW_SCALE:-2}" --no-traffic --no-builds \
	--custom-repo "file://$REPO"
# the tenants' health in the goldens: once the fleet's pods are up
[ "${BW_SETTLE:-}" = 1 ] && screen_settle awake
T=T38792
"$BUILD/smartops" --kubeconfig "$KUBECONFIG" tenant "$T" -o json >"$KS_DIR/t.json" 2>/dev/null
[ "$(jq -r '"\(.product) \(.provider)"' "$KS_DIR/t.json")" = "erp totvs" ] &&
	ok "$T of seed 7 is an ERP tenant on TOTVS (the goldens name it)" || fail "$T is not ERP on TOTVS"

# bw_normalise NAME: what moves from one run to the next: the run ids, the
# durations, the repository's path; the review's plan body (wrapped JSON) left out
bw_normalise() {
	for f in "$KS_DIR/screen-$1"/*.txt; do
		[ -f "$f" ] || continue
		screen_normalise "$f"
		sed -E -i \
			-e "s|file://$REPO|file://REPO|g" \
			-e 's/t[0-9]{5}-[0-9]{14}-[0-9a-f]{4}/tNNNNN-RUNID/g' \
			-e 's/\b[0-9]+(h[0-9]{2}m|m[0-9]{2}s|s)\b/Ns/g' \
			-e 's/^ [^ ]+ step /  * step /' \
			"$f"
	done
	f="$KS_DIR/screen-$1/review.txt"
	[ -f "$f" ] && sed -i '/applies to its spec:/,/^ kubesim-admin/{/^ kubesim-admin/!d}' "$f"
}
# bw_case NAME FILES: runs NAME.keys, compares FILES against their goldens
bw_case() {
	name=$1; shift
	if screen_run "$name"; then ok "$name: the script ran to its end"
	else fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10; fi
	bw_normalise "$name"
	screen_compare "$name" "$@"
}
