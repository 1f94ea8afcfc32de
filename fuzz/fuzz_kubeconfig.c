/* The kubeconfig reader: YAML (bounded before loading), then the whole load of
 * the input as one kubeconfig, contexts listed and the current one resolved,
 * through the entry the client uses (k8s_config_load with the text in memory,
 * as the file reader passes it on). */
#include <cjson/cJSON.h>

#include "fuzz/fuzz.h"
#include "k8s/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], **names = NULL, *cur = NULL;
	k8s_config *cfg = NULL;
	k8s_load_opts lo = {0};
	cJSON *j;

	j = k8s_yaml_parse((const char *)data, size, err, sizeof(err));
	if (!j)
		return 0; /* the loads below would stop at the same parse */
	cJSON_Delete(j);
	/* a folder that does not exist: relative paths in the input name no file */
	lo.kubeconfig = "fuzz-kubeconfig.nonexistent/config";
	lo.text = (const char *)data;
	lo.text_len = size;
	if (k8s_config_contexts(&lo, &names, &cur, err, sizeof(err)) == 0)
		k8s_strv_free(names);
	free(cur);
	if (k8s_config_load(&lo, &cfg, err, sizeof(err)) == 0)
		k8s_config_free(cfg);
	return 0;
}
