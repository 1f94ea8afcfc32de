"""kubesim against a second real client: the official Python client (Debian's
python3-kubernetes): paged lists, a watch, a stale update refused with 409."""
import os, subprocess, sys, tempfile, time, threading

build = sys.argv[1]
try:
    from kubernetes import client, config, watch
    from kubernetes.client.rest import ApiException
except ImportError:
    print("SKIPPED: python3-kubernetes is not installed; the Python client check was not run")
    sys.exit(0)

tmp = tempfile.mkdtemp()
kc = os.path.join(tmp, "kubeconfig")
log = open(os.path.join(tmp, "kubesim.log"), "w")
proc = subprocess.Popen([os.path.join(build, "kubesim"), "--port", "0", "--kubeconfig-out", kc,
                         "--start-time", "2026-11-04T05:00:00Z"],
                        stderr=log)
fails = 0

def check(what, cond):
    global fails
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        fails += 1

try:
    for _ in range(300):
        if os.path.exists(kc) and os.path.getsize(kc) > 0:
            break
        time.sleep(0.1)
    config.load_kube_config(config_file=kc)
    v1 = client.CoreV1Api()
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py")))
    for i in range(120):
        v1.create_namespaced_config_map("py", client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="cm-%03d" % i, labels={"n": str(i % 3)}), data={"i": str(i)}))

    # paged list: 120 items, pages of 50, over one snapshot
    names, token, pages, rv = [], None, 0, None
    while True:
        r = v1.list_namespaced_config_map("py", limit=50, _continue=token)
        pages += 1
        rv = rv or r.metadata.resource_version
        check("page %d keeps the snapshot's resourceVersion" % pages, r.metadata.resource_version == rv)
        names += [c.metadata.name for c in r.items]
        if pages == 1:
            v1.create_namespaced_config_map("py", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cm-late")))
        token = r.metadata._continue
        if not token:
            break
    check("paged list returns 120 items in 3 pages (got %d in %d)" % (len(names), pages), len(names) == 120 and pages == 3)
    check("items come sorted by name", names == sorted(names))
    check("an object created between pages is not in the snapshot", "cm-late" not in names)
    sel = v1.list_namespaced_config_map("py", label_selector="n in (1,2)")
    check("label selector in picks 80 (got %d)" % len(sel.items), len(sel.items) == 80)

    # watch from the list's resourceVersion sees a change
    start_rv = v1.list_namespaced_config_map("py", limit=1).metadata.resource_version
    seen = []
    def watcher():
        w = watch.Watch()
        for ev in w.stream(v1.list_namespaced_config_map, "py", resource_version=start_rv, timeout_seconds=5):
            seen.append((ev["type"], ev["object"].metadata.name))
            if ev["object"].metadata.name == "cm-000" and ev["type"] == "MODIFIED":
                w.stop()
    t = threading.Thread(target=watcher)
    t.start()
    time.sleep(0.5)
    v1.patch_namespaced_config_map("cm-000", "py", {"data": {"i": "changed"}})
    t.join(10)
    check("watch from the list's resourceVersion sees MODIFIED", ("MODIFIED", "cm-000") in seen)

    # a stale update is refused with 409 Conflict
    cm = v1.read_namespaced_config_map("cm-001", "py")
    v1.patch_namespaced_config_map("cm-001", "py", {"data": {"i": "first"}})
    cm.data = {"i": "stale"}
    try:
        v1.replace_namespaced_config_map("cm-001", "py", cm)
        check("a stale update is refused", False)
    except ApiException as e:
        check("a stale update is refused with 409 Conflict", e.status == 409 and "modified" in e.body)
    now = v1.read_namespaced_config_map("cm-001", "py")
    check("... and the object kept the newer value", now.data["i"] == "first")
finally:
    proc.terminate()
    proc.wait(10)
if fails:
    print("%d check(s) failed" % fails)
    sys.exit(1)
print("all checks passed")
