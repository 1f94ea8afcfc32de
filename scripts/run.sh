#!/bin/sh
# `make run`: the console on the embedded demo fleet once it exists; until then kubesim
# with a living demo fleet, and how to look at it with smartops and kubectl.
set -eu
build=${1:-build}
if [ -x "$build/smartops" ] && "$build/smartops" --help 2>&1 | grep -q -- --demo; then
	exec "$build/smartops" --demo
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
kc="$dir/kubeconfig"
echo "Starting kubesim with a demo fleet of 200 tenants, its clock 60x faster (Ctrl-C stops it)."
echo "In another terminal:"
echo "  $build/smartops --kubeconfig $kc tenants --watch     # the fleet, live"
echo "  $build/smartops --kubeconfig $kc tenants --health down,blocked,degraded"
echo "  $build/smartops --kubeconfig $kc tenant T10001"
echo "  KUBECONFIG=$kc kubectl get deploy -A -l smart.totvs.com/tier=base"
"$build/kubesim" --port 0 --kubeconfig-out "$kc" --fleet 200 --seed 1 --time-scale 60
