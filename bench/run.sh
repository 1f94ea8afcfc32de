#!/bin/sh
# `make bench [BENCH_SIZE=full|small] [BENCH_ONLY="a.sh b.sh"]`: the benchmarks, by hand
# only (never part of the tests). Figures on stdout. full (the default) runs each
# at the size its goal names (about two hours in all, the soak one of them);
# small runs each on a small fleet in a few minutes, to see that it works.
#
# The goals of the speed issue, one benchmark each:
#   1 instant first frame ........ fresh.sh (the first frame from the snapshot)
#   2 fresh within a second ...... fresh.sh (the complete frame, tenants -o json) and
#                                  readers.sh (kubesim's lists while its controllers run)
#   3 scale (20,000 tenants) ..... scale.sh
#   4 several clusters ........... clusters.sh
#   5 change to screen ........... change.sh
#   6 steady (an hour of churn) .. soak.sh, and idle.sh (nothing changing: CPU, bytes);
#                                  watch.sh (the headless watch: the whole list or the changes)
#   7 a faster suite ............. suite.sh (SUITE=1 also times the integration tests)
# and, older: kubesim_list.sh, kubesim_fleet.sh, kubesim_table.sh, tenants.sh
# (kubesim and the headless commands), console.sh (first frame, key-to-frame,
# bytes to the terminal). Each is measured against a peer in the same run
# (transfer.py: the same pages over one keep-alive connection; kubectl).
set -u
build=${1:-build}
size=${2:-${BENCH_SIZE:-full}}
build=$(cd "$build" && pwd)
case "$size" in full | small) ;; *) echo "bench: size is full or small, not '$size'" >&2; exit 2 ;; esac

# small: each benchmark's size, given as its environment
small_env() {
	case "$1" in
	scale.sh) echo "N=2000" ;;
	clusters.sh) echo "ONE_N=400 EACH_N=100 RUNS=1 D=3" ;;
	change.sh) echo "N=500 CHANGES=10 SETTLE=15" ;;
	soak.sh) echo "N=200 SECS=240 SAMPLE=20 CYCLE=30" ;;
	readers.sh) echo "N=500 WINDOW=20 SETTLE=10 PAIRS=2" ;;
	fresh.sh) echo "N=500 REPEAT=1 SETTLE=10" ;;
	idle.sh) echo "N=500 SECS=20 SETTLE=5" ;;
	watch.sh) echo "N=500 SECS=30 SETTLE=20" ;;
	console.sh) echo "N=500 SECS=10 SETTLE=5" ;;
	*) echo "N=500" ;;
	esac
}
# full: the soak's hour at the goal's 5,000 tenants
full_env() {
	case "$1" in
	soak.sh) echo "N=5000 SECS=3600" ;;
	*) echo "" ;;
	esac
}
for b in bench/*.sh; do
	name=$(basename "$b")
	[ "$name" = run.sh ] && continue
	if [ -n "${BENCH_ONLY:-}" ]; then
		case " $BENCH_ONLY " in *" $name "*) ;; *) continue ;; esac
	fi
	if [ "$size" = small ]; then vars=$(small_env "$name"); else vars=$(full_env "$name"); fi
	echo "== $name ($size${vars:+: $vars}; load $(cut -d' ' -f1-3 /proc/loadavg))"
	env $vars sh "$b" "$build" || echo "   (failed: $b)"
done
