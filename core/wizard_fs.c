/* The file-server wizard (see core/wizard_fs.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/ini_diff.h"
#include "core/provision_ns.h"
#include "core/step_mount.h"
#include "core/tcode.h"
#include "core/wizard_fs.h"
#include "core/wizard_ns.h"
#include "util/util.h"

#define PLATFORM_NS "smartops-system"
#define PLATFORM_CM "smart-platform"
#define PROVIDERS_KEY "fileserver.providers"
#define CLAIM STEP_MOUNT_VOLUME
#define MAX_APPSERVERS 16

static const wizard_input inputs[] = {
    {"tcode", "the customer's TCODE, e.g. T12345 (an ERP tenant)", NULL, NULL, NULL, 0},
    {"env", "prod or dev: the environment that gets the file server", "prod", NULL, "prod,dev", 0},
    {"size", "a Kubernetes quantity (500Gi, 1Ti) or s, m, l (" FS_SIZE_S ", " FS_SIZE_M ", " FS_SIZE_L ")",
     "m", NULL, NULL, 0},
    {"provider", "aws, gcp or totvs; default: the namespace's provider annotation", "", NULL, NULL, 0},
    {"class", "the StorageClass, when the provider has several in the cluster", "", NULL, NULL, 0},
};

static const struct {
	const char *provisioner, *provider;
} builtin[] = {
    {"efs.csi.aws.com", "aws"},
    {"filestore.csi.storage.gke.io", "gcp"},
    {"nfs.csi.k8s.io", "totvs"},
};

#define KI 1024ULL

/* ---- pure parts ------------------------------------------------------------------- */

int fs_quantity_parse(const char *q, uint64_t *bytes, char *err, size_t errsz)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
	    {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
	    {"Pi", 1125899906842624.0}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15},
	    {"", 1.0},
	};
	const char *p = q;
	double v = 0, frac = 0.1;
	int digits = 0;
	size_t i;

	if (!q || !*q)
		return util_seterr(err, errsz, "the size is empty: give a quantity such as 500Gi or 1Ti");
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			v += frac * (*p++ - '0');
			frac /= 10;
			digits++;
		}
	}
	if (!digits)
		return util_seterr(err, errsz,
				   "size \"%s\" is not a Kubernetes quantity: give e.g. 500Gi or 1Ti", q);
	for (i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(p, units[i].suffix))
			break;
	if (i == ARRAY_SIZE(units))
		return util_seterr(err, errsz,
				   "size \"%s\": unknown unit \"%s\"; use Ki, Mi, Gi, Ti, Pi (or k, M, G, T, P), e.g. 500Gi",
				   q, p);
	v *= units[i].mult;
	if (v < 1.0)
		return util_seterr(err, errsz, "size \"%s\" is zero: give e.g. 500Gi", q);
	if (v > 1e18)
		return util_seterr(err, errsz, "size \"%s\" is too large", q);
	*bytes = (uint64_t)v;
	return 0;
}

const char *fs_provider_default(const char *provisioner)
{
	size_t i;

	for (i = 0; provisioner && i < ARRAY_SIZE(builtin); i++)
		if (!strcmp(builtin[i].provisioner, provisioner))
			return builtin[i].provider;
	return NULL;
}

void fs_provider_of(const char *map, const char *provisioner, char *out, size_t size)
{
	const char *p = map, *d;

	if (size)
		out[0] = '\0';
	if (!map || !*map) {
		d = fs_provider_default(provisioner);
		util_strlcpy(out, d ? d : "", size);
		return;
	}
	while (*p) {
		size_t n = strcspn(p, ", \t\r\n"), k;
		const char *eq = memchr(p, '=', n);

		k = eq ? (size_t)(eq - p) : 0;
		if (eq && k == strlen(provisioner) && !strncmp(p, provisioner, k)) {
			size_t m = n - k - 1;

			if (m < size) {
				memcpy(out, eq + 1, m);
				out[m] = '\0';
			}
			return;
		}
		p += n;
		p += strspn(p, ", \t\r\n");
	}
}

/* The Filestore minimum for a tier (bytes), and as text. The basic tiers
 * (standard = BASIC_HDD, GKE's default) and the zonal/enterprise ones start at
 * 1 TiB; premium (BASIC_SSD) at 2.5 TiB. */
static uint64_t filestore_min(const char *tier, const char **text)
{
	if (tier && (!strcasecmp(tier, "premium") || !strcasecmp(tier, "BASIC_SSD"))) {
		*text = "2560Gi";
		return 2560ULL * KI * KI * KI;
	}
	*text = "1Ti";
	return KI * KI * KI * KI;
}

int fs_provider_rule(const char *provider, const char *tier, uint64_t bytes, const char *size_text,
		     char *note, size_t notesz, char *err, size_t errsz)
{
	if (note && notesz)
		note[0] = '\0';
	if (!strcmp(provider, "aws")) {
		if (note)
			util_seterr(note, notesz,
				    "AWS EFS is elastic: the size %s is recorded on the claim, not a limit; the file system grows and shrinks with its files",
				    size_text);
		return 0;
	}
	if (!strcmp(provider, "gcp")) {
		const char *min_text;
		uint64_t min = filestore_min(tier, &min_text);

		if (bytes < min)
			return util_seterr(err, errsz,
					   "GCP Filestore tier %s takes at least %s; %s is too small: give --size %s or more",
					   tier && *tier ? tier : "standard", min_text, size_text, min_text);
		return 0;
	}
	if (!strcmp(provider, "totvs"))
		return 0;
	return util_seterr(err, errsz, "provider \"%s\" is not one of aws, gcp, totvs", provider);
}

/* ---- reading the cluster ---------------------------------------------------------- */

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

typedef struct fs_build {
	const wizard_ctx *c;
	char tcode[TCODE_SIZE];
	char env[8];
	char ns[TCODE_NS_SIZE];
	char provider[16];
	char cls[64];
	char tier[32];
	int expandable; /* the class's allowVolumeExpansion */
	char size[32];
	char *err;
	size_t errsz;
	wizard_fail *fail;
	k8s_err *kerr;
} fs_build;

/* GET path: 0 (found), 1 (404), -1 (no answer: fail CLUSTER). */
static int get(fs_build *b, const char *path, cJSON **out)
{
	return wizard_get(b->c, path, out, b->fail, b->kerr, b->err, b->errsz);
}

/* A refusal: err gets the sentence; -1. */
#define refuse(b, ...) (*(b)->fail = WIZARD_FAIL_REFUSED, util_seterr((b)->err, (b)->errsz, __VA_ARGS__))

/* The provider: typed, else the namespace's annotation. */
static int read_namespace(fs_build *b, const char *typed)
{
	char path[128], key[96];
	cJSON *ns;
	const char *ann;
	int rc;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s", b->ns);
	rc = get(b, path, &ns);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return refuse(b,
			      "namespace %s does not exist: make it first with `smartops apply namespace --tcode %s`",
			      b->ns, b->tcode);
	tcode_key(b->c->prefix, "provider", key, sizeof(key));
	ann = jstr(jget(jget(ns, "metadata"), "annotations"), key);
	util_strlcpy(b->provider, typed && *typed ? typed : ann ? ann : "", sizeof(b->provider));
	cJSON_Delete(ns);
	if (!b->provider[0])
		return refuse(b, "namespace %s has no %s annotation: give --provider aws, gcp or totvs",
			      b->ns, key);
	if (strcmp(b->provider, "aws") && strcmp(b->provider, "gcp") && strcmp(b->provider, "totvs"))
		return refuse(b, "provider \"%s\" is not one of aws, gcp, totvs", b->provider);
	return 0;
}

/* The class for the provider among the cluster's StorageClasses. */
static int pick_class(fs_build *b, const char *typed)
{
	cJSON *cm, *list;
	const cJSON *it;
	char map[1024] = "", names[256] = "", prov[16];
	int rc, n = 0;

	rc = get(b, "/api/v1/namespaces/" PLATFORM_NS "/configmaps/" PLATFORM_CM, &cm);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		const char *m = jstr(jget(cm, "data"), PROVIDERS_KEY);

		util_strlcpy(map, m ? m : "", sizeof(map));
		cJSON_Delete(cm);
	}
	if (get(b, "/apis/storage.k8s.io/v1/storageclasses", &list) != 0) {
		if (*b->fail != WIZARD_FAIL_CLUSTER)
			return refuse(b, "the cluster does not list StorageClasses");
		return -1;
	}
	cJSON_ArrayForEach(it, jget(list, "items"))
	{
		const char *name = jstr(jget(it, "metadata"), "name");
		const char *tier = jstr(jget(it, "parameters"), "tier");

		fs_provider_of(map, jstr(it, "provisioner") ? jstr(it, "provisioner") : "", prov,
			       sizeof(prov));
		if (!name || strcmp(prov, b->provider))
			continue;
		if (typed && *typed && strcmp(typed, name))
			continue;
		if (++n == 1) {
			util_strlcpy(b->cls, name, sizeof(b->cls));
			util_strlcpy(b->tier, tier ? tier : "", sizeof(b->tier));
			b->expandable = cJSON_IsTrue(jget(it, "allowVolumeExpansion"));
		}
		if (strlen(names) + strlen(name) + 3 < sizeof(names))
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", name);
	}
	cJSON_Delete(list);
	if (n == 0 && typed && *typed)
		return refuse(b, "StorageClass %s does not exist or is not of provider %s", typed,
			      b->provider);
	if (n == 0)
		return refuse(b,
			      "the cluster has no StorageClass for provider %s (%s): ask the platform team for one; nothing was changed",
			      b->provider,
			      !strcmp(b->provider, "aws")   ? "provisioner efs.csi.aws.com"
			      : !strcmp(b->provider, "gcp") ? "provisioner filestore.csi.storage.gke.io"
							    : "provisioner nfs.csi.k8s.io");
	if (n > 1)
		return refuse(b, "provider %s has several StorageClasses (%s): choose one with --class",
			      b->provider, names);
	return 0;
}

/* The claim as it is, if any: its class may not change, its size may only
 * grow, where the class allows expansion. A re-apply without --size keeps its
 * size. */
static int check_claim(fs_build *b, int typed, uint64_t *bytes, int expandable)
{
	char path[160];
	cJSON *live;
	const char *cls, *req;
	uint64_t have;
	char err[160];
	int rc;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/persistentvolumeclaims/%s", b->ns, CLAIM);
	rc = get(b, path, &live);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	cls = jstr(jget(live, "spec"), "storageClassName");
	req = jstr(jget(jget(jget(live, "spec"), "resources"), "requests"), "storage");
	rc = 0;
	if (cls && strcmp(cls, b->cls))
		rc = refuse(b, "claim %s/%s exists with StorageClass %s: a claim's class cannot change (give --class %s, or roll its run back first)",
			    b->ns, CLAIM, cls, cls);
	else if (req && fs_quantity_parse(req, &have, err, sizeof(err)) == 0) {
		if (!typed) {
			util_strlcpy(b->size, req, sizeof(b->size));
			*bytes = have;
		} else if (*bytes < have)
			rc = refuse(b, "claim %s/%s holds %s: a claim cannot shrink to %s (its files may not fit); give --size %s or more",
				    b->ns, CLAIM, req, b->size, req);
		else if (*bytes > have && !expandable)
			rc = refuse(b, "StorageClass %s does not allow volume expansion: claim %s/%s stays at %s",
				    b->cls, b->ns, CLAIM, req);
	}
	cJSON_Delete(live);
	return rc;
}

/* The namespace's ResourceQuotas: would they refuse one more claim of bytes
 * (the claim's growth when it exists)? */
static int check_quota(fs_build *b, uint64_t bytes)
{
	char path[160], ckey[128];
	cJSON *quotas, *claims;
	const cJSON *q, *c;
	uint64_t used = 0, used_cls = 0, mine = 0, v;
	long n = 0, n_cls = 0;
	int exists = 0, rc = 0;
	char err[160];

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/resourcequotas", b->ns);
	if (get(b, path, &quotas) != 0)
		return *b->fail == WIZARD_FAIL_CLUSTER ? -1 : 0;
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/persistentvolumeclaims", b->ns);
	if (get(b, path, &claims) != 0) {
		cJSON_Delete(quotas);
		return *b->fail == WIZARD_FAIL_CLUSTER ? -1 : 0;
	}
	cJSON_ArrayForEach(c, jget(claims, "items"))
	{
		const char *req = jstr(jget(jget(jget(c, "spec"), "resources"), "requests"), "storage");
		const char *cls = jstr(jget(c, "spec"), "storageClassName");
		int same = cls && !strcmp(cls, b->cls);

		v = req && fs_quantity_parse(req, &v, err, sizeof(err)) == 0 ? v : 0;
		if (!strcmp(jstr(jget(c, "metadata"), "name") ? jstr(jget(c, "metadata"), "name") : "", CLAIM)) {
			exists = 1;
			mine = v;
			continue;
		}
		n++;
		used += v;
		n_cls += same;
		used_cls += same ? v : 0;
	}
	snprintf(ckey, sizeof(ckey), "%s.storageclass.storage.k8s.io/", b->cls);
	cJSON_ArrayForEach(q, jget(quotas, "items"))
	{
		const cJSON *h;
		const char *qname = jstr(jget(q, "metadata"), "name");

		cJSON_ArrayForEach(h, jget(jget(q, "spec"), "hard"))
		{
			const char *k = h->string, *val = cJSON_IsString(h) ? h->valuestring : NULL;
			int cls_key = !strncmp(k, ckey, strlen(ckey));
			const char *what = cls_key ? k + strlen(ckey) : k;
			uint64_t lim;

			if (!val || (!cls_key && strchr(k, '/')))
				continue;
			if (!strcmp(what, "persistentvolumeclaims") && !exists &&
			    (cls_key ? n_cls : n) + 1 > atol(val)) {
				rc = refuse(b, "ResourceQuota %s/%s allows %s claims (%s) and the namespace has %ld: the file server's claim would be refused; raise the quota first",
					    b->ns, qname ? qname : "?", val, k, cls_key ? n_cls : n);
				goto out;
			}
			if (!strcmp(what, "requests.storage") &&
			    fs_quantity_parse(val, &lim, err, sizeof(err)) == 0 &&
			    (cls_key ? used_cls : used) + (bytes > mine ? bytes : mine) > lim) {
				rc = refuse(b, "ResourceQuota %s/%s allows %s of storage requests (%s): %s more would pass it; raise the quota or give a smaller --size",
					    b->ns, qname ? qname : "?", val, k, b->size);
				goto out;
			}
		}
	}
out:
	cJSON_Delete(quotas);
	cJSON_Delete(claims);
	return rc;
}

typedef struct appserver {
	cJSON *live; /* the Deployment as read (owned) */
	char root[256];
} appserver;

static int by_name(const void *a, const void *b)
{
	const appserver *x = a, *y = b;

	return strcmp(jstr(jget(x->live, "metadata"), "name"), jstr(jget(y->live, "metadata"), "name"));
}

/* RootPath of the appserver.ini a Deployment mounts (any environment section). */
static int root_path(fs_build *b, appserver *a)
{
	const cJSON *v, *pspec = jget(jget(jget(a->live, "spec"), "template"), "spec");
	const char *dep = jstr(jget(a->live, "metadata"), "name");
	const char *cm_name = NULL;
	char path[256];
	cJSON *cm;
	ini_file f;
	size_t i;
	int rc;

	cJSON_ArrayForEach(v, jget(pspec, "volumes"))
	{
		const char *n = jstr(jget(v, "configMap"), "name");

		if (n) {
			cm_name = n;
			break;
		}
	}
	if (!cm_name)
		return refuse(b, "Deployment %s/%s mounts no appserver.ini ConfigMap: its RootPath is unknown",
			      b->ns, dep);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps/%s", b->ns, cm_name);
	rc = get(b, path, &cm);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return refuse(b, "ConfigMap %s/%s (appserver.ini) does not exist", b->ns, cm_name);
	v = jget(jget(cm, "data"), "appserver.ini");
	if (!cJSON_IsString(v)) {
		cJSON_Delete(cm);
		return refuse(b, "ConfigMap %s/%s holds no appserver.ini", b->ns, cm_name);
	}
	ini_parse(v->valuestring, strlen(v->valuestring), &f);
	for (i = 0; i < f.n; i++)
		if (!strcasecmp(f.v[i].key, "RootPath") && f.v[i].value[0] == '/') {
			util_strlcpy(a->root, f.v[i].value, sizeof(a->root));
			break;
		}
	ini_free(&f);
	cJSON_Delete(cm);
	if (!a->root[0])
		return refuse(b, "the appserver.ini of ConfigMap %s/%s gives no absolute RootPath", b->ns,
			      cm_name);
	return 0;
}

/* The AppServer Deployments of the env, by name. */
static int read_appservers(fs_build *b, appserver *out, size_t *n)
{
	char path[160], key[96];
	cJSON *list, *it;
	int rc;

	*n = 0;
	snprintf(path, sizeof(path), "/apis/apps/v1/namespaces/%s/deployments", b->ns);
	rc = get(b, path, &list);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	tcode_key(b->c->prefix, "component", key, sizeof(key));
	cJSON_ArrayForEach(it, jget(list, "items"))
	{
		const char *comp = jstr(jget(jget(it, "metadata"), "labels"), key);

		if (!comp || strcmp(comp, "appserver"))
			continue;
		if (*n == MAX_APPSERVERS) {
			cJSON_Delete(list);
			return refuse(b, "namespace %s has more than %d AppServer Deployments", b->ns,
				      MAX_APPSERVERS);
		}
		memset(&out[*n], 0, sizeof(out[*n]));
		out[(*n)++].live = cJSON_Duplicate(it, 1);
	}
	cJSON_Delete(list);
	qsort(out, *n, sizeof(*out), by_name);
	return 0;
}

/* ---- the plan --------------------------------------------------------------------- */

static void putp(const fs_build *b, cJSON *labels, const char *name, const char *value)
{
	char key[96];

	tcode_key(b->c->prefix, name, key, sizeof(key));
	cJSON_AddStringToObject(labels, key, value);
}

static cJSON *claim_body(const fs_build *b)
{
	cJSON *o = cJSON_CreateObject(), *meta, *labels, *spec;

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "PersistentVolumeClaim");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", CLAIM);
	cJSON_AddStringToObject(meta, "namespace", b->ns);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	putp(b, labels, "tcode", b->tcode);
	putp(b, labels, "env", b->env);
	putp(b, labels, "product", "erp");
	putp(b, labels, "component", "fileserver");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "accessModes"),
			     cJSON_CreateString("ReadWriteMany"));
	cJSON_AddStringToObject(spec, "storageClassName", b->cls);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "resources"),
							"requests"),
				"storage", b->size);
	return o;
}

/* Just the volume and the mount, for a server-side apply: the lists as they
 * are with the claim's entry put in (a list whose length differs from the live
 * one would never compare as applied), the other containers by name only. */
static cJSON *mount_body(const fs_build *b, const appserver *a)
{
	const cJSON *lspec = jget(jget(jget(a->live, "spec"), "template"), "spec"), *v, *ct;
	cJSON *o = cJSON_CreateObject(), *meta, *pspec, *vols, *cts, *vol, *m;
	int first = 1;

	cJSON_AddStringToObject(o, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(o, "kind", "Deployment");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", jstr(jget(a->live, "metadata"), "name"));
	cJSON_AddStringToObject(meta, "namespace", b->ns);
	pspec = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "template"), "spec");
	cts = cJSON_AddArrayToObject(pspec, "containers");
	cJSON_ArrayForEach(ct, jget(lspec, "containers"))
	{
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "name", jstr(ct, "name") ? jstr(ct, "name") : "");
		if (first) { /* the AppServer: its first container */
			cJSON *mounts = cJSON_AddArrayToObject(c, "volumeMounts");

			cJSON_ArrayForEach(v, jget(ct, "volumeMounts"))
			{
				const char *n = jstr(v, "name"), *p = jstr(v, "mountPath");

				if ((n && !strcmp(n, CLAIM)) || (p && !strcmp(p, a->root)))
					continue;
				cJSON_AddItemToArray(mounts, cJSON_Duplicate(v, 1));
			}
			m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "name", CLAIM);
			cJSON_AddStringToObject(m, "mountPath", a->root);
			cJSON_AddItemToArray(mounts, m);
			first = 0;
		}
		cJSON_AddItemToArray(cts, c);
	}
	vols = cJSON_AddArrayToObject(pspec, "volumes");
	cJSON_ArrayForEach(v, jget(lspec, "volumes"))
	{
		const char *n = jstr(v, "name");

		if (!n || strcmp(n, CLAIM))
			cJSON_AddItemToArray(vols, cJSON_Duplicate(v, 1));
	}
	vol = cJSON_CreateObject();
	cJSON_AddStringToObject(vol, "name", CLAIM);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(vol, "persistentVolumeClaim"), "claimName",
				CLAIM);
	cJSON_AddItemToArray(vols, vol);
	return o;
}

static int fs_plan(fs_build *b, appserver *as, size_t n_as, plan *out)
{
	char id[PLAN_ID_SIZE];
	const char *needs[2] = {id, NULL};
	size_t i;
	int k;

	plan_init(out, "fileserver", b->tcode);
	k = plan_add(out, b->env, "fileserver", "persistentvolumeclaims", PLAN_WAIT_BOUND,
		     claim_body(b), NULL, b->err, b->errsz);
	if (k < 0)
		return -1;
	plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_KEEP_UNLESS_CONFIRMED);
	util_strlcpy(id, out->steps[k].id, sizeof(id));
	for (i = 0; i < n_as; i++) {
		k = plan_add(out, b->env, "appserver", "deployments", PLAN_WAIT_READY,
			     mount_body(b, &as[i]), needs, b->err, b->errsz);
		if (k < 0)
			return -1;
		out->steps[k].exec = &step_mount; /* just the volume and the mount */
		plan_step_set_rollback(out, (size_t)k, STEP_ROLLBACK_RESTORE);
	}
	if (b->c->prefix && *b->c->prefix)
		plan_set_input(out, "prefix", b->c->prefix);
	plan_set_input(out, "tcode", b->tcode);
	plan_set_input(out, "env", b->env);
	plan_set_input(out, "provider", b->provider);
	plan_set_input(out, "class", b->cls);
	plan_set_input(out, "size", b->size);
	return 0;
}


static int build(const wizard_ctx *c, const plan_input *in, size_t n, plan *out, char *err,
		 size_t errsz, wizard_fail *fail, k8s_err *kerr, char *note, size_t notesz)
{
	fs_build b = {.c = c, .err = err, .errsz = errsz, .fail = fail, .kerr = kerr};
	const char *v, *size_in;
	appserver as[MAX_APPSERVERS];
	size_t n_as = 0, i;
	catalog_entry e;
	tcode_env env;
	uint64_t bytes;
	int typed, ret = -1;
	char rule_note[256] = "";

	memset(out, 0, sizeof(*out));
	if (note && notesz)
		note[0] = '\0';
	k8s_err_clear(kerr);
	*fail = WIZARD_FAIL_REFUSED;
	v = plan_inputs_find(in, n, "tcode");
	if (!v || tcode_parse(v, b.tcode, err, errsz) < 0)
		return v ? -1 : util_seterr(err, errsz, "--tcode T12345 is required");
	v = plan_inputs_find(in, n, "env");
	if (tcode_env_parse(v && *v ? v : "prod", &env) < 0)
		return util_seterr(err, errsz, "env \"%s\" is not prod or dev", v);
	util_strlcpy(b.env, tcode_env_name(env), sizeof(b.env));
	tcode_namespace(b.tcode, env, b.ns, sizeof(b.ns));
	/* the size, checked before anything is read */
	size_in = plan_inputs_find(in, n, "size");
	typed = size_in && *size_in; /* given: never changed behind the operator's back */
	if (!size_in || !*size_in || !strcmp(size_in, "m"))
		util_strlcpy(b.size, FS_SIZE_M, sizeof(b.size));
	else if (!strcmp(size_in, "s"))
		util_strlcpy(b.size, FS_SIZE_S, sizeof(b.size));
	else if (!strcmp(size_in, "l"))
		util_strlcpy(b.size, FS_SIZE_L, sizeof(b.size));
	else if (strlen(size_in) >= sizeof(b.size))
		return util_seterr(err, errsz, "size \"%.40s...\" is too long: give e.g. 500Gi", size_in);
	else
		util_strlcpy(b.size, size_in, sizeof(b.size));
	if (fs_quantity_parse(b.size, &bytes, err, errsz) < 0)
		return -1;

	if (wizard_ns_contract(c, b.tcode, &e, err, errsz, fail, kerr) < 0)
		return -1;
	*fail = WIZARD_FAIL_REFUSED;
	if (provision_ns_is_esocial(&e))
		return util_seterr(err, errsz,
				   "%s is a Smart eSocial tenant: eSocial has no file server (only SMART ERP tenants get one); nothing was changed",
				   b.tcode);
	if (read_namespace(&b, plan_inputs_find(in, n, "provider")) < 0 ||
	    pick_class(&b, plan_inputs_find(in, n, "class")) < 0)
		return -1;
	if (check_claim(&b, typed, &bytes, b.expandable) < 0)
		return -1;
	/* the provider's rule; a size left to the default grows to Filestore's minimum */
	if (!typed && !strcmp(b.provider, "gcp")) {
		const char *min_text;
		uint64_t min = filestore_min(b.tier, &min_text);

		if (bytes < min) {
			util_strlcpy(b.size, min_text, sizeof(b.size));
			bytes = min;
			util_seterr(rule_note, sizeof(rule_note),
				    "size %s: the least GCP Filestore tier %s takes", min_text,
				    b.tier[0] ? b.tier : "standard");
		}
	}
	if (fs_provider_rule(b.provider, b.tier, bytes, b.size, rule_note[0] ? NULL : rule_note,
			     sizeof(rule_note), err, errsz) < 0)
		return -1;
	if (check_quota(&b, bytes) < 0)
		return -1;
	if (read_appservers(&b, as, &n_as) < 0)
		goto out;
	for (i = 0; i < n_as; i++)
		if (root_path(&b, &as[i]) < 0)
			goto out;
	if (fs_plan(&b, as, n_as, out) < 0) {
		plan_release(out);
		goto out;
	}
	if (note && notesz)
		snprintf(note, notesz, "%s: StorageClass %s%s%s%s", b.provider, b.cls,
			 rule_note[0] ? "; " : "", rule_note,
			 n_as ? "" : "; no AppServer Deployment mounts it yet (none in the namespace)");
	*fail = WIZARD_FAIL_NONE;
	ret = 0;
out:
	for (i = 0; i < n_as; i++)
		cJSON_Delete(as[i].live);
	return ret;
}

const wizard wizard_fileserver = {
    .name = "fileserver",
    .title = "File server",
    .about = "a ReadWriteMany claim from the tenant's provider, mounted at the AppServers' RootPath",
    .products = WIZARD_ERP,
    .inputs = inputs,
    .n_inputs = ARRAY_SIZE(inputs),
    .build = build,
};
