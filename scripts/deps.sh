#!/bin/sh
# Installs the Debian packages the build and the tests need (clang-14 and its
# runtime for the libFuzzer harnesses of make fuzz), then writes the
# compiler flags to the file named by $1 (when given). Says what it installs;
# uses sudo only when not root. Nothing is fetched from outside Debian's archive.
# postgresql-15 brings the server binaries (/usr/lib/postgresql/15/bin) that the
# database tests start in a scratch directory (tests/integration/pg.sh); git is what
# smartops pins a custom build's ref with and what kubesim reads a file:// repository with.
set -eu

PKGS="build-essential pkg-config libcurl4-openssl-dev libcjson-dev libcmocka-dev
libmicrohttpd-dev libgnutls28-dev libyaml-dev libncurses-dev libpq-dev postgresql postgresql-15
python3 python3-kubernetes tmux curl jq openssl groff-base git kubectl clang-14 libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
# kubectl may come from outside Debian's archive on some machines: accept any on PATH.
case " $missing " in
*" kubectl "*) command -v kubectl >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ kubectl//') ;;
esac

if [ -n "$missing" ]; then
	echo "deps: installing Debian packages:$missing" >&2
	SUDO=""
	[ "$(id -u)" -ne 0 ] && SUDO="sudo"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 || {
		echo "deps: apt-get install failed; trying apt-get update first" >&2
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
		# kubectl is optional (the conformance tests say so when it is absent)
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(echo "$missing" | sed 's/ kubectl//') >&2
	}
fi

if [ $# -ge 1 ]; then
	mods="libcurl libcjson libmicrohttpd gnutls yaml-0.1 ncursesw libpq cmocka"
	mkdir -p "$(dirname "$1")"
	{
		echo "# written by scripts/deps.sh"
		echo "PKG_CFLAGS := $(pkg-config --cflags $mods)"
		echo "PKG_LIBS := $(pkg-config --libs $mods)"
	} >"$1.tmp"
	mv "$1.tmp" "$1"
fi
