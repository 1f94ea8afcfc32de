# bench/tmux.sh — sourced, after tests/integration/lib.sh, by the benchmarks
# that drive the console in tmux: the build's absolute path and SO, a tmux
# server of their own ($T), the XDG cache in the run's folder, UTC and UTF-8,
# and a cleanup at exit that stops the tmux server, kubesim and the processes
# named in BENCH_PIDS.
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh installs it)"; exit 1; }
BUILD=$(cd "$BUILD" && pwd)
SO="$BUILD/smartops"
SOCK="smartops-bench-$$"
T="tmux -L $SOCK -f /dev/null"
BENCH_PIDS=""
bench_cleanup() {
	[ -n "$BENCH_PIDS" ] && kill $BENCH_PIDS 2>/dev/null
	$T kill-server 2>/dev/null
	ks_cleanup
}
trap bench_cleanup EXIT INT TERM
export XDG_CACHE_HOME="$KS_DIR/cache" TZ=UTC LANG=C.UTF-8
