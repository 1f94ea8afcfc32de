/* The Kubernetes-object executor (see core/step.h): one object per step,
 * made and changed by server-side apply (fieldManager smartops), marked with
 * the run's label when the run creates it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/step.h"
#include "k8s/retry.h"
#include "util/util.h"

/* a request that changes nothing (an access review, a dry run) or that may be
 * repeated (after a read showed it had not taken): tries in all, and pauses */
#define TRIES 6
#define READ_BASE_MS 100
#define WRITE_BASE_MS 200
#define PAUSE_CAP_MS 3200
/* how long a step's write is tried again, re-observations included: an outage
 * longer than this stops the run (resumable) rather than holding it */
#define WRITE_PATIENCE_MS 8000

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *meta_of(const cJSON *obj)
{
	return cJSON_GetObjectItemCaseSensitive(obj, "metadata");
}

static const char *label(const cJSON *obj, const char *key)
{
	return jstr(cJSON_GetObjectItemCaseSensitive(meta_of(obj), "labels"), key);
}

/* GET path; *live NULL when absent. 0, or -1 with err. */
static int get(step_env *env, const char *path, cJSON **live, k8s_err *err)
{
	*live = NULL;
	if (k8s_get(env->client, path, live, err) == 0)
		return 0;
	*live = NULL;
	return err->http == 404 ? 0 : -1;
}

/* What is known of an object once read: uid, the run's mark. */
static void seen_fill(step_seen *out, cJSON *live, const char *run_label)
{
	const char *uid = live ? jstr(meta_of(live), "uid") : NULL;
	const char *run = live ? label(live, run_label) : NULL;

	out->live = live;
	util_strlcpy(out->uid, uid ? uid : "", sizeof(out->uid));
	util_strlcpy(out->run, run ? run : "", sizeof(out->run));
	out->managed = live && label(live, PLAN_LABEL_MANAGED) != NULL;
	out->replicas_not_ours = live && plan_replicas_owned_elsewhere(live);
}

static int k8s_observe(step_env *env, const plan_step *s, step_seen *out)
{
	char *path = plan_step_path(s);
	cJSON *live;
	k8s_err err;
	int rc = get(env, path, &live, &err);

	memset(out, 0, sizeof(*out));
	free(path);
	if (rc < 0) {
		step_fail(env, &err, "cannot read %s: %s", s->id, err.msg);
		return -1;
	}
	seen_fill(out, live, env->run_label);
	out->diff = plan_classify(s, live, env->prefix, env->tcode, out->reason, sizeof(out->reason));
	return 0;
}

static void k8s_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	const char *verb = d == PLAN_DIFF_CREATE ? "create" : "patch";
	size_t m;

	for (m = 0; m < *n; m++)
		if (!strcmp(need[m].verb, verb) && !strcmp(need[m].group, s->group) &&
		    !strcmp(need[m].resource, s->plural) && !strcmp(need[m].ns, s->ns))
			return;
	if (*n >= max)
		return;
	need[*n].verb = verb;
	util_strlcpy(need[*n].group, s->group, sizeof(need[*n].group));
	util_strlcpy(need[*n].resource, s->plural, sizeof(need[*n].resource));
	util_strlcpy(need[*n].ns, s->ns, sizeof(need[*n].ns));
	(*n)++;
}

/* The configuration to apply: the plan's body, plus the run label (this run's,
 * or the one the object already carries), without the replica count another
 * manager owns. */
static cJSON *apply_tree(const step_env *env, const plan_step *s, const cJSON *live)
{
	cJSON *b = cJSON_Duplicate(s->body, 1);
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(b, "metadata");
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	const char *have = live ? label(live, env->run_label) : NULL;

	if (!labels)
		labels = cJSON_AddObjectToObject(meta, "labels");
	cJSON_DeleteItemFromObjectCaseSensitive(labels, env->run_label);
	cJSON_AddStringToObject(labels, env->run_label, have ? have : env->run);
	if (live ? plan_replicas_owned_elsewhere(live) : s->replicas_not_ours) /* Hypnus's count */
		cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(b, "spec"),
							"replicas");
	return b;
}

static int k8s_dry_run(step_env *env, const plan_step *s)
{
	char *path = plan_step_path(s);
	cJSON *tree = apply_tree(env, s, NULL);
	char *body = step_print_tree(tree);
	k8s_err err;
	k8s_retry rt;
	int rc;

	cJSON_Delete(tree);
	k8s_retry_init(&rt, READ_BASE_MS, PAUSE_CAP_MS, TRIES, NULL);
	do
		rc = k8s_apply(env->client, path, body, K8S_DRY_RUN, NULL, &err);
	while (rc < 0 && k8s_retry_transient(&err) && k8s_retry_wait(&rt, &err) == K8S_RETRY_AGAIN);
	free(path);
	free(body);
	if (rc == 0)
		return 0;
	if (err.http == 403 && strstr(err.msg, "being terminated"))
		step_fail(env, &err,
		     "namespace %s is being deleted (Terminating): wait until it is gone, then try again",
		     s->ns);
	else
		step_fail(env, &err, "%s", err.msg);
	return -1;
}

/* What is there after a write whose answer was lost, or a create refused
 * because the name is taken: OK (the run's object, as planned: *out), REFUSED
 * (not the run's: never adopted; env->msg says whose), or FAILED (absent, or
 * the run's but not as planned yet: send the write again). A new object must
 * carry this run's label; an update's object must still be the tenant's. */
static engine_status reobserve(step_env *env, const plan_step *s, const char *path, int create,
			       cJSON **out)
{
	cJSON *again = NULL;
	k8s_err err;
	char reason[160];
	const char *run;
	plan_diff d;

	*out = NULL;
	if (get(env, path, &again, &err) < 0 || !again)
		return ENGINE_ST_FAILED;
	d = plan_classify(s, again, env->prefix, env->tcode, reason, sizeof(reason));
	run = label(again, env->run_label);
	if (d == PLAN_DIFF_CONFLICT || d == PLAN_DIFF_TERMINATING) {
		step_fail(env, NULL, "%s: %s", s->id, reason);
		cJSON_Delete(again);
		return ENGINE_ST_REFUSED;
	}
	if (create && (!run || strcmp(run, env->run))) {
		step_fail(env, NULL,
		     "%s: %s %s%s%s appeared meanwhile, made by %s%s, not by this run: it is not adopted",
		     s->id, s->kind, s->ns, *s->ns ? "/" : "", s->name, run ? "run " : "",
		     run ? run : "someone else");
		cJSON_Delete(again);
		return ENGINE_ST_REFUSED;
	}
	if (d != PLAN_DIFF_UNCHANGED) {
		cJSON_Delete(again);
		return ENGINE_ST_FAILED;
	}
	*out = again;
	return ENGINE_ST_OK;
}

/* After a create: the fields it wrote are handed to the same manager's apply
 * (on an API server a create is recorded as an "Update" by smartops, and a
 * later apply changing one of those fields would conflict with it). Forced,
 * since they are ours; metadata.uid makes it a precondition: the object just
 * made, not another of the same name. Best effort: the object is made either
 * way. */
static void own_fields(step_env *env, const char *path, const cJSON *tree, const char *uid)
{
	cJSON *b = cJSON_Duplicate(tree, 1);
	char *body;
	k8s_err err;
	k8s_retry rt;
	int rc;

	if (uid && *uid)
		cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(b, "metadata"), "uid", uid);
	body = step_print_tree(b);
	cJSON_Delete(b);
	k8s_retry_init(&rt, WRITE_BASE_MS, PAUSE_CAP_MS, TRIES, NULL);
	do
		rc = k8s_apply(env->client, path, body, K8S_FORCE, NULL, &err);
	while (rc < 0 && k8s_retry_transient(&err) && k8s_retry_wait(&rt, &err) == K8S_RETRY_AGAIN);
	free(body);
}

/* A new object is created (POST), never applied over one that appeared since
 * it was observed; an update is a server-side apply. A write whose answer is
 * lost (5xx, a cut connection) is re-observed before it is sent again, and so
 * is a create refused with 409 AlreadyExists: the run's object is accepted, any
 * other refused. */
static engine_status k8s_apply_step(step_env *env, const plan_step *s, const step_seen *seen,
				    step_seen *after)
{
	int create = seen->diff == PLAN_DIFF_CREATE;
	char *path = plan_step_path(s);
	char *coll = k8s_path(s->group, s->version, s->ns, s->plural, NULL);
	cJSON *tree = apply_tree(env, s, seen->live), *out = NULL;
	char *body = step_print_tree(tree);
	k8s_err err;
	k8s_retry rt;
	engine_status ret = ENGINE_ST_FAILED;
	int made = 0;

	memset(after, 0, sizeof(after[0]));
	k8s_retry_init(&rt, WRITE_BASE_MS, PAUSE_CAP_MS, TRIES, NULL);
	k8s_retry_deadline(&rt, WRITE_PATIENCE_MS);
	for (;;) {
		int rc = create ? k8s_create(env->client, coll, body, 0, &out, &err)
				: k8s_apply(env->client, path, body, 0, &out, &err);

		if (rc == 0) {
			made = create;
			ret = ENGINE_ST_OK;
			break;
		}
		if (err.http == 403) {
			step_fail(env, &err, "%s: %s", s->id, err.msg);
			ret = ENGINE_ST_FORBIDDEN;
			break;
		}
		if (create && err.http == 409) { /* the name is taken: ours (a lost reply) or not */
			k8s_err taken = err;

			ret = reobserve(env, s, path, create, &out);
			made = ret == ENGINE_ST_OK;
			if (ret != ENGINE_ST_FAILED)
				break;
			/* could not tell (unreadable, or the run's but not as planned yet) */
			if (k8s_retry_wait(&rt, &taken) != K8S_RETRY_AGAIN) {
				step_fail(env, &taken, "%s: %s", s->id, taken.msg);
				break;
			}
			continue;
		}
		if (!k8s_retry_transient(&err) || k8s_retry_wait(&rt, &err) != K8S_RETRY_AGAIN) {
			step_fail(env, &err, "%s: %s", s->id, err.msg);
			break;
		}
		/* the write may or may not have taken: look before sending it again */
		ret = reobserve(env, s, path, create, &out);
		if (ret == ENGINE_ST_OK)
			made = create;
		if (ret != ENGINE_ST_FAILED)
			break;
	}
	if (ret == ENGINE_ST_OK) {
		if (made)
			own_fields(env, path, tree, jstr(meta_of(out), "uid"));
		seen_fill(after, out, env->run_label);
		after->diff = PLAN_DIFF_UNCHANGED;
	} else {
		cJSON_Delete(out);
	}
	cJSON_Delete(tree);
	free(body);
	free(coll);
	free(path);
	return ret;
}

static step_wait_state k8s_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	char *path = plan_step_path(s);
	cJSON *live;
	k8s_err err;
	int rc = get(env, path, &live, &err), ready = 0, desired = 0, ok;
	const cJSON *st;
	const char *phase;

	free(path);
	if (rc < 0) {
		step_fail(env, &err, "%s", err.msg);
		return STEP_WAIT_ERROR;
	}
	if (!live) {
		if (what)
			snprintf(what, size, "%s %s/%s: it does not exist", s->kind, s->ns, s->name);
		env->http = 404;
		util_strlcpy(env->msg, "it does not exist", sizeof(env->msg));
		return STEP_WAIT_NOT_YET;
	}
	st = cJSON_GetObjectItemCaseSensitive(live, "status");
	switch (s->wait) {
	case PLAN_WAIT_READY:
		ok = engine_object_ready(live, &ready, &desired);
		if (what)
			snprintf(what, size, "%s %s/%s ready (%d/%d)", s->kind, s->ns, s->name, ready,
				 desired);
		break;
	case PLAN_WAIT_COMPLETE: {
		const cJSON *okc = cJSON_GetObjectItemCaseSensitive(st, "succeeded");
		const cJSON *bad = cJSON_GetObjectItemCaseSensitive(st, "failed");

		ok = cJSON_IsNumber(okc) && okc->valuedouble >= 1;
		if (!ok && cJSON_IsNumber(bad) && bad->valuedouble >= 1 &&
		    !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "active"))) {
			step_fail(env, NULL, "%s %s/%s failed", s->kind, s->ns, s->name);
			cJSON_Delete(live);
			return STEP_WAIT_FAILED;
		}
		if (what)
			snprintf(what, size, "%s %s/%s complete", s->kind, s->ns, s->name);
		break;
	}
	case PLAN_WAIT_BOUND:
		phase = jstr(st, "phase");
		ok = phase && !strcmp(phase, "Bound");
		if (what)
			snprintf(what, size, "%s %s/%s bound (%s)", s->kind, s->ns, s->name,
				 phase ? phase : "no phase yet");
		break;
	default:
		ok = 1;
		break;
	}
	cJSON_Delete(live);
	return ok ? STEP_WAIT_DONE : STEP_WAIT_NOT_YET;
}

static cJSON *k8s_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	cJSON *tree = apply_tree(env, s, seen->live);
	cJSON *prior = plan_prior_record(tree, seen->live);

	cJSON_Delete(tree);
	return prior;
}

static void k8s_ref(const plan_step *s, char *out, size_t size)
{
	char *path = plan_step_path(s);

	util_strlcpy(out, path, size);
	free(path);
}

static int k8s_ref_check(const char *ref, char *err, size_t errsz)
{
	journal_object o;

	return journal_path_parse(ref, &o, err, errsz);
}

static int k8s_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	cJSON *live;
	k8s_err err;

	memset(out, 0, sizeof(*out));
	if (get(env, js->path, &live, &err) < 0) {
		step_fail(env, &err, "%s", err.msg);
		return -1;
	}
	seen_fill(out, live, env->run_label);
	return 0;
}

static int list_any(void *ctx, const cJSON *item)
{
	char *first = ctx;
	const char *name = jstr(meta_of(item), "name");

	snprintf(first, 128, "%s", name ? name : "?");
	return 1;
}

/* A namespace holding objects (this run's are gone by now) is kept. */
static int k8s_holds_others(step_env *env, const journal_step *js, char *what, size_t size)
{
	static const char *const kinds[][3] = {
	    {"", "v1", "configmaps"},	     {"", "v1", "secrets"},
	    {"", "v1", "services"},	     {"", "v1", "persistentvolumeclaims"},
	    {"apps", "v1", "deployments"},   {"apps", "v1", "statefulsets"},
	    {"batch", "v1", "jobs"},	     {"networking.k8s.io", "v1", "ingresses"},
	    {"networking.k8s.io", "v1", "networkpolicies"},
	    {"", "v1", "serviceaccounts"},   {"rbac.authorization.k8s.io", "v1", "rolebindings"},
	    {"", "v1", "resourcequotas"},    {"", "v1", "limitranges"},
	};
	journal_object o;
	size_t i;

	if (journal_path_parse(js->path, &o, NULL, 0) < 0 || o.ns[0] || o.group[0] ||
	    strcmp(o.plural, "namespaces"))
		return 0; /* only a namespace holds others' objects */
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		char *path = k8s_path(kinds[i][0], kinds[i][1], o.name, kinds[i][2], NULL);
		k8s_list_opts lo = {.limit = 5};
		char first[128] = "";
		k8s_err err;
		int rc = k8s_list(env->client, path, &lo, list_any, first, NULL, 0, &err);

		free(path);
		if (rc == 1 || first[0]) {
			snprintf(what, size, "%s/%s", kinds[i][2], first);
			return 1;
		}
	}
	return 0;
}

static void add_need(step_need *need, size_t *n, size_t max, const char *verb,
		     const journal_object *o)
{
	size_t m;

	for (m = 0; m < *n; m++)
		if (!strcmp(need[m].verb, verb) && !strcmp(need[m].group, o->group) &&
		    !strcmp(need[m].resource, o->plural) && !strcmp(need[m].ns, o->ns))
			return;
	if (*n >= max)
		return;
	need[*n].verb = verb;
	util_strlcpy(need[*n].group, o->group, sizeof(need[*n].group));
	util_strlcpy(need[*n].resource, o->plural, sizeof(need[*n].resource));
	util_strlcpy(need[*n].ns, o->ns, sizeof(need[*n].ns));
	(*n)++;
}

static void k8s_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	journal_object o;

	if (js->state == STEP_PENDING || journal_path_parse(js->path, &o, NULL, 0) < 0)
		return;
	if (js->created)
		add_need(need, n, max, "delete", &o);
	if (js->prior)
		add_need(need, n, max, "patch", &o);
}

static engine_status k8s_remove(step_env *env, const journal_step *js)
{
	k8s_err err;
	k8s_retry rt;

	/* a delete that took and lost its answer is a 404 the next time */
	k8s_retry_init(&rt, WRITE_BASE_MS, PAUSE_CAP_MS, TRIES, NULL);
	for (;;) {
		if (k8s_delete(env->client, js->path, 0, &err) == 0 || err.http == 404)
			return ENGINE_ST_OK;
		if (!k8s_retry_transient(&err) || k8s_retry_wait(&rt, &err) != K8S_RETRY_AGAIN)
			break;
	}
	step_fail(env, &err, "%s", err.msg);
	return err.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

static engine_status k8s_restore(step_env *env, const journal_step *js)
{
	const cJSON *config = plan_prior_config(js->prior);
	char *body;
	k8s_err err;
	k8s_retry rt;
	int rc;

	if (!config) {
		step_fail(env, NULL, "%s: the journal holds no prior configuration", js->id);
		return ENGINE_ST_FAILED;
	}
	body = step_print_tree(config);
	/* the same field manager, no force: a field someone else owns now is a
	 * conflict, and the object is left as it is; the apply is idempotent */
	k8s_retry_init(&rt, WRITE_BASE_MS, PAUSE_CAP_MS, TRIES, NULL);
	do
		rc = k8s_apply(env->client, js->path, body, 0, NULL, &err);
	while (rc < 0 && k8s_retry_transient(&err) && k8s_retry_wait(&rt, &err) == K8S_RETRY_AGAIN);
	free(body);
	if (rc == 0)
		return ENGINE_ST_OK;
	step_fail(env, &err, "%s", err.msg);
	if (err.http == 409)
		return ENGINE_ST_REFUSED;
	return err.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

const step_exec step_k8s = {
    .name = "k8s",
    .observe = k8s_observe,
    .access = k8s_access,
    .dry_run = k8s_dry_run,
    .apply = k8s_apply_step,
    .check = k8s_check,
    .prior = k8s_prior,
    .ref = k8s_ref,
    .ref_check = k8s_ref_check,
    .undo_access = k8s_undo_access,
    .observe_ref = k8s_observe_ref,
    .holds_others = k8s_holds_others,
    .remove = k8s_remove,
    .restore = k8s_restore,
};
