/* The usage history from the cluster (see core/hypnus_history.h). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/hypnus_history.h"
#include "util/util.h"

/* A ConfigMap data string, or NULL. */
static const char *data_str(const cJSON *data, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

hypnus_history *hypnus_history_fetch(k8s_client *c, const char *ns)
{
	hypnus_history *r = xcalloc(1, sizeof(*r));
	char *path;
	cJSON *cm = NULL;
	k8s_err kerr = {0};
	const cJSON *data;
	char err[200];

	if (!c) {
		util_strlcpy(r->err, "no usable client for the tenant's cluster", sizeof(r->err));
		return r;
	}
	path = k8s_path(NULL, "v1", ns, "configmaps", HYPNUS_USAGE_CONFIGMAP);
	if (k8s_get(c, path, &cm, &kerr) < 0) {
		if (kerr.http == 404)
			snprintf(r->err, sizeof(r->err), "no usage history yet (ConfigMap %s not found in %s)",
				 HYPNUS_USAGE_CONFIGMAP, ns);
		else
			snprintf(r->err, sizeof(r->err), "cannot read the usage history: %.200s", kerr.msg);
		free(path);
		return r;
	}
	free(path);
	data = cJSON_GetObjectItemCaseSensitive(cm, "data");
	if (hypnus_usage_parse(&r->u, data_str(data, "start"), data_str(data, "utc-offset-minutes"),
			       data_str(data, "timezone"), data_str(data, "hours"), err, sizeof(err)) < 0) {
		snprintf(r->err, sizeof(r->err), "usage history in %s is unreadable: %s", ns, err);
	} else {
		hypnus_matrix_build(&r->u, hypnus_threshold(&r->u), &r->m);
		r->n_win = hypnus_windows(&r->m, HYPNUS_MIN_PROB, r->win, HYPNUS_MAX_WINDOWS);
		if (r->n_win > HYPNUS_MAX_WINDOWS)
			r->n_win = HYPNUS_MAX_WINDOWS;
		r->ok = 1;
	}
	cJSON_Delete(cm);
	return r;
}
