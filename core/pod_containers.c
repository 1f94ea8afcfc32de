/* A pod's containers (see core/pod_containers.h). */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "core/pod_containers.h"
#include "util/util.h"

static int add_names(const cJSON *list, char (*names)[POD_CONTAINER_NAME_SIZE], int n, int max)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, list)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");

		if (n >= max)
			break;
		if (cJSON_IsString(name) && name->valuestring[0])
			util_strlcpy(names[n++], name->valuestring, POD_CONTAINER_NAME_SIZE);
	}
	return n;
}

int pod_containers(k8s_client *c, const char *ns, const char *pod,
		   char (*names)[POD_CONTAINER_NAME_SIZE], int max, int *n_init,
		   const atomic_int *cancel, k8s_err *err)
{
	char *path = k8s_path(NULL, "v1", ns, "pods", pod);
	cJSON *obj = NULL;
	const cJSON *spec;
	int n, main_n;

	if (n_init)
		*n_init = 0;
	if (k8s_get_cancel(c, path, cancel, &obj, err) < 0) {
		free(path);
		return -1;
	}
	free(path);
	spec = cJSON_GetObjectItemCaseSensitive(obj, "spec");
	main_n = add_names(cJSON_GetObjectItemCaseSensitive(spec, "containers"), names, 0, max);
	n = add_names(cJSON_GetObjectItemCaseSensitive(spec, "initContainers"), names, main_n, max);
	if (n_init)
		*n_init = n - main_n;
	cJSON_Delete(obj);
	return n;
}

int pod_log_read(k8s_client *c, const char *ns, const char *pod, const char *container, long tail,
		 int follow, k8s_line_fn fn, void *ctx, const atomic_int *cancel, k8s_err *err)
{
	k8s_log_opts lo = {.container = container, .tail_lines = tail, .follow = follow};

	return k8s_pod_logs(c, ns, pod, &lo, fn, ctx, cancel, err);
}
