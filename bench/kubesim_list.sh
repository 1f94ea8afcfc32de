# A paged list of 50,000 objects from kubesim (pages of 500, as client-go asks) over
# one kept-alive TLS connection: MB/s; against curl (one unpaged request) and kubectl
# (paged, --chunk-size=500) reading the same list in the same run.
. tests/integration/lib.sh
N=${N:-50000}
ks_start --preload "$N" --quiet --start-time "$KS_QUIET_START"
base="$KS_URL/api/v1/namespaces/preload/configmaps"
/usr/bin/python3 - "$KS_URL" "$KS_CA" "$KS_ADMIN_TOKEN" >"$KS_DIR/paged.txt" <<'PY'
import http.client, re, ssl, sys, time, urllib.parse
url, ca, tok = sys.argv[1:4]
u = urllib.parse.urlparse(url)
ctx = ssl.create_default_context(cafile=ca)
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
hdr = {"Authorization": "Bearer " + tok, "Accept": "application/json"}
path = "/api/v1/namespaces/preload/configmaps?limit=500"
t0 = time.time(); total = 0; pages = 0; cont = None
while True:
    p = path + ("&continue=" + urllib.parse.quote(cont) if cont else "")
    conn.request("GET", p, headers=hdr)
    body = conn.getresponse().read()
    total += len(body); pages += 1
    m = re.search(rb'"continue":"([^"]*)"', body[:600])
    cont = m.group(1).decode() if m else None
    if not cont:
        break
dt = time.time() - t0
print("%d %d %.3f" % (total, pages, dt))
PY
read bytes pages paged <"$KS_DIR/paged.txt"
t2=$(date +%s.%N)
kcurl -o "$KS_DIR/all.json" "$base"
t3=$(date +%s.%N)
all=$(stat -c %s "$KS_DIR/all.json")
t4=$(date +%s.%N)
kubectl get cm -n preload -o json --chunk-size=500 >"$KS_DIR/kubectl.json"
t5=$(date +%s.%N)
/usr/bin/python3 - "$bytes" "$pages" "$paged" "$all" "$t2" "$t3" "$t4" "$t5" "$N" <<'PY'
import sys
b, pages, paged, allb, t2, t3, t4, t5, n = sys.argv[1:]
b, allb, pages, n, paged = int(b), int(allb), int(pages), int(n), float(paged)
single = float(t3) - float(t2); kc = float(t5) - float(t4)
print("objects: %d, paged bytes: %.1f MB in %d pages" % (n, b / 1e6, pages))
print("paged list, one kept-alive connection: %.2f s = %.1f MB/s" % (paged, b / 1e6 / paged))
print("single unpaged list (curl):            %.2f s = %.1f MB/s" % (single, allb / 1e6 / single))
print("kubectl get -o json --chunk-size=500:   %.2f s (kubectl / paged = %.1fx slower)" % (kc, kc / paged))
PY
