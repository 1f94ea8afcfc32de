#!/bin/sh
# Screen tests: the real console, driven by tests/screen/*.keys with no
# terminal, against a kubesim whose fleet is fixed (seed 7, clock nearly
# stopped); each saved display is compared with its golden file.
# UPDATE_GOLDEN=1 sh tests/integration/screen_console.sh build  rewrites them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../screen/screen.sh"

ks_start --fleet 30 --seed 7 --start-time "$SCREEN_START" --time-scale 0.001
screen_settle
for keys in "$SCREEN_DIR"/*.keys; do
	name=$(basename "$keys" .keys)
	case "$name" in stale* | actions* | wizard* | runs* | snapshot* | fileserver* | tenant_deps* | builds* | build-* | database*) continue ;; esac
	if screen_run "$name"; then
		ok "$name: the script ran to its end"
	else
		fail "$name: smartops failed"; sed 's/^/    /' "$KS_DIR/screen-$name/stderr" | head -10
	fi
	screen_compare "$name"
done
finish
