/* core/step_tmpl.c — a workload that exists, changed by a field manager of its
 * own; see step_tmpl.h. */
#include <stdio.h>
#include <string.h>

#include "core/plan_prior.h"
#include "core/step_tmpl.h"
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

cJSON *step_tmpl_bare(const cJSON *body)
{
	const cJSON *bm = jget(body, "metadata");
	cJSON *o = cJSON_CreateObject(), *meta;

	cJSON_AddStringToObject(o, "apiVersion",
				jstr(body, "apiVersion") ? jstr(body, "apiVersion") : "");
	cJSON_AddStringToObject(o, "kind", jstr(body, "kind") ? jstr(body, "kind") : "");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", jstr(bm, "name") ? jstr(bm, "name") : "");
	if (jstr(bm, "namespace"))
		cJSON_AddStringToObject(meta, "namespace", jstr(bm, "namespace"));
	return o;
}

/* One apply as the manager, with retries of what may not have taken (an apply
 * is idempotent). 0, or -1 with err. */
static int apply_as(const step_tmpl *t, step_env *env, const char *path, const cJSON *tree,
		    int flags, cJSON **out, k8s_err *err)
{
	char *body = step_print_tree(tree);
	k8s_retry rt;
	int rc;

	k8s_retry_init(&rt, BASE_MS, CAP_MS, TRIES, NULL);
	k8s_retry_deadline(&rt, PATIENCE_MS);
	do
		rc = k8s_apply_as(env->client, path, body, t->manager, flags, out, err);
	while (rc < 0 && k8s_retry_transient(err) && k8s_retry_wait(&rt, err) == K8S_RETRY_AGAIN);
	free(body);
	return rc;
}

/* The plan's body as the manager applies it: 0, or -1 with err. */
static int apply_body(const step_tmpl *t, step_env *env, const plan_step *s, int flags, cJSON **out,
		      k8s_err *err)
{
	char *path = plan_step_path(s);
	cJSON *tree = t->apply_tree ? t->apply_tree(s->body) : NULL;
	int rc = apply_as(t, env, path, tree ? tree : s->body, flags, out, err);

	cJSON_Delete(tree);
	free(path);
	return rc;
}

int step_tmpl_dry_run(const step_tmpl *t, step_env *env, const plan_step *s)
{
	k8s_err err;
	int rc = apply_body(t, env, s, K8S_DRY_RUN, NULL, &err);

	if (rc < 0)
		step_fail(env, &err, "%s", err.msg);
	return rc;
}

engine_status step_tmpl_apply(const step_tmpl *t, step_env *env, const plan_step *s,
			      const step_seen *seen, step_seen *after)
{
	cJSON *out = NULL;
	const cJSON *meta;
	k8s_err err;

	memset(after, 0, sizeof(*after));
	if (seen->diff == PLAN_DIFF_CREATE) { /* the workload must exist */
		step_fail(env, NULL, "%s: %s %s/%s does not exist: %s", s->id, s->kind, s->ns,
			  s->name, t->absent);
		return ENGINE_ST_REFUSED;
	}
	if (apply_body(t, env, s, 0, &out, &err) < 0) {
		step_fail(env, &err, "%s: %s", s->id, err.msg);
		return err.http == 403	 ? ENGINE_ST_FORBIDDEN
		       : err.http == 409 ? ENGINE_ST_REFUSED
					 : ENGINE_ST_FAILED;
	}
	meta = jget(out, "metadata");
	after->live = out;
	util_strlcpy(after->uid, jstr(meta, "uid") ? jstr(meta, "uid") : "", sizeof(after->uid));
	util_strlcpy(after->run,
		     jstr(jget(meta, "labels"), env->run_label)
			 ? jstr(jget(meta, "labels"), env->run_label)
			 : "",
		     sizeof(after->run));
	after->managed = jstr(jget(meta, "labels"), PLAN_LABEL_MANAGED) != NULL;
	after->diff = PLAN_DIFF_UNCHANGED;
	return ENGINE_ST_OK;
}

cJSON *step_tmpl_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	(void)env;
	return plan_prior_record(s->body, seen->live);
}

engine_status step_tmpl_restore(const step_tmpl *t, step_env *env, const journal_step *js)
{
	const cJSON *config = plan_prior_config(js->prior);
	cJSON *tree;
	k8s_err err;
	int rc;

	if (!config) {
		step_fail(env, NULL, "%s: the journal holds no prior configuration", js->id);
		return ENGINE_ST_FAILED;
	}
	tree = t->restore_tree ? t->restore_tree(config) : step_tmpl_bare(config);
	rc = apply_as(t, env, js->path, tree, 0, NULL, &err);
	cJSON_Delete(tree);
	if (rc == 0)
		return ENGINE_ST_OK;
	step_fail(env, &err, "%s", err.msg);
	return err.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

engine_status step_tmpl_remove(const step_tmpl *t, step_env *env, const journal_step *js)
{
	step_fail(env, NULL, "%s: %s", js->id, t->removed);
	return ENGINE_ST_REFUSED;
}

/* ---- the Kubernetes executor's, as they are ---- */

int step_tmpl_observe(step_env *env, const plan_step *s, step_seen *out)
{
	return step_k8s.observe(env, s, out);
}

void step_tmpl_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	step_k8s.access(s, d, need, n, max);
}

step_wait_state step_tmpl_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	return step_k8s.check(env, s, what, size);
}

void step_tmpl_ref(const plan_step *s, char *out, size_t size)
{
	step_k8s.ref(s, out, size);
}

int step_tmpl_ref_check(const char *ref, char *err, size_t errsz)
{
	return step_k8s.ref_check(ref, err, errsz);
}

void step_tmpl_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	step_k8s.undo_access(js, need, n, max);
}

int step_tmpl_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	return step_k8s.observe_ref(env, js, out);
}
