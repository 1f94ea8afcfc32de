/* The RPO executor (see core/step_rpo.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/plan_prior.h"
#include "core/step_rpo.h"
#include "k8s/retry.h"
#include "util/util.h"

#define TRIES 6
#define BASE_MS 200
#define CAP_MS 3200
#define PATIENCE_MS 8000

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* What the manager applies, from a configuration shaped as the plan's body
 * (the body itself, or a prior state recorded at its paths): the template's
 * annotations it holds, and the first container's STEP_RPO_ENV entry; bare
 * (apiVersion, kind, name) when it holds neither. */
static cJSON *rpo_config(const cJSON *from)
{
	const cJSON *bm = jget(from, "metadata"), *tmpl = jget(jget(from, "spec"), "template");
	const cJSON *anns = jget(jget(tmpl, "metadata"), "annotations"), *a, *v;
	const cJSON *ct = cJSON_GetArrayItem(jget(jget(tmpl, "spec"), "containers"), 0);
	cJSON *o = cJSON_CreateObject(), *meta, *t = NULL, *tann = NULL, *entry = NULL;

	cJSON_AddStringToObject(o, "apiVersion", jstr(from, "apiVersion") ? jstr(from, "apiVersion") : "apps/v1");
	cJSON_AddStringToObject(o, "kind", jstr(from, "kind") ? jstr(from, "kind") : "Deployment");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", jstr(bm, "name") ? jstr(bm, "name") : "");
	if (jstr(bm, "namespace"))
		cJSON_AddStringToObject(meta, "namespace", jstr(bm, "namespace"));
	cJSON_ArrayForEach(v, jget(ct, "env"))
		if (jstr(v, "name") && !strcmp(jstr(v, "name"), STEP_RPO_ENV))
			entry = (cJSON *)v;
	if (!cJSON_GetArraySize(anns) && !entry)
		return o;
	t = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "template");
	cJSON_ArrayForEach(a, anns)
	{
		if (!cJSON_IsString(a))
			continue;
		if (!tann)
			tann = cJSON_AddObjectToObject(cJSON_AddObjectToObject(t, "metadata"), "annotations");
		cJSON_AddStringToObject(tann, a->string, a->valuestring);
	}
	if (entry && jstr(ct, "name")) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "name", jstr(ct, "name"));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(c, "env"), cJSON_Duplicate(entry, 1));
		cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(t, "spec"), "containers"), c);
	}
	return o;
}

static int apply_as(step_env *env, const char *path, const cJSON *tree, int flags, cJSON **out,
		    k8s_err *err)
{
	char *body = step_print_tree(tree);
	k8s_retry rt;
	int rc;

	k8s_retry_init(&rt, BASE_MS, CAP_MS, TRIES, NULL);
	k8s_retry_deadline(&rt, PATIENCE_MS);
	do
		rc = k8s_apply_as(env->client, path, body, STEP_RPO_MANAGER, flags, out, err);
	while (rc < 0 && k8s_retry_transient(err) && k8s_retry_wait(&rt, err) == K8S_RETRY_AGAIN);
	free(body);
	return rc;
}

static int rpo_dry_run(step_env *env, const plan_step *s)
{
	char *path = plan_step_path(s);
	cJSON *tree = rpo_config(s->body);
	k8s_err err;
	int rc = apply_as(env, path, tree, K8S_DRY_RUN, NULL, &err);

	cJSON_Delete(tree);
	free(path);
	if (rc < 0)
		step_fail(env, &err, "%s", err.msg);
	return rc;
}

static engine_status rpo_apply(step_env *env, const plan_step *s, const step_seen *seen,
			       step_seen *after)
{
	char *path;
	cJSON *tree, *out = NULL;
	const cJSON *meta;
	k8s_err err;
	int rc;

	memset(after, 0, sizeof(*after));
	if (seen->diff == PLAN_DIFF_CREATE) {
		step_fail(env, NULL, "%s: %s %s/%s does not exist: no AppServer to give the RPO to",
			  s->id, s->kind, s->ns, s->name);
		return ENGINE_ST_REFUSED;
	}
	path = plan_step_path(s);
	tree = rpo_config(s->body);
	rc = apply_as(env, path, tree, 0, &out, &err);
	cJSON_Delete(tree);
	free(path);
	if (rc < 0) {
		step_fail(env, &err, "%s: %s", s->id, err.msg);
		return err.http == 403 ? ENGINE_ST_FORBIDDEN
		       : err.http == 409 ? ENGINE_ST_REFUSED
					 : ENGINE_ST_FAILED;
	}
	meta = jget(out, "metadata");
	after->live = out;
	util_strlcpy(after->uid, jstr(meta, "uid") ? jstr(meta, "uid") : "", sizeof(after->uid));
	util_strlcpy(after->run,
		     jstr(jget(meta, "labels"), env->run_label) ? jstr(jget(meta, "labels"), env->run_label) : "",
		     sizeof(after->run));
	after->managed = jstr(jget(meta, "labels"), PLAN_LABEL_MANAGED) != NULL;
	after->diff = PLAN_DIFF_UNCHANGED;
	return ENGINE_ST_OK;
}

static cJSON *rpo_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	(void)env;
	return plan_prior_record(s->body, seen->live);
}

/* The values before: the manager's fields of the prior state, applied again
 * (none: given up, so the annotations and the variable go). */
static engine_status rpo_restore(step_env *env, const journal_step *js)
{
	const cJSON *config = plan_prior_config(js->prior);
	cJSON *tree;
	k8s_err err;
	int rc;

	if (!config) {
		step_fail(env, NULL, "%s: the journal holds no prior configuration", js->id);
		return ENGINE_ST_FAILED;
	}
	tree = rpo_config(config);
	rc = apply_as(env, js->path, tree, 0, NULL, &err);
	cJSON_Delete(tree);
	if (rc == 0)
		return ENGINE_ST_OK;
	step_fail(env, &err, "%s", err.msg);
	return err.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

static engine_status rpo_remove(step_env *env, const journal_step *js)
{
	step_fail(env, NULL, "%s: an RPO is put back, never deleted with its AppServer", js->id);
	return ENGINE_ST_REFUSED;
}

/* ---- the Kubernetes executor's, as they are ---- */

static int rpo_observe(step_env *env, const plan_step *s, step_seen *out)
{
	return step_k8s.observe(env, s, out);
}

static void rpo_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	step_k8s.access(s, d, need, n, max);
}

static step_wait_state rpo_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	return step_k8s.check(env, s, what, size);
}

static void rpo_ref(const plan_step *s, char *out, size_t size)
{
	step_k8s.ref(s, out, size);
}

static int rpo_ref_check(const char *ref, char *err, size_t errsz)
{
	return step_k8s.ref_check(ref, err, errsz);
}

static void rpo_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	step_k8s.undo_access(js, need, n, max);
}

static int rpo_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	return step_k8s.observe_ref(env, js, out);
}

const step_exec step_rpo = {
    .name = STEP_RPO_EXEC,
    .observe = rpo_observe,
    .access = rpo_access,
    .dry_run = rpo_dry_run,
    .apply = rpo_apply,
    .check = rpo_check,
    .prior = rpo_prior,
    .ref = rpo_ref,
    .ref_check = rpo_ref_check,
    .undo_access = rpo_undo_access,
    .observe_ref = rpo_observe_ref,
    .holds_others = NULL,
    .remove = rpo_remove,
    .restore = rpo_restore,
};
