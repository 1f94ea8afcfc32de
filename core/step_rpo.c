/* The RPO executor (see core/step_rpo.h): the template's annotations and the
 * first container's STEP_RPO_ENV entry, applied as a field manager of their
 * own; a restore applies the manager's fields of the prior state again
 * (core/step_tmpl.h). */
#include <string.h>

#include "core/step_rpo.h"
#include "core/step_tmpl.h"

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

static const step_tmpl rpo_tmpl = {
    .manager = STEP_RPO_MANAGER,
    .apply_tree = rpo_config,
    .restore_tree = rpo_config, /* none: given up, so the annotations and the variable go */
    .absent = "no AppServer to give the RPO to",
    .removed = "an RPO is put back, never deleted with its AppServer",
};

STEP_TMPL_EXEC(step_rpo, STEP_RPO_EXEC, rpo_tmpl);
