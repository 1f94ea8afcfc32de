/* The custom builds of an environment (see core/build_history.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/build_history.h"
#include "core/plan.h"
#include "core/step_job.h"
#include "core/tcode.h"
#include "util/util.h"

#define WRITE_TRIES 5

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

void build_history_release(build_history *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

#define CP(dst, src) util_strlcpy((dst), (src) ? (src) : "", sizeof(dst))

static void promo_read(const cJSON *o, build_promo *p)
{
	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(o))
		return;
	CP(p->at, jstr(o, "at"));
	CP(p->by, jstr(o, "by"));
}

/* The entry's members as stored (the same as the public item, plus the run). */
static void entry_read(const cJSON *o, build_entry *e)
{
	const cJSON *c, *conds = jget(o, "conditions");
	size_t len;

	memset(e, 0, sizeof(*e));
	CP(e->id, jstr(o, "id"));
	CP(e->env, jstr(o, "env"));
	CP(e->repo, jstr(o, "repo"));
	CP(e->ref, jstr(o, "ref"));
	CP(e->commit, jstr(o, "commit"));
	CP(e->state, jstr(o, "state"));
	CP(e->stage, jstr(o, "stage"));
	CP(e->reason, jstr(o, "reason"));
	CP(e->gate, jstr(o, "quality_gate"));
	CP(e->rpo, jstr(o, "rpo"));
	CP(e->started, jstr(o, "started"));
	CP(e->finished, jstr(o, "finished"));
	CP(e->by, jstr(o, "by"));
	CP(e->run, jstr(o, "run"));
	cJSON_ArrayForEach(c, conds)
	{
		if (!cJSON_IsString(c))
			continue;
		len = strlen(e->conditions);
		snprintf(e->conditions + len, sizeof(e->conditions) - len, "%s%s", len ? "; " : "",
			 c->valuestring);
	}
	promo_read(jget(jget(o, "promoted"), "dev"), &e->dev);
	promo_read(jget(jget(o, "promoted"), "prod"), &e->prod);
}

int build_history_parse(const char *text, build_history *h)
{
	cJSON *arr;
	const cJSON *it;

	memset(h, 0, sizeof(*h));
	if (!text || !*text)
		return 0;
	arr = cJSON_Parse(text);
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		return -1;
	}
	h->v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*h->v));
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsObject(it) || !jstr(it, "id") || !*jstr(it, "id"))
			continue;
		if (h->n == BUILD_HISTORY_MAX)
			break;
		entry_read(it, &h->v[h->n++]);
	}
	cJSON_Delete(arr);
	return 0;
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *promo_json(const build_promo *p)
{
	cJSON *o;

	if (!p->at[0])
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "at", p->at);
	add_str_or_null(o, "by", p->by);
	return o;
}

cJSON *build_entry_json(const build_entry *e)
{
	cJSON *o = cJSON_CreateObject(), *conds, *promo;
	const char *p = e->conditions;

	cJSON_AddStringToObject(o, "id", e->id);
	add_str_or_null(o, "env", e->env);
	add_str_or_null(o, "commit", e->commit);
	add_str_or_null(o, "ref", e->ref);
	add_str_or_null(o, "repo", e->repo);
	cJSON_AddStringToObject(o, "state", e->state[0] ? e->state : "running");
	add_str_or_null(o, "stage", e->stage);
	add_str_or_null(o, "reason", e->reason);
	add_str_or_null(o, "quality_gate", e->gate);
	conds = cJSON_AddArrayToObject(o, "conditions");
	while (*p) {
		size_t n = strcspn(p, ";");
		char *one = xstrndup(p, n);
		char *s = one, *end;

		while (*s == ' ')
			s++;
		end = s + strlen(s);
		while (end > s && end[-1] == ' ')
			*--end = '\0';
		if (*s)
			cJSON_AddItemToArray(conds, cJSON_CreateString(s));
		free(one);
		p += n + (p[n] == ';');
	}
	add_str_or_null(o, "rpo", e->rpo);
	add_str_or_null(o, "started", e->started);
	add_str_or_null(o, "finished", e->finished);
	add_str_or_null(o, "by", e->by);
	promo = cJSON_AddObjectToObject(o, "promoted");
	cJSON_AddItemToObject(promo, "dev", promo_json(&e->dev));
	cJSON_AddItemToObject(promo, "prod", promo_json(&e->prod));
	return o;
}

char *build_history_encode(const build_history *h)
{
	cJSON *arr = cJSON_CreateArray();
	char *text, *ret;
	size_t i;

	for (i = 0; i < h->n; i++) {
		cJSON *o = build_entry_json(&h->v[i]);

		if (h->v[i].run[0])
			cJSON_AddStringToObject(o, "run", h->v[i].run);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}

build_entry *build_history_find(const build_history *h, const char *id)
{
	size_t i;

	for (i = 0; id && i < h->n; i++)
		if (!strcmp(h->v[i].id, id))
			return &h->v[i];
	return NULL;
}

build_entry *build_history_add(build_history *h, const build_entry *e)
{
	size_t keep = h->n < BUILD_HISTORY_MAX ? h->n : BUILD_HISTORY_MAX - 1;
	build_entry *v = xcalloc(BUILD_HISTORY_MAX, sizeof(*v));

	v[0] = *e;
	if (keep)
		memcpy(&v[1], h->v, keep * sizeof(*v));
	free(h->v);
	h->v = v;
	h->n = keep + 1;
	return &h->v[0];
}

int build_gate_parse(const char *msg, char *gate, size_t gsz, char *conds, size_t csz)
{
	const char *p;

	if (gsz)
		gate[0] = '\0';
	if (csz)
		conds[0] = '\0';
	if (!msg)
		return -1;
	p = strstr(msg, "quality gate");
	if (!p)
		return -1;
	p += strlen("quality gate");
	while (*p == ' ' || *p == ':')
		p++;
	if (!strncmp(p, "OK", 2)) {
		util_strlcpy(gate, "OK", gsz);
		return 0;
	}
	if (!strncmp(p, "ERROR", 5)) {
		util_strlcpy(gate, "ERROR", gsz);
		p += 5;
		while (*p == ' ' || *p == ':')
			p++;
		util_strlcpy(conds, p, csz);
		for (char *q = conds; *q; q++)
			if ((unsigned char)*q < ' ')
				*q = ' ';
		return 0;
	}
	return -1;
}

static const char *ann(const cJSON *obj, const char *prefix, const char *name)
{
	char key[96];

	tcode_key(prefix, name, key, sizeof(key));
	return jstr(jget(jget(obj, "metadata"), "annotations"), key);
}

void build_entry_from_job(const cJSON *job, const cJSON *pod, const char *prefix, build_entry *e)
{
	job_progress p;
	const char *v;
	char envkey[96];

	tcode_key(prefix, "env", envkey, sizeof(envkey));
	if ((v = ann(job, prefix, "build-id")))
		CP(e->id, v);
	if ((v = jstr(jget(jget(job, "metadata"), "labels"), envkey)))
		CP(e->env, v);
	if ((v = ann(job, prefix, "repo")))
		CP(e->repo, v);
	if ((v = ann(job, prefix, "ref")))
		CP(e->ref, v);
	if ((v = ann(job, prefix, "commit")))
		CP(e->commit, v);
	if ((v = ann(job, prefix, "by")))
		CP(e->by, v);
	if (!e->rpo[0] && (v = ann(job, prefix, "rpo-location")) && e->id[0]) {
		size_t n = strlen(v);

		if (n > 4 && !strcmp(v + n - 4, ".rpo")) /* the object itself */
			CP(e->rpo, v);
		else /* the prefix the upload stage writes under */
			snprintf(e->rpo, sizeof(e->rpo), "%.200s/%s/custom.rpo", v, e->id);
	}
	if ((v = jstr(jget(job, "metadata"), "creationTimestamp")))
		CP(e->started, v);
	job_progress_read(job, pod, &p);
	util_strlcpy(e->state, job_state_name(p.state), sizeof(e->state));
	if (p.state == JOB_SUCCEEDED) {
		e->stage[0] = '\0';
		e->reason[0] = '\0';
	} else {
		CP(e->stage, p.stage);
		if (p.state == JOB_FAILED)
			snprintf(e->reason, sizeof(e->reason), "%s%s%s", p.reason[0] ? p.reason : "Error",
				 p.message[0] ? ": " : "", p.message);
	}
	if (p.finished[0])
		CP(e->finished, p.finished);
	if (pod) {
		const char *gate = job_stage_message(pod, "sonarqube");
		const char *up = job_stage_message(pod, "upload");

		if (gate)
			build_gate_parse(gate, e->gate, sizeof(e->gate), e->conditions,
					 sizeof(e->conditions));
		if (p.state == JOB_SUCCEEDED && up && strstr(up, "://"))
			CP(e->rpo, up);
	}
	if (p.state == JOB_FAILED && !strcmp(e->gate, "ERROR"))
		util_strlcpy(e->stage, "sonarqube", sizeof(e->stage));
}

/* ---- the ConfigMap ---- */

static char *cm_path(const char *ns)
{
	return xasprintf("/api/v1/namespaces/%s/configmaps/%s", ns, BUILD_HISTORY_CM);
}

int build_history_load(k8s_client *c, const char *ns, build_history *h, char *rv, size_t rvsz,
		       k8s_err *err)
{
	char *path = cm_path(ns);
	cJSON *cm = NULL;
	int rc;

	memset(h, 0, sizeof(*h));
	if (rvsz)
		rv[0] = '\0';
	rc = k8s_get(c, path, &cm, err);
	free(path);
	if (rc < 0)
		return err->http == 404 ? 0 : -1;
	if (rv)
		util_strlcpy(rv, jstr(jget(cm, "metadata"), "resourceVersion") ? jstr(jget(cm, "metadata"), "resourceVersion") : "", rvsz);
	if (build_history_parse(jstr(jget(cm, "data"), BUILD_HISTORY_KEY), h) < 0) {
		cJSON_Delete(cm);
		return k8s_err_set(err, 0, "ConfigMap %s/%s: %s is not a JSON array", ns,
				   BUILD_HISTORY_CM, BUILD_HISTORY_KEY);
	}
	cJSON_Delete(cm);
	return 0;
}

static void put_label(cJSON *labels, const char *prefix, const char *name, const char *value)
{
	char key[96];

	tcode_key(prefix, name, key, sizeof(key));
	cJSON_AddStringToObject(labels, key, value);
}

static int write_history(k8s_client *c, const char *prefix, const char *tcode, const char *env,
			 const char *ns, const build_history *h, const char *rv, k8s_err *err)
{
	cJSON *o = cJSON_CreateObject(), *meta, *labels;
	char *text = build_history_encode(h), *body, *path;
	int rc;

	cJSON_AddStringToObject(o, "apiVersion", "v1");
	cJSON_AddStringToObject(o, "kind", "ConfigMap");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", BUILD_HISTORY_CM);
	cJSON_AddStringToObject(meta, "namespace", ns);
	if (rv && *rv)
		cJSON_AddStringToObject(meta, "resourceVersion", rv);
	labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_AddStringToObject(labels, PLAN_LABEL_MANAGED, PLAN_MANAGER);
	put_label(labels, prefix, "tcode", tcode);
	put_label(labels, prefix, "env", env);
	put_label(labels, prefix, "component", "custombuild-history");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "data"), BUILD_HISTORY_KEY, text);
	free(text);
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (rv && *rv) {
		path = cm_path(ns);
		rc = k8s_update(c, path, body, 0, NULL, err);
	} else {
		path = xasprintf("/api/v1/namespaces/%s/configmaps", ns);
		rc = k8s_create(c, path, body, 0, NULL, err);
	}
	free(path);
	cJSON_free(body);
	return rc;
}

int build_history_update(k8s_client *c, const char *prefix, const char *tcode, const char *env,
			 const char *ns, build_history_fn fn, void *ctx, k8s_err *err)
{
	int tries;

	for (tries = 0; tries < WRITE_TRIES; tries++) {
		build_history h;
		char rv[64];
		int changed, rc;

		if (build_history_load(c, ns, &h, rv, sizeof(rv), err) < 0)
			return -1;
		changed = fn(&h, ctx);
		if (changed <= 0) {
			build_history_release(&h);
			return changed < 0 ? -1 : 0;
		}
		rc = write_history(c, prefix, tcode, env, ns, &h, rv, err);
		build_history_release(&h);
		if (rc == 0)
			return 0;
		if (err->http != 409) /* 409: written meanwhile (or made meanwhile): read again */
			return -1;
	}
	return -1;
}

/* ---- reconciling with the Jobs ---- */

typedef struct sync_ctx {
	k8s_client *c;
	const char *prefix, *ns;
	cJSON *jobs; /* the namespace's build Jobs */
	int failed;
	k8s_err *err;
} sync_ctx;

static int entry_same(const build_entry *a, const build_entry *b)
{
	return !memcmp(a, b, sizeof(*a));
}

static int reconcile(build_history *h, void *vctx)
{
	sync_ctx *s = vctx;
	const cJSON *job;
	int changed = 0;
	size_t i;

	cJSON_ArrayForEach(job, jget(s->jobs, "items"))
	{
		const char *name = jstr(jget(job, "metadata"), "name");
		const char *id = ann(job, s->prefix, "build-id");
		build_entry *e, fresh;
		cJSON *pod;
		k8s_err perr;

		if (!name || !id || !*id)
			continue;
		e = build_history_find(h, id);
		memset(&fresh, 0, sizeof(fresh));
		if (e)
			fresh = *e;
		if (e && strcmp(e->state, "running") && e->finished[0])
			continue; /* ended and recorded: the Job adds nothing */
		pod = job_pod(s->c, s->ns, name, &perr);
		build_entry_from_job(job, pod, s->prefix, &fresh);
		cJSON_Delete(pod);
		if (!e) {
			build_history_add(h, &fresh);
			changed = 1;
		} else if (!entry_same(e, &fresh)) {
			*e = fresh;
			changed = 1;
		}
	}
	/* a build recorded as running whose Job is gone: its end was never seen */
	for (i = 0; i < h->n; i++) {
		build_entry *e = &h->v[i];
		char name[64];
		int found = 0;

		if (strcmp(e->state, "running"))
			continue;
		snprintf(name, sizeof(name), BUILD_JOB_PREFIX "%s", e->id);
		cJSON_ArrayForEach(job, jget(s->jobs, "items"))
			if (jstr(jget(job, "metadata"), "name") &&
			    !strcmp(jstr(jget(job, "metadata"), "name"), name))
				found = 1;
		if (!found) {
			util_strlcpy(e->state, "failed", sizeof(e->state));
			util_strlcpy(e->reason, "its Job is gone: the build's end was never recorded",
				     sizeof(e->reason));
			changed = 1;
		}
	}
	/* newest first: by started time (RFC 3339 sorts as text) */
	for (i = 1; i < h->n; i++) {
		build_entry t = h->v[i];
		size_t k = i;

		while (k > 0 && strcmp(h->v[k - 1].started, t.started) < 0) {
			h->v[k] = h->v[k - 1];
			k--;
		}
		if (k != i) {
			h->v[k] = t;
			changed = 1;
		}
	}
	return changed;
}

static int list_jobs(k8s_client *c, const char *prefix, const char *ns, cJSON **out, k8s_err *err)
{
	char key[96], *sel, *q, *path;
	int rc;

	tcode_key(prefix, "component", key, sizeof(key));
	sel = xasprintf("%s=custombuild", key);
	q = k8s_query_escape(sel);
	path = xasprintf("/apis/batch/v1/namespaces/%s/jobs?labelSelector=%s", ns, q);
	rc = k8s_get(c, path, out, err);
	free(sel);
	free(q);
	free(path);
	if (rc < 0 && err->http == 404) { /* no such namespace: no Jobs */
		*out = cJSON_CreateObject();
		return 0;
	}
	return rc;
}

int build_history_sync(k8s_client *c, const char *prefix, const char *tcode, const char *env,
		       const char *ns, int write, build_history *out, k8s_err *err)
{
	sync_ctx s = {.c = c, .prefix = prefix, .ns = ns, .err = err};
	char rv[64];
	int changed, rc = -1;

	memset(out, 0, sizeof(*out));
	if (list_jobs(c, prefix, ns, &s.jobs, err) < 0)
		return -1;
	if (build_history_load(c, ns, out, rv, sizeof(rv), err) < 0)
		goto done;
	changed = reconcile(out, &s);
	rc = 0;
	if (changed && write) {
		k8s_err werr;

		/* a write refused (a read-only user) or lost: shown all the same, and the
		 * next reader tries again */
		(void)build_history_update(c, prefix, tcode, env, ns, reconcile, &s, &werr);
	}
done:
	cJSON_Delete(s.jobs);
	return rc;
}
