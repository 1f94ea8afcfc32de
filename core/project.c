/* core/project.c — compact records from Kubernetes objects. */
#include <stdio.h>
#include <strings.h>

#include "core/hypnus.h"
#include "core/project.h"
#include "util/util.h"

void project_keys_init(project_keys *k, const char *prefix)
{
	static const struct {
		size_t off;
		const char *name;
	} keys[] = {
	    {offsetof(project_keys, tcode), "tcode"},
	    {offsetof(project_keys, env), "env"},
	    {offsetof(project_keys, product), "product"},
	    {offsetof(project_keys, tier), "tier"},
	    {offsetof(project_keys, component), "component"},
	    {offsetof(project_keys, service), "service"},
	    {offsetof(project_keys, customer), "customer-name"},
	    {offsetof(project_keys, provider), "provider"},
	    {offsetof(project_keys, db), "db"},
	    {offsetof(project_keys, timezone), "timezone"},
	    {offsetof(project_keys, hypnus_state), "hypnus-state"},
	    {offsetof(project_keys, hypnus_last_activity), "hypnus-last-activity"},
	    {offsetof(project_keys, hypnus_idle_timeout), "hypnus-idle-timeout"},
	    {offsetof(project_keys, hypnus_last_wake), "hypnus-last-wake"},
	    {offsetof(project_keys, hypnus_cold_start), "hypnus-cold-start-seconds"},
	};
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < ARRAY_SIZE(keys); i++)
		tcode_key(prefix, keys[i].name, (char *)k + keys[i].off, PROJECT_KEY_SIZE);
}

static const cJSON *obj_get(const cJSON *o, const char *key)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str_get(const cJSON *o, const char *key)
{
	const cJSON *v = obj_get(o, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* A JSON number (or a numeric string, as annotations are) into *out; 0 or -1. */
static int num_get(const cJSON *o, const char *key, double *out)
{
	const cJSON *v = obj_get(o, key);
	char *end;

	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
		*out = strtod(v->valuestring, &end);
		if (*end == '\0')
			return 0;
	}
	return -1;
}

int32_t project_clamp32(double d)
{
	if (d != d || d < 0)
		return 0;
	if (d > 1e9)
		return 1000000000;
	return (int32_t)d;
}

static void copy(char *dst, size_t size, const char *src)
{
	util_strlcpy(dst, src ? src : "", size);
}

/* ---- what the projections read ---- */

#define END {NULL, NULL}
static const jscan_keep keep_meta[] = {{"name", NULL},	      {"namespace", NULL},
				       {"labels", NULL},      {"annotations", NULL},
				       {"creationTimestamp", NULL}, END};
const jscan_keep project_keep_namespace[] = {{"metadata", keep_meta}, END};
static const jscan_keep keep_wl_spec[] = {{"replicas", NULL}, END};
static const jscan_keep keep_wl_status[] = {{"readyReplicas", NULL}, END};
static const jscan_keep keep_wl_object[] = {
    {"metadata", keep_meta}, {"spec", keep_wl_spec}, {"status", keep_wl_status}, END};
/* a whole object, or a Table row (cells and the object's metadata) */
const jscan_keep project_keep_workload[] = {{"metadata", keep_meta},
					    {"spec", keep_wl_spec},
					    {"status", keep_wl_status},
					    {"cells", NULL},
					    {"object", keep_wl_object},
					    END};
static const jscan_keep keep_ing_rule[] = {{"host", NULL}, END};
static const jscan_keep keep_ing_spec[] = {{"rules", keep_ing_rule}, END};
const jscan_keep project_keep_ingress[] = {{"metadata", keep_meta}, {"spec", keep_ing_spec}, END};
static const jscan_keep keep_pod_spec[] = {{"nodeName", NULL}, END};
static const jscan_keep keep_pod_cond[] = {{"type", NULL}, {"status", NULL}, END};
static const jscan_keep keep_pod_cs[] = {
    {"state", NULL}, {"lastState", NULL}, {"ready", NULL}, {"restartCount", NULL}, END};
static const jscan_keep keep_pod_status[] = {
    {"phase", NULL}, {"conditions", keep_pod_cond}, {"containerStatuses", keep_pod_cs}, END};
const jscan_keep project_keep_pod[] = {
    {"metadata", keep_meta}, {"spec", keep_pod_spec}, {"status", keep_pod_status}, END};
static const jscan_keep keep_ev_obj[] = {{"kind", NULL}, {"name", NULL}, END};
const jscan_keep project_keep_event[] = {{"metadata", keep_meta},
					 {"involvedObject", keep_ev_obj},
					 {"regarding", keep_ev_obj},
					 {"type", NULL},
					 {"reason", NULL},
					 {"message", NULL},
					 {"note", NULL},
					 {"count", NULL},
					 {"lastTimestamp", NULL},
					 {"eventTime", NULL},
					 {"firstTimestamp", NULL},
					 END};
#undef END

/* Fills the common metadata; -1 if obj is not an object with a name. */
static int meta(const cJSON *obj, project_meta *m, const cJSON **labels, const cJSON **ann)
{
	const cJSON *md = obj_get(obj, "metadata");
	const char *name = str_get(md, "name");

	if (!name || !*name)
		return -1;
	copy(m->name, sizeof(m->name), name);
	copy(m->ns, sizeof(m->ns), str_get(md, "namespace"));
	if (labels)
		*labels = obj_get(md, "labels");
	if (ann)
		*ann = obj_get(md, "annotations");
	return 0;
}

static uint8_t product_parse(const char *s)
{
	if (!s)
		return MODEL_PRODUCT_UNKNOWN;
	if (!strcasecmp(s, "erp"))
		return MODEL_PRODUCT_ERP;
	if (!strcasecmp(s, "esocial"))
		return MODEL_PRODUCT_ESOCIAL;
	return MODEL_PRODUCT_UNKNOWN;
}

uint8_t project_tier_parse(const char *s)
{
	if (!s)
		return PROJECT_TIER_OTHER;
	if (!strcmp(s, "base"))
		return PROJECT_TIER_BASE;
	if (!strcmp(s, "public"))
		return PROJECT_TIER_PUBLIC;
	if (!strcmp(s, "proxy"))
		return PROJECT_TIER_PROXY;
	return PROJECT_TIER_OTHER;
}

int project_namespace(const project_keys *k, const cJSON *obj, project_ns *out)
{
	const cJSON *labels, *ann;
	char from_name[TCODE_SIZE];
	tcode_env env, name_env;
	const char *tc, *envs;
	int named;

	memset(out, 0, sizeof(*out));
	if (meta(obj, &out->m, &labels, &ann) < 0)
		return -1;
	named = tcode_from_namespace(out->m.name, from_name, &name_env) == 0;
	tc = str_get(labels, k->tcode);
	if (tc) {
		if (tcode_parse(tc, out->tcode, NULL, 0) < 0)
			return 1;
	} else if (named) {
		util_strlcpy(out->tcode, from_name, sizeof(out->tcode));
	} else {
		return 1;
	}
	envs = str_get(labels, k->env);
	if (envs && tcode_env_parse(envs, &env) == 0)
		out->env = (uint8_t)env;
	else if (named && !strcmp(from_name, out->tcode))
		out->env = (uint8_t)name_env;
	else
		return 1;
	out->product = product_parse(str_get(labels, k->product));
	copy(out->customer, sizeof(out->customer), str_get(ann, k->customer));
	copy(out->provider, sizeof(out->provider), str_get(ann, k->provider));
	copy(out->db, sizeof(out->db), str_get(ann, k->db));
	copy(out->timezone, sizeof(out->timezone), str_get(ann, k->timezone));
	return 0;
}

static int64_t time_get(const cJSON *o, const char *key)
{
	const char *s = str_get(o, key);
	int64_t t = s ? util_parse_rfc3339(s) : -1;

	return t > 0 ? t : 0;
}

static void hypnus_from(const project_keys *k, const cJSON *ann, model_hypnus *h)
{
	double d;

	h->present = 1;
	h->state = (uint8_t)hypnus_state_parse(str_get(ann, k->hypnus_state));
	if (num_get(ann, k->hypnus_idle_timeout, &d) == 0)
		h->idle_timeout_s = project_clamp32(d);
	if (num_get(ann, k->hypnus_cold_start, &d) == 0)
		h->cold_start_s = project_clamp32(d);
	h->last_activity = time_get(ann, k->hypnus_last_activity);
	h->last_wake = time_get(ann, k->hypnus_last_wake);
}

int project_workload_from(const project_keys *k, const cJSON *obj, int kind, project_workload *out)
{
	const cJSON *labels, *ann, *spec, *status;
	const char *tier;
	double d;

	memset(out, 0, sizeof(*out));
	if (meta(obj, &out->m, &labels, &ann) < 0)
		return -1;
	tier = str_get(labels, k->tier);
	if (!tier)
		return 1;
	out->kind = (uint8_t)kind;
	out->tier = project_tier_parse(tier);
	copy(out->component, sizeof(out->component), str_get(labels, k->component));
	copy(out->role, sizeof(out->role), str_get(labels, k->service));
	spec = obj_get(obj, "spec");
	status = obj_get(obj, "status");
	out->desired = num_get(spec, "replicas", &d) == 0 ? project_clamp32(d) : 1;
	out->ready = num_get(status, "readyReplicas", &d) == 0 ? project_clamp32(d) : 0;
	if (!strcmp(out->component, "hypnus"))
		hypnus_from(k, ann, &out->hypnus);
	return 0;
}

int project_workload_from_row(const project_keys *k, const cJSON *row, int kind,
			      project_workload *out)
{
	const cJSON *cells = obj_get(row, "cells"), *obj = obj_get(row, "object"), *c1;
	long r, d;
	char extra;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsArray(cells) || !cJSON_IsObject(obj))
		return -1;
	c1 = cJSON_GetArrayItem(cells, 1);
	if (!cJSON_IsString(c1) || sscanf(c1->valuestring, "%ld/%ld%c", &r, &d, &extra) != 2 ||
	    r < 0 || d < 0)
		return -1;
	rc = project_workload_from(k, obj, kind, out);
	if (rc)
		return rc;
	out->desired = project_clamp32((double)d);
	out->ready = project_clamp32((double)r);
	return 0;
}

int project_ingress_from(const project_keys *k, const cJSON *obj, project_ingress *out)
{
	const cJSON *labels, *rules_arr, *rule;
	const char *role;

	memset(out, 0, sizeof(*out));
	if (meta(obj, &out->m, &labels, NULL) < 0)
		return -1;
	role = str_get(labels, k->service);
	copy(out->role, sizeof(out->role), role ? role : out->m.name);
	rules_arr = obj_get(obj_get(obj, "spec"), "rules");
	if (cJSON_IsArray(rules_arr)) {
		cJSON_ArrayForEach(rule, rules_arr)
		{
			const char *host = str_get(rule, "host");
			if (host && *host) {
				copy(out->host, sizeof(out->host), host);
				break;
			}
		}
	}
	return 0;
}

/* Folds one container status into the pod. */
static void container_from(const cJSON *cs, project_pod *out)
{
	const cJSON *state = obj_get(cs, "state"), *last = obj_get(cs, "lastState");
	const cJSON *w = obj_get(state, "waiting"), *t = obj_get(state, "terminated");
	const cJSON *lt = obj_get(last, "terminated");
	double d;

	out->n_containers++;
	if (cJSON_IsTrue(obj_get(cs, "ready")))
		out->n_ready++;
	if (num_get(cs, "restartCount", &d) == 0)
		out->restarts += project_clamp32(d);
	if (w && !out->waiting_reason[0]) {
		copy(out->waiting_reason, sizeof(out->waiting_reason), str_get(w, "reason"));
		if (str_get(w, "message"))
			copy(out->message, sizeof(out->message), str_get(w, "message"));
	}
	if (!t)
		t = lt;
	if (t && !out->terminated_reason[0]) {
		copy(out->terminated_reason, sizeof(out->terminated_reason), str_get(t, "reason"));
		if (!out->message[0] && str_get(t, "message"))
			copy(out->message, sizeof(out->message), str_get(t, "message"));
	}
}

int project_pod_from(const project_keys *k, const cJSON *obj, project_pod *out)
{
	const cJSON *labels, *spec, *status, *arr, *it;

	memset(out, 0, sizeof(*out));
	if (meta(obj, &out->m, &labels, NULL) < 0)
		return -1;
	out->tier = project_tier_parse(str_get(labels, k->tier));
	copy(out->component, sizeof(out->component), str_get(labels, k->component));
	copy(out->role, sizeof(out->role), str_get(labels, k->service));
	out->created = time_get(obj_get(obj, "metadata"), "creationTimestamp");
	spec = obj_get(obj, "spec");
	status = obj_get(obj, "status");
	copy(out->node, sizeof(out->node), str_get(spec, "nodeName"));
	copy(out->phase, sizeof(out->phase), str_get(status, "phase"));
	arr = obj_get(status, "conditions");
	if (cJSON_IsArray(arr)) {
		cJSON_ArrayForEach(it, arr)
		{
			const char *type = str_get(it, "type"), *st = str_get(it, "status");
			if (type && st && !strcmp(type, "Ready"))
				out->ready = !strcmp(st, "True");
		}
	}
	arr = obj_get(status, "containerStatuses");
	if (cJSON_IsArray(arr)) {
		cJSON_ArrayForEach(it, arr)
		{
			if (out->n_containers < 255)
				container_from(it, out);
		}
	}
	return 0;
}

int project_event_from(const cJSON *obj, project_event *out)
{
	const cJSON *inv;
	double d;

	memset(out, 0, sizeof(*out));
	if (meta(obj, &out->m, NULL, NULL) < 0)
		return -1;
	inv = obj_get(obj, "involvedObject");
	if (!inv)
		inv = obj_get(obj, "regarding"); /* events.k8s.io/v1 */
	copy(out->kind, sizeof(out->kind), str_get(inv, "kind"));
	copy(out->object, sizeof(out->object), str_get(inv, "name"));
	copy(out->type, sizeof(out->type), str_get(obj, "type"));
	copy(out->reason, sizeof(out->reason), str_get(obj, "reason"));
	copy(out->message, sizeof(out->message),
	     str_get(obj, "message") ? str_get(obj, "message") : str_get(obj, "note"));
	out->count = num_get(obj, "count", &d) == 0 ? project_clamp32(d) : 1;
	out->last = time_get(obj, "lastTimestamp");
	if (!out->last)
		out->last = time_get(obj, "eventTime");
	if (!out->last)
		out->last = time_get(obj, "firstTimestamp");
	if (!out->last)
		out->last = time_get(obj_get(obj, "metadata"), "creationTimestamp");
	return 0;
}

int project_rules(const cJSON *configmap, rules *out, char *err, size_t errsz)
{
	const char *text = str_get(obj_get(configmap, "data"), RULES_CONFIGMAP_KEY);

	if (!text) {
		if (err && errsz)
			snprintf(err, errsz, "ConfigMap %s has no key \"%s\"", RULES_CONFIGMAP,
				 RULES_CONFIGMAP_KEY);
		return -1;
	}
	return rules_parse(out, text, err, errsz);
}

int project_env_add_workload(model_env *e, const project_workload *w)
{
	size_t i;

	if (w->tier == PROJECT_TIER_BASE) {
		for (i = 0; i < e->n_base; i++)
			if (!strcmp(e->base[i].component, w->component))
				break;
		if (i == e->n_base) {
			if (e->n_base >= MODEL_MAX_BASE)
				return -1;
			memset(&e->base[i], 0, sizeof(e->base[i]));
			copy(e->base[i].component, sizeof(e->base[i].component), w->component);
			e->n_base++;
		}
		/* Two workloads of one component (rare) add up. */
		e->base[i].desired =
		    (int16_t)(e->base[i].desired + project_env_count(w->desired));
		e->base[i].ready = (int16_t)(e->base[i].ready + project_env_count(w->ready));
		return 0;
	}
	if (w->tier == PROJECT_TIER_PUBLIC) {
		const char *role = w->role[0] ? w->role : w->m.name;
		for (i = 0; i < e->n_public; i++)
			if (!strcmp(e->pub[i].role, role))
				break;
		if (i == e->n_public) {
			if (e->n_public >= MODEL_MAX_PUBLIC)
				return -1;
			memset(&e->pub[i], 0, sizeof(e->pub[i]));
			copy(e->pub[i].role, sizeof(e->pub[i].role), role);
			e->n_public++;
		}
		e->pub[i].desired =
		    (int16_t)(e->pub[i].desired + project_env_count(w->desired));
		e->pub[i].ready = (int16_t)(e->pub[i].ready + project_env_count(w->ready));
		return 0;
	}
	if (w->hypnus.present)
		e->hypnus = w->hypnus;
	return 0;
}

void project_env_add_ingress(model_env *e, const project_ingress *ing)
{
	size_t i;

	for (i = 0; i < e->n_public; i++)
		if (!strcmp(e->pub[i].role, ing->role) && !e->pub[i].host)
			model_text_set(e, &e->pub[i].host, ing->host, MODEL_HOST_MAX);
}

void project_env_add_pod(model_env *e, const project_pod *p)
{
	model_base *b = NULL;
	size_t i;
	int takes;

	for (i = 0; i < e->n_base; i++)
		if (!strcmp(e->base[i].component, p->component))
			b = &e->base[i];
	if (!b)
		return;
	/* A pod that is not ready explains the component; a ready one only adds restarts. */
	takes = !p->ready && !b->waiting_reason && !b->terminated_reason &&
		(p->waiting_reason[0] || p->terminated_reason[0] || (p->message[0] && !b->message));
	if (p->restarts > b->restarts)
		b->restarts = p->restarts;
	if (takes) {
		model_text_set(e, &b->waiting_reason, p->waiting_reason, MODEL_REASON_MAX);
		model_text_set(e, &b->terminated_reason, p->terminated_reason, MODEL_TERMINATED_MAX);
		model_text_set(e, &b->message, p->message, MODEL_MESSAGE_MAX);
	}
}
