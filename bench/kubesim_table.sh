#!/bin/sh
# One full paged list of deployments from a 5,000-tenant kubesim fleet as a server-side
# Table (asked as smartops asks: includeObject=Metadata, a label selector, pages of 500),
# against the plain JSON list of the same objects in the same run (the peer), and the
# Table with includeObject=Object (as `kubectl get` asks). Each list is walked R times
# (default 3); per list: the sum over its pages of curl's total time and of the server's
# time (first byte minus request sent), the best of the R walks.
. tests/integration/lib.sh
N=${N:-5000}
R=${R:-3}
ks_start --fleet "$N" --seed 3 --time-scale 1 --quiet --start-time "$KS_QUIET_START"
T='Accept: application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
J='Accept: application/json'
SEL='labelSelector=smart.totvs.com%2Ftier'

# walk NAME ACCEPT QUERY: one "NAME total_s server_s pages bytes" line per walk
walk() {
	name=$1 accept=$2 q=$3 cont="" pages=0
	: >"$KS_DIR/times"
	while :; do
		url="$KS_URL/apis/apps/v1/deployments?$q&limit=500"
		[ -n "$cont" ] && url="$url&continue=$cont"
		kcurl -H "$accept" -o "$KS_DIR/page.json" \
			-w '%{time_total} %{time_pretransfer} %{time_starttransfer} %{size_download}\n' \
			"$url" >>"$KS_DIR/times" || exit 1
		pages=$((pages + 1))
		cont=$(head -c 600 "$KS_DIR/page.json" | sed -n 's/.*"continue":"\([^"]*\)".*/\1/p')
		[ -z "$cont" ] && break
	done
	awk -v n="$name" -v p="$pages" '{t += $1; s += $3 - $2; b += $4}
		END {printf "%s %.3f %.3f %d %d\n", n, t, s, p, b}' "$KS_DIR/times"
}

# the fleet settles (first list warms caches)
walk warmup "$T" "includeObject=Metadata&$SEL" >/dev/null
i=0
while [ $i -lt "$R" ]; do
	walk table "$T" "includeObject=Metadata&$SEL"
	walk json "$J" "$SEL"
	walk table-object "$T" "includeObject=Object&$SEL"
	i=$((i + 1))
done >"$KS_DIR/runs"
python3 - "$KS_DIR/runs" "$N" <<'PY'
import sys
best = {}
for line in open(sys.argv[1]):
    n, t, s, p, b = line.split()
    t, s = float(t), float(s)
    if n not in best or t < best[n][0]:
        best[n] = (t, s, int(p), int(b))
print("deployments of a %s-tenant fleet, best of the walks:" % sys.argv[2])
for n, label in (("table", "Table, includeObject=Metadata"), ("json", "plain JSON list (peer)"),
                 ("table-object", "Table, includeObject=Object")):
    t, s, p, b = best[n]
    print("  %-31s %.3f s total, %.3f s in the server, %d pages, %.1f MB" % (label, t, s, p, b / 1e6))
print("  Table/JSON server time: %.1fx" % (best["table"][1] / best["json"][1]))
PY
