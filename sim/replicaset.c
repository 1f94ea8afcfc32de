/* sim/replicaset.c — a Deployment's ReplicaSets (see replicaset.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/replicaset.h"
#include "util/util.h"

/* ---- the template's hash and key ---- */

static const char k8s_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void sim_rs_pod_template_hash(const cJSON *tmpl, char *out)
{
	char *text = tmpl ? cJSON_PrintUnformatted(tmpl) : NULL;
	uint64_t h = mix64(fnv(text ? text : ""));

	for (size_t i = 0; i < 10; i++) {
		out[i] = k8s_alphabet[h % (sizeof(k8s_alphabet) - 1)];
		h /= sizeof(k8s_alphabet) - 1;
		if (!h)
			h = mix64(i + 7);
	}
	out[10] = '\0';
	free(text);
}

static int by_key(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* Appends v's canonical text; returns 0 when v is empty (nothing appended). */
static int canon(const cJSON *v, strbuf *out)
{
	size_t start = out->len;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v)) {
		if (!v->valuestring[0])
			return 0;
		sb_addc(out, '"');
		sb_adds(out, v->valuestring);
		sb_addc(out, '"');
		return 1;
	}
	if (cJSON_IsNumber(v)) {
		sb_addf(out, "%.17g", v->valuedouble);
		return 1;
	}
	if (cJSON_IsBool(v)) {
		sb_adds(out, cJSON_IsTrue(v) ? "T" : "F");
		return 1;
	}
	if (cJSON_IsArray(v)) {
		const cJSON *e;
		int any = 0;

		sb_addc(out, '[');
		cJSON_ArrayForEach(e, v) {
			size_t before = out->len;

			if (canon(e, out)) {
				sb_addc(out, ',');
				any = 1;
			} else {
				out->len = before;
				sb_addc(out, '~'); /* an empty element still holds its place */
				sb_addc(out, ',');
			}
		}
		if (!any) {
			out->len = start;
			out->buf[start] = '\0';
			return 0;
		}
		sb_addc(out, ']');
		return 1;
	}
	if (cJSON_IsObject(v)) {
		const cJSON *e, **kids;
		size_t n = 0, k = 0;
		int any = 0;

		cJSON_ArrayForEach(e, v) n++;
		kids = xmalloc((n ? n : 1) * sizeof(*kids));
		cJSON_ArrayForEach(e, v) kids[k++] = e;
		qsort(kids, n, sizeof(*kids), by_key);
		sb_addc(out, '{');
		for (k = 0; k < n; k++) {
			size_t before = out->len;

			if (!strcmp(kids[k]->string, "creationTimestamp") ||
			    !strcmp(kids[k]->string, "pod-template-hash"))
				continue;
			sb_adds(out, kids[k]->string);
			sb_addc(out, ':');
			if (canon(kids[k], out)) {
				sb_addc(out, ',');
				any = 1;
			} else {
				out->len = before;
				out->buf[before] = '\0';
			}
		}
		free(kids);
		if (!any) {
			out->len = start;
			out->buf[start] = '\0';
			return 0;
		}
		sb_addc(out, '}');
		return 1;
	}
	return 0;
}

uint64_t sim_rs_template_key(const cJSON *tmpl)
{
	strbuf sb;
	uint64_t h = 1469598103934665603ull;

	sb_init(&sb, 1024);
	canon(tmpl, &sb);
	for (size_t i = 0; i < sb.len; i++)
		h = (h ^ (unsigned char)sb.buf[i]) * 1099511628211ull;
	sb_release(&sb);
	return h;
}

/* ---- the object ---- */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void jset(cJSON *o, const char *k, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, v);
	else
		cJSON_AddItemToObject(o, k, v);
}

static cJSON *obj_of(cJSON *o, const char *k)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsObject(v)) {
		v = cJSON_CreateObject();
		jset(o, k, v);
	}
	return v;
}

static void set_num_annotation(cJSON *meta, const char *key, int v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", v);
	jset(obj_of(meta, "annotations"), key, cJSON_CreateString(buf));
}

/* The Deployment's annotations a new ReplicaSet gets (kubernetes.io/change-cause shows in
 * rollout history): all but the controller's own and kubectl's last applied one. */
static void copy_annotations(const cJSON *from, cJSON *meta)
{
	static const char *const skip[] = {
		"kubectl.kubernetes.io/last-applied-configuration", SIM_RS_REVISION,
		"deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
		"deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to",
	};
	const cJSON *a;

	cJSON_ArrayForEach(a, from) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(skip); i++)
			if (!strcmp(a->string, skip[i]))
				break;
		if (i == ARRAY_SIZE(skip) && cJSON_IsString(a))
			jset(obj_of(meta, "annotations"), a->string, cJSON_CreateString(a->valuestring));
	}
}

void sim_rs_uid(const char *deploy_uid, const char *hash, char *out)
{
	uint64_t a = mix64(fnv(deploy_uid ? deploy_uid : "") ^ mix64(fnv(hash ? hash : "")));
	uint64_t b = mix64(a ^ 0x5eedull);

	snprintf(out, 40, "%08llx-%04llx-4%03llx-%04llx-%012llx", (unsigned long long)(a >> 32),
		 (unsigned long long)((a >> 16) & 0xffff), (unsigned long long)(a & 0xfff),
		 (unsigned long long)(0x8000 | ((b >> 48) & 0x3fff)), (unsigned long long)(b & 0xffffffffffffull));
}

cJSON *sim_rs_new(const cJSON *deploy, const char *hash, int revision, int replicas)
{
	const cJSON *dmeta = jget(deploy, "metadata"), *dspec = jget(deploy, "spec");
	const cJSON *name = jget(dmeta, "name"), *uid = jget(dmeta, "uid");
	cJSON *rs = cJSON_CreateObject(), *meta, *ref, *spec, *tmpl, *sel;
	char buf[320];

	cJSON_AddStringToObject(rs, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(rs, "kind", "ReplicaSet");
	meta = cJSON_AddObjectToObject(rs, "metadata");
	snprintf(buf, sizeof(buf), "%s-%s", cJSON_IsString(name) ? name->valuestring : "", hash);
	cJSON_AddStringToObject(meta, "name", buf);
	sim_rs_uid(cJSON_IsString(uid) ? uid->valuestring : "", hash, buf);
	cJSON_AddStringToObject(meta, "uid", buf);
	tmpl = cJSON_IsObject(jget(dspec, "template")) ? cJSON_Duplicate(jget(dspec, "template"), 1)
							 : cJSON_CreateObject();
	jset(obj_of(obj_of(tmpl, "metadata"), "labels"), "pod-template-hash", cJSON_CreateString(hash));
	jset(meta, "labels", cJSON_Duplicate(jget(jget(tmpl, "metadata"), "labels"), 1));
	copy_annotations(jget(dmeta, "annotations"), meta);
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(ref, "kind", "Deployment");
	cJSON_AddStringToObject(ref, "name", cJSON_IsString(name) ? name->valuestring : "");
	cJSON_AddStringToObject(ref, "uid", cJSON_IsString(uid) ? uid->valuestring : "");
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(meta, "ownerReferences"), ref);
	spec = cJSON_AddObjectToObject(rs, "spec");
	cJSON_AddNumberToObject(spec, "replicas", replicas);
	sel = cJSON_IsObject(jget(dspec, "selector")) ? cJSON_Duplicate(jget(dspec, "selector"), 1)
						       : cJSON_CreateObject();
	jset(obj_of(sel, "matchLabels"), "pod-template-hash", cJSON_CreateString(hash));
	cJSON_AddItemToObject(spec, "selector", sel);
	cJSON_AddItemToObject(spec, "template", tmpl);
	sim_rs_set(rs, revision, replicas, &(sim_rs_counts){0, 0});
	return rs;
}

void sim_rs_set(cJSON *rs, int revision, int desired, const sim_rs_counts *c)
{
	cJSON *meta = obj_of(rs, "metadata"), *st = cJSON_CreateObject();
	const cJSON *gen = jget(meta, "generation");

	set_num_annotation(meta, SIM_RS_REVISION, revision);
	set_num_annotation(meta, "deployment.kubernetes.io/desired-replicas", desired);
	set_num_annotation(meta, "deployment.kubernetes.io/max-replicas", desired + (desired + 3) / 4);
	jset(obj_of(rs, "spec"), "replicas", cJSON_CreateNumber(desired));
	cJSON_AddNumberToObject(st, "replicas", c->replicas);
	if (c->replicas)
		cJSON_AddNumberToObject(st, "fullyLabeledReplicas", c->replicas);
	if (c->ready) {
		cJSON_AddNumberToObject(st, "readyReplicas", c->ready);
		cJSON_AddNumberToObject(st, "availableReplicas", c->ready);
	}
	cJSON_AddNumberToObject(st, "observedGeneration", cJSON_IsNumber(gen) ? gen->valuedouble : 1);
	jset(rs, "status", st);
}

/* ---- written when first read ---- */

void sim_rs_materialize(sim_store *s, const char *ns)
{
	const sim_resource *r_deploy = sim_resource_find("apps", "v1", "deployments");
	const sim_resource *r_rs = sim_resource_find("apps", "v1", "replicasets");
	sim_list l;
	sim_err err;

	if (!r_deploy || !r_rs || sim_store_list(s, r_deploy, ns, NULL, NULL, 0, NULL, &l, &err) < 0)
		return;
	for (size_t i = 0; i < l.n; i++) {
		cJSON *d = sim_obj_parse(l.items[i]), *rs;
		const cJSON *meta = jget(d, "metadata"), *st = jget(d, "status");
		const cJSON *rev = jget(jget(meta, "annotations"), SIM_RS_REVISION);
		const cJSON *want = jget(jget(d, "spec"), "replicas");
		char hash[16], name[320];
		sim_obj *have;
		sim_rs_counts c;

		/* a Deployment past revision 1 had its ReplicaSets written when it changed */
		if (!d || (cJSON_IsString(rev) && strcmp(rev->valuestring, "1"))) {
			cJSON_Delete(d);
			continue;
		}
		sim_rs_pod_template_hash(jget(jget(d, "spec"), "template"), hash);
		snprintf(name, sizeof(name), "%s-%s", l.items[i]->name, hash);
		have = sim_store_get(s, r_rs, l.items[i]->ns, name, &err);
		if (have) {
			sim_obj_unref(have);
			cJSON_Delete(d);
			continue;
		}
		rs = sim_rs_new(d, hash, 1, cJSON_IsNumber(want) ? want->valueint : 1);
		c.replicas = cJSON_IsNumber(jget(st, "updatedReplicas")) ? jget(st, "updatedReplicas")->valueint : 0;
		c.ready = cJSON_IsNumber(jget(st, "readyReplicas")) ? jget(st, "readyReplicas")->valueint : 0;
		sim_rs_set(rs, 1, cJSON_IsNumber(want) ? want->valueint : 1, &c);
		sim_store_create(s, r_rs, l.items[i]->ns, rs, SIM_KEEP_UID, NULL, &err); /* 409: made meanwhile */
		cJSON_Delete(rs);
		cJSON_Delete(d);
	}
	sim_list_release(&l);
}
