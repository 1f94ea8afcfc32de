/* The custom RPO an env runs (see core/build_info.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/build_history.h"
#include "core/build_info.h"
#include "core/tcode.h"
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

static void copy_ann(const cJSON *anns, const char *prefix, const char *name, char *out, size_t size)
{
	char key[96];
	const char *v;

	tcode_key(prefix, name, key, sizeof(key));
	v = jstr(anns, key);
	util_strlcpy(out, v ? v : "", size);
}

int build_info_read(k8s_client *c, const char *prefix, const char *tcode, const char *env,
		    const char *ns, build_info *out, k8s_err *err)
{
	char *path = xasprintf("/apis/apps/v1/namespaces/%s/deployments", ns), key[96];
	cJSON *list = NULL;
	const cJSON *it, *first = NULL;
	build_history h;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (k8s_get(c, path, &list, err) < 0) {
		free(path);
		return err->http == 404 ? 0 : -1;
	}
	free(path);
	tcode_key(prefix, "component", key, sizeof(key));
	/* the AppServers take one RPO together: the first by name says which */
	cJSON_ArrayForEach(it, jget(list, "items"))
	{
		const char *comp = jstr(jget(jget(it, "metadata"), "labels"), key);
		const char *name = jstr(jget(it, "metadata"), "name");

		if (!comp || strcmp(comp, "appserver") || !name)
			continue;
		if (!first || strcmp(name, jstr(jget(first, "metadata"), "name")) < 0)
			first = it;
	}
	if (first) {
		const cJSON *anns = jget(jget(jget(jget(first, "spec"), "template"), "metadata"), "annotations");

		copy_ann(anns, prefix, "rpo", out->rpo, sizeof(out->rpo));
		copy_ann(anns, prefix, "rpo-build", out->build, sizeof(out->build));
		copy_ann(anns, prefix, "rpo-commit", out->commit, sizeof(out->commit));
		copy_ann(anns, prefix, "rpo-previous", out->previous, sizeof(out->previous));
	}
	cJSON_Delete(list);
	/* when it was promoted, and the build running now: the history, made true
	 * from the Jobs (not written: a reader) */
	if (build_history_sync(c, prefix, tcode, env, ns, 0, &h, err) < 0)
		return -1;
	for (i = 0; i < h.n; i++) {
		const build_entry *e = &h.v[i];

		if (!out->running[0] && !strcmp(e->state, "running")) {
			util_strlcpy(out->running, e->id, sizeof(out->running));
			util_strlcpy(out->running_stage, e->stage, sizeof(out->running_stage));
		}
	}
	build_history_release(&h);
	if (out->build[0]) { /* the build may come from the other env's history */
		static const tcode_env envs[] = {TCODE_ENV_DEV, TCODE_ENV_PROD};
		const int prod = !strcmp(env, "prod");

		for (i = 0; i < ARRAY_SIZE(envs) && !out->promoted[0]; i++) {
			char other[TCODE_NS_SIZE];
			const build_entry *e;
			k8s_err ke;

			tcode_namespace(tcode, envs[i], other, sizeof(other));
			if (build_history_load(c, other, &h, NULL, 0, &ke) < 0)
				continue;
			e = build_history_find(&h, out->build);
			if (e) {
				const build_promo *p = prod ? &e->prod : &e->dev;

				util_strlcpy(out->promoted, p->at, sizeof(out->promoted));
				util_strlcpy(out->promoted_by, p->by, sizeof(out->promoted_by));
			}
			build_history_release(&h);
		}
	}
	return 0;
}

static void str_or_null(cJSON *o, const char *k, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

char *build_info_json(const build_info *b)
{
	cJSON *o = cJSON_CreateObject();
	char *text, *ret;

	str_or_null(o, "rpo", b->rpo);
	str_or_null(o, "build", b->build);
	str_or_null(o, "commit", b->commit);
	str_or_null(o, "promoted", b->promoted);
	str_or_null(o, "promoted_by", b->promoted_by);
	str_or_null(o, "previous_rpo", b->previous);
	if (b->running[0]) {
		cJSON *r = cJSON_AddObjectToObject(o, "running_build");

		cJSON_AddStringToObject(r, "id", b->running);
		str_or_null(r, "stage", b->running_stage);
	} else {
		cJSON_AddNullToObject(o, "running_build");
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		die("out of memory");
	ret = xstrdup(text);
	cJSON_free(text);
	return ret;
}
