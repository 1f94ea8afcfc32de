#!/bin/sh
# Goal 3, scale: N tenants (default 20,000: 40,000 namespaces, about 240,000
# Deployments). Measured, in one run:
#  - kubesim: seconds until it serves (goal < 30 s), resident memory then and
#    once its controllers settle (goal < 6 GiB);
#  - `smartops tenants -o json`: seconds and peak RSS (goal < 4 s, < 300 MB),
#    against the transfer limit (bench/transfer.py) in the same run;
#  - the console: its complete fresh frame (goal < 4 s) and its resident memory
#    with the whole fleet loaded;
#  - memory linear in tenants: the same console and `tenants -o json` against a
#    kubesim of N/SMALL tenants (default a quarter) started in the same run;
#    bytes retained per tracked object = the difference in the console's
#    resident memory over the difference in objects it tracks (namespaces,
#    Deployments, StatefulSets, Ingresses, base pods; goal <= 512).
. tests/integration/lib.sh
BUILD=$(cd "$BUILD" && pwd)
N=${N:-20000}
SMALL=${SMALL:-4}
SO="$BUILD/smartops"
export TZ=UTC LANG=C.UTF-8
SMALL_PID=""
scale_cleanup() { [ -n "$SMALL_PID" ] && kill "$SMALL_PID" 2>/dev/null; ks_cleanup; }
trap scale_cleanup EXIT INT TERM
echo "load at start $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

settle() { # settle URL CA TOKEN: waits until the pod count moves by under 1% over 3 looks 5 s apart
	# (Hypnus keeps scaling tenants to zero and back: it never holds exactly), at most 5 min
	python3 - "$@" <<'PY'
import http.client, json, ssl, sys, time, urllib.parse
url, ca, tok = sys.argv[1:4]
u = urllib.parse.urlparse(url)
c = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=ca))
last, same, t0 = -1, 0, time.monotonic()
while same < 3 and time.monotonic() - t0 < 300:
    c.request("GET", "/api/v1/pods?limit=1", headers={"Authorization": "Bearer " + tok})
    m = json.loads(c.getresponse().read())["metadata"]
    n = m.get("remainingItemCount", 0) + 1
    same = same + 1 if last > 0 and abs(n - last) <= 0.01 * last else 0
    last = n
    time.sleep(5)
print("%d pods, settled after %.0f s more" % (last, time.monotonic() - t0 - 15))
PY
}
tracked() { # tracked URL CA TOKEN: the objects smartops tracks for the fleet
	python3 - "$@" <<'PY'
import http.client, json, ssl, sys, urllib.parse
url, ca, tok = sys.argv[1:4]
u = urllib.parse.urlparse(url)
c = http.client.HTTPSConnection(u.hostname, u.port, context=ssl.create_default_context(cafile=ca))
total = 0
for p in ("/api/v1/namespaces?labelSelector=smart.totvs.com%2Ftcode",
          "/apis/apps/v1/deployments?labelSelector=smart.totvs.com%2Ftier",
          "/apis/apps/v1/statefulsets?labelSelector=smart.totvs.com%2Ftier",
          "/apis/networking.k8s.io/v1/ingresses?labelSelector=smart.totvs.com%2Ftcode",
          "/api/v1/pods?labelSelector=smart.totvs.com%2Ftier%3Dbase"):
    c.request("GET", p + "&limit=1", headers={"Authorization": "Bearer " + tok})
    m = json.loads(c.getresponse().read())["metadata"]
    total += m.get("remainingItemCount", 0) + 1
print(total)
PY
}
tenants() { # tenants KUBECONFIG: "seconds peak_rss_kb tenants"
	python3 - "$SO" "$1" <<'PY'
import json, resource, subprocess, sys, time
so, kc = sys.argv[1:3]
t = time.monotonic()
p = subprocess.run([so, "--kubeconfig", kc, "tenants", "-o", "json"], capture_output=True, text=True)
dt = time.monotonic() - t
try: n = len(json.loads(p.stdout)["items"])
except Exception: n = -1
print("%.2f %d %d" % (dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, n))
PY
}
console() { # console KUBECONFIG DIR: "complete_ms rss_kb peak_kb" (resident memory with the whole fleet loaded)
	# once idle (every list in, the frame complete): the screen kept, 2 s more to read its memory:
	# the most resident in the second after the first half second (the last look
	# before it ends may fall in its teardown, which frees the tables), and VmHWM
	printf ':save-display %s/console.txt\n:sleep 2000\n:quit\n' "$2" >"$2/console.keys"
	python3 - "$SO" "$1" "$2/console.keys" <<'PY'
import os, re, subprocess, sys, time
so, kc, keys = sys.argv[1:4]
env = dict(os.environ, SMARTOPS_KEY_TIMING="1", COLUMNS="100", LINES="30")
t0 = time.time() * 1000
p = subprocess.Popen([so, "--kubeconfig", kc, "--script", keys], env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seen, hwm = [], 0
while p.poll() is None:
    try:
        for l in open("/proc/%d/status" % p.pid):
            if l.startswith("VmRSS:"):
                seen.append((time.time() * 1000, int(l.split()[1])))
            elif l.startswith("VmHWM:"):
                hwm = int(l.split()[1])
    except OSError:
        pass
    time.sleep(0.05)
err = p.stderr.read()
m = re.search(r"first idle at (\d+) ms", err)
if p.returncode or not m:
    print("-1 -1 -1"); sys.exit(0)
idle = int(m.group(1))
rss = max([r for t, r in seen if idle + 500 <= t <= idle + 1500] or [-1])
print("%.0f %d %d" % (idle - t0, rss, hwm))
PY
}

# the smaller fleet first, measured alone, then stopped
NS=$((N / SMALL))
"$BUILD/kubesim" --port 0 --kubeconfig-out "$KS_DIR/small.kubeconfig" --fleet "$NS" --seed 3 \
	--time-scale 60 --quiet --start-time "$KS_QUIET_START" 2>"$KS_DIR/small.log" &
SMALL_PID=$!
i=0; while [ ! -s "$KS_DIR/small.kubeconfig" ] && [ $i -lt 6000 ]; do sleep 0.1; i=$((i + 1)); done
S_URL=$(sed -n 's/^kubesim: listening on //p' "$KS_DIR/small.log" | head -1)
S_TOK=$(awk '/name: "?kubesim-admin"?$/{u=1} u && /token:/{print $2; exit}' "$KS_DIR/small.kubeconfig" | tr -d '"')
awk '/certificate-authority-data:/{print $2; exit}' "$KS_DIR/small.kubeconfig" | tr -d '"' | base64 -d >"$KS_DIR/small.ca"
echo "kubesim of $NS tenants: $(settle "$S_URL" "$KS_DIR/small.ca" "$S_TOK")"
s_obj=$(tracked "$S_URL" "$KS_DIR/small.ca" "$S_TOK")
set -- $(tenants "$KS_DIR/small.kubeconfig"); s_ten_s=$1; s_ten_rss=$2
mkdir -p "$KS_DIR/s"; set -- $(console "$KS_DIR/small.kubeconfig" "$KS_DIR/s"); s_con_ms=$1; s_con_rss=$2; s_con_hwm=$3
echo "   $NS tenants, $s_obj tracked objects: tenants -o json $s_ten_s s, peak $((s_ten_rss / 1024)) MB; console complete at $s_con_ms ms, $((s_con_rss / 1024)) MB resident (peak $((s_con_hwm / 1024)) MB)"
kill "$SMALL_PID"; wait "$SMALL_PID" 2>/dev/null; SMALL_PID=""

# started here rather than by ks_start, which gives up after 120 s: on a loaded
# machine a fleet this size may take longer, and how long is the figure
t0=$(date +%s.%N)
"$BUILD/kubesim" --port 0 --kubeconfig-out "$KUBECONFIG" --fleet "$N" --seed 3 --time-scale 60 --quiet \
	--start-time "$KS_QUIET_START" 2>"$KS_DIR/kubesim.log" &
KS_PID=$!
i=0
while [ ! -s "$KUBECONFIG" ]; do
	kill -0 "$KS_PID" 2>/dev/null || { echo "kubesim died at start:"; cat "$KS_DIR/kubesim.log"; exit 1; }
	i=$((i + 1)); [ $i -gt 9000 ] && { echo "kubesim of $N tenants did not start in 15 minutes"; exit 1; }
	sleep 0.1
done
t1=$(date +%s.%N)
KS_URL=$(sed -n 's/^kubesim: listening on //p' "$KS_DIR/kubesim.log" | head -1)
KS_ADMIN_TOKEN=$(awk '/name: "?kubesim-admin"?$/{u=1} u && /token:/{print $2; exit}' "$KUBECONFIG" | tr -d '"')
KS_CA="$KS_DIR/ca.crt"
awk '/certificate-authority-data:/{print $2; exit}' "$KUBECONFIG" | tr -d '"' | base64 -d >"$KS_CA"
rss0=$(awk '/VmRSS/{print $2}' /proc/$KS_PID/status)
cpu0=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' /proc/$KS_PID/stat)
echo "kubesim of $N tenants: serving after $(python3 -c "print('%.1f' % ($t1 - $t0))") s (goal < 30 s), $cpu0 s of CPU, $((rss0 / 1024)) MB resident then; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $(settle "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN")"
rss1=$(awk '/VmRSS/{print $2}' /proc/$KS_PID/status); hwm=$(awk '/VmHWM/{print $2}' /proc/$KS_PID/status)
echo "   resident $((rss1 / 1024)) MB settled, peak $((hwm / 1024)) MB (goal < 6144 MB)"
b_obj=$(tracked "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN")
tr=$(python3 bench/transfer.py "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN" 1)
set -- $(tenants "$KUBECONFIG"); ten_s=$1; ten_rss=$2; ten_n=$3
tr2=$(python3 bench/transfer.py "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN" 1)
mkdir -p "$KS_DIR/b"; set -- $(console "$KUBECONFIG" "$KS_DIR/b"); con_ms=$1; con_rss=$2; con_hwm=$3
echo "   $b_obj tracked objects; transfer limit $(echo "$tr" | cut -d' ' -f2) s, $(echo "$tr2" | cut -d' ' -f2) s ($(echo "$tr" | cut -d' ' -f3) bytes, $(echo "$tr" | cut -d' ' -f4) pages)"
python3 - "$N" "$ten_s" "$ten_rss" "$ten_n" "$con_ms" "$con_rss" "$b_obj" "$s_obj" "$s_con_rss" "$s_ten_rss" \
	"$(echo "$tr" | cut -d' ' -f2)" "$(echo "$tr2" | cut -d' ' -f2)" "$con_hwm" <<'PY'
import sys
n, ten_s, ten_rss, ten_n, con_ms, con_rss, b_obj, s_obj, s_con, s_ten, tr1, tr2, con_hwm = sys.argv[1:14]
ten_s, tr = float(ten_s), min(float(tr1), float(tr2))
ten_rss, con_rss, s_con, s_ten = int(ten_rss), int(con_rss), int(s_con), int(s_ten)
b_obj, s_obj = int(b_obj), int(s_obj)
print("tenants -o json: %.2f s (%.2fx the transfer limit %.2f s), peak %d MB, %s tenants (goal < 4 s and < 300 MB: %s)" % (
    ten_s, ten_s / tr, tr, ten_rss // 1024, ten_n, "met" if ten_s < 4 and ten_rss < 300 * 1024 else "NOT met"))
print("console: complete fresh frame %.2f s (goal < 4 s: %s), %d MB resident, peak %d MB (goal < 300 MB: %s)" % (
    float(con_ms) / 1000, "met" if 0 <= float(con_ms) < 4000 else "NOT met", con_rss // 1024,
    int(con_hwm) // 1024, "met" if 0 < int(con_hwm) < 300 * 1024 else "NOT met"))
if b_obj > s_obj:
    per = (con_rss - s_con) * 1024.0 / (b_obj - s_obj)
    per_t = (ten_rss - s_ten) * 1024.0 / (b_obj - s_obj)
    print("bytes per tracked object (%d - %d objects): console %.0f B (goal <= 512: %s), tenants -o json peak %.0f B" % (
        b_obj, s_obj, per, "met" if per <= 512 else "NOT met", per_t))
PY
echo "load at end $(cut -d' ' -f1-3 /proc/loadavg)"
