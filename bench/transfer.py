"""The transfer limit: the lists smartops reads for the fleet, asked the same way
(pages of 500; workloads as a server-side Table with metadata), fetched in turn
over ONE keep-alive TLS connection, bodies read whole and not parsed (only the
continue token is picked out). Prints "transfer SECONDS BYTES PAGES".
Usage: transfer.py URL CA_FILE TOKEN [REPEAT]"""
import http.client, re, ssl, sys, time, urllib.parse

url, ca, token = sys.argv[1:4]
repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 1
u = urllib.parse.urlparse(url)
ctx = ssl.create_default_context(cafile=ca)
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
JSON = "application/json"
LISTS = [
    (JSON, "/api/v1/namespaces?labelSelector=smart.totvs.com%2Ftcode"),
    (TABLE, "/apis/apps/v1/deployments?includeObject=Metadata&labelSelector=smart.totvs.com%2Ftier"),
    (TABLE, "/apis/apps/v1/statefulsets?includeObject=Metadata&labelSelector=smart.totvs.com%2Ftier"),
    (JSON, "/apis/networking.k8s.io/v1/ingresses?labelSelector=smart.totvs.com%2Ftcode"),
    (JSON, "/api/v1/pods?labelSelector=smart.totvs.com%2Ftier%3Dbase"),
]
cont_re = re.compile(rb'"continue":"([^"]*)"')
best = None
for _ in range(repeat):
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx)
    total = pages = 0
    t0 = time.monotonic()
    for accept, path in LISTS:
        cont = ""
        while True:
            p = path + "&limit=500" + ("&continue=" + urllib.parse.quote(cont) if cont else "")
            conn.request("GET", p, headers={"Authorization": "Bearer " + token, "Accept": accept})
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                sys.exit("GET %s: %d %s" % (p, r.status, body[:200]))
            total += len(body)
            pages += 1
            m = cont_re.search(body[:2000]) or cont_re.search(body[-2000:])
            cont = m.group(1).decode() if m else ""
            if not cont:
                break
    dt = time.monotonic() - t0
    conn.close()
    if best is None or dt < best[0]:
        best = (dt, total, pages)
print("transfer %.3f %d %d" % best)
