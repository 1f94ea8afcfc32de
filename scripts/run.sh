#!/bin/sh
# `make run`: the console on its embedded demo fleet (kubesim inside, 200 tenants,
# the clock 60x faster). SMARTOPS_RUN_KUBESIM=1 instead starts kubesim alone with the
# same fleet and says how to look at it with the headless commands and kubectl.
set -eu
build=${1:-build}
if [ "${SMARTOPS_RUN_KUBESIM:-0}" != 1 ]; then
	exec "$build/smartops" --demo
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM
kc="$dir/kubeconfig"
echo "Starting kubesim with a demo fleet of 200 tenants, its clock 60x faster (Ctrl-C stops it)."
echo "In another terminal:"
echo "  $build/smartops --kubeconfig $kc                       # the console"
echo "  $build/smartops --kubeconfig $kc tenants --watch     # the fleet, live"
echo "  $build/smartops --kubeconfig $kc tenant T10001"
echo "  KUBECONFIG=$kc kubectl get deploy -A -l smart.totvs.com/tier=base"
"$build/kubesim" --port 0 --kubeconfig-out "$kc" --fleet 200 --seed 1 --time-scale 60
