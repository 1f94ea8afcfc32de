/* The roll executor (see core/step_roll.h): the plan's body is the workload's
 * identity and the one pod-template annotation, applied as they are. */
#include <stdio.h>
#include <string.h>

#include "core/plan_prior.h"
#include "core/step_roll.h"
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

/* {apiVersion, kind, metadata{name, namespace}}: an apply of nothing. */
static cJSON *bare(const cJSON *body)
{
	const cJSON *bm = cJSON_GetObjectItemCaseSensitive(body, "metadata");
	cJSON *o = cJSON_CreateObject(), *meta;

	cJSON_AddStringToObject(o, "apiVersion", jstr(body, "apiVersion") ? jstr(body, "apiVersion") : "");
	cJSON_AddStringToObject(o, "kind", jstr(body, "kind") ? jstr(body, "kind") : "");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", jstr(bm, "name") ? jstr(bm, "name") : "");
	if (jstr(bm, "namespace"))
		cJSON_AddStringToObject(meta, "namespace", jstr(bm, "namespace"));
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
		rc = k8s_apply_as(env->client, path, body, STEP_ROLL_MANAGER, flags, out, err);
	while (rc < 0 && k8s_retry_transient(err) && k8s_retry_wait(&rt, err) == K8S_RETRY_AGAIN);
	free(body);
	return rc;
}

static int roll_dry_run(step_env *env, const plan_step *s)
{
	char *path = plan_step_path(s);
	k8s_err err;
	int rc = apply_as(env, path, s->body, K8S_DRY_RUN, NULL, &err);

	free(path);
	if (rc < 0)
		step_fail(env, &err, "%s", err.msg);
	return rc;
}

static engine_status roll_apply(step_env *env, const plan_step *s, const step_seen *seen, step_seen *after)
{
	char *path;
	cJSON *out = NULL;
	const cJSON *meta;
	const char *uid, *run;
	k8s_err err;
	int rc;

	memset(after, 0, sizeof(*after));
	if (seen->diff == PLAN_DIFF_CREATE) {
		step_fail(env, NULL, "%s: %s %s/%s does not exist: there is nothing to roll", s->id, s->kind, s->ns,
			  s->name);
		return ENGINE_ST_REFUSED;
	}
	path = plan_step_path(s);
	rc = apply_as(env, path, s->body, 0, &out, &err);
	free(path);
	if (rc < 0) {
		step_fail(env, &err, "%s: %s", s->id, err.msg);
		return err.http == 403 ? ENGINE_ST_FORBIDDEN : err.http == 409 ? ENGINE_ST_REFUSED : ENGINE_ST_FAILED;
	}
	meta = cJSON_GetObjectItemCaseSensitive(out, "metadata");
	uid = jstr(meta, "uid");
	run = jstr(cJSON_GetObjectItemCaseSensitive(meta, "labels"), env->run_label);
	after->live = out;
	util_strlcpy(after->uid, uid ? uid : "", sizeof(after->uid));
	util_strlcpy(after->run, run ? run : "", sizeof(after->run));
	after->managed = jstr(cJSON_GetObjectItemCaseSensitive(meta, "labels"), PLAN_LABEL_MANAGED) != NULL;
	after->diff = PLAN_DIFF_UNCHANGED;
	return ENGINE_ST_OK;
}

static cJSON *roll_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	(void)env;
	return plan_prior_record(s->body, seen->live);
}

static engine_status roll_restore(step_env *env, const journal_step *js)
{
	const cJSON *config = plan_prior_config(js->prior);
	cJSON *tree;
	k8s_err err;
	int rc;

	if (!config) {
		step_fail(env, NULL, "%s: the journal holds no prior configuration", js->id);
		return ENGINE_ST_FAILED;
	}
	tree = bare(config);
	rc = apply_as(env, js->path, tree, 0, NULL, &err);
	cJSON_Delete(tree);
	if (rc == 0)
		return ENGINE_ST_OK;
	step_fail(env, &err, "%s", err.msg);
	return err.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

static engine_status roll_remove(step_env *env, const journal_step *js)
{
	step_fail(env, NULL, "%s: a rollout is taken back, never deleted with its workload", js->id);
	return ENGINE_ST_REFUSED;
}

static int roll_observe(step_env *env, const plan_step *s, step_seen *out)
{
	return step_k8s.observe(env, s, out);
}

static void roll_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	step_k8s.access(s, d, need, n, max);
}

static step_wait_state roll_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	return step_k8s.check(env, s, what, size);
}

static void roll_ref(const plan_step *s, char *out, size_t size)
{
	step_k8s.ref(s, out, size);
}

static int roll_ref_check(const char *ref, char *err, size_t errsz)
{
	return step_k8s.ref_check(ref, err, errsz);
}

static void roll_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	step_k8s.undo_access(js, need, n, max);
}

static int roll_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	return step_k8s.observe_ref(env, js, out);
}

const step_exec step_roll = {
    .name = STEP_ROLL_EXEC,
    .observe = roll_observe,
    .access = roll_access,
    .dry_run = roll_dry_run,
    .apply = roll_apply,
    .check = roll_check,
    .prior = roll_prior,
    .ref = roll_ref,
    .ref_check = roll_ref_check,
    .undo_access = roll_undo_access,
    .observe_ref = roll_observe_ref,
    .holds_others = NULL,
    .remove = roll_remove,
    .restore = roll_restore,
};
