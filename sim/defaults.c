/* sim/defaults.c — the API server's defaulting; see defaults.h. */
#include <string.h>

#include "sim/defaults.h"
#include "util/util.h"

static cJSON *child(cJSON *o, const char *k)
{
	cJSON *c = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsObject(c))
		return c;
	if (c)
		return NULL; /* something else is there: validation says so, not us */
	return cJSON_AddObjectToObject(o, k);
}

static void put_str(cJSON *o, const char *k, const char *v)
{
	if (o && !cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_AddStringToObject(o, k, v);
}

static void put_num(cJSON *o, const char *k, double v)
{
	if (o && !cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_AddNumberToObject(o, k, v);
}

static void statefulset(cJSON *obj)
{
	cJSON *spec = child(obj, "spec"), *us, *type;

	if (!spec)
		return;
	put_num(spec, "replicas", 1);
	put_num(spec, "revisionHistoryLimit", 10);
	us = child(spec, "updateStrategy");
	if (us) {
		put_str(us, "type", "RollingUpdate");
		type = cJSON_GetObjectItemCaseSensitive(us, "type");
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "RollingUpdate"))
			put_num(child(us, "rollingUpdate"), "partition", 0);
	}
	us = child(spec, "persistentVolumeClaimRetentionPolicy");
	put_str(us, "whenDeleted", "Retain");
	put_str(us, "whenScaled", "Retain");
}

static void job(cJSON *obj)
{
	cJSON *spec = child(obj, "spec");

	if (!spec)
		return;
	put_num(spec, "parallelism", 1);
	put_num(spec, "completions", 1);
	put_num(spec, "backoffLimit", 6);
	put_str(spec, "completionMode", "NonIndexed");
	if (!cJSON_GetObjectItemCaseSensitive(spec, "suspend"))
		cJSON_AddFalseToObject(spec, "suspend");
	put_str(spec, "podReplacementPolicy", "TerminatingOrFailed");
}

void sim_defaults_apply(const sim_resource *res, cJSON *obj)
{
	if (!res || !cJSON_IsObject(obj))
		return;
	if (!strcmp(res->group, "apps") && !strcmp(res->kind, "StatefulSet"))
		statefulset(obj);
	else if (!strcmp(res->group, "batch") && !strcmp(res->kind, "Job"))
		job(obj);
	else if (!res->group[0] && !strcmp(res->kind, "PersistentVolumeClaim"))
		put_str(child(obj, "spec"), "volumeMode", "Filesystem");
}
