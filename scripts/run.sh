#!/bin/sh
# `make run`: the console on the embedded demo fleet when it exists; until then a
# demo kubesim with a living fleet, and how to look at it.
set -eu
build=${1:-build}
if [ -x "$build/smartops" ] && "$build/smartops" --help 2>&1 | grep -q -- --demo; then
	exec "$build/smartops" --demo
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "Starting kubesim with a demo fleet of 200 tenants, clock 60x (Ctrl-C stops it)."
echo "In another terminal:"
echo "  export KUBECONFIG=$dir/kubeconfig"
echo "  kubectl get ns -l smart.totvs.com/tcode"
echo "  kubectl get deploy -A -l smart.totvs.com/tier=base"
echo "  curl -s --cacert <(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d) \\"
echo "       -H \"Authorization: Bearer \$(kubectl config view --raw -o jsonpath='{.users[0].user.token}')\" \\"
echo "       \$(kubectl config view -o jsonpath='{.clusters[0].cluster.server}')/sim/v1/fleet"
exec "$build/kubesim" --port 0 --kubeconfig-out "$dir/kubeconfig" --fleet 200 --seed 1 --time-scale 60
