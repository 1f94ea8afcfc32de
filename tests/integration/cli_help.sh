#!/bin/sh
# What smartops says about itself: --version, the man page, the words bash
# completion offers (commands, options, values, contexts, TCODEs from the
# cluster, within a deadline when the cluster does not answer), and make install.
. "$(dirname "$0")/lib.sh"
S="$BUILD/smartops"

expect_out "--version names the revision" '^smartops [0-9a-f]{7}|^smartops unknown' "$S" --version
expect_out "--version names the libraries" 'libcurl .*libpq [0-9]+' "$S" --version
"$S" help --man >"$KS_DIR/smartops.1"
groff -ww -z -man "$KS_DIR/smartops.1" 2>"$KS_DIR/groff.err" && [ ! -s "$KS_DIR/groff.err" ] &&
	ok "the man page is clean roff" || { fail "groff warns"; head "$KS_DIR/groff.err"; }
# every command of the usage is in the man page, and every global option
for c in $("$S" help --complete commands); do
	grep -q "^\.B $c " "$KS_DIR/smartops.1" || fail "man page lacks command $c"
done
for o in $("$S" help --complete options); do
	"$S" --help | grep -q -- "$o" || fail "usage lacks option $o"
	grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$KS_DIR/smartops.1" || fail "man page lacks option $o"
done
ok "the usage and the man page hold every command and option"

[ "$("$S" help --complete commands te | tr '\n' ' ')" = "tenants tenant " ] &&
	ok "commands complete from a prefix" || fail "commands: $("$S" help --complete commands te)"
[ "$("$S" help --complete value plan --size | tr '\n' ' ')" = "s m l " ] &&
	ok "an option's values: plan --size gives s m l" || fail "values: $("$S" help --complete value plan --size)"
[ "$("$S" help --complete value restart --env p)" = prod ] && ok "restart --env p gives prod" || fail "restart --env"
"$S" help --complete args plan >"$KS_DIR/args"
grep -qx namespace "$KS_DIR/args" && grep -qx -- --tcode "$KS_DIR/args" && ! grep -qx s "$KS_DIR/args" &&
	ok "plan's words: namespace and its options, not an option's values" || { fail "plan args"; cat "$KS_DIR/args"; }
"$S" help --complete nonsense >/dev/null 2>&1; [ $? = 2 ] && ok "an unknown completion kind is a usage error" || fail "nonsense kind"

ks_start --start-time "$KS_QUIET_START" --fleet 20 --seed 7 --time-scale 1 --no-traffic
kubectl config get-contexts -o name | sort >"$KS_DIR/ctx.want"
"$S" help --complete contexts | sort | cmp -s - "$KS_DIR/ctx.want" && grep -qx kubesim-support "$KS_DIR/ctx.want" &&
	ok "contexts: those kubectl lists" || fail "contexts: $("$S" help --complete contexts)"
"$S" tenants -o json | jq -r '.items[].tcode' | sort >"$KS_DIR/want"
"$S" help --complete tcodes >"$KS_DIR/got"
[ -s "$KS_DIR/want" ] && cmp -s "$KS_DIR/want" "$KS_DIR/got" && ok "TCODEs: the fleet's ($(wc -l <"$KS_DIR/got"))" ||
	{ fail "tcodes differ from the fleet"; diff "$KS_DIR/want" "$KS_DIR/got" | head; }
first=$(head -1 "$KS_DIR/want"); pre=$(echo "$first" | cut -c1-3)
"$S" help --complete tcodes "$(echo "$pre" | tr T t)" | grep -qx "$first" &&
	[ -z "$("$S" help --complete tcodes "$pre" | grep -v "^$pre")" ] &&
	ok "TCODEs filtered by a prefix, in any case" || fail "tcode prefix $pre"
"$S" help --complete value apply --tcode | cmp -s - "$KS_DIR/want" && ok "apply --tcode offers the TCODEs" || fail "apply --tcode"

# the bash completion script, driven as bash drives it
comp() { # words...: COMPREPLY for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _smartops; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$(pwd)/scripts/smartops.bash-completion" "$@"
}
[ "$(comp "$S" ru)" = runs ] && ok "bash: a command" || fail "bash command: $(comp "$S" ru)"
[ "$(comp "$S" --all)" = --all-contexts ] && ok "bash: a global option" || fail "bash option"
[ "$(comp "$S" --context kubesim-s)" = kubesim-support ] && ok "bash: a context" || fail "bash context"
[ "$(comp "$S" plan namespace --size l)" = l ] && ok "bash: an option's value" || fail "bash value"
[ "$(comp "$S" tenant "$first")" = "$first" ] && ok "bash: a TCODE from the cluster" || fail "bash tcode: $(comp "$S" tenant "$first")"

# a cluster that does not answer: no words, and promptly
dead_kubeconfig "$KS_DIR/dead.yaml"
start=$(date +%s)
out=$(KUBECONFIG="$KUBECONFIG:$KS_DIR/dead.yaml" "$S" --context dead help --complete tcodes 2>&1); rc=$?
secs=$(( $(date +%s) - start ))
[ $rc -ne 0 ] && [ -z "$out" ] && [ $secs -le 10 ] && ok "a dead cluster: no TCODEs, nothing printed, ${secs}s" ||
	fail "dead cluster: rc $rc, ${secs}s, '$out'"

BUILD_REVISION=$(cat "$BUILD/revision" 2>/dev/null)
# make install into a scratch tree; the installed program finds its themes.
# The programs are installed as built, never made again here: any object make
# finds older than its sources (a tree edited while the suite runs, a header's
# time) relinked them under the tests running beside this one, which then
# failed on "Permission denied". So `all` and the program the man page is made
# from are taken as they are (-o), and the revision is pinned to the build's.
make -s -o all -o "$BUILD/smartops" install DESTDIR="$KS_DIR/root" PREFIX=/opt/so BUILD="$BUILD" \
	${BUILD_REVISION:+REVISION="$BUILD_REVISION"} >"$KS_DIR/install.log" 2>&1 &&
	[ -x "$KS_DIR/root/opt/so/bin/smartops" ] && [ -x "$KS_DIR/root/opt/so/bin/kubesim" ] &&
	[ -f "$KS_DIR/root/opt/so/share/man/man1/smartops.1" ] &&
	[ -f "$KS_DIR/root/opt/so/share/bash-completion/completions/smartops" ] &&
	[ -f "$KS_DIR/root/opt/so/share/smartops/themes/dark.theme" ] &&
	ok "make install honours DESTDIR and PREFIX" || { fail "make install"; cat "$KS_DIR/install.log"; }
printf ':sleep 1\n:save-display shown.txt\n:quit\n' >"$KS_DIR/keys"
(cd "$KS_DIR" && TERM=xterm-256color COLUMNS=80 LINES=24 timeout 60 "$KS_DIR/root/opt/so/bin/smartops" \
	--theme high-contrast --script "$KS_DIR/keys" >/dev/null 2>"$KS_DIR/inst.err") &&
	ok "the installed console loads a theme from PREFIX/share/smartops/themes" ||
	{ fail "installed console"; head -5 "$KS_DIR/inst.err"; }
finish
