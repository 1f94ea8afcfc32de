# A 5,000-tenant kubesim fleet: time until it serves, until every pod exists, peak RSS,
# and how fast a page of 500 deployments comes back while the controllers run.
. tests/integration/lib.sh
N=${N:-5000}
t0=$(date +%s.%N)
ks_start --fleet "$N" --seed 1 --quiet --start-time "$KS_QUIET_START"
t1=$(date +%s.%N)
# CPU seconds as well: on a shared machine the wall clock measures its load as much as kubesim
cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' /proc/$KS_PID/stat)
echo "tenants: $N; serving (kubeconfig written) after $(echo "$t1 - $t0" | bc) s, $cpu s of CPU; load $(cut -d' ' -f1-3 /proc/loadavg)"
pods() { kcurl "$KS_URL/api/v1/pods?limit=1" | python3 -c 'import json,sys; m=json.load(sys.stdin)["metadata"]; print(m.get("remainingItemCount",0)+1)'; }
deploys=$(kcurl "$KS_URL/apis/apps/v1/deployments?limit=1" | python3 -c 'import json,sys; m=json.load(sys.stdin)["metadata"]; print(m.get("remainingItemCount",0)+1)')
last=0; same=0
while [ $same -lt 3 ]; do
	n=$(pods); [ "$n" = "$last" ] && same=$((same + 1)) || same=0; last=$n; sleep 2
done
t2=$(date +%s.%N)
echo "deployments: $deploys; pods: $last, settled after $(echo "$t2 - $t0 - 6" | bc) s"
grep -E "VmHWM|VmRSS" /proc/$KS_PID/status
for i in $(seq 1 50); do kcurl -o /dev/null -w '%{time_total}\n' "$KS_URL/apis/apps/v1/deployments?limit=500"; done | sort -n |
	awk '{a[NR]=$1} END {printf "GET 500 deployments while the controllers run: p50 %.1f ms, p99 %.1f ms\n", a[int(NR*0.5)]*1000, a[int(NR*0.99)]*1000}'
