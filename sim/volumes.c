/* sim/volumes.c — StatefulSet claims and claim binding (see volumes.h).
 *
 * One thread, three watches (StorageClasses, claims, StatefulSets), a small table of
 * classes and a list of claims not yet Bound with the stage each is in. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/sched.h"
#include "sim/volumes.h"
#include "util/util.h"

#define PV_CONTROLLER "persistentvolume-controller"
#define STS_CONTROLLER "statefulset-controller"

typedef struct vclass {
	char *name, *provisioner;
	int is_default;
} vclass;

enum { C_WAITING, C_PROVISIONING, C_FAILED, C_RESIZING };

typedef struct vclaim {
	char *ns, *name;
	int stage;
	int said;	   /* the waiting reason was told (once) */
	int64_t due_ms;	   /* C_PROVISIONING, C_RESIZING: util_mono_ms() of the outcome */
	char *cls, *provisioner;
} vclaim;

enum { V_CLASS, V_PVC, V_STS, V_COUNT };

struct sim_volumes {
	sim_store *s;
	pthread_t thread;
	atomic_int stop;
	const sim_resource *res[V_COUNT], *r_event;
	sim_watch *watch[V_COUNT];
	sim_provisioner *prov;
	size_t n_prov;
	vclass *cls;
	size_t n_cls;
	vclaim *claims;
	size_t n_claims, cap_claims;
	uint64_t ev_counter;
};

/* ---- JSON helpers ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *jobj(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsObject(v))
		return v;
	if (v)
		cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	return cJSON_AddObjectToObject(o, k);
}

static void jset(cJSON *o, const char *k, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
	else
		cJSON_AddItemToObject(o, k, v);
}

static void jset_str(cJSON *o, const char *k, const char *v)
{
	jset(o, k, cJSON_CreateString(v));
}

/* ---- provisioners ---- */

int sim_provisioner_parse(const char *spec, sim_provisioner *out, char *err, size_t errsz)
{
	const char *eq = spec ? strchr(spec, '=') : NULL;
	char *end;
	long v;

	memset(out, 0, sizeof(*out));
	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(out->name))
		return util_seterr(err, errsz, "--provisioner \"%s\": want NAME=MILLISECONDS or NAME=fail:MESSAGE",
				   spec ? spec : "");
	memcpy(out->name, spec, (size_t)(eq - spec));
	out->name[eq - spec] = '\0';
	if (util_starts_with(eq + 1, "fail:")) {
		if (!eq[6])
			return util_seterr(err, errsz, "--provisioner \"%s\": say why it fails after fail:", spec);
		util_strlcpy(out->fail, eq + 6, sizeof(out->fail));
		return 0;
	}
	errno = 0;
	v = strtol(eq + 1, &end, 10);
	if (!eq[1] || *end || errno || v < 0 || v > 3600000)
		return util_seterr(err, errsz, "--provisioner \"%s\": the delay is milliseconds from 0 to 3600000",
				   spec);
	out->delay_ms = (int)v;
	return 0;
}

/* The homologated providers' own pace when no --provisioner names them: an NFS export
 * is quick, an EFS access point takes a moment, a Filestore instance longer. */
static const sim_provisioner default_provs[] = {
	{"nfs.csi.k8s.io", 100, ""},
	{"efs.csi.aws.com", 300, ""},
	{"filestore.csi.storage.gke.io", 1200, ""},
};

static const sim_provisioner *prov_find(const sim_volumes *v, const char *name)
{
	for (size_t i = 0; i < v->n_prov; i++)
		if (!strcmp(v->prov[i].name, name))
			return &v->prov[i];
	for (size_t i = 0; i < ARRAY_SIZE(default_provs); i++)
		if (!strcmp(default_provs[i].name, name))
			return &default_provs[i];
	return NULL;
}

/* ---- events ---- */

typedef struct involved {
	const char *api_version, *kind, *ns, *name, *uid;
} involved;

static void emit(sim_volumes *v, const involved *inv, const char *type, const char *reason, const char *component,
		 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void emit(sim_volumes *v, const involved *inv, const char *type, const char *reason, const char *component,
		 const char *fmt, ...)
{
	char message[512], name[320], when[40];
	cJSON *ev, *meta, *io;
	int64_t now = sim_store_now(v->s);
	sim_err err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	snprintf(name, sizeof(name), "%s.%016" PRIx64, inv->name,
		 (uint64_t)((uint64_t)now * 1000000000ull + (uint64_t)(util_mono_ms() % 1000) * 1000000ull +
			    (++v->ev_counter % 1000000ull)));
	util_rfc3339(now, when, sizeof(when));
	ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "apiVersion", "v1");
	cJSON_AddStringToObject(ev, "kind", "Event");
	meta = cJSON_AddObjectToObject(ev, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	cJSON_AddStringToObject(meta, "namespace", inv->ns);
	io = cJSON_AddObjectToObject(ev, "involvedObject");
	cJSON_AddStringToObject(io, "apiVersion", inv->api_version);
	cJSON_AddStringToObject(io, "kind", inv->kind);
	cJSON_AddStringToObject(io, "namespace", inv->ns);
	cJSON_AddStringToObject(io, "name", inv->name);
	if (inv->uid)
		cJSON_AddStringToObject(io, "uid", inv->uid);
	cJSON_AddStringToObject(ev, "reason", reason);
	cJSON_AddStringToObject(ev, "message", message);
	cJSON_AddStringToObject(ev, "type", type);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(ev, "source"), "component", component);
	cJSON_AddStringToObject(ev, "firstTimestamp", when);
	cJSON_AddStringToObject(ev, "lastTimestamp", when);
	cJSON_AddNumberToObject(ev, "count", 1);
	cJSON_AddStringToObject(ev, "reportingComponent", component);
	cJSON_AddStringToObject(ev, "reportingInstance", "kubesim");
	sim_store_create(v->s, v->r_event, inv->ns, ev, 0, NULL, &err); /* a gone namespace is fine */
	cJSON_Delete(ev);
}

static void emit_claim(sim_volumes *v, const vclaim *c, const char *uid, const char *type, const char *reason,
		       const char *component, const char *message)
{
	involved inv = {"v1", "PersistentVolumeClaim", c->ns, c->name, uid};

	emit(v, &inv, type, reason, component, "%s", message);
}

/* ---- classes ---- */

static const vclass *class_find(const sim_volumes *v, const char *name)
{
	for (size_t i = 0; i < v->n_cls; i++)
		if (!strcmp(v->cls[i].name, name))
			return &v->cls[i];
	return NULL;
}

static const vclass *class_default(const sim_volumes *v)
{
	for (size_t i = 0; i < v->n_cls; i++)
		if (v->cls[i].is_default)
			return &v->cls[i];
	return NULL;
}

static void class_forget(sim_volumes *v, const char *name)
{
	for (size_t i = 0; i < v->n_cls; i++)
		if (!strcmp(v->cls[i].name, name)) {
			free(v->cls[i].name);
			free(v->cls[i].provisioner);
			v->cls[i] = v->cls[--v->n_cls];
			return;
		}
}

static void on_class(sim_volumes *v, sim_event_type type, const sim_obj *obj)
{
	cJSON *root;
	const char *def, *prov;

	class_forget(v, obj->name);
	if (type == SIM_DELETED)
		return;
	root = sim_obj_parse(obj);
	def = jstr(jget(jget(root, "metadata"), "annotations"), "storageclass.kubernetes.io/is-default-class");
	prov = jstr(root, "provisioner");
	v->cls = xrealloc(v->cls, (v->n_cls + 1) * sizeof(*v->cls));
	v->cls[v->n_cls].name = xstrdup(obj->name);
	v->cls[v->n_cls].provisioner = xstrdup(prov ? prov : "");
	v->cls[v->n_cls].is_default = def && !strcmp(def, "true");
	v->n_cls++;
	cJSON_Delete(root);
}

/* The class table again from the store, for a claim that names a class (or wants the
 * default) not seen yet: its watch event may simply not have been read. */
static void classes_refresh(sim_volumes *v)
{
	sim_list l;
	sim_err err;

	if (sim_store_list(v->s, v->res[V_CLASS], NULL, NULL, NULL, 0, NULL, &l, &err) < 0)
		return;
	for (size_t k = 0; k < l.n; k++)
		on_class(v, SIM_ADDED, l.items[k]);
	sim_list_release(&l);
}

/* ---- claims ---- */

static vclaim *claim_find(sim_volumes *v, const char *ns, const char *name)
{
	for (size_t i = 0; i < v->n_claims; i++)
		if (!strcmp(v->claims[i].ns, ns) && !strcmp(v->claims[i].name, name))
			return &v->claims[i];
	return NULL;
}

static void claim_drop(sim_volumes *v, vclaim *c)
{
	free(c->ns);
	free(c->name);
	free(c->cls);
	free(c->provisioner);
	*c = v->claims[--v->n_claims];
}

typedef struct start_ctx {
	const char *cls;	 /* the class to set, or NULL */
	const char *provisioner; /* the annotations to set, or NULL */
	char uid[64];
	int bound;
} start_ctx;

static int start_fn(cJSON *obj, void *vctx, sim_err *err)
{
	start_ctx *c = vctx;
	cJSON *spec = jobj(obj, "spec"), *st = jobj(obj, "status"), *meta = jobj(obj, "metadata"), *ann;
	const char *phase = jstr(st, "phase");

	util_strlcpy(c->uid, jstr(meta, "uid") ? jstr(meta, "uid") : "", sizeof(c->uid));
	c->bound = phase && !strcmp(phase, "Bound");
	if (c->bound)
		return 0;
	if (c->cls)
		jset_str(spec, "storageClassName", c->cls);
	if (c->provisioner) {
		ann = jobj(meta, "annotations");
		jset_str(ann, "volume.kubernetes.io/storage-provisioner", c->provisioner);
		jset_str(ann, "volume.beta.kubernetes.io/storage-provisioner", c->provisioner);
	}
	if (!phase)
		jset_str(st, "phase", "Pending");
	return 0;
}

/* Moves a waiting claim on as far as the classes allow. */
static void claim_try(sim_volumes *v, vclaim *c)
{
	sim_obj *o;
	sim_err err;
	cJSON *root;
	const cJSON *cls_item;
	const vclass *k = NULL;
	start_ctx sc = {0};
	const sim_provisioner *p;
	char msg[512];

	if (!(o = sim_store_get(v->s, v->res[V_PVC], c->ns, c->name, &err))) {
		claim_drop(v, c);
		return;
	}
	root = sim_obj_parse(o);
	sim_obj_unref(o);
	cls_item = jget(jget(root, "spec"), "storageClassName");
	if (!cls_item || cJSON_IsNull(cls_item)) {
		if (!class_default(v))
			classes_refresh(v);
		k = class_default(v);
		sc.cls = k ? k->name : NULL;
	} else if (cJSON_IsString(cls_item) && cls_item->valuestring[0]) {
		if (!class_find(v, cls_item->valuestring))
			classes_refresh(v);
		k = class_find(v, cls_item->valuestring);
		if (!k && !c->said) {
			snprintf(msg, sizeof(msg), "storageclass.storage.k8s.io \"%s\" not found", cls_item->valuestring);
			emit_claim(v, c, jstr(jget(root, "metadata"), "uid"), "Warning", "ProvisioningFailed",
				   PV_CONTROLLER, msg);
			c->said = 1;
		}
	}
	if (!k) {
		if ((!cls_item || cJSON_IsNull(cls_item) || (cJSON_IsString(cls_item) && !cls_item->valuestring[0])) &&
		    !c->said) {
			emit_claim(v, c, jstr(jget(root, "metadata"), "uid"), "Normal", "FailedBinding", PV_CONTROLLER,
				   "no persistent volumes available for this claim and no storage class is set");
			c->said = 1;
		}
		/* still let the claim show Pending */
		sim_store_mutate(v->s, v->res[V_PVC], c->ns, c->name, start_fn, &sc, 0, NULL, &err);
		cJSON_Delete(root);
		return;
	}
	cJSON_Delete(root);
	sc.provisioner = k->provisioner;
	if (sim_store_mutate(v->s, v->res[V_PVC], c->ns, c->name, start_fn, &sc, 0, NULL, &err) < 0 || sc.bound) {
		claim_drop(v, c);
		return;
	}
	free(c->cls);
	free(c->provisioner);
	c->cls = xstrdup(k->name);
	c->provisioner = xstrdup(k->provisioner);
	snprintf(msg, sizeof(msg),
		 "Waiting for a volume to be created either by the external provisioner '%s' or manually by the "
		 "system administrator. If volume creation is delayed, please verify that the provisioner is "
		 "running and correctly registered.", k->provisioner);
	emit_claim(v, c, sc.uid, "Normal", "ExternalProvisioning", PV_CONTROLLER, msg);
	snprintf(msg, sizeof(msg), "External provisioner is provisioning volume for claim \"%s/%s\"", c->ns, c->name);
	emit_claim(v, c, sc.uid, "Normal", "Provisioning", k->provisioner, msg);
	p = prov_find(v, k->provisioner);
	c->stage = C_PROVISIONING;
	c->due_ms = util_mono_ms() + (p ? p->delay_ms : 0);
}

typedef struct bind_ctx {
	char vol[128];
	int bound;
} bind_ctx;

static int bind_fn(cJSON *obj, void *vctx, sim_err *err)
{
	bind_ctx *c = vctx;
	cJSON *spec = jobj(obj, "spec"), *st = jobj(obj, "status"), *meta = jobj(obj, "metadata"), *ann;
	const cJSON *req = jget(jget(spec, "resources"), "requests");
	const char *phase = jstr(st, "phase"), *uid = jstr(meta, "uid");

	c->bound = phase && !strcmp(phase, "Bound");
	if (c->bound)
		return 0;
	snprintf(c->vol, sizeof(c->vol), "pvc-%s", uid ? uid : "0");
	jset_str(spec, "volumeName", c->vol);
	ann = jobj(meta, "annotations");
	jset_str(ann, "pv.kubernetes.io/bind-completed", "yes");
	jset_str(ann, "pv.kubernetes.io/bound-by-controller", "yes");
	jset_str(st, "phase", "Bound");
	if (jget(spec, "accessModes"))
		jset(st, "accessModes", cJSON_Duplicate(jget(spec, "accessModes"), 1));
	if (jget(req, "storage")) {
		cJSON *cap = cJSON_CreateObject();

		cJSON_AddItemToObject(cap, "storage", cJSON_Duplicate(jget(req, "storage"), 1));
		jset(st, "capacity", cap);
	}
	c->bound = 2; /* bound now, by us */
	return 0;
}

/* The provisioner's outcome for a claim whose delay is over. */
static void claim_finish(sim_volumes *v, vclaim *c)
{
	const sim_provisioner *p = prov_find(v, c->provisioner);
	bind_ctx bc = {0};
	sim_obj *o = NULL;
	sim_err err;
	char msg[512], uid[64] = "";

	if (p && p->fail[0]) {
		if ((o = sim_store_get(v->s, v->res[V_PVC], c->ns, c->name, &err))) {
			cJSON *root = sim_obj_parse(o);
			util_strlcpy(uid, jstr(jget(root, "metadata"), "uid") ? jstr(jget(root, "metadata"), "uid") : "",
				     sizeof(uid));
			cJSON_Delete(root);
			sim_obj_unref(o);
		}
		snprintf(msg, sizeof(msg), "failed to provision volume with StorageClass \"%s\": %s", c->cls, p->fail);
		emit_claim(v, c, uid, "Warning", "ProvisioningFailed", c->provisioner, msg);
		c->stage = C_FAILED;
		return;
	}
	if (sim_store_mutate(v->s, v->res[V_PVC], c->ns, c->name, bind_fn, &bc, 0, &o, &err) == 0 && bc.bound == 2) {
		cJSON *root = sim_obj_parse(o);
		util_strlcpy(uid, jstr(jget(root, "metadata"), "uid") ? jstr(jget(root, "metadata"), "uid") : "",
			     sizeof(uid));
		cJSON_Delete(root);
		snprintf(msg, sizeof(msg), "Successfully provisioned volume %s", bc.vol);
		emit_claim(v, c, uid, "Normal", "ProvisioningSucceeded", c->provisioner, msg);
	}
	if (o)
		sim_obj_unref(o);
	claim_drop(v, c);
}

/* ---- expansion ---- */

double sim_volumes_quantity(const char *q)
{
	static const struct {
		const char *sfx;
		double mul;
	} units[] = {
	    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
	    {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"k", 1e3}, {"M", 1e6},
	    {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}, {"", 1.0},
	};
	char *end;
	double n;

	if (!q || !((*q >= '0' && *q <= '9') || *q == '.'))
		return -1;
	errno = 0;
	n = strtod(q, &end);
	if (errno || end == q)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].sfx))
			return n * units[i].mul;
	return -1;
}

static const char *claim_request(const cJSON *pvc)
{
	return jstr(jget(jget(jget(pvc, "spec"), "resources"), "requests"), "storage");
}

int sim_volumes_class_expandable(sim_store *s, const char *ns, const char *name)
{
	const sim_resource *r_pvc = sim_resource_find("", "v1", "persistentvolumeclaims");
	const sim_resource *r_sc = sim_resource_find("storage.k8s.io", "v1", "storageclasses");
	sim_obj *o;
	sim_err err;
	cJSON *root;
	const char *cls;
	int yes = 0;

	if (!r_pvc || !r_sc || !(o = sim_store_get(s, r_pvc, ns, name, &err)))
		return 0;
	root = sim_obj_parse(o);
	sim_obj_unref(o);
	cls = jstr(jget(root, "spec"), "storageClassName");
	if (cls && *cls && (o = sim_store_get(s, r_sc, NULL, cls, &err))) {
		cJSON *sc = sim_obj_parse(o);

		yes = cJSON_IsTrue(jget(sc, "allowVolumeExpansion"));
		cJSON_Delete(sc);
		sim_obj_unref(o);
	}
	cJSON_Delete(root);
	return yes;
}

int sim_volumes_check_update(const cJSON *old, const cJSON *nw, int expandable, sim_err *err)
{
	const char *name = jstr(jget(old, "metadata"), "name"), *was = claim_request(old), *now = claim_request(nw);
	const char *phase = jstr(jget(old, "status"), "phase");
	double a = sim_volumes_quantity(was), b = sim_volumes_quantity(now);
	int bound = phase && !strcmp(phase, "Bound"), same;
	cJSON *o2, *n2;

	/* the spec, less the storage request of a bound claim and the server's defaults */
	o2 = cJSON_Duplicate(jget(old, "spec"), 1);
	n2 = cJSON_Duplicate(jget(nw, "spec"), 1);
	if (bound && o2 && n2) {
		cJSON *ro = jobj(jobj(o2, "resources"), "requests"), *rn = jobj(jobj(n2, "resources"), "requests");

		cJSON_DeleteItemFromObjectCaseSensitive(ro, "storage");
		cJSON_DeleteItemFromObjectCaseSensitive(rn, "storage");
	}
	if (o2 && n2) {
		cJSON_DeleteItemFromObjectCaseSensitive(o2, "volumeAttributesClassName");
		cJSON_DeleteItemFromObjectCaseSensitive(n2, "volumeAttributesClassName");
	}
	same = (!o2 && !n2) || (o2 && n2 && cJSON_Compare(o2, n2, 1));
	cJSON_Delete(o2);
	cJSON_Delete(n2);
	if (!same) {
		sim_err_set(err, 422, "Invalid",
			    "PersistentVolumeClaim \"%s\" is invalid: spec: Forbidden: spec is immutable after creation "
			    "except resources.requests and volumeAttributesClassName for bound claims",
			    name ? name : "");
		sim_err_field(err, "spec");
		return -1;
	}
	if (!bound || !was || !now || !strcmp(was, now))
		return 0;
	if (b < 0) {
		sim_err_set(err, 422, "Invalid",
			    "PersistentVolumeClaim \"%s\" is invalid: spec.resources.requests[storage]: Invalid value: "
			    "\"%s\": quantities must match the regular expression "
			    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
			    name ? name : "", now);
		sim_err_field(err, "spec.resources.requests[storage]");
		return -1;
	}
	if (a >= 0 && b < a) {
		sim_err_set(err, 422, "Invalid",
			    "PersistentVolumeClaim \"%s\" is invalid: spec.resources.requests.storage: Forbidden: field "
			    "can not be less than previous value",
			    name ? name : "");
		sim_err_field(err, "spec.resources.requests.storage");
		return -1;
	}
	if (b > a && !expandable) {
		sim_err_set(err, 403, "Forbidden",
			    "persistentvolumeclaims \"%s\" is forbidden: only dynamically provisioned pvc can be resized "
			    "and the storageclass that provisions the pvc must support resize",
			    name ? name : "");
		return -1;
	}
	return 0;
}

static vclaim *claim_add(sim_volumes *v, const char *ns, const char *name, int stage)
{
	vclaim *c;

	if (v->n_claims == v->cap_claims) {
		v->cap_claims = v->cap_claims ? 2 * v->cap_claims : 16;
		v->claims = xrealloc(v->claims, v->cap_claims * sizeof(*v->claims));
	}
	c = &v->claims[v->n_claims++];
	memset(c, 0, sizeof(*c));
	c->ns = xstrdup(ns);
	c->name = xstrdup(name);
	c->stage = stage;
	return c;
}

static const char *resizer_name(const vclaim *c, char *buf, size_t size)
{
	snprintf(buf, size, "external-resizer %s", c->provisioner ? c->provisioner : "");
	return buf;
}

/* A bound claim whose request is above its capacity: the resizer's turn. */
static void resize_start(sim_volumes *v, const sim_obj *obj)
{
	cJSON *root = sim_obj_parse(obj);
	const char *req = claim_request(root), *cap = jstr(jget(jget(root, "status"), "capacity"), "storage");
	const char *cls = jstr(jget(root, "spec"), "storageClassName"), *vol = jstr(jget(root, "spec"), "volumeName");
	const vclass *k;
	const sim_provisioner *p;
	vclaim *c;
	char msg[512], comp[200];

	if (!req || !cap || sim_volumes_quantity(req) <= sim_volumes_quantity(cap) || !cls) {
		cJSON_Delete(root);
		return;
	}
	if (!class_find(v, cls))
		classes_refresh(v);
	if (!(k = class_find(v, cls))) {
		cJSON_Delete(root);
		return;
	}
	c = claim_add(v, obj->ns, obj->name, C_RESIZING);
	c->cls = xstrdup(k->name);
	c->provisioner = xstrdup(k->provisioner);
	p = prov_find(v, k->provisioner);
	c->due_ms = util_mono_ms() + (p ? p->delay_ms : 0);
	snprintf(msg, sizeof(msg), "External resizer is resizing volume %s", vol ? vol : "");
	emit_claim(v, c, jstr(jget(root, "metadata"), "uid"), "Normal", "Resizing", resizer_name(c, comp, sizeof(comp)),
		   msg);
	cJSON_Delete(root);
}

typedef struct resize_ctx {
	char uid[64], vol[128];
	int done;
} resize_ctx;

static int resize_fn(cJSON *obj, void *vctx, sim_err *err)
{
	resize_ctx *c = vctx;
	cJSON *st = jobj(obj, "status"), *meta = jobj(obj, "metadata"), *cap;
	const char *req = claim_request(obj);

	util_strlcpy(c->uid, jstr(meta, "uid") ? jstr(meta, "uid") : "", sizeof(c->uid));
	util_strlcpy(c->vol, jstr(jget(obj, "spec"), "volumeName") ? jstr(jget(obj, "spec"), "volumeName") : "",
		     sizeof(c->vol));
	if (!req)
		return 0;
	cap = jobj(st, "capacity");
	jset_str(cap, "storage", req);
	c->done = 1;
	return 0;
}

static void resize_finish(sim_volumes *v, vclaim *c)
{
	const sim_provisioner *p = prov_find(v, c->provisioner);
	resize_ctx rc = {0};
	sim_err err;
	char msg[512], comp[200];

	if (p && p->fail[0]) {
		snprintf(msg, sizeof(msg), "resize volume \"%s/%s\" by resizer \"%s\" failed: %s", c->ns, c->name,
			 c->provisioner, p->fail);
		emit_claim(v, c, NULL, "Warning", "VolumeResizeFailed", resizer_name(c, comp, sizeof(comp)), msg);
	} else if (sim_store_mutate(v->s, v->res[V_PVC], c->ns, c->name, resize_fn, &rc, 0, NULL, &err) == 0 &&
		   rc.done) {
		emit_claim(v, c, rc.uid, "Normal", "VolumeResizeSuccessful", resizer_name(c, comp, sizeof(comp)),
			   "Resize volume succeeded");
	}
	claim_drop(v, c);
}

static void on_pvc(sim_volumes *v, sim_event_type type, const sim_obj *obj)
{
	vclaim *c = claim_find(v, obj->ns, obj->name);

	if (type == SIM_DELETED || obj->deleted_s) {
		if (c)
			claim_drop(v, c);
		return;
	}
	if (strstr(obj->json, "\"phase\":\"Bound\"")) {
		if (c && c->stage != C_RESIZING)
			claim_drop(v, c);
		if (!c || c->stage != C_RESIZING)
			resize_start(v, obj);
		return;
	}
	if (c)
		return; /* ours in progress, or waiting for a class */
	claim_try(v, claim_add(v, obj->ns, obj->name, C_WAITING));
}

/* After a class changed: claims waiting for one try again. */
static void recheck_waiting(sim_volumes *v)
{
	for (size_t i = v->n_claims; i-- > 0;)
		if (v->claims[i].stage == C_WAITING)
			claim_try(v, &v->claims[i]);
}

/* ---- StatefulSet claims ---- */

static cJSON *claim_for(const cJSON *set, const cJSON *tpl, const char *name)
{
	cJSON *pvc = cJSON_CreateObject(), *meta, *labels;
	const cJSON *tmeta = jget(tpl, "metadata"), *sel = jget(jget(jget(set, "spec"), "selector"), "matchLabels"), *l;

	cJSON_AddStringToObject(pvc, "apiVersion", "v1");
	cJSON_AddStringToObject(pvc, "kind", "PersistentVolumeClaim");
	meta = cJSON_AddObjectToObject(pvc, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_ArrayForEach(l, jget(tmeta, "labels")) if (cJSON_IsString(l)) jset_str(labels, l->string, l->valuestring);
	cJSON_ArrayForEach(l, sel) if (cJSON_IsString(l)) jset_str(labels, l->string, l->valuestring);
	if (cJSON_IsObject(jget(tmeta, "annotations")))
		cJSON_AddItemToObject(meta, "annotations", cJSON_Duplicate(jget(tmeta, "annotations"), 1));
	if (cJSON_IsObject(jget(tpl, "spec")))
		cJSON_AddItemToObject(pvc, "spec", cJSON_Duplicate(jget(tpl, "spec"), 1));
	return pvc;
}

static void on_sts(sim_volumes *v, sim_event_type type, const sim_obj *obj)
{
	cJSON *root;
	const cJSON *spec, *tpls, *tpl, *reps;
	const char *uid;
	int replicas;

	if (type == SIM_DELETED || obj->deleted_s)
		return;
	root = sim_obj_parse(obj);
	spec = jget(root, "spec");
	tpls = jget(spec, "volumeClaimTemplates");
	reps = jget(spec, "replicas");
	replicas = cJSON_IsNumber(reps) ? (int)reps->valuedouble : 1;
	uid = jstr(jget(root, "metadata"), "uid");
	for (int i = 0; i < replicas && cJSON_IsArray(tpls); i++) {
		cJSON_ArrayForEach(tpl, tpls) {
			const char *tname = jstr(jget(tpl, "metadata"), "name");
			char name[400];
			sim_obj *have;
			sim_err err;
			cJSON *pvc;

			if (!tname)
				continue;
			snprintf(name, sizeof(name), "%s-%s-%d", tname, obj->name, i);
			if ((have = sim_store_get(v->s, v->res[V_PVC], obj->ns, name, &err))) {
				sim_obj_unref(have);
				continue;
			}
			pvc = claim_for(root, tpl, name);
			if (sim_store_create(v->s, v->res[V_PVC], obj->ns, pvc, 0, NULL, &err) == 0) {
				involved inv = {"apps/v1", "StatefulSet", obj->ns, obj->name, uid};
				emit(v, &inv, "Normal", "SuccessfulCreate", STS_CONTROLLER,
				     "create Claim %s Pod %s-%d in StatefulSet %s success", name, obj->name, i, obj->name);
			}
			cJSON_Delete(pvc);
		}
	}
	cJSON_Delete(root);
}

/* ---- watches and the loop ---- */

static void dispatch(sim_volumes *v, int i, sim_event_type type, const sim_obj *obj)
{
	if (i == V_CLASS) {
		on_class(v, type, obj);
		recheck_waiting(v);
	} else if (i == V_PVC) {
		on_pvc(v, type, obj);
	} else {
		on_sts(v, type, obj);
	}
}

static int resync(sim_volumes *v, int i)
{
	sim_list l;
	sim_err err;

	if (v->watch[i]) {
		sim_watch_close(v->watch[i]);
		v->watch[i] = NULL;
	}
	if (sim_store_list(v->s, v->res[i], NULL, NULL, NULL, 0, NULL, &l, &err) < 0)
		return -1;
	if (i == V_CLASS)
		while (v->n_cls)
			class_forget(v, v->cls[0].name);
	for (size_t k = 0; k < l.n; k++)
		dispatch(v, i, SIM_ADDED, l.items[k]);
	v->watch[i] = sim_watch_open(v->s, v->res[i], NULL, NULL, NULL, l.rv, &err);
	sim_list_release(&l);
	return v->watch[i] ? 0 : -1;
}

/* Takes the pending events of watch i, waiting up to wait_ms for the first; -1 when the
 * store shuts down. */
static int drain(sim_volumes *v, int i, int wait_ms)
{
	for (int n = 0; n < 256; n++) {
		sim_event ev;
		sim_err err;
		int r;

		if (!v->watch[i] && resync(v, i) < 0)
			return -1;
		r = sim_watch_next(v->watch[i], n ? 0 : wait_ms, &ev, &err);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (err.code == 410 && resync(v, i) == 0)
				continue;
			return -1;
		}
		dispatch(v, i, ev.type, ev.obj);
		sim_event_release(&ev);
	}
	return 0;
}

static int next_wait_ms(const sim_volumes *v)
{
	int64_t now = util_mono_ms(), soonest = now + 100;

	for (size_t i = 0; i < v->n_claims; i++)
		if ((v->claims[i].stage == C_PROVISIONING || v->claims[i].stage == C_RESIZING) &&
		    v->claims[i].due_ms < soonest)
			soonest = v->claims[i].due_ms;
	return soonest <= now ? 0 : (int)(soonest - now);
}

static void *loop(void *arg)
{
	sim_volumes *v = arg;

	sim_sched_controller_thread();
	while (!atomic_load(&v->stop)) {
		int64_t now;

		if (drain(v, V_CLASS, 0) < 0 || drain(v, V_STS, 0) < 0 || drain(v, V_PVC, next_wait_ms(v)) < 0) {
			/* the store is shutting down (or cannot be watched): wait to be stopped */
			if (atomic_load(&v->stop))
				break;
			usleep(50 * 1000);
			continue;
		}
		now = util_mono_ms();
		for (size_t i = v->n_claims; i-- > 0;)
			if (v->claims[i].stage == C_PROVISIONING && v->claims[i].due_ms <= now)
				claim_finish(v, &v->claims[i]);
			else if (v->claims[i].stage == C_RESIZING && v->claims[i].due_ms <= now)
				resize_finish(v, &v->claims[i]);
	}
	return NULL;
}

static void volumes_free(sim_volumes *v)
{
	for (int i = 0; i < V_COUNT; i++)
		if (v->watch[i])
			sim_watch_close(v->watch[i]);
	while (v->n_claims)
		claim_drop(v, &v->claims[0]);
	while (v->n_cls)
		class_forget(v, v->cls[0].name);
	free(v->claims);
	free(v->cls);
	free(v->prov);
	free(v);
}

sim_volumes *sim_volumes_start(sim_store *s, const sim_provisioner *provs, size_t n)
{
	sim_volumes *v = xcalloc(1, sizeof(*v));

	v->s = s;
	if (n) {
		v->prov = xmalloc(n * sizeof(*provs));
		memcpy(v->prov, provs, n * sizeof(*provs));
		v->n_prov = n;
	}
	v->res[V_CLASS] = sim_resource_find("storage.k8s.io", "v1", "storageclasses");
	v->res[V_PVC] = sim_resource_find("", "v1", "persistentvolumeclaims");
	v->res[V_STS] = sim_resource_find("apps", "v1", "statefulsets");
	v->r_event = sim_resource_find("", "v1", "events");
	if (!v->res[V_CLASS] || !v->res[V_PVC] || !v->res[V_STS] || !v->r_event)
		goto fail;
	/* classes first, so that claims listed next find theirs */
	for (int i = 0; i < V_COUNT; i++)
		if (resync(v, i) < 0)
			goto fail;
	if (pthread_create(&v->thread, NULL, loop, v))
		goto fail;
	return v;
fail:
	volumes_free(v);
	return NULL;
}

void sim_volumes_stop(sim_volumes *v)
{
	if (!v)
		return;
	atomic_store(&v->stop, 1);
	pthread_join(v->thread, NULL);
	volumes_free(v);
}
