# A paged list of 50,000 objects from kubesim: MB/s with curl (pages of 500, as
# client-go asks), against kubectl reading the same list in the same run.
. tests/integration/lib.sh
N=${N:-50000}
ks_start --preload "$N" --quiet
base="$KS_URL/api/v1/namespaces/preload/configmaps"
t0=$(date +%s.%N)
bytes=0; cont=""; pages=0; items=0
while :; do
	url="$base?limit=500"
	[ -n "$cont" ] && url="$url&continue=$cont"
	kcurl -o "$KS_DIR/page.json" "$url"
	b=$(stat -c %s "$KS_DIR/page.json"); bytes=$((bytes + b)); pages=$((pages + 1))
	cont=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["metadata"].get("continue",""))' "$KS_DIR/page.json")
	[ -z "$cont" ] && break
done
t1=$(date +%s.%N)
# the parse above is the client's cost: measure the transfer alone too
t2=$(date +%s.%N)
kcurl -o "$KS_DIR/all.json" "$base"
t3=$(date +%s.%N)
all=$(stat -c %s "$KS_DIR/all.json")
t4=$(date +%s.%N)
kubectl get cm -n preload -o json --chunk-size=500 >"$KS_DIR/kubectl.json"
t5=$(date +%s.%N)
python3 - "$bytes" "$pages" "$t0" "$t1" "$all" "$t2" "$t3" "$t4" "$t5" "$N" <<'PY'
import sys
b, pages, t0, t1, allb, t2, t3, t4, t5, n = sys.argv[1:]
b, allb, pages, n = int(b), int(allb), int(pages), int(n)
paged = float(t1) - float(t0); single = float(t3) - float(t2); kc = float(t5) - float(t4)
print("objects: %d, paged bytes: %.1f MB in %d pages" % (n, b / 1e6, pages))
print("paged list (curl + a JSON parse per page): %.2f s = %.1f MB/s" % (paged, b / 1e6 / paged))
print("single list (curl):                       %.2f s = %.1f MB/s" % (single, allb / 1e6 / single))
print("kubectl get -o json --chunk-size=500:      %.2f s  (kubectl / curl-paged = %.1fx)" % (kc, kc / paged))
PY
