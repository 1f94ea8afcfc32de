/* The Job executor (see core/step_job.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/step_job.h"
#include "util/util.h"

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

const char *job_state_name(int state)
{
	return state == JOB_SUCCEEDED ? "succeeded" : state == JOB_FAILED ? "failed" : "running";
}

/* One line of printable text. */
static void one_line(char *dst, const char *src, size_t size)
{
	size_t k = 0;

	for (; src && *src && k + 1 < size; src++)
		dst[k++] = (unsigned char)*src < ' ' || *src == 0x7f ? ' ' : *src;
	if (size)
		dst[k] = '\0';
	while (k && dst[k - 1] == ' ')
		dst[--k] = '\0';
}

static const cJSON *status_of(const cJSON *statuses, const char *name)
{
	const cJSON *st;

	cJSON_ArrayForEach(st, statuses)
		if (jstr(st, "name") && !strcmp(jstr(st, "name"), name))
			return st;
	return NULL;
}

const char *job_stage_message(const cJSON *pod, const char *name)
{
	const cJSON *st = status_of(jget(jget(pod, "status"), "initContainerStatuses"), name);

	return jstr(jget(jget(st, "state"), "terminated"), "message");
}

/* The Job's condition type (Complete, Failed) when True; its time into at. */
static int condition(const cJSON *job, const char *type, char *at, size_t size)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, jget(jget(job, "status"), "conditions"))
	{
		const char *t = jstr(c, "type"), *s = jstr(c, "status");

		if (t && s && !strcmp(t, type) && !strcmp(s, "True")) {
			const char *when = jstr(c, "lastTransitionTime");

			util_strlcpy(at, when ? when : "", size);
			return 1;
		}
	}
	return 0;
}

void job_progress_read(const cJSON *job, const cJSON *pod, job_progress *out)
{
	const cJSON *inits = jget(jget(pod, "spec"), "initContainers");
	const cJSON *statuses = jget(jget(pod, "status"), "initContainerStatuses");
	const cJSON *ct, *main_ct = cJSON_GetArrayItem(jget(jget(pod, "spec"), "containers"), 0);
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->state = JOB_RUNNING;
	if (condition(job, "Complete", out->finished, sizeof(out->finished)))
		out->state = JOB_SUCCEEDED;
	else if (condition(job, "Failed", out->finished, sizeof(out->finished)))
		out->state = JOB_FAILED;
	out->n_stages = (size_t)cJSON_GetArraySize(inits);
	cJSON_ArrayForEach(ct, inits)
	{
		const char *name = jstr(ct, "name");
		const cJSON *st = name ? status_of(statuses, name) : NULL, *state = jget(st, "state");
		const cJSON *term = jget(state, "terminated"), *code = jget(term, "exitCode");

		i++;
		if (!name)
			continue;
		if (term && cJSON_IsNumber(code) && code->valuedouble == 0)
			continue; /* this stage is behind us */
		util_strlcpy(out->stage, name, sizeof(out->stage));
		out->stage_no = i;
		if (term) { /* ended badly: the stage that failed */
			one_line(out->reason, jstr(term, "reason") ? jstr(term, "reason") : "Error",
				 sizeof(out->reason));
			one_line(out->message, jstr(term, "message"), sizeof(out->message));
		} else if (jget(state, "waiting")) {
			one_line(out->reason, jstr(jget(state, "waiting"), "reason"), sizeof(out->reason));
		}
		return;
	}
	if (!statuses && !pod)
		return;
	/* every init container done: the main one (or nothing to say without a pod) */
	if (out->n_stages && main_ct && jstr(main_ct, "name")) {
		util_strlcpy(out->stage, jstr(main_ct, "name"), sizeof(out->stage));
		out->stage_no = 0;
		{
			const cJSON *st = status_of(jget(jget(pod, "status"), "containerStatuses"),
						    out->stage);
			const cJSON *term = jget(jget(st, "state"), "terminated");
			const cJSON *code = jget(term, "exitCode");

			if (term && cJSON_IsNumber(code) && code->valuedouble != 0) {
				one_line(out->reason, jstr(term, "reason") ? jstr(term, "reason") : "Error",
					 sizeof(out->reason));
				one_line(out->message, jstr(term, "message"), sizeof(out->message));
			}
		}
	}
}

void job_progress_line(const job_progress *p, const char *ns, const char *name, char *out,
		       size_t size)
{
	if (!p->stage[0])
		snprintf(out, size, "Job %s/%s complete (no pod yet)", ns, name);
	else if (p->stage_no)
		snprintf(out, size, "Job %s/%s complete (stage %s %zu/%zu%s%s)", ns, name, p->stage,
			 p->stage_no, p->n_stages, p->reason[0] ? ": " : "", p->reason);
	else
		snprintf(out, size, "Job %s/%s complete (stage %s)", ns, name, p->stage);
}

cJSON *job_pod(k8s_client *c, const char *ns, const char *name, k8s_err *err)
{
	char *sel = xasprintf("job-name=%s", name), *q = k8s_query_escape(sel);
	char *path = xasprintf("/api/v1/namespaces/%s/pods?labelSelector=%s", ns, q);
	cJSON *list = NULL, *best = NULL;
	const cJSON *it;
	const char *best_ts = "";

	free(sel);
	free(q);
	k8s_err_clear(err);
	if (k8s_get(c, path, &list, err) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	cJSON_ArrayForEach(it, jget(list, "items"))
	{
		const char *ts = jstr(jget(it, "metadata"), "creationTimestamp");

		if (!best || (ts && strcmp(ts, best_ts) > 0)) {
			best = (cJSON *)it;
			best_ts = ts ? ts : "";
		}
	}
	best = best ? cJSON_Duplicate(best, 1) : NULL;
	cJSON_Delete(list);
	return best;
}

/* ---- the executor ---- */

static step_wait_state job_check(step_env *env, const plan_step *s, char *what, size_t size)
{
	char *path;
	cJSON *job = NULL, *pod;
	job_progress p;
	k8s_err err;

	if (s->wait != PLAN_WAIT_COMPLETE)
		return step_k8s.check(env, s, what, size);
	path = plan_step_path(s);
	if (k8s_get(env->client, path, &job, &err) < 0) {
		free(path);
		if (err.http == 404) {
			if (what)
				snprintf(what, size, "Job %s/%s: it does not exist", s->ns, s->name);
			env->http = 404;
			util_strlcpy(env->msg, "it does not exist", sizeof(env->msg));
			return STEP_WAIT_NOT_YET;
		}
		step_fail(env, &err, "%s", err.msg);
		return STEP_WAIT_ERROR;
	}
	free(path);
	pod = job_pod(env->client, s->ns, s->name, &err); /* NULL: none yet (or unreadable) */
	job_progress_read(job, pod, &p);
	cJSON_Delete(pod);
	cJSON_Delete(job);
	if (what)
		job_progress_line(&p, s->ns, s->name, what, size);
	if (p.state == JOB_SUCCEEDED)
		return STEP_WAIT_DONE;
	if (p.state == JOB_FAILED) {
		if (p.stage[0])
			step_fail(env, NULL, "Job %s/%s failed at stage %s (%s)%s%s", s->ns, s->name,
				  p.stage, p.reason[0] ? p.reason : "Error", p.message[0] ? ": " : "",
				  p.message);
		else
			step_fail(env, NULL, "Job %s/%s failed before its pod ran", s->ns, s->name);
		return STEP_WAIT_FAILED;
	}
	return STEP_WAIT_NOT_YET;
}

/* ---- the Kubernetes executor's, as they are ---- */

static int job_observe(step_env *env, const plan_step *s, step_seen *out)
{
	return step_k8s.observe(env, s, out);
}

static void job_access(const plan_step *s, plan_diff d, step_need *need, size_t *n, size_t max)
{
	step_k8s.access(s, d, need, n, max);
}

static int job_dry_run(step_env *env, const plan_step *s)
{
	return step_k8s.dry_run(env, s);
}

static engine_status job_apply(step_env *env, const plan_step *s, const step_seen *seen,
			       step_seen *after)
{
	return step_k8s.apply(env, s, seen, after);
}

static cJSON *job_prior(step_env *env, const plan_step *s, const step_seen *seen)
{
	return step_k8s.prior(env, s, seen);
}

static void job_ref(const plan_step *s, char *out, size_t size)
{
	step_k8s.ref(s, out, size);
}

static int job_ref_check(const char *ref, char *err, size_t errsz)
{
	return step_k8s.ref_check(ref, err, errsz);
}

static void job_undo_access(const journal_step *js, step_need *need, size_t *n, size_t max)
{
	step_k8s.undo_access(js, need, n, max);
}

static int job_observe_ref(step_env *env, const journal_step *js, step_seen *out)
{
	return step_k8s.observe_ref(env, js, out);
}

/* A Job's pods go with it (propagation Background, as kubectl does). */
static engine_status job_remove(step_env *env, const journal_step *js)
{
	char *path = xasprintf("%s?propagationPolicy=Background", js->path);
	k8s_err err;
	int tries;

	for (tries = 0; tries < 3; tries++) {
		if (k8s_delete(env->client, path, 0, &err) == 0 || err.http == 404) {
			free(path);
			return ENGINE_ST_OK;
		}
		if (err.http == 403)
			break;
	}
	free(path);
	step_fail(env, &err, "%s", err.msg);
	return err.http == 403 ? ENGINE_ST_FORBIDDEN : ENGINE_ST_FAILED;
}

static engine_status job_restore(step_env *env, const journal_step *js)
{
	return step_k8s.restore(env, js);
}

const step_exec step_job = {
    .name = STEP_JOB_EXEC,
    .observe = job_observe,
    .access = job_access,
    .dry_run = job_dry_run,
    .apply = job_apply,
    .check = job_check,
    .prior = job_prior,
    .ref = job_ref,
    .ref_check = job_ref_check,
    .undo_access = job_undo_access,
    .observe_ref = job_observe_ref,
    .holds_others = NULL,
    .remove = job_remove,
    .restore = job_restore,
};
