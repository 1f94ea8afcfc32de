/* The mount executor (see core/step_mount.h): a volume and its mount added to
 * an existing workload's pod template by server-side apply as a field manager
 * of their own, so the apply holds just those two fields and leaves the rest
 * of the object, and whoever owns it, alone; a restore gives them up (the
 * volume and the mount go, the rest stays as its owners keep it). Reading,
 * waiting and the journal's form are the Kubernetes executor's
 * (core/step_tmpl.h). */
#include <string.h>

#include "core/step_mount.h"
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

/* What the manager applies: of the plan's body (the lists as they will be, so
 * that the plan compares with the live object), the volume and mount named
 * name only, the first container by its name. */
static cJSON *mount_config(const cJSON *body)
{
	const cJSON *pspec = jget(jget(jget(body, "spec"), "template"), "spec"), *v;
	const cJSON *ct = cJSON_GetArrayItem(jget(pspec, "containers"), 0);
	cJSON *o = step_tmpl_bare(body), *tspec, *c, *mounts, *vols;

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

static const step_tmpl mount_tmpl = {
    .manager = STEP_MOUNT_MANAGER,
    .apply_tree = mount_config,
    .restore_tree = NULL, /* every field of the manager given up */
    .absent = "nothing to mount the volume in",
    .removed = "a mount is taken out, never deleted with its workload",
};

STEP_TMPL_EXEC(step_mount, STEP_MOUNT_EXEC, mount_tmpl);
