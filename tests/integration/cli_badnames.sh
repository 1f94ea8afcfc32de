#!/bin/sh
# Bad names through every command that takes one (docs/reliability.md row 14):
# a TCODE too long, shaped for SQL or shell injection, with control characters
# or a terminal escape, and a run id likewise, are refused as usage errors
# (exit 2) before any connection: the kubeconfig points at a port where nothing
# listens, so a command that tried the cluster would exit 3. The message names
# what is wrong, and the name it echoes carries no raw control character. And
# the commands that change things refuse several contexts the same way.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"
KC="$KS_DIR/nowhere.kubeconfig"
cat >"$KC" <<'KCEOF'
apiVersion: v1
kind: Config
clusters:
- name: nowhere
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: nowhere
  context: {cluster: nowhere, user: u}
current-context: nowhere
users:
- name: u
  user: {token: not-a-secret}
KCEOF
long=T$(printf '%063d' 1)
esc=$(printf 'T12345\033[2J')
nl=$(printf 'T123\n45')
set -- "$long" "T12345';DROP ROLE postgres;--" 'T$(id)' "$esc" "$nl" "../T12345" "" "T1234" "T123456"
for name in "$@"; do
	for cmd in "tenant X" "tenant X -o json" "tenant X --ini" "wake X --env prod --yes" \
		"sleep X --env dev --yes" "restart X --env prod --service webapp --yes" \
		"plan namespace --tcode X" "apply namespace --tcode X --yes" \
		"plan fileserver --tcode X" "apply fileserver --tcode X --yes" "runs --tcode X"; do
		# shellcheck disable=SC2086
		case $cmd in
		*" X "*) pre=${cmd%% X *}; post=${cmd#* X } ;;
		*" X") pre=${cmd% X}; post="" ;;
		esac
		# shellcheck disable=SC2086
		"$S" --kubeconfig "$KC" $pre "$name" $post >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
		shown=$(printf '%s' "$name" | tr -c '[:print:]' '?' | cut -c1-24)
		if [ $rc -ne 2 ]; then
			fail "$cmd with [$shown]: exit $rc, not a usage error"
			head -c 300 "$KS_DIR/err"
		elif ! grep -q "TCODE" "$KS_DIR/err"; then
			fail "$cmd with [$shown]: the message does not say the TCODE is wrong: $(head -c 200 "$KS_DIR/err")"
		elif [ "$(tr -d '\n' <"$KS_DIR/err" | tr -d '\040-\176' | wc -c)" != 0 ]; then
			fail "$cmd with [$shown]: a raw control character reached the terminal"
		elif [ -s "$KS_DIR/out" ]; then
			fail "$cmd with [$shown]: something on stdout"
		else
			ok "$cmd with [$shown]: usage error, said plainly"
		fi
	done
done
# run ids: a path, an injection, an escape, too long
for id in "../../etc/passwd" "t12345-x';--" "$esc" "$(printf 'a%.0s' $(seq 1 300))"; do
	for sub in "" resume rollback; do
		# shellcheck disable=SC2086
		"$S" --kubeconfig "$KC" runs $sub "$id" --yes >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
		shown=$(printf '%s' "$id" | tr -c '[:print:]' '?' | cut -c1-24)
		[ $rc -eq 2 ] && grep -q "run id" "$KS_DIR/err" &&
			[ "$(tr -d '\n' <"$KS_DIR/err" | tr -d '\040-\176' | wc -c)" = 0 ] &&
			ok "runs $sub [$shown]: refused as a usage error" ||
			{ fail "runs $sub [$shown]: exit $rc"; head -c 300 "$KS_DIR/err"; }
	done
done
# a command that changes things works on one cluster: several contexts are a usage
# error before any connection, whichever command (cli/session.c)
for cmd in "plan namespace --tcode T12345" "apply fileserver --tcode T12345" "runs resume t12345-20261128153012-a1b2" \
	"db rotate-password --tcode T12345 --env prod" "db handoff-script --tcode T12345 --env prod" "builds T12345"; do
	# shellcheck disable=SC2086
	"$S" --kubeconfig "$KC" --context nowhere,nowhere2 $cmd >"$KS_DIR/out" 2>"$KS_DIR/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "on one cluster: give one --context" "$KS_DIR/err" && [ ! -s "$KS_DIR/out" ] &&
		ok "$cmd on two contexts: usage error" || { fail "$cmd on two contexts: exit $rc"; cat "$KS_DIR/err"; }
done
finish
