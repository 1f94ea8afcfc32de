# Shared by the integration tests: start a kubesim of our own, check things, clean up.
# Usage: . tests/integration/lib.sh; ks_start [kubesim args]; ... ; ok "what"
set -u
BUILD=${1:?usage: $0 BUILD_DIR}
KS_DIR=$(mktemp -d)
KS_PID=""
export HOME="$KS_DIR/home"   # kubectl caches discovery under $HOME/.kube
mkdir -p "$HOME"
# smartops keeps its cache (fleet snapshots), config and audit log under these:
# the test's own, never the caller's nor another test's (tests run side by side)
export XDG_CACHE_HOME="$KS_DIR/cache" XDG_CONFIG_HOME="$KS_DIR/config" XDG_STATE_HOME="$KS_DIR/state"
export KUBECONFIG="$KS_DIR/kubeconfig"
FAILS=0
# python3 as the system has it, not through a version manager's shim (pyenv's
# runs some 30 processes and takes about 1.5 s a call); the runner uses it too
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
	mkdir -p "$KS_DIR/bin" && ln -s /usr/bin/python3 "$KS_DIR/bin/python3" && PATH="$KS_DIR/bin:$PATH"
fi

ks_cleanup() {
	[ -n "$KS_PID" ] && kill "$KS_PID" 2>/dev/null && wait "$KS_PID" 2>/dev/null
	rm -rf "$KS_DIR"
}
trap ks_cleanup EXIT INT TERM

# A quiet instant (a Wednesday, 02:00 in Sao Paulo, 01:00 in Manaus): tenants
# idle, Hypnus free to put them to sleep, nothing of the usage history due.
# Every kubesim a test starts runs on a fixed clock like this one, never the
# wall clock, so a test passes the same at any hour of any day.
KS_QUIET_START=2026-11-04T05:00:00Z

# pick_tenants: once kubesim's catalogue answers (saved in $KS_DIR/catalog.json),
# T: an active SMART ERP tenant not provisioned yet, t: its namespaces' prefix,
# PROVIDER: its file server's provider, ESOCIAL: an active SMART eSocial tenant
have_catalog() { kcurl "$KS_URL/catalog/v1/tenants" >"$KS_DIR/catalog.json" && jq -e '.items | length > 0' "$KS_DIR/catalog.json"; }
pick_tenants() {
	wait_for "the catalogue answers" 60 have_catalog || finish
	T=$(jq -r '[.items[] | select(.provisioned==false and .model=="smart" and .status=="active" and (.products | index("erp")))][0].tcode' "$KS_DIR/catalog.json")
	ESOCIAL=$(jq -r '[.items[] | select(.model=="smart" and .status=="active" and (.products | index("erp") | not))][0].tcode' "$KS_DIR/catalog.json")
	PROVIDER=$(jq -r --arg t "$T" '.items[] | select(.tcode==$t).provider' "$KS_DIR/catalog.json")
	t=$(echo "$T" | tr 'T' 't')
	echo "tenant $T ($PROVIDER), eSocial $ESOCIAL"
}

# git_fixture DIR: starts a test repository's work tree in DIR on branch main,
# with a fixed author, committer and dates, so that its commits are the same
# every run (goldens show them); the caller adds files and commits.
git_fixture() {
	export GIT_AUTHOR_DATE=2026-11-01T12:00:00Z GIT_COMMITTER_DATE=2026-11-01T12:00:00Z
	export GIT_AUTHOR_NAME=dev GIT_AUTHOR_EMAIL=dev@customer.example GIT_COMMITTER_NAME=dev GIT_COMMITTER_EMAIL=dev@customer.example
	git init -q -b main "$1"
}

# ks_start [args]: starts kubesim, waits for its kubeconfig (written only once it serves).
# The args must hold --start-time; a test of the wall clock itself sets
# KS_WALL_CLOCK to its reason instead.
ks_start() {
	case " $* " in
	*" --start-time "*) ;;
	*) if [ -z "${KS_WALL_CLOCK:-}" ]; then
		echo "ks_start: no --start-time: a kubesim on the wall clock makes the test depend on the hour;"
		echo "          pass --start-time (e.g. \$KS_QUIET_START) or set KS_WALL_CLOCK to the reason"
		exit 1
	fi ;;
	esac
	"$BUILD/kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" "$@" 2>"$KS_DIR/kubesim.log" &
	KS_PID=$!
	i=0
	while [ ! -s "$KUBECONFIG" ]; do
		if ! kill -0 "$KS_PID" 2>/dev/null; then
			echo "kubesim died at start:"; cat "$KS_DIR/kubesim.log"; exit 1
		fi
		i=$((i + 1)); [ $i -gt 1200 ] && { echo "kubesim did not start in 120 s"; exit 1; }
		sleep 0.1
	done
	KS_URL=$(sed -n 's/^kubesim: listening on //p' "$KS_DIR/kubesim.log" | head -1)
	KS_ADMIN_TOKEN=$(awk '/name: "?kubesim-admin"?$/{u=1} u && /token:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
	KS_SUPPORT_TOKEN=$(awk '/name: "?kubesim-support"?$/{u=1} u && /token:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
	KS_CA="$KS_DIR/ca.crt"
	awk '/certificate-authority-data:/{print $2; exit}' "$KUBECONFIG" | tr -d '"' | base64 -d >"$KS_CA" 2>/dev/null
	direct_kubectl
}

# The kubectl installed here may be a version dispatcher (DESIGN §9): each
# call asks the server's /version, then runs kubectl.1.MINOR from its own folder,
# two Go programs' starts (0.29 s of CPU a call against 0.15 s). The tests run
# the one it would pick for kubesim directly, through $KS_DIR/bin.
direct_kubectl() {
	[ -e "$KS_DIR/bin/kubectl" ] && return
	k=$(command -v kubectl) || return
	k=$(readlink -f "$k")
	minor=$(kcurl "$KS_URL/version" 2>/dev/null | jq -r .minor 2>/dev/null)
	[ -n "$minor" ] && [ -x "$k.1.$minor" ] || return
	mkdir -p "$KS_DIR/bin" && ln -s "$k.1.$minor" "$KS_DIR/bin/kubectl" || return
	case ":$PATH:" in *":$KS_DIR/bin:"*) ;; *) PATH="$KS_DIR/bin:$PATH" ;; esac
	hash -r # a test that looked kubectl up already would keep the dispatcher
}

ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
# check "what" command...: runs it, ok/fail on its exit status
check() { what=$1; shift; if "$@" >"$KS_DIR/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/    /' "$KS_DIR/out" | head -20; fi; }
# expect_out "what" "regex" command...: output must match
expect_out() {
	what=$1; re=$2; shift 2
	"$@" >"$KS_DIR/out" 2>&1
	if grep -Eq -- "$re" "$KS_DIR/out"; then ok "$what"; else fail "$what (wanted /$re/)"; sed 's/^/    /' "$KS_DIR/out" | head -20; fi
}
# dead_kubeconfig FILE: a kubeconfig with one context, "dead", whose server refuses
# connections; merged after $KUBECONFIG it borrows kubesim's admin user
dead_kubeconfig() {
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: dead
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: dead
  context:
    cluster: dead
    user: kubesim-admin
EOF
}
# kcurl [curl args]: curl against kubesim as admin, over verified TLS
kcurl() { curl -sS --cacert "$KS_CA" -H "Authorization: Bearer $KS_ADMIN_TOKEN" "$@"; }
# kreq METHOD URL [BODY [CONTENT-TYPE]]: one request as admin, its answer dropped, written
# as curl config lines for kcurl_many (BODY without blanks: it is a line's unquoted value)
kreq() {
	printf 'next\nurl = "%s"\nrequest = "%s"\noutput = "/dev/null"\ncacert = "%s"\nheader = "Authorization: Bearer %s"\n' \
		"$2" "$1" "$KS_CA" "$KS_ADMIN_TOKEN"
	[ $# -lt 3 ] || printf 'header = "Content-Type: %s"\ndata = %s\n' "${4:-application/json}" "$3"
}
# The kinds the namespace wizard's plan makes, as API paths (for klists).
NS_PLAN_KINDS="api/v1/namespaces api/v1/configmaps api/v1/services api/v1/serviceaccounts api/v1/resourcequotas
	api/v1/limitranges apis/apps/v1/deployments apis/networking.k8s.io/v1/ingresses
	apis/networking.k8s.io/v1/networkpolicies apis/rbac.authorization.k8s.io/v1/rolebindings"
# klists SELECTOR PATH...: the lists at each PATH with a label selector, one after another
# through one curl (one process, one connection), for one jq over them all
klists() {
	sel=$1; shift; urls=""
	for p in "$@"; do urls="$urls $KS_URL/$p?labelSelector=$sel"; done
	# shellcheck disable=SC2086
	kcurl -g $urls
}
# kcurl_many: the requests kreq wrote on stdin, one after another through one curl: one
# process and one TLS connection for them all (a curl costs some 30 ms of CPU to start)
kcurl_many() { curl -sS -K -; }
# wait_for "what" seconds command...: retries until the command succeeds
wait_for() {
	what=$1; secs=$2; shift 2; i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1)); if [ $i -gt $((secs * 5)) ]; then fail "$what (not within ${secs}s)"; return 1; fi
		sleep 0.2
	done
	ok "$what"
}
finish() {
	if [ "$FAILS" -gt 0 ]; then echo "$FAILS check(s) failed; kubesim log:"; tail -20 "$KS_DIR/kubesim.log"; exit 1; fi
	echo "all checks passed"
}
