/* The namespace provisioner (see core/provision_ns.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/appserver_ini.h"
#include "core/provision_ns.h"
#include "core/tcode.h"
#include "util/util.h"

#define REGISTRY "registry.smart.example.com/"
#define USERS_PER_REPLICA 50

/* ---- options and contract ------------------------------------------------- */

static int valid_domain(const char *d)
{
	size_t label = 0, n = 0;
	int dots = 0;
	char prev = '.';

	for (; *d; d++, n++) {
		char c = *d;

		if (c == '.') {
			if (prev == '.' || prev == '-' || label == 0)
				return 0;
			dots++;
			label = 0;
		} else if (islower((unsigned char)c) || isdigit((unsigned char)c) ||
			   (c == '-' && prev != '.')) {
			if (++label > 63)
				return 0;
		} else {
			return 0;
		}
		prev = c;
	}
	return n > 0 && n <= 200 && dots >= 1 && prev != '.' && prev != '-';
}

static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, word, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

int provision_ns_validate(provision_ns_opts *o, int esocial, char *err, size_t errsz)
{
	char tc[TCODE_SIZE];
	const char *p;

	if (tcode_parse(o->tcode, tc, err, errsz) < 0)
		return -1;
	util_strlcpy(o->tcode, tc, sizeof(o->tcode));
	if (!o->domain[0])
		util_strlcpy(o->domain, PROVISION_NS_DOMAIN_DEFAULT, sizeof(o->domain));
	if (!valid_domain(o->domain))
		return util_seterr(err, errsz,
				   "domain \"%s\" is not a DNS name in lower case with at least one dot, e.g. smart.example.com",
				   o->domain);
	if (!o->size[0])
		util_strlcpy(o->size, "m", sizeof(o->size));
	if (strcmp(o->size, "s") && strcmp(o->size, "m") && strcmp(o->size, "l"))
		return util_seterr(err, errsz, "size \"%s\" is not one of s, m, l", o->size);
	if (!o->idle_timeout_s)
		o->idle_timeout_s = PROVISION_NS_IDLE_DEFAULT;
	if (o->idle_timeout_s < 300 || o->idle_timeout_s > 86400)
		return util_seterr(err, errsz,
				   "idle timeout %d s is out of range: give 300 to 86400 seconds",
				   o->idle_timeout_s);
	if (!o->roles[0])
		util_strlcpy(o->roles, esocial ? "esocial" : "webapp,rest", sizeof(o->roles));
	for (p = o->roles; *p;) {
		size_t len = strcspn(p, ",");
		char role[32];

		snprintf(role, sizeof(role), "%.*s", (int)len, p);
		if (!appserver_role_known(role))
			return util_seterr(err, errsz,
					   "role \"%s\" is unknown: use webapp, rest, portal, job (ERP) or esocial",
					   role);
		if (esocial != !strcmp(role, "esocial"))
			return util_seterr(err, errsz, "role %s does not fit an %s contract (%s)",
					   role, esocial ? "eSocial" : "ERP",
					   esocial ? "eSocial tenants have the role esocial only"
						   : "esocial is for eSocial tenants");
		p += len + (p[len] == ',');
		if (len == 0)
			return util_seterr(err, errsz, "roles \"%s\" has an empty entry", o->roles);
	}
	return 0;
}

int provision_ns_is_esocial(const catalog_entry *e)
{
	return in_list(e->contract.products, "esocial") && !in_list(e->contract.products, "erp");
}

int provision_ns_check_contract(const catalog_entry *e, int64_t now_s, char *err, size_t errsz)
{
	char day[32];

	if (e->contract.model != MODEL_CONTRACT_SMART)
		return util_seterr(err, errsz,
				   "contract %s is not in the SMART model: it runs on VMs and is not provisioned here",
				   e->tcode);
	if (e->contract.valid_until) {
		util_rfc3339(e->contract.valid_until, day, sizeof(day));
		day[10] = '\0';
	} else {
		util_strlcpy(day, "?", sizeof(day));
	}
	if (!strcmp(e->contract.status, "expired") ||
	    (e->contract.valid_until && e->contract.valid_until < now_s))
		return util_seterr(err, errsz,
				   "contract %s expired on %s: renew it in the catalogue before provisioning",
				   e->tcode, day);
	if (strcmp(e->contract.status, "active"))
		return util_seterr(err, errsz, "contract %s is %s, not active: nothing is provisioned",
				   e->tcode, e->contract.status[0] ? e->contract.status : "of no status");
	if (!in_list(e->contract.products, "erp") && !in_list(e->contract.products, "esocial"))
		return util_seterr(err, errsz, "contract %s has no SMART product (erp or esocial)",
				   e->tcode);
	if (e->lic_prod <= 0 || e->lic_dev <= 0)
		return util_seterr(err, errsz,
				   "contract %s has no licences for %s: distribute licences to both environments first",
				   e->tcode, e->lic_prod <= 0 ? "prod" : "dev");
	return 0;
}

int provision_ns_opts_from_inputs(const plan_input *in, size_t n, provision_ns_opts *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < n; i++) {
		const char *k = in[i].key, *v = in[i].value;

		if (!strcmp(k, "tcode"))
			util_strlcpy(o->tcode, v, sizeof(o->tcode));
		else if (!strcmp(k, "domain"))
			util_strlcpy(o->domain, v, sizeof(o->domain));
		else if (!strcmp(k, "size"))
			util_strlcpy(o->size, v, sizeof(o->size));
		else if (!strcmp(k, "idleTimeoutSeconds"))
			o->idle_timeout_s = atoi(v);
		else if (!strcmp(k, "roles"))
			util_strlcpy(o->roles, v, sizeof(o->roles));
		else if (!strcmp(k, "prefix"))
			util_strlcpy(o->prefix, v, sizeof(o->prefix));
	}
	return o->tcode[0] ? 0 : -1;
}

/* ---- object builders ------------------------------------------------------- */

typedef struct builder {
	const provision_ns_opts *o;
	const catalog_entry *e;
	const char *env;   /* "prod" | "dev" */
	char ns[TCODE_NS_SIZE];
	char lower[8];
	int esocial;
	plan *p;
	char *err;
	size_t errsz;
	int failed;
} builder;

static void putp(const builder *b, cJSON *map, const char *key, const char *value)
{
	char k[128];

	tcode_key(b->o->prefix, key, k, sizeof(k));
	cJSON_AddStringToObject(map, k, value);
}

static void tenant_labels(const builder *b, cJSON *labels)
{
	cJSON_AddStringToObject(labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	putp(b, labels, "tcode", b->o->tcode);
	putp(b, labels, "env", b->env);
	putp(b, labels, "product", b->esocial ? "esocial" : "erp");
}

/* {apiVersion, kind, metadata{name, namespace, labels}}; *labels for more. */
static cJSON *object(const builder *b, const char *av, const char *kind, const char *name,
		     int namespaced, cJSON **labels)
{
	cJSON *o = cJSON_CreateObject(), *meta;

	cJSON_AddStringToObject(o, "apiVersion", av);
	cJSON_AddStringToObject(o, "kind", kind);
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", name);
	if (namespaced)
		cJSON_AddStringToObject(meta, "namespace", b->ns);
	*labels = cJSON_AddObjectToObject(meta, "labels");
	if (!namespaced)
		cJSON_AddStringToObject(*labels, "kubernetes.io/metadata.name", name);
	tenant_labels(b, *labels);
	return o;
}

/* Adds a step; returns its index or -1 (b->failed set, err filled). */
static int step(builder *b, const char *component, const char *plural, plan_wait wait, cJSON *body,
		const char *const *needs)
{
	int i;

	if (b->failed) {
		cJSON_Delete(body);
		return -1;
	}
	i = plan_add(b->p, b->env, component, plural, wait, body, needs, b->err, b->errsz);
	if (i < 0)
		b->failed = 1;
	return i;
}

/* "prod/namespaces/t12345-prod" etc. into buf. */
static const char *sid(const builder *b, const char *plural, const char *name, char *buf,
		       size_t size)
{
	snprintf(buf, size, "%s/%s/%s", b->env, plural, name);
	return buf;
}

static int replicas_for(const builder *b, const char *role)
{
	int max = !strcmp(b->o->size, "s") ? 1 : !strcmp(b->o->size, "l") ? 6 : 3;
	int r;

	if (strcmp(b->env, "prod") || !strcmp(role, "job"))
		return 1;
	r = (b->e->lic_prod + USERS_PER_REPLICA - 1) / USERS_PER_REPLICA;
	return r < 1 ? 1 : r > max ? max : r;
}

static void db_host(const builder *b, char *buf, size_t size)
{
	if (b->esocial)
		snprintf(buf, size, "ora-%s.db.totvs.internal", b->lower);
	else if (!strcmp(b->env, "dev"))
		snprintf(buf, size, "postgres");
	else
		snprintf(buf, size, "pg-%s-prod.%s.db.internal", b->lower,
			 b->e->provider[0] ? b->e->provider : "totvs");
}

static cJSON *port(const char *name, int p, int service)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddNumberToObject(o, service ? "port" : "containerPort", p);
	if (service)
		cJSON_AddNumberToObject(o, "targetPort", p);
	cJSON_AddStringToObject(o, "protocol", "TCP");
	return o;
}

typedef struct port_def {
	const char *name;
	int port;
} port_def;

typedef struct wl {
	const char *name, *tier, *component, *role, *image, *config, *mount;
	const port_def *ports;
	int replicas;
	const char *cpu, *mem;
	int nofile;
} wl;

static void ports_into(cJSON *arr, const port_def *ports, int service)
{
	for (; ports->name; ports++)
		cJSON_AddItemToArray(arr, port(ports->name, ports->port, service));
}

static void wl_labels(const builder *b, cJSON *labels, const wl *w)
{
	cJSON_AddStringToObject(labels, "app.kubernetes.io/name", w->name);
	cJSON_AddStringToObject(labels, "app.kubernetes.io/part-of", "protheus");
	putp(b, labels, "tier", w->tier);
	putp(b, labels, "component", w->component);
	if (w->role)
		putp(b, labels, "service", w->role);
}

static cJSON *env_var(const char *name, const char *value)
{
	cJSON *v = cJSON_CreateObject();

	cJSON_AddStringToObject(v, "name", name);
	cJSON_AddStringToObject(v, "value", value);
	return v;
}

static cJSON *deployment(const builder *b, const wl *w, cJSON **annotations)
{
	cJSON *labels, *o = object(b, "apps/v1", "Deployment", w->name, 1, &labels);
	cJSON *spec, *tmpl, *tmeta, *tlabels, *pspec, *c, *env, *probe, *res;

	wl_labels(b, labels, w);
	*annotations = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(o, "metadata"),
					       "annotations");
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddNumberToObject(spec, "replicas", w->replicas);
	cJSON_AddStringToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(spec, "selector"), "matchLabels"),
	    "app.kubernetes.io/name", w->name);
	tmpl = cJSON_AddObjectToObject(spec, "template");
	tmeta = cJSON_AddObjectToObject(tmpl, "metadata");
	tlabels = cJSON_AddObjectToObject(tmeta, "labels");
	tenant_labels(b, tlabels);
	wl_labels(b, tlabels, w);
	pspec = cJSON_AddObjectToObject(tmpl, "spec");
	c = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(pspec, "containers"), c);
	cJSON_AddStringToObject(c, "name", w->component);
	cJSON_AddStringToObject(c, "image", w->image);
	ports_into(cJSON_AddArrayToObject(c, "ports"), w->ports, 0);
	env = cJSON_AddArrayToObject(c, "env");
	cJSON_AddItemToArray(env, env_var("TCODE", b->o->tcode));
	cJSON_AddItemToArray(env, env_var("SMART_ENV", b->env));
	if (w->nofile)
		cJSON_AddItemToArray(env, env_var("ULIMIT_NOFILE", "65536"));
	probe = cJSON_AddObjectToObject(c, "readinessProbe");
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(probe, "tcpSocket"), "port",
				w->ports[0].port);
	cJSON_AddNumberToObject(probe, "periodSeconds", 10);
	res = cJSON_AddObjectToObject(c, "resources");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "requests"), "cpu", w->cpu);
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(res, "requests"), "memory", w->mem);
	if (w->config) {
		cJSON *m = cJSON_CreateObject(), *v = cJSON_CreateObject();

		cJSON_AddStringToObject(m, "name", "config");
		cJSON_AddStringToObject(m, "mountPath", w->mount);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "volumeMounts"), m);
		cJSON_AddStringToObject(v, "name", "config");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(v, "configMap"), "name", w->config);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(pspec, "volumes"), v);
	}
	return o;
}

static cJSON *service(const builder *b, const char *name, const char *component,
		      const char *role, const port_def *ports)
{
	cJSON *labels, *o = object(b, "v1", "Service", name, 1, &labels), *spec;

	cJSON_AddStringToObject(labels, "app.kubernetes.io/name", name);
	putp(b, labels, "component", component);
	if (role)
		putp(b, labels, "service", role);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "type", "ClusterIP");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(spec, "selector"),
				"app.kubernetes.io/name", name);
	ports_into(cJSON_AddArrayToObject(spec, "ports"), ports, 1);
	return o;
}

static cJSON *configmap(const builder *b, const char *name, const char *component,
			const char *key, const char *text)
{
	cJSON *labels, *o = object(b, "v1", "ConfigMap", name, 1, &labels);

	putp(b, labels, "component", component);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), key, text);
	return o;
}

/* Millicores and MiB of one container's requests. */
static void add_req(long *cpu_m, long *mem_mi, const char *cpu, const char *mem, int replicas)
{
	long c = strtol(cpu, NULL, 10), m = strtol(mem, NULL, 10);

	if (!strchr(cpu, 'm'))
		c *= 1000;
	if (strstr(mem, "Gi"))
		m *= 1024;
	*cpu_m += c * replicas;
	*mem_mi += m * replicas;
}

/* ---- the environment -------------------------------------------------------- */

static const port_def lic_ports[] = {{"license", 5555}, {"monitor", 8020}, {NULL, 0}};
static const port_def lock_ports[] = {{"lockserver", 1236}, {NULL, 0}};
static const port_def db_ports[] = {{"dbaccess", 7890}, {"audit", 7891}, {NULL, 0}};
static const port_def hyp_ports[] = {{"proxy", 8080}, {"metrics", 9090}, {NULL, 0}};
static const port_def webapp_ports[] = {{"webapp", 8080}, {"tcp", 1234}, {NULL, 0}};
static const port_def rest_ports[] = {{"rest", 8400}, {"tcp", 1234}, {NULL, 0}};
static const port_def portal_ports[] = {{"http", 8081}, {"webapp", 8080}, {NULL, 0}};
static const port_def job_ports[] = {{"tcp", 1234}, {NULL, 0}};

static const port_def *role_ports(const char *role)
{
	if (!strcmp(role, "webapp"))
		return webapp_ports;
	if (!strcmp(role, "portal"))
		return portal_ports;
	if (!strcmp(role, "job"))
		return job_ports;
	return rest_ports;
}

static void env_namespace(builder *b)
{
	cJSON *labels, *o = object(b, "v1", "Namespace", b->ns, 0, &labels), *ann;

	ann = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(o, "metadata"),
				      "annotations");
	putp(b, ann, "customer-name", b->e->customer);
	putp(b, ann, "provider", b->e->provider);
	putp(b, ann, "db",
	     b->esocial ? "oracle"
	     : strcmp(b->env, "prod") ? "postgres-container" : "postgres-managed");
	if (b->e->timezone[0])
		putp(b, ann, "timezone", b->e->timezone);
	step(b, NULL, "namespaces", PLAN_WAIT_EXISTS, o, NULL);
}

static void env_policy(builder *b, long cpu_m, long mem_mi, int pods)
{
	char nsid[PLAN_ID_SIZE], said[PLAN_ID_SIZE], buf[32];
	const char *need_ns[] = {sid(b, "namespaces", b->ns, nsid, sizeof(nsid)), NULL};
	cJSON *labels, *o, *spec, *hard, *lim, *rule, *from, *peer, *subj;

	o = object(b, "v1", "ResourceQuota", "tenant-quota", 1, &labels);
	hard = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "hard");
	snprintf(buf, sizeof(buf), "%ldm", cpu_m * 2);
	cJSON_AddStringToObject(hard, "requests.cpu", buf);
	snprintf(buf, sizeof(buf), "%ldMi", mem_mi * 2);
	cJSON_AddStringToObject(hard, "requests.memory", buf);
	snprintf(buf, sizeof(buf), "%ldm", cpu_m * 4);
	cJSON_AddStringToObject(hard, "limits.cpu", buf);
	snprintf(buf, sizeof(buf), "%ldMi", mem_mi * 4);
	cJSON_AddStringToObject(hard, "limits.memory", buf);
	snprintf(buf, sizeof(buf), "%d", pods * 2 + 2);
	cJSON_AddStringToObject(hard, "pods", buf);
	cJSON_AddStringToObject(hard, "persistentvolumeclaims", "4");
	step(b, NULL, "resourcequotas", PLAN_WAIT_EXISTS, o, need_ns);

	o = object(b, "v1", "LimitRange", "tenant-limits", 1, &labels);
	lim = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(o, "spec"), "limits"),
			     lim);
	cJSON_AddStringToObject(lim, "type", "Container");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(lim, "defaultRequest"), "cpu", "250m");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(lim, "defaultRequest"), "memory",
				"512Mi");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(lim, "default"), "cpu", "1");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(lim, "default"), "memory", "2Gi");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(lim, "max"), "cpu", "4");
	cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(lim, "max"), "memory", "8Gi");
	step(b, NULL, "limitranges", PLAN_WAIT_EXISTS, o, need_ns);

	/* deny every ingress by default ... */
	o = object(b, "networking.k8s.io/v1", "NetworkPolicy", "default-deny", 1, &labels);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddObjectToObject(spec, "podSelector");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "policyTypes"),
			     cJSON_CreateString("Ingress"));
	step(b, NULL, "networkpolicies", PLAN_WAIT_EXISTS, o, need_ns);

	/* ... but from the ingress controller and from the namespace itself */
	o = object(b, "networking.k8s.io/v1", "NetworkPolicy", "allow-ingress-and-namespace", 1,
		   &labels);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddObjectToObject(spec, "podSelector");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "policyTypes"),
			     cJSON_CreateString("Ingress"));
	rule = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "ingress"), rule);
	from = cJSON_AddArrayToObject(rule, "from");
	peer = cJSON_CreateObject();
	cJSON_AddStringToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(peer,
										"namespaceSelector"),
							"matchLabels"),
				"kubernetes.io/metadata.name", PROVISION_NS_INGRESS_NS);
	cJSON_AddItemToArray(from, peer);
	peer = cJSON_CreateObject();
	cJSON_AddObjectToObject(peer, "podSelector");
	cJSON_AddItemToArray(from, peer);
	step(b, NULL, "networkpolicies", PLAN_WAIT_EXISTS, o, need_ns);

	o = object(b, "v1", "ServiceAccount", "tenant-operator", 1, &labels);
	step(b, NULL, "serviceaccounts", PLAN_WAIT_EXISTS, o, need_ns);

	{
		const char *need_sa[] = {sid(b, "serviceaccounts", "tenant-operator", said,
					     sizeof(said)),
					 NULL};
		char group[64];

		o = object(b, "rbac.authorization.k8s.io/v1", "RoleBinding", "tenant-operators", 1,
			   &labels);
		spec = cJSON_AddObjectToObject(o, "roleRef");
		cJSON_AddStringToObject(spec, "apiGroup", "rbac.authorization.k8s.io");
		cJSON_AddStringToObject(spec, "kind", "ClusterRole");
		cJSON_AddStringToObject(spec, "name", "edit");
		from = cJSON_AddArrayToObject(o, "subjects");
		subj = cJSON_CreateObject();
		cJSON_AddStringToObject(subj, "kind", "Group");
		cJSON_AddStringToObject(subj, "apiGroup", "rbac.authorization.k8s.io");
		snprintf(group, sizeof(group), "smart:%s:operators", b->lower);
		cJSON_AddStringToObject(subj, "name", group);
		cJSON_AddItemToArray(from, subj);
		subj = cJSON_CreateObject();
		cJSON_AddStringToObject(subj, "kind", "ServiceAccount");
		cJSON_AddStringToObject(subj, "name", "tenant-operator");
		cJSON_AddStringToObject(subj, "namespace", b->ns);
		cJSON_AddItemToArray(from, subj);
		step(b, NULL, "rolebindings", PLAN_WAIT_EXISTS, o, need_sa);
	}
}

/* A workload with its ConfigMap (text may be NULL) and Service. Returns the
 * Deployment's step index. */
static int env_workload(builder *b, const wl *w, const char *cm_key, const char *text,
			const char *replicas_ann)
{
	char nsid[PLAN_ID_SIZE], cmid[PLAN_ID_SIZE];
	const char *need_ns[] = {sid(b, "namespaces", b->ns, nsid, sizeof(nsid)), NULL};
	const char *need_cm[] = {nsid, cmid, NULL};
	cJSON *ann, *o;
	int i;

	if (text) {
		sid(b, "configmaps", w->config, cmid, sizeof(cmid));
		step(b, w->component, "configmaps", PLAN_WAIT_EXISTS,
		     configmap(b, w->config, w->component, cm_key, text), need_ns);
	}
	step(b, w->component, "services", PLAN_WAIT_EXISTS,
	     service(b, w->name, w->component, w->role, w->ports), need_ns);
	o = deployment(b, w, &ann);
	if (replicas_ann)
		putp(b, ann, "hypnus-replicas", replicas_ann);
	i = step(b, w->component, "deployments", PLAN_WAIT_READY, o, text ? need_cm : need_ns);
	return i;
}

static void env_ingress(builder *b, const char *role, const char *svc, int p)
{
	char nsid[PLAN_ID_SIZE], svid[PLAN_ID_SIZE], host[256], secret[64];
	const char *needs[] = {sid(b, "namespaces", b->ns, nsid, sizeof(nsid)),
			       sid(b, "services", svc, svid, sizeof(svid)), NULL};
	cJSON *labels, *o = object(b, "networking.k8s.io/v1", "Ingress", role, 1, &labels);
	cJSON *spec, *rule, *path, *backend, *tls;

	putp(b, labels, "component", "appserver");
	putp(b, labels, "service", role);
	snprintf(host, sizeof(host), "%s-%s%s.%s", role, b->lower,
		 strcmp(b->env, "dev") ? "" : "-dev", b->o->domain);
	spec = cJSON_AddObjectToObject(o, "spec");
	cJSON_AddStringToObject(spec, "ingressClassName", "nginx");
	rule = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "rules"), rule);
	cJSON_AddStringToObject(rule, "host", host);
	path = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(rule, "http"), "paths"),
			     path);
	cJSON_AddStringToObject(path, "path", "/");
	cJSON_AddStringToObject(path, "pathType", "Prefix");
	backend = cJSON_AddObjectToObject(cJSON_AddObjectToObject(path, "backend"), "service");
	cJSON_AddStringToObject(backend, "name", svc);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(backend, "port"), "number", p);
	tls = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(spec, "tls"), tls);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(tls, "hosts"), cJSON_CreateString(host));
	snprintf(secret, sizeof(secret), "%s-tls", role);
	cJSON_AddStringToObject(tls, "secretName", secret);
	step(b, "appserver", "ingresses", PLAN_WAIT_EXISTS, o, needs);
}

/* Every Deployment of component `comp` needs every Deployment of the
 * components the rules put before it (same environment). */
static void link_rules(builder *b, const rules *r, size_t first)
{
	size_t i, j, k;

	for (i = first; i < b->p->n; i++) {
		plan_step *s = &b->p->steps[i];
		int ci = s->component[0] ? rules_find(r, s->component) : -1;

		if (ci < 0 || strcmp(s->plural, "deployments"))
			continue;
		for (k = 0; k < r->comp[ci].n_needs; k++) {
			const char *need = r->comp[r->comp[ci].needs[k]].name;

			for (j = first; j < i; j++)
				if (!strcmp(b->p->steps[j].plural, "deployments") &&
				    !strcmp(b->p->steps[j].component, need) &&
				    plan_add_need(b->p, i, j) < 0 && !b->failed) {
					b->failed = 1;
					util_seterr(b->err, b->errsz, "step %s has too many needs",
						    s->id);
				}
		}
	}
}

static void build_env(builder *b, const rules *r)
{
	char lic_cm[64], host[160], rep[16];
	strbuf sb;
	ini_target t = {.tcode = b->o->tcode, .env = b->env, .esocial = b->esocial,
			.db_host = host,
			.licences = strcmp(b->env, "prod") ? b->e->lic_dev : b->e->lic_prod};
	wl w;
	long cpu_m = 0, mem_mi = 0;
	int pods = 0;
	size_t first = b->p->n;
	const char *p;

	db_host(b, host, sizeof(host));
	sb_init(&sb, 2048);
	/* the quota is sized from what the plan asks for */
	add_req(&cpu_m, &mem_mi, "250m", "512Mi", 3);
	add_req(&cpu_m, &mem_mi, "100m", "128Mi", 1);
	pods = 4;
	for (p = b->o->roles; *p;) {
		size_t len = strcspn(p, ",");
		char role[32];

		snprintf(role, sizeof(role), "%.*s", (int)len, p);
		add_req(&cpu_m, &mem_mi, "1", "2Gi", replicas_for(b, role));
		pods += replicas_for(b, role);
		p += len + (p[len] == ',');
	}
	env_namespace(b);
	env_policy(b, cpu_m, mem_mi, pods);

	snprintf(lic_cm, sizeof(lic_cm), "license-config");
	license_ini_render(&sb, &t);
	w = (wl){.name = "license", .tier = "base", .component = "license",
		 .image = REGISTRY "totvs/licenseserver:3.6.1", .config = lic_cm,
		 .mount = "/totvs/licenseserver/config", .ports = lic_ports, .replicas = 1,
		 .cpu = "250m", .mem = "512Mi"};
	env_workload(b, &w, "licenseserver.ini", sb.buf, NULL);

	w = (wl){.name = "lockserver", .tier = "base", .component = "lockserver",
		 .image = REGISTRY "totvs/appserver:20.3.2.6", .ports = lock_ports, .replicas = 1,
		 .cpu = "250m", .mem = "512Mi"};
	env_workload(b, &w, NULL, NULL, NULL);

	sb_reset(&sb);
	dbaccess_ini_render(&sb, &t);
	w = (wl){.name = "dbaccess", .tier = "base", .component = "dbaccess",
		 .image = REGISTRY "totvs/dbaccess:23.1.1.4", .config = "dbaccess-ini",
		 .mount = "/totvs/dbaccess/multi", .ports = db_ports, .replicas = 1, .cpu = "250m",
		 .mem = "512Mi"};
	env_workload(b, &w, "dbaccess.ini", sb.buf, NULL);

	for (p = b->o->roles; *p;) {
		size_t len = strcspn(p, ",");
		char role[32], name[64], cm[64];

		snprintf(role, sizeof(role), "%.*s", (int)len, p);
		snprintf(name, sizeof(name), "appserver-%s", role);
		snprintf(cm, sizeof(cm), "appserver-%s-ini", role);
		snprintf(rep, sizeof(rep), "%d", replicas_for(b, role));
		sb_reset(&sb);
		appserver_ini_render(&sb, &t, role);
		w = (wl){.name = name, .tier = "public", .component = "appserver", .role = role,
			 .image = REGISTRY "totvs/appserver:20.3.2.6", .config = cm,
			 .mount = "/totvs/protheus/bin/appserver/config", .ports = role_ports(role),
			 .replicas = replicas_for(b, role), .cpu = "1", .mem = "2Gi", .nofile = 1};
		env_workload(b, &w, "appserver.ini", sb.buf, rep);
		if (appserver_role_port(role))
			env_ingress(b, role, name, appserver_role_port(role));
		p += len + (p[len] == ',');
	}

	sb_reset(&sb);
	sb_addf(&sb, "idleTimeoutSeconds: %d\nwarmup: usage-history\nusageConfigMap: hypnus-usage\n"
		     "targets:\n",
		b->o->idle_timeout_s);
	for (p = b->o->roles; *p;) {
		size_t len = strcspn(p, ",");

		sb_addf(&sb, "  - appserver-%.*s\n", (int)len, p);
		p += len + (p[len] == ',');
	}
	{
		cJSON *ann, *o;
		char nsid[PLAN_ID_SIZE], cmid[PLAN_ID_SIZE], idle[16];
		const char *need_ns[] = {sid(b, "namespaces", b->ns, nsid, sizeof(nsid)), NULL};
		const char *need_cm[] = {nsid, sid(b, "configmaps", "hypnus-config", cmid,
						   sizeof(cmid)),
					 NULL};

		step(b, "hypnus", "configmaps", PLAN_WAIT_EXISTS,
		     configmap(b, "hypnus-config", "hypnus", "hypnus.yaml", sb.buf), need_ns);
		w = (wl){.name = "hypnus", .tier = "proxy", .component = "hypnus",
			 .image = REGISTRY "smart/hypnus:1.8.2", .config = "hypnus-config",
			 .mount = "/etc/hypnus", .ports = hyp_ports, .replicas = 1, .cpu = "100m",
			 .mem = "128Mi"};
		step(b, "hypnus", "services", PLAN_WAIT_EXISTS,
		     service(b, "hypnus", "hypnus", NULL, hyp_ports), need_ns);
		o = deployment(b, &w, &ann);
		/* hypnus-state is Hypnus's to write (absent: it has not started yet);
		 * setting it here would undo a sleep at every re-apply */
		snprintf(idle, sizeof(idle), "%d", b->o->idle_timeout_s);
		putp(b, ann, "hypnus-idle-timeout", idle);
		step(b, "hypnus", "deployments", PLAN_WAIT_READY, o, need_cm);
	}
	sb_release(&sb);
	link_rules(b, r, first);
}

int provision_ns_plan(const provision_ns_opts *o, const catalog_entry *e, const rules *r,
		      plan *out, char *err, size_t errsz)
{
	static const char *const envs[] = {"prod", "dev"};
	rules defaults;
	char idle[16];
	size_t i;

	if (!r) {
		rules_default(&defaults);
		r = &defaults;
	}
	plan_init(out, "namespace", o->tcode);
	plan_set_input(out, "tcode", o->tcode);
	plan_set_input(out, "domain", o->domain);
	plan_set_input(out, "size", o->size);
	snprintf(idle, sizeof(idle), "%d", o->idle_timeout_s);
	plan_set_input(out, "idleTimeoutSeconds", idle);
	plan_set_input(out, "roles", o->roles);
	if (o->prefix[0])
		plan_set_input(out, "prefix", o->prefix);
	for (i = 0; i < ARRAY_SIZE(envs); i++) {
		builder b = {.o = o, .e = e, .env = envs[i], .p = out, .err = err, .errsz = errsz,
			     .esocial = provision_ns_is_esocial(e)};

		if (tcode_namespace(o->tcode, i ? TCODE_ENV_DEV : TCODE_ENV_PROD, b.ns,
				    sizeof(b.ns)) < 0) {
			util_seterr(err, errsz, "bad TCODE %s", o->tcode);
			plan_release(out);
			return -1;
		}
		snprintf(b.lower, sizeof(b.lower), "%.6s", b.ns);
		build_env(&b, r);
		if (b.failed) {
			plan_release(out);
			return -1;
		}
	}
	return 0;
}
