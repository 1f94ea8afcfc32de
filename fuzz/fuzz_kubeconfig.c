/* The kubeconfig reader: YAML (bounded before loading) and the whole load of a
 * file holding the input, contexts listed and the current one resolved. */
#include <stdio.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fuzz/fuzz.h"
#include "k8s/kubeconfig.h"
#include "util/util.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], **names = NULL, *cur = NULL;
	k8s_config *cfg = NULL;
	k8s_load_opts lo = {0};
	cJSON *j;
	FILE *f;

	j = k8s_yaml_parse((const char *)data, size, err, sizeof(err));
	cJSON_Delete(j);
	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/fuzz-kubeconfig-%ld", (long)getpid());
	}
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	lo.kubeconfig = path;
	if (k8s_config_contexts(&lo, &names, &cur, err, sizeof(err)) == 0)
		k8s_strv_free(names);
	free(cur);
	if (k8s_config_load(&lo, &cfg, err, sizeof(err)) == 0)
		k8s_config_free(cfg);
	return 0;
}
