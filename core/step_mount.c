/* The mount executor (see core/step_mount.h): a volume and its mount added to
 * an existing workload's pod template by server-side apply as a field manager
 * of their own, so the apply holds just those two fields and leaves the rest
 * of the object, and whoever owns it, alone. Reading, waiting and the
 * journal's form are the Kubernetes executor's. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/plan_prior.h"
#include "core/step_mount.h"
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

/* {apiVersion, kind, metadata{name, namespace}} of the step's object. */
static cJSON *bare(const cJSON *body)
{
	cJSON *o = cJSON_CreateObject(), *meta;
	const cJSON *bm = jget(body, "metadata");

	cJSON_AddStringToObject(o, "apiVersion", jstr(body, "apiVersion") ? jstr(body, "apiVersion") : "");
	cJSON_AddStringToObject(o, "kind", jstr(body, "kind") ? jstr(body, "kind") : "");
	meta = cJSON_AddObjectToObject(o, "metadata");
	cJSON_AddStringToObject(meta, "name", jstr(bm, "name") ? jstr(bm, "name") : "");
	if (jstr(bm, "namespace"))
		cJSON_AddStringToObject(meta, "namespace", jstr(bm, "namespace"));
	return o;
}

/* What the manager applies: of the plan's body (the lists as they will be, so
 * that the plan compares with the live object), the volume and mount named
 * name only, the first container by its name. */
static cJSON *mount_config(const plan_step *s)
{
	const cJSON *pspec = jget(jget(jget(s->body, "spec"), "template"), "spec"), *v;
	const cJSON *ct = cJSON_GetArrayItem(jget(pspec, "containers"), 0);
	cJSON *o = bare(s->body), *tspec, *c, *mounts, *vols;

	tspec = cJSON_AddObjectToObject(
	    cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "spec"), "template"), "spec");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "name", jstr(ct, "name") ? jstr(ct, "name") : "");
	mounts = cJSON_AddArrayToObject(c, "volumeMounts");
	cJSON_ArrayForEach(v, jget(ct, "volumeMounts"))
		if (jstr(v, "name") && !strcmp(jstr(v, "name"), STEP_MOUNT_VOLUME))
			cJSON_AddItemToArray(mounts, cJSON_Duplicate(v, 1));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(tspec, "containers"), c);
	vols = cJSON_AddArrayToObject(tspec, "volumes");
	cJSON_ArrayForEach(v, jget(pspec, "volumes"))
		if (jstr(v, "name") && !strcmp(jstr(v, "name"), STEP_MOUNT_VOLUME))
			cJSON_AddItemToArray(vols, cJSON_Duplicate(v, 1));
	return o;
}

/* One apply as the mount's manager, with retries of what may not have taken
 * (an apply is idempotent). 0, or -1 with err. */
static int apply_as(step_env *env, const char *path, const cJSON *tree, int flags, cJSON **out,
		    k8s_err *err)
{
	char *body = step_print_tree(tree);
	k8s_retry rt;
	int rc;

	k8s_retry_init(&rt, BASE_MS, CAP_MS, TRIES, NULL);
	k8s_retry_deadline(&rt, PATIENCE_MS);
	do
		rc = k8s_apply_as(env->client, path, body, STEP_MOUNT_MANAGER, flags, out, err);
	while (rc < 0 && k8s_retry_transient(err) && k8s_retry_wait(&rt, err) == K8S_RETRY_AGAIN);
	free(body);
	return rc;
}

static int mount_dry_run(step_env *env, const plan_step *s)
{
	char *path = plan_step_path(s);
	cJSON *tree = mount_config(s);
	k8s_err err;
	int rc = apply_as(env, path, tree, K8S_DRY_RUN, NULL, &err);

	cJSON_Delete(tree);
	free(path);
	if (rc < 0)
		step_fail(env, &err, "%s", err.msg);
	return rc;
}

static engine_status mount_apply(step_env *env, const plan_step *s, const step_seen *seen,
				 step_seen *after)
{
	char *path = plan_step_path(s);
	cJSON *tree, *out = NULL;
	k8s_err err;
	int rc;

	memset(after, 0, sizeof(*after));
	if (seen->diff == PLAN_DIFF_CREATE) { /* a mount goes into a workload that exists */
		step_fail(env, NULL, "%s: %s %s/%s does not exist: nothing to mount the volume in", s->id,
		     s->kind, s->ns, s->name);
		free(path);
		return ENGINE_ST_REFUSED;
	}
	tree = mount_config(s);
	rc = apply_as(env, path, tree, 0, &out, &err);
	cJSON_Delete(tree);
	free(path);
	if (rc < 0) {
		step_fail(env, &err, "%s: %s", s->id, err.msg);
		return err.http == 403 ? ENGINE_ST_FORBIDDEN
		       : err.http == 409 ? ENGINE_ST_REFUSED
					 : ENGINE_ST_FAILED;
	}
	{
		const cJSON *meta = jget(out, "metadata");
		const char *uid = jstr(meta, "uid");
		const char *run = jstr(jget(meta, "labels"), env->run_label);

		after->live = out;
		util_strlcpy(after->uid, uid ? uid : "", sizeof(after->uid));
		util_strlcpy(after->run, run ? run : "", sizeof(after->run));
		after->managed = jstr(jget(meta, "labels"), PLAN_LABEL_MANAGED) != NULL;
		after->diff = PLAN_DIFF_UNCHANGED;
	}
	return ENGINE_ST_OK;
}

/* The prior state of the plan's lists (what a rollback compares with). */
static cJSON *mount_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	(void)env;
	return plan_prior_record(s->body, seen->live);
}

/* Gives up every field of the manager: the volume and the mount go, the rest
 * stays as its owners keep it. */
static engine_status mount_restore(step_env *env, const journal_step *js)
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

/* A mount is never deleted with its workload: a rollback only gives it up. */
static engine_status mount_remove(step_env *env, const journal_step *js)
{
	step_fail(env, NULL, "%s: a mount is taken out, never deleted with its workload", js->id);
	return ENGINE_ST_REFUSED;
}

/* ---- the Kubernetes executor's, as they are ---- */

static int mount_observe(step_env *env, const plan_step *s, step_seen *out)
{
	return step_k8s.observe(env, s, out);
}

static void mount_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	step_k8s.access(s, d, need, n, max);
}

static step_wait_state mount_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	return step_k8s.check(env, s, what, size);
}

static void mount_ref(const plan_step *s, char *out, size_t size)
{
	step_k8s.ref(s, out, size);
}

static int mount_ref_check(const char *ref, char *err, size_t errsz)
{
	return step_k8s.ref_check(ref, err, errsz);
}

static void mount_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	step_k8s.undo_access(js, need, n, max);
}

static int mount_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	return step_k8s.observe_ref(env, js, out);
}

const step_exec step_mount = {
    .name = STEP_MOUNT_EXEC,
    .observe = mount_observe,
    .access = mount_access,
    .dry_run = mount_dry_run,
    .apply = mount_apply,
    .check = mount_check,
    .prior = mount_prior,
    .ref = mount_ref,
    .ref_check = mount_ref_check,
    .undo_access = mount_undo_access,
    .observe_ref = mount_observe_ref,
    .holds_others = NULL,
    .remove = mount_remove,
    .restore = mount_restore,
};
