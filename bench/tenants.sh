#!/bin/sh
# `smartops tenants -o json` on a 5,000-tenant kubesim fleet, against
# `kubectl get ns,deploy,statefulsets -A -o json` and curl of the same lists, in the
# same run: wall time and peak RSS (GNU time -v when present, else Python's
# resource module). Goals: under 1 s and 100 MB, >= 20x faster than kubectl,
# within 5x of curl.
. tests/integration/lib.sh
N=${N:-5000}
ks_start --fleet "$N" --seed 3 --time-scale 1 --quiet --start-time "$KS_QUIET_START"
SO="$BUILD/smartops"
export XDG_CACHE_HOME="$KS_DIR/cache"

# measure NAME command...: one line "NAME seconds maxrss_kb"
measure() {
	name=$1; shift
	python3 - "$name" "$@" <<'PY'
import resource, subprocess, sys, time
name, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
dt = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%s %.3f %d" % (name, dt, rss))
PY
}

# curl of the lists smartops reads, asked the same way (pages of 500, as client-go asks;
# workloads as a server-side Table with metadata, as kubectl asks)
cat >"$KS_DIR/curl.sh" <<'EOF2'
T='Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
J='Accept: application/json'
for spec in "$J|api/v1/namespaces?labelSelector=smart.totvs.com%2Ftcode" \
	"$T|apis/apps/v1/deployments?includeObject=Metadata&labelSelector=smart.totvs.com%2Ftier" \
	"$T|apis/apps/v1/statefulsets?includeObject=Metadata&labelSelector=smart.totvs.com%2Ftier" \
	"$J|apis/networking.k8s.io/v1/ingresses?labelSelector=smart.totvs.com%2Ftcode" \
	"$J|api/v1/pods?labelSelector=smart.totvs.com%2Ftier%3Dbase"; do
	accept=${spec%%|*}; p=${spec#*|}
	cont=""
	while :; do
		url="$KS_URL/$p&limit=500"
		[ -n "$cont" ] && url="$url&continue=$cont"
		curl -sS --cacert "$KS_CA" -H "Authorization: Bearer $KS_ADMIN_TOKEN" -H "$accept" \
			-o "$KS_DIR/page.json" "$url" || exit 1
		cont=$(head -c 600 "$KS_DIR/page.json" | sed -n 's/.*"continue":"\([^"]*\)".*/\1/p')
		[ -z "$cont" ] && break
	done
done
EOF2
export KS_URL KS_CA KS_ADMIN_TOKEN KS_DIR

"$SO" tenants -o json >/dev/null 2>&1 # warm-up (kubesim settles, the cache folder exists)
measure smartops "$SO" tenants -o json >"$KS_DIR/r1"
measure kubectl kubectl get ns,deploy,statefulsets -A -o json >"$KS_DIR/r2"
measure curl sh "$KS_DIR/curl.sh" >"$KS_DIR/r3"
"$SO" tenants -o json 2>/dev/null | python3 -c 'import json,sys; print("tenants listed:", len(json.load(sys.stdin)["items"]))'
if [ -x /usr/bin/time ]; then
	/usr/bin/time -v "$SO" tenants -o json 2>"$KS_DIR/tv" >/dev/null
	grep -E "Elapsed|Maximum resident" "$KS_DIR/tv" | sed 's/^\s*/smartops (time -v): /'
fi
cat "$KS_DIR/r1" "$KS_DIR/r2" "$KS_DIR/r3" | python3 -c '
import sys
r = {}
for line in sys.stdin:
    n, t, rss = line.split(); r[n] = (float(t), int(rss))
s, k, c = r["smartops"], r["kubectl"], r["curl"]
print("smartops tenants -o json: %.3f s, peak RSS %.1f MB" % (s[0], s[1] / 1024))
print("kubectl get ns,deploy,sts -A -o json: %.3f s, peak RSS %.1f MB" % (k[0], k[1] / 1024))
print("curl of the same lists: %.3f s" % c[0])
print("smartops is %.1fx faster than kubectl, %.1fx the time of curl" % (k[0] / s[0], s[0] / c[0]))
print("goals: <1 s %s, <100 MB %s, >=20x kubectl %s, <=5x curl %s" % (
    s[0] < 1, s[1] < 100 * 1024, k[0] / s[0] >= 20, s[0] / c[0] <= 5))'
