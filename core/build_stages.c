/* core/build_stages.c — a build's stages from its pod, or from its history. */
#include <stdio.h>
#include <string.h>

#include "core/build_stages.h"
#include "core/step_job.h"
#include "util/util.h"

static const char *const usual[] = {"checkout", "sonarqube", "compile", "upload"};

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* src on one line (control characters as spaces), cut to size. */
static void one_line(char *dst, const char *src, size_t size)
{
	size_t i;

	util_strlcpy(dst, src ? src : "", size);
	for (i = 0; dst[i]; i++)
		if ((unsigned char)dst[i] < 0x20)
			dst[i] = ' ';
}

const char *build_stage_state_name(build_stage_state s)
{
	static const char *const names[] = {"pending", "running", "succeeded", "failed", "unknown"};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static const cJSON *status_of(const cJSON *statuses, const char *name)
{
	const cJSON *st;

	cJSON_ArrayForEach(st, statuses)
	{
		const char *n = jstr(st, "name");
		if (n && !strcmp(n, name))
			return st;
	}
	return NULL;
}

void build_stages_from_pod(const cJSON *pod, build_stages *out)
{
	const cJSON *inits = jget(jget(pod, "spec"), "initContainers");
	const cJSON *statuses = jget(jget(pod, "status"), "initContainerStatuses");
	const cJSON *ct;

	memset(out, 0, sizeof(*out));
	one_line(out->pod, jstr(jget(pod, "metadata"), "name"), sizeof(out->pod));
	cJSON_ArrayForEach(ct, inits)
	{
		const char *name = jstr(ct, "name");
		const cJSON *state = jget(status_of(statuses, name ? name : ""), "state");
		const cJSON *term = jget(state, "terminated"), *code = jget(term, "exitCode");
		build_stage *s;

		if (!name || out->n >= BUILD_STAGES_MAX)
			continue;
		s = &out->st[out->n++];
		one_line(s->name, name, sizeof(s->name));
		if (term) {
			int good = cJSON_IsNumber(code) && code->valuedouble == 0;
			s->state = good ? BUILD_STAGE_SUCCEEDED : BUILD_STAGE_FAILED;
			if (!good)
				one_line(s->reason, jstr(term, "reason") ? jstr(term, "reason") : "Error",
					 sizeof(s->reason));
			one_line(s->message, jstr(term, "message"), sizeof(s->message));
		} else if (jget(state, "running")) {
			s->state = BUILD_STAGE_RUNNING;
		} else {
			s->state = BUILD_STAGE_PENDING;
			one_line(s->reason, jstr(jget(state, "waiting"), "reason"), sizeof(s->reason));
		}
	}
}

void build_stages_from_entry(const build_entry *e, build_stages *out)
{
	size_t i, at = ARRAY_SIZE(usual);
	int succeeded = !strcmp(e->state, "succeeded"), failed = !strcmp(e->state, "failed");

	memset(out, 0, sizeof(*out));
	out->from_history = 1;
	for (i = 0; i < ARRAY_SIZE(usual); i++)
		if (e->stage[0] && !strcmp(e->stage, usual[i]))
			at = i;
	for (i = 0; i < ARRAY_SIZE(usual); i++) {
		build_stage *s = &out->st[out->n++];

		util_strlcpy(s->name, usual[i], sizeof(s->name));
		if (succeeded)
			s->state = BUILD_STAGE_SUCCEEDED;
		else if (at == ARRAY_SIZE(usual))
			s->state = BUILD_STAGE_UNKNOWN; /* the history does not say where it was */
		else if (i < at)
			s->state = BUILD_STAGE_SUCCEEDED;
		else if (i > at)
			s->state = BUILD_STAGE_PENDING;
		else if (failed) {
			s->state = BUILD_STAGE_FAILED;
			one_line(s->message, e->reason[0] ? e->reason : "no reason recorded", sizeof(s->message));
		} else {
			s->state = BUILD_STAGE_RUNNING;
		}
	}
}

int build_stages_read(k8s_client *c, const char *ns, const build_entry *e, build_stages *out,
		      k8s_err *err)
{
	char name[64], *path;
	cJSON *job = NULL, *pod = NULL;
	int rc;

	snprintf(name, sizeof(name), "%s%s", BUILD_JOB_PREFIX, e->id);
	path = xasprintf("/apis/batch/v1/namespaces/%s/jobs/%s", ns, name);
	rc = k8s_get(c, path, &job, err);
	free(path);
	if (rc < 0 && err->http != 404)
		return -1;
	if (job)
		pod = job_pod(c, ns, name, err);
	if (job && !pod && err->msg[0]) {
		cJSON_Delete(job);
		return -1;
	}
	if (pod && cJSON_GetArraySize(jget(jget(pod, "spec"), "initContainers")) > 0)
		build_stages_from_pod(pod, out);
	else
		build_stages_from_entry(e, out);
	if (pod && !out->pod[0])
		one_line(out->pod, jstr(jget(pod, "metadata"), "name"), sizeof(out->pod));
	out->job = job != NULL;
	cJSON_Delete(job);
	cJSON_Delete(pod);
	k8s_err_clear(err);
	return 0;
}
